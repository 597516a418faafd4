// A multi-turn conversation on one model that keeps the KV cache across turns (the engine behind `gale chat`).
package gale.engine.chat;

import gale.engine.generate.SamplingParams;
import gale.engine.inference.Generator;
import gale.engine.inference.LlamaModel;
import gale.tokenizer.Tokenizer;
import gale.tokenizer.Vocabulary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A conversation: each turn renders the whole conversation through the chat template, tokenizes it, keeps the cached
 * prefix that still matches (re-tokenising an earlier reply may differ from the ids that were generated, so the cache
 * is rewound to the first difference) and prefills only the rest. The result equals a fresh run of the whole rendered
 * conversation. Not thread-safe; drives the model it is given (and assumes nobody else moves its position).
 */
public final class ChatSession {
    /** One turn's outcome: the reply and how many prompt tokens were prefilled (the rest came from the cache). */
    public record Turn(Generator.Result result, int renderedTokens, int reusedTokens) {
        public int prefilledTokens() { return renderedTokens - reusedTokens; }
    }

    private final LlamaModel model;
    private final ChatTemplate template;
    private final List<ChatTemplate.Message> messages = new ArrayList<>();
    private int[] cached = new int[0];   // the ids whose keys and values are in the cache, in order

    /** A session on {@code model} (rewound to 0) with its chat template (or a fallback); {@code system} may be null. */
    public ChatSession(LlamaModel model, String system) {
        this(model, templateFor(model), system);
    }

    public ChatSession(LlamaModel model, ChatTemplate template, String system) {
        this.model = model;
        this.template = template;
        model.rewind(0);
        if (system != null) messages.add(new ChatTemplate.Message("system", system));
    }

    /** The template the model's metadata asks for, or the built-in fallback its vocabulary suggests. */
    public static ChatTemplate templateFor(LlamaModel m) {
        Vocabulary v = m.tokenizer().vocabulary();
        Set<String> tokens = new HashSet<>(v.tokens());
        String bos = v.bos() >= 0 ? v.token(v.bos()) : "", eos = v.eos() >= 0 ? v.token(v.eos()) : "";
        return ChatTemplate.forModel(m.chatTemplate(), bos, eos, tokens::contains);
    }

    public ChatTemplate template() { return template; }

    public List<ChatTemplate.Message> messages() { return List.copyOf(messages); }

    /** The ids of the whole conversation so far plus an assistant header, as a fresh run would prefill them. */
    public int[] render(List<ChatTemplate.Message> conversation) {
        Tokenizer tok = model.tokenizer();
        Vocabulary v = tok.vocabulary();
        int[] ids = tok.encode(template.render(conversation, true), false, Tokenizer.SpecialTokens.RECOGNISE);
        if (tok.addsBos() && v.bos() >= 0 && (ids.length == 0 || ids[0] != v.bos())) {
            int[] a = new int[ids.length + 1];
            a[0] = v.bos();
            System.arraycopy(ids, 0, a, 1, ids.length);
            ids = a;
        }
        return ids;
    }

    /** Adds the user's message, generates the reply (streamed to {@code stream}) and adds it to the conversation. */
    public Turn reply(String user, SamplingParams sampling, int maxTokens, List<String> stops, Consumer<String> stream) {
        List<ChatTemplate.Message> next = new ArrayList<>(messages);
        next.add(new ChatTemplate.Message("user", user));
        int[] ids = render(next);
        int keep = 0;   // at least one token must run to produce logits
        while (keep < cached.length && keep < ids.length - 1 && cached[keep] == ids[keep]) keep++;
        if (keep > model.position()) keep = model.position();
        model.rewind(keep);
        // the request validates the context before anything runs: on failure the conversation is unchanged
        Generator.Result r = new Generator(model).generate(
                new Generator.Request(Arrays.copyOfRange(ids, keep, ids.length), sampling, maxTokens, stops), stream);
        messages.clear();
        messages.addAll(next);
        messages.add(new ChatTemplate.Message("assistant", r.text()));
        int[] all = Arrays.copyOf(ids, ids.length + r.tokenIds().length);
        System.arraycopy(r.tokenIds(), 0, all, ids.length, r.tokenIds().length);
        cached = Arrays.copyOf(all, model.position());
        return new Turn(r, ids.length, keep);
    }
}
