// Megabyte-long runs of one character must finish quickly, in O(n log n) merge work, without deep recursion.
package gale.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathologicalTest {
    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"llama3, a", "llama3, _", "llama3, ' '", "llama3, 7", "gpt2, a", "gpt2, _", "gpt2, ' '", "gpt2, 7",
            "llama2, a", "llama2, _", "llama2, ' '", "llama2, 7"})
    void megabyteRunsTakeLinearWork(String vocab, char c) {
        Tokenizer tok = RoundTripTest.tokenizer(vocab);
        int big = 1 << 20, small = big / 8;
        long w0 = work();
        int[] smallIds = tok.encode(String.valueOf(c).repeat(small), false, Tokenizer.SpecialTokens.PLAIN_TEXT);
        long smallWork = work() - w0;
        String text = String.valueOf(c).repeat(big);
        long t0 = System.nanoTime();
        long w1 = work();
        int[] ids = tok.encode(text, false, Tokenizer.SpecialTokens.PLAIN_TEXT);
        long bigWork = work() - w1;
        long nanos = System.nanoTime() - t0;
        assertEquals(text, tok.decode(ids, false));
        assertTrue(smallIds.length > 0 && ids.length >= smallIds.length);
        System.out.printf("pathological %s '%s': 1 MiB in %.0f ms, %d ids, %d queue ops (%.1fx the ops of 1/8 the input)%n",
                vocab, c, nanos / 1e6, ids.length, bigWork, (double) bigWork / Math.max(1, smallWork));
        // n log n: 8x the input may cost 8 * log(8n)/log(n) ~ 9.6x the work; quadratic would be 64x
        assertTrue(bigWork <= 10L * Math.max(smallWork, 1), "8x the input took " + bigWork + " vs " + smallWork + " queue ops");
        assertTrue(bigWork <= 40L * big, "queue ops " + bigWork + " for " + big + " characters");
        assertTrue(nanos < 30_000_000_000L, "1 MiB took " + nanos / 1e9 + " s");
    }

    private static long work() { return BaseTokenizer.QUEUE_OPS.sum(); }
}
