// The one place where backends are discovered (ServiceLoader) and a device is selected by id.
package gale.compute;

import gale.compute.spi.BackendProvider;
import gale.compute.spi.ComputeDevice;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Backend discovery and device selection. Thread-safe; backends are discovered once. */
public final class Devices {
    private static volatile Map<String, BackendProvider> backends;

    private Devices() {}

    /** Every backend found, by name, in discovery order ("jvm" first). */
    public static Map<String, BackendProvider> backends() {
        Map<String, BackendProvider> b = backends;
        if (b == null) {
            synchronized (Devices.class) {
                if (backends == null) {
                    Map<String, BackendProvider> found = new LinkedHashMap<>();
                    List<BackendProvider> all = new ArrayList<>();
                    ServiceLoader.load(BackendProvider.class, Devices.class.getClassLoader()).forEach(all::add);
                    all.sort((x, y) -> Integer.compare(order(x.name()), order(y.name())));
                    for (BackendProvider p : all) found.putIfAbsent(p.name(), p);
                    backends = found;
                }
                b = backends;
            }
        }
        return b;
    }

    private static int order(String name) {
        return switch (name) { case "jvm" -> 0; case "opencl" -> 1; case "cuda" -> 2; default -> 3; };
    }

    /** Every usable device of every backend. */
    public static List<Device> all() {
        List<Device> out = new ArrayList<>();
        for (BackendProvider p : backends().values()) for (ComputeDevice d : p.devices()) out.add(new Device(d));
        return out;
    }

    /** The default device: the jvm backend. */
    public static Device jvm() { return select("jvm"); }

    /**
     * The device with this id: "jvm", "opencl" (= "opencl:0"), "opencl:N", "cuda:N". Throws with the list of
     * available ids, and why a backend has none, when it does not exist.
     */
    public static Device select(String id) {
        if (id == null || id.isBlank()) throw new ComputeException("empty backend id; available: " + available());
        String name = id;
        int index = 0;
        int colon = id.indexOf(':');
        if (colon >= 0) {
            name = id.substring(0, colon);
            try {
                index = Integer.parseInt(id.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ComputeException("bad backend id '" + id + "': expected NAME or NAME:INDEX; available: " + available());
            }
        }
        BackendProvider p = backends().get(name);
        if (p == null) throw new ComputeException("unknown backend '" + name + "' in '" + id + "'; available: " + available());
        List<ComputeDevice> devs = p.devices();
        if (index < 0 || index >= devs.size()) {
            String why = p.unavailableReason();
            throw new ComputeException("no device '" + id + "': backend " + name + " has " + devs.size() + " device(s)"
                    + (why != null ? " (" + why + ")" : "") + "; available: " + available());
        }
        return new Device(devs.get(index));
    }

    /** Available device ids, for messages. */
    public static List<String> available() {
        List<String> ids = new ArrayList<>();
        for (BackendProvider p : backends().values()) for (ComputeDevice d : p.devices()) ids.add(d.info().id());
        return ids;
    }
}
