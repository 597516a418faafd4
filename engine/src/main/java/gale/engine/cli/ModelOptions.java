// Options shared by the commands that load a model: file (default: the bundled demo model), backend, cache.
package gale.engine.cli;

import gale.engine.inference.LlamaModel;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** A picocli mixin: which model, on which device, with which KV cache. */
final class ModelOptions {
    /** The bundled demo model, relative to Gale's home (the repository root). */
    static final String DEMO_MODEL = "models/gale-kjv.gguf";

    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "GGUF model file (default: the bundled demo model " + DEMO_MODEL + ").")
    Path model;

    @Option(names = {"-b", "--backend"}, paramLabel = "ID", defaultValue = "jvm", description = "Device: jvm, opencl[:N], cuda[:N] (default: ${DEFAULT-VALUE}; see `gale devices`).")
    String backend;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", defaultValue = "0", description = "KV cache positions (default: min(model context, 4096)).")
    int contextLength;

    @Option(names = "--kv-cache", paramLabel = "TYPE", defaultValue = "F32", description = "KV cache storage: F32 or F16 (default: ${DEFAULT-VALUE}).")
    LlamaModel.CacheType cacheType;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256", description = "Prompt tokens per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    Path modelPath() {
        Path p = model;
        if (p == null) {
            String home = System.getProperty("gale.home", ".");
            p = Path.of(home).resolve(DEMO_MODEL);
            if (!Files.exists(p)) throw new IllegalArgumentException("no --model given and the bundled demo model " + p + " is missing");
        } else if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("--model " + p + ": no such file");
        }
        return p;
    }

    LlamaModel.Options options() { return options(backend); }

    LlamaModel.Options options(String backendId) {
        return new LlamaModel.Options(backendId, cacheType, contextLength, batchSize);
    }
}
