// Writes Llama-shaped GGUF files with seeded random weights: test models and benchmark models of any size and type.
package gale.engine.synthetic;

import gale.engine.gguf.GgmlType;
import gale.engine.gguf.GgufValue;
import gale.engine.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A synthetic Llama model: every hyperparameter given, weights drawn from a seeded normal distribution (scaled so
 * activations stay O(1) through the layers), and a SentencePiece-style vocabulary (unk, bos, eos, 256 byte tokens,
 * then filler pieces) that llama.cpp accepts. Norm weights are F32 as in converted models; matrices use {@code type}.
 * Immutable.
 */
public record SyntheticLlama(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int context,
                             GgmlType type, boolean tiedOutput, boolean ropeFreqs, float ropeBase, long seed,
                             double logitScale) {

    public SyntheticLlama {
        if (dim % heads != 0 || heads % kvHeads != 0) throw new IllegalArgumentException("heads must divide dim and kvHeads heads");
        if (vocab < 259 + 1) throw new IllegalArgumentException("vocab must be > 259 (specials + byte tokens)");
        if (!(logitScale > 0) || Double.isInfinite(logitScale)) throw new IllegalArgumentException("logitScale must be > 0, got " + logitScale);
    }

    /** A model with unit logit scale (logits ~ N(0, 1)). */
    public SyntheticLlama(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int context, GgmlType type,
                          boolean tiedOutput, boolean ropeFreqs, float ropeBase, long seed) {
        this(dim, layers, heads, kvHeads, ffn, vocab, context, type, tiedOutput, ropeFreqs, ropeBase, seed, 1.0);
    }

    /** A small model for tests: dim 256 (a K-quant block), 2 layers, GQA 8:2, ffn 512, vocab 320. */
    public static SyntheticLlama tiny(GgmlType type) {
        return new SyntheticLlama(256, 2, 8, 2, 512, 320, 64, type, false, false, 10000f, 1234);
    }

    /** The ~58M-parameter benchmark shape of reference.md: dim 512, 8 layers, 8 heads, ffn 1536, vocab 32000. */
    public static SyntheticLlama bench58M(GgmlType type) {
        return new SyntheticLlama(512, 8, 8, 8, 1536, 32000, 2048, type, false, false, 10000f, 58);
    }

    /**
     * Llama-3.2-1B's shape (dim 2048, 16 layers, 32 heads, 8 KV heads, ffn 8192, vocab 128256, tied output, RoPE base
     * 500000 with frequency factors; 1.24 B parameters, 2.5 GB in F16) for GPU benchmarks; context 8192.
     */
    public static SyntheticLlama llama1B(GgmlType type) {
        return new SyntheticLlama(2048, 16, 32, 8, 8192, 128256, 8192, type, true, true, 500000f, 1);
    }

    public SyntheticLlama withType(GgmlType t) { return new SyntheticLlama(dim, layers, heads, kvHeads, ffn, vocab, context, t, tiedOutput, ropeFreqs, ropeBase, seed, logitScale); }

    public SyntheticLlama withTied(boolean t) { return new SyntheticLlama(dim, layers, heads, kvHeads, ffn, vocab, context, type, t, ropeFreqs, ropeBase, seed, logitScale); }

    public SyntheticLlama withKvHeads(int kv) { return new SyntheticLlama(dim, layers, heads, kv, ffn, vocab, context, type, tiedOutput, ropeFreqs, ropeBase, seed, logitScale); }

    /**
     * Multiplies the output matrix's standard deviation by {@code s} (default 1). Untied: output ~ N(0, s²/dim), so
     * logits have standard deviation ≈ s (s = 1 gives near-uniform logits over a small vocabulary). Tied: the
     * embedding is the output, ~ N(0, s²), so logits have standard deviation ≈ s·√dim (the first RMSNorm makes the
     * embedding's scale irrelevant to the layers' input); s = 1 gives one-hot-like logits that repeat the input token.
     */
    public SyntheticLlama withLogitScale(double s) { return new SyntheticLlama(dim, layers, heads, kvHeads, ffn, vocab, context, type, tiedOutput, ropeFreqs, ropeBase, seed, s); }

    public SyntheticLlama withSeed(long s) { return new SyntheticLlama(dim, layers, heads, kvHeads, ffn, vocab, context, type, tiedOutput, ropeFreqs, ropeBase, s, logitScale); }

    public SyntheticLlama withRopeFreqs(boolean r) { return new SyntheticLlama(dim, layers, heads, kvHeads, ffn, vocab, context, type, tiedOutput, r, ropeBase, seed, logitScale); }

    /** Parameter count (embedding and output counted separately unless tied). */
    public long parameters() {
        long kvDim = (long) dim / heads * kvHeads;
        long perLayer = 2L * dim + (long) dim * dim * 2 + 2 * kvDim * dim + 3L * dim * ffn;
        return (long) vocab * dim * (tiedOutput ? 1 : 2) + dim + layers * perLayer;
    }

    /** Writes the model to {@code path}. */
    public void write(Path path) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        int kvDim = dim / heads * kvHeads;
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "gale-synthetic-" + dim + "x" + layers + "-" + type)
                .putUInt32("general.alignment", 32)
                .putUInt32("llama.embedding_length", dim)
                .putUInt32("llama.block_count", layers)
                .putUInt32("llama.feed_forward_length", ffn)
                .putUInt32("llama.attention.head_count", heads)
                .putUInt32("llama.attention.head_count_kv", kvHeads)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putFloat32("llama.rope.freq_base", ropeBase)
                .putUInt32("llama.rope.dimension_count", dim / heads)
                .putUInt32("llama.context_length", context)
                .putUInt32("llama.vocab_size", vocab)
                .putUInt32("general.file_type", fileType(type));
        vocabulary(w);
        // Norm weights near 1, matrices ~ N(0, 1/in) so each layer keeps unit-scale activations.
        w.addTensor("token_embd.weight", type, new long[]{dim, vocab}, normal(r, (long) dim * vocab, tiedOutput ? logitScale : 1.0));
        w.addTensor("output_norm.weight", GgmlType.F32, new long[]{dim}, norm(r, dim));
        if (!tiedOutput) w.addTensor("output.weight", type, new long[]{dim, vocab}, normal(r, (long) dim * vocab, logitScale / Math.sqrt(dim)));
        if (ropeFreqs) {
            float[] f = new float[dim / heads / 2];
            for (int i = 0; i < f.length; i++) f[i] = 1f + (float) i / f.length * 7f; // Llama 3.1-like: high frequencies 1, low ones up to 8
            w.addTensor("rope_freqs.weight", GgmlType.F32, new long[]{f.length}, f);
        }
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            w.addTensor(p + "attn_norm.weight", GgmlType.F32, new long[]{dim}, norm(r, dim));
            w.addTensor(p + "attn_q.weight", type, new long[]{dim, dim}, normal(r, (long) dim * dim, 1 / Math.sqrt(dim)));
            w.addTensor(p + "attn_k.weight", type, new long[]{dim, kvDim}, normal(r, (long) dim * kvDim, 1 / Math.sqrt(dim)));
            w.addTensor(p + "attn_v.weight", type, new long[]{dim, kvDim}, normal(r, (long) dim * kvDim, 1 / Math.sqrt(dim)));
            w.addTensor(p + "attn_output.weight", type, new long[]{dim, dim}, normal(r, (long) dim * dim, 0.5 / Math.sqrt(dim)));
            w.addTensor(p + "ffn_norm.weight", GgmlType.F32, new long[]{dim}, norm(r, dim));
            w.addTensor(p + "ffn_gate.weight", type, new long[]{dim, ffn}, normal(r, (long) dim * ffn, 1 / Math.sqrt(dim)));
            w.addTensor(p + "ffn_up.weight", type, new long[]{dim, ffn}, normal(r, (long) dim * ffn, 1 / Math.sqrt(dim)));
            w.addTensor(p + "ffn_down.weight", type, new long[]{ffn, dim}, normal(r, (long) ffn * dim, 0.5 / Math.sqrt(ffn)));
        }
        w.write(path);
    }

    private void vocabulary(GgufWriter w) {
        String[] tokens = new String[vocab];
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        tokens[0] = "<unk>"; types[0] = 2;
        tokens[1] = "<s>"; types[1] = 3;
        tokens[2] = "</s>"; types[2] = 3;
        for (int b = 0; b < 256; b++) { tokens[3 + b] = String.format("<0x%02X>", b); types[3 + b] = 6; }
        String letters = "etaoinshrdlucmfwypvbgkjqxz";
        for (int i = 259; i < vocab; i++) {
            int j = i - 259;
            // single letters, "▁"+letter, then two-letter pieces: mergeable, like a real SentencePiece vocabulary
            String piece = j < 26 ? String.valueOf(letters.charAt(j))
                    : j < 52 ? "\u2581" + letters.charAt(j - 26)
                    : "\u2581" + letters.charAt((j - 52) / 26 % 26) + letters.charAt((j - 52) % 26) + (j - 52 >= 676 ? Integer.toString(j) : "");
            tokens[i] = piece;
            scores[i] = -j;
            types[i] = 1;
        }
        w.putString("tokenizer.ggml.model", "llama")
                .put("tokenizer.ggml.tokens", GgufValue.stringArray(tokens))
                .put("tokenizer.ggml.scores", GgufValue.float32Array(scores))
                .put("tokenizer.ggml.token_type", GgufValue.int32Array(types))
                .putUInt32("tokenizer.ggml.bos_token_id", 1)
                .putUInt32("tokenizer.ggml.eos_token_id", 2)
                .putUInt32("tokenizer.ggml.unknown_token_id", 0)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false);
    }

    private static float[] normal(SplittableRandom r, long n, double std) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * std);
        return a;
    }

    private static float[] norm(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (1 + 0.1 * r.nextGaussian());
        return a;
    }

    /** llama.cpp's general.file_type (LLAMA_FTYPE_*) for a uniform model of this type. */
    static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0; case F16 -> 1; case Q4_0 -> 2; case Q8_0 -> 7; case Q4_K -> 15; case Q6_K -> 18; case BF16 -> 32;
            default -> throw new IllegalArgumentException("no file type for " + t);
        };
    }
}
