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
 * ({@link #backwardDelta}), dS_ts = P_ts·(dO_t·v_s − D_t) and dq_t = scale·Σ_s dS_ts·k_s ({@link #dqAt},
 * per query row), dk_s = scale·Σ_{h in group, t ≥ s} dS_ts·q_t and dv_s = Σ P_ts·dO_t ({@link #dkvAt}, per key row
 * and KV head), all three in one launch ({@link #backward}). Every gradient element is written by one work-item
 * summing in a fixed order: no atomics, bitwise reproducible. The {@code ...Simd} kernels are the jvm twins (same
 * algorithm, one work-item per sequence and head, score loops over {@link FloatVector}).
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

    /**
     * dq (nTok, nHead·headDim), dk, dv (nTok, nKvHead·headDim), all overwritten, in one launch: work-item (i, h)
     * writes dq[i, h] ({@link #dqAt}) and, for h &lt; nKvHead, dk[i, h] and dv[i, h] ({@link #dkvAt}). Its jvm twin
     * computes each sequence's and head's softmax weights and their gradients once for all three.
     */
    @Kernel(jvm = "backwardSimd")
    public static void backward(FloatArray dq, FloatArray dk, FloatArray dv, FloatArray dOut, FloatArray q, FloatArray k,
                                FloatArray v, FloatArray lse, FloatArray delta, int nTok, int seqLen, int nHead, int nKvHead,
                                int headDim) {
        for (@Parallel int i = 0; i < nTok; i++) {
            for (@Parallel int h = 0; h < nHead; h++) {
                TrainAttention.dqAt(dq, dOut, q, k, v, lse, delta, i, h, seqLen, nHead, nKvHead, headDim);
                if (h < nKvHead) TrainAttention.dkvAt(dk, dv, dOut, q, k, v, lse, delta, i, h, seqLen, nHead, nKvHead, headDim);
            }
        }
    }

    /** dq[i, h] = scale·Σ_{s ≤ i} dS_is·k_s (positions in order). */
    static void dqAt(FloatArray dq, FloatArray dOut, FloatArray q, FloatArray k, FloatArray v, FloatArray lse,
                     FloatArray delta, int i, int h, int seqLen, int nHead, int nKvHead, int headDim) {
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

    /** dk[j, g], dv[j, g]: heads of the group, then positions t ≥ j, in order. */
    static void dkvAt(FloatArray dk, FloatArray dv, FloatArray dOut, FloatArray q, FloatArray k, FloatArray v,
                      FloatArray lse, FloatArray delta, int j, int g, int seqLen, int nHead, int nKvHead, int headDim) {
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

    /** {@link #backward} for the jvm: one work-item per sequence and KV head, P and dS computed once per query head. */
    @Kernel(jvmOnly = true)
    public static void backwardSimd(FloatArray dq, FloatArray dk, FloatArray dv, FloatArray dOut, FloatArray q, FloatArray k,
                                    FloatArray v, FloatArray lse, FloatArray delta, int nTok, int seqLen, int nHead, int nKvHead,
                                    int headDim) {
        for (@Parallel int bg = 0; bg < (nTok + seqLen - 1) / seqLen * nKvHead; bg++) {
            TrainAttention.backwardGroup(dq.segment(), dk.segment(), dv.segment(), dOut.segment(), q.segment(), k.segment(),
                    v.segment(), lse.segment(), delta.segment(), nTok, bg / nKvHead, bg % nKvHead, seqLen, nHead, nKvHead, headDim);
        }
    }

    private static final VectorSpecies<Float> S = TrainSimd.S;
    private static final int L = TrainSimd.L;
    private static final java.lang.foreign.ValueLayout.OfFloat F = TrainSimd.F;

    /**
     * Rows [t0, t0 + T) of head {@code head} of x (row stride {@code stride} floats) transposed into
     * out[d·ld + t] (ld ≥ T + L, so a full vector load at any t &lt; T stays inside; the padding is zero).
     */
    static float[] transpose(MemorySegment x, long t0, int T, int stride, int head, int headDim, int ld, float[] out) {
        for (int d = 0; d < headDim; d++) java.util.Arrays.fill(out, d * ld + T, (d + 1) * ld, 0f);
        for (int t = 0; t < T; t++) {
            long o = (long) (t0 + t) * stride + (long) head * headDim;
            for (int d = 0; d < headDim; d++) out[d * ld + t] = x.getAtIndex(F, o + d);
        }
        return out;
    }

    /**
     * Per-thread work arrays of the twins, reused across launches: allocating them per (sequence, head) was 0.7 GB/s
     * of garbage in a training step. {@link #get} returns one of at least n floats, zeroed up to n when asked, since
     * the twins rely on zeros past what they write (see the comments at their uses).
     */
    private static final class Scratch {
        private final float[][] arrays = new float[10][];

        float[] get(int slot, int n, boolean zero) {
            float[] a = arrays[slot];
            if (a == null || a.length < n) return arrays[slot] = new float[n];   // new arrays are zero
            if (zero) java.util.Arrays.fill(a, 0, n, 0f);
            return a;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final float[] ZERO4 = new float[4];

    // The helpers below pass arrays and segments, never vectors: a FloatVector that crosses a call the JIT does not
    // inline is boxed on the heap, so each helper keeps its vectors inside its own loops.

    /**
     * dst[r·ld + s] = scale·Σ_d x[xo + r·xStride + d]·colT[d·ld + s] − shift[r] for 4 rows r (the rows past
     * {@code rows} repeat the last) and positions s in [0, to), to a multiple of 2L (d in order): rows of scores (or of
     * dO·v) at L positions per vector. Each load of colT feeds 8 independent accumulators; one row at a time was two
     * dependent FMA chains of headDim steps (latency-bound; TwinProbe in bench/RESULTS.md).
     */
    static void scores4(MemorySegment x, long xo, long xStride, int rows, float[] colT, int ld, int to, int headDim,
                        float scale, float[] shift, float[] dst) {
        long x0 = xo, x1 = xo + Math.min(1, rows - 1) * xStride, x2 = xo + Math.min(2, rows - 1) * xStride, x3 = xo + Math.min(3, rows - 1) * xStride;
        float h0 = shift[0], h1 = shift[Math.min(1, rows - 1)], h2 = shift[Math.min(2, rows - 1)], h3 = shift[Math.min(3, rows - 1)];
        for (int s = 0; s < to; s += 2 * L) {
            FloatVector a0 = FloatVector.zero(S), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
            for (int d = 0; d < headDim; d++) {
                FloatVector ka = FloatVector.fromArray(S, colT, d * ld + s), kb = FloatVector.fromArray(S, colT, d * ld + s + L);
                FloatVector e = FloatVector.broadcast(S, x.getAtIndex(F, x0 + d));
                a0 = ka.fma(e, a0);
                b0 = kb.fma(e, b0);
                e = FloatVector.broadcast(S, x.getAtIndex(F, x1 + d));
                a1 = ka.fma(e, a1);
                b1 = kb.fma(e, b1);
                e = FloatVector.broadcast(S, x.getAtIndex(F, x2 + d));
                a2 = ka.fma(e, a2);
                b2 = kb.fma(e, b2);
                e = FloatVector.broadcast(S, x.getAtIndex(F, x3 + d));
                a3 = ka.fma(e, a3);
                b3 = kb.fma(e, b3);
            }
            a0.mul(scale).sub(h0).intoArray(dst, s);
            b0.mul(scale).sub(h0).intoArray(dst, s + L);
            a1.mul(scale).sub(h1).intoArray(dst, ld + s);
            b1.mul(scale).sub(h1).intoArray(dst, ld + s + L);
            a2.mul(scale).sub(h2).intoArray(dst, 2 * ld + s);
            b2.mul(scale).sub(h2).intoArray(dst, 2 * ld + s + L);
            a3.mul(scale).sub(h3).intoArray(dst, 3 * ld + s);
            b3.mul(scale).sub(h3).intoArray(dst, 3 * ld + s + L);
        }
    }

    /**
     * acc[r·aStride + d] += Σ_{t in [from, to)} w[r·wStride + t]·x[xo + t·stride + d] for r &lt; 4, d &lt; headDim: four
     * rows sharing each load of x (t in order per lane).
     */
    static void addWeightedRows4(float[] acc, int aStride, float[] w, int wStride, int from, int to, MemorySegment x, long xo,
                                 int stride, int headDim) {
        addWeightedRows4Off(acc, 0, aStride, w, 0, wStride, from, to, x, xo, stride, headDim);
    }

    /** {@link #addWeightedRows4} with acc rows from ao and w rows from wo. */
    static void addWeightedRows4Off(float[] acc, int ao, int aStride, float[] w, int wo, int wStride, int from, int to,
                                    MemorySegment x, long xo, int stride, int headDim) {
        for (int d = 0; d < headDim; d += L) {
            VectorMask<Float> md = S.indexInRange(d, headDim);
            int a = ao + d;
            FloatVector a0 = FloatVector.fromArray(S, acc, a), a1 = FloatVector.fromArray(S, acc, a + aStride);
            FloatVector a2 = FloatVector.fromArray(S, acc, a + 2 * aStride), a3 = FloatVector.fromArray(S, acc, a + 3 * aStride);
            for (int t = from; t < to; t++) {
                FloatVector xv = TrainSimd.load(x, xo + (long) t * stride + d, md);
                a0 = xv.fma(FloatVector.broadcast(S, w[wo + t]), a0);
                a1 = xv.fma(FloatVector.broadcast(S, w[wo + wStride + t]), a1);
                a2 = xv.fma(FloatVector.broadcast(S, w[wo + 2 * wStride + t]), a2);
                a3 = xv.fma(FloatVector.broadcast(S, w[wo + 3 * wStride + t]), a3);
            }
            a0.intoArray(acc, a);
            a1.intoArray(acc, a + aStride);
            a2.intoArray(acc, a + 2 * aStride);
            a3.intoArray(acc, a + 3 * aStride);
        }
    }

    /** ds[s] = p[s]·(ds[s] − D)·scale for s in [from, to) (ds holds dO·v on entry). */
    static void dScores(float[] p, float[] ds, float D, int from, int to, float scale) {
        for (int s = from; s < to; s += L)
            FloatVector.fromArray(S, p, s).mul(FloatVector.fromArray(S, ds, s).sub(D)).mul(scale).intoArray(ds, s);
    }

    /** Row stride of the transposed tiles: room for two vectors past any position (padding zero). */
    private static int ld(int T) { return TrainSimd.roundUp(T) + 2 * L; }

    /** Positions [from, to) rounded up to whole pairs of vectors (what {@link #scores4} computes). */
    private static int end(int from, int to) { return from + (to - from + 2 * L - 1) / (2 * L) * (2 * L); }

    static void forwardHead(MemorySegment out, MemorySegment lse, MemorySegment q, MemorySegment k, MemorySegment v, int nTok,
                            int b, int h, int seqLen, int nHead, int nKvHead, int headDim) {
        int t0 = b * seqLen;
        causalHead(out, lse, q, k, v, t0, t0, 0, Math.min(seqLen, nTok - t0), h, nHead, nKvHead, headDim);
    }

    /**
     * Causal attention of query head h for T queries at positions p0..p0+T−1 over keys 0..p0+T−1: q and out rows
     * qRow0.. (nHead·headDim wide), k and v rows kvRow0.. (nKvHead·headDim wide, key position s at row kvRow0 + s),
     * lse (row-major (row, head); null to skip) = log Σ e^score. All of a head's keys are transposed once, then 4
     * queries at a time get their scores as vectors over positions and share the loads of v. Training calls it per
     * sequence (p0 = 0); inference prefill per head, with the KV cache's layer block as k and v. Thread-safe.
     */
    public static void causalHead(MemorySegment out, MemorySegment lse, MemorySegment q, MemorySegment k, MemorySegment v,
                                  long qRow0, long kvRow0, int p0, int T, int h, int nHead, int nKvHead, int headDim) {
        int K = p0 + T, ld = ld(K), hp = TrainSimd.roundUp(headDim);
        int g = h / (nHead / nKvHead), kvDim = nKvHead * headDim;
        float scale = Gale.rsqrt((float) headDim);
        Scratch w = SCRATCH.get();
        float[] kT = transpose(k, kvRow0, K, kvDim, g, headDim, ld, w.get(0, headDim * ld, false)), p = w.get(1, 4 * ld, true),
                acc = w.get(2, 4 * hp, false), inv = w.get(3, 4, false);
        long vo = kvRow0 * kvDim + (long) g * headDim;
        for (int t = 0; t < T; t += 4) {                     // 4 query rows share the loads of v
            int rows = Math.min(4, T - t);
            // scores of the 4 rows up to the last row's end; each row's positions past its keys become −∞, then 0
            int e = end(0, p0 + t + rows);
            scores4(q, ((qRow0 + t) * nHead + h) * headDim, (long) nHead * headDim, rows, kT, ld, e, headDim, scale, ZERO4, p);
            for (int r = 0; r < rows; r++) {
                long i = qRow0 + t + r;
                int n = p0 + t + r + 1, po = r * ld;           // keys 0..p0+t+r; p is 0 in [n, p0 + t + 4)
                java.util.Arrays.fill(p, po + n, po + e, Float.NEGATIVE_INFINITY);
                float m = TrainSimd.max(p, po, po + e);
                float l = TrainSimd.expSum(p, po, po + e, m);
                inv[r] = 1f / l;
                if (lse != null) lse.setAtIndex(F, i * nHead + h, m + (float) Math.log(l));
            }
            java.util.Arrays.fill(acc, 0f);
            addWeightedRows4(acc, hp, p, ld, 0, p0 + t + rows, v, vo, kvDim, headDim);
            for (int r = 0; r < rows; r++) {
                long qo = ((qRow0 + t + r) * nHead + h) * headDim;
                for (int d = 0; d < headDim; d++) out.setAtIndex(F, qo + d, acc[r * hp + d] * inv[r]);
            }
        }
    }

    /**
     * dq, dk, dv of sequence b, KV head g: per query head j of the group and query row t, the rows P_t· and dS_t·
     * give dq_t (as {@link #dqAt}); they are also stored transposed (pT[s][t], dsT[s][t]) so that dk_s and dv_s sum
     * over heads of the group, then t ≥ s, in order (as {@link #dkvAt}).
     */
    static void backwardGroup(MemorySegment dq, MemorySegment dk, MemorySegment dv, MemorySegment dOut, MemorySegment q,
                              MemorySegment k, MemorySegment v, MemorySegment lse, MemorySegment delta, int nTok, int b, int g,
                              int seqLen, int nHead, int nKvHead, int headDim) {
        int t0 = b * seqLen, T = Math.min(seqLen, nTok - t0), ld = ld(T), hp = TrainSimd.roundUp(headDim);
        int group = nHead / nKvHead, kvDim = nKvHead * headDim, qDim = nHead * headDim;
        float scale = Gale.rsqrt((float) headDim);
        Scratch w = SCRATCH.get();
        float[] kT = transpose(k, t0, T, kvDim, g, headDim, ld, w.get(0, headDim * ld, false)),
                vT = transpose(v, t0, T, kvDim, g, headDim, ld, w.get(1, headDim * ld, false));
        float[] p = w.get(2, 4 * ld, true), ds = w.get(3, 4 * ld, true), acc = w.get(4, 4 * hp, false), lt = w.get(9, 4, false);
        int Tp = T + 4;                                      // rows of the transposed tiles, padded for the last group of 4
        float[] pT = w.get(5, Tp * ld, true), dsT = w.get(6, Tp * ld, true), ak = w.get(7, Tp * hp, true), av = w.get(8, Tp * hp, true);
        long ko = (long) t0 * kvDim + (long) g * headDim;
        for (int j = 0; j < group; j++) {
            int h = g * group + j;
            long qh = ((long) t0 * nHead + h) * headDim;        // row t of head h: qh + t·qDim
            for (int t = 0; t < T; t += 4) {
                int rows = Math.min(4, T - t), e = end(0, t + rows);
                for (int r = 0; r < rows; r++) lt[r] = lse.getAtIndex(F, (long) (t0 + t + r) * nHead + h);
                // the 4 rows' scores and dO·v up to the last row's end (scores4); past a row's keys p is 0, so ds is too
                scores4(q, qh + (long) t * qDim, qDim, rows, kT, ld, e, headDim, scale, lt, p);
                scores4(dOut, qh + (long) t * qDim, qDim, rows, vT, ld, e, headDim, 1f, ZERO4, ds);
                for (int r = 0; r < rows; r++) {
                    int tt = t + r, i = t0 + tt, n = tt + 1, po = r * ld;
                    float dt = delta.getAtIndex(F, (long) i * nHead + h);
                    java.util.Arrays.fill(p, po + n, po + e, Float.NEGATIVE_INFINITY);
                    TrainSimd.expSum(p, po, po + e, 0f);
                    dScores(p, ds, dt, po, po + e, scale);
                    for (int s = 0; s < n; s++) {
                        pT[s * ld + tt] = p[po + s];
                        dsT[s * ld + tt] = ds[po + s];
                    }
                }
                java.util.Arrays.fill(acc, 0f);
                addWeightedRows4(acc, hp, ds, ld, 0, t + rows, k, ko, kvDim, headDim);   // ds is 0 in [n, t + 4)
                for (int r = 0; r < rows; r++) {
                    long qo = qh + (long) (t + r) * qDim;
                    for (int d = 0; d < headDim; d++) dq.setAtIndex(F, qo + d, acc[r * hp + d]);
                }
            }
            for (int s = 0; s < T; s += 4) {                 // pT[s'][t] is 0 for t < s'
                addWeightedRows4Off(av, s * hp, hp, pT, s * ld, ld, s, T, dOut, qh, qDim, headDim);
                addWeightedRows4Off(ak, s * hp, hp, dsT, s * ld, ld, s, T, q, qh, qDim, headDim);
            }
        }
        for (int s = 0; s < T; s++) {
            long o = ko + (long) s * kvDim;
            for (int d = 0; d < headDim; d++) {
                dk.setAtIndex(F, o + d, ak[s * hp + d]);
                dv.setAtIndex(F, o + d, av[s * hp + d]);
            }
        }
    }
}
