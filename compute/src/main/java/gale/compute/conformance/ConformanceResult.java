// The outcome of one conformance case on one device.
package gale.compute.conformance;

/** PASS, FAIL or UNSUPPORTED, with the measured error and the reason or worst element. Immutable. */
public record ConformanceResult(String caseName, String device, Status status, double maxError, Tolerance tolerance, String detail) {
    public enum Status { PASS, FAIL, UNSUPPORTED }

    static ConformanceResult pass(String c, String d, Tolerance t, double err, String detail) { return new ConformanceResult(c, d, Status.PASS, err, t, detail); }

    static ConformanceResult fail(String c, String d, Tolerance t, double err, String detail) { return new ConformanceResult(c, d, Status.FAIL, err, t, detail); }

    static ConformanceResult unsupported(String c, String d, Tolerance t, String why) { return new ConformanceResult(c, d, Status.UNSUPPORTED, Double.NaN, t, why); }

    /** One line: status, case, device, error vs tolerance, detail. */
    public String format() {
        String err = status == Status.UNSUPPORTED ? "" : String.format(" max error %.3g (%s)", maxError, tolerance);
        return String.format("%-11s %-36s %-10s%s%s", status, caseName, device, err, detail.isEmpty() ? "" : " - " + detail);
    }
}
