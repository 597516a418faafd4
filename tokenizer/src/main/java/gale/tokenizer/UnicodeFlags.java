// Code-point classification exactly as llama.cpp's unicode.cpp does it (categories from its generated table,
// whitespace from its fixed set, lowercase for the contraction rules), so pre-tokenization does not depend on the
// JDK's Unicode version.
package gale.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Immutable after class initialisation; safe to use from any thread. */
final class UnicodeFlags {
    static final int UNDEFINED = 0x01, NUMBER = 0x02, LETTER = 0x04, SEPARATOR = 0x08, ACCENT_MARK = 0x10,
            PUNCTUATION = 0x20, SYMBOL = 0x40, CONTROL = 0x80;
    static final int WHITESPACE = 0x100;
    static final int MAX_CODEPOINTS = 0x110000;
    /** The flags llama.cpp gives a position outside the current fragment: none at all. */
    static final int OUT_OF_RANGE_FLAGS = 0;

    private static final String RESOURCE = "llama-unicode.txt";
    private static final byte[] CATEGORY = new byte[MAX_CODEPOINTS];
    private static final int[] LOWER_FROM, LOWER_TO;

    static {
        int[] from = new int[64], to = new int[64];
        int nLower = 0;
        try (InputStream in = UnicodeFlags.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource gale/tokenizer/" + RESOURCE);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            int prevStart = -1, prevFlags = 0, lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isEmpty() || line.charAt(0) == '#') continue;
                String[] f = line.split(" ");
                int a = Integer.parseInt(f[1], 16), b = Integer.parseInt(f[2], 16);
                if (f[0].equals("c")) {
                    if (prevStart >= 0) Arrays.fill(CATEGORY, prevStart, Math.min(a, MAX_CODEPOINTS), (byte) prevFlags);
                    prevStart = a;
                    prevFlags = b & 0xFF;
                } else if (f[0].equals("l")) {
                    if (nLower == from.length) { from = Arrays.copyOf(from, nLower * 2); to = Arrays.copyOf(to, nLower * 2); }
                    from[nLower] = a;
                    to[nLower++] = b;
                } else {
                    throw new IllegalStateException(RESOURCE + ":" + lineNo + ": unknown record '" + f[0] + "'");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading gale/tokenizer/" + RESOURCE, e);
        }
        LOWER_FROM = Arrays.copyOf(from, nLower);
        LOWER_TO = Arrays.copyOf(to, nLower);
    }

    private UnicodeFlags() {}

    /** Category bits plus {@link #WHITESPACE}; code points past U+10FFFF are UNDEFINED, like llama.cpp. */
    static int flags(int cpt) {
        if (cpt < 0 || cpt >= MAX_CODEPOINTS) return UNDEFINED;
        int f = CATEGORY[cpt] & 0xFF;
        return isWhitespace(cpt) ? f | WHITESPACE : f;
    }

    static boolean isWhitespace(int c) {
        if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
        return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
                || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** llama.cpp's unicode_tolower, restricted to mappings with an ASCII result (all that callers compare with). */
    static int toLowerAscii(int cpt) {
        for (int i = 0; i < LOWER_FROM.length; i++) if (LOWER_FROM[i] == cpt) return LOWER_TO[i];
        return cpt;
    }
}
