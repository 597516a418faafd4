// Test helper: seeded random activations and weights in every format, with simple reference quantisers.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.HalfArray;

import java.util.Random;

/**
 * Random test data. Q8_0 and Q4_0 weights come from ggml's reference quantisers (quantize_row_q8_0_ref,
 * quantize_row_q4_0_ref); Q4_K and Q6_K weights are random bytes with sane fp16 scales (every byte pattern is a valid
 * block), or are packed from chosen scales and quants with ggml's quantize_row_q4_K_ref / q6_K_ref packing.
 */
final class TestData {
    private TestData() {}

    static float[] floats(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    static FloatArray floatArray(Random rnd, long n, float scale) { return FloatArray.of(floats(rnd, (int) n, scale)); }

    static FloatArray copy(FloatArray a) { return FloatArray.of(a.toArray()); }

    /** A (rows, cols) weight of this type with random contents. */
    static GaleArray weight(WeightType type, Random rnd, int rows, int cols) {
        float[] f = floats(rnd, rows * cols, 0.5f);
        return switch (type) {
            case F32 -> FloatArray.of(f);
            case F16 -> HalfArray.of(f);
            case BF16 -> bf16(f);
            case Q8_0 -> quantQ8_0(f);
            case Q4_0 -> quantQ4_0(f);
            case Q4_K -> randomBlocks(rnd, rows * (long) cols / 256, 144, new int[]{0, 2}, 2e-3f);
            case Q6_K -> randomBlocks(rnd, rows * (long) cols / 256, 210, new int[]{208}, 2e-3f);
        };
    }

    /** BF16 by truncation to the high 16 bits (any bit pattern is valid; rounding does not matter here). */
    static ByteArray bf16(float[] f) {
        ByteArray b = ByteArray.create(2L * f.length);
        for (int i = 0; i < f.length; i++) {
            int bits = Float.floatToRawIntBits(f[i]) >>> 16;
            b.set(2L * i, (byte) bits);
            b.set(2L * i + 1, (byte) (bits >> 8));
        }
        return b;
    }

    static void putHalf(ByteArray b, long off, float v) {
        short h = Float.floatToFloat16(v);
        b.set(off, (byte) h);
        b.set(off + 1, (byte) (h >> 8));
    }

    /** ggml quantize_row_q8_0_ref: d = amax/127, q = round(x/d). */
    static ByteArray quantQ8_0(float[] x) {
        int nb = x.length / 32;
        ByteArray b = ByteArray.create(34L * nb);
        for (int i = 0; i < nb; i++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[i * 32 + j]));
            float d = amax / 127, id = d != 0 ? 1 / d : 0;
            putHalf(b, 34L * i, d);
            for (int j = 0; j < 32; j++) b.set(34L * i + 2 + j, (byte) Math.round(x[i * 32 + j] * id));
        }
        return b;
    }

    /** ggml quantize_row_q4_0_ref: d = max/−8 with max the signed value of largest magnitude, q = min(15, x/d + 8.5). */
    static ByteArray quantQ4_0(float[] x) {
        int nb = x.length / 32;
        ByteArray b = ByteArray.create(18L * nb);
        for (int i = 0; i < nb; i++) {
            float amax = 0, max = 0;
            for (int j = 0; j < 32; j++) {
                float v = x[i * 32 + j];
                if (Math.abs(v) > amax) { amax = Math.abs(v); max = v; }
            }
            float d = max / -8, id = d != 0 ? 1 / d : 0;
            putHalf(b, 18L * i, d);
            for (int j = 0; j < 16; j++) {
                int x0 = Math.min(15, (int) (byte) (x[i * 32 + j] * id + 8.5f));
                int x1 = Math.min(15, (int) (byte) (x[i * 32 + 16 + j] * id + 8.5f));
                b.set(18L * i + 2 + j, (byte) (x0 | (x1 << 4)));
            }
        }
        return b;
    }

    /** nBlocks random blocks of blockBytes; the fp16 scales at halfOffsets get |N(0, scale)| + scale/4. */
    static ByteArray randomBlocks(Random rnd, long nBlocks, int blockBytes, int[] halfOffsets, float scale) {
        byte[] raw = new byte[(int) (nBlocks * blockBytes)];
        rnd.nextBytes(raw);
        ByteArray b = ByteArray.of(raw);
        for (long i = 0; i < nBlocks; i++)
            for (int off : halfOffsets) putHalf(b, i * blockBytes + off, (float) (Math.abs(rnd.nextGaussian()) * scale + scale / 4));
        return b;
    }

    /** One Q4_K block from d, dmin, 6-bit scales sc[8], mins m[8], 4-bit quants L[256] (ggml quantize_row_q4_K_ref packing). */
    static void packQ4_K(ByteArray b, long off, float d, float dmin, int[] sc, int[] m, int[] L) {
        putHalf(b, off, d);
        putHalf(b, off + 2, dmin);
        int[] s = new int[12];
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                s[j] = sc[j];
                s[j + 4] = m[j];
            } else {
                s[j + 4] = (sc[j] & 0xF) | ((m[j] & 0xF) << 4);
                s[j - 4] |= (sc[j] >> 4) << 6;
                s[j] |= (m[j] >> 4) << 6;
            }
        }
        for (int k = 0; k < 12; k++) b.set(off + 4 + k, (byte) s[k]);
        long q = off + 16;
        for (int j = 0; j < 256; j += 64) {
            for (int l = 0; l < 32; l++) b.set(q + l, (byte) (L[j + l] | (L[j + l + 32] << 4)));
            q += 32;
        }
    }

    /** One Q6_K block from d, int8 scales sc[16], 6-bit quants L[256] (0..63, q = L − 32) (ggml quantize_row_q6_K_ref packing). */
    static void packQ6_K(ByteArray b, long off, float d, int[] sc, int[] L) {
        long ql = off, qh = off + 128;
        for (int j = 0; j < 256; j += 128) {
            for (int l = 0; l < 32; l++) {
                int q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF, q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                b.set(ql + l, (byte) (q1 | (q3 << 4)));
                b.set(ql + l + 32, (byte) (q2 | (q4 << 4)));
                b.set(qh + l, (byte) ((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6)));
            }
            ql += 64;
            qh += 32;
        }
        for (int k = 0; k < 16; k++) b.set(off + 192 + k, (byte) sc[k]);
        putHalf(b, off + 208, d);
    }
}
