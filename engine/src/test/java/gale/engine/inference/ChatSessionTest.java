// Multi-turn chat keeps the KV cache (later turns prefill only their new tokens) and equals a fresh run.
package gale.engine.inference;

import gale.compute.Device;
import gale.compute.Devices;
import gale.engine.chat.ChatSession;
import gale.engine.chat.ChatTemplate;
import gale.engine.generate.SamplingParams;
import gale.engine.gguf.GgmlType;
import gale.engine.synthetic.SyntheticLlama;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatSessionTest {
    @TempDir static Path dir;

    /** tiny's shape with a 512-position context (chat templates are long in a byte-level vocabulary). */
    static final SyntheticLlama MODEL = new SyntheticLlama(256, 2, 8, 2, 512, 320, 512, GgmlType.F32, false, false, 10000f, 77, 4.0);

    @TestFactory List<DynamicTest> secondTurnReusesTheCacheAndEqualsAFreshRun() throws Exception {
        Path file = dir.resolve("chat.gguf");
        MODEL.write(file);
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Devices.all()) tests.add(DynamicTest.dynamicTest(d.id(), () -> check(d, file)));
        return tests;
    }

    static void check(Device d, Path file) throws Exception {
        SamplingParams greedy = SamplingParams.greedy();
        try (LlamaModel m = LlamaModel.load(file, LlamaModel.Options.defaults().withBackend(d.id()))) {
            ChatSession chat = new ChatSession(m, "be brief");
            assertEquals("chatml", chat.template().name().toLowerCase(), "fallback template for a vocabulary without markers");
            ChatSession.Turn t1 = chat.reply("hi there", greedy, 8, List.of(), s -> {});
            assertEquals(0, t1.reusedTokens());
            assertEquals(t1.renderedTokens(), t1.prefilledTokens());
            List<ChatTemplate.Message> beforeTurn2 = new ArrayList<>(chat.messages());
            beforeTurn2.add(new ChatTemplate.Message("user", "and then?"));

            long before = m.tokensProcessed();
            ChatSession.Turn t2 = chat.reply("and then?", greedy, 8, List.of(), s -> {});
            long ran = m.tokensProcessed() - before;
            Generator.Result r2 = t2.result();
            boolean eog = r2.stopReason() == Generator.StopReason.END_OF_GENERATION;
            System.out.printf("%s chat: turn 1 prefilled %d tokens; turn 2 rendered %d, reused %d from the cache, prefilled %d, ran %d in all%n",
                    d.id(), t1.prefilledTokens(), t2.renderedTokens(), t2.reusedTokens(), t2.prefilledTokens(), ran);
            // the whole first prompt (system + first user message + assistant header) came from the cache
            assertTrue(t2.reusedTokens() >= t1.renderedTokens(), "reused " + t2.reusedTokens() + " < first prompt " + t1.renderedTokens());
            // only the new prompt tokens and the generated ones ran (the last generated one is not run unless it led to EOS)
            assertEquals(t2.prefilledTokens() + r2.tokenIds().length - (eog ? 0 : 1), ran, "tokens run in turn 2");
            assertEquals(t2.renderedTokens() + r2.tokenIds().length - (eog ? 0 : 1), m.position(), "cache positions after turn 2");

            // a fresh run of the whole rendered conversation gives the same greedy tokens
            int[] ids = chat.render(beforeTurn2);
            assertEquals(t2.renderedTokens(), ids.length);
            m.rewind(0);
            Generator.Result fresh = new Generator(m).generate(new Generator.Request(ids, greedy, 8, List.of()), s -> {});
            assertArrayEquals(fresh.tokenIds(), r2.tokenIds(), "turn 2 with the cache vs a fresh run of the conversation");
            assertEquals(fresh.text(), r2.text());
        }
    }
}
