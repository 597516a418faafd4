// Grids of KernelContext tasks, by "graph.task" name.
package gale.compute;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The grid of each KernelContext task, keyed by {@code "graphName.taskName"}. May be changed between executions
 * (e.g. when a sequence grows); a plan reads it at each launch. Thread-safe.
 */
public final class GridScheduler {
    private final Map<String, WorkerGrid> grids = new ConcurrentHashMap<>();

    public GridScheduler() {}

    public GridScheduler(String task, WorkerGrid grid) { set(task, grid); }

    public GridScheduler set(String task, WorkerGrid grid) { grids.put(task, grid); return this; }

    public WorkerGrid get(String task) { return grids.get(task); }
}
