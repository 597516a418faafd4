// Renders chat messages into a prompt: the GGUF's Jinja chat template (sandboxed jinjava) or a built-in fallback.
package gale.engine.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.loader.ResourceLocator;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A chat template. {@link #jinja} renders a model's {@code tokenizer.chat_template} with jinjava in a sandbox: no
 * file or network access (templates cannot include anything), a cap on output size and render depth, and a time
 * limit. {@link Builtin} holds fallbacks for models without a template. Thread-safe.
 */
public sealed interface ChatTemplate {
    /** One chat message. */
    record Message(String role, String content) {
        public Message {
            if (role == null || role.isBlank()) throw new IllegalArgumentException("message role must not be empty");
            if (content == null) throw new IllegalArgumentException("message content must not be null");
        }
    }

    /** Renders the conversation; with {@code addGenerationPrompt} it ends with the assistant's header. */
    String render(List<Message> messages, boolean addGenerationPrompt);

    String name();

    /** A Jinja template from model metadata, rendered with {@code bos_token}/{@code eos_token} set. */
    static ChatTemplate jinja(String source, String bosToken, String eosToken) {
        return new Jinja(source, bosToken, eosToken);
    }

    /**
     * The model's own template if it has one, else the built-in fallback whose marker tokens the vocabulary holds
     * (Llama 3 headers, ChatML, Mistral/Llama 2 [INST]), else ChatML.
     */
    static ChatTemplate forModel(String ggufTemplate, String bosToken, String eosToken, java.util.function.Predicate<String> vocabHas) {
        if (ggufTemplate != null && !ggufTemplate.isBlank()) return jinja(ggufTemplate, bosToken, eosToken);
        if (vocabHas.test("<|start_header_id|>")) return Builtin.LLAMA3;
        if (vocabHas.test("<|im_start|>")) return Builtin.CHATML;
        if (vocabHas.test("[INST]")) return Builtin.MISTRAL;
        return Builtin.CHATML;
    }

    /** Raised when a template cannot be rendered: syntax, {@code raise_exception}, limits, time-out. */
    final class TemplateException extends RuntimeException {
        public TemplateException(String message) { super(message); }
    }

    /** Built-in templates, as the model families' reference templates render them. */
    enum Builtin implements ChatTemplate {
        LLAMA3 {
            @Override public String render(List<Message> messages, boolean gen) {
                StringBuilder sb = new StringBuilder("<|begin_of_text|>");
                for (Message m : messages)
                    sb.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n").append(m.content().strip()).append("<|eot_id|>");
                if (gen) sb.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
                return sb.toString();
            }
        },
        LLAMA2 {
            @Override public String render(List<Message> messages, boolean gen) {
                StringBuilder sb = new StringBuilder();
                String system = null;
                int start = 0;
                if (!messages.isEmpty() && messages.getFirst().role().equals("system")) { system = messages.getFirst().content(); start = 1; }
                for (int i = start; i < messages.size(); i++) {
                    Message m = messages.get(i);
                    if (m.role().equals("user")) {
                        String content = m.content().strip();
                        if (i == start && system != null) content = "<<SYS>>\n" + system.strip() + "\n<</SYS>>\n\n" + content;
                        sb.append("<s>[INST] ").append(content).append(" [/INST]");
                    } else if (m.role().equals("assistant")) {
                        sb.append(" ").append(m.content().strip()).append(" </s>");
                    } else {
                        throw new TemplateException("llama2 template: unsupported role '" + m.role() + "' at message " + i);
                    }
                }
                return sb.toString();
            }
        },
        CHATML {
            @Override public String render(List<Message> messages, boolean gen) {
                StringBuilder sb = new StringBuilder();
                for (Message m : messages) sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
                if (gen) sb.append("<|im_start|>assistant\n");
                return sb.toString();
            }
        },
        MISTRAL {
            @Override public String render(List<Message> messages, boolean gen) {
                StringBuilder sb = new StringBuilder("<s>");
                String system = null;
                int start = 0;
                if (!messages.isEmpty() && messages.getFirst().role().equals("system")) { system = messages.getFirst().content(); start = 1; }
                for (int i = start; i < messages.size(); i++) {
                    Message m = messages.get(i);
                    switch (m.role()) {
                        case "user" -> {
                            String c = m.content();
                            if (system != null && i == start) c = system + "\n\n" + c;
                            sb.append("[INST] ").append(c).append(" [/INST]");
                        }
                        case "assistant" -> sb.append(m.content()).append("</s>");
                        default -> throw new TemplateException("mistral template: unsupported role '" + m.role() + "' at message " + i);
                    }
                }
                return sb.toString();
            }
        }
    }

    /** The sandboxed jinjava renderer. */
    final class Jinja implements ChatTemplate {
        static final long MAX_OUTPUT_CHARS = 4L << 20;
        static final long MAX_TEMPLATE_CHARS = 256L << 10;
        static final long TIME_LIMIT_MS = Long.getLong("gale.chatTemplate.timeoutMs", 2000);
        private static final ExecutorService RENDERER = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gale-chat-template");
            t.setDaemon(true);
            return t;
        });

        private final String source, bos, eos;
        private final Jinjava jinjava;

        Jinja(String source, String bos, String eos) {
            if (source.length() > MAX_TEMPLATE_CHARS)
                throw new TemplateException("chat template is " + source.length() + " characters; the limit is " + MAX_TEMPLATE_CHARS);
            this.source = source;
            this.bos = bos == null ? "" : bos;
            this.eos = eos == null ? "" : eos;
            JinjavaConfig config = JinjavaConfig.newBuilder()
                    .withMaxOutputSize(MAX_OUTPUT_CHARS)
                    .withMaxRenderDepth(10)
                    .withMaxMacroRecursionDepth(20)
                    .withEnableRecursiveMacroCalls(false)
                    .withMaxListSize(100_000)
                    .withMaxStringLength(MAX_OUTPUT_CHARS)
                    .withFailOnUnknownTokens(false)
                    .withTrimBlocks(false)
                    .withLstripBlocks(false)
                    .build();
            this.jinjava = new Jinjava(config);
            jinjava.setResourceLocator(new ResourceLocator() {
                @Override public String getString(String path, Charset encoding, com.hubspot.jinjava.interpret.JinjavaInterpreter interpreter)
                        throws java.io.IOException {
                    throw new java.io.IOException("chat templates cannot load other files (" + path + ")");
                }
            });
            jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", Jinja.class, "raise", String.class));
            jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", Jinja.class, "strftimeNow", String.class));
        }

        /** The template's {@code raise_exception(msg)}. */
        public static String raise(String message) { throw new TemplateException("chat template raised: " + message); }

        /** The template's {@code strftime_now(fmt)} (used by Llama 3.1 for the date line). */
        public static String strftimeNow(String format) {
            java.time.LocalDate d = java.time.LocalDate.now();
            return format.replace("%d", String.format("%02d", d.getDayOfMonth()))
                    .replace("%b", d.getMonth().getDisplayName(java.time.format.TextStyle.SHORT, java.util.Locale.ENGLISH))
                    .replace("%B", d.getMonth().getDisplayName(java.time.format.TextStyle.FULL, java.util.Locale.ENGLISH))
                    .replace("%Y", Integer.toString(d.getYear())).replace("%m", String.format("%02d", d.getMonthValue()));
        }

        @Override public String name() { return "gguf"; }

        @Override public String render(List<Message> messages, boolean addGenerationPrompt) {
            List<Map<String, Object>> msgs = new ArrayList<>();
            for (Message m : messages) msgs.add(Map.of("role", m.role(), "content", m.content()));
            Map<String, Object> ctx = new HashMap<>();
            ctx.put("messages", msgs);
            ctx.put("add_generation_prompt", addGenerationPrompt);
            ctx.put("bos_token", bos);
            ctx.put("eos_token", eos);
            Future<RenderResult> f = RENDERER.submit(() -> jinjava.renderForResult(source, ctx));
            RenderResult r;
            try {
                r = f.get(TIME_LIMIT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new TemplateException("chat template took longer than " + TIME_LIMIT_MS + " ms to render");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof TemplateException te) throw te;
                throw new TemplateException("chat template failed: " + c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TemplateException("interrupted while rendering the chat template");
            }
            for (TemplateError err : r.getErrors()) {
                if (err.getSeverity() == TemplateError.ErrorType.FATAL) {
                    String msg = err.getMessage();
                    for (Throwable c = err.getException(); c != null; c = c.getCause()) if (c instanceof TemplateException te) throw te;
                    if (msg != null && msg.contains("chat template raised")) throw new TemplateException(msg.substring(msg.indexOf("chat template raised")));
                    throw new TemplateException("chat template error at line " + err.getLineno() + ": " + msg);
                }
            }
            return r.getOutput();
        }
    }
}
