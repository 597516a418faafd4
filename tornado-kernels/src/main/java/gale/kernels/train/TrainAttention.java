// Exact causal grouped-query attention for training: online-softmax forward keeping only the output and the row
// logsumexp, and a FlashAttention-2 style backward that recomputes the scores.
package gale.kernels.train;

import gale.compute.FloatArray;
import gale.compute.Gale;
import gale.compute.Kernel;
import gale.compute.Parallel;

/**
 * Attention over a batch of nSeq sequences of seqLen tokens, token i = b·seqLen + t. q: (nTok, nHead·headDim),
 * k, v: (nTok, nKvHead·headDim); query head h reads KV head h / (nHead/nKvHead); scale 1/sqrt(headDim).
 * <p>Forward ({@link #forward}): per (token, head) an online softmax over positions s ≤ t — masked scores are never
 * computed and the T×T weights never stored; it keeps O and L = logsumexp of the row's scores.
 * <p>Backward: P_ts = exp(q_t·k_s·scale − L_t) is recomputed from q, k and L; with D_t = Σ_d dO_t·O_t
 * ({@link #backwardDelta}), dS_ts = P_ts·(dO_t·v_s − D_t) and dq_t = scale·Σ_s dS_ts·k_s ({@link #backwardQ},
 * one work-item per query row), dk_s = scale·Σ_{h in group, t ≥ s} dS_ts·q_t and dv_s = Σ P_ts·dO_t
 * ({@link #backwardKV}, one work-item per key row and KV head). Every gradient element is written by one work-item
 * summing in a fixed order: no atomics, bitwise reproducible. Reference: {@code reference.TrainReference}.
 */
public final class TrainAttention {
    private TrainAttention() {}

    /** Below any real score: the running max before the first position. */
    static final float NO_SCORE = -3.4028235e38f;

    /** out, lse (nTok, nHead) as described above. */
    @Kernel
    public static void forward(FloatArray out, FloatArray lse, FloatArray q, FloatArray k, FloatArray v, int nTok,
                               int seqLen, int nHead, int nKvHead, int headDim) {
        for (@Parallel int i = 0; i < nTok; i++) {
            for (@Parallel int h = 0; h < nHead; h++) {
                int kvDim = nKvHead * headDim;
                int t = i % seqLen, first = i - t;            // this sequence's first token
                int g = h / (nHead / nKvHead);
                long qo = ((long) i * nHead + h) * headDim;
                float scale = Gale.rsqrt((float) headDim);
                float m = NO_SCORE, l = 0f;
                for (int d = 0; d < headDim; d++) out.set(qo + d, 0f);
                for (int s = first; s <= i; s++) {
                    long kv = (long) s * kvDim + (long) g * headDim;
                    float score = 0f;
                    for (int d = 0; d < headDim; d++) score += q.get(qo + d) * k.get(kv + d);
                    score *= scale;
                    float mNew = Math.max(m, score);
                    float corr = (float) Math.exp(m - mNew);   // rescales what was summed under the old max
                    float p = (float) Math.exp(score - mNew);
                    l = l * corr + p;
                    for (int d = 0; d < headDim; d++) out.set(qo + d, out.get(qo + d) * corr + p * v.get(kv + d));
                    m = mNew;
                }
                float inv = 1f / l;
                for (int d = 0; d < headDim; d++) out.set(qo + d, out.get(qo + d) * inv);
                lse.set((long) i * nHead + h, m + (float) Math.log(l));
            }
        }
    }

    /** delta[i, h] = Σ_d dOut[i, h, d]·out[i, h, d]; delta: (nTok, nHead). */
    @Kernel
    public static void backwardDelta(FloatArray delta, FloatArray dOut, FloatArray out, int nTok, int nHead, int headDim) {
        for (@Parallel int i = 0; i < nTok; i++) {
            for (@Parallel int h = 0; h < nHead; h++) {
                long o = ((long) i * nHead + h) * headDim;
                float s = 0f;
                for (int d = 0; d < headDim; d++) s += dOut.get(o + d) * out.get(o + d);
                delta.set((long) i * nHead + h, s);
            }
        }
    }

    /** dq (overwritten): (nTok, nHead·headDim). */
    @Kernel
    public static void backwardQ(FloatArray dq, FloatArray dOut, FloatArray q, FloatArray k, FloatArray v, FloatArray lse,
                                 FloatArray delta, int nTok, int seqLen, int nHead, int nKvHead, int headDim) {
        for (@Parallel int i = 0; i < nTok; i++) {
            for (@Parallel int h = 0; h < nHead; h++) {
                int kvDim = nKvHead * headDim;
                int first = i - i % seqLen;
                int g = h / (nHead / nKvHead);
                long qo = ((long) i * nHead + h) * headDim;
                float scale = Gale.rsqrt((float) headDim);
                float L = lse.get((long) i * nHead + h), D = delta.get((long) i * nHead + h);
                for (int d = 0; d < headDim; d++) dq.set(qo + d, 0f);
                for (int s = first; s <= i; s++) {
                    long kv = (long) s * kvDim + (long) g * headDim;
                    float score = 0f, dp = 0f;
                    for (int d = 0; d < headDim; d++) {
                        score += q.get(qo + d) * k.get(kv + d);
                        dp += dOut.get(qo + d) * v.get(kv + d);
                    }
                    float p = (float) Math.exp(score * scale - L);
                    float ds = p * (dp - D) * scale;
                    for (int d = 0; d < headDim; d++) dq.set(qo + d, dq.get(qo + d) + ds * k.get(kv + d));
                }
            }
        }
    }

    /** dk, dv (overwritten): (nTok, nKvHead·headDim). Sums heads of the group, then later positions, in order. */
    @Kernel
    public static void backwardKV(FloatArray dk, FloatArray dv, FloatArray dOut, FloatArray q, FloatArray k, FloatArray v,
                                  FloatArray lse, FloatArray delta, int nTok, int seqLen, int nHead, int nKvHead, int headDim) {
        for (@Parallel int j = 0; j < nTok; j++) {
            for (@Parallel int g = 0; g < nKvHead; g++) {
                int kvDim = nKvHead * headDim;
                int last = j - j % seqLen + seqLen - 1;        // this sequence's last token
                int group = nHead / nKvHead;
                long kv = (long) j * kvDim + (long) g * headDim;
                float scale = Gale.rsqrt((float) headDim);
                for (int d = 0; d < headDim; d++) {
                    dk.set(kv + d, 0f);
                    dv.set(kv + d, 0f);
                }
                for (int h = g * group; h < (g + 1) * group; h++) {
                    for (int i = j; i <= last; i++) {
                        long qo = ((long) i * nHead + h) * headDim;
                        float score = 0f, dp = 0f;
                        for (int d = 0; d < headDim; d++) {
                            score += q.get(qo + d) * k.get(kv + d);
                            dp += dOut.get(qo + d) * v.get(kv + d);
                        }
                        float p = (float) Math.exp(score * scale - lse.get((long) i * nHead + h));
                        float ds = p * (dp - delta.get((long) i * nHead + h)) * scale;
                        for (int d = 0; d < headDim; d++) {
                            dv.set(kv + d, dv.get(kv + d) + p * dOut.get(qo + d));
                            dk.set(kv + d, dk.get(kv + d) + ds * q.get(qo + d));
                        }
                    }
                }
            }
        }
    }
}
