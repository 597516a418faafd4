// `gale compare`: one model on several devices side by side — logits and greedy tokens of each against the first.
package gale.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gale.compute.Devices;
import gale.engine.inference.LlamaModel;
import gale.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Run one model on several devices and compare each with the first: the logits after the prompt and after",
                "each of -n greedy steps (NMSE and max |difference|, up to the first step where the greedy tokens part), and the",
                "greedy tokens. Exit 1 when a device's logits NMSE exceeds --tolerance, or when its greedy tokens part from the",
                "first device's at a step where the first device's best logit led the runner-up by more than --margin (not a tie)."})
final class CompareCommand implements Callable<Integer> {
    @Mixin ModelOptions model;

    @Option(names = {"-p", "--prompt"}, defaultValue = "And God said", paramLabel = "TEXT", description = "The prompt (default: ${DEFAULT-VALUE}).")
    String prompt;

    @Option(names = {"-n", "--steps"}, defaultValue = "16", paramLabel = "N", description = "Greedy steps after the prompt (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--backends", split = ",", paramLabel = "ID[,ID…]",
            description = "Devices, the first being the reference (default: --backend if it lists several, else every device present).")
    List<String> backends;

    @Option(names = "--tolerance", defaultValue = "1e-5", paramLabel = "NMSE", description = "Largest logits NMSE against the first device (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--margin", defaultValue = "0.01", paramLabel = "LOGIT",
            description = "A greedy divergence fails only if the first device's top-two logit gap there exceeds this (default: ${DEFAULT-VALUE}).")
    double margin;

    @Option(names = "--json", description = "Print JSON: one object per device.")
    boolean json;

    @Spec CommandSpec spec;

    /** What one device produced: the greedy tokens and the logits before each of them (steps + 1 vectors). */
    record Trace(String backend, String device, int[] promptIds, int[] tokens, List<float[]> logits) {}

    @Override public Integer call() throws Exception {
        if (steps < 0) throw new IllegalArgumentException("--steps must be >= 0, got " + steps);
        if (!(tolerance >= 0)) throw new IllegalArgumentException("--tolerance must be >= 0, got " + tolerance);
        List<String> ids = backends != null ? backends
                : model.backend.contains(",") ? List.of(model.backend.split(",")) : Devices.available();
        if (ids.size() < 2) throw new IllegalArgumentException("gale compare needs at least two devices, got " + ids + " (see `gale devices`)");
        List<Trace> traces = new ArrayList<>();
        for (String id : ids) traces.add(trace(id));
        Trace ref = traces.get(0);
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean ok = true;
        if (!json) {
            out.printf("reference: %s (%s); prompt %d tokens, %d greedy steps%n", ref.backend(), ref.device(), ref.promptIds().length, steps);
            out.println("| backend | device | logits NMSE (max) | max abs diff | greedy tokens equal | verdict |");
            out.println("| --- | --- | ---: | ---: | ---: | --- |");
        }
        for (Trace t : traces.subList(1, traces.size())) {
            int diverge = -1;
            for (int i = 0; i < steps; i++) if (t.tokens()[i] != ref.tokens()[i]) { diverge = i; break; }
            // logits are comparable up to and including the step whose argmax parted (same inputs until then)
            int comparable = diverge < 0 ? steps + 1 : diverge + 1;
            double nmse = 0, maxAbs = 0;
            for (int s = 0; s < comparable; s++) {
                nmse = Math.max(nmse, nmse(t.logits().get(s), ref.logits().get(s)));
                maxAbs = Math.max(maxAbs, maxAbs(t.logits().get(s), ref.logits().get(s)));
            }
            double gap = diverge < 0 ? Double.NaN : topTwoGap(ref.logits().get(diverge));
            String verdict;
            if (!(nmse <= tolerance)) verdict = "FAIL: NMSE above " + tolerance;
            else if (diverge >= 0 && gap > margin) verdict = String.format(Locale.ROOT, "FAIL: greedy parts at step %d (gap %.3g > %.3g)", diverge, gap, margin);
            else if (diverge >= 0) verdict = String.format(Locale.ROOT, "ok (parts at step %d on a near tie, gap %.3g)", diverge, gap);
            else verdict = "ok";
            ok &= verdict.startsWith("ok");
            int equal = diverge < 0 ? steps : diverge;
            if (!json) out.printf(Locale.ROOT, "| %s | %s | %.3g | %.3g | %d/%d | %s |%n", t.backend(), t.device(), nmse, maxAbs, equal, steps, verdict);
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("backend", t.backend());
            o.put("device", t.device());
            o.put("reference", ref.backend());
            o.put("logits_nmse", nmse);
            o.put("logits_max_abs_diff", maxAbs);
            o.put("steps", steps);
            o.put("greedy_equal_steps", equal);
            o.put("first_divergence", diverge < 0 ? null : diverge);
            o.put("reference_gap_at_divergence", diverge < 0 ? null : gap);
            o.put("token_ids", t.tokens());
            o.put("reference_token_ids", ref.tokens());
            o.put("ok", verdict.startsWith("ok"));
            o.put("verdict", verdict);
            rows.add(o);
        }
        if (json) out.println(new ObjectMapper().writeValueAsString(rows));
        out.flush();
        return ok ? 0 : 1;
    }

    private Trace trace(String id) throws Exception {
        try (LlamaModel m = LlamaModel.load(model.modelPath(), model.options(id))) {
            int[] promptIds = m.tokenizer().encode(prompt, true, Tokenizer.SpecialTokens.PLAIN_TEXT);
            if (promptIds.length + steps > m.contextLength())
                throw new IllegalArgumentException("prompt (" + promptIds.length + " tokens) + --steps " + steps
                        + " exceeds the context of " + m.contextLength() + " positions");
            List<float[]> logits = new ArrayList<>();
            int[] tokens = new int[steps];
            float[] l = m.logits(promptIds);
            logits.add(l);
            for (int i = 0; i < steps; i++) {
                tokens[i] = argmax(l);
                l = m.logits(new int[]{tokens[i]});
                logits.add(l);
            }
            return new Trace(m.device().id(), m.device().info().name(), promptIds, tokens, logits);
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** Σ(a − b)² / Σb²: ggml's test-backend-ops metric. */
    static double nmse(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < b.length; i++) {
            double d = (double) a[i] - b[i];
            num += d * d;
            den += (double) b[i] * b[i];
        }
        return den == 0 ? (num == 0 ? 0 : Double.POSITIVE_INFINITY) : num / den;
    }

    static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < b.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return Double.isNaN(m) ? Double.POSITIVE_INFINITY : m;
    }

    static double topTwoGap(float[] v) {
        float first = Float.NEGATIVE_INFINITY, second = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            if (x > first) { second = first; first = x; }
            else if (x > second) second = x;
        }
        return (double) first - second;
    }
}
