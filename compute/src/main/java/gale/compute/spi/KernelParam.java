// One kernel parameter as data: its name and kind.
package gale.compute.spi;

/** A kernel parameter: its Java name and kind. */
public record KernelParam(String name, Kind kind) {
    /** Parameter kinds the kernel language allows. */
    public enum Kind {
        FLOAT_ARRAY, HALF_ARRAY, BYTE_ARRAY, INT_ARRAY, INT, LONG, FLOAT, CONTEXT;

        public boolean isArray() { return ordinal() <= INT_ARRAY.ordinal(); }

        /** The Java type name users see in errors. */
        public String javaName() {
            return switch (this) {
                case FLOAT_ARRAY -> "FloatArray"; case HALF_ARRAY -> "HalfArray"; case BYTE_ARRAY -> "ByteArray";
                case INT_ARRAY -> "IntArray"; case INT -> "int"; case LONG -> "long"; case FLOAT -> "float";
                case CONTEXT -> "KernelContext";
            };
        }
    }
}
