// Conformance cases for the translator's test kernels: each builds a graph, runs it, and compares with plain Java.
package gale.compute.kernels;

import gale.compute.ByteArray;
import gale.compute.DataTransferMode;
import gale.compute.FloatArray;
import gale.compute.GridScheduler;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.TaskGraph;
import gale.compute.WorkerGrid;
import gale.compute.conformance.ConformanceCase;
import gale.compute.conformance.Tolerance;

import java.util.Random;

/**
 * One nested case per test kernel (registered in META-INF/services). References are plain Java written apart from
 * the kernels; inputs come from fixed seeds. Stateless; thread-safe.
 */
public final class TranslatorCases {
    private TranslatorCases() {}

    static final DataTransferMode ONCE = DataTransferMode.FIRST_EXECUTION, EVERY = DataTransferMode.EVERY_EXECUTION;

    static FloatArray floats(Random r, int n, float lo, float hi) {
        FloatArray a = FloatArray.create(n);
        for (int i = 0; i < n; i++) a.set(i, lo + (hi - lo) * r.nextFloat());
        return a;
    }

    static double[] doubles(FloatArray a) {
        double[] d = new double[(int) a.length()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i);
        return d;
    }

    static double[] doubles(IntArray a) {
        double[] d = new double[(int) a.length()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i);
        return d;
    }

    public static final class VectorAdd extends ConformanceCase {
        @Override public String name() { return "translate.vectorAdd"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() {
            Random r = new Random(1);
            int n = 1001;
            FloatArray a = floats(r, n, -10, 10), b = floats(r, n, -10, 10), c = FloatArray.create(n);
            double[] ref = new double[n];
            for (int i = 0; i < n; i++) ref[i] = a.get(i) + b.get(i);
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, a, b).task("add", TestKernels::vectorAdd, a, b, c, n).transferToHost(EVERY, c);
            return new Instance(g.snapshot(), null, () -> doubles(c), ref);
        }
    }

    public static final class TransposeScale extends ConformanceCase {
        @Override public String name() { return "translate.transposeScale2d"; }
        @Override public Tolerance tolerance() { return Tolerance.maxRel(1e-6); }
        @Override protected Instance instantiate() {
            Random r = new Random(2);
            int rows = 37, cols = 53;
            float s = 1.25f;
            FloatArray in = floats(r, rows * cols, -3, 3), out = FloatArray.create(rows * cols);
            double[] ref = new double[rows * cols];
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) ref[j * rows + i] = 2.0 * in.get(i * cols + j) * s * 0.5;
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, in).task("t", TestKernels::transposeScale, in, out, rows, cols, s).transferToHost(EVERY, out);
            return new Instance(g.snapshot(), null, () -> doubles(out), ref);
        }
    }

    public static final class Strided extends ConformanceCase {
        @Override public String name() { return "translate.stridedLoop"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() {
            int n = 1000, start = 5, step = 7;
            IntArray out = IntArray.create(n);
            double[] ref = new double[n];
            for (int i = start; i < n; i += step) ref[i] = i * 3 + 3 + (n - start);
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, out).task("s", TestKernels::strided, out, start, n, step).transferToHost(EVERY, out);
            return new Instance(g.snapshot(), null, () -> doubles(out), ref);
        }
    }

    public static final class GridLocals extends ConformanceCase {
        @Override public String name() { return "translate.gridFromLocals"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() {
            int n = 101;
            FloatArray out = FloatArray.create(128);
            double[] ref = new double[128];
            for (int i = 1; i < 100; i += 2) ref[i] = i * 0.5;
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, out).task("l", TestKernels::gridLocals, out, n).transferToHost(EVERY, out);
            return new Instance(g.snapshot(), null, () -> doubles(out), ref);
        }
    }

    public static final class Fill3d extends ConformanceCase {
        @Override public String name() { return "translate.fill3d"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() {
            int nx = 7, ny = 5, nz = 3;
            FloatArray out = FloatArray.create(nx * ny * nz);
            double[] ref = new double[nx * ny * nz];
            for (int z = 0; z < nz; z++) for (int y = 0; y < ny; y++) for (int x = 0; x < nx; x++) ref[(z * ny + y) * nx + x] = z * 100 + y * 10 + x;
            TaskGraph g = new TaskGraph("g").task("f", TestKernels::fill3d, out, nx, ny, nz).transferToHost(EVERY, out);
            return new Instance(g.snapshot(), null, () -> doubles(out), ref);
        }
    }

    public static final class IntMath extends ConformanceCase {
        @Override public String name() { return "translate.intLongMath"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() {
            Random r = new Random(3);
            int n = 300;
            long seed = 0x1234_5678_9ABC_DEF0L;
            IntArray in = IntArray.create(n), out = IntArray.create(n * 4);
            int[] edge = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 255, -256, 65535};
            for (int i = 0; i < n; i++) in.set(i, i < edge.length ? edge[i] : r.nextInt());
            double[] ref = new double[n * 4];
            for (int i = 0; i < n; i++) {
                int x = in.get(i);
                long h = seed ^ (x * 0x9E3779B97F4A7C15L);
                h = h ^ (h >>> 29);
                h = h * 0xBF58476D1CE4E5B9L;
                h = h ^ (h >>> 32);
                ref[i * 4] = (int) h ^ (x >>> 3) ^ (x >> 1) ^ (x << 5) ^ (x >>> (i & 31)) ^ (x << (i & 31));
                ref[i * 4 + 1] = x % 7 - x / 3 + ((x >>> 4) + Integer.MAX_VALUE - (x + Integer.MIN_VALUE) * 0x7FFF_FFF1);
                ref[i * 4 + 2] = Integer.bitCount(x) + 6 + 10;
                ref[i * 4 + 3] = (byte) x + (short) (x * 31) + (char) x + ((x & 1) != 0 ? 1 : -1) + Math.abs(x) % 5 + Math.max(x, 3)
                        + Math.min(x, -3) + (int) (Math.abs(h) % 1000L) + (int) Math.max(h, 7L);
            }
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, in).task("m", TestKernels::intMath, in, out, n, seed).transferToHost(EVERY, out);
            return new Instance(g.snapshot(), null, () -> doubles(out), ref);
        }
    }

    public static final class FloatMath extends ConformanceCase {
        @Override public String name() { return "translate.floatMath"; }
        @Override public Tolerance tolerance() { return Tolerance.maxRel(1e-4); }
        @Override protected Instance instantiate() {
            Random r = new Random(4);
            int n = 500;
            FloatArray x = floats(r, n, -4, 4), y = FloatArray.create(n);
            double[] ref = new double[n];
            for (int i = 0; i < n; i++) {
                double v = x.get(i);
                float vf = x.get(i);
                double a = Math.sqrt(Math.abs(v)) + Math.exp(vf * 0.1f) + Math.log(Math.abs(v) + 1);
                double b = Math.tanh(v) + Math.sin(v) * Math.cos(v) + Math.pow(Math.abs(v), 1.5);
                double c = Math.floor(v) + Math.ceil(v) + (v * 2 + 1) + Math.max(v, 0.5) + Math.min(v, -0.5);
                double d = 1 / Math.sqrt(vf * vf + 1f) + Math.exp(-v) + (v * v + v) + (vf % 1.5f);
                int t = (int) (vf * 3.7f);
                long big = (long) (vf * 1e12f);
                ref[i] = a + b + c + d + t + (big % 1000) + Math.abs(v);
            }
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, x).task("m", TestKernels::floatMath, x, y, n).transferToHost(EVERY, y);
            return new Instance(g.snapshot(), null, () -> doubles(y), ref);
        }
    }

    public static final class HalfScale extends ConformanceCase {
        @Override public String name() { return "translate.halfData"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() {
            Random r = new Random(5);
            int n = 257;
            float s = 0.7f;
            HalfArray in = HalfArray.create(n), out = HalfArray.create(n);
            FloatArray f = FloatArray.create(n);
            for (int i = 0; i < n; i++) in.setFloat(i, (r.nextFloat() - 0.5f) * 100);
            double[] ref = new double[2 * n];
            for (int i = 0; i < n; i++) {
                float v = Float.float16ToFloat(in.getBits(i)) * s;
                ref[i] = Float.float16ToFloat(Float.floatToFloat16(v));
                ref[n + i] = Float.float16ToFloat(in.getBits(i)) + ref[i];
            }
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, in).task("h", TestKernels::halfScale, in, out, f, n, s).transferToHost(EVERY, out, f);
            return new Instance(g.snapshot(), null, () -> {
                double[] d = new double[2 * n];
                for (int i = 0; i < n; i++) { d[i] = out.getFloat(i); d[n + i] = f.get(i); }
                return d;
            }, ref);
        }
    }

    public static final class Q8MatVec extends ConformanceCase {
        @Override public String name() { return "translate.int8BlocksGetHalf"; }
        @Override public Tolerance tolerance() { return Tolerance.maxRel(1e-5); }
        @Override protected Instance instantiate() {
            Random r = new Random(6);
            int rows = 16, cols = 128, blocks = cols / 32;
            ByteArray w = ByteArray.create((long) rows * blocks * 34);
            float[] scales = new float[rows * blocks];
            for (int b = 0; b < rows * blocks; b++) {
                short bits = Float.floatToFloat16(0.01f + r.nextFloat() * 0.05f);
                scales[b] = Float.float16ToFloat(bits);
                w.set(b * 34L, (byte) bits); // little-endian fp16
                w.set(b * 34L + 1, (byte) (bits >> 8));
                for (int j = 0; j < 32; j++) w.set(b * 34L + 2 + j, (byte) (r.nextInt(256) - 128));
            }
            FloatArray x = floats(r, cols, -1, 1), y = FloatArray.create(rows);
            double[] ref = new double[rows];
            for (int row = 0; row < rows; row++) {
                double sum = 0;
                for (int b = 0; b < blocks; b++) {
                    double acc = 0;
                    for (int j = 0; j < 32; j++) acc += w.get((row * blocks + b) * 34L + 2 + j) * (double) x.get(b * 32 + j);
                    sum += scales[row * blocks + b] * acc;
                }
                ref[row] = sum;
            }
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, w, x).task("q", TestKernels::q8MatVec, w, x, y, rows, cols).transferToHost(EVERY, y);
            return new Instance(g.snapshot(), null, () -> doubles(y), ref);
        }
    }

    public static final class Bytes extends ConformanceCase {
        @Override public String name() { return "translate.int8Bytes"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() {
            int n = 256;
            ByteArray in = ByteArray.create(n), out = ByteArray.create(n);
            IntArray sums = IntArray.create(n);
            for (int i = 0; i < n; i++) in.set(i, (byte) i);
            double[] ref = new double[2 * n];
            for (int i = 0; i < n; i++) {
                byte b = (byte) i;
                ref[i] = (b & 0xFF) * 1000 + b;
                ref[n + i] = (byte) (b * 3);
            }
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, in).task("b", TestKernels::bytes, in, out, sums, n).transferToHost(EVERY, out, sums);
            return new Instance(g.snapshot(), null, () -> {
                double[] d = new double[2 * n];
                for (int i = 0; i < n; i++) { d[i] = sums.get(i); d[n + i] = out.get(i); }
                return d;
            }, ref);
        }
    }

    static double[] rowSums(FloatArray in, int rows, int cols) {
        double[] ref = new double[rows];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) ref[i] += in.get(i * cols + j);
        return ref;
    }

    public static final class RowSum extends ConformanceCase {
        @Override public String name() { return "translate.reductionRows"; }
        @Override public Tolerance tolerance() { return Tolerance.maxRel(1e-4); }
        @Override protected Instance instantiate() {
            Random r = new Random(7);
            int rows = 24, cols = 300;
            FloatArray in = floats(r, rows * cols, -1, 1), out = FloatArray.create(rows);
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, in).task("s", TestKernels::rowSum, in, out, rows, cols).transferToHost(EVERY, out);
            return new Instance(g.snapshot(), null, () -> doubles(out), rowSums(in, rows, cols));
        }
    }

    public static final class RowSumGroups extends ConformanceCase {
        @Override public String name() { return "translate.reductionWorkGroupTwin"; }
        @Override public Tolerance tolerance() { return Tolerance.maxRel(1e-4); }
        @Override protected Instance instantiate() {
            Random r = new Random(8);
            int rows = 24, cols = 300;
            FloatArray in = floats(r, rows * cols, -1, 1), out = FloatArray.create(rows);
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, in).task("s", TestKernels::rowSumGroups, null, in, out, rows, cols).transferToHost(EVERY, out);
            GridScheduler grids = new GridScheduler("g.s", WorkerGrid.of((long) rows * TestKernels.WG).withLocal(TestKernels.WG));
            return new Instance(g.snapshot(), grids, () -> doubles(out), rowSums(in, rows, cols));
        }
    }

    public static final class GroupMaxNoTwin extends ConformanceCase {
        @Override public String name() { return "translate.barrierNoJvmTwin"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() {
            Random r = new Random(9);
            int groups = 5, n = groups * TestKernels.WG;
            FloatArray in = floats(r, n, -100, 100), out = FloatArray.create(groups);
            double[] ref = new double[groups];
            for (int gi = 0; gi < groups; gi++) {
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < TestKernels.WG; j++) m = Math.max(m, in.get(gi * TestKernels.WG + j));
                ref[gi] = m;
            }
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, in).task("m", TestKernels::groupMaxNoTwin, null, in, out).transferToHost(EVERY, out);
            GridScheduler grids = new GridScheduler("g.m", WorkerGrid.of(n).withLocal(TestKernels.WG));
            return new Instance(g.snapshot(), grids, () -> doubles(out), ref);
        }
    }

    public static final class Histogram extends ConformanceCase {
        @Override public String name() { return "translate.atomicsInt"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() {
            Random r = new Random(10);
            int n = 1000, nbins = 13;
            IntArray data = IntArray.create(n), bins = IntArray.create(nbins);
            double[] ref = new double[nbins];
            for (int i = 0; i < n; i++) {
                int v = r.nextInt(2000) - 1000;
                data.set(i, v);
                ref[Math.floorMod(v, nbins)]++;
            }
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, data, bins).task("h", TestKernels::histogram, null, data, bins, n, nbins).transferToHost(EVERY, bins);
            GridScheduler grids = new GridScheduler("g.h", WorkerGrid.of(1024).withLocal(64));
            return new Instance(g.snapshot(), grids, () -> doubles(bins), ref);
        }
    }

    public static final class AtomicFloat extends ConformanceCase {
        @Override public String name() { return "translate.atomicsFloat"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); } // small integers: every order sums exactly
        @Override protected Instance instantiate() {
            Random r = new Random(11);
            int n = 1000;
            FloatArray data = FloatArray.create(n), sums = FloatArray.create(4);
            double[] ref = new double[4];
            for (int i = 0; i < n; i++) {
                data.set(i, r.nextInt(11));
                ref[i % 4] += data.get(i);
            }
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, data, sums).task("a", TestKernels::atomicFloatSum, null, data, sums, n).transferToHost(EVERY, sums);
            GridScheduler grids = new GridScheduler("g.a", WorkerGrid.of(1024));
            return new Instance(g.snapshot(), grids, () -> doubles(sums), ref);
        }
    }

    public static final class Ids2d extends ConformanceCase {
        @Override public String name() { return "translate.contextIds2d"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() {
            int w = 16, h = 8;
            FloatArray out = FloatArray.create(w * h);
            double[] ref = new double[w * h];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) ref[y * w + x] = x * 1000 + y;
            TaskGraph g = new TaskGraph("g").task("i", TestKernels::ids2d, null, out, w).transferToHost(EVERY, out);
            GridScheduler grids = new GridScheduler("g.i", WorkerGrid.of(w, h).withLocal(4, 2));
            return new Instance(g.snapshot(), grids, () -> doubles(out), ref);
        }
    }

    public static final class VectorApi extends ConformanceCase {
        @Override public String name() { return "translate.jvmOnlyVectorApi"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() { return vectorAdd(TestKernels::vectorAddSimd); }
    }

    public static final class VectorTwin extends ConformanceCase {
        @Override public String name() { return "translate.parallelWithJvmTwin"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() { return vectorAdd(TestKernels::vectorAddTwinned); }
    }

    static ConformanceCase.Instance vectorAdd(gale.compute.Tasks.T4<FloatArray, FloatArray, FloatArray, Integer> k) {
        Random r = new Random(12);
        int n = 1003;
        FloatArray a = floats(r, n, -10, 10), b = floats(r, n, -10, 10), c = FloatArray.create(n);
        double[] ref = new double[n];
        for (int i = 0; i < n; i++) ref[i] = a.get(i) + b.get(i);
        TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, a, b).task("v", k, a, b, c, n).transferToHost(EVERY, c);
        return new ConformanceCase.Instance(g.snapshot(), null, () -> doubles(c), ref);
    }

    public static final class NestedClass extends ConformanceCase {
        @Override public String name() { return "translate.nestedClassKernel"; }
        @Override public Tolerance tolerance() { return Tolerance.exact(); }
        @Override protected Instance instantiate() {
            Random r = new Random(13);
            int n = 77;
            FloatArray a = floats(r, n, -5, 5);
            double[] ref = new double[n];
            for (int i = 0; i < n; i++) ref[i] = -a.get(i);
            TaskGraph g = new TaskGraph("g").transferToDevice(ONCE, a).task("n", TestKernels.Nested::negate, a, n).transferToHost(EVERY, a);
            return new Instance(g.snapshot(), null, () -> doubles(a), ref);
        }
    }
}
