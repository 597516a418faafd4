// Tests the mat-vec, mat-mul and fused SwiGLU kernels of every weight format against the dequantise-then-double reference.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.HalfArray;
import gale.kernels.reference.LinearReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

/**
 * Metric: NMSE ≤ 1e-7 (ggml's bound). Both sides decode the very same blocks, so the only difference is float
 * (kernel, per-block sums as ggml) vs double (reference) accumulation: ~1e-7 relative per output at these lengths.
 * Shapes: 37 rows (not a multiple of any work-group size), columns of whole blocks and more than one block.
 */
class LinearTest {
    static int cols(WeightType t) {
        return switch (t) {
            case Q4_K, Q6_K -> 512;      // 2 super-blocks of 256
            case Q8_0, Q4_0 -> 160;      // 5 blocks of 32
            default -> 100;
        };
    }

    static void matVec(WeightType t, FloatArray out, FloatArray x, GaleArray w, int rows, int cols) {
        switch (t) {
            case F32 -> MatVec.matVecF32(out, x, (FloatArray) w, rows, cols);
            case F16 -> MatVec.matVecF16(out, x, (HalfArray) w, rows, cols);
            case BF16 -> MatVec.matVecBF16(out, x, (ByteArray) w, rows, cols);
            case Q8_0 -> MatVec.matVecQ8_0(out, x, (ByteArray) w, rows, cols);
            case Q4_0 -> MatVec.matVecQ4_0(out, x, (ByteArray) w, rows, cols);
            case Q4_K -> MatVec.matVecQ4_K(out, x, (ByteArray) w, rows, cols);
            case Q6_K -> MatVec.matVecQ6_K(out, x, (ByteArray) w, rows, cols);
        }
    }

    static void matMul(WeightType t, FloatArray out, FloatArray x, GaleArray w, int nTok, int rows, int cols) {
        switch (t) {
            case F32 -> MatMul.matMulF32(out, x, (FloatArray) w, nTok, rows, cols);
            case F16 -> MatMul.matMulF16(out, x, (HalfArray) w, nTok, rows, cols);
            case BF16 -> MatMul.matMulBF16(out, x, (ByteArray) w, nTok, rows, cols);
            case Q8_0 -> MatMul.matMulQ8_0(out, x, (ByteArray) w, nTok, rows, cols);
            case Q4_0 -> MatMul.matMulQ4_0(out, x, (ByteArray) w, nTok, rows, cols);
            case Q4_K -> MatMul.matMulQ4_K(out, x, (ByteArray) w, nTok, rows, cols);
            case Q6_K -> MatMul.matMulQ6_K(out, x, (ByteArray) w, nTok, rows, cols);
        }
    }

    static void swiGluVec(WeightType t, FloatArray h, FloatArray x, GaleArray a, GaleArray b, int hidden, int dim) {
        switch (t) {
            case F32 -> MatVec.swiGluMatVecF32(h, x, (FloatArray) a, (FloatArray) b, hidden, dim);
            case F16 -> MatVec.swiGluMatVecF16(h, x, (HalfArray) a, (HalfArray) b, hidden, dim);
            case BF16 -> MatVec.swiGluMatVecBF16(h, x, (ByteArray) a, (ByteArray) b, hidden, dim);
            case Q8_0 -> MatVec.swiGluMatVecQ8_0(h, x, (ByteArray) a, (ByteArray) b, hidden, dim);
            case Q4_0 -> MatVec.swiGluMatVecQ4_0(h, x, (ByteArray) a, (ByteArray) b, hidden, dim);
            case Q4_K -> MatVec.swiGluMatVecQ4_K(h, x, (ByteArray) a, (ByteArray) b, hidden, dim);
            case Q6_K -> MatVec.swiGluMatVecQ6_K(h, x, (ByteArray) a, (ByteArray) b, hidden, dim);
        }
    }

    static void swiGluMat(WeightType t, FloatArray h, FloatArray x, GaleArray a, GaleArray b, int nTok, int hidden, int dim) {
        switch (t) {
            case F32 -> MatMul.swiGluMatMulF32(h, x, (FloatArray) a, (FloatArray) b, nTok, hidden, dim);
            case F16 -> MatMul.swiGluMatMulF16(h, x, (HalfArray) a, (HalfArray) b, nTok, hidden, dim);
            case BF16 -> MatMul.swiGluMatMulBF16(h, x, (ByteArray) a, (ByteArray) b, nTok, hidden, dim);
            case Q8_0 -> MatMul.swiGluMatMulQ8_0(h, x, (ByteArray) a, (ByteArray) b, nTok, hidden, dim);
            case Q4_0 -> MatMul.swiGluMatMulQ4_0(h, x, (ByteArray) a, (ByteArray) b, nTok, hidden, dim);
            case Q4_K -> MatMul.swiGluMatMulQ4_K(h, x, (ByteArray) a, (ByteArray) b, nTok, hidden, dim);
            case Q6_K -> MatMul.swiGluMatMulQ6_K(h, x, (ByteArray) a, (ByteArray) b, nTok, hidden, dim);
        }
    }

    static void matVecAdd(WeightType t, FloatArray out, FloatArray x, GaleArray w, int rows, int cols) {
        switch (t) {
            case F32 -> MatVec.matVecAddF32(out, x, (FloatArray) w, rows, cols);
            case F16 -> MatVec.matVecAddF16(out, x, (HalfArray) w, rows, cols);
            case BF16 -> MatVec.matVecAddBF16(out, x, (ByteArray) w, rows, cols);
            case Q8_0 -> MatVec.matVecAddQ8_0(out, x, (ByteArray) w, rows, cols);
            case Q4_0 -> MatVec.matVecAddQ4_0(out, x, (ByteArray) w, rows, cols);
            case Q4_K -> MatVec.matVecAddQ4_K(out, x, (ByteArray) w, rows, cols);
            case Q6_K -> MatVec.matVecAddQ6_K(out, x, (ByteArray) w, rows, cols);
        }
    }

    static void matMulAdd(WeightType t, FloatArray out, FloatArray x, GaleArray w, int nTok, int rows, int cols) {
        switch (t) {
            case F32 -> MatMul.matMulAddF32(out, x, (FloatArray) w, nTok, rows, cols);
            case F16 -> MatMul.matMulAddF16(out, x, (HalfArray) w, nTok, rows, cols);
            case BF16 -> MatMul.matMulAddBF16(out, x, (ByteArray) w, nTok, rows, cols);
            case Q8_0 -> MatMul.matMulAddQ8_0(out, x, (ByteArray) w, nTok, rows, cols);
            case Q4_0 -> MatMul.matMulAddQ4_0(out, x, (ByteArray) w, nTok, rows, cols);
            case Q4_K -> MatMul.matMulAddQ4_K(out, x, (ByteArray) w, nTok, rows, cols);
            case Q6_K -> MatMul.matMulAddQ6_K(out, x, (ByteArray) w, nTok, rows, cols);
        }
    }

    /** Σ over the 32-element pieces of row r, as the work-group kernels split it. */
    static float pieces(WeightType t, GaleArray w, int r, FloatArray x, long xOff, int cols) {
        float s = 0f;
        for (int p = 0; p < cols / Quant.PIECE; p++) {
            s += switch (t) {
                case F32 -> Quant.pieceF32((FloatArray) w, r, x, xOff, cols, p);
                case F16 -> Quant.pieceF16((HalfArray) w, r, x, xOff, cols, p);
                case BF16 -> Quant.pieceBF16((ByteArray) w, r, x, xOff, cols, p);
                case Q8_0 -> Quant.pieceQ8_0((ByteArray) w, r, x, xOff, cols, p);
                case Q4_0 -> Quant.pieceQ4_0((ByteArray) w, r, x, xOff, cols, p);
                case Q4_K -> Quant.pieceQ4_K((ByteArray) w, r, x, xOff, cols, p);
                case Q6_K -> Quant.pieceQ6_K((ByteArray) w, r, x, xOff, cols, p);
            };
        }
        return s;
    }

    @ParameterizedTest
    @EnumSource(WeightType.class)
    void addIntoResidual(WeightType t) {
        Random rnd = new Random(400 + t.ordinal());
        int rows = 37, cols = cols(t), nTok = 3;
        GaleArray w = TestData.weight(t, rnd, rows, cols);
        FloatArray x = TestData.floatArray(rnd, (long) nTok * cols, 1f);
        FloatArray residual = TestData.floatArray(rnd, (long) nTok * rows, 1f);

        FloatArray got = TestData.copy(residual), ref = FloatArray.create((long) nTok * rows);
        matVecAdd(t, got, x, w, rows, cols);
        LinearReference.matMul(ref, x, t, w, 1, rows, cols);
        for (int r = 0; r < rows; r++) ref.set(r, (float) ((double) ref.get(r) + residual.get(r)));
        for (int r = rows; r < nTok * rows; r++) ref.set(r, residual.get(r)); // untouched beyond the one token
        Compare.nmse("matVecAdd" + t + " " + rows + "x" + cols, got, ref, Compare.NMSE_GGML);

        FloatArray gotB = TestData.copy(residual), refB = FloatArray.create((long) nTok * rows);
        matMulAdd(t, gotB, x, w, nTok, rows, cols);
        LinearReference.matMul(refB, x, t, w, nTok, rows, cols);
        for (int i = 0; i < nTok * rows; i++) refB.set(i, (float) ((double) refB.get(i) + residual.get(i)));
        Compare.nmse("matMulAdd" + t + " " + nTok + "x" + rows + "x" + cols, gotB, refB, Compare.NMSE_GGML);
    }

    /** The work-group kernels' row split: the pieces of every row, at a token offset, add up to the reference dot. */
    @ParameterizedTest
    @EnumSource(WeightType.class)
    void piecesCoverTheRow(WeightType t) {
        Random rnd = new Random(500 + t.ordinal());
        int rows = 5, cols = t.blockSize == 256 ? 512 : 160, nTok = 2;
        GaleArray w = TestData.weight(t, rnd, rows, cols);
        FloatArray x = TestData.floatArray(rnd, (long) nTok * cols, 1f);
        FloatArray got = FloatArray.create((long) nTok * rows), ref = FloatArray.create((long) nTok * rows);
        for (int tok = 0; tok < nTok; tok++)
            for (int r = 0; r < rows; r++) got.set((long) tok * rows + r, pieces(t, w, r, x, (long) tok * cols, cols));
        LinearReference.matMul(ref, x, t, w, nTok, rows, cols);
        Compare.nmse("pieces" + t + " " + nTok + "x" + rows + "x" + cols, got, ref, Compare.NMSE_GGML);
    }

    @ParameterizedTest
    @EnumSource(WeightType.class)
    void matVecAndMatMul(WeightType t) {
        Random rnd = new Random(100 + t.ordinal());
        int rows = 37, cols = cols(t), nTok = 3;
        GaleArray w = TestData.weight(t, rnd, rows, cols);
        FloatArray x = TestData.floatArray(rnd, (long) nTok * cols, 1f);

        FloatArray got = FloatArray.create(rows), ref = FloatArray.create(rows);
        matVec(t, got, x, w, rows, cols);
        LinearReference.matMul(ref, x, t, w, 1, rows, cols);
        Compare.nmse("matVec" + t + " " + rows + "x" + cols, got, ref, Compare.NMSE_GGML);

        FloatArray gotB = FloatArray.create((long) nTok * rows), refB = FloatArray.create((long) nTok * rows);
        matMul(t, gotB, x, w, nTok, rows, cols);
        LinearReference.matMul(refB, x, t, w, nTok, rows, cols);
        Compare.nmse("matMul" + t + " " + nTok + "x" + rows + "x" + cols, gotB, refB, Compare.NMSE_GGML);
    }

    @ParameterizedTest
    @EnumSource(WeightType.class)
    void swiGlu(WeightType t) {
        Random rnd = new Random(200 + t.ordinal());
        int hidden = 37, dim = cols(t), nTok = 3;
        GaleArray w1 = TestData.weight(t, rnd, hidden, dim), w3 = TestData.weight(t, rnd, hidden, dim);
        FloatArray x = TestData.floatArray(rnd, (long) nTok * dim, 0.5f);

        FloatArray got = FloatArray.create(hidden), ref = FloatArray.create(hidden);
        swiGluVec(t, got, x, w1, w3, hidden, dim);
        LinearReference.swiGluMatMul(ref, x, t, w1, w3, 1, hidden, dim);
        Compare.nmse("swiGluMatVec" + t + " " + hidden + "x" + dim, got, ref, Compare.NMSE_GGML);

        FloatArray gotB = FloatArray.create((long) nTok * hidden), refB = FloatArray.create((long) nTok * hidden);
        swiGluMat(t, gotB, x, w1, w3, nTok, hidden, dim);
        LinearReference.swiGluMatMul(refB, x, t, w1, w3, nTok, hidden, dim);
        Compare.nmse("swiGluMatMul" + t + " " + nTok + "x" + hidden + "x" + dim, gotB, refB, Compare.NMSE_GGML);
    }
}
