// Conformance cases for the non-linear transformer kernels: norms, activations, rows, embeddings, RoPE, attention, argmax.
package gale.kernels.conformance;

import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.GridScheduler;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.WorkerGrid;
import gale.compute.conformance.Tolerance;
import gale.kernels.Activations;
import gale.kernels.Attention;
import gale.kernels.Linear;
import gale.kernels.Norms;
import gale.kernels.Rope;
import gale.kernels.Rows;
import gale.kernels.Sampling;
import gale.kernels.WeightType;
import gale.kernels.reference.ActivationsReference;
import gale.kernels.reference.AttentionReference;
import gale.kernels.reference.EmbeddingReference;
import gale.kernels.reference.NormsReference;
import gale.kernels.reference.RopeReference;
import gale.kernels.reference.SamplingReference;

import java.util.List;
import java.util.Random;

/**
 * Each kernel against its twin in {@code gale.kernels.reference}. Metrics: NMSE ≤ 1e-7 (ggml's default) for float
 * maths; embedding lookups NMSE ≤ 1e-10 (a device may contract d·sc·q − m into an fma); fp16 caches NMSE ≤ 1e-6
 * (one fp16 ulp); copies and argmax exact.
 */
public final class OpCases {
    private OpCases() {}

    // ---------------------------------------------------------------- norms, activations, rows

    static final int ROWS = 3, N = 300, NORM_LOCAL = 64;

    /** Norms.rmsNorm (one work-item per row). */
    public static final class RmsNorm extends KernelCase {
        public RmsNorm() { super("kernels.rmsNorm", Tolerance.nmse(NMSE_GGML)); }

        @Override protected Instance instantiate() { return rmsNorm(false); }
    }

    /** Norms.rmsNormGroup (one work-group per row; jvm: its twin rmsNorm). */
    public static final class RmsNormGroup extends KernelCase {
        public RmsNormGroup() { super("kernels.rmsNormGroup", Tolerance.nmse(NMSE_GGML)); }

        @Override protected Instance instantiate() { return rmsNorm(true); }
    }

    static gale.compute.conformance.ConformanceCase.Instance rmsNorm(boolean group) {
        Random rnd = new Random(group ? 21 : 20);
        FloatArray x = Data.floatArray(rnd, (long) ROWS * N, 1f), w = Data.floatArray(rnd, N, 1f);
        FloatArray out = FloatArray.create((long) ROWS * N), ref = FloatArray.create((long) ROWS * N);
        NormsReference.rmsNorm(ref, x, w, ROWS, N, 1e-5f);
        GridScheduler grids = new GridScheduler();
        if (group) grids.set("g.k", WorkerGrid.of((long) ROWS * NORM_LOCAL).withLocal(NORM_LOCAL));
        return KernelCase.instance(List.of(x, w), List.of(out), grids, g -> {
            if (group) g.task("k", Norms::rmsNormGroup, null, out, x, w, ROWS, N, 1e-5f);
            else g.task("k", Norms::rmsNorm, out, x, w, ROWS, N, 1e-5f);
        }, () -> Data.doubles(out), Data.doubles(ref));
    }

    /** Activations.residualAdd. */
    public static final class ResidualAdd extends KernelCase {
        public ResidualAdd() { super("kernels.residualAdd", Tolerance.nmse(NMSE_GGML)); }

        @Override protected Instance instantiate() {
            Random rnd = new Random(22);
            FloatArray x = Data.floatArray(rnd, (long) ROWS * N, 1f), y = Data.floatArray(rnd, (long) ROWS * N, 1f), ref = Data.copy(x);
            ActivationsReference.residualAdd(ref, y, ROWS * N);
            return instance(List.of(x, y), List.of(x), new GridScheduler(), g -> g.task("k", Activations::residualAdd, x, y, ROWS * N),
                    () -> Data.doubles(x), Data.doubles(ref));
        }
    }

    /** Activations.swiGlu. */
    public static final class SwiGlu extends KernelCase {
        public SwiGlu() { super("kernels.swiGlu", Tolerance.nmse(NMSE_GGML)); }

        @Override protected Instance instantiate() {
            Random rnd = new Random(23);
            FloatArray gate = Data.floatArray(rnd, (long) ROWS * N, 2f), up = Data.floatArray(rnd, (long) ROWS * N, 1f);
            FloatArray out = FloatArray.create((long) ROWS * N), ref = FloatArray.create((long) ROWS * N);
            ActivationsReference.swiGlu(ref, gate, up, ROWS * N);
            return instance(List.of(gate, up), List.of(out), new GridScheduler(), g -> g.task("k", Activations::swiGlu, out, gate, up, ROWS * N),
                    () -> Data.doubles(out), Data.doubles(ref));
        }
    }

    /** Activations.softmax (rows in place). */
    public static final class Softmax extends KernelCase {
        public Softmax() { super("kernels.softmax", Tolerance.nmse(NMSE_GGML)); }

        @Override protected Instance instantiate() {
            Random rnd = new Random(24);
            FloatArray x = Data.floatArray(rnd, (long) ROWS * N, 3f), ref = Data.copy(x);
            ActivationsReference.softmax(ref, ROWS, N);
            return instance(List.of(x), List.of(x), new GridScheduler(), g -> g.task("k", Activations::softmax, x, ROWS, N),
                    () -> Data.doubles(x), Data.doubles(ref));
        }
    }

    /** Rows.copyRow (exact). */
    public static final class CopyRow extends KernelCase {
        public CopyRow() { super("kernels.copyRow", Tolerance.exact()); }

        @Override protected Instance instantiate() {
            Random rnd = new Random(25);
            FloatArray x = Data.floatArray(rnd, (long) ROWS * N, 1f), out = FloatArray.create(N);
            double[] ref = new double[N];
            for (int i = 0; i < N; i++) ref[i] = x.get((long) 2 * N + i);
            return instance(List.of(x), List.of(out), new GridScheduler(), g -> g.task("k", Rows::copyRow, out, x, 2, N),
                    () -> Data.doubles(out), ref);
        }
    }

    // ---------------------------------------------------------------- embeddings

    /** Linear.embedding for one weight type. */
    public abstract static class EmbeddingCase extends KernelCase {
        private final WeightType type;

        protected EmbeddingCase(WeightType type) {
            super("kernels.embedding." + type, Tolerance.nmse(1e-10));
            this.type = type;
        }

        @Override protected Instance instantiate() {
            Random rnd = new Random(30 + type.ordinal());
            int vocab = 5, dim = 512, nTok = 3;
            GaleArray table = Data.weight(type, rnd, vocab, dim);
            IntArray tokens = IntArray.of(4, 1, 4);
            FloatArray out = FloatArray.create((long) nTok * dim), ref = FloatArray.create((long) nTok * dim);
            EmbeddingReference.embedding(ref, type, table, tokens, nTok, dim);
            return instance(List.of(table, tokens), List.of(out), new GridScheduler(),
                    g -> Linear.embedding(g, "k", type, out, table, tokens, nTok, vocab, dim), () -> Data.doubles(out), Data.doubles(ref));
        }
    }

    public static final class EmbeddingF32 extends EmbeddingCase { public EmbeddingF32() { super(WeightType.F32); } }
    public static final class EmbeddingF16 extends EmbeddingCase { public EmbeddingF16() { super(WeightType.F16); } }
    public static final class EmbeddingBF16 extends EmbeddingCase { public EmbeddingBF16() { super(WeightType.BF16); } }
    public static final class EmbeddingQ8_0 extends EmbeddingCase { public EmbeddingQ8_0() { super(WeightType.Q8_0); } }
    public static final class EmbeddingQ4_0 extends EmbeddingCase { public EmbeddingQ4_0() { super(WeightType.Q4_0); } }
    public static final class EmbeddingQ4_K extends EmbeddingCase { public EmbeddingQ4_K() { super(WeightType.Q4_K); } }
    public static final class EmbeddingQ6_K extends EmbeddingCase { public EmbeddingQ6_K() { super(WeightType.Q6_K); } }

    // ---------------------------------------------------------------- RoPE and attention

    static final int N_HEAD = 6, N_KV_HEAD = 2, HEAD_DIM = 32, ROT_DIM = 32, LAYERS = 2, LAYER = 1, MAX_SEQ = 16, ATT_LOCAL = 16;
    static final int KV_DIM = N_KV_HEAD * HEAD_DIM;
    static final float BASE = 10000f;

    static FloatArray freqFactors() {
        FloatArray ff = FloatArray.create(ROT_DIM / 2);
        for (int i = 0; i < ROT_DIM / 2; i++) ff.set(i, 1f + i % 3);
        return ff;
    }

    /** Rope.rope in place on q: 3 tokens from position 5, partial rotation (rotDim 16 of headDim 32). */
    public static final class RopeInPlace extends KernelCase {
        public RopeInPlace() { super("kernels.rope", Tolerance.nmse(NMSE_GGML)); }

        @Override protected Instance instantiate() {
            Random rnd = new Random(40);
            int nTok = 3, rotDim = 16;
            FloatArray ff = FloatArray.create(rotDim / 2);
            for (int i = 0; i < rotDim / 2; i++) ff.set(i, 1f + i % 3);
            IntArray pos = IntArray.of(5);
            FloatArray x = Data.floatArray(rnd, (long) nTok * N_HEAD * HEAD_DIM, 1f), ref = Data.copy(x);
            RopeReference.rope(ref, pos, ff, nTok, N_HEAD, HEAD_DIM, rotDim, BASE);
            return instance(List.of(x, pos, ff), List.of(x), new GridScheduler(),
                    g -> g.task("k", Rope::rope, x, pos, ff, nTok, N_HEAD, HEAD_DIM, rotDim, BASE), () -> Data.doubles(x), Data.doubles(ref));
        }
    }

    /** Rope.ropeToCache / ropeToCacheF16: the rotated q, then the whole key and value caches. */
    public abstract static class RopeToCacheCase extends KernelCase {
        private final boolean f16;

        protected RopeToCacheCase(boolean f16) {
            super("kernels.ropeToCache" + (f16 ? "F16" : ""), Tolerance.nmse(f16 ? 1e-6 : NMSE_GGML));
            this.f16 = f16;
        }

        @Override protected Instance instantiate() {
            Random rnd = new Random(f16 ? 42 : 41);
            int nTok = 3;
            long cacheLen = (long) LAYERS * MAX_SEQ * KV_DIM;
            FloatArray ff = freqFactors();
            IntArray pos = IntArray.of(5);
            FloatArray q = Data.floatArray(rnd, (long) nTok * N_HEAD * HEAD_DIM, 1f);
            FloatArray k = Data.floatArray(rnd, (long) nTok * KV_DIM, 1f), v = Data.floatArray(rnd, (long) nTok * KV_DIM, 1f);
            float[] kPrev = Data.floats(rnd, (int) cacheLen, 1f), vPrev = Data.floats(rnd, (int) cacheLen, 1f);
            GaleArray kc = f16 ? HalfArray.of(kPrev) : FloatArray.of(kPrev), vc = f16 ? HalfArray.of(vPrev) : FloatArray.of(vPrev);
            GaleArray kcR = f16 ? HalfArray.of(kPrev) : FloatArray.of(kPrev), vcR = f16 ? HalfArray.of(vPrev) : FloatArray.of(vPrev);
            FloatArray qR = Data.copy(q), kR = Data.copy(k);
            RopeReference.ropeToCache(qR, kR, v, kcR, vcR, pos, ff, LAYER, nTok, N_HEAD, N_KV_HEAD, HEAD_DIM, ROT_DIM, MAX_SEQ, BASE);
            return instance(List.of(q, k, v, kc, vc, pos, ff), List.of(q, kc, vc), new GridScheduler(), g -> {
                if (f16) g.task("k", Rope::ropeToCacheF16, q, k, v, (HalfArray) kc, (HalfArray) vc, pos, ff, LAYER, nTok, N_HEAD,
                        N_KV_HEAD, HEAD_DIM, ROT_DIM, MAX_SEQ, BASE);
                else g.task("k", Rope::ropeToCache, q, k, v, (FloatArray) kc, (FloatArray) vc, pos, ff, LAYER, nTok, N_HEAD,
                        N_KV_HEAD, HEAD_DIM, ROT_DIM, MAX_SEQ, BASE);
            }, () -> Data.concat(q, kc, vc), Data.concat(qR, kcR, vcR));
        }
    }

    public static final class RopeToCacheF32 extends RopeToCacheCase { public RopeToCacheF32() { super(false); } }
    public static final class RopeToCacheF16 extends RopeToCacheCase { public RopeToCacheF16() { super(true); } }

    /** Attention over a filled cache (F32 or F16), @Parallel or work-group kernel: 3 tokens from position 5. */
    public abstract static class AttentionCase extends KernelCase {
        private final boolean f16, group;

        protected AttentionCase(boolean f16, boolean group) {
            super("kernels.attention" + (f16 ? "F16" : "") + (group ? "Group" : ""), Tolerance.nmse(NMSE_GGML));
            this.f16 = f16;
            this.group = group;
        }

        @Override protected Instance instantiate() {
            Random rnd = new Random(50 + (f16 ? 2 : 0) + (group ? 1 : 0));
            int nTok = 3;
            long cacheLen = (long) LAYERS * MAX_SEQ * KV_DIM;
            IntArray pos = IntArray.of(5);
            FloatArray q = Data.floatArray(rnd, (long) nTok * N_HEAD * HEAD_DIM, 1f);
            float[] kv = Data.floats(rnd, (int) cacheLen, 1f), vv = Data.floats(rnd, (int) cacheLen, 1f);
            GaleArray kc = f16 ? HalfArray.of(kv) : FloatArray.of(kv), vc = f16 ? HalfArray.of(vv) : FloatArray.of(vv);
            FloatArray out = FloatArray.create((long) nTok * N_HEAD * HEAD_DIM), ref = FloatArray.create((long) nTok * N_HEAD * HEAD_DIM);
            AttentionReference.attention(ref, q, kc, vc, pos, LAYER, nTok, N_HEAD, N_KV_HEAD, HEAD_DIM, MAX_SEQ);
            GridScheduler grids = new GridScheduler();
            if (group) grids.set("g.k", WorkerGrid.of((long) nTok * N_HEAD * ATT_LOCAL).withLocal(ATT_LOCAL));
            return instance(List.of(q, kc, vc, pos), List.of(out), grids, g -> {
                if (f16 && group) g.task("k", Attention::attentionF16Group, null, out, q, (HalfArray) kc, (HalfArray) vc, pos, LAYER, nTok,
                        N_HEAD, N_KV_HEAD, HEAD_DIM, MAX_SEQ);
                else if (f16) g.task("k", Attention::attentionF16, out, q, (HalfArray) kc, (HalfArray) vc, pos, LAYER, nTok, N_HEAD,
                        N_KV_HEAD, HEAD_DIM, MAX_SEQ);
                else if (group) g.task("k", Attention::attentionGroup, null, out, q, (FloatArray) kc, (FloatArray) vc, pos, LAYER, nTok,
                        N_HEAD, N_KV_HEAD, HEAD_DIM, MAX_SEQ);
                else g.task("k", Attention::attention, out, q, (FloatArray) kc, (FloatArray) vc, pos, LAYER, nTok, N_HEAD, N_KV_HEAD,
                        HEAD_DIM, MAX_SEQ);
            }, () -> Data.doubles(out), Data.doubles(ref));
        }
    }

    public static final class AttentionF32 extends AttentionCase { public AttentionF32() { super(false, false); } }
    public static final class AttentionF32Group extends AttentionCase { public AttentionF32Group() { super(false, true); } }
    public static final class AttentionF16 extends AttentionCase { public AttentionF16() { super(true, false); } }
    public static final class AttentionF16Group extends AttentionCase { public AttentionF16Group() { super(true, true); } }

    // ---------------------------------------------------------------- sampling

    /** Sampling.argmaxPartial then argmaxFinal over a vocabulary-sized row (exact: the index of the maximum). */
    public static final class Argmax extends KernelCase {
        public Argmax() { super("kernels.argmax", Tolerance.exact()); }

        @Override protected Instance instantiate() {
            Random rnd = new Random(60);
            int n = 32003, parts = 64;
            FloatArray x = Data.floatArray(rnd, n, 3f), partMax = FloatArray.create(parts);
            IntArray partIdx = IntArray.create(parts), result = IntArray.create(1);
            return instance(List.of(x), List.of(result), new GridScheduler(), g -> g
                    .task("partial", Sampling::argmaxPartial, partMax, partIdx, x, n, parts)
                    .task("final", Sampling::argmaxFinal, result, partMax, partIdx, parts),
                    () -> Data.doubles(result), new double[]{SamplingReference.argmax(x, n)});
        }
    }
}
