// A task graph in TornadoVM's shape: transfers to the device, kernel tasks, transfers to the host, in order.
package gale.compute;

import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelParam;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A sequence of operations run in order on one device: {@link #transferToDevice}, {@link #task},
 * {@link #transferToHost}. Build it, {@link #snapshot()} it, and give the snapshot to an {@link ExecutionPlan}.
 * Arguments are checked against the kernel's parameters here, before anything launches.
 * Arrays that no {@code transferToDevice} names are device-only: allocated zero-filled on the device, never copied.
 * Not thread-safe while being built.
 */
public final class TaskGraph {
    private final String name;
    private final List<Op> ops = new ArrayList<>();
    private final Set<String> taskNames = new HashSet<>();

    public TaskGraph(String name) {
        if (name == null || name.isBlank() || name.contains(".")) throw new IllegalArgumentException("graph name must be non-empty without '.': " + name);
        this.name = name;
    }

    public String name() { return name; }

    /** Copies these arrays host → device when the graph runs, at the first execution only or at every one. */
    public TaskGraph transferToDevice(DataTransferMode mode, GaleArray... arrays) {
        for (GaleArray a : arrays)
            if (!a.hasHostMemory()) throw new ComputeException("graph '" + name + "': " + a.describe() + " has no host memory to transfer");
        ops.add(new Op.ToDevice(mode, List.of(arrays)));
        return this;
    }

    /** Copies these arrays device → host after the operations before it. */
    public TaskGraph transferToHost(DataTransferMode mode, GaleArray... arrays) {
        for (GaleArray a : arrays)
            if (!a.hasHostMemory()) throw new ComputeException("graph '" + name + "': " + a.describe() + " has no host memory to transfer into");
        ops.add(new Op.ToHost(mode, List.of(arrays)));
        return this;
    }

    public <A> TaskGraph task(String name, Tasks.T1<A> kernel, A a0) { return addTask(name, kernel, new Object[]{a0}); }
    public <A, B> TaskGraph task(String name, Tasks.T2<A, B> kernel, A a0, B b1) { return addTask(name, kernel, new Object[]{a0, b1}); }
    public <A, B, C> TaskGraph task(String name, Tasks.T3<A, B, C> kernel, A a0, B b1, C c2) { return addTask(name, kernel, new Object[]{a0, b1, c2}); }
    public <A, B, C, D> TaskGraph task(String name, Tasks.T4<A, B, C, D> kernel, A a0, B b1, C c2, D d3) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3}); }
    public <A, B, C, D, E> TaskGraph task(String name, Tasks.T5<A, B, C, D, E> kernel, A a0, B b1, C c2, D d3, E e4) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4}); }
    public <A, B, C, D, E, F> TaskGraph task(String name, Tasks.T6<A, B, C, D, E, F> kernel, A a0, B b1, C c2, D d3, E e4, F f5) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4, f5}); }
    public <A, B, C, D, E, F, G> TaskGraph task(String name, Tasks.T7<A, B, C, D, E, F, G> kernel, A a0, B b1, C c2, D d3, E e4, F f5, G g6) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4, f5, g6}); }
    public <A, B, C, D, E, F, G, H> TaskGraph task(String name, Tasks.T8<A, B, C, D, E, F, G, H> kernel, A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4, f5, g6, h7}); }
    public <A, B, C, D, E, F, G, H, I> TaskGraph task(String name, Tasks.T9<A, B, C, D, E, F, G, H, I> kernel, A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4, f5, g6, h7, i8}); }
    public <A, B, C, D, E, F, G, H, I, J> TaskGraph task(String name, Tasks.T10<A, B, C, D, E, F, G, H, I, J> kernel, A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4, f5, g6, h7, i8, j9}); }
    public <A, B, C, D, E, F, G, H, I, J, K> TaskGraph task(String name, Tasks.T11<A, B, C, D, E, F, G, H, I, J, K> kernel, A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4, f5, g6, h7, i8, j9, k10}); }
    public <A, B, C, D, E, F, G, H, I, J, K, L> TaskGraph task(String name, Tasks.T12<A, B, C, D, E, F, G, H, I, J, K, L> kernel, A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10, L l11) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4, f5, g6, h7, i8, j9, k10, l11}); }
    public <A, B, C, D, E, F, G, H, I, J, K, L, M> TaskGraph task(String name, Tasks.T13<A, B, C, D, E, F, G, H, I, J, K, L, M> kernel, A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10, L l11, M m12) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4, f5, g6, h7, i8, j9, k10, l11, m12}); }
    public <A, B, C, D, E, F, G, H, I, J, K, L, M, N> TaskGraph task(String name, Tasks.T14<A, B, C, D, E, F, G, H, I, J, K, L, M, N> kernel, A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10, L l11, M m12, N n13) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4, f5, g6, h7, i8, j9, k10, l11, m12, n13}); }
    public <A, B, C, D, E, F, G, H, I, J, K, L, M, N, O> TaskGraph task(String name, Tasks.T15<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O> kernel, A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10, L l11, M m12, N n13, O o14) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4, f5, g6, h7, i8, j9, k10, l11, m12, n13, o14}); }
    public <A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P> TaskGraph task(String name, Tasks.T16<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P> kernel, A a0, B b1, C c2, D d3, E e4, F f5, G g6, H h7, I i8, J j9, K k10, L l11, M m12, N n13, O o14, P p15) { return addTask(name, kernel, new Object[]{a0, b1, c2, d3, e4, f5, g6, h7, i8, j9, k10, l11, m12, n13, o14, p15}); }

    private TaskGraph addTask(String task, Serializable kernelRef, Object[] args) {
        if (task == null || task.isBlank() || task.contains(".")) throw new IllegalArgumentException("task name must be non-empty without '.': " + task);
        if (!taskNames.add(task)) throw new ComputeException("graph '" + name + "': duplicate task name '" + task + "'");
        KernelInfo kernel = KernelRegistry.forMethodReference(task, kernelRef);
        checkArguments(task, kernel, args);
        ops.add(new Op.Launch(task, kernel, args.clone()));
        return this;
    }

    /** Checks each argument against the kernel's parameter: kind, nullness. Throws before anything runs. */
    private void checkArguments(String task, KernelInfo kernel, Object[] args) {
        List<KernelParam> params = kernel.params();
        String where = "graph '" + name + "' task '" + task + "' (" + kernel.qualifiedName() + ", " + kernel.location() + ")";
        if (params.size() != args.length)
            throw new ComputeException(where + ": expected " + params.size() + " arguments, got " + args.length);
        for (int i = 0; i < args.length; i++) {
            KernelParam p = params.get(i);
            Object a = args[i];
            boolean ok = switch (p.kind()) {
                case FLOAT_ARRAY -> a instanceof FloatArray;
                case HALF_ARRAY -> a instanceof HalfArray;
                case BYTE_ARRAY -> a instanceof ByteArray;
                case INT_ARRAY -> a instanceof IntArray;
                case INT -> a instanceof Integer;
                case LONG -> a instanceof Long;
                case FLOAT -> a instanceof Float;
                case CONTEXT -> a == null || a instanceof KernelContext;
            };
            if (!ok)
                throw new ComputeException(where + ": argument " + i + " '" + p.name() + "' must be " + p.kind().javaName()
                        + ", got " + (a == null ? "null" : a instanceof GaleArray g ? g.describe() : a.getClass().getSimpleName() + " " + a));
        }
    }

    /** An immutable copy to hand to an execution plan. */
    public ImmutableTaskGraph snapshot() { return new ImmutableTaskGraph(name, List.copyOf(ops)); }

    /** One step of a graph. */
    sealed interface Op {
        record ToDevice(DataTransferMode mode, List<GaleArray> arrays) implements Op {}
        record ToHost(DataTransferMode mode, List<GaleArray> arrays) implements Op {}
        record Launch(String task, KernelInfo kernel, Object[] args) implements Op {}
    }
}
