// What needs no OpenCL platform: a missing loader is reported, error codes have their symbolic names.
package gale.compute.opencl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class OpenCLLibraryTest {
    @Test void missingLoaderListsWhatWasTried() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CL.findLibrary(List.of("/nonexistent/libOpenCL.so.1", "libGaleNoSuchOpenCL.so.7")));
        String m = e.getMessage();
        assertTrue(m.contains("/nonexistent/libOpenCL.so.1 (absent)") && m.contains("libGaleNoSuchOpenCL.so.7"), m);
        assertTrue(m.contains("gale.opencl.library"), m);
    }

    @Test void backendNeverThrowsAndExplainsAnEmptyList() {
        OpenCLBackend b = new OpenCLBackend();
        assertEquals("opencl", b.name());
        if (b.devices().isEmpty()) assertNotNull(b.unavailableReason(), "an empty backend says why");
        else assertNull(b.unavailableReason());
    }

    @Test void errorCodesHaveSymbolicNames() {
        assertEquals("CL_INVALID_WORK_GROUP_SIZE", CL.errorName(-54));
        assertEquals("CL_OUT_OF_RESOURCES", CL.errorName(-5));
        assertEquals("CL_BUILD_PROGRAM_FAILURE", CL.errorName(-11));
        assertEquals("CL_PLATFORM_NOT_FOUND_KHR", CL.errorName(-1001));
        String m = CL.error(-4, "clCreateBuffer", "64 bytes for x on device opencl:0").getMessage();
        assertEquals("clCreateBuffer failed with -4 CL_MEM_OBJECT_ALLOCATION_FAILURE: 64 bytes for x on device opencl:0", m);
    }
}
