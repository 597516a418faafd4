// Reference twin of the embedding lookup: dequantise the token's row with ggml's loops.
package gale.kernels.reference;

import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.IntArray;
import gale.kernels.WeightType;

/** The oracle for {@code Embedding}. */
public final class EmbeddingReference {
    private EmbeddingReference() {}

    /** out[t] = row tokens[t] of table (vocab, dim); out: (nTok, dim). */
    public static void embedding(FloatArray out, WeightType type, GaleArray table, IntArray tokens, int nTok, int dim) {
        for (int t = 0; t < nTok; t++) {
            float[] row = Dequant.row(type, table, tokens.get(t), dim);
            for (int c = 0; c < dim; c++) out.set((long) t * dim + c, row[c]);
        }
    }
}
