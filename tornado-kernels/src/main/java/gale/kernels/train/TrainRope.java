// RoPE for training: positions restart at every sequence of the batch, and the backward is the inverse rotation.
package gale.kernels.train;

import gale.compute.FloatArray;
import gale.compute.Kernel;
import gale.compute.Parallel;
import gale.kernels.Rope;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * llama.cpp's adjacent-pair RoPE ({@link Rope}) over a batch of sequences: token t sits at position t mod seqLen.
 * A rotation is orthogonal, so its gradient is the rotation by −θ: the same kernel with sign = −1. The kernel reads
 * cos θ and sin θ from a table built once per model ({@link #table}) instead of computing pow, cos and sin per
 * element at every call (4 calls per layer and step).
 * Reference: {@code reference.TrainReference}.
 */
public final class TrainRope {
    private TrainRope() {}

    /**
     * cos and sin of θ(pos, i) = pos·{@link Rope#ropeFrequency} for pos &lt; seqLen, even i &lt; rotDim, as
     * table[(pos·rotDim/2 + i/2)·2] = cos, [.. + 1] = sin: (seqLen, rotDim/2, 2). Host code, same float maths as
     * {@link Rope}.
     */
    public static FloatArray table(FloatArray freqFactors, int seqLen, int rotDim, float base) {
        FloatArray t = FloatArray.create((long) seqLen * rotDim);
        for (int pos = 0; pos < seqLen; pos++)
            for (int i = 0; i < rotDim; i += 2) {
                float theta = pos * Rope.ropeFrequency(freqFactors, i, rotDim, base);
                long o = ((long) pos * (rotDim / 2) + i / 2) * 2;
                t.set(o, (float) Math.cos(theta));
                t.set(o + 1, (float) Math.sin(theta));
            }
        return t;
    }

    /** Rotates x: (nTok, nHeads·headDim) in place by sign·θ(t mod seqLen, i) for even i &lt; rotDim in each head; cs from {@link #table}. */
    @Kernel(jvm = "ropeRows")
    public static void rope(FloatArray x, FloatArray cs, int nTok, int seqLen, int nHeads, int headDim, int rotDim, float sign) {
        int pairs = nHeads * headDim / 2;
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int p = 0; p < pairs; p++) {
                int j = 2 * p;
                int i = j % headDim;
                if (i < rotDim) {
                    long o = ((long) (t % seqLen) * (rotDim / 2) + i / 2) * 2;
                    float c = cs.get(o), s = sign * cs.get(o + 1);
                    long xi = (long) t * nHeads * headDim + j;
                    float x0 = x.get(xi), x1 = x.get(xi + 1);
                    x.set(xi, x0 * c - x1 * s);
                    x.set(xi + 1, x0 * s + x1 * c);
                }
            }
        }
    }

    /** {@link #rope} for the jvm: one token row per iteration, no division per element (bit-identical). */
    @Kernel(jvmOnly = true)
    public static void ropeRows(FloatArray x, FloatArray cs, int nTok, int seqLen, int nHeads, int headDim, int rotDim, float sign) {
        for (@Parallel int t = 0; t < nTok; t++) {
            TrainRope.ropeRow(x.segment(), cs.segment(), t, seqLen, nHeads, headDim, rotDim, sign);
        }
    }

    static void ropeRow(java.lang.foreign.MemorySegment x, java.lang.foreign.MemorySegment cs, int t, int seqLen, int nHeads,
                        int headDim, int rotDim, float sign) {
        var F = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
        long co = (long) (t % seqLen) * rotDim;              // cos, sin of pair i/2 at co + i, co + i + 1
        int L = TrainSimd.L, whole = rotDim - rotDim % L;
        FloatVector signs = FloatVector.fromArray(TrainSimd.S, SIGNS, 0);
        for (int h = 0; h < nHeads; h++) {
            long xo = ((long) t * nHeads + h) * headDim;
            // L/2 pairs per vector: (x0, x1) → (x0·c − x1·s, x1·c + x0·s) as x·C + swap(x)·(∓S), products rounded
            // and added as the scalar form below rounds them (no FMA), so the same bits
            for (int i = 0; i < whole; i += L) {
                FloatVector v = TrainSimd.load(x, xo + i), t2 = TrainSimd.load(cs, co + i);
                FloatVector c = t2.rearrange(EVENS), sn = t2.rearrange(ODDS).mul(sign).mul(signs);
                v.mul(c).add(v.rearrange(SWAP).mul(sn)).intoMemorySegment(x, (xo + i) * 4, TrainSimd.ORDER);
            }
            for (int i = whole; i < rotDim; i += 2) {
                float c = cs.getAtIndex(F, co + i), s = sign * cs.getAtIndex(F, co + i + 1);
                float x0 = x.getAtIndex(F, xo + i), x1 = x.getAtIndex(F, xo + i + 1);
                x.setAtIndex(F, xo + i, x0 * c - x1 * s);
                x.setAtIndex(F, xo + i + 1, x0 * s + x1 * c);
            }
        }
    }

    // lane shuffles of the vector rotation: each pair's cos (even lane) and sin (odd lane) to both lanes, the pair
    // swapped, and the sign of the swapped term (−s on even lanes, +s on odd)
    private static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(TrainSimd.S, i -> i & ~1),
            ODDS = VectorShuffle.fromOp(TrainSimd.S, i -> i | 1), SWAP = VectorShuffle.fromOp(TrainSimd.S, i -> i ^ 1);
    private static final float[] SIGNS = new float[TrainSimd.L];

    static {
        for (int i = 0; i < SIGNS.length; i++) SIGNS[i] = i % 2 == 0 ? -1f : 1f;
    }
}
