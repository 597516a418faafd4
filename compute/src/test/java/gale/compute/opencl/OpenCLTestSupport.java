// Shared test fixtures: the OpenCL device (or a loud skip), hand-written KernelInfo records, a private cache dir.
package gale.compute.opencl;

import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelParam;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Until the translator lands, kernels here are OpenCL C written by hand. Tests that need a platform fail when
 * {@code GALE_TEST_OPENCL=required} and otherwise skip, saying why.
 */
final class OpenCLTestSupport {
    private OpenCLTestSupport() {}

    static {
        // Keep test builds out of the user's ~/.cache/gale: one private cache directory per test JVM.
        try {
            Path dir = Files.createTempDirectory("gale-opencl-test-cache");
            System.setProperty("gale.cache.dir", dir.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static OpenCLDevice device() {
        List<OpenCLDevice> devices = OpenCLBackend.openclDevices();
        if (devices.isEmpty()) {
            String why = new OpenCLBackend().unavailableReason();
            String msg = "no OpenCL device: " + why;
            if ("required".equals(System.getenv("GALE_TEST_OPENCL")))
                Assertions.fail("GALE_TEST_OPENCL=required, but " + msg);
            System.err.println("*** SKIPPING OpenCL test: " + msg + " (set GALE_TEST_OPENCL=required to make this a failure)");
            Assumptions.abort("SKIPPED: " + msg);
        }
        return devices.get(0);
    }

    static KernelParam p(String name, KernelParam.Kind kind) { return new KernelParam(name, kind); }

    /** A @Parallel-style kernel whose grid is {@code n} (the last int argument) work-items in one dimension. */
    static KernelInfo kernel(String name, String entry, String source, KernelParam... params) {
        return new KernelInfo("gale.compute.opencl.HandWritten", name, "HandWritten.java:" + name.length(), List.of(params), entry,
                source, null, 1, args -> new long[]{(Integer) args[args.length - 1]}, KernelInfo.Features.NONE, null, "");
    }

    /** A KernelContext kernel (first parameter the context). */
    static KernelInfo contextKernel(String name, String entry, String source, KernelParam... params) {
        return new KernelInfo("gale.compute.opencl.HandWritten", name, "HandWritten.java:" + name.length(), List.of(params), entry,
                source, null, 0, null, new KernelInfo.Features(true, true, 1024, false, false, false), null, "");
    }

    static final String VADD = """
            __kernel void vadd(__global const float* a, __global const float* b, __global float* c, int n) {
                for (int i = get_global_id(0); i < n; i += get_global_size(0)) c[i] = a[i] + b[i];
            }
            """;

    static KernelInfo vadd() {
        return kernel("vadd", "vadd", VADD, p("a", KernelParam.Kind.FLOAT_ARRAY), p("b", KernelParam.Kind.FLOAT_ARRAY),
                p("c", KernelParam.Kind.FLOAT_ARRAY), p("n", KernelParam.Kind.INT));
    }
}
