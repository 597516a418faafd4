// UTF-8 helpers shared by whole and streaming decoding, so both replace invalid bytes identically (one U+FFFD per
// maximal invalid subpart, the Unicode/WHATWG practice) and streaming output equals whole output byte for byte.
package gale.tokenizer;

final class Utf8 {
    private Utf8() {}

    /**
     * Decodes {@code b[from, to)} into {@code out}. When {@code final_} is false and the bytes end inside a sequence
     * that could still become valid, decoding stops before it and the returned index points at its first byte;
     * otherwise everything is consumed and {@code to} is returned.
     */
    static int decode(byte[] b, int from, int to, StringBuilder out, boolean final_) {
        int i = from;
        while (i < to) {
            int c = b[i] & 0xFF;
            if (c < 0x80) { out.append((char) c); i++; continue; }
            int need, min2 = 0x80, max2 = 0xBF, cp;
            if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; }
            else if (c >= 0xE0 && c <= 0xEF) {
                need = 2; cp = c & 0x0F;
                if (c == 0xE0) min2 = 0xA0; else if (c == 0xED) max2 = 0x9F;
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3; cp = c & 0x07;
                if (c == 0xF0) min2 = 0x90; else if (c == 0xF4) max2 = 0x8F;
            } else { out.append('\uFFFD'); i++; continue; }
            int j = i + 1, k = 0;
            boolean bad = false;
            while (k < need) {
                if (j >= to) break;
                int d = b[j] & 0xFF;
                int lo = k == 0 ? min2 : 0x80, hi = k == 0 ? max2 : 0xBF;
                if (d < lo || d > hi) { bad = true; break; }
                cp = (cp << 6) | (d & 0x3F);
                j++; k++;
            }
            if (k == need) { out.appendCodePoint(cp); i = j; continue; }
            if (!bad && !final_) return i; // incomplete but still valid: hold it back
            out.append('\uFFFD');
            i = j;
        }
        return to;
    }

    static String decode(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        decode(b, 0, b.length, sb, true);
        return sb.toString();
    }

    /** Appends the UTF-8 encoding of {@code cp} (any value below 0x110000, surrogates included, like llama.cpp). */
    static int encode(int cp, byte[] dst, int at) {
        if (cp < 0x80) { dst[at] = (byte) cp; return 1; }
        if (cp < 0x800) { dst[at] = (byte) (0xC0 | cp >> 6); dst[at + 1] = (byte) (0x80 | cp & 0x3F); return 2; }
        if (cp < 0x10000) {
            dst[at] = (byte) (0xE0 | cp >> 12); dst[at + 1] = (byte) (0x80 | cp >> 6 & 0x3F);
            dst[at + 2] = (byte) (0x80 | cp & 0x3F); return 3;
        }
        dst[at] = (byte) (0xF0 | cp >> 18); dst[at + 1] = (byte) (0x80 | cp >> 12 & 0x3F);
        dst[at + 2] = (byte) (0x80 | cp >> 6 & 0x3F); dst[at + 3] = (byte) (0x80 | cp & 0x3F); return 4;
    }

    static int length(int cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }
}
