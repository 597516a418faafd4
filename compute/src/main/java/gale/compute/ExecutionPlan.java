// Runs task graphs on one device, many times: owns the device buffers (shared by all its graphs) and the profiler.
package gale.compute;

import gale.compute.spi.CompiledKernel;
import gale.compute.spi.ComputeDevice;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.LaunchGrid;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds task graphs to a device and executes them. Each array gets one device buffer per plan, shared by every graph
 * of the plan, so weights uploaded once are never duplicated; buffers live until {@link #close()}. Kernels are
 * compiled at the first execution (or {@link #compile()}). Not thread-safe: execute from one thread at a time.
 */
public final class ExecutionPlan implements AutoCloseable {
    private final List<ImmutableTaskGraph> graphs = new ArrayList<>();
    private Device device = null;
    private GridScheduler grids = new GridScheduler();
    private boolean profiling;
    private boolean closed;

    private final Map<GaleArray, Buffer> buffers = new IdentityHashMap<>();
    private final Map<TaskGraph.Op.Launch, Prepared> prepared = new IdentityHashMap<>();
    private final Map<TaskGraph.Op, Boolean> doneOnce = new IdentityHashMap<>();
    private final Map<KernelInfo, CompiledKernel> compiled = new IdentityHashMap<>();
    private final Map<String, TaskStats> stats = new LinkedHashMap<>();
    private long bytesToDevice, bytesToHost, transferNanos, executions;

    public ExecutionPlan(ImmutableTaskGraph... graphs) {
        if (graphs.length == 0) throw new IllegalArgumentException("an execution plan needs at least one graph");
        for (ImmutableTaskGraph g : graphs) addGraph(g);
    }

    /**
     * Adds a graph to this plan. It shares the plan's device buffers: arrays it has in common with earlier graphs
     * (weights, caches) are not allocated or uploaded again. Graph names must be unique within the plan.
     */
    public ExecutionPlan addGraph(ImmutableTaskGraph graph) {
        for (ImmutableTaskGraph g : graphs)
            if (g.name.equals(graph.name)) throw new ComputeException("execution plan already has a graph named '" + graph.name + "'");
        graphs.add(graph);
        return this;
    }

    /** Whether this plan has a graph with this name. */
    public boolean hasGraph(String name) {
        for (ImmutableTaskGraph g : graphs) if (g.name.equals(name)) return true;
        return false;
    }

    /** Runs on this device (default: the jvm backend). Must be set before the first execution. */
    public ExecutionPlan withDevice(Device device) {
        if (!buffers.isEmpty() || !prepared.isEmpty()) throw new IllegalStateException("device is fixed after the first execution");
        this.device = device;
        return this;
    }

    /** Grids of KernelContext tasks. */
    public ExecutionPlan withGridScheduler(GridScheduler scheduler) { this.grids = scheduler; return this; }

    /** Measures per-task kernel time, bytes moved and host overhead (see {@link #profile()}). */
    public ExecutionPlan withProfiler(boolean on) { this.profiling = on; return this; }

    public Device device() { dev(); return device; }

    private ComputeDevice dev() {
        if (closed) throw new IllegalStateException("execution plan is closed");
        if (device == null) device = Devices.jvm();
        return device.impl;
    }

    /** Compiles every kernel of every graph now, so build errors surface before the first execution. */
    public ExecutionPlan compile() {
        for (ImmutableTaskGraph g : graphs) for (TaskGraph.Op op : g.ops) if (op instanceof TaskGraph.Op.Launch l) prepare(g, l);
        return this;
    }

    /** Executes every graph, in order. */
    public void execute() {
        for (ImmutableTaskGraph g : graphs) run(g);
        dev().finish();
        collectKernelTimes();
        executions++;
    }

    /** Executes one graph by name. */
    public void execute(String graphName) {
        for (ImmutableTaskGraph g : graphs) {
            if (g.name.equals(graphName)) {
                run(g);
                dev().finish();
                collectKernelTimes();
                executions++;
                return;
            }
        }
        throw new ComputeException("no graph '" + graphName + "' in this plan");
    }

    /** Copies arrays device → host now (on demand, outside any graph). */
    public void copyToHost(GaleArray... arrays) {
        dev().finish();
        for (GaleArray a : arrays) download(a);
    }

    /** Copies arrays host → device now (on demand, outside any graph). */
    public void copyToDevice(GaleArray... arrays) {
        for (GaleArray a : arrays) upload(a);
    }

    private final List<long[]> pendingTimes = new ArrayList<>(); // {statsIndex, launchId}
    private final List<TaskStats> pendingStats = new ArrayList<>();

    private void run(ImmutableTaskGraph g) {
        ComputeDevice d = dev();
        for (TaskGraph.Op op : g.ops) {
            switch (op) {
                case TaskGraph.Op.ToDevice t -> {
                    if (t.mode() == DataTransferMode.FIRST_EXECUTION) {
                        for (GaleArray a : t.arrays()) {
                            Buffer b = buffer(a);
                            if (!b.uploaded) upload(a);
                        }
                    } else {
                        for (GaleArray a : t.arrays()) upload(a);
                    }
                }
                case TaskGraph.Op.ToHost t -> {
                    if (t.mode() == DataTransferMode.FIRST_EXECUTION && doneOnce.containsKey(t)) continue;
                    doneOnce.put(t, true);
                    boolean any = false;
                    for (GaleArray a : t.arrays()) any |= !buffer(a).aliased;
                    if (any) d.finish();
                    for (GaleArray a : t.arrays()) download(a);
                }
                case TaskGraph.Op.Launch l -> launch(g, l, d);
            }
        }
    }

    private void launch(ImmutableTaskGraph g, TaskGraph.Op.Launch l, ComputeDevice d) {
        long t0 = profiling ? System.nanoTime() : 0;
        Prepared p = prepare(g, l);
        LaunchGrid grid = p.grid;
        if (grid == null) {
            WorkerGrid wg = grids.get(p.key);
            if (wg == null)
                throw new ComputeException("task '" + p.key + "' (" + l.kernel().qualifiedName() + ") is a KernelContext kernel: "
                        + "give it a grid with GridScheduler.set(\"" + p.key + "\", WorkerGrid.of(...))");
            checkGrid(p, wg, d);
            grid = new LaunchGrid(wg.global(), wg.local());
        } else if (grid.totalWorkItems() == 0) {
            return; // an empty loop: nothing to run
        }
        long id = d.launch(p.compiled, p.deviceArgs, grid, profiling);
        if (profiling) {
            long wall = System.nanoTime() - t0;
            p.stats.launches++;
            if (d.info().backend().equals("jvm")) {
                long k = d.kernelNanos(id);
                p.stats.kernelNanos += k;
                p.stats.hostNanos += Math.max(0, wall - k);
            } else {
                p.stats.hostNanos += wall;
                pendingTimes.add(new long[]{id});
                pendingStats.add(p.stats);
            }
        }
    }

    private void collectKernelTimes() {
        if (pendingTimes.isEmpty()) return;
        ComputeDevice d = dev();
        for (int i = 0; i < pendingTimes.size(); i++) {
            long ns = d.kernelNanos(pendingTimes.get(i)[0]);
            if (ns >= 0) pendingStats.get(i).kernelNanos += ns;
        }
        pendingTimes.clear();
        pendingStats.clear();
    }

    private void checkGrid(Prepared p, WorkerGrid wg, ComputeDevice d) {
        KernelInfo k = p.compiled.info();
        if (wg.local() != null) {
            long items = 1;
            for (long l : wg.local()) items *= l;
            if (items > d.info().maxWorkGroupSize())
                throw new ComputeException("task '" + p.key + "' (" + k.qualifiedName() + "): work-group of " + items
                        + " exceeds the maximum " + d.info().maxWorkGroupSize() + " of device " + d.info().id());
        }
    }

    private Prepared prepare(ImmutableTaskGraph g, TaskGraph.Op.Launch l) {
        Prepared p = prepared.get(l);
        if (p != null) return p;
        ComputeDevice d = dev();
        KernelInfo k = l.kernel();
        String key = g.name + "." + l.task();
        if (k.features().localMemoryBytes() > d.info().localMemoryBytes() && !d.info().backend().equals("jvm"))
            throw new ComputeException("task '" + key + "' (" + k.qualifiedName() + ") needs " + k.features().localMemoryBytes()
                    + " bytes of local memory; device " + d.info().id() + " has " + d.info().localMemoryBytes());
        if (!d.info().backend().equals("jvm") && k.openclSource() == null && k.cudaSource() == null)
            throw new ComputeException("task '" + key + "' (" + k.qualifiedName() + ", " + k.location() + ") is a jvmOnly kernel: "
                    + "it has no OpenCL or CUDA translation and cannot run on device " + d.info().id());
        CompiledKernel ck = compiled.computeIfAbsent(k, d::compile);
        Object[] args = l.args();
        Object[] devArgs = new Object[args.length];
        for (int i = 0; i < args.length; i++) devArgs[i] = args[i] instanceof GaleArray a ? buffer(a).buffer : args[i];
        LaunchGrid grid = null;
        if (!k.usesContext()) grid = new LaunchGrid(k.grid().iterations(args), null);
        p = new Prepared(key, ck, devArgs, grid, stats.computeIfAbsent(key, n -> new TaskStats(n, k.qualifiedName())));
        prepared.put(l, p);
        return p;
    }

    private Buffer buffer(GaleArray a) {
        Buffer b = buffers.get(a);
        if (b == null) {
            ComputeDevice d = dev();
            DeviceBuffer alias = a.hasHostMemory() ? d.alias(a.segment()) : null;
            b = alias != null ? new Buffer(alias, true) : new Buffer(d.allocate(a.byteSize(), a.describe()), false);
            buffers.put(a, b);
        }
        return b;
    }

    private void upload(GaleArray a) {
        Buffer b = buffer(a);
        b.uploaded = true;
        if (b.aliased) return;
        long t0 = System.nanoTime();
        dev().upload(b.buffer, a.segment());
        transferNanos += System.nanoTime() - t0;
        bytesToDevice += a.byteSize();
    }

    private void download(GaleArray a) {
        Buffer b = buffer(a);
        if (b.aliased) return;
        if (!a.hasHostMemory()) throw new ComputeException(a.describe() + " is device-only: nothing to copy to the host");
        long t0 = System.nanoTime();
        dev().download(b.buffer, a.segment());
        transferNanos += System.nanoTime() - t0;
        bytesToHost += a.byteSize();
    }

    /** The profile so far (zero unless {@link #withProfiler} was on). */
    public ProfileReport profile() {
        List<ProfileReport.Task> tasks = new ArrayList<>();
        for (TaskStats s : stats.values()) tasks.add(new ProfileReport.Task(s.key, s.kernel, s.launches, s.kernelNanos, s.hostNanos));
        return new ProfileReport(device == null ? "?" : device.id(), executions, tasks, bytesToDevice, bytesToHost, transferNanos);
    }

    /** Bytes of device memory this plan holds (aliased host arrays excluded). */
    public long deviceBytes() {
        long n = 0;
        for (Buffer b : buffers.values()) if (!b.aliased) n += b.buffer.byteSize();
        return n;
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        for (Buffer b : buffers.values()) if (!b.aliased) b.buffer.close();
        buffers.clear();
        prepared.clear();
        compiled.clear();
    }

    private static final class Buffer {
        final DeviceBuffer buffer;
        final boolean aliased;
        boolean uploaded;

        Buffer(DeviceBuffer buffer, boolean aliased) { this.buffer = buffer; this.aliased = aliased; }
    }

    private record Prepared(String key, CompiledKernel compiled, Object[] deviceArgs, LaunchGrid grid, TaskStats stats) {}

    private static final class TaskStats {
        final String key, kernel;
        long launches, kernelNanos, hostNanos;

        TaskStats(String key, String kernel) { this.key = key; this.kernel = kernel; }
    }
}
