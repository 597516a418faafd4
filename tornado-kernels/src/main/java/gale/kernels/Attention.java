// Scaled dot-product attention over the KV cache: causal, grouped-query, online softmax.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.Gale;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.Kernel;
import gale.compute.Parallel;

/**
 * Attention for decode (nTok = 1) and prefill (a batch of consecutive positions) over an F32 or F16 KV cache laid out
 * (layers, maxSeq, kvDim). Query head h reads KV head h / (nHead / nKvHead). The T×T score matrix is never stored:
 * each (token, head) keeps a running max and sum (online softmax). Reference: {@code reference.AttentionReference}.
 */
public final class Attention {
    private Attention() {}

    /**
     * Causal grouped-query attention for nTok queries at positions pos[0] + t over this layer's cache:
     * out[t, h] = Σ_s softmax_s(q[t, h]·K[s, g]/sqrt(headDim))·V[s, g] for s ≤ pos[0] + t, g = h / (nHead/nKvHead).
     * q, out: (nTok, nHead·headDim); keyCache, valueCache: (layers, maxSeq, nKvHead·headDim), already holding
     * positions 0..pos[0]+nTok−1; pos: (1). One work-item per (token, head); online softmax with out[t, h] as the
     * running weighted sum, so no score vector is stored. nTok = 1 is decode.
     */
    @Kernel
    public static void attention(FloatArray out, FloatArray q, FloatArray keyCache, FloatArray valueCache, IntArray pos,
                                 int layer, int nTok, int nHead, int nKvHead, int headDim, int maxSeq) {
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int h = 0; h < nHead; h++) {
                int kvDim = nKvHead * headDim;
                int last = pos.get(0) + t;                      // attends to positions 0..last
                int g = h / (nHead / nKvHead);
                long qo = ((long) t * nHead + h) * headDim;    // this head's slice of q and out
                long kv0 = (long) layer * maxSeq * kvDim + (long) g * headDim;
                float scale = Gale.rsqrt((float) headDim);
                float m = -3.4028235e38f;                      // running max of the scores
                float l = 0f;                                  // running Σ exp(score − m)
                for (int d = 0; d < headDim; d++) out.set(qo + d, 0f);
                for (int s = 0; s <= last; s++) {
                    long kv = kv0 + (long) s * kvDim;
                    float score = 0f;
                    for (int d = 0; d < headDim; d++) score += q.get(qo + d) * keyCache.get(kv + d);
                    score *= scale;
                    float mNew = Math.max(m, score);
                    float corr = (float) Math.exp(m - mNew);   // rescales what was summed under the old max
                    float p = (float) Math.exp(score - mNew);
                    l = l * corr + p;
                    for (int d = 0; d < headDim; d++) out.set(qo + d, out.get(qo + d) * corr + p * valueCache.get(kv + d));
                    m = mNew;
                }
                float inv = 1f / l;
                for (int d = 0; d < headDim; d++) out.set(qo + d, out.get(qo + d) * inv);
            }
        }
    }

    /**
     * Causal grouped-query attention for nTok queries at positions pos[0] + t over this layer's fp16 cache:
     * out[t, h] = Σ_s softmax_s(q[t, h]·K[s, g]/sqrt(headDim))·V[s, g] for s ≤ pos[0] + t, g = h / (nHead/nKvHead).
     * q, out: (nTok, nHead·headDim); keyCache, valueCache: (layers, maxSeq, nKvHead·headDim), already holding
     * positions 0..pos[0]+nTok−1; pos: (1). One work-item per (token, head); online softmax with out[t, h] as the
     * running weighted sum, so no score vector is stored. nTok = 1 is decode.
     */
    @Kernel
    public static void attentionF16(FloatArray out, FloatArray q, HalfArray keyCache, HalfArray valueCache, IntArray pos,
                                 int layer, int nTok, int nHead, int nKvHead, int headDim, int maxSeq) {
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int h = 0; h < nHead; h++) {
                int kvDim = nKvHead * headDim;
                int last = pos.get(0) + t;                      // attends to positions 0..last
                int g = h / (nHead / nKvHead);
                long qo = ((long) t * nHead + h) * headDim;    // this head's slice of q and out
                long kv0 = (long) layer * maxSeq * kvDim + (long) g * headDim;
                float scale = Gale.rsqrt((float) headDim);
                float m = -3.4028235e38f;                      // running max of the scores
                float l = 0f;                                  // running Σ exp(score − m)
                for (int d = 0; d < headDim; d++) out.set(qo + d, 0f);
                for (int s = 0; s <= last; s++) {
                    long kv = kv0 + (long) s * kvDim;
                    float score = 0f;
                    for (int d = 0; d < headDim; d++) score += q.get(qo + d) * keyCache.getFloat(kv + d);
                    score *= scale;
                    float mNew = Math.max(m, score);
                    float corr = (float) Math.exp(m - mNew);   // rescales what was summed under the old max
                    float p = (float) Math.exp(score - mNew);
                    l = l * corr + p;
                    for (int d = 0; d < headDim; d++) out.set(qo + d, out.get(qo + d) * corr + p * valueCache.getFloat(kv + d));
                    m = mNew;
                }
                float inv = 1f / l;
                for (int d = 0; d < headDim; d++) out.set(qo + d, out.get(qo + d) * inv);
            }
        }
    }
}
