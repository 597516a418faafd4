// Where the CUDA driver, NVRTC and the toolkit headers are looked for: pure search functions plus the one impure scan of this machine.
package gale.compute.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Library search. The search order is a pure function of the environment, the candidate directories found on the
 * machine and a file-exists predicate, so it is tested without touching the file system. Thread-safe (stateless).
 */
final class CudaLibraries {
    private CudaLibraries() {}

    /** The driver library's soname; the NVIDIA driver installs it, toolkits only ship a stub libcuda.so. */
    static final String DRIVER_SONAME = "libcuda.so.1";

    /** NVRTC file names, newest CUDA first (13, 12, 11.2+ sonames), then the unversioned development link. */
    static final List<String> NVRTC_NAMES = List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so");

    /** Where pip wheels put NVRTC inside a site-packages dir: CUDA 13 wheels use nvidia/cu13, CUDA 12/11 nvidia/cuda_nvrtc. */
    static final List<String> PIP_NVRTC_DIRS = List.of("nvidia/cu13/lib", "nvidia/cuda_nvrtc/lib");

    /** Where pip wheels put the CUDA headers (cuda_fp16.h) inside a site-packages dir. */
    static final List<String> PIP_INCLUDE_DIRS = List.of("nvidia/cu13/include", "nvidia/cuda_runtime/include");

    /** System library dirs looked at after LD_LIBRARY_PATH and the toolkits (Debian/Ubuntu, RHEL, WSL). */
    static final List<Path> SYSTEM_LIB_DIRS = List.of(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib/aarch64-linux-gnu"),
            Path.of("/usr/lib64"), Path.of("/usr/lib"), Path.of("/usr/local/lib"), Path.of("/usr/lib/wsl/lib"));

    /** What a search found and everywhere it looked, so a failure can list the places. */
    record Search(Optional<Path> found, List<Path> tried) {
        String triedText() {
            StringBuilder sb = new StringBuilder();
            for (Path p : tried) sb.append(sb.isEmpty() ? "" : ", ").append(p);
            return sb.toString();
        }
    }

    /**
     * Directories searched for NVRTC, in order: {@code GALE_NVRTC_DIR}, LD_LIBRARY_PATH entries, CUDA_HOME / CUDA_PATH,
     * the toolkits found ({@code /usr/local/cuda}, then {@code /usr/local/cuda-X.Y}, newest first), the system
     * library dirs, then the NVRTC folders of pip wheels in each site-packages dir.
     */
    static List<Path> nvrtcDirs(Map<String, String> env, List<Path> toolkitRoots, List<Path> sitePackages) {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        String explicit = env.get("GALE_NVRTC_DIR");
        if (explicit != null && !explicit.isBlank()) dirs.add(Path.of(explicit.trim()));
        for (String e : split(env.get("LD_LIBRARY_PATH"))) dirs.add(Path.of(e));
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String root = env.get(var);
            if (root != null && !root.isBlank()) {
                dirs.add(Path.of(root.trim(), "lib64"));
                dirs.add(Path.of(root.trim(), "lib"));
            }
        }
        for (Path root : toolkitRoots) {
            dirs.add(root.resolve("lib64"));
            dirs.add(root.resolve("lib"));
            dirs.add(root.resolve("targets/x86_64-linux/lib"));
        }
        dirs.addAll(SYSTEM_LIB_DIRS);
        for (Path sp : sitePackages) for (String sub : PIP_NVRTC_DIRS) dirs.add(sp.resolve(sub));
        return List.copyOf(dirs);
    }

    /**
     * Finds NVRTC. {@code GALE_NVRTC} (a file) wins when set. Otherwise, for each directory of {@link #nvrtcDirs} in
     * order, the first existing name of {@link #NVRTC_NAMES}: a directory's newest NVRTC is preferred, and an earlier
     * directory beats a newer version elsewhere so LD_LIBRARY_PATH keeps its usual meaning.
     *
     * <p>With {@code driverMajor > 0} (the CUDA version of the installed driver), a first pass accepts only NVRTCs of
     * that major version or older: code from a newer NVRTC (CUDA 13 PTX on a CUDA 12 driver) does not load. Only when
     * none exists does a second pass take any NVRTC.
     */
    static Search findNvrtc(Map<String, String> env, List<Path> toolkitRoots, List<Path> sitePackages, Predicate<Path> exists,
                            int driverMajor) {
        List<Path> tried = new ArrayList<>();
        String file = env.get("GALE_NVRTC");
        if (file != null && !file.isBlank()) {
            Path p = Path.of(file.trim());
            tried.add(p);
            // An explicit choice that does not exist is an error to report, not a reason to pick another library.
            return new Search(exists.test(p) ? Optional.of(p) : Optional.empty(), tried);
        }
        List<Path> dirs = nvrtcDirs(env, toolkitRoots, sitePackages);
        tried.addAll(dirs);
        if (driverMajor > 0) {
            for (Path dir : dirs) {
                for (String name : NVRTC_NAMES) {
                    int major = sonameMajor(name);
                    if (major > 0 && major <= driverMajor && exists.test(dir.resolve(name))) return new Search(Optional.of(dir.resolve(name)), tried);
                }
            }
        }
        for (Path dir : dirs) {
            for (String name : NVRTC_NAMES) {
                Path p = dir.resolve(name);
                if (exists.test(p)) return new Search(Optional.of(p), tried);
            }
        }
        return new Search(Optional.empty(), tried);
    }

    /** Without a driver version preference. */
    static Search findNvrtc(Map<String, String> env, List<Path> toolkitRoots, List<Path> sitePackages, Predicate<Path> exists) {
        return findNvrtc(env, toolkitRoots, sitePackages, exists, 0);
    }

    /** 13 for "libnvrtc.so.13", 11 for "libnvrtc.so.11.2", 0 for the unversioned link. */
    static int sonameMajor(String name) {
        String rest = name.substring(name.indexOf(".so") + 3);
        if (rest.isEmpty()) return 0;
        String[] parts = rest.substring(1).split("\\.");
        try {
            return Integer.parseInt(parts[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The NVRTC builtins library to load before NVRTC from a folder's file names: CUDA 13 pip wheels ship libnvrtc
     * without a RUNPATH, so NVRTC's own dlopen of {@code libnvrtc-builtins.so.13.0} fails unless the same soname is
     * already loaded. The plain (not ".alt") library with the highest version wins.
     */
    static Optional<String> builtinsFor(List<String> fileNames) {
        return fileNames.stream().filter(n -> n.startsWith("libnvrtc-builtins.so.") && !n.contains(".alt."))
                .max(CudaLibraries::compareVersions);
    }

    /** Files to try for the driver after the dynamic linker's own search ({@code dlopen("libcuda.so.1")}) failed. */
    static List<Path> driverCandidates(Map<String, String> env) {
        LinkedHashSet<Path> out = new LinkedHashSet<>();
        for (String e : split(env.get("LD_LIBRARY_PATH"))) out.add(Path.of(e, DRIVER_SONAME));
        for (Path d : SYSTEM_LIB_DIRS) out.add(d.resolve(DRIVER_SONAME));
        return List.copyOf(out);
    }

    /**
     * Include directories holding {@code cuda_fp16.h} (with the CCCL folder CUDA 13 headers need), for kernels that
     * include toolkit headers. NVRTC has no built-in cuda_fp16.h, so such kernels need a toolkit or the pip headers.
     */
    static List<Path> includeDirs(Map<String, String> env, List<Path> toolkitRoots, List<Path> sitePackages, Predicate<Path> exists) {
        List<Path> roots = new ArrayList<>();
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String root = env.get(var);
            if (root != null && !root.isBlank()) roots.add(Path.of(root.trim(), "include"));
        }
        for (Path r : toolkitRoots) roots.add(r.resolve("include"));
        for (Path sp : sitePackages) for (String sub : PIP_INCLUDE_DIRS) roots.add(sp.resolve(sub));
        for (Path inc : roots) {
            if (exists.test(inc.resolve("cuda_fp16.h"))) {
                List<Path> dirs = new ArrayList<>(List.of(inc));
                if (exists.test(inc.resolve("cccl"))) dirs.add(inc.resolve("cccl"));
                return dirs;
            }
        }
        return List.of();
    }

    private static List<String> split(String pathList) {
        List<String> out = new ArrayList<>();
        if (pathList == null) return out;
        for (String s : pathList.split(":")) if (!s.isBlank()) out.add(s.trim());
        return out;
    }

    // ---- the machine scan: the only part that reads the file system ----

    /** {@code /usr/local/cuda} first (the admin's choice), then {@code /usr/local/cuda-X.Y} newest first, {@code /opt/cuda}. */
    static List<Path> toolkitRoots() {
        List<Path> out = new ArrayList<>();
        Path usrLocal = Path.of("/usr/local");
        if (Files.isDirectory(usrLocal.resolve("cuda"))) out.add(usrLocal.resolve("cuda"));
        out.addAll(listMatching(usrLocal, n -> n.startsWith("cuda-"), versionOrder()));
        if (Files.isDirectory(Path.of("/opt/cuda"))) out.add(Path.of("/opt/cuda"));
        return out;
    }

    /**
     * site-packages / dist-packages dirs of the python3 installations usually present: a virtualenv or conda env,
     * the user's ~/.local, pyenv versions, and the system and /usr/local pythons. Found by listing, never by running python.
     */
    static List<Path> sitePackages(Map<String, String> env) {
        List<Path> libDirs = new ArrayList<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) libDirs.add(Path.of(v.trim(), "lib"));
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        if (home != null) {
            libDirs.add(Path.of(home, ".local", "lib"));
            for (Path v : listMatching(Path.of(home, ".pyenv", "versions"), n -> true, versionOrder())) libDirs.add(v.resolve("lib"));
        }
        libDirs.add(Path.of("/usr/local/lib"));
        libDirs.add(Path.of("/usr/lib"));
        List<Path> out = new ArrayList<>();
        for (Path lib : libDirs) {
            for (Path py : listMatching(lib, n -> n.startsWith("python3"), versionOrder())) {
                for (String kind : List.of("site-packages", "dist-packages")) {
                    if (Files.isDirectory(py.resolve(kind))) out.add(py.resolve(kind));
                }
            }
        }
        if (Files.isDirectory(Path.of("/usr/lib/python3/dist-packages"))) out.add(Path.of("/usr/lib/python3/dist-packages"));
        return out;
    }

    private static List<Path> listMatching(Path dir, Predicate<String> name, Comparator<Path> order) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> name.test(p.getFileName().toString()) && Files.isDirectory(p)).sorted(order).toList();
        } catch (IOException | SecurityException e) {
            return List.of(); // an unreadable folder holds nothing we can load
        }
    }

    /** Newest version first: "cuda-12.10" before "cuda-12.9", "python3.12" before "python3.9". */
    static Comparator<Path> versionOrder() {
        return (a, b) -> compareVersions(b.getFileName().toString(), a.getFileName().toString());
    }

    static int compareVersions(String a, String b) {
        String[] x = a.replaceAll("[^0-9.]", "").split("\\."), y = b.replaceAll("[^0-9.]", "").split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long u = i < x.length && !x[i].isEmpty() ? Long.parseLong(x[i]) : -1;
            long v = i < y.length && !y[i].isEmpty() ? Long.parseLong(y[i]) : -1;
            if (u != v) return Long.compare(u, v);
        }
        return a.compareTo(b);
    }
}
