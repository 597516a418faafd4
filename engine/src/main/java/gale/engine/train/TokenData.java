// Training text as one token stream with a target per position (−1 = no loss), split into training and held-out
// validation parts, and the deterministic batch sampler whose state a checkpoint stores.
package gale.engine.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gale.engine.chat.ChatTemplate;
import gale.tokenizer.Tokenizer;
import gale.tokenizer.Vocabulary;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tokenized training data. Plain text files ({@code .txt} and anything not {@code .jsonl}) hold one document per
 * line, each encoded as {@code BOS text EOS}; JSONL files hold one object per line, either {@code {"text": …}} or
 * {@code {"messages": [{"role", "content"}…]}} rendered with the model's chat template, where the loss is masked to
 * the assistant turns. The stream's last {@code validationFraction} is held out (whole documents are not split
 * specially: the boundary falls where it falls, as in nanoGPT).
 *
 * <p>Immutable after construction and safe to share; {@link Sampler} is not thread-safe.
 */
public final class TokenData {
    private final int[] tokens;   // (n)
    private final int[] targets;  // (n): next token, or −1 where no loss is taken
    private final int trainEnd;   // positions [0, trainEnd) train, [trainEnd, n) validate
    private final long documents;

    private TokenData(int[] tokens, int[] targets, double validationFraction, long documents) {
        this.tokens = tokens;
        this.targets = targets;
        this.documents = documents;
        this.trainEnd = (int) Math.round(tokens.length * (1 - validationFraction));
    }

    /** A bad data file: names the file, line and problem. */
    public static final class DataException extends IllegalArgumentException {
        public DataException(String message) { super(message); }
    }

    /**
     * Reads and tokenizes {@code files}. {@code chat} renders JSONL conversations (null: JSONL files may only hold
     * {@code text} records).
     */
    public static TokenData read(List<Path> files, Tokenizer tokenizer, ChatTemplate chat, double validationFraction) throws IOException {
        if (files.isEmpty()) throw new DataException("no training data files given");
        IntBuilder toks = new IntBuilder(), tgts = new IntBuilder();
        Vocabulary v = tokenizer.vocabulary();
        int bos = v.bos(), eos = v.eos();
        long docs = 0;
        ObjectMapper json = new ObjectMapper();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) throw new DataException("data file " + f + ": no such file");
            boolean jsonl = f.getFileName().toString().endsWith(".jsonl");
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                int lineNo = 0;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    if (line.isBlank()) continue;
                    docs++;
                    if (!jsonl) {
                        appendDocument(toks, tgts, bos, tokenizer.encode(line, false, Tokenizer.SpecialTokens.PLAIN_TEXT), eos);
                        continue;
                    }
                    JsonNode n;
                    try {
                        n = json.readTree(line);
                    } catch (IOException e) {
                        throw new DataException(f + ":" + lineNo + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
                    }
                    if (n.has("text") && n.get("text").isTextual()) {
                        appendDocument(toks, tgts, bos, tokenizer.encode(n.get("text").asText(), false, Tokenizer.SpecialTokens.PLAIN_TEXT), eos);
                    } else if (n.has("messages") && n.get("messages").isArray()) {
                        if (chat == null) throw new DataException(f + ":" + lineNo + ": chat messages need a model with a chat template");
                        appendChat(toks, tgts, tokenizer, chat, messages(f, lineNo, n.get("messages")));
                    } else {
                        throw new DataException(f + ":" + lineNo + ": expected an object with \"text\" (string) or \"messages\" (array)");
                    }
                }
            }
        }
        if (toks.size < 2) throw new DataException("training data " + files + " holds fewer than 2 tokens");
        return new TokenData(toks.toArray(), tgts.toArray(), validationFraction, docs);
    }

    /** In-memory data (tests). */
    public static TokenData of(int[] tokens, int[] targets, double validationFraction) {
        if (tokens.length != targets.length) throw new IllegalArgumentException("tokens and targets differ in length");
        return new TokenData(tokens.clone(), targets.clone(), validationFraction, 1);
    }

    private static void appendDocument(IntBuilder toks, IntBuilder tgts, int bos, int[] ids, int eos) {
        if (bos >= 0) { toks.add(bos); tgts.add(ids.length > 0 ? ids[0] : eos); }
        for (int i = 0; i < ids.length; i++) {
            toks.add(ids[i]);
            tgts.add(i + 1 < ids.length ? ids[i + 1] : eos);
        }
        if (eos >= 0) { toks.add(eos); tgts.add(-1); } // what follows EOS is the next document's BOS: nothing to learn
        if (eos < 0 && tgts.size > 0) tgts.set(tgts.size - 1, -1);
    }

    private static List<ChatTemplate.Message> messages(Path f, int lineNo, JsonNode arr) {
        List<ChatTemplate.Message> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            JsonNode m = arr.get(i);
            if (!m.path("role").isTextual() || !m.path("content").isTextual())
                throw new DataException(f + ":" + lineNo + ": messages[" + i + "] needs string fields \"role\" and \"content\"");
            out.add(new ChatTemplate.Message(m.get("role").asText(), m.get("content").asText()));
        }
        if (out.stream().noneMatch(m -> m.role().equals("assistant")))
            throw new DataException(f + ":" + lineNo + ": the conversation has no assistant message to learn from");
        return out;
    }

    /**
     * Renders the conversation once and takes the loss only on assistant turns: the tokens between the rendering of
     * the conversation up to a turn's generation prompt and the rendering that includes the turn.
     */
    private static void appendChat(IntBuilder toks, IntBuilder tgts, Tokenizer tk, ChatTemplate chat, List<ChatTemplate.Message> msgs) {
        String full = chat.render(msgs, false);
        int[] ids = tk.encode(full, false, Tokenizer.SpecialTokens.RECOGNISE);
        boolean[] learn = new boolean[ids.length];
        for (int i = 0; i < msgs.size(); i++) {
            if (!msgs.get(i).role().equals("assistant")) continue;
            int from = tk.encode(chat.render(msgs.subList(0, i), true), false, Tokenizer.SpecialTokens.RECOGNISE).length;
            int to = tk.encode(chat.render(msgs.subList(0, i + 1), false), false, Tokenizer.SpecialTokens.RECOGNISE).length;
            for (int j = Math.max(from, 0); j < Math.min(to, ids.length); j++) learn[j] = true;
        }
        for (int i = 0; i < ids.length; i++) {
            toks.add(ids[i]);
            // position i predicts token i+1; learn it when token i+1 belongs to an assistant turn
            tgts.add(i + 1 < ids.length && learn[i + 1] ? ids[i + 1] : -1);
        }
    }

    /** All positions. */
    public int size() { return tokens.length; }

    public int trainSize() { return trainEnd; }

    public int validationSize() { return tokens.length - trainEnd; }

    public long documents() { return documents; }

    /** Positions with a loss target in the training part. */
    public long trainTargets() {
        long c = 0;
        for (int i = 0; i < trainEnd; i++) if (targets[i] >= 0) c++;
        return c;
    }

    /** Fills one micro-batch of {@code batch} windows of {@code seqLen} starting at the given positions. */
    void fill(int[] starts, int seqLen, int[] outTokens, int[] outTargets, int limit) {
        for (int b = 0; b < starts.length; b++) {
            for (int t = 0; t < seqLen; t++) {
                int p = starts[b] + t;
                boolean in = p < limit;
                outTokens[b * seqLen + t] = in ? tokens[p] : 0;
                outTargets[b * seqLen + t] = in ? targets[p] : -1;
            }
        }
    }

    /** Deterministic random windows over the training part; its whole state is one long (saved in checkpoints). */
    public final class Sampler {
        private long state;
        private long windows;

        Sampler(long state, long windows) { this.state = state; this.windows = windows; }

        public long state() { return state; }

        /** Windows handed out so far (the data position). */
        public long windows() { return windows; }

        /** The next micro-batch: random window starts in the training part. */
        public void next(int batch, int seqLen, int[] outTokens, int[] outTargets) {
            int span = Math.max(1, trainEnd - seqLen + 1);
            int[] starts = new int[batch];
            for (int b = 0; b < batch; b++) {
                state += 0x9E3779B97F4A7C15L;               // SplitMix64: tiny state, exact to resume
                long z = state;
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                z ^= z >>> 31;
                starts[b] = (int) Long.remainderUnsigned(z, span);
            }
            windows += batch;
            fill(starts, seqLen, outTokens, outTargets, trainEnd);
        }
    }

    /** A sampler starting from a seed, or from a checkpoint's state. */
    public Sampler sampler(long state, long windows) { return new Sampler(state, windows); }

    /**
     * Validation micro-batch {@code i} of {@code count}: evenly spaced windows over the held-out part, the same at
     * every evaluation so the numbers compare. Returns false if there is no validation part.
     */
    public boolean validationBatch(int i, int count, int batch, int seqLen, int[] outTokens, int[] outTargets) {
        int n = validationSize();
        if (n < 2) return false;
        int windows = count * batch;
        int span = Math.max(1, n - seqLen + 1);
        int[] starts = new int[batch];
        for (int b = 0; b < batch; b++) starts[b] = trainEnd + (int) ((long) (i * batch + b) * span / windows);
        fill(starts, seqLen, outTokens, outTargets, tokens.length);
        return true;
    }

    /** Tokens (a copy; tests). */
    int[] tokens() { return tokens.clone(); }

    int[] targets() { return targets.clone(); }

    private static final class IntBuilder {
        int[] a = new int[1024];
        int size;

        void add(int v) {
            if (size == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[size++] = v;
        }

        void set(int i, int v) { a[i] = v; }

        int[] toArray() { return Arrays.copyOf(a, size); }
    }
}
