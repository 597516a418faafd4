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
    @Kernel(jvm = "matMulF32Simd")
    public static void matMulF32(FloatArray out, FloatArray x, FloatArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotF32(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulF32}. */
    @Kernel(jvm = "matMulAddF32Simd")
    public static void matMulAddF32(FloatArray out, FloatArray x, FloatArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotF32(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
    @Kernel(jvm = "swiGluMatMulF32Simd")
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
    @Kernel(jvm = "matMulF16Simd")
    public static void matMulF16(FloatArray out, FloatArray x, HalfArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotF16(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulF16}. */
    @Kernel(jvm = "matMulAddF16Simd")
    public static void matMulAddF16(FloatArray out, FloatArray x, HalfArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotF16(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
    @Kernel(jvm = "swiGluMatMulF16Simd")
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
    @Kernel(jvm = "matMulBF16Simd")
    public static void matMulBF16(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotBF16(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulBF16}. */
    @Kernel(jvm = "matMulAddBF16Simd")
    public static void matMulAddBF16(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotBF16(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
    @Kernel(jvm = "swiGluMatMulBF16Simd")
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
    @Kernel(jvm = "matMulQ8_0Simd")
    public static void matMulQ8_0(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ8_0(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulQ8_0}. */
    @Kernel(jvm = "matMulAddQ8_0Simd")
    public static void matMulAddQ8_0(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotQ8_0(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
    @Kernel(jvm = "swiGluMatMulQ8_0Simd")
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
    @Kernel(jvm = "matMulQ4_0Simd")
    public static void matMulQ4_0(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ4_0(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulQ4_0}. */
    @Kernel(jvm = "matMulAddQ4_0Simd")
    public static void matMulAddQ4_0(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotQ4_0(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
    @Kernel(jvm = "swiGluMatMulQ4_0Simd")
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
    @Kernel(jvm = "matMulQ4_KSimd")
    public static void matMulQ4_K(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ4_K(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulQ4_K}. */
    @Kernel(jvm = "matMulAddQ4_KSimd")
    public static void matMulAddQ4_K(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotQ4_K(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
    @Kernel(jvm = "swiGluMatMulQ4_KSimd")
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
    @Kernel(jvm = "matMulQ6_KSimd")
    public static void matMulQ6_K(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                out.set((long) t * rows + r, Quant.dotQ6_K(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** out[t, r] += Σ_c W[r, c]·x[t, c]: added into the residual stream; shapes as {@link #matMulQ6_K}. */
    @Kernel(jvm = "matMulAddQ6_KSimd")
    public static void matMulAddQ6_K(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                long o = (long) t * rows + r;
                out.set(o, out.get(o) + Quant.dotQ6_K(w, r, x, (long) t * cols, cols));
            }
        }
    }

    /** h[t, r] = silu(W1[r]·x[t])·(W3[r]·x[t]); W1, W3: (hidden, dim), x: (nTok, dim), h: (nTok, hidden). */
    @Kernel(jvm = "swiGluMatMulQ6_KSimd")
    public static void swiGluMatMulQ6_K(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            for (@Parallel int t = 0; t < nTok; t++) {
                float g = Quant.dotQ6_K(w1, r, x, (long) t * dim, dim);
                float u = Quant.dotQ6_K(w3, r, x, (long) t * dim, dim);
                h.set((long) t * hidden + r, g / (1f + (float) Math.exp(-g)) * u);
            }
        }
    }

    // ---- jvm twins (Vector API): every format, dequantised per work-item into register tiles ----

    /** {@link #matMulF32} for the jvm: {@link LinearSimd#ROWS} weight rows per work-item, register tiles of 8 tokens (4 for SwiGLU). */
    @Kernel(jvmOnly = true)
    public static void matMulF32Simd(FloatArray out, FloatArray x, FloatArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.F32, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.SET);
        }
    }

    /** {@link #matMulAddF32} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void matMulAddF32Simd(FloatArray out, FloatArray x, FloatArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.F32, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.ADD);
        }
    }

    /** {@link #swiGluMatMulF32} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void swiGluMatMulF32Simd(FloatArray h, FloatArray x, FloatArray w1, FloatArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int rb = 0; rb < (hidden + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.F32, h, x, w1, w3, nTok, hidden, dim, rb * LinearSimd.ROWS, LinearSimd.SWIGLU);
        }
    }

    /** {@link #matMulF16} for the jvm: {@link LinearSimd#ROWS} weight rows per work-item, register tiles of 8 tokens (4 for SwiGLU). */
    @Kernel(jvmOnly = true)
    public static void matMulF16Simd(FloatArray out, FloatArray x, HalfArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.F16, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.SET);
        }
    }

    /** {@link #matMulAddF16} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void matMulAddF16Simd(FloatArray out, FloatArray x, HalfArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.F16, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.ADD);
        }
    }

    /** {@link #swiGluMatMulF16} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void swiGluMatMulF16Simd(FloatArray h, FloatArray x, HalfArray w1, HalfArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int rb = 0; rb < (hidden + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.F16, h, x, w1, w3, nTok, hidden, dim, rb * LinearSimd.ROWS, LinearSimd.SWIGLU);
        }
    }

    /** {@link #matMulBF16} for the jvm: {@link LinearSimd#ROWS} weight rows per work-item, register tiles of 8 tokens (4 for SwiGLU). */
    @Kernel(jvmOnly = true)
    public static void matMulBF16Simd(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.BF16, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.SET);
        }
    }

    /** {@link #matMulAddBF16} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void matMulAddBF16Simd(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.BF16, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.ADD);
        }
    }

    /** {@link #swiGluMatMulBF16} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void swiGluMatMulBF16Simd(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int rb = 0; rb < (hidden + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.BF16, h, x, w1, w3, nTok, hidden, dim, rb * LinearSimd.ROWS, LinearSimd.SWIGLU);
        }
    }

    /** {@link #matMulQ8_0} for the jvm: {@link LinearSimd#ROWS} weight rows per work-item, register tiles of 8 tokens (4 for SwiGLU). */
    @Kernel(jvmOnly = true)
    public static void matMulQ8_0Simd(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q8_0, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.SET);
        }
    }

    /** {@link #matMulAddQ8_0} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void matMulAddQ8_0Simd(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q8_0, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.ADD);
        }
    }

    /** {@link #swiGluMatMulQ8_0} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void swiGluMatMulQ8_0Simd(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int rb = 0; rb < (hidden + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q8_0, h, x, w1, w3, nTok, hidden, dim, rb * LinearSimd.ROWS, LinearSimd.SWIGLU);
        }
    }

    /** {@link #matMulQ4_0} for the jvm: {@link LinearSimd#ROWS} weight rows per work-item, register tiles of 8 tokens (4 for SwiGLU). */
    @Kernel(jvmOnly = true)
    public static void matMulQ4_0Simd(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q4_0, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.SET);
        }
    }

    /** {@link #matMulAddQ4_0} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void matMulAddQ4_0Simd(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q4_0, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.ADD);
        }
    }

    /** {@link #swiGluMatMulQ4_0} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void swiGluMatMulQ4_0Simd(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int rb = 0; rb < (hidden + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q4_0, h, x, w1, w3, nTok, hidden, dim, rb * LinearSimd.ROWS, LinearSimd.SWIGLU);
        }
    }

    /** {@link #matMulQ4_K} for the jvm: {@link LinearSimd#ROWS} weight rows per work-item, register tiles of 8 tokens (4 for SwiGLU). */
    @Kernel(jvmOnly = true)
    public static void matMulQ4_KSimd(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q4_K, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.SET);
        }
    }

    /** {@link #matMulAddQ4_K} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void matMulAddQ4_KSimd(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q4_K, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.ADD);
        }
    }

    /** {@link #swiGluMatMulQ4_K} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void swiGluMatMulQ4_KSimd(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int rb = 0; rb < (hidden + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q4_K, h, x, w1, w3, nTok, hidden, dim, rb * LinearSimd.ROWS, LinearSimd.SWIGLU);
        }
    }

    /** {@link #matMulQ6_K} for the jvm: {@link LinearSimd#ROWS} weight rows per work-item, register tiles of 8 tokens (4 for SwiGLU). */
    @Kernel(jvmOnly = true)
    public static void matMulQ6_KSimd(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q6_K, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.SET);
        }
    }

    /** {@link #matMulAddQ6_K} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void matMulAddQ6_KSimd(FloatArray out, FloatArray x, ByteArray w, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q6_K, out, x, w, null, nTok, rows, cols, rb * LinearSimd.ROWS, LinearSimd.ADD);
        }
    }

    /** {@link #swiGluMatMulQ6_K} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void swiGluMatMulQ6_KSimd(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int nTok, int hidden, int dim) {
        for (@Parallel int rb = 0; rb < (hidden + LinearSimd.ROWS - 1) / LinearSimd.ROWS; rb++) {
            LinearSimd.matMul(WeightType.Q6_K, h, x, w1, w3, nTok, hidden, dim, rb * LinearSimd.ROWS, LinearSimd.SWIGLU);
        }
    }
}
