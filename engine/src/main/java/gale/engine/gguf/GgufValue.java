// One GGUF metadata value: a typed scalar, string or (flat) array.
package gale.engine.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * A GGUF metadata value. Scalars keep their exact GGUF type (a {@code UINT16} stays a {@code UINT16} through a
 * read-write round trip); integers are held as {@code long} (unsigned ones as their unsigned value, except
 * {@code UINT64} above {@code Long.MAX_VALUE}, which keeps its two's-complement bits), {@code FLOAT32} as
 * {@code float}. Arrays are flat: arrays of arrays are rejected, as llama.cpp does. Array elements are held in the
 * Java primitive array of the same width ({@code byte[]} for U8/I8, {@code short[]}, {@code int[]}, {@code long[]},
 * {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]}).
 *
 * <p>Immutable and thread-safe: factories and array accessors copy.
 */
public final class GgufValue {
    private final GgufValueType type;
    private final GgufValueType elementType; // ARRAY only
    private final Object value;             // Long, Float, Double, Boolean, String, or a primitive/String array

    private GgufValue(GgufValueType type, GgufValueType elementType, Object value) {
        this.type = type;
        this.elementType = elementType;
        this.value = value;
    }

    // ---------------------------------------------------------------- factories

    public static GgufValue uint8(int v) { return integer(GgufValueType.UINT8, v, 0, 0xFF); }
    public static GgufValue int8(int v) { return integer(GgufValueType.INT8, v, Byte.MIN_VALUE, Byte.MAX_VALUE); }
    public static GgufValue uint16(int v) { return integer(GgufValueType.UINT16, v, 0, 0xFFFF); }
    public static GgufValue int16(int v) { return integer(GgufValueType.INT16, v, Short.MIN_VALUE, Short.MAX_VALUE); }
    public static GgufValue uint32(long v) { return integer(GgufValueType.UINT32, v, 0, 0xFFFF_FFFFL); }
    public static GgufValue int32(int v) { return integer(GgufValueType.INT32, v, Integer.MIN_VALUE, Integer.MAX_VALUE); }
    /** A UINT64; values above {@code Long.MAX_VALUE} are passed as their two's-complement bits. */
    public static GgufValue uint64(long bits) { return new GgufValue(GgufValueType.UINT64, null, bits); }
    public static GgufValue int64(long v) { return new GgufValue(GgufValueType.INT64, null, v); }
    public static GgufValue float32(float v) { return new GgufValue(GgufValueType.FLOAT32, null, v); }
    public static GgufValue float64(double v) { return new GgufValue(GgufValueType.FLOAT64, null, v); }
    public static GgufValue bool(boolean v) { return new GgufValue(GgufValueType.BOOL, null, v); }
    public static GgufValue string(String v) { return new GgufValue(GgufValueType.STRING, null, Objects.requireNonNull(v, "string")); }

    public static GgufValue stringArray(String... v) { return array(GgufValueType.STRING, v); }
    public static GgufValue float32Array(float... v) { return array(GgufValueType.FLOAT32, v); }
    public static GgufValue int32Array(int... v) { return array(GgufValueType.INT32, v); }

    /**
     * An array of {@code elementType} (not ARRAY) whose elements are in {@code elements}, a Java array of the
     * matching width (see the class comment). Unsigned elements are given by their bits.
     */
    public static GgufValue array(GgufValueType elementType, Object elements) {
        Objects.requireNonNull(elements, "elements");
        Class<?> want = switch (elementType) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> throw new IllegalArgumentException("arrays of arrays are not supported (llama.cpp rejects them)");
        };
        if (elements.getClass() != want)
            throw new IllegalArgumentException("array of " + elementType + " needs a " + want.getSimpleName() + ", got " + elements.getClass().getSimpleName());
        if (elements instanceof String[] s) for (String e : s) Objects.requireNonNull(e, "string array element");
        return new GgufValue(GgufValueType.ARRAY, elementType, copy(elements));
    }

    /** Wraps an array the caller hands over (the reader's freshly decoded arrays): no copy. */
    static GgufValue ownedArray(GgufValueType elementType, Object elements) {
        return new GgufValue(GgufValueType.ARRAY, elementType, elements);
    }

    /** A scalar of an integer type from its raw bits as read from the file (sign- or zero-extended per type). */
    static GgufValue integerBits(GgufValueType type, long bits) {
        return new GgufValue(type, null, bits);
    }

    private static GgufValue integer(GgufValueType t, long v, long min, long max) {
        if (v < min || v > max) throw new IllegalArgumentException(t + " value " + v + " is outside " + min + ".." + max);
        return new GgufValue(t, null, v);
    }

    private static Object copy(Object a) {
        return switch (a) {
            case byte[] x -> x.clone();
            case short[] x -> x.clone();
            case int[] x -> x.clone();
            case long[] x -> x.clone();
            case float[] x -> x.clone();
            case double[] x -> x.clone();
            case boolean[] x -> x.clone();
            case String[] x -> x.clone();
            default -> throw new IllegalArgumentException(a.getClass().toString());
        };
    }

    // ---------------------------------------------------------------- accessors

    public GgufValueType type() { return type; }

    /** The element type of an ARRAY, {@code null} for scalars. */
    public GgufValueType elementType() { return elementType; }

    public boolean isArray() { return type == GgufValueType.ARRAY; }

    /** An integer scalar's value (UINT64 above {@code Long.MAX_VALUE} as its bits). */
    public long asLong() {
        if (!type.isInteger()) throw new IllegalStateException("not an integer: " + this);
        return (Long) value;
    }

    /** An integer scalar's value if it fits an int. */
    public int asInt() {
        long v = asLong();
        if (v != (int) v || (type == GgufValueType.UINT64 && v < 0))
            throw new ArithmeticException("value " + Long.toUnsignedString(v) + " does not fit an int");
        return (int) v;
    }

    /** A numeric scalar (integer or float) as a double. */
    public double asDouble() {
        if (type.isFloat()) return ((Number) value).doubleValue();
        if (type == GgufValueType.UINT64 && (Long) value < 0) return Double.parseDouble(Long.toUnsignedString((Long) value));
        return asLong();
    }

    /** A FLOAT32 scalar exactly; other numeric types converted. */
    public float asFloat() { return type == GgufValueType.FLOAT32 ? (Float) value : (float) asDouble(); }

    public boolean asBoolean() {
        if (type != GgufValueType.BOOL) throw new IllegalStateException("not a bool: " + this);
        return (Boolean) value;
    }

    public String asString() {
        if (type != GgufValueType.STRING) throw new IllegalStateException("not a string: " + this);
        return (String) value;
    }

    /** Number of elements of an array. */
    public int arrayLength() {
        if (!isArray()) throw new IllegalStateException("not an array: " + this);
        return java.lang.reflect.Array.getLength(value);
    }

    /** A copy of the elements of an array, in the Java array type described in the class comment. */
    public Object arrayCopy() {
        if (!isArray()) throw new IllegalStateException("not an array: " + this);
        return copy(value);
    }

    public String[] asStringArray() { return (String[]) arrayOf(GgufValueType.STRING); }

    public float[] asFloatArray() { return (float[]) arrayOf(GgufValueType.FLOAT32); }

    /** An INT32 or UINT32 array (UINT32 elements as their bits). */
    public int[] asIntArray() {
        if (isArray() && elementType == GgufValueType.UINT32) return ((int[]) value).clone();
        return (int[]) arrayOf(GgufValueType.INT32);
    }

    private Object arrayOf(GgufValueType t) {
        if (!isArray() || elementType != t) throw new IllegalStateException("not an array of " + t + ": " + this);
        return copy(value);
    }

    /** Direct access for the writer (no copy). */
    Object raw() { return value; }

    @Override public boolean equals(Object o) {
        return o instanceof GgufValue v && type == v.type && elementType == v.elementType && Objects.deepEquals(value, v.value);
    }

    @Override public int hashCode() {
        int h = Objects.hash(type, elementType);
        return 31 * h + (value.getClass().isArray() ? Arrays.deepHashCode(new Object[]{value}) : value.hashCode());
    }

    @Override public String toString() {
        if (!isArray()) {
            if (type == GgufValueType.STRING) {
                String s = (String) value;
                return "\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
            }
            if (type == GgufValueType.UINT64) return Long.toUnsignedString((Long) value);
            return String.valueOf(value);
        }
        return elementType + "[" + arrayLength() + "]";
    }
}
