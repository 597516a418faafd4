// The gale command line in-process: help, one-line typed errors with non-zero exits, valid JSON, scripted chat.
package gale.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gale.compute.Devices;
import gale.engine.gguf.GgmlType;
import gale.engine.synthetic.SyntheticLlama;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    @TempDir static Path dir;
    static Path model, truncated, notGguf;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PROMPT = "the quick brown fox jumps over the lazy dog. Hi!";

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception { return JSON.readTree(out); }

        /** The error output is exactly one line starting with "gale: ". */
        String oneLineError() {
            List<String> lines = err.strip().lines().toList();
            assertEquals(1, lines.size(), "one line of error, got:\n" + err);
            assertTrue(lines.get(0).startsWith("gale: "), lines.get(0));
            return lines.get(0);
        }
    }

    static Run gale(String... args) { return galeWithInput("", args); }

    static Run galeWithInput(String stdin, String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        InputStream in = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int exit = cl.execute(args);
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setIn(in);
        }
    }

    @BeforeAll static void models() throws Exception {
        // the f32-gqa model of the llama.cpp golden data (LlamaCppModels): context 64, vocab 320
        model = dir.resolve("f32-gqa.gguf");
        SyntheticLlama.tiny(GgmlType.F32).withLogitScale(4).write(model);
        truncated = dir.resolve("truncated.gguf");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(model), 5000));
        notGguf = dir.resolve("text.gguf");
        Files.writeString(notGguf, "this is not a GGUF file at all\n");
    }

    static JsonNode golden() throws Exception {
        try (InputStream in = CliTest.class.getResourceAsStream("/gale/engine/llamacpp/golden.json")) {
            return JSON.readTree(in).get("models").get(0);
        }
    }

    @ParameterizedTest @ValueSource(strings = {"run", "chat", "bench", "compare", "tokenize", "logits", "devices", "selftest", "synthetic"})
    void help(String command) {
        Run r = gale(command, "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Usage: gale " + command), r.out());
    }

    @Test void topLevelHelpAndVersion() {
        Run h = gale("--help");
        assertEquals(0, h.exit());
        for (String c : new String[]{"run", "chat", "bench", "compare", "tokenize", "logits", "devices", "selftest", "synthetic"})
            assertTrue(h.out().contains(c), "help lists " + c);
        Run v = gale("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("gale "), v.out());
    }

    @ParameterizedTest @ValueSource(strings = {"run", "chat", "bench", "tokenize", "logits"})
    void missingFile(String command) {
        Run r = command.equals("tokenize") ? gale(command, "--model", "/no/such/model.gguf", "--text", "x")
                : gale(command, "--model", "/no/such/model.gguf", "--prompt", "x");
        if (command.equals("chat") || command.equals("bench")) r = gale(command, "--model", "/no/such/model.gguf");
        assertEquals(1, r.exit());
        assertTrue(r.oneLineError().contains("no such file"), r.err());
    }

    @ParameterizedTest @ValueSource(strings = {"run", "chat", "bench", "tokenize", "logits"})
    void malformedGguf(String command) {
        for (Path bad : new Path[]{truncated, notGguf}) {
            Run r = switch (command) {
                case "tokenize" -> gale(command, "--model", bad.toString(), "--text", "x");
                case "run", "logits" -> gale(command, "--model", bad.toString(), "--prompt", "x");
                default -> gale(command, "--model", bad.toString());
            };
            assertEquals(1, r.exit(), r.err());
            String line = r.oneLineError();
            assertTrue(line.contains(bad.toString()) && line.contains("offset"), "names the file and the offset: " + line);
        }
    }

    @Test void badBackend() {
        for (String b : new String[]{"nosuch", "opencl:99"}) {
            Run r = gale("run", "--model", model.toString(), "--prompt", "x", "--backend", b);
            assertEquals(1, r.exit());
            assertTrue(r.oneLineError().contains(b), r.err());
        }
        Run r = gale("bench", "--model", model.toString(), "--backend", "jvm,nosuch", "-p", "8", "-n", "2", "-r", "1");
        assertEquals(1, r.exit());
        assertTrue(r.oneLineError().contains("nosuch"), r.err());
    }

    @Test void badOptionValuesAreOneLineWithExitCode2() {
        for (String[] args : new String[][]{{"run", "--model", "m", "--prompt", "x", "--max-tokens", "abc"},
                {"run", "--model", "m", "--prompt", "x", "--kv-cache", "Q3"}, {"run", "--no-such-option"},
                {"tokenize", "--model", "m"}}) {
            Run r = gale(args);
            assertEquals(2, r.exit(), String.join(" ", args));
            assertTrue(r.oneLineError().contains("--help"), r.err());
        }
        // values that parse but are invalid
        Run r = gale("run", "--model", model.toString(), "--prompt", "x", "--top-p", "0");
        assertEquals(1, r.exit());
        assertTrue(r.oneLineError().contains("top-p"), r.err());
    }

    @Test void promptTooLong() {
        Run r = gale("run", "--model", model.toString(), "--prompt", PROMPT, "--max-tokens", "30", "--temperature", "0");
        assertEquals(1, r.exit());
        assertTrue(r.oneLineError().contains("exceeds the free context"), r.err());
        assertEquals("", r.out(), "nothing printed before the error");
        Run l = gale("logits", "--model", model.toString(), "--prompt", PROMPT.repeat(3));
        assertEquals(1, l.exit());
        assertTrue(l.oneLineError().contains("context"), l.err());
        Run b = gale("bench", "--model", model.toString(), "-p", "512", "-n", "8", "-r", "1");
        assertEquals(1, b.exit());
        assertTrue(b.oneLineError().contains("context"), b.err());
    }

    @Test void runJson() throws Exception {
        JsonNode g = golden();
        Run r = gale("run", "--model", model.toString(), "--prompt", PROMPT, "--max-tokens", "8", "--temperature", "0", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode o = r.json();
        for (String f : new String[]{"prompt_token_ids", "token_ids", "text", "stop_reason", "backend", "device",
                "prompt_tokens_per_second", "tokens_per_second", "load_seconds"})
            assertTrue(o.has(f), "field " + f + " in " + o);
        assertEquals(g.get("prompt_ids"), o.get("prompt_token_ids"), "llama.cpp's prompt ids");
        for (int i = 0; i < 8; i++) assertEquals(g.get("greedy_ids").get(i).asInt(), o.get("token_ids").get(i).asInt(), "llama.cpp's greedy token " + i);
        assertEquals("jvm", o.get("backend").asText());
    }

    @Test void runStreamsPromptAndText() {
        Run r = gale("run", "--model", model.toString(), "--prompt", "hello", "--max-tokens", "4", "--seed", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("hello"), r.out());
        assertTrue(r.err().contains("generated 4 tokens"), r.err());
    }

    @Test void tokenizeJsonAndTable() throws Exception {
        JsonNode g = golden();
        Run r = gale("tokenize", "--model", model.toString(), "--text", PROMPT, "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode o = r.json();
        assertEquals(g.get("prompt_ids"), o.get("ids"));
        assertEquals(o.get("ids").size(), o.get("pieces").size());
        assertEquals("<s>", o.get("pieces").get(0).asText());
        Run t = gale("tokenize", "--model", model.toString(), "--text", "Hi");
        assertEquals(0, t.exit());
        assertEquals(6, t.out().strip().lines().count(), t.out());   // <s>, the space prefix ▁ as 3 bytes, <0x48>, i
    }

    @Test void logitsJsonMatchesLlamaCpp() throws Exception {
        JsonNode g = golden();
        for (String flag : new String[]{"--json", null}) {
            Run r = flag == null ? gale("logits", "--model", model.toString(), "--prompt", PROMPT)
                    : gale("logits", "--model", model.toString(), "--prompt", PROMPT, flag);
            assertEquals(0, r.exit(), r.err());
            JsonNode o = r.json();
            assertEquals(g.get("prompt_ids"), o.get("prompt_token_ids"));
            JsonNode logits = o.get("logits");
            assertEquals(320, logits.size());
            double max = Double.NEGATIVE_INFINITY;
            for (JsonNode x : logits) max = Math.max(max, x.asDouble());
            double err = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = g.get("positions").get(0).get("logit_minus_max").fields(); it.hasNext(); ) {
                var e = it.next();
                err = Math.max(err, Math.abs(logits.get(Integer.parseInt(e.getKey())).asDouble() - max - e.getValue().asDouble()));
            }
            assertTrue(err < 2e-3, "logit − max vs llama.cpp: " + err);
        }
    }

    @Test void benchJsonAndTable() throws Exception {
        List<String> backends = new ArrayList<>(List.of("jvm"));
        if (Devices.available().contains("opencl:0")) backends.add("opencl:0");
        Run r = gale("bench", "--model", model.toString(), "-p", "16", "-n", "4", "-r", "2", "--backend", String.join(",", backends), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode rows = r.json();
        assertEquals(2 * backends.size(), rows.size(), rows.toString());
        for (JsonNode row : rows) {
            for (String f : new String[]{"model", "size_bytes", "params", "backend", "device", "test", "avg_ts", "stddev_ts", "samples_ts", "warmup_runs"})
                assertTrue(row.has(f), f + " in " + row);
            assertTrue(row.get("avg_ts").asDouble() > 0);
            assertEquals(2, row.get("samples_ts").size());
            int warm = row.get("warmup_runs").asInt();          // until the JIT is quiet: at least one, at most the cap
            assertTrue(warm >= 1 && warm <= 8, "warmup_runs " + warm);
        }
        assertEquals("pp16", rows.get(0).get("test").asText());
        assertEquals("tg4", rows.get(1).get("test").asText());
        assertEquals(parameters(SyntheticLlama.tiny(GgmlType.F32)), rows.get(0).get("params").asLong());
        // a tied output shares token_embd.weight: counted once, as llama-bench counts it
        SyntheticLlama tied = SyntheticLlama.tiny(GgmlType.F32).withTied(true);
        Path tiedModel = dir.resolve("tied.gguf");
        tied.write(tiedModel);
        Run tr = gale("bench", "--model", tiedModel.toString(), "-p", "4", "-n", "0", "-r", "1", "--json");
        assertEquals(0, tr.exit(), tr.err());
        assertEquals(parameters(tied), tr.json().get(0).get("params").asLong());
        Run t = gale("bench", "--model", model.toString(), "-p", "16", "-n", "4", "-r", "1");
        assertEquals(0, t.exit(), t.err());
        assertEquals(4, t.out().strip().lines().count(), t.out());   // header, separator, pp16, tg4
    }

    private static long parameters(SyntheticLlama s) {
        long dim = s.dim(), kv = (long) dim / s.heads() * s.kvHeads(), ff = s.ffn();
        return (s.tiedOutput() ? 1 : 2) * s.vocab() * dim + dim + s.layers() * (2 * dim + 2 * dim * dim + 2 * kv * dim + 3 * dim * ff);
    }

    @Test void compareBackendsSideBySide() throws Exception {
        // the same device twice: bit-identical logits and tokens
        Run same = gale("compare", "--model", model.toString(), "--backends", "jvm,jvm", "-n", "6", "--json");
        assertEquals(0, same.exit(), same.err());
        JsonNode row = same.json().get(0);
        assertEquals(0.0, row.get("logits_nmse").asDouble());
        assertEquals(6, row.get("greedy_equal_steps").asInt());
        assertTrue(row.get("ok").asBoolean());
        if (Devices.available().contains("opencl:0")) {
            Run r = gale("compare", "--model", model.toString(), "--backends", "jvm,opencl:0", "-n", "6", "--json");
            assertEquals(0, r.exit(), r.out() + r.err());
            JsonNode o = r.json().get(0);
            System.out.printf("compare jvm vs opencl:0: NMSE %.3g, max |diff| %.3g, %d/6 greedy tokens equal%n",
                    o.get("logits_nmse").asDouble(), o.get("logits_max_abs_diff").asDouble(), o.get("greedy_equal_steps").asInt());
            assertTrue(o.get("logits_nmse").asDouble() < 1e-5);
            Run table = gale("compare", "--model", model.toString(), "--backends", "jvm,opencl:0", "-n", "2");
            assertEquals(0, table.exit(), table.err());
            assertTrue(table.out().contains("| opencl:0 |"), table.out());
            // a tolerance no two devices' float sums meet: the verdict must fail (exit 1), not pass silently
            if (o.get("logits_nmse").asDouble() > 0) {
                Run strict = gale("compare", "--model", model.toString(), "--backends", "jvm,opencl:0", "-n", "2", "--tolerance", "0");
                assertEquals(1, strict.exit(), strict.out());
                assertTrue(strict.out().contains("FAIL: NMSE"), strict.out());
            }
        }
        Run one = gale("compare", "--model", model.toString(), "--backends", "jvm");
        assertEquals(1, one.exit());
        assertTrue(one.err().contains("at least two devices"), one.err());
    }

    @Test void chatIsScriptableFromStdin() {
        Run r = galeWithInput("hi\n\n/exit\nnever read\n", "chat", "--model", model.toString(), "--max-tokens", "3", "--temperature", "0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("template"), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.contains("prefilled")).count(), "one turn (blank line skipped, /exit stops): " + r.err());
        // end of input ends the chat too
        Run eof = galeWithInput("hi\n", "chat", "--model", model.toString(), "--max-tokens", "3", "--temperature", "0");
        assertEquals(0, eof.exit(), eof.err());
    }

    @Test void syntheticWritesALoadableModel() throws Exception {
        Path out = dir.resolve("synthetic-q8.gguf");
        Run r = gale("synthetic", "--shape", "tiny", "--type", "Q8_0", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        Run t = gale("tokenize", "--model", out.toString(), "--text", "hi", "--json");
        assertEquals(0, t.exit(), t.err());
        Run bad = gale("synthetic", "--shape", "huge", "--out", out.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.oneLineError().contains("--shape"), bad.err());
    }

    /** `gale run` with no --model: the bundled demo model under gale.home (the launcher sets it to the repository root). */
    @Test void runDefaultsToTheBundledDemoModel() throws Exception {
        String old = System.getProperty("gale.home");
        try {
            System.setProperty("gale.home", "..");   // tests run in engine/
            Run r = gale("run", "-n", "8", "--temperature", "0", "--json");
            assertEquals(0, r.exit(), r.err());
            JsonNode demo;
            try (InputStream in = CliTest.class.getResourceAsStream("/gale/engine/llamacpp/demo-model.json")) {
                demo = JSON.readTree(in).get("models").get(0);
            }
            assertEquals(demo.get("prompt_ids"), r.json().get("prompt_token_ids"), "default prompt \"And God said\"");
            Iterator<JsonNode> expected = demo.get("greedy_ids").elements();
            for (JsonNode id : r.json().get("token_ids")) assertEquals(expected.next(), id, "greedy tokens = llama.cpp's");
            assertEquals(8, r.json().get("token_ids").size());

            System.setProperty("gale.home", dir.toString());
            assertTrue(gale("run", "-n", "1").oneLineError().contains("bundled demo model"), "missing demo model");
        } finally {
            if (old == null) System.clearProperty("gale.home"); else System.setProperty("gale.home", old);
        }
    }
}
