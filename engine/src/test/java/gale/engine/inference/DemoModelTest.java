// The bundled demo model (models/gale-kjv.gguf, trained by Gale) against llama.cpp: it loads there, and Gale's
// tokens, logits and greedy text on every device agree with what llama.cpp recorded for the very same file.
package gale.engine.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gale.compute.Device;
import gale.compute.Devices;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden data is {@code demo-model.json}, written by {@code engine/src/test/golden/generate.mjs
 * models/gale-kjv.gguf …} (llama.cpp through node-llama-cpp, one thread, F32 KV cache, greedy; prompt "And God said",
 * 32 tokens, the top 32 log-probabilities at each decision). The model is F16, so the F16 tolerance of
 * {@link LlamaCppGoldenTest} applies (0.05 on logit − max logit). When the demo model is retrained the SHA-256 check
 * fails first, naming the command that records the new golden data.
 */
class DemoModelTest {
    static final Path MODEL = Path.of("..", "models", "gale-kjv.gguf"); // gale.engine.cli.ModelOptions.DEMO_MODEL

    static JsonNode golden() throws Exception {
        try (InputStream in = DemoModelTest.class.getResourceAsStream("/gale/engine/llamacpp/demo-model.json")) {
            assertNotNull(in, "demo-model.json missing from test resources");
            return new ObjectMapper().readTree(in).get("models").get(0);
        }
    }

    @Test void goldenDataIsForTheBundledFile() throws Exception {
        assertTrue(Files.isRegularFile(MODEL), MODEL.toAbsolutePath() + ": the bundled demo model is missing");
        assertEquals(golden().get("sha256").asText(), LlamaCppModels.sha256(MODEL),
                MODEL + " changed since llama.cpp's golden data was recorded; rerun: SCRATCH=/work/scratch-llama node "
                        + "engine/src/test/golden/generate.mjs models/gale-kjv.gguf engine/src/test/resources/gale/engine/llamacpp/demo-model.json");
    }

    @TestFactory List<DynamicTest> matchesLlamaCppOnEveryDevice() throws Exception {
        JsonNode g = golden();
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Devices.all())
            tests.add(DynamicTest.dynamicTest(d.id(), () -> LlamaCppGoldenTest.check(d, g, MODEL, LlamaCppGoldenTest.tolerance("F16"))));
        return tests;
    }
}
