// A named error metric and the bound a result must meet under it.
package gale.compute.conformance;

/** A metric and its bound. Immutable, thread-safe. */
public record Tolerance(Metric metric, double bound) {
    public static Tolerance exact() { return new Tolerance(Metric.MAX_ABS, 0); }

    public static Tolerance maxAbs(double bound) { return new Tolerance(Metric.MAX_ABS, bound); }

    public static Tolerance maxRel(double bound) { return new Tolerance(Metric.MAX_REL, bound); }

    /** Normalised mean squared error (ggml test-backend-ops' metric; its default bound for most ops is 1e-7). */
    public static Tolerance nmse(double bound) { return new Tolerance(Metric.NMSE, bound); }

    @Override public String toString() { return metric.label + " <= " + bound; }

    /** How a result is compared with its reference. A NaN or infinity where the other side differs is an infinite error. */
    public enum Metric {
        /** max |actual - expected|. */
        MAX_ABS("max |a-e|"),
        /** max |actual - expected| / max(1, |expected|): absolute near zero, relative elsewhere. */
        MAX_REL("max |a-e|/max(1,|e|)"),
        /** Σ(actual - expected)² / Σ expected² (Σ(actual - expected)² when the reference is all zeros). */
        NMSE("NMSE");

        final String label;

        Metric(String label) { this.label = label; }

        double one(double a, double e) {
            if (Double.isNaN(a) || Double.isNaN(e)) return Double.isNaN(a) && Double.isNaN(e) ? 0 : Double.POSITIVE_INFINITY;
            if (Double.isInfinite(a) || Double.isInfinite(e)) return a == e ? 0 : Double.POSITIVE_INFINITY;
            double d = Math.abs(a - e);
            return this == MAX_REL ? d / Math.max(1, Math.abs(e)) : d;
        }

        public double error(double[] actual, double[] expected) {
            if (this == NMSE) {
                double num = 0, den = 0;
                for (int i = 0; i < actual.length; i++) {
                    double d = one(actual[i], expected[i]);
                    if (Double.isInfinite(d)) return Double.POSITIVE_INFINITY;
                    num += d * d;
                    if (Double.isFinite(expected[i])) den += expected[i] * expected[i];
                }
                return den == 0 ? num : num / den;
            }
            double m = 0;
            for (int i = 0; i < actual.length; i++) m = Math.max(m, one(actual[i], expected[i]));
            return m;
        }

        int worstIndex(double[] actual, double[] expected) {
            int w = -1;
            double m = -1;
            for (int i = 0; i < actual.length; i++) {
                double x = one(actual[i], expected[i]);
                if (x > m) { m = x; w = i; }
            }
            return w;
        }
    }
}
