// SentencePiece-style BPE (`tokenizer.ggml.model = "llama"`), as llama.cpp's llm_tokenizer_spm does it: merge the
// adjacent pair whose concatenation is the highest-scoring token, then fall back to <0xNN> byte tokens.
package gale.tokenizer;

import java.nio.charset.StandardCharsets;

/** Immutable; safe for concurrent use (all per-call state lives in {@link Session}). */
final class SpmTokenizer extends BaseTokenizer {
    private static final char SPACE_MARK = '\u2581';
    private final float[] scores;
    private final boolean addSpacePrefix;
    /** Token for each byte: {@code <0xNN>} if present, else the one-byte text, else -1. */
    private final int[] byteToken = new int[256];
    /**
     * Every pair of adjacent code points that occurs inside some token. Merged symbols are always tokens, so no
     * merge can span a boundary between two code points that form no such pair: the text splits there into
     * independent segments with exactly the same result, and merging stays local instead of one heap over the text.
     */
    private final LongLongMap innerPairs;
    private final WordCache cache = new WordCache();

    SpmTokenizer(Vocabulary v) {
        super(v, true, false);
        this.scores = v.scores();
        this.addSpacePrefix = v.addSpacePrefixRaw() != null ? v.addSpacePrefixRaw() : true;
        for (int b = 0; b < 256; b++) {
            Integer id = tokenToId.get(String.format("<0x%02X>", b));
            if (id == null && b < 0x80) id = tokenToId.get(String.valueOf((char) b));
            byteToken[b] = id == null ? -1 : id;
        }
        LongLongMap pairs = new LongLongMap(tokens.length * 4);
        for (String t : tokens) {
            for (int i = 0; i < t.length(); ) {
                int a = t.codePointAt(i);
                i += Character.charCount(a);
                if (i >= t.length()) break;
                pairs.putIfAbsent(pairKey(a, t.codePointAt(i)), 1);
            }
        }
        this.innerPairs = pairs;
        buildPieces();
    }

    private static long pairKey(int a, int b) { return ((long) a << 21) | b; }

    @Override public boolean addsSpacePrefix() { return addSpacePrefix; }

    @Override
    byte[] computePiece(int id) {
        String t = tokens[id];
        return switch (types[id]) {
            case CONTROL, UNKNOWN, USER_DEFINED -> utf8(t);
            case NORMAL -> utf8(t.replace(SPACE_MARK, ' '));
            case BYTE -> new byte[] {(byte) hexByte(t, id)};
            default -> new byte[0];
        };
    }

    @Override
    void encodeFragment(String text, int from, int to, boolean prevSpecial, IntList out) {
        StringBuilder sb = new StringBuilder(to - from + 1);
        if (addSpacePrefix && prevSpecial) sb.append(SPACE_MARK);
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            sb.append(c == ' ' ? SPACE_MARK : c);
        }
        String s = sb.toString();
        int segStart = 0, prevCp = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (prevCp >= 0 && innerPairs.get(pairKey(prevCp, cp), 0) == 0) {
                segment(s.substring(segStart, i), out);
                segStart = i;
            }
            prevCp = cp;
            i += Character.charCount(cp);
        }
        if (segStart < s.length()) segment(s.substring(segStart), out);
    }

    private void segment(String seg, IntList out) {
        int[] cached = cache.get(seg);
        if (cached != null) {
            for (int id : cached) out.add(id);
            return;
        }
        int start = out.size;
        Session session = new Session(seg);
        session.run(out);
        QUEUE_OPS.add(session.ops);
        cache.put(seg, java.util.Arrays.copyOfRange(out.a, start, out.size));
    }

    private final class Session {
        final String s;
        int[] start, len, prev, next;
        final LongHeap heap = new LongHeap();
        long ops;

        Session(String s) { this.s = s; }

        void run(IntList out) {
            int n = s.codePointCount(0, s.length());
            start = new int[n]; len = new int[n]; prev = new int[n]; next = new int[n];
            for (int i = 0, off = 0; i < n; i++) {
                int cl = Character.charCount(s.codePointAt(off));
                start[i] = off; len[i] = cl; prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1;
                off += cl;
            }
            for (int i = 1; i < n; i++) tryAddBigram(i - 1, i);
            while (!heap.isEmpty()) {
                heap.pop();
                ops++;
                long val = heap.topVal;
                int left = (int) (val >>> 32), size = (int) val;
                // the entry's right symbol was left's next when pushed; left's next changes only when left absorbs
                // it, and symbols only grow, so "both alive and sizes unchanged" is llama.cpp's staleness test
                int right = next[left];
                if (len[left] == 0 || right < 0 || len[right] == 0 || len[left] + len[right] != size) continue;
                len[left] += len[right];
                len[right] = 0;
                next[left] = next[right];
                if (next[right] >= 0) prev[next[right]] = left;
                tryAddBigram(prev[left], left);
                tryAddBigram(left, next[left]);
            }
            if (n == 0) return;
            for (int i = 0; i != -1; i = next[i]) {
                String piece = s.substring(start[i], start[i] + len[i]);
                Integer id = tokenToId.get(piece);
                if (id != null) { out.add(id); continue; }
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    int t = byteToken[b & 0xFF];
                    if (t < 0) throw new IllegalStateException(String.format(
                            "SentencePiece vocabulary has no byte token <0x%02X> for byte fallback of '%s'", b & 0xFF, piece));
                    out.add(t);
                }
            }
        }

        void tryAddBigram(int left, int right) {
            if (left == -1 || right == -1) return;
            int end = start[right] + len[right];
            Integer id = tokenToId.get(s.substring(start[left], end));
            if (id == null) return;
            // score descending, then left ascending: llama.cpp's llm_bigram_spm comparator
            long key = ((long) ~sortable(scores[id]) << 32) | (left & 0xFFFFFFFFL);
            heap.push(key, ((long) left << 32) | (end - start[left]));
            ops++;
        }
    }

    /** Maps a float to an int whose signed order is the float's order. */
    static int sortable(float f) {
        int b = Float.floatToIntBits(f);
        return b >= 0 ? b : b ^ 0x7FFFFFFF;
    }
}
