// Runs the NVRTC binding against a real libnvrtc when one is installed (NVRTC needs no GPU): PTX, cubin, logs, headers.
package gale.compute.cuda;

import gale.compute.ComputeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class NvrtcTest {
    private static Nvrtc nvrtc;
    private static final List<String> BASE = List.of("-default-device", "--std=c++17");

    @BeforeAll static void load() {
        Map<String, String> env = System.getenv();
        var found = CudaLibraries.findNvrtc(env, CudaLibraries.toolkitRoots(), CudaLibraries.sitePackages(env), Files::exists);
        CudaTestSupport.requireOrSkip(found.found().isPresent(), "GALE_TEST_REQUIRE_NVRTC",
                "no libnvrtc on this machine (searched " + found.tried().size() + " folders)");
        nvrtc = Nvrtc.load(env, 0);
    }

    private static List<String> opts(String arch) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of("--gpu-architecture=" + arch), BASE.stream()).toList();
    }

    @Test void reportsItsVersionAndArchitectures() {
        assertTrue(nvrtc.major >= 11, nvrtc.version());
        int[] archs = nvrtc.supportedArchs();
        assertTrue(archs.length > 0 && java.util.Arrays.stream(archs).anyMatch(a -> a == 80), java.util.Arrays.toString(archs));
    }

    @Test void translatorShapedSourceCompilesToPtxWithUnmangledEntries() {
        var r = nvrtc.compile(CudaTestSupport.resource("translator-shape.cu"), "shape.cu", opts("compute_80"), false, "test");
        assertTrue(r.ok(), r.log());
        String ptx = new String(r.binary(), StandardCharsets.US_ASCII);
        for (String e : List.of("gale_saxpy", "gale_scale2d", "gale_sum", "gale_count", "gale_half_scale"))
            assertTrue(ptx.contains(".visible .entry " + e + "("), e);
        assertTrue(ptx.contains(".target sm_80"));
        assertFalse(ptx.endsWith("\0"), "the PTX's NUL terminator is the loader's business, not part of the text");
    }

    @Test void translatorShapedSourceCompilesToACubinForTheDevice() {
        assumeFalse(java.util.Arrays.stream(nvrtc.supportedArchs()).noneMatch(a -> a == 90), "SKIPPED: this NVRTC cannot build sm_90");
        var r = nvrtc.compile(CudaTestSupport.resource("translator-shape.cu"), "shape.cu", opts("sm_90"), true, "test");
        assertTrue(r.ok(), r.log());
        byte[] b = r.binary();
        assertTrue(b.length > 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F', "a cubin is an ELF file");
    }

    @Test void compileErrorsComeBackWithTheLog() {
        var r = nvrtc.compile("extern \"C\" __global__ void k(float* x) {\n  x[0] = undefined_name;\n}\n", "Bad.k.cu", opts("compute_80"), false, "test");
        assertFalse(r.ok());
        assertEquals(6, r.status());
        assertEquals("NVRTC_ERROR_COMPILATION", nvrtc.errorName(r.status()));
        assertTrue(r.log().contains("Bad.k.cu(2)") && r.log().contains("undefined_name"), r.log());
    }

    @Test void badOptionsAreAnInvalidOptionStatus() {
        var r = nvrtc.compile("extern \"C\" __global__ void k() {}", "k.cu", List.of("--no-such-option"), false, "test");
        assertFalse(r.ok());
        assertEquals("NVRTC_ERROR_INVALID_OPTION", nvrtc.errorName(r.status()));
    }

    @Test void cudaFp16IsNotBuiltInButWorksWithToolkitHeaders() {
        String src = CudaTestSupport.resource("fp16-header.cu");
        var r = nvrtc.compile(src, "fp16.cu", opts("compute_80"), false, "test");
        assertFalse(r.ok(), "NVRTC found cuda_fp16.h without include paths: the translator could then use it freely");
        assertTrue(r.log().contains("cuda_fp16.h"), r.log());
        Map<String, String> env = System.getenv();
        var inc = CudaLibraries.includeDirs(env, CudaLibraries.toolkitRoots(), CudaLibraries.sitePackages(env), Files::exists);
        assumeFalse(inc.isEmpty(), "SKIPPED: no toolkit headers here to show the -I route");
        var t = new CudaDevice.Target("compute_80", false);
        r = nvrtc.compile(src, "fp16.cu", CudaDevice.options(t, src, inc), false, "test");
        assertTrue(r.ok(), r.log());
    }
}
