// `gale finetune`: continues training an existing GGUF model on text or chat data and exports a new GGUF.
package gale.engine.cli;

import gale.engine.train.TrainRecipe;
import gale.engine.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tune a GGUF model (quantized weights are dequantised to F32 for training) on a .txt file (one document per line)",
                "or a .jsonl file of {\"messages\":[{\"role\",\"content\"}…]} conversations rendered with the model's chat template,",
                "with the loss on the assistant turns only. Example: gale finetune --model m.gguf --data chats.jsonl --steps 100"})
final class FinetuneCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "The GGUF model to start from.")
    Path model;

    @Option(names = "--data", required = true, arity = "1..*", paramLabel = "FILE", description = "Training data: .txt or .jsonl.")
    List<Path> data;

    @Option(names = "--config", paramLabel = "FILE", description = "Training settings (default: the bundled finetune preset).")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: runs/NAME).")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the exported model (default: the recipe's).")
    String name;

    @Option(names = {"-b", "--backend"}, paramLabel = "ID", defaultValue = "jvm", description = "Device (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (overrides the recipe).")
    Integer steps;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue an interrupted fine-tuning run.")
    Path resume;

    @Option(names = "--json", description = "One JSON object per step on stdout.")
    boolean json;

    @Override public Integer call() throws Exception {
        if (!Files.isRegularFile(model)) throw new IllegalArgumentException("--model " + model + ": no such file");
        if (steps != null && steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        TrainRecipe r = config != null ? TrainRecipe.read(config) : TrainRecipe.preset("finetune");
        r = TrainCommand.withData(r, data);
        if (name != null) r = new TrainRecipe(name, r.model(), r.tokenizer(), r.data(), r.training(), r.export());
        Path dir = out != null ? out : resume != null ? resume : Path.of("runs", r.name());
        Trainer.Result res = Trainer.finetune(model, r, new Trainer.Options(backend, dir, steps, resume, System.err, json ? System.out : null));
        TrainCommand.report(res, json);
        return 0;
    }
}
