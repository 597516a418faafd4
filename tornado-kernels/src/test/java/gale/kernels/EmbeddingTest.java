// Tests the embedding lookup of every weight format against the reference row dequantisation.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.kernels.reference.EmbeddingReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

/** Metric: NMSE ≤ 1e-12: both sides do the same float multiplications on the same blocks (exact on the JVM). */
class EmbeddingTest {
    static void embedding(WeightType t, FloatArray out, GaleArray table, IntArray tokens, int nTok, int dim) {
        switch (t) {
            case F32 -> Embedding.embeddingF32(out, (FloatArray) table, tokens, nTok, dim);
            case F16 -> Embedding.embeddingF16(out, (HalfArray) table, tokens, nTok, dim);
            case BF16 -> Embedding.embeddingBF16(out, (ByteArray) table, tokens, nTok, dim);
            case Q8_0 -> Embedding.embeddingQ8_0(out, (ByteArray) table, tokens, nTok, dim);
            case Q4_0 -> Embedding.embeddingQ4_0(out, (ByteArray) table, tokens, nTok, dim);
            case Q4_K -> Embedding.embeddingQ4_K(out, (ByteArray) table, tokens, nTok, dim);
            case Q6_K -> Embedding.embeddingQ6_K(out, (ByteArray) table, tokens, nTok, dim);
        }
    }

    @ParameterizedTest
    @EnumSource(WeightType.class)
    void embedding(WeightType t) {
        Random rnd = new Random(300 + t.ordinal());
        int vocab = 7, dim = 512, nTok = 3;
        GaleArray table = TestData.weight(t, rnd, vocab, dim);
        IntArray tokens = IntArray.of(6, 0, 3);
        FloatArray got = FloatArray.create((long) nTok * dim), ref = FloatArray.create((long) nTok * dim);
        embedding(t, got, table, tokens, nTok, dim);
        EmbeddingReference.embedding(ref, t, table, tokens, nTok, dim);
        Compare.nmse("embedding" + t + " " + nTok + "x" + dim, got, ref, 1e-12);
    }
}
