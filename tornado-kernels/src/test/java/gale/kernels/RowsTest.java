// Tests Rows.copyRow against a plain loop.
package gale.kernels;

import gale.compute.FloatArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RowsTest {
    @Test void copyRowPicksTheRow() {
        int rows = 5, n = 7;
        FloatArray x = FloatArray.create(rows * n), out = FloatArray.create(n);
        for (int i = 0; i < rows * n; i++) x.set(i, i * 0.5f);
        Rows.copyRow(out, x, 3, n);
        for (int i = 0; i < n; i++) assertEquals(x.get(3 * n + i), out.get(i));
    }
}
