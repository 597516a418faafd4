// Rotary position embeddings in llama.cpp's adjacent-pair layout, fused with the KV-cache write.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.Kernel;
import gale.compute.Parallel;

/**
 * RoPE as llama.cpp applies it to {@code llama} models (whose Q/K were permuted at conversion): within each head,
 * pairs (i, i+1) for even i &lt; rotDim rotate by θ = pos · base^(−i/rotDim) / freqFactors[i/2]; elements at
 * i ≥ rotDim stay. {@code freqFactors} is the model's {@code rope_freqs} tensor (Llama 3.1+), or all ones.
 * Positions come from a device array {@code pos} (token t is at pos[0] + t) so one task graph serves every step.
 * Reference: {@code reference.RopeReference}.
 */
public final class Rope {
    private Rope() {}

    /** The angle per position of the pair at even index i within a head: base^(−i/rotDim) / freqFactors[i/2]. */
    public static float ropeFrequency(FloatArray freqFactors, int i, int rotDim, float base) {
        return (float) Math.pow(base, -(float) i / rotDim) / freqFactors.get(i / 2);
    }

    /**
     * RoPE in place on x: (nTok, nHeads·headDim), token t at position pos[0] + t. One work-item per (token, pair).
     */
    @Kernel
    public static void rope(FloatArray x, IntArray pos, FloatArray freqFactors, int nTok, int nHeads, int headDim,
                            int rotDim, float base) {
        int pairs = nHeads * headDim / 2;
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int p = 0; p < pairs; p++) {
                int j = 2 * p;
                int i = j % headDim;
                if (i < rotDim) {
                    float theta = (pos.get(0) + t) * ropeFrequency(freqFactors, i, rotDim, base);
                    float c = (float) Math.cos(theta), s = (float) Math.sin(theta);
                    long xi = (long) t * nHeads * headDim + j;
                    float x0 = x.get(xi), x1 = x.get(xi + 1);
                    x.set(xi, x0 * c - x1 * s);
                    x.set(xi + 1, x0 * s + x1 * c);
                }
            }
        }
    }

    /**
     * RoPE on q and k of nTok tokens at positions pos[0] + t, then k and v stored into this layer's cache rows at
     * those positions. q: (nTok, nHead·headDim) rotated in place; k, v: (nTok, nKvHead·headDim), k rotated in
     * place too; keyCache, valueCache: (layers, maxSeq, nKvHead·headDim); pos: (1); freqFactors: (rotDim/2).
     * One work-item per (token, pair of q). The caller keeps pos[0] + nTok ≤ maxSeq.
     */
    @Kernel(jvm = "ropeToCacheSimd")
    public static void ropeToCache(FloatArray q, FloatArray k, FloatArray v, FloatArray keyCache, FloatArray valueCache,
                                   IntArray pos, FloatArray freqFactors, int layer, int nTok, int nHead, int nKvHead,
                                   int headDim, int rotDim, int maxSeq, float base) {
        int qPairs = nHead * headDim / 2;
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int p = 0; p < qPairs; p++) {
                int kvDim = nKvHead * headDim;
                int position = pos.get(0) + t;
                int j = 2 * p;                 // element index in the token's q row
                int i = j % headDim;           // even index within the head
                float c = 1f, s = 0f;
                if (i < rotDim) {
                    float theta = position * ropeFrequency(freqFactors, i, rotDim, base);
                    c = (float) Math.cos(theta);
                    s = (float) Math.sin(theta);
                }
                long qi = (long) t * nHead * headDim + j;
                float q0 = q.get(qi), q1 = q.get(qi + 1);
                q.set(qi, q0 * c - q1 * s);
                q.set(qi + 1, q0 * s + q1 * c);
                if (j < kvDim) {               // the first kvDim/2 work-items of a token also do k and v
                    long ki = (long) t * kvDim + j;
                    float k0 = k.get(ki), k1 = k.get(ki + 1);
                    float r0 = k0 * c - k1 * s, r1 = k0 * s + k1 * c;
                    k.set(ki, r0);
                    k.set(ki + 1, r1);
                    long ci = ((long) layer * maxSeq + position) * kvDim + j;
                    keyCache.set(ci, r0);
                    keyCache.set(ci + 1, r1);
                    valueCache.set(ci, v.get(ki));
                    valueCache.set(ci + 1, v.get(ki + 1));
                }
            }
        }
    }

    /**
     * RoPE on q and k of nTok tokens at positions pos[0] + t, then k and v stored into this layer's cache rows at
     * those positions as fp16. q: (nTok, nHead·headDim) rotated in place; k, v: (nTok, nKvHead·headDim), k rotated in
     * place too; keyCache, valueCache: (layers, maxSeq, nKvHead·headDim); pos: (1); freqFactors: (rotDim/2).
     * One work-item per (token, pair of q). The caller keeps pos[0] + nTok ≤ maxSeq.
     */
    @Kernel(jvm = "ropeToCacheF16Simd")
    public static void ropeToCacheF16(FloatArray q, FloatArray k, FloatArray v, HalfArray keyCache, HalfArray valueCache,
                                   IntArray pos, FloatArray freqFactors, int layer, int nTok, int nHead, int nKvHead,
                                   int headDim, int rotDim, int maxSeq, float base) {
        int qPairs = nHead * headDim / 2;
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int p = 0; p < qPairs; p++) {
                int kvDim = nKvHead * headDim;
                int position = pos.get(0) + t;
                int j = 2 * p;                 // element index in the token's q row
                int i = j % headDim;           // even index within the head
                float c = 1f, s = 0f;
                if (i < rotDim) {
                    float theta = position * ropeFrequency(freqFactors, i, rotDim, base);
                    c = (float) Math.cos(theta);
                    s = (float) Math.sin(theta);
                }
                long qi = (long) t * nHead * headDim + j;
                float q0 = q.get(qi), q1 = q.get(qi + 1);
                q.set(qi, q0 * c - q1 * s);
                q.set(qi + 1, q0 * s + q1 * c);
                if (j < kvDim) {               // the first kvDim/2 work-items of a token also do k and v
                    long ki = (long) t * kvDim + j;
                    float k0 = k.get(ki), k1 = k.get(ki + 1);
                    float r0 = k0 * c - k1 * s, r1 = k0 * s + k1 * c;
                    k.set(ki, r0);
                    k.set(ki + 1, r1);
                    long ci = ((long) layer * maxSeq + position) * kvDim + j;
                    keyCache.setFloat(ci, r0);
                    keyCache.setFloat(ci + 1, r1);
                    valueCache.setFloat(ci, v.get(ki));
                    valueCache.setFloat(ci + 1, v.get(ki + 1));
                }
            }
        }
    }

    // ---- jvm twins: one work-item per token, each rotation computed once per token (bit-identical results) ----

    /** {@link #ropeToCache} for the jvm ({@link AttentionSimd#ropeToCache}). */
    @Kernel(jvmOnly = true)
    public static void ropeToCacheSimd(FloatArray q, FloatArray k, FloatArray v, FloatArray keyCache, FloatArray valueCache,
                                       IntArray pos, FloatArray freqFactors, int layer, int nTok, int nHead, int nKvHead,
                                       int headDim, int rotDim, int maxSeq, float base) {
        for (@Parallel int t = 0; t < nTok; t++) {
            AttentionSimd.ropeToCache(q, k, v, keyCache, valueCache, pos, freqFactors, false, layer, t, nHead, nKvHead,
                    headDim, rotDim, maxSeq, base);
        }
    }

    /** {@link #ropeToCacheF16} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void ropeToCacheF16Simd(FloatArray q, FloatArray k, FloatArray v, HalfArray keyCache, HalfArray valueCache,
                                          IntArray pos, FloatArray freqFactors, int layer, int nTok, int nHead, int nKvHead,
                                          int headDim, int rotDim, int maxSeq, float base) {
        for (@Parallel int t = 0; t < nTok; t++) {
            AttentionSimd.ropeToCache(q, k, v, keyCache, valueCache, pos, freqFactors, true, layer, t, nHead, nKvHead,
                    headDim, rotDim, maxSeq, base);
        }
    }
}
