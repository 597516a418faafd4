// `gale kernels dump`: the generated OpenCL C and CUDA C of every kernel Gale ships, for offline (FPGA) compilation.
package gale.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelLibrary;
import gale.compute.spi.KernelParam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

@Command(name = "kernels", mixinStandardHelpOptions = true,
        description = "The translated kernels Gale ships (every *_GaleKernels library on the class path).",
        subcommands = {KernelsCommand.Dump.class})
final class KernelsCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    /**
     * Every kernel of every library registered in {@code META-INF/services/gale.compute.spi.KernelLibrary} (the
     * annotation processor writes one such file per compiled module; ServiceLoader merges them), sorted by owner and
     * name.
     */
    static List<KernelInfo> shippedKernels(ClassLoader loader) {
        List<KernelInfo> out = new ArrayList<>();
        for (KernelLibrary lib : ServiceLoader.load(KernelLibrary.class, loader)) out.addAll(lib.kernels());
        out.sort(Comparator.comparing(KernelInfo::owner).thenComparing(KernelInfo::name));
        return out;
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = {
                    "Write the generated OpenCL C and CUDA C of every kernel Gale ships:",
                    "  DIR/opencl/<entry>.cl, DIR/cuda/<entry>.cu  one complete translation",
                    "                                              unit per kernel (<entry>:",
                    "                                              the C entry name)",
                    "  DIR/index.json  class, method, Java location, entry, parameters, grid,",
                    "                  features, files; the OpenCL devices present and the",
                    "                  file name each expects for an offline binary",
                    "jvm-only kernels have no C translation and are listed with null files.",
                    "",
                    "Offline compilation (FPGAs, or shipping binaries): build a .cl with the",
                    "vendor's tool, e.g.",
                    "  aoc DIR/opencl/<entry>.cl -o <entry>.aocx       (Intel FPGA SDK)",
                    "  v++ -c -k <entry> DIR/opencl/<entry>.cl, v++ -l (AMD/Xilinx Vitis)",
                    "Gale then loads it with clCreateProgramWithBinary instead of building",
                    "the source, found in this order:",
                    "  1. in code: OpenCLPrograms.useBinary(\"<entry>\", Path.of(\"x.aocx\"))",
                    "  2. BINDIR/<entry>.<device>.bin with GALE_JAVA_OPTS=",
                    "     -Dgale.opencl.binaries=BINDIR; <device> is the OpenCL device name",
                    "     with each character outside [A-Za-z0-9] replaced by '_'",
                    "     (OpenCLPrograms.deviceFileName; index.json lists it per device)",
                    "A provided binary is used even for a kernel without source; one the",
                    "driver rejects fails naming file, kernel and device (no source build).",
                    "The .cu files include no headers: nvcc -ptx -arch=sm_90 <entry>.cu",
                    "or NVRTC builds each one."})
    static final class Dump implements Callable<Integer> {
        @Option(names = "--dir", paramLabel = "DIR", required = true, description = "Output directory (created; existing files are overwritten).")
        Path dir;

        @Option(names = "--json", description = "Print the index as JSON instead of a summary.")
        boolean json;

        @Override public Integer call() throws Exception {
            List<KernelInfo> kernels = shippedKernels(KernelsCommand.class.getClassLoader());
            if (kernels.isEmpty())
                throw new IllegalStateException("no kernel libraries on the class path (META-INF/services/gale.compute.spi.KernelLibrary)");
            Map<String, Object> index = dump(kernels, dir);
            if (json) {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(index));
            } else {
                @SuppressWarnings("unchecked") List<Map<String, Object>> rows = (List<Map<String, Object>>) index.get("kernels");
                for (Map<String, Object> r : rows)
                    System.out.printf("%-40s %-44s %s%n", r.get("kernel"), r.get("entry"), r.get("opencl") == null ? "jvm only" : r.get("location"));
                System.out.printf("%d kernels from %d libraries written to %s (index.json, opencl/*.cl, cuda/*.cu)%n",
                        rows.size(), index.get("libraries"), dir);
            }
            return 0;
        }

        /** Writes the files and index.json; returns the index. */
        static Map<String, Object> dump(List<KernelInfo> kernels, Path dir) throws java.io.IOException {
            Path ocl = Files.createDirectories(dir.resolve("opencl")), cu = Files.createDirectories(dir.resolve("cuda"));
            List<Map<String, Object>> rows = new ArrayList<>();
            java.util.Set<String> owners = new java.util.TreeSet<>(), entries = new java.util.HashSet<>();
            for (KernelInfo k : kernels) {
                if (!entries.add(k.entryName()))
                    throw new IllegalStateException("two kernels share the C entry " + k.entryName() + " (" + k.qualifiedName() + ")");
                owners.add(k.owner());
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("kernel", k.qualifiedName());
                r.put("owner", k.owner());
                r.put("method", k.name());
                r.put("location", k.location());
                r.put("entry", k.entryName());
                List<Map<String, String>> params = new ArrayList<>();
                for (KernelParam p : k.params()) {
                    Map<String, String> m = new LinkedHashMap<>();
                    m.put("name", p.name());
                    m.put("type", p.kind().javaName());
                    params.add(m);
                }
                r.put("params", params);
                r.put("grid", k.usesContext() ? "KernelContext (work-groups)" : k.parallelDims() + "D @Parallel");
                r.put("jvm_twin", k.jvmTwin().isEmpty() ? null : k.jvmTwin());
                r.put("features", k.features());
                r.put("opencl", write(ocl, k.entryName() + ".cl", k.openclSource(), "opencl/"));
                r.put("cuda", write(cu, k.entryName() + ".cu", k.cudaSource(), "cuda/"));
                rows.add(r);
            }
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("libraries", owners.size());
            List<Map<String, String>> oclDevices = new ArrayList<>();
            var oclBackend = gale.compute.Devices.backends().get("opencl");
            if (oclBackend != null)
                for (var d : oclBackend.devices()) {
                    Map<String, String> m = new LinkedHashMap<>();
                    m.put("id", d.info().id());
                    m.put("name", d.info().name());
                    m.put("binary_file", gale.compute.opencl.OpenCLPrograms.deviceFileName("<entry>", d.info().name()));
                    oclDevices.add(m);
                }
            index.put("opencl_devices", oclDevices);
            index.put("kernels", rows);
            Files.writeString(dir.resolve("index.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(index));
            return index;
        }

        private static String write(Path folder, String file, String source, String prefix) throws java.io.IOException {
            if (source == null) return null;
            Files.writeString(folder.resolve(file), source);
            return prefix + file;
        }
    }
}
