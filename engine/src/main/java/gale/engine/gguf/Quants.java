// Plain-Java reference (de)quantisation for the supported ggml types, ported operation for operation from ggml.
package gale.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reference (de)quantisation: the oracle every fast kernel is compared against. Dequantisation follows ggml's
 * {@code dequantize_row_*} and quantisation ggml's {@code quantize_row_*_ref} (ggml/src/ggml-quants.c) expression by
 * expression, in float arithmetic and in the same evaluation order, so the bytes match what ggml produces when it is
 * compiled without FMA contraction (GCC/Clang's default for x86-64 without {@code -march}; a build that contracts
 * {@code a*b+c} into an FMA can differ in the last bit of a scale and hence in a quant). Rounding helpers keep C's
 * semantics: {@code roundf} rounds half away from zero, ggml's {@code nearest_int} rounds half to even.
 *
 * <p>Stateless and thread-safe (all scratch is per call).
 */
final class Quants {
    private Quants() {}

    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final float GROUP_MAX_EPS = 1e-15f;
    private static final int QK_K = 256;

    // ---------------------------------------------------------------- dequantisation

    static void dequantize(GgmlType type, MemorySegment src, long off, float[] y, int yo, int n) {
        switch (type) {
            case F32 -> MemorySegment.copy(src, LE_FLOAT, off, y, yo, n);
            case F16 -> { for (int i = 0; i < n; i++) y[yo + i] = Float.float16ToFloat(src.get(LE_SHORT, off + 2L * i)); }
            case BF16 -> { for (int i = 0; i < n; i++) y[yo + i] = bf16ToFloat(src.get(LE_SHORT, off + 2L * i)); }
            case Q8_0 -> dequantQ8_0(src, off, y, yo, n);
            case Q4_0 -> dequantQ4_0(src, off, y, yo, n);
            case Q4_K -> dequantQ4_K(src, off, y, yo, n);
            case Q6_K -> dequantQ6_K(src, off, y, yo, n);
            default -> throw new UnsupportedOperationException("dequantize " + type);
        }
    }

    static float bf16ToFloat(short bits) { return Float.intBitsToFloat((bits & 0xFFFF) << 16); }

    /** ggml_compute_fp32_to_bf16: round to nearest even, NaNs kept quiet. */
    static short floatToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 64);
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    private static float half(MemorySegment s, long off) { return Float.float16ToFloat(s.get(LE_SHORT, off)); }

    private static int u8(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF; }

    private static void dequantQ8_0(MemorySegment s, long off, float[] y, int yo, int n) {
        for (int i = 0; i < n / 32; i++) {
            long b = off + 34L * i;
            float d = half(s, b);
            for (int j = 0; j < 32; j++) y[yo + i * 32 + j] = s.get(ValueLayout.JAVA_BYTE, b + 2 + j) * d;
        }
    }

    private static void dequantQ4_0(MemorySegment s, long off, float[] y, int yo, int n) {
        for (int i = 0; i < n / 32; i++) {
            long b = off + 18L * i;
            float d = half(s, b);
            for (int j = 0; j < 16; j++) {
                int q = u8(s, b + 2 + j);
                y[yo + i * 32 + j] = ((q & 0x0F) - 8) * d;
                y[yo + i * 32 + j + 16] = ((q >>> 4) - 8) * d;
            }
        }
    }

    /** get_scale_min_k4: the j-th 6-bit scale (index 0) and min (index 1) of a Q4_K block's 12 packed bytes. */
    private static int scaleK4(int j, int[] q) {
        return j < 4 ? q[j] & 63 : (q[j + 4] & 0xF) | ((q[j - 4] >>> 6) << 4);
    }

    private static int minK4(int j, int[] q) {
        return j < 4 ? q[j + 4] & 63 : (q[j + 4] >>> 4) | ((q[j] >>> 6) << 4);
    }

    private static void dequantQ4_K(MemorySegment s, long off, float[] y, int yo, int n) {
        int[] sc = new int[12];
        int out = yo;
        for (int i = 0; i < n / QK_K; i++) {
            long b = off + 144L * i;
            float d = half(s, b), min = half(s, b + 2);
            for (int k = 0; k < 12; k++) sc[k] = u8(s, b + 4 + k);
            long q = b + 16;
            for (int is = 0; is < 8; is += 2) {
                float d1 = d * scaleK4(is, sc), m1 = min * minK4(is, sc);
                float d2 = d * scaleK4(is + 1, sc), m2 = min * minK4(is + 1, sc);
                for (int l = 0; l < 32; l++) y[out++] = d1 * (u8(s, q + l) & 0xF) - m1;
                for (int l = 0; l < 32; l++) y[out++] = d2 * (u8(s, q + l) >>> 4) - m2;
                q += 32;
            }
        }
    }

    private static void dequantQ6_K(MemorySegment s, long off, float[] y, int yo, int n) {
        for (int i = 0; i < n / QK_K; i++) {
            long b = off + 210L * i;
            float d = half(s, b + 208);
            long ql = b, qh = b + 128, sc = b + 192;
            int out = yo + i * QK_K;
            for (int part = 0; part < 2; part++) {
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = u8(s, qh + l);
                    int q1 = ((u8(s, ql + l) & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((u8(s, ql + l + 32) & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
                    int q3 = ((u8(s, ql + l) >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                    int q4 = ((u8(s, ql + l + 32) >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                    y[out + l] = d * s.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                    y[out + l + 32] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                    y[out + l + 64] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                    y[out + l + 96] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
                }
                out += 128;
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }

    // ---------------------------------------------------------------- quantisation

    static void quantize(GgmlType type, float[] x, int xo, int n, MemorySegment dst, long off) {
        switch (type) {
            case F32 -> MemorySegment.copy(x, xo, dst, LE_FLOAT, off, n);
            case F16 -> { for (int i = 0; i < n; i++) dst.set(LE_SHORT, off + 2L * i, Float.floatToFloat16(x[xo + i])); }
            case BF16 -> { for (int i = 0; i < n; i++) dst.set(LE_SHORT, off + 2L * i, floatToBf16(x[xo + i])); }
            case Q8_0 -> { byte[] blk = new byte[34]; for (int i = 0; i < n / 32; i++) { quantQ8_0(x, xo + 32 * i, blk); put(dst, off + 34L * i, blk); } }
            case Q4_0 -> { byte[] blk = new byte[18]; for (int i = 0; i < n / 32; i++) { quantQ4_0(x, xo + 32 * i, blk); put(dst, off + 18L * i, blk); } }
            case Q4_K -> { byte[] blk = new byte[144]; for (int i = 0; i < n / QK_K; i++) { quantQ4_K(x, xo + QK_K * i, blk); put(dst, off + 144L * i, blk); } }
            case Q6_K -> { byte[] blk = new byte[210]; for (int i = 0; i < n / QK_K; i++) { quantQ6_K(x, xo + QK_K * i, blk); put(dst, off + 210L * i, blk); } }
            default -> throw new UnsupportedOperationException("quantize " + type);
        }
    }

    private static void put(MemorySegment dst, long off, byte[] blk) {
        MemorySegment.copy(blk, 0, dst, ValueLayout.JAVA_BYTE, off, blk.length);
    }

    private static void putHalf(byte[] b, int at, float v) {
        short h = Float.floatToFloat16(v);
        b[at] = (byte) h;
        b[at + 1] = (byte) (h >> 8);
    }

    private static float getHalf(byte[] b, int at) {
        return Float.float16ToFloat((short) ((b[at] & 0xFF) | (b[at + 1] << 8)));
    }

    /** C's roundf: half away from zero (Math.round would send -2.5 to -2). Exact in double for every float. */
    static float roundf(float x) {
        return (float) Math.copySign(Math.floor(Math.abs((double) x) + 0.5), x);
    }

    /** ggml's nearest_int: the magic-number trick, rounding half to even; valid for |f| <= 4194303. */
    static int nearestInt(float f) {
        float v = f + 12582912.f;
        return (Float.floatToRawIntBits(v) & 0x007fffff) - 0x00400000;
    }

    static void quantQ8_0(float[] x, int xo, byte[] blk) {
        float amax = 0.0f;
        for (int j = 0; j < 32; j++) {
            float a = Math.abs(x[xo + j]);
            amax = amax > a ? amax : a;
        }
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putHalf(blk, 0, d);
        for (int j = 0; j < 32; j++) blk[2 + j] = (byte) (int) roundf(x[xo + j] * id);
    }

    static void quantQ4_0(float[] x, int xo, byte[] blk) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
        }
        float d = max / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putHalf(blk, 0, d);
        for (int j = 0; j < 16; j++) {
            float x0 = x[xo + j] * id;
            float x1 = x[xo + 16 + j] * id;
            int xi0 = Math.min(15, (byte) (int) (x0 + 8.5f));
            int xi1 = Math.min(15, (byte) (int) (x1 + 8.5f));
            blk[2 + j] = (byte) (xi0 | (xi1 << 4));
        }
    }

    /** make_qkx2_quants: affine (scale, min) fit of n values to 0..nmax; returns the scale, minOut[0] = -min. */
    private static float makeQkx2Quants(int n, int nmax, float[] x, int xo, float[] weights, byte[] L, int lo,
                                        float[] minOut, byte[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xo], max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            if (x[xo + i] < min) min = x[xo + i];
            if (x[xo + i] > max) max = x[xo + i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[xo + i];
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) L[lo + i] = 0;
            minOut[0] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = nearestInt(iscale * (x[xo + i] - min));
            L[lo + i] = (byte) Math.max(0, Math.min(nmax, l));
            float diff = scale * L[lo + i] + min - x[xo + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1) {
            minOut[0] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXl = 0;
            for (int i = 0; i < n; i++) {
                int l = nearestInt(iscale * (x[xo + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                laux[i] = (byte) l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXl += w * l * x[xo + i];
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / D;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[xo + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(laux, 0, L, lo, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[0] = -min;
        return scale;
    }

    static void quantQ4_K(float[] x, int xo, byte[] blk) {
        byte[] L = new byte[QK_K];
        byte[] laux = new byte[32];
        float[] weights = new float[32];
        float[] mins = new float[QK_K / 32];
        float[] scales = new float[QK_K / 32];
        float[] minOut = new float[1];
        java.util.Arrays.fill(blk, (byte) 0);

        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < QK_K / 32; j++) {
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += x[xo + 32 * j + l] * x[xo + 32 * j + l];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = avX + Math.abs(x[xo + 32 * j + l]);
            scales[j] = makeQkx2Quants(32, 15, x, xo + 32 * j, weights, L, 32 * j, minOut, laux, -1.f, 0.1f, 20, false);
            mins[j] = minOut[0];
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        int[] sc = new int[12];
        for (int j = 0; j < QK_K / 32; j++) {
            int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
            if (j < 4) {
                sc[j] = ls;
                sc[j + 4] = lm;
            } else {
                sc[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4);
                sc[j - 4] |= (ls >>> 4) << 6;
                sc[j] |= (lm >>> 4) << 6;
            }
        }
        putHalf(blk, 0, maxScale / 63.f);
        putHalf(blk, 2, maxMin / 63.f);
        for (int k = 0; k < 12; k++) sc[k] &= 0xFF;
        for (int k = 0; k < 12; k++) blk[4 + k] = (byte) sc[k];
        float dAll = getHalf(blk, 0), dMinAll = getHalf(blk, 2);
        for (int j = 0; j < QK_K / 32; j++) {
            float d = dAll * scaleK4(j, sc);
            if (d == 0) continue; // L keeps make_qkx2_quants' levels, as in ggml
            float dm = dMinAll * minK4(j, sc);
            for (int ii = 0; ii < 32; ii++) {
                int l = nearestInt((x[xo + 32 * j + ii] + dm) / d);
                L[32 * j + ii] = (byte) Math.max(0, Math.min(15, l));
            }
        }
        int q = 16;
        for (int j = 0; j < QK_K; j += 64) {
            for (int l = 0; l < 32; l++) blk[q + l] = (byte) (L[j + l] | (L[j + l + 32] << 4));
            q += 32;
        }
    }

    /** make_qx_quants with rmse_type 1 and no importance weights (w = x²), the variant Q6_K's reference uses. */
    private static float makeQxQuants(int n, int nmax, float[] x, int xo, byte[] L, int lo) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) { amax = ax; max = x[xo + i]; }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lo + i] = 0;
            return 0.f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            int l = nearestInt(iscale * x[xo + i]);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lo + i] = (byte) (l + nmax);
            float w = x[xo + i] * x[xo + i];
            sumlx += w * x[xo + i] * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; i++) {
                int l = nearestInt(iscale * x[xo + i]);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = x[xo + i] * x[xo + i];
                sumlx += w * x[xo + i] * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int l = nearestInt(iscale * x[xo + i]);
                    L[lo + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    static void quantQ6_K(float[] x, int xo, byte[] blk) {
        byte[] L = new byte[QK_K];
        float[] scales = new float[QK_K / 16];
        java.util.Arrays.fill(blk, (byte) 0);
        float maxScale = 0, maxAbsScale = 0;
        for (int ib = 0; ib < QK_K / 16; ib++) {
            float scale = makeQxQuants(16, 32, x, xo + 16 * ib, L, 16 * ib);
            scales[ib] = scale;
            float abs = Math.abs(scale);
            if (abs > maxAbsScale) { maxAbsScale = abs; maxScale = scale; }
        }
        if (maxAbsScale < GROUP_MAX_EPS) return; // all-zero block, d = 0
        float iscale = -128.f / maxScale;
        putHalf(blk, 208, 1 / iscale);
        for (int ib = 0; ib < QK_K / 16; ib++) blk[192 + ib] = (byte) Math.min(127, nearestInt(iscale * scales[ib]));
        float dAll = getHalf(blk, 208);
        for (int j = 0; j < QK_K / 16; j++) {
            float d = dAll * blk[192 + j];
            if (d == 0) continue;
            for (int ii = 0; ii < 16; ii++) {
                int l = nearestInt(x[xo + 16 * j + ii] / d);
                l = Math.max(-32, Math.min(31, l));
                L[16 * j + ii] = (byte) (l + 32);
            }
        }
        int ql = 0, qh = 128;
        for (int j = 0; j < QK_K; j += 128) {
            for (int l = 0; l < 32; l++) {
                int q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF, q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                blk[ql + l] = (byte) (q1 | (q3 << 4));
                blk[ql + l + 32] = (byte) (q2 | (q4 << 4));
                blk[qh + l] = (byte) ((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
            }
            ql += 64;
            qh += 32;
        }
    }
}
