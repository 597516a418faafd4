// Scaled dot-product attention over the KV cache: causal, grouped-query, online softmax.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.Gale;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.Kernel;
import gale.compute.KernelContext;
import gale.compute.Parallel;

/**
 * Attention for decode (nTok = 1) and prefill (a batch of consecutive positions) over an F32 or F16 KV cache laid out
 * (layers, maxSeq, kvDim). Query head h reads KV head h / (nHead / nKvHead). The T×T score matrix is never stored:
 * each (token, head) keeps a running max and sum (online softmax). The {@code ...Group} kernels are the GPU versions
 * (a work-group per token and head); the {@code @Parallel} kernels are their jvm twins.
 * Reference: {@code reference.AttentionReference}.
 */
public final class Attention {
    private Attention() {}

    /** The largest work-group size of the {@code ...Group} kernels. */
    public static final int GROUP_MAX = 256;
    /** The largest head dimension of the {@code ...Group} kernels (their local accumulator). */
    public static final int HEAD_MAX = 256;
    /** Below any real score: the running max before the first position (exp(NO_SCORE − x) = 0). */
    static final float NO_SCORE = -3.4028235e38f;

    /**
     * Causal grouped-query attention for nTok queries at positions pos[0] + t over this layer's cache:
     * out[t, h] = Σ_s softmax_s(q[t, h]·K[s, g]/sqrt(headDim))·V[s, g] for s ≤ pos[0] + t, g = h / (nHead/nKvHead).
     * q, out: (nTok, nHead·headDim); keyCache, valueCache: (layers, maxSeq, nKvHead·headDim), already holding
     * positions 0..pos[0]+nTok−1; pos: (1). One work-item per (token, head); online softmax with out[t, h] as the
     * running weighted sum, so no score vector is stored. nTok = 1 is decode.
     */
    @Kernel(jvm = "attentionSimd")
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
                float m = NO_SCORE;                            // running max of the scores
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
     * {@link #attention} with one work-group per (token, head), for GPUs. Grid: nTok·nHead·local work-items,
     * local a power of two ≤ {@value #GROUP_MAX}; headDim ≤ {@value #HEAD_MAX}. The group takes the positions in chunks
     * of {@code local}: each work-item scores one position, the group reduces max and sum in local memory, then each
     * work-item updates the output dimensions it owns (d ≡ localIdx mod local), kept in local memory until the end.
     */
    @Kernel(jvm = "attentionSimd")
    public static void attentionGroup(KernelContext ctx, FloatArray out, FloatArray q, FloatArray keyCache, FloatArray valueCache,
                                      IntArray pos, int layer, int nTok, int nHead, int nKvHead, int headDim, int maxSeq) {
        float[] probs = ctx.allocateFloatLocalArray(GROUP_MAX);
        float[] red = ctx.allocateFloatLocalArray(GROUP_MAX);
        float[] acc = ctx.allocateFloatLocalArray(HEAD_MAX);
        int lid = ctx.localIdx, size = ctx.localGroupSizeX;
        int t = ctx.groupIdx / nHead, h = ctx.groupIdx % nHead;
        int kvDim = nKvHead * headDim;
        int last = pos.get(0) + t;
        int g = h / (nHead / nKvHead);
        long qo = ((long) t * nHead + h) * headDim;
        long kv0 = (long) layer * maxSeq * kvDim + (long) g * headDim;
        float scale = Gale.rsqrt((float) headDim);
        float m = NO_SCORE, l = 0f;
        for (int d = lid; d < headDim; d += size) acc[d] = 0f;
        for (int chunk = 0; chunk <= last; chunk += size) {
            int s = chunk + lid;
            float score = NO_SCORE;
            if (s <= last) {
                long kv = kv0 + (long) s * kvDim;
                float dot = 0f;
                for (int d = 0; d < headDim; d++) dot += q.get(qo + d) * keyCache.get(kv + d);
                score = dot * scale;
            }
            red[lid] = score;                                  // the chunk's max
            for (int stride = size / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (lid < stride) red[lid] = Math.max(red[lid], red[lid + stride]);
            }
            ctx.localBarrier();
            float mNew = Math.max(m, red[0]);
            ctx.localBarrier();                                // everyone has read red[0]
            float p = s <= last ? (float) Math.exp(score - mNew) : 0f;
            probs[lid] = p;
            red[lid] = p;                                      // the chunk's Σ p
            for (int stride = size / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (lid < stride) red[lid] += red[lid + stride];
            }
            ctx.localBarrier();
            float corr = (float) Math.exp(m - mNew);
            l = l * corr + red[0];
            int n = Math.min(size, last - chunk + 1);
            for (int d = lid; d < headDim; d += size) {
                float a = acc[d] * corr;
                for (int j = 0; j < n; j++) a += probs[j] * valueCache.get(kv0 + (long) (chunk + j) * kvDim + d);
                acc[d] = a;
            }
            m = mNew;
            ctx.localBarrier();                                // probs and red are rewritten by the next chunk
        }
        float inv = 1f / l;
        for (int d = lid; d < headDim; d += size) out.set(qo + d, acc[d] * inv);
    }

    /**
     * Causal grouped-query attention for nTok queries at positions pos[0] + t over this layer's fp16 cache:
     * out[t, h] = Σ_s softmax_s(q[t, h]·K[s, g]/sqrt(headDim))·V[s, g] for s ≤ pos[0] + t, g = h / (nHead/nKvHead).
     * q, out: (nTok, nHead·headDim); keyCache, valueCache: (layers, maxSeq, nKvHead·headDim), already holding
     * positions 0..pos[0]+nTok−1; pos: (1). One work-item per (token, head); online softmax with out[t, h] as the
     * running weighted sum, so no score vector is stored. nTok = 1 is decode.
     */
    @Kernel(jvm = "attentionF16Simd")
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
                float m = NO_SCORE;                            // running max of the scores
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

    /**
     * {@link #attentionF16} with one work-group per (token, head), for GPUs. Grid: nTok·nHead·local work-items,
     * local a power of two ≤ {@value #GROUP_MAX}; headDim ≤ {@value #HEAD_MAX}. The group takes the positions in chunks
     * of {@code local}: each work-item scores one position, the group reduces max and sum in local memory, then each
     * work-item updates the output dimensions it owns (d ≡ localIdx mod local), kept in local memory until the end.
     */
    @Kernel(jvm = "attentionF16Simd")
    public static void attentionF16Group(KernelContext ctx, FloatArray out, FloatArray q, HalfArray keyCache, HalfArray valueCache,
                                      IntArray pos, int layer, int nTok, int nHead, int nKvHead, int headDim, int maxSeq) {
        float[] probs = ctx.allocateFloatLocalArray(GROUP_MAX);
        float[] red = ctx.allocateFloatLocalArray(GROUP_MAX);
        float[] acc = ctx.allocateFloatLocalArray(HEAD_MAX);
        int lid = ctx.localIdx, size = ctx.localGroupSizeX;
        int t = ctx.groupIdx / nHead, h = ctx.groupIdx % nHead;
        int kvDim = nKvHead * headDim;
        int last = pos.get(0) + t;
        int g = h / (nHead / nKvHead);
        long qo = ((long) t * nHead + h) * headDim;
        long kv0 = (long) layer * maxSeq * kvDim + (long) g * headDim;
        float scale = Gale.rsqrt((float) headDim);
        float m = NO_SCORE, l = 0f;
        for (int d = lid; d < headDim; d += size) acc[d] = 0f;
        for (int chunk = 0; chunk <= last; chunk += size) {
            int s = chunk + lid;
            float score = NO_SCORE;
            if (s <= last) {
                long kv = kv0 + (long) s * kvDim;
                float dot = 0f;
                for (int d = 0; d < headDim; d++) dot += q.get(qo + d) * keyCache.getFloat(kv + d);
                score = dot * scale;
            }
            red[lid] = score;                                  // the chunk's max
            for (int stride = size / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (lid < stride) red[lid] = Math.max(red[lid], red[lid + stride]);
            }
            ctx.localBarrier();
            float mNew = Math.max(m, red[0]);
            ctx.localBarrier();                                // everyone has read red[0]
            float p = s <= last ? (float) Math.exp(score - mNew) : 0f;
            probs[lid] = p;
            red[lid] = p;                                      // the chunk's Σ p
            for (int stride = size / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (lid < stride) red[lid] += red[lid + stride];
            }
            ctx.localBarrier();
            float corr = (float) Math.exp(m - mNew);
            l = l * corr + red[0];
            int n = Math.min(size, last - chunk + 1);
            for (int d = lid; d < headDim; d += size) {
                float a = acc[d] * corr;
                for (int j = 0; j < n; j++) a += probs[j] * valueCache.getFloat(kv0 + (long) (chunk + j) * kvDim + d);
                acc[d] = a;
            }
            m = mNew;
            ctx.localBarrier();                                // probs and red are rewritten by the next chunk
        }
        float inv = 1f / l;
        for (int d = lid; d < headDim; d += size) out.set(qo + d, acc[d] * inv);
    }

    // ---- jvm twins (Vector API): one work-item per (token, head), tokens interleaved for balanced chunks ----

    /**
     * {@link #attention} for the jvm: a batch of at least {@link AttentionSimd#BATCHED} tokens as one work-item per head
     * (its keys transposed once for all its queries, {@link AttentionSimd#prompt}), else one per (token, head)
     * ({@link AttentionSimd#head}).
     */
    @Kernel(jvmOnly = true)
    public static void attentionSimd(FloatArray out, FloatArray q, FloatArray keyCache, FloatArray valueCache, IntArray pos,
                                     int layer, int nTok, int nHead, int nKvHead, int headDim, int maxSeq) {
        for (@Parallel int i = 0; i < AttentionSimd.items(nTok, nHead); i++) {
            if (nTok >= AttentionSimd.BATCHED)
                AttentionSimd.prompt(out, q, keyCache, valueCache, pos, layer, nTok, i, nHead, nKvHead, headDim, maxSeq);
            else
                AttentionSimd.head(out, q, keyCache, valueCache, pos, false, layer, AttentionSimd.token(i, nTok, nHead), i % nHead,
                        nHead, nKvHead, headDim, maxSeq);
        }
    }

    /** {@link #attentionF16} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void attentionF16Simd(FloatArray out, FloatArray q, HalfArray keyCache, HalfArray valueCache, IntArray pos,
                                        int layer, int nTok, int nHead, int nKvHead, int headDim, int maxSeq) {
        for (@Parallel int i = 0; i < nTok * nHead; i++) {
            AttentionSimd.head(out, q, keyCache, valueCache, pos, true, layer, AttentionSimd.token(i, nTok, nHead), i % nHead,
                    nHead, nKvHead, headDim, maxSeq);
        }
    }
}
