// GPT-2's byte <-> unicode alphabet: every byte gets a printable code point so byte-level BPE vocabularies are text.
package gale.tokenizer;

/** Constant tables; safe to use from any thread. */
final class ByteLevel {
    /** BYTE_TO_CHAR[b] is the code point GPT-2 uses for byte b (all in the BMP, below U+0144). */
    static final char[] BYTE_TO_CHAR = new char[256];
    /** CHAR_TO_BYTE[c] for c < 0x144, -1 where c is not in the alphabet. */
    static final short[] CHAR_TO_BYTE = new short[0x144];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
        boolean[] direct = new boolean[256];
        for (int c = 0x21; c <= 0x7E; c++) direct[c] = true;
        for (int c = 0xA1; c <= 0xAC; c++) direct[c] = true;
        for (int c = 0xAE; c <= 0xFF; c++) direct[c] = true;
        int n = 0;
        for (int b = 0; b < 256; b++) {
            char c = direct[b] ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    private ByteLevel() {}
}
