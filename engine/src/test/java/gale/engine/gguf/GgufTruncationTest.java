// Truncating a valid file at every offset: always the typed format error, never another exception.
package gale.engine.gguf;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class GgufTruncationTest {
    @Test void everyPrefixOfAValidFileIsRejectedWithTheTypedError() throws Exception {
        byte[] full = Fixtures.allTypes().toByteArray();
        GgufFile whole = Fixtures.parse(full);
        long lastByteNeeded = 0;
        for (GgufTensor t : whole.tensors()) lastByteNeeded = Math.max(lastByteNeeded, t.fileOffset() + t.byteSize());
        System.out.println("truncation: file of " + full.length + " bytes, tensor data ends at " + lastByteNeeded);
        assertTrue(full.length < 8192, "keep this test small");
        int rejected = 0;
        for (int len = 0; len < full.length; len++) {
            byte[] prefix = Arrays.copyOf(full, len);
            try {
                Fixtures.parse(prefix);
                // only the final padding after the last tensor may be cut without losing anything
                assertTrue(len >= lastByteNeeded, "prefix of " + len + " bytes was accepted");
            } catch (GgufFormatException e) {
                rejected++;
                assertNotNull(e.field());
                assertTrue(e.getMessage().startsWith("test.gguf: "), e.getMessage());
            } catch (Throwable t) {
                fail("prefix of " + len + " bytes threw " + t, t);
            }
        }
        assertTrue(rejected >= lastByteNeeded, rejected + " prefixes rejected");
    }
}
