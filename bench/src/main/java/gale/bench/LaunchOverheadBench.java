// JMH: host cost of one kernel launch through ExecutionPlan.execute, on the jvm backend and an OpenCL device.
package gale.bench;

import gale.compute.DataTransferMode;
import gale.compute.Devices;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.ProfileReport;
import gale.compute.TaskGraph;
import gale.kernels.Activations;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * A tiny kernel ({@code Activations.residualAdd} on one element, data resident on the device, nothing copied per
 * execution) launched through {@code ExecutionPlan.execute}: {@code execute1} is one launch per execute (execute's
 * own cost included: finish, profile bookkeeping), {@code execute16} and {@code execute256} sixteen and 256 launches (of
 * distinct tasks) per execute, reported per launch, so finish() is amortised. At the end of each trial a profiled plan runs 20 000 executions and prints the profiler's host overhead
 * and kernel time per launch ("profiler:" lines in the JMH output).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LaunchOverheadBench {
    @Param({"jvm", "opencl:0"})
    public String device;

    private ExecutionPlan one, sixteen, many;

    static ExecutionPlan plan(String device, int launches, boolean profile) {
        FloatArray x = FloatArray.of(1f), y = FloatArray.of(0f);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.FIRST_EXECUTION, x, y);
        for (int i = 0; i < launches; i++) g.task("t" + i, Activations::residualAdd, x, y, 1);
        ExecutionPlan p = new ExecutionPlan(g.snapshot()).withDevice(Devices.select(device)).withProfiler(profile);
        p.execute(); // compile, allocate, upload
        return p;
    }

    @Setup(Level.Trial)
    public void setup() {
        one = plan(device, 1, false);
        sixteen = plan(device, 16, false);
        many = plan(device, 256, false);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        one.close();
        sixteen.close();
        many.close();
        try (ExecutionPlan p = plan(device, 1, true)) {
            for (int i = 0; i < 20_000; i++) p.execute();
            ProfileReport.Task t = p.profile().tasks().getFirst();
            System.out.printf("%nprofiler: %s host overhead %.2f us/launch, kernel %.2f us/launch (%d launches)%n",
                    device, t.hostMicrosPerLaunch(), t.kernelMicrosPerLaunch(), t.launches());
        }
    }

    @Benchmark
    public void execute1() { one.execute(); }

    @Benchmark
    @OperationsPerInvocation(16)
    public void execute16() { sixteen.execute(); }

    @Benchmark
    @OperationsPerInvocation(256)
    public void execute256() { many.execute(); }
}
