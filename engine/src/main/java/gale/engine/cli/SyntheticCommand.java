// `gale synthetic`: writes a Llama-shaped GGUF with seeded random weights (for benchmarks and tests).
package gale.engine.cli;

import gale.engine.gguf.GgmlType;
import gale.engine.synthetic.SyntheticLlama;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "synthetic", mixinStandardHelpOptions = true,
        description = "Write a Llama-shaped GGUF with seeded random weights, e.g. the 58M benchmark model: --shape bench58m --type Q8_0.")
final class SyntheticCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output GGUF file.")
    Path out;

    @Option(names = "--type", defaultValue = "Q8_0", paramLabel = "TYPE", description = "Weight type: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K (default: ${DEFAULT-VALUE}).")
    GgmlType type;

    @Option(names = "--shape", defaultValue = "bench58m", paramLabel = "NAME", description = "tiny (dim 256, 2 layers), bench58m (dim 512, 8 layers, vocab 32000) or llama1b (Llama-3.2-1B's shape: dim 2048, 16 layers, vocab 128256, tied) (default: ${DEFAULT-VALUE}).")
    String shape;

    @Override public Integer call() throws Exception {
        SyntheticLlama s = switch (shape.toLowerCase()) {
            case "tiny" -> SyntheticLlama.tiny(type);
            case "bench58m" -> SyntheticLlama.bench58M(type);
            case "llama1b" -> SyntheticLlama.llama1B(type);
            default -> throw new IllegalArgumentException("--shape must be tiny, bench58m or llama1b, got '" + shape + "'");
        };
        s.write(out);
        System.err.printf("wrote %s: %s, %.1f M parameters%n", out, type, s.parameters() / 1e6);
        return 0;
    }
}
