// Whole-model training checks: gradients and AdamW steps against the double-precision ReferenceTrainer on every
// device, bitwise determinism, activation memory.
package gale.engine.train;

import gale.compute.Device;
import gale.compute.Devices;
import gale.engine.model.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tiny model: dim 16, 2 layers, 4 heads, 2 KV heads, ffn 40, vocab 37, seq 9, batch 2, one masked target.
 * Tolerances: per tensor, max |g − g_ref| ≤ 1e-4·max|g_ref| + 1e-6 (float vs double accumulation); loss relative
 * 1e-5; after ten AdamW steps (lr 1e-2) max |θ − θ_ref| ≤ 2e-4 (Adam normalises updates, so float rounding of small
 * gradients moves parameters by up to a few·1e-5 per step).
 */
class TrainableLlamaTest {
    static final LlamaConfig TINY = new LlamaConfig(16, 2, 40, 4, 2, 1e-5f, 10000f, 4, 64, 37, -1, -1);
    static final int B = 2, T = 9;

    static List<String> devices() { return Devices.available(); }

    static int[][] batch(long seed) {
        java.util.Random r = new java.util.Random(seed);
        int[] tok = new int[B * T], tgt = new int[B * T];
        for (int i = 0; i < tok.length; i++) tok[i] = r.nextInt(TINY.vocabSize());
        for (int i = 0; i < tgt.length; i++) tgt[i] = i % T == T - 1 ? r.nextInt(TINY.vocabSize()) : tok[i + 1];
        tgt[4] = -1;  // one masked target
        return new int[][]{tok, tgt};
    }

    @ParameterizedTest
    @MethodSource("devices")
    void gradientsMatchReference(String dev) {
        for (boolean tied : new boolean[]{false, true}) {
            try (TrainableLlama model = TrainableLlama.create(TINY, tied, Devices.select(dev), B, T, 7)) {
                ReferenceTrainer ref = new ReferenceTrainer(TINY, tied, model.readParameters());
                int[][] bt = batch(1);
                TrainableLlama.Loss loss = model.forwardBackward(bt[0], bt[1]);
                double refLoss = ref.step(bt[0], bt[1], T, true);
                assertEquals(B * T - 1, loss.tokens());
                assertEquals(refLoss, loss.sum(), 1e-5 * Math.abs(refLoss), "loss on " + dev);
                Map<String, float[]> got = model.readGradients();
                double worst = 0, worstAbs = 0, maxG = 0;
                for (var e : ref.grads.entrySet()) {
                    double[] r = e.getValue();
                    float[] g = got.get(e.getKey());
                    double maxRef = 0, maxErr = 0;
                    for (int i = 0; i < r.length; i++) {
                        maxRef = Math.max(maxRef, Math.abs(r[i]));
                        maxErr = Math.max(maxErr, Math.abs(g[i] - r[i]));
                    }
                    double tol = 1e-4 * maxRef + 1e-6;
                    worst = Math.max(worst, maxErr / tol);
                    worstAbs = Math.max(worstAbs, maxErr);
                    maxG = Math.max(maxG, maxRef);
                    assertTrue(maxErr <= tol, e.getKey() + " on " + dev + ": max |Δ| " + maxErr + " > " + tol);
                }
                System.out.printf("TrainableLlama gradients on %s (tied=%b): loss %.6f vs %.6f, max |Δg| %.3g over all tensors (max |g| %.3g), worst per-tensor max|Δ|/tol %.3f%n",
                        dev, tied, loss.sum(), refLoss, worstAbs, maxG, worst);
                // evaluate touches no gradient
                TrainableLlama.Loss ev = model.evaluate(bt[0], bt[1]);
                assertEquals(loss.sum(), ev.sum(), 1e-9 * Math.abs(loss.sum()));
                assertArrayEquals(got.get("token_embd.weight"), model.readGradients().get("token_embd.weight"));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void tenAdamWStepsMatchReference(String dev) {
        // clip 0.05 is below every step's scaled norm (asserted), so every step clips; 0 never clips
        for (float clip : new float[]{0.05f, 0f}) tenSteps(dev, new TrainableLlama.AdamW(0.9f, 0.95f, 1e-8f, 0.1f, clip));
    }

    private void tenSteps(String dev, TrainableLlama.AdamW h) {
        try (TrainableLlama model = TrainableLlama.create(TINY, false, Devices.select(dev), B, T, 3)) {
            ReferenceTrainer ref = new ReferenceTrainer(TINY, false, model.readParameters());
            double maxNormErr = 0;
            for (int step = 1; step <= 10; step++) {
                int[][] bt = batch(100 + step % 3);
                TrainableLlama.Loss l = model.forwardBackward(bt[0], bt[1]);
                ref.step(bt[0], bt[1], T, true);
                float norm = model.optimizerStep(h, 1e-2f, step, 1f / l.tokens());
                if (h.clipNorm() > 0) assertTrue(norm > h.clipNorm(), "step " + step + " norm " + norm + " does not clip");
                double rn = ref.adamStep(h, 1e-2, step, 1.0 / l.tokens());
                maxNormErr = Math.max(maxNormErr, Math.abs(norm - rn) / rn);
            }
            double maxErr = 0;
            for (var e : model.readParameters().entrySet()) {
                double[] r = ref.p.get(e.getKey());
                for (int i = 0; i < r.length; i++) maxErr = Math.max(maxErr, Math.abs(e.getValue()[i] - r[i]));
            }
            System.out.printf("TrainableLlama 10 AdamW steps on %s (clip %.2f): max |θ − θ_ref| %.3g, max relative norm error %.3g%n", dev, h.clipNorm(), maxErr, maxNormErr);
            assertTrue(maxErr <= 2e-4, "parameters after 10 steps on " + dev + ": max |Δ| " + maxErr);
            assertTrue(maxNormErr <= 1e-4, "gradient norm on " + dev + ": relative error " + maxNormErr);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void deterministic(String dev) {
        float[][] first = null;
        for (int run = 0; run < 2; run++) {
            try (TrainableLlama model = TrainableLlama.create(TINY, false, Devices.select(dev), B, T, 11)) {
                for (int step = 1; step <= 3; step++) {
                    int[][] bt = batch(step);
                    TrainableLlama.Loss l = model.forwardBackward(bt[0], bt[1]);
                    model.optimizerStep(TrainableLlama.AdamW.defaults(), 1e-2f, step, 1f / l.tokens());
                }
                float[][] now = model.readParameters().values().toArray(float[][]::new);
                if (first == null) first = now;
                else for (int i = 0; i < now.length; i++) assertArrayEquals(first[i], now[i], "run 2 differs on " + dev);
            }
        }
        System.out.println("TrainableLlama on " + dev + ": two fresh 3-step runs are bit-identical");
    }

    /** Gradients accumulate over micro-batches: two calls give twice one call's gradients (up to rounding). */
    @Test
    void gradientsAccumulate() {
        int[][] bt = batch(21);
        try (TrainableLlama a = TrainableLlama.create(TINY, true, Devices.jvm(), B, T, 2)) {
            a.forwardBackward(bt[0], bt[1]);
            Map<String, float[]> once = a.readGradients();
            a.forwardBackward(bt[0], bt[1]);
            for (var e : a.readGradients().entrySet()) {
                float[] o = once.get(e.getKey()), t = e.getValue();
                for (int i = 0; i < o.length; i++)
                    assertEquals(2 * o[i], t[i], 1e-6 * (1 + Math.abs(o[i])), e.getKey() + "[" + i + "]");
            }
            a.optimizerStep(TrainableLlama.AdamW.defaults(), 1e-3f, 1, 1f);
            for (float[] g : a.readGradients().values()) for (float x : g) assertEquals(0f, x, "gradients are zeroed by the step");
        }
    }

    @Test
    void stateRoundTripsAndShapesAreChecked() {
        Device jvm = Devices.jvm();
        try (TrainableLlama a = TrainableLlama.create(TINY, false, jvm, B, T, 5)) {
            int[][] bt = batch(9);
            a.forwardBackward(bt[0], bt[1]);
            a.optimizerStep(TrainableLlama.AdamW.defaults(), 1e-2f, 1, 0.1f);
            Map<String, float[]> params = a.readParameters(), state = a.readOptimizerState();
            assertEquals(a.parameters().size() * 2, state.size());
            try (TrainableLlama b = TrainableLlama.fromTensors(TINY, params, jvm, B, T)) {
                b.writeOptimizerState(state);
                for (var e : b.readOptimizerState().entrySet()) assertArrayEquals(state.get(e.getKey()), e.getValue());
                assertEquals(a.parameterCount(), b.parameterCount());
                assertEquals(a.evaluate(bt[0], bt[1]).sum(), b.evaluate(bt[0], bt[1]).sum());
                float[][] logits = b.logitsAt(bt[0], T - 1);
                assertEquals(B, logits.length);
                assertEquals(TINY.vocabSize(), logits[0].length);
            }
            Map<String, float[]> bad = new java.util.LinkedHashMap<>(params);
            bad.put("blk.1.ffn_up.weight", new float[3]);
            var ex = assertThrows(IllegalArgumentException.class, () -> TrainableLlama.fromTensors(TINY, bad, jvm, B, T));
            assertTrue(ex.getMessage().contains("blk.1.ffn_up.weight"), ex.getMessage());
            bad.remove("blk.1.ffn_up.weight");
            ex = assertThrows(IllegalArgumentException.class, () -> TrainableLlama.fromTensors(TINY, bad, jvm, B, T));
            assertTrue(ex.getMessage().contains("blk.1.ffn_up.weight"), ex.getMessage());
        }
    }

    @Test
    void activationMemory() {
        LlamaConfig demo = new LlamaConfig(128, 4, 352, 4, 4, 1e-5f, 10000f, 32, 128, 2048, -1, -1);
        for (var cfg : new Object[][]{{TINY, B, T}, {demo, 4, 128}}) {
            LlamaConfig lc = (LlamaConfig) cfg[0];
            try (TrainableLlama m = TrainableLlama.create(lc, false, Devices.jvm(), (Integer) cfg[1], (Integer) cfg[2], 1)) {
                TrainableLlama.ActivationMemory am = m.activationMemory();
                System.out.printf("TrainableLlama activation memory dim %d layers %d batch %d seq %d: stored %d bytes, storing everything %d bytes (%.2fx); device estimate %d bytes%n",
                        lc.embeddingLength(), lc.blockCount(), cfg[1], cfg[2], am.stored(), am.storeEverything(),
                        (double) am.storeEverything() / am.stored(), TrainableLlama.estimateDeviceBytes(lc, false, (Integer) cfg[1], (Integer) cfg[2]));
                assertTrue(am.stored() < am.storeEverything());
            }
        }
    }
}
