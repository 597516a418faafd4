// Reference dequantisation of GGUF weight rows: ggml's dequantize_row_* loops, transcribed plainly.
package gale.kernels.reference;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.HalfArray;
import gale.kernels.WeightType;

/**
 * Dequantises one row of a weight to floats, following ggml's {@code dequantize_row_q8_0/q4_0/q4_K/q6_K} loop by loop
 * (ggml-quants.c), so that the kernels' own index arithmetic ({@code gale.kernels.Quant}) is checked against an
 * independent transcription. Plain Java, not a kernel.
 */
public final class Dequant {
    private Dequant() {}

    /** Row {@code row} (cols elements) of a (rows, cols) weight of this type, as floats. */
    public static float[] row(WeightType type, GaleArray w, long row, int cols) {
        float[] y = new float[cols];
        long off = row * type.rowBytes(cols);
        switch (type) {
            case F32 -> { for (int c = 0; c < cols; c++) y[c] = ((FloatArray) w).get(row * cols + c); }
            case F16 -> { for (int c = 0; c < cols; c++) y[c] = ((HalfArray) w).getFloat(row * cols + c); }
            case BF16 -> {
                ByteArray b = (ByteArray) w;
                for (int c = 0; c < cols; c++) {
                    int bits = (b.getUnsigned(off + 2L * c) | (b.getUnsigned(off + 2L * c + 1) << 8)) << 16;
                    y[c] = Float.intBitsToFloat(bits);
                }
            }
            case Q8_0 -> q8_0((ByteArray) w, off, y);
            case Q4_0 -> q4_0((ByteArray) w, off, y);
            case Q4_K -> q4_K((ByteArray) w, off, y);
            case Q6_K -> q6_K((ByteArray) w, off, y);
        }
        return y;
    }

    static float half(ByteArray b, long off) {
        return Float.float16ToFloat((short) (b.getUnsigned(off) | (b.getUnsigned(off + 1) << 8)));
    }

    static void q8_0(ByteArray x, long off, float[] y) {
        int qk = 32;
        for (int i = 0; i < y.length / qk; i++) {
            long blk = off + i * 34L;
            float d = half(x, blk);
            for (int j = 0; j < qk; j++) y[i * qk + j] = x.get(blk + 2 + j) * d;
        }
    }

    static void q4_0(ByteArray x, long off, float[] y) {
        int qk = 32;
        for (int i = 0; i < y.length / qk; i++) {
            long blk = off + i * 18L;
            float d = half(x, blk);
            for (int j = 0; j < qk / 2; j++) {
                int x0 = (x.getUnsigned(blk + 2 + j) & 0x0F) - 8;
                int x1 = (x.getUnsigned(blk + 2 + j) >> 4) - 8;
                y[i * qk + j] = x0 * d;
                y[i * qk + j + qk / 2] = x1 * d;
            }
        }
    }

    /** ggml's get_scale_min_k4: {sc, m} of sub-block j from the 12 scale bytes q. */
    static int[] scaleMinK4(int j, int[] q) {
        if (j < 4) return new int[]{q[j] & 63, q[j + 4] & 63};
        return new int[]{(q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4)};
    }

    static void q4_K(ByteArray x, long off, float[] out) {
        int yi = 0;
        for (int i = 0; i < out.length / 256; i++) {
            long blk = off + i * 144L;
            float d = half(x, blk);
            float min = half(x, blk + 2);
            int[] scales = new int[12];
            for (int k = 0; k < 12; k++) scales[k] = x.getUnsigned(blk + 4 + k);
            long q = blk + 16;
            int is = 0;
            for (int j = 0; j < 256; j += 64) {
                int[] sm = scaleMinK4(is, scales);
                float d1 = d * sm[0], m1 = min * sm[1];
                sm = scaleMinK4(is + 1, scales);
                float d2 = d * sm[0], m2 = min * sm[1];
                for (int l = 0; l < 32; ++l) out[yi++] = d1 * (x.getUnsigned(q + l) & 0xF) - m1;
                for (int l = 0; l < 32; ++l) out[yi++] = d2 * (x.getUnsigned(q + l) >> 4) - m2;
                q += 32;
                is += 2;
            }
        }
    }

    static void q6_K(ByteArray x, long off, float[] out) {
        for (int i = 0; i < out.length / 256; i++) {
            long blk = off + i * 210L;
            float d = half(x, blk + 208);
            long ql = blk, qh = blk + 128, sc = blk + 192;
            int y = i * 256;
            for (int n = 0; n < 256; n += 128) {
                for (int l = 0; l < 32; ++l) {
                    int is = l / 16;
                    int q1 = (byte) ((x.getUnsigned(ql + l) & 0xF) | (((x.getUnsigned(qh + l) >> 0) & 3) << 4)) - 32;
                    int q2 = (byte) ((x.getUnsigned(ql + l + 32) & 0xF) | (((x.getUnsigned(qh + l) >> 2) & 3) << 4)) - 32;
                    int q3 = (byte) ((x.getUnsigned(ql + l) >> 4) | (((x.getUnsigned(qh + l) >> 4) & 3) << 4)) - 32;
                    int q4 = (byte) ((x.getUnsigned(ql + l + 32) >> 4) | (((x.getUnsigned(qh + l) >> 6) & 3) << 4)) - 32;
                    out[y + l] = d * x.get(sc + is) * q1;
                    out[y + l + 32] = d * x.get(sc + is + 2) * q2;
                    out[y + l + 64] = d * x.get(sc + is + 4) * q3;
                    out[y + l + 96] = d * x.get(sc + is + 6) * q4;
                }
                y += 128;
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }
}
