// Optimizer kernels: fixed-order partial sums of squares for the global gradient norm, and AdamW.
package gale.kernels.train;

import gale.compute.FloatArray;
import gale.compute.Kernel;
import gale.compute.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * The global gradient norm is Σ over tensors of {@link #sumSquares} partials (each a contiguous chunk summed in
 * order, then added on the host in a fixed order), so it is bitwise reproducible. {@link #adamW} then applies the
 * scaled, clipped gradient and zeroes it for the next accumulation. Reference: {@code reference.TrainReference}.
 */
public final class Optimizer {
    private Optimizer() {}

    /** Layout of the hyper-parameter array read by {@link #adamW} (uploaded each step, so one graph serves every step). */
    public static final int LR = 0, BETA1 = 1, BETA2 = 2, EPS = 3, WEIGHT_DECAY = 4, BIAS1 = 5, BIAS2 = 6, GRAD_MUL = 7, HYPER_SIZE = 8;

    /** partials[offset + p] = Σ g[i]² over chunk p of ceil(n/parts) elements, p &lt; parts. */
    @Kernel(jvm = "sumSquaresSimd")
    public static void sumSquares(FloatArray partials, FloatArray g, int n, int parts, int offset) {
        for (@Parallel int p = 0; p < parts; p++) {
            int chunk = (n + parts - 1) / parts;
            int end = Math.min(n, (p + 1) * chunk);
            float s = 0f;
            for (int i = p * chunk; i < end; i++) {
                float v = g.get(i);
                s += v * v;
            }
            partials.set(offset + p, s);
        }
    }

    /**
     * AdamW on n parameters (PyTorch's order): gr = g·GRAD_MUL; p ← p·(1 − lr·wd) when decay ≠ 0;
     * m ← β1·m + (1−β1)·gr; v ← β2·v + (1−β2)·gr²; p ← p − lr·(m/BIAS1)/(sqrt(v/BIAS2) + eps); then g ← 0.
     * BIAS1 = 1 − β1^t and BIAS2 = 1 − β2^t come from the host.
     */
    @Kernel(jvm = "adamWSimd")
    public static void adamW(FloatArray p, FloatArray g, FloatArray m, FloatArray v, FloatArray hyper, int n, int decay) {
        for (@Parallel int i = 0; i < n; i++) {
            float lr = hyper.get(0), b1 = hyper.get(1), b2 = hyper.get(2), eps = hyper.get(3), wd = hyper.get(4);
            float gr = g.get(i) * hyper.get(7);
            float w = p.get(i);
            if (decay != 0) w = w * (1f - lr * wd);
            float mi = b1 * m.get(i) + (1f - b1) * gr;
            float vi = b2 * v.get(i) + (1f - b2) * gr * gr;
            m.set(i, mi);
            v.set(i, vi);
            p.set(i, w - lr * (mi / hyper.get(5)) / ((float) Math.sqrt(vi / hyper.get(6)) + eps));
            g.set(i, 0f);
        }
    }

    /** a[i] = 0 for i &lt; n. */
    @Kernel
    public static void zero(FloatArray a, int n) {
        for (@Parallel int i = 0; i < n; i++) a.set(i, 0f);
    }

    // ---- jvm twins ----

    /**
     * {@link #sumSquares} for the jvm: the same chunks, each summed in vector lanes, then the lanes left to right.
     * One iteration per {@link #JVM_BLOCK} elements (groups of whole chunks), so a small tensor runs on one thread
     * without waking the others.
     */
    @Kernel(jvmOnly = true)
    public static void sumSquaresSimd(FloatArray partials, FloatArray g, int n, int parts, int offset) {
        for (@Parallel int pg = 0; pg < (n + Optimizer.JVM_BLOCK - 1) / Optimizer.JVM_BLOCK; pg++) {
            int groups = (n + Optimizer.JVM_BLOCK - 1) / Optimizer.JVM_BLOCK;
            for (int p = (int) ((long) pg * parts / groups); p < (int) ((long) (pg + 1) * parts / groups); p++)
                partials.set(offset + p, Optimizer.sumSquaresChunk(g.segment(), n, parts, p));
        }
    }

    /** Elements per iteration of the optimizer's jvm twins (16 K: 64 K left most of a small model's tensors on one thread). */
    public static final int JVM_BLOCK = 1 << 14;

    static float sumSquaresChunk(MemorySegment g, int n, int parts, int p) {
        int chunk = (n + parts - 1) / parts;
        int end = Math.min(n, (p + 1) * chunk);
        FloatVector s = FloatVector.zero(TrainSimd.S);
        int i = p * chunk;
        for (; i <= end - TrainSimd.L; i += TrainSimd.L) {
            FloatVector v = TrainSimd.load(g, i);
            s = v.fma(v, s);
        }
        float[] lanes = TrainSimd.lanes();
        s.intoArray(lanes, 0);
        for (int j = 0; i < end; i++, j++) {                  // the tail, in the lanes it would have had
            float v = g.getAtIndex(TrainSimd.F, i);
            lanes[j] = Math.fma(v, v, lanes[j]);
        }
        return TrainSimd.sum(lanes);
    }

    /**
     * {@link #adamW} for the jvm: the same operations in the same order (bit-identical), one block of
     * {@link #JVM_BLOCK} per iteration: a tensor under one block stays on one thread, larger ones are shared.
     */
    @Kernel(jvmOnly = true)
    public static void adamWSimd(FloatArray p, FloatArray g, FloatArray m, FloatArray v, FloatArray hyper, int n, int decay) {
        for (@Parallel int i = 0; i < n; i += Optimizer.JVM_BLOCK) {
            Optimizer.adamWBlock(p.segment(), g.segment(), m.segment(), v.segment(), hyper, i, Math.min(n, i + Optimizer.JVM_BLOCK), decay);
        }
    }

    static void adamWBlock(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, FloatArray hyper, int from, int to, int decay) {
        float lr = hyper.get(LR), b1 = hyper.get(BETA1), b2 = hyper.get(BETA2), eps = hyper.get(EPS), wd = hyper.get(WEIGHT_DECAY);
        float mul = hyper.get(GRAD_MUL), bias1 = hyper.get(BIAS1), bias2 = hyper.get(BIAS2);
        float keep = decay != 0 ? 1f - lr * wd : 1f;          // w·1 = w exactly: same bits as the portable branch
        // whole vectors, then the tail in scalars with the same operations: a masked loop, or storing
        // FloatVector.zero in the loop, makes C2 box vectors (measured 15 allocated bytes per parameter)
        int i = from;
        for (; i <= to - TrainSimd.L; i += TrainSimd.L) {
            FloatVector gr = TrainSimd.load(g, i).mul(mul);
            FloatVector w = TrainSimd.load(p, i).mul(keep);
            FloatVector mi = TrainSimd.load(m, i).mul(b1).add(gr.mul(1f - b1));
            FloatVector vi = TrainSimd.load(v, i).mul(b2).add(gr.mul(1f - b2).mul(gr));
            TrainSimd.store(mi, m, i);
            TrainSimd.store(vi, v, i);
            FloatVector den = vi.div(bias2).lanewise(VectorOperators.SQRT).add(eps);
            TrainSimd.store(w.sub(mi.div(bias1).mul(lr).div(den)), p, i);
        }
        for (; i < to; i++) {
            float gr = g.getAtIndex(TrainSimd.F, i) * mul, w = p.getAtIndex(TrainSimd.F, i) * keep;
            float mi = m.getAtIndex(TrainSimd.F, i) * b1 + gr * (1f - b1);
            float vi = v.getAtIndex(TrainSimd.F, i) * b2 + gr * (1f - b2) * gr;
            m.setAtIndex(TrainSimd.F, i, mi);
            v.setAtIndex(TrainSimd.F, i, vi);
            p.setAtIndex(TrainSimd.F, i, w - mi / bias1 * lr / ((float) Math.sqrt(vi / bias2) + eps));
        }
        g.asSlice(from * 4L, (to - from) * 4L).fill((byte) 0);
    }
}
