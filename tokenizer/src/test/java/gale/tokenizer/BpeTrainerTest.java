// BpeTrainer: exact size, determinism, round trips through Tokenizer.of (byte fallback, single digits), merges applied.
package gale.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BpeTrainerTest {
    private static final String[] WORDS = ("the of and to in is that for it as with was on be by at this which from or "
            + "have an they not are had but his one all were there their been has when who will more no if out so "
            + "said what up its about into than them can only other new some could time these two may then do first "
            + "any my now such like our over man me even most made after also did many before must through back years "
            + "where much your way well down should because each just those people how too little state good very make "
            + "world still own see men work long get here between both life being under never day same another know "
            + "beginning heaven earth darkness waters light evening morning firmament gathered together dry land grass "
            + "Lord God Israel king Jerusalem David Moses children Egypt").split(" ");

    /** Deterministic English-like text: Zipf-ish word choice, punctuation, numbers, newlines. */
    static List<String> corpus(int lines, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int l = 0; l < lines; l++) {
            StringBuilder sb = new StringBuilder();
            int n = 5 + r.nextInt(20);
            for (int i = 0; i < n; i++) {
                if (i > 0) sb.append(' ');
                int k = (int) Math.min(WORDS.length - 1, Math.abs(r.nextGaussian()) * WORDS.length / 3);
                String w = WORDS[k];
                if (i == 0) w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
                sb.append(w);
                if (r.nextInt(12) == 0) sb.append(',');
                if (r.nextInt(40) == 0) sb.append(' ').append(r.nextInt(2000));
            }
            sb.append(r.nextBoolean() ? "." : ";");
            out.add(sb.toString());
        }
        return out;
    }

    private static BpeTrainer.Options options(Vocabulary.Model model, int size) {
        return BpeTrainer.Options.of(size, model, null);
    }

    private static final String[] PROBES = {
        "In the beginning God created the heaven and the earth.",
        "Chapter 12345, verse 0: 3.14159 and 2024-11-28",
        "ünïcödé naïve café — 日本語のテキスト 😀🎉 \u0000\u0007 tab\tand\nnewline\r\n",
        "  leading and  double  spaces  ",
        "",
        " ",
        "the",
        "<s> </s> <unk> <|begin_of_text|> ▁ literal",
    };

    @ParameterizedTest
    @EnumSource(Vocabulary.Model.class)
    void vocabularySizeIsExactAndTrainingIsDeterministic(Vocabulary.Model model) {
        List<String> texts = corpus(3000, 1);
        Vocabulary a = BpeTrainer.train(texts, options(model, 600));
        Vocabulary b = BpeTrainer.train(texts, options(model, 600));
        assertEquals(600, a.size());
        assertEquals(a.tokens(), b.tokens());
        assertArrayEquals(a.scores(), b.scores());
        assertEquals(a.merges(), b.merges());
        for (int i = 0; i < a.size(); i++) assertEquals(a.type(i), b.type(i));
        // a tiny corpus runs out of pairs: unused tokens fill the rest, the size stays exact
        Vocabulary small = BpeTrainer.train(List.of("abc abd"), options(model, 400));
        assertEquals(400, small.size());
        assertEquals(TokenType.UNUSED, small.type(model == Vocabulary.Model.SENTENCEPIECE ? 399 : 397));
        Tokenizer t = Tokenizer.of(small);
        for (String p : PROBES) roundTrip(t, p);
    }

    @ParameterizedTest
    @EnumSource(Vocabulary.Model.class)
    void encodingRoundTripsWithByteFallbackAndSingleDigits(Vocabulary.Model model) {
        Vocabulary v = BpeTrainer.train(corpus(3000, 2), options(model, 700));
        Tokenizer tok = Tokenizer.of(v);
        for (String p : PROBES) roundTrip(tok, p);
        for (String t : corpus(200, 99)) roundTrip(tok, t);
        // random text with arbitrary code points
        Random r = new Random(5);
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(30); k > 0; k--) {
                int cp = r.nextInt(4) == 0 ? r.nextInt(0x2FFFF) : 0x20 + r.nextInt(0x60);
                if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';
                sb.appendCodePoint(cp);
            }
            roundTrip(tok, sb.toString());
        }
        // no token holds a digit together with anything else
        for (int id = 0; id < v.size(); id++) {
            if (v.type(id) != TokenType.NORMAL) continue;
            String piece = new String(tok.piece(id, false), StandardCharsets.UTF_8);
            if (piece.chars().anyMatch(Character::isDigit)) assertEquals(1, piece.strip().length(), piece);
        }
        int[] ids = tok.encode("x 1234567890", false, Tokenizer.SpecialTokens.PLAIN_TEXT);
        int digits = 0;
        for (int id : ids) {
            String piece = new String(tok.piece(id, false), StandardCharsets.UTF_8);
            if (piece.length() == 1 && Character.isDigit(piece.charAt(0))) digits++;
        }
        assertEquals(10, digits, "each digit is its own token");
    }

    @ParameterizedTest
    @EnumSource(Vocabulary.Model.class)
    void frequentWordsBecomeOneToken(Vocabulary.Model model) {
        Vocabulary v = BpeTrainer.train(corpus(3000, 3), options(model, 700));
        Tokenizer tok = Tokenizer.of(v);
        for (String w : new String[] {" the", " and", " people", " through"}) {
            String text = model == Vocabulary.Model.SENTENCEPIECE ? "x" + w : w;
            int[] ids = tok.encode(text, false, Tokenizer.SpecialTokens.PLAIN_TEXT);
            int last = ids[ids.length - 1];
            assertEquals(w, new String(tok.piece(last, false), StandardCharsets.UTF_8), "'" + w + "' is one token");
        }
        // learned merges come first: the most frequent word's token precedes rarer ones
        String the = model == Vocabulary.Model.SENTENCEPIECE ? "\u2581the" : "\u0120the";
        String firm = model == Vocabulary.Model.SENTENCEPIECE ? "\u2581people" : "\u0120people";
        assertTrue(v.tokens().indexOf(the) < v.tokens().indexOf(firm));
    }

    @Test
    void sentencePieceLayoutFollowsLlama() {
        Vocabulary v = BpeTrainer.train(corpus(500, 4), options(Vocabulary.Model.SENTENCEPIECE, 400));
        assertEquals("<unk>", v.token(0));
        assertEquals(TokenType.UNKNOWN, v.type(0));
        assertEquals("<s>", v.token(1));
        assertEquals(TokenType.CONTROL, v.type(1));
        assertEquals("</s>", v.token(2));
        assertEquals("<0x00>", v.token(3));
        assertEquals("<0xFF>", v.token(258));
        assertEquals(TokenType.BYTE, v.type(258));
        for (int i = 260; i < v.size(); i++) assertTrue(v.score(i) < v.score(i - 1), "scores strictly decrease");
        assertEquals(1, v.bos());
        assertEquals(2, v.eos());
    }

    @ParameterizedTest
    @EnumSource(Vocabulary.Model.class)
    void trainsFromFilesWithInputLimitAndProgress(Vocabulary.Model model, @TempDir Path dir) throws Exception {
        Path f1 = dir.resolve("a.txt"), f2 = dir.resolve("b.txt");
        Files.writeString(f1, String.join("\n", corpus(2000, 6)) + "\n");
        Files.writeString(f2, "ünïcödé " + String.join("\n", corpus(2000, 7)));
        ByteArrayOutputStream bar = new ByteArrayOutputStream();
        BpeTrainer.Options o = BpeTrainer.Options.of(500, model, new PrintStream(bar, true, StandardCharsets.UTF_8));
        Vocabulary v = BpeTrainer.train(List.of(f1, f2), o);
        assertEquals(500, v.size());
        String shown = bar.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("100%") && shown.contains("trained 500 tokens"), shown);
        Vocabulary limited = BpeTrainer.train(List.of(f1, f2), BpeTrainer.Options.of(500, model, null).withMaxInputBytes(1001));
        assertEquals(500, limited.size());
        // same text through the Iterable API and through a file give the same vocabulary
        Vocabulary fromText = BpeTrainer.train(List.of(Files.readString(f1)), BpeTrainer.Options.of(500, model, null));
        Vocabulary fromFile = BpeTrainer.train(List.of(f1), BpeTrainer.Options.of(500, model, null));
        assertEquals(fromText.tokens(), fromFile.tokens());
    }

    @Test
    void byteLevelDefaultPreTokenizerAndSpecialTokens() {
        Vocabulary v = BpeTrainer.train(corpus(1000, 8),
                options(Vocabulary.Model.BYTE_LEVEL_BPE, 500).withPre("default"));
        assertEquals("default", v.pre());
        assertEquals("<|begin_of_text|>", v.token(v.bos()));
        assertEquals("<|end_of_text|>", v.token(v.eos()));
        assertEquals(TokenType.CONTROL, v.type(v.bos()));
        Tokenizer tok = Tokenizer.of(v);
        for (String p : PROBES) roundTrip(tok, p);
        int[] ids = tok.encode("<|begin_of_text|>hi", false, Tokenizer.SpecialTokens.RECOGNISE);
        assertEquals(v.bos(), ids[0]);
    }

    @Test
    void rejectsBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> options(Vocabulary.Model.SENTENCEPIECE, 259));
        assertThrows(IllegalArgumentException.class, () -> options(Vocabulary.Model.BYTE_LEVEL_BPE, 257));
        assertThrows(IllegalArgumentException.class, () -> options(Vocabulary.Model.BYTE_LEVEL_BPE, 500).withPre("nope"));
        assertThrows(IllegalArgumentException.class, () -> options(Vocabulary.Model.BYTE_LEVEL_BPE, 500).withMinFrequency(0));
    }

    private static void roundTrip(Tokenizer tok, String text) {
        int[] ids = tok.encode(text, false, Tokenizer.SpecialTokens.PLAIN_TEXT);
        String expect = tok.addsSpacePrefix() ? text.replace('\u2581', ' ') : text;
        assertEquals(expect, tok.decode(ids, false), () -> "round trip of " + GoldenTest.escape(text));
    }
}
