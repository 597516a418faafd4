// The jvm backend: runs translated kernels as Java on every core, with buffers that alias host memory.
package gale.compute.jvm;

import gale.compute.spi.BackendProvider;
import gale.compute.spi.ComputeDevice;

import java.util.List;

/** ServiceLoader entry of the {@code jvm} backend: one device, all cores (or {@code -Dgale.jvm.threads=N}). */
public final class JvmBackend implements BackendProvider {
    private static volatile List<ComputeDevice> devices;

    @Override public String name() { return "jvm"; }

    @Override public List<ComputeDevice> devices() {
        if (devices == null) {
            synchronized (JvmBackend.class) {
                if (devices == null) devices = List.of(new JvmDevice(threads()));
            }
        }
        return devices;
    }

    static int threads() {
        String s = System.getProperty("gale.jvm.threads");
        int n = Runtime.getRuntime().availableProcessors();
        if (s != null) {
            try {
                n = Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("gale.jvm.threads must be an integer, got '" + s + "'");
            }
            if (n < 1) throw new IllegalArgumentException("gale.jvm.threads must be >= 1, got " + n);
        }
        return n;
    }
}
