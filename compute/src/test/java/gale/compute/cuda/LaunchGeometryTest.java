// Tests of how a LaunchGrid becomes CUDA grid and block dimensions within a device's limits.
package gale.compute.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchGeometryTest {
    /** An H100's limits. */
    static final LaunchGeometry.Limits GPU = new LaunchGeometry.Limits(1024, new int[]{1024, 1024, 64},
            new int[]{Integer.MAX_VALUE, 65535, 65535});

    private static LaunchGeometry parallel(long... global) { return LaunchGeometry.of(global, null, false, GPU); }

    @Test void parallel1dRoundsUpToWholeBlocks() {
        LaunchGeometry g = parallel(1000);
        assertArrayEquals(new int[]{256, 1, 1}, g.block());
        assertArrayEquals(new int[]{4, 1, 1}, g.grid());
        g = parallel(4096);
        assertArrayEquals(new int[]{16, 1, 1}, g.grid());
    }

    @Test void tinyLaunchesUseOneWarpSizedBlock() {
        LaunchGeometry g = parallel(10);
        assertArrayEquals(new int[]{32, 1, 1}, g.block());
        assertArrayEquals(new int[]{1, 1, 1}, g.grid());
        g = parallel(1);
        assertArrayEquals(new int[]{32, 1, 1}, g.block());
    }

    @Test void parallel2dAnd3dCoverEveryIterationWithin256Threads() {
        for (long[] global : new long[][]{{4096, 7}, {5, 4096}, {100, 100}, {3, 5, 7}, {64, 64, 64}, {1, 1, 1000}}) {
            LaunchGeometry g = parallel(global);
            long threads = 1;
            for (int d = 0; d < 3; d++) threads *= g.block()[d];
            assertTrue(threads <= 256, g.toString());
            for (int d = 0; d < global.length; d++)
                assertTrue((long) g.grid()[d] * g.block()[d] >= global[d], "dimension " + d + " of " + g);
        }
        LaunchGeometry g = parallel(4096, 7);
        assertArrayEquals(new int[]{32, 7, 1}, g.block());
        assertArrayEquals(new int[]{128, 1, 1}, g.grid());
    }

    @Test void gridStrideKernelsHaveTheirGridCappedAtTheDeviceLimit() {
        LaunchGeometry g = parallel(32, 100_000_000L);
        assertEquals(65535, g.grid()[1]);
        g = LaunchGeometry.of(new long[]{Long.MAX_VALUE / 2}, null, false, GPU);
        assertEquals(Integer.MAX_VALUE, g.grid()[0]);
    }

    @Test void smallDevicesCapTheBlock() {
        var small = new LaunchGeometry.Limits(128, new int[]{128, 128, 64}, new int[]{65535, 65535, 65535});
        LaunchGeometry g = LaunchGeometry.of(new long[]{1000}, null, false, small);
        assertArrayEquals(new int[]{128, 1, 1}, g.block());
        assertArrayEquals(new int[]{8, 1, 1}, g.grid());
    }

    @Test void explicitWorkGroupsDivideTheGlobalSize() {
        LaunchGeometry g = LaunchGeometry.of(new long[]{1024, 6}, new long[]{256, 2}, true, GPU);
        assertArrayEquals(new int[]{256, 2, 1}, g.block());
        assertArrayEquals(new int[]{4, 3, 1}, g.grid());
    }

    @Test void badWorkGroupsAreRefusedWithTheReason() {
        var e = assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.of(new long[]{1000}, new long[]{256}, true, GPU));
        assertTrue(e.getMessage().contains("not a multiple"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.of(new long[]{2048, 2048}, new long[]{64, 32}, true, GPU));
        assertTrue(e.getMessage().contains("2048 threads") && e.getMessage().contains("1024"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.of(new long[]{128, 128, 128}, new long[]{1, 1, 128}, true, GPU));
        assertTrue(e.getMessage().contains("block limit 64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.of(new long[]{1, 70000}, new long[]{1, 1}, true, GPU));
        assertTrue(e.getMessage().contains("grid limit 65535"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.of(new long[]{64}, new long[]{8, 8}, true, GPU));
        assertTrue(e.getMessage().contains("dimensions"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parallel(0));
        assertThrows(IllegalArgumentException.class, () -> parallel(1, 2, 3, 4));
    }

    @Test void contextKernelsWithoutWorkGroupGetExactlyTheirGlobalSize() {
        // A KernelContext kernel sees every thread; rounding up would run work-items that do not exist.
        for (long n : new long[]{1000, 4096, 97, 1, 768, 12_582_912}) {
            LaunchGeometry g = LaunchGeometry.of(new long[]{n}, null, true, GPU);
            assertEquals(n, (long) g.grid()[0] * g.block()[0], g.toString());
            assertTrue(g.block()[0] <= 256);
        }
        assertArrayEquals(new int[]{250, 1, 1}, LaunchGeometry.of(new long[]{1000}, null, true, GPU).block());
        LaunchGeometry g = LaunchGeometry.of(new long[]{96, 10}, null, true, GPU);
        assertEquals(96, g.grid()[0] * g.block()[0]);
        assertEquals(10, g.grid()[1] * g.block()[1]);
    }

    @Test void largestDivisor() {
        assertEquals(250, LaunchGeometry.largestDivisorAtMost(1000, 256));
        assertEquals(1, LaunchGeometry.largestDivisorAtMost(257, 256));
        assertEquals(5, LaunchGeometry.largestDivisorAtMost(5, 256));
    }
}
