// Encoding throughput by thread CPU time as well as wall time: on a shared machine, CPU time is the honest number.
package gale.bench.tokenizer;

import gale.tokenizer.Tokenizer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Usage: {@code EncodeReport [vocab=llama3] [reps=30] [bytes=1048576]}. Encodes the first {@code bytes} of the KJV
 * {@code reps} times with one tokenizer (pre-token cache warm after the first) and prints MB/s by wall time and by
 * this thread's CPU time (median and best), and the first (cold-cache) encode.
 */
public final class EncodeReport {
    public static void main(String[] args) throws Exception {
        String vocab = args.length > 0 ? args[0] : "llama3";
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int bytes = args.length > 2 ? Integer.parseInt(args[2]) : 1 << 20;
        String text = BenchData.kjvText(bytes);
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        Tokenizer tok = Tokenizer.of(BenchData.vocabulary(vocab));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[] wall = new double[reps], cpu = new double[reps];
        int n = 0;
        for (int i = 0; i < reps; i++) {
            long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            n = tok.encode(text, false, Tokenizer.SpecialTokens.PLAIN_TEXT).length;
            wall[i] = (System.nanoTime() - t0) / 1e9;
            cpu[i] = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
        }
        System.out.printf("%s: %.3f MB -> %d tokens; first (cold cache) %.1f MB/s cpu, %.1f MB/s wall%n", vocab, mb, n,
                mb / cpu[0], mb / wall[0]);
        double[] w = Arrays.copyOfRange(wall, reps / 2, reps), c = Arrays.copyOfRange(cpu, reps / 2, reps);
        Arrays.sort(w);
        Arrays.sort(c);
        System.out.printf("%s: last %d reps: cpu median %.1f MB/s, best %.1f MB/s; wall median %.1f MB/s, best %.1f MB/s%n",
                vocab, c.length, mb / c[c.length / 2], mb / c[0], mb / w[w.length / 2], mb / w[0]);
    }
}
