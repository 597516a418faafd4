// Encode -> decode round trips, streaming decode against whole decode, and the special-token boundary.
package gale.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoundTripTest {
    private static final java.util.concurrent.ConcurrentHashMap<String, Tokenizer> TOKENIZERS = new java.util.concurrent.ConcurrentHashMap<>();

    static Tokenizer tokenizer(String name) {
        return TOKENIZERS.computeIfAbsent(name, n -> Tokenizer.of(GoldenData.vocab(n + ".vocab.gz")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama2", "llama3"})
    void userTextRoundTripsExactly(String name) {
        Tokenizer tok = tokenizer(name);
        int n = 0;
        for (GoldenData.Vector g : GoldenData.vectors(name + ".golden.jsonl")) {
            // SentencePiece escapes spaces as U+2581, so a literal U+2581 in the text comes back as a space
            if (tok.addsSpacePrefix() && g.text().indexOf('\u2581') >= 0) continue;
            int[] ids = tok.encode(g.text(), false, Tokenizer.SpecialTokens.PLAIN_TEXT);
            assertEquals(g.text(), tok.decode(ids, false), () -> "round trip of " + GoldenTest.escape(g.text()));
            n++;
        }
        assertTrue(n > 100, "too few texts: " + n);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama2", "llama3"})
    void streamingEqualsWholeDecode(String name) {
        Tokenizer tok = tokenizer(name);
        for (GoldenData.Vector g : GoldenData.vectors(name + ".golden.jsonl")) {
            for (boolean special : new boolean[] {false, true}) {
                byte[] whole = tok.decodeBytes(g.ids(), special);
                assertEquals(Utf8.decode(whole), stream(tok, g.ids(), special), () -> GoldenTest.escape(g.text()));
            }
        }
    }

    /** Random ids split multi-byte characters across tokens and produce invalid sequences; both must agree. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama2", "llama3"})
    void streamingEqualsWholeDecodeOnRandomIds(String name) {
        Tokenizer tok = tokenizer(name);
        int vocab = tok.vocabulary().size();
        Random r = new Random(42);
        for (int t = 0; t < 300; t++) {
            int[] ids = new int[1 + r.nextInt(20)];
            // favour the first 300 ids: byte tokens (SentencePiece) and single-byte characters (byte-level)
            for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(3) == 0 ? r.nextInt(vocab) : r.nextInt(300);
            String whole = tok.decode(ids, true);
            assertEquals(whole, stream(tok, ids, true), () -> Arrays.toString(ids));
        }
    }

    @Test
    void streamingHoldsBackIncompleteCharacters() {
        Tokenizer tok = tokenizer("llama2");
        // 日 = E6 97 A5 as three byte tokens <0xE6> <0x97> <0xA5> (ids 3 + byte)
        StreamingDecoder d = tok.streamingDecoder(false, false);
        assertEquals("", d.push(3 + 0xE6));
        assertEquals(1, d.pendingBytes());
        assertEquals("", d.push(3 + 0x97));
        assertEquals("日", d.push(3 + 0xA5));
        assertEquals(0, d.pendingBytes());
        // an unfinished sequence at the end of the stream is one U+FFFD; an impossible byte is one at once
        assertEquals("", d.push(3 + 0xE6));
        assertEquals("\uFFFD", d.finish());
        assertEquals("\uFFFDA", d.push(3 + 0xFF) + d.push(3 + 'A'));
    }

    static String stream(Tokenizer tok, int[] ids, boolean special) {
        StreamingDecoder d = tok.streamingDecoder(special, true);
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String chunk = d.push(id);
            for (int i = 0; i < chunk.length(); i++) {
                char c = chunk.charAt(i);
                if (Character.isHighSurrogate(c)) assertTrue(i + 1 < chunk.length() && Character.isLowSurrogate(chunk.charAt(++i)));
                else assertFalse(Character.isLowSurrogate(c), "chunk is not valid text");
            }
            sb.append(chunk);
        }
        return sb.append(d.finish()).toString();
    }

    @Test
    void utf8DecodingOfValidTextMatchesTheJdk() {
        Random r = new Random(7);
        for (int t = 0; t < 5000; t++) {
            StringBuilder sb = new StringBuilder();
            for (int i = r.nextInt(8); i > 0; i--) {
                int cp = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(0x80);
                    case 1 -> 0x80 + r.nextInt(0x780);
                    case 2 -> 0x800 + r.nextInt(0xD000);
                    default -> 0x10000 + r.nextInt(0x100000);
                };
                sb.appendCodePoint(cp);
            }
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            assertEquals(sb.toString(), Utf8.decode(b));
        }
    }

    /** Holding back at any split point and continuing gives the whole decode, for arbitrary (mostly invalid) bytes. */
    @Test
    void utf8DecodingIsSplitInvariant() {
        Random r = new Random(11);
        for (int t = 0; t < 5000; t++) {
            byte[] b = new byte[r.nextInt(12)];
            for (int i = 0; i < b.length; i++) b[i] = (byte) (r.nextBoolean() ? 0x80 + r.nextInt(0x80) : r.nextInt(256));
            String whole = Utf8.decode(b);
            for (int k = 0; k <= b.length; k++) {
                StringBuilder sb = new StringBuilder();
                int stop = Utf8.decode(b, 0, k, sb, false);
                Utf8.decode(b, stop, b.length, sb, true);
                assertEquals(whole, sb.toString(), Arrays.toString(b) + " split at " + k);
            }
        }
    }

    @Test
    void userTextNeverBecomesControlTokens() {
        Tokenizer tok = tokenizer("llama3");
        String text = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>";
        for (int id : tok.encode(text, false, Tokenizer.SpecialTokens.PLAIN_TEXT)) assertTrue(id < 128000, "control id " + id);
        assertArrayEquals(new int[] {128000, 128006, 882, 128007, 271, 6151, 128009},
                tok.encode(text, false, Tokenizer.SpecialTokens.RECOGNISE));
    }

    @Test
    void bosFollowsTheVocabulary() {
        assertEquals(128000, tokenizer("llama3").encode("hi", true, Tokenizer.SpecialTokens.PLAIN_TEXT)[0]);
        assertEquals(1, tokenizer("llama2").encode("hi", true, Tokenizer.SpecialTokens.PLAIN_TEXT)[0]);
        assertArrayEquals(new int[] {5303}, tokenizer("gpt2").encode("hi", true, Tokenizer.SpecialTokens.PLAIN_TEXT));
        assertArrayEquals(new int[] {1}, tokenizer("llama2").encode("", true, Tokenizer.SpecialTokens.PLAIN_TEXT));
    }
}
