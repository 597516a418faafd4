// What both tokenizer kinds share: token lookup, special-token partitioning, token pieces and decoding.
package gale.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

/** Immutable after construction; safe for concurrent use. */
abstract sealed class BaseTokenizer implements Tokenizer permits SpmTokenizer, BpeTokenizer {
    final Vocabulary vocab;
    final String[] tokens;
    final TokenType[] types;
    /** Text to id; with duplicate texts the last id wins, as in llama.cpp's token_to_id. */
    final HashMap<String, Integer> tokenToId;
    /** Control, user-defined and unknown tokens, longest (in UTF-8 bytes) first: llama.cpp's special-token cache. */
    private final int[] specialCache;
    final boolean addBos, addEos;
    /**
     * Merge-queue operations performed by all encoders, added once per fragment: lets tests check the O(n log n)
     * bound by counting work instead of timing a shared machine.
     */
    static final java.util.concurrent.atomic.LongAdder QUEUE_OPS = new java.util.concurrent.atomic.LongAdder();
    /** Pieces for renderSpecial=false and =true. */
    private final byte[][] piecePlain, pieceSpecial;

    BaseTokenizer(Vocabulary v, boolean defaultAddBos, boolean defaultAddEos) {
        this.vocab = v;
        this.tokens = v.tokensArray();
        this.types = v.typesArray();
        this.tokenToId = HashMap.newHashMap(tokens.length);
        for (int i = 0; i < tokens.length; i++) tokenToId.put(tokens[i], i);
        List<Integer> specials = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            TokenType t = types[i];
            if (t == TokenType.CONTROL || t == TokenType.USER_DEFINED || t == TokenType.UNKNOWN) specials.add(i);
        }
        int[] byteLen = new int[tokens.length];
        for (int id : specials) byteLen[id] = tokens[id].getBytes(StandardCharsets.UTF_8).length;
        specials.sort((a, b) -> byteLen[a] != byteLen[b] ? Integer.compare(byteLen[b], byteLen[a]) : Integer.compare(a, b));
        this.specialCache = specials.stream().mapToInt(Integer::intValue).toArray();
        this.addBos = v.addBosRaw() != null ? v.addBosRaw() : defaultAddBos;
        this.addEos = v.addEosRaw() != null ? v.addEosRaw() : defaultAddEos;
        if (addBos && v.bos() == Vocabulary.NONE) throw new IllegalArgumentException("add_bos_token is set but the vocabulary has no BOS token");
        if (addEos && v.eos() == Vocabulary.NONE) throw new IllegalArgumentException("add_eos_token is set but the vocabulary has no EOS token");
        this.piecePlain = new byte[tokens.length][];
        this.pieceSpecial = new byte[tokens.length][];
    }

    /** Fills the piece tables; called by subclasses once their own fields are set. */
    final void buildPieces() {
        for (int i = 0; i < tokens.length; i++) {
            pieceSpecial[i] = computePiece(i);
            TokenType t = types[i];
            piecePlain[i] = (t == TokenType.CONTROL || t == TokenType.UNKNOWN) ? new byte[0] : pieceSpecial[i];
        }
    }

    /** The piece with special tokens rendered. */
    abstract byte[] computePiece(int id);

    /** Encodes one raw-text fragment; {@code prevSpecial} is whether a token fragment (or nothing) precedes it. */
    abstract void encodeFragment(String text, int from, int to, boolean prevSpecial, IntList out);

    @Override public Vocabulary vocabulary() { return vocab; }

    @Override public boolean addsBos() { return addBos; }

    @Override public boolean addsEos() { return addEos; }

    @Override
    public int[] encode(String text, boolean addSpecial, SpecialTokens specialTokens) {
        text = sanitize(text);
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial && addBos) out.add(vocab.bos());
        IntList frags = partition(text, specialTokens == SpecialTokens.RECOGNISE);
        boolean prevSpecial = true;
        for (int i = 0; i < frags.size; i += 2) {
            int a = frags.a[i], b = frags.a[i + 1];
            if (a < 0) {
                out.add(b);
                prevSpecial = true;
            } else {
                encodeFragment(text, a, b, prevSpecial, out);
                prevSpecial = false;
            }
        }
        if (addSpecial && addEos) out.add(vocab.eos());
        return out.toArray();
    }

    /** Unpaired surrogates cannot be UTF-8: they become U+FFFD, which is what a UTF-8 caller would send. */
    private static String sanitize(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) { i++; continue; }
                StringBuilder sb = new StringBuilder(s.length());
                for (int j = 0; j < s.length(); j++) {
                    char d = s.charAt(j);
                    if (Character.isHighSurrogate(d) && j + 1 < s.length() && Character.isLowSurrogate(s.charAt(j + 1))) {
                        sb.append(d).append(s.charAt(++j));
                    } else {
                        sb.append(Character.isSurrogate(d) ? '\uFFFD' : d);
                    }
                }
                return sb.toString();
            }
        }
        return s;
    }

    /**
     * llama.cpp's tokenizer_st_partition: for each special token, longest first, split every raw fragment at its
     * leftmost non-overlapping occurrences. Returns pairs (from, to) for raw text and (-1, id) for tokens.
     */
    final IntList partition(String text, boolean parseSpecial) {
        IntList cur = new IntList(8);
        if (text.isEmpty()) return cur;
        cur.add(0); cur.add(text.length());
        IntList next = new IntList(8);
        for (int id : specialCache) {
            TokenType t = types[id];
            if (!parseSpecial && (t == TokenType.CONTROL || t == TokenType.UNKNOWN)) continue;
            String tok = tokens[id];
            next.clear();
            boolean changed = false;
            for (int i = 0; i < cur.size; i += 2) {
                int a = cur.a[i], b = cur.a[i + 1];
                if (a < 0) { next.add(a); next.add(b); continue; }
                int pos = a;
                while (true) {
                    int m = text.indexOf(tok, pos, b);
                    if (m < 0 || m + tok.length() > b) break;
                    if (m > pos) { next.add(pos); next.add(m); }
                    next.add(-1); next.add(id);
                    pos = m + tok.length();
                    changed = true;
                }
                if (pos < b) { next.add(pos); next.add(b); }
            }
            if (changed) { IntList s = cur; cur = next; next = s; }
        }
        return cur;
    }

    @Override
    public byte[] piece(int id, boolean renderSpecial) {
        checkId(id);
        return (renderSpecial ? pieceSpecial[id] : piecePlain[id]).clone();
    }

    final byte[] pieceRef(int id, boolean renderSpecial) {
        checkId(id);
        return renderSpecial ? pieceSpecial[id] : piecePlain[id];
    }

    private void checkId(int id) {
        if (id < 0 || id >= tokens.length)
            throw new IndexOutOfBoundsException("token id " + id + " is outside the vocabulary (size " + tokens.length + ")");
    }

    @Override
    public byte[] decodeBytes(int[] ids, boolean renderSpecial) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int i = 0; i < ids.length; i++) {
            byte[] p = pieceRef(ids[i], renderSpecial);
            int from = (i == 0 && addsSpacePrefix() && p.length > 0 && p[0] == ' ') ? 1 : 0;
            out.write(p, from, p.length - from);
        }
        return out.toByteArray();
    }

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** Parses the byte of a {@code <0xNN>} token. */
    static int hexByte(String text, int id) {
        if (text.length() >= 5) {
            int hi = Character.digit(text.charAt(3), 16), lo = Character.digit(text.charAt(4), 16);
            if (hi >= 0 && lo >= 0) return hi * 16 + lo;
        }
        throw new IllegalArgumentException("byte token " + id + " '" + text + "' is not of the form <0xNN>");
    }

    static int[] grow(int[] a, int n) { return a.length >= n ? a : Arrays.copyOf(a, Math.max(n, a.length * 2)); }
}
