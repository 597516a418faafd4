// Vector API code behind the jvm twins of the linear layers (MatVec, MatMul): dot products and register tiles.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.HalfArray;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Plain Java (not kernels) called by the {@code ...Simd} jvm twins in {@link MatVec} and {@link MatMul}.
 * <ul>
 *   <li>Mat-vec (decode): one dot product per row, straight from the weight's storage: F32 with four independent
 *   accumulators; F16 converted lane-wise ({@link #halfToFloat}, bit-exact with {@code Float.float16ToFloat});
 *   Q8_0 widened int8 → float per 32-block, the block's sum scaled by its fp16 {@code d} as ggml does.</li>
 *   <li>Mat-mul (prefill): a work-item owns {@link #ROWS} weight rows. It dequantises them once into a per-thread
 *   float buffer, then walks the tokens in blocks of {@link #TOKENS} (kept in cache) with a 4-row × 4-token register
 *   tile: 16 vector accumulators, so each loaded weight vector feeds 4 tokens and each token vector 4 rows. Tiles at
 *   the edges clamp their row/token indices and store only the valid outputs.</li>
 * </ul>
 * Sums run in a fixed order per output, so results are the same every run (not bitwise equal to the portable
 * kernels: the conformance cases hold both to the same reference under NMSE). Thread-safe: scratch is per thread.
 */
public final class LinearSimd {
    private LinearSimd() {}

    /** Float lanes: the preferred shape (at least 8 lanes, so a Q8_0 block's bytes load as whole vectors). */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() >= 8 ? FloatVector.SPECIES_PREFERRED : FloatVector.SPECIES_256;
    static final int L = F.length();
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.length() == L ? IntVector.SPECIES_PREFERRED : IntVector.SPECIES_256;
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    static final ByteOrder NATIVE = ByteOrder.nativeOrder(), LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat FL = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfShort HALF_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    /** Weight rows per mat-mul work-item; tokens per cache block; the register tile is 4 × 4. */
    public static final int ROWS = 32, TOKENS = 64;

    /** Mat-mul epilogues: store, add into the output (residual), or SwiGLU of two weights. */
    public static final int SET = 0, ADD = 1, SWIGLU = 2;

    // ---- fp16 → float, lane-wise ----

    /** fp16 bits (in the low 16 bits of each int lane, sign-extended or not) to float, bit-exact with Float.float16ToFloat. */
    static FloatVector halfToFloat(IntVector h) {
        IntVector em = h.and(0x7fff);                                          // exponent and mantissa
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
        // normals and subnormals: the float with the half's bits shifted into place, times 2^(127−15)
        IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> special = em.compare(VectorOperators.GE, 0x7c00);  // Inf and NaN keep their payload
        return finite.blend(shifted.or(0x7f800000), special).or(sign).reinterpretAsFloats();
    }

    /** L fp16 values at byte offset {@code off} of {@code seg} (byte order {@code order}) as floats. */
    static FloatVector loadHalf(MemorySegment seg, long off, ByteOrder order) {
        ShortVector s = ShortVector.fromMemorySegment(S, seg, off, order);
        return halfToFloat((IntVector) s.convertShape(VectorOperators.S2I, I, 0));
    }

    /** L int8 values at byte offset {@code off} as floats. */
    static FloatVector loadQ8(MemorySegment seg, long off) {
        return (FloatVector) ByteVector.fromMemorySegment(B, seg, off, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    static FloatVector loadF(MemorySegment seg, long off) {
        return FloatVector.fromMemorySegment(F, seg, off, NATIVE);
    }

    // ---- mat-vec: row · x ----

    /** Σ_c W[row, c]·x[xOff + c] for an F32 weight of n columns. */
    public static float dotF32(FloatArray w, long row, FloatArray x, long xOff, int n) {
        MemorySegment ws = w.segment(), xs = x.segment();
        long wo = row * n * 4, xo = xOff * 4;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (; c + 4 * L <= n; c += 4 * L) {
            long o = c * 4L;
            a0 = loadF(ws, wo + o).fma(loadF(xs, xo + o), a0);
            a1 = loadF(ws, wo + o + 4L * L).fma(loadF(xs, xo + o + 4L * L), a1);
            a2 = loadF(ws, wo + o + 8L * L).fma(loadF(xs, xo + o + 8L * L), a2);
            a3 = loadF(ws, wo + o + 12L * L).fma(loadF(xs, xo + o + 12L * L), a3);
        }
        for (; c + L <= n; c += L) a0 = loadF(ws, wo + c * 4L).fma(loadF(xs, xo + c * 4L), a0);
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; c < n; c++) s += ws.get(FL, wo + c * 4L) * xs.get(FL, xo + c * 4L);
        return s;
    }

    /** Σ_c W[row, c]·x[xOff + c] for an F16 weight of n columns. */
    public static float dotF16(HalfArray w, long row, FloatArray x, long xOff, int n) {
        MemorySegment ws = w.segment(), xs = x.segment();
        long wo = row * n * 2, xo = xOff * 4;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int c = 0;
        for (; c + 2 * L <= n; c += 2 * L) {
            a0 = loadHalf(ws, wo + c * 2L, NATIVE).fma(loadF(xs, xo + c * 4L), a0);
            a1 = loadHalf(ws, wo + (c + L) * 2L, NATIVE).fma(loadF(xs, xo + (c + L) * 4L), a1);
        }
        for (; c + L <= n; c += L) a0 = loadHalf(ws, wo + c * 2L, NATIVE).fma(loadF(xs, xo + c * 4L), a0);
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; c < n; c++) s += Float.float16ToFloat(ws.get(HALF, wo + c * 2L)) * xs.get(FL, xo + c * 4L);
        return s;
    }

    /** Σ_c W[row, c]·x[xOff + c] for a Q8_0 weight of n columns (n % 32 == 0): per block, d · Σ q·x. */
    public static float dotQ8_0(ByteArray w, long row, FloatArray x, long xOff, int n) {
        MemorySegment ws = w.segment(), xs = x.segment();
        int nb = n / Quant.Q8_0_BLOCK;
        long rowByte = row * nb * Quant.Q8_0_BYTES, xo = xOff * 4;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int b = 0;
        for (; b + 1 < nb; b += 2) {                       // two blocks per step: two independent accumulators
            long blk = rowByte + (long) b * Quant.Q8_0_BYTES, xb = xo + b * 128L;
            a0 = blockQ8(ws, blk, xs, xb).fma(scale(ws, blk), a0);
            blk += Quant.Q8_0_BYTES;
            a1 = blockQ8(ws, blk, xs, xb + 128).fma(scale(ws, blk), a1);
        }
        if (b < nb) {
            long blk = rowByte + (long) b * Quant.Q8_0_BYTES;
            a0 = blockQ8(ws, blk, xs, xo + b * 128L).fma(scale(ws, blk), a0);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    /** A Q8_0 block's fp16 scale d, in every lane. */
    private static FloatVector scale(MemorySegment w, long blk) {
        return FloatVector.broadcast(F, Float.float16ToFloat(w.get(HALF_LE, blk)));
    }

    /** The lane-wise Σ q·x of one Q8_0 block at byte {@code blk} against 32 floats of x at byte {@code xb}. */
    private static FloatVector blockQ8(MemorySegment w, long blk, MemorySegment x, long xb) {
        FloatVector s = loadQ8(w, blk + 2).mul(loadF(x, xb));
        for (int j = L; j < Quant.Q8_0_BLOCK; j += L) s = loadQ8(w, blk + 2 + j).fma(loadF(x, xb + j * 4L), s);
        return s;
    }

    // ---- SwiGLU mat-vec: both dot products of a row in one loop (x loaded once; one method, so C2 keeps it whole) ----

    /** silu(g)·u of gate and up activations. */
    public static float swiGlu(float g, float u) {
        return g / (1f + (float) Math.exp(-g)) * u;
    }

    /** silu(W1[row]·x)·(W3[row]·x) for F32 weights of n columns. */
    public static float swiGluF32(FloatArray w1, FloatArray w3, long row, FloatArray x, int n) {
        MemorySegment gs = w1.segment(), us = w3.segment(), xs = x.segment();
        long wo = row * n * 4;
        FloatVector g0 = FloatVector.zero(F), g1 = g0, u0 = g0, u1 = g0;
        int c = 0;
        for (; c + 2 * L <= n; c += 2 * L) {
            long o = c * 4L, o1 = o + 4L * L;
            FloatVector xa = loadF(xs, o), xb = loadF(xs, o1);
            g0 = loadF(gs, wo + o).fma(xa, g0);
            u0 = loadF(us, wo + o).fma(xa, u0);
            g1 = loadF(gs, wo + o1).fma(xb, g1);
            u1 = loadF(us, wo + o1).fma(xb, u1);
        }
        for (; c + L <= n; c += L) {
            FloatVector xa = loadF(xs, c * 4L);
            g0 = loadF(gs, wo + c * 4L).fma(xa, g0);
            u0 = loadF(us, wo + c * 4L).fma(xa, u0);
        }
        float g = g0.add(g1).reduceLanes(VectorOperators.ADD), u = u0.add(u1).reduceLanes(VectorOperators.ADD);
        for (; c < n; c++) {
            float xv = xs.get(FL, c * 4L);
            g += gs.get(FL, wo + c * 4L) * xv;
            u += us.get(FL, wo + c * 4L) * xv;
        }
        return swiGlu(g, u);
    }

    /** silu(W1[row]·x)·(W3[row]·x) for F16 weights of n columns. */
    public static float swiGluF16(HalfArray w1, HalfArray w3, long row, FloatArray x, int n) {
        MemorySegment gs = w1.segment(), us = w3.segment(), xs = x.segment();
        long wo = row * n * 2;
        FloatVector g0 = FloatVector.zero(F), u0 = g0;
        int c = 0;
        for (; c + L <= n; c += L) {
            FloatVector xa = loadF(xs, c * 4L);
            g0 = loadHalf(gs, wo + c * 2L, NATIVE).fma(xa, g0);
            u0 = loadHalf(us, wo + c * 2L, NATIVE).fma(xa, u0);
        }
        float g = g0.reduceLanes(VectorOperators.ADD), u = u0.reduceLanes(VectorOperators.ADD);
        for (; c < n; c++) {
            float xv = xs.get(FL, c * 4L);
            g += Float.float16ToFloat(gs.get(HALF, wo + c * 2L)) * xv;
            u += Float.float16ToFloat(us.get(HALF, wo + c * 2L)) * xv;
        }
        return swiGlu(g, u);
    }

    /** silu(W1[row]·x)·(W3[row]·x) for Q8_0 weights of n columns (n % 32 == 0). */
    public static float swiGluQ8_0(ByteArray w1, ByteArray w3, long row, FloatArray x, int n) {
        MemorySegment gs = w1.segment(), us = w3.segment(), xs = x.segment();
        int nb = n / Quant.Q8_0_BLOCK;
        long rowByte = row * nb * Quant.Q8_0_BYTES;
        FloatVector g0 = FloatVector.zero(F), u0 = g0;
        for (int b = 0; b < nb; b++) {
            long blk = rowByte + (long) b * Quant.Q8_0_BYTES, xb = b * 128L;
            FloatVector xa = loadF(xs, xb);
            FloatVector sg = loadQ8(gs, blk + 2).mul(xa), su = loadQ8(us, blk + 2).mul(xa);
            for (int j = L; j < Quant.Q8_0_BLOCK; j += L) {
                FloatVector xj = loadF(xs, xb + j * 4L);
                sg = loadQ8(gs, blk + 2 + j).fma(xj, sg);
                su = loadQ8(us, blk + 2 + j).fma(xj, su);
            }
            g0 = sg.fma(scale(gs, blk), g0);
            u0 = su.fma(scale(us, blk), u0);
        }
        return swiGlu(g0.reduceLanes(VectorOperators.ADD), u0.reduceLanes(VectorOperators.ADD));
    }

    // ---- mat-mul: out[t, r] (op)= Σ_c W[r, c]·x[t, c] for rows r0..r0+ROWS−1 and every token ----

    private static final class Scratch {
        float[] w = new float[0], u = new float[0];
        final float[] g = new float[16], s = new float[16];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * The mat-mul of rows [r0, r0 + ROWS) ∩ [0, rows): {@code mode} {@link #SET} or {@link #ADD} with weight w1, or
     * {@link #SWIGLU}: out = silu(W1·x)·(W3·x). x: (nTok, cols), out: (nTok, rows).
     */
    public static void matMul(WeightType type, FloatArray out, FloatArray x, GaleArray w1, GaleArray w3,
                              int nTok, int rows, int cols, int r0, int mode) {
        int nr = Math.min(ROWS, rows - r0);
        if (nr <= 0) return;
        Scratch sc = SCRATCH.get();
        int need = ROWS * cols;
        if (sc.w.length < need) { sc.w = new float[need]; sc.u = new float[need]; }
        dequantRows(type, w1, r0, nr, cols, sc.w);
        if (mode == SWIGLU) dequantRows(type, w3, r0, nr, cols, sc.u);
        MemorySegment xs = x.segment(), os = out.segment();
        for (int tb = 0; tb < nTok; tb += TOKENS) {
            int tEnd = Math.min(nTok, tb + TOKENS);
            for (int rq = 0; rq < nr; rq += 4) {
                int a = Math.min(rq, nr - 1) * cols, b = Math.min(rq + 1, nr - 1) * cols;
                int c = Math.min(rq + 2, nr - 1) * cols, d = Math.min(rq + 3, nr - 1) * cols;
                for (int t = tb; t < tEnd; t += 4) {
                    long x0 = (long) t * cols * 4, x1 = (long) Math.min(t + 1, nTok - 1) * cols * 4;
                    long x2 = (long) Math.min(t + 2, nTok - 1) * cols * 4, x3 = (long) Math.min(t + 3, nTok - 1) * cols * 4;
                    tile(sc.w, a, b, c, d, xs, x0, x1, x2, x3, cols, sc.s);
                    if (mode == SWIGLU) {
                        System.arraycopy(sc.s, 0, sc.g, 0, 16);
                        tile(sc.u, a, b, c, d, xs, x0, x1, x2, x3, cols, sc.s);
                    }
                    for (int i = 0; i < 4 && t + i < nTok; i++) {       // i: token, j: row within the tile
                        long o = ((long) (t + i) * rows + r0 + rq) * 4;
                        for (int j = 0; j < 4 && rq + j < nr; j++) {
                            float s = sc.s[i * 4 + j];
                            long oj = o + j * 4L;
                            if (mode == ADD) s += os.get(FL, oj);
                            else if (mode == SWIGLU) s = swiGlu(sc.g[i * 4 + j], s);
                            os.set(FL, oj, s);
                        }
                    }
                }
            }
        }
    }

    /**
     * res[i·4 + j] = Σ_c wb[wj + c]·x[xi + c] for rows w0..w3 (float offsets into wb) and tokens x0..x3 (byte offsets
     * into xs): 16 vector accumulators, each weight and token vector loaded once per column step.
     */
    static void tile(float[] wb, int w0, int w1, int w2, int w3, MemorySegment xs, long x0, long x1, long x2, long x3,
                     int cols, float[] res) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        int c = 0;
        for (; c + L <= cols; c += L) {
            FloatVector v0 = FloatVector.fromArray(F, wb, w0 + c), v1 = FloatVector.fromArray(F, wb, w1 + c);
            FloatVector v2 = FloatVector.fromArray(F, wb, w2 + c), v3 = FloatVector.fromArray(F, wb, w3 + c);
            long o = c * 4L;
            FloatVector t = loadF(xs, x0 + o);
            c00 = v0.fma(t, c00); c01 = v1.fma(t, c01); c02 = v2.fma(t, c02); c03 = v3.fma(t, c03);
            t = loadF(xs, x1 + o);
            c10 = v0.fma(t, c10); c11 = v1.fma(t, c11); c12 = v2.fma(t, c12); c13 = v3.fma(t, c13);
            t = loadF(xs, x2 + o);
            c20 = v0.fma(t, c20); c21 = v1.fma(t, c21); c22 = v2.fma(t, c22); c23 = v3.fma(t, c23);
            t = loadF(xs, x3 + o);
            c30 = v0.fma(t, c30); c31 = v1.fma(t, c31); c32 = v2.fma(t, c32); c33 = v3.fma(t, c33);
        }
        VectorOperators.Associative add = VectorOperators.ADD;
        res[0] = c00.reduceLanes(add); res[1] = c01.reduceLanes(add); res[2] = c02.reduceLanes(add); res[3] = c03.reduceLanes(add);
        res[4] = c10.reduceLanes(add); res[5] = c11.reduceLanes(add); res[6] = c12.reduceLanes(add); res[7] = c13.reduceLanes(add);
        res[8] = c20.reduceLanes(add); res[9] = c21.reduceLanes(add); res[10] = c22.reduceLanes(add); res[11] = c23.reduceLanes(add);
        res[12] = c30.reduceLanes(add); res[13] = c31.reduceLanes(add); res[14] = c32.reduceLanes(add); res[15] = c33.reduceLanes(add);
        for (; c < cols; c++) {                                  // columns past the last whole vector
            long o = c * 4L;
            float a0 = xs.get(FL, x0 + o), a1 = xs.get(FL, x1 + o), a2 = xs.get(FL, x2 + o), a3 = xs.get(FL, x3 + o);
            float b0 = wb[w0 + c], b1 = wb[w1 + c], b2 = wb[w2 + c], b3 = wb[w3 + c];
            res[0] += a0 * b0; res[1] += a0 * b1; res[2] += a0 * b2; res[3] += a0 * b3;
            res[4] += a1 * b0; res[5] += a1 * b1; res[6] += a1 * b2; res[7] += a1 * b3;
            res[8] += a2 * b0; res[9] += a2 * b1; res[10] += a2 * b2; res[11] += a2 * b3;
            res[12] += a3 * b0; res[13] += a3 * b1; res[14] += a3 * b2; res[15] += a3 * b3;
        }
    }

    /** Rows [r0, r0 + n) of a (·, cols) weight of {@code type}, as floats, into dst (row stride cols). */
    static void dequantRows(WeightType type, GaleArray w, int r0, int n, int cols, float[] dst) {
        MemorySegment ws = w.segment();
        switch (type) {
            case F32 -> MemorySegment.copy(ws, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r0 * cols * 4, dst, 0, n * cols);
            case F16 -> {
                long base = (long) r0 * cols * 2;
                int total = n * cols, i = 0;
                for (; i + L <= total; i += L) loadHalf(ws, base + i * 2L, NATIVE).intoArray(dst, i);
                for (; i < total; i++) dst[i] = Float.float16ToFloat(ws.get(HALF, base + i * 2L));
            }
            case Q8_0 -> {
                int nb = n * cols / Quant.Q8_0_BLOCK;
                long base = (long) r0 * (cols / Quant.Q8_0_BLOCK) * Quant.Q8_0_BYTES;
                for (int b = 0; b < nb; b++) {
                    long blk = base + (long) b * Quant.Q8_0_BYTES;
                    float d = Float.float16ToFloat(ws.get(HALF_LE, blk));
                    for (int j = 0; j < Quant.Q8_0_BLOCK; j += L) loadQ8(ws, blk + 2 + j).mul(d).intoArray(dst, b * Quant.Q8_0_BLOCK + j);
                }
            }
            default -> {                                          // BF16 and the 4/6-bit formats: element by element
                ByteArray bytes = (ByteArray) w;
                long e0 = (long) r0 * cols;
                for (int i = 0; i < n * cols; i++) dst[i] = element(type, bytes, e0 + i);
            }
        }
    }

    private static float element(WeightType type, ByteArray w, long i) {
        return switch (type) {
            case BF16 -> Quant.bf16At(w, i);
            case Q4_0 -> Quant.q4_0At(w, i);
            case Q4_K -> Quant.q4_KAt(w, i);
            case Q6_K -> Quant.q6_KAt(w, i);
            default -> throw new IllegalArgumentException("not a byte format: " + type);
        };
    }
}
