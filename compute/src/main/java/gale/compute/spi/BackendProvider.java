// A backend, discovered with ServiceLoader: it lists its devices.
package gale.compute.spi;

import java.util.List;

/**
 * A compute backend ("jvm", "opencl", "cuda"), registered in {@code META-INF/services/gale.compute.spi.BackendProvider}.
 * Discovery must not throw: a backend with no platform returns no devices and says why in {@link #unavailableReason()}.
 */
public interface BackendProvider {
    String name();

    /** The devices, in a stable order; index i is selected as "name:i". Opened lazily and cached. */
    List<ComputeDevice> devices();

    /** Why there are no devices (no driver, no platform), or null. */
    default String unavailableReason() { return null; }
}
