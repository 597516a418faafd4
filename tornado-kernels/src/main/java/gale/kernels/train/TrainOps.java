// Elementwise and per-row training kernels: embedding scatter, SwiGLU backward, fused softmax + cross-entropy,
// loss sums, copies.
package gale.kernels.train;

import gale.compute.FloatArray;
import gale.compute.IntArray;
import gale.compute.Kernel;
import gale.compute.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Small training kernels; all deterministic (no atomics, fixed summation orders). The {@code ...Simd} kernels are
 * their jvm twins over {@link FloatVector} (exp from {@link TrainSimd#exp}). Reference: {@code reference.TrainReference}.
 */
public final class TrainOps {
    private TrainOps() {}

    /**
     * dTable[tokens[t], c] += dx[t, c] for every t, in token order. One work-item per column c owns that column of
     * every row, so repeated tokens never race and the sum order is fixed. dTable: (vocab, dim); dx: (nTok, dim).
     */
    @Kernel
    public static void embeddingBackward(FloatArray dTable, FloatArray dx, IntArray tokens, int nTok, int dim) {
        for (@Parallel int c = 0; c < dim; c++) {
            for (int t = 0; t < nTok; t++) {
                long o = (long) tokens.get(t) * dim + c;
                dTable.set(o, dTable.get(o) + dx.get((long) t * dim + c));
            }
        }
    }

    /**
     * {@link #swiGlu} and its gradient in one pass (one exp per element): h = silu(g)·u, dUp = dH·silu(g),
     * dGate = dH·u·σ(g)·(1 + g·(1 − σ(g))). All (n). The backward recomputes h this way instead of storing it.
     */
    @Kernel(jvm = "swiGluWithBackwardSimd")
    public static void swiGluWithBackward(FloatArray h, FloatArray dGate, FloatArray dUp, FloatArray dH, FloatArray gate,
                                          FloatArray up, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            float g = gate.get(i), dh = dH.get(i), u = up.get(i);
            float e1 = 1f + (float) Math.exp(-g), sig = 1f / e1;
            h.set(i, g / e1 * u);                            // exactly as swiGlu computes it
            dUp.set(i, dh * g * sig);
            dGate.set(i, dh * u * sig * (1f + g * (1f - sig)));
        }
    }

    /**
     * Fused softmax + cross-entropy per row of logits: (nTok, vocab), replaced in place by dLoss/dlogits =
     * softmax − onehot(target) (unscaled); loss[t] = logsumexp − logit[target]. A row whose target is −1 gets loss 0
     * and a zero gradient.
     */
    @Kernel(jvm = "crossEntropySimd")
    public static void crossEntropy(FloatArray logits, FloatArray loss, IntArray targets, int nTok, int vocab) {
        for (@Parallel int t = 0; t < nTok; t++) {
            long base = (long) t * vocab;
            int target = targets.get(t);
            if (target < 0) {
                for (int j = 0; j < vocab; j++) logits.set(base + j, 0f);
                loss.set(t, 0f);
            } else {
                float max = logits.get(base);
                for (int j = 1; j < vocab; j++) max = Math.max(max, logits.get(base + j));
                float xt = logits.get(base + target);
                float sum = 0f;
                for (int j = 0; j < vocab; j++) {          // one exp per element: keep e^(x − max), normalise below
                    float e = (float) Math.exp(logits.get(base + j) - max);
                    logits.set(base + j, e);
                    sum += e;
                }
                loss.set(t, (float) Math.log(sum) - (xt - max));
                float inv = 1f / sum;
                for (int j = 0; j < vocab; j++) {
                    float p = logits.get(base + j) * inv;
                    logits.set(base + j, j == target ? p - 1f : p);
                }
            }
        }
    }

    /** sums[b] = Σ_{t &lt; len} x[b·len + t], in order: per-sequence partial sums (of token losses). */
    @Kernel
    public static void rowSums(FloatArray sums, FloatArray x, int rows, int len) {
        for (@Parallel int b = 0; b < rows; b++) {
            float s = 0f;
            for (int t = 0; t < len; t++) s += x.get((long) b * len + t);
            sums.set(b, s);
        }
    }

    /** dst[i] = src[i] for i &lt; n. */
    @Kernel
    public static void copy(FloatArray dst, FloatArray src, int n) {
        for (@Parallel int i = 0; i < n; i++) dst.set(i, src.get(i));
    }

    /** h[i] = silu(gate[i])·up[i] for i &lt; n (the SwiGLU forward, recomputed by the backward). */
    @Kernel(jvm = "swiGluSimd")
    public static void swiGlu(FloatArray h, FloatArray gate, FloatArray up, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            float g = gate.get(i);
            h.set(i, g / (1f + (float) Math.exp(-g)) * up.get(i));
        }
    }

    // ---- jvm twins ----

    /** {@link #swiGlu} for the jvm, one block of {@link TrainSimd#BLOCK} elements per iteration. */
    @Kernel(jvmOnly = true)
    public static void swiGluSimd(FloatArray h, FloatArray gate, FloatArray up, int n) {
        for (@Parallel int i = 0; i < n; i += TrainSimd.BLOCK) {
            TrainOps.swiGluBlock(h.segment(), gate.segment(), up.segment(), i, Math.min(n, i + TrainSimd.BLOCK));
        }
    }

    static void swiGluBlock(MemorySegment h, MemorySegment gate, MemorySegment up, int from, int to) {
        MemorySegment e = TrainSimd.scratch(to - from);
        TrainSimd.exp(gate, from, -1f, 0f, e, 0, to - from);   // e^−g
        int i = from;
        for (; i <= to - TrainSimd.L; i += TrainSimd.L) {
            FloatVector g = TrainSimd.load(gate, i);
            TrainSimd.store(g.div(TrainSimd.load(e, i - from).add(1f)).mul(TrainSimd.load(up, i)), h, i);
        }
        for (; i < to; i++) {                                  // the same operations on the tail
            float g = gate.getAtIndex(TrainSimd.F, i);
            h.setAtIndex(TrainSimd.F, i, g / (e.getAtIndex(TrainSimd.F, i - from) + 1f) * up.getAtIndex(TrainSimd.F, i));
        }
    }

    /** {@link #swiGluWithBackward} for the jvm, one block of {@link TrainSimd#BLOCK} elements per iteration. */
    @Kernel(jvmOnly = true)
    public static void swiGluWithBackwardSimd(FloatArray h, FloatArray dGate, FloatArray dUp, FloatArray dH, FloatArray gate,
                                              FloatArray up, int n) {
        for (@Parallel int i = 0; i < n; i += TrainSimd.BLOCK) {
            TrainOps.swiGluWithBackwardBlock(h.segment(), dGate.segment(), dUp.segment(), dH.segment(), gate.segment(), up.segment(),
                    i, Math.min(n, i + TrainSimd.BLOCK));
        }
    }

    static void swiGluWithBackwardBlock(MemorySegment h, MemorySegment dGate, MemorySegment dUp, MemorySegment dH, MemorySegment gate,
                                        MemorySegment up, int from, int to) {
        MemorySegment e = TrainSimd.scratch(to - from);
        TrainSimd.exp(gate, from, -1f, 0f, e, 0, to - from);   // e^−g
        int i = from;
        for (; i <= to - TrainSimd.L; i += TrainSimd.L) {
            FloatVector g = TrainSimd.load(gate, i), dh = TrainSimd.load(dH, i), u = TrainSimd.load(up, i);
            FloatVector e1 = TrainSimd.load(e, i - from).add(1f), sig = FloatVector.broadcast(TrainSimd.S, 1f).div(e1);
            TrainSimd.store(g.div(e1).mul(u), h, i);          // exactly as swiGluSimd computes it
            TrainSimd.store(dh.mul(g).mul(sig), dUp, i);
            TrainSimd.store(dh.mul(u).mul(sig).mul(g.mul(sig.neg().add(1f)).add(1f)), dGate, i);
        }
        for (; i < to; i++) {                                  // the same operations on the tail
            float g = gate.getAtIndex(TrainSimd.F, i), dh = dH.getAtIndex(TrainSimd.F, i), u = up.getAtIndex(TrainSimd.F, i);
            float e1 = e.getAtIndex(TrainSimd.F, i - from) + 1f, sig = 1f / e1;
            h.setAtIndex(TrainSimd.F, i, g / e1 * u);
            dUp.setAtIndex(TrainSimd.F, i, dh * g * sig);
            dGate.setAtIndex(TrainSimd.F, i, dh * u * sig * (g * (1f - sig) + 1f));
        }
    }

    /** {@link #crossEntropy} for the jvm: one row per iteration, vectorised across the vocabulary. */
    @Kernel(jvmOnly = true)
    public static void crossEntropySimd(FloatArray logits, FloatArray loss, IntArray targets, int nTok, int vocab) {
        for (@Parallel int t = 0; t < nTok; t++) {
            TrainOps.crossEntropyRow(logits.segment(), loss.segment(), targets.get(t), t, vocab);
        }
    }

    static void crossEntropyRow(MemorySegment x, MemorySegment loss, int target, int t, int vocab) {
        long base = (long) t * vocab;
        int L = TrainSimd.L;
        if (target < 0) {
            x.asSlice(base * 4, vocab * 4L).fill((byte) 0);
            loss.setAtIndex(TrainSimd.F, t, 0f);
            return;
        }
        FloatVector vmax = FloatVector.broadcast(TrainSimd.S, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j <= vocab - L; j += L) vmax = vmax.max(TrainSimd.load(x, base + j));
        float max = vmax.reduceLanes(VectorOperators.MAX);    // max is exact in any order
        for (; j < vocab; j++) max = Math.max(max, x.getAtIndex(TrainSimd.F, base + j));
        float xt = x.getAtIndex(TrainSimd.F, base + target);
        float s = TrainSimd.exp(x, base, 1f, max, x, base, vocab), inv = 1f / s;   // x ← e^(x − max)
        loss.setAtIndex(TrainSimd.F, t, (float) Math.log(s) - (xt - max));
        for (j = 0; j <= vocab - L; j += L) TrainSimd.store(TrainSimd.load(x, base + j).mul(inv), x, base + j);
        for (; j < vocab; j++) x.setAtIndex(TrainSimd.F, base + j, x.getAtIndex(TrainSimd.F, base + j) * inv);
        x.setAtIndex(TrainSimd.F, base + target, x.getAtIndex(TrainSimd.F, base + target) - 1f);
    }
}
