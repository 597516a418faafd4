// Adapts a GGUF file's tokenizer.ggml.* metadata to gale.tokenizer, with typed errors for bad vocabulary data.
package gale.engine.inference;

import gale.engine.gguf.GgufFile;
import gale.engine.gguf.GgufFormatException;
import gale.engine.gguf.GgufValue;
import gale.engine.gguf.GgufValueType;
import gale.tokenizer.TokenType;
import gale.tokenizer.Tokenizer;
import gale.tokenizer.Vocabulary;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Builds the tokenizer a GGUF file describes, and the set of end-of-generation ids. Stateless, thread-safe. */
public final class GgufTokenizer {
    private GgufTokenizer() {}

    /** Texts of control tokens that end a turn or a text in llama.cpp's list of end-of-generation tokens. */
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<|eom_id|>", "<EOT>", "</s>", "<|return|>", "<|call|>");

    /** The vocabulary of {@code file}; the error names the key, its offset and the problem. */
    public static Vocabulary vocabulary(GgufFile file) throws GgufFormatException {
        String model = string(file, "tokenizer.ggml.model");
        Vocabulary.Model kind;
        try {
            kind = Vocabulary.Model.ofGguf(model);
        } catch (IllegalArgumentException e) {
            throw error(file, "tokenizer.ggml.model", "unsupported tokenizer '" + model + "' (supported: llama, gpt2)");
        }
        String[] tokens = array(file, "tokenizer.ggml.tokens", GgufValueType.STRING, true).asStringArray();
        Vocabulary.Builder b = Vocabulary.builder(kind).tokens(List.of(tokens));
        GgufValue scores = array(file, "tokenizer.ggml.scores", GgufValueType.FLOAT32, false);
        if (scores != null) {
            if (scores.arrayLength() != tokens.length) throw error(file, "tokenizer.ggml.scores", "has " + scores.arrayLength() + " entries for " + tokens.length + " tokens");
            b.scores(scores.asFloatArray());
        }
        GgufValue types = array(file, "tokenizer.ggml.token_type", GgufValueType.INT32, false);
        if (types != null) {
            if (types.arrayLength() != tokens.length) throw error(file, "tokenizer.ggml.token_type", "has " + types.arrayLength() + " entries for " + tokens.length + " tokens");
            b.types(types.asIntArray());
        }
        GgufValue merges = array(file, "tokenizer.ggml.merges", GgufValueType.STRING, false);
        if (merges != null) b.merges(Arrays.asList(merges.asStringArray()));
        GgufValue pre = file.get("tokenizer.ggml.pre");
        if (pre != null) b.pre(string(file, "tokenizer.ggml.pre"));
        Integer bos = id(file, "tokenizer.ggml.bos_token_id", tokens.length), eos = id(file, "tokenizer.ggml.eos_token_id", tokens.length),
                unk = id(file, "tokenizer.ggml.unknown_token_id", tokens.length);
        if (bos != null) b.bos(bos);
        if (eos != null) b.eos(eos);
        if (unk != null) b.unk(unk);
        Boolean addBos = bool(file, "tokenizer.ggml.add_bos_token"), addEos = bool(file, "tokenizer.ggml.add_eos_token"),
                space = bool(file, "tokenizer.ggml.add_space_prefix");
        if (addBos != null) b.addBos(addBos);
        if (addEos != null) b.addEos(addEos);
        if (space != null) b.addSpacePrefix(space);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw error(file, "tokenizer.ggml.tokens", e.getMessage());
        }
    }

    /** The tokenizer of {@code file}. */
    public static Tokenizer tokenizer(GgufFile file) throws GgufFormatException {
        Vocabulary v = vocabulary(file);
        try {
            return Tokenizer.of(v);
        } catch (IllegalArgumentException e) {
            throw error(file, "tokenizer.ggml.pre", e.getMessage());
        }
    }

    /** Ids that end generation: EOS, EOT/EOM ids from the file, and control tokens llama.cpp treats as end of generation. */
    public static Set<Integer> endOfGeneration(GgufFile file, Vocabulary v) throws GgufFormatException {
        Set<Integer> eog = new HashSet<>();
        if (v.eos() >= 0) eog.add(v.eos());
        for (String key : new String[]{"tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
            Integer id = id(file, key, v.size());
            if (id != null) eog.add(id);
        }
        for (int i = 0; i < v.size(); i++)
            if (v.type(i) == TokenType.CONTROL && EOG_TEXTS.contains(v.token(i))) eog.add(i);
        return eog;
    }

    private static String string(GgufFile f, String key) throws GgufFormatException {
        GgufValue v = f.get(key);
        if (v == null) throw error(f, key, "missing");
        if (v.type() != GgufValueType.STRING) throw error(f, key, "must be a string, found " + v.type());
        return v.asString();
    }

    private static GgufValue array(GgufFile f, String key, GgufValueType element, boolean required) throws GgufFormatException {
        GgufValue v = f.get(key);
        if (v == null) {
            if (required) throw error(f, key, "missing");
            return null;
        }
        if (!v.isArray() || v.elementType() != element)
            throw error(f, key, "must be an array of " + element + ", found " + v.type() + (v.isArray() ? " of " + v.elementType() : ""));
        return v;
    }

    private static Integer id(GgufFile f, String key, int vocab) throws GgufFormatException {
        GgufValue v = f.get(key);
        if (v == null) return null;
        if (v.isArray() || !v.type().isInteger()) throw error(f, key, "must be an integer, found " + v.type());
        long id = v.asLong();
        if (id == -1) return null;
        if (id < 0 || id >= vocab) throw error(f, key, "token id " + id + " is outside the vocabulary (size " + vocab + ")");
        return (int) id;
    }

    private static Boolean bool(GgufFile f, String key) throws GgufFormatException {
        GgufValue v = f.get(key);
        if (v == null) return null;
        if (v.type() != GgufValueType.BOOL) throw error(f, key, "must be a bool, found " + v.type());
        return v.asBoolean();
    }

    private static GgufFormatException error(GgufFile f, String key, String problem) {
        return new GgufFormatException(f.source(), key, f.valueOffset(key), problem);
    }
}
