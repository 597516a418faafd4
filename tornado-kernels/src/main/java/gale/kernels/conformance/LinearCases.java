// Conformance cases for the linear kernels: mat-vec, mat-mul, their fused add/SwiGLU forms and work-group variants, per weight type.
package gale.kernels.conformance;

import gale.compute.FloatArray;
import gale.compute.GaleArray;
import gale.compute.GridScheduler;
import gale.compute.conformance.Tolerance;
import gale.kernels.Linear;
import gale.kernels.WeightType;
import gale.kernels.reference.LinearReference;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Every {@link Linear} entry point for every {@link WeightType}, through the same dispatch an engine uses, against
 * {@link LinearReference} (double accumulation over the dequantised weights). Shapes: 37 rows (not a multiple of any
 * work-group size), 160 columns (512 for K-quants), 3 tokens for mat-mul; work-group variants use 32 work-items per
 * row. Metric: NMSE ≤ 1e-7 (ggml test-backend-ops' default).
 */
public final class LinearCases {
    private LinearCases() {}

    /** Which {@link Linear} method a case runs. */
    public enum Op {
        MAT_VEC, MAT_VEC_GROUP, MAT_VEC_ADD, MAT_VEC_ADD_GROUP, SWIGLU_MAT_VEC, SWIGLU_MAT_VEC_GROUP, MAT_MUL, MAT_MUL_ADD, SWIGLU_MAT_MUL;

        String label() {
            StringBuilder b = new StringBuilder();
            boolean up = false;
            for (char c : name().toLowerCase().toCharArray()) {
                if (c == '_') { up = true; continue; }
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
            return b.toString().replace("swiglu", "swiGlu");
        }

        boolean group() { return name().endsWith("_GROUP"); }

        boolean add() { return name().contains("ADD"); }

        boolean swiGlu() { return name().startsWith("SWIGLU"); }

        boolean matMul() { return name().contains("MAT_MUL"); }
    }

    /** One op on one weight type. */
    public abstract static class LinearCase extends KernelCase {
        private final Op op;
        private final WeightType type;

        protected LinearCase(Op op, WeightType type) {
            super("kernels." + op.label() + "." + type, Tolerance.nmse(NMSE_GGML));
            this.op = op;
            this.type = type;
        }

        @Override protected Instance instantiate() {
            Random rnd = new Random(1000L + 16L * op.ordinal() + type.ordinal());
            int rows = 37, cols = type.blockSize == 256 ? 512 : 160, nTok = op.matMul() ? 3 : 1, local = 32;
            GaleArray w = Data.weight(type, rnd, rows, cols), w3 = Data.weight(type, rnd, rows, cols);
            FloatArray x = Data.floatArray(rnd, (long) nTok * cols, 1f);
            FloatArray res = Data.floatArray(rnd, (long) nTok * rows, 1f);
            FloatArray out = op.add() ? Data.copy(res) : FloatArray.create((long) nTok * rows);
            FloatArray ref = FloatArray.create((long) nTok * rows);
            if (op.swiGlu()) LinearReference.swiGluMatMul(ref, x, type, w, w3, nTok, rows, cols);
            else LinearReference.matMul(ref, x, type, w, nTok, rows, cols);
            double[] expected = Data.doubles(ref);
            if (op.add()) for (int i = 0; i < expected.length; i++) expected[i] = (float) ((double) res.get(i) + ref.get(i));
            GridScheduler grids = new GridScheduler();
            List<GaleArray> in = new ArrayList<>(List.of(w, x));
            if (op.swiGlu()) in.add(w3);
            if (op.add()) in.add(out);
            String t = "k";
            return instance(in, List.of(out), grids, g -> {
                switch (op) {
                    case MAT_VEC -> Linear.matVec(g, t, type, out, x, w, rows, cols);
                    case MAT_VEC_GROUP -> Linear.matVec(g, t, type, out, x, w, rows, cols, grids, local);
                    case MAT_VEC_ADD -> Linear.matVecAdd(g, t, type, out, x, w, rows, cols);
                    case MAT_VEC_ADD_GROUP -> Linear.matVecAdd(g, t, type, out, x, w, rows, cols, grids, local);
                    case SWIGLU_MAT_VEC -> Linear.swiGluMatVec(g, t, type, out, x, w, w3, rows, cols);
                    case SWIGLU_MAT_VEC_GROUP -> Linear.swiGluMatVec(g, t, type, out, x, w, w3, rows, cols, grids, local);
                    case MAT_MUL -> Linear.matMul(g, t, type, out, x, w, nTok, rows, cols);
                    case MAT_MUL_ADD -> Linear.matMulAdd(g, t, type, out, x, w, nTok, rows, cols);
                    case SWIGLU_MAT_MUL -> Linear.swiGluMatMul(g, t, type, out, x, w, w3, nTok, rows, cols);
                }
            }, () -> Data.doubles(out), expected);
        }
    }

    public static final class MatVecF32 extends LinearCase { public MatVecF32() { super(Op.MAT_VEC, WeightType.F32); } }
    public static final class MatVecF16 extends LinearCase { public MatVecF16() { super(Op.MAT_VEC, WeightType.F16); } }
    public static final class MatVecBF16 extends LinearCase { public MatVecBF16() { super(Op.MAT_VEC, WeightType.BF16); } }
    public static final class MatVecQ8_0 extends LinearCase { public MatVecQ8_0() { super(Op.MAT_VEC, WeightType.Q8_0); } }
    public static final class MatVecQ4_0 extends LinearCase { public MatVecQ4_0() { super(Op.MAT_VEC, WeightType.Q4_0); } }
    public static final class MatVecQ4_K extends LinearCase { public MatVecQ4_K() { super(Op.MAT_VEC, WeightType.Q4_K); } }
    public static final class MatVecQ6_K extends LinearCase { public MatVecQ6_K() { super(Op.MAT_VEC, WeightType.Q6_K); } }
    public static final class MatVecGroupF32 extends LinearCase { public MatVecGroupF32() { super(Op.MAT_VEC_GROUP, WeightType.F32); } }
    public static final class MatVecGroupF16 extends LinearCase { public MatVecGroupF16() { super(Op.MAT_VEC_GROUP, WeightType.F16); } }
    public static final class MatVecGroupBF16 extends LinearCase { public MatVecGroupBF16() { super(Op.MAT_VEC_GROUP, WeightType.BF16); } }
    public static final class MatVecGroupQ8_0 extends LinearCase { public MatVecGroupQ8_0() { super(Op.MAT_VEC_GROUP, WeightType.Q8_0); } }
    public static final class MatVecGroupQ4_0 extends LinearCase { public MatVecGroupQ4_0() { super(Op.MAT_VEC_GROUP, WeightType.Q4_0); } }
    public static final class MatVecGroupQ4_K extends LinearCase { public MatVecGroupQ4_K() { super(Op.MAT_VEC_GROUP, WeightType.Q4_K); } }
    public static final class MatVecGroupQ6_K extends LinearCase { public MatVecGroupQ6_K() { super(Op.MAT_VEC_GROUP, WeightType.Q6_K); } }
    public static final class MatVecAddF32 extends LinearCase { public MatVecAddF32() { super(Op.MAT_VEC_ADD, WeightType.F32); } }
    public static final class MatVecAddF16 extends LinearCase { public MatVecAddF16() { super(Op.MAT_VEC_ADD, WeightType.F16); } }
    public static final class MatVecAddBF16 extends LinearCase { public MatVecAddBF16() { super(Op.MAT_VEC_ADD, WeightType.BF16); } }
    public static final class MatVecAddQ8_0 extends LinearCase { public MatVecAddQ8_0() { super(Op.MAT_VEC_ADD, WeightType.Q8_0); } }
    public static final class MatVecAddQ4_0 extends LinearCase { public MatVecAddQ4_0() { super(Op.MAT_VEC_ADD, WeightType.Q4_0); } }
    public static final class MatVecAddQ4_K extends LinearCase { public MatVecAddQ4_K() { super(Op.MAT_VEC_ADD, WeightType.Q4_K); } }
    public static final class MatVecAddQ6_K extends LinearCase { public MatVecAddQ6_K() { super(Op.MAT_VEC_ADD, WeightType.Q6_K); } }
    public static final class MatVecAddGroupF32 extends LinearCase { public MatVecAddGroupF32() { super(Op.MAT_VEC_ADD_GROUP, WeightType.F32); } }
    public static final class MatVecAddGroupF16 extends LinearCase { public MatVecAddGroupF16() { super(Op.MAT_VEC_ADD_GROUP, WeightType.F16); } }
    public static final class MatVecAddGroupBF16 extends LinearCase { public MatVecAddGroupBF16() { super(Op.MAT_VEC_ADD_GROUP, WeightType.BF16); } }
    public static final class MatVecAddGroupQ8_0 extends LinearCase { public MatVecAddGroupQ8_0() { super(Op.MAT_VEC_ADD_GROUP, WeightType.Q8_0); } }
    public static final class MatVecAddGroupQ4_0 extends LinearCase { public MatVecAddGroupQ4_0() { super(Op.MAT_VEC_ADD_GROUP, WeightType.Q4_0); } }
    public static final class MatVecAddGroupQ4_K extends LinearCase { public MatVecAddGroupQ4_K() { super(Op.MAT_VEC_ADD_GROUP, WeightType.Q4_K); } }
    public static final class MatVecAddGroupQ6_K extends LinearCase { public MatVecAddGroupQ6_K() { super(Op.MAT_VEC_ADD_GROUP, WeightType.Q6_K); } }
    public static final class SwiGluMatVecF32 extends LinearCase { public SwiGluMatVecF32() { super(Op.SWIGLU_MAT_VEC, WeightType.F32); } }
    public static final class SwiGluMatVecF16 extends LinearCase { public SwiGluMatVecF16() { super(Op.SWIGLU_MAT_VEC, WeightType.F16); } }
    public static final class SwiGluMatVecBF16 extends LinearCase { public SwiGluMatVecBF16() { super(Op.SWIGLU_MAT_VEC, WeightType.BF16); } }
    public static final class SwiGluMatVecQ8_0 extends LinearCase { public SwiGluMatVecQ8_0() { super(Op.SWIGLU_MAT_VEC, WeightType.Q8_0); } }
    public static final class SwiGluMatVecQ4_0 extends LinearCase { public SwiGluMatVecQ4_0() { super(Op.SWIGLU_MAT_VEC, WeightType.Q4_0); } }
    public static final class SwiGluMatVecQ4_K extends LinearCase { public SwiGluMatVecQ4_K() { super(Op.SWIGLU_MAT_VEC, WeightType.Q4_K); } }
    public static final class SwiGluMatVecQ6_K extends LinearCase { public SwiGluMatVecQ6_K() { super(Op.SWIGLU_MAT_VEC, WeightType.Q6_K); } }
    public static final class SwiGluMatVecGroupF32 extends LinearCase { public SwiGluMatVecGroupF32() { super(Op.SWIGLU_MAT_VEC_GROUP, WeightType.F32); } }
    public static final class SwiGluMatVecGroupF16 extends LinearCase { public SwiGluMatVecGroupF16() { super(Op.SWIGLU_MAT_VEC_GROUP, WeightType.F16); } }
    public static final class SwiGluMatVecGroupBF16 extends LinearCase { public SwiGluMatVecGroupBF16() { super(Op.SWIGLU_MAT_VEC_GROUP, WeightType.BF16); } }
    public static final class SwiGluMatVecGroupQ8_0 extends LinearCase { public SwiGluMatVecGroupQ8_0() { super(Op.SWIGLU_MAT_VEC_GROUP, WeightType.Q8_0); } }
    public static final class SwiGluMatVecGroupQ4_0 extends LinearCase { public SwiGluMatVecGroupQ4_0() { super(Op.SWIGLU_MAT_VEC_GROUP, WeightType.Q4_0); } }
    public static final class SwiGluMatVecGroupQ4_K extends LinearCase { public SwiGluMatVecGroupQ4_K() { super(Op.SWIGLU_MAT_VEC_GROUP, WeightType.Q4_K); } }
    public static final class SwiGluMatVecGroupQ6_K extends LinearCase { public SwiGluMatVecGroupQ6_K() { super(Op.SWIGLU_MAT_VEC_GROUP, WeightType.Q6_K); } }
    public static final class MatMulF32 extends LinearCase { public MatMulF32() { super(Op.MAT_MUL, WeightType.F32); } }
    public static final class MatMulF16 extends LinearCase { public MatMulF16() { super(Op.MAT_MUL, WeightType.F16); } }
    public static final class MatMulBF16 extends LinearCase { public MatMulBF16() { super(Op.MAT_MUL, WeightType.BF16); } }
    public static final class MatMulQ8_0 extends LinearCase { public MatMulQ8_0() { super(Op.MAT_MUL, WeightType.Q8_0); } }
    public static final class MatMulQ4_0 extends LinearCase { public MatMulQ4_0() { super(Op.MAT_MUL, WeightType.Q4_0); } }
    public static final class MatMulQ4_K extends LinearCase { public MatMulQ4_K() { super(Op.MAT_MUL, WeightType.Q4_K); } }
    public static final class MatMulQ6_K extends LinearCase { public MatMulQ6_K() { super(Op.MAT_MUL, WeightType.Q6_K); } }
    public static final class MatMulAddF32 extends LinearCase { public MatMulAddF32() { super(Op.MAT_MUL_ADD, WeightType.F32); } }
    public static final class MatMulAddF16 extends LinearCase { public MatMulAddF16() { super(Op.MAT_MUL_ADD, WeightType.F16); } }
    public static final class MatMulAddBF16 extends LinearCase { public MatMulAddBF16() { super(Op.MAT_MUL_ADD, WeightType.BF16); } }
    public static final class MatMulAddQ8_0 extends LinearCase { public MatMulAddQ8_0() { super(Op.MAT_MUL_ADD, WeightType.Q8_0); } }
    public static final class MatMulAddQ4_0 extends LinearCase { public MatMulAddQ4_0() { super(Op.MAT_MUL_ADD, WeightType.Q4_0); } }
    public static final class MatMulAddQ4_K extends LinearCase { public MatMulAddQ4_K() { super(Op.MAT_MUL_ADD, WeightType.Q4_K); } }
    public static final class MatMulAddQ6_K extends LinearCase { public MatMulAddQ6_K() { super(Op.MAT_MUL_ADD, WeightType.Q6_K); } }
    public static final class SwiGluMatMulF32 extends LinearCase { public SwiGluMatMulF32() { super(Op.SWIGLU_MAT_MUL, WeightType.F32); } }
    public static final class SwiGluMatMulF16 extends LinearCase { public SwiGluMatMulF16() { super(Op.SWIGLU_MAT_MUL, WeightType.F16); } }
    public static final class SwiGluMatMulBF16 extends LinearCase { public SwiGluMatMulBF16() { super(Op.SWIGLU_MAT_MUL, WeightType.BF16); } }
    public static final class SwiGluMatMulQ8_0 extends LinearCase { public SwiGluMatMulQ8_0() { super(Op.SWIGLU_MAT_MUL, WeightType.Q8_0); } }
    public static final class SwiGluMatMulQ4_0 extends LinearCase { public SwiGluMatMulQ4_0() { super(Op.SWIGLU_MAT_MUL, WeightType.Q4_0); } }
    public static final class SwiGluMatMulQ4_K extends LinearCase { public SwiGluMatMulQ4_K() { super(Op.SWIGLU_MAT_MUL, WeightType.Q4_K); } }
    public static final class SwiGluMatMulQ6_K extends LinearCase { public SwiGluMatMulQ6_K() { super(Op.SWIGLU_MAT_MUL, WeightType.Q6_K); } }
}
