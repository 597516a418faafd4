// `gale bench`: llama-bench's protocol (pp and tg tests, mean ± sd over repetitions), one row per backend.
package gale.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import gale.engine.inference.LlamaModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark prompt processing (pp) and generation (tg) like llama-bench: random tokens, mean ± sd over repetitions.")
final class BenchCommand implements Callable<Integer> {
    @Mixin ModelOptions model;

    @Option(names = {"-p", "--n-prompt"}, paramLabel = "N", defaultValue = "512", description = "Prompt tokens of the pp test; 0 skips it (default: ${DEFAULT-VALUE}).")
    int nPrompt;

    @Option(names = {"-n", "--n-gen"}, paramLabel = "N", defaultValue = "128", description = "Generated tokens of the tg test; 0 skips it (default: ${DEFAULT-VALUE}).")
    int nGen;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", defaultValue = "5", description = "Repetitions per test (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--backends", split = ",", paramLabel = "ID[,ID…]", description = "Devices to compare (default: --backend, which also takes a comma-separated list).")
    List<String> backends;

    @Option(names = "--json", description = "Print JSON rows instead of a markdown table.")
    boolean json;

    @Spec CommandSpec spec;

    /**
     * One result; JSON names follow llama-bench's (avg_ts, stddev_ts, samples_ts in tokens per second), plus the
     * untimed warm-up runs of the test before them (warmup_runs).
     */
    record Row(String model, long sizeBytes, long params, String backend, String device, String test, double avgTs, double stddevTs,
               double[] samplesTs, int warmupRuns) {}

    /** Most untimed runs of one test before its timed ones. */
    static final int MAX_WARMUP_RUNS = 8;
    /** The JIT counts as quiet when it compiled for at most this many milliseconds during a whole warm-up run. */
    static final long JIT_QUIET_MS = 20;

    /**
     * Runs {@code run} at least once, and again while the JIT compiler worked for more than {@link #JIT_QUIET_MS}
     * during the last run (at most {@link #MAX_WARMUP_RUNS} runs): a JVM's steady state is what llama-bench's single
     * warm-up run reaches for a native program. Returns the runs made.
     */
    static int warmUp(Runnable run) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        for (int runs = 1; ; runs++) {
            long before = timed ? jit.getTotalCompilationTime() : 0;
            run.run();
            if (!timed || runs >= MAX_WARMUP_RUNS || jit.getTotalCompilationTime() - before <= JIT_QUIET_MS) return runs;
        }
    }

    @Override public Integer call() throws Exception {
        if (reps < 1) throw new IllegalArgumentException("--repetitions must be >= 1, got " + reps);
        if (nPrompt < 0 || nGen < 0 || nPrompt + nGen == 0) throw new IllegalArgumentException("-p and -n must be >= 0 and not both 0, got -p " + nPrompt + " -n " + nGen);
        List<String> ids = backends != null ? backends : List.of(model.backend.split(","));
        java.io.PrintWriter out = spec.commandLine().getOut();
        List<Row> rows = new ArrayList<>();
        for (String id : ids) {
            try (LlamaModel m = LlamaModel.load(model.modelPath(), model.options(id))) {
                int vocab = m.config().vocabSize();
                // each test starts from an empty cache, as in llama-bench
                if (Math.max(nPrompt, nGen) > m.contextLength())
                    throw new IllegalArgumentException("pp" + nPrompt + "/tg" + nGen + " needs " + Math.max(nPrompt, nGen)
                            + " context positions, the model has " + m.contextLength() + " (see --ctx-size)");
                SplittableRandom rnd = new SplittableRandom(42);
                long params = m.parameterCount();
                // warm-up: whole pp and tg runs until the JIT is quiet (see warmUp). This compiles the device kernels
                // and lets C2 finish the jvm's Vector API twins: a 32-token warm-up left the first pp repetitions at a
                // third of the speed of the later ones, and after one whole tg run the first tg repetitions still ran
                // at 305–397 t/s against 470–615 for the later ones (Q8_0, 58M): C2 shares the 2 cores with the run.
                int ppWarm = warmUp(() -> { m.rewind(0); m.greedy(randomTokens(rnd, Math.max(1, nPrompt), vocab)); });
                int tgWarm = nGen == 0 ? 0 : warmUp(() -> {
                    m.rewind(0);
                    for (int i = 0; i < nGen; i++) m.greedy(new int[]{1 + i % (vocab - 1)});
                });
                if (nPrompt > 0) {
                    double[] s = new double[reps];
                    for (int r = 0; r < reps; r++) {
                        m.rewind(0);
                        int[] toks = randomTokens(rnd, nPrompt, vocab);
                        long t0 = System.nanoTime();
                        m.greedy(toks);
                        s[r] = nPrompt / ((System.nanoTime() - t0) / 1e9);
                    }
                    rows.add(row(m, params, "pp" + nPrompt, ppWarm, s));
                }
                if (nGen > 0) {
                    double[] s = new double[reps];
                    for (int r = 0; r < reps; r++) {
                        m.rewind(0);
                        int t = rnd.nextInt(vocab);
                        long t0 = System.nanoTime();
                        for (int i = 0; i < nGen; i++) t = m.greedy(new int[]{t});
                        s[r] = nGen / ((System.nanoTime() - t0) / 1e9);
                    }
                    rows.add(row(m, params, "tg" + nGen, tgWarm, s));
                }
            }
        }
        if (json) {
            out.println(new ObjectMapper().setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE).enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
        } else {
            out.println("| model | size | params | backend | device | test | t/s |");
            out.println("| --- | ---: | ---: | --- | --- | ---: | ---: |");
            for (Row r : rows)
                out.printf("| %s | %.2f MiB | %.2f M | %s | %s | %s | %.2f ± %.2f |%n", r.model, r.sizeBytes / 1048576.0,
                        r.params / 1e6, r.backend, r.device, r.test, r.avgTs, r.stddevTs);
        }
        out.flush();
        return 0;
    }

    private static Row row(LlamaModel m, long params, String test, int warmupRuns, double[] s) {
        double mean = 0;
        for (double x : s) mean += x;
        mean /= s.length;
        double var = 0;
        for (double x : s) var += (x - mean) * (x - mean);
        double sd = s.length > 1 ? Math.sqrt(var / (s.length - 1)) : 0;
        return new Row(m.name(), m.fileBytes(), params, m.device().id(), m.device().info().name(), test, mean, sd, s, warmupRuns);
    }

    private static int[] randomTokens(SplittableRandom r, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(vocab);
        return t;
    }

}
