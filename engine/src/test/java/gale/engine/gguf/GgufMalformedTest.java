// The malformed-GGUF corpus: one hand-made file per defect, each rejected with the field and offset named.
package gale.engine.gguf;

import gale.engine.gguf.Fixtures.Raw;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static gale.engine.gguf.Fixtures.expect;
import static org.junit.jupiter.api.Assertions.*;

class GgufMalformedTest {
    @TempDir Path dir;

    private static final int F32 = GgmlType.F32.id();

    // ---------------------------------------------------------------- header

    @Test void badMagic() {
        byte[] b = Raw.header(3, 0, 0).build();
        b[3] = 'L';
        assertTrue(expect(b, "header.magic", 0).getMessage().contains("0x4c554747"));
    }

    @Test void tooShortForMagic() { expect(new byte[]{'G', 'G', 'U'}, "header.magic", 0); }

    @Test void emptyFileOnDisk() throws Exception {
        Path p = Files.createFile(dir.resolve("empty.gguf"));
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
        assertEquals("header.magic", e.field());
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }

    @Test void obsoleteVersion1() { assertTrue(expect(Raw.header(1, 0, 0).build(), "header.version", 4).getMessage().contains("obsolete")); }

    @Test void unknownVersion() { expect(Raw.header(4, 0, 0).build(), "header.version", 4); }

    @Test void bigEndianFile() { assertTrue(expect(Raw.header(0x03000000L, 0, 0).build(), "header.version", 4).getMessage().contains("big-endian")); }

    @Test void truncatedHeader() { expect(new Raw().u32(0x46554747).u32(3).u32(0).build(), "header.tensor_count", 8); }

    @Test void tensorCountTooLargeForFile() { expect(Raw.header(3, 1000, 0).zeros(100).build(), "header.tensor_count", 8); }

    @Test void tensorCountAbove2To63() { expect(Raw.header(3, -1L, 0).zeros(100).build(), "header.tensor_count", 8); }

    @Test void kvCountTooLargeForFile() { expect(Raw.header(3, 0, 1000).zeros(100).build(), "header.kv_count", 16); }

    @Test void countsTogetherTooLarge() { expect(Raw.header(3, 2, 4).zeros(100).build(), "header.kv_count", 16); }

    // ---------------------------------------------------------------- metadata

    @Test void keyLongerThanFile() { expect(Raw.header(3, 0, 1).u64(1000).zeros(20).build(), "kv[0].key.length", 24); }

    @Test void keyLongerThanCap() { expect(Raw.header(3, 0, 1).u64(1L << 40).zeros(20).build(), "kv[0].key.length", 24); }

    @Test void emptyKey() { expect(Raw.header(3, 0, 1).str("").u32(0).u8(0).zeros(8).build(), "kv[0].key", 24); }

    @Test void keyOverTheSpecLimit() {
        assertTrue(expect(Raw.header(3, 0, 1).str("k".repeat(65536)).u32(0).u8(0).build(), "kv[0].key", 24).getMessage().contains("65535"));
    }

    @Test void keyNotUtf8() {
        expect(Raw.header(3, 0, 1).u64(2).bytes(new byte[]{(byte) 0xC3, 0x28}).u32(0).u8(0).build(), "kv[0].key", 24);
    }

    @Test void duplicateKey() { expect(Raw.header(3, 0, 2).kvU32("a", 1).kvU32("a", 2).build(), "key 'a'", 24 + 17); }

    @Test void unknownValueType() { expect(Raw.header(3, 0, 1).str("k").u32(13).u32(0).zeros(4).build(), "key 'k'.type", 33); }

    @Test void boolByteNotZeroOrOne() { expect(Raw.header(3, 0, 1).str("b").u32(7).u8(2).build(), "key 'b'", 37); }

    @Test void boolArrayElementNotZeroOrOne() {
        expect(Raw.header(3, 0, 1).str("b").u32(9).u32(7).u64(2).u8(1).u8(5).build(), "key 'b'[1]", 50);
    }

    @Test void nestedArray() {
        GgufFormatException e = expect(Raw.header(3, 0, 1).str("n").u32(9).u32(9).u64(1).u32(5).u64(0).build(), "key 'n'.element_type", 37);
        assertTrue(e.getMessage().contains("arrays of arrays"));
    }

    @Test void unknownArrayElementType() { expect(Raw.header(3, 0, 1).str("a").u32(9).u32(42).u64(0).build(), "key 'a'.element_type", 37); }

    @Test void arrayLongerThanFile() { expect(Raw.header(3, 0, 1).str("a").u32(9).u32(5).u64(1000).zeros(8).build(), "key 'a'.count", 41); }

    @Test void arrayCountAbove2To63() { expect(Raw.header(3, 0, 1).str("a").u32(9).u32(5).u64(-1L).zeros(8).build(), "key 'a'.count", 41); }

    @Test void stringArrayOverCap() {
        GgufFormatException e = expect(Raw.header(3, 0, 1).str("a").u32(9).u32(8).u64((1L << 24) + 1).zeros(8).build(), "key 'a'.count", 41);
        assertTrue(e.getMessage().contains("cap"));
    }

    @Test void stringValueLongerThanFile() { expect(Raw.header(3, 0, 1).str("s").u32(8).u64(999).zeros(4).build(), "key 's'.length", 37); }

    @Test void stringInArrayLongerThanFile() {
        expect(Raw.header(3, 0, 1).str("s").u32(9).u32(8).u64(2).str("ok").u64(50).zeros(4).build(), "key 's'[1].length", 59);
    }

    @Test void alignmentZero() { expect(Raw.header(3, 0, 1).kvU32("general.alignment", 0).build(), "general.alignment", 53); }

    @Test void alignmentNotPowerOfTwo() { expect(Raw.header(3, 0, 1).kvU32("general.alignment", 48).build(), "general.alignment", 53); }

    @Test void alignmentAbsurd() { expect(Raw.header(3, 0, 1).kvU32("general.alignment", 1 << 21).build(), "general.alignment", 53); }

    @Test void alignmentOfWrongType() {
        GgufFormatException e = expect(Raw.header(3, 0, 1).str("general.alignment").u32(10).u64(32).build(), "general.alignment", 53);
        assertTrue(e.getMessage().contains("UINT32"));
    }

    private static byte[] oneKv(String key, Raw valueWithType, long[] at) {
        Raw r = Raw.header(3, 0, 1).str(key);
        at[0] = r.pos() + 4;
        return r.bytes(valueWithType.build()).build();
    }

    @Test void blockCountAsString() {
        long[] at = new long[1];
        byte[] b = oneKv("llama.block_count", new Raw().u32(8).str("12"), at);
        assertTrue(expect(b, "llama.block_count", at[0]).getMessage().contains("integer"));
    }

    @Test void hyperparameterTypesCheckedForTheDeclaredArchitecture() {
        Raw r = Raw.header(3, 0, 2).str("general.architecture").u32(8).str("qwen2").str("qwen2.block_count").u32(8);
        long at = r.pos();
        expect(r.str("x").build(), "qwen2.block_count", at);
    }

    @Test void epsilonAsInteger() {
        long[] at = new long[1];
        expect(oneKv("llama.attention.layer_norm_rms_epsilon", new Raw().u32(4).u32(1), at), "llama.attention.layer_norm_rms_epsilon", at[0]);
    }

    @Test void scoresNotF32Array() {
        long[] at = new long[1];
        byte[] b = oneKv("tokenizer.ggml.scores", new Raw().u32(9).u32(GgufValueType.INT32.id()).u64(1).u32(0), at);
        assertTrue(expect(b, "tokenizer.ggml.scores", at[0]).getMessage().contains("FLOAT32"));
    }

    @Test void tokenTypeNotI32Array() {
        long[] at = new long[1];
        byte[] b = oneKv("tokenizer.ggml.token_type", new Raw().u32(9).u32(GgufValueType.FLOAT32.id()).u64(1).u32(0), at);
        expect(b, "tokenizer.ggml.token_type", at[0]);
    }

    @Test void tokensNotAStringArray() {
        long[] at = new long[1];
        expect(oneKv("tokenizer.ggml.tokens", new Raw().u32(8).str("abc"), at), "tokenizer.ggml.tokens", at[0]);
    }

    @Test void scoresLengthDiffersFromTokens() throws Exception {
        GgufWriter w = new GgufWriter();
        w.put("tokenizer.ggml.tokens", GgufValue.stringArray("a", "b", "c"));
        w.put("tokenizer.ggml.scores", GgufValue.float32Array(0f, 1f));
        byte[] b = w.toByteArray();
        long at = 24 + 8 + "tokenizer.ggml.tokens".length() + 4 + 4 + 8 + 3 * 9 + 8 + "tokenizer.ggml.scores".length() + 4;
        expect(b, "tokenizer.ggml.scores", at);
    }

    // ---------------------------------------------------------------- tensor infos

    @Test void emptyTensorName() { expect(Raw.header(3, 1, 0).tensor("", GgmlType.F32, 0, 4).zeros(64).build(), "tensor[0].name", 24); }

    @Test void tensorNameOver63Bytes() {
        GgufFormatException e = expect(Raw.header(3, 1, 0).tensor("n".repeat(64), GgmlType.F32, 0, 4).zeros(64).build(), "tensor[0].name", 24);
        assertTrue(e.getMessage().contains("63"));
    }

    @Test void tensorNameNotUtf8() {
        expect(Raw.header(3, 1, 0).u64(1).u8(0xFF).u32(1).u64(4).u32(F32).u64(0).zeros(64).build(), "tensor[0].name", 24);
    }

    @Test void duplicateTensorName() {
        expect(Raw.header(3, 2, 0).tensor("w", GgmlType.F32, 0, 4).tensor("w", GgmlType.F32, 32, 4).pad(32).zeros(64).build(), "tensor 'w'.name", 57);
    }

    @Test void zeroDimensions() { expect(Raw.header(3, 1, 0).str("w").u32(0).u32(F32).u64(0).zeros(64).build(), "tensor 'w'.n_dims", 33); }

    @Test void fiveDimensions() { expect(Raw.header(3, 1, 0).tensor("w", GgmlType.F32, 0, 1, 1, 1, 1, 1).zeros(64).build(), "tensor 'w'.n_dims", 33); }

    @Test void zeroSizedDimension() { expect(Raw.header(3, 1, 0).tensor("w", GgmlType.F32, 0, 0).zeros(64).build(), "tensor 'w'.ne[0]", 37); }

    @Test void dimensionAbove2To63() { expect(Raw.header(3, 1, 0).tensor("w", GgmlType.F32, 0, 1L << 63).zeros(64).build(), "tensor 'w'.ne[0]", 37); }

    @Test void elementCountOverflows() {
        GgufFormatException e = expect(Raw.header(3, 1, 0).tensor("w", GgmlType.F32, 0, 1L << 32, 1L << 32).zeros(64).build(), "tensor 'w'.ne[1]", 45);
        assertTrue(e.getMessage().contains("overflow"));
    }

    @Test void byteSizeOverflows() {
        GgufFormatException e = expect(Raw.header(3, 1, 0).tensor("w", GgmlType.F32, 0, 1L << 62).zeros(64).build(), "tensor 'w'.type", 45);
        assertTrue(e.getMessage().contains("overflow"));
    }

    @Test void unknownTensorType() {
        expect(Raw.header(3, 1, 0).str("w").u32(1).u64(4).u32(99).u64(0).zeros(64).build(), "tensor 'w'.type", 45);
        expect(Raw.header(3, 1, 0).str("w").u32(1).u64(4).u32(4).u64(0).zeros(64).build(), "tensor 'w'.type", 45); // removed Q4_2
    }

    @Test void rowNotAMultipleOfTheBlockSize() {
        GgufFormatException e = expect(Raw.header(3, 1, 0).tensor("w", GgmlType.Q8_0, 0, 33).zeros(64).build(), "tensor 'w'.ne[0]", 37);
        assertTrue(e.getMessage().contains("block size 32"));
    }

    @Test void unalignedOffset() { expect(Raw.header(3, 1, 0).tensor("w", GgmlType.F32, 4, 4).pad(32).zeros(64).build(), "tensor 'w'.offset", 49); }

    @Test void offsetAbove2To63() { expect(Raw.header(3, 1, 0).tensor("w", GgmlType.F32, 1L << 63, 4).pad(32).zeros(64).build(), "tensor 'w'.offset", 49); }

    @Test void offsetPastTheEnd() { expect(Raw.header(3, 1, 0).tensor("w", GgmlType.F32, 1024, 4).pad(32).zeros(64).build(), "tensor 'w'.offset", 49); }

    @Test void dataRunsPastTheEnd() { expect(Raw.header(3, 1, 0).tensor("w", GgmlType.F32, 0, 16).pad(32).zeros(32).build(), "tensor 'w'.offset", 49); }

    @Test void overlappingTensors() {
        GgufFormatException e = expect(Raw.header(3, 2, 0).tensor("a", GgmlType.F32, 0, 16).tensor("b", GgmlType.F32, 32, 8).pad(32).zeros(128).build(),
                "tensor 'b'.offset", 82);
        assertTrue(e.getMessage().contains("overlaps tensor 'a'"));
    }

    @Test void dataSectionPastTheEnd() { expect(Raw.header(3, 1, 0).tensor("a", GgmlType.F32, 0, 1).build(), "data section", 57); }

    @Test void customAlignmentAppliesToOffsets() {
        Raw r = Raw.header(3, 1, 1).kvU32("general.alignment", 64).tensor("w", GgmlType.F32, 32, 4);
        long offsetAt = r.pos() - 8;
        expect(r.pad(64).zeros(128).build(), "tensor 'w'.offset", offsetAt);
    }

    @Test void validHandMadeFileParses() throws Exception {
        byte[] b = Raw.header(2, 2, 1).kvU32("general.alignment", 16).tensor("a", GgmlType.F32, 0, 4).tensor("b", GgmlType.F32, 16, 2)
                .pad(16).zeros(32).build();
        GgufFile f = Fixtures.parse(b);
        assertEquals(2, f.version());
        assertEquals(16, f.alignment());
        assertEquals(f.dataOffset() + 16, f.tensor("b").fileOffset());
    }
}
