// `gale kernels dump`: lists the transformer kernels; every dumped .cl builds on opencl:0 and every .cu with nvcc -ptx.
package gale.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gale.compute.Devices;
import gale.compute.spi.BackendProvider;
import gale.compute.spi.ComputeDevice;
import gale.compute.spi.KernelInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class KernelsCommandTest {
    @TempDir static Path dir;
    static JsonNode index;

    @BeforeAll
    static void dump() throws Exception {
        assertEquals(0, Main.commandLine().execute("kernels", "dump", "--dir", dir.toString()));
        index = new ObjectMapper().readTree(dir.resolve("index.json").toFile());
    }

    @Test
    void listsTheTransformerKernels() throws Exception {
        Set<String> names = new HashSet<>();
        for (JsonNode k : index.get("kernels")) {
            names.add(k.get("kernel").asText());
            if (!k.get("opencl").isNull()) assertTrue(Files.isRegularFile(dir.resolve(k.get("opencl").asText())), k.toString());
            if (!k.get("cuda").isNull()) assertTrue(Files.isRegularFile(dir.resolve(k.get("cuda").asText())), k.toString());
        }
        for (String k : List.of("Norms.rmsNorm", "Norms.rmsNormGroup", "MatVec.matVecQ8_0", "MatVec.matVecQ4_KGroup", "MatMul.matMulQ6_K",
                "Attention.attentionF16Group", "Rope.ropeToCache", "Embedding.embeddingQ4_0", "Sampling.argmaxFinal", "Activations.softmax"))
            assertTrue(names.contains(k), k + " not in the dump: " + names);
        System.out.println("kernels dump: " + names.size() + " kernels from " + index.get("libraries") + " libraries");
    }

    @Test
    void everyOpenCLFileBuildsOnOpencl0() throws Exception {
        BackendProvider ocl = Devices.backends().get("opencl");
        List<ComputeDevice> devices = ocl == null ? List.of() : ocl.devices();
        if (devices.isEmpty()) {
            String why = ocl == null ? "no opencl backend" : ocl.unavailableReason();
            System.out.println("SKIPPED everyOpenCLFileBuildsOnOpencl0: " + why);
            Assumptions.abort("no OpenCL device: " + why);
        }
        ComputeDevice d = devices.get(0);
        int built = 0;
        for (KernelInfo k : KernelsCommand.shippedKernels(getClass().getClassLoader())) {
            if (k.openclSource() == null) continue;
            String src = Files.readString(dir.resolve("opencl/" + k.entryName() + ".cl"));
            KernelInfo fromFile = new KernelInfo(k.owner(), k.name(), k.location(), k.params(), k.entryName(), src, null,
                    k.parallelDims(), k.grid(), k.features(), k.jvm(), k.jvmTwin());
            assertNotNull(d.compile(fromFile), k.qualifiedName());
            built++;
        }
        System.out.println("built " + built + " dumped .cl files on opencl:0 (" + d.info().name() + ")");
        assertTrue(built > 50, "only " + built + " OpenCL kernels");
    }

    @Test
    void everyCudaFileCompilesWithNvccPtx() throws Exception {
        Path nvcc = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(p -> !p.isEmpty()).map(p -> Path.of(p, "nvcc")).filter(Files::isExecutable).findFirst().orElse(null);
        if (nvcc == null) {
            if ("true".equals(System.getenv("GALE_TEST_REQUIRE_NVCC"))) fail("nvcc not on PATH and GALE_TEST_REQUIRE_NVCC=true");
            System.out.println("SKIPPED everyCudaFileCompilesWithNvccPtx: nvcc not on PATH");
            Assumptions.abort("nvcc not on PATH");
        }
        List<String> cus;
        try (Stream<Path> s = Files.list(dir.resolve("cuda"))) { cus = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu")).sorted().toList(); }
        assertTrue(cus.size() > 50, "only " + cus.size() + " .cu files");
        Path out = Files.createDirectories(dir.resolve("ptx"));
        List<String> cmd = new ArrayList<>(List.of(nvcc.toString(), "-ptx", "-arch=sm_90", "-std=c++17"));
        for (String c : cus) cmd.add(dir.resolve("cuda").resolve(c).toString());
        Process p = new ProcessBuilder(cmd).directory(out.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), "nvcc timed out");
        assertEquals(0, p.exitValue(), "nvcc -ptx failed:\n" + log);
        for (String c : cus) {
            Path ptx = out.resolve(c.replace(".cu", ".ptx"));
            assertTrue(Files.size(ptx) > 0 && Files.readString(ptx).contains(".entry " + c.replace(".cu", "")), "no entry in " + ptx);
        }
        System.out.println("nvcc -ptx -arch=sm_90 compiled " + cus.size() + " dumped .cu files");
    }
}
