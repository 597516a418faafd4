// Kernels for the execution-plan test, as Java; their translations are written by hand in PlanKernels_GaleKernels.
package gale.compute.opencl;

import gale.compute.FloatArray;
import gale.compute.KernelContext;

/** Not annotated with @Kernel on purpose: the annotation processor must not generate a second library for them. */
final class PlanKernels {
    private PlanKernels() {}

    static void vadd(FloatArray a, FloatArray b, FloatArray c, int n) {
        for (int i = 0; i < n; i++) c.set(i, a.get(i) + b.get(i));
    }

    static void reduce(KernelContext ctx, FloatArray in, FloatArray out, int n) {
        throw new UnsupportedOperationException("uses barriers: device only");
    }
}
