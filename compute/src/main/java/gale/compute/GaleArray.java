// The off-heap array types kernels take: one sealed base over a MemorySegment, a subclass per element type.
package gale.compute;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An off-heap array that kernels read and write. Host memory is a {@link MemorySegment}: allocated by Gale,
 * or a zero-copy view of someone else's memory (a memory-mapped file region). A "device-only" array has no
 * host memory at all; it exists only in the device buffers of the plans that use it (a KV cache).
 *
 * <p>Host access is bounds-checked. Not thread-safe for concurrent writes to the same elements; kernels running
 * on the {@code jvm} backend write disjoint ranges.
 */
public abstract sealed class GaleArray permits FloatArray, HalfArray, ByteArray, IntArray {
    final MemorySegment segment; // null for device-only arrays
    final long length;

    GaleArray(MemorySegment segment, long length) {
        if (length <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + " length must be > 0, got " + length);
        this.segment = segment;
        this.length = length;
    }

    /** Number of elements. */
    public final long length() { return length; }

    /** Bytes per element (1, 2 or 4). */
    public abstract int elementBytes();

    /** Total size in bytes. */
    public final long byteSize() { return length * elementBytes(); }

    /** Whether this array has host memory (false for {@code deviceOnly} arrays). */
    public final boolean hasHostMemory() { return segment != null; }

    /** The host memory. Throws for device-only arrays. */
    public final MemorySegment segment() {
        if (segment == null) throw new IllegalStateException(describe() + " is device-only: it has no host memory");
        return segment;
    }

    /** The element type as data, for argument checks and code generation. */
    public abstract ElementType elementType();

    /** A short description for error messages: type and length. */
    public final String describe() {
        return getClass().getSimpleName() + "[" + length + (segment == null ? ", device-only" : "") + "]";
    }

    @Override public String toString() { return describe(); }

    /** Element types of Gale arrays. */
    public enum ElementType { FLOAT, HALF, BYTE, INT }

    static MemorySegment allocate(long bytes) {
        // Automatic arena: freed when the array becomes unreachable; 64-byte alignment suits SIMD loads.
        return Arena.ofAuto().allocate(bytes, 64);
    }

    static long checkedBytes(long length, int elementBytes) {
        if (length <= 0) throw new IllegalArgumentException("length must be > 0, got " + length);
        return Math.multiplyExact(length, (long) elementBytes);
    }

    static void checkView(MemorySegment segment, int elementBytes, String type) {
        if (segment.byteSize() == 0 || segment.byteSize() % elementBytes != 0)
            throw new IllegalArgumentException(type + " view: segment size " + segment.byteSize()
                    + " is not a positive multiple of " + elementBytes);
    }
}
