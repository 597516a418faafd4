// FFM bindings to the CUDA driver API (libcuda.so.1): the calls the cuda backend makes, with errors that name the call.
package gale.compute.cuda;

import gale.compute.ComputeException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The driver API as Java methods. Handles are CUDA's opaque pointers ({@link MemorySegment}), devices are ints and
 * device pointers longs. Symbol names are the ABI names cuda.h maps to ({@code cuMemAlloc_v2}…): the header's macros
 * do not exist for a dynamic binding. Every method returns the raw CUresult; {@link #check} turns one into an error.
 * Thread-safe: the driver API is; contexts are made current per thread by the caller.
 */
final class CudaDriver {
    static final int CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1;
    static final int CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X = 2;
    static final int CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X = 5;
    static final int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK = 8;
    static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    static final int CU_STREAM_NON_BLOCKING = 1;
    static final int CU_EVENT_DEFAULT = 0;
    static final int CU_MEMHOSTALLOC_PORTABLE = 1;
    static final int CU_JIT_ERROR_LOG_BUFFER = 5;
    static final int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
    static final int CUDA_ERROR_OUT_OF_MEMORY = 2;

    private static final Linker LINKER = Linker.nativeLinker();

    final Path library; // what was loaded, for messages
    private final MethodHandle cuInit, cuDriverGetVersion, cuDeviceGetCount, cuDeviceGet, cuDeviceGetName, cuDeviceGetAttribute,
            cuDeviceTotalMem, cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRelease, cuCtxSetCurrent, cuStreamCreate,
            cuStreamSynchronize, cuStreamDestroy, cuMemAlloc, cuMemFree, cuMemGetInfo, cuMemsetD8Async, cuMemcpyHtoDAsync,
            cuMemcpyDtoHAsync, cuMemHostAlloc, cuMemFreeHost, cuModuleLoadDataEx, cuModuleGetFunction, cuModuleUnload,
            cuLaunchKernel, cuEventCreate, cuEventRecord, cuEventSynchronize, cuEventElapsedTime, cuEventDestroy, cuGetErrorName;

    private CudaDriver(SymbolLookup lib, Path library) {
        this.library = library;
        cuInit = bind(lib, "cuInit", JAVA_INT);
        cuDriverGetVersion = bind(lib, "cuDriverGetVersion", ADDRESS);
        cuDeviceGetCount = bind(lib, "cuDeviceGetCount", ADDRESS);
        cuDeviceGet = bind(lib, "cuDeviceGet", ADDRESS, JAVA_INT);
        cuDeviceGetName = bind(lib, "cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceGetAttribute = bind(lib, "cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceTotalMem = bind(lib, "cuDeviceTotalMem_v2", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRetain = bind(lib, "cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRelease = bind(lib, new String[]{"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"}, JAVA_INT);
        cuCtxSetCurrent = bind(lib, "cuCtxSetCurrent", ADDRESS);
        cuStreamCreate = bind(lib, "cuStreamCreate", ADDRESS, JAVA_INT);
        cuStreamSynchronize = bind(lib, "cuStreamSynchronize", ADDRESS);
        cuStreamDestroy = bind(lib, new String[]{"cuStreamDestroy_v2", "cuStreamDestroy"}, ADDRESS);
        cuMemAlloc = bind(lib, "cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        cuMemFree = bind(lib, "cuMemFree_v2", JAVA_LONG);
        cuMemGetInfo = bind(lib, "cuMemGetInfo_v2", ADDRESS, ADDRESS);
        cuMemsetD8Async = bind(lib, "cuMemsetD8Async", JAVA_LONG, JAVA_BYTE, JAVA_LONG, ADDRESS);
        cuMemcpyHtoDAsync = bind(lib, "cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
        cuMemcpyDtoHAsync = bind(lib, "cuMemcpyDtoHAsync_v2", ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
        cuMemHostAlloc = bind(lib, "cuMemHostAlloc", ADDRESS, JAVA_LONG, JAVA_INT);
        cuMemFreeHost = bind(lib, "cuMemFreeHost", ADDRESS);
        cuModuleLoadDataEx = bind(lib, "cuModuleLoadDataEx", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        cuModuleGetFunction = bind(lib, "cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        cuModuleUnload = bind(lib, "cuModuleUnload", ADDRESS);
        cuLaunchKernel = bind(lib, "cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS);
        cuEventCreate = bind(lib, "cuEventCreate", ADDRESS, JAVA_INT);
        cuEventRecord = bind(lib, "cuEventRecord", ADDRESS, ADDRESS);
        cuEventSynchronize = bind(lib, "cuEventSynchronize", ADDRESS);
        // CUDA 12.8 added _v2 (same signature, fixed timing semantics); older drivers only have the original.
        cuEventElapsedTime = bind(lib, new String[]{"cuEventElapsedTime_v2", "cuEventElapsedTime"}, ADDRESS, ADDRESS, ADDRESS);
        cuEventDestroy = bind(lib, new String[]{"cuEventDestroy_v2", "cuEventDestroy"}, ADDRESS);
        cuGetErrorName = bind(lib, "cuGetErrorName", JAVA_INT, ADDRESS);
    }

    /** Thrown by {@link #load} with the reason the driver is unusable; never escapes discovery. */
    static final class Unavailable extends Exception {
        Unavailable(String reason, Throwable cause) { super(reason, cause); }
    }

    /** Opens libcuda.so.1 (the dynamic linker's search, then the usual folders) and binds every call. */
    static CudaDriver load(Map<String, String> env) throws Unavailable {
        SymbolLookup lib = null;
        Path where = Path.of(CudaLibraries.DRIVER_SONAME);
        try {
            lib = SymbolLookup.libraryLookup(CudaLibraries.DRIVER_SONAME, Arena.global());
        } catch (IllegalArgumentException notOnLinkerPath) {
            for (Path p : CudaLibraries.driverCandidates(env)) {
                if (!Files.exists(p)) continue;
                try {
                    lib = SymbolLookup.libraryLookup(p, Arena.global());
                    where = p;
                    break;
                } catch (IllegalArgumentException unloadable) {
                    // a broken or foreign-architecture file: keep looking
                }
            }
        } catch (IllegalCallerException e) {
            throw new Unavailable("native access is disabled: run with --enable-native-access=ALL-UNNAMED", e);
        }
        if (lib == null) throw new Unavailable(CudaLibraries.DRIVER_SONAME + " not found: no NVIDIA driver", null);
        try {
            return new CudaDriver(lib, where);
        } catch (IllegalStateException e) {
            throw new Unavailable(CudaLibraries.DRIVER_SONAME + " is too old or not the NVIDIA driver: " + e.getMessage(), e);
        }
    }

    private static MethodHandle bind(SymbolLookup lib, String name, java.lang.foreign.MemoryLayout... args) {
        return bind(lib, new String[]{name}, args);
    }

    private static MethodHandle bind(SymbolLookup lib, String[] names, java.lang.foreign.MemoryLayout... args) {
        for (String n : names) {
            Optional<MemorySegment> sym = lib.find(n);
            if (sym.isPresent()) return LINKER.downcallHandle(sym.get(), FunctionDescriptor.of(JAVA_INT, args));
        }
        throw new IllegalStateException("symbol " + String.join(" / ", names) + " is missing");
    }

    // ---- errors ----

    /** The driver's name for a CUresult ("CUDA_ERROR_OUT_OF_MEMORY"), falling back to the built-in table. */
    String errorName(int rc) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int r = (int) cuGetErrorName.invokeExact(rc, out);
            MemorySegment s = out.get(ADDRESS, 0);
            if (r == 0 && !s.equals(MemorySegment.NULL)) return s.reinterpret(256).getString(0);
        } catch (Throwable ignored) {
            // fall through to the table: naming an error must not raise another
        }
        return CudaErrors.driverName(rc);
    }

    /** Throws when {@code rc} is not CUDA_SUCCESS: "fn failed: NAME (code): hint [context]". */
    void check(int rc, String fn, String context) {
        if (rc != 0) throw new ComputeException(message(fn, rc, errorName(rc), context));
    }

    static String message(String fn, int rc, String name, String context) {
        String hint = CudaErrors.hint(rc);
        return fn + " failed: " + name + " (" + rc + ")" + (hint.isEmpty() ? "" : ": " + hint) + " [" + context + "]";
    }

    private static ComputeException ffm(String fn, Throwable t) {
        return new ComputeException("native call " + fn + " failed in the FFM binding: " + t, t);
    }

    // ---- calls: each returns the CUresult ----

    int init() {
        try { return (int) cuInit.invokeExact(0); } catch (Throwable t) { throw ffm("cuInit", t); }
    }

    int driverVersion(MemorySegment out) {
        try { return (int) cuDriverGetVersion.invokeExact(out); } catch (Throwable t) { throw ffm("cuDriverGetVersion", t); }
    }

    int deviceGetCount(MemorySegment out) {
        try { return (int) cuDeviceGetCount.invokeExact(out); } catch (Throwable t) { throw ffm("cuDeviceGetCount", t); }
    }

    int deviceGet(MemorySegment out, int ordinal) {
        try { return (int) cuDeviceGet.invokeExact(out, ordinal); } catch (Throwable t) { throw ffm("cuDeviceGet", t); }
    }

    int deviceGetName(MemorySegment buf, int len, int dev) {
        try { return (int) cuDeviceGetName.invokeExact(buf, len, dev); } catch (Throwable t) { throw ffm("cuDeviceGetName", t); }
    }

    int deviceGetAttribute(MemorySegment out, int attr, int dev) {
        try { return (int) cuDeviceGetAttribute.invokeExact(out, attr, dev); } catch (Throwable t) { throw ffm("cuDeviceGetAttribute", t); }
    }

    int deviceTotalMem(MemorySegment out, int dev) {
        try { return (int) cuDeviceTotalMem.invokeExact(out, dev); } catch (Throwable t) { throw ffm("cuDeviceTotalMem_v2", t); }
    }

    int primaryCtxRetain(MemorySegment out, int dev) {
        try { return (int) cuDevicePrimaryCtxRetain.invokeExact(out, dev); } catch (Throwable t) { throw ffm("cuDevicePrimaryCtxRetain", t); }
    }

    int primaryCtxRelease(int dev) {
        try { return (int) cuDevicePrimaryCtxRelease.invokeExact(dev); } catch (Throwable t) { throw ffm("cuDevicePrimaryCtxRelease_v2", t); }
    }

    int ctxSetCurrent(MemorySegment ctx) {
        try { return (int) cuCtxSetCurrent.invokeExact(ctx); } catch (Throwable t) { throw ffm("cuCtxSetCurrent", t); }
    }

    int streamCreate(MemorySegment out, int flags) {
        try { return (int) cuStreamCreate.invokeExact(out, flags); } catch (Throwable t) { throw ffm("cuStreamCreate", t); }
    }

    int streamSynchronize(MemorySegment stream) {
        try { return (int) cuStreamSynchronize.invokeExact(stream); } catch (Throwable t) { throw ffm("cuStreamSynchronize", t); }
    }

    int streamDestroy(MemorySegment stream) {
        try { return (int) cuStreamDestroy.invokeExact(stream); } catch (Throwable t) { throw ffm("cuStreamDestroy_v2", t); }
    }

    int memAlloc(MemorySegment out, long bytes) {
        try { return (int) cuMemAlloc.invokeExact(out, bytes); } catch (Throwable t) { throw ffm("cuMemAlloc_v2", t); }
    }

    int memFree(long dptr) {
        try { return (int) cuMemFree.invokeExact(dptr); } catch (Throwable t) { throw ffm("cuMemFree_v2", t); }
    }

    int memGetInfo(MemorySegment free, MemorySegment total) {
        try { return (int) cuMemGetInfo.invokeExact(free, total); } catch (Throwable t) { throw ffm("cuMemGetInfo_v2", t); }
    }

    int memsetD8Async(long dptr, byte value, long n, MemorySegment stream) {
        try { return (int) cuMemsetD8Async.invokeExact(dptr, value, n, stream); } catch (Throwable t) { throw ffm("cuMemsetD8Async", t); }
    }

    int memcpyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        try { return (int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream); } catch (Throwable t) { throw ffm("cuMemcpyHtoDAsync_v2", t); }
    }

    int memcpyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        try { return (int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream); } catch (Throwable t) { throw ffm("cuMemcpyDtoHAsync_v2", t); }
    }

    int memHostAlloc(MemorySegment out, long bytes, int flags) {
        try { return (int) cuMemHostAlloc.invokeExact(out, bytes, flags); } catch (Throwable t) { throw ffm("cuMemHostAlloc", t); }
    }

    int memFreeHost(MemorySegment p) {
        try { return (int) cuMemFreeHost.invokeExact(p); } catch (Throwable t) { throw ffm("cuMemFreeHost", t); }
    }

    int moduleLoadDataEx(MemorySegment out, MemorySegment image, int numOptions, MemorySegment options, MemorySegment values) {
        try { return (int) cuModuleLoadDataEx.invokeExact(out, image, numOptions, options, values); } catch (Throwable t) { throw ffm("cuModuleLoadDataEx", t); }
    }

    int moduleGetFunction(MemorySegment out, MemorySegment module, MemorySegment name) {
        try { return (int) cuModuleGetFunction.invokeExact(out, module, name); } catch (Throwable t) { throw ffm("cuModuleGetFunction", t); }
    }

    int moduleUnload(MemorySegment module) {
        try { return (int) cuModuleUnload.invokeExact(module); } catch (Throwable t) { throw ffm("cuModuleUnload", t); }
    }

    int launchKernel(MemorySegment f, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes, MemorySegment stream,
                     MemorySegment params) {
        try {
            return (int) cuLaunchKernel.invokeExact(f, gx, gy, gz, bx, by, bz, sharedBytes, stream, params, MemorySegment.NULL);
        } catch (Throwable t) {
            throw ffm("cuLaunchKernel", t);
        }
    }

    int eventCreate(MemorySegment out, int flags) {
        try { return (int) cuEventCreate.invokeExact(out, flags); } catch (Throwable t) { throw ffm("cuEventCreate", t); }
    }

    int eventRecord(MemorySegment event, MemorySegment stream) {
        try { return (int) cuEventRecord.invokeExact(event, stream); } catch (Throwable t) { throw ffm("cuEventRecord", t); }
    }

    int eventSynchronize(MemorySegment event) {
        try { return (int) cuEventSynchronize.invokeExact(event); } catch (Throwable t) { throw ffm("cuEventSynchronize", t); }
    }

    int eventElapsedTime(MemorySegment outMs, MemorySegment start, MemorySegment end) {
        try { return (int) cuEventElapsedTime.invokeExact(outMs, start, end); } catch (Throwable t) { throw ffm("cuEventElapsedTime", t); }
    }

    int eventDestroy(MemorySegment event) {
        try { return (int) cuEventDestroy.invokeExact(event); } catch (Throwable t) { throw ffm("cuEventDestroy_v2", t); }
    }

    static float readFloat(MemorySegment s) { return s.get(JAVA_FLOAT, 0); }
}
