// Reference twins of the linear-layer kernels (MatVec, MatMul, their SwiGLU fusions): dequantise, then dot in double.
package gale.kernels.reference;

import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.kernels.WeightType;

/**
 * The oracle for {@code MatVec} and {@code MatMul}: each weight row is dequantised by {@link Dequant} (ggml's loops)
 * and multiplied with the activations in double. Same argument order as the kernels, with the weight type explicit.
 */
public final class LinearReference {
    private LinearReference() {}

    /** out[t, r] = Σ_c W[r, c]·x[t, c]; x: (nTok, cols), out: (nTok, rows), W: (rows, cols). nTok = 1 is mat-vec. */
    public static void matMul(FloatArray out, FloatArray x, WeightType type, GaleArray w, int nTok, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            float[] wr = Dequant.row(type, w, r, cols);
            for (int t = 0; t < nTok; t++) out.set((long) t * rows + r, (float) dot(wr, x, (long) t * cols));
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); x: (nTok, dim), h: (nTok, hidden). */
    public static void swiGluMatMul(FloatArray h, FloatArray x, WeightType type, GaleArray w1, GaleArray w3,
                                    int nTok, int hidden, int dim) {
        for (int r = 0; r < hidden; r++) {
            float[] g = Dequant.row(type, w1, r, dim), u = Dequant.row(type, w3, r, dim);
            for (int t = 0; t < nTok; t++) {
                double a = dot(g, x, (long) t * dim), b = dot(u, x, (long) t * dim);
                h.set((long) t * hidden + r, (float) (ActivationsReference.silu(a) * b));
            }
        }
    }

    static double dot(float[] w, FloatArray x, long xOff) {
        double s = 0;
        for (int c = 0; c < w.length; c++) s += (double) w[c] * x.get(xOff + c);
        return s;
    }
}
