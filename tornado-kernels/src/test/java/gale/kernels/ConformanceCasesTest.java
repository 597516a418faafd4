// Runs tornado-kernels' conformance cases (what `gale selftest` runs) on every device present; no case may fail.
package gale.kernels;

import gale.compute.Device;
import gale.compute.Devices;
import gale.compute.conformance.Conformance;
import gale.compute.conformance.ConformanceCase;
import gale.compute.conformance.ConformanceResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConformanceCasesTest {
    static List<String> devices() { return Devices.available(); }

    static List<ConformanceCase> cases() {
        return Conformance.cases(ConformanceCasesTest.class.getClassLoader()).stream()
                .filter(c -> c.name().startsWith("kernels.")).toList();
    }

    @Test
    void everyTransformerKernelHasACase() {
        Set<String> names = cases().stream().map(ConformanceCase::name).collect(Collectors.toSet());
        for (WeightType t : WeightType.values())
            for (String op : List.of("matVec", "matVecGroup", "matVecAdd", "matVecAddGroup", "swiGluMatVec", "swiGluMatVecGroup",
                    "matMul", "matMulAdd", "swiGluMatMul", "embedding"))
                assertTrue(names.contains("kernels." + op + "." + t), "no case kernels." + op + "." + t);
        for (String n : List.of("rmsNorm", "rmsNormGroup", "residualAdd", "swiGlu", "softmax", "copyRow", "rope", "ropeToCache",
                "ropeToCacheF16", "attention", "attentionGroup", "attentionF16", "attentionF16Group", "argmax"))
            assertTrue(names.contains("kernels." + n), "no case kernels." + n);
    }

    /** Selftest's logic on each device: every case runs; none fails; on the jvm backend none is unsupported either. */
    @ParameterizedTest
    @MethodSource("devices")
    void selftest(String id) {
        Device d = Devices.select(id);
        List<ConformanceResult> results = Conformance.run(cases(), List.of(d));
        results.forEach(r -> System.out.println(r.format()));
        List<String> failed = results.stream().filter(r -> r.status() == ConformanceResult.Status.FAIL).map(ConformanceResult::format).toList();
        assertEquals(List.of(), failed, "failed on " + id);
        if (id.equals("jvm"))
            assertEquals(List.of(), results.stream().filter(r -> r.status() != ConformanceResult.Status.PASS).map(ConformanceResult::format).toList());
    }
}
