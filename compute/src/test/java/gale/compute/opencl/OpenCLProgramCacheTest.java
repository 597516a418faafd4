// The disk cache of program binaries (hit, refresh of a rejected entry) and offline-compiled binaries (the FPGA flow).
package gale.compute.opencl;

import gale.compute.ComputeException;
import gale.compute.FloatArray;
import gale.compute.spi.CompiledKernel;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.LaunchGrid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static gale.compute.opencl.OpenCLTestSupport.*;
import static gale.compute.spi.KernelParam.Kind.*;
import static org.junit.jupiter.api.Assertions.*;

class OpenCLProgramCacheTest {
    private final OpenCLDevice dev = OpenCLTestSupport.device();
    @TempDir Path cache;
    private String savedCacheDir;

    @BeforeEach void privateCache() {
        savedCacheDir = System.getProperty("gale.cache.dir");
        System.setProperty("gale.cache.dir", cache.toString());
    }

    @AfterEach void restore() {
        System.setProperty("gale.cache.dir", savedCacheDir);
        System.clearProperty("gale.opencl.binaries");
    }

    /** A source no other test builds, so its first compile is a miss in memory and on disk. */
    private static KernelInfo saxpy(String entry, String tag) {
        String src = "// " + tag + "\n__kernel void " + entry + """
                (__global const float* x, __global float* y, float a, int n) {
                    for (int i = get_global_id(0); i < n; i += get_global_size(0)) y[i] = a * x[i] + y[i];
                }
                """;
        return kernel("saxpy", entry, src, p("x", FLOAT_ARRAY), p("y", FLOAT_ARRAY), p("a", FLOAT), p("n", INT));
    }

    private float[] run(CompiledKernel k) {
        int n = 257;
        FloatArray x = FloatArray.create(n), y = FloatArray.create(n);
        for (int i = 0; i < n; i++) { x.set(i, i); y.set(i, 1f / (i + 1)); }
        try (DeviceBuffer dx = dev.allocate(x.byteSize(), "x"); DeviceBuffer dy = dev.allocate(y.byteSize(), "y")) {
            dev.upload(dx, x.segment());
            dev.upload(dy, y.segment());
            dev.launch(k, new Object[]{dx, dy, 0.75f, n}, new LaunchGrid(new long[]{n}, null), false);
            dev.download(dy, y.segment());
        }
        float[] r = y.toArray();
        for (int i = 0; i < n; i++) assertEquals(0.75f * i + 1f / (i + 1), r[i], 1e-6f * Math.max(1, Math.abs(r[i])));
        return r;
    }

    private Path entryFile(KernelInfo k) {
        return cache.resolve("opencl").resolve(dev.cacheKey(k.openclSource(), OpenCLDevice.buildOptions()) + ".bin");
    }

    @Test void secondCompileIsACacheHitWithIdenticalResults() {
        KernelInfo k = saxpy("saxpy_cache", "cache " + System.nanoTime());
        long misses = dev.misses(), disk = dev.diskHits(), memory = dev.memoryHits();
        float[] first = run(dev.compile(k));
        assertEquals(misses + 1, dev.misses(), "first compile builds from source");
        assertTrue(Files.isRegularFile(entryFile(k)), "the binary is stored under " + cache);

        run(dev.compile(k));
        assertEquals(memory + 1, dev.memoryHits(), "same context: the program is reused in memory");

        dev.forgetPrograms(); // as a new JVM would: nothing in memory
        float[] second = run(dev.compile(k));
        assertEquals(disk + 1, dev.diskHits(), "a fresh context loads the stored binary");
        assertEquals(misses + 1, dev.misses(), "no second source build");
        assertArrayEquals(first, second);
    }

    @Test void rejectedEntryIsRebuiltAndOverwritten() throws IOException {
        KernelInfo k = saxpy("saxpy_refresh", "refresh " + System.nanoTime());
        dev.compile(k);
        Path file = entryFile(k);
        byte[] good = Files.readAllBytes(file);
        Files.write(file, new byte[]{'n', 'o', 't', ' ', 'a', ' ', 'b', 'i', 'n', 'a', 'r', 'y'});
        dev.forgetPrograms();
        long refreshes = dev.refreshes();
        run(dev.compile(k));
        assertEquals(refreshes + 1, dev.refreshes());
        assertArrayEquals(good, Files.readAllBytes(file), "the entry is rewritten with a good binary");
    }

    @Test void offlineBinaryByApiAndByDirectory(@TempDir Path bins) throws IOException {
        KernelInfo k = saxpy("saxpy_offline", "offline " + System.nanoTime());
        dev.compile(k);
        byte[] binary = dev.programBinary(k);
        assertTrue(binary.length > 0);

        // The FPGA flow: only a binary, no source at all.
        KernelInfo binaryOnly = new KernelInfo(k.owner(), k.name(), k.location(), k.params(), k.entryName(), null, null,
                k.parallelDims(), k.grid(), k.features(), null, "");
        Path file = bins.resolve("saxpy.aocx");
        Files.write(file, binary);
        long loads = dev.offlineLoads();
        OpenCLPrograms.useBinary("saxpy_offline", file);
        try {
            run(dev.compile(binaryOnly));
            assertEquals(loads + 1, dev.offlineLoads());
        } finally {
            assertTrue(OpenCLPrograms.forget("saxpy_offline"));
        }

        dev.forgetPrograms();
        Path named = bins.resolve(OpenCLPrograms.deviceFileName("saxpy_offline", dev.info().name()));
        Files.write(named, binary);
        System.setProperty("gale.opencl.binaries", bins.toString());
        run(dev.compile(binaryOnly));
        assertEquals(loads + 2, dev.offlineLoads());
    }

    @Test void badOfflineBinaryFailsWithoutFallback(@TempDir Path bins) throws IOException {
        KernelInfo k = saxpy("saxpy_badbin", "bad " + System.nanoTime());
        Path file = bins.resolve("bad.bin");
        Files.write(file, new byte[]{1, 2, 3, 4});
        OpenCLPrograms.useBinary("saxpy_badbin", file);
        try {
            ComputeException e = assertThrows(ComputeException.class, () -> dev.compile(k));
            String m = e.getMessage();
            assertTrue(m.contains(file.toString()) && m.contains("HandWritten.saxpy") && m.contains("opencl:0"), m);
        } finally {
            OpenCLPrograms.forget("saxpy_badbin");
        }
    }
}
