// Generator behaviour on synthetic models: determinism, stop strings, EOS, max tokens, context errors, NaN logits.
package gale.engine.inference;

import com.fasterxml.jackson.databind.JsonNode;
import gale.compute.Device;
import gale.compute.Devices;
import gale.engine.generate.NonFiniteLogitsException;
import gale.engine.generate.SamplingParams;
import gale.engine.gguf.GgufFile;
import gale.engine.gguf.GgufTensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {
    @TempDir static Path dir;

    static final String PROMPT = "the quick brown fox jumps over the lazy dog. Hi!";

    static LlamaModel load(String name) throws Exception {
        return LlamaModel.load(LlamaCppModels.write(dir, name), LlamaModel.Options.defaults());
    }

    static int[] prompt(LlamaModel m) {
        return m.tokenizer().encode(PROMPT, true, gale.tokenizer.Tokenizer.SpecialTokens.PLAIN_TEXT);
    }

    static Generator.Result run(LlamaModel m, int[] prompt, SamplingParams p, int max, List<String> stops, StringBuilder streamed) {
        m.rewind(0);
        return new Generator(m).generate(new Generator.Request(prompt, p, max, stops), streamed::append);
    }

    @Test void sameSeedSameTokensOtherSeedsDiffer() throws Exception {
        try (LlamaModel m = load("f32-gqa")) {
            int[] prompt = prompt(m);
            SamplingParams hot = new SamplingParams(1.5f, 0, 1f, 0f, 1.1f, 64, 42);
            Generator.Result a = run(m, prompt, hot, 12, List.of(), new StringBuilder());
            Generator.Result b = run(m, prompt, hot, 12, List.of(), new StringBuilder());
            assertArrayEquals(a.tokenIds(), b.tokenIds(), "same seed, same tokens");
            assertEquals(a.text(), b.text());
            Set<String> seen = new HashSet<>();
            for (long seed = 1; seed <= 4; seed++)
                seen.add(Arrays.toString(run(m, prompt, new SamplingParams(1.5f, 0, 1f, 0f, 1.1f, 64, seed), 12, List.of(), new StringBuilder()).tokenIds()));
            assertTrue(seen.size() > 1, "four seeds at temperature 1.5 all gave " + seen);
        }
    }

    @Test void maxTokensAndStreamingEqualText() throws Exception {
        try (LlamaModel m = load("f32-gqa")) {
            int[] prompt = prompt(m);
            StringBuilder streamed = new StringBuilder();
            Generator.Result r = run(m, prompt, SamplingParams.greedy(), 5, List.of(), streamed);
            assertEquals(5, r.tokenIds().length);
            assertEquals(Generator.StopReason.MAX_TOKENS, r.stopReason());
            assertEquals(r.text(), streamed.toString(), "streamed chunks add up to the text");
            // the last generated token is not run: prompt + 4 positions are cached
            assertEquals(prompt.length + 4, m.position());
        }
    }

    /** A stop string made of the end of one token's text and the start of the next one's. */
    @Test void stopStringSpanningTokens() throws Exception {
        try (LlamaModel m = load("f32-gqa-ropefreqs")) {
            int[] prompt = prompt(m);
            Generator.Result full = run(m, prompt, SamplingParams.greedy(), 16, List.of(), new StringBuilder());
            String stop = null;
            for (int i = 1; i + 1 < full.tokenIds().length && stop == null; i++) {
                String a = piece(m, full.tokenIds()[i]), b = piece(m, full.tokenIds()[i + 1]);
                if (!a.isEmpty() && !b.isEmpty() && (a + b).chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f))
                    stop = a.substring(a.length() - 1) + b;
            }
            assertTrue(stop != null, "no two adjacent ASCII tokens in " + Arrays.toString(full.tokenIds()));
            int at = full.text().indexOf(stop);
            assertTrue(at > 0, stop + " not in " + full.text());
            StringBuilder streamed = new StringBuilder();
            Generator.Result r = run(m, prompt, SamplingParams.greedy(), 16, List.of("never-generated", stop), streamed);
            System.out.printf("stop string \"%s\" after %d of %d tokens: \"%s\"%n", stop, r.tokenIds().length, full.tokenIds().length, r.text());
            assertEquals(Generator.StopReason.STOP_STRING, r.stopReason());
            assertEquals(full.text().substring(0, at), r.text(), "text up to (not including) the stop string");
            assertEquals(r.text(), streamed.toString(), "nothing of the stop string was streamed");
            assertTrue(r.tokenIds().length < full.tokenIds().length);
            assertArrayEquals(Arrays.copyOf(full.tokenIds(), r.tokenIds().length), r.tokenIds());
        }
    }

    /** A generated token's text, as the generator streams it (space prefix kept). */
    static String piece(LlamaModel m, int id) {
        var d = m.tokenizer().streamingDecoder(false, false);
        return d.push(id) + d.finish();
    }

    /** llama.cpp's greedy continuation of q4_0-gqa reaches EOS (id 2) after 12 tokens: Gale stops there too. */
    @Test void stopsAtEndOfGeneration() throws Exception {
        JsonNode g = null;
        for (JsonNode model : LlamaCppGoldenTest.golden().get("models")) if (model.get("name").asText().equals("q4_0-gqa")) g = model;
        int[] expected = LlamaCppGoldenTest.ints(g.get("greedy_ids"));
        assertEquals(2, expected[12], "golden data: EOS at step 12");
        try (LlamaModel m = load("q4_0-gqa")) {
            assertTrue(m.endOfGeneration().contains(2));
            Generator.Result r = run(m, prompt(m), SamplingParams.greedy(), 21, List.of(), new StringBuilder());
            assertEquals(Generator.StopReason.END_OF_GENERATION, r.stopReason());
            assertArrayEquals(Arrays.copyOf(expected, 12), r.tokenIds(), "tokens before EOS, EOS itself left out");
            assertFalse(r.text().contains("</s>"));
        }
    }

    @Test void contextOverflowIsAClearError() throws Exception {
        try (LlamaModel m = load("f32-gqa")) {
            int[] prompt = prompt(m);   // 43 tokens, context 64
            assertEquals(64, m.contextLength());
            var e = assertThrows(LlamaModel.ContextFullException.class,
                    () -> run(m, prompt, SamplingParams.greedy(), 30, List.of(), new StringBuilder()));
            System.out.println("context overflow: " + e.getMessage());
            assertTrue(e.getMessage().contains("prompt (43 tokens) + max tokens (30)") && e.getMessage().contains("64"), e.getMessage());
            assertEquals(0, m.position(), "nothing ran");
            // exactly filling the context is fine
            assertEquals(21, run(m, prompt, SamplingParams.greedy(), 21, List.of(), new StringBuilder()).tokenIds().length);
            // a prompt longer than the context
            int[] huge = new int[70];
            Arrays.fill(huge, 300);
            var e2 = assertThrows(LlamaModel.ContextFullException.class, () -> run(m, huge, SamplingParams.greedy(), 1, List.of(), new StringBuilder()));
            assertTrue(e2.getMessage().contains("prompt (70 tokens)"), e2.getMessage());
        }
    }

    /** A model whose output norm holds a NaN: greedy (device argmax) and sampling both fail with NonFiniteLogitsException. */
    @TestFactory List<DynamicTest> nonFiniteLogitsFailTheRequest() throws Exception {
        Path nan = dir.resolve("nan.gguf");
        Files.copy(LlamaCppModels.write(dir, "f32-gqa"), nan);
        long at;
        try (GgufFile f = GgufFile.open(nan)) {
            GgufTensor t = f.tensor("output_norm.weight");
            at = t.fileOffset() + 4 * 7;
        }
        try (FileChannel ch = FileChannel.open(nan, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, Float.NaN), at);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Devices.all()) {
            for (boolean greedy : new boolean[]{true, false}) {
                tests.add(DynamicTest.dynamicTest(d.id() + (greedy ? " greedy" : " sampling"), () -> {
                    try (LlamaModel m = LlamaModel.load(nan, LlamaModel.Options.defaults().withBackend(d.id()))) {
                        SamplingParams p = greedy ? SamplingParams.greedy() : SamplingParams.defaults(7);
                        var e = assertThrows(NonFiniteLogitsException.class,
                                () -> new Generator(m).generate(new Generator.Request(new int[]{1, 300, 301}, p, 4, List.of()), s -> {}));
                        System.out.println(d.id() + (greedy ? " greedy: " : " sampling: ") + e.getMessage());
                    }
                }));
            }
        }
        return tests;
    }
}
