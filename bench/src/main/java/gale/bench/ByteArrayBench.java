// JMH: ByteArray.getHalf (the block-scale read of every quantized kernel on the jvm backend) vs a per-call layout.
package gale.bench;

import gale.compute.ByteArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Reads the fp16 scales of 1024 Q8_0 blocks (34-byte stride). {@code getHalf} is the library method (a static
 * little-endian layout); {@code perCallLayout} is what it did before: {@code JAVA_SHORT_UNALIGNED.withOrder(LE)} on
 * every read.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ByteArrayBench {
    static final int BLOCKS = 1024;
    private final ByteArray bytes = ByteArray.create(34L * BLOCKS);
    private final MemorySegment seg = bytes.segment();

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public float getHalf() {
        float s = 0;
        for (int b = 0; b < BLOCKS; b++) s += bytes.getHalf(34L * b);
        return s;
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public float perCallLayout() {
        float s = 0;
        for (int b = 0; b < BLOCKS; b++)
            s += Float.float16ToFloat(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 34L * b));
        return s;
    }
}
