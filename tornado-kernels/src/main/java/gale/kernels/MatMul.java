// Prefill-time linear layers: weight matrix times a batch of activation vectors, for every GGUF weight format.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.Kernel;
import gale.compute.Parallel;

/**
 * Mat-mul kernels for a batch of tokens (prefill): {@code out[t, r] = Σ_c W[r, c]·x[t, c]}. Same weight layouts as
 * {@link MatVec}; one work-item per (row, token), rows outermost. Reference: {@code reference.LinearReference}.
 */
public final class MatMul {
    private MatMul() {}

    // ---- F32: W is F32 (Group kernels: cols % 32 == 0) ----

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; W: (rows, cols), x: (nTok, cols), out: (nTok, rows). */
    @Kernel
    public static void matMulF32(FloatArray out, FloatArray x, FloatArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotF32(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulF32}. */
    @Kernel
    public static void matMulAddF32(FloatArray out, FloatArray x, FloatArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotF32(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
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

    // ---- F16: W is F16 (Group kernels: cols % 32 == 0) ----

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; W: (rows, cols), x: (nTok, cols), out: (nTok, rows). */
    @Kernel
    public static void matMulF16(FloatArray out, FloatArray x, HalfArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotF16(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulF16}. */
    @Kernel
    public static void matMulAddF16(FloatArray out, FloatArray x, HalfArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotF16(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
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

    // ---- BF16: W is BF16 as raw little-endian bytes (Group kernels: cols % 32 == 0) ----

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; W: (rows, cols), x: (nTok, cols), out: (nTok, rows). */
    @Kernel
    public static void matMulBF16(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotBF16(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulBF16}. */
    @Kernel
    public static void matMulAddBF16(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotBF16(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
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

    // ---- Q8_0: W is Q8_0 blocks, cols % 32 == 0 ----

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; W: (rows, cols), x: (nTok, cols), out: (nTok, rows). */
    @Kernel
    public static void matMulQ8_0(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ8_0(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulQ8_0}. */
    @Kernel
    public static void matMulAddQ8_0(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotQ8_0(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
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

    // ---- Q4_0: W is Q4_0 blocks, cols % 32 == 0 ----

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; W: (rows, cols), x: (nTok, cols), out: (nTok, rows). */
    @Kernel
    public static void matMulQ4_0(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ4_0(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulQ4_0}. */
    @Kernel
    public static void matMulAddQ4_0(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotQ4_0(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
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

    // ---- Q4_K: W is Q4_K blocks, cols % 256 == 0 ----

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; W: (rows, cols), x: (nTok, cols), out: (nTok, rows). */
    @Kernel
    public static void matMulQ4_K(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ4_K(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulQ4_K}. */
    @Kernel
    public static void matMulAddQ4_K(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotQ4_K(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
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

    // ---- Q6_K: W is Q6_K blocks, cols % 256 == 0 ----

    /** out[t, r] = Σ_c W[r, c]·x[t, c] for t &lt; nTok; W: (rows, cols), x: (nTok, cols), out: (nTok, rows). */
    @Kernel
    public static void matMulQ6_K(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ6_K(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulQ6_K}. */
    @Kernel
    public static void matMulAddQ6_K(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotQ6_K(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
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
