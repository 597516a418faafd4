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
 * as gigabytes per second of allocation and 10–30× slower mat-muls). Branch on the store instead.
 */
final class TrainSimd {
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

    /**
     * e^x per lane (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial, times 2^n; ≤ 2 ulp from
     * {@code Math.exp} on [−87.3, 88.3]). Below −87.3 (and −∞) gives 0; above 88.3 saturates at e^88.3.
     */
    static FloatVector exp(FloatVector x) {
        VectorMask<Float> tiny = x.compare(VectorOperators.LT, X_MIN);
        FloatVector xc = x.max(X_MIN).min(X_MAX);
        FloatVector nr = xc.mul(LOG2E).add(ROUND);                 // n + ROUND, n = round(x·log2 e) in the low bits
        FloatVector n = nr.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1.9875691500E-4f).fma(r, FloatVector.broadcast(S, 1.3981999507E-3f));
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073E-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894E-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459E-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201E-1f));
        p = p.mul(r).fma(r, r.add(1f));                            // r²·p + (1 + r)
        // 2^n: n's bits sit in the low mantissa bits of nr; shift them into the exponent field
        var bits = nr.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector e = p.mul(bits.reinterpretAsFloats());
        return e.blend(0f, tiny);
    }

    /** The lanes of v summed left to right (a fixed order). */
    static float sum(FloatVector v) { return sum(v.toArray()); }   // tiny, so always inlined: v is never boxed

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

    /** a[i] = e^(a[i] − shift) for i in [from, to) (whole vectors: the array must hold them); returns their sum, lanes in a fixed order. */
    static float expSum(float[] a, int from, int to, float shift) {
        FloatVector sum = FloatVector.zero(S);
        for (int i = from; i < to; i += L) {
            FloatVector e = exp(FloatVector.fromArray(S, a, i).sub(shift));
            e.intoArray(a, i);
            sum = sum.add(e);
        }
        return sum(sum);
    }

    /** max of a[from, to) (whole vectors); exact in any order. */
    static float max(float[] a, int from, int to) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = from; i < to; i += L) m = m.max(FloatVector.fromArray(S, a, i));
        float r = Float.NEGATIVE_INFINITY;
        for (float x : m.toArray()) r = Math.max(r, x);
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
