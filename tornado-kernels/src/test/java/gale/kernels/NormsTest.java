// Tests RMSNorm against its double reference, out of place and in place.
package gale.kernels;

import gale.compute.FloatArray;
import gale.kernels.reference.NormsReference;
import org.junit.jupiter.api.Test;

import java.util.Random;

/** Metric: NMSE ≤ 1e-7 (ggml's bound); the kernel sums squares in float, the reference in double. */
class NormsTest {
    @Test
    void rmsNorm() {
        Random rnd = new Random(1);
        for (int[] shape : new int[][]{{1, 4096}, {3, 100}, {5, 257}}) {
            int rows = shape[0], n = shape[1];
            FloatArray x = TestData.floatArray(rnd, (long) rows * n, 2f), w = TestData.floatArray(rnd, n, 1f);
            FloatArray got = FloatArray.create((long) rows * n), ref = FloatArray.create((long) rows * n);
            Norms.rmsNorm(got, x, w, rows, n, 1e-5f);
            NormsReference.rmsNorm(ref, x, w, rows, n, 1e-5f);
            Compare.nmse("rmsNorm " + rows + "x" + n, got, ref, Compare.NMSE_GGML);
            FloatArray inPlace = TestData.copy(x);
            Norms.rmsNorm(inPlace, inPlace, w, rows, n, 1e-5f);
            Compare.nmse("rmsNorm in place " + rows + "x" + n, inPlace, ref, Compare.NMSE_GGML);
        }
    }
}
