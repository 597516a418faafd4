// Vector API code behind the jvm twins of attention and RoPE: one (token, head) per call, scores in a scratch row.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.Gale;
import gale.compute.GaleArray;
import gale.compute.IntArray;
import gale.kernels.train.TrainAttention;
import gale.kernels.train.TrainSimd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static gale.kernels.LinearSimd.F;
import static gale.kernels.LinearSimd.FL;
import static gale.kernels.LinearSimd.HALF;
import static gale.kernels.LinearSimd.L;
import static gale.kernels.LinearSimd.NATIVE;

/**
 * Plain Java (not kernels) called by {@link Attention}'s and {@link Rope}'s {@code ...Simd} jvm twins.
 *
 * <p>Attention of one query head at one token, in three passes over a per-thread scratch row instead of the portable
 * kernel's online softmax: all scores q·k (vector dot products), then p = exp(score − max), then out = Σ p·v / Σ p with the head's output in vector registers. Same maths, different rounding;
 * the conformance cases hold both kernels to the same reference. The twins visit (token, head) pairs in an order that
 * interleaves short and long causal rows, so the contiguous chunks the jvm backend splits a launch into get even work.
 *
 * <p>RoPE computes each (position, frequency) rotation once per token instead of once per head, and a thread keeps the
 * last position's rotations for the next layers' launches; the arithmetic is the
 * portable kernel's, so results are bit-identical. Thread-safe: scratch is per thread.
 */
public final class AttentionSimd {
    private AttentionSimd() {}

    private static final class Scratch {
        float[] scores = new float[0], cos = new float[0], sin = new float[0], kRow = new float[0], vRow = new float[0], acc = new float[0];
        // freq holds each pair's frequency for these parameters and frequency factors (the same for every position:
        // a prompt pays pow once per launch), cos/sin the rotations of position ropePosition (decode asks for the same
        // position once per layer; pow, cos and sin were half of a one-token call: 2.6 → 1.4 µs)
        int ropePosition = -1, ropePairs = -1, ropeRotDim;
        float ropeBase;
        float[] ropeFactors = new float[0], freq = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Batches of at least this many tokens run {@link #prompt} per head; smaller ones {@link #head} per (token, head). */
    static final int BATCHED = 4;

    /** Work-items of an F32-cache attention launch of nTok tokens: heads, or (token, head) pairs (see {@link #BATCHED}). */
    static int items(int nTok, int nHead) { return nTok >= BATCHED ? nHead : nTok * nHead; }

    /**
     * All nTok queries of head h of a prompt batch (positions pos[0].. of the F32 caches' layer block): the training
     * twins' causal attention ({@link TrainAttention#causalHead}), which transposes the head's keys once and scores 4
     * queries at a time as vectors over positions (512 tokens on one core: 37–48 → 4.6 ms against one work-item per
     * (token, head); TwinProbe in bench/RESULTS.md).
     */
    static void prompt(FloatArray out, FloatArray q, FloatArray keyCache, FloatArray valueCache, IntArray pos, int layer,
                       int nTok, int h, int nHead, int nKvHead, int headDim, int maxSeq) {
        TrainAttention.causalHead(out.segment(), null, q.segment(), keyCache.segment(), valueCache.segment(), 0,
                (long) layer * maxSeq, pos.get(0), nTok, h, nHead, nKvHead, headDim);
    }

    /** The token of work-item {@code i} of a (token, head) launch: even pair-indices count up, odd ones down. */
    public static int token(int i, int nTok, int nHead) {
        int k = i / nHead;
        return k % 2 == 0 ? k / 2 : nTok - 1 - k / 2;
    }

    /**
     * out[t, h] = softmax(q[t, h]·K[0..last]ᵀ / √headDim)·V[0..last] for one query head: the F32 (half = false) or
     * F16 cache of {@link Attention#attention}'s layout.
     */
    public static void head(FloatArray out, FloatArray q, GaleArray keyCache, GaleArray valueCache, IntArray pos, boolean half,
                            int layer, int t, int h, int nHead, int nKvHead, int headDim, int maxSeq) {
        int kvDim = nKvHead * headDim;
        int last = pos.get(0) + t;                              // attends to positions 0..last
        int g = h / (nHead / nKvHead);
        long qo = ((long) t * nHead + h) * headDim;
        long kv0 = (long) layer * maxSeq * kvDim + (long) g * headDim;
        MemorySegment qs = q.segment(), ks = keyCache.segment(), vs = valueCache.segment(), os = out.segment();
        float scale = Gale.rsqrt((float) headDim);
        int n = last + 1;
        int nv = (n + 63) & ~63;                                // whole vectors of any width, for the vector exp
        Scratch sc = SCRATCH.get();
        if (sc.scores.length < nv) sc.scores = new float[Math.max(nv, 2 * sc.scores.length)];
        if (sc.acc.length < headDim) { sc.kRow = new float[headDim]; sc.vRow = new float[headDim]; sc.acc = new float[headDim]; }
        float[] p = sc.scores;

        float m = scores(qs, ks, half, qo, kv0, kvDim, headDim, n, scale, p, sc.kRow);
        // p = exp(score − max) and Σ p, with the training twins' vector exp (plain IEEE arithmetic, so the same bits
        // interpreted and compiled, unlike the Vector API's EXP; ≤ 2 ulp). Scalar Math.exp was half the decode time.
        java.util.Arrays.fill(p, n, nv, Float.NEGATIVE_INFINITY);
        float total = TrainSimd.expSum(p, 0, nv, m);
        weightedSum(vs, os, half, qo, kv0, kvDim, headDim, n, 1f / total, p, sc.vRow, sc.acc);
    }

    // (Separate methods whose vector code calls only the JDK's vector methods, so nothing is boxed; see LinearSimd.)

    /** p[s] = q·K[s]·scale for s &lt; n; returns the maximum. F16 keys are converted a row at a time into kRow. */
    static float scores(MemorySegment qs, MemorySegment ks, boolean half, long qo, long kv0, int kvDim, int headDim, int n,
                        float scale, float[] p, float[] kRow) {
        int eb = half ? 2 : 4, full = headDim - headDim % L;
        float m = Attention.NO_SCORE;
        int s = 0;
        // F32 keys: four positions per pass, each with its own accumulator summed exactly as the one-position loop
        // below (so the same bits), which otherwise waits on one FMA chain and one lane tree per position
        for (; !half && s + 4 <= n; s += 4) {
            long k0 = (kv0 + (long) s * kvDim) * 4, k1 = k0 + 4L * kvDim, k2 = k1 + 4L * kvDim, k3 = k2 + 4L * kvDim;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < full; d += L) {
                FloatVector qv = FloatVector.fromMemorySegment(F, qs, (qo + d) * 4, NATIVE);
                a0 = FloatVector.fromMemorySegment(F, ks, k0 + d * 4L, NATIVE).fma(qv, a0);
                a1 = FloatVector.fromMemorySegment(F, ks, k1 + d * 4L, NATIVE).fma(qv, a1);
                a2 = FloatVector.fromMemorySegment(F, ks, k2 + d * 4L, NATIVE).fma(qv, a2);
                a3 = FloatVector.fromMemorySegment(F, ks, k3 + d * 4L, NATIVE).fma(qv, a3);
            }
            if (L == 16) {
                a0 = a0.add(a0.rearrange(LinearSimd.X8));
                a1 = a1.add(a1.rearrange(LinearSimd.X8));
                a2 = a2.add(a2.rearrange(LinearSimd.X8));
                a3 = a3.add(a3.rearrange(LinearSimd.X8));
            }
            a0 = a0.add(a0.rearrange(LinearSimd.X4));
            a1 = a1.add(a1.rearrange(LinearSimd.X4));
            a2 = a2.add(a2.rearrange(LinearSimd.X4));
            a3 = a3.add(a3.rearrange(LinearSimd.X4));
            a0 = a0.add(a0.rearrange(LinearSimd.X2));
            a1 = a1.add(a1.rearrange(LinearSimd.X2));
            a2 = a2.add(a2.rearrange(LinearSimd.X2));
            a3 = a3.add(a3.rearrange(LinearSimd.X2));
            float d0 = a0.add(a0.rearrange(LinearSimd.X1)).lane(0), d1 = a1.add(a1.rearrange(LinearSimd.X1)).lane(0);
            float d2 = a2.add(a2.rearrange(LinearSimd.X1)).lane(0), d3 = a3.add(a3.rearrange(LinearSimd.X1)).lane(0);
            for (int d = full; d < headDim; d++) {
                float qd = qs.get(FL, (qo + d) * 4);
                d0 += qd * ks.get(FL, k0 + d * 4L);
                d1 += qd * ks.get(FL, k1 + d * 4L);
                d2 += qd * ks.get(FL, k2 + d * 4L);
                d3 += qd * ks.get(FL, k3 + d * 4L);
            }
            p[s] = d0 * scale;
            p[s + 1] = d1 * scale;
            p[s + 2] = d2 * scale;
            p[s + 3] = d3 * scale;
            m = Math.max(m, Math.max(Math.max(p[s], p[s + 1]), Math.max(p[s + 2], p[s + 3])));
        }
        for (; s < n; s++) {
            long kb = (kv0 + (long) s * kvDim) * eb;
            // one vector loop per key type, each storing its own accumulator: a vector assigned on both branches of
            // an if and used after it is boxed by C2 (seen as 100 MB/s of garbage in prefill)
            float dot;
            if (half) {
                LinearSimd.widen(ks, kb, kRow, headDim);
                FloatVector acc = FloatVector.zero(F);
                for (int d = 0; d < full; d += L)
                    acc = FloatVector.fromArray(F, kRow, d).fma(FloatVector.fromMemorySegment(F, qs, (qo + d) * 4, NATIVE), acc);
                if (L == 16) acc = acc.add(acc.rearrange(LinearSimd.X8));     // LinearSimd's pairwise lane sum
                acc = acc.add(acc.rearrange(LinearSimd.X4));
                acc = acc.add(acc.rearrange(LinearSimd.X2));
                dot = acc.add(acc.rearrange(LinearSimd.X1)).lane(0);
            } else {
                FloatVector acc = FloatVector.zero(F);
                for (int d = 0; d < full; d += L)
                    acc = FloatVector.fromMemorySegment(F, ks, kb + d * 4L, NATIVE).fma(FloatVector.fromMemorySegment(F, qs, (qo + d) * 4, NATIVE), acc);
                if (L == 16) acc = acc.add(acc.rearrange(LinearSimd.X8));
                acc = acc.add(acc.rearrange(LinearSimd.X4));
                acc = acc.add(acc.rearrange(LinearSimd.X2));
                dot = acc.add(acc.rearrange(LinearSimd.X1)).lane(0);
            }
            for (int d = full; d < headDim; d++) dot += qs.get(FL, (qo + d) * 4) * (half ? kRow[d] : ks.get(FL, kb + d * 4L));
            float score = dot * scale;
            p[s] = score;
            m = Math.max(m, score);
        }
        return m;
    }

    /** out[qo + d] = inv · Σ_s p[s]·V[s, d]: rows of V in order, added into acc (headDim floats); F16 rows via vRow. */
    static void weightedSum(MemorySegment vs, MemorySegment os, boolean half, long qo, long kv0, int kvDim, int headDim, int n,
                            float inv, float[] p, float[] vRow, float[] acc) {
        int eb = half ? 2 : 4, full = headDim - headDim % L;
        if (!half) {
            // F32 rows: the output in vector registers, four vectors per pass over the positions (s in order per
            // element, as below); accumulating in memory made each position wait on a store and a reload
            int d = 0;
            for (; d + 4 * L <= full; d += 4 * L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int s = 0; s < n; s++) {
                    long vb = (kv0 + (long) s * kvDim + d) * 4;
                    FloatVector ps = FloatVector.broadcast(F, p[s]);
                    a0 = FloatVector.fromMemorySegment(F, vs, vb, NATIVE).fma(ps, a0);
                    a1 = FloatVector.fromMemorySegment(F, vs, vb + 4L * L, NATIVE).fma(ps, a1);
                    a2 = FloatVector.fromMemorySegment(F, vs, vb + 8L * L, NATIVE).fma(ps, a2);
                    a3 = FloatVector.fromMemorySegment(F, vs, vb + 12L * L, NATIVE).fma(ps, a3);
                }
                a0.mul(inv).intoMemorySegment(os, (qo + d) * 4, NATIVE);
                a1.mul(inv).intoMemorySegment(os, (qo + d + L) * 4, NATIVE);
                a2.mul(inv).intoMemorySegment(os, (qo + d + 2 * L) * 4, NATIVE);
                a3.mul(inv).intoMemorySegment(os, (qo + d + 3 * L) * 4, NATIVE);
            }
            for (; d < full; d += L) {
                FloatVector a0 = FloatVector.zero(F);
                for (int s = 0; s < n; s++)
                    a0 = FloatVector.fromMemorySegment(F, vs, (kv0 + (long) s * kvDim + d) * 4, NATIVE).fma(FloatVector.broadcast(F, p[s]), a0);
                a0.mul(inv).intoMemorySegment(os, (qo + d) * 4, NATIVE);
            }
            for (; d < headDim; d++) {
                float a = 0f;
                for (int s = 0; s < n; s++) a += p[s] * vs.get(FL, (kv0 + (long) s * kvDim + d) * 4);
                os.set(FL, (qo + d) * 4, a * inv);
            }
            return;
        }
        java.util.Arrays.fill(acc, 0, headDim, 0f);                // F16 rows: each widened into vRow first
        for (int s = 0; s < n; s++) {
            FloatVector ps = FloatVector.broadcast(F, p[s]);
            LinearSimd.widen(vs, (kv0 + (long) s * kvDim) * eb, vRow, headDim);
            for (int d = 0; d < full; d += L)
                FloatVector.fromArray(F, vRow, d).fma(ps, FloatVector.fromArray(F, acc, d)).intoArray(acc, d);
            for (int d = full; d < headDim; d++) acc[d] += p[s] * vRow[d];
        }
        for (int d = 0; d < headDim; d++) os.set(FL, (qo + d) * 4, acc[d] * inv);
    }

    /** Whether sc's frequencies are those ropeToCache needs (same shape, base and factor bits). */
    private static boolean sameFrequencies(Scratch sc, FloatArray freqFactors, int pairs, int rotDim, float base) {
        if (sc.ropePairs != pairs || sc.ropeRotDim != rotDim || Float.floatToRawIntBits(sc.ropeBase) != Float.floatToRawIntBits(base)) return false;
        for (int pi = 0; pi < pairs && 2 * pi < rotDim; pi++)
            if (Float.floatToRawIntBits(sc.ropeFactors[pi]) != Float.floatToRawIntBits(freqFactors.get(pi))) return false;
        return true;
    }

    private static float element(MemorySegment seg, long off, boolean half) {
        return half ? Float.float16ToFloat(seg.get(HALF, off)) : seg.get(FL, off);
    }

    /**
     * {@link Rope#ropeToCache} (half = false) or {@link Rope#ropeToCacheF16} for token t: rotates q and k in place and
     * writes k and v into the caches at the token's position.
     */
    public static void ropeToCache(FloatArray q, FloatArray k, FloatArray v, GaleArray keyCache, GaleArray valueCache,
                                   IntArray pos, FloatArray freqFactors, boolean half, int layer, int t, int nHead,
                                   int nKvHead, int headDim, int rotDim, int maxSeq, float base) {
        int kvDim = nKvHead * headDim, position = pos.get(0) + t, pairs = headDim / 2;
        Scratch sc = SCRATCH.get();
        if (!sameFrequencies(sc, freqFactors, pairs, rotDim, base)) {
            if (sc.freq.length < pairs) { sc.cos = new float[pairs]; sc.sin = new float[pairs]; sc.ropeFactors = new float[pairs]; sc.freq = new float[pairs]; }
            for (int pi = 0; pi < pairs; pi++) {                // the portable kernel's frequency (its exact float)
                int i = 2 * pi;
                sc.freq[pi] = i < rotDim ? Rope.ropeFrequency(freqFactors, i, rotDim, base) : 0f;
                sc.ropeFactors[pi] = i < rotDim ? freqFactors.get(i / 2) : 0f;
            }
            sc.ropePairs = pairs;
            sc.ropeRotDim = rotDim;
            sc.ropeBase = base;
            sc.ropePosition = -1;
        }
        if (sc.ropePosition != position) {
            for (int pi = 0; pi < pairs; pi++) {                // the portable kernel's c and s, once per pair
                float c = 1f, s = 0f;
                if (2 * pi < rotDim) {
                    float theta = position * sc.freq[pi];
                    c = (float) Math.cos(theta);
                    s = (float) Math.sin(theta);
                }
                sc.cos[pi] = c;
                sc.sin[pi] = s;
            }
            sc.ropePosition = position;
        }
        float[] cs = sc.cos, sn = sc.sin;
        MemorySegment qs = q.segment(), ks = k.segment(), vs = v.segment(), kc = keyCache.segment(), vc = valueCache.segment();
        long qRow = (long) t * nHead * headDim;
        for (int j = 0; j < nHead * headDim; j += 2) {
            int pi = (j % headDim) / 2;
            float c = cs[pi], s = sn[pi];
            long qi = (qRow + j) * 4;
            float q0 = qs.get(FL, qi), q1 = qs.get(FL, qi + 4);
            qs.set(FL, qi, q0 * c - q1 * s);
            qs.set(FL, qi + 4, q0 * s + q1 * c);
        }
        long kRow = (long) t * kvDim, cRow = ((long) layer * maxSeq + position) * kvDim;
        for (int j = 0; j < kvDim; j += 2) {
            int pi = (j % headDim) / 2;
            float c = cs[pi], s = sn[pi];
            long ki = (kRow + j) * 4;
            float k0 = ks.get(FL, ki), k1 = ks.get(FL, ki + 4);
            float r0 = k0 * c - k1 * s, r1 = k0 * s + k1 * c;
            ks.set(FL, ki, r0);
            ks.set(FL, ki + 4, r1);
            float v0 = vs.get(FL, ki), v1 = vs.get(FL, ki + 4);
            long ci = cRow + j;
            if (half) {
                kc.set(HALF, ci * 2, Float.floatToFloat16(r0));
                kc.set(HALF, ci * 2 + 2, Float.floatToFloat16(r1));
                vc.set(HALF, ci * 2, Float.floatToFloat16(v0));
                vc.set(HALF, ci * 2 + 2, Float.floatToFloat16(v1));
            } else {
                kc.set(FL, ci * 4, r0);
                kc.set(FL, ci * 4 + 4, r1);
                vc.set(FL, ci * 4, v0);
                vc.set(FL, ci * 4 + 4, v1);
            }
        }
    }
}
