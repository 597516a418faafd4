// One conformance case: a task graph of translated kernels, a plain-Java reference, and the tolerance they must meet.
package gale.compute.conformance;

import gale.compute.Device;
import gale.compute.ExecutionPlan;
import gale.compute.GridScheduler;
import gale.compute.ImmutableTaskGraph;
import gale.compute.spi.KernelInfo;

import java.util.function.Supplier;

/**
 * A kernel (or a few) run on a device and compared with a plain-Java reference under a named tolerance. Cases are
 * found with {@link java.util.ServiceLoader} ({@code META-INF/services/gale.compute.conformance.ConformanceCase}),
 * so {@code gale selftest} and the test suite run every case on every device ({@link Conformance}). A device that
 * cannot run a case (a jvmOnly kernel on a GPU, barriers without a jvm twin on the jvm backend, too little local
 * memory) yields UNSUPPORTED with the reason, never a silent pass. Implementations are stateless; thread-safe.
 */
public abstract class ConformanceCase {
    /** A stable name, e.g. "translate.vectorAdd". */
    public abstract String name();

    /** The bound the device's result must meet against the reference. */
    public abstract Tolerance tolerance();

    /**
     * Fresh inputs, the graph that computes the result on a device, and the reference. Called once per run.
     */
    protected abstract Instance instantiate();

    /**
     * One instantiation: the graph (its last step copies the result to the host), grids for KernelContext tasks (or
     * null), the result as read after execution, and the reference's values.
     */
    public record Instance(ImmutableTaskGraph graph, GridScheduler grids, Supplier<double[]> actual, double[] expected) {}

    /** Runs the case on {@code device}. Never throws for a kernel failure: that is a FAIL result with the cause. */
    public final ConformanceResult run(Device device) {
        Tolerance tol = tolerance();
        Instance in;
        try {
            in = instantiate();
        } catch (RuntimeException e) {
            return ConformanceResult.fail(name(), device.id(), tol, Double.NaN, "could not build the case: " + e);
        }
        String why = unsupportedReason(in.graph(), device);
        if (why != null) return ConformanceResult.unsupported(name(), device.id(), tol, why);
        double[] actual;
        try (ExecutionPlan plan = new ExecutionPlan(in.graph()).withDevice(device)) {
            if (in.grids() != null) plan.withGridScheduler(in.grids());
            plan.execute();
            actual = in.actual().get();
        } catch (RuntimeException e) {
            return ConformanceResult.fail(name(), device.id(), tol, Double.NaN, "execution failed: " + e);
        }
        double[] expected = in.expected();
        if (actual.length != expected.length)
            return ConformanceResult.fail(name(), device.id(), tol, Double.NaN,
                    "result has " + actual.length + " values, reference " + expected.length);
        double err = tol.metric().error(actual, expected);
        int worst = tol.metric().worstIndex(actual, expected);
        String detail = worst < 0 || err == 0 ? "" : "worst at [" + worst + "]: got " + actual[worst] + ", reference " + expected[worst];
        return err <= tol.bound() ? ConformanceResult.pass(name(), device.id(), tol, err, detail)
                : ConformanceResult.fail(name(), device.id(), tol, err, detail);
    }

    /** Why {@code device} cannot run {@code graph}'s kernels, or null. */
    static String unsupportedReason(ImmutableTaskGraph graph, Device device) {
        boolean jvm = device.info().backend().equals("jvm");
        for (KernelInfo k : graph.kernels()) {
            if (jvm && k.jvm() == null)
                return k.qualifiedName() + " uses barriers or local memory and has no @Kernel(jvm = ...) twin, so it cannot run as plain Java";
            if (!jvm && k.openclSource() == null && k.cudaSource() == null)
                return k.qualifiedName() + " is a jvmOnly kernel (no OpenCL/CUDA translation)";
            if (!jvm && k.features().localMemoryBytes() > device.info().localMemoryBytes())
                return k.qualifiedName() + " needs " + k.features().localMemoryBytes() + " B of local memory, device has "
                        + device.info().localMemoryBytes();
        }
        return null;
    }
}
