// `gale train`: trains a Llama-style model from scratch from a JSON recipe (configs/train/*.json) on any device.
package gale.engine.cli;

import gale.engine.train.TrainRecipe;
import gale.engine.train.Trainer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a Llama-style model from scratch: a BPE vocabulary learned from the data, AdamW with warmup + cosine,",
                "validation, checkpoints (resumable bit for bit on the same backend), and a GGUF export that `gale run` and llama.cpp load.",
                "Example: gale train --preset kjv-demo --backend jvm --out runs/kjv"})
final class TrainCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--config", paramLabel = "FILE", description = "Recipe JSON file (see configs/train/).")
        Path config;
        @Option(names = "--preset", paramLabel = "NAME", description = "Bundled recipe: ${COMPLETION-CANDIDATES}.", completionCandidates = Presets.class)
        String preset;
        @Option(names = "--resume", paramLabel = "DIR", description = "Continue a run: its output directory (latest checkpoint) or one checkpoint directory.")
        Path resume;
    }

    static final class Presets implements Iterable<String> {
        @Override public java.util.Iterator<String> iterator() { return TrainRecipe.presets().iterator(); }
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--data", paramLabel = "FILE", arity = "1..*", description = "Training text (replaces the recipe's data.files): .txt one document per line, .jsonl {\"text\"} records.")
    List<Path> data;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: runs/NAME).")
    Path out;

    @Option(names = {"-b", "--backend"}, paramLabel = "ID", description = "Device: jvm, opencl[:N], cuda[:N] (default: jvm; on --resume the checkpoint's).")
    String backend;

    @Option(names = "--steps", paramLabel = "N", description = "Total optimizer steps (overrides the recipe; on --resume, extends the run).")
    Integer steps;

    @Option(names = "--json", description = "Print one JSON object per step on stdout (progress goes to stderr).")
    boolean json;

    @Override public Integer call() throws Exception {
        TrainRecipe recipe = null;
        if (source.resume == null) {
            recipe = source.config != null ? TrainRecipe.read(source.config) : TrainRecipe.preset(source.preset);
            if (data != null) recipe = withData(recipe, data);
        }
        if (steps != null && steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        Path dir = out != null ? out : source.resume != null ? source.resume : Path.of("runs", recipe.name());
        Trainer.Result r = Trainer.train(recipe, new Trainer.Options(
                backend != null ? backend : source.resume != null ? null : "jvm", dir, steps, source.resume, System.err, json ? System.out : null));
        report(r, json);
        return 0;
    }

    static TrainRecipe withData(TrainRecipe r, List<Path> files) {
        List<String> f = files.stream().map(Path::toString).toList();
        TrainRecipe.Data d = new TrainRecipe.Data(f, r.data() == null ? null : r.data().validationFraction());
        return new TrainRecipe(r.name(), r.model(), r.tokenizer(), d, r.training(), r.export());
    }

    static void report(Trainer.Result r, boolean json) {
        PrintStream o = System.out;
        if (json) {
            o.printf(Locale.ROOT, "{\"model\":\"%s\",\"steps\":%d,\"loss\":%s,\"validationLoss\":%s,\"tokensPerSecond\":%.1f,\"parameters\":%d}%n",
                    r.model().toString().replace("\\", "\\\\").replace("\"", "\\\""), r.steps(), num(r.trainLoss()), num(r.validationLoss()), r.tokensPerSecond(), r.parameters());
        } else {
            o.printf(Locale.ROOT, "model: %s%nsteps: %d%nloss: %.4f%nvalidation loss: %.4f%ntokens/s: %.0f%n",
                    r.model(), r.steps(), r.trainLoss(), r.validationLoss(), r.tokensPerSecond());
        }
    }

    private static String num(double d) { return Double.isFinite(d) ? Double.toString(d) : "null"; }
}
