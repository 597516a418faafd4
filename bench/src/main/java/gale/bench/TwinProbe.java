// The jvm twins on one core, called directly (no plan): mat-vec GB/s in cache and streamed, attention µs per launch.
package gale.bench;

import gale.compute.ByteArray;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.kernels.Attention;
import gale.kernels.MatMul;
import gale.kernels.MatVec;
import gale.kernels.Sampling;
import gale.kernels.WeightType;
import gale.kernels.conformance.Data;
import gale.kernels.train.TrainAttention;

import java.util.Random;

/**
 * {@code java -cp CP gale.bench.TwinProbe}: single-thread speed of the twins that decode, prefill and training spend
 * their time in, to compare two versions of the kernels on the same machine (run it at both commits). Each figure is
 * the best of 5 timed passes after 2 s of warm-up passes:
 * <ul>
 *   <li>Q8_0 mat-vec ({@code MatVec.matVecQ8_0Simd}): one 512×512 matrix again and again (in cache), 200 of them in
 *   turn (55 MB: streamed from memory), and the 58M model's 32000×512 output matrix;</li>
 *   <li>F16 mat-vec ({@code MatVec.matVecF16Simd}): one 512×512 matrix, 100 of them in turn (52 MB), the 32000×512
 *   output matrix;</li>
 *   <li>the Q8_0 SwiGLU mat-vec ({@code MatVec.swiGluMatVecQ8_0Simd}) of the 58M model's 1536×512 gate and up
 *   weights: one pair again and again (in cache) and 16 pairs in turn (27 MB);</li>
 *   <li>the Q8_0 SwiGLU mat-mul ({@code MatMul.swiGluMatMulQ8_0Simd}) of the 58M model's 1536×512 layers, 256 tokens;</li>
 *   <li>the argmax's first stage over 32000 logits in 64 parts, the portable scan ({@code Sampling.argmaxPartial})
 *   against the twin ({@code Sampling.argmaxPartialSimd});</li>
 *   <li>decode attention ({@code Attention.attentionSimd}, 1 token, 8 heads of 64, F32 cache of 2048 positions as
 *   the 58M model's) at 64, 130 and 512 positions, cycling over 8 layers; prompt attention for 512 tokens from an
 *   empty cache;</li>
 *   <li>training attention ({@code TrainAttention.forwardSimd/backwardSimd}) for one layer of the kjv-demo shape:
 *   1024 tokens in sequences of 128, 4 heads of 32.</li>
 * </ul>
 */
public final class TwinProbe {
    public static void main(String[] args) {
        Random rnd = new Random(1);
        matVec(WeightType.Q8_0, rnd, 512, 512, 1, 4000);
        matVec(WeightType.Q8_0, rnd, 512, 512, 200, 20);
        matVec(WeightType.Q8_0, rnd, 32000, 512, 2, 20);
        matVec(WeightType.F16, rnd, 512, 512, 1, 4000);
        matVec(WeightType.F16, rnd, 512, 512, 100, 20);
        matVec(WeightType.F16, rnd, 32000, 512, 1, 20);
        swiGluMatVec(rnd, 1536, 512, 1, 2000);
        swiGluMatVec(rnd, 1536, 512, 16, 20);
        swiGluMatMul(rnd, 1536, 512, 256);
        argmax(rnd, 32000, 64);

        int nHead = 8, hd = 64, maxSeq = 2048, layers = 8, kvDim = nHead * hd;
        FloatArray kc = Data.floatArray(rnd, (long) layers * maxSeq * kvDim, 1f), vc = Data.floatArray(rnd, (long) layers * maxSeq * kvDim, 1f);
        FloatArray q1 = Data.floatArray(rnd, kvDim, 1f), o1 = FloatArray.create(kvDim);
        IntArray pos = IntArray.create(1);
        for (int n : new int[]{64, 130, 512}) {
            pos.set(0, n - 1);
            double us = best(() -> { for (int i = 0; i < 400; i++) Attention.attentionSimd(o1, q1, kc, vc, pos, i % layers, 1, nHead, nHead, hd, maxSeq); }) / 400 / 1e3;
            System.out.printf("decode attention, %d positions: %.1f µs per launch%n", n, us);
        }
        pos.set(0, 0);
        int prompt = 512;
        FloatArray qp = Data.floatArray(rnd, (long) prompt * kvDim, 1f), op = FloatArray.create((long) prompt * kvDim);
        System.out.printf("prompt attention, %d tokens: %.2f ms per launch%n", prompt,
                best(() -> Attention.attentionSimd(op, qp, kc, vc, pos, 0, prompt, nHead, nHead, hd, maxSeq)) / 1e6);

        int nTok = 1024, seq = 128, th = 4, thd = 32, dim = th * thd;
        FloatArray q = Data.floatArray(rnd, nTok * dim, 1f), k = Data.floatArray(rnd, nTok * dim, 1f), v = Data.floatArray(rnd, nTok * dim, 1f);
        FloatArray out = FloatArray.create(nTok * dim), lse = FloatArray.create(nTok * th), delta = Data.floatArray(rnd, nTok * th, 0.1f);
        FloatArray dO = Data.floatArray(rnd, nTok * dim, 1f), dq = FloatArray.create(nTok * dim), dk = FloatArray.create(nTok * dim), dv = FloatArray.create(nTok * dim);
        System.out.printf("training attention forward, one kjv layer: %.2f ms%n",
                best(() -> TrainAttention.forwardSimd(out, lse, q, k, v, nTok, seq, th, th, thd)) / 1e6);
        System.out.printf("training attention backward, one kjv layer: %.2f ms%n",
                best(() -> TrainAttention.backwardSimd(dq, dk, dv, dO, q, k, v, lse, delta, nTok, seq, th, th, thd)) / 1e6);
    }

    /** The Q8_0 or F16 mat-vec twin over {@code matrices} weights in turn, {@code reps} times; prints GB/s of weights. */
    private static void matVec(WeightType type, Random rnd, int rows, int cols, int matrices, int reps) {
        GaleArray[] w = new GaleArray[matrices];
        for (int i = 0; i < matrices; i++) w[i] = Data.weight(type, rnd, rows, cols);
        FloatArray x = Data.floatArray(rnd, cols, 1f), out = FloatArray.create(rows);
        double ns = best(() -> {
            for (int r = 0; r < reps; r++)
                for (GaleArray m : w) {
                    if (type == WeightType.Q8_0) MatVec.matVecQ8_0Simd(out, x, (ByteArray) m, rows, cols);
                    else MatVec.matVecF16Simd(out, x, (HalfArray) m, rows, cols);
                }
        });
        System.out.printf("%s mat-vec %dx%d, %d matri%s in turn: %.1f GB/s%n", type, rows, cols, matrices, matrices == 1 ? "x" : "ces",
                w[0].byteSize() * (double) matrices * reps / ns);
    }

    /** The Q8_0 SwiGLU mat-vec twin over {@code pairs} gate/up weight pairs in turn, {@code reps} times; GB/s of weights. */
    private static void swiGluMatVec(Random rnd, int hidden, int dim, int pairs, int reps) {
        ByteArray[] w1 = new ByteArray[pairs], w3 = new ByteArray[pairs];
        for (int i = 0; i < pairs; i++) {
            w1[i] = (ByteArray) Data.weight(WeightType.Q8_0, rnd, hidden, dim);
            w3[i] = (ByteArray) Data.weight(WeightType.Q8_0, rnd, hidden, dim);
        }
        FloatArray x = Data.floatArray(rnd, dim, 1f), h = FloatArray.create(hidden);
        double ns = best(() -> {
            for (int r = 0; r < reps; r++)
                for (int i = 0; i < pairs; i++) MatVec.swiGluMatVecQ8_0Simd(h, x, w1[i], w3[i], hidden, dim);
        });
        System.out.printf("Q8_0 SwiGLU mat-vec %dx%d, %d pair%s in turn: %.1f GB/s, %.1f µs per pair%n", hidden, dim, pairs,
                pairs == 1 ? "" : "s", 2.0 * w1[0].byteSize() * pairs * reps / ns, ns / 1e3 / pairs / reps);
    }

    /** The argmax's first stage over n logits in {@code parts} parts: the portable scan against the jvm twin. */
    private static void argmax(Random rnd, int n, int parts) {
        FloatArray x = Data.floatArray(rnd, n, 3f), partMax = FloatArray.create(parts);
        IntArray partIdx = IntArray.create(parts);
        double scan = best(() -> { for (int i = 0; i < 100; i++) Sampling.argmaxPartial(partMax, partIdx, x, n, parts); }) / 100;
        double twin = best(() -> { for (int i = 0; i < 100; i++) Sampling.argmaxPartialSimd(partMax, partIdx, x, n, parts); }) / 100;
        System.out.printf("argmax stage 1, %d logits in %d parts: scan %.2f µs, twin %.2f µs%n", n, parts, scan / 1e3, twin / 1e3);
    }

    private static void swiGluMatMul(Random rnd, int hidden, int dim, int nTok) {
        ByteArray w1 = (ByteArray) Data.weight(WeightType.Q8_0, rnd, hidden, dim), w3 = (ByteArray) Data.weight(WeightType.Q8_0, rnd, hidden, dim);
        FloatArray x = Data.floatArray(rnd, (long) nTok * dim, 1f), h = FloatArray.create((long) nTok * hidden);
        double ns = best(() -> MatMul.swiGluMatMulQ8_0Simd(h, x, w1, w3, nTok, hidden, dim));
        System.out.printf("Q8_0 SwiGLU mat-mul %dx%d, %d tokens: %.1f GFLOP/s%n", hidden, dim, nTok, 4.0 * nTok * hidden * dim / ns);
    }

    /** Nanoseconds of the fastest of 5 timed runs of {@code body}, after 2 s of untimed ones (C2 must compile the twins). */
    private static double best(Runnable body) {
        for (long end = System.nanoTime() + 2_000_000_000L; System.nanoTime() < end; ) body.run();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            body.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best;
    }
}
