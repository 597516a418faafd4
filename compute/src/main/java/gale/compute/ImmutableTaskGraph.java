// A frozen task graph, ready for an execution plan.
package gale.compute;

import gale.compute.spi.KernelInfo;

import java.util.ArrayList;
import java.util.List;

/** A frozen {@link TaskGraph}. Immutable, thread-safe. */
public final class ImmutableTaskGraph {
    final String name;
    final List<TaskGraph.Op> ops;

    ImmutableTaskGraph(String name, List<TaskGraph.Op> ops) {
        this.name = name;
        this.ops = ops;
    }

    public String name() { return name; }

    /** The kernels its tasks launch, in order (for capability checks before running, e.g. by the conformance suite). */
    public List<KernelInfo> kernels() {
        List<KernelInfo> out = new ArrayList<>();
        for (TaskGraph.Op op : ops) if (op instanceof TaskGraph.Op.Launch l) out.add(l.kernel());
        return out;
    }
}
