// Experiment: portable F32 mat-vec variants for CPU-like devices (PoCL, the jvm backend without twins), timed
// against the mainline kernel. A variant moves to tornado-kernels only when it wins here.
package gale.bench;

import gale.compute.DataTransferMode;
import gale.compute.Devices;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.Kernel;
import gale.compute.Parallel;
import gale.compute.TaskGraph;
import gale.kernels.MatVec;

import java.util.Locale;
import java.util.Random;

/**
 * {@code out = W·x}, W (4096, 4096) F32 resident, on each device named in the arguments (default jvm, opencl:0).
 * {@code mainline} is {@code MatVec.matVecF32} (one accumulator per row: a chain of dependent adds); {@code acc8}
 * keeps eight independent partial sums per row, which a C compiler can turn into one 8-wide vector FMA per step;
 * {@code rows2acc8} does two rows per work-item so each x element is loaded once for both; {@code f16-main} is
 * {@code MatVec.matVecF16}, {@code f16-bits} decodes the halves with {@link #halfBits} inside the kernel (the OpenCL
 * dialect's fp16 load now does the same; with {@code vload_half} it was 3× slower on PoCL). Prints median time, GB/s
 * of weights, and the max relative error against a double-precision dot product.
 * <p>Run: {@code java -cp "$CP" $A gale.bench.MatVecVariants [device…]}. Not thread-safe (a command-line tool).
 */
public final class MatVecVariants {
    private MatVecVariants() {}

    static final int N = 4096;

    /** out[r] = Σ_c W[r, c]·x[c] with eight partial sums per row (cols % 8 == 0). */
    @Kernel
    public static void matVecF32Acc8(FloatArray out, FloatArray x, FloatArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int c = 0; c < cols; c += 8) {
                s0 += w.get(base + c) * x.get(c);
                s1 += w.get(base + c + 1) * x.get(c + 1);
                s2 += w.get(base + c + 2) * x.get(c + 2);
                s3 += w.get(base + c + 3) * x.get(c + 3);
                s4 += w.get(base + c + 4) * x.get(c + 4);
                s5 += w.get(base + c + 5) * x.get(c + 5);
                s6 += w.get(base + c + 6) * x.get(c + 6);
                s7 += w.get(base + c + 7) * x.get(c + 7);
            }
            out.set(r, ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
        }
    }

    /** out[r] = Σ_c W[r, c]·x[c] with sixteen partial sums per row (cols % 16 == 0): one AVX-512 vector. */
    @Kernel
    public static void matVecF32Acc16(FloatArray out, FloatArray x, FloatArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            float s8 = 0f, s9 = 0f, s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f, s14 = 0f, s15 = 0f;
            for (int c = 0; c < cols; c += 16) {
                s0 += w.get(base + c) * x.get(c);
                s1 += w.get(base + c + 1) * x.get(c + 1);
                s2 += w.get(base + c + 2) * x.get(c + 2);
                s3 += w.get(base + c + 3) * x.get(c + 3);
                s4 += w.get(base + c + 4) * x.get(c + 4);
                s5 += w.get(base + c + 5) * x.get(c + 5);
                s6 += w.get(base + c + 6) * x.get(c + 6);
                s7 += w.get(base + c + 7) * x.get(c + 7);
                s8 += w.get(base + c + 8) * x.get(c + 8);
                s9 += w.get(base + c + 9) * x.get(c + 9);
                s10 += w.get(base + c + 10) * x.get(c + 10);
                s11 += w.get(base + c + 11) * x.get(c + 11);
                s12 += w.get(base + c + 12) * x.get(c + 12);
                s13 += w.get(base + c + 13) * x.get(c + 13);
                s14 += w.get(base + c + 14) * x.get(c + 14);
                s15 += w.get(base + c + 15) * x.get(c + 15);
            }
            out.set(r, (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))) + (((s8 + s9) + (s10 + s11)) + ((s12 + s13) + (s14 + s15))));
        }
    }

    /** As {@link #matVecF32Acc8}, two rows per work-item (rows % 2 == 0). */
    @Kernel
    public static void matVecF32Rows2Acc8(FloatArray out, FloatArray x, FloatArray w, int rows, int cols) {
        for (@Parallel int rp = 0; rp < rows / 2; rp++) {
            long a = (long) (2 * rp) * cols, b = a + cols;
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f, b0 = 0f, b1 = 0f, b2 = 0f, b3 = 0f;
            for (int c = 0; c < cols; c += 4) {
                float x0 = x.get(c), x1 = x.get(c + 1), x2 = x.get(c + 2), x3 = x.get(c + 3);
                a0 += w.get(a + c) * x0;
                a1 += w.get(a + c + 1) * x1;
                a2 += w.get(a + c + 2) * x2;
                a3 += w.get(a + c + 3) * x3;
                b0 += w.get(b + c) * x0;
                b1 += w.get(b + c + 1) * x1;
                b2 += w.get(b + c + 2) * x2;
                b3 += w.get(b + c + 3) * x3;
            }
            out.set(2 * rp, (a0 + a1) + (a2 + a3));
            out.set(2 * rp + 1, (b0 + b1) + (b2 + b3));
        }
    }

    /** IEEE fp16 bits (low 16 of {@code h}) to float with integer and float arithmetic only, no vload_half. */
    public static float halfBits(int h) {
        int e = h & 0x7fff;
        // shifting the exponent and mantissa into place and scaling by 2^(127−15) is exact for every finite half,
        // subnormals included; infinities and NaNs only need the float exponent set to all ones
        float f = Float.intBitsToFloat(e << 13) * 0x1p112f;
        if (e >= 0x7c00) f = Float.intBitsToFloat((e << 13) | 0x7f800000);
        return Float.intBitsToFloat(Float.floatToRawIntBits(f) | ((h & 0x8000) << 16));
    }

    /** F16 weights: eight partial sums, halves decoded with {@link #halfBits} (cols % 8 == 0). */
    @Kernel
    public static void matVecF16Bits(FloatArray out, FloatArray x, HalfArray w, int rows, int cols) {
        for (@Parallel int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int c = 0; c < cols; c += 8) {
                s0 += halfBits(w.getBits(base + c)) * x.get(c);
                s1 += halfBits(w.getBits(base + c + 1)) * x.get(c + 1);
                s2 += halfBits(w.getBits(base + c + 2)) * x.get(c + 2);
                s3 += halfBits(w.getBits(base + c + 3)) * x.get(c + 3);
                s4 += halfBits(w.getBits(base + c + 4)) * x.get(c + 4);
                s5 += halfBits(w.getBits(base + c + 5)) * x.get(c + 5);
                s6 += halfBits(w.getBits(base + c + 6)) * x.get(c + 6);
                s7 += halfBits(w.getBits(base + c + 7)) * x.get(c + 7);
            }
            out.set(r, ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
        }
    }

    public static void main(String[] args) {
        String[] devices = args.length > 0 ? args : new String[]{"jvm", "opencl:0"};
        Random rnd = new Random(7);
        FloatArray w = FloatArray.create((long) N * N), x = FloatArray.create(N), out = FloatArray.create(N);
        for (long i = 0; i < (long) N * N; i++) w.set(i, (float) rnd.nextGaussian());
        for (int i = 0; i < N; i++) x.set(i, (float) rnd.nextGaussian());
        double[] ref = new double[N];
        for (int r = 0; r < N; r++) {
            double s = 0;
            for (int c = 0; c < N; c++) s += (double) w.get((long) r * N + c) * x.get(c);
            ref[r] = s;
        }
        HalfArray wh = HalfArray.create((long) N * N);
        double[] refH = new double[N];
        for (long i = 0; i < (long) N * N; i++) wh.setFloat(i, w.get(i));
        for (int r = 0; r < N; r++) {
            double s = 0;
            for (int c = 0; c < N; c++) s += (double) wh.getFloat((long) r * N + c) * x.get(c);
            refH[r] = s;
        }
        for (int h = 0; h < 65536; h++)
            if (Float.floatToRawIntBits(halfBits(h)) != Float.floatToRawIntBits(Float.float16ToFloat((short) h))
                    && !(Float.isNaN(halfBits(h)) && Float.isNaN(Float.float16ToFloat((short) h))))
                throw new AssertionError("halfBits(" + h + ")");
        for (String dev : devices) {
            for (String variant : new String[]{"f16-main", "f16-bits"}) {
                TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.FIRST_EXECUTION, wh, x);
                switch (variant) {
                    case "f16-main" -> g.task("mv", MatVec::matVecF16, out, x, wh, N, N);
                    default -> g.task("mv", MatVecVariants::matVecF16Bits, out, x, wh, N, N);
                }
                g.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
                time(dev, variant, g, out, refH, 2.0 * N * N);
            }
        }
        for (String dev : devices) {
            for (String variant : new String[]{"mainline", "acc8", "acc16", "rows2acc8"}) {
                TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.FIRST_EXECUTION, w, x);
                switch (variant) {
                    case "mainline" -> g.task("mv", MatVec::matVecF32, out, x, w, N, N);
                    case "acc8" -> g.task("mv", MatVecVariants::matVecF32Acc8, out, x, w, N, N);
                    case "acc16" -> g.task("mv", MatVecVariants::matVecF32Acc16, out, x, w, N, N);
                    default -> g.task("mv", MatVecVariants::matVecF32Rows2Acc8, out, x, w, N, N);
                }
                g.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
                time(dev, variant, g, out, ref, 4.0 * N * N);
            }
        }
    }

    private static void time(String dev, String variant, TaskGraph g, FloatArray out, double[] ref, double bytes) {
        try (ExecutionPlan plan = new ExecutionPlan(g.snapshot()).withDevice(Devices.select(dev))) {
            for (int i = 0; i < 5; i++) plan.execute();
            double err = 0;
            for (int r = 0; r < N; r++) err = Math.max(err, Math.abs(out.get(r) - ref[r]) / (Math.abs(ref[r]) + 1));
            long[] t = new long[30];
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                plan.execute();
                t[i] = System.nanoTime() - t0;
            }
            java.util.Arrays.sort(t);
            double ms = t[t.length / 2] / 1e6, best = t[0] / 1e6;
            System.out.printf(Locale.ROOT, "%-9s %-10s median %7.3f ms (best %7.3f)  %6.1f GB/s (best %6.1f)  max rel err %.2e%n",
                    dev, variant, ms, best, bytes / ms / 1e6, bytes / best / 1e6, err);
        }
    }
}
