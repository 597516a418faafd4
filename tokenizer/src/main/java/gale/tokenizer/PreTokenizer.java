// Byte-level BPE pre-tokenizers: hand-written scanners with the semantics of the regexes llama.cpp uses for each
// `tokenizer.ggml.pre` (ported from its unicode.cpp custom splitters, quirks included), linear in the input and free
// of recursion, so megabyte-long runs of one character neither backtrack nor overflow the stack.
package gale.tokenizer;

import static gale.tokenizer.UnicodeFlags.ACCENT_MARK;
import static gale.tokenizer.UnicodeFlags.LETTER;
import static gale.tokenizer.UnicodeFlags.NUMBER;
import static gale.tokenizer.UnicodeFlags.PUNCTUATION;
import static gale.tokenizer.UnicodeFlags.WHITESPACE;

import java.util.List;
import java.util.Map;

/**
 * A pre-tokenizer splits a code-point range into pieces, reporting each piece's length in code points. Stateless and
 * immutable; safe to use from any thread.
 */
enum PreTokenizer {
    /** llama.cpp's fallback chain: punctuation runs, the GPT-2 rules, number runs, ASCII digit triples. */
    DEFAULT,
    /** {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} */
    GPT2,
    /** Llama 3: case-insensitive contractions, one optional non-letter before letters, digits in groups of 1-3. */
    LLAMA3,
    /** Qwen2: Llama 3's rules with single digits. */
    QWEN2,
    /** StarCoder/SmolLM: every number character alone, then the GPT-2 rules. */
    STARCODER;

    /** How llama.cpp configures a BPE vocabulary for a `tokenizer.ggml.pre` name. */
    record Config(PreTokenizer scanner, boolean ignoreMerges, boolean defaultAddBos) {}

    private static final Map<String, Config> BY_NAME;

    static {
        var m = new java.util.HashMap<String, Config>();
        Config llama3 = new Config(LLAMA3, true, true);
        for (String n : List.of("llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0",
                "lfm2", "jina-v5-nano")) m.put(n, llama3);
        m.put("dbrx", new Config(LLAMA3, false, false));
        Config gpt2 = new Config(GPT2, false, false);
        for (String n : List.of("gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de",
                "a.x-4.0", "mellum", "modern-bert", "mpt", "olmo")) m.put(n, gpt2);
        Config qwen2 = new Config(QWEN2, false, false);
        for (String n : List.of("qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "stablelm2")) m.put(n, qwen2);
        Config star = new Config(STARCODER, false, false);
        for (String n : List.of("starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva"))
            m.put(n, star);
        m.put("default", new Config(DEFAULT, false, false));
        BY_NAME = Map.copyOf(m);
    }

    /**
     * The configuration for a pre-tokenizer name; a missing name (null or empty) falls back to {@code default} with a
     * warning, as llama.cpp does; an unknown name is an error.
     */
    static Config forName(String name) {
        if (name == null || name.isEmpty()) {
            System.getLogger("gale.tokenizer").log(System.Logger.Level.WARNING,
                    "tokenizer.ggml.pre is missing: using the 'default' pre-tokenizer; tokenization may differ from "
                            + "the model's training");
            return BY_NAME.get("default");
        }
        Config c = BY_NAME.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown pre-tokenizer 'tokenizer.ggml.pre' = '" + name
                    + "'; supported: " + new java.util.TreeSet<>(BY_NAME.keySet()));
        }
        return c;
    }

    /** Splits {@code cpts[from, to)}, appending piece lengths (in code points) to {@code out}. */
    void split(int[] cpts, int from, int to, IntList out) {
        if (from >= to) return;
        switch (this) {
            case GPT2 -> gpt2(cpts, from, to, out);
            case LLAMA3 -> llama3(cpts, from, to, out, false);
            case QWEN2 -> llama3(cpts, from, to, out, true);
            case STARCODER -> {
                IntList a = new IntList(16);
                classSplit(cpts, from, to, a, PreTokenizer::collapsedNumber, false);
                forEach(cpts, from, a, out, PreTokenizer::gpt2);
            }
            case DEFAULT -> {
                IntList a = new IntList(16), b = new IntList(16);
                classSplit(cpts, from, to, a, PreTokenizer::defaultPunct, true);
                forEach(cpts, from, a, b, PreTokenizer::gpt2);
                a.clear();
                forEach(cpts, from, b, a, (c, f, t, o) -> classSplit(c, f, t, o, PreTokenizer::collapsedNumber, true));
                forEach(cpts, from, a, out, PreTokenizer::digitTriples);
            }
        }
    }

    private interface Stage { void run(int[] cpts, int from, int to, IntList out); }

    private interface CptClass { boolean test(int cpt); }

    private static void forEach(int[] cpts, int from, IntList lengths, IntList out, Stage stage) {
        int start = from;
        for (int i = 0; i < lengths.size; i++) {
            int len = lengths.a[i];
            stage.run(cpts, start, start + len, out);
            start += len;
        }
    }

    private static int flagsAt(int[] cpts, int pos, int end) {
        return pos < end ? UnicodeFlags.flags(cpts[pos]) : UnicodeFlags.OUT_OF_RANGE_FLAGS;
    }

    private static final int OUT_OF_RANGE = -1;

    private static int cptAt(int[] cpts, int pos, int end) { return pos < end ? cpts[pos] : OUT_OF_RANGE; }

    // --- llama.cpp's std::regex fallbacks run on "collapsed" text: ASCII stays itself, other code points become one
    // byte per category (whitespace first). These classes reproduce that classification.

    /** {@code \p{N}} on collapsed text: ASCII digits, or a non-ASCII non-whitespace NUMBER. */
    private static boolean collapsedNumber(int c) {
        if (c < 0x80) return c >= '0' && c <= '9';
        int f = UnicodeFlags.flags(c);
        return (f & WHITESPACE) == 0 && (f & 0xFF) == NUMBER;
    }

    /** {@code [\p{P}\$\+<=>\^~\|]} on collapsed text. */
    private static boolean defaultPunct(int c) {
        if (c < 0x80) return c >= 0x21 && "!\"#%&'()*,-./:;?@[\\]_{}$+<=>^~|".indexOf(c) >= 0;
        int f = UnicodeFlags.flags(c);
        return (f & WHITESPACE) == 0 && (f & 0xFF) == PUNCTUATION;
    }

    /**
     * std::regex_iterator over {@code [class]+} (runs=true) or {@code [class]} (runs=false): matches and the gaps
     * between them all become pieces.
     */
    private static void classSplit(int[] cpts, int from, int to, IntList out, CptClass cls, boolean runs) {
        int gapStart = from, i = from;
        while (i < to) {
            if (!cls.test(cpts[i])) { i++; continue; }
            if (i > gapStart) out.add(i - gapStart);
            int j = i + 1;
            if (runs) while (j < to && cls.test(cpts[j])) j++;
            out.add(j - i);
            i = gapStart = j;
        }
        if (to > gapStart) out.add(to - gapStart);
    }

    /** {@code [0-9][0-9][0-9]}: leftmost non-overlapping triples of ASCII digits. */
    private static void digitTriples(int[] cpts, int from, int to, IntList out) {
        int gapStart = from, i = from;
        while (i + 3 <= to) {
            if (isAsciiDigit(cpts[i]) && isAsciiDigit(cpts[i + 1]) && isAsciiDigit(cpts[i + 2])) {
                if (i > gapStart) out.add(i - gapStart);
                out.add(3);
                i = gapStart = i + 3;
            } else {
                i++;
            }
        }
        if (to > gapStart) out.add(to - gapStart);
    }

    private static boolean isAsciiDigit(int c) { return c >= '0' && c <= '9'; }

    private static boolean isLetter(int f) { return (f & LETTER) != 0; }

    private static boolean isNumber(int f) { return (f & NUMBER) != 0; }

    private static boolean isSpace(int f) { return (f & WHITESPACE) != 0; }

    /** Port of llama.cpp unicode_regex_split_custom_gpt2. */
    static void gpt2(int[] cpts, int from, int end, IntList out) {
        int prevEnd = from;
        int pos = from;
        while (pos < end) {
            int cpt = cpts[pos];
            int flags = UnicodeFlags.flags(cpt);
            if (cpt == '\'' && pos + 1 < end) {
                int next = cpts[pos + 1];
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    out.add(pos + 2 - prevEnd); pos = prevEnd = pos + 2; continue;
                }
                if (pos + 2 < end) {
                    int nn = cpts[pos + 2];
                    if ((next == 'r' && nn == 'e') || (next == 'v' && nn == 'e') || (next == 'l' && nn == 'l')) {
                        out.add(pos + 3 - prevEnd); pos = prevEnd = pos + 3; continue;
                    }
                }
            }
            int flags2 = cpt == ' ' ? flagsAt(cpts, pos + 1, end) : flags;
            if (isLetter(flags2)) {
                if (cpt == ' ') pos++;
                while (isLetter(flags2)) flags2 = flagsAt(cpts, ++pos, end);
                out.add(pos - prevEnd); prevEnd = pos; continue;
            }
            if (isNumber(flags2)) {
                if (cpt == ' ') pos++;
                while (isNumber(flags2)) flags2 = flagsAt(cpts, ++pos, end);
                out.add(pos - prevEnd); prevEnd = pos; continue;
            }
            if ((flags2 & (WHITESPACE | LETTER | NUMBER)) == 0 && flags2 != 0) {
                if (cpt == ' ') pos++;
                while ((flags2 & (WHITESPACE | LETTER | NUMBER)) == 0 && flags2 != 0) flags2 = flagsAt(cpts, ++pos, end);
                out.add(pos - prevEnd); prevEnd = pos; continue;
            }
            int nws = 0;
            while (isSpace(flagsAt(cpts, pos + nws, end))) nws++;
            if (nws > 1 && cptAt(cpts, pos + nws, end) != OUT_OF_RANGE) {
                pos += nws - 1;
                out.add(pos - prevEnd); prevEnd = pos; continue;
            }
            if (nws > 0) {
                pos += nws;
                out.add(pos - prevEnd); prevEnd = pos; continue;
            }
            pos++;
            out.add(pos - prevEnd); prevEnd = pos;
        }
    }

    /** Port of llama.cpp unicode_regex_split_custom_llama3 (singleDigits=false) and _qwen2 (singleDigits=true). */
    static void llama3(int[] cpts, int from, int end, IntList out, boolean singleDigits) {
        int prevEnd = from;
        int pos = from;
        while (pos < end) {
            int cpt = cpts[pos];
            int flags = UnicodeFlags.flags(cpt);
            if (cpt == '\'' && pos + 1 < end) {
                int next = UnicodeFlags.toLowerAscii(cpts[pos + 1]);
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    out.add(pos + 2 - prevEnd); pos = prevEnd = pos + 2; continue;
                }
                if (pos + 2 < end) {
                    int nn = UnicodeFlags.toLowerAscii(cpts[pos + 2]);
                    if ((next == 'r' && nn == 'e') || (next == 'v' && nn == 'e') || (next == 'l' && nn == 'l')) {
                        out.add(pos + 3 - prevEnd); pos = prevEnd = pos + 3; continue;
                    }
                }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (!(cpt == '\r' || cpt == '\n' || isNumber(flags))) {
                if (isLetter(flags) || isLetter(flagsAt(cpts, pos + 1, end))) {
                    pos++;
                    while (isLetter(flagsAt(cpts, pos, end))) pos++;
                    out.add(pos - prevEnd); prevEnd = pos; continue;
                }
            }
            if (isNumber(flags)) {
                if (singleDigits) {
                    pos++;
                    out.add(pos - prevEnd); prevEnd = pos; continue;
                }
                int ini = pos;
                while (isNumber(flagsAt(cpts, pos, end))) {
                    if (++pos - ini >= 3) {
                        out.add(pos - prevEnd); prevEnd = pos;
                        ini = pos;
                    }
                }
                if (pos > prevEnd) out.add(pos - prevEnd);
                prevEnd = pos;
                continue;
            }
            // <space>?[^\s\p{L}\p{N}]+[\r\n]*  (llama.cpp tests the first code point's own flags here, not flags2)
            int flags2 = cpt == ' ' ? flagsAt(cpts, pos + 1, end) : flags;
            if ((flags2 & (WHITESPACE | LETTER | NUMBER)) == 0 && flags != 0) {
                if (cpt == ' ') pos++;
                while ((flags2 & (WHITESPACE | LETTER | NUMBER)) == 0 && flags2 != 0) flags2 = flagsAt(cpts, ++pos, end);
                int c2 = cptAt(cpts, pos, end);
                while (c2 == '\r' || c2 == '\n') c2 = cptAt(cpts, ++pos, end);
                out.add(pos - prevEnd); prevEnd = pos; continue;
            }
            int nws = 0, lastEndRN = 0;
            while (isSpace(flagsAt(cpts, pos + nws, end))) {
                int c2 = cpts[pos + nws];
                if (c2 == '\r' || c2 == '\n') lastEndRN = pos + nws + 1;
                nws++;
            }
            if (lastEndRN > 0) {
                pos = lastEndRN;
                out.add(pos - prevEnd); prevEnd = pos; continue;
            }
            if (nws > 1 && cptAt(cpts, pos + nws, end) != OUT_OF_RANGE) {
                pos += nws - 1;
                out.add(pos - prevEnd); prevEnd = pos; continue;
            }
            if (nws > 0) {
                pos += nws;
                out.add(pos - prevEnd); prevEnd = pos; continue;
            }
            pos++;
            out.add(pos - prevEnd); prevEnd = pos;
        }
    }
}
