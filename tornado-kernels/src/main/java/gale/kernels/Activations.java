// Elementwise kernels of the Llama block: residual add, SwiGLU, and a row softmax.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.Kernel;
import gale.compute.Parallel;

/** Elementwise and row-wise activations. Reference: {@code reference.ActivationsReference}. */
public final class Activations {
    private Activations() {}

    /** x[i] += y[i] for i &lt; n: the residual connection. x, y: (n). */
    @Kernel
    public static void residualAdd(FloatArray x, FloatArray y, int n) {
        for (@Parallel int i = 0; i < n; i++) x.set(i, x.get(i) + y.get(i));
    }

    /** out[i] = silu(gate[i])·up[i] with silu(g) = g / (1 + e^−g), for i &lt; n. out, gate, up: (n); out may be gate. */
    @Kernel
    public static void swiGlu(FloatArray out, FloatArray gate, FloatArray up, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            float g = gate.get(i);
            out.set(i, g / (1f + (float) Math.exp(-g)) * up.get(i));
        }
    }

    /** Softmax of each row of x in place: x: (rows, n). Subtracts the row max first so exp never overflows. */
    @Kernel
    public static void softmax(FloatArray x, int rows, int n) {
        for (@Parallel int r = 0; r < rows; r++) {
            long base = (long) r * n;
            float max = x.get(base);
            for (int i = 1; i < n; i++) max = Math.max(max, x.get(base + i));
            float sum = 0f;
            for (int i = 0; i < n; i++) {
                float e = (float) Math.exp(x.get(base + i) - max);
                x.set(base + i, e);
                sum += e;
            }
            float inv = 1f / sum;
            for (int i = 0; i < n; i++) x.set(base + i, x.get(base + i) * inv);
        }
    }
}
