// Base of tornado-kernels' conformance cases: a name, a tolerance, and a one-graph instance built from a recipe.
package gale.kernels.conformance;

import gale.compute.DataTransferMode;
import gale.compute.GaleArray;
import gale.compute.GridScheduler;
import gale.compute.TaskGraph;
import gale.compute.conformance.ConformanceCase;
import gale.compute.conformance.Tolerance;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A transformer kernel (or a short chain) run through a TaskGraph and ExecutionPlan and compared with its plain-Java
 * twin in {@code gale.kernels.reference}. On the jvm backend a {@code ...Group} (KernelContext) task runs its
 * {@code @Kernel(jvm = ...)} twin; on OpenCL and CUDA devices the work-group kernel itself. Names are
 * {@code kernels.<op>[.<type>]}. Stateless; thread-safe.
 */
public abstract class KernelCase extends ConformanceCase {
    /** ggml test-backend-ops' default NMSE bound: device maths (exp, pow, fused multiply-add) differs by a few ulps. */
    public static final double NMSE_GGML = 1e-7;

    private final String name;
    private final Tolerance tolerance;

    protected KernelCase(String name, Tolerance tolerance) {
        this.name = name;
        this.tolerance = tolerance;
    }

    @Override public final String name() { return name; }

    @Override public final Tolerance tolerance() { return tolerance; }

    /** An instance: graph "g" copies {@code in} up, runs {@code tasks}, copies {@code out} back. */
    static Instance instance(List<GaleArray> in, List<GaleArray> out, GridScheduler grids, Consumer<TaskGraph> tasks,
                             Supplier<double[]> actual, double[] expected) {
        TaskGraph g = new TaskGraph("g");
        if (!in.isEmpty()) g.transferToDevice(DataTransferMode.EVERY_EXECUTION, in.toArray(GaleArray[]::new));
        tasks.accept(g);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, out.toArray(GaleArray[]::new));
        return new Instance(g.snapshot(), grids, actual, expected);
    }
}
