// The one small interface every backend implements per device: buffers, transfers, compile, launch.
package gale.compute.spi;

import java.lang.foreign.MemorySegment;

/**
 * One device of a backend. Implementations are not required to be thread-safe: an execution plan drives its device
 * from one thread at a time.
 */
public interface ComputeDevice extends AutoCloseable {
    DeviceInfo info();

    /** Allocates a zero-filled buffer. {@code label} names it in errors (array, task). */
    DeviceBuffer allocate(long bytes, String label);

    /**
     * A buffer for {@code hostMemory} that may alias it instead of copying (the jvm backend), or null when the device
     * has its own memory. When it aliases, transfers of that array are skipped.
     */
    default DeviceBuffer alias(MemorySegment hostMemory) { return null; }

    /** Copies {@code src} (host) to the start of {@code dst}. May return before completion only if ordered before later launches. */
    void upload(DeviceBuffer dst, MemorySegment src);

    /** Copies the start of {@code src} into {@code dst} (host); complete on return. */
    void download(DeviceBuffer src, MemorySegment dst);

    /** Compiles (or loads from cache) a kernel for this device. Errors name the kernel and show the compiler log. */
    CompiledKernel compile(KernelInfo kernel);

    /**
     * Enqueues one launch. {@code args} are in Java parameter order: a {@link DeviceBuffer} for arrays, boxed
     * primitives, null for the KernelContext slot. Returns an id for {@link #kernelNanos}, or -1.
     */
    long launch(CompiledKernel kernel, Object[] args, LaunchGrid grid, boolean profile);

    /** Device time of a profiled launch in ns, after {@link #finish()}; -1 if unknown. */
    default long kernelNanos(long launchId) { return -1; }

    /** Waits for all enqueued work. */
    void finish();

    @Override default void close() {}
}
