// Byte-level BPE (`tokenizer.ggml.model = "gpt2"`), as llama.cpp's llm_tokenizer_bpe does it: pre-tokenize, map
// bytes to GPT-2's alphabet, merge the lowest-ranked adjacent pair with a priority queue, fall back to byte tokens.
package gale.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;

/**
 * Immutable; safe for concurrent use. Symbols are interned as integer ids ("sids"): vocabulary texts keep their token
 * ids, strings that only occur in merges get ids past the vocabulary, so merging compares ints, not strings.
 */
final class BpeTokenizer extends BaseTokenizer {
    private final PreTokenizer pre;
    private final boolean ignoreMerges;
    /** (left sid, right sid) -> (rank << 32 | merged sid). */
    private final LongLongMap pairs;
    /** Sid of each byte's GPT-2 character. */
    private final int[] byteSid = new int[256];
    /** Texts of all sids. */
    private final String[] sidText;
    /** Token of each one-char ASCII text, for llama.cpp's per-byte fallback; -1 where absent. */
    private final int[] asciiToken = new int[128];
    private final WordCache cache = new WordCache();

    BpeTokenizer(Vocabulary v) {
        this(v, PreTokenizer.forName(v.pre()));
    }

    private BpeTokenizer(Vocabulary v, PreTokenizer.Config cfg) {
        super(v, cfg.defaultAddBos(), false);
        this.pre = cfg.scanner();
        this.ignoreMerges = cfg.ignoreMerges();
        int n = tokens.length;
        HashMap<String, Integer> sidOf = new HashMap<>(tokenToId);
        ArrayList<String> extra = new ArrayList<>();
        String[] merges = v.mergesArray();
        this.pairs = new LongLongMap(merges.length);
        for (int rank = 0; rank < merges.length; rank++) {
            String m = merges[rank];
            int sp = m.indexOf(' ', 1);
            if (sp < 0) continue; // llama.cpp registers ("", ""), which no symbol can ever match
            String a = m.substring(0, sp), b = m.substring(sp + 1);
            int sa = intern(sidOf, extra, n, a), sb = intern(sidOf, extra, n, b), sm = intern(sidOf, extra, n, a + b);
            pairs.putIfAbsent(((long) sa << 32) | sb, ((long) rank << 32) | sm);
        }
        for (int b = 0; b < 256; b++) byteSid[b] = intern(sidOf, extra, n, String.valueOf(ByteLevel.BYTE_TO_CHAR[b]));
        this.sidText = new String[n + extra.size()];
        System.arraycopy(tokens, 0, sidText, 0, n);
        for (int i = 0; i < extra.size(); i++) sidText[n + i] = extra.get(i);
        for (int c = 0; c < 128; c++) {
            Integer id = tokenToId.get(String.valueOf((char) c));
            asciiToken[c] = id == null ? -1 : id;
        }
        buildPieces();
    }

    private static int intern(HashMap<String, Integer> sidOf, ArrayList<String> extra, int n, String s) {
        Integer id = sidOf.get(s);
        if (id != null) return id;
        int sid = n + extra.size();
        extra.add(s);
        sidOf.put(s, sid);
        return sid;
    }

    @Override public boolean addsSpacePrefix() { return false; }

    @Override
    byte[] computePiece(int id) {
        String t = tokens[id];
        return switch (types[id]) {
            case CONTROL, UNKNOWN, USER_DEFINED -> utf8(t);
            case NORMAL -> decodeByteLevel(t);
            case BYTE -> new byte[] {(byte) hexByte(t, id)};
            default -> new byte[0];
        };
    }

    /** llama.cpp's llama_decode_text: GPT-2 characters back to bytes; others become "[UNK_BYTE_0x..text]". */
    private static byte[] decodeByteLevel(String t) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(t.length());
        for (int i = 0; i < t.length(); ) {
            int cp = t.codePointAt(i);
            i += Character.charCount(cp);
            int b = cp < ByteLevel.CHAR_TO_BYTE.length ? ByteLevel.CHAR_TO_BYTE[cp] : -1;
            if (b >= 0) { out.write(b); continue; }
            StringBuilder sb = new StringBuilder("[UNK_BYTE_0x");
            for (byte x : utf8(new String(Character.toChars(cp)))) sb.append(String.format("%02x", x & 0xFF));
            sb.append(t).append(']');
            out.writeBytes(utf8(sb.toString()));
        }
        return out.toByteArray();
    }

    @Override
    void encodeFragment(String text, int from, int to, boolean prevSpecial, IntList out) {
        int[] cpts = new int[to - from];
        int n = 0;
        for (int i = from; i < to; ) {
            int cp = text.codePointAt(i);
            cpts[n++] = cp;
            i += Character.charCount(cp);
        }
        IntList lengths = new IntList(n / 4 + 4);
        pre.split(cpts, 0, n, lengths);
        Session s = new Session();
        int start = 0;
        for (int w = 0; w < lengths.size; w++) {
            int len = lengths.a[w];
            s.word(cpts, start, start + len, out);
            start += len;
        }
        QUEUE_OPS.add(s.ops);
    }

    /** Per-call scratch state. */
    private final class Session {
        byte[] bytes = new byte[64];
        char[] chars = new char[64];
        int[] sid = new int[64], len = new int[64], prev = new int[64], next = new int[64];
        final LongMinHeap heap = new LongMinHeap();
        long ops;

        void word(int[] cpts, int from, int to, IntList out) {
            int nb = 0;
            for (int i = from; i < to; i++) {
                if (nb + 4 > bytes.length) bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
                nb += Utf8.encode(cpts[i], bytes, nb);
            }
            if (chars.length < nb) chars = new char[Math.max(nb, chars.length * 2)];
            for (int i = 0; i < nb; i++) chars[i] = ByteLevel.BYTE_TO_CHAR[bytes[i] & 0xFF];
            String key = new String(chars, 0, nb);
            if (ignoreMerges) {
                Integer id = tokenToId.get(key);
                if (id != null) { out.add(id); return; }
            }
            int[] cached = cache.get(key);
            if (cached != null) {
                for (int id : cached) out.add(id);
                return;
            }
            int outStart = out.size;
            if (sid.length < nb) {
                int c = Math.max(nb, sid.length * 2);
                sid = new int[c]; len = new int[c]; prev = new int[c]; next = new int[c];
            }
            for (int i = 0; i < nb; i++) {
                sid[i] = byteSid[bytes[i] & 0xFF]; len[i] = 1; prev[i] = i - 1; next[i] = i + 1 < nb ? i + 1 : -1;
            }
            heap.clear();
            for (int i = 1; i < nb; i++) addBigram(i - 1, i);
            while (!heap.isEmpty()) {
                long top = heap.pop();
                ops++;
                int left = (int) top;
                int rank = (int) (top >>> 32);
                if (len[left] == 0) continue;
                int right = next[left];
                if (right < 0 || len[right] == 0) continue;
                // ranks identify pairs uniquely, so an unchanged pair is exactly llama.cpp's "left+right == text" test
                long v = pairs.get(((long) sid[left] << 32) | sid[right], -1L);
                if (v == -1L || (int) (v >>> 32) != rank) continue;
                sid[left] = (int) v;
                len[left] += len[right];
                len[right] = 0;
                next[left] = next[right];
                if (next[right] >= 0) prev[next[right]] = left;
                addBigram(prev[left], left);
                addBigram(left, next[left]);
            }
            int tokensEnd = tokens.length;
            for (int i = 0, off = 0; i != -1 && nb > 0; off += len[i], i = next[i]) {
                if (sid[i] < tokensEnd) { out.add(sid[i]); continue; }
                // not a token: llama.cpp looks up each byte of the symbol's UTF-8 text as a one-byte token
                for (int k = off; k < off + len[i]; k++) {
                    char c = ByteLevel.BYTE_TO_CHAR[bytes[k] & 0xFF];
                    if (c < 0x80) {
                        if (asciiToken[c] >= 0) out.add(asciiToken[c]);
                    }
                    // two-byte UTF-8 of a GPT-2 character: neither byte alone is valid text, so no token matches
                }
            }
            if (nb <= WordCache.MAX_WORD_CHARS) cache.put(key, java.util.Arrays.copyOfRange(out.a, outStart, out.size));
        }

        private void addBigram(int left, int right) {
            if (left < 0 || right < 0) return;
            long v = pairs.get(((long) sid[left] << 32) | sid[right], -1L);
            if (v == -1L) return;
            // rank ascending, then left ascending: llama.cpp's llm_bigram_bpe comparator
            heap.push((v & 0xFFFFFFFF00000000L) | left);
            ops++;
        }
    }
}
