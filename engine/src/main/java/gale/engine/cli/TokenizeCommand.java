// `gale tokenize`: the token ids and pieces of a text under a model's tokenizer.
package gale.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gale.engine.gguf.GgufFile;
import gale.engine.inference.GgufTokenizer;
import gale.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        if (!java.nio.file.Files.isRegularFile(model)) throw new IllegalArgumentException("--model " + model + ": no such file");
        java.io.PrintWriter out = spec.commandLine().getOut();
        try (GgufFile f = GgufFile.open(model)) {
            Tokenizer t = GgufTokenizer.tokenizer(f);
            int[] ids = t.encode(text, true, Tokenizer.SpecialTokens.PLAIN_TEXT);
            List<String> pieces = new ArrayList<>();
            for (int id : ids) pieces.add(t.vocabulary().token(id));
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("ids", ids);
                o.put("pieces", pieces);
                out.println(new ObjectMapper().writeValueAsString(o));
            } else {
                for (int i = 0; i < ids.length; i++) out.printf("%8d  %s%n", ids[i], pieces.get(i));
            }
            out.flush();
        }
        return 0;
    }
}
