// The OpenCL ICD loader bound with the FFM API: the few entry points Gale uses, their constants and error names.
package gale.compute.opencl;

import gale.compute.ComputeException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Static bindings to {@code libOpenCL} (any ICD loader). Handles are created once, when the class initialises; if the
 * library or one of its symbols is missing, {@link #UNAVAILABLE} says why and every handle is null, so discovery can
 * report it instead of throwing. The raw {@code cl*} methods return the status code; callers check it with
 * {@link #check}. Thread-safe: OpenCL 1.2 calls are thread-safe except {@code clSetKernelArg} on one kernel, which
 * {@link OpenCLDevice} serialises.
 */
final class CL {
    private CL() {}

    // size_t, cl_ulong, cl_bitfield are 64-bit on every platform Gale targets; cl_int/cl_uint/cl_bool are 32-bit.
    static final ValueLayout.OfLong SIZE_T = JAVA_LONG;

    static final int CL_SUCCESS = 0;
    static final int CL_FALSE = 0, CL_TRUE = 1;
    static final int CL_PLATFORM_VERSION = 0x0901, CL_PLATFORM_NAME = 0x0902, CL_PLATFORM_VENDOR = 0x0903;
    static final long CL_DEVICE_TYPE_CPU = 1 << 1, CL_DEVICE_TYPE_GPU = 1 << 2, CL_DEVICE_TYPE_ACCELERATOR = 1 << 3,
            CL_DEVICE_TYPE_CUSTOM = 1 << 4, CL_DEVICE_TYPE_ALL = 0xFFFFFFFFL;
    static final int CL_DEVICE_TYPE = 0x1000, CL_DEVICE_MAX_COMPUTE_UNITS = 0x1002, CL_DEVICE_MAX_WORK_GROUP_SIZE = 0x1004,
            CL_DEVICE_MAX_WORK_ITEM_SIZES = 0x1005, CL_DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010, CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F,
            CL_DEVICE_LOCAL_MEM_SIZE = 0x1023, CL_DEVICE_NAME = 0x102B, CL_DEVICE_VENDOR = 0x102C,
            CL_DRIVER_VERSION = 0x102D, CL_DEVICE_VERSION = 0x102F, CL_DEVICE_EXTENSIONS = 0x1030,
            CL_DEVICE_OPENCL_C_VERSION = 0x103D;
    static final long CL_QUEUE_PROFILING_ENABLE = 1 << 1;
    static final long CL_MEM_READ_WRITE = 1;
    static final int CL_PROGRAM_BINARY_SIZES = 0x1165, CL_PROGRAM_BINARIES = 0x1166, CL_PROGRAM_BUILD_LOG = 0x1183;
    static final int CL_KERNEL_NUM_ARGS = 0x1191;
    static final int CL_KERNEL_WORK_GROUP_SIZE = 0x11B0;
    static final int CL_PROFILING_COMMAND_START = 0x1282, CL_PROFILING_COMMAND_END = 0x1283;
    static final int CL_BUILD_PROGRAM_FAILURE = -11, CL_INVALID_BINARY = -42,
            CL_PROFILING_INFO_NOT_AVAILABLE = -7, CL_DEVICE_NOT_FOUND = -1;

    /** Why the library cannot be used, or null when every handle below is bound. */
    static final String UNAVAILABLE;
    /** Where the library was found, for messages. */
    static final String LIBRARY;

    static final MethodHandle clGetPlatformIDs, clGetPlatformInfo, clGetDeviceIDs, clGetDeviceInfo, clCreateContext,
            clReleaseContext, clCreateCommandQueue, clReleaseCommandQueue, clCreateBuffer, clReleaseMemObject,
            clEnqueueFillBuffer, clEnqueueWriteBuffer, clEnqueueReadBuffer, clCreateProgramWithSource,
            clCreateProgramWithBinary, clBuildProgram, clGetProgramBuildInfo, clGetProgramInfo, clReleaseProgram,
            clCreateKernel, clGetKernelInfo, clGetKernelWorkGroupInfo, clReleaseKernel, clSetKernelArg, clEnqueueNDRangeKernel,
            clGetEventProfilingInfo, clReleaseEvent, clFinish, clFlush;

    static {
        String why = null, where = null;
        MethodHandle[] h = new MethodHandle[29];
        try {
            Lookup found = findLibrary(candidates());
            where = found.where;
            SymbolLookup lib = found.lookup;
            Linker linker = Linker.nativeLinker();
            // clSetKernelArg only copies a few bytes, so it skips the thread-state transition; clEnqueueNDRangeKernel
            // keeps it (measured: no difference on PoCL) because some drivers block in it while their queue is full.
            Linker.Option fast = Linker.Option.critical(false);
            int i = 0;
            h[i++] = bind(linker, lib, "clGetPlatformIDs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clGetPlatformInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, SIZE_T, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clGetDeviceIDs", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clGetDeviceInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, SIZE_T, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clCreateContext", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clReleaseContext", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            h[i++] = bind(linker, lib, "clCreateCommandQueue", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
            h[i++] = bind(linker, lib, "clReleaseCommandQueue", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            h[i++] = bind(linker, lib, "clCreateBuffer", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, SIZE_T, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clReleaseMemObject", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            h[i++] = bind(linker, lib, "clEnqueueFillBuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, SIZE_T, SIZE_T, SIZE_T, JAVA_INT, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clEnqueueWriteBuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, SIZE_T, SIZE_T, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clEnqueueReadBuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, SIZE_T, SIZE_T, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clCreateProgramWithSource", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clCreateProgramWithBinary", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clBuildProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clGetProgramBuildInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, SIZE_T, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clGetProgramInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, SIZE_T, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clReleaseProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            h[i++] = bind(linker, lib, "clCreateKernel", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clGetKernelInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, SIZE_T, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clGetKernelWorkGroupInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, SIZE_T, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clReleaseKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            h[i++] = bind(linker, lib, "clSetKernelArg", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, SIZE_T, ADDRESS), fast);
            h[i++] = bind(linker, lib, "clEnqueueNDRangeKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clGetEventProfilingInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, SIZE_T, ADDRESS, ADDRESS));
            h[i++] = bind(linker, lib, "clReleaseEvent", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            h[i++] = bind(linker, lib, "clFinish", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            h[i++] = bind(linker, lib, "clFlush", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        } catch (RuntimeException | LinkageError e) {
            why = e.getMessage();
            java.util.Arrays.fill(h, null);
        }
        UNAVAILABLE = why;
        LIBRARY = where;
        int i = 0;
        clGetPlatformIDs = h[i++]; clGetPlatformInfo = h[i++]; clGetDeviceIDs = h[i++]; clGetDeviceInfo = h[i++];
        clCreateContext = h[i++]; clReleaseContext = h[i++]; clCreateCommandQueue = h[i++]; clReleaseCommandQueue = h[i++];
        clCreateBuffer = h[i++]; clReleaseMemObject = h[i++]; clEnqueueFillBuffer = h[i++]; clEnqueueWriteBuffer = h[i++];
        clEnqueueReadBuffer = h[i++]; clCreateProgramWithSource = h[i++]; clCreateProgramWithBinary = h[i++];
        clBuildProgram = h[i++]; clGetProgramBuildInfo = h[i++]; clGetProgramInfo = h[i++]; clReleaseProgram = h[i++];
        clCreateKernel = h[i++]; clGetKernelInfo = h[i++]; clGetKernelWorkGroupInfo = h[i++]; clReleaseKernel = h[i++]; clSetKernelArg = h[i++];
        clEnqueueNDRangeKernel = h[i++]; clGetEventProfilingInfo = h[i++]; clReleaseEvent = h[i++]; clFinish = h[i++];
        clFlush = h[i++];
    }

    /** Where to look for the loader: {@code -Dgale.opencl.library} alone when set, else the platform's usual names. */
    static List<String> candidates() {
        String override = System.getProperty("gale.opencl.library");
        if (override != null && !override.isBlank()) return List.of(override.trim());
        String os = System.getProperty("os.name", "").toLowerCase();
        if (os.contains("win")) return List.of("OpenCL.dll");
        if (os.contains("mac")) return List.of("/System/Library/Frameworks/OpenCL.framework/OpenCL");
        // By name first (the dynamic linker's search path), then where distributions and SDKs put the loader.
        return List.of("libOpenCL.so.1", "libOpenCL.so",
                "/usr/lib/x86_64-linux-gnu/libOpenCL.so.1", "/usr/lib/aarch64-linux-gnu/libOpenCL.so.1",
                "/usr/lib64/libOpenCL.so.1", "/usr/lib/libOpenCL.so.1", "/usr/local/lib/libOpenCL.so.1",
                "/usr/local/cuda/lib64/libOpenCL.so.1", "/opt/rocm/lib/libOpenCL.so.1");
    }

    record Lookup(SymbolLookup lookup, String where) {}

    /** The first candidate that loads; throws, listing every candidate tried and why it failed, when none does. */
    static Lookup findLibrary(List<String> candidates) {
        List<String> tried = new ArrayList<>();
        for (String c : candidates) {
            boolean isPath = c.contains("/") || c.contains("\\");
            if (isPath && !Files.exists(Path.of(c))) { tried.add(c + " (absent)"); continue; }
            try {
                SymbolLookup l = isPath ? SymbolLookup.libraryLookup(Path.of(c), Arena.global())
                        : SymbolLookup.libraryLookup(c, Arena.global());
                return new Lookup(l, c);
            } catch (IllegalArgumentException e) {
                tried.add(c + " (" + e.getMessage() + ")");
            }
        }
        throw new IllegalStateException("no OpenCL ICD loader found (tried " + String.join(", ", tried)
                + "); install one (e.g. Debian's ocl-icd-libopencl1 with pocl-opencl-icd) or set -Dgale.opencl.library=PATH");
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd, Linker.Option... opts) {
        Optional<MemorySegment> sym = lib.find(name);
        if (sym.isEmpty()) throw new IllegalStateException("the OpenCL library has no symbol " + name + " (OpenCL 1.2 is required)");
        return linker.downcallHandle(sym.get(), fd, opts);
    }

    /** The symbolic name of an OpenCL status code. */
    static String errorName(int code) {
        return switch (code) {
            case 0 -> "CL_SUCCESS";
            case -1 -> "CL_DEVICE_NOT_FOUND";
            case -2 -> "CL_DEVICE_NOT_AVAILABLE";
            case -3 -> "CL_COMPILER_NOT_AVAILABLE";
            case -4 -> "CL_MEM_OBJECT_ALLOCATION_FAILURE";
            case -5 -> "CL_OUT_OF_RESOURCES";
            case -6 -> "CL_OUT_OF_HOST_MEMORY";
            case -7 -> "CL_PROFILING_INFO_NOT_AVAILABLE";
            case -8 -> "CL_MEM_COPY_OVERLAP";
            case -9 -> "CL_IMAGE_FORMAT_MISMATCH";
            case -10 -> "CL_IMAGE_FORMAT_NOT_SUPPORTED";
            case -11 -> "CL_BUILD_PROGRAM_FAILURE";
            case -12 -> "CL_MAP_FAILURE";
            case -13 -> "CL_MISALIGNED_SUB_BUFFER_OFFSET";
            case -14 -> "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST";
            case -15 -> "CL_COMPILE_PROGRAM_FAILURE";
            case -16 -> "CL_LINKER_NOT_AVAILABLE";
            case -17 -> "CL_LINK_PROGRAM_FAILURE";
            case -18 -> "CL_DEVICE_PARTITION_FAILED";
            case -19 -> "CL_KERNEL_ARG_INFO_NOT_AVAILABLE";
            case -30 -> "CL_INVALID_VALUE";
            case -31 -> "CL_INVALID_DEVICE_TYPE";
            case -32 -> "CL_INVALID_PLATFORM";
            case -33 -> "CL_INVALID_DEVICE";
            case -34 -> "CL_INVALID_CONTEXT";
            case -35 -> "CL_INVALID_QUEUE_PROPERTIES";
            case -36 -> "CL_INVALID_COMMAND_QUEUE";
            case -37 -> "CL_INVALID_HOST_PTR";
            case -38 -> "CL_INVALID_MEM_OBJECT";
            case -39 -> "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR";
            case -40 -> "CL_INVALID_IMAGE_SIZE";
            case -41 -> "CL_INVALID_SAMPLER";
            case -42 -> "CL_INVALID_BINARY";
            case -43 -> "CL_INVALID_BUILD_OPTIONS";
            case -44 -> "CL_INVALID_PROGRAM";
            case -45 -> "CL_INVALID_PROGRAM_EXECUTABLE";
            case -46 -> "CL_INVALID_KERNEL_NAME";
            case -47 -> "CL_INVALID_KERNEL_DEFINITION";
            case -48 -> "CL_INVALID_KERNEL";
            case -49 -> "CL_INVALID_ARG_INDEX";
            case -50 -> "CL_INVALID_ARG_VALUE";
            case -51 -> "CL_INVALID_ARG_SIZE";
            case -52 -> "CL_INVALID_KERNEL_ARGS";
            case -53 -> "CL_INVALID_WORK_DIMENSION";
            case -54 -> "CL_INVALID_WORK_GROUP_SIZE";
            case -55 -> "CL_INVALID_WORK_ITEM_SIZE";
            case -56 -> "CL_INVALID_GLOBAL_OFFSET";
            case -57 -> "CL_INVALID_EVENT_WAIT_LIST";
            case -58 -> "CL_INVALID_EVENT";
            case -59 -> "CL_INVALID_OPERATION";
            case -60 -> "CL_INVALID_GL_OBJECT";
            case -61 -> "CL_INVALID_BUFFER_SIZE";
            case -62 -> "CL_INVALID_MIP_LEVEL";
            case -63 -> "CL_INVALID_GLOBAL_WORK_SIZE";
            case -64 -> "CL_INVALID_PROPERTY";
            case -65 -> "CL_INVALID_IMAGE_DESCRIPTOR";
            case -66 -> "CL_INVALID_COMPILER_OPTIONS";
            case -67 -> "CL_INVALID_LINKER_OPTIONS";
            case -68 -> "CL_INVALID_DEVICE_PARTITION_COUNT";
            case -69 -> "CL_INVALID_PIPE_SIZE";
            case -70 -> "CL_INVALID_DEVICE_QUEUE";
            case -71 -> "CL_INVALID_SPEC_ID";
            case -72 -> "CL_MAX_SIZE_RESTRICTION_EXCEEDED";
            case -1001 -> "CL_PLATFORM_NOT_FOUND_KHR";
            default -> "unknown OpenCL error";
        };
    }

    /** Throws, naming function, code, symbolic name and context (kernel, device, buffer), unless {@code code} is CL_SUCCESS. */
    static void check(int code, String function, String context) {
        if (code != CL_SUCCESS) throw error(code, function, context);
    }

    static ComputeException error(int code, String function, String context) {
        return new ComputeException(function + " failed with " + code + " " + errorName(code) + (context == null ? "" : ": " + context));
    }

    /** Wraps the Throwable signature of MethodHandle.invokeExact (native calls do not throw checked exceptions). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** A NUL-terminated string from a char buffer OpenCL filled. */
    static String string(MemorySegment s) {
        long n = 0;
        while (n < s.byteSize() && s.get(ValueLayout.JAVA_BYTE, n) != 0) n++;
        return new String(s.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8).trim();
    }

    static MemoryLayout sizeArray(int n) { return MemoryLayout.sequenceLayout(n, SIZE_T); }
}
