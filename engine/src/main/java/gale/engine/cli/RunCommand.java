// `gale run`: generate text from a prompt, streaming it, or one JSON object with --json.
package gale.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gale.engine.inference.Generator;
import gale.engine.inference.LlamaModel;
import gale.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true, description = "Generate text from a prompt (streams it).")
final class RunCommand implements Callable<Integer> {
    @Mixin ModelOptions model;
    @Mixin SamplingOptions sampling;
    @Spec CommandSpec spec;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The prompt (default for the demo model: \"And God said\").")
    String prompt;

    @Option(names = "--json", description = "Print one JSON object: prompt_token_ids, token_ids, text, backend, device, speeds, load_seconds.")
    boolean json;

    @Override public Integer call() throws Exception {
        String text = prompt != null ? prompt : model.model == null ? "And God said" : null;
        if (text == null) throw new IllegalArgumentException("--prompt is required with --model");
        long t0 = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        try (LlamaModel m = LlamaModel.load(model.modelPath(), model.options())) {
            double load = (System.nanoTime() - t0) / 1e9;
            int[] ids = m.tokenizer().encode(text, true, Tokenizer.SpecialTokens.PLAIN_TEXT);
            var request = new Generator.Request(ids, sampling.params(), sampling.maxTokens, sampling.stop);
            Generator generator = new Generator(m);
            generator.checkContext(request);
            if (!json) { out.print(text); out.flush(); }
            Generator.Result r = generator.generate(request, chunk -> { if (!json) { out.print(chunk); out.flush(); } });
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("prompt_token_ids", r.promptIds());
                o.put("token_ids", r.tokenIds());
                o.put("text", r.text());
                o.put("stop_reason", r.stopReason().name().toLowerCase());
                o.put("backend", m.device().id());
                o.put("device", m.device().info().name());
                o.put("prompt_tokens_per_second", r.promptTokensPerSecond());
                o.put("tokens_per_second", r.tokensPerSecond());
                o.put("load_seconds", load);
                out.println(new ObjectMapper().writeValueAsString(o));
            } else {
                out.println();
                spec.commandLine().getErr().printf("%n[%s on %s: prompt %d tokens at %.1f t/s, generated %d tokens at %.1f t/s, load %.2f s, stop: %s]%n",
                        m.name(), m.device().id(), r.promptIds().length, r.promptTokensPerSecond(), r.tokenIds().length,
                        r.tokensPerSecond(), load, r.stopReason().name().toLowerCase());
            }
        }
        return 0;
    }
}
