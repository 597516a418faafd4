// Reference twin of RMSNorm, in double.
package gale.kernels.reference;

import gale.compute.FloatArray;

/** The oracle for {@code Norms}. */
public final class NormsReference {
    private NormsReference() {}

    /** out[t, i] = x[t, i]·w[i] / sqrt(mean(x[t]²) + eps); x, out: (rows, n), w: (n). */
    public static void rmsNorm(FloatArray out, FloatArray x, FloatArray w, int rows, int n, float eps) {
        for (int t = 0; t < rows; t++) {
            long base = (long) t * n;
            double ss = 0;
            for (int i = 0; i < n; i++) ss += (double) x.get(base + i) * x.get(base + i);
            double scale = 1 / Math.sqrt(ss / n + eps);
            double[] y = new double[n];
            for (int i = 0; i < n; i++) y[i] = x.get(base + i) * scale * w.get(i);
            for (int i = 0; i < n; i++) out.set(base + i, (float) y[i]);
        }
    }
}
