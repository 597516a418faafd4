// RMSNorm for training: the forward that keeps 1/rms per row, and its input and weight gradients.
package gale.kernels.train;

import gale.compute.FloatArray;
import gale.compute.Kernel;
import gale.compute.Parallel;
import jdk.incubator.vector.FloatVector;

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
        // whole vectors, then the tail in scalars with the same operations (masked loops box their masks in C2)
        FloatVector ss = FloatVector.zero(TrainSimd.S);
        int i = 0;
        for (; i <= n - TrainSimd.L; i += TrainSimd.L) {
            FloatVector v = TrainSimd.load(x, base + i);
            ss = v.fma(v, ss);
        }
        float[] lanes = TrainSimd.lanes();
        ss.intoArray(lanes, 0);
        for (int j = 0; i < n; i++, j++) {
            float v = x.getAtIndex(TrainSimd.F, base + i);
            lanes[j] = Math.fma(v, v, lanes[j]);
        }
        float r = 1f / (float) Math.sqrt(TrainSimd.sum(lanes) / n + eps);
        rstd.setAtIndex(TrainSimd.F, t, r);
        for (i = 0; i <= n - TrainSimd.L; i += TrainSimd.L)
            TrainSimd.store(TrainSimd.load(x, base + i).mul(r).mul(TrainSimd.load(w, i)), out, base + i);
        for (; i < n; i++) out.setAtIndex(TrainSimd.F, base + i, x.getAtIndex(TrainSimd.F, base + i) * r * w.getAtIndex(TrainSimd.F, i));
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
        int i = 0;
        for (; i <= n - TrainSimd.L; i += TrainSimd.L)
            dot = TrainSimd.load(dy, base + i).mul(TrainSimd.load(w, i)).fma(TrainSimd.load(x, base + i), dot);
        float[] lanes = TrainSimd.lanes();
        dot.intoArray(lanes, 0);
        for (int j = 0; i < n; i++, j++)
            lanes[j] = Math.fma(dy.getAtIndex(TrainSimd.F, base + i) * w.getAtIndex(TrainSimd.F, i), x.getAtIndex(TrainSimd.F, base + i), lanes[j]);
        float k = TrainSimd.sum(lanes) * r * r * r / n;
        for (i = 0; i <= n - TrainSimd.L; i += TrainSimd.L) {
            FloatVector g = TrainSimd.load(w, i).mul(r).mul(TrainSimd.load(dy, base + i)).sub(TrainSimd.load(x, base + i).mul(k));
            if (acc != 0) TrainSimd.store(TrainSimd.load(dx, base + i).add(g), dx, base + i);   // no vector Phi (see TrainSimd)
            else TrainSimd.store(g, dx, base + i);
        }
        for (; i < n; i++) {
            float g = w.getAtIndex(TrainSimd.F, i) * r * dy.getAtIndex(TrainSimd.F, base + i) - x.getAtIndex(TrainSimd.F, base + i) * k;
            dx.setAtIndex(TrainSimd.F, base + i, acc != 0 ? dx.getAtIndex(TrainSimd.F, base + i) + g : g);
        }
    }

    /** {@link #rmsNormBackwardW} for the jvm: one vector of columns per iteration, tokens in order (bit-identical). */
    @Kernel(jvmOnly = true)
    public static void rmsNormBackwardWSimd(FloatArray dw, FloatArray dy, FloatArray x, FloatArray rstd, int rows, int n) {
        for (@Parallel int i = 0; i < n; i += TrainSimd.L) {
            TrainNorms.backwardWColumns(dw.segment(), dy.segment(), x.segment(), rstd.segment(), i, rows, n);
        }
    }

    /** dw[c] += Σ_t dy[t, c]·x[t, c]·rstd[t] for the vector of columns at i (a whole vector, or the scalar tail). */
    static void backwardWColumns(MemorySegment dw, MemorySegment dy, MemorySegment x, MemorySegment rstd, int i, int rows, int n) {
        if (i + TrainSimd.L <= n) {
            FloatVector s = FloatVector.zero(TrainSimd.S);
            for (int t = 0; t < rows; t++)
                s = TrainSimd.load(dy, (long) t * n + i).mul(TrainSimd.load(x, (long) t * n + i)).mul(rstd.getAtIndex(TrainSimd.F, t)).add(s);
            TrainSimd.store(TrainSimd.load(dw, i).add(s), dw, i);
            return;
        }
        for (int c = i; c < n; c++) {
            float s = 0f;
            for (int t = 0; t < rows; t++)
                s = dy.getAtIndex(TrainSimd.F, (long) t * n + c) * x.getAtIndex(TrainSimd.F, (long) t * n + c) * rstd.getAtIndex(TrainSimd.F, t) + s;
            dw.setAtIndex(TrainSimd.F, c, dw.getAtIndex(TrainSimd.F, c) + s);
        }
    }
}
