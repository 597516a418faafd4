// Turns a logits vector into the next token: repetition penalty, top-k, top-p, min-p, temperature, seeded draw.
package gale.engine.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Samples tokens in llama.cpp's default order: penalties → top-k → top-p → min-p → temperature → draw. The same seed,
 * logits and history give the same tokens. Non-finite logits fail with {@link NonFiniteLogitsException} instead of
 * sampling garbage. Not thread-safe (it owns a random stream and scratch buffers).
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;
    private int[] order = new int[0];
    private float[] work = new float[0];

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    public SamplingParams params() { return params; }

    /**
     * The next token. {@code logits} is modified (penalties applied). {@code history}/{@code historyLength} are the
     * tokens so far (prompt and generated); the last {@code repeatLastN} are penalised.
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        int n = logits.length;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(logits[i]))
                throw new NonFiniteLogitsException("logit of token " + i + " is " + logits[i] + " (the model produced NaN/Inf)");
        }
        applyRepetitionPenalty(logits, history, historyLength);
        if (params.temperature() == 0f) return argmax(logits);

        if (order.length != n) { order = new int[n]; work = new float[n]; }
        // Candidates sorted by logit, descending; ties by token id for determinism.
        int k = params.topK() > 0 ? Math.min(params.topK(), n) : n;
        int count = topKIndices(logits, k);

        // Softmax over the candidates (untempered, as llama.cpp's top-p/min-p see them).
        float max = logits[order[0]];
        double sum = 0;
        for (int i = 0; i < count; i++) sum += work[i] = (float) Math.exp(logits[order[i]] - max);
        if (params.topP() < 1f) {
            double cum = 0;
            int keep = count;
            for (int i = 0; i < count; i++) {
                cum += work[i] / sum;
                if (cum >= params.topP()) { keep = i + 1; break; }
            }
            count = Math.max(1, keep);
        }
        if (params.minP() > 0f) {
            float threshold = params.minP() * work[0]; // relative to the most probable candidate
            int keep = 0;
            while (keep < count && work[keep] >= threshold) keep++;
            count = Math.max(1, keep);
        }
        // Temperature, then the draw.
        double total = 0;
        for (int i = 0; i < count; i++) total += work[i] = (float) Math.exp((logits[order[i]] - max) / params.temperature());
        double r = random.nextDouble() * total;
        for (int i = 0; i < count; i++) {
            r -= work[i];
            if (r < 0) return order[i];
        }
        return order[count - 1];
    }

    private void applyRepetitionPenalty(float[] logits, int[] history, int historyLength) {
        float p = params.repeatPenalty();
        if (p == 1f || params.repeatLastN() == 0 || historyLength == 0) return;
        int from = Math.max(0, historyLength - params.repeatLastN());
        int[] seen = Arrays.copyOfRange(history, from, historyLength);
        Arrays.sort(seen);
        for (int i = 0; i < seen.length; i++) {
            if (i > 0 && seen[i] == seen[i - 1]) continue; // each distinct token once, as llama.cpp
            int t = seen[i];
            if (t < 0 || t >= logits.length) continue;
            logits[t] = logits[t] > 0 ? logits[t] / p : logits[t] * p;
        }
    }

    /** Fills order[0..k) with the k largest logits' ids, sorted descending (ties: lower id first); returns k. */
    private int topKIndices(float[] logits, int k) {
        int n = logits.length;
        if (k == n) {
            Integer[] boxed = new Integer[n];
            for (int i = 0; i < n; i++) boxed[i] = i;
            Arrays.sort(boxed, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
            for (int i = 0; i < n; i++) order[i] = boxed[i];
            return n;
        }
        // Partial selection with a small insertion-sorted buffer: O(n·k) worst case, k is small (≤ a few hundred).
        int size = 0;
        for (int t = 0; t < n; t++) {
            float v = logits[t];
            if (size == k && !(v > logits[order[k - 1]])) continue;
            int pos = size == k ? k - 1 : size++;
            while (pos > 0 && v > logits[order[pos - 1]]) { order[pos] = order[pos - 1]; pos--; }
            order[pos] = t;
        }
        return size;
    }

    /** The index of the largest logit; the lowest index on ties. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
