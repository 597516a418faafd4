// End-to-end checks on a real NVIDIA GPU: memory, transfers, NVRTC compiles and the disk cache, launches, timing, errors.
package gale.compute.cuda;

import gale.compute.ComputeException;
import gale.compute.Devices;
import gale.compute.spi.CompiledKernel;
import gale.compute.spi.ComputeDevice;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelParam;
import gale.compute.spi.KernelParam.Kind;
import gale.compute.spi.LaunchGrid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaGpuTest {
    private static CudaDevice dev;
    private static final String SHAPE = CudaTestSupport.resource("translator-shape.cu");

    @TempDir static Path cacheDir;

    @BeforeAll static void device() {
        CudaBackend b = new CudaBackend();
        CudaTestSupport.requireOrSkip(!b.devices().isEmpty(), "GALE_TEST_REQUIRE_CUDA", "no CUDA device: " + b.unavailableReason());
        // A private cache: the tests must compile for real and must not leave entries in the user's ~/.cache/gale.
        dev = ((CudaDevice) b.devices().getFirst()).withCache(new KernelCache(cacheDir.resolve("cuda")));
        System.err.println("[gale cuda tests] running on " + dev.info());
    }

    static KernelInfo kernel(String entry, String source, int parallelDims, Kind... kinds) {
        List<KernelParam> ps = new ArrayList<>();
        for (int i = 0; i < kinds.length; i++) ps.add(new KernelParam("p" + i, kinds[i]));
        return new KernelInfo("gale.test.Shape", entry, "Shape.java:1", ps, entry, null, source, parallelDims, a -> new long[]{1},
                KernelInfo.Features.NONE, null, "");
    }

    private static DeviceBuffer upload(ComputeDevice d, float[] v) {
        DeviceBuffer b = d.allocate(4L * v.length, "floats");
        d.upload(b, MemorySegment.ofArray(v));
        return b;
    }

    private static float[] floats(ComputeDevice d, DeviceBuffer b, int n) {
        float[] out = new float[n];
        d.download(b, MemorySegment.ofArray(out));
        return out;
    }

    @Test void describesTheGpu() {
        var i = dev.info();
        assertEquals("cuda:0", i.id());
        assertEquals("NVIDIA", i.vendor());
        assertTrue(!i.name().isBlank() && i.computeUnits() > 0 && i.globalMemoryBytes() > (1L << 30) && i.localMemoryBytes() >= 48 * 1024, i.toString());
        assertTrue(i.maxWorkGroupSize() >= 1024 && i.languageVersion().startsWith("compute capability ") && i.version().startsWith("CUDA driver "), i.toString());
        assertEquals("cuda:0", Devices.select("cuda:0").id());
    }

    @Test void buffersStartZeroedAndRoundTripAcrossStagingChunks() {
        long n = 2 * CudaDevice.STAGING_SLOT + 12_345; // three chunks, the last one ragged
        try (Arena a = Arena.ofConfined(); DeviceBuffer b = dev.allocate(n, "roundtrip")) {
            MemorySegment back = a.allocate(n);
            back.fill((byte) 7);
            dev.download(b, back);
            for (long i = 0; i < n; i += 4099) assertEquals(0, back.get(ValueLayout.JAVA_BYTE, i), "byte " + i + " not zeroed");
            MemorySegment src = a.allocate(n);
            Random r = new Random(1);
            for (long i = 0; i < n; i++) src.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
            dev.upload(b, src);
            dev.download(b, back);
            assertEquals(-1, src.mismatch(back));
        }
    }

    @Test void parallelKernelMatchesTheJavaReference() {
        int n = 1_000_003;
        float[] x = new float[n], y = new float[n], want = new float[n];
        Random r = new Random(2);
        for (int i = 0; i < n; i++) { x[i] = r.nextFloat(); y[i] = r.nextFloat(); want[i] = y[i] + 2.5f * x[i]; }
        CompiledKernel k = dev.compile(kernel("gale_saxpy", SHAPE, 1, Kind.FLOAT_ARRAY, Kind.FLOAT_ARRAY, Kind.FLOAT, Kind.INT));
        try (DeviceBuffer by = upload(dev, y); DeviceBuffer bx = upload(dev, x)) {
            dev.launch(k, new Object[]{by, bx, 2.5f, n}, new LaunchGrid(new long[]{n}, null), false);
            assertArrayEquals(want, floats(dev, by, n), 0f);
        }
    }

    @Test void twoParallelDimensionsCoverEveryElementExactlyOnce() {
        int rows = 1000, cols = 77;
        float[] m = new float[rows * cols];
        for (int i = 0; i < m.length; i++) m[i] = i;
        CompiledKernel k = dev.compile(kernel("gale_scale2d", SHAPE, 2, Kind.FLOAT_ARRAY, Kind.INT, Kind.INT, Kind.FLOAT));
        try (DeviceBuffer b = upload(dev, m)) {
            dev.launch(k, new Object[]{b, rows, cols, 3f}, new LaunchGrid(new long[]{rows, cols}, null), false);
            float[] got = floats(dev, b, m.length);
            for (int i = 0; i < m.length; i++) assertEquals(3f * i, got[i], 0f, "element " + i);
        }
    }

    @Test void contextKernelWithSharedMemoryBarriersAndFloatAtomics() {
        int n = 1 << 20;
        float[] x = new float[n];
        double want = 0;
        for (int i = 0; i < n; i++) { x[i] = (i % 7) * 0.25f; want += x[i]; }
        CompiledKernel k = dev.compile(kernel("gale_sum", SHAPE, 0, Kind.CONTEXT, Kind.FLOAT_ARRAY, Kind.FLOAT_ARRAY, Kind.INT));
        try (DeviceBuffer bx = upload(dev, x); DeviceBuffer out = dev.allocate(4, "sum")) {
            long id = dev.launch(k, new Object[]{null, bx, out, n}, new LaunchGrid(new long[]{256 * 120}, new long[]{256}), true);
            dev.finish();
            float got = floats(dev, out, 1)[0];
            System.err.printf("[gale cuda tests] gale_sum max error %.3g (relative)%n", Math.abs(got - want) / want);
            assertEquals(want, got, want * 1e-5);
            long ns = dev.kernelNanos(id);
            assertTrue(ns > 0, "profiled launch took " + ns + " ns");
            assertEquals(-1, dev.kernelNanos(id), "a timing is handed out once");
        }
    }

    @Test void longParametersAndIntAtomics() {
        int n = 100_000;
        int[] flags = new int[n];
        int want = 0;
        for (int i = 0; i < n; i++) if (i % 3 == 0) { flags[i] = 1; want++; }
        CompiledKernel k = dev.compile(kernel("gale_count", SHAPE, 1, Kind.INT_ARRAY, Kind.INT_ARRAY, Kind.LONG));
        try (DeviceBuffer counter = dev.allocate(4, "counter"); DeviceBuffer bf = dev.allocate(4L * n, "flags")) {
            dev.upload(bf, MemorySegment.ofArray(flags));
            dev.launch(k, new Object[]{counter, bf, (long) n}, new LaunchGrid(new long[]{n}, null), false);
            int[] got = new int[1];
            dev.download(counter, MemorySegment.ofArray(got));
            assertEquals(want, got[0]);
        }
    }

    @Test void halfDataThroughPtxConversions() {
        int n = 4097;
        short[] in = new short[n];
        for (int i = 0; i < n; i++) in[i] = Float.floatToFloat16((i - 2048) / 64f);
        CompiledKernel k = dev.compile(kernel("gale_half_scale", SHAPE, 1, Kind.HALF_ARRAY, Kind.HALF_ARRAY, Kind.FLOAT, Kind.INT));
        try (DeviceBuffer bin = dev.allocate(2L * n, "in"); DeviceBuffer bout = dev.allocate(2L * n, "out")) {
            dev.upload(bin, MemorySegment.ofArray(in));
            dev.launch(k, new Object[]{bout, bin, 0.5f, n}, new LaunchGrid(new long[]{n}, null), false);
            short[] got = new short[n];
            dev.download(bout, MemorySegment.ofArray(got));
            for (int i = 0; i < n; i++)
                assertEquals(Float.floatToFloat16(Float.float16ToFloat(in[i]) * 0.5f), got[i], "element " + i);
        }
    }

    @Test void aSecondStartCompilesNothing(@TempDir Path tmp) {
        KernelInfo k = kernel("gale_saxpy", SHAPE + "\n// cache test\n", 1, Kind.FLOAT_ARRAY, Kind.FLOAT_ARRAY, Kind.FLOAT, Kind.INT);
        CudaDevice first = dev.withCache(new KernelCache(tmp.resolve("cuda")));
        first.compile(k);
        assertEquals(1, first.nvrtcCompiles());
        CudaDevice second = dev.withCache(new KernelCache(tmp.resolve("cuda")));
        CompiledKernel c = second.compile(k);
        assertEquals(0, second.nvrtcCompiles(), "the second start must load the cached binary");
        float[] y = {1, 2}, x = {10, 20};
        try (DeviceBuffer by = upload(second, y); DeviceBuffer bx = upload(second, x)) {
            second.launch(c, new Object[]{by, bx, 1f, 2}, new LaunchGrid(new long[]{2}, null), false);
            assertArrayEquals(new float[]{11, 22}, floats(second, by, 2));
        }
    }

    @Test void errorsNameKernelDeviceAndCause() {
        var e = assertThrows(ComputeException.class, () -> dev.compile(kernel("gale_nope", null, 1, Kind.INT)));
        assertTrue(e.getMessage().contains("Shape.gale_nope (Shape.java:1) on cuda:0") && e.getMessage().contains("no CUDA source"), e.getMessage());
        e = assertThrows(ComputeException.class, () -> dev.compile(kernel("gale_bad", "extern \"C\" __global__ void gale_bad(float* x) {\n x[0] = nope;\n}", 1, Kind.FLOAT_ARRAY)));
        assertTrue(e.getMessage().contains("CUDA compilation failed") && e.getMessage().contains("cuda:0") && e.getMessage().contains("nope"), e.getMessage());
        e = assertThrows(ComputeException.class, () -> dev.compile(kernel("gale_missing_entry", SHAPE, 1, Kind.INT)));
        assertTrue(e.getMessage().contains("cuModuleGetFunction") && e.getMessage().contains("gale_missing_entry"), e.getMessage());
        long tooMuch = dev.info().globalMemoryBytes() * 2;
        e = assertThrows(ComputeException.class, () -> dev.allocate(tooMuch, "FloatArray[huge]"));
        assertTrue(e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY") && e.getMessage().contains("requested " + tooMuch)
                && e.getMessage().contains("bytes free of") && e.getMessage().contains("FloatArray[huge]"), e.getMessage());
        CompiledKernel sum = dev.compile(kernel("gale_sum", SHAPE, 0, Kind.CONTEXT, Kind.FLOAT_ARRAY, Kind.FLOAT_ARRAY, Kind.INT));
        try (DeviceBuffer b = dev.allocate(4, "b")) {
            e = assertThrows(ComputeException.class, () -> dev.launch(sum, new Object[]{null, b, b, 1}, new LaunchGrid(new long[]{4096}, new long[]{2048}), false));
            assertTrue(e.getMessage().contains("Shape.gale_sum") && e.getMessage().contains("2048"), e.getMessage());
        }
    }
}
