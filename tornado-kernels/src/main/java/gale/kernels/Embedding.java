// Token embedding lookup: one row of the embedding table per token, dequantised to floats.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.Kernel;
import gale.compute.Parallel;

/**
 * Embedding rows for a batch of token ids (read on the device, so a graph serves every step), for every GGUF weight
 * format. One work-item per output element. Reference: {@code reference.EmbeddingReference}.
 */
public final class Embedding {
    private Embedding() {}

    /** out[t, c] = table[tokens[t], c] for t &lt; nTok, c &lt; dim; table: F32, (vocab, dim); out: (nTok, dim). */
    @Kernel
    public static void embeddingF32(FloatArray out, FloatArray table, IntArray tokens, int nTok, int dim) {
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int c = 0; c < dim; c++) {
                long i = (long) tokens.get(t) * dim + c;
                out.set((long) t * dim + c, table.get(i));
            }
        }
    }

    /** out[t, c] = table[tokens[t], c] for t &lt; nTok, c &lt; dim; table: F16, (vocab, dim); out: (nTok, dim). */
    @Kernel
    public static void embeddingF16(FloatArray out, HalfArray table, IntArray tokens, int nTok, int dim) {
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int c = 0; c < dim; c++) {
                long i = (long) tokens.get(t) * dim + c;
                out.set((long) t * dim + c, table.getFloat(i));
            }
        }
    }

    /** out[t, c] = table[tokens[t], c] for t &lt; nTok, c &lt; dim; table: BF16 as raw little-endian bytes, (vocab, dim); out: (nTok, dim). */
    @Kernel
    public static void embeddingBF16(FloatArray out, ByteArray table, IntArray tokens, int nTok, int dim) {
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int c = 0; c < dim; c++) {
                long i = (long) tokens.get(t) * dim + c;
                out.set((long) t * dim + c, Quant.bf16At(table, i));
            }
        }
    }

    /** out[t, c] = table[tokens[t], c] for t &lt; nTok, c &lt; dim; table: Q8_0 blocks, (vocab, dim); out: (nTok, dim). */
    @Kernel
    public static void embeddingQ8_0(FloatArray out, ByteArray table, IntArray tokens, int nTok, int dim) {
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int c = 0; c < dim; c++) {
                long i = (long) tokens.get(t) * dim + c;
                out.set((long) t * dim + c, Quant.q8_0At(table, i));
            }
        }
    }

    /** out[t, c] = table[tokens[t], c] for t &lt; nTok, c &lt; dim; table: Q4_0 blocks, (vocab, dim); out: (nTok, dim). */
    @Kernel
    public static void embeddingQ4_0(FloatArray out, ByteArray table, IntArray tokens, int nTok, int dim) {
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int c = 0; c < dim; c++) {
                long i = (long) tokens.get(t) * dim + c;
                out.set((long) t * dim + c, Quant.q4_0At(table, i));
            }
        }
    }

    /** out[t, c] = table[tokens[t], c] for t &lt; nTok, c &lt; dim; table: Q4_K blocks, (vocab, dim); out: (nTok, dim). */
    @Kernel
    public static void embeddingQ4_K(FloatArray out, ByteArray table, IntArray tokens, int nTok, int dim) {
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int c = 0; c < dim; c++) {
                long i = (long) tokens.get(t) * dim + c;
                out.set((long) t * dim + c, Quant.q4_KAt(table, i));
            }
        }
    }

    /** out[t, c] = table[tokens[t], c] for t &lt; nTok, c &lt; dim; table: Q6_K blocks, (vocab, dim); out: (nTok, dim). */
    @Kernel
    public static void embeddingQ6_K(FloatArray out, ByteArray table, IntArray tokens, int nTok, int dim) {
        for (@Parallel int t = 0; t < nTok; t++) {
            for (@Parallel int c = 0; c < dim; c++) {
                long i = (long) tokens.get(t) * dim + c;
                out.set((long) t * dim + c, Quant.q6_KAt(table, i));
            }
        }
    }
}
