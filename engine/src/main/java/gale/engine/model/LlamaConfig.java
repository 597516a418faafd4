// Llama hyperparameters read from GGUF metadata, every one validated with an error naming key, offset and value.
package gale.engine.model;

import gale.engine.gguf.GgufFile;
import gale.engine.gguf.GgufFormatException;
import gale.engine.gguf.GgufValue;

/**
 * The hyperparameters of a Llama-family model ({@code general.architecture = "llama"}), all read from the file:
 * nothing is hard-coded (RoPE base, epsilon and rotary dimensions included). Dimensions follow llama.cpp:
 * {@code headDim = embeddingLength / headCount}, {@code kvDim = headDim * headCountKv}, query head {@code h} uses
 * KV head {@code h / (headCount / headCountKv)}.
 *
 * @param embeddingLength    {@code llama.embedding_length} (dim)
 * @param blockCount         {@code llama.block_count} (layers)
 * @param feedForwardLength  {@code llama.feed_forward_length}
 * @param headCount          {@code llama.attention.head_count}
 * @param headCountKv        {@code llama.attention.head_count_kv} (defaults to headCount)
 * @param rmsNormEps         {@code llama.attention.layer_norm_rms_epsilon}
 * @param ropeFreqBase       {@code llama.rope.freq_base} (default 10000)
 * @param ropeDimensionCount {@code llama.rope.dimension_count} (default headDim): rotated dims per head
 * @param contextLength      {@code llama.context_length} (the training context)
 * @param vocabSize          length of {@code tokenizer.ggml.tokens}, else {@code llama.vocab_size}
 * @param bosTokenId         {@code tokenizer.ggml.bos_token_id}, or -1
 * @param eosTokenId         {@code tokenizer.ggml.eos_token_id}, or -1
 *
 * <p>Immutable and thread-safe.
 */
public record LlamaConfig(int embeddingLength, int blockCount, int feedForwardLength, int headCount, int headCountKv,
                          float rmsNormEps, float ropeFreqBase, int ropeDimensionCount, int contextLength,
                          int vocabSize, int bosTokenId, int eosTokenId) {

    /** The architecture this config reads. */
    public static final String ARCH = "llama";
    static final int MAX_EMBEDDING = 1 << 16;
    static final int MAX_LAYERS = 1024;
    static final int MAX_FFN = 1 << 18;
    static final int MAX_HEADS = 1024;
    static final int MAX_CONTEXT = 1 << 24;
    static final int MAX_VOCAB = 1 << 22;

    public LlamaConfig {
        String p = problem(embeddingLength, blockCount, feedForwardLength, headCount, headCountKv, rmsNormEps,
                ropeFreqBase, ropeDimensionCount, contextLength, vocabSize, bosTokenId, eosTokenId);
        if (p != null) throw new IllegalArgumentException("invalid LlamaConfig: " + p);
    }

    /** Dimensions per attention head. */
    public int headDim() { return embeddingLength / headCount; }

    /** Width of the K and V projections. */
    public int kvDim() { return headDim() * headCountKv; }

    /** Query heads per KV head. */
    public int groupSize() { return headCount / headCountKv; }

    private static String problem(int dim, int layers, int ff, int heads, int kvHeads, float eps, float base, int ropeDims,
                                  int ctx, int vocab, int bos, int eos) {
        if (dim < 1 || dim > MAX_EMBEDDING) return "embedding_length " + dim;
        if (layers < 1 || layers > MAX_LAYERS) return "block_count " + layers;
        if (ff < 1 || ff > MAX_FFN) return "feed_forward_length " + ff;
        if (heads < 1 || heads > MAX_HEADS || dim % heads != 0 || (dim / heads) % 2 != 0) return "head_count " + heads;
        if (kvHeads < 1 || kvHeads > heads || heads % kvHeads != 0) return "head_count_kv " + kvHeads;
        if (!(eps > 0 && eps < 1)) return "layer_norm_rms_epsilon " + eps;
        if (!(base > 1 && base <= 1e12f)) return "rope.freq_base " + base;
        if (ropeDims < 2 || ropeDims > dim / heads || ropeDims % 2 != 0) return "rope.dimension_count " + ropeDims;
        if (ctx < 1 || ctx > MAX_CONTEXT) return "context_length " + ctx;
        if (vocab < 1 || vocab > MAX_VOCAB) return "vocab_size " + vocab;
        if (bos < -1 || bos >= vocab) return "bos_token_id " + bos;
        if (eos < -1 || eos >= vocab) return "eos_token_id " + eos;
        return null;
    }

    /**
     * Reads and validates the hyperparameters of {@code file}.
     *
     * @throws GgufFormatException naming the key, the offset of its value and the bad value, when a key is missing,
     *                             has the wrong type or is out of range, or keys contradict each other
     */
    public static LlamaConfig from(GgufFile file) throws GgufFormatException {
        Reader r = new Reader(file);
        GgufValue arch = file.get("general.architecture");
        if (arch == null) throw r.error("general.architecture", "missing");
        if (!ARCH.equals(arch.asString())) throw r.error("general.architecture", "architecture " + arch + " is not \"llama\"");

        int dim = r.integer("llama.embedding_length", null, 1, MAX_EMBEDDING);
        int layers = r.integer("llama.block_count", null, 1, MAX_LAYERS);
        int ff = r.integer("llama.feed_forward_length", null, 1, MAX_FFN);
        int heads = r.integer("llama.attention.head_count", null, 1, MAX_HEADS);
        if (dim % heads != 0)
            throw r.error("llama.attention.head_count", "head_count " + heads + " does not divide embedding_length " + dim);
        int headDim = dim / heads;
        if (headDim % 2 != 0)
            throw r.error("llama.attention.head_count", "head dimension " + dim + " / " + heads + " = " + headDim + " is odd; RoPE rotates pairs");
        int kvHeads = r.integer("llama.attention.head_count_kv", heads, 1, heads);
        if (heads % kvHeads != 0)
            throw r.error("llama.attention.head_count_kv", "head_count_kv " + kvHeads + " does not divide head_count " + heads);
        float eps = r.real("llama.attention.layer_norm_rms_epsilon", null);
        if (!(eps > 0 && eps < 1)) throw r.error("llama.attention.layer_norm_rms_epsilon", "epsilon " + eps + " is not in (0, 1)");
        float base = r.real("llama.rope.freq_base", 10000f);
        if (!(base > 1 && base <= 1e12f)) throw r.error("llama.rope.freq_base", "RoPE base " + base + " is not in (1, 1e12]");
        int ropeDims = r.integer("llama.rope.dimension_count", headDim, 2, headDim);
        if (ropeDims % 2 != 0) throw r.error("llama.rope.dimension_count", "rotary dimension count " + ropeDims + " is odd");
        int ctx = r.integer("llama.context_length", null, 1, MAX_CONTEXT);

        GgufValue tokens = file.get("tokenizer.ggml.tokens");
        GgufValue vs = file.get("llama.vocab_size");
        int vocab;
        if (tokens != null) {
            vocab = tokens.arrayLength();
            if (vocab < 1 || vocab > MAX_VOCAB) throw r.error("tokenizer.ggml.tokens", vocab + " tokens, expected 1.." + MAX_VOCAB);
            if (vs != null) {
                int declared = r.integer("llama.vocab_size", null, 1, MAX_VOCAB);
                if (declared != vocab)
                    throw r.error("llama.vocab_size", "vocab_size " + declared + " disagrees with the " + vocab + " entries of tokenizer.ggml.tokens");
            }
        } else if (vs != null) {
            vocab = r.integer("llama.vocab_size", null, 1, MAX_VOCAB);
        } else {
            throw r.error("tokenizer.ggml.tokens", "missing, and so is llama.vocab_size: the vocabulary size is unknown");
        }
        int bos = r.integer("tokenizer.ggml.bos_token_id", -1, 0, vocab - 1);
        int eos = r.integer("tokenizer.ggml.eos_token_id", -1, 0, vocab - 1);
        return new LlamaConfig(dim, layers, ff, heads, kvHeads, eps, base, ropeDims, ctx, vocab, bos, eos);
    }

    /** Typed, range-checked access to metadata, with errors that locate the value. */
    private record Reader(GgufFile file) {
        GgufFormatException error(String key, String problem) {
            return new GgufFormatException(file.source(), key, file.valueOffset(key), problem);
        }

        int integer(String key, Integer dflt, long min, long max) throws GgufFormatException {
            GgufValue v = file.get(key);
            if (v == null) {
                if (dflt == null) throw error(key, "missing");
                return dflt;
            }
            if (!v.type().isInteger() || v.isArray()) throw error(key, "must be an integer, found " + v.type() + " " + v);
            long x = v.asLong();
            boolean hugeUnsigned = v.type().isUnsigned() && x < 0;
            if (hugeUnsigned || x < min || x > max) throw error(key, "value " + v + " is outside " + min + ".." + max);
            return (int) x;
        }

        float real(String key, Float dflt) throws GgufFormatException {
            GgufValue v = file.get(key);
            if (v == null) {
                if (dflt == null) throw error(key, "missing");
                return dflt;
            }
            if (!v.type().isFloat()) throw error(key, "must be FLOAT32 or FLOAT64, found " + v.type() + " " + v);
            double d = v.asDouble();
            if (!Double.isFinite(d)) throw error(key, "value " + d + " is not finite");
            return (float) d;
        }
    }
}
