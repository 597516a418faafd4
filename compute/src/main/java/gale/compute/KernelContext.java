// The work-item's view of the launch grid in KernelContext kernels: ids, sizes, local memory, barriers, atomics.
package gale.compute;

/**
 * The first parameter of a GPU-style kernel. Translated code reads ids from the device
 * ({@code get_global_id}, {@code threadIdx}…). On the {@code jvm} backend one context per worker thread is filled in
 * by the runtime before each work-item runs; kernels with barriers or local memory need a {@link Kernel#jvm()} twin
 * there. Not thread-safe: each work-item (thread) has its own.
 */
public final class KernelContext {
    public int globalIdx, globalIdy, globalIdz;
    public int localIdx, localIdy, localIdz;
    public int groupIdx, groupIdy, groupIdz;
    public int globalGroupSizeX = 1, globalGroupSizeY = 1, globalGroupSizeZ = 1;
    public int localGroupSizeX = 1, localGroupSizeY = 1, localGroupSizeZ = 1;

    /** Configures the grid (global and local sizes per dimension) for the jvm backend's runner. */
    public void configure(long[] global, long[] local) {
        globalGroupSizeX = (int) global[0];
        globalGroupSizeY = global.length > 1 ? (int) global[1] : 1;
        globalGroupSizeZ = global.length > 2 ? (int) global[2] : 1;
        localGroupSizeX = local == null ? 1 : (int) local[0];
        localGroupSizeY = local == null || local.length < 2 ? 1 : (int) local[1];
        localGroupSizeZ = local == null || local.length < 3 ? 1 : (int) local[2];
    }

    /** Sets all ids for the work-item with row-major linear global index {@code linear} (x fastest). */
    public void setLinearId(long linear) {
        int x = (int) (linear % globalGroupSizeX);
        long rest = linear / globalGroupSizeX;
        int y = (int) (rest % globalGroupSizeY);
        int z = (int) (rest / globalGroupSizeY);
        globalIdx = x; globalIdy = y; globalIdz = z;
        localIdx = x % localGroupSizeX; localIdy = y % localGroupSizeY; localIdz = z % localGroupSizeZ;
        groupIdx = x / localGroupSizeX; groupIdy = y / localGroupSizeY; groupIdz = z / localGroupSizeZ;
    }

    /** Barrier over the work-group with local-memory fence. Cannot run on the jvm backend (use a twin). */
    public void localBarrier() { throw barrier(); }

    /** Barrier over the work-group with global-memory fence. Cannot run on the jvm backend (use a twin). */
    public void globalBarrier() { throw barrier(); }

    /** Work-group local memory of {@code n} floats; {@code n} must be a compile-time constant. */
    public float[] allocateFloatLocalArray(int n) { return new float[n]; }

    /** Work-group local memory of {@code n} ints; {@code n} must be a compile-time constant. */
    public int[] allocateIntLocalArray(int n) { return new int[n]; }

    /** Atomically adds {@code v} to {@code a[i]}; returns the old value. */
    public int atomicAdd(IntArray a, int i, int v) {
        synchronized (a) { int old = a.get(i); a.set(i, old + v); return old; }
    }

    /** Atomically adds {@code v} to {@code a[i]} (a compare-and-swap loop on devices); returns the old value. */
    public float atomicAdd(FloatArray a, int i, float v) {
        synchronized (a) { float old = a.get(i); a.set(i, old + v); return old; }
    }

    private static UnsupportedOperationException barrier() {
        return new UnsupportedOperationException(
                "barriers cannot run as plain Java: give this kernel a @Kernel(jvm = \"...\") twin for the jvm backend");
    }
}
