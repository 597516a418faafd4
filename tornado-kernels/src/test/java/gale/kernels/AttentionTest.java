// Tests causal grouped-query attention (decode and prefill, F32 and F16 cache) against the materialised-softmax reference.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.kernels.reference.AttentionReference;
import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * Metric: NMSE ≤ 1e-7 (ggml's bound): online softmax in float vs a two-pass softmax in double over the same cache.
 * Cache rows after the last attended position hold large values, so reading past the causal limit would fail.
 */
class AttentionTest {
    void check(boolean f16, int nHead, int nKvHead, int headDim, int nTok, int start) {
        Random rnd = new Random(nHead * 100 + nKvHead * 10 + nTok + start);
        int layers = 2, layer = 1, maxSeq = 32, kvDim = nKvHead * headDim;
        long cacheLen = (long) layers * maxSeq * kvDim;
        float[] kf = TestData.floats(rnd, (int) cacheLen, 1f), vf = TestData.floats(rnd, (int) cacheLen, 1f);
        int end = start + nTok; // positions 0..end-1 are valid
        for (int s = end; s < maxSeq; s++)
            for (int j = 0; j < kvDim; j++) {
                kf[(layer * maxSeq + s) * kvDim + j] = 100f;
                vf[(layer * maxSeq + s) * kvDim + j] = 1000f;
            }
        FloatArray q = TestData.floatArray(rnd, (long) nTok * nHead * headDim, 1f);
        IntArray pos = IntArray.of(start);
        FloatArray got = FloatArray.create((long) nTok * nHead * headDim), ref = FloatArray.create((long) nTok * nHead * headDim);
        String what = (f16 ? "attentionF16" : "attention") + " heads " + nHead + "/" + nKvHead + " hd " + headDim
                + " tok " + nTok + " at " + start;
        if (f16) {
            HalfArray kc = HalfArray.of(kf), vc = HalfArray.of(vf);
            Attention.attentionF16(got, q, kc, vc, pos, layer, nTok, nHead, nKvHead, headDim, maxSeq);
            AttentionReference.attention(ref, q, kc, vc, pos, layer, nTok, nHead, nKvHead, headDim, maxSeq);
        } else {
            FloatArray kc = FloatArray.of(kf), vc = FloatArray.of(vf);
            Attention.attention(got, q, kc, vc, pos, layer, nTok, nHead, nKvHead, headDim, maxSeq);
            AttentionReference.attention(ref, q, kc, vc, pos, layer, nTok, nHead, nKvHead, headDim, maxSeq);
        }
        Compare.nmse(what, got, ref, Compare.NMSE_GGML);
    }

    @Test void decodeGqa() { check(false, 6, 2, 20, 1, 20); }
    @Test void decodeMha() { check(false, 4, 4, 32, 1, 13); }
    @Test void prefillGqa() { check(false, 6, 2, 20, 5, 0); }
    @Test void prefillChunkMha() { check(false, 4, 4, 32, 4, 7); }
    @Test void decodeF16Gqa() { check(true, 8, 2, 16, 1, 25); }
    @Test void prefillF16Gqa() { check(true, 8, 2, 16, 6, 3); }
}
