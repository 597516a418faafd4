// A fixed pool of worker threads for the jvm backend: one job at a time, chunks claimed in turn, spin-then-park waits.
package gale.compute.jvm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the chunks of one launch on {@code size} threads: the caller and the workers claim chunks in turn from a shared
 * counter until none is left, so a thread that the OS has descheduled (the machine is busy) holds up only the chunk it
 * is running, never the ones it has not claimed. The chunk boundaries are chosen by the caller from the launch's size
 * alone, and a chunk's result does not depend on which thread runs it, so a launch computes the same bits every run.
 *
 * <p>A decode step is ~100 small launches, so the hand-off must be cheap: an idle worker spins for
 * {@link #SPIN_NANOS}, then yields until {@link #YIELD_NANOS}, then parks until the next job is published (the caller
 * unparks only workers that parked). The caller waits for the others the same way, without parking.
 * Thread-safe: callers on different threads take turns (one job at a time); workers are daemon threads.
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
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable error;

        Job(long seq, int chunks, Body body) {
            this.seq = seq;
            this.chunks = chunks;
            this.body = body;
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    body.run(c);
                } catch (Throwable t) {
                    if (error == null) error = t;     // first failure wins; racing ones are dropped
                } finally {
                    done.incrementAndGet();
                }
            }
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
     * Runs {@code body.run(c)} for c in [0, chunks) and returns when all are done. The first failure of any chunk is
     * rethrown (a RuntimeException or Error as it was; anything else wrapped).
     */
    synchronized void run(int chunks, Body body) {
        if (chunks <= 1 || threads.length == 0) {
            for (int c = 0; c < chunks; c++) body.run(c);
            return;
        }
        Job j = new Job(++seq, chunks, body);
        job = j;                                      // publish (volatile write)
        for (int i = 0; i < threads.length && i < chunks - 1; i++) if (parked.get(i) != 0) LockSupport.unpark(threads[i]);
        j.work();
        long start = System.nanoTime();
        for (int spins = 0; j.done.get() != chunks; spins++) {
            if (spins < 64 || System.nanoTime() - start < SPIN_NANOS) Thread.onSpinWait();
            else Thread.yield();
        }
        Throwable e = j.error;
        if (e instanceof RuntimeException re) throw re;
        if (e instanceof Error er) throw er;
        if (e != null) throw new RuntimeException(e);
    }

    private void work(int index) {
        long seen = 0;
        while (true) {
            Job j = await(index, seen);
            seen = j.seq;
            j.work();
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
