// Deterministic inputs for the conformance cases: seeded activations and weights in every format.
package gale.kernels.conformance;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.kernels.WeightType;

import java.util.Random;

/**
 * Seeded data (the same generators as tornado-kernels' TestData): Q8_0 and Q4_0 weights from ggml's reference
 * quantisers (quantize_row_q8_0_ref, quantize_row_q4_0_ref); Q4_K and Q6_K weights are random bytes with sane fp16
 * scales (every byte pattern is a valid block); BF16 by truncation. Stateless; thread-safe.
 */
public final class Data {
    private Data() {}

    public static float[] floats(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    public static FloatArray floatArray(Random rnd, long n, float scale) { return FloatArray.of(floats(rnd, (int) n, scale)); }

    public static FloatArray copy(FloatArray a) { return FloatArray.of(a.toArray()); }

    /** The values of a FloatArray, HalfArray or IntArray as doubles, in order. */
    public static double[] doubles(GaleArray a) {
        double[] d = new double[(int) a.length()];
        switch (a) {
            case FloatArray f -> { for (int i = 0; i < d.length; i++) d[i] = f.get(i); }
            case HalfArray h -> { for (int i = 0; i < d.length; i++) d[i] = h.getFloat(i); }
            case IntArray n -> { for (int i = 0; i < d.length; i++) d[i] = n.get(i); }
            default -> throw new IllegalArgumentException("no values of " + a.getClass().getSimpleName());
        }
        return d;
    }

    /** The arrays' values one after another. */
    public static double[] concat(GaleArray... arrays) {
        int n = 0;
        for (GaleArray a : arrays) n += (int) a.length();
        double[] out = new double[n];
        int o = 0;
        for (GaleArray a : arrays) {
            double[] d = doubles(a);
            System.arraycopy(d, 0, out, o, d.length);
            o += d.length;
        }
        return out;
    }

    /** A (rows, cols) weight of this type with random contents. */
    public static GaleArray weight(WeightType type, Random rnd, int rows, int cols) {
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
    public static ByteArray quantQ8_0(float[] x) {
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
    public static ByteArray quantQ4_0(float[] x) {
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
}
