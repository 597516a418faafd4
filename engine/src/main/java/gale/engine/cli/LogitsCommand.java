// `gale logits`: the full logits vector at the last prompt position, as JSON (for comparisons with other engines).
package gale.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gale.engine.inference.LlamaModel;
import gale.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "logits", mixinStandardHelpOptions = true, description = "Print the prompt's token ids and the logits at its last position as JSON.")
final class LogitsCommand implements Callable<Integer> {
    @Mixin ModelOptions model;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Option(names = "--json", description = "JSON output (the only format; accepted for symmetry with the other commands).")
    boolean json;

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        try (LlamaModel m = LlamaModel.load(model.modelPath(), model.options())) {
            int[] ids = m.tokenizer().encode(prompt, true, Tokenizer.SpecialTokens.PLAIN_TEXT);
            float[] logits = m.logits(ids);
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("prompt_token_ids", ids);
            o.put("backend", m.device().id());
            o.put("device", m.device().info().name());
            o.put("vocab_size", logits.length);
            o.put("logits", logits);
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(o));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
