// The launch grid of a KernelContext kernel: global and local work sizes.
package gale.compute;

import java.util.Arrays;

/** Global and (optional) local work sizes, 1 to 3 dimensions. Immutable, thread-safe. */
public record WorkerGrid(long[] global, long[] local) {
    public WorkerGrid {
        if (global.length < 1 || global.length > 3) throw new IllegalArgumentException("grid needs 1..3 dimensions, got " + global.length);
        for (long g : global) if (g <= 0) throw new IllegalArgumentException("global size must be > 0: " + Arrays.toString(global));
        global = global.clone();
        if (local != null) {
            if (local.length != global.length)
                throw new IllegalArgumentException("local size " + Arrays.toString(local) + " has a different rank than global " + Arrays.toString(global));
            for (int d = 0; d < local.length; d++)
                if (local[d] <= 0 || global[d] % local[d] != 0)
                    throw new IllegalArgumentException("local size " + local[d] + " must be > 0 and divide global size "
                            + global[d] + " (dimension " + d + ")");
            local = local.clone();
        }
    }

    public static WorkerGrid of(long... global) { return new WorkerGrid(global, null); }

    public WorkerGrid withLocal(long... local) { return new WorkerGrid(global, local); }

    @Override public String toString() { return "global " + Arrays.toString(global) + (local == null ? "" : " local " + Arrays.toString(local)); }
}
