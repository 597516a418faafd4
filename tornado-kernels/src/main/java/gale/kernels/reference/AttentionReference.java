// Reference twin of attention: scores materialised, a plain softmax, the weighted sum, all in double.
package gale.kernels.reference;

import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.IntArray;

/** The oracle for {@code Attention}: the textbook formula, causal and grouped-query, over an F32 or F16 cache. */
public final class AttentionReference {
    private AttentionReference() {}

    /** out[t, h] = softmax(q[t, h]·K[0..pos[0]+t, g]ᵀ / sqrt(headDim))·V[.., g], g = h / (nHead / nKvHead). */
    public static void attention(FloatArray out, FloatArray q, GaleArray keyCache, GaleArray valueCache, IntArray pos,
                                 int layer, int nTok, int nHead, int nKvHead, int headDim, int maxSeq) {
        int kvDim = nKvHead * headDim;
        for (int t = 0; t < nTok; t++) {
            int len = pos.get(0) + t + 1;
            for (int h = 0; h < nHead; h++) {
                int g = h / (nHead / nKvHead);
                long qo = ((long) t * nHead + h) * headDim;
                double[] score = new double[len];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s < len; s++) {
                    long kv = ((long) layer * maxSeq + s) * kvDim + (long) g * headDim;
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) dot += (double) q.get(qo + d) * RopeReference.load(keyCache, kv + d);
                    score[s] = dot / Math.sqrt(headDim);
                    max = Math.max(max, score[s]);
                }
                double sum = 0;
                for (int s = 0; s < len; s++) sum += score[s] = Math.exp(score[s] - max);
                for (int d = 0; d < headDim; d++) {
                    double acc = 0;
                    for (int s = 0; s < len; s++) {
                        long kv = ((long) layer * maxSeq + s) * kvDim + (long) g * headDim;
                        acc += score[s] / sum * RopeReference.load(valueCache, kv + d);
                    }
                    out.set(qo + d, (float) acc);
                }
            }
        }
    }
}
