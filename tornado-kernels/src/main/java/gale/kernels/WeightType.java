// The weight storage formats the kernels read, with their GGUF type ids and block geometry.
package gale.kernels;

/**
 * A weight's storage format. Which Gale array holds it: F32 → FloatArray, F16 → HalfArray, every other format →
 * ByteArray of raw GGUF bytes (BF16 included: 2 bytes per element, little-endian).
 */
public enum WeightType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    BF16(30, 1, 2),
    Q8_0(8, Quant.Q8_0_BLOCK, Quant.Q8_0_BYTES),
    Q4_0(2, Quant.Q4_0_BLOCK, Quant.Q4_0_BYTES),
    Q4_K(12, Quant.QK_K, Quant.Q4_K_BYTES),
    Q6_K(14, Quant.QK_K, Quant.Q6_K_BYTES);

    /** The ggml type id in GGUF tensor infos. */
    public final int ggmlType;
    /** Elements per block (1 for plain formats). */
    public final int blockSize;
    /** Bytes per block. */
    public final int blockBytes;

    WeightType(int ggmlType, int blockSize, int blockBytes) {
        this.ggmlType = ggmlType;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Bytes of a row of {@code cols} elements; throws unless cols is a whole number of blocks. */
    public long rowBytes(long cols) {
        if (cols % blockSize != 0)
            throw new IllegalArgumentException(this + " rows need a multiple of " + blockSize + " columns, got " + cols);
        return cols / blockSize * blockBytes;
    }

    /** The type with this ggml id, or an exception naming the unsupported id. */
    public static WeightType ofGgml(int id) {
        for (WeightType t : values()) if (t.ggmlType == id) return t;
        throw new IllegalArgumentException("ggml type " + id + " is not supported by Gale's kernels (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
    }
}
