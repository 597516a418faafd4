// The well-known GGUF metadata keys and the value types they must have.
package gale.engine.gguf;

import java.util.Map;

/**
 * Checks the types of well-known metadata keys (general, tokenizer, and the hyperparameters under the prefix named by
 * {@code general.architecture}, {@code llama.} when absent) when a file is opened, so that consumers can read them without
 * defensive checks and a wrong type (the root of several llama.cpp CVEs: scores that are not f32, token types that
 * are not i32) is reported at the value's offset. Integer-valued keys accept any integer type (writers differ),
 * float-valued keys FLOAT32 or FLOAT64; ranges are checked by the consumers ({@code LlamaConfig}). Stateless.
 */
final class GgufKeys {
    private GgufKeys() {}

    private enum Kind { STRING, INTEGER, FLOAT, BOOL, U32, STRING_ARRAY, F32_ARRAY, I32_ARRAY }

    private static final Map<String, Kind> GENERAL = Map.ofEntries(
            Map.entry("general.alignment", Kind.U32),
            Map.entry("general.architecture", Kind.STRING),
            Map.entry("general.name", Kind.STRING),
            Map.entry("general.file_type", Kind.INTEGER),
            Map.entry("general.quantization_version", Kind.INTEGER),
            Map.entry("tokenizer.ggml.model", Kind.STRING),
            Map.entry("tokenizer.ggml.pre", Kind.STRING),
            Map.entry("tokenizer.chat_template", Kind.STRING),
            Map.entry("tokenizer.ggml.tokens", Kind.STRING_ARRAY),
            Map.entry("tokenizer.ggml.merges", Kind.STRING_ARRAY),
            Map.entry("tokenizer.ggml.scores", Kind.F32_ARRAY),
            Map.entry("tokenizer.ggml.token_type", Kind.I32_ARRAY),
            Map.entry("tokenizer.ggml.bos_token_id", Kind.INTEGER),
            Map.entry("tokenizer.ggml.eos_token_id", Kind.INTEGER),
            Map.entry("tokenizer.ggml.unknown_token_id", Kind.INTEGER),
            Map.entry("tokenizer.ggml.seperator_token_id", Kind.INTEGER),
            Map.entry("tokenizer.ggml.padding_token_id", Kind.INTEGER),
            Map.entry("tokenizer.ggml.eot_token_id", Kind.INTEGER),
            Map.entry("tokenizer.ggml.eom_token_id", Kind.INTEGER),
            Map.entry("tokenizer.ggml.add_bos_token", Kind.BOOL),
            Map.entry("tokenizer.ggml.add_eos_token", Kind.BOOL),
            Map.entry("tokenizer.ggml.add_space_prefix", Kind.BOOL));

    /** Keys under the architecture prefix ({@code llama.} etc.). */
    private static final Map<String, Kind> PER_ARCH = Map.ofEntries(
            Map.entry("context_length", Kind.INTEGER),
            Map.entry("embedding_length", Kind.INTEGER),
            Map.entry("block_count", Kind.INTEGER),
            Map.entry("feed_forward_length", Kind.INTEGER),
            Map.entry("vocab_size", Kind.INTEGER),
            Map.entry("attention.head_count", Kind.INTEGER),
            Map.entry("attention.head_count_kv", Kind.INTEGER),
            Map.entry("attention.layer_norm_rms_epsilon", Kind.FLOAT),
            Map.entry("rope.freq_base", Kind.FLOAT),
            Map.entry("rope.dimension_count", Kind.INTEGER));

    static void checkTypes(String source, Map<String, GgufValue> meta, Map<String, Long> offsets) throws GgufFormatException {
        // hyperparameter keys live under the architecture's name ("llama.block_count")
        GgufValue arch = meta.get("general.architecture");
        String prefix = arch != null && arch.type() == GgufValueType.STRING ? arch.asString() + "." : "llama.";
        for (Map.Entry<String, GgufValue> e : meta.entrySet()) {
            String key = e.getKey();
            Kind kind = GENERAL.get(key);
            if (kind == null && key.startsWith(prefix)) kind = PER_ARCH.get(key.substring(prefix.length()));
            if (kind != null && !matches(kind, e.getValue()))
                throw new GgufFormatException(source, key, offsets.get(key), "must be " + describe(kind) + ", found " + typeOf(e.getValue()) + " " + e.getValue());
        }
        GgufValue tokens = meta.get("tokenizer.ggml.tokens");
        for (String k : new String[]{"tokenizer.ggml.scores", "tokenizer.ggml.token_type"}) {
            GgufValue v = meta.get(k);
            if (v != null && tokens != null && v.arrayLength() != tokens.arrayLength())
                throw new GgufFormatException(source, k, offsets.get(k), "has " + v.arrayLength() + " entries but tokenizer.ggml.tokens has " + tokens.arrayLength());
        }
    }

    private static boolean matches(Kind kind, GgufValue v) {
        GgufValueType t = v.type();
        return switch (kind) {
            case STRING -> t == GgufValueType.STRING;
            case INTEGER -> t.isInteger();
            case FLOAT -> t.isFloat();
            case BOOL -> t == GgufValueType.BOOL;
            case U32 -> t == GgufValueType.UINT32;
            case STRING_ARRAY -> v.isArray() && v.elementType() == GgufValueType.STRING;
            case F32_ARRAY -> v.isArray() && v.elementType() == GgufValueType.FLOAT32;
            case I32_ARRAY -> v.isArray() && v.elementType() == GgufValueType.INT32;
        };
    }

    private static String describe(Kind k) {
        return switch (k) {
            case STRING -> "a STRING";
            case INTEGER -> "an integer";
            case FLOAT -> "a FLOAT32 or FLOAT64";
            case BOOL -> "a BOOL";
            case U32 -> "a UINT32";
            case STRING_ARRAY -> "an array of STRING";
            case F32_ARRAY -> "an array of FLOAT32";
            case I32_ARRAY -> "an array of INT32";
        };
    }

    private static String typeOf(GgufValue v) {
        return v.isArray() ? "array of " + v.elementType() : v.type().toString();
    }
}
