// Throughput of a training step (forwardBackward + optimizerStep) on the demo shapes; runs only on request.
package gale.engine.train;

import gale.compute.Devices;
import gale.engine.model.LlamaConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Enable with {@code -Dgale.bench.train=jvm,opencl:0}; prints tokens/s and GFLOP/s of forwardBackward +
 * optimizerStep (speed goals live in benchmarks, not in unit tests, so this never fails on time). Shapes
 * ({@code -Dgale.bench.shapes=demo,kjv}, default both):
 * <ul>
 *   <li>{@code demo}: dim 128, 4 layers, 4 heads, ffn 352, vocab 2048, untied output, batch 4 × seq 128;</li>
 *   <li>{@code kjv}: the recipe {@code configs/train/kjv-demo.json}: ffn 384, tied output, batch 8 × seq 128.</li>
 * </ul>
 * FLOPs per step: 6·parameters·tokens (forward 2, backward 4) plus causal attention 6·layers·dim·seqLen per token
 * (scores and weighted sum, forward and backward, half of the T×T matrices); the backward's recomputation of the
 * scores is not counted. At least {@code gale.bench.warmup} (20) steps and {@code gale.bench.warmupSeconds} (10) warm
 * the JIT, then {@code gale.bench.steps} (20) are timed one by one: the mean and the best step are printed with the load average, since the machine is shared,
 * and so is the process CPU time per step (all threads: kernels, JIT, GC), which other processes on the machine
 * barely change: tokens/s "if the cores were ours alone" = tokens / (CPU time / threads).
 */
class TrainableLlamaBench {
    @Test
    void demoModelTokensPerSecond() throws Exception {
        String devs = System.getProperty("gale.bench.train");
        Assumptions.assumeTrue(devs != null && !devs.isBlank(), "set -Dgale.bench.train=jvm[,opencl:0] to run");
        for (String shape : System.getProperty("gale.bench.shapes", "demo,kjv").split(","))
            for (String dev : devs.split(",")) run(shape.trim(), dev.trim());
    }

    private static void run(String shape, String dev) throws Exception {
        boolean kjv = shape.equals("kjv");
        if (!kjv && !shape.equals("demo")) throw new IllegalArgumentException("gale.bench.shapes: demo or kjv, got " + shape);
        LlamaConfig cfg = new LlamaConfig(128, 4, kjv ? 384 : 352, 4, 4, 1e-5f, 10000f, 32, kjv ? 256 : 128, 2048, -1, -1);
        int batch = kjv ? 8 : 4, seq = 128, steps = Integer.getInteger("gale.bench.steps", 20), warm = Integer.getInteger("gale.bench.warmup", 20);
        java.util.Random r = new java.util.Random(1);
        // 16 different random batches in turn: repeating one batch drives the loss to ~0 within a few hundred steps,
        // and the near-zero gradients that follow (denormals) slow every kernel, which real training never sees
        int[][] toks = new int[16][batch * seq], tgts = new int[16][batch * seq];
        for (int b = 0; b < 16; b++)
            for (int i = 0; i < batch * seq; i++) { toks[b][i] = r.nextInt(2048); tgts[b][i] = r.nextInt(2048); }
        int[] tok = toks[0], tgt = tgts[0];
        try (TrainableLlama m = TrainableLlama.create(cfg, kjv, Devices.select(dev), batch, seq, 1)) {
            TrainableLlama.Loss l = null;
            // warm-up (kernel builds, JIT): at least `warm` steps and gale.bench.warmupSeconds (10): the jvm twins'
            // helpers reach C2 only after ~10 s, and before that the Vector API runs boxed, 10× slower
            long until = System.nanoTime() + (long) (Double.parseDouble(System.getProperty("gale.bench.warmupSeconds", "10")) * 1e9);
            int s0 = 1;
            for (; s0 <= warm || System.nanoTime() < until; s0++) {
                l = m.forwardBackward(toks[s0 % 16], tgts[s0 % 16]);
                m.optimizerStep(TrainableLlama.AdamW.defaults(), 1e-3f, s0, 1f / l.tokens());
            }
            warm = s0 - 1;
            String load0 = loadAverage();
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long total = 0, best = Long.MAX_VALUE, fb = 0;
            for (int s = warm + 1; s <= warm + steps; s++) {
                long a = System.nanoTime();
                l = m.forwardBackward(toks[s % 16], tgts[s % 16]);
                long b = System.nanoTime();
                m.optimizerStep(TrainableLlama.AdamW.defaults(), 1e-3f, s, 1f / l.tokens());
                long e = System.nanoTime();
                fb += b - a;
                total += e - a;
                best = Math.min(best, e - a);
            }
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9 / steps;   // CPU seconds per step, all threads
            if (Boolean.getBoolean("gale.bench.profile")) {
                m.profiling(true);
                m.forwardBackward(tok, tgt);
                m.optimizerStep(TrainableLlama.AdamW.defaults(), 1e-3f, 99, 1f / l.tokens());
                var tasks = new java.util.ArrayList<>(m.profile().tasks());
                tasks.sort(java.util.Comparator.comparingLong(t -> -t.kernelNanos()));
                long kn = 0, hn = 0;
                java.util.Map<String, Long> byKernel = new java.util.TreeMap<>();
                for (var t : tasks) { kn += t.kernelNanos(); hn += t.hostNanos(); byKernel.merge(t.kernel(), t.kernelNanos(), Long::sum); }
                System.out.printf("  one step: %d tasks, kernels %.1f ms, host %.1f ms; by kernel (ms):%n", tasks.size(), kn / 1e6, hn / 1e6);
                byKernel.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                        .forEach(en -> System.out.printf("    %-40s %7.2f%n", en.getKey(), en.getValue() / 1e6));
                for (var t : tasks.subList(0, Math.min(8, tasks.size())))
                    System.out.printf("  %-28s %-45s %8.2f ms%n", t.name(), t.kernel(), t.kernelNanos() / 1e6);
            }
            double n = tok.length, mean = total / 1e9 / steps, fastest = best / 1e9;
            double flops = 6.0 * m.parameterCount() * n + 6.0 * cfg.blockCount() * cfg.embeddingLength() * seq * n;
            System.out.printf("TrainableLlama %s (%d params, batch %d × seq %d) on %s: %.0f tokens/s, %.1f GFLOP/s (mean of %d steps: %.1f ms/step,"
                            + " forwardBackward %.1f ms); best step %.1f ms = %.0f tokens/s, %.1f GFLOP/s; %.2f GFLOP/step; loss %.4f; load average %s -> %s;"
                            + " process CPU %.1f ms/step = %.0f tokens/s, %.1f GFLOP/s if the %d cores were ours alone%n",
                    shape, m.parameterCount(), batch, seq, dev, n / mean, flops / mean / 1e9, steps, mean * 1e3, fb / 1e6 / steps,
                    fastest * 1e3, n / fastest, flops / fastest / 1e9, flops / 1e9, l.mean(), load0, loadAverage(),
                    cpu * 1e3, n / (cpu / cores()), flops / (cpu / cores()) / 1e9, cores());
        }
    }

    private static int cores() { return Integer.getInteger("gale.jvm.threads", Runtime.getRuntime().availableProcessors()); }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "?";
        }
    }
}
