// Incremental detokenization for generation: emits text only at complete UTF-8 boundaries.
package gale.tokenizer;

import java.util.Arrays;

/**
 * Receives token ids one at a time and returns the text they complete. Bytes of an incomplete UTF-8 sequence are held
 * back until a later token completes it; invalid bytes become U+FFFD exactly as {@link Tokenizer#decode} replaces
 * them, so the concatenation of everything returned (including {@link #finish()}) equals the whole decode.
 * Not thread-safe: one decoder per stream.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private boolean stripSpace;
    private byte[] pending = new byte[16];
    private int nPending;

    StreamingDecoder(Tokenizer tokenizer, boolean renderSpecial, boolean atTextStart) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
        this.stripSpace = atTextStart && tokenizer.addsSpacePrefix();
    }

    /** Adds one token; returns the newly completed text (possibly empty, never containing a partial character). */
    public String push(int id) {
        byte[] p = tokenizer.piece(id, renderSpecial);
        int from = 0;
        if (stripSpace) {
            stripSpace = false;
            if (p.length > 0 && p[0] == ' ') from = 1;
        }
        int n = p.length - from;
        if (nPending + n > pending.length) pending = Arrays.copyOf(pending, Math.max(pending.length * 2, nPending + n));
        System.arraycopy(p, from, pending, nPending, n);
        nPending += n;
        StringBuilder sb = new StringBuilder(nPending);
        int stop = Utf8.decode(pending, 0, nPending, sb, false);
        System.arraycopy(pending, stop, pending, 0, nPending - stop);
        nPending -= stop;
        return sb.toString();
    }

    /** Ends the stream: held-back bytes of an unfinished sequence come out as U+FFFD. */
    public String finish() {
        StringBuilder sb = new StringBuilder();
        Utf8.decode(pending, 0, nPending, sb, true);
        nPending = 0;
        return sb.toString();
    }

    /** Number of bytes held back waiting for the rest of a character. */
    public int pendingBytes() { return nPending; }
}
