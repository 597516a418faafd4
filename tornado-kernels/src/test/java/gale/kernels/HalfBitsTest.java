// fp16 loads as translated kernels do them (OpenCL: integer/float arithmetic, not vload_half) against Java, on every device.
package gale.kernels;

import gale.compute.DataTransferMode;
import gale.compute.Devices;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.TaskGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * All 65536 fp16 bit patterns decoded as the translated kernels decode them ({@code HalfArray.getFloat}). Through {@code MatVec.matVecF16} with 8
 * columns: row i holds pattern i in column i % 8 and +0 elsewhere, x is all ones, so out[i] is the pattern's value
 * (−0 comes out +0, as any sum starting from 0 gives). Bit-exact with {@link Float#float16ToFloat}; NaNs stay NaN.
 */
class HalfBitsTest {
    static List<String> devices() { return Devices.available(); }

    @ParameterizedTest
    @MethodSource("devices")
    void everyPatternOnTheDevice(String device) {
        int n = 65536, cols = 8;
        HalfArray w = HalfArray.create((long) n * cols);
        FloatArray x = FloatArray.create(cols), out = FloatArray.create(n);
        x.fill(1f);
        for (int i = 0; i < n; i++) w.setBits((long) i * cols + i % cols, (short) i);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.FIRST_EXECUTION, w, x)
                .task("mv", MatVec::matVecF16, out, x, w, n, cols).transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        try (ExecutionPlan plan = new ExecutionPlan(g.snapshot()).withDevice(Devices.select(device))) {
            plan.execute();
        }
        int mismatches = 0;
        for (int i = 0; i < n; i++) {
            float want = Float.float16ToFloat((short) i), got = out.get(i);
            boolean ok = Float.isNaN(want) ? Float.isNaN(got) : want == got;
            if (!ok && mismatches++ < 5) System.out.printf("%s: pattern 0x%04x decodes to %s, want %s%n", device, i, got, want);
        }
        System.out.printf("%s: %d of %d fp16 patterns differ%n", device, mismatches, n);
        assertEquals(0, mismatches);
    }
}
