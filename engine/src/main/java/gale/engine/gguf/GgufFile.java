// An open, fully validated GGUF file: header, metadata and tensors over one read-only memory map.
package gale.engine.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (version 2 or 3, little-endian), opened through one read-only memory map of the whole file (no 2 GB
 * limit) and validated completely before anything is handed out: header, every metadata value (with the types of
 * the well-known keys), every tensor info (name, shape, type, byte size, alignment, bounds, overlaps). Any problem is
 * a {@link GgufFormatException} naming file, field, offset and value; a malformed file never causes an
 * OutOfMemoryError, a hang or a read outside the file. Tensors are zero-copy slices of the map.
 *
 * <p>Limits beyond the format (documented caps): strings ≤ {@value GgufReader#MAX_STRING_BYTES} bytes, arrays ≤
 * {@value GgufReader#MAX_ARRAY_ELEMENTS} elements ({@value GgufReader#MAX_STRING_ARRAY_ELEMENTS} for string arrays),
 * keys 1..{@value GgufReader#MAX_KEY_BYTES} bytes (the spec's limit), tensor names
 * 1..{@value GgufReader#MAX_TENSOR_NAME_BYTES} bytes (ggml's limit), alignment a power of two ≤
 * {@value GgufReader#MAX_ALIGNMENT}.
 *
 * <p>Thread-safe for reading after {@link #open}; {@link #close()} unmaps the file (shared arena), after which
 * tensor segments throw {@link IllegalStateException} — close only when no thread uses them any more.
 */
public final class GgufFile implements AutoCloseable {
    /** The key that sets the data alignment (UINT32). */
    public static final String KEY_ALIGNMENT = "general.alignment";
    /** The alignment when {@link #KEY_ALIGNMENT} is absent. */
    public static final int DEFAULT_ALIGNMENT = 32;

    private final String source;
    private final Arena arena; // null when parsing a caller's segment
    private final MemorySegment segment;
    private final int version;
    private final int alignment;
    private final long dataOffset;
    private final Map<String, GgufValue> metadata;
    private final Map<String, Long> valueOffsets;
    private final List<GgufTensor> tensors;
    private final Map<String, GgufTensor> tensorsByName;

    GgufFile(String source, Arena arena, MemorySegment segment, int version, int alignment, long dataOffset,
             Map<String, GgufValue> metadata, Map<String, Long> valueOffsets, List<GgufTensor> tensors,
             Map<String, GgufTensor> tensorsByName) {
        this.source = source;
        this.arena = arena;
        this.segment = segment;
        this.version = version;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.metadata = metadata;
        this.valueOffsets = valueOffsets;
        this.tensors = tensors;
        this.tensorsByName = tensorsByName;
    }

    /**
     * Maps and validates {@code path}.
     *
     * @throws GgufFormatException when the file is malformed
     * @throws IOException when it cannot be read
     */
    public static GgufFile open(Path path) throws IOException {
        String source = path.toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) throw new GgufFormatException(source, "header.magic", 0, "file is empty (0 bytes)");
            Arena arena = Arena.ofShared();
            try {
                MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                return GgufReader.parse(source, arena, map);
            } catch (IOException | RuntimeException | Error e) {
                arena.close();
                throw e;
            }
        }
    }

    /**
     * Validates GGUF bytes already in memory (tests, network buffers); {@code source} names them in errors.
     * The returned file does not own {@code bytes}: closing it does nothing to them.
     */
    public static GgufFile parse(MemorySegment bytes, String source) throws GgufFormatException {
        return GgufReader.parse(source, null, bytes.asReadOnly());
    }

    /** The file path (or the source name given to {@link #parse}). */
    public String source() { return source; }

    /** The GGUF version: 2 or 3. */
    public int version() { return version; }

    /** The data alignment in bytes. */
    public int alignment() { return alignment; }

    /** Absolute offset of the data section. */
    public long dataOffset() { return dataOffset; }

    /** The whole file, read-only. */
    public MemorySegment segment() { return segment; }

    /** Every metadata entry in file order (unmodifiable). */
    public Map<String, GgufValue> metadata() { return metadata; }

    /** The value of {@code key}, or {@code null}. */
    public GgufValue get(String key) { return metadata.get(key); }

    /** The file offset of the value of {@code key} (its first byte; for arrays the element-type field), or -1. */
    public long valueOffset(String key) {
        Long o = valueOffsets.get(key);
        return o == null ? -1 : o;
    }

    /** Every tensor in file order (unmodifiable). */
    public List<GgufTensor> tensors() { return tensors; }

    /** The tensor called {@code name}, or {@code null}. */
    public GgufTensor tensor(String name) { return tensorsByName.get(name); }

    /** Unmaps the file (when opened from a path). Idempotent. */
    @Override public void close() {
        if (arena != null && arena.scope().isAlive()) arena.close();
    }

    @Override public String toString() {
        return source + " (GGUF v" + version + ", " + metadata.size() + " keys, " + tensors.size() + " tensors)";
    }
}
