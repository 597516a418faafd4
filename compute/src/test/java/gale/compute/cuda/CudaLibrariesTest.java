// Tests of where NVRTC, the driver and the toolkit headers are searched for, on a simulated file system.
package gale.compute.cuda;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaLibrariesTest {
    private static final List<Path> TOOLKITS = List.of(Path.of("/usr/local/cuda"), Path.of("/usr/local/cuda-12.4"));
    private static final List<Path> SITES = List.of(Path.of("/venv/lib/python3.12/site-packages"));

    private static CudaLibraries.Search find(Map<String, String> env, String... existing) {
        Set<Path> files = new java.util.HashSet<>();
        for (String e : existing) files.add(Path.of(e));
        return CudaLibraries.findNvrtc(env, TOOLKITS, SITES, files::contains);
    }

    @Test void searchOrderIsExplicitDirThenLdLibraryPathThenCudaHomeThenToolkitsThenSystemThenPip() {
        List<Path> dirs = CudaLibraries.nvrtcDirs(Map.of("GALE_NVRTC_DIR", "/mine", "LD_LIBRARY_PATH", "/a::/b", "CUDA_HOME", "/opt/ch"),
                TOOLKITS, SITES);
        List<String> s = dirs.stream().map(Path::toString).toList();
        assertEquals(List.of("/mine", "/a", "/b", "/opt/ch/lib64", "/opt/ch/lib", "/usr/local/cuda/lib64"), s.subList(0, 6));
        assertTrue(s.indexOf("/usr/local/cuda-12.4/lib64") > s.indexOf("/usr/local/cuda/lib64"));
        assertTrue(s.indexOf("/usr/lib/x86_64-linux-gnu") > s.indexOf("/usr/local/cuda-12.4/lib64"));
        assertEquals("/venv/lib/python3.12/site-packages/nvidia/cuda_nvrtc/lib", s.getLast());
        assertEquals("/venv/lib/python3.12/site-packages/nvidia/cu13/lib", s.get(s.size() - 2));
    }

    @Test void findsTheCuda13PipWheelWhenNothingElseExists() {
        var r = find(Map.of(), "/venv/lib/python3.12/site-packages/nvidia/cu13/lib/libnvrtc.so.13");
        assertEquals(Path.of("/venv/lib/python3.12/site-packages/nvidia/cu13/lib/libnvrtc.so.13"), r.found().orElseThrow());
    }

    @Test void findsTheCuda12PipWheel() {
        var r = find(Map.of(), "/venv/lib/python3.12/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12");
        assertEquals("libnvrtc.so.12", r.found().orElseThrow().getFileName().toString());
    }

    @Test void ldLibraryPathBeatsTheToolkitAndTheToolkitBeatsDebian() {
        var r = find(Map.of("LD_LIBRARY_PATH", "/custom"), "/custom/libnvrtc.so.12", "/usr/local/cuda/lib64/libnvrtc.so.13");
        assertEquals(Path.of("/custom/libnvrtc.so.12"), r.found().orElseThrow());
        r = find(Map.of(), "/usr/lib/x86_64-linux-gnu/libnvrtc.so.12", "/usr/local/cuda-12.4/lib64/libnvrtc.so.12");
        assertEquals(Path.of("/usr/local/cuda-12.4/lib64/libnvrtc.so.12"), r.found().orElseThrow());
    }

    @Test void withinOneDirectoryTheNewestSonameWins() {
        var r = find(Map.of(), "/usr/local/cuda/lib64/libnvrtc.so", "/usr/local/cuda/lib64/libnvrtc.so.12", "/usr/local/cuda/lib64/libnvrtc.so.13");
        assertEquals("libnvrtc.so.13", r.found().orElseThrow().getFileName().toString());
        r = find(Map.of(), "/usr/local/cuda/lib64/libnvrtc.so.11.2");
        assertEquals("libnvrtc.so.11.2", r.found().orElseThrow().getFileName().toString());
    }

    @Test void anExplicitLibraryIsUsedOrReportedButNeverReplaced() {
        var r = find(Map.of("GALE_NVRTC", "/x/libnvrtc.so.12"), "/x/libnvrtc.so.12", "/usr/local/cuda/lib64/libnvrtc.so.13");
        assertEquals(Path.of("/x/libnvrtc.so.12"), r.found().orElseThrow());
        r = find(Map.of("GALE_NVRTC", "/missing/libnvrtc.so"), "/usr/local/cuda/lib64/libnvrtc.so.13");
        assertTrue(r.found().isEmpty());
        assertEquals(List.of(Path.of("/missing/libnvrtc.so")), r.tried());
    }

    @Test void aFailedSearchListsEveryFolderItLookedIn() {
        var r = find(Map.of("CUDA_PATH", "/cp"));
        assertTrue(r.found().isEmpty());
        String tried = r.triedText();
        for (String d : List.of("/cp/lib64", "/usr/local/cuda/lib64", "/usr/lib/x86_64-linux-gnu", "site-packages/nvidia/cu13/lib"))
            assertTrue(tried.contains(d), d + " missing from: " + tried);
    }

    @Test void driverCandidatesIncludeLdLibraryPathAndWsl() {
        List<Path> c = CudaLibraries.driverCandidates(Map.of("LD_LIBRARY_PATH", "/drv"));
        assertEquals(Path.of("/drv/libcuda.so.1"), c.getFirst());
        assertTrue(c.contains(Path.of("/usr/lib/wsl/lib/libcuda.so.1")));
    }

    @Test void includeDirsNeedCudaFp16AndAddCccl() {
        Set<Path> files = Set.of(Path.of("/usr/local/cuda-12.4/include/cuda_fp16.h"), Path.of("/usr/local/cuda-12.4/include/cccl"));
        assertEquals(List.of(Path.of("/usr/local/cuda-12.4/include"), Path.of("/usr/local/cuda-12.4/include/cccl")),
                CudaLibraries.includeDirs(Map.of(), TOOLKITS, SITES, files::contains));
        Set<Path> pip = Set.of(Path.of("/venv/lib/python3.12/site-packages/nvidia/cu13/include/cuda_fp16.h"));
        assertEquals(List.of(Path.of("/venv/lib/python3.12/site-packages/nvidia/cu13/include")),
                CudaLibraries.includeDirs(Map.of(), TOOLKITS, SITES, pip::contains));
        assertEquals(List.of(), CudaLibraries.includeDirs(Map.of(), TOOLKITS, SITES, p -> false));
    }

    @Test void builtinsPreloadPicksThePlainNewestLibrary() {
        assertEquals("libnvrtc-builtins.so.13.0", CudaLibraries.builtinsFor(List.of("libnvrtc.so.13", "libnvrtc-builtins.alt.so.13.0",
                "libnvrtc-builtins.so.13.0", "libnvrtc.alt.so.13")).orElseThrow());
        assertEquals("libnvrtc-builtins.so.12.10", CudaLibraries.builtinsFor(List.of("libnvrtc-builtins.so.12.9", "libnvrtc-builtins.so.12.10"))
                .orElseThrow());
        assertFalse(CudaLibraries.builtinsFor(List.of("libnvrtc.so.12")).isPresent());
    }

    @Test void versionsCompareNumerically() {
        assertTrue(CudaLibraries.compareVersions("cuda-12.10", "cuda-12.9") > 0);
        assertTrue(CudaLibraries.compareVersions("python3.9", "python3.12") < 0);
        assertTrue(CudaLibraries.compareVersions("cuda-13.0", "cuda-12.8") > 0);
        List<Path> sorted = java.util.stream.Stream.of("cuda-11.8", "cuda-12.10", "cuda-12.9").map(Path::of)
                .sorted(CudaLibraries.versionOrder()).toList();
        assertEquals(List.of(Path.of("cuda-12.10"), Path.of("cuda-12.9"), Path.of("cuda-11.8")), sorted);
    }

    @Test void anNvrtcNoNewerThanTheDriverIsPreferredAnywhereOnTheSearchPath() {
        Set<Path> files = Set.of(Path.of("/usr/local/cuda/lib64/libnvrtc.so.13"),
                Path.of("/venv/lib/python3.12/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12"));
        assertEquals(Path.of("/venv/lib/python3.12/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12"),
                CudaLibraries.findNvrtc(Map.of(), TOOLKITS, SITES, files::contains, 12).found().orElseThrow());
        assertEquals(Path.of("/usr/local/cuda/lib64/libnvrtc.so.13"),
                CudaLibraries.findNvrtc(Map.of(), TOOLKITS, SITES, files::contains, 13).found().orElseThrow());
        // Nothing old enough: a newer NVRTC is still better than none (cubins may load; the load error names the cause if not).
        Set<Path> only13 = Set.of(Path.of("/usr/local/cuda/lib64/libnvrtc.so.13"));
        assertEquals(Path.of("/usr/local/cuda/lib64/libnvrtc.so.13"),
                CudaLibraries.findNvrtc(Map.of(), TOOLKITS, SITES, only13::contains, 12).found().orElseThrow());
    }

    @Test void sonameMajors() {
        assertEquals(13, CudaLibraries.sonameMajor("libnvrtc.so.13"));
        assertEquals(11, CudaLibraries.sonameMajor("libnvrtc.so.11.2"));
        assertEquals(0, CudaLibraries.sonameMajor("libnvrtc.so"));
    }
}
