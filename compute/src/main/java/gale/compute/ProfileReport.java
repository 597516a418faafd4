// What a profiled plan measured: per-task kernel time and host overhead, bytes moved each way.
package gale.compute;

import java.util.List;

/** A snapshot of an {@link ExecutionPlan}'s profile. Immutable. */
public record ProfileReport(String device, long executions, List<Task> tasks, long bytesToDevice, long bytesToHost,
                            long transferNanos) {
    /** One task's totals over all executions. */
    public record Task(String name, String kernel, long launches, long kernelNanos, long hostNanos) {
        public double hostMicrosPerLaunch() { return launches == 0 ? 0 : hostNanos / 1e3 / launches; }

        public double kernelMicrosPerLaunch() { return launches == 0 ? 0 : kernelNanos / 1e3 / launches; }
    }

    /** A plain-text table. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("device %s, %d executions, %d B to device, %d B to host, %.3f ms in transfers%n",
                device, executions, bytesToDevice, bytesToHost, transferNanos / 1e6));
        sb.append(String.format("%-32s %-36s %9s %14s %14s%n", "task", "kernel", "launches", "kernel us/l", "host us/l"));
        for (Task t : tasks)
            sb.append(String.format("%-32s %-36s %9d %14.2f %14.2f%n", t.name, t.kernel, t.launches, t.kernelMicrosPerLaunch(), t.hostMicrosPerLaunch()));
        return sb.toString();
    }
}
