// Where a forward pass spends its time: per-kernel totals of a profiled prefill and decode run on one device.
package gale.bench;

import gale.compute.ProfileReport;
import gale.engine.inference.LlamaModel;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * {@code java -cp CP gale.bench.ForwardProfile MODEL.gguf [device] [prompt] [gen]}: warms up, then profiles a prompt of
 * {@code prompt} random tokens and {@code gen} greedy decode steps, and prints each kernel's share of the time
 * (kernel time summed over its tasks, host time per launch) for prefill and decode separately.
 */
public final class ForwardProfile {
    public static void main(String[] args) throws Exception {
        String device = args.length > 1 ? args[1] : "jvm";
        int prompt = args.length > 2 ? Integer.parseInt(args[2]) : 512, gen = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        try (LlamaModel m = LlamaModel.load(Path.of(args[0]), LlamaModel.Options.defaults().withBackend(device))) {
            Random rnd = new Random(1);
            int vocab = m.config().vocabSize();
            int[] toks = rnd.ints(prompt, 0, vocab).toArray();
            for (int w = 0; w < 2; w++) {               // warm-up (JIT)
                m.rewind(0);
                int t = m.greedy(toks);
                for (int i = 0; i < gen; i++) t = m.greedy(new int[]{t});
            }
            var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            m.rewind(0);
            long a0 = mx.getTotalThreadAllocatedBytes(), t0 = System.nanoTime();
            int t = m.greedy(toks);
            long t1 = System.nanoTime(), a1 = mx.getTotalThreadAllocatedBytes();
            int[] one = new int[1];
            long t2 = System.nanoTime();
            for (int i = 0; i < gen; i++) { one[0] = t; t = m.greedy(one); }
            long t3 = System.nanoTime(), a2 = mx.getTotalThreadAllocatedBytes();
            // unprofiled timings and heap allocation (all threads: boxed vectors in a twin show up here)
            System.out.printf("prefill %d tokens: %.1f ms, %.1f t/s, %.1f KiB allocated per token%n", prompt, (t1 - t0) / 1e6,
                    prompt / ((t1 - t0) / 1e9), (a1 - a0) / 1024.0 / prompt);
            System.out.printf("decode %d tokens: %.1f ms, %.1f t/s, %.1f KiB allocated per token%n", gen, (t3 - t2) / 1e6,
                    gen / ((t3 - t2) / 1e9), (a2 - a1) / 1024.0 / gen);
            m.rewind(0);
            m.profiling(true);
            t0 = System.nanoTime();
            t = m.greedy(toks);
            t1 = System.nanoTime();
            print("profiled prefill " + prompt + " tokens: " + String.format("%.1f ms, %.1f t/s", (t1 - t0) / 1e6, prompt / ((t1 - t0) / 1e9)), m.profile());
            ProfileReport afterPrefill = m.profile();            // the plan's profile accumulates: decode's is the difference
            t0 = System.nanoTime();
            for (int i = 0; i < gen; i++) t = m.greedy(new int[]{t});
            t1 = System.nanoTime();
            print("profiled decode " + gen + " tokens: " + String.format("%.1f ms, %.1f t/s", (t1 - t0) / 1e6, gen / ((t1 - t0) / 1e9)),
                    minus(m.profile(), afterPrefill));
        }
    }

    /** Per-task counts of {@code now} less those of {@code before} (tasks that did not run since are dropped). */
    private static ProfileReport minus(ProfileReport now, ProfileReport before) {
        Map<String, ProfileReport.Task> old = new java.util.HashMap<>();
        for (ProfileReport.Task t : before.tasks()) old.put(t.name(), t);
        java.util.List<ProfileReport.Task> tasks = new java.util.ArrayList<>();
        for (ProfileReport.Task t : now.tasks()) {
            ProfileReport.Task o = old.get(t.name());
            long launches = t.launches() - (o == null ? 0 : o.launches());
            if (launches > 0) tasks.add(new ProfileReport.Task(t.name(), t.kernel(), launches,
                    t.kernelNanos() - (o == null ? 0 : o.kernelNanos()), t.hostNanos() - (o == null ? 0 : o.hostNanos())));
        }
        return new ProfileReport(now.device(), now.executions() - before.executions(), tasks, now.bytesToDevice() - before.bytesToDevice(),
                now.bytesToHost() - before.bytesToHost(), now.transferNanos() - before.transferNanos());
    }

    private static void print(String title, ProfileReport r) {
        Map<String, long[]> byKernel = new TreeMap<>();
        long total = 0;
        for (ProfileReport.Task t : r.tasks()) {
            long[] a = byKernel.computeIfAbsent(t.kernel(), k -> new long[3]);
            a[0] += t.launches(); a[1] += t.kernelNanos(); a[2] += t.hostNanos();
            total += t.kernelNanos() + t.hostNanos();
        }
        System.out.println(title + " (profiled: " + String.format("%.1f ms", total / 1e6) + ")");
        System.out.printf("  %-40s %9s %10s %8s %12s%n", "kernel", "launches", "kernel ms", "share", "host us/l");
        final long tot = total;
        byKernel.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).forEach(e -> {
            long[] a = e.getValue();
            System.out.printf("  %-40s %9d %10.2f %7.1f%% %12.2f%n", e.getKey(), a[0], a[1] / 1e6, 100.0 * a[1] / tot, a[2] / 1e3 / a[0]);
        });
    }
}
