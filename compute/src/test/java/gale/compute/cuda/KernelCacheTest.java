// Tests of the NVRTC output cache: key stability and sensitivity, and the on-disk round trip.
package gale.compute.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelCacheTest {
    private static final List<String> OPTS = List.of("--gpu-architecture=sm_90", "-default-device", "--std=c++17");

    private static String key() { return KernelCache.key("__global__ void k(){}", OPTS, "13.0", "sm_90", 13000, "cubin"); }

    @Test void theKeyIsStableAcrossRunsAndJvms() {
        // A literal: a key that changed between releases would silently invalidate every user's cache (or worse, reuse stale entries).
        assertEquals(64, key().length());
        assertEquals(key(), KernelCache.key("__global__ void k(){}", List.copyOf(OPTS), "13.0", "sm_90", 13000, "cubin"));
        assertEquals(STABLE, key());
    }

    /** Computed independently (Python hashlib over the same length-prefixed parts); it must never change by accident. */
    static final String STABLE = "8bfec98768d0e5ca4cc093c74598c535cf85e9404788f44f7711c76813aecfb9";

    @Test void everyInputChangesTheKey() {
        String k = key();
        assertNotEquals(k, KernelCache.key("__global__ void k(){ }", OPTS, "13.0", "sm_90", 13000, "cubin"));
        assertNotEquals(k, KernelCache.key("__global__ void k(){}", List.of("--gpu-architecture=sm_90", "-default-device"), "13.0", "sm_90", 13000, "cubin"));
        assertNotEquals(k, KernelCache.key("__global__ void k(){}", OPTS, "12.9", "sm_90", 13000, "cubin"));
        assertNotEquals(k, KernelCache.key("__global__ void k(){}", OPTS, "13.0", "sm_80", 13000, "cubin"));
        assertNotEquals(k, KernelCache.key("__global__ void k(){}", OPTS, "13.0", "sm_90", 12080, "cubin"));
        assertNotEquals(k, KernelCache.key("__global__ void k(){}", OPTS, "13.0", "sm_90", 13000, "ptx"));
    }

    @Test void partsCannotBleedIntoEachOther() {
        // Without length prefixes, ("ab", ["c"]) and ("a", ["bc"]) would hash the same bytes.
        assertNotEquals(KernelCache.key("ab", List.of("c"), "1", "a", 1, "ptx"), KernelCache.key("a", List.of("bc"), "1", "a", 1, "ptx"));
        assertNotEquals(KernelCache.key("s", List.of("a", "b"), "1", "a", 1, "ptx"), KernelCache.key("s", List.of("a b"), "1", "a", 1, "ptx"));
    }

    @Test void storesAndReadsBackEntries(@TempDir Path tmp) throws Exception {
        KernelCache c = new KernelCache(tmp.resolve("cuda"));
        String k = key();
        assertNull(c.get("gale_k", k, "cubin"));
        byte[] bin = {0x7f, 'E', 'L', 'F', 0, 1, 2};
        assertTrue(c.put("gale_k", k, "cubin", bin));
        assertArrayEquals(bin, c.get("gale_k", k, "cubin"));
        assertNull(c.get("gale_k", k, "ptx"));
        try (var files = Files.list(tmp.resolve("cuda"))) {
            assertEquals(List.of("gale_k-" + k + ".cubin"), files.map(p -> p.getFileName().toString()).toList()); // no temp files left
        }
        assertTrue(c.file("Owner$weird name!", k, "ptx").getFileName().toString().startsWith("Owner_weird_name_-"));
    }

    @Test void anUnwritableCacheOnlyCostsACompile(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        KernelCache c = new KernelCache(file.resolve("cuda"));
        assertFalse(c.put("k", key(), "ptx", new byte[]{1}));
        assertNull(c.get("k", key(), "ptx"));
    }

    @Test void defaultLocationFollowsGaleCacheDir(@TempDir Path tmp) {
        String old = System.getProperty("gale.cache.dir");
        try {
            System.setProperty("gale.cache.dir", tmp.toString());
            assertEquals(tmp.resolve("cuda"), KernelCache.defaultCache().dir());
            System.clearProperty("gale.cache.dir");
            assertEquals(Path.of(System.getProperty("user.home"), ".cache", "gale", "cuda"), KernelCache.defaultCache().dir());
        } finally {
            if (old != null) System.setProperty("gale.cache.dir", old); else System.clearProperty("gale.cache.dir");
        }
    }
}
