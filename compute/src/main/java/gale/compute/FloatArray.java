// Off-heap array of 32-bit floats.
package gale.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** An off-heap array of {@code float}. See {@link GaleArray} for memory and thread-safety. */
public final class FloatArray extends GaleArray {
    static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private FloatArray(MemorySegment segment, long length) { super(segment, length); }

    /** A zero-filled array of {@code length} floats. */
    public static FloatArray create(long length) {
        return new FloatArray(allocate(checkedBytes(length, 4)), length);
    }

    /** A copy of {@code values}. */
    public static FloatArray of(float... values) {
        FloatArray a = create(values.length);
        MemorySegment.copy(values, 0, a.segment, LAYOUT, 0, values.length);
        return a;
    }

    /** A zero-copy view of {@code segment} (e.g. a region of a memory-mapped file). */
    public static FloatArray view(MemorySegment segment) {
        checkView(segment, 4, "FloatArray");
        return new FloatArray(segment, segment.byteSize() / 4);
    }

    /** An array that lives only in device buffers (no host memory), zero-filled there. */
    public static FloatArray deviceOnly(long length) {
        checkedBytes(length, 4);
        return new FloatArray(null, length);
    }

    public float get(long i) { return segment.get(LAYOUT, i * 4); }

    public void set(long i, float v) { segment.set(LAYOUT, i * 4, v); }

    /** Sets every element to {@code v}. */
    public void fill(float v) { for (long i = 0; i < length; i++) set(i, v); }

    /** A heap copy of the contents. */
    public float[] toArray() {
        if (length > Integer.MAX_VALUE - 8) throw new IllegalStateException(describe() + " is too large for a Java array");
        return segment().toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Copies {@code src} into this array starting at element {@code offset}. */
    public void copyFrom(float[] src, long offset) {
        MemorySegment.copy(src, 0, segment(), LAYOUT, offset * 4, src.length);
    }

    @Override public int elementBytes() { return 4; }

    @Override public ElementType elementType() { return ElementType.FLOAT; }
}
