// Global and local sizes of one launch.
package gale.compute.spi;

/**
 * A launch grid. For @Parallel kernels {@code global} holds the iteration count of each parallel dimension and
 * {@code local} is null (the backend picks the work-group size and rounds up; translated loops stride, so extra
 * work-items do nothing). For KernelContext kernels both come from the user's {@code WorkerGrid}.
 */
public record LaunchGrid(long[] global, long[] local) {
    public long totalWorkItems() {
        long n = 1;
        for (long g : global) n = Math.multiplyExact(n, g);
        return n;
    }
}
