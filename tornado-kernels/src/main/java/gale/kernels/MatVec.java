// Decode-time linear layers: weight matrix times one activation vector, for every GGUF weight format.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.Kernel;
import gale.compute.KernelContext;
import gale.compute.Parallel;

/**
 * Mat-vec kernels for one token (decode). A weight of shape (rows, cols) is stored as GGUF stores it: row-major,
 * {@code cols} contiguous, row r = output r; quantized formats are raw blocks decoded inside the dot product
 * ({@link Quant}). There is one kernel per storage format because kernels take typed arrays; {@link Linear} picks
 * the right one from a {@link WeightType}. Reference: {@code reference.LinearReference}.
 *
 * <p>Each op comes twice: a {@code @Parallel} kernel with one work-item per row (plain Java, the jvm backend's
 * version), and a {@code ...Group} KernelContext kernel for GPUs with one work-group per row: its work-items take
 * 32-element pieces of the row in turn and add their partial sums in local memory (a tree reduction).
 */
public final class MatVec {
    private MatVec() {}

    /** The largest work-group size the {@code ...Group} kernels accept (their local-memory arrays). */
    public static final int GROUP_MAX = 256;

    // ---- F32: W is F32 (Group kernels: cols % 32 == 0) ----

    /** out[r] = Σ_c W[r, c]·x[c]; W: (rows, cols), x: (cols), out: (rows). */
    @Kernel(jvm = "matVecF32Simd")
    public static void matVecF32(FloatArray out, FloatArray x, FloatArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, Quant.dotF32(w, r, x, 0, cols));
        }
    }

    /** out[r] += Σ_c W[r, c]·x[c]: a projection added straight into the residual stream; shapes as {@link #matVecF32}. */
    @Kernel(jvm = "matVecAddF32Simd")
    public static void matVecAddF32(FloatArray out, FloatArray x, FloatArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, out.get(r) + Quant.dotF32(w, r, x, 0, cols));
        }
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x), the SwiGLU gate and up projections in one pass; W1, W3: (hidden, dim), x: (dim), h: (hidden). */
    @Kernel(jvm = "swiGluMatVecF32Simd")
    public static void swiGluMatVecF32(FloatArray h, FloatArray x, FloatArray w1, FloatArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotF32(w1, r, x, 0, dim);
            float u = Quant.dotF32(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** {@link #matVecF32} with one work-group per row (grid: rows × local, local a power of two ≤ {@value #GROUP_MAX}). */
    @Kernel(jvm = "matVecF32Simd")
    public static void matVecF32Group(KernelContext ctx, FloatArray out, FloatArray x, FloatArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceF32(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, partial[0]);
    }

    /** {@link #matVecAddF32} with one work-group per row (grid as {@link #matVecF32Group}). */
    @Kernel(jvm = "matVecAddF32Simd")
    public static void matVecAddF32Group(KernelContext ctx, FloatArray out, FloatArray x, FloatArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceF32(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, out.get(r) + partial[0]);
    }

    /** {@link #swiGluMatVecF32} with one work-group per row (grid: hidden × local). */
    @Kernel(jvm = "swiGluMatVecF32Simd")
    public static void swiGluMatVecF32Group(KernelContext ctx, FloatArray h, FloatArray x, FloatArray w1, FloatArray w3, int hidden, int dim) {
        float[] gates = ctx.allocateFloatLocalArray(GROUP_MAX);
        float[] ups = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float gs = 0f, us = 0f;
        for (int p = lid; p < dim / Quant.PIECE; p += size) {
            gs += Quant.pieceF32(w1, r, x, 0, dim, p);
            us += Quant.pieceF32(w3, r, x, 0, dim, p);
        }
        gates[lid] = gs;
        ups[lid] = us;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                gates[lid] += gates[lid + stride];
                ups[lid] += ups[lid + stride];
            }
        }
        if (lid == 0) {
            float g = gates[0], u = ups[0];
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    // ---- F16: W is F16 (Group kernels: cols % 32 == 0) ----

    /** out[r] = Σ_c W[r, c]·x[c]; W: (rows, cols), x: (cols), out: (rows). */
    @Kernel(jvm = "matVecF16Simd")
    public static void matVecF16(FloatArray out, FloatArray x, HalfArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, Quant.dotF16(w, r, x, 0, cols));
        }
    }

    /** out[r] += Σ_c W[r, c]·x[c]: a projection added straight into the residual stream; shapes as {@link #matVecF16}. */
    @Kernel(jvm = "matVecAddF16Simd")
    public static void matVecAddF16(FloatArray out, FloatArray x, HalfArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, out.get(r) + Quant.dotF16(w, r, x, 0, cols));
        }
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x), the SwiGLU gate and up projections in one pass; W1, W3: (hidden, dim), x: (dim), h: (hidden). */
    @Kernel(jvm = "swiGluMatVecF16Simd")
    public static void swiGluMatVecF16(FloatArray h, FloatArray x, HalfArray w1, HalfArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotF16(w1, r, x, 0, dim);
            float u = Quant.dotF16(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** {@link #matVecF16} with one work-group per row (grid: rows × local, local a power of two ≤ {@value #GROUP_MAX}). */
    @Kernel(jvm = "matVecF16Simd")
    public static void matVecF16Group(KernelContext ctx, FloatArray out, FloatArray x, HalfArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceF16(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, partial[0]);
    }

    /** {@link #matVecAddF16} with one work-group per row (grid as {@link #matVecF16Group}). */
    @Kernel(jvm = "matVecAddF16Simd")
    public static void matVecAddF16Group(KernelContext ctx, FloatArray out, FloatArray x, HalfArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceF16(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, out.get(r) + partial[0]);
    }

    /** {@link #swiGluMatVecF16} with one work-group per row (grid: hidden × local). */
    @Kernel(jvm = "swiGluMatVecF16Simd")
    public static void swiGluMatVecF16Group(KernelContext ctx, FloatArray h, FloatArray x, HalfArray w1, HalfArray w3, int hidden, int dim) {
        float[] gates = ctx.allocateFloatLocalArray(GROUP_MAX);
        float[] ups = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float gs = 0f, us = 0f;
        for (int p = lid; p < dim / Quant.PIECE; p += size) {
            gs += Quant.pieceF16(w1, r, x, 0, dim, p);
            us += Quant.pieceF16(w3, r, x, 0, dim, p);
        }
        gates[lid] = gs;
        ups[lid] = us;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                gates[lid] += gates[lid + stride];
                ups[lid] += ups[lid + stride];
            }
        }
        if (lid == 0) {
            float g = gates[0], u = ups[0];
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    // ---- BF16: W is BF16 as raw little-endian bytes (Group kernels: cols % 32 == 0) ----

    /** out[r] = Σ_c W[r, c]·x[c]; W: (rows, cols), x: (cols), out: (rows). */
    @Kernel
    public static void matVecBF16(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, Quant.dotBF16(w, r, x, 0, cols));
        }
    }

    /** out[r] += Σ_c W[r, c]·x[c]: a projection added straight into the residual stream; shapes as {@link #matVecBF16}. */
    @Kernel
    public static void matVecAddBF16(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, out.get(r) + Quant.dotBF16(w, r, x, 0, cols));
        }
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x), the SwiGLU gate and up projections in one pass; W1, W3: (hidden, dim), x: (dim), h: (hidden). */
    @Kernel
    public static void swiGluMatVecBF16(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotBF16(w1, r, x, 0, dim);
            float u = Quant.dotBF16(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** {@link #matVecBF16} with one work-group per row (grid: rows × local, local a power of two ≤ {@value #GROUP_MAX}). */
    @Kernel(jvm = "matVecBF16")
    public static void matVecBF16Group(KernelContext ctx, FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceBF16(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, partial[0]);
    }

    /** {@link #matVecAddBF16} with one work-group per row (grid as {@link #matVecBF16Group}). */
    @Kernel(jvm = "matVecAddBF16")
    public static void matVecAddBF16Group(KernelContext ctx, FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceBF16(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, out.get(r) + partial[0]);
    }

    /** {@link #swiGluMatVecBF16} with one work-group per row (grid: hidden × local). */
    @Kernel(jvm = "swiGluMatVecBF16")
    public static void swiGluMatVecBF16Group(KernelContext ctx, FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        float[] gates = ctx.allocateFloatLocalArray(GROUP_MAX);
        float[] ups = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float gs = 0f, us = 0f;
        for (int p = lid; p < dim / Quant.PIECE; p += size) {
            gs += Quant.pieceBF16(w1, r, x, 0, dim, p);
            us += Quant.pieceBF16(w3, r, x, 0, dim, p);
        }
        gates[lid] = gs;
        ups[lid] = us;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                gates[lid] += gates[lid + stride];
                ups[lid] += ups[lid + stride];
            }
        }
        if (lid == 0) {
            float g = gates[0], u = ups[0];
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    // ---- Q8_0: W is Q8_0 blocks, cols % 32 == 0 ----

    /** out[r] = Σ_c W[r, c]·x[c]; W: (rows, cols), x: (cols), out: (rows). */
    @Kernel(jvm = "matVecQ8_0Simd")
    public static void matVecQ8_0(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, Quant.dotQ8_0(w, r, x, 0, cols));
        }
    }

    /** out[r] += Σ_c W[r, c]·x[c]: a projection added straight into the residual stream; shapes as {@link #matVecQ8_0}. */
    @Kernel(jvm = "matVecAddQ8_0Simd")
    public static void matVecAddQ8_0(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, out.get(r) + Quant.dotQ8_0(w, r, x, 0, cols));
        }
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x), the SwiGLU gate and up projections in one pass; W1, W3: (hidden, dim), x: (dim), h: (hidden). */
    @Kernel(jvm = "swiGluMatVecQ8_0Simd")
    public static void swiGluMatVecQ8_0(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotQ8_0(w1, r, x, 0, dim);
            float u = Quant.dotQ8_0(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** {@link #matVecQ8_0} with one work-group per row (grid: rows × local, local a power of two ≤ {@value #GROUP_MAX}). */
    @Kernel(jvm = "matVecQ8_0Simd")
    public static void matVecQ8_0Group(KernelContext ctx, FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceQ8_0(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, partial[0]);
    }

    /** {@link #matVecAddQ8_0} with one work-group per row (grid as {@link #matVecQ8_0Group}). */
    @Kernel(jvm = "matVecAddQ8_0Simd")
    public static void matVecAddQ8_0Group(KernelContext ctx, FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceQ8_0(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, out.get(r) + partial[0]);
    }

    /** {@link #swiGluMatVecQ8_0} with one work-group per row (grid: hidden × local). */
    @Kernel(jvm = "swiGluMatVecQ8_0Simd")
    public static void swiGluMatVecQ8_0Group(KernelContext ctx, FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        float[] gates = ctx.allocateFloatLocalArray(GROUP_MAX);
        float[] ups = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float gs = 0f, us = 0f;
        for (int p = lid; p < dim / Quant.PIECE; p += size) {
            gs += Quant.pieceQ8_0(w1, r, x, 0, dim, p);
            us += Quant.pieceQ8_0(w3, r, x, 0, dim, p);
        }
        gates[lid] = gs;
        ups[lid] = us;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                gates[lid] += gates[lid + stride];
                ups[lid] += ups[lid + stride];
            }
        }
        if (lid == 0) {
            float g = gates[0], u = ups[0];
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    // ---- Q4_0: W is Q4_0 blocks, cols % 32 == 0 ----

    /** out[r] = Σ_c W[r, c]·x[c]; W: (rows, cols), x: (cols), out: (rows). */
    @Kernel
    public static void matVecQ4_0(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, Quant.dotQ4_0(w, r, x, 0, cols));
        }
    }

    /** out[r] += Σ_c W[r, c]·x[c]: a projection added straight into the residual stream; shapes as {@link #matVecQ4_0}. */
    @Kernel
    public static void matVecAddQ4_0(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, out.get(r) + Quant.dotQ4_0(w, r, x, 0, cols));
        }
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x), the SwiGLU gate and up projections in one pass; W1, W3: (hidden, dim), x: (dim), h: (hidden). */
    @Kernel
    public static void swiGluMatVecQ4_0(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotQ4_0(w1, r, x, 0, dim);
            float u = Quant.dotQ4_0(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** {@link #matVecQ4_0} with one work-group per row (grid: rows × local, local a power of two ≤ {@value #GROUP_MAX}). */
    @Kernel(jvm = "matVecQ4_0")
    public static void matVecQ4_0Group(KernelContext ctx, FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceQ4_0(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, partial[0]);
    }

    /** {@link #matVecAddQ4_0} with one work-group per row (grid as {@link #matVecQ4_0Group}). */
    @Kernel(jvm = "matVecAddQ4_0")
    public static void matVecAddQ4_0Group(KernelContext ctx, FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceQ4_0(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, out.get(r) + partial[0]);
    }

    /** {@link #swiGluMatVecQ4_0} with one work-group per row (grid: hidden × local). */
    @Kernel(jvm = "swiGluMatVecQ4_0")
    public static void swiGluMatVecQ4_0Group(KernelContext ctx, FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        float[] gates = ctx.allocateFloatLocalArray(GROUP_MAX);
        float[] ups = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float gs = 0f, us = 0f;
        for (int p = lid; p < dim / Quant.PIECE; p += size) {
            gs += Quant.pieceQ4_0(w1, r, x, 0, dim, p);
            us += Quant.pieceQ4_0(w3, r, x, 0, dim, p);
        }
        gates[lid] = gs;
        ups[lid] = us;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                gates[lid] += gates[lid + stride];
                ups[lid] += ups[lid + stride];
            }
        }
        if (lid == 0) {
            float g = gates[0], u = ups[0];
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    // ---- Q4_K: W is Q4_K blocks, cols % 256 == 0 ----

    /** out[r] = Σ_c W[r, c]·x[c]; W: (rows, cols), x: (cols), out: (rows). */
    @Kernel
    public static void matVecQ4_K(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, Quant.dotQ4_K(w, r, x, 0, cols));
        }
    }

    /** out[r] += Σ_c W[r, c]·x[c]: a projection added straight into the residual stream; shapes as {@link #matVecQ4_K}. */
    @Kernel
    public static void matVecAddQ4_K(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, out.get(r) + Quant.dotQ4_K(w, r, x, 0, cols));
        }
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x), the SwiGLU gate and up projections in one pass; W1, W3: (hidden, dim), x: (dim), h: (hidden). */
    @Kernel
    public static void swiGluMatVecQ4_K(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotQ4_K(w1, r, x, 0, dim);
            float u = Quant.dotQ4_K(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** {@link #matVecQ4_K} with one work-group per row (grid: rows × local, local a power of two ≤ {@value #GROUP_MAX}). */
    @Kernel(jvm = "matVecQ4_K")
    public static void matVecQ4_KGroup(KernelContext ctx, FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceQ4_K(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, partial[0]);
    }

    /** {@link #matVecAddQ4_K} with one work-group per row (grid as {@link #matVecQ4_KGroup}). */
    @Kernel(jvm = "matVecAddQ4_K")
    public static void matVecAddQ4_KGroup(KernelContext ctx, FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceQ4_K(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, out.get(r) + partial[0]);
    }

    /** {@link #swiGluMatVecQ4_K} with one work-group per row (grid: hidden × local). */
    @Kernel(jvm = "swiGluMatVecQ4_K")
    public static void swiGluMatVecQ4_KGroup(KernelContext ctx, FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        float[] gates = ctx.allocateFloatLocalArray(GROUP_MAX);
        float[] ups = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float gs = 0f, us = 0f;
        for (int p = lid; p < dim / Quant.PIECE; p += size) {
            gs += Quant.pieceQ4_K(w1, r, x, 0, dim, p);
            us += Quant.pieceQ4_K(w3, r, x, 0, dim, p);
        }
        gates[lid] = gs;
        ups[lid] = us;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                gates[lid] += gates[lid + stride];
                ups[lid] += ups[lid + stride];
            }
        }
        if (lid == 0) {
            float g = gates[0], u = ups[0];
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    // ---- Q6_K: W is Q6_K blocks, cols % 256 == 0 ----

    /** out[r] = Σ_c W[r, c]·x[c]; W: (rows, cols), x: (cols), out: (rows). */
    @Kernel
    public static void matVecQ6_K(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, Quant.dotQ6_K(w, r, x, 0, cols));
        }
    }

    /** out[r] += Σ_c W[r, c]·x[c]: a projection added straight into the residual stream; shapes as {@link #matVecQ6_K}. */
    @Kernel
    public static void matVecAddQ6_K(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, out.get(r) + Quant.dotQ6_K(w, r, x, 0, cols));
        }
    }

    /** h[r] = silu(W1[r]·x)·(W3[r]·x), the SwiGLU gate and up projections in one pass; W1, W3: (hidden, dim), x: (dim), h: (hidden). */
    @Kernel
    public static void swiGluMatVecQ6_K(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        for (@Parallel int r = 0; r < hidden; r++) {
            float g = Quant.dotQ6_K(w1, r, x, 0, dim);
            float u = Quant.dotQ6_K(w3, r, x, 0, dim);
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    /** {@link #matVecQ6_K} with one work-group per row (grid: rows × local, local a power of two ≤ {@value #GROUP_MAX}). */
    @Kernel(jvm = "matVecQ6_K")
    public static void matVecQ6_KGroup(KernelContext ctx, FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceQ6_K(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, partial[0]);
    }

    /** {@link #matVecAddQ6_K} with one work-group per row (grid as {@link #matVecQ6_KGroup}). */
    @Kernel(jvm = "matVecAddQ6_K")
    public static void matVecAddQ6_KGroup(KernelContext ctx, FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float sum = 0f;
        for (int p = lid; p < cols / Quant.PIECE; p += size) sum += Quant.pieceQ6_K(w, r, x, 0, cols, p);
        partial[lid] = sum;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
        }
        if (lid == 0) out.set(r, out.get(r) + partial[0]);
    }

    /** {@link #swiGluMatVecQ6_K} with one work-group per row (grid: hidden × local). */
    @Kernel(jvm = "swiGluMatVecQ6_K")
    public static void swiGluMatVecQ6_KGroup(KernelContext ctx, FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        float[] gates = ctx.allocateFloatLocalArray(GROUP_MAX);
        float[] ups = ctx.allocateFloatLocalArray(GROUP_MAX);
        int r = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        float gs = 0f, us = 0f;
        for (int p = lid; p < dim / Quant.PIECE; p += size) {
            gs += Quant.pieceQ6_K(w1, r, x, 0, dim, p);
            us += Quant.pieceQ6_K(w3, r, x, 0, dim, p);
        }
        gates[lid] = gs;
        ups[lid] = us;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) {
                gates[lid] += gates[lid + stride];
                ups[lid] += ups[lid + stride];
            }
        }
        if (lid == 0) {
            float g = gates[0], u = ups[0];
            h.set(r, g / (1f + (float) Math.exp(-g)) * u);
        }
    }

    // ---- jvm twins (Vector API): F32, F16, Q8_0 ----

    /** {@link #matVecF32} for the jvm: a Vector API dot product per row ({@link LinearSimd#dotF32}). */
    @Kernel(jvmOnly = true)
    public static void matVecF32Simd(FloatArray out, FloatArray x, FloatArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, LinearSimd.dotF32(w, r, x, 0, cols));
        }
    }

    /** {@link #matVecAddF32} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void matVecAddF32Simd(FloatArray out, FloatArray x, FloatArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            out.set(r, out.get(r) + LinearSimd.dotF32(w, r, x, 0, cols));
        }
    }

    /** {@link #swiGluMatVecF32} for the jvm, as {@link #swiGluMatVecQ8_0Simd}. */
    @Kernel(jvmOnly = true)
    public static void swiGluMatVecF32Simd(FloatArray h, FloatArray x, FloatArray w1, FloatArray w3, int hidden, int dim) {
        for (@Parallel int t = 0; t < (hidden + LinearSimd.GLU_ROWS - 1) / LinearSimd.GLU_ROWS; t++) {
            LinearSimd.swiGluRows(WeightType.F32, h, x, w1, w3, t * LinearSimd.GLU_ROWS, hidden, dim);
        }
    }

    /** {@link #matVecF16} for the jvm: two far-apart rows per iteration ({@link LinearSimd#dot2F16}), as {@link #matVecQ8_0Simd}. */
    @Kernel(jvmOnly = true)
    public static void matVecF16Simd(FloatArray out, FloatArray x, HalfArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < (rows + 1) / 2; r++) {
            LinearSimd.dot2F16(w, r, (rows + 1) / 2, rows, x, cols, out, false);   // rows r and r + ⌈rows/2⌉, as Q8_0
        }
    }

    /** {@link #matVecAddF16} for the jvm. */
    @Kernel(jvmOnly = true)
    public static void matVecAddF16Simd(FloatArray out, FloatArray x, HalfArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < (rows + 1) / 2; r++) {
            LinearSimd.dot2F16(w, r, (rows + 1) / 2, rows, x, cols, out, true);
        }
    }

    /** {@link #swiGluMatVecF16} for the jvm, as {@link #swiGluMatVecQ8_0Simd}. */
    @Kernel(jvmOnly = true)
    public static void swiGluMatVecF16Simd(FloatArray h, FloatArray x, HalfArray w1, HalfArray w3, int hidden, int dim) {
        for (@Parallel int t = 0; t < (hidden + LinearSimd.GLU_ROWS - 1) / LinearSimd.GLU_ROWS; t++) {
            LinearSimd.swiGluRows(WeightType.F16, h, x, w1, w3, t * LinearSimd.GLU_ROWS, hidden, dim);
        }
    }

    /**
     * {@link #matVecQ8_0} for the jvm: {@link LinearSimd#PAIRS} pairs of rows r and r + ⌈rows/2⌉ per iteration
     * ({@link LinearSimd#matVecQ8_0Rows}, each row summed as {@link LinearSimd#dotQ8_0}), so a chunk of iterations
     * streams two far-apart row ranges.
     */
    @Kernel(jvmOnly = true)
    public static void matVecQ8_0Simd(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int t = 0; t < ((rows + 1) / 2 + LinearSimd.PAIRS - 1) / LinearSimd.PAIRS; t++) {
            LinearSimd.matVecQ8_0Rows(out, x, w, t * LinearSimd.PAIRS, rows, cols, false);
        }
    }

    /** {@link #matVecAddQ8_0} for the jvm, as {@link #matVecQ8_0Simd}. */
    @Kernel(jvmOnly = true)
    public static void matVecAddQ8_0Simd(FloatArray out, FloatArray x, ByteArray w, int rows, int cols) {
        for (@Parallel int t = 0; t < ((rows + 1) / 2 + LinearSimd.PAIRS - 1) / LinearSimd.PAIRS; t++) {
            LinearSimd.matVecQ8_0Rows(out, x, w, t * LinearSimd.PAIRS, rows, cols, true);
        }
    }

    /** {@link #swiGluMatVecQ8_0} for the jvm: {@link LinearSimd#GLU_ROWS} rows per iteration, their silu one vector pass. */
    @Kernel(jvmOnly = true)
    public static void swiGluMatVecQ8_0Simd(FloatArray h, FloatArray x, ByteArray w1, ByteArray w3, int hidden, int dim) {
        for (@Parallel int t = 0; t < (hidden + LinearSimd.GLU_ROWS - 1) / LinearSimd.GLU_ROWS; t++) {
            LinearSimd.swiGluRows(WeightType.Q8_0, h, x, w1, w3, t * LinearSimd.GLU_ROWS, hidden, dim);
        }
    }
}
