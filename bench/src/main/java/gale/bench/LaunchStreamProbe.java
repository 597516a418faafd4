// Per-launch time of a streamed Q8_0 mat-vec through a jvm plan (all threads) against one thread calling the twin.
package gale.bench;

import gale.compute.ByteArray;
import gale.compute.DataTransferMode;
import gale.compute.Devices;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.TaskGraph;
import gale.kernels.Linear;
import gale.kernels.MatVec;
import gale.kernels.WeightType;
import gale.kernels.conformance.Data;

import java.util.Arrays;
import java.util.Random;

/**
 * {@code java -cp CP gale.bench.LaunchStreamProbe [rows] [matrices] [swiglu]}: a graph of one Q8_0 mat-vec task per matrix
 * (default 200 matrices of 512×512, 55 MB: every launch streams its weights from memory, as decode's q, k, v and o
 * projections do; with {@code swiglu}, one SwiGLU mat-vec task per gate/up pair of rows × 512 matrices, as decode's
 * feed-forward) runs through a jvm plan, and the same matrices are then multiplied by one thread calling the twin
 * directly. Prints the minimum, 10th percentile and median time per launch of each over 200 passes (three rounds; the
 * minimum is what the code can do, the median what this shared machine gave). The plan's figure is what the jvm
 * backend's chunking and worker hand-off cost or gain on top of the twin.
 */
public final class LaunchStreamProbe {
    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 512, cols = 512;
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 200, passes = 200;
        boolean swiGlu = args.length > 2 && args[2].equals("swiglu");
        Random rnd = new Random(1);
        ByteArray[] w = new ByteArray[m], w3 = new ByteArray[swiGlu ? m : 0];
        for (int i = 0; i < m; i++) w[i] = (ByteArray) Data.weight(WeightType.Q8_0, rnd, rows, cols);
        for (int i = 0; i < w3.length; i++) w3[i] = (ByteArray) Data.weight(WeightType.Q8_0, rnd, rows, cols);
        FloatArray x = Data.floatArray(rnd, cols, 1f), out = FloatArray.create(rows);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.FIRST_EXECUTION, x, out)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, w);
        if (swiGlu) g.transferToDevice(DataTransferMode.FIRST_EXECUTION, w3);
        for (int i = 0; i < m; i++) {
            if (swiGlu) Linear.swiGluMatVec(g, "t" + i, WeightType.Q8_0, out, x, w[i], w3[i], rows, cols);
            else Linear.matVec(g, "t" + i, WeightType.Q8_0, out, x, w[i], rows, cols);
        }
        long[] plan = new long[passes], direct = new long[passes];
        try (ExecutionPlan p = new ExecutionPlan(g.snapshot()).withDevice(Devices.select("jvm"))) {
            int threads = p.device().info().computeUnits();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < passes; i++) {
                    long t0 = System.nanoTime();
                    p.execute();
                    plan[i] = System.nanoTime() - t0;
                    t0 = System.nanoTime();
                    for (int j = 0; j < m; j++) {
                        if (swiGlu) MatVec.swiGluMatVecQ8_0Simd(out, x, w[j], w3[j], rows, cols);
                        else MatVec.matVecQ8_0Simd(out, x, w[j], rows, cols);
                    }
                    direct[i] = System.nanoTime() - t0;
                }
                Arrays.sort(plan);
                Arrays.sort(direct);
                System.out.printf("Q8_0 %dx%d %s, %d %s streamed, µs per launch: jvm plan (%d threads) min %.2f p10 %.2f p50 %.2f | "
                                + "one thread min %.2f p10 %.2f p50 %.2f%n", rows, cols, swiGlu ? "SwiGLU mat-vec" : "mat-vec", m,
                        swiGlu ? "gate/up pairs" : "matrices", threads,
                        plan[0] / 1e3 / m, plan[passes / 10] / 1e3 / m, plan[passes / 2] / 1e3 / m,
                        direct[0] / 1e3 / m, direct[passes / 10] / 1e3 / m, direct[passes / 2] / 1e3 / m);
            }
        }
    }
}
