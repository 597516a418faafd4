// Row selection in a batch: e.g. the last prompt token's hidden state, the only one whose logits are needed.
package gale.kernels;

import gale.compute.FloatArray;
import gale.compute.Kernel;
import gale.compute.Parallel;

/** Copies between a batch and a single row. Reference: the obvious loop (tested in RowsTest). */
public final class Rows {
    private Rows() {}

    /** out[i] = x[row·n + i] for i &lt; n. x: (rows, n); out: (n). */
    @Kernel
    public static void copyRow(FloatArray out, FloatArray x, int row, int n) {
        for (@Parallel int i = 0; i < n; i++) out.set(i, x.get((long) row * n + i));
    }
}
