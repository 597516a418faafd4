// Greedy sampling on the device: argmax of the logits in two stages, so only one int comes back to the host.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.IntArray;
import gale.compute.Kernel;
import gale.compute.Parallel;

/**
 * Argmax over a logits vector. Stage 1 ({@link #argmaxPartial}) finds the max of each of nParts contiguous chunks in
 * parallel; stage 2 ({@link #argmaxFinal}) reduces the nParts candidates in one work-item. Ties go to the lowest
 * index, as a sequential scan would. Reference: {@code reference.SamplingReference}.
 */
public final class Sampling {
    private Sampling() {}

    /**
     * For each part p &lt; nParts, the max of x[p·chunk .. min(n, (p+1)·chunk)) with chunk = ceil(n / nParts), and
     * its index. x: (n); partMax, partIdx: (nParts). Empty trailing parts write index −1.
     */
    @Kernel(jvm = "argmaxPartialSimd")
    public static void argmaxPartial(FloatArray partMax, IntArray partIdx, FloatArray x, int n, int nParts) {
        int chunk = (n + nParts - 1) / nParts;
        for (@Parallel int p = 0; p < nParts; p++) {
            int start = p * chunk;
            int end = Math.min(n, start + chunk);
            int best = -1;
            float bestVal = -3.4028235e38f;
            for (int i = start; i < end; i++) {
                float v = x.get(i);
                if (best < 0 || v > bestVal) {
                    best = i;
                    bestVal = v;
                }
            }
            partMax.set(p, bestVal);
            partIdx.set(p, best);
        }
    }

    /** {@link #argmaxPartial} for the jvm: the same values and indices from two vector passes per part ({@link SamplingSimd}). */
    @Kernel(jvmOnly = true)
    public static void argmaxPartialSimd(FloatArray partMax, IntArray partIdx, FloatArray x, int n, int nParts) {
        for (@Parallel int p = 0; p < nParts; p++) {
            SamplingSimd.part(partMax, partIdx, x, n, nParts, p);
        }
    }

    /** result[0] = the index of the largest partMax (lowest index on ties). partMax, partIdx: (nParts); result: (1). */
    @Kernel
    public static void argmaxFinal(IntArray result, FloatArray partMax, IntArray partIdx, int nParts) {
        for (@Parallel int one = 0; one < 1; one++) {
            int best = -1;
            float bestVal = -3.4028235e38f;
            for (int p = 0; p < nParts; p++) {
                int idx = partIdx.get(p);
                float v = partMax.get(p);
                // parts are in index order, so a strict > keeps the first of equal maxima
                if (idx >= 0 && (best < 0 || v > bestVal)) {
                    best = idx;
                    bestVal = v;
                }
            }
            result.set(0, best);
        }
    }
}
