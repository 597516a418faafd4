// One OpenCL device: its context and in-order queue, buffers, program builds with a disk cache of binaries, launches.
package gale.compute.opencl;

import gale.compute.ComputeException;
import gale.compute.spi.CompiledKernel;
import gale.compute.spi.ComputeDevice;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.DeviceInfo;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.LaunchGrid;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import static gale.compute.opencl.CL.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One OpenCL device. The context and its single in-order queue open on first use (so every enqueued command runs in
 * program order and no events are needed between them) and stay open until {@link #close()}; a later call reopens
 * them, and buffers or kernels of the closed context are refused. Programs are built with {@value #BUILD_OPTIONS}
 * and IEEE semantics (no {@code -cl-fast-relaxed-math}: results must match the Java reference twins), cached in
 * memory per context and as binaries on disk (see {@link #compile}).
 *
 * <p>Thread-safe: every method holds the device's lock, because the launch path reuses per-device native scratch
 * memory and {@code clSetKernelArg} is not thread-safe per kernel.
 */
final class OpenCLDevice implements ComputeDevice {
    static final String BUILD_OPTIONS = "-cl-std=CL1.2";
    private static final Cleaner CLEANER = Cleaner.create();
    private static final System.Logger LOG = System.getLogger("gale.compute.opencl");
    private static final int EVENT_RING = 1 << 16; // profiled launches whose times were never read are released after this many

    private final DeviceInfo info;
    private final MemorySegment platform, device;
    private final String platformName, deviceVersion, driverVersion;
    private final long maxAllocBytes;
    private final long[] maxItemSizes;
    private final String where; // "opencl:0 (device name)" for messages

    private Session session;
    private boolean shutdown;
    private OpenCLKernel lastLaunched; // named in errors of later waits: kernels fail asynchronously
    private long memoryHits, diskHits, misses, refreshes, offlineLoads;

    OpenCLDevice(DeviceInfo info, MemorySegment platform, String platformName, MemorySegment device, String deviceVersion,
                 String driverVersion, long maxAllocBytes, long[] maxItemSizes) {
        this.info = info;
        this.platform = platform;
        this.platformName = platformName;
        this.device = device;
        this.deviceVersion = deviceVersion;
        this.driverVersion = driverVersion;
        this.maxAllocBytes = maxAllocBytes;
        this.maxItemSizes = maxItemSizes;
        this.where = info.id() + " (" + info.name() + ")";
    }

    @Override public DeviceInfo info() { return info; }

    String where() { return where; }

    // ---------------------------------------------------------------- context and queue

    /** What lives as long as one context: queue, scratch memory for the launch path, built programs, pending events. */
    private static final class Session {
        final MemorySegment context;
        MemorySegment queue;
        boolean profiling;
        boolean closed;
        final Arena arena = Arena.ofShared();
        final MemorySegment devicePtr = arena.allocate(ADDRESS);
        final MemorySegment argSlot = arena.allocate(8, 8);
        final MemorySegment globalSizes = arena.allocate(SIZE_T, 3);
        final MemorySegment localSizes = arena.allocate(SIZE_T, 3);
        final MemorySegment eventSlot = arena.allocate(ADDRESS);
        final MemorySegment status = arena.allocate(JAVA_INT);
        final MemorySegment longSlot = arena.allocate(JAVA_LONG);
        final MemorySegment zeros = arena.allocate(8, 8);
        final Map<String, MemorySegment> programs = new LinkedHashMap<>();
        final long[] eventHandles = new long[EVENT_RING];
        final long[] eventIds = new long[EVENT_RING];
        long nextEventId;

        Session(MemorySegment context) { this.context = context; }
    }

    private Session session() {
        Session s = session;
        if (s != null) return s;
        if (shutdown) throw new ComputeException("OpenCL device " + where + " is released: the JVM is shutting down");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment devs = a.allocate(ADDRESS);
            devs.set(ADDRESS, 0, device);
            MemorySegment ctx = (MemorySegment) clCreateContext.invokeExact(MemorySegment.NULL, 1, devs, MemorySegment.NULL, MemorySegment.NULL, err);
            check(err.get(JAVA_INT, 0), "clCreateContext", "device " + where);
            s = new Session(ctx);
            s.devicePtr.set(ADDRESS, 0, device);
            s.queue = createQueue(s, false);
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
        session = s;
        return s;
    }

    private MemorySegment createQueue(Session s, boolean profiling) throws Throwable {
        MemorySegment q = (MemorySegment) clCreateCommandQueue.invokeExact(s.context, device, profiling ? CL_QUEUE_PROFILING_ENABLE : 0L, s.status);
        check(s.status.get(JAVA_INT, 0), "clCreateCommandQueue", "device " + where + (profiling ? " with profiling" : ""));
        s.profiling = profiling;
        return q;
    }

    /**
     * The queue starts without profiling (timestamps cost on some drivers); the first profiled launch drains it and
     * replaces it by a profiling queue. Draining first keeps every command in program order.
     */
    private void enableProfiling(Session s) throws Throwable {
        check((int) clFinish.invokeExact(s.queue), "clFinish", "device " + where);
        MemorySegment q = createQueue(s, true);
        check((int) clReleaseCommandQueue.invokeExact(s.queue), "clReleaseCommandQueue", "device " + where);
        s.queue = q;
    }

    // ---------------------------------------------------------------- buffers and transfers

    @Override public synchronized DeviceBuffer allocate(long bytes, String label) {
        if (bytes <= 0) throw new IllegalArgumentException("buffer size must be > 0, got " + bytes + " for " + label);
        if (bytes > maxAllocBytes)
            throw new ComputeException("cannot allocate " + bytes + " bytes for " + label + " on OpenCL device " + where
                    + ": its largest buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE) is " + maxAllocBytes + " bytes");
        Session s = session();
        try {
            MemorySegment mem = (MemorySegment) clCreateBuffer.invokeExact(s.context, CL_MEM_READ_WRITE, bytes, MemorySegment.NULL, s.status);
            check(s.status.get(JAVA_INT, 0), "clCreateBuffer", bytes + " bytes for " + label + " on device " + where);
            // Zero-fill on the device: in-order, so it completes before any later upload or launch touches the buffer.
            long pattern = bytes % 4 == 0 ? 4 : 1;
            int rc = (int) clEnqueueFillBuffer.invokeExact(s.queue, mem, s.zeros, pattern, 0L, bytes, 0, MemorySegment.NULL, MemorySegment.NULL);
            if (rc != CL_SUCCESS) {
                int ignored = (int) clReleaseMemObject.invokeExact(mem);
                throw CL.error(rc, "clEnqueueFillBuffer", "zero-filling " + bytes + " bytes for " + label + " on device " + where);
            }
            return new OpenCLBuffer(this, s, mem, bytes, label);
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    @Override public synchronized void upload(DeviceBuffer dst, MemorySegment src) {
        OpenCLBuffer b = buffer(dst, "upload to");
        long n = src.byteSize();
        if (n > b.bytes)
            throw new ComputeException("upload of " + n + " bytes into " + b.label + " (" + b.bytes + " bytes) on device " + where);
        if (n == 0) return;
        Session s = session;
        try (Arena a = src.isNative() ? null : Arena.ofConfined()) {
            MemorySegment host = src.isNative() ? src : a.allocate(n, 64).copyFrom(src);
            // Blocking: the caller may reuse or unmap the host memory as soon as this returns.
            int rc = (int) clEnqueueWriteBuffer.invokeExact(s.queue, b.mem, CL_TRUE, 0L, n, host, 0, MemorySegment.NULL, MemorySegment.NULL);
            check(rc, "clEnqueueWriteBuffer", n + " bytes into " + b.label + " on device " + where + afterLaunch());
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    @Override public synchronized void download(DeviceBuffer src, MemorySegment dst) {
        OpenCLBuffer b = buffer(src, "download from");
        long n = dst.byteSize();
        if (n > b.bytes)
            throw new ComputeException("download of " + n + " bytes from " + b.label + " (" + b.bytes + " bytes) on device " + where);
        if (n == 0) return;
        Session s = session;
        try (Arena a = dst.isNative() ? null : Arena.ofConfined()) {
            MemorySegment host = dst.isNative() ? dst : a.allocate(n, 64);
            int rc = (int) clEnqueueReadBuffer.invokeExact(s.queue, b.mem, CL_TRUE, 0L, n, host, 0, MemorySegment.NULL, MemorySegment.NULL);
            check(rc, "clEnqueueReadBuffer", n + " bytes from " + b.label + " on device " + where + afterLaunch());
            if (!dst.isNative()) dst.copyFrom(host);
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    private OpenCLBuffer buffer(DeviceBuffer b, String what) {
        if (!(b instanceof OpenCLBuffer ob) || ob.device != this)
            throw new ComputeException(what + " " + b + ": not a buffer of OpenCL device " + where);
        if (ob.state.released) throw new ComputeException(what + " " + ob.label + " on device " + where + ": the buffer is closed");
        if (ob.session != session)
            throw new ComputeException(what + " " + ob.label + ": it belongs to a context of device " + where + " that was closed");
        return ob;
    }

    /** Native handle plus a released flag, shared by a buffer or kernel and its Cleaner action (which must not see the owner). */
    static final class Handle implements Runnable {
        final long address;
        final boolean kernel;
        volatile boolean released;

        Handle(MemorySegment h, boolean kernel) { this.address = h.address(); this.kernel = kernel; }

        @Override public void run() {
            released = true;
            try {
                MemorySegment h = MemorySegment.ofAddress(address);
                int ignored = kernel ? (int) clReleaseKernel.invokeExact(h) : (int) clReleaseMemObject.invokeExact(h);
            } catch (Throwable t) {
                // Release runs from close() or the Cleaner; a failure here has nobody to report to and leaks at most one object.
            }
        }
    }

    /**
     * A cl_mem. {@link #close()} (idempotent) releases it; if it becomes unreachable unclosed, a Cleaner does.
     * Thread-safe.
     */
    static final class OpenCLBuffer implements DeviceBuffer {
        final OpenCLDevice device;
        final Object session;
        final MemorySegment mem;
        final long bytes;
        final String label;
        final Handle state;
        private final Cleaner.Cleanable cleanable;

        OpenCLBuffer(OpenCLDevice device, Object session, MemorySegment mem, long bytes, String label) {
            this.device = device;
            this.session = session;
            this.mem = mem;
            this.bytes = bytes;
            this.label = label;
            this.state = new Handle(mem, false);
            this.cleanable = CLEANER.register(this, state);
        }

        @Override public long byteSize() { return bytes; }

        @Override public void close() { cleanable.clean(); }

        @Override public String toString() { return label + " (" + bytes + " bytes on " + device.where + ")"; }
    }

    // ---------------------------------------------------------------- programs

    /**
     * Builds the kernel's program, in this order: an offline binary ({@link OpenCLPrograms}); this context's programs;
     * the disk cache {@code ${gale.cache.dir:-~/.cache/gale}/opencl/<sha256>.bin}, keyed by source, build options,
     * device name, device and driver versions and platform name; else a source build whose binary is then stored. A
     * cached binary the driver rejects is rebuilt from source and overwritten (a cache refresh, logged).
     */
    @Override public synchronized CompiledKernel compile(KernelInfo k) {
        String kernel = k.qualifiedName() + " (" + k.location() + ", entry " + k.entryName() + ")";
        Session s = session();
        String options = buildOptions();
        try {
            MemorySegment program;
            Path offline = OpenCLPrograms.find(k.entryName(), info.name());
            if (offline != null) {
                String key = "offline:" + offline.toAbsolutePath();
                program = s.programs.get(key);
                if (program == null) {
                    byte[] bin;
                    try {
                        bin = Files.readAllBytes(offline);
                    } catch (IOException e) {
                        throw new ComputeException("cannot read the offline OpenCL binary " + offline + " for kernel " + kernel + ": " + e, e);
                    }
                    Built b = fromBinary(s, bin, options);
                    if (b.program == null)
                        throw new ComputeException("the offline OpenCL binary " + offline + " for kernel " + kernel
                                + " does not load on device " + where + ": " + b.failure);
                    program = b.program;
                    s.programs.put(key, program);
                    offlineLoads++;
                }
            } else {
                if (k.openclSource() == null)
                    throw new ComputeException("kernel " + kernel + " is jvm-only: it has no OpenCL C translation, so it cannot"
                            + " run on OpenCL device " + where + " (run it on the jvm backend, or provide an offline binary"
                            + " for entry '" + k.entryName() + "', see OpenCLPrograms)");
                String key = cacheKey(k.openclSource(), options);
                program = s.programs.get(key);
                if (program != null) memoryHits++;
                else {
                    program = loadOrBuild(s, k.openclSource(), options, key, kernel);
                    s.programs.put(key, program);
                }
            }
            return createKernel(s, program, k, kernel);
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    static String buildOptions() {
        String extra = System.getProperty("gale.opencl.buildOptions");
        return extra == null || extra.isBlank() ? BUILD_OPTIONS : BUILD_OPTIONS + " " + extra.trim();
    }

    String cacheKey(String source, String options) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : new String[]{source, options, info.name(), deviceVersion, driverVersion, platformName}) {
                md.update(part.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    static Path cacheDir() {
        String d = System.getProperty("gale.cache.dir");
        Path base = d != null && !d.isBlank() ? Path.of(d.trim()) : Path.of(System.getProperty("user.home"), ".cache", "gale");
        return base.resolve("opencl");
    }

    private MemorySegment loadOrBuild(Session s, String source, String options, String key, String kernel) throws Throwable {
        Path file = cacheDir().resolve(key + ".bin");
        boolean refresh = false;
        if (Files.isRegularFile(file)) {
            String failure;
            try {
                Built b = fromBinary(s, Files.readAllBytes(file), options);
                if (b.program != null) {
                    diskHits++;
                    return b.program;
                }
                failure = b.failure;
            } catch (IOException e) {
                failure = e.toString();
            }
            refresh = true;
            LOG.log(System.Logger.Level.WARNING, "OpenCL program cache entry " + file + " for kernel " + kernel + " was rejected by device "
                    + where + " (" + failure + "); rebuilding from source and overwriting it");
        }
        MemorySegment program = fromSource(s, source, options, kernel);
        if (refresh) refreshes++;
        else misses++;
        byte[] bin = binaryOf(program, kernel);
        if (bin != null) store(file, bin);
        return program;
    }

    private static void store(Path file, byte[] bin) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, bin);
                // Atomic rename: a concurrent JVM never reads a half-written binary.
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write the OpenCL program cache entry " + file + ": " + e
                    + " (programs will be rebuilt from source next time)");
        }
    }

    private MemorySegment fromSource(Session s, String source, String options, String kernel) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment strings = a.allocate(ADDRESS);
            strings.set(ADDRESS, 0, a.allocateFrom(source));
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment program = (MemorySegment) clCreateProgramWithSource.invokeExact(s.context, 1, strings, MemorySegment.NULL, err);
            check(err.get(JAVA_INT, 0), "clCreateProgramWithSource", "kernel " + kernel + " on device " + where);
            int rc = (int) clBuildProgram.invokeExact(program, 1, s.devicePtr, a.allocateFrom(options), MemorySegment.NULL, MemorySegment.NULL);
            if (rc != CL_SUCCESS) {
                String log = buildLog(program);
                int ignored = (int) clReleaseProgram.invokeExact(program);
                throw new ComputeException("OpenCL C build of kernel " + kernel + " failed on device " + where + ": clBuildProgram "
                        + "returned " + rc + " " + errorName(rc) + " with options '" + options + "'. Build log:\n" + log);
            }
            return program;
        }
    }

    private record Built(MemorySegment program, String failure) {}

    private Built fromBinary(Session s, byte[] bin, String options) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment data = a.allocate(Math.max(1, bin.length));
            MemorySegment.copy(bin, 0, data, JAVA_BYTE, 0, bin.length);
            MemorySegment lengths = a.allocate(SIZE_T);
            lengths.set(JAVA_LONG, 0, bin.length);
            MemorySegment binaries = a.allocate(ADDRESS);
            binaries.set(ADDRESS, 0, data);
            MemorySegment status = a.allocate(JAVA_INT);
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment program = (MemorySegment) clCreateProgramWithBinary.invokeExact(s.context, 1, s.devicePtr, lengths, binaries, status, err);
            int rc = err.get(JAVA_INT, 0);
            if (rc != CL_SUCCESS) {
                int st = status.get(JAVA_INT, 0);
                return new Built(null, "clCreateProgramWithBinary returned " + rc + " " + errorName(rc) + " (binary status " + st + " " + errorName(st) + ")");
            }
            rc = (int) clBuildProgram.invokeExact(program, 1, s.devicePtr, a.allocateFrom(options), MemorySegment.NULL, MemorySegment.NULL);
            if (rc != CL_SUCCESS) {
                String log = buildLog(program);
                int ignored = (int) clReleaseProgram.invokeExact(program);
                return new Built(null, "clBuildProgram returned " + rc + " " + errorName(rc) + ". Build log:\n" + log);
            }
            return new Built(program, null);
        }
    }

    private String buildLog(MemorySegment program) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(SIZE_T);
            int rc = (int) clGetProgramBuildInfo.invokeExact(program, device, CL_PROGRAM_BUILD_LOG, 0L, MemorySegment.NULL, size);
            if (rc != CL_SUCCESS) return "(no build log: clGetProgramBuildInfo returned " + rc + " " + errorName(rc) + ")";
            MemorySegment log = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
            rc = (int) clGetProgramBuildInfo.invokeExact(program, device, CL_PROGRAM_BUILD_LOG, log.byteSize(), log, MemorySegment.NULL);
            if (rc != CL_SUCCESS) return "(no build log: clGetProgramBuildInfo returned " + rc + " " + errorName(rc) + ")";
            return CL.string(log);
        }
    }

    /** The program's binary for this device, or null if the driver gives none (then nothing is cached). */
    private byte[] binaryOf(MemorySegment program, String kernel) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sizes = a.allocate(SIZE_T);
            check((int) clGetProgramInfo.invokeExact(program, CL_PROGRAM_BINARY_SIZES, 8L, sizes, MemorySegment.NULL),
                    "clGetProgramInfo(CL_PROGRAM_BINARY_SIZES)", "kernel " + kernel + " on device " + where);
            long n = sizes.get(JAVA_LONG, 0);
            if (n <= 0) return null;
            MemorySegment data = a.allocate(n);
            MemorySegment pointers = a.allocate(ADDRESS);
            pointers.set(ADDRESS, 0, data);
            check((int) clGetProgramInfo.invokeExact(program, CL_PROGRAM_BINARIES, ADDRESS.byteSize(), pointers, MemorySegment.NULL),
                    "clGetProgramInfo(CL_PROGRAM_BINARIES)", "kernel " + kernel + " on device " + where);
            return data.toArray(JAVA_BYTE);
        }
    }

    /** The built program of a kernel as the device's binary: what an offline flow would ship. Package-private for tests. */
    synchronized byte[] programBinary(KernelInfo k) {
        Session s = session();
        MemorySegment program = s.programs.get(cacheKey(k.openclSource(), buildOptions()));
        if (program == null) throw new IllegalStateException("kernel " + k.qualifiedName() + " is not compiled on " + where);
        try {
            return binaryOf(program, k.qualifiedName());
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    private OpenCLKernel createKernel(Session s, MemorySegment program, KernelInfo k, String kernel) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment handle = (MemorySegment) clCreateKernel.invokeExact(program, a.allocateFrom(k.entryName()), err);
            check(err.get(JAVA_INT, 0), "clCreateKernel", "kernel " + kernel + " on device " + where);
            OpenCLKernel ok = new OpenCLKernel(this, s, handle, k);
            CLEANER.register(ok, ok.state);
            MemorySegment v = a.allocate(JAVA_LONG);
            check((int) clGetKernelInfo.invokeExact(handle, CL_KERNEL_NUM_ARGS, 4L, v, MemorySegment.NULL), "clGetKernelInfo(CL_KERNEL_NUM_ARGS)", "kernel " + kernel + " on device " + where);
            int clArgs = v.get(JAVA_INT, 0);
            if (clArgs != ok.deviceArgCount)
                throw new ComputeException("kernel " + kernel + ": the OpenCL entry takes " + clArgs + " arguments but the Java kernel passes "
                        + ok.deviceArgCount + " (its parameters without the KernelContext), on device " + where);
            check((int) clGetKernelWorkGroupInfo.invokeExact(handle, device, CL_KERNEL_WORK_GROUP_SIZE, 8L, v, MemorySegment.NULL),
                    "clGetKernelWorkGroupInfo(CL_KERNEL_WORK_GROUP_SIZE)", "kernel " + kernel + " on device " + where);
            ok.maxWorkGroupSize = v.get(JAVA_LONG, 0);
            return ok;
        }
    }

    // ---------------------------------------------------------------- launches

    @Override public synchronized long launch(CompiledKernel compiled, Object[] args, LaunchGrid grid, boolean profile) {
        if (!(compiled instanceof OpenCLKernel k) || k.device != this)
            throw new ComputeException("kernel " + compiled.info().qualifiedName() + " was not compiled for OpenCL device " + where);
        Session s = session;
        if (k.session != s)
            throw new ComputeException("kernel " + k.describe() + " was compiled for a context of device " + where + " that was closed; compile it again");
        try {
            k.bind(args, s.argSlot);
            long[] global = grid.global(), local = grid.local();
            int dims = global.length;
            if (dims < 1 || dims > 3)
                throw new ComputeException("kernel " + k.describe() + " on device " + where + ": a grid has 1 to 3 dimensions, got " + dims);
            for (long g : global) if (g == 0) return -1; // an empty loop: OpenCL 1.2 refuses a zero-sized grid
            MemorySegment localSizes = s.localSizes;
            if (local == null && k.info().usesContext()) {
                // KernelContext kernels index with get_global_id and do not stride: the grid must stay exact, so
                // the driver picks a work-group size that divides it.
                for (int d = 0; d < dims; d++) s.globalSizes.setAtIndex(SIZE_T, d, global[d]);
                localSizes = MemorySegment.NULL;
            } else if (local == null) chooseLocal(k, global, s);
            else {
                if (local.length != dims)
                    throw new ComputeException("kernel " + k.describe() + " on device " + where + ": local size " + Arrays.toString(local)
                            + " has a different rank than global " + Arrays.toString(global));
                for (int d = 0; d < dims; d++) {
                    s.globalSizes.setAtIndex(SIZE_T, d, global[d]);
                    s.localSizes.setAtIndex(SIZE_T, d, local[d]);
                }
            }
            if (profile && !s.profiling) enableProfiling(s);
            MemorySegment event = profile ? s.eventSlot : MemorySegment.NULL;
            int rc = (int) clEnqueueNDRangeKernel.invokeExact(s.queue, k.handle, dims, MemorySegment.NULL, s.globalSizes, localSizes, 0, MemorySegment.NULL, event);
            if (rc != CL_SUCCESS) throw launchError(rc, k, s, dims, local != null, localSizes.equals(MemorySegment.NULL));
            lastLaunched = k;
            return profile ? recordEvent(s, s.eventSlot.get(ADDRESS, 0)) : -1;
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    /**
     * Work-group size for @Parallel grids: 64, 8x8 or 4x4x4 work-items, shrunk for small dimensions and to the
     * kernel's limit; global sizes are rounded up to a multiple (translated loops stride, so extra items do nothing).
     */
    private void chooseLocal(OpenCLKernel k, long[] global, Session s) {
        int dims = global.length;
        long l0 = dims == 1 ? 64 : dims == 2 ? 8 : 4, l1 = dims >= 2 ? (dims == 2 ? 8 : 4) : 1, l2 = dims == 3 ? 4 : 1;
        l0 = fit(l0, global[0], 0);
        if (dims > 1) l1 = fit(l1, global[1], 1);
        if (dims > 2) l2 = fit(l2, global[2], 2);
        long limit = Math.min(k.maxWorkGroupSize, info.maxWorkGroupSize());
        while (l0 * l1 * l2 > limit) {
            if (l0 >= l1 && l0 >= l2) l0 = Math.max(1, l0 / 2);
            else if (l1 >= l2) l1 = Math.max(1, l1 / 2);
            else l2 = Math.max(1, l2 / 2);
        }
        s.localSizes.setAtIndex(SIZE_T, 0, l0);
        s.globalSizes.setAtIndex(SIZE_T, 0, roundUp(global[0], l0));
        if (dims > 1) { s.localSizes.setAtIndex(SIZE_T, 1, l1); s.globalSizes.setAtIndex(SIZE_T, 1, roundUp(global[1], l1)); }
        if (dims > 2) { s.localSizes.setAtIndex(SIZE_T, 2, l2); s.globalSizes.setAtIndex(SIZE_T, 2, roundUp(global[2], l2)); }
    }

    private long fit(long preferred, long global, int dim) {
        long pow2 = global <= 1 ? 1 : Long.highestOneBit(global - 1) << 1; // the smallest power of two >= global
        long l = Math.min(preferred, pow2);
        if (dim < maxItemSizes.length) l = Math.min(l, maxItemSizes[dim]);
        return Math.max(1, l);
    }

    private static long roundUp(long n, long m) { return Math.multiplyExact((n + m - 1) / m, m); }

    private ComputeException launchError(int rc, OpenCLKernel k, Session s, int dims, boolean localGiven, boolean driverLocal) {
        long[] g = new long[dims], l = new long[dims];
        for (int d = 0; d < dims; d++) { g[d] = s.globalSizes.getAtIndex(SIZE_T, d); l[d] = s.localSizes.getAtIndex(SIZE_T, d); }
        return CL.error(rc, "clEnqueueNDRangeKernel", "kernel " + k.describe() + " on device " + where + ", global " + Arrays.toString(g)
                + ", local " + (driverLocal ? "left to the driver" : Arrays.toString(l) + (localGiven ? " (given)" : " (chosen)")) + "; the kernel allows work-groups up to "
                + k.maxWorkGroupSize + " work-items, the device " + info.maxWorkGroupSize() + " (per dimension " + Arrays.toString(maxItemSizes) + ")");
    }

    private long recordEvent(Session s, MemorySegment event) throws Throwable {
        long id = s.nextEventId++;
        int slot = (int) (id & (EVENT_RING - 1));
        if (s.eventHandles[slot] != 0) { int ignored = (int) clReleaseEvent.invokeExact(MemorySegment.ofAddress(s.eventHandles[slot])); }
        s.eventHandles[slot] = event.address();
        s.eventIds[slot] = id;
        return id;
    }

    @Override public synchronized long kernelNanos(long launchId) {
        Session s = session;
        if (s == null || launchId < 0) return -1;
        int slot = (int) (launchId & (EVENT_RING - 1));
        if (s.eventIds[slot] != launchId || s.eventHandles[slot] == 0) return -1;
        MemorySegment event = MemorySegment.ofAddress(s.eventHandles[slot]);
        try {
            int rc = (int) clGetEventProfilingInfo.invokeExact(event, CL_PROFILING_COMMAND_START, 8L, s.longSlot, MemorySegment.NULL);
            if (rc == CL_PROFILING_INFO_NOT_AVAILABLE) return -1; // not complete yet: keep the event for a later call
            check(rc, "clGetEventProfilingInfo(CL_PROFILING_COMMAND_START)", "launch " + launchId + " on device " + where);
            long start = s.longSlot.get(JAVA_LONG, 0);
            rc = (int) clGetEventProfilingInfo.invokeExact(event, CL_PROFILING_COMMAND_END, 8L, s.longSlot, MemorySegment.NULL);
            if (rc == CL_PROFILING_INFO_NOT_AVAILABLE) return -1;
            check(rc, "clGetEventProfilingInfo(CL_PROFILING_COMMAND_END)", "launch " + launchId + " on device " + where);
            long end = s.longSlot.get(JAVA_LONG, 0);
            int ignored = (int) clReleaseEvent.invokeExact(event);
            s.eventHandles[slot] = 0;
            return Math.max(0, end - start);
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    @Override public synchronized void finish() {
        Session s = session;
        if (s == null) return;
        try {
            check((int) clFinish.invokeExact(s.queue), "clFinish", "device " + where + afterLaunch());
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
    }

    private String afterLaunch() {
        OpenCLKernel k = lastLaunched;
        return k == null ? "" : " (last kernel launched: " + k.describe() + ")";
    }

    // ---------------------------------------------------------------- lifetime and counters

    /**
     * Waits for the queue, then releases events, programs, queue and context. Buffers and kernels still open keep
     * their own references (OpenCL counts them) and are refused by this device from now on.
     */
    @Override public synchronized void close() {
        Session s = session;
        if (s == null) return;
        session = null;
        lastLaunched = null;
        s.closed = true;
        try {
            int ignored = (int) clFinish.invokeExact(s.queue);
            for (int i = 0; i < EVENT_RING; i++) if (s.eventHandles[i] != 0) ignored = (int) clReleaseEvent.invokeExact(MemorySegment.ofAddress(s.eventHandles[i]));
            for (MemorySegment p : s.programs.values()) ignored = (int) clReleaseProgram.invokeExact(p);
            ignored = (int) clReleaseCommandQueue.invokeExact(s.queue);
            ignored = (int) clReleaseContext.invokeExact(s.context);
        } catch (Throwable t) {
            throw CL.rethrow(t);
        } finally {
            s.arena.close();
        }
    }

    /** The JVM is exiting: release, and refuse to reopen. */
    synchronized void shutdown() {
        shutdown = true;
        close();
    }

    /** Drops this context's in-memory programs, so the next compile goes to the disk cache. For tests. */
    synchronized void forgetPrograms() {
        Session s = session;
        if (s == null) return;
        try {
            for (MemorySegment p : s.programs.values()) { int ignored = (int) clReleaseProgram.invokeExact(p); }
        } catch (Throwable t) {
            throw CL.rethrow(t);
        }
        s.programs.clear();
    }

    synchronized long memoryHits() { return memoryHits; }
    synchronized long diskHits() { return diskHits; }
    synchronized long misses() { return misses; }
    synchronized long refreshes() { return refreshes; }
    synchronized long offlineLoads() { return offlineLoads; }

    @Override public String toString() { return where; }
}
