// Write-then-read round trips: every metadata type, every tensor type, v2 and v3, alignment, zero-copy views.
package gale.engine.gguf;

import gale.compute.FloatArray;
import gale.compute.HalfArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class GgufRoundTripTest {
    @TempDir Path dir;

    @Test void everyMetadataAndTensorTypeRoundTripsThroughAFile() throws Exception {
        GgufWriter w = Fixtures.allTypes();
        Path p = dir.resolve("all.gguf");
        w.write(p);
        byte[] expectedBytes = w.toByteArray();
        assertArrayEquals(expectedBytes, Files.readAllBytes(p), "write(Path) and toByteArray() agree");
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(3, f.version());
            assertEquals(32, f.alignment());
            assertEquals(0, f.dataOffset() % 32);
            GgufFile mem = Fixtures.parse(expectedBytes);
            assertEquals(mem.metadata(), f.metadata());
            assertEquals(255, f.get("t.u8").asLong());
            assertEquals(-128, f.get("t.i8").asLong());
            assertEquals(65535, f.get("t.u16").asLong());
            assertEquals(-32768, f.get("t.i16").asLong());
            assertEquals(0xFFFF_FFFFL, f.get("t.u32").asLong());
            assertEquals(Integer.MIN_VALUE, f.get("t.i32").asInt());
            assertEquals(-1.5e-3f, f.get("t.f32").asFloat());
            assertTrue(f.get("t.bool").asBoolean());
            assertEquals("héllo ▁wörld 🙂", f.get("t.string").asString());
            assertEquals("", f.get("t.empty_string").asString());
            assertEquals(GgufValueType.UINT64, f.get("t.u64").type());
            assertEquals(-1L, f.get("t.u64").asLong());
            assertEquals(1.8446744073709552E19, f.get("t.u64").asDouble());
            assertEquals(Long.MIN_VALUE, f.get("t.i64").asLong());
            assertEquals(Math.PI, f.get("t.f64").asDouble());
            assertArrayEquals(new String[]{"a", "", "<0x0A>", "▁the"}, f.get("t.arr.string").asStringArray());
            assertArrayEquals(new int[]{1, -2, 3}, f.get("t.arr.i32").asIntArray());
            assertEquals(0, f.get("t.arr.empty").arrayLength());
            assertTrue(Float.isNaN(f.get("t.arr.f32").asFloatArray()[1]));
            assertArrayEquals(new boolean[]{true, false, true}, (boolean[]) f.get("t.arr.bool").arrayCopy());
            assertArrayEquals(new double[]{1e300, -0.0}, (double[]) f.get("t.arr.f64").arrayCopy());

            // every key in the writer's order, each with its exact type
            List<String> keys = List.copyOf(f.metadata().keySet());
            assertEquals("general.architecture", keys.get(0));
            assertEquals(27, keys.size());
            for (Map.Entry<String, GgufValue> e : f.metadata().entrySet())
                assertEquals(e.getValue(), mem.get(e.getKey()), e.getKey());

            assertEquals(Fixtures.TENSORS.length, f.tensors().size());
            long seed = 1;
            for (Object[] t : Fixtures.TENSORS) {
                GgufTensor tensor = f.tensor((String) t[0]);
                GgmlType type = (GgmlType) t[1];
                long[] shape = (long[]) t[2];
                assertEquals(type, tensor.type());
                assertArrayEquals(shape, tensor.shape());
                assertEquals(0, tensor.dataOffset() % 32, "aligned offset");
                float[] original = Fixtures.values(Fixtures.count(shape), seed++);
                assertArrayEquals(type.dequantize(type.quantize(original)), tensor.dequantize(), type.toString());
                float[] row = new float[(int) shape[0]];
                tensor.dequantizeRow(tensor.rowCount() - 1, row);
                float[] all = tensor.dequantize();
                for (int i = 0; i < row.length; i++) assertEquals(all[all.length - row.length + i], row[i]);
            }
        }
    }

    @Test void tensorsAreZeroCopyViewsOfTheMap() throws Exception {
        Path p = dir.resolve("views.gguf");
        Fixtures.allTypes().write(p);
        GgufFile f = GgufFile.open(p);
        GgufTensor f32 = f.tensor("f32");
        MemorySegment whole = f.segment();
        assertEquals(whole.address() + f32.fileOffset(), f32.segment().address(), "a slice of the map, not a copy");
        assertTrue(f32.segment().isMapped());
        assertTrue(f32.segment().isReadOnly());
        FloatArray fa = f32.asFloatArray();
        assertEquals(24, fa.length());
        assertEquals(f32.dequantize()[5], fa.get(5));
        HalfArray ha = f.tensor("f16").asHalfArray();
        assertEquals(f.tensor("f16").dequantize()[3], ha.getFloat(3));
        assertEquals(f.tensor("q4_k").byteSize(), f.tensor("q4_k").asByteArray().length());
        assertEquals(2 * 144, f.tensor("q4_k").byteSize());
        assertThrows(IllegalStateException.class, () -> f.tensor("q8_0").asFloatArray());
        f.close();
        f.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> fa.get(0), "the map is gone after close");
    }

    @Test void tensorsBeyondTwoGigabytesInOneMap() throws Exception {
        // a sparse file: the tensor's data lies 3 GiB into the data section, without using 3 GiB of disk
        long far = 3L << 30;
        byte[] head = Fixtures.Raw.header(3, 2, 0).tensor("near", GgmlType.F32, 0, 8).tensor("far", GgmlType.F32, far, 8).pad(32).build();
        Path p = dir.resolve("sparse.gguf");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            raf.write(head);
            raf.setLength(head.length + far + 32);
            raf.seek(head.length + far);
            raf.write(new byte[]{0, 0, (byte) 0x80, 0x3F}); // 1.0f
        }
        try (GgufFile f = GgufFile.open(p)) {
            GgufTensor t = f.tensor("far");
            assertTrue(t.fileOffset() > Integer.MAX_VALUE);
            assertEquals(1.0f, t.asFloatArray().get(0));
            assertEquals(0.0f, t.dequantize()[7]);
        }
    }

    @Test void floatArraysExportAndRowSlices() throws Exception {
        float[] v = Fixtures.values(64 * 3, 99);
        GgufWriter w = new GgufWriter()
                .addTensor("a", GgmlType.F32, new long[]{64, 3}, FloatArray.of(v))
                .addTensor("b", GgmlType.Q8_0, new long[]{64, 3}, FloatArray.of(v));
        GgufFile f = Fixtures.parse(w.toByteArray());
        assertArrayEquals(v, f.tensor("a").dequantize());
        assertArrayEquals(GgmlType.Q8_0.dequantize(GgmlType.Q8_0.quantize(v)), f.tensor("b").dequantize());
        GgufTensor b = f.tensor("b");
        assertEquals(2 * 34, b.rowBytes());
        assertEquals(b.segment().address() + 2 * b.rowBytes(), b.rowSegment(2).address());
        assertThrows(IndexOutOfBoundsException.class, () -> b.rowSegment(3));
    }

    @Test void version2AndCustomAlignmentRoundTrip() throws Exception {
        GgufWriter w = Fixtures.allTypes().version(2).alignment(64);
        GgufFile f = Fixtures.parse(w.toByteArray());
        assertEquals(2, f.version());
        assertEquals(64, f.alignment());
        assertEquals(0, f.dataOffset() % 64);
        for (GgufTensor t : f.tensors()) assertEquals(0, t.fileOffset() % 64, t.name());
        assertEquals(Fixtures.parse(Fixtures.allTypes().toByteArray()).metadata().get("t.arr.string"), f.get("t.arr.string"));
    }

    @Test void fileWithoutTensorsOrMetadata() throws Exception {
        GgufFile f = Fixtures.parse(new GgufWriter().toByteArray());
        assertTrue(f.metadata().isEmpty());
        assertTrue(f.tensors().isEmpty());
        assertEquals(32, Fixtures.parse(Fixtures.Raw.header(3, 0, 0).build()).dataOffset(), "header-only file: data would start at the next multiple of 32");
    }

    @Test void writerRejectsWhatTheReaderWouldReject() {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("", GgmlType.F32, new long[]{1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), GgmlType.F32, new long[]{1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.Q8_0, new long[]{33}, new float[33]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("z", GgmlType.F32, new long[]{0}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("d", GgmlType.F32, new long[]{1, 1, 1, 1, 1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("s", GgmlType.F32, new long[]{2}, new byte[4]));
        w.addTensor("ok", GgmlType.F32, new long[]{1}, new float[1]);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("ok", GgmlType.F32, new long[]{1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.alignment(48));
        assertThrows(IllegalArgumentException.class, () -> w.put("general.alignment", GgufValue.uint64(32)));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.uint8(256));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.array(GgufValueType.ARRAY, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.array(GgufValueType.FLOAT32, new int[0]));
    }
}
