// Measures this machine's memory read bandwidth (1 and N threads), the denominator of every bandwidth goal.
package gale.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Streams a large off-heap buffer (much larger than the caches) with SIMD sums and reports the best GB/s over
 * repetitions, for 1 thread and for every core. Usage: {@code MemoryBandwidth [MiB] [reps]}.
 */
public final class MemoryBandwidth {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int cores = Runtime.getRuntime().availableProcessors();
        try (Arena arena = Arena.ofShared()) {
            long bytes = mib << 20;
            MemorySegment seg = arena.allocate(bytes, 64);
            for (long i = 0; i < bytes; i += 4096) seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) 1);
            for (int threads : new int[]{1, cores}) {
                double best = 0;
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                for (int r = 0; r < reps; r++) {
                    long t0 = System.nanoTime();
                    List<Future<Float>> fs = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        long lo = bytes / threads * t, hi = bytes / threads * (t + 1);
                        fs.add(pool.submit((Callable<Float>) () -> sum(seg, lo, hi)));
                    }
                    float sink = 0;
                    for (Future<Float> f : fs) sink += f.get();
                    double gbs = bytes / ((System.nanoTime() - t0) / 1e9) / 1e9;
                    if (sink == 42) System.out.print("");
                    best = Math.max(best, gbs);
                }
                pool.shutdown();
                System.out.printf("read bandwidth, %d thread(s): %.1f GB/s (best of %d passes over %d MiB)%n", threads, best, reps, mib);
            }
        }
    }

    static float sum(MemorySegment seg, long lo, long hi) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
        long step = S.vectorByteSize();
        long i = lo;
        for (; i + 4 * step <= hi; i += 4 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(S, seg, i, ByteOrder.nativeOrder()));
            a1 = a1.add(FloatVector.fromMemorySegment(S, seg, i + step, ByteOrder.nativeOrder()));
            a2 = a2.add(FloatVector.fromMemorySegment(S, seg, i + 2 * step, ByteOrder.nativeOrder()));
            a3 = a3.add(FloatVector.fromMemorySegment(S, seg, i + 3 * step, ByteOrder.nativeOrder()));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
