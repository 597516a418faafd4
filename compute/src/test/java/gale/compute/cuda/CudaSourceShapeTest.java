// Pins the CUDA C shape the translator must emit: a hand-written unit of that shape must build with nvcc and ptxas.
package gale.compute.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaSourceShapeTest {
    private static final List<String> ENTRIES = List.of("gale_saxpy", "gale_scale2d", "gale_sum", "gale_count", "gale_half_scale");

    private static Path tool(String name) {
        Path p = CudaTestSupport.findTool(name);
        CudaTestSupport.requireOrSkip(p != null, "GALE_TEST_REQUIRE_NVCC", name + " is not installed (no CUDA toolkit)");
        return p;
    }

    private static String ptx(Path nvcc, Path dir, String source, String arch) throws Exception {
        Path cu = dir.resolve("k.cu");
        Files.writeString(cu, source);
        Path out = dir.resolve("k_" + arch + ".ptx");
        var r = CudaTestSupport.run(List.of(nvcc.toString(), "-ptx", "-arch=" + arch, "-std=c++17", cu.toString(), "-o", out.toString()), dir);
        assertEquals(0, r.exit(), "nvcc -ptx -arch=" + arch + " failed:\n" + r.output());
        return Files.readString(out);
    }

    @Test void translatorShapedSourceCompilesForHopperAndAmpereAndAssembles(@TempDir Path dir) throws Exception {
        Path nvcc = tool("nvcc"), ptxas = tool("ptxas");
        String src = CudaTestSupport.resource("translator-shape.cu");
        for (String arch : List.of("sm_90", "sm_80")) {
            String ptx = ptx(nvcc, dir, src, arch);
            // extern "C" keeps the entry names unmangled: cuModuleGetFunction finds them by KernelInfo.entryName.
            for (String e : ENTRIES) assertTrue(ptx.contains(".visible .entry " + e + "("), e + " missing or mangled in PTX for " + arch);
            assertTrue(ptx.contains("bar.sync"), "__syncthreads must become a barrier");
            assertTrue(ptx.contains("atom.global.add.f32") || ptx.contains("red.global.add.f32"), "float atomicAdd missing");
            assertTrue(ptx.contains("cvt.f32.f16") && ptx.contains("cvt.rn.f16.f32"), "half conversions missing");
            Path ptxFile = dir.resolve("k_" + arch + ".ptx");
            var r = CudaTestSupport.run(List.of(ptxas.toString(), "-arch=" + arch, ptxFile.toString(), "-o", dir.resolve("k_" + arch + ".cubin").toString()), dir);
            assertEquals(0, r.exit(), "ptxas -arch=" + arch + " failed:\n" + r.output());
            assertTrue(Files.size(dir.resolve("k_" + arch + ".cubin")) > 0);
        }
    }

    @Test void theCudaFp16HeaderVariantAlsoBuildsWithNvcc(@TempDir Path dir) throws Exception {
        Path nvcc = tool("nvcc");
        String ptx = ptx(nvcc, dir, CudaTestSupport.resource("fp16-header.cu"), "sm_90");
        assertTrue(ptx.contains(".visible .entry gale_half_scale("));
    }

    @Test void aSyntaxErrorIsReportedWithItsLine(@TempDir Path dir) throws Exception {
        // Guards the test itself: nvcc must reject bad input, or the passing checks above would prove nothing.
        Path nvcc = tool("nvcc");
        Path cu = dir.resolve("bad.cu");
        Files.writeString(cu, "extern \"C\" __global__ void k(float* x) {\n  x[0] = undefined_name;\n}\n");
        var r = CudaTestSupport.run(List.of(nvcc.toString(), "-ptx", "-arch=sm_90", cu.toString(), "-o", dir.resolve("bad.ptx").toString()), dir);
        assertTrue(r.exit() != 0 && r.output().contains("bad.cu(2)"), r.output());
    }
}
