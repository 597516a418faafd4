// The model's forward pass on every device against the plain-Java double-precision reference, for every tensor type.
package gale.engine.inference;

import gale.compute.Device;
import gale.compute.Devices;
import gale.engine.gguf.GgmlType;
import gale.engine.gguf.GgufFile;
import gale.engine.gguf.GgufTensor;
import gale.engine.model.LlamaConfig;
import gale.engine.reference.ReferenceLlama;
import gale.engine.synthetic.SyntheticLlama;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LlamaModelTest {
    @TempDir static Path dir;

    /**
     * Tolerance: the kernels accumulate in float over rows of ≤ 512 products and the reference in double on the same
     * dequantised weights, so logits differ by float rounding only: max |Δ| ≤ 2e-3 · max|ref| + 1e-4 (observed ~1e-5).
     */
    static final double REL_TOL = 2e-3, ABS_TOL = 1e-4;

    static ReferenceLlama reference(Path file) throws Exception {
        try (GgufFile f = GgufFile.open(file)) {
            LlamaConfig c = LlamaConfig.from(f);
            var cfg = new ReferenceLlama.Config(c.embeddingLength(), c.blockCount(), c.headCount(), c.headCountKv(),
                    c.feedForwardLength(), c.vocabSize(), Math.min(c.contextLength(), 4096), c.rmsNormEps(), c.ropeFreqBase(),
                    c.ropeDimensionCount());
            return new ReferenceLlama(cfg, name -> {
                GgufTensor t = f.tensor(name);
                return t == null ? null : t.dequantize();
            });
        }
    }

    @TestFactory List<DynamicTest> logitsMatchReferenceOnEveryDevice() {
        List<DynamicTest> tests = new ArrayList<>();
        record Variant(String name, SyntheticLlama spec) {}
        List<Variant> variants = new ArrayList<>();
        for (GgmlType t : new GgmlType[]{GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K})
            variants.add(new Variant(t.name(), SyntheticLlama.tiny(t)));
        variants.add(new Variant("F32 tied, no GQA, rope_freqs", SyntheticLlama.tiny(GgmlType.F32).withTied(true).withKvHeads(8).withRopeFreqs(true)));
        variants.add(new Variant("Q8_0 tied", SyntheticLlama.tiny(GgmlType.Q8_0).withTied(true)));
        for (Device d : Devices.all()) {
            for (Variant v : variants) {
                for (LlamaModel.CacheType cache : LlamaModel.CacheType.values()) {
                    if (cache == LlamaModel.CacheType.F16 && !v.name.equals("F32")) continue;
                    tests.add(DynamicTest.dynamicTest(d.id() + " " + v.name + " cache " + cache, () -> check(d, v.spec, cache)));
                }
            }
        }
        return tests;
    }

    static void check(Device d, SyntheticLlama spec, LlamaModel.CacheType cache) throws Exception {
        Path file = dir.resolve(spec.type() + "-" + spec.tiedOutput() + spec.kvHeads() + spec.ropeFreqs() + ".gguf");
        if (!file.toFile().exists()) spec.write(file);
        ReferenceLlama ref = reference(file);
        // F16 cache rounds K and V to half precision: allow for it.
        double rel = cache == LlamaModel.CacheType.F16 ? 1e-2 : REL_TOL;
        int[] prompt = {1, 300, 17, 260, 99, 5, 311, 42, 7};
        try (LlamaModel m = LlamaModel.load(file, new LlamaModel.Options(d.id(), cache, 32, 4))) {
            // batched prompt (chunks of 4, 4, 1), then two single-token steps, logits compared at each
            double[] refLogits = null;
            for (int t : prompt) refLogits = ref.forward(t);
            float[] got = m.logits(prompt);
            report(d.id() + " " + spec.type() + " prompt", got, refLogits, rel);
            for (int step : new int[]{3, 280}) {
                refLogits = ref.forward(step);
                report(d.id() + " " + spec.type() + " decode", m.logits(new int[]{step}), refLogits, rel);
            }
            // greedy on the device equals argmax of the reference
            double[] nextRef = ref.forward(11);
            int best = 0;
            for (int i = 1; i < nextRef.length; i++) if (nextRef[i] > nextRef[best]) best = i;
            assertEquals(best, m.greedy(new int[]{11}), "device argmax");
            assertEquals(prompt.length + 3, m.position());
        }
    }

    static void report(String what, float[] got, double[] ref, double rel) {
        double maxRef = 0, maxErr = 0;
        for (int i = 0; i < ref.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]));
        }
        double tol = rel * maxRef + ABS_TOL;
        System.out.printf("%-40s max |Δlogit| = %.3e (max |logit| %.3f, tolerance %.3e)%n", what, maxErr, maxRef, tol);
        assertTrue(maxErr <= tol, what + ": max error " + maxErr + " > " + tol);
    }
}
