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
                    "Write the generated OpenCL C and CUDA C of every kernel Gale ships: DIR/opencl/<entry>.cl and",
                    "DIR/cuda/<entry>.cu (one complete translation unit per kernel, <entry> being the C entry name),",
                    "plus DIR/index.json (owner, method, Java location, entry, parameters, grid, features, files).",
                    "jvm-only kernels have no C translation and are listed with null files.",
                    "",
                    "Offline compilation (FPGAs, or to ship binaries): build a .cl with the vendor tool, e.g.",
                    "  aoc DIR/opencl/<entry>.cl -o <entry>.aocx        (Intel FPGA SDK for OpenCL)",
                    "  v++ -c -k <entry> DIR/opencl/<entry>.cl ...       (AMD/Xilinx Vitis, then v++ -l to .xclbin)",
                    "then let Gale load it with clCreateProgramWithBinary instead of building the source, either",
                    "  - by directory: put it at BINDIR/<entry>.<device>.bin, <device> being the OpenCL device name",
                    "    with every character outside [A-Za-z0-9] replaced by '_' (OpenCLPrograms.deviceFileName),",
                    "    and run gale with GALE_JAVA_OPTS=-Dgale.opencl.binaries=BINDIR; or",
                    "  - in code: OpenCLPrograms.useBinary(\"<entry>\", Path.of(\"<entry>.aocx\")) before the first launch.",
                    "A provided binary is used even for kernels without source on that device; if the driver rejects",
                    "it, compilation fails naming the file, kernel and device (never a silent source build).",
                    "The .cu files need no headers: nvcc -ptx -arch=sm_90 DIR/cuda/<entry>.cu (or NVRTC) builds them."})
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
                for (KernelParam p : k.params()) params.add(Map.of("name", p.name(), "type", p.kind().javaName()));
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
