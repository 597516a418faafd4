// Normalisation kernels: RMSNorm over the rows of a batch.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.Gale;
import gale.compute.Kernel;
import gale.compute.Parallel;

/** RMSNorm as in Llama. Reference: {@code reference.NormsReference}. */
public final class Norms {
    private Norms() {}

    /**
     * out[t, i] = x[t, i]·w[i] / sqrt(mean_i(x[t, i]²) + eps) for t &lt; rows; x, out: (rows, n), w: (n).
     * One work-item per row; out may be x (in place: each row is read fully before it is written).
     */
    @Kernel
    public static void rmsNorm(FloatArray out, FloatArray x, FloatArray w, int rows, int n, float eps) {
        for (@Parallel int t = 0; t < rows; t++) {
            long base = (long) t * n;
            float ss = 0f;
            for (int i = 0; i < n; i++) {
                float v = x.get(base + i);
                ss += v * v;
            }
            float scale = Gale.rsqrt(ss / n + eps);
            for (int i = 0; i < n; i++) out.set(base + i, x.get(base + i) * scale * w.get(i));
        }
    }
}
