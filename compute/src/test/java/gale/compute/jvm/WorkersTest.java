// The jvm backend's worker pool: every chunk runs exactly once, failures come back, concurrent callers take turns.
package gale.compute.jvm;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkersTest {
    @Test
    void everyChunkRunsOnceWhateverTheCount() {
        Workers w = new Workers(3, "test-workers");
        for (int chunks : new int[]{0, 1, 2, 3, 7, 64}) {
            for (int rep = 0; rep < 200; rep++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(1, chunks));
                w.run(chunks, runs::incrementAndGet);
                for (int c = 0; c < chunks; c++) assertEquals(1, runs.get(c), chunks + " chunks, chunk " + c);
            }
        }
    }

    /**
     * Threads run contiguous ranges of chunks and take from the back of the others' when theirs are done: a chunk that
     * blocks until every other chunk has run (a descheduled thread) must not keep the rest of its range from running,
     * whichever range it is in.
     */
    @Test
    void aBlockedChunkDoesNotHoldUpTheRestOfItsRange() throws Exception {
        Workers w = new Workers(2, "test-workers");
        int chunks = 8;
        for (int blocked : new int[]{0, 1, 4, 5, 7}) {
            for (int rep = 0; rep < 20; rep++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(chunks);
                java.util.concurrent.atomic.AtomicInteger others = new java.util.concurrent.atomic.AtomicInteger();
                boolean[] timedOut = {false};
                w.run(chunks, c -> {
                    if (c == blocked) {
                        long end = System.nanoTime() + 5_000_000_000L;
                        while (others.get() < chunks - 1) {
                            if (System.nanoTime() > end) { timedOut[0] = true; break; }
                            Thread.onSpinWait();
                        }
                    } else {
                        others.incrementAndGet();
                    }
                    runs.incrementAndGet(c);
                });
                assertEquals(false, timedOut[0], "chunk " + blocked + " waited in vain: the rest of its range did not run");
                for (int c = 0; c < chunks; c++) assertEquals(1, runs.get(c), "chunk " + c);
            }
        }
    }

    @Test
    void aFailingChunkFailsTheRunAndThePoolKeepsWorking() {
        Workers w = new Workers(2, "test-workers");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.run(8, c -> {
            if (c == 5) throw new IllegalStateException("chunk 5");
        }));
        assertEquals("chunk 5", e.getMessage());
        AtomicIntegerArray runs = new AtomicIntegerArray(8);
        w.run(8, runs::incrementAndGet);
        for (int c = 0; c < 8; c++) assertEquals(1, runs.get(c));
    }

    @Test
    void concurrentCallersTakeTurns() throws Exception {
        Workers w = new Workers(2, "test-workers");
        int[][] sums = new int[4][1];
        Thread[] callers = new Thread[4];
        for (int i = 0; i < callers.length; i++) {
            int id = i;
            callers[i] = new Thread(() -> {
                for (int rep = 0; rep < 500; rep++) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(16);
                    w.run(16, runs::incrementAndGet);
                    for (int c = 0; c < 16; c++) sums[id][0] += runs.get(c);
                }
            });
            callers[i].start();
        }
        for (Thread t : callers) t.join();
        for (int[] s : sums) assertEquals(500 * 16, s[0]);
    }
}
