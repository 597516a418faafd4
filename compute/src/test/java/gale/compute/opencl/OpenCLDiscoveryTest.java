// Discovery: device ids, descriptions, selection through Devices.
package gale.compute.opencl;

import gale.compute.ComputeException;
import gale.compute.Device;
import gale.compute.Devices;
import gale.compute.spi.ComputeDevice;
import gale.compute.spi.DeviceInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class OpenCLDiscoveryTest {
    @Test void devicesAreNumberedAndDescribed() {
        OpenCLTestSupport.device();
        List<ComputeDevice> devices = new OpenCLBackend().devices();
        assertNull(new OpenCLBackend().unavailableReason());
        for (int i = 0; i < devices.size(); i++) {
            DeviceInfo d = devices.get(i).info();
            System.out.println(d);
            assertEquals("opencl:" + i, d.id());
            assertEquals("opencl", d.backend());
            assertFalse(d.name().isBlank());
            assertTrue(Set.of("CPU", "GPU", "ACCELERATOR", "CUSTOM").contains(d.type()), d.type());
            assertTrue(d.computeUnits() > 0);
            assertTrue(d.globalMemoryBytes() > 0);
            assertTrue(d.localMemoryBytes() > 0);
            assertTrue(d.maxWorkGroupSize() > 0);
            assertTrue(d.version().startsWith("OpenCL "), d.version());
            assertTrue(d.version().contains("driver "), d.version());
            assertTrue(d.languageVersion().startsWith("OpenCL C "), d.languageVersion());
        }
        // Stable: the same objects in the same order on every call.
        List<ComputeDevice> again = new OpenCLBackend().devices();
        for (int i = 0; i < devices.size(); i++) assertSame(devices.get(i), again.get(i));
    }

    @Test void selectedThroughDevices() {
        OpenCLTestSupport.device();
        assertTrue(Devices.backends().containsKey("opencl"), "the opencl provider is registered with ServiceLoader");
        Device d = Devices.select("opencl:0");
        assertEquals("opencl:0", d.id());
        assertEquals("opencl", d.info().backend());
        assertEquals("opencl:0", Devices.select("opencl").id());
        assertTrue(Devices.available().contains("opencl:0"));
        ComputeException e = assertThrows(ComputeException.class, () -> Devices.select("opencl:999"));
        assertTrue(e.getMessage().contains("opencl:999"), e.getMessage());
    }
}
