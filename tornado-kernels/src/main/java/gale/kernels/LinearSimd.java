// Vector API code behind the jvm twins of the linear layers (MatVec, MatMul): dot products and register tiles.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.HalfArray;
import gale.kernels.train.TrainSimd;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Plain Java (not kernels) called by the {@code ...Simd} jvm twins in {@link MatVec} and {@link MatMul}.
 * <ul>
 *   <li>Mat-vec (decode): one dot product per row, straight from the weight's storage: F32 with two independent
 *   accumulators; F16 converted lane-wise with integer operations ({@link #halfToFloat}'s, fused with the multiply,
 *   finite halves only in the loop and a row holding Inf or NaN summed again in full; bit-exact with
 *   {@code Float.float16ToFloat});
 *   Q8_0 widened int8 → float per 32-block, the block's sum scaled by its fp16 {@code d} as ggml does. Each ends
 *   with a fixed pairwise tree over the lanes ({@link #X8}). The F16 and Q8_0 twins take two rows half a matrix
 *   apart per pass ({@link #dot2Q8_0}), and SwiGLU its gate and up rows together: two memory streams per core. A
 *   Q8_0 or SwiGLU work-item owns several rows and finishes them together after their loops (lane sums, silu), so
 *   no long dependency chain sits between one row's loads and the next's.</li>
 *   <li>Mat-mul (prefill): a work-item owns {@link #ROWS} weight rows. It dequantises them once into a per-thread
 *   buffer, transposed (column c of the block is ROWS consecutive floats), then walks the tokens 8 at a time (SwiGLU
 *   runs the tile on both weights) with 16 vector accumulators: per column, the block's weights are loaded once and
 *   each token's x broadcast once, and every lane owns one output, so no horizontal sums are needed.</li>
 * </ul>
 * Sums run in a fixed order per output, whichever thread or chunk computes it, and only with lane-wise operations that
 * give the same bits interpreted or compiled, so results are the same every run (not bitwise equal to
 * the portable kernels: the conformance cases hold both to the same reference under NMSE). Thread-safe: scratch is
 * per thread.
 */
public final class LinearSimd {
    private LinearSimd() {}

    /**
     * Float lanes: 16 where the machine has 512-bit vectors (or wider), else 8, so a Q8_0 block's 32 bytes are two or
     * four whole vector steps (the blocks are written out for exactly these two widths).
     */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() >= 16 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    static final int L = F.length();
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    static final ByteOrder NATIVE = ByteOrder.nativeOrder(), LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat FL = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final VectorSpecies<Integer> I = L == 16 ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final ValueLayout.OfShort HALF_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort HALF_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Weight rows per mat-mul work-item (a multiple of 2 vectors: 2 × 16 lanes on AVX-512, 4 × 8 on AVX2). */
    public static final int ROWS = 32;

    /** Mat-mul epilogues: store, add into the output (residual), or SwiGLU of two weights. */
    public static final int SET = 0, ADD = 1, SWIGLU = 2;

    // Hot loops call only the JDK's vector methods (which are always inlined) and write everything else out: a
    // vector passed to or returned from one of our own methods that C2 does not inline (its inlining budget runs out
    // quickly on Vector API code) is boxed, an allocation per call that made decode several times slower.

    // ---- per-thread scratch ----

    private static final class Scratch {
        float[] rows = new float[0], w = new float[0], u = new float[0];
        final float[] g = new float[ROWS * 8], s = new float[ROWS * 8], e = new float[ROWS];
        // row sums of a mat-vec work-item (gate and up for SwiGLU, rows r and r + h for a pair), before and after
        // their lane sums
        final float[] gate = new float[ITEM_ROWS], up = new float[ITEM_ROWS];
        final float[] lanes = new float[2 * ITEM_ROWS * L], tails = new float[2 * ITEM_ROWS];
    }

    /** The most rows (or row pairs) a mat-vec work-item finishes together. */
    private static final int ITEM_ROWS = Math.max(LinearSimd.PAIRS, LinearSimd.GLU_ROWS);   // (qualified: declared below)

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Lane swaps of the pairwise lane sum that ends every dot product: v + v[i ^ 8] (16 lanes only), then ^4, ^2, ^1,
     * and lane 0 holds the sum. A fixed tree of exact lane moves and IEEE adds, so the same bits interpreted and
     * compiled ({@code reduceLanes(ADD)}'s order differs between C2's intrinsic and its fallback). Storing the lanes
     * and adding them one by one instead made a 512-column Q8_0 row 1.5× slower (a 16-add dependency chain).
     */
    static final VectorShuffle<Float> X8 = VectorShuffle.fromOp(F, i -> L == 16 ? i ^ 8 : i), X4 = VectorShuffle.fromOp(F, i -> i ^ 4),
            X2 = VectorShuffle.fromOp(F, i -> i ^ 2), X1 = VectorShuffle.fromOp(F, i -> i ^ 1);

    // ---- fp16 → float, lane-wise ----

    /**
     * dst[i] = fp16 element i at byte offset {@code off} of {@code seg} (byte order {@code order}) as float, for
     * i &lt; n: bit-exact with Float.float16ToFloat as HotSpot runs it on x86 (vcvtph2ps: NaNs come out quiet,
     * payload kept). Whole vectors are converted with integer lane operations: the half's exponent and mantissa
     * shifted into a float's place and scaled by 2^(127−15) (normals and subnormals alike), Inf/NaN rebuilt.
     */
    public static void halfToFloat(MemorySegment seg, long off, ByteOrder order, int n, float[] dst) {
        int i = 0;
        for (; i + L <= n; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, seg, off + i * 2L, order).convertShape(VectorOperators.S2I, I, 0);
            IntVector em = h.and(0x7fff);                                          // exponent and mantissa
            IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
            IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
            IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
            IntVector nonFinite = shifted.or(0x7f800000).blend(shifted.or(0x7fc00000), em.compare(VectorOperators.GT, 0x7c00));
            finite.blend(nonFinite, em.compare(VectorOperators.GE, 0x7c00)).or(sign).reinterpretAsFloats().intoArray(dst, i);
        }
        ValueLayout.OfShort layout = order == LE ? HALF_LE : HALF_BE;   // (withOrder allocates: keep it out of loops)
        for (; i < n; i++) dst[i] = Float.float16ToFloat(seg.get(layout, off + i * 2L));
    }

    // ---- mat-vec: row · x ----

    /** Σ_c W[row, c]·x[xOff + c] for an F32 weight of n columns. */
    public static float dotF32(FloatArray w, long row, FloatArray x, long xOff, int n) {
        MemorySegment ws = w.segment(), xs = x.segment();
        long wo = row * n * 4, xo = xOff * 4;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int c = 0;
        for (; c + 2 * L <= n; c += 2 * L) {
            long o = c * 4L, o1 = o + 4L * L;
            a0 = FloatVector.fromMemorySegment(F, ws, wo + o, NATIVE).fma(FloatVector.fromMemorySegment(F, xs, xo + o, NATIVE), a0);
            a1 = FloatVector.fromMemorySegment(F, ws, wo + o1, NATIVE).fma(FloatVector.fromMemorySegment(F, xs, xo + o1, NATIVE), a1);
        }
        FloatVector a = a0.add(a1);
        if (L == 16) a = a.add(a.rearrange(X8));
        a = a.add(a.rearrange(X4));
        a = a.add(a.rearrange(X2));
        a = a.add(a.rearrange(X1));
        float s = a.lane(0);
        for (; c < n; c++) s += ws.get(FL, wo + c * 4L) * xs.get(FL, xo + c * 4L);
        return s;
    }

    /**
     * Σ_c W[row, c]·x[xOff + c] for an F16 weight of n columns, converting as {@link #halfToFloat} does.
     * <p>The loop converts only finite halves: exponent and mantissa shifted into a float's place, scaled by
     * 2^(127−15), the sign or-ed back (exact for normals and subnormals), and it remembers the largest shifted value.
     * If a half was Inf or NaN the row is summed again by {@link #dotF16Exact}, whose conversion also rebuilds those.
     * Same bits either way; the finite-only loop is 8 vector operations per 16 weights instead of 14, which made an
     * F16 mat-vec 1.5–1.6× faster on one core, in cache and streamed (TwinProbe: the loop was conversion-bound).
     */
    public static float dotF16(HalfArray w, long row, FloatArray x, long xOff, int n) {
        MemorySegment ws = w.segment(), xs = x.segment();
        long wo = row * n * 2, xo = xOff * 4;
        FloatVector a0 = FloatVector.zero(F);
        IntVector big = IntVector.zero(I);
        int c = 0;
        for (; c + L <= n; c += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, ws, wo + c * 2L, NATIVE).convertShape(VectorOperators.S2I, I, 0);
            IntVector sh = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
            big = big.max(sh);
            FloatVector v = sh.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts().or(h.and(SIGN)).reinterpretAsFloats();
            a0 = v.fma(FloatVector.fromMemorySegment(F, xs, xo + c * 4L, NATIVE), a0);
        }
        if (big.compare(VectorOperators.GE, NON_FINITE).anyTrue()) return dotF16Exact(ws, wo, xs, xo, n);
        if (L == 16) a0 = a0.add(a0.rearrange(X8));
        a0 = a0.add(a0.rearrange(X4));
        a0 = a0.add(a0.rearrange(X2));
        a0 = a0.add(a0.rearrange(X1));
        float s = a0.lane(0);
        for (; c < n; c++) s += Float.float16ToFloat(ws.get(HALF, wo + c * 2L)) * xs.get(FL, xo + c * 4L);
        return s;
    }

    /** The sign bit of a sign-extended half (S2I copies bit 15 into bit 31). */
    private static final int SIGN = 0x80000000;
    /** A half's exponent and mantissa shifted 13 bits left are at least this exactly when the half is Inf or NaN. */
    private static final int NON_FINITE = 0x7c00 << 13;

    /**
     * {@link #dotF16} with {@link #halfToFloat}'s whole conversion in the loop (Inf and NaN rebuilt lane-wise): the
     * path for rows that hold a non-finite half, slower but with the same bits on finite rows.
     */
    static float dotF16Exact(MemorySegment ws, long wo, MemorySegment xs, long xo, int n) {
        FloatVector a0 = FloatVector.zero(F);
        int c = 0;
        for (; c + L <= n; c += L) {                           // halfToFloat's conversion, written out (see above)
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, ws, wo + c * 2L, NATIVE).convertShape(VectorOperators.S2I, I, 0);
            IntVector em = h.and(0x7fff);
            IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
            IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
            IntVector nonFinite = shifted.or(0x7f800000).blend(shifted.or(0x7fc00000), em.compare(VectorOperators.GT, 0x7c00));
            FloatVector v = finite.blend(nonFinite, em.compare(VectorOperators.GE, 0x7c00))
                    .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            a0 = v.fma(FloatVector.fromMemorySegment(F, xs, xo + c * 4L, NATIVE), a0);
        }
        if (L == 16) a0 = a0.add(a0.rearrange(X8));
        a0 = a0.add(a0.rearrange(X4));
        a0 = a0.add(a0.rearrange(X2));
        a0 = a0.add(a0.rearrange(X1));
        float s = a0.lane(0);
        for (; c < n; c++) s += Float.float16ToFloat(ws.get(HALF, wo + c * 2L)) * xs.get(FL, xo + c * 4L);
        return s;
    }

    /** Rows r and r + h (if &lt; rows) of an F16 mat-vec in one pass, each summed as {@link #dotF16}; see {@link #dot2Q8_0}. */
    static void dot2F16(HalfArray w, int r, int h, int rows, FloatArray x, int n, FloatArray out, boolean add) {
        if (r + h >= rows) {
            float v = dotF16(w, r, x, 0, n);
            out.set(r, add ? out.get(r) + v : v);
            return;
        }
        MemorySegment ws = w.segment(), xs = x.segment();
        long wa = (long) r * n * 2, wb = (long) (r + h) * n * 2;
        FloatVector a0 = FloatVector.zero(F), c0 = a0;
        IntVector big = IntVector.zero(I);
        int c = 0;
        for (; c + L <= n; c += L) {                           // dotF16's loop, for both rows
            FloatVector xv = FloatVector.fromMemorySegment(F, xs, c * 4L, NATIVE);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(S, ws, wa + c * 2L, NATIVE).convertShape(VectorOperators.S2I, I, 0);
            IntVector h2 = (IntVector) ShortVector.fromMemorySegment(S, ws, wb + c * 2L, NATIVE).convertShape(VectorOperators.S2I, I, 0);
            IntVector sh1 = h1.and(0x7fff).lanewise(VectorOperators.LSHL, 13), sh2 = h2.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
            big = big.max(sh1).max(sh2);
            FloatVector v1 = sh1.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts().or(h1.and(SIGN)).reinterpretAsFloats();
            FloatVector v2 = sh2.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts().or(h2.and(SIGN)).reinterpretAsFloats();
            a0 = v1.fma(xv, a0);
            c0 = v2.fma(xv, c0);
        }
        if (big.compare(VectorOperators.GE, NON_FINITE).anyTrue()) {                      // an Inf or NaN half: dotF16's exact path, per row
            float sa = dotF16Exact(ws, wa, xs, 0, n), sc = dotF16Exact(ws, wb, xs, 0, n);
            out.set(r, add ? out.get(r) + sa : sa);
            out.set(r + h, add ? out.get(r + h) + sc : sc);
            return;
        }
        if (L == 16) { a0 = a0.add(a0.rearrange(X8)); c0 = c0.add(c0.rearrange(X8)); }
        a0 = a0.add(a0.rearrange(X4));
        c0 = c0.add(c0.rearrange(X4));
        a0 = a0.add(a0.rearrange(X2));
        c0 = c0.add(c0.rearrange(X2));
        a0 = a0.add(a0.rearrange(X1));
        c0 = c0.add(c0.rearrange(X1));
        float sa = a0.lane(0), sc = c0.lane(0);
        for (; c < n; c++) {
            float xv = xs.get(FL, c * 4L);
            sa += Float.float16ToFloat(ws.get(HALF, wa + c * 2L)) * xv;
            sc += Float.float16ToFloat(ws.get(HALF, wb + c * 2L)) * xv;
        }
        out.set(r, add ? out.get(r) + sa : sa);
        out.set(r + h, add ? out.get(r + h) + sc : sc);
    }

    /**
     * dst[i] = the native-order fp16 at byte {@code off + 2i} of seg, for i &lt; n (prefill's dequantisation, F16 KV
     * rows). A plain loop on purpose: C2's auto-vectorizer turns it into vcvtph2ps (66 GB/s on one core here), which
     * the Vector API cannot express; interpreted, Float.float16ToFloat gives the same bits (SimdTwinsTest checks all
     * 65536 patterns). {@link #dotF16} does not use it: converting a row into a buffer and then dotting it was 7%
     * slower in decode (F16 tg128 205 against 213–220 t/s), which is bound by memory, than the fused integer form.
     */
    static void widen(MemorySegment seg, long off, float[] dst, int n) {
        for (int i = 0; i < n; i++) dst[i] = Float.float16ToFloat(seg.get(HALF, off + 2L * i));
    }

    /**
     * Σ_c W[row, c]·x[xOff + c] for a Q8_0 weight of n columns (n % 32 == 0): per block, d · Σ q·x, lane-wise; two
     * blocks per step into two accumulators; an odd last block is added after the lane sum.
     */
    public static float dotQ8_0(ByteArray w, long row, FloatArray x, long xOff, int n) {
        MemorySegment ws = w.segment(), xs = x.segment();
        int nb = n / Quant.Q8_0_BLOCK;
        long rowByte = row * nb * Quant.Q8_0_BYTES, xo = xOff * 4;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        int b = 0;
        // A block is 32/L vector steps, written out below (the L == 8 steps fold away on 16 lanes): a vector carried
        // around a short inner loop, or assigned in an if, is boxed by C2 (seen as 100 MB/s of garbage in decode).
        for (; b + 1 < nb; b += 2) {
            long q0 = rowByte + (long) b * Quant.Q8_0_BYTES + 2, q1 = q0 + Quant.Q8_0_BYTES, xb = xo + b * 128L;
            FloatVector s0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q0, LE).convertShape(VectorOperators.B2F, F, 0))
                    .mul(FloatVector.fromMemorySegment(F, xs, xb, NATIVE));
            FloatVector s1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q1, LE).convertShape(VectorOperators.B2F, F, 0))
                    .mul(FloatVector.fromMemorySegment(F, xs, xb + 128, NATIVE));
            s0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q0 + L, LE).convertShape(VectorOperators.B2F, F, 0))
                    .fma(FloatVector.fromMemorySegment(F, xs, xb + 4L * L, NATIVE), s0);
            s1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q1 + L, LE).convertShape(VectorOperators.B2F, F, 0))
                    .fma(FloatVector.fromMemorySegment(F, xs, xb + 128 + 4L * L, NATIVE), s1);
            if (L == 8) {
                s0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q0 + 16, LE).convertShape(VectorOperators.B2F, F, 0))
                        .fma(FloatVector.fromMemorySegment(F, xs, xb + 64, NATIVE), s0);
                s1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q1 + 16, LE).convertShape(VectorOperators.B2F, F, 0))
                        .fma(FloatVector.fromMemorySegment(F, xs, xb + 128 + 64, NATIVE), s1);
                s0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q0 + 24, LE).convertShape(VectorOperators.B2F, F, 0))
                        .fma(FloatVector.fromMemorySegment(F, xs, xb + 96, NATIVE), s0);
                s1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q1 + 24, LE).convertShape(VectorOperators.B2F, F, 0))
                        .fma(FloatVector.fromMemorySegment(F, xs, xb + 128 + 96, NATIVE), s1);
            }
            acc0 = s0.fma(FloatVector.broadcast(F, Float.float16ToFloat(ws.get(HALF_LE, q0 - 2))), acc0);
            acc1 = s1.fma(FloatVector.broadcast(F, Float.float16ToFloat(ws.get(HALF_LE, q1 - 2))), acc1);
        }
        FloatVector a = acc0.add(acc1);
        if (L == 16) a = a.add(a.rearrange(X8));
        a = a.add(a.rearrange(X4));
        a = a.add(a.rearrange(X2));
        a = a.add(a.rearrange(X1));
        float sum = a.lane(0);
        for (; b < nb; b++) {                                   // an odd last block, in scalars
            long blk = rowByte + (long) b * Quant.Q8_0_BYTES, xb = xo + b * 128L;
            float s = 0f;
            for (int j = 0; j < Quant.Q8_0_BLOCK; j++) s += ws.get(ValueLayout.JAVA_BYTE, blk + 2 + j) * xs.get(FL, xb + 4L * j);
            sum += Float.float16ToFloat(ws.get(HALF_LE, blk)) * s;
        }
        return sum;
    }

    /** Row pairs per Q8_0 mat-vec work-item ({@link #matVecQ8_0Rows}). */
    public static final int PAIRS = 8;

    /**
     * out[r] (+)= W[r]·x for the rows of pairs [p0, p0 + {@link #PAIRS}) of a Q8_0 mat-vec, pair p being rows p and
     * p + ⌈rows/2⌉ ({@link #dot2Q8_0}); each row summed exactly as {@link #dotQ8_0} (the same bits). The pairs' lane
     * sums run after all of them: a lane sum at the end of each pair put its 8 dependent shuffles and adds between one
     * pair's loads and the next's, and batching them made a one-core 512×512 mat-vec in cache 1.1× faster
     * (bench/RESULTS.md).
     */
    public static void matVecQ8_0Rows(FloatArray out, FloatArray x, ByteArray w, int p0, int rows, int cols, boolean add) {
        int h = (rows + 1) / 2, n = Math.min(PAIRS, h - p0);
        if (n <= 0) return;
        Scratch sc = SCRATCH.get();
        float[] lanes = sc.lanes, tails = sc.tails;
        int pairs = 0;
        for (int i = 0; i < n; i++) {
            int r = p0 + i;
            if (r + h < rows) {
                dot2Q8_0(w, r, h, x, cols, lanes, tails, i);
                pairs = i + 1;
            }
        }
        float[] sa = sc.gate, sb = sc.up;
        laneSums(lanes, tails, (cols / Quant.Q8_0_BLOCK) % 2 != 0, pairs, sa, sb);
        MemorySegment os = out.segment();
        for (int i = 0; i < pairs; i++) {
            long oa = (p0 + i) * 4L, ob = (p0 + i + h) * 4L;
            os.set(FL, oa, add ? os.get(FL, oa) + sa[i] : sa[i]);
            os.set(FL, ob, add ? os.get(FL, ob) + sb[i] : sb[i]);
        }
        if (pairs < n) {                                         // the middle row of an odd count: alone
            int r = p0 + pairs;
            float v = dotQ8_0(w, r, x, 0, cols);
            os.set(FL, r * 4L, add ? os.get(FL, r * 4L) + v : v);
        }
    }

    /**
     * a[i] and b[i] = the lane sums of lanes[2i·L …] and lanes[(2i + 1)·L …] ({@link #X8}'s tree, as {@link #dotQ8_0}
     * ends), each plus its odd last block's term tails[2i], tails[2i + 1] if {@code oddBlocks}, for i &lt; count.
     */
    private static void laneSums(float[] lanes, float[] tails, boolean oddBlocks, int count, float[] a, float[] b) {
        for (int i = 0; i < count; i++) {
            FloatVector u = FloatVector.fromArray(F, lanes, 2 * i * L), v = FloatVector.fromArray(F, lanes, (2 * i + 1) * L);
            if (L == 16) { u = u.add(u.rearrange(X8)); v = v.add(v.rearrange(X8)); }
            u = u.add(u.rearrange(X4));
            v = v.add(v.rearrange(X4));
            u = u.add(u.rearrange(X2));
            v = v.add(v.rearrange(X2));
            u = u.add(u.rearrange(X1));
            v = v.add(v.rearrange(X1));
            float su = u.lane(0), sv = v.lane(0);
            if (oddBlocks) {                                     // (not + 0f: that would turn a −0 sum into +0)
                su += tails[2 * i];
                sv += tails[2 * i + 1];
            }
            a[i] = su;
            b[i] = sv;
        }
    }

    /**
     * Rows r and r + h of a Q8_0 mat-vec in one pass, each summed as {@link #dotQ8_0}, before the lane sum: the two
     * rows' accumulators go to lanes[(2·slot)·L …] and [(2·slot + 1)·L …], an odd last block's terms to tails[2·slot]
     * and tails[2·slot + 1]. Two rows half a matrix apart are two memory streams far apart, which one core reads
     * faster than one stream (TwinProbe in bench/RESULTS.md); two adjacent rows interleaved are slower than one (the
     * prefetchers lose track).
     */
    static void dot2Q8_0(ByteArray w, int r, int h, FloatArray x, int n, float[] lanes, float[] tails, int slot) {
        MemorySegment ws = w.segment(), xs = x.segment();
        int nb = n / Quant.Q8_0_BLOCK;
        long rowA = (long) r * nb * Quant.Q8_0_BYTES, rowB = (long) (r + h) * nb * Quant.Q8_0_BYTES;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, c0 = a0, c1 = a0;
        int b = 0;
        for (; b + 1 < nb; b += 2) {                             // dotQ8_0's loop, for both rows
            long q0 = rowA + (long) b * Quant.Q8_0_BYTES + 2, q1 = q0 + Quant.Q8_0_BYTES, xb = b * 128L;
            long p0 = rowB + (long) b * Quant.Q8_0_BYTES + 2, p1 = p0 + Quant.Q8_0_BYTES;
            FloatVector x0 = FloatVector.fromMemorySegment(F, xs, xb, NATIVE), x2 = FloatVector.fromMemorySegment(F, xs, xb + 128, NATIVE);
            FloatVector s0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q0, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x0);
            FloatVector s1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q1, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x2);
            FloatVector t0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, p0, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x0);
            FloatVector t1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, p1, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x2);
            FloatVector x1 = FloatVector.fromMemorySegment(F, xs, xb + 4L * L, NATIVE), x3 = FloatVector.fromMemorySegment(F, xs, xb + 128 + 4L * L, NATIVE);
            s0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q0 + L, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, s0);
            s1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q1 + L, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, s1);
            t0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, p0 + L, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, t0);
            t1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, p1 + L, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, t1);
            if (L == 8) {
                x1 = FloatVector.fromMemorySegment(F, xs, xb + 64, NATIVE);
                x3 = FloatVector.fromMemorySegment(F, xs, xb + 128 + 64, NATIVE);
                s0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q0 + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, s0);
                s1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q1 + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, s1);
                t0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, p0 + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, t0);
                t1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, p1 + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, t1);
                x1 = FloatVector.fromMemorySegment(F, xs, xb + 96, NATIVE);
                x3 = FloatVector.fromMemorySegment(F, xs, xb + 128 + 96, NATIVE);
                s0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q0 + 24, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, s0);
                s1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, q1 + 24, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, s1);
                t0 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, p0 + 24, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, t0);
                t1 = ((FloatVector) ByteVector.fromMemorySegment(B, ws, p1 + 24, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, t1);
            }
            a0 = s0.fma(FloatVector.broadcast(F, Float.float16ToFloat(ws.get(HALF_LE, q0 - 2))), a0);
            a1 = s1.fma(FloatVector.broadcast(F, Float.float16ToFloat(ws.get(HALF_LE, q1 - 2))), a1);
            c0 = t0.fma(FloatVector.broadcast(F, Float.float16ToFloat(ws.get(HALF_LE, p0 - 2))), c0);
            c1 = t1.fma(FloatVector.broadcast(F, Float.float16ToFloat(ws.get(HALF_LE, p1 - 2))), c1);
        }
        a0.add(a1).intoArray(lanes, 2 * slot * L);
        c0.add(c1).intoArray(lanes, (2 * slot + 1) * L);
        for (; b < nb; b++) {                                   // an odd last block, in scalars (as dotQ8_0)
            long ba = rowA + (long) b * Quant.Q8_0_BYTES, bb = rowB + (long) b * Quant.Q8_0_BYTES, xb = b * 128L;
            float s = 0f, t = 0f;
            for (int j = 0; j < Quant.Q8_0_BLOCK; j++) {
                float xv = xs.get(FL, xb + 4L * j);
                s += ws.get(ValueLayout.JAVA_BYTE, ba + 2 + j) * xv;
                t += ws.get(ValueLayout.JAVA_BYTE, bb + 2 + j) * xv;
            }
            tails[2 * slot] = Float.float16ToFloat(ws.get(HALF_LE, ba)) * s;
            tails[2 * slot + 1] = Float.float16ToFloat(ws.get(HALF_LE, bb)) * t;
        }
    }

    // ---- SwiGLU mat-vec: both dot products of a row in one loop (x loaded once; one method, so C2 keeps it whole) ----

    /** Rows per SwiGLU mat-vec work-item ({@link #swiGluRows}): one vector pass of silu for all of them. */
    public static final int GLU_ROWS = 16;

    /**
     * h[r] = silu(W1[r]·x)·(W3[r]·x) for rows [r0, r0 + {@link #GLU_ROWS}) ∩ [0, hidden) of an F32, F16 or Q8_0
     * SwiGLU mat-vec: the gate and up sums of every row first, then their silu as one vector loop (the same bits as
     * {@link #swiGlu} per row). A silu per row in the row loop put its ~25 dependent operations (the exp polynomial and
     * a division) between one row's loads and the next's, which out-of-order execution could not hide: a one-core
     * 1536-row Q8_0 SwiGLU took 105 µs against 74 µs without the silu (bench/RESULTS.md).
     */
    public static void swiGluRows(WeightType type, FloatArray h, FloatArray x, GaleArray w1, GaleArray w3, int r0, int hidden, int dim) {
        int n = Math.min(GLU_ROWS, hidden - r0);
        if (n <= 0) return;
        Scratch sc = SCRATCH.get();
        float[] g = sc.gate, u = sc.up, e = sc.e;
        switch (type) {
            case F32 -> { for (int i = 0; i < n; i++) gateUpF32((FloatArray) w1, (FloatArray) w3, r0 + i, x, dim, g, u, i); }
            case F16 -> { for (int i = 0; i < n; i++) gateUpF16((HalfArray) w1, (HalfArray) w3, r0 + i, x, dim, g, u, i); }
            case Q8_0 -> {                                       // lane sums after all rows, as matVecQ8_0Rows
                for (int i = 0; i < n; i++) gateUpQ8_0((ByteArray) w1, (ByteArray) w3, r0 + i, x, dim, sc.lanes, sc.tails, i);
                laneSums(sc.lanes, sc.tails, (dim / Quant.Q8_0_BLOCK) % 2 != 0, n, g, u);
            }
            default -> throw new IllegalArgumentException("no SwiGLU mat-vec twin for " + type);
        }
        siluTimesUp(g, u, 0, n, e, h.segment(), r0 * 4L);
    }

    /**
     * out[o + 4j] = {@link #swiGlu}(gate[at + j], up[at + j]) for j &lt; n (n ≤ e.length = {@link #ROWS}), bit for
     * bit: the exp of the n gates as one vector loop over the scratch e (all of it, whole vectors; past n it holds
     * e^0), the rest per element. The epilogue of both SwiGLU twins, mat-mul and mat-vec.
     */
    private static void siluTimesUp(float[] gate, float[] up, int at, int n, float[] e, MemorySegment out, long o) {
        for (int j = 0; j < e.length; j++) e[j] = j < n ? -gate[at + j] : 0f;
        TrainSimd.expSum(e, 0, e.length, 0f);                    // e^(−gate − 0): a lane of it is TrainSimd.exp(−gate)
        for (int j = 0; j < n; j++) out.set(FL, o + j * 4L, gate[at + j] / (1f + e[j]) * up[at + j]);
    }

    /**
     * silu(g)·u of gate and up activations, e^−g from {@link TrainSimd#exp(float)}: the per-element definition that
     * the twins' vector epilogue ({@link #siluTimesUp}, whose lanes use that polynomial) matches bit for bit, and the
     * tests' oracle for it. ({@code Math.exp}, 5.4 ns a call, took ~1.4 µs of each 8-token SwiGLU tile; the mat-mul is
     * 10–20 % faster without it, TwinProbe.)
     */
    public static float swiGlu(float g, float u) {
        return g / (1f + TrainSimd.exp(-g)) * u;
    }

    /** gate[i] = W1[row]·x, up[i] = W3[row]·x for F32 weights of n columns, in one loop. */
    static void gateUpF32(FloatArray w1, FloatArray w3, long row, FloatArray x, int n, float[] gate, float[] up, int i) {
        MemorySegment gs = w1.segment(), us = w3.segment(), xs = x.segment();
        long wo = row * n * 4;
        FloatVector g0 = FloatVector.zero(F), u0 = g0;
        int c = 0;
        for (; c + L <= n; c += L) {
            FloatVector xa = FloatVector.fromMemorySegment(F, xs, c * 4L, NATIVE);
            g0 = FloatVector.fromMemorySegment(F, gs, wo + c * 4L, NATIVE).fma(xa, g0);
            u0 = FloatVector.fromMemorySegment(F, us, wo + c * 4L, NATIVE).fma(xa, u0);
        }
        if (L == 16) g0 = g0.add(g0.rearrange(X8));
        g0 = g0.add(g0.rearrange(X4));
        g0 = g0.add(g0.rearrange(X2));
        g0 = g0.add(g0.rearrange(X1));
        if (L == 16) u0 = u0.add(u0.rearrange(X8));
        u0 = u0.add(u0.rearrange(X4));
        u0 = u0.add(u0.rearrange(X2));
        u0 = u0.add(u0.rearrange(X1));
        float g = g0.lane(0), u = u0.lane(0);
        for (; c < n; c++) {
            float xv = xs.get(FL, c * 4L);
            g += gs.get(FL, wo + c * 4L) * xv;
            u += us.get(FL, wo + c * 4L) * xv;
        }
        gate[i] = g;
        up[i] = u;
    }

    /**
     * gate[i] = W1[row]·x, up[i] = W3[row]·x for F16 weights of n columns: both rows in one pass, each summed as
     * {@link #dotF16}. The loop is {@link #dot2F16}'s, copied on purpose: one helper for both (returning the two sums in
     * a per-thread array) made F16 decode 20 % slower (tg128 215–225 against 271–280 t/s, bench/RESULTS.md), and a
     * vector cannot leave a method unboxed.
     */
    static void gateUpF16(HalfArray w1, HalfArray w3, long row, FloatArray x, int n, float[] gate, float[] up, int i) {
        MemorySegment gs = w1.segment(), us = w3.segment(), xs = x.segment();
        long wo = row * n * 2;
        FloatVector a0 = FloatVector.zero(F), c0 = a0;
        IntVector big = IntVector.zero(I);
        int c = 0;
        for (; c + L <= n; c += L) {                           // dotF16's loop, for both rows
            FloatVector xv = FloatVector.fromMemorySegment(F, xs, c * 4L, NATIVE);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(S, gs, wo + c * 2L, NATIVE).convertShape(VectorOperators.S2I, I, 0);
            IntVector h2 = (IntVector) ShortVector.fromMemorySegment(S, us, wo + c * 2L, NATIVE).convertShape(VectorOperators.S2I, I, 0);
            IntVector sh1 = h1.and(0x7fff).lanewise(VectorOperators.LSHL, 13), sh2 = h2.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
            big = big.max(sh1).max(sh2);
            FloatVector v1 = sh1.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts().or(h1.and(SIGN)).reinterpretAsFloats();
            FloatVector v2 = sh2.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts().or(h2.and(SIGN)).reinterpretAsFloats();
            a0 = v1.fma(xv, a0);
            c0 = v2.fma(xv, c0);
        }
        if (big.compare(VectorOperators.GE, NON_FINITE).anyTrue()) {                      // an Inf or NaN half
            gate[i] = dotF16Exact(gs, wo, xs, 0, n);
            up[i] = dotF16Exact(us, wo, xs, 0, n);
            return;
        }
        if (L == 16) { a0 = a0.add(a0.rearrange(X8)); c0 = c0.add(c0.rearrange(X8)); }
        a0 = a0.add(a0.rearrange(X4));
        c0 = c0.add(c0.rearrange(X4));
        a0 = a0.add(a0.rearrange(X2));
        c0 = c0.add(c0.rearrange(X2));
        a0 = a0.add(a0.rearrange(X1));
        c0 = c0.add(c0.rearrange(X1));
        float sa = a0.lane(0), sc = c0.lane(0);
        for (; c < n; c++) {
            float xv = xs.get(FL, c * 4L);
            sa += Float.float16ToFloat(gs.get(HALF, wo + c * 2L)) * xv;
            sc += Float.float16ToFloat(us.get(HALF, wo + c * 2L)) * xv;
        }
        gate[i] = sa;
        up[i] = sc;
    }

    /**
     * W1[row]·x and W3[row]·x for Q8_0 weights of n columns (n % 32 == 0), each summed as {@link #dotQ8_0}, before
     * the lane sum ({@link #laneSums}): the accumulators go to lanes[2i·L …] and [(2i + 1)·L …], an odd last block's
     * terms to tails[2i], tails[2i + 1]. {@link #dot2Q8_0}'s loop with the gate and up rows as its two streams (a copy
     * for the reason given at {@link #gateUpF16}).
     */
    static void gateUpQ8_0(ByteArray w1, ByteArray w3, long row, FloatArray x, int n, float[] lanes, float[] tails, int i) {
        MemorySegment gs = w1.segment(), us = w3.segment(), xs = x.segment();
        int nb = n / Quant.Q8_0_BLOCK;
        long rowByte = row * nb * Quant.Q8_0_BYTES;
        FloatVector g0 = FloatVector.zero(F), g1 = g0, u0 = g0, u1 = g0;
        int b = 0;
        for (; b + 1 < nb; b += 2) {                            // two blocks per step, as dotQ8_0, for both weights
            long q0 = rowByte + (long) b * Quant.Q8_0_BYTES + 2, q1 = q0 + Quant.Q8_0_BYTES, xb = b * 128L;
            FloatVector x0 = FloatVector.fromMemorySegment(F, xs, xb, NATIVE), x2 = FloatVector.fromMemorySegment(F, xs, xb + 128, NATIVE);
            FloatVector sg0 = ((FloatVector) ByteVector.fromMemorySegment(B, gs, q0, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x0);
            FloatVector sg1 = ((FloatVector) ByteVector.fromMemorySegment(B, gs, q1, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x2);
            FloatVector su0 = ((FloatVector) ByteVector.fromMemorySegment(B, us, q0, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x0);
            FloatVector su1 = ((FloatVector) ByteVector.fromMemorySegment(B, us, q1, LE).convertShape(VectorOperators.B2F, F, 0)).mul(x2);
            FloatVector x1 = FloatVector.fromMemorySegment(F, xs, xb + 4L * L, NATIVE), x3 = FloatVector.fromMemorySegment(F, xs, xb + 128 + 4L * L, NATIVE);
            sg0 = ((FloatVector) ByteVector.fromMemorySegment(B, gs, q0 + L, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, sg0);
            sg1 = ((FloatVector) ByteVector.fromMemorySegment(B, gs, q1 + L, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, sg1);
            su0 = ((FloatVector) ByteVector.fromMemorySegment(B, us, q0 + L, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, su0);
            su1 = ((FloatVector) ByteVector.fromMemorySegment(B, us, q1 + L, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, su1);
            if (L == 8) {
                x1 = FloatVector.fromMemorySegment(F, xs, xb + 64, NATIVE);
                x3 = FloatVector.fromMemorySegment(F, xs, xb + 128 + 64, NATIVE);
                sg0 = ((FloatVector) ByteVector.fromMemorySegment(B, gs, q0 + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, sg0);
                sg1 = ((FloatVector) ByteVector.fromMemorySegment(B, gs, q1 + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, sg1);
                su0 = ((FloatVector) ByteVector.fromMemorySegment(B, us, q0 + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, su0);
                su1 = ((FloatVector) ByteVector.fromMemorySegment(B, us, q1 + 16, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, su1);
                x1 = FloatVector.fromMemorySegment(F, xs, xb + 96, NATIVE);
                x3 = FloatVector.fromMemorySegment(F, xs, xb + 128 + 96, NATIVE);
                sg0 = ((FloatVector) ByteVector.fromMemorySegment(B, gs, q0 + 24, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, sg0);
                sg1 = ((FloatVector) ByteVector.fromMemorySegment(B, gs, q1 + 24, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, sg1);
                su0 = ((FloatVector) ByteVector.fromMemorySegment(B, us, q0 + 24, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x1, su0);
                su1 = ((FloatVector) ByteVector.fromMemorySegment(B, us, q1 + 24, LE).convertShape(VectorOperators.B2F, F, 0)).fma(x3, su1);
            }
            g0 = sg0.fma(FloatVector.broadcast(F, Float.float16ToFloat(gs.get(HALF_LE, q0 - 2))), g0);
            g1 = sg1.fma(FloatVector.broadcast(F, Float.float16ToFloat(gs.get(HALF_LE, q1 - 2))), g1);
            u0 = su0.fma(FloatVector.broadcast(F, Float.float16ToFloat(us.get(HALF_LE, q0 - 2))), u0);
            u1 = su1.fma(FloatVector.broadcast(F, Float.float16ToFloat(us.get(HALF_LE, q1 - 2))), u1);
        }
        g0.add(g1).intoArray(lanes, 2 * i * L);
        u0.add(u1).intoArray(lanes, (2 * i + 1) * L);
        for (; b < nb; b++) {                                   // an odd last block, in scalars
            long blk = rowByte + (long) b * Quant.Q8_0_BYTES, xb = b * 128L;
            float a = 0f, c = 0f;
            for (int j = 0; j < Quant.Q8_0_BLOCK; j++) {
                float xv = xs.get(FL, xb + 4L * j);
                a += gs.get(ValueLayout.JAVA_BYTE, blk + 2 + j) * xv;
                c += us.get(ValueLayout.JAVA_BYTE, blk + 2 + j) * xv;
            }
            tails[2 * i] = Float.float16ToFloat(gs.get(HALF_LE, blk)) * a;
            tails[2 * i + 1] = Float.float16ToFloat(us.get(HALF_LE, blk)) * c;
        }
    }

    // ---- mat-mul: out[t, r] (op)= Σ_c W[r, c]·x[t, c] for rows r0..r0+ROWS−1 and every token ----

    /**
     * The mat-mul of rows [r0, r0 + ROWS) ∩ [0, rows): {@code mode} {@link #SET} or {@link #ADD} with weight w1, or
     * {@link #SWIGLU}: out = silu(W1·x)·(W3·x). x: (nTok, cols), out: (nTok, rows).
     */
    public static void matMul(WeightType type, FloatArray out, FloatArray x, GaleArray w1, GaleArray w3,
                              int nTok, int rows, int cols, int r0, int mode) {
        int nr = Math.min(ROWS, rows - r0);
        if (nr <= 0) return;
        Scratch sc = SCRATCH.get();
        if (sc.w.length < ROWS * cols) {
            sc.rows = new float[ROWS * cols];
            sc.w = new float[ROWS * cols];
            sc.u = new float[ROWS * cols];
        }
        transposed(type, w1, r0, nr, cols, sc.rows, sc.w);
        if (mode == SWIGLU) transposed(type, w3, r0, nr, cols, sc.rows, sc.u);
        MemorySegment xs = x.segment(), os = out.segment();
        for (int t = 0; t < nTok; t += 8) {                     // 8 tokens per micro-tile (16 accumulators)
            int nt = Math.min(8, nTok - t);
            if (mode == SWIGLU) tile8(sc.u, xs, t, nt, cols, sc.g);   // up into g, gate into s (both 8 × ROWS)
            tile8(sc.w, xs, t, nt, cols, sc.s);
            for (int i = 0; i < nt; i++) {                       // token t + i: ROWS sums at sc.s[i·ROWS …]
                long o = ((long) (t + i) * rows + r0) * 4;
                if (mode == SWIGLU) {
                    siluTimesUp(sc.s, sc.g, i * ROWS, nr, sc.e, os, o);
                    continue;
                }
                for (int j = 0; j < nr; j++) {
                    float v = sc.s[i * ROWS + j];
                    long oj = o + j * 4L;
                    if (mode == ADD) v += os.get(FL, oj);
                    os.set(FL, oj, v);
                }
            }
        }
    }

    /**
     * Rows [r0, r0 + n) of a weight as floats, transposed into wT[c·ROWS + j] (rows n..ROWS−1 zero): a column of the
     * row block is then two vectors, and the micro-tiles need no horizontal sums.
     */
    static void transposed(WeightType type, GaleArray w, int r0, int n, int cols, float[] rowsBuf, float[] wT) {
        dequantRows(type, w, r0, n, cols, rowsBuf);
        for (int j = 0; j < ROWS; j++) {
            if (j < n) for (int c = 0; c < cols; c++) wT[c * ROWS + j] = rowsBuf[j * cols + c];
            else for (int c = 0; c < cols; c++) wT[c * ROWS + j] = 0f;
        }
    }

    /**
     * res[i·ROWS + j] = Σ_c wT[c·ROWS + j]·x[t + i, c] for i &lt; 8, j &lt; ROWS (= 2 vectors of 16 lanes, or 4 of 8):
     * per column, the ROWS weights are loaded once and each token's x broadcast once. Tokens past nt repeat the last.
     */
    static void tile8(float[] wT, MemorySegment xs, int t, int nt, int cols, float[] res) {
        long cb = cols * 4L;
        long x0 = t * cb, x1 = (t + Math.min(1, nt - 1)) * cb, x2 = (t + Math.min(2, nt - 1)) * cb, x3 = (t + Math.min(3, nt - 1)) * cb;
        long x4 = (t + Math.min(4, nt - 1)) * cb, x5 = (t + Math.min(5, nt - 1)) * cb, x6 = (t + Math.min(6, nt - 1)) * cb, x7 = (t + Math.min(7, nt - 1)) * cb;
        for (int v = 0; v < ROWS; v += 2 * L) {                   // once for 16 lanes; twice for 8
            FloatVector z = FloatVector.zero(F);
            FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
            FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z;
            for (int c = 0; c < cols; c++) {
                FloatVector wa = FloatVector.fromArray(F, wT, c * ROWS + v), wb = FloatVector.fromArray(F, wT, c * ROWS + v + L);
                long o = c * 4L;
                FloatVector e = FloatVector.broadcast(F, xs.get(FL, x0 + o)); a0 = wa.fma(e, a0); b0 = wb.fma(e, b0);
                e = FloatVector.broadcast(F, xs.get(FL, x1 + o)); a1 = wa.fma(e, a1); b1 = wb.fma(e, b1);
                e = FloatVector.broadcast(F, xs.get(FL, x2 + o)); a2 = wa.fma(e, a2); b2 = wb.fma(e, b2);
                e = FloatVector.broadcast(F, xs.get(FL, x3 + o)); a3 = wa.fma(e, a3); b3 = wb.fma(e, b3);
                e = FloatVector.broadcast(F, xs.get(FL, x4 + o)); a4 = wa.fma(e, a4); b4 = wb.fma(e, b4);
                e = FloatVector.broadcast(F, xs.get(FL, x5 + o)); a5 = wa.fma(e, a5); b5 = wb.fma(e, b5);
                e = FloatVector.broadcast(F, xs.get(FL, x6 + o)); a6 = wa.fma(e, a6); b6 = wb.fma(e, b6);
                e = FloatVector.broadcast(F, xs.get(FL, x7 + o)); a7 = wa.fma(e, a7); b7 = wb.fma(e, b7);
            }
            a0.intoArray(res, v); b0.intoArray(res, v + L);
            a1.intoArray(res, ROWS + v); b1.intoArray(res, ROWS + v + L);
            a2.intoArray(res, 2 * ROWS + v); b2.intoArray(res, 2 * ROWS + v + L);
            a3.intoArray(res, 3 * ROWS + v); b3.intoArray(res, 3 * ROWS + v + L);
            a4.intoArray(res, 4 * ROWS + v); b4.intoArray(res, 4 * ROWS + v + L);
            a5.intoArray(res, 5 * ROWS + v); b5.intoArray(res, 5 * ROWS + v + L);
            a6.intoArray(res, 6 * ROWS + v); b6.intoArray(res, 6 * ROWS + v + L);
            a7.intoArray(res, 7 * ROWS + v); b7.intoArray(res, 7 * ROWS + v + L);
        }
    }

    /** Rows [r0, r0 + n) of a (·, cols) weight of {@code type}, as floats, into dst (row stride cols). */
    static void dequantRows(WeightType type, GaleArray w, int r0, int n, int cols, float[] dst) {
        MemorySegment ws = w.segment();
        switch (type) {
            case F32 -> MemorySegment.copy(ws, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r0 * cols * 4, dst, 0, n * cols);
            case F16 -> widen(ws, (long) r0 * cols * 2, dst, n * cols);
            case Q8_0 -> {
                int nb = n * cols / Quant.Q8_0_BLOCK;
                long base = (long) r0 * (cols / Quant.Q8_0_BLOCK) * Quant.Q8_0_BYTES;
                for (int b = 0; b < nb; b++) {
                    long blk = base + (long) b * Quant.Q8_0_BYTES;
                    float d = Float.float16ToFloat(ws.get(HALF_LE, blk));
                    for (int j = 0; j < Quant.Q8_0_BLOCK; j += L)
                        ((FloatVector) ByteVector.fromMemorySegment(B, ws, blk + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0))
                                .mul(d).intoArray(dst, b * Quant.Q8_0_BLOCK + j);
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
