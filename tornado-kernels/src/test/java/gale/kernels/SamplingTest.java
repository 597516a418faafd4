// Tests the two-stage device argmax against a sequential scan, including ties and empty parts.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.IntArray;
import gale.kernels.reference.SamplingReference;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Metric: exact index equality. */
class SamplingTest {
    static int argmax(FloatArray x, int n, int nParts) {
        FloatArray partMax = FloatArray.create(nParts);
        IntArray partIdx = IntArray.create(nParts), result = IntArray.create(1);
        Sampling.argmaxPartial(partMax, partIdx, x, n, nParts);
        Sampling.argmaxFinal(result, partMax, partIdx, nParts);
        return result.get(0);
    }

    @Test
    void argmax() {
        Random rnd = new Random(5);
        int n = 32003;
        FloatArray x = TestData.floatArray(rnd, n, 3f);
        for (int parts : new int[]{1, 7, 64, 256}) {
            int want = SamplingReference.argmax(x, n);
            assertEquals(want, argmax(x, n, parts), "parts " + parts);
            System.out.println("argmax n " + n + " parts " + parts + " -> " + want);
        }
        // ties across part boundaries: the first index wins
        x.set(100, 50f);
        x.set(20000, 50f);
        assertEquals(100, SamplingReference.argmax(x, n));
        assertEquals(100, argmax(x, n, 64));
        // all negative, and more parts than elements (empty parts)
        FloatArray small = FloatArray.of(-5f, -3f, -4f, -3f, -9f);
        assertEquals(1, argmax(small, 5, 8));
        assertEquals(1, argmax(small, 5, 2));
    }

    /**
     * The jvm twin of the first stage gives the portable scan's part maxima (bitwise) and indices on patterns the scan
     * treats specially: a NaN first element (kept), NaNs later (skipped), −0 and +0 ties (the first kept), all −∞,
     * equal maxima inside a part and across its vector lanes, empty parts and parts shorter than a vector.
     */
    @Test
    void argmaxPartialTwinMatchesTheScan() {
        Random rnd = new Random(11);
        int checked = 0;
        for (int n : new int[]{1, 5, 17, 100, 1000, 32003}) {
            for (int parts : new int[]{1, 3, 8, 64, 2 * n}) {
                for (int pattern = 0; pattern < 8; pattern++) {
                    FloatArray x = FloatArray.create(n);
                    for (int i = 0; i < n; i++) {
                        float v = switch (pattern) {
                            case 0 -> (float) rnd.nextGaussian();
                            case 1 -> rnd.nextInt(4) == 0 ? Float.NaN : (float) rnd.nextGaussian();
                            case 2 -> rnd.nextBoolean() ? 0f : -0f;
                            case 3 -> Float.NEGATIVE_INFINITY;
                            case 4 -> rnd.nextInt(3);                 // many equal maxima
                            case 5 -> rnd.nextInt(5) == 0 ? Float.NaN : rnd.nextBoolean() ? -0f : -1f;
                            case 6 -> rnd.nextBoolean() ? Float.NEGATIVE_INFINITY : Float.NaN;
                            default -> -(float) Math.abs(rnd.nextGaussian()) - 1e30f;
                        };
                        x.set(i, v);
                    }
                    if (pattern == 1 || pattern == 5) x.set(0, Float.NaN);   // a NaN first element of part 0
                    FloatArray wantMax = FloatArray.create(parts), gotMax = FloatArray.create(parts);
                    IntArray wantIdx = IntArray.create(parts), gotIdx = IntArray.create(parts);
                    Sampling.argmaxPartial(wantMax, wantIdx, x, n, parts);
                    Sampling.argmaxPartialSimd(gotMax, gotIdx, x, n, parts);
                    for (int p = 0; p < parts; p++) {
                        String where = "n " + n + " parts " + parts + " pattern " + pattern + " part " + p;
                        assertEquals(wantIdx.get(p), gotIdx.get(p), where + " index");
                        assertEquals(Float.floatToRawIntBits(wantMax.get(p)), Float.floatToRawIntBits(gotMax.get(p)), where + " max");
                        checked++;
                    }
                }
            }
        }
        System.out.println("argmaxPartialSimd: " + checked + " parts, values and indices identical to the scan");
    }
}
