// Gale's tokenizers against ids produced by llama.cpp (node-llama-cpp 3.21.1) for real vocabularies.
package gale.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoldenTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "gpt2.golden.jsonl, gpt2.vocab.gz, , false",
            "gpt2-default.golden.jsonl, gpt2.vocab.gz, default, false",
            "gpt2-qwen2.golden.jsonl, gpt2.vocab.gz, qwen2, true",
            "llama2.golden.jsonl, llama2.vocab.gz, , true",
            "llama3.golden.jsonl, llama3.vocab.gz, , false",
    })
    // compareDecode: llama.cpp's detokenizer also applies a lossy space clean-up for gpt2/llama-bpe/default
    // vocabularies, which Gale deliberately does not; its output is comparable where that clean-up is off
    void matchesLlamaCpp(String golden, String vocabFile, String pre, boolean compareDecode) {
        Vocabulary v = GoldenData.vocab(vocabFile);
        if (pre != null) v = GoldenData.withPre(v, pre);
        Tokenizer tok = Tokenizer.of(v);
        List<GoldenData.Vector> vectors = GoldenData.vectors(golden);
        int pass = 0, decodePass = 0;
        StringBuilder failures = new StringBuilder();
        for (GoldenData.Vector g : vectors) {
            int[] ids = tok.encode(g.text(), false,
                    g.special() ? Tokenizer.SpecialTokens.RECOGNISE : Tokenizer.SpecialTokens.PLAIN_TEXT);
            if (Arrays.equals(ids, g.ids())) pass++;
            else failures.append("\n  ").append(escape(g.text())).append(" special=").append(g.special())
                    .append("\n    llama.cpp ").append(Arrays.toString(g.ids())).append("\n    gale      ").append(Arrays.toString(ids));
            if (compareDecode) {
                String decoded = tok.decode(g.ids(), g.special());
                if (decoded.equals(g.decoded())) decodePass++;
                else failures.append("\n  decode of ").append(Arrays.toString(g.ids())).append("\n    llama.cpp ")
                        .append(escape(g.decoded())).append("\n    gale      ").append(escape(decoded));
            }
        }
        System.out.printf("golden %s: encode %d/%d exact%s%n", golden, pass, vectors.size(),
                compareDecode ? ", decode " + decodePass + "/" + vectors.size() + " exact" : "");
        assertEquals(vectors.size(), pass, golden + " mismatches:" + failures);
        if (compareDecode) assertEquals(vectors.size(), decodePass, golden + " mismatches:" + failures);
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == 0x7F) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }
}
