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

    // ---- jvm twins: one work-item per (sequence, head), scores of a query row vectorised across key positions ----

    /** {@link #forward} for the jvm: one work-item per sequence and query head. */
    @Kernel(jvmOnly = true)
    public static void forwardSimd(FloatArray out, FloatArray lse, FloatArray q, FloatArray k, FloatArray v, int nTok,
                                   int seqLen, int nHead, int nKvHead, int headDim) {
        for (@Parallel int bh = 0; bh < (nTok + seqLen - 1) / seqLen * nHead; bh++) {
            TrainAttention.forwardHead(out.segment(), lse.segment(), q.segment(), k.segment(), v.segment(), nTok, bh / nHead,
                    bh % nHead, seqLen, nHead, nKvHead, headDim);
        }
    }

    /** {@link #backwardQ} for the jvm: one work-item per sequence and query head. */
    @Kernel(jvmOnly = true)
    public static void backwardQSimd(FloatArray dq, FloatArray dOut, FloatArray q, FloatArray k, FloatArray v, FloatArray lse,
                                     FloatArray delta, int nTok, int seqLen, int nHead, int nKvHead, int headDim) {
        for (@Parallel int bh = 0; bh < (nTok + seqLen - 1) / seqLen * nHead; bh++) {
            TrainAttention.backwardQHead(dq.segment(), dOut.segment(), q.segment(), k.segment(), v.segment(), lse.segment(),
                    delta.segment(), nTok, bh / nHead, bh % nHead, seqLen, nHead, nKvHead, headDim);
        }
    }

    /** {@link #backwardKV} for the jvm: one work-item per sequence and KV head (summing the heads of its group in order). */
    @Kernel(jvmOnly = true)
    public static void backwardKVSimd(FloatArray dk, FloatArray dv, FloatArray dOut, FloatArray q, FloatArray k, FloatArray v,
                                      FloatArray lse, FloatArray delta, int nTok, int seqLen, int nHead, int nKvHead, int headDim) {
        for (@Parallel int bg = 0; bg < (nTok + seqLen - 1) / seqLen * nKvHead; bg++) {
            TrainAttention.backwardKVHead(dk.segment(), dv.segment(), dOut.segment(), q.segment(), k.segment(), v.segment(),
                    lse.segment(), delta.segment(), nTok, bg / nKvHead, bg % nKvHead, seqLen, nHead, nKvHead, headDim);
        }
    }

    private static final VectorSpecies<Float> S = TrainSimd.S;
    private static final int L = TrainSimd.L;
    private static final java.lang.foreign.ValueLayout.OfFloat F = TrainSimd.F;
    private static final FloatVector NEG = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);

    /**
     * Rows [t0, t0 + T) of head {@code head} of x (row stride {@code stride} floats) transposed into
     * out[d·ld + t] (ld ≥ T + L, so a full vector load at any t &lt; T stays inside; the padding is zero).
     */
    static float[] transpose(MemorySegment x, int t0, int T, int stride, int head, int headDim, int ld) {
        float[] out = new float[headDim * ld];
        for (int t = 0; t < T; t++) {
            long o = (long) (t0 + t) * stride + (long) head * headDim;
            for (int d = 0; d < headDim; d++) out[d * ld + t] = x.getAtIndex(F, o + d);
        }
        return out;
    }

    /** Σ_d x[xo + d]·colT[d·ld + s .. + L) in d order: L scores (or dot products) at once. */
    private static FloatVector dotCols(MemorySegment x, long xo, float[] colT, int ld, int s, int headDim) {
        FloatVector acc = FloatVector.zero(S);
        for (int d = 0; d < headDim; d++)
            acc = FloatVector.fromArray(S, colT, d * ld + s).fma(FloatVector.broadcast(S, x.getAtIndex(F, xo + d)), acc);
        return acc;
    }

    /** Σ_{s &lt; n} w[s]·x[xo + s·stride + d .. + L) (lanes d &lt; headDim), s in order. */
    private static FloatVector weightedRows(float[] w, int n, MemorySegment x, long xo, int stride, int d, VectorMask<Float> md) {
        FloatVector acc = FloatVector.zero(S);
        for (int s = 0; s < n; s++)
            acc = TrainSimd.load(x, xo + (long) s * stride + d, md).fma(FloatVector.broadcast(S, w[s]), acc);
        return acc;
    }

    static void forwardHead(MemorySegment out, MemorySegment lse, MemorySegment q, MemorySegment k, MemorySegment v, int nTok,
                            int b, int h, int seqLen, int nHead, int nKvHead, int headDim) {
        int t0 = b * seqLen, T = Math.min(seqLen, nTok - t0), ld = TrainSimd.roundUp(T) + L;
        int g = h / (nHead / nKvHead), kvDim = nKvHead * headDim;
        float scale = Gale.rsqrt((float) headDim);
        float[] kT = transpose(k, t0, T, kvDim, g, headDim, ld), p = new float[ld];
        long vo = (long) t0 * kvDim + (long) g * headDim;
        for (int t = 0; t < T; t++) {
            int i = t0 + t, n = t + 1;                       // keys 0..t of this sequence
            long qo = ((long) i * nHead + h) * headDim;
            FloatVector vmax = NEG;
            for (int s = 0; s < n; s += L) {
                FloatVector sc = dotCols(q, qo, kT, ld, s, headDim).mul(scale).blend(NEG, S.indexInRange(s, n).not());
                sc.intoArray(p, s);
                vmax = vmax.max(sc);
            }
            float m = vmax.reduceLanes(VectorOperators.MAX);  // max is exact in any order
            FloatVector sum = FloatVector.zero(S);
            for (int s = 0; s < n; s += L) {
                FloatVector e = TrainSimd.exp(FloatVector.fromArray(S, p, s).sub(m));
                e.intoArray(p, s);
                sum = sum.add(e);
            }
            float l = TrainSimd.sum(sum), inv = 1f / l;
            for (int d = 0; d < headDim; d += L) {
                VectorMask<Float> md = S.indexInRange(d, headDim);
                TrainSimd.store(weightedRows(p, n, v, vo, kvDim, d, md).mul(inv), out, qo + d, md);
            }
            lse.setAtIndex(F, (long) i * nHead + h, m + (float) Math.log(l));
        }
    }

    static void backwardQHead(MemorySegment dq, MemorySegment dOut, MemorySegment q, MemorySegment k, MemorySegment v,
                              MemorySegment lse, MemorySegment delta, int nTok, int b, int h, int seqLen, int nHead,
                              int nKvHead, int headDim) {
        int t0 = b * seqLen, T = Math.min(seqLen, nTok - t0), ld = TrainSimd.roundUp(T) + L;
        int g = h / (nHead / nKvHead), kvDim = nKvHead * headDim;
        float scale = Gale.rsqrt((float) headDim);
        float[] kT = transpose(k, t0, T, kvDim, g, headDim, ld), vT = transpose(v, t0, T, kvDim, g, headDim, ld), ds = new float[ld];
        long ko = (long) t0 * kvDim + (long) g * headDim;
        for (int t = 0; t < T; t++) {
            int i = t0 + t, n = t + 1;
            long qo = ((long) i * nHead + h) * headDim;
            float lt = lse.getAtIndex(F, (long) i * nHead + h), dt = delta.getAtIndex(F, (long) i * nHead + h);
            for (int s = 0; s < n; s += L) {
                FloatVector p = TrainSimd.exp(dotCols(q, qo, kT, ld, s, headDim).mul(scale).sub(lt));
                FloatVector dp = dotCols(dOut, qo, vT, ld, s, headDim);
                p.mul(dp.sub(dt)).mul(scale).blend(0f, S.indexInRange(s, n).not()).intoArray(ds, s);
            }
            for (int d = 0; d < headDim; d += L) {
                VectorMask<Float> md = S.indexInRange(d, headDim);
                TrainSimd.store(weightedRows(ds, n, k, ko, kvDim, d, md), dq, qo + d, md);
            }
        }
    }

    static void backwardKVHead(MemorySegment dk, MemorySegment dv, MemorySegment dOut, MemorySegment q, MemorySegment k,
                               MemorySegment v, MemorySegment lse, MemorySegment delta, int nTok, int b, int g, int seqLen,
                               int nHead, int nKvHead, int headDim) {
        int t0 = b * seqLen, T = Math.min(seqLen, nTok - t0), ld = TrainSimd.roundUp(T) + L;
        int group = nHead / nKvHead, kvDim = nKvHead * headDim, qDim = nHead * headDim;
        float scale = Gale.rsqrt((float) headDim);
        float[][] qT = new float[group][], oT = new float[group][], lRow = new float[group][ld], dRow = new float[group][ld];
        float[][] pr = new float[group][ld], dsr = new float[group][ld];
        for (int j = 0; j < group; j++) {
            int h = g * group + j;
            qT[j] = transpose(q, t0, T, qDim, h, headDim, ld);
            oT[j] = transpose(dOut, t0, T, qDim, h, headDim, ld);
            for (int t = 0; t < T; t++) {
                lRow[j][t] = lse.getAtIndex(F, (long) (t0 + t) * nHead + h);
                dRow[j][t] = delta.getAtIndex(F, (long) (t0 + t) * nHead + h);
            }
        }
        for (int s = 0; s < T; s++) {                        // key row s: queries t = s..T−1 of every head in the group
            long ko = ((long) t0 + s) * kvDim + (long) g * headDim;
            for (int j = 0; j < group; j++)
                for (int t = s; t < T; t += L) {
                    VectorMask<Float> out = S.indexInRange(t, T).not();
                    FloatVector p = TrainSimd.exp(dotCols(k, ko, qT[j], ld, t, headDim).mul(scale).sub(FloatVector.fromArray(S, lRow[j], t)));
                    FloatVector dp = dotCols(v, ko, oT[j], ld, t, headDim);
                    p = p.blend(0f, out);
                    p.intoArray(pr[j], t);
                    p.mul(dp.sub(FloatVector.fromArray(S, dRow[j], t))).mul(scale).blend(0f, out).intoArray(dsr[j], t);
                }
            for (int d = 0; d < headDim; d += L) {
                VectorMask<Float> md = S.indexInRange(d, headDim);
                FloatVector ak = FloatVector.zero(S), av = FloatVector.zero(S);
                for (int j = 0; j < group; j++) {
                    long qo = ((long) t0 * nHead + g * group + j) * headDim;
                    for (int t = s; t < T; t++) {
                        long o = qo + (long) t * qDim + d;
                        av = TrainSimd.load(dOut, o, md).fma(FloatVector.broadcast(S, pr[j][t]), av);
                        ak = TrainSimd.load(q, o, md).fma(FloatVector.broadcast(S, dsr[j][t]), ak);
                    }
                }
                TrainSimd.store(ak, dk, ko + d, md);
                TrainSimd.store(av, dv, ko + d, md);
            }
        }
    }
}
