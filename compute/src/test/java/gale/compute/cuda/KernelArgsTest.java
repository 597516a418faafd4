// Tests of the void** kernelParams layout cuLaunchKernel reads: pointer array, 8-byte slots, values by kind.
package gale.compute.cuda;

import gale.compute.ComputeException;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelParam;
import gale.compute.spi.KernelParam.Kind;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelArgsTest {
    static KernelInfo kernel(Kind... kinds) {
        List<KernelParam> ps = new ArrayList<>();
        for (int i = 0; i < kinds.length; i++) ps.add(new KernelParam("p" + i, kinds[i]));
        return new KernelInfo("t.K", "k", "K.java:1", ps, "gale_k", null, "", 1, a -> new long[]{1}, KernelInfo.Features.NONE, null, "");
    }

    /** Stands in for a device buffer: its "device pointer" is chosen by the test; 0 plays a buffer of another device. */
    record FakeBuffer(long dptr) implements DeviceBuffer {
        @Override public long byteSize() { return 8; }

        @Override public void close() {}
    }

    private static long ptr(Object o) {
        if (o instanceof FakeBuffer b && b.dptr != 0) return b.dptr;
        throw new ComputeException(o + " is not a buffer of this device");
    }

    /** The value the i-th kernelParams pointer points at, as bytes. */
    private static MemorySegment slot(MemorySegment params, int i, long size) {
        return params.reinterpret(8L * (i + 1)).getAtIndex(ValueLayout.ADDRESS, i).reinterpret(size);
    }

    @Test void packsEveryKindAndSkipsTheContext() {
        KernelInfo k = kernel(Kind.CONTEXT, Kind.FLOAT_ARRAY, Kind.INT, Kind.LONG, Kind.FLOAT, Kind.HALF_ARRAY, Kind.BYTE_ARRAY, Kind.INT_ARRAY);
        Object[] args = {null, new FakeBuffer(0x7f00_0000_1000L), 42, 1L << 40, 2.5f, new FakeBuffer(0x2000), new FakeBuffer(0x3000),
                new FakeBuffer(0xdead_beef_0000L)};
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = KernelArgs.pack(k, args, a, KernelArgsTest::ptr);
            assertEquals(0x7f00_0000_1000L, slot(p, 0, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(42, slot(p, 1, 4).get(ValueLayout.JAVA_INT, 0));
            assertEquals(1L << 40, slot(p, 2, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(2.5f, slot(p, 3, 4).get(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(0x2000L, slot(p, 4, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0x3000L, slot(p, 5, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0xdead_beef_0000L, slot(p, 6, 8).get(ValueLayout.JAVA_LONG, 0));
            // Each value sits in its own 8-byte-aligned slot: the ABI alignment of every CUDA parameter type we pass.
            for (int i = 0; i < 7; i++) {
                long addr = p.reinterpret(56).getAtIndex(ValueLayout.ADDRESS, i).address();
                assertEquals(0, addr % 8, "slot " + i);
                if (i > 0) assertEquals(8, addr - p.reinterpret(56).getAtIndex(ValueLayout.ADDRESS, i - 1).address());
            }
        }
    }

    @Test void intValuesAreExactBytesLittleEndian() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = KernelArgs.pack(kernel(Kind.INT, Kind.FLOAT), new Object[]{-2, 1.0f}, a, KernelArgsTest::ptr);
            assertEquals(List.of((byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff), bytes(slot(p, 0, 4)));
            assertEquals(List.of((byte) 0, (byte) 0, (byte) 0x80, (byte) 0x3f), bytes(slot(p, 1, 4)));
        }
    }

    private static List<Byte> bytes(MemorySegment s) {
        List<Byte> out = new ArrayList<>();
        for (byte b : s.toArray(ValueLayout.JAVA_BYTE)) out.add(b);
        return out;
    }

    @Test void anIntLiteralIsWidenedForALongParameter() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = KernelArgs.pack(kernel(Kind.LONG), new Object[]{-7}, a, KernelArgsTest::ptr);
            assertEquals(-7L, slot(p, 0, 8).get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test void aKernelWithOnlyAContextHasNoParameters() {
        try (Arena a = Arena.ofConfined()) {
            assertEquals(MemorySegment.NULL, KernelArgs.pack(kernel(Kind.CONTEXT), new Object[]{null}, a, KernelArgsTest::ptr));
        }
        assertEquals(0, KernelArgs.deviceParamCount(kernel(Kind.CONTEXT).params()));
        assertEquals(3 * 16, KernelArgs.packedBytes(kernel(Kind.CONTEXT, Kind.INT, Kind.INT, Kind.FLOAT_ARRAY).params()));
    }

    @Test void wrongArgumentsNameTheParameterAndTheKernel() {
        try (Arena a = Arena.ofConfined()) {
            var e = assertThrows(ComputeException.class, () -> KernelArgs.pack(kernel(Kind.FLOAT_ARRAY, Kind.FLOAT), new Object[]{new FakeBuffer(8), 1.0},
                    a, KernelArgsTest::ptr));
            assertTrue(e.getMessage().contains("argument 1 'p1' must be a float, got Double") && e.getMessage().contains("K.k (K.java:1)"), e.getMessage());
            e = assertThrows(ComputeException.class, () -> KernelArgs.pack(kernel(Kind.FLOAT_ARRAY), new Object[]{null}, a, KernelArgsTest::ptr));
            assertTrue(e.getMessage().contains("must be a FloatArray, got null"), e.getMessage());
            e = assertThrows(ComputeException.class, () -> KernelArgs.pack(kernel(Kind.INT_ARRAY), new Object[]{"x"}, a, KernelArgsTest::ptr));
            assertTrue(e.getMessage().contains("argument 0 'p0' must be a IntArray, got String"), e.getMessage());
            e = assertThrows(ComputeException.class, () -> KernelArgs.pack(kernel(Kind.INT, Kind.BYTE_ARRAY), new Object[]{1, new FakeBuffer(0)}, a,
                    KernelArgsTest::ptr));
            assertTrue(e.getMessage().contains("K.k (K.java:1): argument 1 'p1': FakeBuffer[dptr=0] is not a buffer of this device"), e.getMessage());
            e = assertThrows(ComputeException.class, () -> KernelArgs.pack(kernel(Kind.INT), new Object[]{1, 2}, a, KernelArgsTest::ptr));
            assertTrue(e.getMessage().contains("takes 1 arguments, got 2"), e.getMessage());
        }
    }
}
