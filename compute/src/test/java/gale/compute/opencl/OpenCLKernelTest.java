// Kernels on the device: vector add, 2-D grids, scalars, half and byte data, a local-memory reduction, errors, profiling.
package gale.compute.opencl;

import gale.compute.ByteArray;
import gale.compute.ComputeException;
import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.spi.CompiledKernel;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.LaunchGrid;
import org.junit.jupiter.api.Test;

import static gale.compute.opencl.OpenCLTestSupport.*;
import static gale.compute.spi.KernelParam.Kind.*;
import static org.junit.jupiter.api.Assertions.*;

class OpenCLKernelTest {
    private final OpenCLDevice dev = OpenCLTestSupport.device();

    private DeviceBuffer upload(FloatArray a) {
        DeviceBuffer b = dev.allocate(a.byteSize(), a.describe());
        dev.upload(b, a.segment());
        return b;
    }

    private FloatArray download(DeviceBuffer b, long n) {
        FloatArray out = FloatArray.create(n);
        dev.download(b, out.segment());
        return out;
    }

    @Test void vectorAddWithRoundedGlobalSize() {
        for (int n : new int[]{1, 3, 64, 1000, 4099}) {
            FloatArray a = FloatArray.create(n), b = FloatArray.create(n);
            for (int i = 0; i < n; i++) { a.set(i, i * 0.5f); b.set(i, 1 - i); }
            CompiledKernel k = dev.compile(vadd());
            try (DeviceBuffer da = upload(a); DeviceBuffer db = upload(b); DeviceBuffer dc = dev.allocate(4L * n, "c")) {
                assertEquals(-1, dev.launch(k, new Object[]{da, db, dc, n}, new LaunchGrid(new long[]{n}, null), false));
                FloatArray c = download(dc, n);
                for (int i = 0; i < n; i++) assertEquals(a.get(i) + b.get(i), c.get(i), "n=" + n + " i=" + i);
            }
        }
    }

    @Test void scalarArgumentsChangeBetweenLaunches() {
        String src = """
                __kernel void scal(__global float* out, __global int* iout, int a, long b, float c, int n) {
                    for (int i = get_global_id(0); i < n; i += get_global_size(0)) {
                        out[i] = c * i + a;
                        iout[i] = (int) (b >> 32) + i;
                    }
                }
                """;
        KernelInfo info = kernel("scal", "scal", src, p("out", FLOAT_ARRAY), p("iout", INT_ARRAY), p("a", INT), p("b", LONG),
                p("c", FLOAT), p("n", INT));
        CompiledKernel k = dev.compile(info);
        int n = 100;
        try (DeviceBuffer out = dev.allocate(4L * n, "out"); DeviceBuffer iout = dev.allocate(4L * n, "iout");
             DeviceBuffer out2 = dev.allocate(4L * n, "out2")) {
            Object[] args = {out, iout, 3, 7L << 32, 0.5f, n};
            LaunchGrid grid = new LaunchGrid(new long[]{n}, null);
            dev.launch(k, args, grid, false);
            FloatArray f = download(out, n);
            IntArray ia = IntArray.create(n);
            dev.download(iout, ia.segment());
            for (int i = 0; i < n; i++) { assertEquals(0.5f * i + 3, f.get(i)); assertEquals(7 + i, ia.get(i)); }
            // Same kernel object, new values in a new array, then the first array again: every change must reach the device.
            dev.launch(k, new Object[]{out2, iout, -1, 9L << 32, 2f, n}, grid, false);
            f = download(out2, n);
            dev.download(iout, ia.segment());
            for (int i = 0; i < n; i++) { assertEquals(2f * i - 1, f.get(i)); assertEquals(9 + i, ia.get(i)); }
            args[2] = 10;
            dev.launch(k, args, grid, false);
            f = download(out, n);
            for (int i = 0; i < n; i++) assertEquals(0.5f * i + 10, f.get(i));
        }
    }

    @Test void twoDimensionalGrid() {
        String src = """
                __kernel void grid2(__global int* out, int w, int h) {
                    for (int y = get_global_id(1); y < h; y += get_global_size(1))
                        for (int x = get_global_id(0); x < w; x += get_global_size(0)) out[y * w + x] = x + 1000 * y;
                }
                """;
        KernelInfo info = new KernelInfo("gale.compute.opencl.HandWritten", "grid2", "HandWritten.java:2",
                java.util.List.of(p("out", INT_ARRAY), p("w", INT), p("h", INT)), "grid2", src, null, 2,
                args -> new long[]{(Integer) args[1], (Integer) args[2]}, KernelInfo.Features.NONE, null, "");
        int w = 37, h = 19;
        CompiledKernel k = dev.compile(info);
        try (DeviceBuffer out = dev.allocate(4L * w * h, "out")) {
            dev.launch(k, new Object[]{out, w, h}, new LaunchGrid(new long[]{w, h}, null), false);
            IntArray r = IntArray.create((long) w * h);
            dev.download(out, r.segment());
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) assertEquals(x + 1000 * y, r.get(y * w + x));
        }
    }

    @Test void threeDimensionalAndEmptyGrids() {
        String src = """
                __kernel void grid3(__global int* out, int w, int h, int d) {
                    for (int z = get_global_id(2); z < d; z += get_global_size(2))
                        for (int y = get_global_id(1); y < h; y += get_global_size(1))
                            for (int x = get_global_id(0); x < w; x += get_global_size(0)) out[(z * h + y) * w + x] += x + 100 * y + 10000 * z;
                }
                """;
        KernelInfo info = new KernelInfo("gale.compute.opencl.HandWritten", "grid3", "HandWritten.java:3",
                java.util.List.of(p("out", INT_ARRAY), p("w", INT), p("h", INT), p("d", INT)), "grid3", src, null, 3,
                args -> new long[]{(Integer) args[1], (Integer) args[2], (Integer) args[3]}, KernelInfo.Features.NONE, null, "");
        int w = 5, h = 9, d = 3;
        CompiledKernel k = dev.compile(info);
        try (DeviceBuffer out = dev.allocate(4L * w * h * d, "out")) {
            dev.launch(k, new Object[]{out, w, h, d}, new LaunchGrid(new long[]{w, h, d}, null), false);
            assertEquals(-1, dev.launch(k, new Object[]{out, w, 0, d}, new LaunchGrid(new long[]{w, 0, d}, null), false));
            IntArray r = IntArray.create((long) w * h * d);
            dev.download(out, r.segment());
            // Each element written exactly once (+=), and the empty launch wrote nothing.
            for (int z = 0; z < d; z++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++)
                assertEquals(x + 100 * y + 10000 * z, r.get((z * h + y) * w + x));
        }
    }

    @Test void halfAndByteData() {
        String src = """
                __kernel void widen(__global const half* h, __global const char* q, __global float* out, int n) {
                    for (int i = get_global_id(0); i < n; i += get_global_size(0)) out[i] = vload_half(i, h) * (float) q[i];
                }
                """;
        KernelInfo info = kernel("widen", "widen", src, p("h", HALF_ARRAY), p("q", BYTE_ARRAY), p("out", FLOAT_ARRAY), p("n", INT));
        int n = 300;
        HalfArray h = HalfArray.create(n);
        ByteArray q = ByteArray.create(n);
        for (int i = 0; i < n; i++) { h.setFloat(i, i * 0.125f); q.set(i, (byte) (i % 256 - 128)); }
        CompiledKernel k = dev.compile(info);
        try (DeviceBuffer dh = dev.allocate(h.byteSize(), "h"); DeviceBuffer dq = dev.allocate(q.byteSize(), "q");
             DeviceBuffer out = dev.allocate(4L * n, "out")) {
            dev.upload(dh, h.segment());
            dev.upload(dq, q.segment());
            dev.launch(k, new Object[]{dh, dq, out, n}, new LaunchGrid(new long[]{n}, null), false);
            FloatArray r = download(out, n);
            for (int i = 0; i < n; i++) assertEquals(h.getFloat(i) * q.get(i), r.get(i), "i=" + i);
        }
    }

    static final String REDUCE = """
            __kernel void reduce(__global const float* in, __global float* out, int n) {
                __local float tmp[256];
                int lid = get_local_id(0);
                float s = 0.0f;
                for (int i = get_global_id(0); i < n; i += get_global_size(0)) s += in[i];
                tmp[lid] = s;
                barrier(CLK_LOCAL_MEM_FENCE);
                for (int off = get_local_size(0) / 2; off > 0; off >>= 1) {
                    if (lid < off) tmp[lid] += tmp[lid + off];
                    barrier(CLK_LOCAL_MEM_FENCE);
                }
                if (lid == 0) out[get_group_id(0)] = tmp[0];
            }
            """;

    static KernelInfo reduce() {
        return contextKernel("reduce", "reduce", REDUCE, p("ctx", CONTEXT), p("in", FLOAT_ARRAY), p("out", FLOAT_ARRAY), p("n", INT));
    }

    @Test void reductionWithLocalMemoryAndBarriers() {
        int n = 100_000, local = 128, groups = 8;
        FloatArray in = FloatArray.create(n);
        double expected = 0;
        for (int i = 0; i < n; i++) { in.set(i, (i % 17) - 8); expected += (i % 17) - 8; }
        CompiledKernel k = dev.compile(reduce());
        try (DeviceBuffer din = upload(in); DeviceBuffer dout = dev.allocate(4L * groups, "partials")) {
            dev.launch(k, new Object[]{null, din, dout, n}, new LaunchGrid(new long[]{(long) local * groups}, new long[]{local}), false);
            FloatArray partials = download(dout, groups);
            double sum = 0;
            for (int g = 0; g < groups; g++) sum += partials.get(g);
            assertEquals(expected, sum, 0.0, "sums of small integers are exact in float");
        }
    }

    @Test void kernelContextGridWithoutLocalSizeStaysExact() {
        String src = """
                __kernel void count(__global int* counter) { atomic_inc(counter); }
                """;
        KernelInfo info = contextKernel("count", "count", src, p("ctx", CONTEXT), p("counter", INT_ARRAY));
        CompiledKernel k = dev.compile(info);
        try (DeviceBuffer counter = dev.allocate(4, "counter")) {
            dev.launch(k, new Object[]{null, counter}, new LaunchGrid(new long[]{1000}, null), false);
            IntArray r = IntArray.create(1);
            dev.download(counter, r.segment());
            assertEquals(1000, r.get(0), "exactly the requested work-items run: no rounding up for non-striding kernels");
        }
    }

    @Test void buildFailureNamesKernelAndShowsLog() {
        KernelInfo broken = kernel("broken", "broken", """
                __kernel void broken(__global float* a, int n) { a[0] = undeclared_thing_42 + n; }
                """, p("a", FLOAT_ARRAY), p("n", INT));
        ComputeException e = assertThrows(ComputeException.class, () -> dev.compile(broken));
        String m = e.getMessage();
        System.out.println(m);
        assertTrue(m.contains("HandWritten.broken"), m);
        assertTrue(m.contains("HandWritten.java:6"), m);
        assertTrue(m.contains("CL_BUILD_PROGRAM_FAILURE"), m);
        assertTrue(m.contains("undeclared_thing_42"), "the compiler's log is in the message: " + m);
        assertTrue(m.contains("opencl:0"), m);
    }

    @Test void jvmOnlyKernelIsRefused() {
        KernelInfo jvmOnly = kernel("twin", "twin", null, p("a", FLOAT_ARRAY), p("n", INT));
        ComputeException e = assertThrows(ComputeException.class, () -> dev.compile(jvmOnly));
        assertTrue(e.getMessage().contains("HandWritten.twin") && e.getMessage().contains("jvm-only"), e.getMessage());
    }

    @Test void parameterMismatchIsCaughtAtCompile() {
        KernelInfo wrong = kernel("vadd", "vadd", VADD, p("a", FLOAT_ARRAY), p("b", FLOAT_ARRAY), p("n", INT));
        ComputeException e = assertThrows(ComputeException.class, () -> dev.compile(wrong));
        assertTrue(e.getMessage().contains("takes 4 arguments") && e.getMessage().contains("passes 3"), e.getMessage());
        KernelInfo missing = kernel("vadd", "nosuch", VADD, p("a", FLOAT_ARRAY), p("b", FLOAT_ARRAY), p("c", FLOAT_ARRAY), p("n", INT));
        e = assertThrows(ComputeException.class, () -> dev.compile(missing));
        assertTrue(e.getMessage().contains("clCreateKernel") && e.getMessage().contains("CL_INVALID_KERNEL_NAME"), e.getMessage());
    }

    @Test void badArgumentsAreRefused() {
        CompiledKernel k = dev.compile(vadd());
        try (DeviceBuffer a = dev.allocate(16, "a")) {
            ComputeException e = assertThrows(ComputeException.class,
                    () -> dev.launch(k, new Object[]{a, a, 5, 4}, new LaunchGrid(new long[]{4}, null), false));
            assertTrue(e.getMessage().contains("argument 2 'c'") && e.getMessage().contains("FloatArray"), e.getMessage());
        }
    }

    @Test void openclErrorsCarryTheSymbolicName() {
        CompiledKernel k = dev.compile(reduce());
        try (DeviceBuffer in = dev.allocate(400, "in"); DeviceBuffer out = dev.allocate(400, "out")) {
            // OpenCL 1.2: the global size must be a multiple of the work-group size.
            ComputeException e = assertThrows(ComputeException.class,
                    () -> dev.launch(k, new Object[]{null, in, out, 100}, new LaunchGrid(new long[]{100}, new long[]{8}), false));
            String m = e.getMessage();
            System.out.println(m);
            assertTrue(m.contains("clEnqueueNDRangeKernel") && m.contains("CL_INVALID_WORK_GROUP_SIZE"), m);
            assertTrue(m.contains("HandWritten.reduce") && m.contains("opencl:0"), m);
        }
    }

    @Test void profiledLaunchesReportKernelTime() {
        int n = 1 << 20;
        CompiledKernel k = dev.compile(vadd());
        try (DeviceBuffer a = dev.allocate(4L * n, "a"); DeviceBuffer b = dev.allocate(4L * n, "b"); DeviceBuffer c = dev.allocate(4L * n, "c")) {
            Object[] args = {a, b, c, n};
            LaunchGrid grid = new LaunchGrid(new long[]{n}, null);
            assertEquals(-1, dev.launch(k, args, grid, false));
            long id1 = dev.launch(k, args, grid, true);
            long id2 = dev.launch(k, args, grid, true);
            assertTrue(id1 >= 0 && id2 > id1);
            dev.finish();
            long t1 = dev.kernelNanos(id1), t2 = dev.kernelNanos(id2);
            System.out.printf("vadd of %d floats: %.1f us, %.1f us%n", n, t1 / 1e3, t2 / 1e3);
            assertTrue(t1 > 0 && t2 > 0, t1 + " " + t2);
            assertEquals(-1, dev.kernelNanos(id1), "an event is read once, then released");
        }
    }
}
