// Keeps compute/KERNELS.md honest: its examples run on every device against plain Java; its quoted errors are javac's.
package gale.compute.kernels;

import gale.compute.ByteArray;
import gale.compute.DataTransferMode;
import gale.compute.Devices;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.GridScheduler;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.Kernel;
import gale.compute.KernelRegistry;
import gale.compute.TaskGraph;
import gale.compute.WorkerGrid;
import gale.compute.spi.KernelInfo;
import gale.compute.translate.KernelProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static gale.compute.DataTransferMode.EVERY_EXECUTION;
import static gale.compute.DataTransferMode.FIRST_EXECUTION;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The examples of {@code compute/KERNELS.md} ({@link DocExamples}) on every device Gale finds (jvm always; opencl:N
 * and cuda:N where present, as {@code ConformanceTest} does), each against a plain-Java expectation; the generated
 * source the page quotes; and the compile errors the page quotes, from javac running the processor on bad kernels.
 */
class KernelsDocExamplesTest {
    static {
        // Device builds go to a private cache, not the user's ~/.cache/gale.
        try {
            if (System.getProperty("gale.cache.dir") == null)
                System.setProperty("gale.cache.dir", Files.createTempDirectory("gale-doc-test-cache").toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> devices() {
        List<String> ids = Devices.available();
        if ("required".equals(System.getenv("GALE_TEST_OPENCL")) && ids.stream().noneMatch(d -> d.startsWith("opencl")))
            fail("GALE_TEST_OPENCL=required, but there is no OpenCL device: " + ids);
        System.out.println("KERNELS.md examples on " + ids);
        return ids;
    }

    /** The page's end-to-end example, as written there (with the device id as a parameter). */
    @ParameterizedTest(name = "{0}") @MethodSource("devices")
    void endToEnd(String device) {
        FloatArray x = FloatArray.of(1, 2, 3, 4), y = FloatArray.of(10, 20, 30, 40);
        TaskGraph g = new TaskGraph("axpy")
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, x)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, y)
                .task("saxpy", DocExamples::saxpy, x, y, 2f, 4)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
        try (ExecutionPlan plan = new ExecutionPlan(g.snapshot()).withDevice(Devices.select(device))) {
            plan.execute();
        }
        assertArrayEquals(new float[]{12, 24, 36, 48}, y.toArray(), device);
    }

    @ParameterizedTest(name = "{0}") @MethodSource("devices")
    void addBias2d(String device) {
        int rows = 37, cols = 53;
        Random r = new Random(1);
        FloatArray m = rand(r, rows * cols), bias = rand(r, cols);
        float[] expected = m.toArray();
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) expected[i * cols + j] += bias.get(j);
        run(device, new TaskGraph("g").transferToDevice(FIRST_EXECUTION, m, bias)
                .task("bias", DocExamples::addBias, m, bias, rows, cols).transferToHost(EVERY_EXECUTION, m), null);
        assertArrayEquals(expected, m.toArray(), device);
    }

    @ParameterizedTest(name = "{0}") @MethodSource("devices")
    void rmsNormWithHelper(String device) {
        int rows = 5, n = 96;
        float eps = 1e-5f;
        FloatArray x = rand(new Random(2), rows * n), out = FloatArray.create(rows * n);
        run(device, new TaskGraph("g").transferToDevice(FIRST_EXECUTION, x)
                .task("norm", DocExamples::rmsNorm, out, x, rows, n, eps).transferToHost(EVERY_EXECUTION, out), null);
        for (int t = 0; t < rows; t++) {
            double ss = 0;
            for (int i = 0; i < n; i++) ss += (double) x.get(t * n + i) * x.get(t * n + i);
            double scale = 1 / Math.sqrt(ss / n + eps);
            for (int i = 0; i < n; i++) close(x.get(t * n + i) * scale, out.get(t * n + i), 1e-5, device + " rmsNorm[" + t + "," + i + "]");
        }
    }

    /** The work-group reduction on devices, its @Parallel twin on the jvm: both give the row sums. */
    @ParameterizedTest(name = "{0}") @MethodSource("devices")
    void rowSumGroupAndTwin(String device) {
        int rows = 9, cols = 300;
        FloatArray in = rand(new Random(3), rows * cols), out = FloatArray.create(rows);
        TaskGraph g = new TaskGraph("g").transferToDevice(FIRST_EXECUTION, in)
                .task("sum", DocExamples::rowSumGroup, null, in, out, rows, cols).transferToHost(EVERY_EXECUTION, out);
        GridScheduler grids = new GridScheduler("g.sum", WorkerGrid.of(rows * DocExamples.GROUP).withLocal(DocExamples.GROUP));
        run(device, g, grids);
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += in.get(r * cols + c);
            close(s, out.get(r), 1e-5, device + " rowSum[" + r + "]");
        }
    }

    @ParameterizedTest(name = "{0}") @MethodSource("devices")
    void histogramWithAtomics(String device) {
        int n = 1000, nbins = 7;
        IntArray data = IntArray.create(n), bins = IntArray.create(nbins);
        int[] expected = new int[nbins];
        Random r = new Random(4);
        for (int i = 0; i < n; i++) {
            data.set(i, r.nextInt(1000));
            expected[data.get(i) % nbins]++;
        }
        TaskGraph g = new TaskGraph("g").transferToDevice(FIRST_EXECUTION, data, bins)
                .task("hist", DocExamples::histogram, null, data, bins, n, nbins).transferToHost(EVERY_EXECUTION, bins);
        run(device, g, new GridScheduler("g.hist", WorkerGrid.of(1024)));
        assertArrayEquals(expected, bins.toArray(), device);
    }

    @ParameterizedTest(name = "{0}") @MethodSource("devices")
    void dequantQ8HalvesAndInt8(String device) {
        int nBlocks = 6;
        Random r = new Random(5);
        ByteArray blocks = ByteArray.create(nBlocks * 34L);
        float[] expected = new float[nBlocks * 32];
        for (int b = 0; b < nBlocks; b++) {
            short d = Float.floatToFloat16(0.01f + r.nextFloat());
            blocks.set(b * 34, (byte) d);             // little-endian fp16
            blocks.set(b * 34 + 1, (byte) (d >> 8));
            for (int j = 0; j < 32; j++) {
                byte q = (byte) (r.nextInt(256) - 128);
                blocks.set(b * 34 + 2 + j, q);
                expected[b * 32 + j] = Float.float16ToFloat(d) * q;
            }
        }
        FloatArray out = FloatArray.create(nBlocks * 32);
        HalfArray outHalf = HalfArray.create(nBlocks * 32);
        run(device, new TaskGraph("g").transferToDevice(FIRST_EXECUTION, blocks)
                .task("dq", DocExamples::dequantQ8, blocks, out, outHalf, nBlocks).transferToHost(EVERY_EXECUTION, out, outHalf), null);
        assertArrayEquals(expected, out.toArray(), device);
        for (int i = 0; i < expected.length; i++)
            assertEquals(Float.floatToFloat16(expected[i]), outHalf.getBits(i), device + " half[" + i + "]");
    }

    /** On the jvm the Vector API twin runs, elsewhere the translation: the same result either way. */
    @ParameterizedTest(name = "{0}") @MethodSource("devices")
    void vectorApiTwin(String device) {
        int n = 1003;
        FloatArray x = rand(new Random(6), n);
        float[] expected = x.toArray();
        for (int i = 0; i < n; i++) expected[i] *= 1.5f;
        run(device, new TaskGraph("g").transferToDevice(FIRST_EXECUTION, x)
                .task("scale", DocExamples::scale, x, 1.5f, n).transferToHost(EVERY_EXECUTION, x), null);
        assertArrayEquals(expected, x.toArray(), device);
    }

    /** What the page says the translator generated and recorded. */
    @Test
    void generatedCodeAsThePageShowsIt() {
        KernelInfo saxpy = KernelRegistry.find(DocExamples.class.getName(), "saxpy", getClass().getClassLoader());
        assertEquals("DocExamples_saxpy", saxpy.entryName());
        assertTrue(saxpy.openclSource().contains("__kernel void DocExamples_saxpy(__global float* x, __global float* y, float a, int n) {\n"
                + "    for (int i = (int)get_global_id(0); i < n; i += (int)get_global_size(0)) {\n"
                + "        y[i] = a * x[i] + y[i];\n"), saxpy.openclSource());
        assertTrue(saxpy.cudaSource().contains("for (int i = (int)(blockIdx.x * blockDim.x + threadIdx.x); i < n; i += (int)(gridDim.x * blockDim.x))"),
                saxpy.cudaSource());
        KernelInfo dq = KernelRegistry.find(DocExamples.class.getName(), "dequantQ8", getClass().getClassLoader());
        assertTrue(dq.openclSource().contains("float d = vload_half(0, (__global const half*)(blocks + b * 34));"), dq.openclSource());
        assertTrue(dq.openclSource().contains("vstore_half_rte(v, b * 32 + j, outHalf);"), dq.openclSource());
        assertTrue(dq.cudaSource().contains("outHalf[b * 32 + j] = gale_f2h(v);"), dq.cudaSource());
        assertTrue(dq.features().halfData() && dq.features().int8Data());
        KernelInfo group = KernelRegistry.find(DocExamples.class.getName(), "rowSumGroup", getClass().getClassLoader());
        assertEquals("rowSum", group.jvmTwin());
        assertEquals(new KernelInfo.Features(true, true, 256, false, false, false), group.features());
        assertTrue(group.openclSource().contains("__local float partial[64];"), group.openclSource());
        assertTrue(group.openclSource().contains("barrier(CLK_LOCAL_MEM_FENCE);"), group.openclSource());
        KernelInfo simd = KernelRegistry.find(DocExamples.class.getName(), "scaleSimd", getClass().getClassLoader());
        assertNull(simd.openclSource());
        assertNull(simd.cudaSource());
        assertNotNull(KernelRegistry.find(DocExamples.class.getName(), "histogram", getClass().getClassLoader()).jvm(),
                "a KernelContext kernel without barriers or local memory runs on the jvm as it is");
    }

    /**
     * The errors the page quotes: javac with the processor on {@link #BAD}, where each offending line says what it
     * must report ({@code // expect: ...}); every Gale error must be expected and every expectation met ({@code &&} separates two on one line).
     */
    @Test
    void rejectedConstructsAreJavacErrors() throws Exception {
        Path dir = Files.createTempDirectory("gale-doc-bad");
        Path file = Files.createDirectories(dir.resolve("bad")).resolve("Bad.java");
        Files.writeString(file, BAD);
        Path out = Files.createDirectories(dir.resolve("out"));
        String cp = Path.of(Kernel.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, Locale.ROOT, null)) {
            List<String> opts = List.of("-proc:only", "-processor", KernelProcessor.class.getName(), "-processorpath", cp,
                    "-classpath", cp, "-s", out.toString(), "-d", out.toString());
            javac.getTask(null, fm, diags, opts, null, fm.getJavaFileObjects(file)).call();
        }
        List<String> lines = BAD.lines().toList();
        List<String> problems = new ArrayList<>();
        int expectations = 0;
        for (int i = 0; i < lines.size(); i++) {
            int at = lines.get(i).indexOf("// expect: ");
            if (at < 0) continue;
            long line = i + 1;
            for (String want : lines.get(i).substring(at + "// expect: ".length()).trim().split(" && ")) {
                expectations++;
                boolean found = diags.getDiagnostics().stream().anyMatch(d -> d.getKind() == Diagnostic.Kind.ERROR
                        && d.getLineNumber() == line && d.getMessage(Locale.ROOT).contains(want));
                if (!found) problems.add("Bad.java:" + line + ": no error containing '" + want + "'");
            }
        }
        int galeErrors = 0;
        for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) continue;
            String msg = d.getMessage(Locale.ROOT);
            System.out.println("Bad.java:" + d.getLineNumber() + ": error: " + msg);
            if (msg.startsWith("Gale kernel ")) galeErrors++;
            else problems.add("not a Gale error (the snippet must be valid Java): " + msg);
        }
        assertEquals(expectations, galeErrors, "one Gale error per expectation");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    static final String BAD = """
            package bad;

            import gale.compute.FloatArray;
            import gale.compute.IntArray;
            import gale.compute.Kernel;
            import gale.compute.KernelContext;
            import gale.compute.Parallel;

            public final class Bad {
                static int counter;

                /** Signatures and loop shapes: checked before translation. */
                public static final class Shape {
                    @Kernel public void notStatic(FloatArray a, int n) { for (@Parallel int i = 0; i < n; i++) a.set(i, 0f); } // expect: a kernel must be a static method (instance methods are not in the kernel language)
                    @Kernel public static void dbl(FloatArray a, double s, int n) { for (@Parallel int i = 0; i < n; i++) a.set(i, 0f); } // expect: parameter 's' has type double, which is not in the kernel language (double: use float)
                    @Kernel public static void arr(float[] a, int n) { for (@Parallel int i = 0; i < n; i++) { } } // expect: parameter 'a' has type float[], which is not in the kernel language (allowed: FloatArray, HalfArray, ByteArray, IntArray, int, long, float, and KernelContext first)
                    @Kernel public static void noLoop(FloatArray a, int n) { for (int i = 0; i < n; i++) a.set(i, 0f); } // expect: a kernel needs a @Parallel for-loop (for (@Parallel int i = 0; i < n; i++)) or a KernelContext first parameter
                    @Kernel public static void le(FloatArray a, int n) { for (@Parallel int i = 0; i <= n; i++) a.set(i, 0f); } // expect: a @Parallel loop must read for (@Parallel int i = START; i < END; i++) or i += STEP (the condition must be i < END) && a kernel needs a @Parallel for-loop
                    @Kernel public static void bound(FloatArray a) { for (@Parallel int i = 0; i < (int) a.get(0); i++) a.set(i, 0f); } // expect: (the grid is computed from the arguments before launch): the call a.get is not
                    @Kernel public static void both(KernelContext ctx, FloatArray a, int n) { for (@Parallel int i = 0; i < n; i++) a.set(i, 0f); } // expect: a KernelContext kernel cannot have @Parallel loops: the grid comes from its WorkerGrid
                }

                /** Twins: checked after translation. */
                public static final class Twin {
                    @Kernel public static void plain(FloatArray a, int n) { for (@Parallel int i = 0; i < n; i++) a.set(i, 0f); }
                    @Kernel(jvm = "plain") public static void wrong(KernelContext ctx, FloatArray a) { a.set(ctx.globalIdx, 0f); } // expect: @Kernel(jvm = "plain"): the twin's parameters [FLOAT_ARRAY, INT] differ from this kernel's [FLOAT_ARRAY] (without the KernelContext)
                    @Kernel(jvm = "gone") public static void lost(FloatArray a, int n) { for (@Parallel int i = 0; i < n; i++) a.set(i, 0f); } // expect: @Kernel(jvm = "gone"): no @Kernel method 'gone' in Twin to run on the jvm backend
                }

                /** Bodies: checked while translating. */
                public static final class Body {
                    @Kernel
                    public static void k(FloatArray a, IntArray b, int n) {
                        for (@Parallel int i = 0; i < n; i++) {
                            float f = a.get(i);
                            double d = f; // expect: double is not in the kernel language: use float
                            float m = (float) Math.max(f, 0.5); // expect: double literal 0.5 is not in the kernel language: use float (0.5f)
                            if (Math.exp(f) > 2f) continue; // expect: Math.exp returns double: cast it to float ((float) Math.…)
                            float t = (float) Math.atan(f); // expect: Math.atan is not in the kernel language (supported: sqrt, exp, log, pow, tanh, sin, cos, floor, ceil, fma, abs, max, min)
                            int bits = Integer.bitCount(b.get(i)); // expect: call to Integer.bitCount(...) is not in the kernel language (helpers must be static methods whose source is compiled with the kernel; maths: Math.*, Gale.*)
                            long len = a.length(); // expect: length() is not in the kernel language: pass sizes as int parameters
                            float[] tmp = new float[4]; // expect: arrays are not in the kernel language, except work-group local memory: float[] s = ctx.allocateFloatLocalArray(N)
                            StringBuilder sb = new StringBuilder(); // expect: local variable 'sb' of type java.lang.StringBuilder: objects are not in the kernel language
                            int c = counter; // expect: static field 'counter' is not a compile-time constant: kernels read only static final primitive constants
                            if (f < 0f) throw new IllegalStateException(); // expect: throw is not in the kernel language (kernels cannot throw)
                            try { b.set(i, 1); } catch (RuntimeException e) { } // expect: try/catch is not in the kernel language (kernels cannot throw)
                            switch (n) { default -> b.set(i, 2); } // expect: switch is not in the kernel language: use if/else
                            if (f > 100f) break; // expect: break out of a @Parallel loop: its iterations are independent (use continue, or an if)
                            if (f < -100f) return; // expect: return inside a @Parallel loop: each iteration may run on a different work-item (use continue)
                            b.set(i, fact(n) + secret(n)); // expect: helper 'secret' is private: the jvm runner generated in Body_GaleKernels cannot use it; make it package-private
                        }
                    }

                    static int fact(int x) { return x <= 1 ? 1 : x * fact(x - 1); } // expect: recursion: Body.fact calls itself (directly or through other helpers); the kernel language has no recursion

                    private static int secret(int x) { return x; }
                }
            }
            """;

    static void run(String device, TaskGraph g, GridScheduler grids) {
        try (ExecutionPlan plan = new ExecutionPlan(g.snapshot()).withDevice(Devices.select(device))) {
            if (grids != null) plan.withGridScheduler(grids);
            plan.execute();
        }
    }

    static FloatArray rand(Random r, int n) {
        FloatArray a = FloatArray.create(n);
        for (int i = 0; i < n; i++) a.set(i, r.nextFloat() * 4 - 2);
        return a;
    }

    static void close(double expected, float actual, double rel, String what) {
        assertTrue(Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected)), what + ": got " + actual + ", expected " + expected);
    }
}
