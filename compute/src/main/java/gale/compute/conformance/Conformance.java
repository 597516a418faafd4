// Discovers conformance cases and runs them on devices.
package gale.compute.conformance;

import gale.compute.Device;
import gale.compute.Devices;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** Runs every registered {@link ConformanceCase} on devices. Thread-safe (stateless). */
public final class Conformance {
    private Conformance() {}

    /** Every case on the class path of {@code loader}, sorted by name. */
    public static List<ConformanceCase> cases(ClassLoader loader) {
        List<ConformanceCase> out = new ArrayList<>();
        ServiceLoader.load(ConformanceCase.class, loader).forEach(out::add);
        out.sort(Comparator.comparing(ConformanceCase::name));
        return out;
    }

    /** Every case on every device of {@link Devices#all()}. */
    public static List<ConformanceResult> runAll(ClassLoader loader) { return run(cases(loader), Devices.all()); }

    /** Each case on each device, in case-major order. */
    public static List<ConformanceResult> run(List<ConformanceCase> cases, List<Device> devices) {
        List<ConformanceResult> out = new ArrayList<>();
        for (ConformanceCase c : cases) for (Device d : devices) out.add(c.run(d));
        return out;
    }
}
