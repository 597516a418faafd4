// Off-heap array of IEEE 754 binary16 values, stored as their 16-bit patterns.
package gale.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An off-heap array of IEEE fp16 values. Kernels read and write them as floats ({@link #getFloat}/{@link #setFloat},
 * which OpenCL C translates to {@code vload_half}/{@code vstore_half}); the raw bits are there too.
 * See {@link GaleArray} for memory and thread-safety.
 */
public final class HalfArray extends GaleArray {
    static final ValueLayout.OfShort LAYOUT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private HalfArray(MemorySegment segment, long length) { super(segment, length); }

    public static HalfArray create(long length) { return new HalfArray(allocate(checkedBytes(length, 2)), length); }

    /** fp16 copies of {@code values} (round to nearest even). */
    public static HalfArray of(float... values) {
        HalfArray a = create(values.length);
        for (int i = 0; i < values.length; i++) a.setFloat(i, values[i]);
        return a;
    }

    public static HalfArray view(MemorySegment segment) {
        checkView(segment, 2, "HalfArray");
        return new HalfArray(segment, segment.byteSize() / 2);
    }

    public static HalfArray deviceOnly(long length) {
        checkedBytes(length, 2);
        return new HalfArray(null, length);
    }

    public float getFloat(long i) { return Float.float16ToFloat(segment.get(LAYOUT, i * 2)); }

    public void setFloat(long i, float v) { segment.set(LAYOUT, i * 2, Float.floatToFloat16(v)); }

    public short getBits(long i) { return segment.get(LAYOUT, i * 2); }

    public void setBits(long i, short bits) { segment.set(LAYOUT, i * 2, bits); }

    @Override public int elementBytes() { return 2; }

    @Override public ElementType elementType() { return ElementType.HALF; }
}
