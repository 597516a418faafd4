// The jvm device: splits a kernel's outermost parallel dimension into chunks over a pool of worker threads.
package gale.compute.jvm;

import gale.compute.ByteArray;
import gale.compute.ComputeException;
import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.KernelContext;
import gale.compute.KernelRegistry;
import gale.compute.spi.CompiledKernel;
import gale.compute.spi.ComputeDevice;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.DeviceInfo;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelParam;
import gale.compute.spi.LaunchGrid;
import gale.compute.translate.GeneratedSupport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Runs kernels on the host. Launches are synchronous: the outermost loop's n iterations (of the kernel's jvm twin, if
 * it has one) are cut into chunks = min(n, {@value #CHUNKS_PER_THREAD}·threads) pieces, chunk c being
 * [n·c/chunks, n·(c+1)/chunks), which the calling thread and a fixed pool of workers ({@link Workers}) run: each
 * thread a contiguous range of them, then whatever is left of the others' ranges.
 * The boundaries depend on n alone, so results do not depend on timing.
 * Buffers alias the host arrays, so transfers cost nothing. Not thread-safe (one plan thread at a time).
 */
final class JvmDevice implements ComputeDevice {
    /** Chunks per thread of a launch: a thread's own range, of which the others can take what it has not started. */
    static final int CHUNKS_PER_THREAD = 4;
    private final int threads;
    private final Workers pool;
    private final DeviceInfo info;
    private long lastKernelNanos;

    JvmDevice(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? new Workers(threads, "gale-jvm") : null;
        Runtime rt = Runtime.getRuntime();
        this.info = new DeviceInfo("jvm", "jvm", "Java " + Runtime.version().feature() + " on " + System.getProperty("os.arch"),
                System.getProperty("java.vm.vendor"), "CPU", threads, rt.maxMemory(), 0, Integer.MAX_VALUE, false,
                System.getProperty("java.vm.name") + " " + Runtime.version(), "Java " + Runtime.version().feature());
    }

    @Override public DeviceInfo info() { return info; }

    @Override public DeviceBuffer allocate(long bytes, String label) {
        Arena arena = Arena.ofShared();
        return new JvmBuffer(arena.allocate(bytes, 64), arena);
    }

    @Override public DeviceBuffer alias(MemorySegment hostMemory) { return new JvmBuffer(hostMemory, null); }

    @Override public void upload(DeviceBuffer dst, MemorySegment src) {
        JvmBuffer b = (JvmBuffer) dst;
        if (b.segment.address() != src.address() || b.segment.byteSize() != src.byteSize()) MemorySegment.copy(src, 0, b.segment, 0, src.byteSize());
    }

    @Override public void download(DeviceBuffer src, MemorySegment dst) {
        JvmBuffer b = (JvmBuffer) src;
        if (b.segment.address() != dst.address() || b.segment.byteSize() != dst.byteSize()) MemorySegment.copy(b.segment, 0, dst, 0, dst.byteSize());
    }

    @Override public CompiledKernel compile(KernelInfo kernel) {
        if (kernel.jvm() == null)
            throw new ComputeException("kernel " + kernel.qualifiedName() + " (" + kernel.location() + ") cannot run on the jvm backend: "
                    + "it uses barriers or local memory; give it a @Kernel(jvm = \"...\") twin");
        // A kernel with a jvm twin launches the twin directly, split over the twin's own outer loop (a twin may be
        // finer-grained than its kernel: attention over (token, head) pairs where the kernel's outer loop is tokens).
        KernelInfo runner = kernel.jvmTwin().isEmpty() ? kernel
                : KernelRegistry.find(kernel.owner(), kernel.jvmTwin(), kernel.jvm().getClass().getClassLoader());
        return new JvmKernel(kernel, runner);
    }

    /** A kernel and the kernel the jvm runs for it (itself, or its jvm twin). */
    record JvmKernel(KernelInfo info, KernelInfo runner) implements CompiledKernel {}

    @Override public long launch(CompiledKernel kernel, Object[] args, LaunchGrid grid, boolean profile) {
        KernelInfo k = kernel.info();
        KernelInfo runner = ((JvmKernel) kernel).runner();
        Object[] javaArgs = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            KernelParam.Kind kind = k.params().get(i).kind();
            javaArgs[i] = args[i] instanceof JvmBuffer b ? b.view(kind) : args[i];
        }
        long t0 = System.nanoTime();
        try {
            Object[] runArgs = runner == k ? javaArgs : k.usesContext() ? GeneratedSupport.dropContext(javaArgs) : javaArgs;
            // @Parallel kernels split their outermost loop's iterations; KernelContext kernels their linear global ids.
            long n = runner != k ? runner.grid().iterations(runArgs)[0] : k.usesContext() ? grid.totalWorkItems() : grid.global()[0];
            // a few chunks per thread, so a thread the OS deschedules delays little; boundaries depend on n alone
            int chunks = (int) Math.min((long) threads * CHUNKS_PER_THREAD, n);
            if (chunks <= 1 || pool == null) {
                if (n > 0) run(runner, runArgs, 0, n, grid);
            } else {
                pool.run(chunks, c -> run(runner, runArgs, n * c / chunks, n * (c + 1) / chunks, grid));
            }
        } catch (RuntimeException | Error e) {
            throw new ComputeException("kernel " + k.qualifiedName() + " (" + k.location() + ") failed on jvm: " + e, e);
        }
        lastKernelNanos = System.nanoTime() - t0;
        return 0;
    }

    private static void run(KernelInfo k, Object[] args, long lo, long hi, LaunchGrid grid) {
        KernelContext ctx = null;
        if (k.usesContext()) {
            ctx = new KernelContext();
            ctx.configure(grid.global(), grid.local());
        }
        k.jvm().run(args, lo, hi, ctx);
    }

    @Override public long kernelNanos(long launchId) { return lastKernelNanos; }

    @Override public void finish() {}

    /** A buffer in host memory: an aliased host array or a device-only allocation. */
    static final class JvmBuffer implements DeviceBuffer {
        final MemorySegment segment;
        private final Arena arena;
        private Object view;

        JvmBuffer(MemorySegment segment, Arena arena) { this.segment = segment; this.arena = arena; }

        Object view(KernelParam.Kind kind) {
            Object v = view;
            boolean fits = switch (kind) {
                case FLOAT_ARRAY -> v instanceof FloatArray; case HALF_ARRAY -> v instanceof HalfArray;
                case BYTE_ARRAY -> v instanceof ByteArray; case INT_ARRAY -> v instanceof IntArray; default -> false;
            };
            if (!fits) {
                v = switch (kind) {
                    case FLOAT_ARRAY -> FloatArray.view(segment); case HALF_ARRAY -> HalfArray.view(segment);
                    case BYTE_ARRAY -> ByteArray.view(segment); case INT_ARRAY -> IntArray.view(segment);
                    default -> throw new IllegalStateException("buffer passed as " + kind);
                };
                view = v;
            }
            return v;
        }

        @Override public long byteSize() { return segment.byteSize(); }

        @Override public void close() { if (arena != null) arena.close(); }
    }
}
