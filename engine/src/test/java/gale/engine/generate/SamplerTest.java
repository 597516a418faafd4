// Tests of the sampler (determinism, each stage, NaN handling) and of stop-string streaming.
package gale.engine.generate;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class SamplerTest {
    private static float[] randomLogits(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) l[i] = (float) (r.nextGaussian() * 3);
        return l;
    }

    @Test void greedyIsArgmax() {
        float[] l = randomLogits(1000, 1);
        int expect = Sampler.argmax(l);
        assertEquals(expect, new Sampler(SamplingParams.greedy()).sample(l.clone(), new int[0], 0));
    }

    @Test void sameSeedSameTokens() {
        SamplingParams p = SamplingParams.defaults(42);
        Sampler a = new Sampler(p), b = new Sampler(p), c = new Sampler(SamplingParams.defaults(43));
        boolean differs = false;
        for (int i = 0; i < 200; i++) {
            float[] l = randomLogits(500, i);
            int ta = a.sample(l.clone(), new int[0], 0), tb = b.sample(l.clone(), new int[0], 0), tc = c.sample(l.clone(), new int[0], 0);
            assertEquals(ta, tb);
            differs |= ta != tc;
        }
        assertTrue(differs, "a different seed should change some draws");
    }

    @Test void topKOneIsGreedy() {
        Sampler s = new Sampler(new SamplingParams(1.5f, 1, 1f, 0f, 1f, 0, 7));
        for (int i = 0; i < 50; i++) {
            float[] l = randomLogits(300, 100 + i);
            assertEquals(Sampler.argmax(l), s.sample(l.clone(), new int[0], 0));
        }
    }

    @Test void topKRestrictsCandidates() {
        Sampler s = new Sampler(new SamplingParams(5f, 3, 1f, 0f, 1f, 0, 9));
        float[] l = {0, 1, 2, 3, 4, 5, 6, 7};
        for (int i = 0; i < 500; i++) assertTrue(s.sample(l.clone(), new int[0], 0) >= 5);
    }

    @Test void topPKeepsSmallestNucleus() {
        // probabilities ≈ 0.87, 0.12, 0.0016…: top-p 0.5 keeps only token 0
        Sampler s = new Sampler(new SamplingParams(1f, 0, 0.5f, 0f, 1f, 0, 3));
        float[] l = {10, 8, 3.6f, 0};
        for (int i = 0; i < 300; i++) assertEquals(0, s.sample(l.clone(), new int[0], 0));
    }

    @Test void minPDropsUnlikelyTokens() {
        Sampler s = new Sampler(new SamplingParams(1f, 0, 1f, 0.2f, 1f, 0, 5));
        float[] l = {5, 5, 0, 0}; // tokens 2,3 have p/pmax = e^-5 < 0.2
        for (int i = 0; i < 300; i++) assertTrue(s.sample(l.clone(), new int[0], 0) <= 1);
    }

    @Test void repetitionPenaltyFollowsLlamaCpp() {
        Sampler s = new Sampler(new SamplingParams(0f, 0, 1f, 0f, 2f, 2, 0));
        float[] l = {4, 3.5f, -1, 0};
        // history: token 0 twice (penalised once), token 2 outside the last 2
        int t = s.sample(l, new int[]{2, 0, 0}, 3);
        assertEquals(2f, l[0]);
        assertEquals(-1f, l[2]);
        assertEquals(1, t);
        float[] neg = {-2, -3};
        new Sampler(new SamplingParams(0f, 0, 1f, 0f, 2f, 8, 0)).sample(neg, new int[]{0}, 1);
        assertEquals(-4f, neg[0]);
    }

    @Test void nanLogitsFailClearly() {
        float[] l = randomLogits(10, 2);
        l[7] = Float.NaN;
        var e = assertThrows(NonFiniteLogitsException.class, () -> new Sampler(SamplingParams.defaults(1)).sample(l, new int[0], 0));
        assertTrue(e.getMessage().contains("token 7"), e.getMessage());
    }

    @Test void distributionMatchesSoftmax() {
        Sampler s = new Sampler(new SamplingParams(1f, 0, 1f, 0f, 1f, 0, 11));
        float[] l = {0, (float) Math.log(3)}; // p = 0.25, 0.75
        int ones = 0, n = 20000;
        for (int i = 0; i < n; i++) ones += s.sample(l.clone(), new int[0], 0);
        assertEquals(0.75, ones / (double) n, 0.02);
    }

    @Test void stopStringsSpanningPieces() {
        StopStrings st = new StopStrings(List.of("</s>", "\n\nUser:"));
        StringBuilder out = new StringBuilder();
        for (String piece : new String[]{"Hello", " wor", "ld<", "/", "s>", "never"}) out.append(st.accept(piece));
        assertTrue(st.stopped());
        assertEquals("Hello world", out.toString());
        assertEquals("</s>", st.matched());
    }

    @Test void heldBackTextIsReleasedWhenItCannotMatch() {
        StopStrings st = new StopStrings(List.of("STOP"));
        assertEquals("a", st.accept("aST"));
        assertEquals("STx", st.accept("x"));
        assertEquals("", st.accept("S"));
        assertEquals("S", st.flush());
        assertFalse(st.stopped());
    }
}
