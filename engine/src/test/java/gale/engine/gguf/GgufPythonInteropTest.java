// Interop with the reference Python implementation: a file written by gguf-py 0.19 reads back exactly, and
// rewriting it with GgufWriter gives the same bytes.
package gale.engine.gguf;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class GgufPythonInteropTest {
    /*
     * gguf-py-0.19.gguf was written by gguf-py 0.19.0's GGUFWriter (llama.cpp's Python package): scalars of every
     * type, arrays, and one tensor per supported type (Q8_0/Q4_0/BF16 quantised by gguf-py, Q4_K/Q6_K blocks from
     * ggml's quantize_row_*_ref). The SHA-256 values are of gguf-py's own dequantisation (gguf.quants.dequantize) of
     * each tensor, as little-endian float32.
     */
    private static final Map<String, String> DEQUANT_SHA256 = Map.of(
            "f32", "a45f1449a7c769a80f3cef94d3dc79d773eaef776f78f2acb41bec8d88da80c5",
            "f16", "9195c8c9bbb5d3c0b72af074bd3e0845b1b6276a7515df652737edb4c4005d9a",
            "bf16", "50979cc42e60cdb99c3d1333fc5a9b6cbb2aea5f1087f3f3a2882957dff0e99f",
            "q8_0", "d4e2b670324c18c48952379b46c9b0d03091c2361f620650a09bb8647b656bb8",
            "q4_0", "731e1e7f9a5c30568890738a1da9e849ecea7fa0df0562bc50ce89ee99c86f1a",
            "q4_k", "7644b0496cd3675cffe9cfab598bb33232b8db6ba22bcc7fc7114157b7c9e767",
            "q6_k", "3e25b80b19fab7173a1dae1ea9b3a67d7776cf56b4c98b933b2cbb260f50ea4d");

    private static Path fixture() throws Exception {
        return Path.of(GgufPythonInteropTest.class.getResource("/gguf/gguf-py-0.19.gguf").toURI());
    }

    @Test void readsAFileWrittenByGgufPy() throws Exception {
        try (GgufFile f = GgufFile.open(fixture())) {
            assertEquals(3, f.version());
            assertEquals("llama", f.get("general.architecture").asString());
            assertEquals(GgufValueType.UINT8, f.get("t.u8").type());
            assertEquals(200, f.get("t.u8").asLong());
            assertEquals(-100, f.get("t.i8").asLong());
            assertEquals(60000, f.get("t.u16").asLong());
            assertEquals(-30000, f.get("t.i16").asLong());
            assertEquals(4_000_000_000L, f.get("t.u32").asLong());
            assertEquals(-2_000_000_000, f.get("t.i32").asInt());
            assertEquals(0.25f, f.get("t.f32").asFloat());
            assertEquals("9223372036854775813", f.get("t.u64").toString());
            assertEquals(-(1L << 62), f.get("t.i64").asLong());
            assertEquals(-1.0 / 3, f.get("t.f64").asDouble());
            assertFalse(f.get("t.bool").asBoolean());
            assertEquals("gguf-py ▁ü", f.get("t.string").asString());
            assertArrayEquals(new int[]{1, 2, -3}, f.get("t.arr.i32").asIntArray());
            assertArrayEquals(new float[]{0.5f, -1.5f}, f.get("t.arr.f32").asFloatArray());
            assertArrayEquals(new String[]{"a", "bc", ""}, f.get("t.arr.str").asStringArray());
            assertArrayEquals(new boolean[]{true, false}, (boolean[]) f.get("t.arr.bool").arrayCopy());

            assertArrayEquals(new long[]{8, 3}, f.tensor("f32").shape());
            assertArrayEquals(new long[]{64, 4}, f.tensor("q4_0").shape());
            assertEquals(GgmlType.Q6_K, f.tensor("q6_k").type());
            for (GgufTensor t : f.tensors())
                assertEquals(DEQUANT_SHA256.get(t.name()), QuantsTest.sha256(QuantsTest.floatBytes(t.dequantize())), t.name() + " " + t.type());
        }
    }

    @Test void rewritingWithGgufWriterIsByteIdentical() throws Exception {
        byte[] original = Files.readAllBytes(fixture());
        GgufFile f = Fixtures.parse(original);
        GgufWriter w = new GgufWriter();
        f.metadata().forEach(w::put);
        for (GgufTensor t : f.tensors()) w.addTensor(t.name(), t.type(), t.shape(), t.segment());
        assertArrayEquals(original, w.toByteArray());
    }
}
