// The knobs of token sampling, validated, with llama.cpp's defaults.
package gale.engine.generate;

/**
 * Sampling settings. {@code temperature == 0} is greedy (argmax after the repetition penalty). {@code topK <= 0},
 * {@code topP >= 1}, {@code minP <= 0}, {@code repeatPenalty == 1} disable those stages. Immutable.
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repeatPenalty, int repeatLastN, long seed) {
    public SamplingParams {
        check("temperature", temperature >= 0 && Float.isFinite(temperature), temperature);
        check("top-p", topP > 0 && topP <= 1, topP);
        check("min-p", minP >= 0 && minP < 1, minP);
        check("repeat-penalty", repeatPenalty > 0 && Float.isFinite(repeatPenalty), repeatPenalty);
        check("repeat-last-n", repeatLastN >= 0, repeatLastN);
    }

    /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, repeat penalty 1.0 over 64 tokens. */
    public static SamplingParams defaults(long seed) { return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, seed); }

    public static SamplingParams greedy() { return new SamplingParams(0f, 0, 1f, 0f, 1f, 64, 0); }

    private static void check(String name, boolean ok, Object value) {
        if (!ok) throw new IllegalArgumentException("invalid sampling parameter " + name + " = " + value);
    }
}
