// Token types as GGUF's `tokenizer.ggml.token_type` numbers them.
package gale.tokenizer;

/** The type of one vocabulary entry; the GGUF code is {@link #code()}. Immutable. */
public enum TokenType {
    UNDEFINED(0), NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

    private final int code;

    TokenType(int code) { this.code = code; }

    /** The value stored in `tokenizer.ggml.token_type`. */
    public int code() { return code; }

    /** The type for a GGUF code; codes llama.cpp does not know map to {@link #UNDEFINED}, as llama.cpp does. */
    public static TokenType ofCode(int code) {
        return code >= 0 && code <= 6 ? values()[code] : UNDEFINED;
    }
}
