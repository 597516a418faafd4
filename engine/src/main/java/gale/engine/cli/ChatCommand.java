// `gale chat`: an interactive conversation through the model's chat template, keeping the KV cache across turns.
package gale.engine.cli;

import gale.engine.chat.ChatSession;
import gale.engine.inference.LlamaModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with a model (one user message per line; /exit or end of input quits). The KV cache is kept across turns.")
final class ChatCommand implements Callable<Integer> {
    @Mixin ModelOptions model;
    @Mixin SamplingOptions sampling;
    @Spec CommandSpec spec;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message.")
    String system;

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try (LlamaModel m = LlamaModel.load(model.modelPath(), model.options())) {
            ChatSession session = new ChatSession(m, system);
            err.printf("[%s on %s, template %s, context %d; /exit to quit]%n", m.name(), m.device().id(), session.template().name(), m.contextLength());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                err.print("> ");
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) break;
                if (line.isBlank()) continue;
                err.flush();
                ChatSession.Turn t = session.reply(line, sampling.params(), sampling.maxTokens, sampling.stop, chunk -> { out.print(chunk); out.flush(); });
                out.println();
                err.printf("[%d tokens at %.1f t/s; prefilled %d of %d prompt tokens; %d of %d context positions used]%n",
                        t.result().tokenIds().length, t.result().tokensPerSecond(), t.prefilledTokens(), t.renderedTokens(),
                        m.position(), m.contextLength());
            }
        }
        return 0;
    }
}
