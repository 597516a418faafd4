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

    // Wrapping arithmetic. Java's int and long + - * wrap; C's signed + - * are undefined on overflow, and device
    // compilers assume overflow never happens. Kernels that rely on wraparound (hashes, RNGs) say so with these,
    // which compute in unsigned arithmetic on devices and so wrap on every backend.

    /** a + b, wrapping on overflow on every backend. */
    public static int wrapAdd(int a, int b) { return a + b; }

    /** a - b, wrapping on overflow on every backend. */
    public static int wrapSub(int a, int b) { return a - b; }

    /** a * b, wrapping on overflow on every backend. */
    public static int wrapMul(int a, int b) { return a * b; }

    /** a + b, wrapping on overflow on every backend. */
    public static long wrapAdd(long a, long b) { return a + b; }

    /** a - b, wrapping on overflow on every backend. */
    public static long wrapSub(long a, long b) { return a - b; }

    /** a * b, wrapping on overflow on every backend. */
    public static long wrapMul(long a, long b) { return a * b; }
}
