// Test fixtures: GGUF files with every metadata and tensor type, and a hand-writer for malformed bytes.
package gale.engine.gguf;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public final class Fixtures {
    private Fixtures() {}

    /** Every supported tensor type with a small shape (ne[0] a block multiple). */
    static final Object[][] TENSORS = {
            {"f32", GgmlType.F32, new long[]{8, 3}},
            {"f16", GgmlType.F16, new long[]{4, 2, 2}},
            {"bf16", GgmlType.BF16, new long[]{6}},
            {"q8_0", GgmlType.Q8_0, new long[]{64, 2}},
            {"q4_0", GgmlType.Q4_0, new long[]{32, 3, 1, 1}},
            {"q4_k", GgmlType.Q4_K, new long[]{256, 2}},
            {"q6_k", GgmlType.Q6_K, new long[]{256}},
    };

    static float[] values(long n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** A writer with metadata of all 13 types (scalars and arrays of each element type) and a tensor of each type. */
    public static GgufWriter allTypes() {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("test"));
        w.put("t.u8", GgufValue.uint8(255));
        w.put("t.i8", GgufValue.int8(-128));
        w.put("t.u16", GgufValue.uint16(65535));
        w.put("t.i16", GgufValue.int16(-32768));
        w.put("t.u32", GgufValue.uint32(0xFFFF_FFFFL));
        w.put("t.i32", GgufValue.int32(Integer.MIN_VALUE));
        w.put("t.f32", GgufValue.float32(-1.5e-3f));
        w.put("t.bool", GgufValue.bool(true));
        w.put("t.string", GgufValue.string("héllo ▁wörld 🙂"));
        w.put("t.empty_string", GgufValue.string(""));
        w.put("t.u64", GgufValue.uint64(-1L));
        w.put("t.i64", GgufValue.int64(Long.MIN_VALUE));
        w.put("t.f64", GgufValue.float64(Math.PI));
        w.put("t.arr.u8", GgufValue.array(GgufValueType.UINT8, new byte[]{0, 1, (byte) 255}));
        w.put("t.arr.i8", GgufValue.array(GgufValueType.INT8, new byte[]{-1, 2}));
        w.put("t.arr.u16", GgufValue.array(GgufValueType.UINT16, new short[]{(short) 65535, 7}));
        w.put("t.arr.i16", GgufValue.array(GgufValueType.INT16, new short[]{-3}));
        w.put("t.arr.u32", GgufValue.array(GgufValueType.UINT32, new int[]{-1, 5}));
        w.put("t.arr.i32", GgufValue.int32Array(1, -2, 3));
        w.put("t.arr.f32", GgufValue.float32Array(0.5f, Float.NaN, Float.NEGATIVE_INFINITY));
        w.put("t.arr.bool", GgufValue.array(GgufValueType.BOOL, new boolean[]{true, false, true}));
        w.put("t.arr.string", GgufValue.stringArray("a", "", "<0x0A>", "▁the"));
        w.put("t.arr.u64", GgufValue.array(GgufValueType.UINT64, new long[]{-1L, 0}));
        w.put("t.arr.i64", GgufValue.array(GgufValueType.INT64, new long[]{Long.MIN_VALUE}));
        w.put("t.arr.f64", GgufValue.array(GgufValueType.FLOAT64, new double[]{1e300, -0.0}));
        w.put("t.arr.empty", GgufValue.array(GgufValueType.INT32, new int[0]));
        long seed = 1;
        for (Object[] t : TENSORS) {
            long[] shape = (long[]) t[2];
            w.addTensor((String) t[0], (GgmlType) t[1], shape, values(count(shape), seed++));
        }
        return w;
    }

    public static GgufFile parse(byte[] b) throws GgufFormatException {
        return GgufFile.parse(MemorySegment.ofArray(b), "test.gguf");
    }

    /** Parses {@code b}, expecting a GgufFormatException that names {@code field} at {@code offset}. */
    public static GgufFormatException expect(byte[] b, String field, long offset) {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> parse(b));
        assertField(e, field, offset);
        return e;
    }

    public static void assertField(GgufFormatException e, String field, long offset) {
        System.out.println("rejected: " + e.getMessage());
        assertTrue(e.field().contains(field), "field '" + e.field() + "' should name '" + field + "': " + e.getMessage());
        assertEquals(offset, e.offset(), "offset in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("test.gguf: "), e.getMessage());
        if (offset >= 0) assertTrue(e.getMessage().contains("at offset " + offset), e.getMessage());
    }

    /** Little-endian hand-writer for malformed files; {@link #pos()} gives the offset of the next field. */
    static final class Raw {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        static Raw header(long version, long tensors, long kvs) {
            return new Raw().u32(0x46554747).u32(version).u64(tensors).u64(kvs);
        }

        long pos() { return out.size(); }
        Raw u8(int v) { out.write(v); return this; }
        Raw u32(long v) { for (int i = 0; i < 4; i++) out.write((int) (v >> (8 * i))); return this; }
        Raw u64(long v) { for (int i = 0; i < 8; i++) out.write((int) (v >> (8 * i))); return this; }
        Raw bytes(byte[] b) { out.write(b, 0, b.length); return this; }
        Raw str(String s) { byte[] b = s.getBytes(StandardCharsets.UTF_8); return u64(b.length).bytes(b); }
        Raw pad(int a) { while (out.size() % a != 0) out.write(0); return this; }
        Raw zeros(int n) { for (int i = 0; i < n; i++) out.write(0); return this; }
        /** A KV with a UINT32 value. */
        Raw kvU32(String k, long v) { return str(k).u32(GgufValueType.UINT32.id()).u32(v); }
        /** A tensor info. */
        Raw tensor(String name, GgmlType t, long offset, long... ne) {
            str(name).u32(ne.length);
            for (long d : ne) u64(d);
            return u32(t.id()).u64(offset);
        }
        byte[] build() { return out.toByteArray(); }
    }
}
