// Off-heap array of 32-bit ints.
package gale.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** An off-heap array of {@code int}. See {@link GaleArray} for memory and thread-safety. */
public final class IntArray extends GaleArray {
    static final ValueLayout.OfInt LAYOUT = ValueLayout.JAVA_INT_UNALIGNED;

    private IntArray(MemorySegment segment, long length) { super(segment, length); }

    public static IntArray create(long length) { return new IntArray(allocate(checkedBytes(length, 4)), length); }

    public static IntArray of(int... values) {
        IntArray a = create(values.length);
        MemorySegment.copy(values, 0, a.segment, LAYOUT, 0, values.length);
        return a;
    }

    public static IntArray view(MemorySegment segment) {
        checkView(segment, 4, "IntArray");
        return new IntArray(segment, segment.byteSize() / 4);
    }

    public static IntArray deviceOnly(long length) {
        checkedBytes(length, 4);
        return new IntArray(null, length);
    }

    public int get(long i) { return segment.get(LAYOUT, i * 4); }

    public void set(long i, int v) { segment.set(LAYOUT, i * 4, v); }

    public void fill(int v) { for (long i = 0; i < length; i++) set(i, v); }

    public int[] toArray() { return segment().toArray(ValueLayout.JAVA_INT); }

    @Override public int elementBytes() { return 4; }

    @Override public ElementType elementType() { return ElementType.INT; }
}
