// Runs every registered conformance case on every device and fails on any mismatch.
package gale.compute.translate;

import gale.compute.Device;
import gale.compute.Devices;
import gale.compute.conformance.Conformance;
import gale.compute.conformance.ConformanceCase;
import gale.compute.conformance.ConformanceResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConformanceTest {
    @Test
    void everyCaseOnEveryDevice() {
        List<ConformanceCase> cases = Conformance.cases(getClass().getClassLoader());
        assertTrue(cases.size() >= 19, "ServiceLoader found only " + cases.size() + " cases");
        List<Device> devices = Devices.all();
        List<ConformanceResult> results = Conformance.run(cases, devices);
        List<String> failures = new ArrayList<>();
        for (ConformanceResult r : results) {
            System.out.println(r.format());
            if (r.status() == ConformanceResult.Status.FAIL) failures.add(r.format());
            if (r.status() == ConformanceResult.Status.UNSUPPORTED) assertTrue(!r.detail().isBlank(), "unsupported without a reason: " + r);
        }
        assertTrue(failures.isEmpty(), "conformance failures:\n" + String.join("\n", failures));
        // On the jvm exactly the barrier kernel without a twin is unsupported; everything else must have run.
        List<String> jvmUnsupported = results.stream().filter(r -> r.device().equals("jvm") && r.status() == ConformanceResult.Status.UNSUPPORTED)
                .map(ConformanceResult::caseName).toList();
        assertEquals(List.of("translate.barrierNoJvmTwin"), jvmUnsupported);
    }
}
