// `gale selftest`: the kernel conformance suite on one device — pass/fail/unsupported with measured error and tolerance.
package gale.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import gale.compute.Device;
import gale.compute.Devices;
import gale.compute.conformance.Conformance;
import gale.compute.conformance.ConformanceCase;
import gale.compute.conformance.ConformanceResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = {"Run every kernel conformance case (found with ServiceLoader: gale.compute.conformance.ConformanceCase)",
                "on a device against its plain-Java reference, under the case's named metric and bound; exit 1 if any fails.",
                "UNSUPPORTED (with the reason) is not a failure: e.g. a kernel needing more local memory than the device has."})
final class SelftestCommand implements Callable<Integer> {
    @Option(names = {"-b", "--backend"}, paramLabel = "ID", defaultValue = "jvm", description = "Device to test, or 'all' for every device present (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--json", description = "Print JSON: one object per case.")
    boolean json;

    @Override public Integer call() throws Exception {
        List<Device> devices = backend.equals("all") ? Devices.all() : List.of(Devices.select(backend));
        List<ConformanceCase> cases = Conformance.cases(SelftestCommand.class.getClassLoader());
        if (cases.isEmpty()) throw new IllegalStateException("no conformance cases found on the class path");
        List<ConformanceResult> results = new ArrayList<>();
        int fail = 0;
        for (Device d : devices) {
            int pass = 0, failed = 0, unsupported = 0;
            for (ConformanceCase c : cases) {
                ConformanceResult r = c.run(d);
                results.add(r);
                switch (r.status()) { case PASS -> pass++; case FAIL -> failed++; case UNSUPPORTED -> unsupported++; }
                if (!json) System.out.println(r.format());
            }
            fail += failed;
            if (!json) System.out.printf("%s (%s): %d passed, %d failed, %d unsupported%n", d.id(), d.info().name(), pass, failed, unsupported);
        }
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ConformanceResult r : results) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("case", r.caseName());
                o.put("device", r.device());
                o.put("status", r.status().name().toLowerCase());
                o.put("max_error", Double.isNaN(r.maxError()) ? null : r.maxError());
                o.put("metric", r.tolerance().metric().name().toLowerCase());
                o.put("tolerance", r.tolerance().bound());
                o.put("detail", r.detail());
                rows.add(o);
            }
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
        }
        return fail == 0 ? 0 : 1;
    }
}
