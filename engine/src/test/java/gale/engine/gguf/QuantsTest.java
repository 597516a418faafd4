// Reference (de)quantisation: bit-exactness against ggml golden vectors, hand-computed blocks, error bounds.
package gale.engine.gguf;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class QuantsTest {

    /**
     * The input of the golden vectors: an LCG and eight 256-element blocks of different shapes (uniform, small,
     * outliers, non-negative, half zero, all zero, all negative and narrow, heavy tails).
     */
    static float[] goldenInput() {
        float[] x = new float[2048];
        int st = 12345;
        for (int b = 0; b < 8; b++) {
            for (int i = 0; i < 256; i++) {
                st = st * 1664525 + 1013904223;
                float v = (st >>> 8) / 16777216.0f - 0.5f;
                x[b * 256 + i] = switch (b) {
                    case 0 -> v;
                    case 1 -> v * 0.02f;
                    case 2 -> (i % 37 == 0) ? v * 40.0f : v;
                    case 3 -> v + 0.5f;
                    case 4 -> i < 128 ? 0.0f : v * 3.0f;
                    case 5 -> 0.0f;
                    case 6 -> -0.25f - 0.1f * v;
                    default -> v * v * v * 8.0f;
                };
            }
        }
        return x;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static byte[] floatBytes(float[] f) {
        ByteBuffer bb = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : f) bb.putFloat(v);
        return bb.array();
    }

    /*
     * SHA-256 of the bytes ggml's quantize_row_*_ref and dequantize_row_* produce for goldenInput(), computed with
     * those functions compiled by GCC 12 (-O2 -ffp-contract=off, x86-64). With -march=native GCC contracts into FMAs
     * and Q4_K differs in a few scales; Gale follows the uncontracted (portable, default-build) arithmetic.
     */
    @Test void bitExactAgainstGgmlGoldenVectors() throws Exception {
        float[] x = goldenInput();
        assertEquals("4647568bbfe044839eeb012cdbe4766c57148ee60af2eb48a7b2c47d5d534491", sha256(floatBytes(x)), "golden input generator");
        assertGolden(GgmlType.Q8_0, x, "971fa3c3d85655db51b7e1562794aebec5e75fa1d826c0ff0a6c1cbed6797bd2");
        assertGolden(GgmlType.Q4_0, x, "7b0d2e4f7a619f9b0032fb79372ed09f83987bcb3006c1d4fb5b0d662946482f");
        byte[] q4k = assertGolden(GgmlType.Q4_K, x, "2223fe0cf9b44c7ad95c342b10e569c42ba5b61117dee16c2c052979be2279ed");
        byte[] q6k = assertGolden(GgmlType.Q6_K, x, "15d64efbf867e8e1697494edddfa6e081539cff142eb8cd44796bb2adde51579");
        assertEquals("885dabde3a4abd61a74c2aca1c25387ef0362620587e29e0c460f9ac0c20f242", sha256(floatBytes(GgmlType.Q4_K.dequantize(q4k))), "Q4_K dequantize");
        assertEquals("b104fbf04791691f0491935ca3bc069033d1d168b6d9b5a3373aab66d42847e7", sha256(floatBytes(GgmlType.Q6_K.dequantize(q6k))), "Q6_K dequantize");
    }

    private static byte[] assertGolden(GgmlType t, float[] x, String sha) throws Exception {
        byte[] q = t.quantize(x);
        assertEquals(t.byteSize(x.length), q.length);
        assertEquals(sha, sha256(q), t + " quantize: first block " + HexFormat.of().formatHex(q, 0, t.blockBytes()));
        return q;
    }

    @Test void q8_0KnownAnswer() {
        float[] x = new float[32];
        x[0] = 127f; x[1] = -2.5f; x[2] = 2.5f; x[3] = -0.5f; x[4] = 0.5f; x[5] = 1.49f; x[6] = -126.5f;
        byte[] q = GgmlType.Q8_0.quantize(x);
        byte[] want = new byte[34];
        want[0] = 0x00; want[1] = 0x3C;                 // d = 127/127 = 1.0 = fp16 0x3C00
        // roundf: half away from zero (Math.round would give -2, -0 and -126)
        byte[] qs = {127, -3, 3, -1, 1, 1, -127};
        System.arraycopy(qs, 0, want, 2, qs.length);
        assertArrayEquals(want, q);
        float[] back = GgmlType.Q8_0.dequantize(q);
        assertEquals(-3f, back[1]);
        assertEquals(-127f, back[6]);
    }

    @Test void q4_0KnownAnswer() {
        float[] x = new float[32];
        x[0] = -8f; x[1] = 7f; x[2] = 7.9f;              // max by |value| is -8: d = -8/-8 = 1
        x[16] = 0.5f; x[17] = -0.6f; x[18] = 0.4f;
        byte[] q = GgmlType.Q4_0.quantize(x);
        byte[] want = new byte[18];
        want[0] = 0x00; want[1] = 0x3C;
        // q = min(15, trunc(x/d + 8.5)); byte j = q[j] | q[j+16] << 4
        want[2] = (byte) 0x90;  // x0 = -8 -> 0, x16 = 0.5 -> 9
        want[3] = (byte) 0x7F;  // x1 = 7 -> 15, x17 = -0.6 -> 7
        want[4] = (byte) 0x8F;  // x2 = 7.9 -> 16 clamped to 15, x18 = 0.4 -> 8
        for (int j = 3; j < 16; j++) want[2 + j] = (byte) 0x88;
        assertArrayEquals(want, q);

        float[] y = new float[32];
        y[5] = 8f; y[6] = -8f;                           // max = +8 (first by |value|): d = -1
        byte[] q2 = GgmlType.Q4_0.quantize(y);
        assertEquals((short) 0xBC00, (short) ((q2[0] & 0xFF) | (q2[1] << 8)));
        float[] back = GgmlType.Q4_0.dequantize(q2);
        assertEquals(8f, back[5]);
        assertEquals(-7f, back[6]);                       // +8 steps of -1 is clamped to 15: the documented Q4_0 asymmetry
    }

    @Test void q4_KHandBuiltBlockDequantizes() {
        byte[] b = new byte[144];
        b[0] = 0x00; b[1] = 0x3C;                 // d = 1
        b[2] = 0x00; b[3] = 0x3C;                 // dmin = 1
        b[4] = 0x43;                              // sc0 = 3; bits 6-7 are sc4's high bits (1 -> +16)
        b[4 + 4] = 2;                             // m0 = 2
        b[4 + 8] = 0x21;                          // sc4 low = 1, m4 low = 2
        b[16] = 0x05;                             // element 0: low nibble 5; element 32: high nibble 0
        b[16 + 64] = 0x02;                        // element 128 (chunk 2, sub-block 4): 2
        float[] y = GgmlType.Q4_K.dequantize(b);
        assertEquals(1f * 3 * 5 - 2, y[0]);
        assertEquals(-2f, y[1]);
        assertEquals(0f, y[32]);
        assertEquals(1f * 17 * 2 - 2, y[128]);
        assertEquals(-2f, y[129]);
    }

    @Test void q6_KHandBuiltBlockDequantizes() {
        byte[] b = new byte[210];
        b[208] = 0x00; b[209] = 0x38;             // d = 0.5, stored last
        b[192] = 3;                               // scale of elements 0..15
        b[194] = -2;                              // scale of elements 32..47
        b[0] = 0x01;                              // ql[0] low nibble -> element 0
        b[128] = 0x02;                            // qh[0] bits 0-1 = 2 -> element 0 high bits
        float[] y = GgmlType.Q6_K.dequantize(b);
        assertEquals(0.5f * 3 * ((1 | 2 << 4) - 32), y[0]);
        assertEquals(0.5f * 3 * -32, y[1]);
        assertEquals(0.5f * -2 * -32, y[32]);
    }

    @Test void roundingHelpersKeepCSemantics() {
        assertEquals(3f, Quants.roundf(2.5f));
        assertEquals(-3f, Quants.roundf(-2.5f));
        assertEquals(0f, Quants.roundf(0.49999997f));
        assertEquals(2, Quants.nearestInt(2.5f));     // half to even
        assertEquals(4, Quants.nearestInt(3.5f));
        assertEquals(-2, Quants.nearestInt(-2.5f));
        assertEquals(-7, Quants.nearestInt(-6.6f));
        assertEquals((short) 0x3F80, Quants.floatToBf16(1.0f));
        assertEquals((short) 0x3F80, Quants.floatToBf16(Float.intBitsToFloat(0x3F808000)));  // tie to even
        assertEquals((short) 0x3F82, Quants.floatToBf16(Float.intBitsToFloat(0x3F818000)));
    }

    /** Round-trip error on Gaussian weights, per type: printed, and bounded per element where a bound is exact. */
    @Test void roundTripErrorWithinBounds() {
        Random r = new Random(42);
        int n = 256 * 64;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * 0.05);
        double rms = 0;
        for (float v : x) rms += (double) v * v;
        rms = Math.sqrt(rms / n);
        for (GgmlType t : new GgmlType[]{GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K}) {
            float[] y = t.dequantize(t.quantize(x));
            double maxErr = 0, se = 0;
            for (int i = 0; i < n; i++) {
                double e = Math.abs((double) y[i] - x[i]);
                maxErr = Math.max(maxErr, e);
                se += e * e;
                assertTrue(e <= bound(t, x, i), t + " element " + i + ": |" + y[i] + " - " + x[i] + "| = " + e + " > " + bound(t, x, i));
            }
            double rmse = Math.sqrt(se / n);
            System.out.printf("quant %-5s max |err| %.3e  RMSE %.3e  RMSE/RMS %.4f%n", t, maxErr, rmse, rmse / rms);
            double maxRel = switch (t) {
                case F32 -> 0;
                case F16 -> 3e-4;
                case BF16 -> 2.5e-3;
                case Q8_0 -> 0.006;
                case Q4_0 -> 0.12;
                case Q4_K -> 0.09;
                case Q6_K -> 0.025;
                default -> throw new AssertionError();
            };
            assertTrue(rmse / rms <= maxRel, t + " RMSE/RMS " + rmse / rms + " > " + maxRel);
        }
    }

    /** Per-element bound: half a quantisation step (one step where ggml clamps) plus the fp16 rounding of the scale. */
    private static double bound(GgmlType t, float[] x, int i) {
        double v = Math.abs(x[i]);
        return switch (t) {
            case F32 -> 0;
            case F16 -> v * 0x1p-11 + 0x1p-25;
            case BF16 -> v * 0x1p-8;
            case Q8_0 -> blockAmax(x, i, 32) * (0.5 / 127 + 0x1p-11) * 1.0001;
            case Q4_0 -> blockAmax(x, i, 32) / 8 * (1 + 16 * 0x1p-11) * 1.0001;
            // K-quants: the scale search can pick any level; bound by a generous fraction of the sub-block's range
            case Q4_K -> blockRange(x, i, 32) / 15 * 1.5 + blockRange(x, i, 256) / 63 / 15 * 8;
            case Q6_K -> blockAmax(x, i, 16) / 32 * 1.5 + blockAmax(x, i, 256) / 128 / 32 * 8;
            default -> throw new AssertionError();
        };
    }

    private static double blockAmax(float[] x, int i, int bs) {
        int s = i / bs * bs;
        double m = 0;
        for (int j = s; j < s + bs; j++) m = Math.max(m, Math.abs(x[j]));
        return m;
    }

    private static double blockRange(float[] x, int i, int bs) {
        int s = i / bs * bs;
        double lo = 0, hi = 0;
        for (int j = s; j < s + bs; j++) { lo = Math.min(lo, x[j]); hi = Math.max(hi, x[j]); }
        return hi - lo;
    }

    @Test void segmentEntryPointsHonourOffsets() {
        float[] x = goldenInput();
        byte[] q = GgmlType.Q6_K.quantize(x);
        MemorySegment seg = MemorySegment.ofArray(new byte[q.length + 7]);
        MemorySegment.copy(q, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 7, q.length);
        float[] a = new float[256 + 3];
        GgmlType.Q6_K.dequantize(seg, 7 + 210, a, 3, 256);
        float[] all = GgmlType.Q6_K.dequantize(q);
        for (int i = 0; i < 256; i++) assertEquals(all[256 + i], a[3 + i]);
        assertThrows(IllegalArgumentException.class, () -> GgmlType.Q4_K.quantize(new float[100]));
        assertThrows(UnsupportedOperationException.class, () -> GgmlType.Q5_K.quantize(new float[256]));
    }
}
