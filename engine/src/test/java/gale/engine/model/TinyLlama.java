// Test fixture: a configurable tiny Llama GGUF built with the GgufWriter.
package gale.engine.model;

import gale.engine.gguf.GgmlType;
import gale.engine.gguf.GgufValue;
import gale.engine.gguf.GgufWriter;

import java.util.Random;

/** A small Llama model file; tests change fields, then call {@link #writer()}. */
final class TinyLlama {
    int dim = 64, layers = 2, ff = 96, heads = 4, kvHeads = 2, vocab = 40, ctx = 256;
    GgmlType weightType = GgmlType.Q8_0, embeddingType = GgmlType.Q4_0, outputType = GgmlType.F16;
    boolean tied = false, ropeFreqs = false;
    private long seed = 7;

    GgufWriter metadataOnly() {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "tiny");
        w.putUInt32("llama.context_length", ctx);
        w.putUInt32("llama.embedding_length", dim);
        w.putUInt32("llama.block_count", layers);
        w.putUInt32("llama.feed_forward_length", ff);
        w.putUInt32("llama.attention.head_count", heads);
        w.putUInt32("llama.attention.head_count_kv", kvHeads);
        w.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        w.putFloat32("llama.rope.freq_base", 500000f);
        w.putUInt32("llama.rope.dimension_count", dim / heads);
        w.putString("tokenizer.ggml.model", "llama");
        String[] tokens = new String[vocab];
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        for (int i = 0; i < vocab; i++) { tokens[i] = "t" + i; scores[i] = -i; types[i] = 1; }
        w.put("tokenizer.ggml.tokens", GgufValue.stringArray(tokens));
        w.put("tokenizer.ggml.scores", GgufValue.float32Array(scores));
        w.put("tokenizer.ggml.token_type", GgufValue.int32Array(types));
        w.putUInt32("tokenizer.ggml.bos_token_id", 1);
        w.putUInt32("tokenizer.ggml.eos_token_id", 2);
        return w;
    }

    GgufWriter writer() {
        GgufWriter w = metadataOnly();
        int kv = dim / heads * kvHeads;
        add(w, "token_embd.weight", embeddingType, dim, vocab);
        add(w, "output_norm.weight", GgmlType.F32, dim);
        if (!tied) add(w, "output.weight", outputType, dim, vocab);
        if (ropeFreqs) add(w, "rope_freqs.weight", GgmlType.F32, dim / heads / 2);
        for (int i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            add(w, p + "attn_norm.weight", GgmlType.F32, dim);
            add(w, p + "attn_q.weight", weightType, dim, dim);
            add(w, p + "attn_k.weight", weightType, dim, kv);
            add(w, p + "attn_v.weight", weightType, dim, kv);
            add(w, p + "attn_output.weight", weightType, dim, dim);
            add(w, p + "ffn_norm.weight", GgmlType.F32, dim);
            add(w, p + "ffn_gate.weight", weightType, dim, ff);
            add(w, p + "ffn_up.weight", weightType, dim, ff);
            add(w, p + "ffn_down.weight", weightType, ff, dim);
        }
        return w;
    }

    void add(GgufWriter w, String name, GgmlType type, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        Random r = new Random(seed++);
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 0.1);
        w.addTensor(name, type, shape, v);
    }
}
