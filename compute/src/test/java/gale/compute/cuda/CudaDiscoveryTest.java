// Tests that the cuda backend is registered, that discovery never throws, and that a missing driver is explained.
package gale.compute.cuda;

import gale.compute.ComputeException;
import gale.compute.Devices;
import gale.compute.spi.BackendProvider;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class CudaDiscoveryTest {
    /** Whether this machine has an NVIDIA driver at all (then the no-driver expectations do not apply). */
    static boolean driverPresent() {
        try {
            CudaDriver.load(System.getenv());
            return true;
        } catch (CudaDriver.Unavailable e) {
            return false;
        }
    }

    @Test void theBackendIsRegisteredAndNamedCuda() {
        Map<String, BackendProvider> b = Devices.backends();
        assertInstanceOf(CudaBackend.class, b.get("cuda"));
        assertEquals("cuda", new CudaBackend().name());
        assertEquals("jvm", b.keySet().iterator().next());
    }

    @Test void withoutADriverThereAreNoDevicesAndAReason() {
        assumeFalse(driverPresent(), "SKIPPED: this machine has an NVIDIA driver; the no-driver path cannot be observed here");
        CudaBackend cuda = new CudaBackend();
        assertEquals(0, cuda.devices().size());
        assertEquals("libcuda.so.1 not found: no NVIDIA driver", cuda.unavailableReason());
    }

    @Test void discoveryWithABogusLibraryPathStillDoesNotThrow() {
        // An LD_LIBRARY_PATH full of junk must not change the outcome into an exception.
        var s = CudaBackend.discover(Map.of("LD_LIBRARY_PATH", "/nonexistent:/dev/null"));
        assertNotNull(s.devices());
        assertTrue(!s.devices().isEmpty() || s.reason() != null);
    }

    @Test void selectingAMissingCudaDeviceListsWhatExistsAndWhy() {
        assumeFalse(driverPresent(), "SKIPPED: this machine has an NVIDIA driver, so cuda:0 may exist");
        var e = assertThrows(ComputeException.class, () -> Devices.select("cuda:0"));
        String m = e.getMessage();
        assertTrue(m.contains("no device 'cuda:0'") && m.contains("backend cuda has 0 device(s)"), m);
        assertTrue(m.contains("libcuda.so.1 not found: no NVIDIA driver"), m);
        assertTrue(m.contains("available: [jvm"), m);
    }

    @Test void theDriverSearchEndsWithTheNoDriverReason() {
        assumeFalse(driverPresent(), "SKIPPED: this machine has an NVIDIA driver");
        assertTrue(CudaLibraries.driverCandidates(Map.of()).stream().noneMatch(Files::exists));
        var e = assertThrows(CudaDriver.Unavailable.class, () -> CudaDriver.load(Map.of("LD_LIBRARY_PATH", Path.of("/etc").toString())));
        assertEquals("libcuda.so.1 not found: no NVIDIA driver", e.getMessage());
    }

    @Test void driverVersionsReadLikeNvidiaSmi() {
        assertEquals("CUDA driver 12.4", CudaBackend.driverVersionText(12040));
        assertEquals("CUDA driver 13.0", CudaBackend.driverVersionText(13000));
        assertEquals("CUDA driver 11.8", CudaBackend.driverVersionText(11080));
    }

    @Test void anExplicitMissingLibraryIsAClearError() {
        var e = assertThrows(ComputeException.class, () -> Nvrtc.load(Map.of("GALE_NVRTC", "/nonexistent/libnvrtc.so.13"), 13));
        assertTrue(e.getMessage().contains("NVRTC (libnvrtc.so) not found") && e.getMessage().contains("/nonexistent/libnvrtc.so.13"), e.getMessage());
    }
}
