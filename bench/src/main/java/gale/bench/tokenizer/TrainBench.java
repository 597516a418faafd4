// JMH: BPE training of a 4096-token vocabulary on 5 MB of text; goal well under a minute.
package gale.bench.tokenizer;

import gale.tokenizer.BpeTrainer;
import gale.tokenizer.Vocabulary;

import java.util.List;
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
 * One op = a whole training run (word counting included) on {@link BenchData#trainingText} of {@code textBytes}:
 * the KJV (4.14 MB) topped up with ROT13 of its start to 5 MB.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
@State(Scope.Benchmark)
public class TrainBench {
    @Param({"SENTENCEPIECE", "BYTE_LEVEL_BPE"})
    public Vocabulary.Model model;
    @Param({"4096"})
    public int vocabSize;
    @Param({"5000000"})
    public int textBytes;
    private String text;

    @Setup(Level.Trial)
    public void load() throws Exception { text = BenchData.trainingText(textBytes); }

    @Benchmark
    public Vocabulary train() {
        return BpeTrainer.train(List.of(text), BpeTrainer.Options.of(vocabSize, model, null));
    }
}
