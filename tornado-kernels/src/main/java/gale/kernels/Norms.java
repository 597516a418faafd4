// Normalisation kernels: RMSNorm over the rows of a batch.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.Gale;
import gale.compute.Kernel;
import gale.compute.KernelContext;
import gale.compute.Parallel;

/** RMSNorm as in Llama. Reference: {@code reference.NormsReference}. */
public final class Norms {
    private Norms() {}

    /** The largest work-group size of {@link #rmsNormGroup}. */
    public static final int GROUP_MAX = 256;

    /**
     * out[t, i] = x[t, i]·w[i] / sqrt(mean_i(x[t, i]²) + eps) for t &lt; rows; x, out: (rows, n), w: (n).
     * One work-item per row; out may be x (in place: each row is read fully before it is written).
     */
    @Kernel
    public static void rmsNorm(FloatArray out, FloatArray x, FloatArray w, int rows, int n, float eps) {
        for (@Parallel int t = 0; t < rows; t++) {
            long base = (long) t * n;
            float ss = 0f;
            for (int i = 0; i < n; i++) {
                float v = x.get(base + i);
                ss += v * v;
            }
            float scale = Gale.rsqrt(ss / n + eps);
            for (int i = 0; i < n; i++) out.set(base + i, x.get(base + i) * scale * w.get(i));
        }
    }

    /**
     * {@link #rmsNorm} with one work-group per row, for GPUs (decode has a single row, so the @Parallel version would
     * run on one work-item). Grid: rows·local work-items, local a power of two ≤ {@value #GROUP_MAX}.
     */
    @Kernel(jvm = "rmsNorm")
    public static void rmsNormGroup(KernelContext ctx, FloatArray out, FloatArray x, FloatArray w, int rows, int n, float eps) {
        float[] partial = ctx.allocateFloatLocalArray(GROUP_MAX);
        int t = ctx.groupIdx, lid = ctx.localIdx, size = ctx.localGroupSizeX;
        long base = (long) t * n;
        float ss = 0f;
        for (int i = lid; i < n; i += size) {
            float v = x.get(base + i);
            ss += v * v;
        }
        partial[lid] = ss;
        for (int stride = size / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (lid < stride) partial[lid] += partial[lid + stride];
        }
        ctx.localBarrier();
        float scale = Gale.rsqrt(partial[0] / n + eps);
        // each work-item rewrites only the elements it read, so out may be x
        for (int i = lid; i < n; i += size) out.set(base + i, x.get(base + i) * scale * w.get(i));
    }
}
