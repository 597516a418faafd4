// The kernels compute/KERNELS.md shows, compiled by the test build so the page cannot drift from the translator.
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
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The examples of {@code compute/KERNELS.md}, verbatim. {@code KernelsDocExamplesTest} runs each on every device
 * against plain Java. Keep the page and this file in step. Stateless.
 */
public final class DocExamples {
    private DocExamples() {}

    /** Work-group size of {@link #rowSumGroup}: a static final primitive, inlined as a literal. */
    static final int GROUP = 64;
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    // ---- 1D @Parallel

    @Kernel
    public static void saxpy(FloatArray x, FloatArray y, float a, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            y.set(i, a * x.get(i) + y.get(i));
        }
    }

    // ---- 2D @Parallel

    @Kernel
    public static void addBias(FloatArray m, FloatArray bias, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int c = 0; c < cols; c++) {
                m.set(r * cols + c, m.get(r * cols + c) + bias.get(c));
            }
        }
    }

    // ---- a helper and an intrinsic

    @Kernel
    public static void rmsNorm(FloatArray out, FloatArray x, int rows, int n, float eps) {
        for (@Parallel int t = 0; t < rows; t++) {
            long base = (long) t * n;
            float scale = Gale.rsqrt(sumSquares(x, base, n) / n + eps);
            for (int i = 0; i < n; i++) out.set(base + i, x.get(base + i) * scale);
        }
    }

    static float sumSquares(FloatArray x, long base, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            float v = x.get(base + i);
            s += v * v;
        }
        return s;
    }

    // ---- KernelContext: local memory and barriers, with a @Parallel twin for the jvm backend

    @Kernel
    public static void rowSum(FloatArray in, FloatArray out, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            float s = 0f;
            for (int c = 0; c < cols; c++) s += in.get(r * cols + c);
            out.set(r, s);
        }
    }

    @Kernel(jvm = "rowSum")
    public static void rowSumGroup(KernelContext ctx, FloatArray in, FloatArray out, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float s = 0f;
        for (int c = lid; c < cols; c += size) s += in.get(r * cols + c);
        partial[lid] = s;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) partial[lid] += partial[lid + stride];
        }
        if (lid == 0) out.set(r, partial[0]);
    }

    // ---- KernelContext with atomics only: runs on the jvm backend as it is

    @Kernel
    public static void histogram(KernelContext ctx, IntArray data, IntArray bins, int n, int nbins) {
        int i = ctx.globalIdx;
        if (i >= n) return;
        ctx.atomicAdd(bins, data.get(i) % nbins, 1);
    }

    // ---- halves and int8

    /** Q8_0 blocks (34 bytes: a little-endian fp16 scale d, then 32 signed bytes q) to d·q, as floats and as fp16. */
    @Kernel
    public static void dequantQ8(ByteArray blocks, FloatArray out, HalfArray outHalf, int nBlocks) {
        for (@Parallel int b = 0; b < nBlocks; b++) {
            float d = blocks.getHalf(b * 34);
            for (int j = 0; j < 32; j++) {
                float v = d * blocks.get(b * 34 + 2 + j);
                out.set(b * 32 + j, v);
                outHalf.setFloat(b * 32 + j, v);
            }
        }
    }

    // ---- a Vector API twin

    @Kernel(jvm = "scaleSimd")
    public static void scale(FloatArray x, float s, int n) {
        for (@Parallel int i = 0; i < n; i++) x.set(i, x.get(i) * s);
    }

    @Kernel(jvmOnly = true)
    public static void scaleSimd(FloatArray x, float s, int n) {
        for (@Parallel int i = 0; i < n; i += BLOCK) DocExamples.scaleBlock(x.segment(), s, i, Math.min(n, i + BLOCK));
    }

    static void scaleBlock(MemorySegment x, float s, int from, int to) {   // SPECIES = FloatVector.SPECIES_PREFERRED
        int i = from;
        for (; i <= to - SPECIES.length(); i += SPECIES.length())           // whole vectors, no masks
            FloatVector.fromMemorySegment(SPECIES, x, i * 4L, ByteOrder.nativeOrder()).mul(s)
                    .intoMemorySegment(x, i * 4L, ByteOrder.nativeOrder());
        for (; i < to; i++) x.setAtIndex(ValueLayout.JAVA_FLOAT, i, x.getAtIndex(ValueLayout.JAVA_FLOAT, i) * s);  // same operation
    }

    /** Elements per iteration of {@link #scaleSimd} (a multiple of every vector length). */
    static final int BLOCK = 256;
}
