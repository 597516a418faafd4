// JMH: 4096×4096 mat-vec (decode's dominant op) on the jvm backend and an OpenCL device, F32 and Q8_0 weights.
package gale.bench;

import gale.compute.DataTransferMode;
import gale.compute.Devices;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.GridScheduler;
import gale.compute.TaskGraph;
import gale.kernels.Linear;
import gale.kernels.WeightType;
import gale.kernels.conformance.Data;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code out = W·x} with W (4096, 4096) resident on the device (uploaded once), x resident too: one launch per
 * execute, nothing copied. {@code parallel} is the one-work-item-per-row kernel ({@code MatVec.matVec<T>}),
 * {@code group} the one-work-group-per-row kernel ({@code matVec<T>Group}, 64 work-items, as the engine uses on GPUs;
 * on the jvm backend it runs its jvm twin, i.e. the same code as {@code parallel}). Bandwidth = weight bytes / time
 * (F32: 64 MiB = 67.1 MB, Q8_0: 17.8 MB); the setup prints it per configuration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MatVecBench {
    static final int N = 4096;

    @Param({"jvm", "opencl:0"})
    public String device;

    @Param({"F32", "Q8_0"})
    public String type;

    @Param({"parallel", "group"})
    public String kernel;

    private ExecutionPlan plan;

    @Setup(Level.Trial)
    public void setup() {
        WeightType t = WeightType.valueOf(type);
        Random rnd = new Random(7);
        GaleArray w = Data.weight(t, rnd, N, N);
        FloatArray x = Data.floatArray(rnd, N, 1f), out = FloatArray.create(N);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.FIRST_EXECUTION, w, x);
        GridScheduler grids = new GridScheduler();
        if (kernel.equals("group")) Linear.matVec(g, "mv", t, out, x, w, N, N, grids, 64);
        else Linear.matVec(g, "mv", t, out, x, w, N, N);
        plan = new ExecutionPlan(g.snapshot()).withDevice(Devices.select(device)).withGridScheduler(grids);
        plan.execute();
        System.out.printf("%nweight bytes %d (%s, %dx%d)%n", w.byteSize(), t, N, N);
    }

    @TearDown(Level.Trial)
    public void tearDown() { plan.close(); }

    @Benchmark
    public void matVec() { plan.execute(); }
}
