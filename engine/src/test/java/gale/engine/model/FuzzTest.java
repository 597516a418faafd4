// Seeded random byte flips in valid files: parsing, config and weights either succeed or raise the typed error.
package gale.engine.model;

import gale.engine.gguf.Fixtures;
import gale.engine.gguf.GgufFile;
import gale.engine.gguf.GgufFormatException;
import gale.engine.gguf.GgufTensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class FuzzTest {
    private static final int ITERATIONS = 2000;

    @Test void flipsInTheAllTypesFile() throws Exception { fuzz(Fixtures.allTypes().toByteArray(), 11, false); }

    @Test void flipsInATinyLlama() throws Exception { fuzz(new TinyLlama().writer().toByteArray(), 12, true); }

    private static void fuzz(byte[] valid, long seed, boolean model) throws Exception {
        long headerEnd = Fixtures.parse(valid).dataOffset();
        Random r = new Random(seed);
        int accepted = 0, rejected = 0;
        for (int it = 0; it < ITERATIONS; it++) {
            byte[] b = valid.clone();
            int flips = 1 + r.nextInt(4);
            for (int k = 0; k < flips; k++) {
                // mostly the header and metadata, where the parser's decisions are
                int at = r.nextInt(10) < 9 ? r.nextInt((int) headerEnd) : r.nextInt(b.length);
                switch (r.nextInt(4)) {
                    case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                    case 1 -> b[at] = (byte) 0xFF;
                    case 2 -> b[at] = 0;
                    default -> b[at] = (byte) r.nextInt(256);
                }
            }
            try {
                GgufFile f = Fixtures.parse(b);
                for (GgufTensor t : f.tensors())
                    if (t.type().supported()) t.dequantizeRow(t.rowCount() - 1, new float[(int) t.rowLength()]);
                if (model) LlamaWeights.from(f);
                accepted++;
            } catch (GgufFormatException e) {
                rejected++;
            } catch (Throwable t) {
                fail("iteration " + it + " (seed " + seed + ") threw " + t, t);
            }
        }
        System.out.printf("fuzz seed %d: %d accepted, %d rejected with GgufFormatException%n", seed, accepted, rejected);
        assertTrue(rejected > ITERATIONS / 10, "the flips should break many files: " + rejected);
    }
}
