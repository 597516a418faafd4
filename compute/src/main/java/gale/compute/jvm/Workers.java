// A fixed pool of worker threads for the jvm backend: one job at a time, chunks claimed in turn, spin-then-park waits.
package gale.compute.jvm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the chunks of one launch on {@code size} threads. Each thread owns a contiguous range of the chunks and runs
 * them in order, front to back; a thread whose range is done takes chunks from the back of the others' ranges, so a
 * thread that the OS has descheduled (the machine is busy) holds up only the chunk it is running, never the ones it has
 * not claimed. Owning contiguous chunks keeps each thread's memory streams long: mat-vec rows are read in order, and
 * when chunks were handed out in turn (thread A chunks 0, 2, 4…, B 1, 3, 5…) every chunk restarted the hardware
 * prefetchers, and a streamed 512×512 Q8_0 mat-vec on two threads took as long as on one (`gale.bench.LaunchStreamProbe`,
 * fastest launch: 14.8–16.0 µs, against 11.6–12.2 µs with contiguous ranges; bench/RESULTS.md). The chunk boundaries are
 * chosen by the caller from the launch's size alone, and a chunk's result does not depend on which thread runs it, so
 * a launch computes the same bits every run.
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
        final int chunks, parts;
        final Body body;
        /** Per thread: the unclaimed chunks [front, back) of its range, packed as back << 16 | front. */
        final AtomicIntegerArray ranges;
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable error;

        Job(long seq, int chunks, int parts, Body body) {
            this.seq = seq;
            this.chunks = chunks;
            this.parts = parts;
            this.body = body;
            ranges = new AtomicIntegerArray(parts);
            for (int i = 0; i < parts; i++) {
                int front = (int) ((long) chunks * i / parts), back = (int) ((long) chunks * (i + 1) / parts);
                ranges.set(i, back << 16 | front);
            }
        }

        /**
         * Thread {@code self} (0 the caller, i + 1 worker i) runs its own range front to back, then takes chunks from
         * the back of the others' (a thread beyond the job's ranges, when there are fewer chunks than threads, only takes).
         */
        void work(int self) {
            if (self < parts) for (int c; (c = claimFront(self)) >= 0; ) run(c);
            for (int k = 1; k <= parts; k++) {
                int other = (self + k) % parts;
                if (other != self) for (int c; (c = claimBack(other)) >= 0; ) run(c);
            }
        }

        private int claimFront(int i) {
            while (true) {
                int v = ranges.get(i), front = v & 0xffff, back = v >>> 16;
                if (front >= back) return -1;
                if (ranges.compareAndSet(i, v, v + 1)) return front;
            }
        }

        private int claimBack(int i) {
            while (true) {
                int v = ranges.get(i), front = v & 0xffff, back = v >>> 16;
                if (front >= back) return -1;
                if (ranges.compareAndSet(i, v, (back - 1) << 16 | front)) return back - 1;
            }
        }

        private void run(int c) {
            try {
                body.run(c);
            } catch (Throwable t) {
                if (error == null) error = t;     // first failure wins; racing ones are dropped
            } finally {
                done.incrementAndGet();
            }
        }
    }

    private final Thread[] threads;
    private final AtomicIntegerArray parked;
    private volatile Job job = new Job(0, 1, 1, c -> {});
    private long seq;

    /** A pool for {@code size} chunks at once: {@code size - 1} worker threads plus the caller. */
    Workers(int size, String name) {
        threads = new Thread[Math.max(0, size - 1)];
        parked = new AtomicIntegerArray(threads.length);
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
     * rethrown (a RuntimeException or Error as it was; anything else wrapped). At most 65535 chunks.
     */
    synchronized void run(int chunks, Body body) {
        if (chunks <= 1 || threads.length == 0) {
            for (int c = 0; c < chunks; c++) body.run(c);
            return;
        }
        if (chunks > 0xffff) throw new IllegalArgumentException("at most 65535 chunks per job, got " + chunks);
        Job j = new Job(++seq, chunks, Math.min(chunks, size()), body);
        job = j;                                      // publish (volatile write)
        for (int i = 0; i < threads.length && i < chunks - 1; i++) if (parked.get(i) != 0) LockSupport.unpark(threads[i]);
        j.work(0);
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
            j.work(index + 1);
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
