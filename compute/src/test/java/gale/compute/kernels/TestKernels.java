// Kernels that exercise the kernel language, for the translator's conformance and compile tests.
package gale.compute.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.Gale;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.Kernel;
import gale.compute.KernelContext;
import gale.compute.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteOrder;

/** Test kernels; each has a plain-Java reference in {@link TranslatorCases}. Stateless. */
public final class TestKernels {
    private TestKernels() {}

    static final float SCALE = 0.5f;
    private static final int OFFSET = 3; // private constants are inlined, so kernels may use them
    static final int WG = 64;
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    @Kernel
    public static void vectorAdd(FloatArray a, FloatArray b, FloatArray c, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            c.set(i, a.get(i) + b.get(i));
        }
    }

    /** 2D: transpose and scale through a helper that calls another helper. */
    @Kernel
    public static void transposeScale(FloatArray in, FloatArray out, int rows, int cols, float s) {
        for (@Parallel int r = 0; r < rows; r++)
            for (@Parallel int c = 0; c < cols; c++)
                out.set(c * rows + r, scaled(in.get(r * cols + c), s));
    }

    static float scaled(float x, float s) { return twice(x * s * SCALE); }

    static float twice(float x) { return x + x; }

    /** Offset start, scalar step, private constant, and a local named like an OpenCL type. */
    @Kernel
    public static void strided(IntArray out, int start, int end, int step) {
        int half = end - start;
        for (@Parallel int i = start; i < end; i += step) {
            out.set(i, i * 3 + OFFSET + half);
        }
    }

    /** Bounds from locals computed from parameters, constant step. */
    @Kernel
    public static void gridLocals(FloatArray out, int n) {
        int m = Math.max(n / 2, 1);
        long twice = 2L * m;
        for (@Parallel int i = 1; i < twice; i += 2) {
            out.set(i, i * SCALE);
        }
    }

    /** 3D nest with a local between the loops. */
    @Kernel
    public static void fill3d(FloatArray out, int nx, int ny, int nz) {
        for (@Parallel int z = 0; z < nz; z++) {
            for (@Parallel int y = 0; y < ny; y++) {
                int base = (z * ny + y) * nx;
                for (@Parallel int x = 0; x < nx; x++) {
                    out.set(base + x, z * 100 + y * 10 + x);
                }
            }
        }
    }

    /** int/long/short/byte/char arithmetic, shifts, loops with break/continue, ternaries. */
    @Kernel
    public static void intMath(IntArray in, IntArray out, int n, long seed) {
        for (@Parallel int i = 0; i < n; i++) {
            int x = in.get(i);
            // a splitmix-style hash: its multiplications overflow on purpose, so they go through Gale.wrapMul
            long h = seed ^ Gale.wrapMul((long) x, 0x9E3779B97F4A7C15L);
            h ^= h >>> 29;
            h = Gale.wrapMul(h, 0xBF58476D1CE4E5B9L);
            h ^= h >>> 32;
            int y = (int) h ^ (x >>> 3) ^ (x >> 1) ^ (x << 5) ^ (x >>> (i & 63)) ^ (x << i);
            int z = x % 7 - x / 3;
            int count = 0;
            int v = x;
            while (v != 0) {
                v &= v - 1;
                count++;
            }
            int k = 0;
            int skipped = 0;
            do {
                k++;
                if (k == 3) {
                    skipped += 10;
                    continue;
                }
                if (k > 5) break;
            } while (k < 10);
            byte b8 = (byte) x;
            short s16 = (short) Gale.wrapMul(x, 31);
            char ch = (char) x;
            boolean odd = (x & 1) != 0;
            int u = x;
            u >>>= 4;
            u = Gale.wrapAdd(u, Integer.MAX_VALUE);
            u = Gale.wrapSub(u, Gale.wrapMul(Gale.wrapAdd(x, Integer.MIN_VALUE), 0x7FFF_FFF1));
            out.set(i * 4, y);
            out.set(i * 4 + 1, z + u);
            out.set(i * 4 + 2, count + k + skipped);
            out.set(i * 4 + 3, b8 + s16 + ch + (odd ? 1 : -1) + Math.abs(x) % 5 + Math.max(x, 3) + Math.min(x, -3)
                    + (int) (Math.abs(h) % 1000L) + (int) Math.max(h, 7L));
        }
    }

    /** Math and Gale intrinsics on floats, float→int casts. */
    @Kernel
    public static void floatMath(FloatArray x, FloatArray y, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            float v = x.get(i);
            float a = (float) Math.sqrt(Math.abs(v)) + (float) Math.exp(v * 0.1f) + (float) Math.log(Math.abs(v) + 1f);
            float b = (float) Math.tanh(v) + (float) Math.sin(v) * (float) Math.cos(v) + (float) Math.pow(Math.abs(v), 1.5f);
            float c = (float) Math.floor(v) + (float) Math.ceil(v) + Math.fma(v, 2f, 1f) + Math.max(v, 0.5f) + Math.min(v, -0.5f);
            float d = Gale.rsqrt(v * v + 1f) + Gale.exp(-v) + Gale.fma(v, v, v) + v % 1.5f;
            int t = (int) (v * 3.7f);
            long big = (long) (v * 1e12f);
            y.set(i, a + b + c + d + t + (big % 1000) + Float.intBitsToFloat(Float.floatToRawIntBits(v) & 0x7fffffff)
                    + (Float.isNaN(v) ? 1f : 0f));
        }
    }

    /** fp16 through HalfArray (float and bit views) and the Gale conversions. */
    @Kernel
    public static void halfScale(HalfArray in, HalfArray out, FloatArray f, int n, float s) {
        for (@Parallel int i = 0; i < n; i++) {
            float v = in.getFloat(i) * s;
            out.setFloat(i, v);
            f.set(i, Gale.halfToFloat(in.getBits(i)) + Gale.halfToFloat(Gale.floatToHalf(v)));
        }
    }

    /** Q8_0-style blocks (fp16 scale + 32 int8) times a vector: ByteArray.getHalf and signed bytes. */
    @Kernel
    public static void q8MatVec(ByteArray w, FloatArray x, FloatArray y, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            int blocks = cols / 32;
            float sum = 0f;
            for (int b = 0; b < blocks; b++) {
                int base = (r * blocks + b) * 34;
                float scale = w.getHalf(base);
                float acc = 0f;
                for (int j = 0; j < 32; j++) {
                    acc += w.get(base + 2 + j) * x.get(b * 32 + j);
                }
                sum += scale * acc;
            }
            y.set(r, sum);
        }
    }

    /** Unsigned and signed byte reads, byte writes. */
    @Kernel
    public static void bytes(ByteArray in, ByteArray out, IntArray sums, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            sums.set(i, in.getUnsigned(i) * 1000 + in.get(i));
            out.set(i, (byte) (in.get(i) * 3));
        }
    }

    /** Row sums: a @Parallel loop over rows with a sequential inner loop. The jvm twin of rowSumGroups. */
    @Kernel
    public static void rowSum(FloatArray in, FloatArray out, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            float s = 0;
            for (int j = 0; j < cols; j++) s += in.get(r * cols + j);
            out.set(r, s);
        }
    }

    /** Row sums as a work-group tree reduction in local memory: one group of WG work-items per row. */
    @Kernel(jvm = "rowSum")
    public static void rowSumGroups(KernelContext ctx, FloatArray in, FloatArray out, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(WG);
        int row = ctx.groupIdx;
        int lid = ctx.localIdx;
        float s = 0f;
        for (int j = lid; j < cols; j += ctx.localGroupSizeX) s += in.get(row * cols + j);
        partial[lid] = s;
        ctx.localBarrier();
        for (int stride = ctx.localGroupSizeX / 2; stride > 0; stride >>= 1) {
            if (lid < stride) partial[lid] += partial[lid + stride];
            ctx.localBarrier();
        }
        if (lid == 0 && row < rows) out.set(row, partial[0]);
    }

    /** A barrier kernel without a twin: the jvm backend cannot run it (reported as unsupported). */
    @Kernel
    public static void groupMaxNoTwin(KernelContext ctx, FloatArray in, FloatArray out) {
        int[] best = ctx.allocateIntLocalArray(WG);
        int lid = ctx.localIdx;
        best[lid] = Float.floatToRawIntBits(in.get(ctx.globalIdx));
        ctx.globalBarrier();
        if (lid == 0) {
            float m = Float.intBitsToFloat(best[0]);
            for (int j = 1; j < ctx.localGroupSizeX; j++) m = Math.max(m, Float.intBitsToFloat(best[j]));
            out.set(ctx.groupIdx, m);
        }
    }

    /** Integer atomics: a histogram. */
    @Kernel
    public static void histogram(KernelContext ctx, IntArray data, IntArray bins, int n, int nbins) {
        int i = ctx.globalIdx;
        if (i < n) ctx.atomicAdd(bins, ((data.get(i) % nbins) + nbins) % nbins, 1);
    }

    /** Float atomics (a CAS loop in OpenCL 1.2); an early return. */
    @Kernel
    public static void atomicFloatSum(KernelContext ctx, FloatArray data, FloatArray sums, int n) {
        int i = ctx.globalIdx;
        if (i >= n) return;
        ctx.atomicAdd(sums, i % 4, data.get(i));
    }

    /** 2D KernelContext ids. */
    @Kernel
    public static void ids2d(KernelContext ctx, FloatArray out, int w) {
        int x = ctx.globalIdx;
        int y = ctx.globalIdy;
        out.set(y * w + x, x * 1000 + y + ctx.localIdx * 0 + ctx.groupIdy * 0 + (ctx.globalGroupSizeX - w));
    }

    /** A Vector API kernel: jvm only, still split over its @Parallel loop. */
    @Kernel(jvmOnly = true)
    public static void vectorAddSimd(FloatArray a, FloatArray b, FloatArray c, int n) {
        for (@Parallel int i = 0; i < n; i += SPECIES.length()) {
            VectorMask<Float> m = SPECIES.indexInRange(i, n);
            FloatVector va = FloatVector.fromMemorySegment(SPECIES, a.segment(), i * 4L, ByteOrder.nativeOrder(), m);
            FloatVector vb = FloatVector.fromMemorySegment(SPECIES, b.segment(), i * 4L, ByteOrder.nativeOrder(), m);
            va.add(vb).intoMemorySegment(c.segment(), i * 4L, ByteOrder.nativeOrder(), m);
        }
    }

    /** The same sum, translated for devices, with the Vector API kernel as its jvm twin. */
    @Kernel(jvm = "vectorAddSimd")
    public static void vectorAddTwinned(FloatArray a, FloatArray b, FloatArray c, int n) {
        for (@Parallel int i = 0; i < n; i++) c.set(i, a.get(i) + b.get(i));
    }

    /** A kernel in a nested class: its library is TestKernels$Nested_GaleKernels. */
    public static final class Nested {
        private Nested() {}

        @Kernel
        public static void negate(FloatArray a, int n) {
            for (@Parallel int i = 0; i < n; i++) a.set(i, -a.get(i));
        }
    }
}
