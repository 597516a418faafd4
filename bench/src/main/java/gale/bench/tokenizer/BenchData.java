// Inputs for the tokenizer benchmarks: the committed test vocabularies and the KJV corpus, found from the repository.
package gale.bench.tokenizer;

import gale.tokenizer.Vocabulary;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Static loaders; stateless. */
public final class BenchData {
    private BenchData() {}

    /** The repository root: {@code -Dgale.root}, else the nearest directory above the working directory with a tokenizer module. */
    public static Path root() {
        String p = System.getProperty("gale.root");
        if (p != null) return Path.of(p);
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("tokenizer/src/test/resources/gale/tokenizer"))) return d;
        }
        throw new IllegalStateException("cannot find the Gale repository above " + Path.of("").toAbsolutePath()
                + "; run from the repository or pass -Dgale.root=...");
    }

    /** build/corpus/kjv.txt; missing is an error that names the script that writes it. */
    public static Path kjv() {
        Path f = root().resolve("build/corpus/kjv.txt");
        if (!Files.isRegularFile(f))
            throw new IllegalStateException(f + " is missing: run scripts/prepare-demo-corpus");
        return f;
    }

    /** The first {@code maxBytes} of the KJV, cut after the last whole line. */
    public static String kjvText(int maxBytes) throws IOException {
        byte[] b = Files.readAllBytes(kjv());
        int n = Math.min(maxBytes, b.length);
        while (n > 0 && n < b.length && b[n - 1] != '\n') n--;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * A training text of exactly about {@code bytes}: the KJV, then ROT13 of its lines from the start until the size is
     * reached (new word forms, so the word table is not just the KJV's counted twice).
     */
    public static String trainingText(int bytes) throws IOException {
        String kjv = Files.readString(kjv());
        StringBuilder sb = new StringBuilder(bytes + 256).append(kjv, 0, Math.min(kjv.length(), bytes));
        for (int i = 0; sb.length() < bytes && i < kjv.length(); i++) {
            char c = kjv.charAt(i);
            if (c >= 'a' && c <= 'z') c = (char) ('a' + (c - 'a' + 13) % 26);
            else if (c >= 'A' && c <= 'Z') c = (char) ('A' + (c - 'A' + 13) % 26);
            sb.append(c);
        }
        return sb.toString();
    }

    /** A vocabulary from tokenizer/src/test/resources/gale/tokenizer/NAME.vocab.gz (llama2, llama3, gpt2). */
    public static Vocabulary vocabulary(String name) {
        Path file = root().resolve("tokenizer/src/test/resources/gale/tokenizer/" + name + ".vocab.gz");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
                StandardCharsets.UTF_8))) {
            String model = null, pre = null;
            Integer bos = null, eos = null, unk = null;
            Boolean addBos = null;
            List<String> tokens = new ArrayList<>(), merges = new ArrayList<>();
            float[] scores = null;
            int[] types = null;
            for (String line; (line = r.readLine()) != null; ) {
                int sp = line.indexOf(' ');
                String key = line.substring(0, sp), val = line.substring(sp + 1);
                switch (key) {
                    case "model" -> model = val;
                    case "pre" -> pre = val;
                    case "bos" -> bos = Integer.parseInt(val);
                    case "eos" -> eos = Integer.parseInt(val);
                    case "unk" -> unk = Integer.parseInt(val);
                    case "add_bos" -> addBos = Boolean.parseBoolean(val);
                    case "tokens" -> {
                        int n = Integer.parseInt(val);
                        scores = new float[n];
                        types = new int[n];
                        for (int i = 0; i < n; i++) {
                            String t = r.readLine();
                            int a = t.indexOf(' '), b = t.indexOf(' ', a + 1);
                            types[i] = Integer.parseInt(t.substring(0, a));
                            scores[i] = Float.parseFloat(t.substring(a + 1, b));
                            tokens.add(unescape(t.substring(b + 1)));
                        }
                    }
                    case "merges" -> {
                        int n = Integer.parseInt(val);
                        for (int i = 0; i < n; i++) merges.add(unescape(r.readLine()));
                    }
                    default -> throw new IllegalStateException(file + ": unknown key " + key);
                }
            }
            Vocabulary.Builder b = Vocabulary.builder(Vocabulary.Model.ofGguf(model)).tokens(tokens).scores(scores).types(types);
            if (!merges.isEmpty()) b.merges(merges);
            if (pre != null) b.pre(pre);
            if (bos != null) b.bos(bos);
            if (eos != null) b.eos(eos);
            if (unk != null) b.unk(unk);
            if (addBos != null) b.addBos(addBos);
            return b.build();
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') { sb.append(c); continue; }
            char d = s.charAt(++i);
            sb.append(d == 'n' ? '\n' : d == 'r' ? '\r' : d);
        }
        return sb.toString();
    }
}
