// The conformance metrics: max abs, max rel, NMSE; NaN and infinities.
package gale.compute.conformance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ToleranceTest {
    @Test
    void nmseIsSquaredErrorOverSquaredReference() {
        double[] e = {3, 4}, a = {3, 4.5};
        assertEquals(0.25 / 25, Tolerance.Metric.NMSE.error(a, e), 1e-15);
        assertEquals(0, Tolerance.Metric.NMSE.error(e, e));
        assertEquals(0.25, Tolerance.Metric.NMSE.error(new double[]{0.5, 0}, new double[]{0, 0}), 1e-15); // all-zero reference: raw sum
        assertEquals(Double.POSITIVE_INFINITY, Tolerance.Metric.NMSE.error(new double[]{Double.NaN, 4}, e));
        assertEquals(1, Tolerance.Metric.NMSE.worstIndex(a, e));
        assertEquals("NMSE <= 1.0E-7", Tolerance.nmse(1e-7).toString());
    }

    @Test
    void maxAbsAndMaxRel() {
        double[] e = {100, 0.5}, a = {101, 0.25};
        assertEquals(1, Tolerance.Metric.MAX_ABS.error(a, e));
        assertEquals(0.25, Tolerance.Metric.MAX_REL.error(a, e));
        assertEquals(0, Tolerance.Metric.MAX_ABS.error(new double[]{Double.NaN}, new double[]{Double.NaN}));
        assertEquals(Double.POSITIVE_INFINITY, Tolerance.Metric.MAX_REL.error(new double[]{Double.POSITIVE_INFINITY}, new double[]{1}));
    }
}
