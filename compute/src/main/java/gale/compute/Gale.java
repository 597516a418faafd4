// Gale intrinsics: maths and conversions that kernels call and the translator maps to device built-ins.
package gale.compute;

/** Intrinsics for kernels. Each has a plain-Java meaning (used on the jvm backend) and a device built-in. Thread-safe. */
public final class Gale {
    private Gale() {}

    /** 1/sqrt(x). OpenCL {@code rsqrt}, CUDA {@code rsqrtf}. */
    public static float rsqrt(float x) { return (float) (1.0 / Math.sqrt(x)); }

    /** a*b+c with one rounding. */
    public static float fma(float a, float b, float c) { return Math.fma(a, b, c); }

    /** e^x in float. */
    public static float exp(float x) { return (float) Math.exp(x); }

    /** IEEE fp16 bits to float. */
    public static float halfToFloat(short bits) { return Float.float16ToFloat(bits); }

    /** Float to IEEE fp16 bits, round to nearest even. */
    public static short floatToHalf(float v) { return Float.floatToFloat16(v); }
}
