// Throughput of a training step (forwardBackward + optimizerStep) on the demo model; runs only on request.
package gale.engine.train;

import gale.compute.Devices;
import gale.engine.model.LlamaConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Demo model dim 128, 4 layers, 4 heads, ffn 352, vocab 2048, seq 128, batch 4. Enable with
 * {@code -Dgale.bench.train=jvm,opencl:0}; prints tokens/s of forwardBackward + optimizerStep (speed goals live in
 * benchmarks, not in unit tests, so this never fails on time).
 */
class TrainableLlamaBench {
    @Test
    void demoModelTokensPerSecond() {
        String devs = System.getProperty("gale.bench.train");
        Assumptions.assumeTrue(devs != null && !devs.isBlank(), "set -Dgale.bench.train=jvm[,opencl:0] to run");
        LlamaConfig cfg = new LlamaConfig(128, 4, 352, 4, 4, 1e-5f, 10000f, 32, 128, 2048, -1, -1);
        int batch = 4, seq = 128, steps = Integer.getInteger("gale.bench.steps", 5);
        java.util.Random r = new java.util.Random(1);
        int[] tok = new int[batch * seq], tgt = new int[batch * seq];
        for (int i = 0; i < tok.length; i++) { tok[i] = r.nextInt(2048); tgt[i] = r.nextInt(2048); }
        for (String dev : devs.split(",")) {
            try (TrainableLlama m = TrainableLlama.create(cfg, false, Devices.select(dev), batch, seq, 1)) {
                int warm = Integer.getInteger("gale.bench.warmup", 4);
                TrainableLlama.Loss l = null;
                for (int s = 1; s <= warm; s++) {                               // warm-up: kernel builds, JIT (C2)
                    l = m.forwardBackward(tok, tgt);
                    m.optimizerStep(TrainableLlama.AdamW.defaults(), 1e-3f, s, 1f / l.tokens());
                }
                long t0 = System.nanoTime(), fb = 0;
                for (int s = warm + 1; s <= warm + steps; s++) {
                    long a = System.nanoTime();
                    l = m.forwardBackward(tok, tgt);
                    fb += System.nanoTime() - a;
                    m.optimizerStep(TrainableLlama.AdamW.defaults(), 1e-3f, s, 1f / l.tokens());
                }
                double sec = (System.nanoTime() - t0) / 1e9;
                if (Boolean.getBoolean("gale.bench.profile")) {
                    m.profiling(true);
                    m.forwardBackward(tok, tgt);
                    m.optimizerStep(TrainableLlama.AdamW.defaults(), 1e-3f, 99, 1f / l.tokens());
                    var tasks = new java.util.ArrayList<>(m.profile().tasks());
                    tasks.sort(java.util.Comparator.comparingLong(t -> -t.kernelNanos()));
                    long kn = 0, hn = 0;
                    java.util.Map<String, Long> byKernel = new java.util.TreeMap<>();
                    for (var t : tasks) { kn += t.kernelNanos(); hn += t.hostNanos(); byKernel.merge(t.kernel(), t.kernelNanos(), Long::sum); }
                    System.out.printf("  one step: kernels %.1f ms, host %.1f ms; by kernel: %s%n", kn / 1e6, hn / 1e6, byKernel);
                    for (var t : tasks.subList(0, Math.min(12, tasks.size())))
                        System.out.printf("  %-28s %-45s %8.2f ms%n", t.name(), t.kernel(), t.kernelNanos() / 1e6);
                }
                System.out.printf("TrainableLlama demo (%d params) on %s: %.0f tokens/s (forwardBackward+optimizerStep, %d steps of %d tokens, %.1f ms/step, forwardBackward %.1f ms), loss %.4f%n",
                        m.parameterCount(), dev, steps * (double) tok.length / sec, steps, tok.length, sec * 1e3 / steps, fb / 1e6 / steps, l.mean());
            }
        }
    }
}
