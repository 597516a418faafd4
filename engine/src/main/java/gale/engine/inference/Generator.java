// Generation: prompt → prefill → decode loop with sampling, end-of-generation ids, stop strings and streaming text.
package gale.engine.inference;

import gale.engine.generate.NonFiniteLogitsException;
import gale.engine.generate.Sampler;
import gale.engine.generate.SamplingParams;
import gale.engine.generate.StopStrings;
import gale.tokenizer.StreamingDecoder;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Generates text from a {@link LlamaModel}. Greedy requests (temperature 0) take the argmax on the device, so one
 * int per token leaves it; other requests copy the logits back and sample on the host. Streamed chunks are whole
 * UTF-8 text, with stop strings held back until they are decided. Not thread-safe (it drives one model).
 */
public final class Generator {
    /** What to generate. {@code maxTokens} ≥ 1. */
    public record Request(int[] promptIds, SamplingParams sampling, int maxTokens, List<String> stopStrings) {
        public Request {
            if (promptIds.length == 0) throw new IllegalArgumentException("empty prompt");
            if (maxTokens < 1) throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
            stopStrings = List.copyOf(stopStrings);
        }
    }

    /** Why generation ended. */
    public enum StopReason { END_OF_GENERATION, STOP_STRING, MAX_TOKENS }

    /** The outcome, with timings. */
    public record Result(int[] promptIds, int[] tokenIds, String text, StopReason stopReason, double promptSeconds,
                         double generateSeconds) {
        public double promptTokensPerSecond() { return promptIds.length / promptSeconds; }

        /** Decode speed: tokens after the first (which the prompt pass produced) per second of decode. */
        public double tokensPerSecond() { return tokenIds.length <= 1 ? 0 : (tokenIds.length - 1) / generateSeconds; }
    }

    private final LlamaModel model;

    public Generator(LlamaModel model) { this.model = model; }

    /**
     * Runs the prompt at the model's current position (0 for a fresh model; chat continues where it is) and
     * generates. {@code stream} receives text as it becomes final.
     */
    public Result generate(Request r, Consumer<String> stream) {
        checkContext(r);
        boolean greedy = r.sampling().temperature() == 0f && r.sampling().repeatPenalty() == 1f;
        Sampler sampler = new Sampler(r.sampling());
        int[] history = Arrays.copyOf(r.promptIds(), r.promptIds().length + r.maxTokens());
        int n = r.promptIds().length;
        StreamingDecoder decoder = model.tokenizer().streamingDecoder(false, false);
        StopStrings stops = new StopStrings(r.stopStrings());
        StringBuilder text = new StringBuilder();

        long t0 = System.nanoTime();
        int token = greedy ? checkedGreedy(r.promptIds()) : sampler.sample(model.logits(r.promptIds()), history, n);
        long t1 = System.nanoTime();
        int generated = 0;
        StopReason reason = StopReason.MAX_TOKENS;
        while (true) {
            if (model.endOfGeneration().contains(token)) { reason = StopReason.END_OF_GENERATION; break; }
            history[n++] = token;
            generated++;
            String chunk = stops.accept(decoder.push(token));
            text.append(chunk);
            if (!chunk.isEmpty()) stream.accept(chunk);
            if (stops.stopped()) { reason = StopReason.STOP_STRING; break; }
            if (generated == r.maxTokens()) break;
            token = greedy ? checkedGreedy(new int[]{token}) : sampler.sample(model.logits(new int[]{token}), history, n);
        }
        if (reason != StopReason.STOP_STRING) {
            String tail = stops.accept(decoder.finish()) + stops.flush();
            text.append(tail);
            if (!tail.isEmpty()) stream.accept(tail);
        }
        long t2 = System.nanoTime();
        return new Result(r.promptIds(), Arrays.copyOfRange(history, r.promptIds().length, n), text.toString(), reason,
                (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    /**
     * Throws {@link LlamaModel.ContextFullException} when the prompt plus {@code maxTokens} does not fit in the context
     * left at the model's current position ({@link #generate} checks this before running anything).
     */
    public void checkContext(Request r) {
        int free = model.contextLength() - model.position();
        if (r.promptIds().length + r.maxTokens() > free)
            throw new LlamaModel.ContextFullException("prompt (" + r.promptIds().length + " tokens) + max tokens (" + r.maxTokens()
                    + ") = " + (r.promptIds().length + r.maxTokens()) + " exceeds the free context (" + free + " of "
                    + model.contextLength() + " positions; use a shorter prompt, fewer max tokens or a larger context)");
    }

    /** The device argmax, with the NaN check the host sampler would do (a NaN row argmaxes to garbage silently). */
    private int checkedGreedy(int[] tokens) {
        int t = model.greedy(tokens);
        if (t < 0 || t >= model.config().vocabSize())
            throw new NonFiniteLogitsException("the device argmax returned " + t + ": the logits are not finite (NaN/Inf)");
        return t;
    }
}
