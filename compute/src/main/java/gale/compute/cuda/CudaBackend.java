// The cuda backend's ServiceLoader entry: finds the NVIDIA driver and lists its GPUs as cuda:0..N-1, never throwing.
package gale.compute.cuda;

import gale.compute.ComputeException;
import gale.compute.spi.BackendProvider;
import gale.compute.spi.ComputeDevice;
import gale.compute.spi.DeviceInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@code cuda} backend: NVIDIA GPUs through the CUDA driver API and NVRTC, bound with the FFM API. Discovery
 * runs once per process and never throws: without a driver the backend has no devices and says why in
 * {@link #unavailableReason()}. NVRTC is loaded at the first compile, so listing devices needs only the driver.
 * Thread-safe.
 */
public final class CudaBackend implements BackendProvider {
    /** The outcome of discovery: the devices, or none and why. */
    record State(List<ComputeDevice> devices, String reason) {}

    private static volatile State state;

    /** Called by ServiceLoader. */
    public CudaBackend() {}

    @Override public String name() { return "cuda"; }

    @Override public List<ComputeDevice> devices() { return state().devices(); }

    @Override public String unavailableReason() { return state().reason(); }

    private static State state() {
        State s = state;
        if (s == null) {
            synchronized (CudaBackend.class) {
                if (state == null) state = discover(System.getenv());
                s = state;
            }
        }
        return s;
    }

    static State discover(Map<String, String> env) {
        try {
            CudaDriver cu = CudaDriver.load(env);
            return listDevices(cu, env);
        } catch (CudaDriver.Unavailable e) {
            return new State(List.of(), e.getMessage());
        } catch (Throwable t) { // discovery must never take the other backends down with it
            return new State(List.of(), "CUDA discovery failed: " + t);
        }
    }

    private static State listDevices(CudaDriver cu, Map<String, String> env) {
        int rc = cu.init();
        if (rc != 0)
            return new State(List.of(), CudaDriver.message("cuInit", rc, cu.errorName(rc), "driver " + cu.library));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment i = a.allocate(JAVA_INT);
            cu.check(cu.driverVersion(i), "cuDriverGetVersion", "driver " + cu.library);
            int driver = i.get(JAVA_INT, 0);
            cu.check(cu.deviceGetCount(i), "cuDeviceGetCount", "driver " + cu.library);
            int count = i.get(JAVA_INT, 0);
            if (count == 0) return new State(List.of(), "the NVIDIA driver reports no CUDA devices (check CUDA_VISIBLE_DEVICES)");
            Supplier<Nvrtc> nvrtc = nvrtcOnce(env, driver / 1000);
            KernelCache cache = KernelCache.defaultCache();
            List<ComputeDevice> devices = new ArrayList<>();
            for (int ordinal = 0; ordinal < count; ordinal++) devices.add(open(cu, a, ordinal, driver, nvrtc, cache));
            return new State(List.copyOf(devices), null);
        }
    }

    private static CudaDevice open(CudaDriver cu, Arena a, int ordinal, int driver, Supplier<Nvrtc> nvrtc, KernelCache cache) {
        String ctx = "cuda:" + ordinal;
        MemorySegment i = a.allocate(JAVA_INT);
        cu.check(cu.deviceGet(i, ordinal), "cuDeviceGet", ctx);
        int dev = i.get(JAVA_INT, 0);
        MemorySegment name = a.allocate(256);
        cu.check(cu.deviceGetName(name, 256, dev), "cuDeviceGetName", ctx);
        MemorySegment mem = a.allocate(JAVA_LONG);
        cu.check(cu.deviceTotalMem(mem, dev), "cuDeviceTotalMem_v2", ctx);
        int major = attr(cu, a, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev, ctx);
        int minor = attr(cu, a, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev, ctx);
        int threads = attr(cu, a, CudaDriver.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, dev, ctx);
        int[] blockDim = new int[3], gridDim = new int[3];
        for (int d = 0; d < 3; d++) {
            blockDim[d] = attr(cu, a, CudaDriver.CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X + d, dev, ctx);
            gridDim[d] = attr(cu, a, CudaDriver.CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X + d, dev, ctx);
        }
        DeviceInfo info = new DeviceInfo(ctx, "cuda", name.getString(0), "NVIDIA", "GPU",
                attr(cu, a, CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev, ctx), mem.get(JAVA_LONG, 0),
                attr(cu, a, CudaDriver.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, dev, ctx), threads,
                major * 10 + minor >= 53, driverVersionText(driver), "compute capability " + major + "." + minor);
        return new CudaDevice(cu, dev, driver, info, major, minor, new LaunchGeometry.Limits(threads, blockDim, gridDim), nvrtc, cache);
    }

    private static int attr(CudaDriver cu, Arena a, int attribute, int dev, String ctx) {
        MemorySegment out = a.allocate(JAVA_INT);
        cu.check(cu.deviceGetAttribute(out, attribute, dev), "cuDeviceGetAttribute(" + attribute + ")", ctx);
        return out.get(JAVA_INT, 0);
    }

    /** 12040 → "CUDA driver 12.4" (the driver's CUDA version, as cuDriverGetVersion encodes it: 1000*major + 10*minor). */
    static String driverVersionText(int v) { return "CUDA driver " + v / 1000 + "." + (v % 1000) / 10; }

    /**
     * NVRTC, loaded at most once for all devices. A failure is remembered, so a missing NVRTC is searched for once, and
     * rethrown at every compile. {@code -Dgale.nvrtc=/path/libnvrtc.so} picks the library.
     */
    static Supplier<Nvrtc> nvrtcOnce(Map<String, String> env, int driverMajor) {
        return new Supplier<>() {
            private Nvrtc loaded;
            private ComputeException failure;

            @Override public synchronized Nvrtc get() {
                if (loaded != null) return loaded;
                if (failure != null) throw new ComputeException(failure.getMessage(), failure);
                Map<String, String> e = new HashMap<>(env);
                String prop = System.getProperty("gale.nvrtc");
                if (prop != null && !prop.isBlank()) e.put("GALE_NVRTC", prop);
                try {
                    return loaded = Nvrtc.load(e, driverMajor);
                } catch (ComputeException ex) {
                    failure = ex;
                    throw ex;
                }
            }
        };
    }
}
