// The training loop: micro-batches with gradient accumulation, warmup + cosine learning rate, AdamW, periodic
// validation, checkpoints that resume bit for bit, a progress line, and the final GGUF export.
package gale.engine.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gale.compute.Device;
import gale.compute.Devices;
import gale.engine.chat.ChatTemplate;
import gale.engine.gguf.GgmlType;
import gale.engine.gguf.GgufFile;
import gale.engine.gguf.GgufTensor;
import gale.engine.gguf.GgufValue;
import gale.engine.gguf.GgufWriter;
import gale.engine.inference.GgufTokenizer;
import gale.engine.model.LlamaConfig;
import gale.engine.model.LlamaWeights;
import gale.tokenizer.BpeTrainer;
import gale.tokenizer.Tokenizer;
import gale.tokenizer.Vocabulary;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains a model from scratch ({@link #train}) or fine-tunes a GGUF ({@link #finetune}). One trainer per run; not
 * thread-safe. Output directory layout:
 * <pre>
 *   OUT/NAME.gguf                      the exported model (recipe's export type)
 *   OUT/train-log.jsonl                one JSON object per logged step and per evaluation
 *   OUT/checkpoints/step-NNNNNNN/      model.gguf (F32 weights + tokenizer), optimizer.gguf (Adam moments), state.json
 *   OUT/checkpoints/latest             name of the newest complete checkpoint
 * </pre>
 */
public final class Trainer {
    /** How to run: device, output, overrides. {@code log} gets the progress line (stderr), {@code json} JSON lines. */
    public record Options(String backend, Path out, Integer steps, Path resume, PrintStream progress, PrintStream json) {}

    /** What a run produced. */
    public record Result(Path model, int steps, double trainLoss, double validationLoss, double tokensPerSecond, long parameters) {}

    /** The run cannot start: does not fit in device memory, bad checkpoint, missing data. */
    public static final class TrainingException extends RuntimeException {
        public TrainingException(String message) { super(message); }
        public TrainingException(String message, Throwable cause) { super(message, cause); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainRecipe recipe;
    private final Options options;
    private final TrainableLlama model;
    private final Vocabulary vocab;
    private final TokenData data;
    private final TokenData.Sampler sampler;
    private final String chatTemplate;
    private int step;

    private Trainer(TrainRecipe recipe, Options options, TrainableLlama model, Vocabulary vocab, TokenData data,
                    TokenData.Sampler sampler, String chatTemplate, int step) {
        this.recipe = recipe;
        this.options = options;
        this.model = model;
        this.vocab = vocab;
        this.data = data;
        this.sampler = sampler;
        this.chatTemplate = chatTemplate;
        this.step = step;
    }

    /** Trains the recipe's model from scratch, or resumes {@code options.resume()}. */
    public static Result train(TrainRecipe recipe, Options options) throws IOException {
        if (options.resume() != null) return resume(options);
        if (recipe.model() == null) throw new TrainRecipe.InvalidRecipeException("recipe " + recipe.name() + ": field 'model' is required to train from scratch");
        if (recipe.tokenizer() == null) throw new TrainRecipe.InvalidRecipeException("recipe " + recipe.name() + ": field 'tokenizer' is required to train from scratch");
        List<Path> files = dataFiles(recipe);
        Device device = Devices.select(options.backend());
        TrainRecipe.Model m = recipe.model();
        TrainRecipe.Training t = recipe.training();
        // before minutes of tokenizer training: will it fit at all?
        checkFits(new LlamaConfig(m.dim(), m.layers(), m.ffn(), m.heads(), m.kvHeadsOrHeads(), m.normEpsOrDefault(),
                m.ropeBaseOrDefault(), m.dim() / m.heads(), m.contextLength(), recipe.tokenizer().vocabSize(), -1, -1), m.tied(), t, device);
        Vocabulary vocab = BpeTrainer.train(files, BpeTrainer.Options.of(recipe.tokenizer().vocabSize(),
                recipe.tokenizer().kind().equals("bpe") ? Vocabulary.Model.BYTE_LEVEL_BPE : Vocabulary.Model.SENTENCEPIECE, options.progress()));
        LlamaConfig cfg = new LlamaConfig(m.dim(), m.layers(), m.ffn(), m.heads(), m.kvHeadsOrHeads(), m.normEpsOrDefault(),
                m.ropeBaseOrDefault(), m.dim() / m.heads(), m.contextLength(), vocab.size(), vocab.bos(), vocab.eos());
        TokenData data = TokenData.read(files, Tokenizer.of(vocab), null, recipe.data().validationFractionOrDefault());
        TrainableLlama model = TrainableLlama.create(cfg, m.tied(), device, t.batch(), t.seqLen(), t.seedOrDefault());
        return new Trainer(recipe, options, model, vocab, data, data.sampler(t.seedOrDefault(), 0), null, 0).run();
    }

    /** Fine-tunes the GGUF at {@code modelPath} (quantized weights are dequantised to F32) with the recipe's training settings. */
    public static Result finetune(Path modelPath, TrainRecipe recipe, Options options) throws IOException {
        if (options.resume() != null) return resume(options);
        Device device = Devices.select(options.backend());
        try (GgufFile f = GgufFile.open(modelPath)) {
            LlamaConfig cfg = LlamaConfig.from(f);
            LlamaWeights w = LlamaWeights.from(f, cfg);
            Vocabulary vocab = GgufTokenizer.vocabulary(f);
            Tokenizer tk = Tokenizer.of(vocab);
            GgufValue tmpl = f.get("tokenizer.chat_template");
            String template = tmpl == null ? null : tmpl.asString();
            ChatTemplate chat = ChatTemplate.forModel(template, piece(vocab, vocab.bos()), piece(vocab, vocab.eos()), s -> vocab.tokens().contains(s));
            TokenData data = TokenData.read(dataFiles(recipe), tk, chat, recipe.data().validationFractionOrDefault());
            Map<String, float[]> tensors = new LinkedHashMap<>();
            for (String name : GgufExport.shapes(cfg, w.outputTied()).keySet()) {
                GgufTensor t = f.tensor(name);
                tensors.put(name, t.dequantize());
            }
            // Llama 3.1-style RoPE frequency factors are not trained: they go through to the exported file unchanged
            if (w.ropeFreqs().isPresent()) tensors.put(ROPE_FREQS, f.tensor(ROPE_FREQS).dequantize());
            TrainRecipe.Training t = recipe.training();
            checkFits(cfg, w.outputTied(), t, device);
            TrainableLlama model = TrainableLlama.fromTensors(cfg, tensors, device, t.batch(), t.seqLen());
            String name = recipe.name();
            TrainRecipe r = new TrainRecipe(name, null, null, recipe.data(), t, recipe.export());
            return new Trainer(r, options, model, vocab, data, data.sampler(t.seedOrDefault(), 0), template, 0).run();
        }
    }

    private static final String ROPE_FREQS = "rope_freqs.weight";

    private static String piece(Vocabulary v, int id) { return id >= 0 ? v.token(id) : ""; }

    private static List<Path> dataFiles(TrainRecipe recipe) {
        if (recipe.data() == null || recipe.data().files() == null || recipe.data().files().isEmpty())
            throw new TrainRecipe.InvalidRecipeException("recipe " + recipe.name() + ": field 'data.files' is empty (give --data FILE)");
        List<Path> files = new ArrayList<>();
        for (String s : recipe.data().files()) {
            Path p = Path.of(s);
            if (!Files.isRegularFile(p)) throw new TokenData.DataException("data file " + p + ": no such file"
                    + (s.contains("corpus/kjv") ? " (run scripts/prepare-demo-corpus first)" : ""));
            files.add(p);
        }
        return files;
    }

    private static void checkFits(LlamaConfig cfg, boolean tied, TrainRecipe.Training t, Device device) {
        long need = TrainableLlama.estimateDeviceBytes(cfg, tied, t.batch(), t.seqLen());
        long have = device.info().globalMemoryBytes();
        if (have > 0 && need > have)
            throw new TrainingException(String.format(Locale.ROOT, "the run needs %.1f MiB of device memory (weights, gradients, "
                    + "Adam moments and activations for batch %d x seqLen %d) but %s has %.1f MiB; lower training.batch or training.seqLen",
                    need / 1048576.0, t.batch(), t.seqLen(), device.id(), have / 1048576.0));
    }

    // ---------------------------------------------------------------------------------------------------------------

    private Result run() throws IOException {
        TrainRecipe.Training t = recipe.training();
        int steps = options.steps() != null ? options.steps() : t.steps();
        int accum = t.accumulationOrDefault();
        int b = t.batch(), s = t.seqLen();
        int[] toks = new int[b * s], tgts = new int[b * s];
        Files.createDirectories(options.out());
        Path log = options.out().resolve("train-log.jsonl");
        TrainableLlama.AdamW hyper = t.adamW();
        double lastLoss = Double.NaN, lastVal = Double.NaN;
        long tokens = 0;
        long t0 = System.nanoTime();
        int first = step;
        say(String.format(Locale.ROOT, "training %s: %,d parameters on %s, %,d training / %,d validation tokens, batch %d x %d x %d, steps %d..%d",
                recipe.name(), model.parameterCount(), model.device().id(), data.trainSize(), data.validationSize(), accum, b, s, first + 1, steps));
        TrainableLlama.ActivationMemory am = model.activationMemory();
        say(String.format(Locale.ROOT, "activation memory per micro-batch: %.1f MiB stored (storing everything: %.1f MiB)",
                am.stored() / 1048576.0, am.storeEverything() / 1048576.0));
        while (step < steps) {
            step++;
            double sum = 0;
            long count = 0;
            for (int a = 0; a < accum; a++) {
                sampler.next(b, s, toks, tgts);
                TrainableLlama.Loss l = model.forwardBackward(toks, tgts);
                sum += l.sum();
                count += l.tokens();
            }
            float lr = learningRate(t, step, steps);
            // gradients are sums over tokens: normalise by the tokens of the whole accumulated batch
            float norm = model.optimizerStep(hyper, lr, step, count == 0 ? 0f : 1f / count);
            lastLoss = count == 0 ? Double.NaN : sum / count;
            if (!Double.isFinite(lastLoss) || !Float.isFinite(norm))
                throw new TrainingException(String.format(Locale.ROOT, "step %d: loss %s, gradient norm %s — training diverged (lower training.learningRate)", step, lastLoss, norm));
            tokens += (long) accum * b * s;
            double secs = (System.nanoTime() - t0) / 1e9;
            double tps = tokens / secs;
            boolean eval = step % t.evalEveryOrDefault() == 0 || step == steps;
            if (eval) lastVal = validate(t, toks, tgts);
            ObjectNode rec = JSON.createObjectNode().put("step", step).put("steps", steps).put("loss", lastLoss).put("lr", lr)
                    .put("gradNorm", norm).put("tokensPerSecond", Math.round(tps)).put("elapsedSeconds", Math.round(secs * 10) / 10.0);
            if (eval && !Double.isNaN(lastVal)) rec.put("validationLoss", lastVal);
            Files.writeString(log, rec + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            if (options.json() != null) options.json().println(rec);
            progress(step, first, steps, lastLoss, lastVal, lr, norm, tps, secs, eval);
            if (step % t.checkpointEveryOrDefault() == 0 || step == steps) checkpoint();
        }
        if (options.progress() != null) options.progress().println();
        GgmlType type = GgmlType.valueOf(recipe.export() == null ? "F16" : recipe.export().typeOrDefault());
        Path out = options.out().resolve(recipe.name() + ".gguf");
        GgufExport.write(out, recipe.name(), model.config(), model.tiedOutput(), exportedTensors(), vocab, type, extras());
        double secs = (System.nanoTime() - t0) / 1e9;
        say(String.format(Locale.ROOT, "wrote %s (%s, %.1f MB); final loss %.4f, validation loss %.4f", out, type, Files.size(out) / 1e6, lastLoss, lastVal));
        Result r = new Result(out, step, lastLoss, lastVal, tokens / secs, model.parameterCount());
        model.close();
        return r;
    }

    private GgufExport.Extras extras() {
        return new GgufExport.Extras(chatTemplate, Map.of("gale.train.recipe", recipe.toJson(), "gale.train.steps", Integer.toString(step)));
    }

    private double validate(TrainRecipe.Training t, int[] toks, int[] tgts) {
        double sum = 0;
        long n = 0;
        int count = t.evalBatchesOrDefault();
        for (int i = 0; i < count; i++) {
            if (!data.validationBatch(i, count, t.batch(), t.seqLen(), toks, tgts)) return Double.NaN;
            TrainableLlama.Loss l = model.evaluate(toks, tgts);
            sum += l.sum();
            n += l.tokens();
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Linear warmup to the peak, then cosine decay to the minimum at the last step. */
    static float learningRate(TrainRecipe.Training t, int step, int steps) {
        int warm = t.warmupStepsOrDefault();
        float max = t.learningRate(), min = t.minLearningRateOrDefault();
        if (step <= warm) return max * step / Math.max(1, warm);
        double progress = (double) (step - warm) / Math.max(1, steps - warm);
        return (float) (min + 0.5 * (max - min) * (1 + Math.cos(Math.PI * Math.min(1, progress))));
    }

    private void progress(int step, int first, int steps, double loss, double val, float lr, float norm, double tps, double secs, boolean eval) {
        PrintStream p = options.progress();
        if (p == null) return;
        int width = 24;
        int done = (int) ((long) step * width / steps);
        double eta = (steps - step) * secs / Math.max(1, step - first);
        String line = String.format(Locale.ROOT, "[%s%s] step %d/%d loss %.4f%s lr %.2e |g| %.3f %,.0f tok/s ETA %s",
                "#".repeat(done), ".".repeat(width - done), step, steps, loss,
                Double.isNaN(val) ? "" : String.format(Locale.ROOT, " val %.4f", val), lr, norm, tps, duration(eta));
        if (System.console() != null) p.print("\r" + line + "\033[K");
        else if (eval || step == first + 1 || step % Math.max(1, steps / 50) == 0) p.println(line);
        if (eval && System.console() != null) p.println();
    }

    private static String duration(double s) {
        long x = Math.round(s);
        return x >= 3600 ? String.format("%dh%02dm", x / 3600, x / 60 % 60) : String.format("%dm%02ds", x / 60, x % 60);
    }

    private void say(String s) {
        if (options.progress() != null) options.progress().println(s);
    }

    /** The trained parameters plus the model's fixed RoPE frequency factors, if it has them. */
    private Map<String, float[]> exportedTensors() {
        Map<String, float[]> t = model.readParameters();
        model.ropeFrequencyFactors().ifPresent(f -> t.put(ROPE_FREQS, f));
        return t;
    }

    // --- checkpoints ---------------------------------------------------------------------------------------------

    private void checkpoint() throws IOException {
        Path dir = options.out().resolve("checkpoints");
        String name = String.format("step-%07d", step);
        Path tmp = dir.resolve(name + ".tmp"), fin = dir.resolve(name);
        Files.createDirectories(tmp);
        Map<String, float[]> params = exportedTensors();
        GgufExport.write(tmp.resolve("model.gguf"), recipe.name(), model.config(), model.tiedOutput(), params, vocab, GgmlType.F32, extras());
        GgufWriter ow = new GgufWriter().putString("general.architecture", "gale-optimizer").putUInt32("general.alignment", 32);
        for (var e : model.readOptimizerState().entrySet()) ow.addTensor(e.getKey(), GgmlType.F32, new long[]{e.getValue().length}, e.getValue());
        ow.write(tmp.resolve("optimizer.gguf"));
        ObjectNode st = JSON.createObjectNode().put("step", step).put("samplerState", sampler.state()).put("windows", sampler.windows())
                .put("backend", model.device().id()).put("batch", model.batch()).put("seqLen", model.seqLen())
                .put("tiedOutput", model.tiedOutput()).put("recipe", recipe.toJson());
        if (chatTemplate != null) st.put("chatTemplate", chatTemplate);
        Files.writeString(tmp.resolve("state.json"), st.toPrettyString());
        if (Files.exists(fin)) deleteTree(fin);
        Files.move(tmp, fin, StandardCopyOption.ATOMIC_MOVE);
        Path latest = dir.resolve("latest"), lt = dir.resolve("latest.tmp");
        Files.writeString(lt, name + "\n");
        Files.move(lt, latest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }

    /** Resolves {@code --resume DIR}: a run's output directory (its latest checkpoint) or one checkpoint directory. */
    static Path checkpointDir(Path resume) throws IOException {
        if (Files.isRegularFile(resume.resolve("state.json"))) return resume;
        Path latest = resume.resolve("checkpoints").resolve("latest");
        if (!Files.isRegularFile(latest)) throw new TrainingException("--resume " + resume + ": no state.json and no checkpoints/latest there");
        return resume.resolve("checkpoints").resolve(Files.readString(latest).strip());
    }

    private static Result resume(Options options) throws IOException {
        Path dir = checkpointDir(options.resume());
        var st = JSON.readTree(Files.readString(dir.resolve("state.json")));
        TrainRecipe recipe = TrainRecipe.fromJson(st.get("recipe").asText());
        String backend = st.get("backend").asText();
        if (options.backend() != null && !options.backend().equals(backend) && options.progress() != null)
            options.progress().println("note: checkpoint was written on " + backend + "; resuming on " + options.backend()
                    + " continues training but is bit-exact only on the same backend");
        Device device = Devices.select(options.backend() != null ? options.backend() : backend);
        try (GgufFile mf = GgufFile.open(dir.resolve("model.gguf")); GgufFile of = GgufFile.open(dir.resolve("optimizer.gguf"))) {
            LlamaConfig cfg = LlamaConfig.from(mf);
            Vocabulary vocab = GgufTokenizer.vocabulary(mf);
            boolean tied = st.get("tiedOutput").asBoolean();
            Map<String, float[]> params = new LinkedHashMap<>();
            for (String n : GgufExport.shapes(cfg, tied).keySet()) {
                GgufTensor t = mf.tensor(n);
                if (t == null) throw new TrainingException(dir.resolve("model.gguf") + ": tensor " + n + " is missing");
                params.put(n, t.dequantize());
            }
            GgufTensor rf = mf.tensor(ROPE_FREQS);
            if (rf != null) params.put(ROPE_FREQS, rf.dequantize());
            Map<String, float[]> opt = new LinkedHashMap<>();
            for (GgufTensor t : of.tensors()) opt.put(t.name(), t.dequantize());
            String template = st.has("chatTemplate") ? st.get("chatTemplate").asText() : null;
            ChatTemplate chat = template == null ? null : ChatTemplate.jinja(template, piece(vocab, vocab.bos()), piece(vocab, vocab.eos()));
            TokenData data = TokenData.read(dataFiles(recipe), Tokenizer.of(vocab), chat, recipe.data().validationFractionOrDefault());
            TrainRecipe.Training t = recipe.training();
            TrainableLlama model = TrainableLlama.fromTensors(cfg, params, device, t.batch(), t.seqLen());
            model.writeOptimizerState(opt);
            TokenData.Sampler sampler = data.sampler(st.get("samplerState").asLong(), st.get("windows").asLong());
            return new Trainer(recipe, options, model, vocab, data, sampler, template, st.get("step").asInt()).run();
        }
    }
}
