// Writes a trained model as a GGUF that `gale run` and llama.cpp load: Llama metadata, the tokenizer, and the
// weights as F32, F16 or Q8_0 (norms stay F32, as llama.cpp's converters keep them).
package gale.engine.train;

import gale.engine.gguf.GgmlType;
import gale.engine.gguf.GgufValue;
import gale.engine.gguf.GgufWriter;
import gale.engine.model.LlamaConfig;
import gale.tokenizer.Vocabulary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Stateless; thread-safe. */
public final class GgufExport {
    private GgufExport() {}

    /** Extra metadata carried into the file: a chat template and free-form {@code gale.*} strings. */
    public record Extras(String chatTemplate, Map<String, String> strings) {
        public static Extras none() { return new Extras(null, Map.of()); }
    }

    /**
     * Writes {@code params} (by GGUF tensor name, F32 row-major as {@link TrainableLlama#readParameters()} returns
     * them, plus an optional {@code rope_freqs.weight}, always kept F32) to {@code path} with 2-D weights stored as
     * {@code type}.
     *
     * @throws IllegalArgumentException naming the tensor when a parameter is missing, has the wrong size, or its row
     *                                  length is not a multiple of the quant block (Q8_0 needs multiples of 32)
     */
    public static void write(Path path, String name, LlamaConfig c, boolean tied, Map<String, float[]> params,
                             Vocabulary vocab, GgmlType type, Extras extras) throws IOException {
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.Q8_0)
            throw new IllegalArgumentException("export type " + type + " is not supported (F32, F16, Q8_0)");
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", name)
                .putUInt32("general.alignment", 32)
                .putUInt32("general.file_type", type == GgmlType.F32 ? 0 : type == GgmlType.F16 ? 1 : 7)
                .putUInt32("llama.embedding_length", c.embeddingLength())
                .putUInt32("llama.block_count", c.blockCount())
                .putUInt32("llama.feed_forward_length", c.feedForwardLength())
                .putUInt32("llama.attention.head_count", c.headCount())
                .putUInt32("llama.attention.head_count_kv", c.headCountKv())
                .putFloat32("llama.attention.layer_norm_rms_epsilon", c.rmsNormEps())
                .putFloat32("llama.rope.freq_base", c.ropeFreqBase())
                .putUInt32("llama.rope.dimension_count", c.ropeDimensionCount())
                .putUInt32("llama.context_length", c.contextLength())
                .putUInt32("llama.vocab_size", c.vocabSize());
        putVocabulary(w, vocab);
        if (extras.chatTemplate() != null) w.putString("tokenizer.chat_template", extras.chatTemplate());
        for (var e : extras.strings().entrySet()) w.putString(e.getKey(), e.getValue());
        for (var e : shapes(c, tied).entrySet()) {
            String t = e.getKey();
            long[] shape = e.getValue();
            float[] v = params.get(t);
            long n = shape.length == 1 ? shape[0] : shape[0] * shape[1];
            if (v == null) throw new IllegalArgumentException("export: tensor " + t + " is missing");
            if (v.length != n) throw new IllegalArgumentException("export: tensor " + t + " has " + v.length + " values, expected " + n);
            GgmlType tt = shape.length == 1 ? GgmlType.F32 : type;
            if (shape[0] % tt.blockSize() != 0)
                throw new IllegalArgumentException("export: tensor " + t + " rows of " + shape[0] + " are not a multiple of " + tt + "'s block of " + tt.blockSize());
            w.addTensor(t, tt, shape, v);
        }
        float[] rf = params.get("rope_freqs.weight");
        if (rf != null) {
            int expected = c.ropeDimensionCount() / 2;
            if (rf.length != expected)
                throw new IllegalArgumentException("export: tensor rope_freqs.weight has " + rf.length + " values, expected " + expected);
            w.addTensor("rope_freqs.weight", GgmlType.F32, new long[]{rf.length}, rf);
        }
        w.write(path);
    }

    /** Every parameter's GGUF shape (ggml order: row length first), in file order. */
    public static Map<String, long[]> shapes(LlamaConfig c, boolean tied) {
        long dim = c.embeddingLength(), kv = c.kvDim(), ff = c.feedForwardLength(), vocab = c.vocabSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("token_embd.weight", new long[]{dim, vocab});
        m.put("output_norm.weight", new long[]{dim});
        if (!tied) m.put("output.weight", new long[]{dim, vocab});
        for (int l = 0; l < c.blockCount(); l++) {
            String p = "blk." + l + ".";
            m.put(p + "attn_norm.weight", new long[]{dim});
            m.put(p + "attn_q.weight", new long[]{dim, dim});
            m.put(p + "attn_k.weight", new long[]{dim, kv});
            m.put(p + "attn_v.weight", new long[]{dim, kv});
            m.put(p + "attn_output.weight", new long[]{dim, dim});
            m.put(p + "ffn_norm.weight", new long[]{dim});
            m.put(p + "ffn_gate.weight", new long[]{dim, ff});
            m.put(p + "ffn_up.weight", new long[]{dim, ff});
            m.put(p + "ffn_down.weight", new long[]{ff, dim});
        }
        return m;
    }

    /** The {@code tokenizer.ggml.*} metadata that {@code GgufTokenizer} (and llama.cpp) read back. */
    public static void putVocabulary(GgufWriter w, Vocabulary v) {
        int n = v.size();
        String[] tokens = v.tokens().toArray(String[]::new);
        int[] types = new int[n];
        for (int i = 0; i < n; i++) types[i] = v.type(i).code();
        w.putString("tokenizer.ggml.model", v.model().ggufName())
                .put("tokenizer.ggml.tokens", GgufValue.stringArray(tokens))
                .put("tokenizer.ggml.scores", GgufValue.float32Array(v.scores()))
                .put("tokenizer.ggml.token_type", GgufValue.int32Array(types));
        if (v.model() == Vocabulary.Model.BYTE_LEVEL_BPE) {
            w.put("tokenizer.ggml.merges", GgufValue.stringArray(v.merges().toArray(String[]::new)));
            if (v.pre() != null) w.putString("tokenizer.ggml.pre", v.pre());
        }
        if (v.bos() >= 0) w.putUInt32("tokenizer.ggml.bos_token_id", v.bos());
        if (v.eos() >= 0) w.putUInt32("tokenizer.ggml.eos_token_id", v.eos());
        if (v.unk() >= 0) w.putUInt32("tokenizer.ggml.unknown_token_id", v.unk());
        if (v.addBosRaw() != null) w.putBool("tokenizer.ggml.add_bos_token", v.addBosRaw());
        if (v.addEosRaw() != null) w.putBool("tokenizer.ggml.add_eos_token", v.addEosRaw());
        if (v.addSpacePrefixRaw() != null) w.putBool("tokenizer.ggml.add_space_prefix", v.addSpacePrefixRaw());
    }
}
