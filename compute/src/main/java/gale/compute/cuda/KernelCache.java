// The on-disk cache of NVRTC output (PTX or cubin), so a second start of Gale compiles nothing.
package gale.compute.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Compiled kernels by key, in {@code ${gale.cache.dir:-~/.cache/gale}/cuda/}. The key is a SHA-256 over everything
 * that changes the binary: source, options, NVRTC version, device architecture, driver version and output format.
 * Entries are written to a temporary file and moved into place, so concurrent processes never read a partial entry.
 * A cache that cannot be read or written only costs a compile. Thread-safe.
 */
final class KernelCache {
    private final Path dir;

    KernelCache(Path dir) { this.dir = dir; }

    /** The default location: {@code -Dgale.cache.dir}, else {@code ~/.cache/gale}, plus {@code cuda/}. */
    static KernelCache defaultCache() {
        String base = System.getProperty("gale.cache.dir");
        Path root = base != null && !base.isBlank() ? Path.of(base) : Path.of(System.getProperty("user.home"), ".cache", "gale");
        return new KernelCache(root.resolve("cuda"));
    }

    Path dir() { return dir; }

    /**
     * The cache key (64 hex digits). Each part is length-prefixed so that no two different inputs hash the same bytes.
     *
     * @param format "ptx" or "cubin"
     */
    static String key(String source, List<String> options, String nvrtcVersion, String arch, int driverVersion, String format) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            update(md, "gale-cuda-cache-v1");
            update(md, source);
            update(md, Integer.toString(options.size()));
            for (String o : options) update(md, o);
            update(md, nvrtcVersion);
            update(md, arch);
            update(md, Integer.toString(driverVersion));
            update(md, format);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static void update(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
        md.update((byte) ':');
        md.update(b);
    }

    /** The entry's file: readable name (kernel entry) plus the key, so a person can tell what the cache holds. */
    Path file(String entryName, String key, String format) {
        String safe = entryName.replaceAll("[^A-Za-z0-9_]", "_");
        if (safe.length() > 80) safe = safe.substring(0, 80);
        return dir.resolve(safe + "-" + key + "." + format);
    }

    /** The cached bytes, or null when absent or unreadable. */
    byte[] get(String entryName, String key, String format) {
        Path f = file(entryName, key, format);
        try {
            return Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** Stores the bytes; returns false (and keeps going) when the directory is not writable. */
    boolean put(String entryName, String key, String format, byte[] data) {
        Path f = file(entryName, key, format);
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, ".tmp-", "." + format);
            Files.write(tmp, data);
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException | SecurityException e) {
            if (tmp != null) {
                try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort: a stray temp file is harmless */ }
            }
            return false;
        }
    }
}
