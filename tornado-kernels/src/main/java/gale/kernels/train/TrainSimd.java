// Vector API building blocks of the jvm twins: an exp made of plain arithmetic and fixed-order lane sums.
package gale.kernels.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Helpers of the {@code ...Simd} twins. Everything here is built from IEEE operations that give the same bits in
 * the Vector API's intrinsic (C2) and fallback (interpreter, C1) forms — add, mul, fma, compare, blend, min/max,
 * sqrt, bit reinterpretation — so a twin's result never depends on when the JIT compiled it. That is why there is
 * no {@code lanewise(EXP)} (its SVML stub and its fallback may differ in the last bit) and no
 * {@code reduceLanes(ADD)} (its order is unspecified): {@link #exp} and {@link #sum} replace them.
 *
 * <p>Two rules keep the twins fast. A {@code FloatVector} must never cross a call the JIT may not inline (it is then
 * boxed on the heap), so helpers take arrays and segments and keep their vectors inside their own loops. And a
 * vector variable must never get different values on two branches that then merge ({@code v = acc ? load : zero},
 * {@code if (c) v = v.mul(..)}, a ternary between two vectors): C2 then boxes the vectors of the whole loop (seen
 * as gigabytes per second of allocation and 10–30× slower mat-muls). Branch on the store instead. Masked loops and
 * stores of {@code FloatVector.zero} boxed too: the loops here run whole vectors and finish with scalar tails that do
 * the same IEEE operations (compute/KERNELS.md lists every case found).
 *
 * <p>Public for {@link #expSum} and the scalar {@link #exp(float)}, which the inference twins share (attention, SwiGLU).
 * Thread-safe: scratch is per thread.
 */
public final class TrainSimd {
    private TrainSimd() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Elements per iteration of the elementwise twins: a helper loops over a block, so its vectors stay in one compiled loop. */
    public static final int BLOCK = 2048;

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f;   // 1.5·2^23: x + ROUND − ROUND rounds x to an integer (|x| < 2^22)
    private static final float X_MAX = 88.3f, X_MIN = -87.3f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f, P3 = 4.1665795894E-2f,
            P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;

    // e^x per lane (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial, times 2^n; ≤ 2 ulp from Math.exp
    // on [−87.3, 88.3]; below −87.3 (and −∞) gives 0, above 88.3 saturates at e^88.3). It is written out inside the
    // loops of the two methods below, not as a method taking a FloatVector: such a helper is compiled on its own once
    // hot, and C2 then refuses to inline it ("already compiled into a medium method"), boxing every vector passed to
    // or returned from it (measured: swiGlu 14 ns and 48 allocated bytes per element, crossEntropy 24 B per element).

    /**
     * dst[dstOff + i] = e^(sign·src[srcOff + i] − shift) for i &lt; n (offsets in floats; dst may be src); returns
     * the sum of the results, lanes in a fixed order.
     */
    static float exp(MemorySegment src, long srcOff, float sign, float shift, MemorySegment dst, long dstOff, int n) {
        FloatVector sum = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector x = load(src, srcOff + i).mul(sign).sub(shift);
            VectorMask<Float> tiny = x.compare(VectorOperators.LT, X_MIN);
            FloatVector xc = x.max(X_MIN).min(X_MAX);
            FloatVector nr = xc.mul(LOG2E).add(ROUND);                 // n + ROUND, n = round(x·log2 e) in the low bits
            FloatVector k = nr.sub(ROUND);
            FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), xc);
            r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = FloatVector.broadcast(S, P0).fma(r, FloatVector.broadcast(S, P1));
            p = p.fma(r, FloatVector.broadcast(S, P2));
            p = p.fma(r, FloatVector.broadcast(S, P3));
            p = p.fma(r, FloatVector.broadcast(S, P4));
            p = p.fma(r, FloatVector.broadcast(S, P5));
            p = p.mul(r).fma(r, r.add(1f));                            // r²·p + (1 + r)
            // 2^n: n's bits sit in the low mantissa bits of nr; shift them into the exponent field
            var bits = nr.reinterpretAsInts().sub(ROUND_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul(bits.reinterpretAsFloats()).blend(0f, tiny);
            store(e, dst, dstOff + i);
            sum = sum.add(e);
        }
        float[] lanes = lanes();
        sum.intoArray(lanes, 0);
        for (int j = 0; i < n; i++, j++) {                             // the tail, in the lanes it would have had
            float e = exp(src.getAtIndex(F, srcOff + i) * sign - shift);
            dst.setAtIndex(F, dstOff + i, e);
            lanes[j] += e;
        }
        return sum(lanes);
    }

    /**
     * e^x for one float: the vector polynomial above in scalar IEEE operations, so the same bits as a lane of
     * {@link #expSum} (tails of vector loops; the jvm SwiGLU twins' silu).
     */
    public static float exp(float x) {
        float xc = Math.min(Math.max(x, X_MIN), X_MAX);
        float nr = xc * LOG2E + ROUND, k = nr - ROUND;
        float r = Math.fma(k, -LN2_HI, xc);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(P0, r, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        p = Math.fma(p * r, r, r + 1f);
        float e = p * Float.intBitsToFloat((Float.floatToRawIntBits(nr) - ROUND_BITS + 127) << 23);
        return x < X_MIN ? 0f : e;
    }

    /** a[i] = e^(a[i] − shift) for i in [from, to) (whole vectors: the array must hold them); returns their sum, lanes in a fixed order. */
    public static float expSum(float[] a, int from, int to, float shift) {
        FloatVector sum = FloatVector.zero(S);
        for (int i = from; i < to; i += L) {                           // the same arithmetic as exp(MemorySegment...)
            FloatVector x = FloatVector.fromArray(S, a, i).sub(shift);
            VectorMask<Float> tiny = x.compare(VectorOperators.LT, X_MIN);
            FloatVector xc = x.max(X_MIN).min(X_MAX);
            FloatVector nr = xc.mul(LOG2E).add(ROUND);
            FloatVector k = nr.sub(ROUND);
            FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), xc);
            r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = FloatVector.broadcast(S, P0).fma(r, FloatVector.broadcast(S, P1));
            p = p.fma(r, FloatVector.broadcast(S, P2));
            p = p.fma(r, FloatVector.broadcast(S, P3));
            p = p.fma(r, FloatVector.broadcast(S, P4));
            p = p.fma(r, FloatVector.broadcast(S, P5));
            p = p.mul(r).fma(r, r.add(1f));
            var bits = nr.reinterpretAsInts().sub(ROUND_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul(bits.reinterpretAsFloats()).blend(0f, tiny);
            e.intoArray(a, i);
            sum = sum.add(e);
        }
        float[] lanes = lanes();
        sum.intoArray(lanes, 0);
        return sum(lanes);
    }

    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

    /**
     * This thread's L-float array, for lane sums: {@code v.intoArray(lanes(), 0)}, a scalar tail added to the lanes
     * it would have had (element i of a vector loop belongs to lane i mod L), then {@link #sum}. Callers store the
     * vector themselves: a vector passed to a method C2 does not inline is boxed, and toArray allocates when C2 does
     * not remove the array (both measured in the training step's allocation profile).
     */
    static float[] lanes() { return LANES.get(); }

    /** The elements of a summed left to right. */
    static float sum(float[] a) {
        float s = 0f;
        for (float x : a) s += x;
        return s;
    }

    /** x rounded up to a multiple of the vector length. */
    static int roundUp(int x) { return (x + L - 1) / L * L; }

    static FloatVector load(MemorySegment s, long element) { return FloatVector.fromMemorySegment(S, s, element * 4, ORDER); }

    static FloatVector load(MemorySegment s, long element, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, element * 4, ORDER, m);
    }

    static void store(FloatVector v, MemorySegment s, long element) { v.intoMemorySegment(s, element * 4, ORDER); }

    static void store(FloatVector v, MemorySegment s, long element, VectorMask<Float> m) {
        v.intoMemorySegment(s, element * 4, ORDER, m);
    }

    /** max of a[from, to) (whole vectors); exact in any order. */
    static float max(float[] a, int from, int to) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = from; i < to; i += L) m = m.max(FloatVector.fromArray(S, a, i));
        float[] lanes = lanes();
        m.intoArray(lanes, 0);
        float r = Float.NEGATIVE_INFINITY;
        for (float x : lanes) r = Math.max(r, x);
        return r;
    }

    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    /**
     * This thread's off-heap scratch of at least {@code floats} floats (contents undefined). Off-heap like the
     * kernels' arrays, so the Vector API's memory-segment loads see one segment kind and stay intrinsified.
     */
    static MemorySegment scratch(long floats) {
        MemorySegment[] s = SCRATCH.get();
        if (s[0] == null || s[0].byteSize() < floats * 4)
            s[0] = java.lang.foreign.Arena.ofAuto().allocate(Math.max(floats * 4, 1 << 16), 64);
        return s[0].asSlice(0, floats * 4);
    }
}
