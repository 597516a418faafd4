// A frozen task graph, ready for an execution plan.
package gale.compute;

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
}
