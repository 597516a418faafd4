// The opencl backend's ServiceLoader entry: discovers every device of every OpenCL platform, without ever throwing.
package gale.compute.opencl;

import gale.compute.spi.BackendProvider;
import gale.compute.spi.ComputeDevice;
import gale.compute.spi.DeviceInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static gale.compute.opencl.CL.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@code opencl} backend: every device of every OpenCL platform, platforms in the ICD loader's order and devices
 * in each platform's order, selected as {@code opencl:0..N-1}. Discovery runs once per JVM and never throws: with no
 * loader or no platform the list is empty and {@link #unavailableReason()} says why. Devices open their context and
 * queue on first use and keep them; {@link #close()} or the JVM shutdown hook releases them.
 * Thread-safe.
 */
public final class OpenCLBackend implements BackendProvider, AutoCloseable {
    private static volatile Discovery discovery;

    /** The ServiceLoader constructor; discovery happens on the first {@link #devices()}. */
    public OpenCLBackend() {}

    @Override public String name() { return "opencl"; }

    @Override public List<ComputeDevice> devices() { return List.copyOf(discover().devices); }

    @Override public String unavailableReason() { return discover().reason; }

    /** Releases every device's context, queue and programs; a device used again later reopens them. */
    @Override public void close() { for (OpenCLDevice d : discover().devices) d.close(); }

    private record Discovery(List<OpenCLDevice> devices, String reason) {}

    static List<OpenCLDevice> openclDevices() { return discover().devices; }

    private static Discovery discover() {
        Discovery d = discovery;
        if (d == null) {
            synchronized (OpenCLBackend.class) {
                if (discovery == null) {
                    try {
                        discovery = find();
                    } catch (RuntimeException | LinkageError e) {
                        discovery = new Discovery(List.of(), "OpenCL discovery failed: " + e);
                    }
                    if (!discovery.devices.isEmpty()) {
                        SignalChaining.warnIfUnchained();
                        List<OpenCLDevice> devs = discovery.devices;
                        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                            for (OpenCLDevice dev : devs) dev.shutdown();
                        }, "gale-opencl-release"));
                    }
                }
                d = discovery;
            }
        }
        return d;
    }

    private static Discovery find() {
        if (CL.UNAVAILABLE != null) return new Discovery(List.of(), CL.UNAVAILABLE);
        List<OpenCLDevice> devices = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            int rc = (int) clGetPlatformIDs.invokeExact(0, MemorySegment.NULL, count);
            int n = rc == CL_SUCCESS ? count.get(JAVA_INT, 0) : 0;
            if (n == 0)
                return new Discovery(List.of(), "no OpenCL platform: the ICD loader " + CL.LIBRARY + " found none ("
                        + (rc == CL_SUCCESS ? "0 platforms" : "clGetPlatformIDs returned " + rc + " " + errorName(rc))
                        + "); install a vendor ICD (/etc/OpenCL/vendors/*.icd), e.g. Debian's pocl-opencl-icd");
            MemorySegment platforms = arena.allocate(ADDRESS, n);
            check((int) clGetPlatformIDs.invokeExact(n, platforms, MemorySegment.NULL), "clGetPlatformIDs", "listing platforms");
            for (int p = 0; p < n; p++) {
                MemorySegment platform = platforms.getAtIndex(ADDRESS, p);
                String pname = "platform " + p;
                try {
                    pname = platformString(platform, CL_PLATFORM_NAME);
                    MemorySegment dc = arena.allocate(JAVA_INT);
                    rc = (int) clGetDeviceIDs.invokeExact(platform, CL_DEVICE_TYPE_ALL, 0, MemorySegment.NULL, dc);
                    if (rc == -1 /* CL_DEVICE_NOT_FOUND */) continue;
                    check(rc, "clGetDeviceIDs", "platform " + pname);
                    int m = dc.get(JAVA_INT, 0);
                    MemorySegment ids = arena.allocate(ADDRESS, m);
                    check((int) clGetDeviceIDs.invokeExact(platform, CL_DEVICE_TYPE_ALL, m, ids, MemorySegment.NULL), "clGetDeviceIDs", "platform " + pname);
                    for (int i = 0; i < m; i++) {
                        MemorySegment dev = ids.getAtIndex(ADDRESS, i);
                        devices.add(describe(devices.size(), platform, pname, dev));
                    }
                } catch (RuntimeException e) {
                    problems.add(pname + ": " + e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
        String reason = null;
        if (devices.isEmpty())
            reason = "OpenCL platforms found but no usable device" + (problems.isEmpty() ? "" : ": " + String.join("; ", problems));
        return new Discovery(List.copyOf(devices), reason);
    }

    private static OpenCLDevice describe(int index, MemorySegment platform, String platformName, MemorySegment dev) {
        String name = deviceString(dev, CL_DEVICE_NAME);
        String vendor = deviceString(dev, CL_DEVICE_VENDOR);
        long typeBits = deviceLong(dev, CL_DEVICE_TYPE);
        String type = (typeBits & CL_DEVICE_TYPE_GPU) != 0 ? "GPU" : (typeBits & CL_DEVICE_TYPE_ACCELERATOR) != 0 ? "ACCELERATOR"
                : (typeBits & CL_DEVICE_TYPE_CPU) != 0 ? "CPU" : (typeBits & CL_DEVICE_TYPE_CUSTOM) != 0 ? "CUSTOM" : "UNKNOWN";
        int units = (int) deviceInt(dev, CL_DEVICE_MAX_COMPUTE_UNITS);
        long global = deviceLong(dev, CL_DEVICE_GLOBAL_MEM_SIZE);
        long local = deviceLong(dev, CL_DEVICE_LOCAL_MEM_SIZE);
        long maxWg = deviceLong(dev, CL_DEVICE_MAX_WORK_GROUP_SIZE);
        long maxAlloc = deviceLong(dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
        long[] itemSizes = deviceLongs(dev, CL_DEVICE_MAX_WORK_ITEM_SIZES);
        String extensions = deviceString(dev, CL_DEVICE_EXTENSIONS);
        String deviceVersion = deviceString(dev, CL_DEVICE_VERSION);
        String driverVersion = deviceString(dev, CL_DRIVER_VERSION);
        String cVersion = deviceString(dev, CL_DEVICE_OPENCL_C_VERSION);
        boolean fp16 = (" " + extensions + " ").contains(" cl_khr_fp16 ");
        DeviceInfo info = new DeviceInfo("opencl:" + index, "opencl", name, vendor, type, units, global, local, maxWg, fp16,
                deviceVersion + " (driver " + driverVersion + ", platform " + platformName + ")", cVersion);
        return new OpenCLDevice(info, platform, platformName, dev, deviceVersion, driverVersion, maxAlloc, itemSizes);
    }

    private static String platformString(MemorySegment platform, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(SIZE_T);
            check((int) clGetPlatformInfo.invokeExact(platform, param, 0L, MemorySegment.NULL, size), "clGetPlatformInfo", "param 0x" + Integer.toHexString(param));
            MemorySegment buf = a.allocate(JAVA_BYTE, Math.max(1, size.get(JAVA_LONG, 0)));
            check((int) clGetPlatformInfo.invokeExact(platform, param, buf.byteSize(), buf, MemorySegment.NULL), "clGetPlatformInfo", "param 0x" + Integer.toHexString(param));
            return CL.string(buf);
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    static String deviceString(MemorySegment dev, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(SIZE_T);
            check((int) clGetDeviceInfo.invokeExact(dev, param, 0L, MemorySegment.NULL, size), "clGetDeviceInfo", "param 0x" + Integer.toHexString(param));
            MemorySegment buf = a.allocate(JAVA_BYTE, Math.max(1, size.get(JAVA_LONG, 0)));
            check((int) clGetDeviceInfo.invokeExact(dev, param, buf.byteSize(), buf, MemorySegment.NULL), "clGetDeviceInfo", "param 0x" + Integer.toHexString(param));
            return CL.string(buf);
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    /** A cl_ulong or size_t property. */
    private static long deviceLong(MemorySegment dev, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check((int) clGetDeviceInfo.invokeExact(dev, param, 8L, v, MemorySegment.NULL), "clGetDeviceInfo", "param 0x" + Integer.toHexString(param));
            return v.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    /** A cl_uint property. */
    private static long deviceInt(MemorySegment dev, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) clGetDeviceInfo.invokeExact(dev, param, 4L, v, MemorySegment.NULL), "clGetDeviceInfo", "param 0x" + Integer.toHexString(param));
            return Integer.toUnsignedLong(v.get(JAVA_INT, 0));
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    /** A size_t[] property. */
    private static long[] deviceLongs(MemorySegment dev, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(SIZE_T);
            check((int) clGetDeviceInfo.invokeExact(dev, param, 0L, MemorySegment.NULL, size), "clGetDeviceInfo", "param 0x" + Integer.toHexString(param));
            MemorySegment buf = a.allocate(size.get(JAVA_LONG, 0), 8);
            check((int) clGetDeviceInfo.invokeExact(dev, param, buf.byteSize(), buf, MemorySegment.NULL), "clGetDeviceInfo", "param 0x" + Integer.toHexString(param));
            return buf.toArray(JAVA_LONG);
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }
}
