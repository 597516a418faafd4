// Reference twin of greedy sampling: a sequential argmax.
package gale.kernels.reference;

import gale.compute.FloatArray;

/** The oracle for {@code Sampling}. */
public final class SamplingReference {
    private SamplingReference() {}

    /** The index of the largest of x[0..n), the first one on ties. */
    public static int argmax(FloatArray x, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x.get(i) > x.get(best)) best = i;
        return best;
    }
}
