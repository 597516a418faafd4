// Loads the committed test data: vocabularies (gzip text written by src/test/golden/generate.mjs) and golden vectors
// produced by llama.cpp.
package gale.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

final class GoldenData {
    record Vector(String text, boolean special, int[] ids, String decoded) {}

    private static final ConcurrentHashMap<String, Vocabulary> VOCABS = new ConcurrentHashMap<>();

    private GoldenData() {}

    static InputStream resource(String name) {
        InputStream in = GoldenData.class.getResourceAsStream(name);
        if (in == null) throw new IllegalStateException("missing test resource gale/tokenizer/" + name);
        return in;
    }

    /** A vocabulary file; {@code pre} overrides the file's pre-tokenizer (null keeps it). */
    static Vocabulary vocab(String file) {
        return VOCABS.computeIfAbsent(file, GoldenData::load);
    }

    static Vocabulary withPre(Vocabulary v, String pre) {
        Vocabulary.Builder b = Vocabulary.builder(v.model()).tokens(v.tokens()).scores(v.scores()).merges(v.merges())
                .pre(pre).bos(v.bos()).eos(v.eos());
        int[] types = new int[v.size()];
        for (int i = 0; i < types.length; i++) types[i] = v.type(i).code();
        b.types(types);
        if (v.addBosRaw() != null) b.addBos(v.addBosRaw());
        return b.build();
    }

    private static Vocabulary load(String file) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(resource(file)), StandardCharsets.UTF_8))) {
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
            throw new UncheckedIOException(file, e);
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

    static List<Vector> vectors(String file) {
        List<Vector> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(resource(file), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) continue;
                out.add(parse(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file, e);
        }
        return out;
    }

    /** Parses one line of the form {"text":"..","special":b,"ids":[..],"decoded":".."} as JSON.stringify writes it. */
    private static Vector parse(String line) {
        String text = stringField(line, "\"text\":\"");
        boolean special = line.contains("\"special\":true");
        int a = line.indexOf("\"ids\":[") + 7;
        String ids = line.substring(a, line.indexOf(']', a)).trim();
        int[] arr = ids.isEmpty() ? new int[0] : java.util.Arrays.stream(ids.split(",")).mapToInt(Integer::parseInt).toArray();
        String decoded = line.contains("\"decoded\":\"") ? stringField(line, "\"decoded\":\"") : null;
        return new Vector(text, special, arr, decoded);
    }

    private static String stringField(String line, String key) {
        int i = line.indexOf(key) + key.length();
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = line.charAt(i++);
            if (c == '"') return sb.toString();
            if (c != '\\') { sb.append(c); continue; }
            char d = line.charAt(i++);
            switch (d) {
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> { sb.append((char) Integer.parseInt(line.substring(i, i + 4), 16)); i += 4; }
                default -> sb.append(d);
            }
        }
    }
}
