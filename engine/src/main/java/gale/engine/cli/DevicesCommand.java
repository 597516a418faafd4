// `gale devices`: every device Gale can use, and why a backend has none.
package gale.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import gale.compute.Devices;
import gale.compute.spi.BackendProvider;
import gale.compute.spi.ComputeDevice;
import gale.compute.spi.DeviceInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List every device Gale can use: the JVM, and each OpenCL and CUDA device.")
final class DevicesCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON: {devices: [...], unavailable: {backend: reason}}.")
    boolean json;

    @Override public Integer call() throws Exception {
        List<DeviceInfo> devices = new ArrayList<>();
        Map<String, String> unavailable = new LinkedHashMap<>();
        for (BackendProvider p : Devices.backends().values()) {
            List<ComputeDevice> ds = p.devices();
            for (ComputeDevice d : ds) devices.add(d.info());
            if (ds.isEmpty()) unavailable.put(p.name(), p.unavailableReason() == null ? "no devices" : p.unavailableReason());
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("devices", devices);
            out.put("unavailable", unavailable);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
            return 0;
        }
        for (DeviceInfo d : devices) {
            System.out.printf("%-10s %s%n", d.id(), d.name());
            System.out.printf("           vendor %s, type %s, %d compute units, %s global memory%s%n", d.vendor(), d.type(),
                    d.computeUnits(), bytes(d.globalMemoryBytes()),
                    d.localMemoryBytes() > 0 ? ", " + bytes(d.localMemoryBytes()) + " local memory, max work-group " + d.maxWorkGroupSize() : "");
            System.out.printf("           %s; %s%s%n", d.version(), d.languageVersion(), d.fp16() ? "; fp16" : "");
        }
        unavailable.forEach((b, why) -> System.out.printf("%-10s unavailable: %s%n", b, why));
        return 0;
    }

    static String bytes(long b) {
        if (b >= 1L << 30) return String.format("%.1f GiB", b / (double) (1L << 30));
        if (b >= 1L << 20) return String.format("%.1f MiB", b / (double) (1L << 20));
        return String.format("%.1f KiB", b / 1024.0);
    }
}
