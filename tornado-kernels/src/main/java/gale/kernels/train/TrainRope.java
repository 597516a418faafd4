// RoPE for training: positions restart at every sequence of the batch, and the backward is the inverse rotation.
package gale.kernels.train;

import gale.compute.FloatArray;
import gale.compute.Kernel;
import gale.compute.Parallel;
import gale.kernels.Rope;

/**
 * llama.cpp's adjacent-pair RoPE ({@link Rope}) over a batch of sequences: token t sits at position t mod seqLen.
 * A rotation is orthogonal, so its gradient is the rotation by −θ: the same kernel with sign = −1.
 * Reference: {@code reference.TrainReference}.
 */
public final class TrainRope {
    private TrainRope() {}

    /** Rotates x: (nTok, nHeads·headDim) in place by sign·θ(t mod seqLen, i) for even i &lt; rotDim in each head. */
    @Kernel
    public static void rope(FloatArray x, FloatArray freqFactors, int nTok, int seqLen, int nHeads, int headDim,
                            int rotDim, float base, float sign) {
        int pairs = nHeads * headDim / 2;
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int p = 0; p < pairs; p++) {
                int j = 2 * p;
                int i = j % headDim;
                if (i < rotDim) {
                    float theta = (t % seqLen) * Rope.ropeFrequency(freqFactors, i, rotDim, base);
                    float c = (float) Math.cos(theta), s = sign * (float) Math.sin(theta);
                    long xi = (long) t * nHeads * headDim + j;
                    float x0 = x.get(xi), x1 = x.get(xi + 1);
                    x.set(xi, x0 * c - x1 * s);
                    x.set(xi + 1, x0 * s + x1 * c);
                }
            }
        }
    }
}
