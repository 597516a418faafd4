// Host-side helpers that add the linear-layer and embedding task for a weight's storage format to a task graph.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.GridScheduler;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.TaskGraph;
import gale.compute.WorkerGrid;

/**
 * Picks the kernel of {@link MatVec}, {@link MatMul} or {@link Embedding} that reads a weight's {@link WeightType},
 * after checking that the weight's array has the right class and size, so an engine holds weights of any format
 * behind one call. Not kernels: they run on the host while a graph is built.
 */
public final class Linear {
    private Linear() {}

    /** Adds {@code out = W·x} (decode, one work-item per row); W: (rows, cols) of {@code type}. */
    public static TaskGraph matVec(TaskGraph g, String task, WeightType type, FloatArray out, FloatArray x, GaleArray w,
                                   int rows, int cols) {
        check(type, w, rows, cols, task);
        return switch (type) {
            case F32 -> g.task(task, MatVec::matVecF32, out, x, (FloatArray) w, rows, cols);
            case F16 -> g.task(task, MatVec::matVecF16, out, x, (HalfArray) w, rows, cols);
            case BF16 -> g.task(task, MatVec::matVecBF16, out, x, (ByteArray) w, rows, cols);
            case Q8_0 -> g.task(task, MatVec::matVecQ8_0, out, x, (ByteArray) w, rows, cols);
            case Q4_0 -> g.task(task, MatVec::matVecQ4_0, out, x, (ByteArray) w, rows, cols);
            case Q4_K -> g.task(task, MatVec::matVecQ4_K, out, x, (ByteArray) w, rows, cols);
            case Q6_K -> g.task(task, MatVec::matVecQ6_K, out, x, (ByteArray) w, rows, cols);
        };
    }

    /**
     * The same with one work-group of {@code local} work-items per row ({@code ...Group} kernels, for GPUs); sets the
     * task's grid in {@code grids}. local: a power of two ≤ {@link MatVec#GROUP_MAX}; cols % 32 == 0.
     */
    public static TaskGraph matVec(TaskGraph g, String task, WeightType type, FloatArray out, FloatArray x, GaleArray w,
                                   int rows, int cols, GridScheduler grids, int local) {
        check(type, w, rows, cols, task);
        checkGroup(local, cols, task);
        grids.set(g.name() + "." + task, WorkerGrid.of((long) rows * local).withLocal(local));
        return switch (type) {
            case F32 -> g.task(task, MatVec::matVecF32Group, null, out, x, (FloatArray) w, rows, cols);
            case F16 -> g.task(task, MatVec::matVecF16Group, null, out, x, (HalfArray) w, rows, cols);
            case BF16 -> g.task(task, MatVec::matVecBF16Group, null, out, x, (ByteArray) w, rows, cols);
            case Q8_0 -> g.task(task, MatVec::matVecQ8_0Group, null, out, x, (ByteArray) w, rows, cols);
            case Q4_0 -> g.task(task, MatVec::matVecQ4_0Group, null, out, x, (ByteArray) w, rows, cols);
            case Q4_K -> g.task(task, MatVec::matVecQ4_KGroup, null, out, x, (ByteArray) w, rows, cols);
            case Q6_K -> g.task(task, MatVec::matVecQ6_KGroup, null, out, x, (ByteArray) w, rows, cols);
        };
    }


    /** Adds {@code out += W·x} (decode, one work-item per row); W: (rows, cols) of {@code type}. */
    public static TaskGraph matVecAdd(TaskGraph g, String task, WeightType type, FloatArray out, FloatArray x, GaleArray w,
                                   int rows, int cols) {
        check(type, w, rows, cols, task);
        return switch (type) {
            case F32 -> g.task(task, MatVec::matVecAddF32, out, x, (FloatArray) w, rows, cols);
            case F16 -> g.task(task, MatVec::matVecAddF16, out, x, (HalfArray) w, rows, cols);
            case BF16 -> g.task(task, MatVec::matVecAddBF16, out, x, (ByteArray) w, rows, cols);
            case Q8_0 -> g.task(task, MatVec::matVecAddQ8_0, out, x, (ByteArray) w, rows, cols);
            case Q4_0 -> g.task(task, MatVec::matVecAddQ4_0, out, x, (ByteArray) w, rows, cols);
            case Q4_K -> g.task(task, MatVec::matVecAddQ4_K, out, x, (ByteArray) w, rows, cols);
            case Q6_K -> g.task(task, MatVec::matVecAddQ6_K, out, x, (ByteArray) w, rows, cols);
        };
    }

    /**
     * The same with one work-group of {@code local} work-items per row ({@code ...Group} kernels, for GPUs); sets the
     * task's grid in {@code grids}. local: a power of two ≤ {@link MatVec#GROUP_MAX}; cols % 32 == 0.
     */
    public static TaskGraph matVecAdd(TaskGraph g, String task, WeightType type, FloatArray out, FloatArray x, GaleArray w,
                                   int rows, int cols, GridScheduler grids, int local) {
        check(type, w, rows, cols, task);
        checkGroup(local, cols, task);
        grids.set(g.name() + "." + task, WorkerGrid.of((long) rows * local).withLocal(local));
        return switch (type) {
            case F32 -> g.task(task, MatVec::matVecAddF32Group, null, out, x, (FloatArray) w, rows, cols);
            case F16 -> g.task(task, MatVec::matVecAddF16Group, null, out, x, (HalfArray) w, rows, cols);
            case BF16 -> g.task(task, MatVec::matVecAddBF16Group, null, out, x, (ByteArray) w, rows, cols);
            case Q8_0 -> g.task(task, MatVec::matVecAddQ8_0Group, null, out, x, (ByteArray) w, rows, cols);
            case Q4_0 -> g.task(task, MatVec::matVecAddQ4_0Group, null, out, x, (ByteArray) w, rows, cols);
            case Q4_K -> g.task(task, MatVec::matVecAddQ4_KGroup, null, out, x, (ByteArray) w, rows, cols);
            case Q6_K -> g.task(task, MatVec::matVecAddQ6_KGroup, null, out, x, (ByteArray) w, rows, cols);
        };
    }


    /** Adds {@code h = silu(W1·x)·(W3·x)} (decode, one work-item per row); W: (hidden, dim) of {@code type}. */
    public static TaskGraph swiGluMatVec(TaskGraph g, String task, WeightType type, FloatArray h, FloatArray x, GaleArray w1, GaleArray w3,
                                   int hidden, int dim) {
        check(type, w1, hidden, dim, task);
        check(type, w3, hidden, dim, task);
        return switch (type) {
            case F32 -> g.task(task, MatVec::swiGluMatVecF32, h, x, (FloatArray) w1, (FloatArray) w3, hidden, dim);
            case F16 -> g.task(task, MatVec::swiGluMatVecF16, h, x, (HalfArray) w1, (HalfArray) w3, hidden, dim);
            case BF16 -> g.task(task, MatVec::swiGluMatVecBF16, h, x, (ByteArray) w1, (ByteArray) w3, hidden, dim);
            case Q8_0 -> g.task(task, MatVec::swiGluMatVecQ8_0, h, x, (ByteArray) w1, (ByteArray) w3, hidden, dim);
            case Q4_0 -> g.task(task, MatVec::swiGluMatVecQ4_0, h, x, (ByteArray) w1, (ByteArray) w3, hidden, dim);
            case Q4_K -> g.task(task, MatVec::swiGluMatVecQ4_K, h, x, (ByteArray) w1, (ByteArray) w3, hidden, dim);
            case Q6_K -> g.task(task, MatVec::swiGluMatVecQ6_K, h, x, (ByteArray) w1, (ByteArray) w3, hidden, dim);
        };
    }

    /**
     * The same with one work-group of {@code local} work-items per row ({@code ...Group} kernels, for GPUs); sets the
     * task's grid in {@code grids}. local: a power of two ≤ {@link MatVec#GROUP_MAX}; dim % 32 == 0.
     */
    public static TaskGraph swiGluMatVec(TaskGraph g, String task, WeightType type, FloatArray h, FloatArray x, GaleArray w1, GaleArray w3,
                                   int hidden, int dim, GridScheduler grids, int local) {
        check(type, w1, hidden, dim, task);
        check(type, w3, hidden, dim, task);
        checkGroup(local, dim, task);
        grids.set(g.name() + "." + task, WorkerGrid.of((long) hidden * local).withLocal(local));
        return switch (type) {
            case F32 -> g.task(task, MatVec::swiGluMatVecF32Group, null, h, x, (FloatArray) w1, (FloatArray) w3, hidden, dim);
            case F16 -> g.task(task, MatVec::swiGluMatVecF16Group, null, h, x, (HalfArray) w1, (HalfArray) w3, hidden, dim);
            case BF16 -> g.task(task, MatVec::swiGluMatVecBF16Group, null, h, x, (ByteArray) w1, (ByteArray) w3, hidden, dim);
            case Q8_0 -> g.task(task, MatVec::swiGluMatVecQ8_0Group, null, h, x, (ByteArray) w1, (ByteArray) w3, hidden, dim);
            case Q4_0 -> g.task(task, MatVec::swiGluMatVecQ4_0Group, null, h, x, (ByteArray) w1, (ByteArray) w3, hidden, dim);
            case Q4_K -> g.task(task, MatVec::swiGluMatVecQ4_KGroup, null, h, x, (ByteArray) w1, (ByteArray) w3, hidden, dim);
            case Q6_K -> g.task(task, MatVec::swiGluMatVecQ6_KGroup, null, h, x, (ByteArray) w1, (ByteArray) w3, hidden, dim);
        };
    }


    /** Adds {@code out[t] = W·x[t]} for t &lt; nTok (prefill); W: (rows, cols) of {@code type}. */
    public static TaskGraph matMul(TaskGraph g, String task, WeightType type, FloatArray out, FloatArray x, GaleArray w,
                                   int nTok, int rows, int cols) {
        check(type, w, rows, cols, task);
        return switch (type) {
            case F32 -> g.task(task, MatMul::matMulF32, out, x, (FloatArray) w, nTok, rows, cols);
            case F16 -> g.task(task, MatMul::matMulF16, out, x, (HalfArray) w, nTok, rows, cols);
            case BF16 -> g.task(task, MatMul::matMulBF16, out, x, (ByteArray) w, nTok, rows, cols);
            case Q8_0 -> g.task(task, MatMul::matMulQ8_0, out, x, (ByteArray) w, nTok, rows, cols);
            case Q4_0 -> g.task(task, MatMul::matMulQ4_0, out, x, (ByteArray) w, nTok, rows, cols);
            case Q4_K -> g.task(task, MatMul::matMulQ4_K, out, x, (ByteArray) w, nTok, rows, cols);
            case Q6_K -> g.task(task, MatMul::matMulQ6_K, out, x, (ByteArray) w, nTok, rows, cols);
        };
    }


    /** Adds {@code out[t] += W·x[t]} for t &lt; nTok (prefill); W: (rows, cols) of {@code type}. */
    public static TaskGraph matMulAdd(TaskGraph g, String task, WeightType type, FloatArray out, FloatArray x, GaleArray w,
                                   int nTok, int rows, int cols) {
        check(type, w, rows, cols, task);
        return switch (type) {
            case F32 -> g.task(task, MatMul::matMulAddF32, out, x, (FloatArray) w, nTok, rows, cols);
            case F16 -> g.task(task, MatMul::matMulAddF16, out, x, (HalfArray) w, nTok, rows, cols);
            case BF16 -> g.task(task, MatMul::matMulAddBF16, out, x, (ByteArray) w, nTok, rows, cols);
            case Q8_0 -> g.task(task, MatMul::matMulAddQ8_0, out, x, (ByteArray) w, nTok, rows, cols);
            case Q4_0 -> g.task(task, MatMul::matMulAddQ4_0, out, x, (ByteArray) w, nTok, rows, cols);
            case Q4_K -> g.task(task, MatMul::matMulAddQ4_K, out, x, (ByteArray) w, nTok, rows, cols);
            case Q6_K -> g.task(task, MatMul::matMulAddQ6_K, out, x, (ByteArray) w, nTok, rows, cols);
        };
    }


    /** Adds {@code h[t] = silu(W1·x[t])·(W3·x[t])} for t &lt; nTok (prefill); W: (hidden, dim) of {@code type}. */
    public static TaskGraph swiGluMatMul(TaskGraph g, String task, WeightType type, FloatArray h, FloatArray x, GaleArray w1, GaleArray w3,
                                   int nTok, int hidden, int dim) {
        check(type, w1, hidden, dim, task);
        check(type, w3, hidden, dim, task);
        return switch (type) {
            case F32 -> g.task(task, MatMul::swiGluMatMulF32, h, x, (FloatArray) w1, (FloatArray) w3, nTok, hidden, dim);
            case F16 -> g.task(task, MatMul::swiGluMatMulF16, h, x, (HalfArray) w1, (HalfArray) w3, nTok, hidden, dim);
            case BF16 -> g.task(task, MatMul::swiGluMatMulBF16, h, x, (ByteArray) w1, (ByteArray) w3, nTok, hidden, dim);
            case Q8_0 -> g.task(task, MatMul::swiGluMatMulQ8_0, h, x, (ByteArray) w1, (ByteArray) w3, nTok, hidden, dim);
            case Q4_0 -> g.task(task, MatMul::swiGluMatMulQ4_0, h, x, (ByteArray) w1, (ByteArray) w3, nTok, hidden, dim);
            case Q4_K -> g.task(task, MatMul::swiGluMatMulQ4_K, h, x, (ByteArray) w1, (ByteArray) w3, nTok, hidden, dim);
            case Q6_K -> g.task(task, MatMul::swiGluMatMulQ6_K, h, x, (ByteArray) w1, (ByteArray) w3, nTok, hidden, dim);
        };
    }

    /** Adds the embedding lookup {@code out[t] = table[tokens[t]]} for t &lt; nTok; table: (vocab, dim) of {@code type}. */
    public static TaskGraph embedding(TaskGraph g, String task, WeightType type, FloatArray out, GaleArray table,
                                      IntArray tokens, int nTok, int vocab, int dim) {
        check(type, table, vocab, dim, task);
        return switch (type) {
            case F32 -> g.task(task, Embedding::embeddingF32, out, (FloatArray) table, tokens, nTok, dim);
            case F16 -> g.task(task, Embedding::embeddingF16, out, (HalfArray) table, tokens, nTok, dim);
            case BF16 -> g.task(task, Embedding::embeddingBF16, out, (ByteArray) table, tokens, nTok, dim);
            case Q8_0 -> g.task(task, Embedding::embeddingQ8_0, out, (ByteArray) table, tokens, nTok, dim);
            case Q4_0 -> g.task(task, Embedding::embeddingQ4_0, out, (ByteArray) table, tokens, nTok, dim);
            case Q4_K -> g.task(task, Embedding::embeddingQ4_K, out, (ByteArray) table, tokens, nTok, dim);
            case Q6_K -> g.task(task, Embedding::embeddingQ6_K, out, (ByteArray) table, tokens, nTok, dim);
        };
    }

    /** Throws unless {@code w} is the array class that holds {@code type} and has at least rows·rowBytes(cols) bytes. */
    public static void check(WeightType type, GaleArray w, long rows, long cols, String task) {
        Class<?> want = switch (type) {
            case F32 -> FloatArray.class;
            case F16 -> HalfArray.class;
            default -> ByteArray.class;
        };
        if (!want.isInstance(w))
            throw new IllegalArgumentException("task '" + task + "': a " + type + " weight must be a " + want.getSimpleName()
                    + ", got " + w.describe());
        long need = rows * type.rowBytes(cols);
        if (w.byteSize() < need)
            throw new IllegalArgumentException("task '" + task + "': a " + type + " weight of " + rows + "×" + cols + " needs "
                    + need + " bytes, got " + w.describe());
    }

    static void checkGroup(int local, int cols, String task) {
        if (local < 1 || local > MatVec.GROUP_MAX || Integer.bitCount(local) != 1)
            throw new IllegalArgumentException("task '" + task + "': work-group size must be a power of two ≤ "
                    + MatVec.GROUP_MAX + ", got " + local);
        if (cols % Quant.PIECE != 0)
            throw new IllegalArgumentException("task '" + task + "': work-group kernels need columns % " + Quant.PIECE
                    + " == 0, got " + cols);
    }
}
