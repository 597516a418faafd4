// RMSNorm for training: the forward that keeps 1/rms per row, and its input and weight gradients.
package gale.kernels.train;

import gale.compute.FloatArray;
import gale.compute.Kernel;
import gale.compute.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;

/**
 * y = x·w·r with r = 1/sqrt(mean(x²) + eps) per row. Backward:
 * dx_j = r·w_j·dy_j − x_j·r³/n·Σ_i dy_i·w_i·x_i, dw_i = Σ_t dy[t, i]·x[t, i]·r_t. Only r (one float per row) is
 * stored; the normalised rows are recomputed when the backward needs them. All sums run in a fixed order.
 * The {@code ...Simd} kernels are the jvm twins over {@link FloatVector}. Reference: {@code reference.TrainReference}.
 */
public final class TrainNorms {
    private TrainNorms() {}

    /** out[t] = x[t]·w·rstd[t], rstd[t] = 1/sqrt(mean(x[t]²) + eps); x, out: (rows, n); w: (n); rstd: (rows). */
    @Kernel(jvm = "rmsNormForwardSimd")
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
    @Kernel(jvm = "rmsNormBackwardXSimd")
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
    @Kernel(jvm = "rmsNormBackwardWSimd")
    public static void rmsNormBackwardW(FloatArray dw, FloatArray dy, FloatArray x, FloatArray rstd, int rows, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            float s = 0f;
            for (int t = 0; t < rows; t++) s += dy.get((long) t * n + i) * x.get((long) t * n + i) * rstd.get(t);
            dw.set(i, dw.get(i) + s);
        }
    }

    // ---- jvm twins ----

    /** {@link #rmsNormForward} for the jvm: one row per iteration. */
    @Kernel(jvmOnly = true)
    public static void rmsNormForwardSimd(FloatArray out, FloatArray rstd, FloatArray x, FloatArray w, int rows, int n, float eps) {
        for (@Parallel int t = 0; t < rows; t++) {
            TrainNorms.forwardRow(out.segment(), rstd.segment(), x.segment(), w.segment(), t, n, eps);
        }
    }

    static void forwardRow(MemorySegment out, MemorySegment rstd, MemorySegment x, MemorySegment w, int t, int n, float eps) {
        long base = (long) t * n;
        FloatVector ss = FloatVector.zero(TrainSimd.S);
        for (int i = 0; i < n; i += TrainSimd.L) {
            FloatVector v = TrainSimd.load(x, base + i, TrainSimd.S.indexInRange(i, n));
            ss = v.fma(v, ss);
        }
        float r = 1f / (float) Math.sqrt(TrainSimd.sum(ss) / n + eps);
        rstd.setAtIndex(TrainSimd.F, t, r);
        for (int i = 0; i < n; i += TrainSimd.L) {
            VectorMask<Float> m = TrainSimd.S.indexInRange(i, n);
            TrainSimd.store(TrainSimd.load(x, base + i, m).mul(r).mul(TrainSimd.load(w, i, m)), out, base + i, m);
        }
    }

    /** {@link #rmsNormBackwardX} for the jvm: one row per iteration. */
    @Kernel(jvmOnly = true)
    public static void rmsNormBackwardXSimd(FloatArray dx, FloatArray dy, FloatArray x, FloatArray w, FloatArray rstd,
                                            int rows, int n, int acc) {
        for (@Parallel int t = 0; t < rows; t++) {
            TrainNorms.backwardXRow(dx.segment(), dy.segment(), x.segment(), w.segment(), rstd.get(t), t, n, acc);
        }
    }

    static void backwardXRow(MemorySegment dx, MemorySegment dy, MemorySegment x, MemorySegment w, float r, int t, int n, int acc) {
        long base = (long) t * n;
        FloatVector dot = FloatVector.zero(TrainSimd.S);
        for (int i = 0; i < n; i += TrainSimd.L) {
            VectorMask<Float> m = TrainSimd.S.indexInRange(i, n);
            dot = TrainSimd.load(dy, base + i, m).mul(TrainSimd.load(w, i, m)).fma(TrainSimd.load(x, base + i, m), dot);
        }
        float k = TrainSimd.sum(dot) * r * r * r / n;
        for (int i = 0; i < n; i += TrainSimd.L) {
            VectorMask<Float> m = TrainSimd.S.indexInRange(i, n);
            FloatVector g = TrainSimd.load(w, i, m).mul(r).mul(TrainSimd.load(dy, base + i, m)).sub(TrainSimd.load(x, base + i, m).mul(k));
            if (acc != 0) TrainSimd.store(TrainSimd.load(dx, base + i, m).add(g), dx, base + i, m);   // no vector Phi (see TrainSimd)
            else TrainSimd.store(g, dx, base + i, m);
        }
    }

    /** {@link #rmsNormBackwardW} for the jvm: one vector of columns per iteration, tokens in order (bit-identical). */
    @Kernel(jvmOnly = true)
    public static void rmsNormBackwardWSimd(FloatArray dw, FloatArray dy, FloatArray x, FloatArray rstd, int rows, int n) {
        for (@Parallel int i = 0; i < n; i += TrainSimd.L) {
            VectorMask<Float> m = TrainSimd.S.indexInRange(i, n);
            FloatVector s = FloatVector.zero(TrainSimd.S);
            for (int t = 0; t < rows; t++)
                s = TrainSimd.load(dy.segment(), (long) t * n + i, m).mul(TrainSimd.load(x.segment(), (long) t * n + i, m)).mul(rstd.get(t)).add(s);
            TrainSimd.store(TrainSimd.load(dw.segment(), i, m).add(s), dw.segment(), i, m);
        }
    }
}
