// LlamaConfig: hyperparameters read from metadata, defaults, and one rejection per out-of-range or contradictory key.
package gale.engine.model;

import gale.engine.gguf.Fixtures;
import gale.engine.gguf.GgufFile;
import gale.engine.gguf.GgufFormatException;
import gale.engine.gguf.GgufValue;
import gale.engine.gguf.GgufWriter;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

class LlamaConfigTest {

    private static GgufFile file(Consumer<GgufWriter> edit) throws GgufFormatException {
        GgufWriter w = new TinyLlama().metadataOnly();
        edit.accept(w);
        return Fixtures.parse(w.toByteArray());
    }

    /** Expects LlamaConfig.from to reject the edited metadata, naming {@code key} at its value's offset. */
    private static GgufFormatException reject(String key, Consumer<GgufWriter> edit) throws GgufFormatException {
        GgufFile f = file(edit);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> LlamaConfig.from(f));
        Fixtures.assertField(e, key, f.valueOffset(key));
        return e;
    }

    private static GgufWriter without(GgufWriter src, String drop) throws GgufFormatException {
        GgufWriter w = new GgufWriter();
        Fixtures.parse(src.toByteArray()).metadata().forEach((k, v) -> { if (!k.equals(drop)) w.put(k, v); });
        return w;
    }

    @Test void readsEveryHyperparameter() throws Exception {
        LlamaConfig c = LlamaConfig.from(file(w -> {}));
        assertEquals(new LlamaConfig(64, 2, 96, 4, 2, 1e-5f, 500000f, 16, 256, 40, 1, 2), c);
        assertEquals(16, c.headDim());
        assertEquals(32, c.kvDim());
        assertEquals(2, c.groupSize());
    }

    @Test void defaultsForOptionalKeys() throws Exception {
        GgufWriter w = new TinyLlama().metadataOnly();
        for (String k : new String[]{"llama.rope.freq_base", "llama.rope.dimension_count", "llama.attention.head_count_kv",
                "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"}) w = without(w, k);
        LlamaConfig c = LlamaConfig.from(Fixtures.parse(w.toByteArray()));
        assertEquals(10000f, c.ropeFreqBase());
        assertEquals(16, c.ropeDimensionCount());
        assertEquals(4, c.headCountKv());
        assertEquals(-1, c.bosTokenId());
    }

    @Test void float64EpsilonAndOtherIntegerTypesAccepted() throws Exception {
        LlamaConfig c = LlamaConfig.from(file(w -> {
            w.put("llama.attention.layer_norm_rms_epsilon", GgufValue.float64(1e-6));
            w.put("llama.block_count", GgufValue.uint64(3));
            w.put("llama.context_length", GgufValue.int32(512));
        }));
        assertEquals(1e-6f, c.rmsNormEps());
        assertEquals(3, c.blockCount());
        assertEquals(512, c.contextLength());
    }

    @Test void missingRequiredKey() throws Exception {
        GgufFile f = Fixtures.parse(without(new TinyLlama().metadataOnly(), "llama.feed_forward_length").toByteArray());
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> LlamaConfig.from(f));
        Fixtures.assertField(e, "llama.feed_forward_length", -1);
        assertTrue(e.getMessage().contains("missing"));
    }

    @Test void wrongArchitecture() throws Exception { reject("general.architecture", w -> w.putString("general.architecture", "gpt2")); }

    @Test void headsDoNotDivideEmbedding() throws Exception {
        assertTrue(reject("llama.attention.head_count", w -> w.putUInt32("llama.attention.head_count", 6)).getMessage().contains("does not divide"));
    }

    @Test void oddHeadDimension() throws Exception {
        reject("llama.attention.head_count", w -> { w.putUInt32("llama.embedding_length", 36); w.putUInt32("llama.attention.head_count", 4); });
    }

    @Test void kvHeadsDoNotDivideHeads() throws Exception { reject("llama.attention.head_count_kv", w -> w.putUInt32("llama.attention.head_count_kv", 3)); }

    @Test void moreKvHeadsThanHeads() throws Exception { reject("llama.attention.head_count_kv", w -> w.putUInt32("llama.attention.head_count_kv", 8)); }

    @Test void zeroKvHeads() throws Exception { reject("llama.attention.head_count_kv", w -> w.putUInt32("llama.attention.head_count_kv", 0)); }

    @Test void zeroLayers() throws Exception { reject("llama.block_count", w -> w.putUInt32("llama.block_count", 0)); }

    @Test void absurdLayers() throws Exception { reject("llama.block_count", w -> w.putUInt32("llama.block_count", 100_000)); }

    @Test void hugeUnsignedEmbedding() throws Exception {
        assertTrue(reject("llama.embedding_length", w -> w.put("llama.embedding_length", GgufValue.uint64(-1L)))
                .getMessage().contains("18446744073709551615"));
    }

    @Test void negativeFeedForward() throws Exception { reject("llama.feed_forward_length", w -> w.put("llama.feed_forward_length", GgufValue.int32(-5))); }

    @Test void zeroContext() throws Exception { reject("llama.context_length", w -> w.putUInt32("llama.context_length", 0)); }

    @Test void epsilonZero() throws Exception { reject("llama.attention.layer_norm_rms_epsilon", w -> w.putFloat32("llama.attention.layer_norm_rms_epsilon", 0f)); }

    @Test void epsilonNaN() throws Exception { reject("llama.attention.layer_norm_rms_epsilon", w -> w.putFloat32("llama.attention.layer_norm_rms_epsilon", Float.NaN)); }

    @Test void ropeBaseBelowOne() throws Exception { reject("llama.rope.freq_base", w -> w.putFloat32("llama.rope.freq_base", 0.5f)); }

    @Test void ropeBaseInfinite() throws Exception { reject("llama.rope.freq_base", w -> w.putFloat32("llama.rope.freq_base", Float.POSITIVE_INFINITY)); }

    @Test void ropeDimsAboveHeadDim() throws Exception { reject("llama.rope.dimension_count", w -> w.putUInt32("llama.rope.dimension_count", 32)); }

    @Test void ropeDimsOdd() throws Exception { reject("llama.rope.dimension_count", w -> w.putUInt32("llama.rope.dimension_count", 15)); }

    @Test void bosOutsideVocabulary() throws Exception { reject("tokenizer.ggml.bos_token_id", w -> w.putUInt32("tokenizer.ggml.bos_token_id", 40)); }

    @Test void eosOutsideVocabulary() throws Exception { reject("tokenizer.ggml.eos_token_id", w -> w.putUInt32("tokenizer.ggml.eos_token_id", 1000)); }

    @Test void vocabSizeDisagreesWithTokens() throws Exception { reject("llama.vocab_size", w -> w.putUInt32("llama.vocab_size", 41)); }

    @Test void vocabFromVocabSizeWhenNoTokens() throws Exception {
        GgufWriter w = without(without(without(new TinyLlama().metadataOnly(), "tokenizer.ggml.tokens"), "tokenizer.ggml.scores"), "tokenizer.ggml.token_type");
        w.putUInt32("llama.vocab_size", 77);
        assertEquals(77, LlamaConfig.from(Fixtures.parse(w.toByteArray())).vocabSize());
        GgufFile none = Fixtures.parse(without(w, "llama.vocab_size").toByteArray());
        Fixtures.assertField(assertThrows(GgufFormatException.class, () -> LlamaConfig.from(none)), "tokenizer.ggml.tokens", -1);
    }

    @Test void constructorValidatesToo() {
        assertThrows(IllegalArgumentException.class, () -> new LlamaConfig(64, 2, 96, 6, 2, 1e-5f, 1e4f, 16, 256, 40, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new LlamaConfig(64, 2, 96, 4, 2, 1e-5f, 1e4f, 16, 256, 40, 1, 40));
    }
}
