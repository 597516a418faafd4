// FFM bindings to NVRTC, CUDA's runtime compiler: CUDA C source in, PTX or cubin out, with the compiler log on failure.
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One loaded NVRTC library. Thread-safe: NVRTC programs are independent and each compile uses its own program.
 */
final class Nvrtc {
    private static final Linker LINKER = Linker.nativeLinker();

    final Path library;
    final int major, minor;
    private final int[] supportedArchs; // e.g. {75, 80, 86, 87, 89, 90, 100, ...}; empty if NVRTC cannot list them
    private final MethodHandle create, destroy, compile, logSize, log, ptxSize, ptx, cubinSize, cubin, errorString;

    private Nvrtc(SymbolLookup lib, Path library) {
        this.library = library;
        MethodHandle version = bind(lib, "nvrtcVersion", JAVA_INT, ADDRESS, ADDRESS);
        create = bind(lib, "nvrtcCreateProgram", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        destroy = bind(lib, "nvrtcDestroyProgram", JAVA_INT, ADDRESS);
        compile = bind(lib, "nvrtcCompileProgram", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        logSize = bind(lib, "nvrtcGetProgramLogSize", JAVA_INT, ADDRESS, ADDRESS);
        log = bind(lib, "nvrtcGetProgramLog", JAVA_INT, ADDRESS, ADDRESS);
        ptxSize = bind(lib, "nvrtcGetPTXSize", JAVA_INT, ADDRESS, ADDRESS);
        ptx = bind(lib, "nvrtcGetPTX", JAVA_INT, ADDRESS, ADDRESS);
        cubinSize = lib.find("nvrtcGetCUBINSize").isPresent() ? bind(lib, "nvrtcGetCUBINSize", JAVA_INT, ADDRESS, ADDRESS) : null;
        cubin = lib.find("nvrtcGetCUBIN").isPresent() ? bind(lib, "nvrtcGetCUBIN", JAVA_INT, ADDRESS, ADDRESS) : null;
        errorString = LINKER.downcallHandle(lib.find("nvrtcGetErrorString").orElseThrow(() -> new IllegalStateException(
                "symbol nvrtcGetErrorString is missing")), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ma = a.allocate(JAVA_INT), mi = a.allocate(JAVA_INT);
            int rc = (int) version.invokeExact(ma, mi);
            if (rc != 0) throw new IllegalStateException("nvrtcVersion returned " + CudaErrors.nvrtcName(rc));
            major = ma.get(JAVA_INT, 0);
            minor = mi.get(JAVA_INT, 0);
            supportedArchs = listArchs(lib, a);
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("nvrtcVersion failed: " + t, t);
        }
    }

    private static int[] listArchs(SymbolLookup lib, Arena a) throws Throwable {
        if (lib.find("nvrtcGetNumSupportedArchs").isEmpty() || lib.find("nvrtcGetSupportedArchs").isEmpty()) return new int[0];
        MethodHandle num = bind(lib, "nvrtcGetNumSupportedArchs", JAVA_INT, ADDRESS);
        MethodHandle list = bind(lib, "nvrtcGetSupportedArchs", JAVA_INT, ADDRESS);
        MemorySegment n = a.allocate(JAVA_INT);
        if ((int) num.invokeExact(n) != 0) return new int[0];
        int count = n.get(JAVA_INT, 0);
        if (count <= 0 || count > 1024) return new int[0];
        MemorySegment arr = a.allocate(JAVA_INT, count);
        if ((int) list.invokeExact(arr) != 0) return new int[0];
        return arr.toArray(JAVA_INT);
    }

    /**
     * Loads NVRTC from the first place {@link CudaLibraries#findNvrtc} finds it, preferring one no newer than the
     * driver's CUDA major version ({@code driverMajor}, 0 for no preference); the error lists every place searched.
     */
    static Nvrtc load(Map<String, String> env, int driverMajor) {
        CudaLibraries.Search s = CudaLibraries.findNvrtc(env, CudaLibraries.toolkitRoots(), CudaLibraries.sitePackages(env), Files::exists,
                driverMajor);
        if (s.found().isEmpty())
            throw new ComputeException("NVRTC (libnvrtc.so) not found, so CUDA kernels cannot be compiled. Install the CUDA toolkit, "
                    + "Debian's libnvrtc package or the pip wheel nvidia-cuda-nvrtc, or set GALE_NVRTC=/path/to/libnvrtc.so. Searched: "
                    + s.triedText());
        Path p = s.found().get();
        preloadBuiltins(p.getParent());
        try {
            return new Nvrtc(SymbolLookup.libraryLookup(p, Arena.global()), p);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ComputeException("NVRTC at " + p + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static void preloadBuiltins(Path dir) {
        if (dir == null) return;
        try (var files = Files.list(dir)) {
            var name = CudaLibraries.builtinsFor(files.map(f -> f.getFileName().toString()).toList());
            if (name.isPresent()) SymbolLookup.libraryLookup(dir.resolve(name.get()), Arena.global());
        } catch (java.io.IOException | IllegalArgumentException e) {
            // not fatal here: NVRTC then reports the missing builtins itself, in the compile log
        }
    }

    private static MethodHandle bind(SymbolLookup lib, String name, java.lang.foreign.MemoryLayout ret, java.lang.foreign.MemoryLayout... args) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " is missing"));
        return LINKER.downcallHandle(sym, FunctionDescriptor.of(ret, args));
    }

    /** "13.0" */
    String version() { return major + "." + minor; }

    /** Architectures this NVRTC can build cubins for (e.g. 90 for sm_90); empty if it cannot say. */
    int[] supportedArchs() { return supportedArchs.clone(); }

    /** NVRTC's name for a status code, from the library, else the table. */
    String errorName(int rc) {
        try {
            MemorySegment s = (MemorySegment) errorString.invokeExact(rc);
            if (!s.equals(MemorySegment.NULL)) return s.reinterpret(256).getString(0);
        } catch (Throwable ignored) {
            // fall back to the table: naming an error must not raise another
        }
        return CudaErrors.nvrtcName(rc);
    }

    /** The result of one compile: the binary on success, else the log. */
    record Result(boolean ok, byte[] binary, String log, String failedCall, int status) {}

    /**
     * Compiles {@code source}. {@code cubin} asks for SASS for a real architecture ({@code -arch=sm_XY} among the
     * options), else PTX. API failures other than a compile error are thrown; compile errors return the log.
     */
    Result compile(String source, String programName, List<String> options, boolean wantCubin, String context) {
        if (wantCubin && cubin == null)
            throw new ComputeException("NVRTC " + version() + " at " + library + " cannot emit cubin (nvrtcGetCUBIN is missing) [" + context + "]");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progOut = a.allocate(ADDRESS);
            check((int) create.invokeExact(progOut, a.allocateFrom(source), a.allocateFrom(programName), 0, MemorySegment.NULL,
                    MemorySegment.NULL), "nvrtcCreateProgram", context);
            MemorySegment prog = progOut.get(ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                int rc = (int) compile.invokeExact(prog, options.size(), opts);
                String logText = readLog(prog, a, context);
                if (rc != 0) return new Result(false, null, logText, "nvrtcCompileProgram", rc);
                MethodHandle sizeFn = wantCubin ? cubinSize : ptxSize, getFn = wantCubin ? cubin : ptx;
                String what = wantCubin ? "nvrtcGetCUBIN" : "nvrtcGetPTX";
                MemorySegment size = a.allocate(JAVA_LONG);
                check((int) sizeFn.invokeExact(prog, size), what + "Size", context);
                long n = size.get(JAVA_LONG, 0);
                MemorySegment buf = a.allocate(Math.max(1, n));
                check((int) getFn.invokeExact(prog, buf), what, context);
                byte[] bin = buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                if (!wantCubin && bin.length > 0 && bin[bin.length - 1] == 0) bin = Arrays.copyOf(bin, bin.length - 1); // PTX: drop the NUL
                return new Result(true, bin, logText, null, 0);
            } finally {
                MemorySegment pp = a.allocate(ADDRESS);
                pp.set(ADDRESS, 0, prog);
                int ignored = (int) destroy.invokeExact(pp);
            }
        } catch (ComputeException e) {
            throw e;
        } catch (Throwable t) {
            throw new ComputeException("NVRTC call failed in the FFM binding: " + t + " [" + context + "]", t);
        }
    }

    private String readLog(MemorySegment prog, Arena a, String context) throws Throwable {
        MemorySegment size = a.allocate(JAVA_LONG);
        check((int) logSize.invokeExact(prog, size), "nvrtcGetProgramLogSize", context);
        long n = size.get(JAVA_LONG, 0);
        if (n <= 1) return "";
        MemorySegment buf = a.allocate(n);
        check((int) log.invokeExact(prog, buf), "nvrtcGetProgramLog", context);
        return buf.getString(0).strip();
    }

    private void check(int rc, String fn, String context) {
        if (rc != 0) throw new ComputeException(fn + " failed: " + errorName(rc) + " (" + rc + ") [" + context + "]");
    }

    /** Options as one line, for messages and the cache key. */
    static String join(List<String> options) { return String.join(" ", new ArrayList<>(options)); }
}
