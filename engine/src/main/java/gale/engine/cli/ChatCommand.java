// `gale chat`: an interactive conversation through the model's chat template, keeping the KV cache across turns.
package gale.engine.cli;

import gale.engine.chat.ChatTemplate;
import gale.engine.inference.Generator;
import gale.engine.inference.LlamaModel;
import gale.tokenizer.Tokenizer;
import gale.tokenizer.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with a model (one user message per line; /exit or end of input quits). The KV cache is kept across turns.")
final class ChatCommand implements Callable<Integer> {
    @Mixin ModelOptions model;
    @Mixin SamplingOptions sampling;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message.")
    String system;

    @Override public Integer call() throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        try (LlamaModel m = LlamaModel.load(model.modelPath(), model.options())) {
            Tokenizer tok = m.tokenizer();
            Vocabulary v = tok.vocabulary();
            Set<String> tokens = new HashSet<>(v.tokens());
            String bos = v.bos() >= 0 ? v.token(v.bos()) : "", eos = v.eos() >= 0 ? v.token(v.eos()) : "";
            ChatTemplate template = ChatTemplate.forModel(m.chatTemplate(), bos, eos, tokens::contains);
            System.err.printf("[%s on %s, template %s, context %d; /exit to quit]%n", m.name(), m.device().id(), template.name(), m.contextLength());
            List<ChatTemplate.Message> messages = new ArrayList<>();
            if (system != null) messages.add(new ChatTemplate.Message("system", system));
            int[] cached = new int[0];   // the tokens whose keys and values are in the cache, in order
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                System.err.print("> ");
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) break;
                if (line.isBlank()) continue;
                messages.add(new ChatTemplate.Message("user", line));
                int[] ids = tok.encode(template.render(messages, true), false, Tokenizer.SpecialTokens.RECOGNISE);
                if (tok.addsBos() && (ids.length == 0 || ids[0] != v.bos())) ids = prepend(v.bos(), ids);
                // Reuse the cached prefix; re-tokenisation of earlier replies may differ, so rewind to the first difference.
                int keep = 0;
                while (keep < cached.length && keep < ids.length - 1 && cached[keep] == ids[keep]) keep++;
                m.rewind(keep);
                var request = new Generator.Request(Arrays.copyOfRange(ids, keep, ids.length), sampling.params(), sampling.maxTokens, sampling.stop);
                Generator.Result r = new Generator(m).generate(request, out::print);
                out.println();
                messages.add(new ChatTemplate.Message("assistant", r.text()));
                int[] all = Arrays.copyOf(ids, ids.length + r.tokenIds().length);
                System.arraycopy(r.tokenIds(), 0, all, ids.length, r.tokenIds().length);
                cached = Arrays.copyOf(all, m.position());
                System.err.printf("[%d tokens at %.1f t/s; %d of %d context positions used]%n", r.tokenIds().length, r.tokensPerSecond(),
                        m.position(), m.contextLength());
            }
        }
        return 0;
    }

    private static int[] prepend(int id, int[] ids) {
        int[] a = new int[ids.length + 1];
        a[0] = id;
        System.arraycopy(ids, 0, a, 1, ids.length);
        return a;
    }
}
