// GGUF metadata value types with their on-disk ids and sizes.
package gale.engine.gguf;

/**
 * The GGUF metadata value types ({@code gguf_type}): ids as stored in the file, and the byte size of the fixed-size
 * ones. Unsigned integer types are held in the Java type of the same width (a {@code UINT32} in an {@code int});
 * {@link GgufValue} accessors convert them to their unsigned value. Stateless and thread-safe.
 */
public enum GgufValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
    STRING(8, -1), ARRAY(9, -1), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = new GgufValueType[13];
    static { for (GgufValueType t : values()) BY_ID[t.id] = t; }

    private final int id;
    private final int size;

    GgufValueType(int id, int size) { this.id = id; this.size = size; }

    /** The id stored in the file. */
    public int id() { return id; }

    /** Bytes of one value, or -1 for STRING and ARRAY (variable size). */
    public int size() { return size; }

    /** Whether the type is one of the eight integer types. */
    public boolean isInteger() { return size > 0 && this != FLOAT32 && this != FLOAT64 && this != BOOL; }

    /** Whether the type is FLOAT32 or FLOAT64. */
    public boolean isFloat() { return this == FLOAT32 || this == FLOAT64; }

    /** Whether the integer type is unsigned. */
    public boolean isUnsigned() { return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64; }

    /** The type with this id, or {@code null} when unknown. */
    public static GgufValueType fromId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }
}
