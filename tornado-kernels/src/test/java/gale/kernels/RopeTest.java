// Tests RoPE (adjacent pairs, partial rotation, rope_freqs factors) and its fused KV-cache write against the reference.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.kernels.reference.RopeReference;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Metric: NMSE ≤ 1e-7 (ggml's bound); the kernel's angle pos·freq is a float (as in ggml's rope cache), so its
 * error grows like pos·2^-24 rad: checked at position 4000 too. fp16 caches: NMSE ≤ 1e-6, since the kernel's and the
 * reference's nearly equal floats can round to fp16 values one ulp (2^-11 relative) apart.
 */
class RopeTest {
    static FloatArray factors(Random rnd, int rotDim, boolean ones) {
        FloatArray f = FloatArray.create(rotDim / 2);
        for (int i = 0; i < rotDim / 2; i++) f.set(i, ones ? 1f : 1f + 7f * rnd.nextFloat());
        return f;
    }

    @Test
    void ropeInPlace() {
        Random rnd = new Random(6);
        int nTok = 3, nHeads = 4, headDim = 64;
        for (int rotDim : new int[]{64, 32}) {
            for (float base : new float[]{10000f, 500000f}) {
                FloatArray ff = factors(rnd, rotDim, base == 10000f);
                FloatArray x = TestData.floatArray(rnd, (long) nTok * nHeads * headDim, 1f);
                FloatArray got = TestData.copy(x), ref = TestData.copy(x);
                IntArray pos = IntArray.of(5);
                Rope.rope(got, pos, ff, nTok, nHeads, headDim, rotDim, base);
                RopeReference.rope(ref, pos, ff, nTok, nHeads, headDim, rotDim, base);
                Compare.nmse("rope rotDim " + rotDim + " base " + base, got, ref, Compare.NMSE_GGML);
                if (rotDim < headDim) // the unrotated tail is untouched
                    for (int d = rotDim; d < headDim; d++) assertEquals(x.get(d), got.get(d), 0f);
            }
        }
    }

    @Test
    void ropeAtLargePosition() {
        Random rnd = new Random(7);
        int nHeads = 2, headDim = 128;
        FloatArray ff = factors(rnd, headDim, false);
        FloatArray x = TestData.floatArray(rnd, (long) nHeads * headDim, 1f);
        FloatArray got = TestData.copy(x), ref = TestData.copy(x);
        IntArray pos = IntArray.of(4000);
        Rope.rope(got, pos, ff, 1, nHeads, headDim, headDim, 500000f);
        RopeReference.rope(ref, pos, ff, 1, nHeads, headDim, headDim, 500000f);
        Compare.nmse("rope pos 4000", got, ref, Compare.NMSE_GGML);
    }

    void ropeToCache(boolean f16, int nHead, int nKvHead) {
        Random rnd = new Random(8 + nKvHead);
        int headDim = 32, rotDim = 32, layers = 2, layer = 1, maxSeq = 16, nTok = 3;
        int kvDim = nKvHead * headDim;
        float base = 10000f;
        FloatArray ff = factors(rnd, rotDim, false);
        IntArray pos = IntArray.of(9);
        FloatArray q = TestData.floatArray(rnd, (long) nTok * nHead * headDim, 1f);
        FloatArray k = TestData.floatArray(rnd, (long) nTok * kvDim, 1f);
        FloatArray v = TestData.floatArray(rnd, (long) nTok * kvDim, 1f);
        FloatArray qG = TestData.copy(q), kG = TestData.copy(k), qR = TestData.copy(q), kR = TestData.copy(k);
        long cacheLen = (long) layers * maxSeq * kvDim;
        GaleArray kcG, vcG, kcR, vcR;
        String what = (f16 ? "ropeToCacheF16" : "ropeToCache") + " heads " + nHead + "/" + nKvHead;
        if (f16) {
            HalfArray kc = HalfArray.create(cacheLen), vc = HalfArray.create(cacheLen);
            kcR = HalfArray.create(cacheLen); vcR = HalfArray.create(cacheLen);
            Rope.ropeToCacheF16(qG, kG, v, kc, vc, pos, ff, layer, nTok, nHead, nKvHead, headDim, rotDim, maxSeq, base);
            kcG = kc; vcG = vc;
        } else {
            FloatArray kc = FloatArray.create(cacheLen), vc = FloatArray.create(cacheLen);
            kcR = FloatArray.create(cacheLen); vcR = FloatArray.create(cacheLen);
            Rope.ropeToCache(qG, kG, v, kc, vc, pos, ff, layer, nTok, nHead, nKvHead, headDim, rotDim, maxSeq, base);
            kcG = kc; vcG = vc;
        }
        RopeReference.ropeToCache(qR, kR, v, kcR, vcR, pos, ff, layer, nTok, nHead, nKvHead, headDim, rotDim, maxSeq, base);
        Compare.nmse(what + " q", qG, qR, Compare.NMSE_GGML);
        Compare.nmse(what + " k", kG, kR, Compare.NMSE_GGML);
        double cacheBound = f16 ? 1e-6 : Compare.NMSE_GGML;
        if (f16) {
            Compare.nmse(what + " key cache", (HalfArray) kcG, (HalfArray) kcR, cacheBound);
            Compare.nmse(what + " value cache", (HalfArray) vcG, (HalfArray) vcR, cacheBound);
        } else {
            Compare.nmse(what + " key cache", (FloatArray) kcG, (FloatArray) kcR, cacheBound);
            Compare.nmse(what + " value cache", (FloatArray) vcG, (FloatArray) vcR, cacheBound);
        }
    }

    @Test void ropeToCacheGqa() { ropeToCache(false, 8, 2); }
    @Test void ropeToCacheMha() { ropeToCache(false, 4, 4); }
    @Test void ropeToCacheF16Gqa() { ropeToCache(true, 8, 2); }
    @Test void ropeToCacheF16Mha() { ropeToCache(true, 4, 4); }
}
