// The trainer end to end on a tiny model: recipe validation, loss going down, bit-exact resume, GGUF export read back
// by the inference path with the same loss, fine-tuning with chat masking, and clear errors.
package gale.engine.train;

import gale.engine.chat.ChatTemplate;
import gale.engine.gguf.GgmlType;
import gale.engine.gguf.GgufFile;
import gale.engine.gguf.GgufTensor;
import gale.engine.inference.LlamaModel;
import gale.engine.synthetic.SyntheticLlama;
import gale.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    @TempDir static Path dir;
    static Path corpus;

    /** A small corpus from a tiny grammar: learnable structure, deterministic. */
    @BeforeAll
    static void corpus() throws IOException {
        String[] who = {"the king", "a shepherd", "the people", "my servant", "the angel"};
        String[] did = {"went up to", "spake unto", "looked upon", "came down from", "blessed"};
        String[] what = {"the city", "the mountain", "the house of the lord", "the river", "the field"};
        Random r = new Random(42);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            sb.append(cap(who[r.nextInt(who.length)])).append(' ').append(did[r.nextInt(did.length)]).append(' ')
                    .append(what[r.nextInt(what.length)]).append(i % 7 == 0 ? ", and it was good 1" + (i % 10) : "").append(".\n");
        }
        corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, sb.toString());
    }

    private static String cap(String s) { return Character.toUpperCase(s.charAt(0)) + s.substring(1); }

    private static TrainRecipe tiny(int steps, int checkpointEvery) throws IOException {
        TrainRecipe r = TrainRecipe.preset("tiny");
        TrainRecipe.Training t = r.training();
        t = new TrainRecipe.Training(t.batch(), t.seqLen(), t.accumulation(), steps, t.learningRate(), t.minLearningRate(), t.warmupSteps(),
                t.weightDecay(), t.beta1(), t.beta2(), t.eps(), t.clipNorm(), 5, t.evalBatches(), checkpointEvery, t.seed());
        return new TrainRecipe(r.name(), r.model(), r.tokenizer(), new TrainRecipe.Data(List.of(corpus.toString()), 0.05), t, r.export());
    }

    private static Trainer.Options opts(Path out, Integer steps, Path resume) {
        return new Trainer.Options("jvm", out, steps, resume, System.err, null);
    }

    @Test
    void lossGoesDownAndExportRunsWithTheSameLoss() throws Exception {
        Path out = dir.resolve("run1");
        Trainer.Result r = Trainer.train(tiny(30, 30), opts(out, null, null));
        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("train-log.jsonl")))
            losses.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("loss").asDouble());
        double first = losses.get(0), last = losses.get(losses.size() - 1);
        System.out.printf("tiny run: loss %.4f -> %.4f over %d steps, validation %.4f%n", first, last, losses.size(), r.validationLoss());
        assertTrue(first > Math.log(320) - 1, "initial loss near ln(vocab): " + first);
        assertTrue(last < first - 1.0, "loss fell by more than 1 nat: " + first + " -> " + last);
        assertTrue(Files.size(r.model()) > 0);

        // The F32 checkpoint through the inference path gives the trainer's own loss on a sequence.
        Path ckpt = Trainer.checkpointDir(out).resolve("model.gguf");
        try (LlamaModel m = LlamaModel.load(ckpt, new LlamaModel.Options("jvm", LlamaModel.CacheType.F32, 64, 32));
             GgufFile f = GgufFile.open(ckpt)) {
            Tokenizer tk = m.tokenizer();
            int[] ids = tk.encode("The king went up to the city.", true, Tokenizer.SpecialTokens.PLAIN_TEXT);
            int n = ids.length - 1;
            double inferenceLoss = 0;
            for (int i = 0; i < n; i++) {
                float[] logits = m.logits(new int[]{ids[i]});
                double mx = Double.NEGATIVE_INFINITY, z = 0;
                for (float v : logits) mx = Math.max(mx, v);
                for (float v : logits) z += Math.exp(v - mx);
                inferenceLoss += -(logits[ids[i + 1]] - mx - Math.log(z));
            }
            var params = new java.util.LinkedHashMap<String, float[]>();
            for (GgufTensor t : f.tensors()) params.put(t.name(), t.dequantize());
            int seq = 32;
            int[] toks = new int[seq], tgts = new int[seq];
            java.util.Arrays.fill(tgts, -1);
            for (int i = 0; i < n; i++) { toks[i] = ids[i]; tgts[i] = ids[i + 1]; }
            try (TrainableLlama t = TrainableLlama.fromTensors(m.config(), params, gale.compute.Devices.select("jvm"), 1, seq)) {
                TrainableLlama.Loss l = t.evaluate(toks, tgts);
                System.out.printf("loss of one sentence: trainer %.6f, inference path %.6f (|Δ| %.2e)%n", l.sum(), inferenceLoss, Math.abs(l.sum() - inferenceLoss));
                assertEquals(n, l.tokens());
                assertEquals(inferenceLoss, l.sum(), 1e-3 * Math.max(1, inferenceLoss));
            }
        }
        // And the Q8_0 export loads and generates.
        try (LlamaModel m = LlamaModel.load(r.model(), LlamaModel.Options.defaults())) {
            int tok = m.greedy(m.tokenizer().encode("The king", true, Tokenizer.SpecialTokens.PLAIN_TEXT));
            assertTrue(tok >= 0 && tok < 320);
            try (GgufFile f = GgufFile.open(r.model())) {
                assertEquals(GgmlType.Q8_0, f.tensor("blk.0.attn_q.weight").type());
                assertEquals(GgmlType.F32, f.tensor("blk.0.attn_norm.weight").type());
            }
        }
    }

    @Test
    void resumeReproducesTheFollowingStepsBitForBit() throws Exception {
        Path straight = dir.resolve("straight"), split = dir.resolve("split");
        Trainer.train(tiny(6, 3), opts(straight, null, null));
        // as if the run had been killed after its step-3 checkpoint: resume from it in a fresh directory
        Trainer.train(null, opts(split, null, straight.resolve("checkpoints").resolve("step-0000003")));
        byte[] a = Files.readAllBytes(Trainer.checkpointDir(straight).resolve("optimizer.gguf"));
        byte[] b = Files.readAllBytes(Trainer.checkpointDir(split).resolve("optimizer.gguf"));
        assertArrayEquals(a, b, "Adam moments after 6 steps equal bit for bit");
        try (GgufFile fa = GgufFile.open(Trainer.checkpointDir(straight).resolve("model.gguf"));
             GgufFile fb = GgufFile.open(Trainer.checkpointDir(split).resolve("model.gguf"))) {
            for (GgufTensor t : fa.tensors()) {
                GgufTensor u = fb.tensor(t.name());
                assertEquals(-1L, t.segment().mismatch(u.segment()), t.name() + " equal bit for bit");
            }
        }
        List<String> la = Files.readAllLines(straight.resolve("train-log.jsonl")), lb = Files.readAllLines(split.resolve("train-log.jsonl"));
        assertEquals(la.get(5).replaceAll(",\"tokensPerSecond.*", ""), lb.get(2).replaceAll(",\"tokensPerSecond.*", ""), "step 6 logged the same loss");
    }

    @Test
    void recipeErrorsNameTheField() {
        var e = assertThrows(TrainRecipe.InvalidRecipeException.class, () -> parse("{\"name\":\"x\",\"training\":{\"batch\":1,\"seqLen\":8,\"steps\":1,\"learningRate\":0.1,\"bogus\":3}}"));
        assertTrue(e.getMessage().contains("training.bogus"), e.getMessage());
        e = assertThrows(TrainRecipe.InvalidRecipeException.class, () -> parse("{\"name\":\"x\",\"training\":{\"batch\":0,\"seqLen\":8,\"steps\":1,\"learningRate\":0.1}}"));
        assertTrue(e.getMessage().contains("training.batch") && e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(TrainRecipe.InvalidRecipeException.class, () -> parse("{\"name\":\"x\",\"training\":{\"seqLen\":8,\"steps\":1,\"learningRate\":0.1}}"));
        assertTrue(e.getMessage().contains("batch"), e.getMessage());
        e = assertThrows(TrainRecipe.InvalidRecipeException.class, () -> parse("{\"name\":\"x\",\"model\":{\"dim\":30,\"layers\":1,\"heads\":4,\"ffn\":8,\"contextLength\":8},"
                + "\"training\":{\"batch\":1,\"seqLen\":8,\"steps\":1,\"learningRate\":0.1}}"));
        assertTrue(e.getMessage().contains("model.heads"), e.getMessage());
        e = assertThrows(TrainRecipe.InvalidRecipeException.class, () -> parse("{\"name\":\"x\",\"training\":{\"batch\":1,\"seqLen\":8,\"steps\":1,\"learningRate\":0.1},\"export\":{\"type\":\"Q4_0\"}}"));
        assertTrue(e.getMessage().contains("export.type") && e.getMessage().contains("Q4_0"), e.getMessage());
        e = assertThrows(TrainRecipe.InvalidRecipeException.class, () -> TrainRecipe.preset("nope"));
        assertTrue(e.getMessage().contains("kjv-demo"), e.getMessage());
    }

    private static TrainRecipe parse(String json) throws IOException {
        return TrainRecipe.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test");
    }

    @Test
    void presetsParse() throws IOException {
        for (String p : TrainRecipe.presets()) assertNotNull(TrainRecipe.preset(p).training(), p);
        assertTrue(TrainRecipe.presets().contains("kjv-demo"));
    }

    @Test
    void aRunThatCannotFitFailsBeforeAllocating() throws IOException {
        String json = "{\"name\":\"huge\",\"model\":{\"dim\":16384,\"layers\":200,\"heads\":128,\"ffn\":65536,\"contextLength\":8192},"
                + "\"tokenizer\":{\"kind\":\"sentencepiece\",\"vocabSize\":128000},\"data\":{\"files\":[\"" + corpus + "\"]},"
                + "\"training\":{\"batch\":64,\"seqLen\":8192,\"steps\":1,\"learningRate\":0.1}}";
        var e = assertThrows(Trainer.TrainingException.class, () -> Trainer.train(parse(json), opts(dir.resolve("huge"), null, null)));
        assertTrue(e.getMessage().contains("MiB") && e.getMessage().contains("jvm"), e.getMessage());
    }

    @Test
    void learningRateWarmsUpThenDecaysToTheMinimum() throws IOException {
        TrainRecipe.Training t = TrainRecipe.preset("kjv-demo").training();
        assertEquals(t.learningRate() / t.warmupStepsOrDefault(), Trainer.learningRate(t, 1, t.steps()), 1e-9);
        assertEquals(t.learningRate(), Trainer.learningRate(t, t.warmupStepsOrDefault(), t.steps()), 1e-9);
        assertEquals(t.minLearningRateOrDefault(), Trainer.learningRate(t, t.steps(), t.steps()), 1e-7);
        float mid = Trainer.learningRate(t, (t.steps() + t.warmupStepsOrDefault()) / 2, t.steps());
        assertEquals((t.learningRate() + t.minLearningRateOrDefault()) / 2, mid, 1e-5);
    }

    @Test
    void chatDataLearnsOnlyTheAssistantTurns() throws Exception {
        Path model = dir.resolve("chat-base.gguf");
        SyntheticLlama.tiny(GgmlType.F32).write(model);
        Path jsonl = dir.resolve("chats.jsonl");
        Files.writeString(jsonl, """
                {"messages":[{"role":"user","content":"hello there"},{"role":"assistant","content":"good day"}]}
                {"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"name a river"},{"role":"assistant","content":"the jordan"},{"role":"user","content":"another"},{"role":"assistant","content":"the nile"}]}
                {"text":"plain text is learned whole"}
                """);
        try (GgufFile f = GgufFile.open(model)) {
            var vocab = gale.engine.inference.GgufTokenizer.vocabulary(f);
            Tokenizer tk = Tokenizer.of(vocab);
            ChatTemplate chat = ChatTemplate.Builtin.CHATML;
            TokenData d = TokenData.read(List.of(jsonl), tk, chat, 0);
            int[] toks = d.tokens(), tgts = d.targets();
            // Decode the learned targets of the first conversation: exactly the assistant reply and its end marker.
            String first = chat.render(List.of(new ChatTemplate.Message("user", "hello there"), new ChatTemplate.Message("assistant", "good day")), false);
            int len = tk.encode(first, false, Tokenizer.SpecialTokens.RECOGNISE).length;
            List<Integer> learned = new ArrayList<>();
            for (int i = 0; i < len; i++) if (tgts[i] >= 0) learned.add(tgts[i]);
            String text = tk.decode(learned.stream().mapToInt(Integer::intValue).toArray(), true);
            System.out.println("learned in conversation 1: " + text.replace("\n", "\\n"));
            assertTrue(text.contains("good day"), text);
            assertFalse(text.contains("hello"), text);
            assertTrue(toks.length > len);
        }
        var e = assertThrows(TokenData.DataException.class, () -> {
            Path bad = dir.resolve("bad.jsonl");
            Files.writeString(bad, "{\"messages\":[{\"role\":\"user\"}]}\n");
            try (GgufFile f = GgufFile.open(model)) {
                TokenData.read(List.of(bad), Tokenizer.of(gale.engine.inference.GgufTokenizer.vocabulary(f)), ChatTemplate.Builtin.CHATML, 0);
            }
        });
        assertTrue(e.getMessage().contains("bad.jsonl:1") && e.getMessage().contains("messages[0]"), e.getMessage());
    }

    @Test
    void finetuneAGgufAndExportIt() throws Exception {
        Path model = dir.resolve("ft-base.gguf");
        SyntheticLlama.tiny(GgmlType.Q8_0).write(model);
        Path txt = dir.resolve("ft.txt");
        Files.writeString(txt, "in the beginning was the word\n".repeat(50));
        TrainRecipe r = TrainRecipe.preset("finetune");
        TrainRecipe.Training t = r.training();
        t = new TrainRecipe.Training(2, 16, 1, 4, 1e-3f, null, 1, 0f, null, null, null, 1f, 2, 1, 4, 1L);
        r = new TrainRecipe("ft-test", null, null, new TrainRecipe.Data(List.of(txt.toString()), 0.1), t, new TrainRecipe.Export("F32"));
        Trainer.Result res = Trainer.finetune(model, r, opts(dir.resolve("ft"), null, null));
        System.out.printf("finetune: loss %.4f validation %.4f%n", res.trainLoss(), res.validationLoss());
        try (LlamaModel m = LlamaModel.load(res.model(), LlamaModel.Options.defaults())) {
            assertEquals(SyntheticLlama.tiny(GgmlType.Q8_0).dim(), m.config().embeddingLength());
        }
    }

    @Test
    void finetuneKeepsLlama31RopeFrequencyFactors() throws Exception {
        Path model = dir.resolve("ft-rope.gguf");
        SyntheticLlama.tiny(GgmlType.F32).withRopeFreqs(true).write(model);
        Path txt = dir.resolve("ft-rope.txt");
        Files.writeString(txt, "and the evening and the morning were the first day\n".repeat(50));
        TrainRecipe.Training t = new TrainRecipe.Training(2, 16, 1, 2, 1e-3f, null, 1, 0f, null, null, null, 1f, 2, 1, 2, 1L);
        TrainRecipe r = new TrainRecipe("ft-rope", null, null, new TrainRecipe.Data(List.of(txt.toString()), 0.1), t, new TrainRecipe.Export("F32"));
        Path out = dir.resolve("ft-rope-run");
        Trainer.Result res = Trainer.finetune(model, r, opts(out, null, null));
        float[] before, after, resumed;
        try (GgufFile a = GgufFile.open(model); GgufFile b = GgufFile.open(res.model())) {
            before = a.tensor("rope_freqs.weight").dequantize();
            after = b.tensor("rope_freqs.weight").dequantize();
        }
        assertArrayEquals(before, after, "the exported file carries the base model's rope_freqs unchanged");
        // the checkpoint carries them too, and resuming from it keeps them
        Trainer.Result res2 = Trainer.finetune(model, r, opts(dir.resolve("ft-rope-resumed"), 3, out));
        try (GgufFile c = GgufFile.open(res2.model())) {
            resumed = c.tensor("rope_freqs.weight").dequantize();
        }
        assertArrayEquals(before, resumed);
        boolean nonTrivial = false;
        for (float x : before) nonTrivial |= x != 1f;
        assertTrue(nonTrivial, "the fixture's factors must differ from 1 for this test to mean anything");
    }

    @Test
    void trainingForwardWithRopeFrequencyFactorsEqualsInference() throws Exception {
        Path model = dir.resolve("rope-fwd.gguf");
        SyntheticLlama.tiny(GgmlType.F32).withRopeFreqs(true).write(model);
        int seq = 24;
        int[] toks = new int[seq];
        Random rnd = new Random(5);
        float[] inference, withoutFactors;
        try (LlamaModel m = LlamaModel.load(model, LlamaModel.Options.defaults())) {
            for (int i = 0; i < seq; i++) toks[i] = rnd.nextInt(m.config().vocabSize());
            inference = m.logits(toks);
        }
        float[] training;
        try (GgufFile f = GgufFile.open(model)) {
            var cfg = gale.engine.model.LlamaConfig.from(f);
            java.util.Map<String, float[]> tensors = new java.util.LinkedHashMap<>();
            for (String n : GgufExport.shapes(cfg, f.tensor("output.weight") == null).keySet()) tensors.put(n, f.tensor(n).dequantize());
            try (TrainableLlama plain = TrainableLlama.fromTensors(cfg, tensors, gale.compute.Devices.select("jvm"), 1, seq)) {
                withoutFactors = plain.lastLogits(toks)[0];
            }
            tensors.put("rope_freqs.weight", f.tensor("rope_freqs.weight").dequantize());
            try (TrainableLlama tm = TrainableLlama.fromTensors(cfg, tensors, gale.compute.Devices.select("jvm"), 1, seq)) {
                training = tm.lastLogits(toks)[0];
            }
        }
        double maxErr = 0, maxDiff = 0;
        for (int i = 0; i < inference.length; i++) {
            maxErr = Math.max(maxErr, Math.abs(training[i] - inference[i]));
            maxDiff = Math.max(maxDiff, Math.abs(withoutFactors[i] - inference[i]));
        }
        System.out.printf("rope_freqs: training vs inference logits max |err| %.3g (without the factors: %.3g)%n", maxErr, maxDiff);
        // F32 weights on both sides: the forwards differ only in summation order and exp (1.4e-6 seen), while a
        // missing or misapplied factor moves the logits by ~0.3
        assertTrue(maxErr < 1e-3, "max |err| " + maxErr);
        assertTrue(maxDiff > 100 * maxErr, "the factors must change the logits for this test to mean anything: " + maxDiff);
    }
}
