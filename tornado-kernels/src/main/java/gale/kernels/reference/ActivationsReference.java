// Reference twins of the elementwise kernels (residual add, SwiGLU, softmax), in double.
package gale.kernels.reference;

import gale.compute.FloatArray;

/** The oracle for {@code Activations}; same arguments, computed in double. */
public final class ActivationsReference {
    private ActivationsReference() {}

    static double silu(double g) { return g / (1 + Math.exp(-g)); }

    public static void residualAdd(FloatArray x, FloatArray y, int n) {
        for (int i = 0; i < n; i++) x.set(i, (float) ((double) x.get(i) + y.get(i)));
    }

    public static void swiGlu(FloatArray out, FloatArray gate, FloatArray up, int n) {
        for (int i = 0; i < n; i++) out.set(i, (float) (silu(gate.get(i)) * up.get(i)));
    }

    public static void softmax(FloatArray x, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * n;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < n; i++) max = Math.max(max, x.get(base + i));
            double[] e = new double[n];
            for (int i = 0; i < n; i++) sum += e[i] = Math.exp(x.get(base + i) - max);
            for (int i = 0; i < n; i++) x.set(base + i, (float) (e[i] / sum));
        }
    }
}
