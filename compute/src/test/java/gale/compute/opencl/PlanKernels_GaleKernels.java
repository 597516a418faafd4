// A hand-written stand-in for the translator's output for PlanKernels, so plans can run before the translator lands.
package gale.compute.opencl;

import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelLibrary;

import java.util.List;

import static gale.compute.opencl.OpenCLTestSupport.p;
import static gale.compute.spi.KernelParam.Kind.*;

/** What {@code KernelRegistry} loads for {@link PlanKernels}. Immutable. */
public final class PlanKernels_GaleKernels implements KernelLibrary {
    public PlanKernels_GaleKernels() {}

    @Override public List<KernelInfo> kernels() {
        String owner = PlanKernels.class.getName();
        return List.of(
                new KernelInfo(owner, "vadd", "PlanKernels.java:11", List.of(p("a", FLOAT_ARRAY), p("b", FLOAT_ARRAY),
                        p("c", FLOAT_ARRAY), p("n", INT)), "vadd", OpenCLTestSupport.VADD, null, 1,
                        args -> new long[]{(Integer) args[3]}, KernelInfo.Features.NONE, null, ""),
                new KernelInfo(owner, "reduce", "PlanKernels.java:15", List.of(p("ctx", CONTEXT), p("in", FLOAT_ARRAY),
                        p("out", FLOAT_ARRAY), p("n", INT)), "reduce", OpenCLKernelTest.REDUCE, null, 0, null,
                        new KernelInfo.Features(true, true, 1024, false, false, false), null, ""));
    }
}
