// One NVIDIA GPU: its primary context and stream, device buffers, pinned staging, NVRTC compiles with a disk cache, launches, timing.
package gale.compute.cuda;

import gale.compute.ComputeException;
import gale.compute.spi.CompiledKernel;
import gale.compute.spi.ComputeDevice;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.DeviceInfo;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.LaunchGrid;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A CUDA device. The primary context is retained at the first use that needs it (listing devices creates none); all
 * work goes to one non-blocking stream, so uploads, launches and downloads run in the order they were issued.
 * Thread-safe: every call is serialized on the device, and the context is made current on the calling thread.
 */
final class CudaDevice implements ComputeDevice {
    /** Bytes of one pinned staging slot; two slots let one chunk copy while the next is filled. */
    static final long STAGING_SLOT = 4L << 20;
    private static final ThreadLocal<long[]> CURRENT_CONTEXT = ThreadLocal.withInitial(() -> new long[1]);

    private final CudaDriver cu;
    private final int ordinal, driverVersion, ccMajor, ccMinor;
    private final DeviceInfo info;
    private final LaunchGeometry.Limits limits;
    private final Supplier<Nvrtc> nvrtc;
    private final KernelCache cache;
    private final Arena arena = Arena.ofShared(); // scratch for launch arguments and the JIT log; freed at close

    private MemorySegment context, stream, argScratch;
    private Slot[] staging;
    private int nextSlot;
    private final Map<String, CudaKernel> kernels = new HashMap<>(); // by cache key + entry
    private final List<MemorySegment> modules = new ArrayList<>();
    private final List<MemorySegment> pinned = new ArrayList<>(); // staging slots from cuMemHostAlloc, freed at close
    private List<Path> includeDirs; // toolkit headers for sources that #include, found at the first such compile
    private final ArrayDeque<MemorySegment> eventPool = new ArrayDeque<>();
    private final LinkedHashMap<Long, MemorySegment[]> timed = new LinkedHashMap<>();
    private long nextLaunchId, nvrtcCompiles;
    private String lastKernel = "none";
    private boolean closed;

    CudaDevice(CudaDriver cu, int ordinal, int driverVersion, DeviceInfo info, int ccMajor, int ccMinor, LaunchGeometry.Limits limits,
               Supplier<Nvrtc> nvrtc, KernelCache cache) {
        this.cu = cu;
        this.ordinal = ordinal;
        this.driverVersion = driverVersion;
        this.info = info;
        this.ccMajor = ccMajor;
        this.ccMinor = ccMinor;
        this.limits = limits;
        this.nvrtc = nvrtc;
        this.cache = cache;
    }

    @Override public DeviceInfo info() { return info; }

    /** The same GPU with another compile cache (its own context reference and stream): lets tests simulate a restart. */
    CudaDevice withCache(KernelCache other) {
        return new CudaDevice(cu, ordinal, driverVersion, info, ccMajor, ccMinor, limits, nvrtc, other);
    }

    /** "cuda:0 (NVIDIA H100 80GB HBM3)": every error names its device this way. */
    String where() { return info.id() + " (" + info.name() + ")"; }

    /** How many times this device ran NVRTC (cache misses); lets a test prove a second start compiles nothing. */
    synchronized long nvrtcCompiles() { return nvrtcCompiles; }

    // ---- context and stream ----

    private void activate() {
        if (closed) throw new ComputeException("device " + where() + " is closed");
        if (context == null) open();
        long[] cur = CURRENT_CONTEXT.get();
        if (cur[0] != context.address()) {
            cu.check(cu.ctxSetCurrent(context), "cuCtxSetCurrent", "device " + where());
            cur[0] = context.address();
        }
    }

    private void open() {
        String ctx = "device " + where();
        MemorySegment out = arena.allocate(ADDRESS);
        cu.check(cu.primaryCtxRetain(out, ordinal), "cuDevicePrimaryCtxRetain", ctx);
        context = out.get(ADDRESS, 0);
        cu.check(cu.ctxSetCurrent(context), "cuCtxSetCurrent", ctx);
        CURRENT_CONTEXT.get()[0] = context.address();
        cu.check(cu.streamCreate(out, CudaDriver.CU_STREAM_NON_BLOCKING), "cuStreamCreate", ctx);
        stream = out.get(ADDRESS, 0);
        argScratch = arena.allocate(4096, 16);
    }

    // ---- memory ----

    @Override public synchronized DeviceBuffer allocate(long bytes, String label) {
        if (bytes <= 0) throw new ComputeException("cannot allocate " + bytes + " bytes for " + label + " on " + where());
        activate();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            int rc = cu.memAlloc(out, bytes);
            if (rc == CudaDriver.CUDA_ERROR_OUT_OF_MEMORY) throw outOfMemory(bytes, label, a);
            cu.check(rc, "cuMemAlloc_v2", "allocating " + bytes + " bytes for " + label + " on " + where());
            long dptr = out.get(JAVA_LONG, 0);
            // Stream-ordered zero fill: it completes before any later upload or launch reads the buffer.
            int z = cu.memsetD8Async(dptr, (byte) 0, bytes, stream);
            if (z != 0) {
                cu.memFree(dptr);
                cu.check(z, "cuMemsetD8Async", "zero-filling " + bytes + " bytes for " + label + " on " + where());
            }
            return new CudaBuffer(this, dptr, bytes, label);
        }
    }

    private ComputeException outOfMemory(long bytes, String label, Arena a) {
        MemorySegment free = a.allocate(JAVA_LONG), total = a.allocate(JAVA_LONG);
        String mem = cu.memGetInfo(free, total) == 0
                ? free.get(JAVA_LONG, 0) + " bytes free of " + total.get(JAVA_LONG, 0)
                : "free memory unknown";
        return new ComputeException("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): requested " + bytes + " bytes for " + label
                + ", " + mem + " [device " + where() + "]");
    }

    synchronized void free(CudaBuffer b) {
        if (closed || context == null) return; // the context (and every buffer in it) is already gone
        activate();
        // cuMemFree does not wait for the stream; a kernel still reading the buffer must finish first.
        cu.check(cu.streamSynchronize(stream), "cuStreamSynchronize", "freeing " + b.label + " on " + where() + "; last kernel " + lastKernel);
        cu.check(cu.memFree(b.dptr), "cuMemFree_v2", "freeing " + b.label + " on " + where());
    }

    private long devicePointer(Object arg) {
        if (arg instanceof CudaBuffer b && b.owner == this) {
            if (b.isClosed()) throw new ComputeException("buffer " + b.label + " was freed but is passed to a kernel on " + where());
            return b.dptr;
        }
        throw new ComputeException("argument " + arg + " is not a buffer of " + where());
    }

    private CudaBuffer own(DeviceBuffer b, String op) {
        if (b instanceof CudaBuffer c && c.owner == this && !c.isClosed()) return c;
        throw new ComputeException(op + ": " + b + " is not a live buffer of " + where());
    }

    // ---- transfers through pinned staging ----

    /** One pinned host slot and the event that marks the end of the copy that last used it. */
    private static final class Slot {
        final MemorySegment mem, event;
        boolean pending;

        Slot(MemorySegment mem, MemorySegment event) { this.mem = mem; this.event = event; }
    }

    private Slot[] staging() {
        if (staging != null) return staging;
        Slot[] s = new Slot[2];
        for (int i = 0; i < s.length; i++) {
            MemorySegment mem;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(ADDRESS);
                int rc = cu.memHostAlloc(out, STAGING_SLOT, CudaDriver.CU_MEMHOSTALLOC_PORTABLE);
                // Without pinned memory (a locked-memory limit) pageable memory still works, only slower.
                mem = rc == 0 ? out.get(ADDRESS, 0).reinterpret(STAGING_SLOT) : arena.allocate(STAGING_SLOT, 4096);
                if (rc == 0) pinned.add(mem);
            }
            s[i] = new Slot(mem, newEvent());
        }
        staging = s;
        return s;
    }

    private void await(Slot s, String what) {
        if (!s.pending) return;
        cu.check(cu.eventSynchronize(s.event), "cuEventSynchronize", what + " on " + where() + "; last kernel " + lastKernel);
        s.pending = false;
    }

    @Override public synchronized void upload(DeviceBuffer dst, MemorySegment src) {
        CudaBuffer b = own(dst, "upload");
        long n = src.byteSize();
        if (n > b.bytes) throw new ComputeException("upload of " + n + " bytes into " + b.label + " (" + b.bytes + " bytes) on " + where());
        activate();
        Slot[] slots = staging();
        String what = "upload to " + b.label;
        for (long off = 0; off < n; off += STAGING_SLOT) {
            long len = Math.min(STAGING_SLOT, n - off);
            Slot s = slots[nextSlot];
            nextSlot = (nextSlot + 1) % slots.length;
            await(s, what);
            MemorySegment.copy(src, off, s.mem, 0, len);
            cu.check(cu.memcpyHtoDAsync(b.dptr + off, s.mem, len, stream), "cuMemcpyHtoDAsync_v2", what + " on " + where());
            cu.check(cu.eventRecord(s.event, stream), "cuEventRecord", what + " on " + where());
            s.pending = true;
        }
    }

    @Override public synchronized void download(DeviceBuffer src, MemorySegment dst) {
        CudaBuffer b = own(src, "download");
        long n = dst.byteSize();
        if (n > b.bytes) throw new ComputeException("download of " + n + " bytes from " + b.label + " (" + b.bytes + " bytes) on " + where());
        activate();
        Slot[] slots = staging();
        String what = "download of " + b.label + " (an earlier kernel may have failed)";
        Slot prev = null;
        long prevOff = 0, prevLen = 0;
        for (long off = 0; off < n; off += STAGING_SLOT) {
            long len = Math.min(STAGING_SLOT, n - off);
            Slot s = slots[nextSlot];
            nextSlot = (nextSlot + 1) % slots.length;
            await(s, what);
            cu.check(cu.memcpyDtoHAsync(s.mem, b.dptr + off, len, stream), "cuMemcpyDtoHAsync_v2", what + " on " + where());
            cu.check(cu.eventRecord(s.event, stream), "cuEventRecord", what + " on " + where());
            s.pending = true;
            if (prev != null) { // copy the previous chunk out while this one is in flight
                await(prev, what);
                MemorySegment.copy(prev.mem, 0, dst, prevOff, prevLen);
            }
            prev = s;
            prevOff = off;
            prevLen = len;
        }
        if (prev != null) {
            await(prev, what);
            MemorySegment.copy(prev.mem, 0, dst, prevOff, prevLen);
        }
    }

    // ---- compile ----

    /** The NVRTC target for a device: cubin for its own architecture when NVRTC knows it, else PTX the driver can JIT. */
    record Target(String arch, boolean cubin) {
        String option() { return "--gpu-architecture=" + arch; }

        String format() { return cubin ? "cubin" : "ptx"; }
    }

    /**
     * Chooses the target for compute capability {@code cc} (e.g. 90) given NVRTC's supported real architectures.
     * Returns null when NVRTC supports nothing at or below the device (the device is too old for this NVRTC).
     */
    static Target target(int cc, int[] supported) {
        if (supported.length == 0) return new Target("compute_" + cc, false);
        int best = -1;
        for (int s : supported) {
            if (s == cc) return new Target("sm_" + cc, true);
            if (s < cc && s > best) best = s;
        }
        // A GPU newer than this NVRTC: PTX for the newest architecture it knows runs through the driver's JIT.
        return best < 0 ? null : new Target("compute_" + best, false);
    }

    /** NVRTC options for a source: architecture, device functions by default, C++17, toolkit headers if it includes any. */
    static List<String> options(Target t, String source, List<Path> includeDirs) {
        List<String> o = new ArrayList<>(List.of(t.option(), "-default-device", "--std=c++17"));
        if (source.contains("#include")) for (Path d : includeDirs) o.add("-I" + d);
        return o;
    }

    @Override public synchronized CompiledKernel compile(KernelInfo k) {
        String ctx = "kernel " + k.qualifiedName() + " (" + k.location() + ") on " + where();
        if (k.cudaSource() == null)
            throw new ComputeException(ctx + ": the kernel has no CUDA source (it is jvm-only: it uses something the translator "
                    + "cannot express in CUDA C); run it on the jvm backend");
        activate();
        Nvrtc nv;
        try {
            nv = nvrtc.get();
        } catch (ComputeException e) {
            throw new ComputeException(ctx + ": " + e.getMessage(), e);
        }
        int cc = ccMajor * 10 + ccMinor;
        Target t = target(cc, nv.supportedArchs());
        if (t == null)
            throw new ComputeException(ctx + ": NVRTC " + nv.version() + " (" + nv.library + ") supports no architecture at or below "
                    + "compute capability " + ccMajor + "." + ccMinor + "; use the NVRTC of an older CUDA");
        List<String> opts = options(t, k.cudaSource(), includeDirs());
        String key = KernelCache.key(k.cudaSource(), opts, nv.version(), t.arch(), driverVersion, t.format());
        CudaKernel known = kernels.get(key + "/" + k.entryName());
        if (known != null) return known.info() == k ? known : new CudaKernel(this, k, known.function);
        byte[] bin = cache.get(k.entryName(), key, t.format());
        if (bin == null) {
            Nvrtc.Result r = nv.compile(k.cudaSource(), k.qualifiedName() + ".cu", opts, t.cubin(), ctx);
            nvrtcCompiles++;
            if (!r.ok())
                throw new ComputeException("CUDA compilation failed for " + ctx + " with NVRTC " + nv.version() + " ("
                        + Nvrtc.join(opts) + "): " + r.failedCall() + " returned " + nv.errorName(r.status()) + "\n" + r.log());
            bin = r.binary();
            cache.put(k.entryName(), key, t.format(), bin);
        }
        MemorySegment function = load(bin, k.entryName(), ctx + " [" + t.arch() + "]");
        CudaKernel ck = new CudaKernel(this, k, function);
        kernels.put(key + "/" + k.entryName(), ck);
        return ck;
    }

    private List<Path> includeDirs() {
        if (includeDirs == null) {
            Map<String, String> env = System.getenv();
            includeDirs = CudaLibraries.includeDirs(env, CudaLibraries.toolkitRoots(), CudaLibraries.sitePackages(env), Files::exists);
        }
        return includeDirs;
    }

    private MemorySegment load(byte[] bin, String entry, String ctx) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment image = a.allocate(bin.length + 1L, 8); // PTX is text and must end in NUL; cubin ignores the extra byte
            MemorySegment.copy(bin, 0, image, ValueLayout.JAVA_BYTE, 0, bin.length);
            int logBytes = 16 * 1024;
            MemorySegment log = a.allocate(logBytes);
            MemorySegment opts = a.allocate(JAVA_INT, 2);
            opts.setAtIndex(JAVA_INT, 0, CudaDriver.CU_JIT_ERROR_LOG_BUFFER);
            opts.setAtIndex(JAVA_INT, 1, CudaDriver.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
            MemorySegment vals = a.allocate(ADDRESS, 2);
            vals.setAtIndex(ADDRESS, 0, log);
            vals.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(logBytes)); // option values are passed as pointer-sized integers
            MemorySegment out = a.allocate(ADDRESS);
            int rc = cu.moduleLoadDataEx(out, image, 2, opts, vals);
            if (rc != 0) {
                String jit = log.getString(0).strip();
                throw new ComputeException(CudaDriver.message("cuModuleLoadDataEx", rc, cu.errorName(rc), ctx)
                        + (jit.isEmpty() ? "" : "\nJIT log:\n" + jit));
            }
            MemorySegment module = out.get(ADDRESS, 0);
            modules.add(module);
            int f = cu.moduleGetFunction(out, module, a.allocateFrom(entry, StandardCharsets.UTF_8));
            if (f != 0)
                throw new ComputeException(CudaDriver.message("cuModuleGetFunction", f, cu.errorName(f), ctx)
                        + ": no extern \"C\" __global__ function '" + entry + "' in the compiled source (KernelInfo.entryName must name it)");
            return out.get(ADDRESS, 0);
        }
    }

    // ---- launch and timing ----

    @Override public synchronized long launch(CompiledKernel kernel, Object[] args, LaunchGrid grid, boolean profile) {
        if (!(kernel instanceof CudaKernel ck) || ck.device != this)
            throw new ComputeException("kernel " + kernel.info().qualifiedName() + " was not compiled for " + where());
        KernelInfo k = ck.info();
        String ctx = "kernel " + k.qualifiedName() + " (" + k.location() + ") on " + where();
        if (grid.totalWorkItems() == 0) return -1; // nothing to run; a zero grid is an error to the driver
        LaunchGeometry g;
        try {
            g = LaunchGeometry.of(grid, k.usesContext(), limits);
        } catch (IllegalArgumentException e) {
            throw new ComputeException(ctx + ": " + e.getMessage());
        }
        activate();
        long need = KernelArgs.packedBytes(k.params());
        if (need > argScratch.byteSize()) argScratch = arena.allocate(need, 16);
        MemorySegment params = KernelArgs.pack(k, args, SegmentAllocator.slicingAllocator(argScratch), this::devicePointer);
        MemorySegment[] ev = null;
        if (profile) {
            ev = new MemorySegment[]{newEvent(), newEvent()};
            cu.check(cu.eventRecord(ev[0], stream), "cuEventRecord", ctx);
        }
        int[] gr = g.grid(), bl = g.block();
        int rc = cu.launchKernel(ck.function, gr[0], gr[1], gr[2], bl[0], bl[1], bl[2], 0, stream, params);
        if (rc != 0) {
            if (ev != null) { eventPool.add(ev[0]); eventPool.add(ev[1]); }
            cu.check(rc, "cuLaunchKernel", ctx + ", " + g);
        }
        lastKernel = k.qualifiedName();
        if (ev == null) return -1;
        cu.check(cu.eventRecord(ev[1], stream), "cuEventRecord", ctx);
        long id = nextLaunchId++;
        timed.put(id, ev);
        if (timed.size() > 4096) { // timings nobody asked for: recycle the oldest
            var eldest = timed.entrySet().iterator();
            MemorySegment[] old = eldest.next().getValue();
            eldest.remove();
            eventPool.add(old[0]);
            eventPool.add(old[1]);
        }
        return id;
    }

    private MemorySegment newEvent() {
        MemorySegment e = eventPool.poll();
        if (e != null) return e;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            cu.check(cu.eventCreate(out, CudaDriver.CU_EVENT_DEFAULT), "cuEventCreate", "device " + where());
            return out.get(ADDRESS, 0);
        }
    }

    @Override public synchronized long kernelNanos(long launchId) {
        MemorySegment[] ev = timed.remove(launchId);
        if (ev == null) return -1;
        try (Arena a = Arena.ofConfined()) {
            activate();
            cu.check(cu.eventSynchronize(ev[1]), "cuEventSynchronize", "timing launch " + launchId + " on " + where());
            MemorySegment ms = a.allocate(ValueLayout.JAVA_FLOAT);
            cu.check(cu.eventElapsedTime(ms, ev[0], ev[1]), "cuEventElapsedTime", "timing launch " + launchId + " on " + where());
            return Math.round(CudaDriver.readFloat(ms) * 1e6);
        } finally {
            eventPool.add(ev[0]);
            eventPool.add(ev[1]);
        }
    }

    @Override public synchronized void finish() {
        if (context == null) return; // nothing was ever issued
        activate();
        cu.check(cu.streamSynchronize(stream), "cuStreamSynchronize", "device " + where() + "; a kernel failed asynchronously, last launched: " + lastKernel);
    }

    @Override public synchronized void close() {
        if (closed || context == null) { closed = true; return; }
        activate();
        cu.streamSynchronize(stream);
        for (MemorySegment m : modules) cu.moduleUnload(m);
        for (MemorySegment e : eventPool) cu.eventDestroy(e);
        for (MemorySegment[] ev : timed.values()) { cu.eventDestroy(ev[0]); cu.eventDestroy(ev[1]); }
        if (staging != null) for (Slot s : staging) cu.eventDestroy(s.event);
        for (MemorySegment p : pinned) cu.memFreeHost(p);
        cu.streamDestroy(stream);
        cu.primaryCtxRelease(ordinal);
        CURRENT_CONTEXT.get()[0] = 0;
        closed = true;
        kernels.clear();
        arena.close();
    }

    /** A device allocation. Closing frees it (after the stream is idle); closing twice is harmless. */
    static final class CudaBuffer implements DeviceBuffer {
        final CudaDevice owner;
        final long dptr, bytes;
        final String label;
        private boolean closed;

        CudaBuffer(CudaDevice owner, long dptr, long bytes, String label) {
            this.owner = owner;
            this.dptr = dptr;
            this.bytes = bytes;
            this.label = label;
        }

        @Override public long byteSize() { return bytes; }

        boolean isClosed() { synchronized (owner) { return closed; } }

        @Override public void close() {
            synchronized (owner) {
                if (closed) return;
                closed = true;
                owner.free(this);
            }
        }

        @Override public String toString() { return "CudaBuffer[" + label + ", " + bytes + " bytes on " + owner.info.id() + "]"; }
    }

    /** A loaded kernel: its function handle in this device's context. */
    static final class CudaKernel implements CompiledKernel {
        final CudaDevice device;
        final KernelInfo info;
        final MemorySegment function;

        CudaKernel(CudaDevice device, KernelInfo info, MemorySegment function) {
            this.device = device;
            this.info = info;
            this.function = function;
        }

        @Override public KernelInfo info() { return info; }
    }
}
