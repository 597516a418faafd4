// Decode-time linear layers: weight matrix times one activation vector, for every GGUF weight format.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.Kernel;
import gale.compute.Parallel;

/**
 * Mat-vec kernels for one token (decode). A weight of shape (rows, cols) is stored as GGUF stores it: row-major,
 * {@code cols} contiguous, row r = output r; quantized formats are raw blocks decoded inside the dot product
 * ({@link Quant}). One work-item per output row. There is one kernel per storage format because kernels take typed
 * arrays; {@link Linear} picks the right one from a {@link WeightType}. Reference: {@code reference.LinearReference}.
 */
public final class MatVec {
    private MatVec() {}

    /** out[r] = Σ_c W[r, c]·x[c]; W: F32 weights, (rows, cols). */
    @Kernel
    public static void matVecF32(FloatArray out, FloatArray x, FloatArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) out.set(r, Quant.dotF32(w, r, x, 0, cols));
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x): the SwiGLU feed-forward's gate and up projections in one pass; W1, W3: F32 weights, (hidden, dim). */
    @Kernel
    public static void swiGluMatVecF32(FloatArray h, FloatArray x, FloatArray w1, FloatArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotF32(w1, r, x, 0, dim);
            float u = Quant.dotF32(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** out[r] = Σ_c W[r, c]·x[c]; W: F16 weights, (rows, cols). */
    @Kernel
    public static void matVecF16(FloatArray out, FloatArray x, HalfArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) out.set(r, Quant.dotF16(w, r, x, 0, cols));
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x): the SwiGLU feed-forward's gate and up projections in one pass; W1, W3: F16 weights, (hidden, dim). */
    @Kernel
    public static void swiGluMatVecF16(FloatArray h, FloatArray x, HalfArray w1, HalfArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotF16(w1, r, x, 0, dim);
            float u = Quant.dotF16(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** out[r] = Σ_c W[r, c]·x[c]; W: BF16 weights, raw little-endian bytes (2 per element), (rows, cols). */
    @Kernel
    public static void matVecBF16(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) out.set(r, Quant.dotBF16(w, r, x, 0, cols));
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x): the SwiGLU feed-forward's gate and up projections in one pass; W1, W3: BF16 weights, raw little-endian bytes (2 per element), (hidden, dim). */
    @Kernel
    public static void swiGluMatVecBF16(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotBF16(w1, r, x, 0, dim);
            float u = Quant.dotBF16(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** out[r] = Σ_c W[r, c]·x[c]; W: Q8_0 blocks (cols % 32 == 0), (rows, cols). */
    @Kernel
    public static void matVecQ8_0(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) out.set(r, Quant.dotQ8_0(w, r, x, 0, cols));
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x): the SwiGLU feed-forward's gate and up projections in one pass; W1, W3: Q8_0 blocks (cols % 32 == 0), (hidden, dim). */
    @Kernel
    public static void swiGluMatVecQ8_0(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotQ8_0(w1, r, x, 0, dim);
            float u = Quant.dotQ8_0(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** out[r] = Σ_c W[r, c]·x[c]; W: Q4_0 blocks (cols % 32 == 0), (rows, cols). */
    @Kernel
    public static void matVecQ4_0(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) out.set(r, Quant.dotQ4_0(w, r, x, 0, cols));
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x): the SwiGLU feed-forward's gate and up projections in one pass; W1, W3: Q4_0 blocks (cols % 32 == 0), (hidden, dim). */
    @Kernel
    public static void swiGluMatVecQ4_0(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotQ4_0(w1, r, x, 0, dim);
            float u = Quant.dotQ4_0(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** out[r] = Σ_c W[r, c]·x[c]; W: Q4_K blocks (cols % 256 == 0), (rows, cols). */
    @Kernel
    public static void matVecQ4_K(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) out.set(r, Quant.dotQ4_K(w, r, x, 0, cols));
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x): the SwiGLU feed-forward's gate and up projections in one pass; W1, W3: Q4_K blocks (cols % 256 == 0), (hidden, dim). */
    @Kernel
    public static void swiGluMatVecQ4_K(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotQ4_K(w1, r, x, 0, dim);
            float u = Quant.dotQ4_K(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** out[r] = Σ_c W[r, c]·x[c]; W: Q6_K blocks (cols % 256 == 0), (rows, cols). */
    @Kernel
    public static void matVecQ6_K(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) out.set(r, Quant.dotQ6_K(w, r, x, 0, cols));
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x): the SwiGLU feed-forward's gate and up projections in one pass; W1, W3: Q6_K blocks (cols % 256 == 0), (hidden, dim). */
    @Kernel
    public static void swiGluMatVecQ6_K(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotQ6_K(w1, r, x, 0, dim);
            float u = Quant.dotQ6_K(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }
}
