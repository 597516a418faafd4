// Test helper: compares a kernel's output with its reference under a named metric and prints the errors.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.HalfArray;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NMSE = Σ(got − ref)² / Σ ref² (ggml test-backend-ops' metric; its default bound for most ops is 1e-7) and the max
 * absolute error, printed for every comparison so the test log records how close each kernel is.
 */
final class Compare {
    private Compare() {}

    /** ggml test-backend-ops' default NMSE bound. */
    static final double NMSE_GGML = 1e-7;

    /** Asserts NMSE(got, ref) ≤ maxNmse; prints "what: max abs …, NMSE …". Returns the NMSE. */
    static double nmse(String what, float[] got, float[] ref, double maxNmse) {
        assertTrue(got.length == ref.length, what + ": lengths differ " + got.length + " vs " + ref.length);
        double err = 0, norm = 0, maxAbs = 0;
        for (int i = 0; i < got.length; i++) {
            double d = (double) got[i] - ref[i];
            if (Double.isNaN(d)) { maxAbs = Double.NaN; err = Double.POSITIVE_INFINITY; break; }
            err += d * d;
            norm += (double) ref[i] * ref[i];
            maxAbs = Math.max(maxAbs, Math.abs(d));
        }
        double nmse = norm == 0 ? err : err / norm;
        System.out.printf("%-48s max abs %.3e  NMSE %.3e  (bound %.0e)%n", what, maxAbs, nmse, maxNmse);
        assertTrue(nmse <= maxNmse, what + ": NMSE " + nmse + " > " + maxNmse + " (max abs " + maxAbs + ")");
        assertTrue(norm > 0, what + ": the reference is all zeros, the comparison proves nothing");
        return nmse;
    }

    static double nmse(String what, FloatArray got, FloatArray ref, double maxNmse) {
        return nmse(what, got.toArray(), ref.toArray(), maxNmse);
    }

    static double nmse(String what, HalfArray got, HalfArray ref, double maxNmse) {
        return nmse(what, floats(got), floats(ref), maxNmse);
    }

    static float[] floats(HalfArray h) {
        float[] f = new float[(int) h.length()];
        for (int i = 0; i < f.length; i++) f[i] = h.getFloat(i);
        return f;
    }
}
