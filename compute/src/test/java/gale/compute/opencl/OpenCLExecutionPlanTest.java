// Task graphs and execution plans on an OpenCL device: transfers, device-only arrays, KernelContext grids, profiling.
package gale.compute.opencl;

import gale.compute.DataTransferMode;
import gale.compute.Devices;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.GridScheduler;
import gale.compute.ProfileReport;
import gale.compute.TaskGraph;
import gale.compute.WorkerGrid;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class OpenCLExecutionPlanTest {
    @Test void graphRunsRepeatedlyWithProfile() {
        OpenCLTestSupport.device();
        int n = 5000;
        FloatArray a = FloatArray.create(n), b = FloatArray.create(n), out = FloatArray.create(n);
        FloatArray tmp = FloatArray.deviceOnly(n);
        for (int i = 0; i < n; i++) { a.set(i, i); b.set(i, 0.5f); }
        TaskGraph g = new TaskGraph("g")
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, a)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, b)
                .task("first", PlanKernels::vadd, a, b, tmp, n)
                .task("second", PlanKernels::vadd, tmp, b, out, n)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        try (ExecutionPlan plan = new ExecutionPlan(g.snapshot()).withDevice(Devices.select("opencl:0")).withProfiler(true)) {
            plan.execute();
            for (int i = 0; i < n; i++) assertEquals(i + 1f, out.get(i));
            b.fill(2f);
            plan.execute();
            for (int i = 0; i < n; i++) assertEquals(i + 4f, out.get(i));
            assertEquals(4L * 4 * n, plan.deviceBytes(), "a, b, tmp and out each have one buffer");
            ProfileReport r = plan.profile();
            System.out.print(r.format());
            assertEquals("opencl:0", r.device());
            assertEquals(2, r.tasks().size());
            for (ProfileReport.Task t : r.tasks()) {
                assertEquals(2, t.launches());
                assertTrue(t.kernelNanos() > 0, t.toString());
            }
        }
    }

    @Test void kernelContextTaskUsesTheGivenGrid() {
        OpenCLTestSupport.device();
        int n = 10_000, local = 64, groups = 4;
        FloatArray in = FloatArray.create(n), partials = FloatArray.create(groups);
        in.fill(0.5f);
        TaskGraph g = new TaskGraph("r")
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, in)
                .task("sum", PlanKernels::reduce, null, in, partials, n)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, partials);
        GridScheduler grids = new GridScheduler("r.sum", WorkerGrid.of((long) local * groups).withLocal(local));
        try (ExecutionPlan plan = new ExecutionPlan(g.snapshot()).withDevice(Devices.select("opencl:0")).withGridScheduler(grids)) {
            plan.execute();
            double sum = 0;
            for (int i = 0; i < groups; i++) sum += partials.get(i);
            assertEquals(n * 0.5, sum, 0.0);
        }
    }
}
