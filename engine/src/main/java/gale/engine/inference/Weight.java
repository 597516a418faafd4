// A weight matrix on its way to the kernels: storage format, the array that holds it (a view of the file), shape.
package gale.engine.inference;

import gale.compute.GaleArray;
import gale.compute.FloatArray;
import gale.engine.gguf.GgmlType;
import gale.engine.gguf.GgufTensor;
import gale.kernels.WeightType;

/**
 * A [rows, cols] weight (GGUF order: row r = output r, cols contiguous) in its storage format. The array is a
 * zero-copy view of the memory-mapped file, so the jvm backend reads the mapping and device backends upload it once.
 * Immutable.
 */
record Weight(String name, WeightType type, GaleArray data, int rows, int cols) {

    /** Wraps a 2-D tensor; F32 → FloatArray, F16 → HalfArray, every other format → raw ByteArray. */
    static Weight of(GgufTensor t) {
        WeightType type = WeightType.ofGgml(t.type().id());
        GaleArray data = switch (type) {
            case F32 -> t.asFloatArray();
            case F16 -> t.asHalfArray();
            default -> t.asByteArray();
        };
        return new Weight(t.name(), type, data, Math.toIntExact(t.rowCount()), Math.toIntExact(t.rowLength()));
    }

    /** A 1-D F32 vector (norm weights); other formats are dequantised once into a new array. */
    static FloatArray vector(GgufTensor t) {
        if (t.type() == GgmlType.F32) return t.asFloatArray();
        return FloatArray.of(t.dequantize());
    }
}
