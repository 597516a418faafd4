// Tests that real chat templates render through the sandboxed jinjava renderer exactly as the built-ins do, and the sandbox limits.
package gale.engine.chat;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ChatTemplateTest {
    static final List<ChatTemplate.Message> CHAT = List.of(
            new ChatTemplate.Message("system", "You are terse."),
            new ChatTemplate.Message("user", "Hi there"),
            new ChatTemplate.Message("assistant", "Hello."),
            new ChatTemplate.Message("user", "What is 2+2?"));

    // Llama 3's template as published in its tokenizer_config.json.
    static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    @Test void llama3TemplateMatchesBuiltin() {
        String jinja = ChatTemplate.jinja(LLAMA3, "<|begin_of_text|>", "<|end_of_text|>").render(CHAT, true);
        assertEquals(ChatTemplate.Builtin.LLAMA3.render(CHAT, true), jinja);
    }

    @Test void chatmlTemplateMatchesBuiltin() {
        assertEquals(ChatTemplate.Builtin.CHATML.render(CHAT, true), ChatTemplate.jinja(CHATML, "", "").render(CHAT, true));
        assertEquals(ChatTemplate.Builtin.CHATML.render(CHAT, false), ChatTemplate.jinja(CHATML, "", "").render(CHAT, false));
    }

    @Test void raiseExceptionBecomesTypedError() {
        String t = "{% if messages[0]['role'] != 'user' %}{{ raise_exception('Conversation must start with user') }}{% endif %}ok";
        var e = assertThrows(ChatTemplate.TemplateException.class, () -> ChatTemplate.jinja(t, "", "").render(CHAT, true));
        assertTrue(e.getMessage().contains("Conversation must start with user"), e.getMessage());
    }

    @Test void includesAreRefused() {
        String t = "{% include '/etc/passwd' %}";
        String out;
        try {
            out = ChatTemplate.jinja(t, "", "").render(CHAT, true);
        } catch (ChatTemplate.TemplateException e) {
            return; // refused with an error: fine
        }
        assertFalse(out.contains("root:"), "include must not read files");
    }

    @Test void outputSizeIsCapped() {
        String t = "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}";
        assertThrows(ChatTemplate.TemplateException.class, () -> ChatTemplate.jinja(t, "", "").render(CHAT, true));
    }

    @Test void fallbackFollowsVocabulary() {
        assertSame(ChatTemplate.Builtin.LLAMA3, ChatTemplate.forModel(null, "", "", s -> s.equals("<|start_header_id|>")));
        assertSame(ChatTemplate.Builtin.MISTRAL, ChatTemplate.forModel("", "", "", s -> s.equals("[INST]")));
        assertSame(ChatTemplate.Builtin.CHATML, ChatTemplate.forModel(null, "", "", s -> false));
    }

    @Test void llama2Builtin() {
        String s = ChatTemplate.Builtin.LLAMA2.render(CHAT, true);
        assertEquals("<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi there [/INST] Hello. </s><s>[INST] What is 2+2? [/INST]", s);
    }
}
