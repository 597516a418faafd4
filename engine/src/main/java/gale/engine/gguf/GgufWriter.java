// Writes GGUF files: metadata of every type, tensors of every supported type, alignment and padding.
package gale.engine.gguf;

import gale.compute.FloatArray;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a GGUF file (version 3 by default, or 2: the layouts are the same for little-endian files). Metadata keeps
 * insertion order ({@link #put} replaces an existing key in place); tensors are laid out in insertion order, each at
 * the next multiple of the alignment ({@code general.alignment}, default 32), which is what llama.cpp expects. The
 * writer validates what the reader validates (names, shapes, block multiples, sizes), so it cannot produce a file Gale
 * would reject for those reasons. {@link #write(Path)} writes to a temporary sibling and renames it into place.
 *
 * <p>Not thread-safe. Tensor data given as a {@link MemorySegment} is read at {@link #write} time, not copied.
 */
public final class GgufWriter {
    private record Tensor(String name, GgmlType type, long[] shape, MemorySegment data) {}

    private int version = 3;
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** GGUF version to write: 2 or 3. */
    public GgufWriter version(int v) {
        if (v != 2 && v != 3) throw new IllegalArgumentException("GGUF version must be 2 or 3, got " + v);
        version = v;
        return this;
    }

    /** Sets {@code general.alignment} (a power of two ≤ 1 MiB). */
    public GgufWriter alignment(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1 || alignment > GgufReader.MAX_ALIGNMENT)
            throw new IllegalArgumentException("alignment must be a power of two in 1.." + GgufReader.MAX_ALIGNMENT + ", got " + alignment);
        return put(GgufFile.KEY_ALIGNMENT, GgufValue.uint32(alignment));
    }

    /** Adds or replaces a metadata entry. */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(value, "value");
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("metadata key must be non-empty");
        if (key.equals(GgufFile.KEY_ALIGNMENT)) {
            long a = value.type() == GgufValueType.UINT32 ? value.asLong() : -1;
            if (a <= 0 || Long.bitCount(a) != 1 || a > GgufReader.MAX_ALIGNMENT)
                throw new IllegalArgumentException(key + " must be a UINT32 power of two ≤ " + GgufReader.MAX_ALIGNMENT + ", got " + value.type() + " " + value);
        }
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putString(String key, String v) { return put(key, GgufValue.string(v)); }

    public GgufWriter putUInt32(String key, long v) { return put(key, GgufValue.uint32(v)); }

    public GgufWriter putFloat32(String key, float v) { return put(key, GgufValue.float32(v)); }

    public GgufWriter putBool(String key, boolean v) { return put(key, GgufValue.bool(v)); }

    /** Adds a tensor whose bytes (already in {@code type}'s layout) are in {@code data}; shape is ggml's, ne[0] first. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        Objects.requireNonNull(type, "type");
        long[] ne = shape.clone();
        byte[] nb = name.getBytes(StandardCharsets.UTF_8);
        if (nb.length == 0 || nb.length > GgufReader.MAX_TENSOR_NAME_BYTES)
            throw new IllegalArgumentException("tensor name must be 1.." + GgufReader.MAX_TENSOR_NAME_BYTES + " bytes: '" + name + "'");
        if (names.contains(name)) throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        if (ne.length < 1 || ne.length > GgufReader.MAX_DIMS)
            throw new IllegalArgumentException("tensor '" + name + "': " + ne.length + " dimensions, must be 1.." + GgufReader.MAX_DIMS);
        long n = 1;
        for (long d : ne) {
            if (d <= 0) throw new IllegalArgumentException("tensor '" + name + "': dimension " + d + " in " + Arrays.toString(ne));
            n = Math.multiplyExact(n, d);
        }
        if (ne[0] % type.blockSize() != 0)
            throw new IllegalArgumentException("tensor '" + name + "': ne[0] = " + ne[0] + " is not a multiple of " + type + "'s block size " + type.blockSize());
        long bytes = type.byteSize(n);
        if (data.byteSize() != bytes)
            throw new IllegalArgumentException("tensor '" + name + "': " + type + Arrays.toString(ne) + " takes " + bytes + " bytes, data has " + data.byteSize());
        names.add(name);
        tensors.add(new Tensor(name, type, ne, data));
        return this;
    }

    public GgufWriter addTensor(String name, GgmlType type, long[] shape, byte[] data) {
        return addTensor(name, type, shape, MemorySegment.ofArray(data.clone()));
    }

    /** Adds a tensor from float values, converted or quantised to {@code type} with the reference algorithm. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, float[] values) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, Math.max(d, 1));
        if (n != values.length)
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " has " + n + " elements, got " + values.length + " values");
        if (shape.length == 0 || shape[0] % type.blockSize() != 0)
            throw new IllegalArgumentException("tensor '" + name + "': ne[0] must be a multiple of " + type + "'s block size " + type.blockSize());
        return addTensor(name, type, shape, MemorySegment.ofArray(type.quantize(values)));
    }

    /** Adds a tensor from a host {@link FloatArray} (training export), converted or quantised to {@code type}. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, FloatArray values) {
        // FloatArray memory is in native order; GGUF is little-endian
        if (type == GgmlType.F32 && java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN)
            return addTensor(name, type, shape, values.segment());
        return addTensor(name, type, shape, values.toArray());
    }

    private int alignmentValue() {
        GgufValue a = metadata.get(GgufFile.KEY_ALIGNMENT);
        return a == null ? GgufFile.DEFAULT_ALIGNMENT : (int) a.asLong();
    }

    /** Writes the file atomically (temporary sibling, then rename). */
    public void write(Path path) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            writeTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING); // some file systems cannot rename atomically
        }
    }

    /** The whole file in memory (tests, small files). */
    public byte[] toByteArray() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the file to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        int alignment = alignmentValue();
        Le h = new Le();
        h.i32(0x46554747);
        h.i32(version);
        h.i64(tensors.size());
        h.i64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            h.str(e.getKey());
            h.i32(e.getValue().type().id());
            writeValue(h, e.getValue());
        }
        long offset = 0;
        long[] offsets = new long[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            h.str(t.name);
            h.i32(t.shape.length);
            for (long d : t.shape) h.i64(d);
            h.i32(t.type.id());
            offsets[i] = offset;
            h.i64(offset);
            offset = align(offset + t.data.byteSize(), alignment);
        }
        long headerEnd = h.size();
        h.zeros((int) (align(headerEnd, alignment) - headerEnd));
        h.writeTo(out);
        byte[] chunk = new byte[1 << 20];
        byte[] pad = new byte[alignment];
        for (Tensor t : tensors) {
            long size = t.data.byteSize();
            for (long p = 0; p < size; p += chunk.length) {
                int len = (int) Math.min(chunk.length, size - p);
                MemorySegment.copy(t.data, ValueLayout.JAVA_BYTE, p, chunk, 0, len);
                out.write(chunk, 0, len);
            }
            out.write(pad, 0, (int) (align(size, alignment) - size));
        }
    }

    private static long align(long x, int a) { return (x + a - 1) / a * a; }

    private static void writeValue(Le h, GgufValue v) {
        switch (v.type()) {
            case UINT8, INT8, BOOL -> h.u8(v.type() == GgufValueType.BOOL ? (v.asBoolean() ? 1 : 0) : (int) v.asLong());
            case UINT16, INT16 -> h.i16((int) v.asLong());
            case UINT32, INT32 -> h.i32((int) v.asLong());
            case UINT64, INT64 -> h.i64(v.asLong());
            case FLOAT32 -> h.i32(Float.floatToRawIntBits(v.asFloat()));
            case FLOAT64 -> h.i64(Double.doubleToRawLongBits(v.asDouble()));
            case STRING -> h.str(v.asString());
            case ARRAY -> {
                h.i32(v.elementType().id());
                Object a = v.raw();
                h.i64(v.arrayLength());
                switch (a) {
                    case byte[] x -> { for (byte e : x) h.u8(e); }
                    case short[] x -> { for (short e : x) h.i16(e); }
                    case int[] x -> { for (int e : x) h.i32(e); }
                    case long[] x -> { for (long e : x) h.i64(e); }
                    case float[] x -> { for (float e : x) h.i32(Float.floatToRawIntBits(e)); }
                    case double[] x -> { for (double e : x) h.i64(Double.doubleToRawLongBits(e)); }
                    case boolean[] x -> { for (boolean e : x) h.u8(e ? 1 : 0); }
                    case String[] x -> { for (String e : x) h.str(e); }
                    default -> throw new IllegalStateException(a.getClass().toString());
                }
            }
        }
    }

    /** A growable little-endian byte buffer for the header. */
    private static final class Le extends ByteArrayOutputStream {
        void u8(int v) { write(v); }
        void i16(int v) { write(v); write(v >> 8); }
        void i32(int v) { for (int i = 0; i < 4; i++) write(v >> (8 * i)); }
        void i64(long v) { for (int i = 0; i < 8; i++) write((int) (v >> (8 * i))); }
        void str(String s) { byte[] b = s.getBytes(StandardCharsets.UTF_8); i64(b.length); write(b, 0, b.length); }
        void zeros(int n) { for (int i = 0; i < n; i++) write(0); }
    }
}
