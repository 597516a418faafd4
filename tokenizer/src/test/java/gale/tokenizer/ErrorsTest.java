// Configuration errors are clear and name the offending value.
package gale.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ErrorsTest {
    @Test
    void unknownPreTokenizerIsAnError() {
        Vocabulary v = GoldenData.withPre(GoldenData.vocab("gpt2.vocab.gz"), "no-such-pre");
        var e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.of(v));
        assertTrue(e.getMessage().contains("'no-such-pre'"), e.getMessage());
    }

    @Test
    void missingPreTokenizerFallsBackToDefault() {
        Vocabulary v = GoldenData.withPre(GoldenData.vocab("gpt2.vocab.gz"), null);
        Vocabulary d = GoldenData.withPre(GoldenData.vocab("gpt2.vocab.gz"), "default");
        String text = "Hello,world!!! 12345 it's";
        assertArrayEquals(Tokenizer.of(d).encode(text, false, Tokenizer.SpecialTokens.PLAIN_TEXT),
                Tokenizer.of(v).encode(text, false, Tokenizer.SpecialTokens.PLAIN_TEXT));
    }

    @Test
    void unsupportedModelIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.Model.ofGguf("t5"));
        assertTrue(e.getMessage().contains("'t5'"), e.getMessage());
    }

    @Test
    void outOfRangeIdsAreErrors() {
        Tokenizer t = RoundTripTest.tokenizer("gpt2");
        var e = assertThrows(IndexOutOfBoundsException.class, () -> t.piece(50257, false));
        assertTrue(e.getMessage().contains("50257"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder(Vocabulary.Model.SENTENCEPIECE)
                .tokens(java.util.List.of("a", "b")).bos(5).build());
    }
}
