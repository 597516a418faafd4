// The tables that make the one C-like emitter speak OpenCL C 1.2 or CUDA C: qualifiers, types, ids, barriers, maths.
package gale.compute.translate;

import gale.compute.spi.KernelParam;

/**
 * What differs between OpenCL C and CUDA C, as small hooks; {@link CEmitter} holds everything they share (as
 * tinygrad's renderers do). Prelude functions ({@code gale_*}) are emitted on demand, only when a kernel uses them.
 * Stateless; thread-safe.
 */
abstract class Dialect {
    static final Dialect OPENCL = new OpenCl();
    static final Dialect CUDA = new Cuda();

    abstract String name();

    /** Text before the entry's name, e.g. {@code __kernel void}. */
    abstract String kernelPrefix();

    /** Text before a helper's return type. */
    abstract String helperPrefix();

    /** The C type of an array parameter. */
    abstract String pointerType(KernelParam.Kind kind);

    /** C name of a Java primitive type name (int, long, float, boolean, short, byte, char). */
    abstract String scalar(String javaType);

    /** The unsigned 8-bit type. */
    abstract String unsignedByte();

    /** Unsigned type of the same width as int (32) or long (64), for >>> and wrapping arithmetic. */
    abstract String unsigned(boolean isLong);

    /** An {@code int} expression for a work-item id or size; which: global, local, group, localSize, globalSize. */
    abstract String id(String which, int dim);

    abstract String barrier(boolean global);

    abstract String localArray(String elementType, String name, long length);

    /** A float maths function by its generic name (sqrt, exp, log, fabs, fmax, fmin, pow, tanh, sin, cos, floor, ceil, fma, rsqrt, fmod). */
    abstract String floatFn(String generic);

    /** Literal of a long. */
    abstract String longLiteral(long v);

    /** Bits of a float as int, and back. */
    abstract String floatToBits(String x);

    abstract String bitsToFloat(String x);

    /** Java's float→int/long conversion: round toward zero, saturate, NaN → 0. */
    abstract String floatToIntSat(String x, boolean toLong);

    /** A float from a half array element, and a store into one (round to nearest even, as Java does). */
    abstract String halfLoad(String array, String index, CEmitter.Prelude prelude);

    abstract String halfStore(String array, String index, String value);

    abstract String halfBitsLoad(String array, String index);

    abstract String halfBitsStore(String array, String index, String value);

    /** The fp16 at byte offset {@code off} of a byte array. */
    abstract String byteHalfLoad(String array, String off);

    /** Conversions between fp16 bits (a short) and float, for Gale.halfToFloat/floatToHalf. */
    abstract String halfBitsToFloat(String bits, CEmitter.Prelude prelude);

    abstract String floatToHalfBits(String v, CEmitter.Prelude prelude);

    abstract String atomicAddInt(String array, String index, String value);

    abstract String atomicAddFloat(String array, String index, String value, CEmitter.Prelude prelude);

    /** A not-a-number check, as an int/bool. */
    abstract String isNaN(String x);

    /** Lines that open the translation unit (pragmas, includes); may be empty. */
    abstract String header();

    /** Words the emitter must not use as identifiers in this dialect (C keywords, built-ins that Java names may shadow). */
    boolean reserved(String name) {
        return switch (name) {
            case "auto", "extern", "register", "signed", "unsigned", "sizeof", "struct", "typedef", "union", "inline",
                 "restrict", "volatile", "const", "enum", "goto", "static", "bool", "half", "uint", "ulong", "uchar",
                 "ushort", "size_t", "kernel", "global", "local", "constant", "private", "read_only", "write_only",
                 "min", "max", "abs", "sqrt", "exp", "log", "pow", "tanh", "sin", "cos", "floor", "ceil", "fma",
                 "rsqrt", "fmod", "fabs", "fmax", "fmin", "clamp", "mix", "sign", "step", "dot", "select", "barrier",
                 "atomic_add", "as_int", "as_float", "vload_half", "vstore_half", "isnan", "threadIdx", "blockIdx",
                 "blockDim", "gridDim", "warpSize", "atomicAdd", "asm", "new", "delete", "this", "namespace",
                 "template", "typename", "class", "operator", "friend", "virtual", "using", "true", "false",
                 "NULL", "INFINITY", "NAN", "float2", "float4", "int2", "int4", "short2", "char4", "double",
                 "signbit", "round", "trunc", "exp2", "log2", "main" -> true;
            default -> name.startsWith("gale_") || name.startsWith("__") || name.startsWith("get_");
        };
    }

    private static final class OpenCl extends Dialect {
        @Override String name() { return "OpenCL C"; }
        @Override String kernelPrefix() { return "__kernel void"; }
        @Override String helperPrefix() { return ""; }

        @Override String pointerType(KernelParam.Kind kind) {
            return switch (kind) {
                case FLOAT_ARRAY -> "__global float*"; case HALF_ARRAY -> "__global half*";
                case BYTE_ARRAY -> "__global char*"; case INT_ARRAY -> "__global int*";
                default -> throw new IllegalArgumentException(kind.name());
            };
        }

        @Override String scalar(String t) {
            return switch (t) {
                case "byte" -> "char"; case "char" -> "ushort"; case "boolean" -> "bool";
                default -> t; // int, long (64-bit in OpenCL C), float, short
            };
        }

        @Override String unsigned(boolean isLong) { return isLong ? "ulong" : "uint"; }
        @Override String unsignedByte() { return "uchar"; }

        @Override String id(String which, int dim) {
            String fn = switch (which) {
                case "global" -> "get_global_id"; case "local" -> "get_local_id"; case "group" -> "get_group_id";
                case "localSize" -> "get_local_size"; case "globalSize" -> "get_global_size";
                default -> throw new IllegalArgumentException(which);
            };
            return "(int)" + fn + "(" + dim + ")";
        }

        @Override String barrier(boolean global) {
            return global ? "barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE)" : "barrier(CLK_LOCAL_MEM_FENCE)";
        }

        @Override String localArray(String t, String name, long n) { return "__local " + t + " " + name + "[" + n + "]"; }
        @Override String floatFn(String g) { return g; } // OpenCL C's maths built-ins are overloaded on float
        @Override String longLiteral(long v) { return v == Long.MIN_VALUE ? "(-9223372036854775807L - 1L)" : v + "L"; }
        @Override String floatToBits(String x) { return "as_int(" + x + ")"; }
        @Override String bitsToFloat(String x) { return "as_float(" + x + ")"; }
        @Override String floatToIntSat(String x, boolean l) { return (l ? "convert_long_sat_rtz(" : "convert_int_sat_rtz(") + x + ")"; }
        // Not vload_half: that is a library call CPU compilers (PoCL's LLVM) do not vectorise, which made F16 mat-vecs
        // 3× slower there. Shifting exponent and mantissa into place and scaling by 2^(127−15) is exact for every
        // finite half, subnormals included (HalfBitsTest checks all 65536 patterns on each device). On a GPU it is a
        // few integer operations per load instead of one conversion; not measured there yet (issue 7's GPU run).
        @Override String halfLoad(String a, String i, CEmitter.Prelude p) {
            p.need("gale_h2f_bits", "float gale_h2f_bits(int h) {\n"
                    + "    int e = h & 0x7fff;\n"
                    + "    float f = as_float(e << 13) * 0x1p112f;\n"
                    + "    if (e >= 0x7c00) f = as_float((e << 13) | 0x7f800000);\n"
                    + "    return as_float(as_int(f) | ((h & 0x8000) << 16));\n}");
            return "gale_h2f_bits(((__global short*)" + a + ")[" + i + "])";
        }
        @Override String halfStore(String a, String i, String v) { return "vstore_half_rte(" + v + ", " + i + ", " + a + ")"; }
        @Override String halfBitsLoad(String a, String i) { return "((__global short*)" + a + ")[" + i + "]"; }
        @Override String halfBitsStore(String a, String i, String v) { return "((__global short*)" + a + ")[" + i + "] = " + v; }
        @Override String byteHalfLoad(String a, String off) { return "vload_half(0, (__global const half*)(" + a + " + " + off + "))"; }

        @Override String halfBitsToFloat(String bits, CEmitter.Prelude p) {
            p.need("gale_half_to_float", "float gale_half_to_float(short bits) {\n    return vload_half(0, (const half*)&bits);\n}");
            return "gale_half_to_float(" + bits + ")";
        }

        @Override String floatToHalfBits(String v, CEmitter.Prelude p) {
            p.need("gale_float_to_half", "short gale_float_to_half(float v) {\n    short bits;\n    vstore_half_rte(v, 0, (half*)&bits);\n    return bits;\n}");
            return "gale_float_to_half(" + v + ")";
        }

        @Override String atomicAddInt(String a, String i, String v) { return "atomic_add(&" + a + "[" + i + "], " + v + ")"; }

        @Override String atomicAddFloat(String a, String i, String v, CEmitter.Prelude p) {
            // OpenCL 1.2 has no float atomics: a compare-and-swap loop on the int bits.
            p.need("gale_atomic_add_float", """
                    float gale_atomic_add_float(__global float* p, float v) {
                        int old = as_int(*p);
                        while (1) {
                            int seen = atomic_cmpxchg((volatile __global int*)p, old, as_int(as_float(old) + v));
                            if (seen == old) return as_float(old);
                            old = seen;
                        }
                    }""");
            return "gale_atomic_add_float(&" + a + "[" + i + "], " + v + ")";
        }

        @Override String isNaN(String x) { return "isnan(" + x + ")"; }
        @Override String header() { return ""; }
    }

    private static final class Cuda extends Dialect {
        @Override String name() { return "CUDA C"; }
        @Override String kernelPrefix() { return "extern \"C\" __global__ void"; }
        @Override String helperPrefix() { return "static __device__ "; }

        @Override String pointerType(KernelParam.Kind kind) {
            // Halves travel as their bits: converting with PTX cvt needs no cuda_fp16.h, which NVRTC may lack.
            return switch (kind) {
                case FLOAT_ARRAY -> "float*"; case HALF_ARRAY -> "unsigned short*";
                case BYTE_ARRAY -> "signed char*"; case INT_ARRAY -> "int*";
                default -> throw new IllegalArgumentException(kind.name());
            };
        }

        @Override String scalar(String t) {
            return switch (t) {
                case "byte" -> "signed char"; case "char" -> "unsigned short"; case "boolean" -> "bool";
                case "long" -> "long long";
                default -> t;
            };
        }

        @Override String unsigned(boolean isLong) { return isLong ? "unsigned long long" : "unsigned int"; }
        @Override String unsignedByte() { return "unsigned char"; }

        @Override String id(String which, int dim) {
            String c = switch (dim) { case 0 -> "x"; case 1 -> "y"; default -> "z"; };
            return switch (which) {
                case "global" -> "(int)(blockIdx." + c + " * blockDim." + c + " + threadIdx." + c + ")";
                case "local" -> "(int)threadIdx." + c;
                case "group" -> "(int)blockIdx." + c;
                case "localSize" -> "(int)blockDim." + c;
                case "globalSize" -> "(int)(gridDim." + c + " * blockDim." + c + ")";
                default -> throw new IllegalArgumentException(which);
            };
        }

        @Override String barrier(boolean global) { return global ? "__syncthreads(); __threadfence()" : "__syncthreads()"; }
        @Override String localArray(String t, String name, long n) { return "__shared__ " + t + " " + name + "[" + n + "]"; }
        @Override String floatFn(String g) { return g + "f"; }
        @Override String longLiteral(long v) { return v == Long.MIN_VALUE ? "(-9223372036854775807LL - 1LL)" : v + "LL"; }
        @Override String floatToBits(String x) { return "__float_as_int(" + x + ")"; }
        @Override String bitsToFloat(String x) { return "__int_as_float(" + x + ")"; }
        @Override String floatToIntSat(String x, boolean l) { return (l ? "__float2ll_rz(" : "__float2int_rz(") + x + ")"; }

        private static final String H2F = "static __device__ float gale_h2f(unsigned short h) {\n    float f;\n"
                + "    asm(\"cvt.f32.f16 %0, %1;\" : \"=f\"(f) : \"h\"(h));\n    return f;\n}";
        private static final String F2H = "static __device__ unsigned short gale_f2h(float f) {\n    unsigned short h;\n"
                + "    asm(\"cvt.rn.f16.f32 %0, %1;\" : \"=h\"(h) : \"f\"(f));\n    return h;\n}";

        // Half loads/stores need the prelude; the emitter registers both conversions for any kernel with half data.
        @Override String halfLoad(String a, String i, CEmitter.Prelude p) { return "gale_h2f(" + a + "[" + i + "])"; }
        @Override String halfStore(String a, String i, String v) { return a + "[" + i + "] = gale_f2h(" + v + ")"; }
        @Override String halfBitsLoad(String a, String i) { return "(short)" + a + "[" + i + "]"; }
        @Override String halfBitsStore(String a, String i, String v) { return a + "[" + i + "] = (unsigned short)(" + v + ")"; }
        @Override String byteHalfLoad(String a, String off) { return "gale_h2f(*(const unsigned short*)(" + a + " + " + off + "))"; }

        @Override String halfBitsToFloat(String bits, CEmitter.Prelude p) {
            p.need("gale_h2f", H2F);
            return "gale_h2f((unsigned short)(" + bits + "))";
        }

        @Override String floatToHalfBits(String v, CEmitter.Prelude p) {
            p.need("gale_f2h", F2H);
            return "(short)gale_f2h(" + v + ")";
        }

        void halfPrelude(CEmitter.Prelude p) { p.need("gale_h2f", H2F); p.need("gale_f2h", F2H); }

        @Override String atomicAddInt(String a, String i, String v) { return "atomicAdd(&" + a + "[" + i + "], " + v + ")"; }
        @Override String atomicAddFloat(String a, String i, String v, CEmitter.Prelude p) { return "atomicAdd(&" + a + "[" + i + "], " + v + ")"; }
        @Override String isNaN(String x) { return "isnan(" + x + ")"; }
        @Override String header() { return ""; }
    }

    /** Registers prelude functions a kernel with half data needs (CUDA's PTX conversions); OpenCL needs none. */
    void halfPrelude(CEmitter.Prelude p) {}
}
