// ggml tensor types as GGUF stores them: ids, block geometry, and the reference (de)quantisation entry points.
package gale.engine.gguf;

import java.lang.foreign.MemorySegment;

/**
 * The ggml tensor types (the GGUF tensor-info {@code type} field), with their block geometry: a tensor of this type
 * is stored as blocks of {@link #blockSize()} elements taking {@link #blockBytes()} bytes each, along the contiguous
 * dimension {@code ne[0]}.
 *
 * <p>Every type llama.cpp writes is listed so that any GGUF file can be parsed and inspected; only the
 * {@link #supported()} ones (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K) can be dequantised and quantised. The
 * reference (de)quantisation here is plain Java ported from ggml's {@code dequantize_row_*} and
 * {@code quantize_row_*_ref}; it is the oracle fast kernels are compared against.
 *
 * <p>Stateless and thread-safe.
 */
public enum GgmlType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 18, true),
    Q4_1(3, 32, 20, false),
    Q5_0(6, 32, 22, false),
    Q5_1(7, 32, 24, false),
    Q8_0(8, 32, 34, true),
    Q8_1(9, 32, 36, false), // ggml's sizeof(block_q8_1); gguf-py 0.19 says 40, but Q8_1 never appears in files
    Q2_K(10, 256, 84, false),
    Q3_K(11, 256, 110, false),
    Q4_K(12, 256, 144, true),
    Q5_K(13, 256, 176, false),
    Q6_K(14, 256, 210, true),
    Q8_K(15, 256, 292, false),
    IQ2_XXS(16, 256, 66, false),
    IQ2_XS(17, 256, 74, false),
    IQ3_XXS(18, 256, 98, false),
    IQ1_S(19, 256, 50, false),
    IQ4_NL(20, 32, 18, false),
    IQ3_S(21, 256, 110, false),
    IQ2_S(22, 256, 82, false),
    IQ4_XS(23, 256, 136, false),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    IQ1_M(29, 256, 56, false),
    BF16(30, 1, 2, true),
    TQ1_0(34, 256, 54, false),
    TQ2_0(35, 256, 66, false),
    MXFP4(39, 32, 17, false),
    NVFP4(40, 64, 36, false),
    Q1_0(41, 128, 18, false);

    private static final GgmlType[] BY_ID = new GgmlType[42];
    static { for (GgmlType t : values()) BY_ID[t.id] = t; }

    private final int id;
    private final int blockSize;
    private final int blockBytes;
    private final boolean supported;

    GgmlType(int id, int blockSize, int blockBytes, boolean supported) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.supported = supported;
    }

    /** The ggml type id stored in GGUF. */
    public int id() { return id; }

    /** Elements per block (1 for plain types). */
    public int blockSize() { return blockSize; }

    /** Bytes per block. */
    public int blockBytes() { return blockBytes; }

    /** Whether Gale can dequantise, quantise and compute with this type. */
    public boolean supported() { return supported; }

    /** Whether the type is a block-quantised one (block size above 1). */
    public boolean quantized() { return blockSize > 1; }

    /** The type with this ggml id, or {@code null} when the id is unknown. */
    public static GgmlType fromId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /**
     * Bytes taken by {@code elements} elements.
     *
     * @throws IllegalArgumentException when {@code elements} is negative or not a multiple of the block size
     * @throws ArithmeticException when the byte count overflows a long
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0)
            throw new IllegalArgumentException(name() + ": " + elements + " elements is not a non-negative multiple of the block size " + blockSize);
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }

    /**
     * Dequantises {@code count} elements (a multiple of the block size) whose blocks start at byte
     * {@code srcOffset} of {@code src} into {@code dst[dstOffset..]}. Exact to ggml's {@code dequantize_row_*}.
     */
    public void dequantize(MemorySegment src, long srcOffset, float[] dst, int dstOffset, int count) {
        requireSupported();
        checkCount(count);
        Quants.dequantize(this, src, srcOffset, dst, dstOffset, count);
    }

    /** Dequantises a whole buffer of this type. */
    public float[] dequantize(byte[] src) {
        requireSupported();
        if (src.length % blockBytes != 0)
            throw new IllegalArgumentException(name() + ": " + src.length + " bytes is not a multiple of the block bytes " + blockBytes);
        long n = (long) src.length / blockBytes * blockSize;
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(name() + ": " + n + " elements do not fit a Java array");
        float[] out = new float[(int) n];
        Quants.dequantize(this, MemorySegment.ofArray(src), 0, out, 0, (int) n);
        return out;
    }

    /**
     * Quantises {@code src[srcOffset..srcOffset+count)} (a multiple of the block size) into blocks written at byte
     * {@code dstOffset} of {@code dst}, with ggml's reference algorithm ({@code quantize_row_*_ref}).
     */
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        requireSupported();
        checkCount(count);
        Quants.quantize(this, src, srcOffset, count, dst, dstOffset);
    }

    /** Quantises a whole array (its length a multiple of the block size). */
    public byte[] quantize(float[] src) {
        requireSupported();
        checkCount(src.length);
        long bytes = byteSize(src.length);
        if (bytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(name() + ": " + bytes + " bytes do not fit a Java array");
        byte[] out = new byte[(int) bytes];
        Quants.quantize(this, src, 0, src.length, MemorySegment.ofArray(out), 0);
        return out;
    }

    private void checkCount(int count) {
        if (count < 0 || count % blockSize != 0)
            throw new IllegalArgumentException(name() + ": count " + count + " is not a non-negative multiple of the block size " + blockSize);
    }

    private void requireSupported() {
        if (!supported) throw new UnsupportedOperationException("ggml type " + name() + " (" + id + ") is not supported by Gale");
    }
}
