// Reference twin of RoPE (adjacent pairs, rope_freqs factors) and the KV-cache write, with angles in double.
package gale.kernels.reference;

import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;

/** The oracle for {@code Rope}: θ = pos · base^(−i/rotDim) / freqFactors[i/2] for even i &lt; rotDim, in double. */
public final class RopeReference {
    private RopeReference() {}

    /** RoPE in place on x: (nTok, nHeads·headDim), token t at position pos[0] + t. */
    public static void rope(FloatArray x, IntArray pos, FloatArray freqFactors, int nTok, int nHeads, int headDim,
                            int rotDim, float base) {
        for (int t = 0; t < nTok; t++) {
            int p = pos.get(0) + t;
            for (int h = 0; h < nHeads; h++) rotateHead(x, ((long) t * nHeads + h) * headDim, p, freqFactors, headDim, rotDim, base);
        }
    }

    /** RoPE on q and k, then k and v into the cache at positions pos[0] + t of this layer (F32 or F16 cache). */
    public static void ropeToCache(FloatArray q, FloatArray k, FloatArray v, GaleArray keyCache, GaleArray valueCache,
                                   IntArray pos, FloatArray freqFactors, int layer, int nTok, int nHead, int nKvHead,
                                   int headDim, int rotDim, int maxSeq, float base) {
        rope(q, pos, freqFactors, nTok, nHead, headDim, rotDim, base);
        rope(k, pos, freqFactors, nTok, nKvHead, headDim, rotDim, base);
        int kvDim = nKvHead * headDim;
        for (int t = 0; t < nTok; t++) {
            long row = ((long) layer * maxSeq + pos.get(0) + t) * kvDim;
            for (int j = 0; j < kvDim; j++) {
                store(keyCache, row + j, k.get((long) t * kvDim + j));
                store(valueCache, row + j, v.get((long) t * kvDim + j));
            }
        }
    }

    static void rotateHead(FloatArray x, long off, int position, FloatArray freqFactors, int headDim, int rotDim, float base) {
        for (int i = 0; i < rotDim && i + 1 < headDim; i += 2) {
            double theta = position * Math.pow(base, -(double) i / rotDim) / freqFactors.get(i / 2);
            double c = Math.cos(theta), s = Math.sin(theta);
            double x0 = x.get(off + i), x1 = x.get(off + i + 1);
            x.set(off + i, (float) (x0 * c - x1 * s));
            x.set(off + i + 1, (float) (x0 * s + x1 * c));
        }
    }

    static void store(GaleArray cache, long i, float v) {
        if (cache instanceof HalfArray h) h.setFloat(i, v);
        else ((FloatArray) cache).set(i, v);
    }

    static float load(GaleArray cache, long i) {
        return cache instanceof HalfArray h ? h.getFloat(i) : ((FloatArray) cache).get(i);
    }
}
