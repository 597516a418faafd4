// The three mat-mul shapes of training (forward, input gradient, weight gradient), portable and Vector API twins.
package gale.kernels.train;

import gale.compute.FloatArray;
import gale.compute.Kernel;
import gale.compute.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Linear layers of training with W stored as ggml does, (rows = out, cols = in):
 * <ul>
 *   <li>{@link #matMul}: Y = X·Wᵀ (forward), optionally added into Y (the residual stream);</li>
 *   <li>{@link #matMulDx}: dX = dY·W (gradient of the input), optionally added into dX (q, k, v share one input);</li>
 *   <li>{@link #matMulDw}: dW += dYᵀ·X (gradient of the weight, accumulated over micro-batches).</li>
 * </ul>
 * The portable kernels compute one output element per work-item with its inner loop in a fixed order, so results
 * are deterministic; the work-item index that varies fastest (the first {@code @Parallel} loop, OpenCL dimension 0)
 * walks contiguous memory where it can, so PoCL and GPUs vectorise/coalesce across work-items. The {@code ...Simd}
 * kernels are their jvm twins: register-blocked FMA over {@link FloatVector}, each output again owned by one
 * work-item and summed in a fixed order (bitwise reproducible run to run, though not bitwise equal to the portable
 * kernels). Reference: {@code reference.TrainReference}.
 */
public final class TrainMatMul {
    private TrainMatMul() {}

    /** The vector shape of the jvm twins (the machine's preferred width). */
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Rows (or tokens) per register block of the jvm twins. */
    public static final int BLOCK = 4;

    /**
     * y[t, r] = (acc ≠ 0 ? y[t, r] : 0) + Σ_c x[t, c]·w[r, c]; x: (nTok, cols), w: (rows, cols), y: (nTok, rows).
     * One work-item per tile of 4 rows × 4 tokens: each loaded x and w element feeds 4 FMAs (a quarter of the memory
     * traffic of one output per work-item); loads past the edge are clamped, stores guarded.
     */
    @Kernel(jvm = "matMulSimd")
    public static void matMul(FloatArray y, FloatArray x, FloatArray w, int nTok, int rows, int cols, int acc) {
        for (@Parallel int rb = 0; rb < (rows + 3) / 4; rb++) {
            for (@Parallel int tb = 0; tb < (nTok + 3) / 4; tb++) {
                int r0 = rb * 4, t0 = tb * 4;
                long w0 = (long) Math.min(r0, rows - 1) * cols, w1 = (long) Math.min(r0 + 1, rows - 1) * cols;
                long w2 = (long) Math.min(r0 + 2, rows - 1) * cols, w3 = (long) Math.min(r0 + 3, rows - 1) * cols;
                long x0 = (long) Math.min(t0, nTok - 1) * cols, x1 = (long) Math.min(t0 + 1, nTok - 1) * cols;
                long x2 = (long) Math.min(t0 + 2, nTok - 1) * cols, x3 = (long) Math.min(t0 + 3, nTok - 1) * cols;
                float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f, s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
                float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f, s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
                for (int c = 0; c < cols; c++) {
                    float a0 = x.get(x0 + c), a1 = x.get(x1 + c), a2 = x.get(x2 + c), a3 = x.get(x3 + c);
                    float b0 = w.get(w0 + c), b1 = w.get(w1 + c), b2 = w.get(w2 + c), b3 = w.get(w3 + c);
                    s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
                    s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
                    s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3;
                    s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3;
                }
                TrainMatMul.put4(y, t0, r0, rows, nTok, rows, acc, s00, s01, s02, s03);
                TrainMatMul.put4(y, t0 + 1, r0, rows, nTok, rows, acc, s10, s11, s12, s13);
                TrainMatMul.put4(y, t0 + 2, r0, rows, nTok, rows, acc, s20, s21, s22, s23);
                TrainMatMul.put4(y, t0 + 3, r0, rows, nTok, rows, acc, s30, s31, s32, s33);
            }
        }
    }

    /** Stores out[row, col0 + j] (+)= s_j for j &lt; 4 where row &lt; nRows and col0 + j &lt; nCols; ld = row stride. */
    public static void put4(FloatArray out, int row, int col0, int nCols, int nRows, int ld, int acc,
                            float s0, float s1, float s2, float s3) {
        if (row < nRows) {
            long o = (long) row * ld + col0;
            if (col0 < nCols) out.set(o, acc != 0 ? out.get(o) + s0 : s0);
            if (col0 + 1 < nCols) out.set(o + 1, acc != 0 ? out.get(o + 1) + s1 : s1);
            if (col0 + 2 < nCols) out.set(o + 2, acc != 0 ? out.get(o + 2) + s2 : s2);
            if (col0 + 3 < nCols) out.set(o + 3, acc != 0 ? out.get(o + 3) + s3 : s3);
        }
    }

    /**
     * dx[t, c] = (acc ≠ 0 ? dx[t, c] : 0) + Σ_r dy[t, r]·w[r, c]; dy: (nTok, rows), w: (rows, cols), dx: (nTok, cols).
     * One work-item per column and 4 tokens: neighbouring work-items read neighbouring w (coalesced, vectorised by
     * PoCL), and each w element feeds 4 tokens.
     */
    @Kernel(jvm = "matMulDxSimd")
    public static void matMulDx(FloatArray dx, FloatArray dy, FloatArray w, int nTok, int rows, int cols, int acc) {
        for (@Parallel int c = 0; c < cols; c++) {
            for (@Parallel int tb = 0; tb < (nTok + 3) / 4; tb++) {
                int t0 = tb * 4;
                long y0 = (long) Math.min(t0, nTok - 1) * rows, y1 = (long) Math.min(t0 + 1, nTok - 1) * rows;
                long y2 = (long) Math.min(t0 + 2, nTok - 1) * rows, y3 = (long) Math.min(t0 + 3, nTok - 1) * rows;
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                for (int r = 0; r < rows; r++) {
                    float b = w.get((long) r * cols + c);
                    s0 += dy.get(y0 + r) * b;
                    s1 += dy.get(y1 + r) * b;
                    s2 += dy.get(y2 + r) * b;
                    s3 += dy.get(y3 + r) * b;
                }
                TrainMatMul.put4T(dx, t0, c, nTok, cols, acc, s0, s1, s2, s3);
            }
        }
    }

    /** Stores out[row0 + j, col] (+)= s_j for j &lt; 4 where row0 + j &lt; nRows; ld = row stride. */
    public static void put4T(FloatArray out, int row0, int col, int nRows, int ld, int acc, float s0, float s1, float s2, float s3) {
        long o = (long) row0 * ld + col;
        if (row0 < nRows) out.set(o, acc != 0 ? out.get(o) + s0 : s0);
        if (row0 + 1 < nRows) out.set(o + ld, acc != 0 ? out.get(o + ld) + s1 : s1);
        if (row0 + 2 < nRows) out.set(o + 2L * ld, acc != 0 ? out.get(o + 2L * ld) + s2 : s2);
        if (row0 + 3 < nRows) out.set(o + 3L * ld, acc != 0 ? out.get(o + 3L * ld) + s3 : s3);
    }

    /**
     * dw[r, c] += Σ_t dy[t, r]·x[t, c]; dy: (nTok, rows), x: (nTok, cols), dw: (rows, cols). Tokens summed in order.
     * One work-item per column and 4 weight rows: neighbouring work-items read neighbouring x, each x feeds 4 rows.
     */
    @Kernel(jvm = "matMulDwSimd")
    public static void matMulDw(FloatArray dw, FloatArray dy, FloatArray x, int nTok, int rows, int cols) {
        for (@Parallel int c = 0; c < cols; c++) {
            for (@Parallel int rb = 0; rb < (rows + 3) / 4; rb++) {
                int r0 = rb * 4;
                int q0 = Math.min(r0, rows - 1), q1 = Math.min(r0 + 1, rows - 1), q2 = Math.min(r0 + 2, rows - 1), q3 = Math.min(r0 + 3, rows - 1);
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                for (int t = 0; t < nTok; t++) {
                    float a = x.get((long) t * cols + c);
                    long yo = (long) t * rows;
                    s0 += dy.get(yo + q0) * a;
                    s1 += dy.get(yo + q1) * a;
                    s2 += dy.get(yo + q2) * a;
                    s3 += dy.get(yo + q3) * a;
                }
                TrainMatMul.put4T(dw, r0, c, rows, cols, 1, s0, s1, s2, s3);
            }
        }
    }

    // ---- jvm twins: one work-item per block of BLOCK output rows (matMul, matMulDw) or tokens (matMulDx) ----

    /**
     * {@link #matMul} for the jvm: one work-item per panel of {@link #PANEL} weight rows (output columns). The panel
     * is packed transposed, (cols × PANEL), so the product runs as C[t, r] += X[t, c]·Wᵀ[c, r] with vectors along r
     * and 4 tokens × 4 vectors of accumulators ({@link #tile4x4}); each output sums c in order.
     */
    @Kernel(jvmOnly = true)
    public static void matMulSimd(FloatArray y, FloatArray x, FloatArray w, int nTok, int rows, int cols, int acc) {
        for (@Parallel int pb = 0; pb < (rows + TrainMatMul.PANEL - 1) / TrainMatMul.PANEL; pb++) {
            TrainMatMul.panelProduct(y.segment(), x.segment(), w.segment(), nTok, rows, cols, acc, pb * TrainMatMul.PANEL);
        }
    }

    /** Output columns per work-item of {@link #matMulSimd}: 4 vectors. */
    public static final int PANEL = 4 * FloatVector.SPECIES_PREFERRED.length();

    static void panelProduct(MemorySegment y, MemorySegment x, MemorySegment w, int nTok, int rows, int cols, int acc, int r0) {
        int nb = Math.min(PANEL, rows - r0);
        MemorySegment b = TrainSimd.scratch((long) cols * PANEL);  // Wᵀ[c, r0 + j] at c·PANEL + j, zero past the last row
        if (nb < PANEL) b.fill((byte) 0);
        for (int j = 0; j < nb; j++) {
            long wo = (long) (r0 + j) * cols;
            for (int c = 0; c < cols; c++) b.setAtIndex(F, (long) c * PANEL + j, w.getAtIndex(F, wo + c));
        }
        int t = 0;
        if (nb == PANEL) for (; t + BLOCK <= nTok; t += BLOCK) tile4x4(y, rows, t, r0, x, cols, 1, b, PANEL, 0, cols, acc);
        for (; t < nTok; t++) tile1(y, rows, t, r0, nb, x, cols, 1, b, PANEL, cols, acc);
    }

    /** {@link #matMulDx} for the jvm: per block of BLOCK tokens, dx[t, c-chunk] += dy[t, r]·w[r, c-chunk] over r. */
    @Kernel(jvmOnly = true)
    public static void matMulDxSimd(FloatArray dx, FloatArray dy, FloatArray w, int nTok, int rows, int cols, int acc) {
        for (@Parallel int tb = 0; tb < (nTok + 3) / 4; tb++) {
            // C = dx (nTok × cols), A(i, k) = dy[i·rows + k], B = w (rows × cols), K = rows
            TrainMatMul.axpyBlock(dx.segment(), dy.segment(), rows, 1, w.segment(), cols, rows, tb * 4, Math.min(4, nTok - tb * 4), acc);
        }
    }

    /**
     * {@link #matMulDw} for the jvm: per block of {@link #DW_ROWS} weight rows, dw[r, c-chunk] += dy[t, r]·x[t, c-chunk]
     * over t in blocks of {@link #DW_TOKENS} tokens, so each block of x is reused by 4 row tiles from cache (each
     * element sums its token blocks in order).
     */
    @Kernel(jvmOnly = true)
    public static void matMulDwSimd(FloatArray dw, FloatArray dy, FloatArray x, int nTok, int rows, int cols) {
        for (@Parallel int rb = 0; rb < (rows + TrainMatMul.DW_ROWS - 1) / TrainMatMul.DW_ROWS; rb++) {
            TrainMatMul.dwBlock(dw.segment(), dy.segment(), x.segment(), nTok, rows, cols, rb * TrainMatMul.DW_ROWS);
        }
    }

    /** Weight rows per work-item and tokens per block of {@link #matMulDwSimd}. */
    public static final int DW_ROWS = 16, DW_TOKENS = 256;

    static void dwBlock(MemorySegment dw, MemorySegment dy, MemorySegment x, int nTok, int rows, int cols, int r0) {
        int r1 = Math.min(rows, r0 + DW_ROWS);
        for (int t0 = 0; t0 < nTok; t0 += DW_TOKENS) {
            int kc = Math.min(DW_TOKENS, nTok - t0);
            // C = dw (rows × cols), A(i, k) = dy[(t0 + k)·rows + i], B = x rows t0.. (kc × cols), K = kc
            MemorySegment a = dy.asSlice((long) t0 * rows * 4), b = x.asSlice((long) t0 * cols * 4);
            for (int i = r0; i < r1; i += BLOCK) TrainMatMul.axpyBlock(dw, a, 1, rows, b, cols, kc, i, Math.min(BLOCK, r1 - i), 1);
        }
    }

    /**
     * C[i, j] = (acc ≠ 0 ? C[i, j] : 0) + Σ_k A(i, k)·B[k, j] for i in [i0, i0 + ni), all j &lt; n, where
     * A(i, k) = a[i·ai + k·ak] and B, C are row-major with n columns. k runs in order. Full blocks keep 4 rows × 4
     * vectors of C in registers (16 accumulators, plain locals so the JIT keeps them in vector registers); edges
     * take one masked vector at a time.
     */
    public static void axpyBlock(MemorySegment cSeg, MemorySegment a, int ai, int ak, MemorySegment b, int n, int kCount,
                                 int i0, int ni, int acc) {
        int L = SPECIES.length(), W = 4 * L;
        int j = 0;
        if (ni == BLOCK) for (; j + W <= n; j += W) tile4x4(cSeg, n, i0, j, a, ai, ak, b, n, j, kCount, acc);
        for (int i = i0; i < i0 + ni; i++)
            for (int jj = j; jj < n; jj += L) {
                var mk = SPECIES.indexInRange(jj, n);
                long co = ((long) i * n + jj) * 4;
                FloatVector cv = FloatVector.zero(SPECIES);
                for (int k = 0; k < kCount; k++) {
                    FloatVector bv = FloatVector.fromMemorySegment(SPECIES, b, ((long) k * n + jj) * 4, ORDER, mk);
                    cv = bv.fma(FloatVector.broadcast(SPECIES, a.getAtIndex(F, (long) i * ai + (long) k * ak)), cv);
                }
                if (acc != 0) FloatVector.fromMemorySegment(SPECIES, cSeg, co, ORDER, mk).add(cv).intoMemorySegment(cSeg, co, ORDER, mk);
                else cv.intoMemorySegment(cSeg, co, ORDER, mk);
            }
    }

    private static final java.lang.foreign.ValueLayout.OfFloat F = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * C[i0 + i, j0 + j] = (acc ≠ 0 ? C : 0) + Σ_k A(i0 + i, k)·B[k, bj + j] for i &lt; 4, j &lt; 4L, where A(i, k) =
     * a[i·ai + k·ak], B[k, j] = b[k·ldb + j], C row stride ldc. 16 vector accumulators in locals (the JIT keeps
     * them in registers), k in order, C added last. Written so that C2 never merges two vector values at a branch
     * (no masks, no "acc ? load : zero"): a vector Phi there made it box every vector on the heap.
     */
    static void tile4x4(MemorySegment c, int ldc, int i0, int j0, MemorySegment a, int ai, int ak, MemorySegment b,
                        int ldb, int bj, int kCount, int acc) {
        int L = SPECIES.length();
        long l4 = L * 4L, bs = ldb * 4L;
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
        c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = FloatVector.zero(SPECIES);
        long ao = (long) i0 * ai, bo = bj * 4L;
        for (int k = 0; k < kCount; k++, ao += ak, bo += bs) {
            FloatVector b0 = FloatVector.fromMemorySegment(SPECIES, b, bo, ORDER), b1 = FloatVector.fromMemorySegment(SPECIES, b, bo + l4, ORDER), b2 = FloatVector.fromMemorySegment(SPECIES, b, bo + 2 * l4, ORDER), b3 = FloatVector.fromMemorySegment(SPECIES, b, bo + 3 * l4, ORDER);
            FloatVector x = FloatVector.broadcast(SPECIES, a.getAtIndex(F, ao));
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(SPECIES, a.getAtIndex(F, ao + ai));
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(SPECIES, a.getAtIndex(F, ao + 2L * ai));
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(SPECIES, a.getAtIndex(F, ao + 3L * ai));
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
        }
        long o0 = ((long) i0 * ldc + j0) * 4, cs = ldc * 4L, o1 = o0 + cs, o2 = o1 + cs, o3 = o2 + cs;
        if (acc != 0) {   // C + Σ, as the portable kernel
            FloatVector.fromMemorySegment(SPECIES, c, o0, ORDER).add(c00).intoMemorySegment(c, o0, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o0 + l4, ORDER).add(c01).intoMemorySegment(c, o0 + l4, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o0 + 2 * l4, ORDER).add(c02).intoMemorySegment(c, o0 + 2 * l4, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o0 + 3 * l4, ORDER).add(c03).intoMemorySegment(c, o0 + 3 * l4, ORDER);
            FloatVector.fromMemorySegment(SPECIES, c, o1, ORDER).add(c10).intoMemorySegment(c, o1, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o1 + l4, ORDER).add(c11).intoMemorySegment(c, o1 + l4, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o1 + 2 * l4, ORDER).add(c12).intoMemorySegment(c, o1 + 2 * l4, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o1 + 3 * l4, ORDER).add(c13).intoMemorySegment(c, o1 + 3 * l4, ORDER);
            FloatVector.fromMemorySegment(SPECIES, c, o2, ORDER).add(c20).intoMemorySegment(c, o2, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o2 + l4, ORDER).add(c21).intoMemorySegment(c, o2 + l4, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o2 + 2 * l4, ORDER).add(c22).intoMemorySegment(c, o2 + 2 * l4, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o2 + 3 * l4, ORDER).add(c23).intoMemorySegment(c, o2 + 3 * l4, ORDER);
            FloatVector.fromMemorySegment(SPECIES, c, o3, ORDER).add(c30).intoMemorySegment(c, o3, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o3 + l4, ORDER).add(c31).intoMemorySegment(c, o3 + l4, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o3 + 2 * l4, ORDER).add(c32).intoMemorySegment(c, o3 + 2 * l4, ORDER); FloatVector.fromMemorySegment(SPECIES, c, o3 + 3 * l4, ORDER).add(c33).intoMemorySegment(c, o3 + 3 * l4, ORDER);
        } else {
            c00.intoMemorySegment(c, o0, ORDER); c01.intoMemorySegment(c, o0 + l4, ORDER); c02.intoMemorySegment(c, o0 + 2 * l4, ORDER); c03.intoMemorySegment(c, o0 + 3 * l4, ORDER);
            c10.intoMemorySegment(c, o1, ORDER); c11.intoMemorySegment(c, o1 + l4, ORDER); c12.intoMemorySegment(c, o1 + 2 * l4, ORDER); c13.intoMemorySegment(c, o1 + 3 * l4, ORDER);
            c20.intoMemorySegment(c, o2, ORDER); c21.intoMemorySegment(c, o2 + l4, ORDER); c22.intoMemorySegment(c, o2 + 2 * l4, ORDER); c23.intoMemorySegment(c, o2 + 3 * l4, ORDER);
            c30.intoMemorySegment(c, o3, ORDER); c31.intoMemorySegment(c, o3 + l4, ORDER); c32.intoMemorySegment(c, o3 + 2 * l4, ORDER); c33.intoMemorySegment(c, o3 + 3 * l4, ORDER);
        }
    }

    /** One row of {@link #tile4x4} over nb ≤ 4L columns (masked), for edges; B must hold whole vectors past nb. */
    static void tile1(MemorySegment c, int ldc, int i0, int j0, int nb, MemorySegment a, int ai, int ak, MemorySegment b,
                      int ldb, int kCount, int acc) {
        int L = SPECIES.length();
        for (int j = 0; j < nb; j += L) {
            var m = SPECIES.indexInRange(j, nb);
            long co = ((long) i0 * ldc + j0 + j) * 4;
            FloatVector cv = FloatVector.zero(SPECIES);
            for (int k = 0; k < kCount; k++)
                cv = ld(b, ((long) k * ldb + j) * 4).fma(FloatVector.broadcast(SPECIES, a.getAtIndex(F, (long) i0 * ai + (long) k * ak)), cv);
            if (acc != 0) st(ld(c, co, m).add(cv), c, co, m);
            else st(cv, c, co, m);
        }
    }

    private static FloatVector ld(MemorySegment s, long byteOffset, jdk.incubator.vector.VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(SPECIES, s, byteOffset, ORDER, m);
    }

    private static void st(FloatVector v, MemorySegment s, long byteOffset, jdk.incubator.vector.VectorMask<Float> m) {
        v.intoMemorySegment(s, byteOffset, ORDER, m);
    }

    private static FloatVector ld(MemorySegment s, long byteOffset) { return FloatVector.fromMemorySegment(SPECIES, s, byteOffset, ORDER); }

    private static void st(FloatVector v, MemorySegment s, long byteOffset) { v.intoMemorySegment(s, byteOffset, ORDER); }
}
