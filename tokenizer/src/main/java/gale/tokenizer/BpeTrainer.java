// Learns a BPE vocabulary from text, LLaMA's recipe: pre-tokenize as the tokenizer will, split numbers into single
// digits, merge the most frequent adjacent pair with incrementally kept pair counts, fall back to bytes at encode time.
package gale.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * Trains a BPE vocabulary of an exact size that {@link Tokenizer#of} then encodes with.
 *
 * <p>Recipe (LLaMA's): text is pre-tokenized exactly as the target tokenizer will split it, so no learned token can
 * span a boundary the tokenizer keeps; every decimal digit stays a token of its own (no merge ever contains one);
 * anything the vocabulary lacks is encoded through byte tokens. Training counts pre-token ("word") frequencies once,
 * then repeatedly merges the most frequent adjacent symbol pair, updating pair counts only in the words that contain
 * the merged pair (a pair → words index and a priority queue with lazy invalidation), never rescanning the corpus.
 *
 * <p><b>Deterministic:</b> the same input and options give the same vocabulary. Ties in pair frequency go to the pair
 * whose left symbol has the lower id, then the right symbol; base symbols are numbered in code-point (SentencePiece)
 * or byte (byte-level) order, merged symbols in order of creation.
 *
 * <p>Output kinds:
 * <ul>
 *   <li>{@link Vocabulary.Model#SENTENCEPIECE}: {@code <unk>}, {@code <s>}, {@code </s>} at ids 0..2, the 256
 *   {@code <0xNN>} byte tokens at 3..258, then merged pieces in merge order with scores −0, −1, −2, … (so
 *   llama.cpp's highest-score-first merging replays the learned order), then the base characters (those covering
 *   {@link Options#characterCoverage()} of the text) with lower scores. Words are split at spaces, each space becoming
 *   a ▁ prefix of the following word, and a ▁ is prepended to every text (add_space_prefix).</li>
 *   <li>{@link Vocabulary.Model#BYTE_LEVEL_BPE}: the 256 GPT-2 byte characters in byte order, merged tokens in merge
 *   order, the ranked merges list, then {@code <|begin_of_text|>} and {@code <|end_of_text|>} (BOS, EOS) last;
 *   pre-tokenizer {@link Options#pre()} ({@code "llama-bpe"} by default, or {@code "default"}).</li>
 * </ul>
 * If the text runs out of pairs occurring at least {@link Options#minFrequency()} times before the size is reached,
 * the remaining ids are filled with {@code <unused_N>} tokens of type {@link TokenType#UNUSED}, so the size is exact.
 *
 * <p>Stateless; the static methods are safe to call from several threads at once.
 */
public final class BpeTrainer {
    private static final char SPACE_MARK = '\u2581';
    /** Ids 0..2 and the byte tokens of a SentencePiece vocabulary. */
    private static final int SPM_FIXED = 3 + 256;
    private static final String BOS_TEXT = "<|begin_of_text|>", EOS_TEXT = "<|end_of_text|>";
    private static final int CHUNK_BYTES = 1 << 20;

    private BpeTrainer() {}

    /**
     * Training options.
     *
     * @param vocabSize         exact size of the resulting vocabulary, special and byte tokens included
     * @param model             which tokenizer kind to emit
     * @param pre               byte-level pre-tokenizer name ({@code "llama-bpe"} or {@code "default"}; any
     *                          {@code tokenizer.ggml.pre} the tokenizer knows works); ignored for SentencePiece
     * @param minFrequency      pairs seen fewer times than this are never merged (≥ 1)
     * @param maxInputBytes     stop reading input after about this many bytes (whole lines; the first line is cut)
     * @param characterCoverage SentencePiece: fraction of character occurrences the base characters must cover; rarer
     *                          characters are left to byte fallback (ignored for byte-level BPE)
     * @param progress          where a progress bar goes; null for silence
     */
    public record Options(int vocabSize, Vocabulary.Model model, String pre, int minFrequency, long maxInputBytes,
                          double characterCoverage, PrintStream progress) {
        public Options {
            Objects.requireNonNull(model, "model");
            int min = model == Vocabulary.Model.SENTENCEPIECE ? SPM_FIXED + 1 : 256 + 2;
            if (vocabSize < min)
                throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the minimum " + min + " for " + model);
            if (minFrequency < 1) throw new IllegalArgumentException("minFrequency must be >= 1, got " + minFrequency);
            if (maxInputBytes < 1) throw new IllegalArgumentException("maxInputBytes must be >= 1, got " + maxInputBytes);
            if (!(characterCoverage > 0 && characterCoverage <= 1))
                throw new IllegalArgumentException("characterCoverage must be in (0, 1], got " + characterCoverage);
            if (model == Vocabulary.Model.BYTE_LEVEL_BPE) {
                Objects.requireNonNull(pre, "pre");
                PreTokenizer.forName(pre); // unknown names fail here, naming the value
            }
        }

        /** Defaults: pre "llama-bpe", minimum pair frequency 2, no input limit, character coverage 0.9995. */
        public static Options of(int vocabSize, Vocabulary.Model model, PrintStream progress) {
            return new Options(vocabSize, model, "llama-bpe", 2, Long.MAX_VALUE, 0.9995, progress);
        }

        public Options withPre(String p) {
            return new Options(vocabSize, model, p, minFrequency, maxInputBytes, characterCoverage, progress);
        }

        public Options withMinFrequency(int f) {
            return new Options(vocabSize, model, pre, f, maxInputBytes, characterCoverage, progress);
        }

        public Options withMaxInputBytes(long n) {
            return new Options(vocabSize, model, pre, minFrequency, n, characterCoverage, progress);
        }

        public Options withCharacterCoverage(double c) {
            return new Options(vocabSize, model, pre, minFrequency, maxInputBytes, c, progress);
        }
    }

    /** Trains on UTF-8 text files, each one text (as if the whole file were encoded at once). */
    public static Vocabulary train(List<Path> files, Options options) throws IOException {
        long total = 0;
        for (Path f : files) total += Files.size(f);
        total = Math.min(total, options.maxInputBytes());
        Counter counter = new Counter(options);
        Progress bar = new Progress(options.progress(), "reading ", total);
        long budget = options.maxInputBytes();
        for (Path f : files) {
            if (budget <= 0) break;
            budget -= readChunks(f, budget, counter, bar);
        }
        bar.done();
        return counter.train();
    }

    /** Trains on texts, each encoded on its own later (so each gets SentencePiece's space prefix). */
    public static Vocabulary train(Iterable<String> texts, Options options) {
        Counter counter = new Counter(options);
        long budget = options.maxInputBytes();
        for (String t : texts) {
            if (budget <= 0) break;
            byte[] b = t.getBytes(StandardCharsets.UTF_8);
            if (b.length > budget) t = decodePrefix(b, (int) budget);
            budget -= Math.min(b.length, budget);
            counter.add(t, true);
        }
        return counter.train();
    }

    /** Feeds a file in chunks that end after a newline; returns the bytes consumed. */
    private static long readChunks(Path file, long budget, Counter counter, Progress bar) throws IOException {
        long used = 0;
        boolean first = true;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[CHUNK_BYTES * 2];
            int have = 0;
            boolean eof = false;
            while (!eof || have > 0) {
                while (!eof && have < CHUNK_BYTES) {
                    int want = (int) Math.min(buf.length - have, budget - used - have);
                    if (want <= 0) { eof = true; break; }
                    int r = in.read(buf, have, want);
                    if (r < 0) eof = true;
                    else have += r;
                }
                int cut = have;
                if (!eof) {
                    int nl = lastIndexOf(buf, (byte) '\n', have);
                    if (nl >= 0) cut = nl + 1;
                } else if (used + have >= budget) {
                    cut = utf8Boundary(buf, have);
                }
                counter.add(new String(buf, 0, cut, StandardCharsets.UTF_8), first);
                first = false;
                used += cut;
                bar.advance(cut);
                System.arraycopy(buf, cut, buf, 0, have - cut);
                have -= cut;
                if (eof && cut == 0) break;
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return used;
    }

    private static int lastIndexOf(byte[] b, byte v, int end) {
        for (int i = end - 1; i >= 0; i--) if (b[i] == v) return i;
        return -1;
    }

    /** The largest length ≤ n that does not split a UTF-8 sequence. */
    private static int utf8Boundary(byte[] b, int n) {
        int i = n;
        while (i > 0 && i > n - 4 && (b[i - 1] & 0xC0) == 0x80) i--;
        if (i > 0 && (b[i - 1] & 0x80) != 0) {
            int lead = b[i - 1] & 0xFF, len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (i - 1 + len > n) return i - 1;
        }
        return n;
    }

    private static String decodePrefix(byte[] b, int n) {
        return new String(b, 0, utf8Boundary(b, n), StandardCharsets.UTF_8);
    }

    /** Word and character counts, then the merge loop. Not thread-safe; one per training run. */
    private static final class Counter {
        final Options o;
        final boolean spm;
        final PreTokenizer scanner;
        /** Word text (SentencePiece: characters with ▁; byte-level: GPT-2 characters) to count. */
        final HashMap<String, long[]> words = new HashMap<>();
        /** SentencePiece: code point frequencies. */
        final HashMap<Integer, long[]> chars = new HashMap<>();
        final long[] bmpChars = new long[0x10000];

        Counter(Options o) {
            this.o = o;
            this.spm = o.model() == Vocabulary.Model.SENTENCEPIECE;
            this.scanner = spm ? null : PreTokenizer.forName(o.pre()).scanner();
        }

        void add(String text, boolean textStart) {
            if (spm) addSpm(text, textStart);
            else addByteLevel(text);
        }

        private static boolean isolated(int cp) {
            return Character.isDigit(cp) || (cp != ' ' && (Character.isWhitespace(cp) || Character.isISOControl(cp)));
        }

        private void countChar(int cp, long n) {
            if (cp < 0x10000) bmpChars[cp] += n;
            else chars.computeIfAbsent(cp, k -> new long[1])[0] += n;
        }

        private void countWord(CharSequence w) {
            if (w.isEmpty()) return;
            String s = w.toString();
            long[] c = words.get(s);
            if (c == null) words.put(s, new long[] {1});
            else c[0]++;
        }

        /** SentencePiece words: a run of ▁ then non-space characters; digits and other whitespace stand alone. */
        private void addSpm(String text, boolean textStart) {
            StringBuilder cur = new StringBuilder(32);
            boolean body = false;
            if (textStart) { cur.append(SPACE_MARK); countChar(SPACE_MARK, 1); }
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                i += Character.charCount(cp);
                if (cp == ' ' || cp == SPACE_MARK) {
                    if (body) { countWord(cur); cur.setLength(0); body = false; }
                    cur.append(SPACE_MARK);
                    countChar(SPACE_MARK, 1);
                } else if (isolated(cp)) {
                    countWord(cur); cur.setLength(0); body = false;
                    countChar(cp, 1);
                } else {
                    cur.appendCodePoint(cp);
                    body = true;
                    countChar(cp, 1);
                }
            }
            countWord(cur);
        }

        /** Byte-level words: the pre-tokenizer's pieces, split again around digits, as GPT-2 characters. */
        private void addByteLevel(String text) {
            int[] cpts = text.codePoints().toArray();
            IntList lengths = new IntList(cpts.length / 4 + 4);
            scanner.split(cpts, 0, cpts.length, lengths);
            StringBuilder cur = new StringBuilder(32);
            byte[] tmp = new byte[4];
            int pos = 0;
            for (int w = 0; w < lengths.size; w++) {
                int end = pos + lengths.a[w];
                for (; pos < end; pos++) {
                    int cp = cpts[pos];
                    boolean digit = Character.isDigit(cp);
                    if (digit) { countWord(cur); cur.setLength(0); }
                    int nb = Utf8.encode(cp, tmp, 0);
                    for (int k = 0; k < nb; k++) cur.append(ByteLevel.BYTE_TO_CHAR[tmp[k] & 0xFF]);
                    if (digit) { countWord(cur); cur.setLength(0); }
                }
                countWord(cur);
                cur.setLength(0);
            }
        }

        Vocabulary train() {
            long t0 = System.nanoTime();
            // base symbols
            List<String> symText = new ArrayList<>();
            HashMap<String, Integer> symId = new HashMap<>();
            int[] alphabet; // SentencePiece: base characters in vocabulary order (frequency descending)
            int fixed;
            if (spm) {
                alphabet = chooseAlphabet();
                int[] byCp = alphabet.clone();
                Arrays.sort(byCp);
                for (int cp : byCp) intern(symText, symId, new String(Character.toChars(cp)));
                fixed = SPM_FIXED + alphabet.length;
            } else {
                alphabet = new int[0];
                for (int b = 0; b < 256; b++) intern(symText, symId, String.valueOf(ByteLevel.BYTE_TO_CHAR[b]));
                fixed = 256 + 2;
            }
            int target = o.vocabSize() - fixed;

            // words as symbol sequences; SentencePiece words are cut at characters outside the alphabet
            HashMap<String, long[]> pieces = spm ? new HashMap<>() : words;
            if (spm) {
                for (var e : words.entrySet()) {
                    String w = e.getKey();
                    int start = 0;
                    for (int i = 0; i < w.length(); ) {
                        int cp = w.codePointAt(i);
                        int n = Character.charCount(cp);
                        if (!symId.containsKey(w.substring(i, i + n))) {
                            addPiece(pieces, w.substring(start, i), e.getValue()[0]);
                            start = i + n;
                        }
                        i += n;
                    }
                    addPiece(pieces, w.substring(start), e.getValue()[0]);
                }
            }
            String[] keys = pieces.keySet().stream().filter(k -> k.codePointCount(0, k.length()) > 1).sorted()
                    .toArray(String[]::new);
            Merger m = new Merger(keys.length);
            for (int w = 0; w < keys.length; w++) {
                String k = keys[w];
                int[] syms = new int[k.codePointCount(0, k.length())];
                for (int i = 0, j = 0; i < k.length(); j++) {
                    int n = Character.charCount(k.codePointAt(i));
                    syms[j] = symId.get(k.substring(i, i + n));
                    i += n;
                }
                m.addWord(w, syms, pieces.get(k)[0]);
            }
            words.clear();
            m.initQueue();

            List<String> newTokens = new ArrayList<>(Math.max(0, target));
            List<String> merges = new ArrayList<>(Math.max(0, target));
            Progress bar = new Progress(o.progress(), "merging ", target);
            while (newTokens.size() < target) {
                long p = m.popBest(o.minFrequency());
                if (p < 0) break;
                int a = (int) (p >>> 32), b = (int) p;
                String text = symText.get(a) + symText.get(b);
                Integer existing = symId.get(text);
                int c;
                if (existing != null) c = existing;
                else {
                    c = intern(symText, symId, text);
                    newTokens.add(text);
                    bar.advance(1);
                }
                merges.add(symText.get(a) + " " + symText.get(b));
                m.merge(a, b, c);
            }
            bar.done();
            Vocabulary v = spm ? buildSpm(alphabet, newTokens) : buildByteLevel(newTokens, merges);
            if (o.progress() != null) {
                o.progress().printf("trained %d tokens (%d merged, %d merges) in %.2f s%n", v.size(), newTokens.size(),
                        merges.size(), (System.nanoTime() - t0) / 1e9);
            }
            return v;
        }

        private static void addPiece(HashMap<String, long[]> pieces, String s, long n) {
            if (s.isEmpty()) return;
            long[] c = pieces.get(s);
            if (c == null) pieces.put(s, new long[] {n});
            else c[0] += n;
        }

        private static int intern(List<String> symText, HashMap<String, Integer> symId, String s) {
            int id = symText.size();
            symText.add(s);
            symId.put(s, id);
            return id;
        }

        /** Characters by frequency (descending, then code point) until the coverage is met or the room is used. */
        private int[] chooseAlphabet() {
            List<long[]> all = new ArrayList<>(); // {cp, count}
            long total = 0;
            for (int cp = 0; cp < bmpChars.length; cp++) if (bmpChars[cp] > 0) { all.add(new long[] {cp, bmpChars[cp]}); total += bmpChars[cp]; }
            for (var e : chars.entrySet()) { all.add(new long[] {e.getKey(), e.getValue()[0]}); total += e.getValue()[0]; }
            all.sort((x, y) -> x[1] != y[1] ? Long.compare(y[1], x[1]) : Long.compare(x[0], y[0]));
            int room = o.vocabSize() - SPM_FIXED;
            int n = 0;
            long covered = 0;
            while (n < all.size() && n < room && (n == 0 || covered < o.characterCoverage() * total)) covered += all.get(n++)[1];
            int[] out = new int[n];
            for (int i = 0; i < n; i++) out[i] = (int) all.get(i)[0];
            return out;
        }

        private Vocabulary buildSpm(int[] alphabet, List<String> merged) {
            int n = o.vocabSize();
            List<String> toks = new ArrayList<>(n);
            float[] scores = new float[n];
            int[] types = new int[n];
            toks.add("<unk>"); types[0] = TokenType.UNKNOWN.code();
            toks.add("<s>"); types[1] = TokenType.CONTROL.code();
            toks.add("</s>"); types[2] = TokenType.CONTROL.code();
            for (int b = 0; b < 256; b++) { types[toks.size()] = TokenType.BYTE.code(); toks.add(String.format("<0x%02X>", b)); }
            int rank = 0;
            for (String t : merged) { scores[toks.size()] = -rank++; types[toks.size()] = TokenType.NORMAL.code(); toks.add(t); }
            for (int cp : alphabet) { scores[toks.size()] = -rank++; types[toks.size()] = TokenType.NORMAL.code(); toks.add(new String(Character.toChars(cp))); }
            padUnused(toks, scores, types, rank);
            return Vocabulary.builder(Vocabulary.Model.SENTENCEPIECE).tokens(toks).scores(scores).types(types)
                    .unk(0).bos(1).eos(2).addSpacePrefix(true).build();
        }

        private Vocabulary buildByteLevel(List<String> merged, List<String> merges) {
            int n = o.vocabSize();
            List<String> toks = new ArrayList<>(n);
            int[] types = new int[n];
            Arrays.fill(types, TokenType.NORMAL.code());
            for (int b = 0; b < 256; b++) toks.add(String.valueOf(ByteLevel.BYTE_TO_CHAR[b]));
            toks.addAll(merged);
            padUnused(toks, null, types, 0);
            // padUnused filled up to n; the last two ids are BOS and EOS
            toks.set(n - 2, BOS_TEXT); types[n - 2] = TokenType.CONTROL.code();
            toks.set(n - 1, EOS_TEXT); types[n - 1] = TokenType.CONTROL.code();
            return Vocabulary.builder(Vocabulary.Model.BYTE_LEVEL_BPE).tokens(toks).types(types).merges(merges)
                    .pre(o.pre()).bos(n - 2).eos(n - 1).build();
        }

        /** Fills to vocabSize (minus BOS/EOS for byte-level, which are overwritten) with unused tokens. */
        private void padUnused(List<String> toks, float[] scores, int[] types, int rank) {
            int n = o.vocabSize(), k = 0;
            int end = spm ? n : n - 2;
            while (toks.size() < end) {
                if (scores != null) scores[toks.size()] = -rank++;
                types[toks.size()] = TokenType.UNUSED.code();
                toks.add("<unused_" + k++ + ">");
            }
            while (toks.size() < n) toks.add("");
        }
    }

    /**
     * The merge engine: words as symbol arrays, pair counts, pair → words index, and a max-queue of (count, pair)
     * with lazy invalidation (an entry whose count is stale is re-queued with the current count when popped).
     */
    private static final class Merger {
        int[][] syms;
        int[] len;
        long[] freq;
        int[] stamp;
        int curStamp;
        // pair table
        final PairIndex index = new PairIndex();
        long[] pairKey = new long[1024];
        long[] pairCount = new long[1024];
        int[][] pairWords = new int[1024][];
        int[] pairWordsSize = new int[1024];
        int[] pairTouched = new int[1024];
        int nPairs;
        final IntList touched = new IntList(64);
        final PairHeap heap = new PairHeap();

        Merger(int nWords) {
            syms = new int[nWords][];
            len = new int[nWords];
            freq = new long[nWords];
            stamp = new int[nWords];
        }

        void addWord(int w, int[] s, long f) {
            syms[w] = s;
            len[w] = s.length;
            freq[w] = f;
            for (int i = 1; i < s.length; i++) inc(s[i - 1], s[i], f, w);
        }

        void initQueue() {
            for (int p = 0; p < nPairs; p++) if (pairCount[p] > 0) heap.push(pairCount[p], pairKey[p]);
            touched.clear();
        }

        /** The best pair (left << 32 | right) with at least minFreq occurrences, or -1. */
        long popBest(int minFreq) {
            while (!heap.isEmpty()) {
                long count = heap.topCount(), key = heap.topKey();
                heap.pop();
                int p = index.get(key);
                long cur = pairCount[p];
                if (cur == count) {
                    if (count < minFreq) return -1;
                    return key;
                }
                if (cur > 0 && cur < count) heap.push(cur, key);
                // cur > count: a fresher entry with the current count is already queued
            }
            return -1;
        }

        void merge(int a, int b, int c) {
            int p = index.get(((long) a << 32) | (b & 0xFFFFFFFFL));
            curStamp++;
            touched.clear();
            int[] ws = pairWords[p];
            int nw = pairWordsSize[p];
            for (int k = 0; k < nw; k++) {
                int w = ws[k];
                if (stamp[w] == curStamp) continue;
                stamp[w] = curStamp;
                mergeWord(w, a, b, c);
            }
            pairWords[p] = null;
            pairWordsSize[p] = 0;
            for (int i = 0; i < touched.size; i++) {
                int q = touched.a[i];
                if (pairCount[q] > 0) heap.push(pairCount[q], pairKey[q]);
            }
        }

        /** Merges every non-overlapping (a, b), left to right, keeping pair counts exact through neighbour deltas. */
        private void mergeWord(int w, int a, int b, int c) {
            int[] s = syms[w];
            int n = len[w], out = 0;
            long f = freq[w];
            for (int i = 0; i < n; ) {
                if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                    dec(a, b, f);
                    if (out > 0) { int l = s[out - 1]; dec(l, a, f); inc(l, c, f, w); }
                    if (i + 2 < n) { int r = s[i + 2]; dec(b, r, f); inc(c, r, f, w); }
                    s[out++] = c;
                    i += 2;
                } else {
                    s[out++] = s[i++];
                }
            }
            len[w] = out;
        }

        private void dec(int a, int b, long f) {
            pairCount[index.get(((long) a << 32) | (b & 0xFFFFFFFFL))] -= f;
        }

        private void inc(int a, int b, long f, int w) {
            long key = ((long) a << 32) | (b & 0xFFFFFFFFL);
            int p = index.get(key);
            if (p < 0) {
                p = nPairs++;
                if (p == pairKey.length) grow();
                pairKey[p] = key;
                index.put(key, p);
            }
            pairCount[p] += f;
            int[] ws = pairWords[p];
            int sz = pairWordsSize[p];
            if (ws == null) { ws = pairWords[p] = new int[4]; }
            if (sz == 0 || ws[sz - 1] != w) {
                if (sz == ws.length) ws = pairWords[p] = Arrays.copyOf(ws, sz * 2);
                ws[sz] = w;
                pairWordsSize[p] = sz + 1;
            }
            if (pairTouched[p] != curStamp) { pairTouched[p] = curStamp; touched.add(p); }
        }

        private void grow() {
            int n = pairKey.length * 2;
            pairKey = Arrays.copyOf(pairKey, n);
            pairCount = Arrays.copyOf(pairCount, n);
            pairWords = Arrays.copyOf(pairWords, n);
            pairWordsSize = Arrays.copyOf(pairWordsSize, n);
            pairTouched = Arrays.copyOf(pairTouched, n);
        }
    }

    /** Open-addressing map from a pair key to its index in the pair table. */
    private static final class PairIndex {
        private static final long EMPTY = -1L; // pairs of non-negative ids never collide with it
        long[] keys = new long[1 << 12];
        int[] vals = new int[1 << 12];
        int size, mask = (1 << 12) - 1;

        PairIndex() { Arrays.fill(keys, EMPTY); }

        private static int hash(long k) {
            long h = k * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 29));
        }

        int get(long k) {
            int i = hash(k) & mask;
            long kk;
            while ((kk = keys[i]) != EMPTY) {
                if (kk == k) return vals[i];
                i = (i + 1) & mask;
            }
            return -1;
        }

        void put(long k, int v) {
            if ((size + 1) * 2 > keys.length) rehash();
            int i = hash(k) & mask;
            while (keys[i] != EMPTY) i = (i + 1) & mask;
            keys[i] = k; vals[i] = v; size++;
        }

        private void rehash() {
            long[] ok = keys;
            int[] ov = vals;
            keys = new long[ok.length * 2];
            vals = new int[ok.length * 2];
            Arrays.fill(keys, EMPTY);
            mask = keys.length - 1;
            size = 0;
            for (int i = 0; i < ok.length; i++) if (ok[i] != EMPTY) put(ok[i], ov[i]);
        }
    }

    /** Binary heap ordered by count descending, then pair key ascending (left id, then right id). */
    private static final class PairHeap {
        long[] counts = new long[1024], keys = new long[1024];
        int size;

        boolean isEmpty() { return size == 0; }

        long topCount() { return counts[0]; }

        long topKey() { return keys[0]; }

        private static boolean before(long c1, long k1, long c2, long k2) {
            return c1 != c2 ? c1 > c2 : k1 < k2;
        }

        void push(long c, long k) {
            if (size == counts.length) { counts = Arrays.copyOf(counts, size * 2); keys = Arrays.copyOf(keys, size * 2); }
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (!before(c, k, counts[p], keys[p])) break;
                counts[i] = counts[p]; keys[i] = keys[p];
                i = p;
            }
            counts[i] = c; keys[i] = k;
        }

        void pop() {
            long lc = counts[--size], lk = keys[size];
            int i = 0, half = size >>> 1;
            while (i < half) {
                int ch = 2 * i + 1;
                if (ch + 1 < size && before(counts[ch + 1], keys[ch + 1], counts[ch], keys[ch])) ch++;
                if (!before(counts[ch], keys[ch], lc, lk)) break;
                counts[i] = counts[ch]; keys[i] = keys[ch];
                i = ch;
            }
            counts[i] = lc; keys[i] = lk;
        }
    }

    /**
     * A one-line progress bar redrawn with carriage returns when the percentage changes; when output is not a
     * terminal (a log file, a pipe), one line per 10 % instead.
     */
    private static final class Progress {
        private static final boolean TTY = System.console() != null;
        final PrintStream out;
        final String label;
        final long total;
        long done;
        int shown = -1;

        Progress(PrintStream out, String label, long total) {
            this.out = out;
            this.label = label;
            this.total = Math.max(1, total);
            draw();
        }

        void advance(long n) {
            done += n;
            draw();
        }

        private void draw() {
            if (out == null) return;
            int pct = (int) Math.min(100, done * 100 / total);
            if (pct == shown) return;
            if (!TTY) {
                if (pct / 10 == shown / 10 && shown >= 0) return;
                shown = pct;
                out.println(label + (pct / 10 * 10) + "%");
                return;
            }
            shown = pct;
            int w = 40, filled = pct * w / 100;
            out.print("\r" + label + "[" + "#".repeat(filled) + " ".repeat(w - filled) + "] " + pct + "%");
            out.flush();
        }

        void done() {
            if (out == null) return;
            done = total;
            draw();
            if (TTY) out.println();
        }
    }
}
