// Exact causal grouped-query attention for training: online-softmax forward keeping only the output and the row
// logsumexp, and a FlashAttention-2 style backward that recomputes the scores.
package gale.kernels.train;

import gale.compute.FloatArray;
import gale.compute.Gale;
import gale.compute.Kernel;
import gale.compute.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Attention over a batch of nSeq sequences of seqLen tokens, token i = b·seqLen + t. q: (nTok, nHead·headDim),
 * k, v: (nTok, nKvHead·headDim); query head h reads KV head h / (nHead/nKvHead); scale 1/sqrt(headDim).
 * <p>Forward ({@link #forward}): per (token, head) an online softmax over positions s ≤ t — masked scores are never
 * computed and the T×T weights never stored; it keeps O and L = logsumexp of the row's scores.
 * <p>Backward: P_ts = exp(q_t·k_s·scale − L_t) is recomputed from q, k and L; with D_t = Σ_d dO_t·O_t
 * ({@link #backwardDelta}), dS_ts = P_ts·(dO_t·v_s − D_t) and dq_t = scale·Σ_s dS_ts·k_s ({@link #backwardQ},
 * one work-item per query row), dk_s = scale·Σ_{h in group, t ≥ s} dS_ts·q_t and dv_s = Σ P_ts·dO_t
 * ({@link #backwardKV}, one work-item per key row and KV head). Every gradient element is written by one work-item
 * summing in a fixed order: no atomics, bitwise reproducible. The {@code ...Simd} kernels are the jvm twins (same
 * algorithm, one work-item per query or key row, head-dimension loops over {@link FloatVector}).
 * Reference: {@code reference.TrainReference}.
 */
public final class TrainAttention {
    private TrainAttention() {}

    /** Below any real score: the running max before the first position. */
    static final float NO_SCORE = -3.4028235e38f;

    /** out, lse (nTok, nHead) as described above. */
    @Kernel(jvm = "forwardSimd")
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
    @Kernel(jvm = "backwardQSimd")
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
    @Kernel(jvm = "backwardKVSimd")
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

    // ---- jvm twins (Vector API over the head dimension; per-row accumulators in Java arrays) ----

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** {@link #forward} for the jvm: one work-item per token, all heads. */
    @Kernel(jvmOnly = true)
    public static void forwardSimd(FloatArray out, FloatArray lse, FloatArray q, FloatArray k, FloatArray v, int nTok,
                                   int seqLen, int nHead, int nKvHead, int headDim) {
        for (@Parallel int i = 0; i < nTok; i++) {
            TrainAttention.forwardRow(out.segment(), lse.segment(), q.segment(), k.segment(), v.segment(), i, seqLen, nHead, nKvHead, headDim);
        }
    }

    /** {@link #backwardQ} for the jvm: one work-item per token, all heads. */
    @Kernel(jvmOnly = true)
    public static void backwardQSimd(FloatArray dq, FloatArray dOut, FloatArray q, FloatArray k, FloatArray v, FloatArray lse,
                                     FloatArray delta, int nTok, int seqLen, int nHead, int nKvHead, int headDim) {
        for (@Parallel int i = 0; i < nTok; i++) {
            TrainAttention.backwardQRow(dq.segment(), dOut.segment(), q.segment(), k.segment(), v.segment(), lse.segment(),
                    delta.segment(), i, seqLen, nHead, nKvHead, headDim);
        }
    }

    /** {@link #backwardKV} for the jvm: one work-item per key token, all KV heads. */
    @Kernel(jvmOnly = true)
    public static void backwardKVSimd(FloatArray dk, FloatArray dv, FloatArray dOut, FloatArray q, FloatArray k, FloatArray v,
                                      FloatArray lse, FloatArray delta, int nTok, int seqLen, int nHead, int nKvHead, int headDim) {
        for (@Parallel int j = 0; j < nTok; j++) {
            TrainAttention.backwardKVRow(dk.segment(), dv.segment(), dOut.segment(), q.segment(), k.segment(), v.segment(),
                    lse.segment(), delta.segment(), j, seqLen, nHead, nKvHead, headDim);
        }
    }

    private static final java.lang.foreign.ValueLayout.OfFloat F = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Σ_d a[ao + d]·b[bo + d] over n floats (element offsets), vector lanes then a masked tail. */
    static float dot(MemorySegment a, long ao, MemorySegment b, long bo, int n) {
        FloatVector s = FloatVector.zero(S);
        for (int d = 0; d < n; d += S.length()) {
            VectorMask<Float> m = S.indexInRange(d, n);
            s = FloatVector.fromMemorySegment(S, a, (ao + d) * 4, ORDER, m).fma(FloatVector.fromMemorySegment(S, b, (bo + d) * 4, ORDER, m), s);
        }
        return s.reduceLanes(VectorOperators.ADD);
    }

    /** acc[d] = acc[d]·keep + alpha·x[xo + d] for d &lt; n. */
    static void axpy(float[] acc, float keep, float alpha, MemorySegment x, long xo, int n) {
        for (int d = 0; d < n; d += S.length()) {
            VectorMask<Float> m = S.indexInRange(d, n);
            FloatVector a = FloatVector.fromArray(S, acc, d, m);
            FloatVector.fromMemorySegment(S, x, (xo + d) * 4, ORDER, m).fma(FloatVector.broadcast(S, alpha), a.mul(keep)).intoArray(acc, d, m);
        }
    }

    static void forwardRow(MemorySegment out, MemorySegment lse, MemorySegment q, MemorySegment k, MemorySegment v, int i,
                           int seqLen, int nHead, int nKvHead, int headDim) {
        int kvDim = nKvHead * headDim, first = i - i % seqLen;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] acc = new float[headDim];
        for (int h = 0; h < nHead; h++) {
            int g = h / (nHead / nKvHead);
            long qo = ((long) i * nHead + h) * headDim;
            float m = NO_SCORE, l = 0f;
            java.util.Arrays.fill(acc, 0f);
            for (int s = first; s <= i; s++) {
                long kv = (long) s * kvDim + (long) g * headDim;
                float score = dot(q, qo, k, kv, headDim) * scale;
                float mNew = Math.max(m, score);
                float corr = (float) Math.exp(m - mNew), p = (float) Math.exp(score - mNew);
                l = l * corr + p;
                axpy(acc, corr, p, v, kv, headDim);
                m = mNew;
            }
            float inv = 1f / l;
            for (int d = 0; d < headDim; d++) out.setAtIndex(F, qo + d, acc[d] * inv);
            lse.setAtIndex(F, (long) i * nHead + h, m + (float) Math.log(l));
        }
    }

    static void backwardQRow(MemorySegment dq, MemorySegment dOut, MemorySegment q, MemorySegment k, MemorySegment v,
                             MemorySegment lse, MemorySegment delta, int i, int seqLen, int nHead, int nKvHead, int headDim) {
        int kvDim = nKvHead * headDim, first = i - i % seqLen;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] acc = new float[headDim];
        for (int h = 0; h < nHead; h++) {
            int g = h / (nHead / nKvHead);
            long qo = ((long) i * nHead + h) * headDim;
            float L = lse.getAtIndex(F, (long) i * nHead + h), D = delta.getAtIndex(F, (long) i * nHead + h);
            java.util.Arrays.fill(acc, 0f);
            for (int s = first; s <= i; s++) {
                long kv = (long) s * kvDim + (long) g * headDim;
                float p = (float) Math.exp(dot(q, qo, k, kv, headDim) * scale - L);
                float ds = p * (dot(dOut, qo, v, kv, headDim) - D) * scale;
                axpy(acc, 1f, ds, k, kv, headDim);
            }
            for (int d = 0; d < headDim; d++) dq.setAtIndex(F, qo + d, acc[d]);
        }
    }

    static void backwardKVRow(MemorySegment dk, MemorySegment dv, MemorySegment dOut, MemorySegment q, MemorySegment k,
                              MemorySegment v, MemorySegment lse, MemorySegment delta, int j, int seqLen, int nHead,
                              int nKvHead, int headDim) {
        int kvDim = nKvHead * headDim, last = j - j % seqLen + seqLen - 1, group = nHead / nKvHead;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] ak = new float[headDim], av = new float[headDim];
        for (int g = 0; g < nKvHead; g++) {
            long kv = (long) j * kvDim + (long) g * headDim;
            java.util.Arrays.fill(ak, 0f);
            java.util.Arrays.fill(av, 0f);
            for (int h = g * group; h < (g + 1) * group; h++) {
                for (int i = j; i <= last; i++) {
                    long qo = ((long) i * nHead + h) * headDim;
                    float p = (float) Math.exp(dot(q, qo, k, kv, headDim) * scale - lse.getAtIndex(F, (long) i * nHead + h));
                    float ds = p * (dot(dOut, qo, v, kv, headDim) - delta.getAtIndex(F, (long) i * nHead + h)) * scale;
                    axpy(av, 1f, p, dOut, qo, headDim);
                    axpy(ak, 1f, ds, q, qo, headDim);
                }
            }
            for (int d = 0; d < headDim; d++) {
                dk.setAtIndex(F, kv + d, ak[d]);
                dv.setAtIndex(F, kv + d, av[d]);
            }
        }
    }
}
