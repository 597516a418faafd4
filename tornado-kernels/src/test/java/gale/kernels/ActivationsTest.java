// Tests residual add, SwiGLU and softmax against their double references.
package gale.kernels;

import gale.compute.FloatArray;
import gale.kernels.reference.ActivationsReference;
import org.junit.jupiter.api.Test;

import java.util.Random;

/** Metric: NMSE ≤ 1e-7 (ggml's bound); float vs double evaluation of the same formula. */
class ActivationsTest {
    @Test
    void residualAdd() {
        Random rnd = new Random(2);
        int n = 1000;
        FloatArray x = TestData.floatArray(rnd, n, 1f), y = TestData.floatArray(rnd, n, 1f);
        FloatArray got = TestData.copy(x), ref = TestData.copy(x);
        Activations.residualAdd(got, y, n);
        ActivationsReference.residualAdd(ref, y, n);
        Compare.nmse("residualAdd " + n, got, ref, Compare.NMSE_GGML);
    }

    @Test
    void swiGlu() {
        Random rnd = new Random(3);
        int n = 1001;
        FloatArray g = TestData.floatArray(rnd, n, 3f), u = TestData.floatArray(rnd, n, 1f);
        FloatArray got = FloatArray.create(n), ref = FloatArray.create(n);
        Activations.swiGlu(got, g, u, n);
        ActivationsReference.swiGlu(ref, g, u, n);
        Compare.nmse("swiGlu " + n, got, ref, Compare.NMSE_GGML);
    }

    @Test
    void softmax() {
        Random rnd = new Random(4);
        int rows = 3, n = 1000;
        FloatArray x = TestData.floatArray(rnd, (long) rows * n, 5f);
        x.set(7, 200f); // a large logit: the max subtraction must keep exp finite
        FloatArray got = TestData.copy(x), ref = TestData.copy(x);
        Activations.softmax(got, rows, n);
        ActivationsReference.softmax(ref, rows, n);
        Compare.nmse("softmax " + rows + "x" + n, got, ref, Compare.NMSE_GGML);
    }
}
