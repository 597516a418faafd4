// Tests the weight decoders: known-answer blocks packed the way ggml's quantisers pack them, and kernel helpers vs reference.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.GaleArray;
import gale.kernels.reference.Dequant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantTest {

    /** Element i of a whole tensor through the kernels' single-element decoder. */
    static float at(WeightType type, GaleArray w, long i) {
        return switch (type) {
            case F32 -> ((gale.compute.FloatArray) w).get(i);
            case F16 -> ((gale.compute.HalfArray) w).getFloat(i);
            case BF16 -> Quant.bf16At((ByteArray) w, i);
            case Q8_0 -> Quant.q8_0At((ByteArray) w, i);
            case Q4_0 -> Quant.q4_0At((ByteArray) w, i);
            case Q4_K -> Quant.q4_KAt((ByteArray) w, i);
            case Q6_K -> Quant.q6_KAt((ByteArray) w, i);
        };
    }

    @Test
    void q4KKnownAnswer() {
        Random rnd = new Random(41);
        ByteArray b = ByteArray.create(2 * 144);
        float[][] want = new float[2][256];
        for (int blk = 0; blk < 2; blk++) {
            int[] sc = new int[8], m = new int[8], L = new int[256];
            for (int j = 0; j < 8; j++) { sc[j] = rnd.nextInt(64); m[j] = rnd.nextInt(64); }
            for (int e = 0; e < 256; e++) L[e] = rnd.nextInt(16);
            float d = Float.float16ToFloat(Float.floatToFloat16(0.0123f * (blk + 1)));
            float dmin = Float.float16ToFloat(Float.floatToFloat16(0.0071f));
            TestData.packQ4_K(b, blk * 144L, d, dmin, sc, m, L);
            // sub-block j covers elements 32j..32j+31: x = (d·sc)·q − dmin·m
            for (int e = 0; e < 256; e++) want[blk][e] = d * sc[e / 32] * L[e] - dmin * m[e / 32];
        }
        float[] got = Dequant.row(WeightType.Q4_K, b, 0, 512);
        for (int e = 0; e < 512; e++) {
            assertEquals(want[e / 256][e % 256], got[e], 0f, "reference Q4_K element " + e);
            assertEquals(want[e / 256][e % 256], Quant.q4_KAt(b, e), 0f, "kernel Q4_K element " + e);
        }
    }

    @Test
    void q6KKnownAnswer() {
        Random rnd = new Random(42);
        ByteArray b = ByteArray.create(2 * 210);
        float[][] want = new float[2][256];
        for (int blk = 0; blk < 2; blk++) {
            int[] sc = new int[16], L = new int[256];
            for (int j = 0; j < 16; j++) sc[j] = rnd.nextInt(256) - 128;
            for (int e = 0; e < 256; e++) L[e] = rnd.nextInt(64);
            float d = Float.float16ToFloat(Float.floatToFloat16(0.0037f * (blk + 1)));
            TestData.packQ6_K(b, blk * 210L, d, sc, L);
            // scale j covers elements 16j..16j+15: x = d·sc·(L − 32)
            for (int e = 0; e < 256; e++) want[blk][e] = d * sc[e / 16] * (L[e] - 32);
        }
        float[] got = Dequant.row(WeightType.Q6_K, b, 0, 512);
        for (int e = 0; e < 512; e++) {
            assertEquals(want[e / 256][e % 256], got[e], 0f, "reference Q6_K element " + e);
            assertEquals(want[e / 256][e % 256], Quant.q6_KAt(b, e), 0f, "kernel Q6_K element " + e);
        }
    }

    /** Q8_0 / Q4_0 round trip: dequantised ≈ original within the quantisation step. */
    @Test
    void q8AndQ4RoundTrip() {
        Random rnd = new Random(43);
        float[] x = TestData.floats(rnd, 32 * 6, 1f);
        float[] q8 = Dequant.row(WeightType.Q8_0, TestData.quantQ8_0(x), 0, x.length);
        float[] q4 = Dequant.row(WeightType.Q4_0, TestData.quantQ4_0(x), 0, x.length);
        for (int b = 0; b < 6; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                // half a step (d = amax/127, and fp16 rounding of d) for Q8_0; one step (d = amax/8, clamped top) for Q4_0
                assertTrue(Math.abs(q8[i] - x[i]) <= 0.5f * amax / 127 * 1.01f + 1e-6f, "Q8_0 " + i + ": " + q8[i] + " vs " + x[i]);
                assertTrue(Math.abs(q4[i] - x[i]) <= amax / 8 * 1.01f + 1e-6f, "Q4_0 " + i + ": " + q4[i] + " vs " + x[i]);
            }
        }
    }

    @Test
    void bf16IsTheHighHalf() {
        float[] x = {1f, -2.5f, 3.140625f, 1e-3f};
        ByteArray b = TestData.bf16(x);
        float[] got = Dequant.row(WeightType.BF16, b, 0, 4);
        for (int i = 0; i < 4; i++) {
            float want = Float.intBitsToFloat(Float.floatToRawIntBits(x[i]) & 0xFFFF0000);
            assertEquals(want, got[i], 0f);
            assertEquals(want, Quant.bf16At(b, i), 0f);
        }
    }

    /** The kernels' single-element decoders (used by Embedding) agree exactly with ggml's row loops on random data. */
    @ParameterizedTest
    @EnumSource(WeightType.class)
    void elementDecoderMatchesReference(WeightType type) {
        Random rnd = new Random(44 + type.ordinal());
        int rows = 3, cols = 512;
        GaleArray w = TestData.weight(type, rnd, rows, cols);
        for (int r = 0; r < rows; r++) {
            float[] ref = Dequant.row(type, w, r, cols);
            for (int c = 0; c < cols; c++) assertEquals(ref[c], at(type, w, (long) r * cols + c), 0f, type + " [" + r + ", " + c + "]");
        }
    }
}
