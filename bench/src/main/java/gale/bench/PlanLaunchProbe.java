// Host cost per launch with finish() amortised: through ExecutionPlan vs the device's launch() directly.
package gale.bench;

import gale.compute.DataTransferMode;
import gale.compute.Devices;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.KernelRegistry;
import gale.compute.TaskGraph;
import gale.compute.spi.CompiledKernel;
import gale.compute.spi.ComputeDevice;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.LaunchGrid;
import gale.kernels.Activations;

/**
 * Launches {@code Activations.residualAdd} on one element 256 times per {@code finish()}: (1) as 256 tasks of one
 * graph through {@code ExecutionPlan.execute}, (2) with {@code ComputeDevice.launch} directly (no plan). The
 * difference is the plan's own per-launch cost. Usage: {@code PlanLaunchProbe [device] [rounds]} (default
 * opencl:0, 5 rounds of 400 executes; prints the last 3 rounds, the first ones warm up).
 */
public final class PlanLaunchProbe {
    public static void main(String[] args) throws Exception {
        String id = args.length > 0 ? args[0] : "opencl:0";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5, tasks = 256, reps = 400;
        FloatArray x = FloatArray.of(1f), y = FloatArray.of(0f);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.FIRST_EXECUTION, x, y);
        for (int i = 0; i < tasks; i++) g.task("t" + i, Activations::residualAdd, x, y, 1);
        try (ExecutionPlan p = new ExecutionPlan(g.snapshot()).withDevice(Devices.select(id))) {
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) p.execute();
                if (r >= rounds - 3) System.out.printf("%s plan:   %.2f us/launch (256 tasks per execute)%n", id, (System.nanoTime() - t0) / 1e3 / tasks / reps);
            }
        }
        String backend = id.contains(":") ? id.substring(0, id.indexOf(':')) : id;
        int index = id.contains(":") ? Integer.parseInt(id.substring(id.indexOf(':') + 1)) : 0;
        ComputeDevice d = Devices.backends().get(backend).devices().get(index);
        KernelInfo k = KernelRegistry.find(Activations.class.getName(), "residualAdd", PlanLaunchProbe.class.getClassLoader());
        CompiledKernel ck = d.compile(k);
        try (DeviceBuffer bx = d.allocate(4, "x"); DeviceBuffer by = d.allocate(4, "y")) {
            Object[] kargs = {bx, by, 1};
            LaunchGrid grid = new LaunchGrid(new long[]{1}, null);
            for (int r = 0; r < rounds; r++) {
                long enqueue = 0, t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    long e0 = System.nanoTime();
                    for (int t = 0; t < tasks; t++) d.launch(ck, kargs, grid, false);
                    enqueue += System.nanoTime() - e0;
                    d.finish();
                }
                if (r >= rounds - 3) System.out.printf("%s device: %.2f us/launch (%.2f enqueue only)%n", id,
                        (System.nanoTime() - t0) / 1e3 / tasks / reps, enqueue / 1e3 / tasks / reps);
            }
        }
    }
}
