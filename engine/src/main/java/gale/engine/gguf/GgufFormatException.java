// The one error type for malformed or unusable GGUF files: names the file, the field, its offset and the bad value.
package gale.engine.gguf;

import java.io.IOException;

/**
 * A GGUF file (or the model it describes) is malformed or unusable. The message always names the source file,
 * the field (a header field, a metadata key, a tensor name with its attribute, a hyperparameter), the file offset
 * of the offending bytes ({@code -1} when the problem is not located at one offset, e.g. a missing key) and the
 * bad value, so a user can find the problem with a hex editor.
 *
 * <p>Immutable and thread-safe.
 */
public final class GgufFormatException extends IOException {
    private final String source;
    private final String field;
    private final long offset;

    public GgufFormatException(String source, String field, long offset, String problem) {
        super(source + ": " + field + (offset >= 0 ? " at offset " + offset : "") + ": " + problem);
        this.source = source;
        this.field = field;
        this.offset = offset;
    }

    /** The file (or other source) the bad data came from. */
    public String source() { return source; }

    /** The field at fault, e.g. {@code "header.tensor_count"}, {@code "llama.block_count"}, {@code "tensor 'x'.n_dims"}. */
    public String field() { return field; }

    /** The file offset of the offending bytes, or {@code -1} when there is no single offset (a missing key). */
    public long offset() { return offset; }
}
