// The plain data a tokenizer is built from: GGUF's `tokenizer.ggml.*` metadata, without any GGUF dependency.
package gale.tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A vocabulary as GGUF metadata describes it: token texts, scores, types, BPE merges, special ids and flags.
 * Immutable and safe to share between threads; arrays are copied on the way in and out.
 *
 * <p>Flags left {@code null} take llama.cpp's defaults for the model kind and pre-tokenizer (for SentencePiece:
 * add BOS, add a space prefix; for byte-level BPE: add BOS only for Llama 3-style pre-tokenizers).
 */
public final class Vocabulary {
    /** `tokenizer.ggml.model`. */
    public enum Model {
        /** "llama": SentencePiece-style BPE with scores and byte fallback. */
        SENTENCEPIECE("llama"),
        /** "gpt2": byte-level BPE with ranked merges and a pre-tokenizer. */
        BYTE_LEVEL_BPE("gpt2");

        private final String ggufName;

        Model(String ggufName) { this.ggufName = ggufName; }

        /** The `tokenizer.ggml.model` value. */
        public String ggufName() { return ggufName; }

        /** The model for a `tokenizer.ggml.model` value; other tokenizer models are an error naming the value. */
        public static Model ofGguf(String name) {
            for (Model m : values()) if (m.ggufName.equals(name)) return m;
            throw new IllegalArgumentException("unsupported tokenizer.ggml.model '" + name
                    + "' (supported: 'llama', 'gpt2')");
        }
    }

    /** Absent token id, as in llama.cpp. */
    public static final int NONE = -1;

    private final Model model;
    private final String[] tokens;
    private final float[] scores;
    private final TokenType[] types;
    private final String[] merges;
    private final String pre;
    private final int bos, eos, unk;
    private final Boolean addBos, addEos, addSpacePrefix;

    private Vocabulary(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model");
        if (b.tokens == null || b.tokens.length == 0) throw new IllegalArgumentException("vocabulary has no tokens");
        int n = b.tokens.length;
        this.tokens = b.tokens.clone();
        for (int i = 0; i < n; i++) {
            if (tokens[i] == null) throw new IllegalArgumentException("token " + i + " is null");
            // llama.cpp renames empty tokens so that every text maps to one id
            if (tokens[i].isEmpty()) tokens[i] = "[EMPTY_" + i + "]";
        }
        if (b.scores != null && b.scores.length < n)
            throw new IllegalArgumentException("scores has " + b.scores.length + " entries for " + n + " tokens");
        if (b.types != null && b.types.length < n)
            throw new IllegalArgumentException("token types has " + b.types.length + " entries for " + n + " tokens");
        this.scores = b.scores == null ? new float[n] : Arrays.copyOf(b.scores, n);
        this.types = new TokenType[n];
        for (int i = 0; i < n; i++) types[i] = b.types == null ? TokenType.NORMAL : TokenType.ofCode(b.types[i]);
        if (model == Model.BYTE_LEVEL_BPE && b.merges == null)
            throw new IllegalArgumentException("byte-level BPE vocabulary needs tokenizer.ggml.merges");
        this.merges = b.merges == null ? new String[0] : b.merges.clone();
        this.pre = b.pre;
        int defBos = model == Model.SENTENCEPIECE ? 1 : 11, defEos = model == Model.SENTENCEPIECE ? 2 : 11;
        int defUnk = model == Model.SENTENCEPIECE ? 0 : NONE;
        this.bos = checkId("bos", b.bos != null ? b.bos : defBos, n, b.bos != null);
        this.eos = checkId("eos", b.eos != null ? b.eos : defEos, n, b.eos != null);
        this.unk = checkId("unknown", b.unk != null ? b.unk : defUnk, n, b.unk != null);
        this.addBos = b.addBos;
        this.addEos = b.addEos;
        this.addSpacePrefix = b.addSpacePrefix;
    }

    /** Out-of-range defaults are disabled, out-of-range explicit ids are errors (llama.cpp warns and keeps the default). */
    private static int checkId(String what, int id, int n, boolean explicit) {
        if (id == NONE || (id >= 0 && id < n)) return id;
        if (explicit) throw new IllegalArgumentException(what + " token id " + id + " is outside the vocabulary (size " + n + ")");
        return NONE;
    }

    public static Builder builder(Model model) { return new Builder(model); }

    public Model model() { return model; }

    public int size() { return tokens.length; }

    public String token(int id) { return tokens[id]; }

    public float score(int id) { return scores[id]; }

    public TokenType type(int id) { return types[id]; }

    public List<String> tokens() { return List.of(tokens); }

    public float[] scores() { return scores.clone(); }

    public List<String> merges() { return List.of(merges); }

    /** `tokenizer.ggml.pre`, or null when absent. */
    public String pre() { return pre; }

    public int bos() { return bos; }

    public int eos() { return eos; }

    public int unk() { return unk; }

    /** `tokenizer.ggml.add_bos_token` as given, or null when absent. */
    public Boolean addBosRaw() { return addBos; }

    /** `tokenizer.ggml.add_eos_token` as given, or null when absent. */
    public Boolean addEosRaw() { return addEos; }

    /** `tokenizer.ggml.add_space_prefix` as given, or null when absent. */
    public Boolean addSpacePrefixRaw() { return addSpacePrefix; }

    String[] tokensArray() { return tokens; }

    String[] mergesArray() { return merges; }

    TokenType[] typesArray() { return types; }

    /** Collects the metadata; not thread-safe. */
    public static final class Builder {
        private final Model model;
        private String[] tokens, merges;
        private float[] scores;
        private int[] types;
        private String pre;
        private Integer bos, eos, unk;
        private Boolean addBos, addEos, addSpacePrefix;

        private Builder(Model model) { this.model = model; }

        public Builder tokens(List<String> t) { this.tokens = t.toArray(String[]::new); return this; }

        public Builder scores(float[] s) { this.scores = s; return this; }

        /** GGUF token type codes (see {@link TokenType#code()}). */
        public Builder types(int[] t) { this.types = t; return this; }

        public Builder merges(List<String> m) { this.merges = m.toArray(String[]::new); return this; }

        public Builder pre(String p) { this.pre = p; return this; }

        public Builder bos(int id) { this.bos = id; return this; }

        public Builder eos(int id) { this.eos = id; return this; }

        public Builder unk(int id) { this.unk = id; return this; }

        public Builder addBos(boolean v) { this.addBos = v; return this; }

        public Builder addEos(boolean v) { this.addEos = v; return this; }

        public Builder addSpacePrefix(boolean v) { this.addSpacePrefix = v; return this; }

        public Vocabulary build() { return new Vocabulary(this); }
    }
}
