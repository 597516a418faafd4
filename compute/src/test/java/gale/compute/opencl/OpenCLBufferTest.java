// Buffers: zero-filled allocation and host round trips of every array type, including a memory-mapped file view.
package gale.compute.opencl;

import gale.compute.ByteArray;
import gale.compute.ComputeException;
import gale.compute.FloatArray;
import gale.compute.HalfArray;
import gale.compute.IntArray;
import gale.compute.spi.DeviceBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.*;

class OpenCLBufferTest {
    private final OpenCLDevice dev = OpenCLTestSupport.device();

    @Test void allocationIsZeroFilled() {
        // Dirty a buffer and free it first, so a recycled allocation would show old contents.
        for (long bytes : new long[]{4096, 4097, 7, 1 << 20}) {
            FloatArray junk = FloatArray.create((bytes + 3) / 4);
            junk.fill(123.5f);
            try (DeviceBuffer dirty = dev.allocate(junk.byteSize(), "dirty")) { dev.upload(dirty, junk.segment()); }
            try (DeviceBuffer b = dev.allocate(bytes, "zeros " + bytes)) {
                assertEquals(bytes, b.byteSize());
                ByteArray out = ByteArray.create(bytes);
                out.segment().fill((byte) 0x5A);
                dev.download(b, out.segment());
                for (long i = 0; i < bytes; i++) assertEquals(0, out.get(i), "byte " + i + " of " + bytes);
            }
        }
    }

    @Test void everyArrayTypeRoundTrips() {
        FloatArray f = FloatArray.of(1.5f, -2f, Float.NaN, Float.MIN_VALUE, 3e38f);
        FloatArray f2 = FloatArray.create(f.length());
        roundTrip(f.segment(), f2.segment());
        assertArrayEquals(f.toArray(), f2.toArray());

        HalfArray h = HalfArray.of(0.5f, -1.25f, 65504f, 6e-8f);
        HalfArray h2 = HalfArray.create(h.length());
        roundTrip(h.segment(), h2.segment());
        for (int i = 0; i < h.length(); i++) assertEquals(h.getBits(i), h2.getBits(i));

        ByteArray b = ByteArray.of((byte) -128, (byte) 0, (byte) 127, (byte) 5, (byte) 9);
        ByteArray b2 = ByteArray.create(b.length());
        roundTrip(b.segment(), b2.segment());
        assertArrayEquals(b.toArray(), b2.toArray());

        IntArray n = IntArray.of(Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE);
        IntArray n2 = IntArray.create(n.length());
        roundTrip(n.segment(), n2.segment());
        assertArrayEquals(n.toArray(), n2.toArray());
    }

    private void roundTrip(MemorySegment src, MemorySegment dst) {
        try (DeviceBuffer buf = dev.allocate(src.byteSize(), "round trip")) {
            dev.upload(buf, src);
            dev.download(buf, dst);
        }
    }

    @Test void memoryMappedViewUploads(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("weights.bin");
        int n = 10_000;
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = i * 0.25f - 7;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tmp = a.allocate(4L * n + 64);
            MemorySegment.copy(values, 0, tmp, ValueLayout.JAVA_FLOAT_UNALIGNED, 64, n);
            Files.write(file, tmp.toArray(ValueLayout.JAVA_BYTE));
        }
        try (Arena a = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), a);
            FloatArray view = FloatArray.view(mapped.asSlice(64, 4L * n)); // a region after a 64-byte header
            FloatArray back = FloatArray.create(n);
            roundTrip(view.segment(), back.segment());
            assertArrayEquals(values, back.toArray());
        }
    }

    @Test void heapSegmentsAndPartialTransfers() {
        float[] heap = {1, 2, 3, 4};
        try (DeviceBuffer buf = dev.allocate(32, "partial")) {
            dev.upload(buf, MemorySegment.ofArray(heap));
            float[] back = new float[8];
            dev.download(buf, MemorySegment.ofArray(back));
            assertArrayEquals(new float[]{1, 2, 3, 4, 0, 0, 0, 0}, back);
        }
    }

    @Test void oversizedTransferAndClosedBufferAreRefused() {
        DeviceBuffer buf = dev.allocate(16, "small");
        ComputeException e = assertThrows(ComputeException.class, () -> dev.upload(buf, FloatArray.create(5).segment()));
        assertTrue(e.getMessage().contains("small") && e.getMessage().contains("opencl:0"), e.getMessage());
        buf.close();
        buf.close(); // idempotent
        e = assertThrows(ComputeException.class, () -> dev.download(buf, FloatArray.create(4).segment()));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test void closedContextRefusesItsObjectsAndReopens() {
        DeviceBuffer old = dev.allocate(16, "old");
        gale.compute.spi.CompiledKernel k = dev.compile(OpenCLTestSupport.vadd());
        dev.close();
        ComputeException e = assertThrows(ComputeException.class, () -> dev.upload(old, FloatArray.create(4).segment()));
        assertTrue(e.getMessage().contains("old") && e.getMessage().contains("closed"), e.getMessage());
        try (DeviceBuffer fresh = dev.allocate(16, "fresh")) {
            e = assertThrows(ComputeException.class, () -> dev.launch(k, new Object[]{fresh, fresh, fresh, 4},
                    new gale.compute.spi.LaunchGrid(new long[]{4}, null), false));
            assertTrue(e.getMessage().contains("compile it again"), e.getMessage());
            FloatArray in = FloatArray.of(1, 2, 3, 4), out = FloatArray.create(4);
            dev.upload(fresh, in.segment());
            dev.download(fresh, out.segment());
            assertArrayEquals(in.toArray(), out.toArray());
        }
        old.close(); // releasing an object of the closed context is harmless
    }
}
