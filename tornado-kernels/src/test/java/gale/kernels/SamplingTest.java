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
}
