// `gale tokenize`: the token ids and pieces of a text under a model's tokenizer.
package gale.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gale.engine.gguf.GgufFile;
import gale.engine.inference.GgufTokenizer;
import gale.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Show the token ids and pieces of a text (BOS as the model's metadata says).")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = {"-t", "--text"}, required = true, paramLabel = "TEXT", description = "Text to tokenize (special-token texts are not recognised).")
    String text;

    @Option(names = "--json", description = "Print {ids: [...], pieces: [...]}.")
    boolean json;

    @Override public Integer call() throws Exception {
        try (GgufFile f = GgufFile.open(model)) {
            Tokenizer t = GgufTokenizer.tokenizer(f);
            int[] ids = t.encode(text, true, Tokenizer.SpecialTokens.PLAIN_TEXT);
            List<String> pieces = new ArrayList<>();
            for (int id : ids) pieces.add(t.vocabulary().token(id));
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("ids", ids);
                o.put("pieces", pieces);
                System.out.println(new ObjectMapper().writeValueAsString(o));
            } else {
                var out = new java.io.PrintStream(System.out, true, StandardCharsets.UTF_8);
                for (int i = 0; i < ids.length; i++) out.printf("%8d  %s%n", ids[i], pieces.get(i));
            }
        }
        return 0;
    }
}
