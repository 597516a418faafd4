// The synthetic models checked against llama.cpp: one list shared by the golden-data writer and the golden test.
package gale.engine.inference;

import gale.engine.gguf.GgmlType;
import gale.engine.synthetic.SyntheticLlama;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The synthetic GGUFs of the llama.cpp golden data (engine/src/test/golden/generate.mjs). Each is
 * {@link SyntheticLlama#tiny} (dim 256, 2 layers, 8 heads, ffn 512, vocab 320, context 64) with a variation; untied
 * and tied models have logits of standard deviation ≈ 4 (SyntheticLlama#withLogitScale), so greedy decisions are
 * mostly well separated. The golden JSON stores each file's SHA-256: the test regenerates the file and checks it first.
 *
 * <p>To write the files for the generator: {@code ./mvnw -o -pl engine test -Dtest=LlamaCppGoldenTest#writeModels
 * -Dgale.golden.out=DIR -Dsurefire.failIfNoSpecifiedTests=false}.
 */
final class LlamaCppModels {
    private LlamaCppModels() {}

    /** Logits of standard deviation ≈ 4: untied output ~ N(0, 16/dim); tied embedding ~ N(0, 16/dim) too. */
    static final double LOGIT_SCALE = 4, TIED_SCALE = 2 / Math.sqrt(256);

    /** Name → model, in a fixed order. */
    static Map<String, SyntheticLlama> all() {
        Map<String, SyntheticLlama> m = new LinkedHashMap<>();
        for (GgmlType t : new GgmlType[]{GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K})
            m.put(t.name().toLowerCase() + "-gqa", SyntheticLlama.tiny(t).withLogitScale(LOGIT_SCALE));
        m.put("f32-tied-mha-ropefreqs", SyntheticLlama.tiny(GgmlType.F32).withTied(true).withKvHeads(8).withRopeFreqs(true).withLogitScale(TIED_SCALE));
        m.put("f32-gqa-ropefreqs", SyntheticLlama.tiny(GgmlType.F32).withRopeFreqs(true).withLogitScale(LOGIT_SCALE).withSeed(99));
        m.put("q8_0-tied", SyntheticLlama.tiny(GgmlType.Q8_0).withTied(true).withLogitScale(TIED_SCALE));
        m.put("q4_k-tied-mha", SyntheticLlama.tiny(GgmlType.Q4_K).withTied(true).withKvHeads(8).withLogitScale(TIED_SCALE));
        return m;
    }

    /** Writes {@code name}'s model into {@code dir} (once) and returns the path. */
    static Path write(Path dir, String name) throws IOException {
        Path p = dir.resolve(name + ".gguf");
        if (!Files.exists(p)) all().get(name).write(p);
        return p;
    }

    static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
