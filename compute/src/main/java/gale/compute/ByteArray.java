// Off-heap array of bytes: int8 data and raw quantized blocks.
package gale.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An off-heap array of bytes, for int8 data and raw quantized blocks (GGUF Q8_0, Q4_K…). Besides single bytes,
 * kernels can read little-endian fp16 values at any even byte offset ({@link #getHalf}), the usual block scale.
 * See {@link GaleArray} for memory and thread-safety.
 */
public final class ByteArray extends GaleArray {
    /** Little-endian fp16 at any byte offset: built once (withOrder allocates a new layout, ~1.5 µs per call). */
    static final ValueLayout.OfShort HALF_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private ByteArray(MemorySegment segment, long length) { super(segment, length); }

    public static ByteArray create(long length) { return new ByteArray(allocate(checkedBytes(length, 1)), length); }

    public static ByteArray of(byte... values) {
        ByteArray a = create(values.length);
        MemorySegment.copy(values, 0, a.segment, ValueLayout.JAVA_BYTE, 0, values.length);
        return a;
    }

    public static ByteArray view(MemorySegment segment) {
        checkView(segment, 1, "ByteArray");
        return new ByteArray(segment, segment.byteSize());
    }

    public static ByteArray deviceOnly(long length) {
        checkedBytes(length, 1);
        return new ByteArray(null, length);
    }

    /** The signed byte at {@code i} (int8). */
    public byte get(long i) { return segment.get(ValueLayout.JAVA_BYTE, i); }

    /** The byte at {@code i} as an unsigned value 0..255. */
    public int getUnsigned(long i) { return segment.get(ValueLayout.JAVA_BYTE, i) & 0xFF; }

    public void set(long i, byte v) { segment.set(ValueLayout.JAVA_BYTE, i, v); }

    /** The little-endian fp16 value whose first byte is at {@code byteOffset} (must be even), as a float. */
    public float getHalf(long byteOffset) {
        return Float.float16ToFloat(segment.get(HALF_LE, byteOffset));
    }

    public byte[] toArray() { return segment().toArray(ValueLayout.JAVA_BYTE); }

    @Override public int elementBytes() { return 1; }

    @Override public ElementType elementType() { return ElementType.BYTE; }
}
