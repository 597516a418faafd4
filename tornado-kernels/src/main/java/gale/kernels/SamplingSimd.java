// Vector API code behind the jvm twin of the argmax's first stage: one part's max and its first index.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.IntArray;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static gale.kernels.LinearSimd.F;
import static gale.kernels.LinearSimd.FL;
import static gale.kernels.LinearSimd.L;
import static gale.kernels.LinearSimd.NATIVE;

/**
 * Plain Java (not kernels) called by {@link Sampling#argmaxPartialSimd}. The portable kernel's scan (take the part's
 * first element, then any strictly greater one) is a compare and a branch per element, 21–24 µs a decode token for
 * 32000 logits on the jvm (bench/RESULTS.md); here two vector passes give the same value and index, bit for bit:
 * <ol>
 *   <li>each lane keeps the first of its strictly greater values (a NaN never compares greater, as in the scan), and
 *   the lanes' largest is the part's largest non-NaN value m;</li>
 *   <li>if m beats the first element, the answer is the first index holding a value == m (−0 == +0, so of two equal
 *   zeros the scan's first one), and its own value; else the first element, which the scan never leaves (a NaN
 *   first element included).</li>
 * </ol>
 * Thread-safe: no state.
 */
final class SamplingSimd {
    private SamplingSimd() {}

    /** partMax[p], partIdx[p] for part p of x (as {@link Sampling#argmaxPartial}). */
    static void part(FloatArray partMax, IntArray partIdx, FloatArray x, int n, int nParts, int p) {
        int chunk = (n + nParts - 1) / nParts, start = p * chunk, end = Math.min(n, start + chunk);
        if (start >= end) {
            partMax.set(p, -3.4028235e38f);
            partIdx.set(p, -1);
            return;
        }
        MemorySegment xs = x.segment();
        float first = xs.get(FL, start * 4L);
        // four accumulators: with one, each vector's compare-and-blend waited for the previous (6.8 → 6.0 µs per 64 parts)
        FloatVector a0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), a1 = a0, a2 = a0, a3 = a0;
        int i = start;
        for (; i + 4 * L <= end; i += 4 * L) {
            FloatVector v0 = FloatVector.fromMemorySegment(F, xs, i * 4L, NATIVE), v1 = FloatVector.fromMemorySegment(F, xs, (i + L) * 4L, NATIVE);
            FloatVector v2 = FloatVector.fromMemorySegment(F, xs, (i + 2 * L) * 4L, NATIVE), v3 = FloatVector.fromMemorySegment(F, xs, (i + 3 * L) * 4L, NATIVE);
            a0 = a0.blend(v0, v0.compare(VectorOperators.GT, a0));
            a1 = a1.blend(v1, v1.compare(VectorOperators.GT, a1));
            a2 = a2.blend(v2, v2.compare(VectorOperators.GT, a2));
            a3 = a3.blend(v3, v3.compare(VectorOperators.GT, a3));
        }
        for (; i + L <= end; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(F, xs, i * 4L, NATIVE);
            a0 = a0.blend(v, v.compare(VectorOperators.GT, a0));
        }
        a0 = a0.blend(a1, a1.compare(VectorOperators.GT, a0));  // only the largest value matters: pass 2 finds its index
        a2 = a2.blend(a3, a3.compare(VectorOperators.GT, a2));
        a0 = a0.blend(a2, a2.compare(VectorOperators.GT, a0));
        // (no NaN lanes; of a −0 and a +0 lane MAX may give either, and pass 2 treats both alike. A loop over lane(j)
        // instead took ~1.5 ns a lane, a quarter of the part's time: 6.0 → 4.4 µs per 64 parts.)
        float m = a0.reduceLanes(VectorOperators.MAX);
        for (; i < end; i++) {
            float v = xs.get(FL, i * 4L);
            if (v > m) m = v;
        }
        int best = start;
        if (m > first) {                                         // (false for a NaN first element)
            int k = start;
            for (; k + L <= end; k += L) {
                int t = FloatVector.fromMemorySegment(F, xs, k * 4L, NATIVE).compare(VectorOperators.EQ, m).firstTrue();
                if (t < L) break;
            }
            while (xs.get(FL, k * 4L) != m) k++;                 // m is in the part, so this stops inside it
            best = k;
        }
        partMax.set(p, xs.get(FL, best * 4L));
        partIdx.set(p, best);
    }
}
