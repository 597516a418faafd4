// The Vector API jvm twins (…Simd) against their portable kernels called as plain Java, on shapes that hit every edge.
package gale.kernels;

import gale.compute.ByteArray;
import gale.compute.DataTransferMode;
import gale.compute.Devices;
import gale.compute.ExecutionPlan;
import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.TaskGraph;
import gale.kernels.conformance.Data;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Method;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each {@code ...Simd} twin of {@link MatVec}, {@link MatMul}, {@link Attention} and {@link Rope} is called as plain
 * Java next to the kernel it stands in for, on the same inputs, and compared under NMSE ≤ 1e-7 (the max error is
 * printed). Shapes are chosen to reach every edge of the twins: columns that are not a multiple of the vector length,
 * rows and tokens that are not multiples of a work-item's {@link LinearSimd#ROWS} rows or of the 8- and 4-token
 * micro-tiles, head sizes with a scalar tail. The conformance cases
 * ({@code ConformanceCasesTest}) also hold the twins to the plain-Java references through the jvm backend.
 * Also: both fp16 conversions (halfToFloat, widen) on all 65536 bit patterns, and bitwise-identical results run to run through a plan.
 */
class SimdTwinsTest {
    static final double NMSE = Compare.NMSE_GGML;

    @Test
    void halfToFloatIsExactOnEveryPattern() {
        HalfArray all = everyHalf();
        float[] got = new float[(int) all.length()];
        int mismatches = 0;
        for (int off : new int[]{0, 1}) {                              // also from an odd element (unaligned)
            LinearSimd.halfToFloat(all.segment(), off * 2L, java.nio.ByteOrder.nativeOrder(), (int) all.length() - off, got);
            mismatches += halfMismatches(all, off, got, (int) all.length() - off, mismatches);
        }
        System.out.println("halfToFloat: every fp16 pattern twice, " + mismatches + " differ from Float.float16ToFloat (bitwise)");
        assertEquals(0, mismatches);
    }

    /** LinearSimd.widen on all 65536 fp16 patterns, compiled (after 40 warm rounds) and from an odd offset, bit for bit. */
    @Test
    void widenIsExactOnEveryPattern() {
        HalfArray all = everyHalf();
        float[] got = new float[4096];
        int mismatches = 0;
        for (int round = 0; round < 40; round++) {                     // C2 vectorizes widen's loop once it is hot
            for (int off : new int[]{0, 1}) {
                for (int c = off; c < all.length(); c += got.length) {
                    int n = (int) Math.min(got.length, all.length() - c);
                    LinearSimd.widen(all.segment(), c * 2L, got, n);
                    if (round == 0 || round == 39) mismatches += halfMismatches(all, c, got, n, mismatches);
                }
            }
        }
        System.out.println("widen: every fp16 pattern, first and last of 40 rounds, " + mismatches + " differ from Float.float16ToFloat (bitwise)");
        assertEquals(0, mismatches);
    }

    /** Every fp16 bit pattern, plus 3 so that a scalar tail follows the whole vectors. */
    private static HalfArray everyHalf() {
        HalfArray all = HalfArray.create(65536 + 3);
        for (int i = 0; i < 65536 + 3; i++) all.setBits(i, (short) i);
        return all;
    }

    /** How many of got[0, n) differ bitwise from Float.float16ToFloat of all[from + i]; prints the first few. */
    private static int halfMismatches(HalfArray all, int from, float[] got, int n, int seenBefore) {
        int bad = 0;
        for (int i = 0; i < n; i++) {
            float want = Float.float16ToFloat(all.getBits(from + i));
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want) && seenBefore + bad++ < 5)
                System.out.printf("fp16 %04x: got %08x, want %08x%n", all.getBits(from + i) & 0xffff,
                        Float.floatToRawIntBits(got[i]), Float.floatToRawIntBits(want));
        }
        return bad;
    }

    // ---- mat-vec ----

    /**
     * The paired-row twins (rows r and r + ⌈rows/2⌉ per pass, gate and up together) give each row exactly the bits of
     * the one-row dot products, for an odd row count (the middle row alone), an odd block count (Q8_0's scalar last
     * block) and a scalar tail (F16); the SwiGLU twins' vector silu over groups of 16 rows (the last one partial)
     * gives {@link LinearSimd#swiGlu}'s bits.
     */
    @ParameterizedTest
    @EnumSource(value = WeightType.class, names = {"F16", "Q8_0"})
    void pairedRowsSumAsOneRow(WeightType type) throws Exception {
        int rows = 41, cols = type == WeightType.Q8_0 ? 32 * 15 : 16 * 15 + 5;   // SwiGLU: groups of 16, 16 and 9 rows
        Random rnd = new Random(17 + type.ordinal());
        GaleArray w = Data.weight(type, rnd, rows, cols), w3 = Data.weight(type, rnd, rows, cols);
        FloatArray x = Data.floatArray(rnd, cols, 1f), init = Data.floatArray(rnd, rows, 1f);
        FloatArray set = FloatArray.create(rows), add = Data.copy(init), h = FloatArray.create(rows);
        call(MatVec.class, "matVec" + type + "Simd", set, x, w, rows, cols);
        call(MatVec.class, "matVecAdd" + type + "Simd", add, x, w, rows, cols);
        call(MatVec.class, "swiGluMatVec" + type + "Simd", h, x, w, w3, rows, cols);
        for (int r = 0; r < rows; r++) {
            float one = dot(type, w, r, x, cols), up = dot(type, w3, r, x, cols);
            assertEquals(Float.floatToIntBits(one), Float.floatToIntBits(set.get(r)), type + " matVec row " + r);
            assertEquals(Float.floatToIntBits(init.get(r) + one), Float.floatToIntBits(add.get(r)), type + " matVecAdd row " + r);
            assertEquals(Float.floatToIntBits(LinearSimd.swiGlu(one, up)), Float.floatToIntBits(h.get(r)), type + " swiGlu row " + r);
        }
        System.out.println(type + " paired-row mat-vec twins: every row bit-identical to the one-row dot product");
    }

    private static float dot(WeightType type, GaleArray w, int r, FloatArray x, int cols) {
        return switch (type) {
            case F16 -> LinearSimd.dotF16((HalfArray) w, r, x, 0, cols);
            case Q8_0 -> LinearSimd.dotQ8_0((ByteArray) w, r, x, 0, cols);
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /**
     * The F16 dot products convert finite halves only and sum a row that holds an Inf or NaN again with the full
     * conversion ({@link LinearSimd#dotF16Exact}). Rows laid over all 65536 fp16 patterns (subnormals, ±0, the largest
     * finite, Inf and NaN in the vector part and in the scalar tail) must give the full conversion's bits through
     * every F16 twin, interpreted and after C2 compiled them (40 rounds).
     */
    @Test
    void f16DotsMatchTheFullConversionOnEveryPattern() {
        int cols = 1024 + 3, rows = 65536 / cols + 1;
        HalfArray w = HalfArray.create((long) rows * cols), w3 = HalfArray.create((long) rows * cols);
        for (int i = 0; i < rows * cols; i++) {
            w.setBits(i, (short) i);
            w3.setBits(i, (short) (i * 7 + 3));
        }
        FloatArray x = Data.floatArray(new Random(5), cols, 1f), set = FloatArray.create(rows), h = FloatArray.create(rows);
        int nonFinite = 0, bad = 0;
        for (int round = 0; round < 40; round++) {
            MatVec.matVecF16Simd(set, x, w, rows, cols);
            MatVec.swiGluMatVecF16Simd(h, x, w, w3, rows, cols);
            for (int r = 0; r < rows; r++) {
                float want = LinearSimd.dotF16Exact(w.segment(), (long) r * cols * 2, x.segment(), 0, cols);
                float up = LinearSimd.dotF16Exact(w3.segment(), (long) r * cols * 2, x.segment(), 0, cols);
                if (round == 0 && !Float.isFinite(want)) nonFinite++;
                int[] got = {Float.floatToIntBits(LinearSimd.dotF16(w, r, x, 0, cols)), Float.floatToIntBits(set.get(r))};
                for (int g : got) if (g != Float.floatToIntBits(want) && bad++ < 5) System.out.printf("row %d: got %08x, want %08x%n", r, g, Float.floatToIntBits(want));
                if (Float.floatToIntBits(h.get(r)) != Float.floatToIntBits(LinearSimd.swiGlu(want, up)) && bad++ < 5) System.out.printf("swiGlu row %d differs%n", r);
            }
        }
        System.out.println("F16 dots over every fp16 pattern: " + rows + " rows (" + nonFinite + " with Inf/NaN), 40 rounds, " + bad + " differ from the full conversion");
        assertEquals(0, bad);
        assertTrue(nonFinite > 0 && nonFinite < rows, "both paths must be reached");
    }

    @ParameterizedTest
    @EnumSource(value = WeightType.class, names = {"F32", "F16", "Q8_0"})
    void matVecTwins(WeightType type) throws Exception {
        int rows = 67, cols = type == WeightType.Q8_0 ? 4128 : 4100;
        Random rnd = new Random(11 + type.ordinal());
        GaleArray w = Data.weight(type, rnd, rows, cols), w3 = Data.weight(type, rnd, rows, cols);
        FloatArray x = Data.floatArray(rnd, cols, 1f), init = Data.floatArray(rnd, rows, 1f);
        for (String op : new String[]{"matVec", "matVecAdd"}) {
            FloatArray want = Data.copy(init), got = Data.copy(init);
            call(MatVec.class, op + type, want, x, w, rows, cols);
            call(MatVec.class, op + type + "Simd", got, x, w, rows, cols);
            Compare.nmse(op + type + "Simd", got, want, NMSE);
        }
        FloatArray want = FloatArray.create(rows), got = FloatArray.create(rows);
        call(MatVec.class, "swiGluMatVec" + type, want, x, w, w3, rows, cols);
        call(MatVec.class, "swiGluMatVec" + type + "Simd", got, x, w, w3, rows, cols);
        Compare.nmse("swiGluMatVec" + type + "Simd", got, want, NMSE);
    }

    // ---- mat-mul ----

    @ParameterizedTest
    @EnumSource(WeightType.class)
    void matMulTwins(WeightType type) throws Exception {
        int rows = 67, nTok = 70;
        int cols = type.blockSize == 256 ? 512 : type.blockSize == 32 ? 96 : 100;
        Random rnd = new Random(21 + type.ordinal());
        GaleArray w = Data.weight(type, rnd, rows, cols), w3 = Data.weight(type, rnd, rows, cols);
        FloatArray x = Data.floatArray(rnd, (long) nTok * cols, 1f), init = Data.floatArray(rnd, (long) nTok * rows, 1f);
        for (String op : new String[]{"matMul", "matMulAdd"}) {
            FloatArray want = Data.copy(init), got = Data.copy(init);
            call(MatMul.class, op + type, want, x, w, nTok, rows, cols);
            call(MatMul.class, op + type + "Simd", got, x, w, nTok, rows, cols);
            Compare.nmse(op + type + "Simd", got, want, NMSE);
        }
        FloatArray want = FloatArray.create((long) nTok * rows), got = FloatArray.create((long) nTok * rows);
        call(MatMul.class, "swiGluMatMul" + type, want, x, w, w3, nTok, rows, cols);
        call(MatMul.class, "swiGluMatMul" + type + "Simd", got, x, w, w3, nTok, rows, cols);
        Compare.nmse("swiGluMatMul" + type + "Simd", got, want, NMSE);
        // the epilogue's vector silu gives each element LinearSimd.swiGlu's bits (the decode twins' function) of the
        // gate and up sums, which the plain mat-mul twin computes with the same tiles; rows and tokens have tails
        FloatArray gate = FloatArray.create((long) nTok * rows), up = FloatArray.create((long) nTok * rows);
        call(MatMul.class, "matMul" + type + "Simd", gate, x, w, nTok, rows, cols);
        call(MatMul.class, "matMul" + type + "Simd", up, x, w3, nTok, rows, cols);
        for (int i = 0; i < nTok * rows; i++)
            assertEquals(Float.floatToIntBits(LinearSimd.swiGlu(gate.get(i), up.get(i))), Float.floatToIntBits(got.get(i)), "swiGluMatMul" + type + "Simd element " + i);
    }

    // ---- attention and RoPE ----

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void attentionTwins(boolean f16) {
        // 9 tokens (a prompt batch: one work-item per head on F32 caches) and 2 tokens (per token and head) after 5
        // cached positions; 4 query heads on 2 KV heads; head size 40 = 2 vectors of 16 + a tail of 8
        for (int nTok : new int[]{9, 2}) attentionTwins(f16, nTok);
    }

    private static void attentionTwins(boolean f16, int nTok) {
        int nHead = 4, nKv = 2, hd = 40, maxSeq = 20, layers = 2, layer = 1, start = 5;
        Random rnd = new Random(f16 ? 32 : 31);
        FloatArray q = Data.floatArray(rnd, (long) nTok * nHead * hd, 1f);
        long cache = (long) layers * maxSeq * nKv * hd;
        float[] kf = Data.floats(rnd, (int) cache, 1f), vf = Data.floats(rnd, (int) cache, 1f);
        IntArray pos = IntArray.of(start);
        FloatArray want = FloatArray.create((long) nTok * nHead * hd), got = FloatArray.create((long) nTok * nHead * hd);
        if (f16) {
            HalfArray k = HalfArray.of(kf), v = HalfArray.of(vf);
            Attention.attentionF16(want, q, k, v, pos, layer, nTok, nHead, nKv, hd, maxSeq);
            Attention.attentionF16Simd(got, q, k, v, pos, layer, nTok, nHead, nKv, hd, maxSeq);
        } else {
            FloatArray k = FloatArray.of(kf), v = FloatArray.of(vf);
            Attention.attention(want, q, k, v, pos, layer, nTok, nHead, nKv, hd, maxSeq);
            Attention.attentionSimd(got, q, k, v, pos, layer, nTok, nHead, nKv, hd, maxSeq);
        }
        Compare.nmse((f16 ? "attentionF16Simd" : "attentionSimd") + " nTok " + nTok, got, want, NMSE);
    }

    @Test
    void attentionTokenOrderVisitsEveryPairOnce() {
        for (int nTok : new int[]{1, 2, 7, 8, 512})
            for (int nHead : new int[]{1, 3, 8}) {
                int[] seen = new int[nTok * nHead];
                for (int i = 0; i < nTok * nHead; i++) seen[AttentionSimd.token(i, nTok, nHead) * nHead + i % nHead]++;
                for (int s : seen) assertEquals(1, s, nTok + " tokens × " + nHead + " heads");
            }
    }

    /** RoPE's twin computes each rotation once per token with the kernel's own arithmetic: bit-identical. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ropeTwinIsBitIdentical(boolean f16) {
        int nTok = 5, nHead = 4, nKv = 2, hd = 16, rot = 12, maxSeq = 16, layers = 2, layer = 1;
        Random rnd = new Random(41);
        FloatArray q = Data.floatArray(rnd, (long) nTok * nHead * hd, 1f), k = Data.floatArray(rnd, (long) nTok * nKv * hd, 1f);
        FloatArray v = Data.floatArray(rnd, (long) nTok * nKv * hd, 1f), freq = Data.floatArray(rnd, rot / 2, 0.5f);
        for (int i = 0; i < rot / 2; i++) freq.set(i, 1f + Math.abs(freq.get(i)));
        FloatArray q2 = Data.copy(q), k2 = Data.copy(k);
        IntArray pos = IntArray.of(3);
        long cache = (long) layers * maxSeq * nKv * hd;
        if (f16) {
            HalfArray kc = HalfArray.create(cache), vc = HalfArray.create(cache), kc2 = HalfArray.create(cache), vc2 = HalfArray.create(cache);
            Rope.ropeToCacheF16(q, k, v, kc, vc, pos, freq, layer, nTok, nHead, nKv, hd, rot, maxSeq, 10000f);
            Rope.ropeToCacheF16Simd(q2, k2, v, kc2, vc2, pos, freq, layer, nTok, nHead, nKv, hd, rot, maxSeq, 10000f);
            assertArrayEquals(Compare.floats(kc), Compare.floats(kc2));
            assertArrayEquals(Compare.floats(vc), Compare.floats(vc2));
        } else {
            FloatArray kc = FloatArray.create(cache), vc = FloatArray.create(cache), kc2 = FloatArray.create(cache), vc2 = FloatArray.create(cache);
            Rope.ropeToCache(q, k, v, kc, vc, pos, freq, layer, nTok, nHead, nKv, hd, rot, maxSeq, 10000f);
            Rope.ropeToCacheSimd(q2, k2, v, kc2, vc2, pos, freq, layer, nTok, nHead, nKv, hd, rot, maxSeq, 10000f);
            assertArrayEquals(kc.toArray(), kc2.toArray());
            assertArrayEquals(vc.toArray(), vc2.toArray());
        }
        assertArrayEquals(q.toArray(), q2.toArray());
        assertArrayEquals(k.toArray(), k2.toArray());
        System.out.println("ropeToCache" + (f16 ? "F16" : "") + "Simd: bit-identical to the portable kernel");
    }

    /**
     * The twin keeps its frequencies and the last position's rotations per thread (decode asks for the same position once per layer):
     * one-token calls that repeat the position, then change the base, a frequency factor, the rotated dims or the
     * position, each bit-identical to the portable kernel.
     */
    @Test
    void ropeTwinReusesRotationsOnlyWhenTheyMatch() {
        int nHead = 4, nKv = 2, hd = 16, maxSeq = 16, layers = 3;
        Random rnd = new Random(43);
        FloatArray freq = FloatArray.create(hd / 2);
        for (int i = 0; i < hd / 2; i++) freq.set(i, 1f + rnd.nextFloat());
        long cache = (long) layers * maxSeq * nKv * hd;
        FloatArray kc = FloatArray.create(cache), vc = FloatArray.create(cache), kc2 = FloatArray.create(cache), vc2 = FloatArray.create(cache);
        // {position, rotDim, base bits, factor 1 changed?}: repeats hit the kept rotations, every change must miss
        int[][] calls = {{5, 12, 0, 0}, {5, 12, 0, 0}, {5, 12, 1, 0}, {5, 12, 1, 1}, {5, 8, 1, 1}, {6, 8, 1, 1}, {6, 8, 1, 1}};
        for (int i = 0; i < calls.length; i++) {
            int[] c = calls[i];
            freq.set(1, c[3] == 0 ? 1.5f : 2.5f);
            float base = c[2] == 0 ? 10000f : 500000f;
            FloatArray q = Data.floatArray(rnd, (long) nHead * hd, 1f), k = Data.floatArray(rnd, (long) nKv * hd, 1f), v = Data.floatArray(rnd, (long) nKv * hd, 1f);
            FloatArray q2 = Data.copy(q), k2 = Data.copy(k);
            IntArray pos = IntArray.of(c[0]);
            Rope.ropeToCache(q, k, v, kc, vc, pos, freq, i % layers, 1, nHead, nKv, hd, c[1], maxSeq, base);
            Rope.ropeToCacheSimd(q2, k2, v, kc2, vc2, pos, freq, i % layers, 1, nHead, nKv, hd, c[1], maxSeq, base);
            assertArrayEquals(q.toArray(), q2.toArray(), "call " + i);
            assertArrayEquals(k.toArray(), k2.toArray(), "call " + i);
        }
        assertArrayEquals(kc.toArray(), kc2.toArray());
        assertArrayEquals(vc.toArray(), vc2.toArray());
        System.out.println("ropeToCacheSimd: " + calls.length + " one-token calls (repeats and changes of position, base, factors, rotated dims) bit-identical");
    }

    // ---- determinism through the jvm backend ----

    /**
     * A mat-mul and an attention launch through a jvm plan (split into chunks claimed by whichever thread is free)
     * give the same bits as a single-threaded call of the twin, every time.
     */
    @Test
    void jvmPlanResultsAreBitIdenticalRunToRun() throws Exception {
        int rows = 200, nTok = 37, cols = 256;
        Random rnd = new Random(51);
        GaleArray w = Data.weight(WeightType.Q8_0, rnd, rows, cols);
        FloatArray x = Data.floatArray(rnd, (long) nTok * cols, 1f), out = FloatArray.create((long) nTok * rows);
        FloatArray direct = FloatArray.create((long) nTok * rows);
        MatMul.matMulQ8_0Simd(direct, x, (ByteArray) w, nTok, rows, cols);
        int nHead = 8, hd = 64, maxSeq = 64;
        FloatArray q = Data.floatArray(rnd, (long) nTok * nHead * hd, 1f), att = FloatArray.create((long) nTok * nHead * hd);
        FloatArray kc = Data.floatArray(rnd, (long) maxSeq * nHead * hd, 1f), vc = Data.floatArray(rnd, (long) maxSeq * nHead * hd, 1f);
        IntArray pos = IntArray.of(3);
        FloatArray attDirect = FloatArray.create(att.length());
        Attention.attentionSimd(attDirect, q, kc, vc, pos, 0, nTok, nHead, nHead, hd, maxSeq);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.EVERY_EXECUTION, w, x, q, kc, vc, pos)
                .task("mm", MatMul::matMulQ8_0, out, x, (ByteArray) w, nTok, rows, cols)
                .task("att", Attention::attention, att, q, kc, vc, pos, 0, nTok, nHead, nHead, hd, maxSeq)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out, att);
        try (ExecutionPlan plan = new ExecutionPlan(g.snapshot()).withDevice(Devices.select("jvm"))) {
            for (int run = 0; run < 20; run++) {
                out.fill(0f);
                att.fill(0f);
                plan.execute();
                assertArrayEquals(direct.toArray(), out.toArray(), "mat-mul, run " + run);
                assertArrayEquals(attDirect.toArray(), att.toArray(), "attention, run " + run);
            }
        }
    }

    /** Calls a public static kernel by name with the given arguments (boxed ints become int parameters). */
    static void call(Class<?> owner, String name, Object... args) throws Exception {
        for (Method m : owner.getMethods())
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                m.invoke(null, args);
                return;
            }
        throw new AssertionError("no kernel " + owner.getSimpleName() + "." + name);
    }
}
