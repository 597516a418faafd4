// Prefill-time linear layers: weight matrix times a batch of activation vectors, for every GGUF weight format.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.Kernel;
import gale.compute.Parallel;

/**
 * Mat-mul kernels for a batch of tokens (prefill): {@code out[t, r] = Σ_c W[r, c]·x[t, c]}. Same weight layouts as
 * {@link MatVec}; one work-item per (row, token), rows outermost so neighbouring work-items share a weight row's
 * cache lines. Reference: {@code reference.LinearReference}.
 */
public final class MatMul {
    private MatMul() {}

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; x: (nTok, cols), out: (nTok, rows); W: F32 weights, (rows, cols). */
    @Kernel
    public static void matMulF32(FloatArray out, FloatArray x, FloatArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotF32(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); x: (nTok, dim), h: (nTok, hidden); W1, W3: F32 weights, (hidden, dim). */
    @Kernel
    public static void swiGluMatMulF32(FloatArray h, FloatArray x, FloatArray w1, FloatArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                float g = Quant.dotF32(w1, r, x, (long) t * dim, dim);
                float u = Quant.dotF32(w3, r, x, (long) t * dim, dim);
                h.set((long) t * hidden + r, g / (1f + (float) Math.exp(-g)) * u);
            }
        }
    }

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; x: (nTok, cols), out: (nTok, rows); W: F16 weights, (rows, cols). */
    @Kernel
    public static void matMulF16(FloatArray out, FloatArray x, HalfArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotF16(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); x: (nTok, dim), h: (nTok, hidden); W1, W3: F16 weights, (hidden, dim). */
    @Kernel
    public static void swiGluMatMulF16(FloatArray h, FloatArray x, HalfArray w1, HalfArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                float g = Quant.dotF16(w1, r, x, (long) t * dim, dim);
                float u = Quant.dotF16(w3, r, x, (long) t * dim, dim);
                h.set((long) t * hidden + r, g / (1f + (float) Math.exp(-g)) * u);
            }
        }
    }

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; x: (nTok, cols), out: (nTok, rows); W: BF16 weights, raw little-endian bytes (2 per element), (rows, cols). */
    @Kernel
    public static void matMulBF16(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotBF16(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); x: (nTok, dim), h: (nTok, hidden); W1, W3: BF16 weights, raw little-endian bytes (2 per element), (hidden, dim). */
    @Kernel
    public static void swiGluMatMulBF16(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                float g = Quant.dotBF16(w1, r, x, (long) t * dim, dim);
                float u = Quant.dotBF16(w3, r, x, (long) t * dim, dim);
                h.set((long) t * hidden + r, g / (1f + (float) Math.exp(-g)) * u);
            }
        }
    }

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; x: (nTok, cols), out: (nTok, rows); W: Q8_0 blocks (cols % 32 == 0), (rows, cols). */
    @Kernel
    public static void matMulQ8_0(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ8_0(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); x: (nTok, dim), h: (nTok, hidden); W1, W3: Q8_0 blocks (cols % 32 == 0), (hidden, dim). */
    @Kernel
    public static void swiGluMatMulQ8_0(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                float g = Quant.dotQ8_0(w1, r, x, (long) t * dim, dim);
                float u = Quant.dotQ8_0(w3, r, x, (long) t * dim, dim);
                h.set((long) t * hidden + r, g / (1f + (float) Math.exp(-g)) * u);
            }
        }
    }

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; x: (nTok, cols), out: (nTok, rows); W: Q4_0 blocks (cols % 32 == 0), (rows, cols). */
    @Kernel
    public static void matMulQ4_0(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ4_0(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); x: (nTok, dim), h: (nTok, hidden); W1, W3: Q4_0 blocks (cols % 32 == 0), (hidden, dim). */
    @Kernel
    public static void swiGluMatMulQ4_0(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                float g = Quant.dotQ4_0(w1, r, x, (long) t * dim, dim);
                float u = Quant.dotQ4_0(w3, r, x, (long) t * dim, dim);
                h.set((long) t * hidden + r, g / (1f + (float) Math.exp(-g)) * u);
            }
        }
    }

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; x: (nTok, cols), out: (nTok, rows); W: Q4_K blocks (cols % 256 == 0), (rows, cols). */
    @Kernel
    public static void matMulQ4_K(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ4_K(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); x: (nTok, dim), h: (nTok, hidden); W1, W3: Q4_K blocks (cols % 256 == 0), (hidden, dim). */
    @Kernel
    public static void swiGluMatMulQ4_K(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                float g = Quant.dotQ4_K(w1, r, x, (long) t * dim, dim);
                float u = Quant.dotQ4_K(w3, r, x, (long) t * dim, dim);
                h.set((long) t * hidden + r, g / (1f + (float) Math.exp(-g)) * u);
            }
        }
    }

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; x: (nTok, cols), out: (nTok, rows); W: Q6_K blocks (cols % 256 == 0), (rows, cols). */
    @Kernel
    public static void matMulQ6_K(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ6_K(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); x: (nTok, dim), h: (nTok, hidden); W1, W3: Q6_K blocks (cols % 256 == 0), (hidden, dim). */
    @Kernel
    public static void swiGluMatMulQ6_K(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                float g = Quant.dotQ6_K(w1, r, x, (long) t * dim, dim);
                float u = Quant.dotQ6_K(w3, r, x, (long) t * dim, dim);
                h.set((long) t * hidden + r, g / (1f + (float) Math.exp(-g)) * u);
            }
        }
    }
}
