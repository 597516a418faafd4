// LlamaWeights: per-layer handles over the map, tied output, rope_freqs, and shape/type/presence rejections.
package gale.engine.model;

import gale.engine.gguf.Fixtures;
import gale.engine.gguf.GgmlType;
import gale.engine.gguf.GgufFile;
import gale.engine.gguf.GgufFormatException;
import gale.engine.gguf.GgufTensor;
import gale.engine.gguf.GgufWriter;
import org.junit.jupiter.api.Test;

import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.*;

class LlamaWeightsTest {

    @Test void layersAndShapesOfAValidModel() throws Exception {
        GgufFile f = Fixtures.parse(new TinyLlama().writer().toByteArray());
        LlamaWeights w = LlamaWeights.from(f);
        assertEquals(2, w.layers().size());
        assertFalse(w.outputTied());
        assertNotSame(w.tokenEmbedding(), w.output());
        assertTrue(w.ropeFreqs().isEmpty());
        LlamaWeights.Layer l1 = w.layer(1);
        assertEquals(1, l1.index());
        assertEquals("blk.1.attn_k.weight", l1.attnK().name());
        assertArrayEquals(new long[]{64, 32}, l1.attnK().shape());
        assertArrayEquals(new long[]{96, 64}, l1.ffnDown().shape());
        assertEquals(GgmlType.Q8_0, l1.attnQ().type());
        assertEquals(GgmlType.Q4_0, w.tokenEmbedding().type());
        assertEquals(GgmlType.F16, w.output().type());
        assertEquals(64, l1.attnNorm().asFloatArray().length());
        assertEquals(40, w.tokenEmbedding().rowCount());
    }

    @Test void tiedOutputAndRopeFreqs() throws Exception {
        TinyLlama t = new TinyLlama();
        t.tied = true;
        t.ropeFreqs = true;
        LlamaWeights w = LlamaWeights.from(Fixtures.parse(t.writer().toByteArray()));
        assertTrue(w.outputTied());
        assertSame(w.tokenEmbedding(), w.output());
        assertArrayEquals(new long[]{8}, w.ropeFreqs().orElseThrow().shape());
    }

    @Test void kQuantModel() throws Exception {
        TinyLlama t = new TinyLlama();
        t.dim = 256; t.ff = 512; t.layers = 1; t.heads = 4; t.kvHeads = 1;
        t.weightType = GgmlType.Q4_K; t.outputType = GgmlType.Q6_K; t.embeddingType = GgmlType.BF16;
        LlamaWeights w = LlamaWeights.from(Fixtures.parse(t.writer().toByteArray()));
        assertEquals(GgmlType.Q4_K, w.layer(0).ffnGate().type());
        assertArrayEquals(new long[]{256, 64}, w.layer(0).attnV().shape());
        assertEquals(256 * 40, w.output().dequantize().length);
    }

    /** Builds a model whose writer gets {@code edit} instead of the normal tensor set, and expects a rejection. */
    private static GgufFormatException reject(String field, boolean atInfo, BiConsumer<TinyLlama, GgufWriter> build) throws Exception {
        TinyLlama t = new TinyLlama();
        GgufWriter w = t.metadataOnly();
        build.accept(t, w);
        GgufFile f = Fixtures.parse(w.toByteArray());
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> LlamaWeights.from(f));
        String name = field.substring(field.indexOf('\'') + 1, field.lastIndexOf('\''));
        GgufTensor bad = f.tensor(name);
        Fixtures.assertField(e, field, atInfo ? bad.infoOffset() : -1);
        return e;
    }

    /** The standard tensor set with one tensor replaced (by name) or dropped. */
    private static void standard(TinyLlama t, GgufWriter w, String replace, GgmlType type, long... shape) {
        GgufFile ref;
        try {
            ref = Fixtures.parse(t.writer().toByteArray());
        } catch (GgufFormatException e) {
            throw new AssertionError(e);
        }
        for (GgufTensor x : ref.tensors()) {
            if (x.name().equals(replace)) {
                if (type != null) t.add(w, replace, type, shape);
            } else {
                w.addTensor(x.name(), x.type(), x.shape(), x.segment());
            }
        }
        if (ref.tensor(replace) == null && type != null) t.add(w, replace, type, shape);
    }

    @Test void missingTensor() throws Exception {
        reject("tensor 'blk.1.ffn_up.weight'", false, (t, w) -> standard(t, w, "blk.1.ffn_up.weight", null));
    }

    @Test void attnKWithoutGqaShape() throws Exception {
        GgufFormatException e = reject("tensor 'blk.0.attn_k.weight'.shape", true, (t, w) -> standard(t, w, "blk.0.attn_k.weight", GgmlType.Q8_0, 64, 64));
        assertTrue(e.getMessage().contains("expected [64, 32]"), e.getMessage());
    }

    @Test void transposedFfnDown() throws Exception {
        reject("tensor 'blk.1.ffn_down.weight'.shape", true, (t, w) -> standard(t, w, "blk.1.ffn_down.weight", GgmlType.F32, 64, 96));
    }

    @Test void embeddingWithWrongVocabulary() throws Exception {
        reject("tensor 'token_embd.weight'.shape", true, (t, w) -> standard(t, w, "token_embd.weight", GgmlType.F32, 64, 41));
    }

    @Test void outputWithWrongShape() throws Exception {
        reject("tensor 'output.weight'.shape", true, (t, w) -> standard(t, w, "output.weight", GgmlType.F16, 32, 40));
    }

    @Test void normWithWrongShape() throws Exception {
        reject("tensor 'blk.0.attn_norm.weight'.shape", true, (t, w) -> standard(t, w, "blk.0.attn_norm.weight", GgmlType.F32, 64, 1));
    }

    @Test void normNotF32() throws Exception {
        reject("tensor 'output_norm.weight'.type", true, (t, w) -> standard(t, w, "output_norm.weight", GgmlType.F16, 64));
    }

    @Test void ropeFreqsWithWrongShape() throws Exception {
        reject("tensor 'rope_freqs.weight'.shape", true, (t, w) -> standard(t, w, "rope_freqs.weight", GgmlType.F32, 16));
    }

    @Test void unsupportedWeightType() throws Exception {
        reject("tensor 'blk.0.attn_q.weight'.type", true, (t, w) -> {
            standard(t, w, "blk.0.attn_q.weight", null);
            w.addTensor("blk.0.attn_q.weight", GgmlType.Q5_1, new long[]{64, 64}, new byte[64 * 64 / 32 * 24]);
        });
    }

    @Test void layerBeyondBlockCount() throws Exception {
        GgufFormatException e = reject("tensor 'blk.2.attn_norm.weight'", true, (t, w) -> standard(t, w, "blk.2.attn_norm.weight", GgmlType.F32, 64));
        assertTrue(e.getMessage().contains("block_count is 2"));
    }
}
