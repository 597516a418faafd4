// Finite-difference checks of every training backward kernel, on every device, against double-precision forwards.
package gale.kernels.train;

import gale.compute.DataTransferMode;
import gale.compute.Devices;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.IntArray;
import gale.compute.TaskGraph;
import gale.kernels.train.reference.TrainReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each backward kernel runs through a plan on every device (jvm: the Vector API twins where they exist; OpenCL: the
 * translated kernels) and is compared with central differences (h = 1e-5·max(1, |x|)) of L = Σ dy·f(x), f the
 * double-precision forward of {@link TrainReference}. Tolerance: max |g − g_fd| ≤ 1e-4·max|g_fd| + 1e-6 (float
 * kernels vs double maths; the differences' own error is ~1e-10). Forwards: the same bound against the reference.
 */
class TrainKernelsTest {
    static final double REL = 1e-4, ABS = 1e-6;

    static List<String> devices() { return Devices.available(); }

    static void run(String dev, List<GaleArray> in, List<GaleArray> out, Consumer<TaskGraph> tasks) {
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.EVERY_EXECUTION, in.toArray(GaleArray[]::new));
        tasks.accept(g);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, out.toArray(GaleArray[]::new));
        try (ExecutionPlan plan = new ExecutionPlan(g.snapshot()).withDevice(Devices.select(dev))) {
            plan.execute();
        }
    }

    static FloatArray rand(Random r, int n, double scale) {
        FloatArray a = FloatArray.create(n);
        for (int i = 0; i < n; i++) a.set(i, (float) (r.nextGaussian() * scale));
        return a;
    }

    static double[] d(FloatArray a) {
        double[] x = new double[(int) a.length()];
        for (int i = 0; i < x.length; i++) x[i] = a.get(i);
        return x;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Central differences of f at x. */
    static double[] fd(double[] x, ToDoubleFunction<double[]> f) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double xi = x[i], h = 1e-5 * Math.max(1, Math.abs(xi));
            x[i] = xi + h;
            double up = f.applyAsDouble(x);
            x[i] = xi - h;
            double dn = f.applyAsDouble(x);
            x[i] = xi;
            g[i] = (up - dn) / (2 * h);
        }
        return g;
    }

    /** Asserts max |got − ref| ≤ REL·max|ref| + ABS (after subtracting {@code base} from got, if given) and prints it. */
    static void check(String what, FloatArray got, FloatArray base, double[] ref) {
        double maxRef = 0, maxErr = 0;
        for (int i = 0; i < ref.length; i++) {
            double gv = got.get(i) - (base == null ? 0 : base.get(i));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            maxErr = Math.max(maxErr, Math.abs(gv - ref[i]));
        }
        double tol = REL * maxRef + ABS;
        System.out.printf("%-40s max |Δ| %.3g (max |ref| %.3g, tol %.3g)%n", what, maxErr, maxRef, tol);
        assertTrue(maxErr <= tol, what + ": max |Δ| " + maxErr + " > " + tol);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void matMul(String dev) {
        Random r = new Random(1);
        for (int[] s : new int[][]{{5, 7, 35}, {8, 12, 64}, {3, 4, 16}}) {
            int nTok = s[0], rows = s[1], cols = s[2];
            FloatArray x = rand(r, nTok * cols, 1), w = rand(r, rows * cols, 1), dy = rand(r, nTok * rows, 1);
            FloatArray y = FloatArray.create(nTok * rows), yAcc = rand(r, nTok * rows, 1), yAcc0 = FloatArray.of(yAcc.toArray());
            FloatArray dx = FloatArray.create(nTok * cols), dxAcc = rand(r, nTok * cols, 1), dxAcc0 = FloatArray.of(dxAcc.toArray());
            FloatArray dw = rand(r, rows * cols, 1), dw0 = FloatArray.of(dw.toArray());
            run(dev, List.of(x, w, dy, yAcc, dxAcc, dw), List.of(y, yAcc, dx, dxAcc, dw), g -> g
                    .task("y", TrainMatMul::matMul, y, x, w, nTok, rows, cols, 0)
                    .task("yAcc", TrainMatMul::matMul, yAcc, x, w, nTok, rows, cols, 1)
                    .task("dx", TrainMatMul::matMulDx, dx, dy, w, nTok, rows, cols, 0)
                    .task("dxAcc", TrainMatMul::matMulDx, dxAcc, dy, w, nTok, rows, cols, 1)
                    .task("dw", TrainMatMul::matMulDw, dw, dy, x, nTok, rows, cols));
            String at = " " + nTok + "x" + rows + "x" + cols + " on " + dev;
            double[] X = d(x), W = d(w), DY = d(dy);
            check("matMul" + at, y, null, TrainReference.matMul(X, W, nTok, rows, cols));
            check("matMul acc" + at, yAcc, yAcc0, TrainReference.matMul(X, W, nTok, rows, cols));
            double[] gx = fd(X, xx -> dot(DY, TrainReference.matMul(xx, W, nTok, rows, cols)));
            check("matMulDx" + at, dx, null, gx);
            check("matMulDx acc" + at, dxAcc, dxAcc0, gx);
            check("matMulDw" + at, dw, dw0, fd(W, ww -> dot(DY, TrainReference.matMul(X, ww, nTok, rows, cols))));
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void rmsNorm(String dev) {
        Random r = new Random(2);
        int rows = 3, n = 10;
        float eps = 1e-5f;
        FloatArray x = rand(r, rows * n, 1), w = rand(r, n, 1), dy = rand(r, rows * n, 1);
        FloatArray y = FloatArray.create(rows * n), rstd = FloatArray.create(rows), dx = FloatArray.create(rows * n);
        FloatArray dw = rand(r, n, 1), dw0 = FloatArray.of(dw.toArray());
        run(dev, List.of(x, w, dy, dw), List.of(y, dx, dw), g -> g
                .task("f", TrainNorms::rmsNormForward, y, rstd, x, w, rows, n, eps)
                .task("dx", TrainNorms::rmsNormBackwardX, dx, dy, x, w, rstd, rows, n, 0)
                .task("dw", TrainNorms::rmsNormBackwardW, dw, dy, x, rstd, rows, n));
        double[] X = d(x), W = d(w), DY = d(dy);
        check("rmsNormForward on " + dev, y, null, TrainReference.rmsNorm(X, W, rows, n, eps));
        check("rmsNormBackwardX on " + dev, dx, null, fd(X, xx -> dot(DY, TrainReference.rmsNorm(xx, W, rows, n, eps))));
        check("rmsNormBackwardW on " + dev, dw, dw0, fd(W, ww -> dot(DY, TrainReference.rmsNorm(X, ww, rows, n, eps))));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void rope(String dev) {
        Random r = new Random(3);
        int nTok = 6, seqLen = 3, heads = 2, hd = 8, rot = 6;
        float base = 10000f;
        FloatArray x = rand(r, nTok * heads * hd, 1), dy = rand(r, nTok * heads * hd, 1), ones = FloatArray.create(rot / 2);
        ones.fill(1f);
        FloatArray y = FloatArray.of(x.toArray()), dx = FloatArray.of(dy.toArray());
        FloatArray cs = TrainRope.table(ones, seqLen, rot, base);
        run(dev, List.of(y, dx, cs), List.of(y, dx), g -> g
                .task("f", TrainRope::rope, y, cs, nTok, seqLen, heads, hd, rot, 1f)
                .task("b", TrainRope::rope, dx, cs, nTok, seqLen, heads, hd, rot, -1f));
        double[] X = d(x), DY = d(dy);
        check("rope on " + dev, y, null, TrainReference.rope(X, nTok, seqLen, heads, hd, rot, base, 1));
        check("rope backward on " + dev, dx, null, fd(X, xx -> dot(DY, TrainReference.rope(xx, nTok, seqLen, heads, hd, rot, base, 1))));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void attention(String dev) {
        Random r = new Random(4);
        int seqLen = 4, nTok = 2 * seqLen, nH = 4, nKv = 2, hd = 4;
        FloatArray q = rand(r, nTok * nH * hd, 1), k = rand(r, nTok * nKv * hd, 1), v = rand(r, nTok * nKv * hd, 1);
        FloatArray dO = rand(r, nTok * nH * hd, 1);
        FloatArray out = FloatArray.create(nTok * nH * hd), lse = FloatArray.create(nTok * nH), delta = FloatArray.create(nTok * nH);
        FloatArray dq = FloatArray.create(nTok * nH * hd), dk = FloatArray.create(nTok * nKv * hd), dv = FloatArray.create(nTok * nKv * hd);
        run(dev, List.of(q, k, v, dO), List.of(out, dq, dk, dv), g -> g
                .task("f", TrainAttention::forward, out, lse, q, k, v, nTok, seqLen, nH, nKv, hd)
                .task("d", TrainAttention::backwardDelta, delta, dO, out, nTok, nH, hd)
                .task("b", TrainAttention::backward, dq, dk, dv, dO, q, k, v, lse, delta, nTok, seqLen, nH, nKv, hd));
        double[] Q = d(q), K = d(k), V = d(v), DO = d(dO);
        check("attention forward on " + dev, out, null, TrainReference.attention(Q, K, V, nTok, seqLen, nH, nKv, hd));
        check("attention dq on " + dev, dq, null, fd(Q, x -> dot(DO, TrainReference.attention(x, K, V, nTok, seqLen, nH, nKv, hd))));
        check("attention dk on " + dev, dk, null, fd(K, x -> dot(DO, TrainReference.attention(Q, x, V, nTok, seqLen, nH, nKv, hd))));
        check("attention dv on " + dev, dv, null, fd(V, x -> dot(DO, TrainReference.attention(Q, K, x, nTok, seqLen, nH, nKv, hd))));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void swiGlu(String dev) {
        Random r = new Random(5);
        int n = 20;
        FloatArray gt = rand(r, n, 2), up = rand(r, n, 1), dh = rand(r, n, 1);
        FloatArray h = FloatArray.create(n), h2 = FloatArray.create(n), dg = FloatArray.create(n), du = FloatArray.create(n);
        run(dev, List.of(gt, up, dh), List.of(h, h2, dg, du), g -> g
                .task("f", TrainOps::swiGlu, h, gt, up, n)
                .task("fb", TrainOps::swiGluWithBackward, h2, dg, du, dh, gt, up, n));
        double[] G = d(gt), U = d(up), DH = d(dh);
        check("swiGlu on " + dev, h, null, TrainReference.swiGlu(G, U));
        check("swiGluWithBackward h on " + dev, h2, null, TrainReference.swiGlu(G, U));
        check("swiGluWithBackward gate on " + dev, dg, null, fd(G, x -> dot(DH, TrainReference.swiGlu(x, U))));
        check("swiGluWithBackward up on " + dev, du, null, fd(U, x -> dot(DH, TrainReference.swiGlu(G, x))));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void crossEntropy(String dev) {
        Random r = new Random(6);
        int nTok = 4, vocab = 11;
        int[] tg = {3, -1, 10, 0};
        FloatArray logits = rand(r, nTok * vocab, 3), loss = FloatArray.create(nTok), sums = FloatArray.create(2);
        double[] X = d(logits);
        IntArray targets = IntArray.of(tg);
        run(dev, List.of(logits, targets), List.of(logits, sums), g -> g
                .task("ce", TrainOps::crossEntropy, logits, loss, targets, nTok, vocab)
                .task("sum", TrainOps::rowSums, sums, loss, 2, 2));
        FloatArray total = FloatArray.of(sums.get(0) + sums.get(1));
        check("crossEntropy loss on " + dev, total, null, new double[]{TrainReference.crossEntropy(X, tg, vocab)});
        check("crossEntropy dlogits on " + dev, logits, null, fd(X, x -> TrainReference.crossEntropy(x, tg, vocab)));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void embedding(String dev) {
        Random r = new Random(7);
        int vocab = 6, dim = 5;
        int[] tk = {3, 1, 3, 0, 3};
        FloatArray table = rand(r, vocab * dim, 1), dy = rand(r, tk.length * dim, 1);
        FloatArray dt = rand(r, vocab * dim, 1), dt0 = FloatArray.of(dt.toArray());
        IntArray tokens = IntArray.of(tk);
        run(dev, List.of(dy, dt, tokens), List.of(dt), g -> g.task("b", TrainOps::embeddingBackward, dt, dy, tokens, tk.length, dim));
        double[] TB = d(table), DY = d(dy);
        check("embeddingBackward on " + dev, dt, dt0, fd(TB, x -> dot(DY, TrainReference.embedding(x, tk, dim))));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void adamWAndNorm(String dev) {
        Random r = new Random(8);
        int n = 100, parts = 7;
        FloatArray p = rand(r, n, 1), gr = rand(r, n, 1), m = rand(r, n, 0.1), v = FloatArray.create(n);
        for (int i = 0; i < n; i++) v.set(i, (float) Math.abs(r.nextGaussian() * 0.1));
        double[] P = d(p), G = d(gr), M = d(m), Vv = d(v);
        FloatArray partials = FloatArray.create(parts + 2);
        int t = 3;
        double lr = 1e-2, b1 = 0.9, b2 = 0.95, eps = 1e-8, wd = 0.1, mul = 0.5;
        FloatArray hyper = FloatArray.of((float) lr, (float) b1, (float) b2, (float) eps, (float) wd,
                (float) (1 - Math.pow(b1, t)), (float) (1 - Math.pow(b2, t)), (float) mul);
        run(dev, List.of(p, gr, m, v, hyper, partials), List.of(p, gr, m, v, partials), g -> g
                .task("ss", Optimizer::sumSquares, partials, gr, n, parts, 2)
                .task("adam", Optimizer::adamW, p, gr, m, v, hyper, n, 1));
        double ss = 0;
        for (double x : G) ss += x * x;
        double got = 0;
        for (int i = 2; i < parts + 2; i++) got += partials.get(i);
        check("sumSquares on " + dev, FloatArray.of((float) got), null, new double[]{ss});
        TrainReference.adamW(P, G, M, Vv, lr, b1, b2, eps, wd, t, mul, true);
        check("adamW p on " + dev, p, null, P);
        check("adamW m on " + dev, m, null, M);
        check("adamW v on " + dev, v, null, Vv);
        for (int i = 0; i < n; i++) assertTrue(gr.get(i) == 0f, "gradient not zeroed");
    }

    /** The Vector API twins against the portable kernels (run as plain Java): equal within float rounding (their sums run in a different, equally fixed, order). */
    @Test
    void simdTwinsMatchPortable() {
        Random r = new Random(9);
        for (int[] s : new int[][]{{5, 7, 35}, {16, 33, 128}, {9, 40, 16}, {2, 1, 3}, {7, 130, 40}, {600, 37, 70}}) {
            int nTok = s[0], rows = s[1], cols = s[2];
            FloatArray x = rand(r, nTok * cols, 1), w = rand(r, rows * cols, 1), dy = rand(r, nTok * rows, 1);
            FloatArray a = rand(r, nTok * rows, 1), b = FloatArray.of(a.toArray());
            TrainMatMul.matMul(a, x, w, nTok, rows, cols, 1);
            TrainMatMul.matMulSimd(b, x, w, nTok, rows, cols, 1);
            check("matMulSimd vs matMul " + nTok + "x" + rows + "x" + cols, b, null, d(a));
            a = rand(r, nTok * cols, 1);
            b = FloatArray.of(a.toArray());
            TrainMatMul.matMulDx(a, dy, w, nTok, rows, cols, 1);
            TrainMatMul.matMulDxSimd(b, dy, w, nTok, rows, cols, 1);
            check("matMulDxSimd vs matMulDx " + nTok + "x" + rows + "x" + cols, b, null, d(a));
            a = rand(r, rows * cols, 1);
            b = FloatArray.of(a.toArray());
            TrainMatMul.matMulDw(a, dy, x, nTok, rows, cols);
            TrainMatMul.matMulDwSimd(b, dy, x, nTok, rows, cols);
            check("matMulDwSimd vs matMulDw " + nTok + "x" + rows + "x" + cols, b, null, d(a));
        }
        for (int[] shape : new int[][]{{32, 7}, {20, 7}, {32, 37}}) {
            int hd = shape[0], seqLen = shape[1], nTok = 2 * seqLen, nH = 4, nKv = 2;
            FloatArray q = rand(r, nTok * nH * hd, 1), k = rand(r, nTok * nKv * hd, 1), v = rand(r, nTok * nKv * hd, 1), dO = rand(r, nTok * nH * hd, 1);
            FloatArray[] o = new FloatArray[2], lse = new FloatArray[2], dq = new FloatArray[2], dk = new FloatArray[2], dv = new FloatArray[2];
            FloatArray delta = FloatArray.create(nTok * nH);
            for (int z = 0; z < 2; z++) {
                o[z] = FloatArray.create(nTok * nH * hd); lse[z] = FloatArray.create(nTok * nH);
                dq[z] = FloatArray.create(nTok * nH * hd); dk[z] = FloatArray.create(nTok * nKv * hd); dv[z] = FloatArray.create(nTok * nKv * hd);
            }
            TrainAttention.forward(o[0], lse[0], q, k, v, nTok, seqLen, nH, nKv, hd);
            TrainAttention.forwardSimd(o[1], lse[1], q, k, v, nTok, seqLen, nH, nKv, hd);
            TrainAttention.backwardDelta(delta, dO, o[0], nTok, nH, hd);
            TrainAttention.backward(dq[0], dk[0], dv[0], dO, q, k, v, lse[0], delta, nTok, seqLen, nH, nKv, hd);
            TrainAttention.backwardSimd(dq[1], dk[1], dv[1], dO, q, k, v, lse[0], delta, nTok, seqLen, nH, nKv, hd);
            check("attention forwardSimd vs forward hd " + hd + " T " + seqLen, o[1], null, d(o[0]));
            check("attention lse Simd vs portable hd " + hd + " T " + seqLen, lse[1], null, d(lse[0]));
            check("attention backwardSimd dq vs backward hd " + hd + " T " + seqLen, dq[1], null, d(dq[0]));
            check("attention backwardSimd dk vs backward hd " + hd + " T " + seqLen, dk[1], null, d(dk[0]));
            check("attention backwardSimd dv vs backward hd " + hd + " T " + seqLen, dv[1], null, d(dv[0]));
        }
    }

    /**
     * Both forms of TrainSimd's exp (over a segment with sign and shift, and in place over an array) against Math.exp
     * rounded to float over [−87.3, 88.3]: within 2 ulp; exactly 0 below −87.3 and for −∞; lanes past n untouched;
     * the returned sums equal the lane-ordered sums of what was written, and the two forms agree bit for bit.
     */
    @Test
    void vectorExp() {
        int L = TrainSimd.L, n = 4 * L + 3;                      // a partial last vector
        java.lang.foreign.MemorySegment src = java.lang.foreign.Arena.ofAuto().allocate(4L * (n + L), 64),
                dst = java.lang.foreign.Arena.ofAuto().allocate(4L * (n + L), 64);
        var F = java.lang.foreign.ValueLayout.JAVA_FLOAT;
        float[] arr = new float[n + L];
        double maxUlp = 0;
        for (float v = -87.3f; v + n * 0.0137f < 88.3f; v += 0.0137f * n) {
            for (int j = 0; j < n; j++) src.setAtIndex(F, j, -(v + j * 0.0137f + 0.5f));   // e^(−src − 0.5)
            dst.setAtIndex(F, n, 42f);
            float sum = TrainSimd.exp(src, 0, -1f, 0.5f, dst, 0, n);
            for (int j = 0; j < n + L; j++) arr[j] = j < n ? v + j * 0.0137f + 0.5f : Float.NEGATIVE_INFINITY;
            float sumArr = TrainSimd.expSum(arr, 0, TrainSimd.roundUp(n), 0.5f);
            for (int j = 0; j < n; j++) {
                float x = (v + j * 0.0137f + 0.5f) - 0.5f, ref = (float) Math.exp(x), e = dst.getAtIndex(F, j);
                maxUlp = Math.max(maxUlp, Math.abs(e - ref) / Math.ulp(ref));
                assertEquals(Float.floatToIntBits(e), Float.floatToIntBits(arr[j]), "segment and array forms at x = " + x);
            }
            assertEquals(42f, dst.getAtIndex(F, n), "exp wrote past n");
            float[] lanes = new float[L];                        // the documented order: lane-wise vector sums, then lanes left to right
            for (int i = 0; i < n; i++) lanes[i % L] += dst.getAtIndex(F, i);
            float expect = 0f;
            for (float lane : lanes) expect += lane;
            assertEquals(expect, sum, "exp's sum");
            assertEquals(expect, sumArr, "expSum's sum");
        }
        System.out.printf("TrainSimd.exp vs Math.exp: max %.2f ulp (tolerance 2)%n", maxUlp);
        assertTrue(maxUlp <= 2, "exp error " + maxUlp + " ulp");
        for (int j = 0; j < n; j++) src.setAtIndex(F, j, j == 1 ? Float.NEGATIVE_INFINITY : -88f - j);
        assertEquals(0f, TrainSimd.exp(src, 0, 1f, 0f, dst, 0, n), "sum below the range");
        for (int j = 0; j < n; j++) assertEquals(0f, dst.getAtIndex(F, j), "exp below the range at " + j);
    }

    /** The elementwise, row and optimizer twins against their portable kernels (run as plain Java). */
    @Test
    void simdTwinsMatchPortableSmallKernels() {
        Random r = new Random(10);
        for (int[] sh : new int[][]{{6, 3, 2, 8, 6}, {256, 128, 4, 32, 32}}) {
            int nTok = sh[0], seqLen = sh[1], heads = sh[2], hd = sh[3], rot = sh[4];
            FloatArray ones = FloatArray.create(rot / 2);
            ones.fill(1f);
            FloatArray cs = TrainRope.table(ones, seqLen, rot, 10000f), a = rand(r, nTok * heads * hd, 1), b = FloatArray.of(a.toArray());
            TrainRope.rope(a, cs, nTok, seqLen, heads, hd, rot, -1f);
            TrainRope.ropeRows(b, cs, nTok, seqLen, heads, hd, rot, -1f);
            for (int i = 0; i < a.length(); i++) assertTrue(a.get(i) == b.get(i), "ropeRows differs from rope at " + i);
            System.out.printf("ropeRows vs rope %dx%dx%d rot %d: bit-identical%n", nTok, heads, hd, rot);
        }
        for (int n : new int[]{1, 37, 300, 5000}) {
            FloatArray gt = rand(r, n, 3), up = rand(r, n, 1), dh = rand(r, n, 1);
            FloatArray[] h = {FloatArray.create(n), FloatArray.create(n)};
            TrainOps.swiGlu(h[0], gt, up, n);
            TrainOps.swiGluSimd(h[1], gt, up, n);
            check("swiGluSimd vs swiGlu n " + n, h[1], null, d(h[0]));
            FloatArray[] h2 = {FloatArray.create(n), FloatArray.create(n)}, dg2 = {FloatArray.create(n), FloatArray.create(n)};
            FloatArray[] du2 = {FloatArray.create(n), FloatArray.create(n)};
            TrainOps.swiGluWithBackward(h2[0], dg2[0], du2[0], dh, gt, up, n);
            TrainOps.swiGluWithBackwardSimd(h2[1], dg2[1], du2[1], dh, gt, up, n);
            check("swiGluWithBackward h vs swiGlu n " + n, h2[0], null, d(h[0]));
            check("swiGluWithBackwardSimd h n " + n, h2[1], null, d(h2[0]));
            check("swiGluWithBackwardSimd gate n " + n, dg2[1], null, d(dg2[0]));
            check("swiGluWithBackwardSimd up n " + n, du2[1], null, d(du2[0]));
        }
        for (int vocab : new int[]{11, 100, 2048}) {
            int nTok = 5;
            int[] tg = {3, -1, vocab - 1, 0, vocab / 2};
            IntArray targets = IntArray.of(tg);
            FloatArray a = rand(r, nTok * vocab, 4), b = FloatArray.of(a.toArray());
            FloatArray la = FloatArray.create(nTok), lb = FloatArray.create(nTok);
            TrainOps.crossEntropy(a, la, targets, nTok, vocab);
            TrainOps.crossEntropySimd(b, lb, targets, nTok, vocab);
            check("crossEntropySimd dlogits vocab " + vocab, b, null, d(a));
            check("crossEntropySimd loss vocab " + vocab, lb, null, d(la));
        }
        for (int[] s : new int[][]{{3, 10}, {5, 128}, {4, 37}}) {
            int rows = s[0], n = s[1];
            FloatArray x = rand(r, rows * n, 1), w = rand(r, n, 1), dy = rand(r, rows * n, 1);
            FloatArray[] y = {FloatArray.create(rows * n), FloatArray.create(rows * n)}, rstd = {FloatArray.create(rows), FloatArray.create(rows)};
            TrainNorms.rmsNormForward(y[0], rstd[0], x, w, rows, n, 1e-5f);
            TrainNorms.rmsNormForwardSimd(y[1], rstd[1], x, w, rows, n, 1e-5f);
            check("rmsNormForwardSimd " + rows + "x" + n, y[1], null, d(y[0]));
            check("rmsNormForwardSimd rstd " + rows + "x" + n, rstd[1], null, d(rstd[0]));
            FloatArray dxa = rand(r, rows * n, 1), dxb = FloatArray.of(dxa.toArray()), dwa = rand(r, n, 1), dwb = FloatArray.of(dwa.toArray());
            TrainNorms.rmsNormBackwardX(dxa, dy, x, w, rstd[0], rows, n, 1);
            TrainNorms.rmsNormBackwardXSimd(dxb, dy, x, w, rstd[0], rows, n, 1);
            check("rmsNormBackwardXSimd " + rows + "x" + n, dxb, null, d(dxa));
            TrainNorms.rmsNormBackwardW(dwa, dy, x, rstd[0], rows, n);
            TrainNorms.rmsNormBackwardWSimd(dwb, dy, x, rstd[0], rows, n);
            check("rmsNormBackwardWSimd " + rows + "x" + n, dwb, null, d(dwa));
        }
        for (int n : new int[]{5, 100, 1000, 5000, 200000}) {
            FloatArray[] p = new FloatArray[2], g = new FloatArray[2], m = new FloatArray[2], v = new FloatArray[2];
            FloatArray p0 = rand(r, n, 1), g0 = rand(r, n, 1), m0 = rand(r, n, 0.1), v0 = FloatArray.create(n);
            for (int i = 0; i < n; i++) v0.set(i, (float) Math.abs(r.nextGaussian() * 0.1));
            for (int z = 0; z < 2; z++) {
                p[z] = FloatArray.of(p0.toArray()); g[z] = FloatArray.of(g0.toArray()); m[z] = FloatArray.of(m0.toArray()); v[z] = FloatArray.of(v0.toArray());
            }
            FloatArray hyper = FloatArray.of(1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, 0.271f, 0.142625f, 0.5f);
            int parts = Math.min(7, n);
            FloatArray[] ss = {FloatArray.create(parts), FloatArray.create(parts)};
            Optimizer.sumSquares(ss[0], g[0], n, parts, 0);
            Optimizer.sumSquaresSimd(ss[1], g[1], n, parts, 0);
            check("sumSquaresSimd n " + n, ss[1], null, d(ss[0]));
            Optimizer.adamW(p[0], g[0], m[0], v[0], hyper, n, 1);
            Optimizer.adamWSimd(p[1], g[1], m[1], v[1], hyper, n, 1);
            for (int i = 0; i < n; i++) {   // same operations in the same order: bit-identical
                assertTrue(p[0].get(i) == p[1].get(i) && m[0].get(i) == m[1].get(i) && v[0].get(i) == v[1].get(i) && g[1].get(i) == 0f,
                        "adamWSimd differs from adamW at " + i);
            }
            System.out.printf("adamWSimd vs adamW n %d: bit-identical%n", n);
        }
    }
}
