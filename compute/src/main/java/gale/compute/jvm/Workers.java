// A fixed pool of worker threads for the jvm backend: one job at a time, chunk c on worker c, spin-then-park waits.
package gale.compute.jvm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the chunks of one launch on {@code size} threads: the caller runs chunk 0, worker {@code i} runs chunk
 * {@code i + 1}. Which thread runs which chunk, and the chunk boundaries (chosen by the caller), never depend on
 * timing, so a launch computes the same bits every run.
 *
 * <p>A decode step is ~100 small launches, so the hand-off must be cheap: an idle worker spins for
 * {@link #SPIN_NANOS}, then yields until {@link #YIELD_NANOS}, then parks until the next job is published (the caller
 * unparks only workers that parked). The caller waits for the others the same way, without parking.
 * One caller at a time (the jvm device is used by one plan thread); workers are daemon threads.
 */
final class Workers {
    /** Chunk {@code chunk} of a job. */
    interface Body {
        void run(int chunk);
    }

    static final long SPIN_NANOS = 50_000, YIELD_NANOS = 2_000_000;

    private static final class Job {
        final long seq;
        final int chunks;
        final Body body;
        final AtomicInteger pending;
        volatile Throwable error;

        Job(long seq, int chunks, Body body) {
            this.seq = seq;
            this.chunks = chunks;
            this.body = body;
            this.pending = new AtomicInteger(chunks - 1);
        }
    }

    private final Thread[] threads;
    private final java.util.concurrent.atomic.AtomicIntegerArray parked;
    private volatile Job job = new Job(0, 1, c -> {});
    private long seq;

    /** A pool for {@code size} chunks at once: {@code size - 1} worker threads plus the caller. */
    Workers(int size, String name) {
        threads = new Thread[Math.max(0, size - 1)];
        parked = new java.util.concurrent.atomic.AtomicIntegerArray(threads.length);
        for (int i = 0; i < threads.length; i++) {
            int index = i;
            Thread t = new Thread(() -> work(index), name + "-" + (i + 1));
            t.setDaemon(true);
            threads[i] = t;
            t.start();
        }
    }

    /** Chunks that can run at once (workers + the caller). */
    int size() { return threads.length + 1; }

    /**
     * Runs {@code body.run(c)} for c in [0, chunks) (chunks ≤ {@link #size()}) and returns when all are done. The
     * first failure of any chunk is rethrown (a RuntimeException or Error as it was; anything else wrapped).
     */
    void run(int chunks, Body body) {
        if (chunks > size()) throw new IllegalArgumentException(chunks + " chunks on a pool of " + size());
        if (chunks <= 1) {
            if (chunks == 1) body.run(0);
            return;
        }
        Job j = new Job(++seq, chunks, body);
        job = j;                                      // publish (volatile write)
        for (int i = 0; i < chunks - 1; i++) if (parked.get(i) != 0) LockSupport.unpark(threads[i]);
        try {
            body.run(0);
        } catch (Throwable t) {
            fail(j, t);
        }
        long start = System.nanoTime();
        for (int spins = 0; j.pending.get() != 0; spins++) {
            if (spins < 64 || System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
            else Thread.yield();
        }
        Throwable e = j.error;
        if (e instanceof RuntimeException re) throw re;
        if (e instanceof Error er) throw er;
        if (e != null) throw new RuntimeException(e);
    }

    private static void fail(Job j, Throwable t) {
        if (j.error == null) j.error = t;             // first failure wins; racing ones are dropped
    }

    private void work(int index) {
        long seen = 0;
        while (true) {
            Job j = await(index, seen);
            seen = j.seq;
            if (index + 1 < j.chunks) {
                try {
                    j.body.run(index + 1);
                } catch (Throwable t) {
                    fail(j, t);
                } finally {
                    j.pending.decrementAndGet();
                }
            }
        }
    }

    /** Waits for a job newer than {@code seen}: spin, then yield, then park. */
    private Job await(int index, long seen) {
        long start = System.nanoTime();
        for (int spins = 0; ; spins++) {
            Job j = job;
            if (j.seq != seen) return j;
            long waited = spins < 64 ? 0 : System.nanoTime() - start;
            if (waited < SPIN_NANOS) {
                Thread.onSpinWait();
            } else if (waited < YIELD_NANOS) {
                Thread.yield();
            } else {
                parked.set(index, 1);                 // then re-check: the caller reads this flag after publishing
                if (job.seq == seen) LockSupport.park(this);
                parked.set(index, 0);
            }
        }
    }
}
