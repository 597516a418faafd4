// Tests of CUresult / nvrtcResult naming and of the error message format every driver failure uses.
package gale.compute.cuda;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CudaErrorsTest {
    @Test void namesTheDriverCodesUsersMeet() {
        assertEquals("CUDA_SUCCESS", CudaErrors.driverName(0));
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", CudaErrors.driverName(2));
        assertEquals("CUDA_ERROR_NO_DEVICE", CudaErrors.driverName(100));
        assertEquals("CUDA_ERROR_NO_BINARY_FOR_GPU", CudaErrors.driverName(209));
        assertEquals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION", CudaErrors.driverName(222));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", CudaErrors.driverName(700));
        assertEquals("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", CudaErrors.driverName(701));
        assertEquals("CUDA_ERROR_UNKNOWN", CudaErrors.driverName(999));
        assertEquals("CUresult 12345", CudaErrors.driverName(12345));
    }

    @Test void namesNvrtcCodes() {
        assertEquals("NVRTC_SUCCESS", CudaErrors.nvrtcName(0));
        assertEquals("NVRTC_ERROR_INVALID_OPTION", CudaErrors.nvrtcName(5));
        assertEquals("NVRTC_ERROR_COMPILATION", CudaErrors.nvrtcName(6));
        assertEquals("NVRTC_ERROR_BUILTIN_OPERATION_FAILURE", CudaErrors.nvrtcName(7));
        assertEquals("NVRTC_ERROR_TIME_TRACE_FILE_WRITE_FAILED", CudaErrors.nvrtcName(17));
        assertEquals("nvrtcResult 99", CudaErrors.nvrtcName(99));
    }

    @Test void messagesNameTheCallTheErrorTheHintAndTheContext() {
        String m = CudaDriver.message("cuLaunchKernel", 701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "kernel K.f (K.java:3) on cuda:0 (H100)");
        assertEquals("cuLaunchKernel failed: CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (701): the launch needs more registers or shared memory "
                + "than a block can have: use a smaller block [kernel K.f (K.java:3) on cuda:0 (H100)]", m);
        assertEquals("cuMemFree_v2 failed: CUDA_ERROR_INVALID_VALUE (1) [x]", CudaDriver.message("cuMemFree_v2", 1, "CUDA_ERROR_INVALID_VALUE", "x"));
    }

    /** Every code of an installed cuda.h must carry the same name in the table (a newer header shows what to add). */
    @Test void tableMatchesTheInstalledCudaHeader() throws Exception {
        Path header = CudaLibraries.toolkitRoots().stream().map(r -> r.resolve("include/cuda.h")).filter(Files::exists).findFirst().orElse(null);
        assumeTrue(header != null, "SKIPPED: no CUDA toolkit with include/cuda.h on this machine to cross-check the CUresult table");
        String h = Files.readString(header);
        int start = h.indexOf("typedef enum cudaError_enum"), end = h.indexOf("} CUresult;", start);
        Matcher m = Pattern.compile("(CUDA_(?:SUCCESS|ERROR_[A-Z0-9_]+))\\s*=\\s*(\\d+)").matcher(h.substring(start, end));
        int seen = 0;
        Map<Integer, String> table = CudaErrors.driverTable();
        while (m.find()) {
            int code = Integer.parseInt(m.group(2));
            assertEquals(m.group(1), table.get(code), "code " + code + " in " + header);
            seen++;
        }
        assertTrue(seen > 80, "parsed only " + seen + " codes from " + header);
    }
}
