// The GGUF parser: reads header, metadata and tensor infos from a segment, validating every field before use.
package gale.engine.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses GGUF. Every read goes through {@link #need}, which checks the remaining bytes first, so nothing reads outside
 * the segment; every count is compared with what the remaining bytes could hold before anything is allocated, so
 * nothing allocates more than a small multiple of the file size; arithmetic on sizes is exact. Not thread-safe (one
 * instance per parse).
 */
final class GgufReader {
    static final int MAX_STRING_BYTES = 1 << 26;
    static final int MAX_ARRAY_ELEMENTS = 1 << 28;
    static final int MAX_STRING_ARRAY_ELEMENTS = 1 << 24;
    static final int MAX_KEY_BYTES = 65535;      // the GGUF spec's limit for keys
    static final int MAX_TENSOR_NAME_BYTES = 63; // GGML_MAX_NAME (64) less the NUL
    static final int MAX_ALIGNMENT = 1 << 20;
    static final int MAX_DIMS = 4;
    /** Smallest KV: key length (8) + 1 key byte + type (4) + 1 value byte. */
    static final int MIN_KV_BYTES = 14;
    /** Smallest tensor info: name length (8) + 1 byte + n_dims (4) + one ne (8) + type (4) + offset (8). */
    static final int MIN_TENSOR_INFO_BYTES = 33;

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String source;
    private final MemorySegment seg;
    private final long size;
    private long pos;

    private GgufReader(String source, MemorySegment seg) {
        this.source = source;
        this.seg = seg;
        this.size = seg.byteSize();
    }

    static GgufFile parse(String source, Arena arena, MemorySegment seg) throws GgufFormatException {
        return new GgufReader(source, seg).parse(arena);
    }

    private GgufFormatException error(String field, long offset, String problem) {
        return new GgufFormatException(source, field, offset, problem);
    }

    private void need(long n, String field) throws GgufFormatException {
        if (n > size - pos)
            throw error(field, pos, "truncated: needs " + n + " bytes, " + (size - pos) + " remain in the " + size + "-byte file");
    }

    private int u8(String f) throws GgufFormatException { need(1, f); return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF; }
    private short i16(String f) throws GgufFormatException { need(2, f); short v = seg.get(LE_SHORT, pos); pos += 2; return v; }
    private int i32(String f) throws GgufFormatException { need(4, f); int v = seg.get(LE_INT, pos); pos += 4; return v; }
    private long u32(String f) throws GgufFormatException { return i32(f) & 0xFFFF_FFFFL; }
    private long i64(String f) throws GgufFormatException { need(8, f); long v = seg.get(LE_LONG, pos); pos += 8; return v; }

    /** A u64 count or size that must fit a signed long (anything above 2^63 is absurd for a file). */
    private long u64Count(String f) throws GgufFormatException {
        long at = pos;
        long v = i64(f);
        if (v < 0) throw error(f, at, "value " + Long.toUnsignedString(v) + " is too large");
        return v;
    }

    private byte[] stringBytes(String f) throws GgufFormatException { return stringBytes(f, -1); }

    /** A string's bytes; {@code index} >= 0 names an array element (the field name is built only for errors). */
    private byte[] stringBytes(String f, long index) throws GgufFormatException {
        long at = pos;
        if (8 > size - pos) throw error(name(f, index) + ".length", pos, "truncated: needs 8 bytes, " + (size - pos) + " remain in the " + size + "-byte file");
        long len = seg.get(LE_LONG, pos);
        pos += 8;
        if (len < 0 || len > MAX_STRING_BYTES)
            throw error(name(f, index) + ".length", at, "string length " + Long.toUnsignedString(len) + " exceeds the cap of " + MAX_STRING_BYTES + " bytes");
        if (len > size - pos) throw error(name(f, index) + ".length", at, "string length " + len + " exceeds the " + (size - pos) + " bytes left in the file");
        byte[] b = new byte[(int) len];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, (int) len);
        pos += len;
        return b;
    }

    private static String name(String f, long index) { return index < 0 ? f : f + "[" + index + "]"; }

    /** Keys and tensor names must be valid UTF-8: they are matched exactly. */
    private String strictString(String f, byte[] b, long at) throws GgufFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw error(f, at, "not valid UTF-8: " + hex(b, 32));
        }
    }

    private static String hex(byte[] b, int max) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, max); i++) s.append(String.format("%02x", b[i] & 0xFF));
        return s + (b.length > max ? "…" : "");
    }

    private GgufFile parse(Arena arena) throws GgufFormatException {
        // ---- header
        if (size < 4) throw error("header.magic", 0, "file is " + size + " bytes, too short for the magic");
        int magic = i32("header.magic");
        if (magic != 0x46554747)
            throw error("header.magic", 0, String.format("bad magic 0x%08x (%s), expected 0x46554747 (\"GGUF\")", magic,
                    printable(seg.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE))));
        long version = u32("header.version");
        if (version != 2 && version != 3) {
            String why = version == 1 ? "version 1 (32-bit counts) is obsolete and not supported"
                    : (version == 0x02000000L || version == 0x03000000L) ? "big-endian GGUF is not supported"
                    : "unsupported version " + version + ", expected 2 or 3";
            throw error("header.version", 4, why + " (value " + version + ")");
        }
        long tensorCount = u64Count("header.tensor_count");
        long kvCount = u64Count("header.kv_count");
        long rest = size - pos;
        if (tensorCount > rest / MIN_TENSOR_INFO_BYTES)
            throw error("header.tensor_count", 8, "tensor_count " + tensorCount + " cannot fit in the " + rest
                    + " bytes after the header (each tensor info needs at least " + MIN_TENSOR_INFO_BYTES + ")");
        if (kvCount > rest / MIN_KV_BYTES)
            throw error("header.kv_count", 16, "kv_count " + kvCount + " cannot fit in the " + rest
                    + " bytes after the header (each entry needs at least " + MIN_KV_BYTES + ")");
        if (tensorCount * MIN_TENSOR_INFO_BYTES + kvCount * MIN_KV_BYTES > rest)
            throw error("header.kv_count", 16, "kv_count " + kvCount + " and tensor_count " + tensorCount
                    + " together cannot fit in the " + rest + " bytes after the header");

        // ---- metadata
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        Map<String, Long> valueOffsets = new HashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long keyAt = pos;
            String field = "kv[" + i + "].key";
            byte[] kb = stringBytes(field);
            if (kb.length == 0) throw error(field, keyAt, "empty key");
            if (kb.length > MAX_KEY_BYTES) throw error(field, keyAt, "key of " + kb.length + " bytes exceeds the GGUF limit of " + MAX_KEY_BYTES + ": " + printable(kb));
            String key = strictString(field, kb, keyAt);
            if (metadata.containsKey(key)) throw error("key '" + key + "'", keyAt, "duplicate key (first at value offset " + valueOffsets.get(key) + ")");
            long typeAt = pos;
            long typeId = u32("key '" + key + "'.type");
            GgufValueType type = GgufValueType.fromId(typeId);
            if (type == null) throw error("key '" + key + "'.type", typeAt, "unknown value type " + typeId);
            valueOffsets.put(key, pos);
            metadata.put(key, readValue(key, type));
        }
        Map<String, GgufValue> meta = Collections.unmodifiableMap(metadata);
        GgufKeys.checkTypes(source, meta, valueOffsets);

        int alignment = GgufFile.DEFAULT_ALIGNMENT;
        GgufValue al = meta.get(GgufFile.KEY_ALIGNMENT);
        if (al != null) {
            long a = al.asLong();
            long at = valueOffsets.get(GgufFile.KEY_ALIGNMENT);
            if (a == 0 || Long.bitCount(a) != 1 || a > MAX_ALIGNMENT)
                throw error(GgufFile.KEY_ALIGNMENT, at, "alignment " + a + " is not a power of two in 1.." + MAX_ALIGNMENT);
            alignment = (int) a;
        }

        // ---- tensor infos
        record Info(String name, GgmlType type, long[] ne, long n, long bytes, long offset, long infoAt, long offsetAt) {}
        List<Info> infos = new ArrayList<>();
        Map<String, Long> names = new HashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            long infoAt = pos;
            String field = "tensor[" + i + "].name";
            byte[] nb = stringBytes(field);
            if (nb.length == 0) throw error(field, infoAt, "empty tensor name");
            if (nb.length > MAX_TENSOR_NAME_BYTES)
                throw error(field, infoAt, "tensor name of " + nb.length + " bytes exceeds ggml's " + MAX_TENSOR_NAME_BYTES + ": " + printable(nb));
            String name = strictString(field, nb, infoAt);
            String t = "tensor '" + name + "'";
            if (names.containsKey(name)) throw error(t + ".name", infoAt, "duplicate tensor name (first at offset " + names.get(name) + ")");
            names.put(name, infoAt);
            long dimsAt = pos;
            long nDims = u32(t + ".n_dims");
            if (nDims < 1 || nDims > MAX_DIMS) throw error(t + ".n_dims", dimsAt, "n_dims " + nDims + " is outside 1.." + MAX_DIMS);
            long[] ne = new long[(int) nDims];
            long n = 1;
            for (int d = 0; d < nDims; d++) {
                long neAt = pos;
                long v = i64(t + ".ne[" + d + "]");
                if (v <= 0) throw error(t + ".ne[" + d + "]", neAt, "dimension " + Long.toUnsignedString(v) + " is not in 1..2^63-1");
                ne[d] = v;
                try {
                    n = Math.multiplyExact(n, v);
                } catch (ArithmeticException e) {
                    throw error(t + ".ne[" + d + "]", neAt, "element count of shape " + Arrays.toString(ne) + " overflows 64 bits");
                }
            }
            long typeAt = pos;
            long typeId = u32(t + ".type");
            GgmlType type = GgmlType.fromId(typeId);
            if (type == null) throw error(t + ".type", typeAt, "unknown ggml type " + typeId);
            if (ne[0] % type.blockSize() != 0)
                throw error(t + ".ne[0]", dimsAt + 4, "ne[0] = " + ne[0] + " is not a multiple of " + type + "'s block size " + type.blockSize());
            long bytes;
            try {
                bytes = type.byteSize(n);
            } catch (ArithmeticException e) {
                throw error(t + ".type", typeAt, "byte size of " + n + " " + type + " elements overflows 64 bits");
            }
            long offsetAt = pos;
            long offset = i64(t + ".offset");
            if (offset < 0) throw error(t + ".offset", offsetAt, "offset " + Long.toUnsignedString(offset) + " is too large");
            if (offset % alignment != 0) throw error(t + ".offset", offsetAt, "offset " + offset + " is not a multiple of the alignment " + alignment);
            infos.add(new Info(name, type, ne, n, bytes, offset, infoAt, offsetAt));
        }

        // ---- data section
        long infosEnd = pos;
        long dataOffset = (infosEnd + alignment - 1) / alignment * alignment; // no overflow: infosEnd <= size, alignment <= 1 MiB
        if (!infos.isEmpty() && dataOffset > size)
            throw error("data section", infosEnd, "data section would start at " + dataOffset + ", past the end of the " + size + "-byte file");
        long dataSize = Math.max(0, size - dataOffset);
        List<Info> byOffset = new ArrayList<>(infos);
        byOffset.sort((a, b) -> Long.compare(a.offset, b.offset));
        Info prev = null;
        for (Info in : byOffset) {
            String t = "tensor '" + in.name + "'.offset";
            if (in.offset > dataSize || in.bytes > dataSize - in.offset)
                throw error(t, in.offsetAt, "data [" + in.offset + ", " + in.offset + " + " + in.bytes + ") runs past the end of the "
                        + dataSize + "-byte data section (file offset " + dataOffset + ", file size " + size + ")");
            if (prev != null && in.offset < prev.offset + prev.bytes)
                throw error(t, in.offsetAt, "data [" + in.offset + ", " + (in.offset + in.bytes) + ") overlaps tensor '" + prev.name
                        + "' at [" + prev.offset + ", " + (prev.offset + prev.bytes) + ")");
            prev = in;
        }
        List<GgufTensor> tensors = new ArrayList<>(infos.size());
        Map<String, GgufTensor> byName = new HashMap<>();
        for (Info in : infos) {
            long abs = dataOffset + in.offset;
            GgufTensor tensor = new GgufTensor(in.name, in.type, in.ne, in.n, in.bytes, in.offset, abs, in.infoAt,
                    seg.asSlice(abs, in.bytes).asReadOnly());
            tensors.add(tensor);
            byName.put(in.name, tensor);
        }
        return new GgufFile(source, arena, seg.asReadOnly(), (int) version, alignment, dataOffset, meta,
                Collections.unmodifiableMap(valueOffsets), Collections.unmodifiableList(tensors), Collections.unmodifiableMap(byName));
    }

    private static String printable(byte[] b) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < Math.min(b.length, 80); i++) {
            int c = b[i] & 0xFF;
            s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.append(b.length > 80 ? "…\"" : "\"").toString();
    }

    private GgufValue readValue(String key, GgufValueType type) throws GgufFormatException {
        String f = "key '" + key + "'";
        return switch (type) {
            case UINT8 -> GgufValue.integerBits(type, u8(f));
            case INT8 -> GgufValue.integerBits(type, (byte) u8(f));
            case UINT16 -> GgufValue.integerBits(type, i16(f) & 0xFFFF);
            case INT16 -> GgufValue.integerBits(type, i16(f));
            case UINT32 -> GgufValue.integerBits(type, u32(f));
            case INT32 -> GgufValue.integerBits(type, i32(f));
            case UINT64, INT64 -> GgufValue.integerBits(type, i64(f));
            case FLOAT32 -> GgufValue.float32(Float.intBitsToFloat(i32(f)));
            case FLOAT64 -> GgufValue.float64(Double.longBitsToDouble(i64(f)));
            case BOOL -> GgufValue.bool(bool(f));
            case STRING -> GgufValue.string(new String(stringBytes(f), StandardCharsets.UTF_8));
            case ARRAY -> readArray(key);
        };
    }

    private boolean bool(String f) throws GgufFormatException {
        long at = pos;
        int b = u8(f);
        if (b > 1) throw error(f, at, "bool byte " + b + " is neither 0 nor 1");
        return b == 1;
    }

    private GgufValue readArray(String key) throws GgufFormatException {
        String f = "key '" + key + "'";
        long typeAt = pos;
        long typeId = u32(f + ".element_type");
        GgufValueType et = GgufValueType.fromId(typeId);
        if (et == null) throw error(f + ".element_type", typeAt, "unknown array element type " + typeId);
        if (et == GgufValueType.ARRAY) throw error(f + ".element_type", typeAt, "arrays of arrays are not supported (llama.cpp rejects them too)");
        long countAt = pos;
        long count = u64Count(f + ".count");
        int minElem = et == GgufValueType.STRING ? 8 : et.size();
        long cap = et == GgufValueType.STRING ? MAX_STRING_ARRAY_ELEMENTS : MAX_ARRAY_ELEMENTS;
        if (count > cap) throw error(f + ".count", countAt, "array of " + count + " " + et + " exceeds the cap of " + cap + " elements");
        if (count > (size - pos) / minElem)
            throw error(f + ".count", countAt, "array of " + count + " " + et + " needs at least " + count * minElem
                    + " bytes, " + (size - pos) + " remain in the file");
        int n = (int) count;
        long bytes = (long) n * Math.max(0, et.size());
        Object arr = switch (et) {
            case UINT8, INT8 -> seg.asSlice(pos, bytes).toArray(ValueLayout.JAVA_BYTE);
            case UINT16, INT16 -> seg.asSlice(pos, bytes).toArray(LE_SHORT);
            case UINT32, INT32 -> seg.asSlice(pos, bytes).toArray(LE_INT);
            case UINT64, INT64 -> seg.asSlice(pos, bytes).toArray(LE_LONG);
            case FLOAT32 -> seg.asSlice(pos, bytes).toArray(Quants.LE_FLOAT);
            case FLOAT64 -> seg.asSlice(pos, bytes).toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
            case BOOL -> {
                boolean[] b = new boolean[n];
                for (int i = 0; i < n; i++) {
                    int v = seg.get(ValueLayout.JAVA_BYTE, pos + i);
                    if (v != 0 && v != 1) throw error(f + "[" + i + "]", pos + i, "bool byte " + (v & 0xFF) + " is neither 0 nor 1");
                    b[i] = v == 1;
                }
                pos += n; // count <= remaining bytes was checked above
                yield b;
            }
            case STRING -> {
                String[] s = new String[n];
                for (int i = 0; i < n; i++) s[i] = new String(stringBytes(f, i), StandardCharsets.UTF_8);
                yield s;
            }
            case ARRAY -> throw new AssertionError();
        };
        if (et != GgufValueType.BOOL && et != GgufValueType.STRING) pos += bytes;
        return GgufValue.ownedArray(et, arr);
    }
}
