// One tensor of a GGUF file: its validated info and a zero-copy view of its bytes in the memory map.
package gale.engine.gguf;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.HalfArray;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor of an open {@link GgufFile}. The shape is ggml's: {@code shape()[0]} ({@code ne[0]}) is the contiguous
 * dimension, so a PyTorch {@code [out, in]} weight has shape {@code [in, out]} and row {@code r} (of
 * {@link #rowLength()} elements, {@link #rowBytes()} bytes) is output {@code r}. The bytes are a slice of the file's
 * memory map: valid only while the file is open (access after {@link GgufFile#close()} throws
 * {@link IllegalStateException}).
 *
 * <p>Immutable and thread-safe for reading; the views it hands out are read-only segments.
 */
public final class GgufTensor {
    private final String name;
    private final GgmlType type;
    private final long[] shape;
    private final long elementCount;
    private final long byteSize;
    private final long dataOffset;   // relative to the data section, as stored
    private final long fileOffset;   // absolute
    private final long infoOffset;   // where the tensor info starts, for error messages
    private final MemorySegment data;

    GgufTensor(String name, GgmlType type, long[] shape, long elementCount, long byteSize,
               long dataOffset, long fileOffset, long infoOffset, MemorySegment data) {
        this.name = name;
        this.type = type;
        this.shape = shape;
        this.elementCount = elementCount;
        this.byteSize = byteSize;
        this.dataOffset = dataOffset;
        this.fileOffset = fileOffset;
        this.infoOffset = infoOffset;
        this.data = data;
    }

    public String name() { return name; }

    public GgmlType type() { return type; }

    /** Number of dimensions, 1..4. */
    public int nDims() { return shape.length; }

    /** A copy of the shape, {@code ne[0]} (contiguous) first. */
    public long[] shape() { return shape.clone(); }

    /** {@code ne[i]}; 1 for {@code i >= nDims()}, as in ggml. */
    public long dim(int i) { return i < shape.length ? shape[i] : 1; }

    public long elementCount() { return elementCount; }

    /** Elements per row: {@code ne[0]}. */
    public long rowLength() { return shape[0]; }

    /** Number of rows: the product of {@code ne[1..]}. */
    public long rowCount() { return elementCount / shape[0]; }

    /** Bytes per row. */
    public long rowBytes() { return type.byteSize(shape[0]); }

    public long byteSize() { return byteSize; }

    /** Offset of the data relative to the data section (as stored in the tensor info). */
    public long dataOffset() { return dataOffset; }

    /** Absolute file offset of the data. */
    public long fileOffset() { return fileOffset; }

    /** Absolute file offset of this tensor's info record (for error messages). */
    public long infoOffset() { return infoOffset; }

    /** The tensor's bytes: a read-only zero-copy slice of the file. */
    public MemorySegment segment() { return data; }

    /** Row {@code row}'s bytes: a zero-copy slice. */
    public MemorySegment rowSegment(long row) {
        if (row < 0 || row >= rowCount()) throw new IndexOutOfBoundsException("row " + row + " of tensor '" + name + "' with " + rowCount() + " rows");
        return data.asSlice(row * rowBytes(), rowBytes());
    }

    /** The bytes as a zero-copy {@link ByteArray} (raw blocks for quantised types). */
    public ByteArray asByteArray() { return ByteArray.view(data); }

    /** A zero-copy {@link FloatArray} view; F32 tensors only, on a little-endian host. */
    public FloatArray asFloatArray() {
        requireType(GgmlType.F32);
        requireLittleEndianHost();
        return FloatArray.view(data);
    }

    /** A zero-copy {@link HalfArray} view; F16 tensors only, on a little-endian host. */
    public HalfArray asHalfArray() {
        requireType(GgmlType.F16);
        requireLittleEndianHost();
        return HalfArray.view(data);
    }

    /** All elements dequantised with the reference implementation (a heap copy). */
    public float[] dequantize() {
        if (elementCount > Integer.MAX_VALUE - 8)
            throw new IllegalStateException("tensor '" + name + "' has " + elementCount + " elements: too many for a Java array; dequantize rows instead");
        float[] out = new float[(int) elementCount];
        type.dequantize(data, 0, out, 0, (int) elementCount);
        return out;
    }

    /** Row {@code row} dequantised into {@code dst[0..rowLength())}. */
    public void dequantizeRow(long row, float[] dst) {
        if (row < 0 || row >= rowCount()) throw new IndexOutOfBoundsException("row " + row + " of tensor '" + name + "' with " + rowCount() + " rows");
        type.dequantize(data, row * rowBytes(), dst, 0, Math.toIntExact(shape[0]));
    }

    private void requireType(GgmlType want) {
        if (type != want) throw new IllegalStateException("tensor '" + name + "' is " + type + ", not " + want);
    }

    private static void requireLittleEndianHost() {
        // FloatArray/HalfArray read in native order; GGUF is little-endian.
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
            throw new UnsupportedOperationException("typed views of GGUF data need a little-endian host");
    }

    @Override public String toString() {
        return name + " " + type + Arrays.toString(shape) + " @" + fileOffset;
    }
}
