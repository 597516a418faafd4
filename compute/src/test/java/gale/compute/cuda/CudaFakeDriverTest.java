// Drives the real FFM bindings against a host-side stand-in for libcuda.so.1 (built from fake-libcuda.c with the C compiler),
// so signatures, symbol names, argument bytes, staging, errors and timing are checked on machines without a GPU.
package gale.compute.cuda;

import gale.compute.ComputeException;
import gale.compute.spi.CompiledKernel;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelParam.Kind;
import gale.compute.spi.LaunchGrid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class CudaFakeDriverTest {
    @TempDir static Path tmp;
    private static CudaBackend.State state;
    private static CudaDevice dev;
    private static SymbolLookup fake;
    private static boolean nvrtcPresent;

    @BeforeAll static void buildFakeDriver() throws Exception {
        assumeFalse(CudaDiscoveryTest.driverPresent(), "SKIPPED: a real NVIDIA driver is present; CudaGpuTest covers the bindings there");
        Path cc = CudaTestSupport.findTool("gcc");
        if (cc == null) cc = CudaTestSupport.findTool("cc");
        CudaTestSupport.requireOrSkip(cc != null, "GALE_TEST_REQUIRE_CC", "no C compiler (gcc/cc) to build the fake libcuda.so.1");
        Path src = Files.writeString(tmp.resolve("fake-libcuda.c"), CudaTestSupport.resource("fake-libcuda.c"));
        Path lib = tmp.resolve("libcuda.so.1");
        var r = CudaTestSupport.run(List.of(cc.toString(), "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-Wl,-soname,libgale-fake-cuda.so",
                "-o", lib.toString(), src.toString()), tmp);
        assertEquals(0, r.exit(), "building the fake driver failed:\n" + r.output());
        state = CudaBackend.discover(Map.of("LD_LIBRARY_PATH", tmp.toString(), "HOME", System.getProperty("user.home")));
        assertNull(state.reason(), "discovery through the fake driver failed");
        dev = ((CudaDevice) state.devices().getFirst()).withCache(new KernelCache(tmp.resolve("cache")));
        fake = SymbolLookup.libraryLookup(lib, Arena.global());
        Map<String, String> env = System.getenv();
        nvrtcPresent = CudaLibraries.findNvrtc(env, CudaLibraries.toolkitRoots(), CudaLibraries.sitePackages(env), Files::exists).found().isPresent();
    }

    private static int[] lastLaunch() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT, 7);
            Linker.nativeLinker().downcallHandle(fake.find("fake_last_launch").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS))
                    .invokeExact(out);
            return out.toArray(ValueLayout.JAVA_INT);
        }
    }

    private static int liveAllocations() throws Throwable {
        return (int) Linker.nativeLinker().downcallHandle(fake.find("fake_live_allocations").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT))
                .invokeExact();
    }

    static KernelInfo saxpy(String entry) {
        String src = CudaTestSupport.resource("translator-shape.cu").replace("gale_saxpy", entry);
        return CudaGpuTest.kernel(entry, src, 1, Kind.FLOAT_ARRAY, Kind.FLOAT_ARRAY, Kind.FLOAT, Kind.INT);
    }

    @Test void discoveryReadsEveryAttributeThroughTheBindings() {
        assertEquals(1, state.devices().size());
        var i = dev.info();
        assertEquals("cuda:0", i.id());
        assertEquals("cuda", i.backend());
        assertEquals("Gale Fake GPU", i.name());
        assertEquals("NVIDIA", i.vendor());
        assertEquals("GPU", i.type());
        assertEquals(132, i.computeUnits());
        assertEquals(1L << 30, i.globalMemoryBytes());
        assertEquals(49152, i.localMemoryBytes());
        assertEquals(1024, i.maxWorkGroupSize());
        assertTrue(i.fp16());
        assertEquals("CUDA driver 12.8", i.version());
        assertEquals("compute capability 9.0", i.languageVersion());
    }

    @Test void allocationsAreZeroFilledAndTransfersSurviveChunking() throws Throwable {
        long n = 2 * CudaDevice.STAGING_SLOT + 777;
        int before = liveAllocations();
        try (Arena a = Arena.ofConfined()) {
            DeviceBuffer b = dev.allocate(n, "FloatArray[big]");
            assertEquals(before + 1, liveAllocations());
            MemorySegment back = a.allocate(n);
            back.fill((byte) 1);
            dev.download(b, back);
            for (long i = 0; i < n; i += 1021) assertEquals(0, back.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
            MemorySegment src = a.allocate(n);
            Random r = new Random(3);
            for (long i = 0; i < n; i++) src.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
            dev.upload(b, src);
            dev.download(b, back);
            assertEquals(-1, src.mismatch(back));
            // heap arrays go through the same staging
            float[] f = {1.5f, -2f, 3.25f};
            dev.upload(b, MemorySegment.ofArray(f));
            float[] g = new float[3];
            dev.download(b, MemorySegment.ofArray(g));
            assertArrayEquals(f, g);
            b.close();
            b.close();
            assertEquals(before, liveAllocations(), "close frees once");
        }
    }

    @Test void outOfMemoryReportsRequestedAndFreeBytes() {
        var e = assertThrows(ComputeException.class, () -> dev.allocate(900L << 20, "HalfArray[huge]"));
        String m = e.getMessage();
        assertTrue(m.contains("CUDA_ERROR_OUT_OF_MEMORY (2)") && m.contains("requested " + (900L << 20) + " bytes for HalfArray[huge]")
                && m.contains("bytes free of 1073741824") && m.contains("cuda:0 (Gale Fake GPU)"), m);
        var e2 = assertThrows(ComputeException.class, () -> dev.allocate(0, "x"));
        assertTrue(e2.getMessage().contains("cannot allocate 0 bytes"), e2.getMessage());
    }

    @Test void compileLoadLaunchAndTimeAKernel() throws Throwable {
        CudaTestSupport.requireOrSkip(nvrtcPresent, "GALE_TEST_REQUIRE_NVRTC", "no libnvrtc to compile the kernel for the fake driver");
        CompiledKernel k = dev.compile(saxpy("gale_saxpy"));
        int n = 1000;
        float[] x = new float[n], y = new float[n], want = new float[n];
        for (int i = 0; i < n; i++) { x[i] = i; y[i] = 1; want[i] = 1 + 0.5f * i; }
        try (DeviceBuffer by = dev.allocate(4L * n, "y"); DeviceBuffer bx = dev.allocate(4L * n, "x")) {
            dev.upload(by, MemorySegment.ofArray(y));
            dev.upload(bx, MemorySegment.ofArray(x));
            long id = dev.launch(k, new Object[]{by, bx, 0.5f, n}, new LaunchGrid(new long[]{n}, null), true);
            dev.finish();
            assertArrayEquals(new int[]{4, 1, 1, 256, 1, 1, 0}, lastLaunch(), "grid x block and dynamic shared memory the driver received");
            assertEquals(500_000, dev.kernelNanos(id), "two events half a fake millisecond apart");
            assertEquals(-1, dev.launch(k, new Object[]{by, bx, 0.5f, n}, new LaunchGrid(new long[]{n}, null), false));
            float[] got = new float[n];
            dev.download(by, MemorySegment.ofArray(got));
            for (int i = 0; i < n; i++) want[i] += 0.5f * i;
            assertArrayEquals(want, got);
        }
        assertTrue(dev.compile(saxpy("gale_saxpy")) instanceof CudaDevice.CudaKernel, "a second compile of the same kernel is served from memory");
    }

    @Test void theCacheServesASecondStart() {
        CudaTestSupport.requireOrSkip(nvrtcPresent, "GALE_TEST_REQUIRE_NVRTC", "no libnvrtc to compile the kernel for the fake driver");
        KernelCache c = new KernelCache(tmp.resolve("restart-cache"));
        CudaDevice first = dev.withCache(c);
        first.compile(saxpy("gale_saxpy"));
        assertEquals(1, first.nvrtcCompiles());
        CudaDevice second = dev.withCache(c);
        second.compile(saxpy("gale_saxpy"));
        assertEquals(0, second.nvrtcCompiles());
    }

    @Test void loaderAndLookupErrorsCarryTheJitLogAndTheEntryName() {
        CudaTestSupport.requireOrSkip(nvrtcPresent, "GALE_TEST_REQUIRE_NVRTC", "no libnvrtc to compile the kernel for the fake driver");
        var e = assertThrows(ComputeException.class, () -> dev.compile(saxpy("gale_BADPTX")));
        String m = e.getMessage();
        assertTrue(m.contains("cuModuleLoadDataEx failed: CUDA_ERROR_INVALID_PTX (218)") && m.contains("JIT log:")
                && m.contains("BADPTX is not allowed") && m.contains("Shape.gale_BADPTX") && m.contains("cuda:0") && m.contains("sm_90"), m);
        e = assertThrows(ComputeException.class, () -> dev.compile(saxpy("gale_other")));
        m = e.getMessage();
        assertTrue(m.contains("cuModuleGetFunction failed: CUDA_ERROR_NOT_FOUND (500)") && m.contains("'gale_other'"), m);
    }

    @Test void launchFailuresNameKernelGeometryAndDevice() {
        CudaTestSupport.requireOrSkip(nvrtcPresent, "GALE_TEST_REQUIRE_NVRTC", "no libnvrtc to compile the kernel for the fake driver");
        CompiledKernel k = dev.compile(saxpy("gale_saxpy"));
        try (DeviceBuffer b = dev.allocate(4096, "b")) {
            // An explicit 1x1 work-group covering 16 of 1000 items: the fake reports a launch failure, as a faulting kernel would.
            var e = assertThrows(ComputeException.class,
                    () -> dev.launch(k, new Object[]{b, b, 1f, 1000}, new LaunchGrid(new long[]{16}, new long[]{1}), false));
            String m = e.getMessage();
            assertTrue(m.contains("cuLaunchKernel failed: CUDA_ERROR_LAUNCH_FAILED (719)") && m.contains("Shape.gale_saxpy")
                    && m.contains("grid [16, 1, 1] x block [1, 1, 1]") && m.contains("cuda:0 (Gale Fake GPU)"), m);
            e = assertThrows(ComputeException.class, () -> dev.launch(k, new Object[]{b, 1, 1f, 1000}, new LaunchGrid(new long[]{1000}, null), false));
            assertTrue(e.getMessage().contains("must be a FloatArray, got Integer"), e.getMessage());
        }
    }

    @Test void errorNamesComeFromTheDriverWithTheTableAsFallback() throws Exception {
        CudaDriver d = CudaDriver.load(Map.of("LD_LIBRARY_PATH", tmp.toString()));
        assertEquals("FAKE_DRIVER_NAME_FOR_999", d.errorName(999));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", d.errorName(700)); // the fake's cuGetErrorName does not know 700
        var e = assertThrows(ComputeException.class, () -> d.check(700, "cuStreamSynchronize", "device cuda:0"));
        assertTrue(e.getMessage().startsWith("cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS (700): a kernel read or wrote out of bounds"),
                e.getMessage());
    }
}
