// Kernel helpers that read GGUF weight formats: one element, or a row's dot product with a float vector.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.HalfArray;

/**
 * Helpers called from kernels (they are in the kernel language: static, primitive results) that decode the weight
 * formats of GGUF. Block layouts follow ggml's {@code ggml-common.h}; the K-quant index arithmetic is ggml's
 * {@code dequantize_row_q4_K} / {@code dequantize_row_q6_K}. A row of {@code n} columns starts at byte
 * {@code row * rowBytes(n)}; rows hold whole blocks, so element {@code i} of a whole tensor is in block
 * {@code i / blockSize}.
 *
 * <p>Dot products accumulate each block in float and add {@code scale * blockSum} to a float total, as ggml does.
 */
public final class Quant {
    private Quant() {}

    public static final int Q8_0_BLOCK = 32, Q8_0_BYTES = 34;   // fp16 d, int8 q[32]
    public static final int Q4_0_BLOCK = 32, Q4_0_BYTES = 18;   // fp16 d, u8 qs[16]
    public static final int QK_K = 256;
    public static final int Q4_K_BYTES = 144;                   // fp16 d, fp16 dmin, u8 scales[12], u8 qs[128]
    public static final int Q6_K_BYTES = 210;                   // u8 ql[128], u8 qh[64], i8 scales[16], fp16 d

    // ---- single elements (embedding lookups) ----

    /** bf16 element {@code i} of raw little-endian bf16 data: the high half of an f32. */
    public static float bf16At(ByteArray w, long i) {
        int bits = w.getUnsigned(2 * i) | (w.getUnsigned(2 * i + 1) << 8);
        return Float.intBitsToFloat(bits << 16);
    }

    /** Element {@code i} of Q8_0 data: d·q. */
    public static float q8_0At(ByteArray w, long i) {
        long blk = (i / Q8_0_BLOCK) * Q8_0_BYTES;
        int j = (int) (i % Q8_0_BLOCK);
        return w.getHalf(blk) * w.get(blk + 2 + j);
    }

    /** Element {@code i} of Q4_0 data: low nibbles are elements 0..15 of the block, high nibbles 16..31. */
    public static float q4_0At(ByteArray w, long i) {
        long blk = (i / Q4_0_BLOCK) * Q4_0_BYTES;
        int j = (int) (i % Q4_0_BLOCK);
        int b = w.getUnsigned(blk + 2 + (j & 15));
        int q = j < 16 ? (b & 0xF) : (b >> 4);
        return w.getHalf(blk) * (q - 8);
    }

    /** Element {@code i} of Q4_K data: d·sc·q − dmin·m with the sub-block's 6-bit scale and min. */
    public static float q4_KAt(ByteArray w, long i) {
        long blk = (i / QK_K) * Q4_K_BYTES;
        int j = (int) (i % QK_K);
        int chunk = j / 64;          // each 64-element chunk uses 32 bytes of qs
        int l = j % 64;
        int is = 2 * chunk + (l >= 32 ? 1 : 0);
        int b = w.getUnsigned(blk + 16 + chunk * 32 + (l & 31));
        int q = l < 32 ? (b & 0xF) : (b >> 4);
        float d = w.getHalf(blk) * q4_KScale(w, blk + 4, is);
        float m = w.getHalf(blk + 2) * q4_KMin(w, blk + 4, is);
        return d * q - m;
    }

    /** Element {@code i} of Q6_K data: d·scale·(6-bit q − 32). */
    public static float q6_KAt(ByteArray w, long i) {
        long blk = (i / QK_K) * Q6_K_BYTES;
        int j = (int) (i % QK_K);
        int half = j / 128;          // ggml's outer loop: 128 elements use 64 ql, 32 qh, 8 scales
        int quarter = (j % 128) / 32;
        int l = j % 32;
        int ql = w.getUnsigned(blk + half * 64 + l + (quarter & 1) * 32);
        int qh = w.getUnsigned(blk + 128 + half * 32 + l);
        int lo = quarter < 2 ? (ql & 0xF) : (ql >> 4);
        int q = (lo | (((qh >> (2 * quarter)) & 3) << 4)) - 32;
        int sc = w.get(blk + 192 + half * 8 + l / 16 + 2 * quarter);
        return w.getHalf(blk + 208) * sc * q;
    }

    /** Q4_K sub-block scale j (0..7) from the 12 packed scale bytes at {@code s} (ggml's get_scale_min_k4). */
    public static int q4_KScale(ByteArray w, long s, int j) {
        if (j < 4) return w.getUnsigned(s + j) & 63;
        return (w.getUnsigned(s + j + 4) & 0xF) | ((w.getUnsigned(s + j - 4) >> 6) << 4);
    }

    /** Q4_K sub-block min j (0..7) from the 12 packed scale bytes at {@code s}. */
    public static int q4_KMin(ByteArray w, long s, int j) {
        if (j < 4) return w.getUnsigned(s + j + 4) & 63;
        return (w.getUnsigned(s + j + 4) >> 4) | ((w.getUnsigned(s + j) >> 6) << 4);
    }

    // ---- row · vector: Σ_c W[row, c] · x[xOff + c], n columns ----

    // The unblocked formats keep eight independent partial sums (element c goes to sum c % 8), added pairwise at the
    // end: one dependent add chain per row would bound a work-item by FMA latency, and eight sums are what lets a C
    // compiler for CPUs (PoCL) turn the loop into 8-wide vector FMAs (MatVecVariants in bench/: 5–8× on PoCL).

    public static float dotF32(FloatArray w, long row, FloatArray x, long xOff, int n) {
        long base = row * n;
        int n8 = n & ~7;
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        for (int c = 0; c < n8; c += 8) {
            s0 += w.get(base + c) * x.get(xOff + c);
            s1 += w.get(base + c + 1) * x.get(xOff + c + 1);
            s2 += w.get(base + c + 2) * x.get(xOff + c + 2);
            s3 += w.get(base + c + 3) * x.get(xOff + c + 3);
            s4 += w.get(base + c + 4) * x.get(xOff + c + 4);
            s5 += w.get(base + c + 5) * x.get(xOff + c + 5);
            s6 += w.get(base + c + 6) * x.get(xOff + c + 6);
            s7 += w.get(base + c + 7) * x.get(xOff + c + 7);
        }
        float sum = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        for (int c = n8; c < n; c++) sum += w.get(base + c) * x.get(xOff + c);
        return sum;
    }

    public static float dotF16(HalfArray w, long row, FloatArray x, long xOff, int n) {
        long base = row * n;
        int n8 = n & ~7;
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        for (int c = 0; c < n8; c += 8) {
            s0 += w.getFloat(base + c) * x.get(xOff + c);
            s1 += w.getFloat(base + c + 1) * x.get(xOff + c + 1);
            s2 += w.getFloat(base + c + 2) * x.get(xOff + c + 2);
            s3 += w.getFloat(base + c + 3) * x.get(xOff + c + 3);
            s4 += w.getFloat(base + c + 4) * x.get(xOff + c + 4);
            s5 += w.getFloat(base + c + 5) * x.get(xOff + c + 5);
            s6 += w.getFloat(base + c + 6) * x.get(xOff + c + 6);
            s7 += w.getFloat(base + c + 7) * x.get(xOff + c + 7);
        }
        float sum = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        for (int c = n8; c < n; c++) sum += w.getFloat(base + c) * x.get(xOff + c);
        return sum;
    }

    /** bf16 weights as raw bytes (2 per element, little-endian). */
    public static float dotBF16(ByteArray w, long row, FloatArray x, long xOff, int n) {
        long base = row * n;
        int n8 = n & ~7;
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        for (int c = 0; c < n8; c += 8) {
            s0 += bf16At(w, base + c) * x.get(xOff + c);
            s1 += bf16At(w, base + c + 1) * x.get(xOff + c + 1);
            s2 += bf16At(w, base + c + 2) * x.get(xOff + c + 2);
            s3 += bf16At(w, base + c + 3) * x.get(xOff + c + 3);
            s4 += bf16At(w, base + c + 4) * x.get(xOff + c + 4);
            s5 += bf16At(w, base + c + 5) * x.get(xOff + c + 5);
            s6 += bf16At(w, base + c + 6) * x.get(xOff + c + 6);
            s7 += bf16At(w, base + c + 7) * x.get(xOff + c + 7);
        }
        float sum = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        for (int c = n8; c < n; c++) sum += bf16At(w, base + c) * x.get(xOff + c);
        return sum;
    }

    public static float dotQ8_0(ByteArray w, long row, FloatArray x, long xOff, int n) {
        int nb = n / Q8_0_BLOCK;
        long rowByte = row * nb * Q8_0_BYTES;
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            long blk = rowByte + (long) b * Q8_0_BYTES;
            long xb = xOff + (long) b * Q8_0_BLOCK;
            long q = blk + 2;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int j = 0; j < Q8_0_BLOCK; j += 8) {   // eight partial sums, as in dotF32
                s0 += w.get(q + j) * x.get(xb + j);
                s1 += w.get(q + j + 1) * x.get(xb + j + 1);
                s2 += w.get(q + j + 2) * x.get(xb + j + 2);
                s3 += w.get(q + j + 3) * x.get(xb + j + 3);
                s4 += w.get(q + j + 4) * x.get(xb + j + 4);
                s5 += w.get(q + j + 5) * x.get(xb + j + 5);
                s6 += w.get(q + j + 6) * x.get(xb + j + 6);
                s7 += w.get(q + j + 7) * x.get(xb + j + 7);
            }
            sum += w.getHalf(blk) * (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
        }
        return sum;
    }

    public static float dotQ4_0(ByteArray w, long row, FloatArray x, long xOff, int n) {
        int nb = n / Q4_0_BLOCK;
        long rowByte = row * nb * Q4_0_BYTES;
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            long blk = rowByte + (long) b * Q4_0_BYTES;
            long xb = xOff + (long) b * Q4_0_BLOCK;
            float s = 0f;
            for (int j = 0; j < 16; j++) {
                int q = w.getUnsigned(blk + 2 + j);
                s += ((q & 0xF) - 8) * x.get(xb + j) + ((q >> 4) - 8) * x.get(xb + j + 16);
            }
            sum += w.getHalf(blk) * s;
        }
        return sum;
    }

    public static float dotQ4_K(ByteArray w, long row, FloatArray x, long xOff, int n) {
        int nb = n / QK_K;
        long rowByte = row * nb * Q4_K_BYTES;
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            long blk = rowByte + (long) b * Q4_K_BYTES;
            long xb = xOff + (long) b * QK_K;
            float d = w.getHalf(blk);
            float dmin = w.getHalf(blk + 2);
            for (int chunk = 0; chunk < 4; chunk++) {
                // 32 bytes of qs: low nibbles are sub-block 2·chunk, high nibbles sub-block 2·chunk+1
                long qs = blk + 16 + chunk * 32;
                long x0 = xb + chunk * 64;
                float s1 = 0f, s2 = 0f, xs1 = 0f, xs2 = 0f;
                for (int l = 0; l < 32; l++) {
                    int q = w.getUnsigned(qs + l);
                    float xa = x.get(x0 + l);
                    float xc = x.get(x0 + 32 + l);
                    s1 += (q & 0xF) * xa;
                    s2 += (q >> 4) * xc;
                    xs1 += xa;
                    xs2 += xc;
                }
                // Σ (d·sc·q − dmin·m)·x = d·sc·Σq·x − dmin·m·Σx
                sum += d * q4_KScale(w, blk + 4, 2 * chunk) * s1 - dmin * q4_KMin(w, blk + 4, 2 * chunk) * xs1;
                sum += d * q4_KScale(w, blk + 4, 2 * chunk + 1) * s2 - dmin * q4_KMin(w, blk + 4, 2 * chunk + 1) * xs2;
            }
        }
        return sum;
    }

    public static float dotQ6_K(ByteArray w, long row, FloatArray x, long xOff, int n) {
        int nb = n / QK_K;
        long rowByte = row * nb * Q6_K_BYTES;
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            long blk = rowByte + (long) b * Q6_K_BYTES;
            long xb = xOff + (long) b * QK_K;
            float s = 0f;
            for (int half = 0; half < 2; half++) {
                long ql = blk + half * 64;
                long qh = blk + 128 + half * 32;
                long sc = blk + 192 + half * 8;
                long y = xb + half * 128;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int a = w.getUnsigned(ql + l);
                    int c = w.getUnsigned(ql + l + 32);
                    int h = w.getUnsigned(qh + l);
                    int q1 = ((a & 0xF) | (((h >> 0) & 3) << 4)) - 32;
                    int q2 = ((c & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = ((a >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = ((c >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    s += w.get(sc + is) * q1 * x.get(y + l)
                            + w.get(sc + is + 2) * q2 * x.get(y + l + 32)
                            + w.get(sc + is + 4) * q3 * x.get(y + l + 64)
                            + w.get(sc + is + 6) * q4 * x.get(y + l + 96);
                }
            }
            sum += w.getHalf(blk + 208) * s;
        }
        return sum;
    }

    // ---- 32-element pieces of a row · vector: Σ over c in [32p, 32p+32) of W[row, c] · x[xOff + c] ----
    // Work-group kernels split a row into pieces so that every format, blocked or not, spreads over work-items alike.

    /** Elements per piece: the Q8_0/Q4_0 block, a Q4_K sub-block, a quarter of a Q6_K half-block. */
    public static final int PIECE = 32;

    public static float pieceF32(FloatArray w, long row, FloatArray x, long xOff, int n, int p) {
        long base = row * n + p * PIECE;
        long xb = xOff + p * PIECE;
        float s = 0f;
        for (int j = 0; j < PIECE; j++) s += w.get(base + j) * x.get(xb + j);
        return s;
    }

    public static float pieceF16(HalfArray w, long row, FloatArray x, long xOff, int n, int p) {
        long base = row * n + p * PIECE;
        long xb = xOff + p * PIECE;
        float s = 0f;
        for (int j = 0; j < PIECE; j++) s += w.getFloat(base + j) * x.get(xb + j);
        return s;
    }

    public static float pieceBF16(ByteArray w, long row, FloatArray x, long xOff, int n, int p) {
        long base = row * n + p * PIECE;
        long xb = xOff + p * PIECE;
        float s = 0f;
        for (int j = 0; j < PIECE; j++) s += bf16At(w, base + j) * x.get(xb + j);
        return s;
    }

    public static float pieceQ8_0(ByteArray w, long row, FloatArray x, long xOff, int n, int p) {
        long blk = (row * (n / Q8_0_BLOCK) + p) * Q8_0_BYTES;
        long xb = xOff + p * PIECE;
        float s = 0f;
        for (int j = 0; j < Q8_0_BLOCK; j++) s += w.get(blk + 2 + j) * x.get(xb + j);
        return w.getHalf(blk) * s;
    }

    public static float pieceQ4_0(ByteArray w, long row, FloatArray x, long xOff, int n, int p) {
        long blk = (row * (n / Q4_0_BLOCK) + p) * Q4_0_BYTES;
        long xb = xOff + p * PIECE;
        float s = 0f;
        for (int j = 0; j < 16; j++) {
            int q = w.getUnsigned(blk + 2 + j);
            s += ((q & 0xF) - 8) * x.get(xb + j) + ((q >> 4) - 8) * x.get(xb + j + 16);
        }
        return w.getHalf(blk) * s;
    }

    /** Piece p of a Q4_K row is sub-block p % 8 of block p / 8: elements 32j..32j+31 of the block. */
    public static float pieceQ4_K(ByteArray w, long row, FloatArray x, long xOff, int n, int p) {
        long blk = (row * (n / QK_K) + p / 8) * Q4_K_BYTES;
        int j = p % 8;
        long qs = blk + 16 + (j / 2) * 32;   // sub-blocks 2k and 2k+1 share 32 bytes: low and high nibbles
        int shift = (j % 2) * 4;
        long xb = xOff + p * PIECE;
        float s = 0f, xs = 0f;
        for (int l = 0; l < 32; l++) {
            float xv = x.get(xb + l);
            s += ((w.getUnsigned(qs + l) >> shift) & 0xF) * xv;
            xs += xv;
        }
        return w.getHalf(blk) * q4_KScale(w, blk + 4, j) * s - w.getHalf(blk + 2) * q4_KMin(w, blk + 4, j) * xs;
    }

    /** Piece p of a Q6_K row is quarter p % 4 of half (p / 4) % 2 of block p / 8 (ggml's q1..q4 of one l loop). */
    public static float pieceQ6_K(ByteArray w, long row, FloatArray x, long xOff, int n, int p) {
        long blk = (row * (n / QK_K) + p / 8) * Q6_K_BYTES;
        int half = (p / 4) % 2;
        int quarter = p % 4;
        long ql = blk + half * 64 + (quarter & 1) * 32;
        long qh = blk + 128 + half * 32;
        long sc = blk + 192 + half * 8 + 2 * quarter;
        int lowShift = quarter < 2 ? 0 : 4;
        long xb = xOff + p * PIECE;
        float s = 0f;
        for (int l = 0; l < 32; l++) {
            int q = (((w.getUnsigned(ql + l) >> lowShift) & 0xF) | (((w.getUnsigned(qh + l) >> (2 * quarter)) & 3) << 4)) - 32;
            s += w.get(sc + l / 16) * q * x.get(xb + l);
        }
        return w.getHalf(blk + 208) * s;
    }
}
