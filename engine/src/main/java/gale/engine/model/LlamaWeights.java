// The tensors of a Llama GGUF, grouped by layer, each checked against the hyperparameters.
package gale.engine.model;

import gale.engine.gguf.GgmlType;
import gale.engine.gguf.GgufFile;
import gale.engine.gguf.GgufFormatException;
import gale.engine.gguf.GgufTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Handles to a Llama model's tensors (type, shape and a zero-copy segment of the memory map), with every shape
 * checked against {@link LlamaConfig} in ggml order ({@code ne[0]} first, i.e. {@code [in, out]}):
 * {@code token_embd [dim, vocab]}, {@code attn_q [dim, dim]}, {@code attn_k/attn_v [dim, kvDim]},
 * {@code attn_output [dim, dim]}, {@code ffn_gate/ffn_up [dim, ff]}, {@code ffn_down [ff, dim]}, norms {@code [dim]}
 * (F32), {@code output [dim, vocab]} or absent (tied to {@code token_embd}), optional {@code rope_freqs
 * [ropeDims/2]} (F32; Llama 3.1+ frequency factors). Weight types must be {@link GgmlType#supported()}; a
 * {@code blk.N.*} tensor with {@code N >= blockCount} is an error.
 *
 * <p>Immutable and thread-safe; valid while the {@link GgufFile} is open.
 */
public final class LlamaWeights {
    /** One transformer block's tensors. */
    public record Layer(int index, GgufTensor attnNorm, GgufTensor attnQ, GgufTensor attnK, GgufTensor attnV,
                        GgufTensor attnOutput, GgufTensor ffnNorm, GgufTensor ffnGate, GgufTensor ffnUp,
                        GgufTensor ffnDown) {}

    private final LlamaConfig config;
    private final GgufTensor tokenEmbedding;
    private final GgufTensor outputNorm;
    private final GgufTensor output;
    private final boolean tied;
    private final GgufTensor ropeFreqs;
    private final List<Layer> layers;

    private LlamaWeights(LlamaConfig config, GgufTensor tokenEmbedding, GgufTensor outputNorm, GgufTensor output,
                         boolean tied, GgufTensor ropeFreqs, List<Layer> layers) {
        this.config = config;
        this.tokenEmbedding = tokenEmbedding;
        this.outputNorm = outputNorm;
        this.output = output;
        this.tied = tied;
        this.ropeFreqs = ropeFreqs;
        this.layers = layers;
    }

    /** Reads the config from {@code file} and then the weights. */
    public static LlamaWeights from(GgufFile file) throws GgufFormatException {
        return from(file, LlamaConfig.from(file));
    }

    /**
     * Finds and checks every tensor of {@code config}'s model in {@code file}.
     *
     * @throws GgufFormatException naming the tensor, its info offset and the bad shape or type, or a missing tensor
     */
    public static LlamaWeights from(GgufFile file, LlamaConfig c) throws GgufFormatException {
        Finder f = new Finder(file);
        long dim = c.embeddingLength(), vocab = c.vocabSize(), kv = c.kvDim(), ff = c.feedForwardLength();
        GgufTensor emb = f.weight("token_embd.weight", dim, vocab);
        GgufTensor outNorm = f.norm("output_norm.weight", dim);
        GgufTensor out = file.tensor("output.weight") == null ? null : f.weight("output.weight", dim, vocab);
        GgufTensor rope = file.tensor("rope_freqs.weight") == null ? null : f.norm("rope_freqs.weight", c.ropeDimensionCount() / 2);
        List<Layer> layers = new ArrayList<>(c.blockCount());
        for (int i = 0; i < c.blockCount(); i++) {
            String p = "blk." + i + ".";
            layers.add(new Layer(i,
                    f.norm(p + "attn_norm.weight", dim),
                    f.weight(p + "attn_q.weight", dim, dim),
                    f.weight(p + "attn_k.weight", dim, kv),
                    f.weight(p + "attn_v.weight", dim, kv),
                    f.weight(p + "attn_output.weight", dim, dim),
                    f.norm(p + "ffn_norm.weight", dim),
                    f.weight(p + "ffn_gate.weight", dim, ff),
                    f.weight(p + "ffn_up.weight", dim, ff),
                    f.weight(p + "ffn_down.weight", ff, dim)));
        }
        for (GgufTensor t : file.tensors()) {
            if (!t.name().startsWith("blk.")) continue;
            int dot = t.name().indexOf('.', 4);
            String idx = dot < 0 ? t.name().substring(4) : t.name().substring(4, dot);
            int n;
            try {
                n = Integer.parseInt(idx);
            } catch (NumberFormatException e) {
                throw new GgufFormatException(file.source(), "tensor '" + t.name() + "'", t.infoOffset(), "layer index '" + idx + "' is not a number");
            }
            if (n < 0 || n >= c.blockCount())
                throw new GgufFormatException(file.source(), "tensor '" + t.name() + "'", t.infoOffset(),
                        "layer " + n + " does not exist: llama.block_count is " + c.blockCount());
        }
        return new LlamaWeights(c, emb, outNorm, out == null ? emb : out, out == null, rope, List.copyOf(layers));
    }

    public LlamaConfig config() { return config; }

    /** {@code token_embd.weight}, [dim, vocab]: row t is token t's embedding. */
    public GgufTensor tokenEmbedding() { return tokenEmbedding; }

    /** {@code output_norm.weight}, [dim]. */
    public GgufTensor outputNorm() { return outputNorm; }

    /** The classifier, [dim, vocab]: {@code output.weight}, or {@link #tokenEmbedding()} when tied. */
    public GgufTensor output() { return output; }

    /** Whether the file has no {@code output.weight} and the classifier is the embedding matrix. */
    public boolean outputTied() { return tied; }

    /** {@code rope_freqs.weight} (per-frequency RoPE factors, [ropeDims/2]) when the file has one. */
    public Optional<GgufTensor> ropeFreqs() { return Optional.ofNullable(ropeFreqs); }

    public List<Layer> layers() { return layers; }

    public Layer layer(int i) { return layers.get(i); }

    private record Finder(GgufFile file) {
        GgufTensor find(String name) throws GgufFormatException {
            GgufTensor t = file.tensor(name);
            if (t == null) throw new GgufFormatException(file.source(), "tensor '" + name + "'", -1, "missing");
            return t;
        }

        GgufTensor weight(String name, long in, long out) throws GgufFormatException {
            GgufTensor t = find(name);
            checkShape(t, new long[]{in, out});
            if (!t.type().supported())
                throw new GgufFormatException(file.source(), "tensor '" + name + "'.type", t.infoOffset(), "type " + t.type() + " is not supported by Gale");
            return t;
        }

        GgufTensor norm(String name, long n) throws GgufFormatException {
            GgufTensor t = find(name);
            checkShape(t, new long[]{n});
            if (t.type() != GgmlType.F32)
                throw new GgufFormatException(file.source(), "tensor '" + name + "'.type", t.infoOffset(), "type " + t.type() + ", expected F32");
            return t;
        }

        void checkShape(GgufTensor t, long[] want) throws GgufFormatException {
            if (!Arrays.equals(t.shape(), want))
                throw new GgufFormatException(file.source(), "tensor '" + t.name() + "'.shape", t.infoOffset(),
                        "shape " + Arrays.toString(t.shape()) + " does not match the hyperparameters: expected " + Arrays.toString(want));
        }
    }
}
