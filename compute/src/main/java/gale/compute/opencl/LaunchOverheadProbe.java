// A runnable probe of host overhead per kernel launch on an OpenCL device: enqueues an empty kernel many times.
package gale.compute.opencl;

import gale.compute.spi.CompiledKernel;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelParam;
import gale.compute.spi.LaunchGrid;

import java.util.List;

/**
 * Measures what one {@code launch} costs the calling thread (argument checks, {@code clEnqueueNDRangeKernel}) with
 * arguments fixed as in an execution plan, and the throughput including the device finishing each batch.
 * Usage: {@code java --enable-native-access=ALL-UNNAMED -cp compute/target/classes
 * gale.compute.opencl.LaunchOverheadProbe [launches=20000] [device index=0]}. Not thread-safe (a main program).
 */
final class LaunchOverheadProbe {
    private LaunchOverheadProbe() {}

    public static void main(String[] args) {
        int launches = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int index = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        List<OpenCLDevice> devices = OpenCLBackend.openclDevices();
        if (index >= devices.size()) {
            System.err.println("no OpenCL device " + index + ": " + (devices.isEmpty() ? new OpenCLBackend().unavailableReason() : devices.size() + " devices"));
            System.exit(1);
        }
        OpenCLDevice dev = devices.get(index);
        KernelInfo empty = new KernelInfo(LaunchOverheadProbe.class.getName(), "empty", "LaunchOverheadProbe.java", List.of(
                new KernelParam("a", KernelParam.Kind.FLOAT_ARRAY), new KernelParam("b", KernelParam.Kind.FLOAT_ARRAY),
                new KernelParam("s", KernelParam.Kind.FLOAT), new KernelParam("n", KernelParam.Kind.INT)), "gale_probe_empty",
                "__kernel void gale_probe_empty(__global float* a, __global const float* b, float s, int n) {}\n",
                null, 1, a -> new long[]{(Integer) a[3]}, KernelInfo.Features.NONE, null, "");
        CompiledKernel k = dev.compile(empty);
        int batch = 256; // bounded queue depth, as a plan's graph would have between syncs
        try (DeviceBuffer a = dev.allocate(1024, "a"); DeviceBuffer b = dev.allocate(1024, "b")) {
            Object[] kargs = {a, b, 1f, 64};
            LaunchGrid grid = new LaunchGrid(new long[]{64}, null);
            for (int round = 0; round < 2; round++) { // the first round warms up the JIT and the driver
                long enqueue = 0, t0 = System.nanoTime();
                for (int done = 0; done < launches; done += batch) {
                    long e0 = System.nanoTime();
                    for (int i = 0; i < batch; i++) dev.launch(k, kargs, grid, false);
                    enqueue += System.nanoTime() - e0;
                    dev.finish();
                }
                long total = System.nanoTime() - t0;
                int n = (launches + batch - 1) / batch * batch;
                if (round == 1)
                    System.out.printf("%s: %d launches of an empty kernel: %.2f us/launch host (enqueue), %.2f us/launch with device completion%n",
                            dev.where(), n, enqueue / 1e3 / n, total / 1e3 / n);
            }
        }
    }
}
