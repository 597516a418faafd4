// RMSNorm for training: the forward that keeps 1/rms per row, and its input and weight gradients.
package gale.kernels.train;

import gale.compute.FloatArray;
import gale.compute.Kernel;
import gale.compute.Parallel;

/**
 * y = x·w·r with r = 1/sqrt(mean(x²) + eps) per row. Backward:
 * dx_j = r·w_j·dy_j − x_j·r³/n·Σ_i dy_i·w_i·x_i, dw_i = Σ_t dy[t, i]·x[t, i]·r_t. Only r (one float per row) is
 * stored; the normalised rows are recomputed when the backward needs them. All sums run in a fixed order.
 * Reference: {@code reference.TrainReference}.
 */
public final class TrainNorms {
    private TrainNorms() {}

    /** out[t] = x[t]·w·rstd[t], rstd[t] = 1/sqrt(mean(x[t]²) + eps); x, out: (rows, n); w: (n); rstd: (rows). */
    @Kernel
    public static void rmsNormForward(FloatArray out, FloatArray rstd, FloatArray x, FloatArray w, int rows, int n, float eps) {
        for (@Parallel int t = 0; t < rows; t++) {
            long base = (long) t * n;
            float ss = 0f;
            for (int i = 0; i < n; i++) {
                float v = x.get(base + i);
                ss += v * v;
            }
            float r = 1f / (float) Math.sqrt(ss / n + eps);
            rstd.set(t, r);
            for (int i = 0; i < n; i++) out.set(base + i, x.get(base + i) * r * w.get(i));
        }
    }

    /** dx[t] (+)= ∂/∂x of RMSNorm given dy; acc ≠ 0 adds into dx (the residual gradient). Shapes as the forward. */
    @Kernel
    public static void rmsNormBackwardX(FloatArray dx, FloatArray dy, FloatArray x, FloatArray w, FloatArray rstd,
                                        int rows, int n, int acc) {
        for (@Parallel int t = 0; t < rows; t++) {
            long base = (long) t * n;
            float r = rstd.get(t);
            float dot = 0f;
            for (int i = 0; i < n; i++) dot += dy.get(base + i) * w.get(i) * x.get(base + i);
            float k = dot * r * r * r / n;
            for (int i = 0; i < n; i++) {
                float g = r * w.get(i) * dy.get(base + i) - k * x.get(base + i);
                dx.set(base + i, acc != 0 ? dx.get(base + i) + g : g);
            }
        }
    }

    /** dw[i] += Σ_t dy[t, i]·x[t, i]·rstd[t], tokens in order: one work-item per column. */
    @Kernel
    public static void rmsNormBackwardW(FloatArray dw, FloatArray dy, FloatArray x, FloatArray rstd, int rows, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            float s = 0f;
            for (int t = 0; t < rows; t++) s += dy.get((long) t * n + i) * x.get((long) t * n + i) * rstd.get(t);
            dw.set(i, dw.get(i) + s);
        }
    }
}
