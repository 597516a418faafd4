// JMH: encoding 1 MiB of English (KJV) with real vocabularies; goal >= 10 MB/s on one core with Llama 3's 128k vocab.
package gale.bench.tokenizer;

import gale.tokenizer.Tokenizer;
import gale.tokenizer.Vocabulary;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One op = encoding {@code textBytes} of the KJV (plain text, no BOS), single thread. MB/s = textBytes / 1e6 / (s/op).
 * {@code warm}: one tokenizer across ops, so its pre-token cache is full (a long-running server's steady state);
 * {@code cold}: a fresh tokenizer per op (built outside the timing), so every distinct word is merged once.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class EncodeBench {
    @State(Scope.Benchmark)
    public static class Input {
        @Param({"llama3", "llama2"})
        public String vocab;
        @Param({"1048576"})
        public int textBytes;
        public String text;
        public Vocabulary vocabulary;
        public Tokenizer warm;

        @Setup(Level.Trial)
        public void load() throws Exception {
            text = BenchData.kjvText(textBytes);
            vocabulary = BenchData.vocabulary(vocab);
            warm = Tokenizer.of(vocabulary);
            int[] ids = warm.encode(text, false, Tokenizer.SpecialTokens.PLAIN_TEXT);
            if (!warm.decode(ids, false).equals(text)) throw new IllegalStateException("round trip failed");
            System.out.printf("%n%s: %d bytes -> %d tokens (%.3f tokens/byte)%n", vocab,
                    text.getBytes(StandardCharsets.UTF_8).length, ids.length, ids.length / (double) textBytes);
        }
    }

    @State(Scope.Thread)
    public static class Fresh {
        public Tokenizer tokenizer;

        @Setup(Level.Invocation)
        public void build(Input in) { tokenizer = Tokenizer.of(in.vocabulary); }
    }

    @Benchmark
    public int[] warm(Input in) {
        return in.warm.encode(in.text, false, Tokenizer.SpecialTokens.PLAIN_TEXT);
    }

    @Benchmark
    public int[] cold(Input in, Fresh f) {
        return f.tokenizer.encode(in.text, false, Tokenizer.SpecialTokens.PLAIN_TEXT);
    }
}
