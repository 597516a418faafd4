// Gale against llama.cpp itself: tokens, greedy continuations and logits recorded from llama.cpp on synthetic GGUFs.
package gale.engine.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gale.compute.Device;
import gale.compute.Devices;
import gale.engine.generate.SamplingParams;
import gale.tokenizer.Tokenizer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden data from llama.cpp (node-llama-cpp 3.21.1, CPU, one thread, F32 KV cache, no flash attention; see
 * {@code engine/src/test/golden/generate.mjs} and {@code README.md} there). For each synthetic model of
 * {@link LlamaCppModels}: the prompt's ids, llama.cpp's 16 greedy tokens and, at every position that chose one of
 * them, the log-probabilities relative to the best token (= logit − max logit, since node-llama-cpp exposes softmax
 * probabilities, not logits): all of them after the prompt, the top 32 after each generated token.
 *
 * <p>Checks on every device: (1) the GGUF Gale writes is byte-identical to the one llama.cpp ran (SHA-256);
 * (2) Gale's prompt tokenization equals llama.cpp's; (3) teacher-forced on llama.cpp's tokens, Gale's logit − max
 * at every recorded position is within the type's tolerance, and its argmax equals llama.cpp's token wherever
 * llama.cpp's top-2 margin exceeds twice that tolerance; (4) Gale's own greedy generation equals llama.cpp's 16
 * tokens, except that a divergence is accepted (and printed) at a step where llama.cpp's top-2 margin is below the
 * tolerance — for F32 models there is no such step in the data, so their tokens must match exactly. Where
 * llama.cpp's continuation contains an end-of-generation id (its controlled evaluation does not stop there), Gale must
 * stop there with {@link Generator.StopReason#END_OF_GENERATION}.
 *
 * <p>Tolerances on logit − max logit (logits have standard deviation ≈ 4 to 16 here): F32 weights 2e-3 (float
 * rounding in different summation orders); F16/BF16 and Q8_0/Q4_0/Q4_K/Q6_K weights: llama.cpp rounds the activations
 * to the weight's dot-product type (F16, BF16, Q8_0 or Q8_K) before each mat-mul, Gale keeps them in float, so the
 * difference is that rounding, propagated: 0.05 for F16, 0.25 for BF16, 0.25 for 8-bit, 0.5 for 6- and 4-bit types.
 */
class LlamaCppGoldenTest {
    @TempDir static Path dir;

    static JsonNode golden() throws Exception {
        try (InputStream in = LlamaCppGoldenTest.class.getResourceAsStream("/gale/engine/llamacpp/golden.json")) {
            assertNotNull(in, "golden.json missing from test resources");
            return new ObjectMapper().readTree(in);
        }
    }

    static double tolerance(String type) {
        return switch (type) {
            case "F32" -> 2e-3;
            case "F16" -> 0.05;
            case "BF16", "Q8_0" -> 0.25;
            default -> 0.5;
        };
    }

    /** Writes the models for the generator script (only when -Dgale.golden.out=DIR is given). */
    @Test @EnabledIfSystemProperty(named = "gale.golden.out", matches = ".+")
    void writeModels() throws Exception {
        Path out = Path.of(System.getProperty("gale.golden.out"));
        Files.createDirectories(out);
        for (String name : LlamaCppModels.all().keySet()) {
            Path p = LlamaCppModels.write(out, name);
            System.out.println(p + " " + LlamaCppModels.sha256(p));
        }
    }

    @TestFactory List<DynamicTest> matchesLlamaCpp() throws Exception {
        JsonNode g = golden();
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Devices.all())
            for (JsonNode model : g.get("models"))
                tests.add(DynamicTest.dynamicTest(d.id() + " " + model.get("name").asText(), () -> check(d, model)));
        return tests;
    }

    static void check(Device d, JsonNode golden) throws Exception {
        String name = golden.get("name").asText();
        Path file = LlamaCppModels.write(dir, name);
        assertEquals(golden.get("sha256").asText(), LlamaCppModels.sha256(file), name + ": the GGUF Gale writes differs from the one llama.cpp ran");
        check(d, golden, file, tolerance(LlamaCppModels.all().get(name).type().name()));
    }

    /**
     * Checks one device against one recorded model: tokenization, teacher-forced logits within {@code tol}, argmax where
     * llama.cpp's margin is clear, and free-running greedy generation.
     */
    static void check(Device d, JsonNode golden, Path file, double tol) throws Exception {
        String name = golden.get("name").asText();
        int[] promptIds = ints(golden.get("prompt_ids"));
        int[] tokens = ints(golden.get("greedy_ids"));
        JsonNode positions = golden.get("positions");
        String tag = d.id() + " " + name;
        try (LlamaModel m = LlamaModel.load(file, new LlamaModel.Options(d.id(), LlamaModel.CacheType.F32, 0, 8))) {
            // (2) tokenization
            assertArrayEquals(promptIds, m.tokenizer().encode(golden.get("prompt").asText(), true, Tokenizer.SpecialTokens.PLAIN_TEXT),
                    tag + ": prompt tokenization");
            // (3) teacher-forced logits
            double maxErr = 0;
            int checkedArgmax = 0;
            for (int step = 0; step < tokens.length; step++) {
                float[] logits = m.logits(step == 0 ? promptIds : new int[]{tokens[step - 1]});
                JsonNode pos = positions.get(step);
                double max = Double.NEGATIVE_INFINITY;
                int best = 0;
                for (int i = 0; i < logits.length; i++) if (logits[i] > max) { max = logits[i]; best = i; }
                for (Iterator<Map.Entry<String, JsonNode>> it = pos.get("logit_minus_max").fields(); it.hasNext(); ) {
                    var e = it.next();
                    int id = Integer.parseInt(e.getKey());
                    double err = Math.abs((logits[id] - max) - e.getValue().asDouble());
                    maxErr = Math.max(maxErr, err);
                    assertTrue(err <= tol, tag + " step " + step + " token " + id + ": |Δ(logit − max)| = " + err + " > " + tol);
                }
                double margin = pos.get("top2_margin").asDouble();
                if (margin > 2 * tol) {
                    assertEquals(tokens[step], best, tag + " step " + step + ": argmax (llama.cpp margin " + margin + ")");
                    checkedArgmax++;
                }
            }
            System.out.printf("%-34s teacher-forced: max |Δ(logit − max)| = %.3e over %d positions (tolerance %.1e), argmax equal at %d of %d%n",
                    tag, maxErr, tokens.length, tol, checkedArgmax, tokens.length);
            // (4) free-running greedy generation
            m.rewind(0);
            var request = new Generator.Request(promptIds, SamplingParams.greedy(), tokens.length, List.of());
            Generator.Result result = new Generator(m).generate(request, s -> {});
            int[] got = result.tokenIds();
            // llama.cpp's controlled evaluation does not stop at end of generation; Gale does (and leaves the id out)
            int expectedLength = tokens.length;
            for (int i = 0; i < tokens.length; i++) if (m.endOfGeneration().contains(tokens[i])) { expectedLength = i; break; }
            int agree = 0;
            while (agree < Math.min(got.length, expectedLength) && got[agree] == tokens[agree]) agree++;
            if (agree == expectedLength && got.length == expectedLength) {
                if (expectedLength < tokens.length)
                    assertEquals(Generator.StopReason.END_OF_GENERATION, result.stopReason(), tag + ": stop at llama.cpp's EOS " + tokens[expectedLength]);
                System.out.printf("%-34s greedy: all %d tokens equal llama.cpp's%s%n", tag, expectedLength,
                        expectedLength < tokens.length ? " (then both end of generation)" : "");
            } else {
                double margin = positions.get(agree).get("top2_margin").asDouble();
                System.out.printf("%-34s greedy diverges at step %d (llama.cpp %d, Gale %s; llama.cpp top-2 margin %.2e)%n",
                        tag, agree, tokens[agree], agree < got.length ? Integer.toString(got[agree]) : "end", margin);
                assertTrue(margin < tol, tag + ": greedy tokens diverge at step " + agree + " where llama.cpp's top-2 margin is "
                        + margin + " (≥ tolerance " + tol + "): Gale " + java.util.Arrays.toString(got) + ", llama.cpp "
                        + java.util.Arrays.toString(tokens));
            }
        }
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }
}
