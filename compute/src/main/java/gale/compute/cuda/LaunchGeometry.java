// Turns a LaunchGrid (work-items, optional work-group) into CUDA grid and block dimensions within a device's limits.
package gale.compute.cuda;

import gale.compute.spi.LaunchGrid;

import java.util.Arrays;

/**
 * A CUDA launch shape: {@code grid} blocks of {@code block} threads in x, y, z. Grid dimension i serves
 * {@code LaunchGrid.global[i]}, as {@code get_global_id(i)} does in OpenCL. Immutable, thread-safe.
 */
record LaunchGeometry(int[] grid, int[] block) {

    /** The device limits a launch must respect. */
    record Limits(int maxThreadsPerBlock, int[] maxBlockDim, int[] maxGridDim) {}

    /** Threads per block for @Parallel kernels: large enough to fill a warp scheduler, small enough to fit any kernel. */
    static final int DEFAULT_BLOCK = 256;

    /**
     * The launch for one grid. With {@code local == null}:
     * <ul>
     * <li>{@code exact == false} (@Parallel kernels, translated to grid-stride loops): a block size of our choosing and
     *     {@code ceil(global/block)} blocks, capped at the device's grid limit; extra threads and a capped grid are
     *     harmless because every thread strides over the iterations.</li>
     * <li>{@code exact == true} (KernelContext kernels with no work-group given): the kernel sees every thread as a
     *     work-item, so the block must divide the global size; the largest such block within the limits is used.</li>
     * </ul>
     * With {@code local} given, {@code blocks = global / local}, which must divide evenly and fit the device.
     *
     * @throws IllegalArgumentException with the reason when the grid cannot be launched on this device
     */
    static LaunchGeometry of(long[] global, long[] local, boolean exact, Limits limits) {
        int dims = global.length;
        if (dims < 1 || dims > 3) throw new IllegalArgumentException("a grid has 1 to 3 dimensions, got " + dims);
        for (long g : global) if (g <= 0) throw new IllegalArgumentException("global size must be > 0 in every dimension, got " + Arrays.toString(global));
        int[] grid = {1, 1, 1}, block = {1, 1, 1};
        if (local != null) {
            if (local.length != dims)
                throw new IllegalArgumentException("local size " + Arrays.toString(local) + " has " + local.length + " dimensions, global "
                        + Arrays.toString(global) + " has " + dims);
            long threads = 1;
            for (int d = 0; d < dims; d++) {
                if (local[d] <= 0) throw new IllegalArgumentException("local size must be > 0, got " + Arrays.toString(local));
                if (global[d] % local[d] != 0)
                    throw new IllegalArgumentException("global size " + Arrays.toString(global) + " is not a multiple of local size "
                            + Arrays.toString(local) + " in dimension " + d);
                if (local[d] > limits.maxBlockDim()[d])
                    throw new IllegalArgumentException("local size " + local[d] + " in dimension " + d + " exceeds the device's block limit "
                            + limits.maxBlockDim()[d]);
                long blocks = global[d] / local[d];
                if (blocks > limits.maxGridDim()[d])
                    throw new IllegalArgumentException(blocks + " blocks in dimension " + d + " exceed the device's grid limit "
                            + limits.maxGridDim()[d] + " (global " + Arrays.toString(global) + ", local " + Arrays.toString(local) + ")");
                threads *= local[d];
                block[d] = (int) local[d];
                grid[d] = (int) blocks;
            }
            if (threads > limits.maxThreadsPerBlock())
                throw new IllegalArgumentException("work-group of " + threads + " threads " + Arrays.toString(local)
                        + " exceeds the device's limit of " + limits.maxThreadsPerBlock() + " threads per block");
            return new LaunchGeometry(grid, block);
        }
        int budget = Math.min(DEFAULT_BLOCK, limits.maxThreadsPerBlock());
        int[] share = switch (dims) { // per-dimension caps whose product fits the budget; x gets the most for coalescing
            case 1 -> new int[]{budget, 1, 1};
            case 2 -> new int[]{Math.min(32, budget), Math.max(1, budget / 32), 1};
            default -> new int[]{Math.min(32, budget), Math.max(1, budget / 64), 2};
        };
        for (int d = 0; d < dims; d++) {
            int cap = (int) Math.min(share[d], limits.maxBlockDim()[d]);
            if (exact) {
                block[d] = largestDivisorAtMost(global[d], cap);
                long blocks = global[d] / block[d];
                if (blocks > limits.maxGridDim()[d])
                    throw new IllegalArgumentException("global size " + global[d] + " in dimension " + d + " needs " + blocks
                            + " blocks of " + block[d] + ", more than the device's grid limit " + limits.maxGridDim()[d]
                            + "; give the WorkerGrid a local size");
                grid[d] = (int) blocks;
            } else {
                // A block no wider than the work (rounded up to a warp in x) keeps tiny launches from idling threads.
                long want = d == 0 ? Math.min(cap, roundUp(global[d], 32)) : Math.min(cap, global[d]);
                block[d] = (int) Math.max(1, want);
                grid[d] = (int) Math.min((global[d] + block[d] - 1) / block[d], limits.maxGridDim()[d]);
            }
        }
        return new LaunchGeometry(grid, block);
    }

    static int largestDivisorAtMost(long n, int cap) {
        for (int b = (int) Math.min(cap, n); b > 1; b--) if (n % b == 0) return b;
        return 1;
    }

    private static long roundUp(long n, long m) { return (n + m - 1) / m * m; }

    @Override public String toString() { return "grid " + Arrays.toString(grid) + " x block " + Arrays.toString(block); }

    @Override public boolean equals(Object o) {
        return o instanceof LaunchGeometry g && Arrays.equals(grid, g.grid) && Arrays.equals(block, g.block);
    }

    @Override public int hashCode() { return 31 * Arrays.hashCode(grid) + Arrays.hashCode(block); }

    /** Convenience for callers holding a {@link LaunchGrid}. */
    static LaunchGeometry of(LaunchGrid g, boolean exact, Limits limits) { return of(g.global(), g.local(), exact, limits); }
}
