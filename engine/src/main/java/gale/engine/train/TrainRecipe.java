// A training recipe as JSON (configs/train/*.json): model shape, tokenizer, data, optimisation, export — read with
// Jackson, every field validated with an error that names it and its value.
package gale.engine.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What to train and how. Primitive fields are required, boxed ones optional with the defaults their accessors state.
 * Unknown fields, missing required fields and out-of-range values are
 * {@link InvalidRecipeException}s naming the JSON path and the value. Immutable and thread-safe.
 *
 * @param name      model name written to {@code general.name}
 * @param model     the Llama shape
 * @param tokenizer the vocabulary to train (ignored when fine-tuning: the model's own vocabulary is used)
 * @param data      training text
 * @param training  optimisation settings
 * @param export    the GGUF written at the end
 */
public record TrainRecipe(String name, Model model, Tokenizer tokenizer, Data data, Training training, Export export) {

    /** The Llama shape of a model trained from scratch. */
    public record Model(int dim, int layers, int heads, Integer kvHeads, int ffn,
                        int contextLength, Float ropeBase, Float normEps, Boolean tiedOutput) {
        public int kvHeadsOrHeads() { return kvHeads == null ? heads : kvHeads; }
        public float ropeBaseOrDefault() { return ropeBase == null ? 10000f : ropeBase; }
        public float normEpsOrDefault() { return normEps == null ? 1e-5f : normEps; }
        public boolean tied() { return tiedOutput == null || tiedOutput; }
    }

    /** A vocabulary learned by Gale's BPE trainer from the training data. */
    public record Tokenizer(String kind, int vocabSize) {}

    /** Training text: UTF-8 files (one document per line for .txt), or JSONL chat (fine-tuning). */
    public record Data(List<String> files, Double validationFraction) {
        public double validationFractionOrDefault() { return validationFraction == null ? 0.02 : validationFraction; }
    }

    /** Optimisation: AdamW with warmup + cosine decay, gradient clipping, accumulation. */
    public record Training(int batch, int seqLen, Integer accumulation, int steps, float learningRate, Float minLearningRate,
                           Integer warmupSteps, Float weightDecay, Float beta1, Float beta2, Float eps, Float clipNorm,
                           Integer evalEvery, Integer evalBatches, Integer checkpointEvery, Long seed) {
        public int accumulationOrDefault() { return accumulation == null ? 1 : accumulation; }
        public float minLearningRateOrDefault() { return minLearningRate == null ? learningRate / 10 : minLearningRate; }
        public int warmupStepsOrDefault() { return warmupSteps == null ? Math.min(100, steps / 10) : warmupSteps; }
        public int evalEveryOrDefault() { return evalEvery == null ? Math.max(1, steps / 10) : evalEvery; }
        public int evalBatchesOrDefault() { return evalBatches == null ? 8 : evalBatches; }
        public int checkpointEveryOrDefault() { return checkpointEvery == null ? Math.max(1, steps / 4) : checkpointEvery; }
        public long seedOrDefault() { return seed == null ? 1234 : seed; }
        public TrainableLlama.AdamW adamW() {
            TrainableLlama.AdamW d = TrainableLlama.AdamW.defaults();
            return new TrainableLlama.AdamW(beta1 == null ? d.beta1() : beta1, beta2 == null ? d.beta2() : beta2,
                    eps == null ? d.eps() : eps, weightDecay == null ? d.weightDecay() : weightDecay,
                    clipNorm == null ? d.clipNorm() : clipNorm);
        }
        /** A copy with another step count (the CLI's --steps). */
        public Training withSteps(int s) {
            return new Training(batch, seqLen, accumulation, s, learningRate, minLearningRate, warmupSteps, weightDecay,
                    beta1, beta2, eps, clipNorm, evalEvery, evalBatches, checkpointEvery, seed);
        }
    }

    /** The exported GGUF's tensor type for 2-D weights: F32, F16 or Q8_0 (norms stay F32). */
    public record Export(String type) {
        public String typeOrDefault() { return type == null ? "F16" : type; }
    }

    /** A recipe is wrong: the message names the field (JSON path) and the value. */
    public static final class InvalidRecipeException extends IllegalArgumentException {
        public InvalidRecipeException(String message) { super(message); }
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** Reads and validates a recipe file. */
    public static TrainRecipe read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        }
    }

    /** A preset bundled under configs/train/NAME.json (in the jar as a resource). */
    public static TrainRecipe preset(String name) throws IOException {
        if (!name.matches("[A-Za-z0-9_.-]+")) throw new InvalidRecipeException("--preset '" + name + "': not a preset name");
        try (InputStream in = TrainRecipe.class.getResourceAsStream("/configs/train/" + name + ".json")) {
            if (in == null) throw new InvalidRecipeException("--preset '" + name + "': no such preset (known: " + String.join(", ", presets()) + ")");
            return parse(in, "preset " + name);
        }
    }

    /** Names of the bundled presets. */
    public static List<String> presets() {
        try (InputStream in = TrainRecipe.class.getResourceAsStream("/configs/train/index.txt")) {
            if (in == null) return List.of();
            return new String(in.readAllBytes()).lines().map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toList());
        } catch (IOException e) {
            return List.of();
        }
    }

    static TrainRecipe parse(InputStream in, String source) throws IOException {
        TrainRecipe r;
        try {
            r = JSON.readValue(in, TrainRecipe.class);
        } catch (JsonMappingException e) {
            String path = e.getPath().stream().map(p -> p.getFieldName() != null ? p.getFieldName() : "[" + p.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            throw new InvalidRecipeException(source + ": field '" + path + "': " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (JsonProcessingException e) {
            throw new InvalidRecipeException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
        r.validate(source);
        return r;
    }

    /** The recipe as JSON (stored in checkpoints). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static TrainRecipe fromJson(String json) throws IOException { return parse(new java.io.ByteArrayInputStream(json.getBytes()), "checkpoint recipe"); }

    /** Throws {@link InvalidRecipeException} naming the first bad field. */
    public void validate(String source) {
        if (name == null || name.isBlank()) bad(source, "name", name);
        if (training == null) bad(source, "training", null);
        Training t = training;
        check(source, "training.batch", t.batch, 1, 1 << 16);
        check(source, "training.seqLen", t.seqLen, 2, 1 << 16);
        check(source, "training.accumulation", t.accumulationOrDefault(), 1, 1 << 16);
        check(source, "training.steps", t.steps, 1, Integer.MAX_VALUE);
        if (!(t.learningRate > 0 && t.learningRate < 10)) bad(source, "training.learningRate", t.learningRate);
        if (!(t.minLearningRateOrDefault() >= 0 && t.minLearningRateOrDefault() <= t.learningRate)) bad(source, "training.minLearningRate", t.minLearningRate);
        check(source, "training.warmupSteps", t.warmupStepsOrDefault(), 0, Integer.MAX_VALUE);
        check(source, "training.evalEvery", t.evalEveryOrDefault(), 1, Integer.MAX_VALUE);
        check(source, "training.evalBatches", t.evalBatchesOrDefault(), 1, 1 << 20);
        check(source, "training.checkpointEvery", t.checkpointEveryOrDefault(), 1, Integer.MAX_VALUE);
        TrainableLlama.AdamW a = t.adamW();
        if (!(a.beta1() >= 0 && a.beta1() < 1)) bad(source, "training.beta1", a.beta1());
        if (!(a.beta2() >= 0 && a.beta2() < 1)) bad(source, "training.beta2", a.beta2());
        if (!(a.eps() > 0 && a.eps() < 1)) bad(source, "training.eps", a.eps());
        if (!(a.weightDecay() >= 0 && a.weightDecay() < 10)) bad(source, "training.weightDecay", a.weightDecay());
        if (!(a.clipNorm() >= 0) || Float.isNaN(a.clipNorm())) bad(source, "training.clipNorm", a.clipNorm());
        if (data != null) {
            if (data.files == null) bad(source, "data.files", null);
            double v = data.validationFractionOrDefault();
            if (!(v >= 0 && v < 0.5)) bad(source, "data.validationFraction", v);
        }
        if (model != null) {
            Model m = model;
            check(source, "model.dim", m.dim, 2, 1 << 16);
            check(source, "model.layers", m.layers, 1, 1024);
            check(source, "model.heads", m.heads, 1, 1024);
            if (m.dim % m.heads != 0 || (m.dim / m.heads) % 2 != 0) bad(source, "model.heads", m.heads + " (dim " + m.dim + " must split into heads of even size)");
            int kv = m.kvHeadsOrHeads();
            if (kv < 1 || m.heads % kv != 0) bad(source, "model.kvHeads", m.kvHeads);
            check(source, "model.ffn", m.ffn, 1, 1 << 18);
            check(source, "model.contextLength", m.contextLength, 2, 1 << 24);
            if (!(m.ropeBaseOrDefault() > 1)) bad(source, "model.ropeBase", m.ropeBase);
            if (!(m.normEpsOrDefault() > 0 && m.normEpsOrDefault() < 1)) bad(source, "model.normEps", m.normEps);
            if (t.seqLen > m.contextLength) bad(source, "training.seqLen", t.seqLen + " (above model.contextLength " + m.contextLength + ")");
        }
        if (tokenizer != null) {
            String k = tokenizer.kind == null ? "" : tokenizer.kind;
            if (!k.equals("sentencepiece") && !k.equals("bpe")) bad(source, "tokenizer.kind", tokenizer.kind + " (sentencepiece or bpe)");
            check(source, "tokenizer.vocabSize", tokenizer.vocabSize, 300, 1 << 20);
        }
        if (export != null) {
            String e = export.typeOrDefault();
            if (!e.equals("F32") && !e.equals("F16") && !e.equals("Q8_0")) bad(source, "export.type", e + " (F32, F16 or Q8_0)");
        }
    }

    private static void check(String source, String field, long v, long min, long max) {
        if (v < min || v > max) bad(source, field, v + " (allowed " + min + ".." + max + ")");
    }

    private static void bad(String source, String field, Object value) {
        throw new InvalidRecipeException(source + ": field '" + field + "' has invalid value " + value);
    }
}
