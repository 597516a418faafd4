// Small runtime helpers the generated <Class>_GaleKernels call: grid sizes, jvm-twin chunk mapping, source assembly.
package gale.compute.translate;

import gale.compute.ComputeException;
import gale.compute.KernelContext;

import java.math.BigInteger;

/**
 * Support for generated code only (it is public because generated classes live in the kernels' packages).
 * Stateless; thread-safe.
 */
public final class GeneratedSupport {
    private GeneratedSupport() {}

    /** Iterations of {@code for (i = start; i < end; i += step)}: max(0, ceil((end - start) / step)). */
    public static long iterations(String kernel, int dim, long start, long end, long step) {
        if (step <= 0)
            throw new ComputeException("kernel " + kernel + ": the step of @Parallel loop " + dim + " is " + step + "; it must be positive");
        return end <= start ? 0 : Math.ceilDiv(end - start, step);
    }

    /** The arguments without the KernelContext slot (always the first), as a jvm twin takes them. */
    public static Object[] dropContext(Object[] args) {
        Object[] out = new Object[args.length - 1];
        System.arraycopy(args, 1, out, 0, out.length);
        return out;
    }

    /** Work-items of the launch a context was configured for. */
    public static long workItems(KernelContext ctx) {
        return (long) ctx.globalGroupSizeX * ctx.globalGroupSizeY * ctx.globalGroupSizeZ;
    }

    /**
     * Maps a chunk boundary {@code x} of {@code [0, w)} onto {@code [0, n)}: floor(x * n / w). Monotone with 0 → 0 and
     * w → n, so the chunks a backend splits a launch into map onto chunks that cover the twin's iterations exactly once.
     */
    public static long scale(long x, long n, long w) {
        if (w <= 0) return 0;
        if (x == w) return n;
        long hi = Math.multiplyHigh(x, n);
        if (hi == 0 && x * n >= 0) return x * n / w;
        return BigInteger.valueOf(x).multiply(BigInteger.valueOf(n)).divide(BigInteger.valueOf(w)).longValueExact();
    }

    /** Joins source chunks (kept apart so no class-file constant exceeds its 64 KiB limit). */
    public static String source(String... lines) {
        return String.join("", lines);
    }
}
