// Packs a launch's Java arguments into cuLaunchKernel's kernelParams: a void** array pointing at each argument's value.
package gale.compute.cuda;

import gale.compute.ComputeException;
import gale.compute.spi.DeviceBuffer;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelParam;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The {@code void** kernelParams} layout: one pointer per kernel parameter, in the order of the CUDA entry's
 * parameters (the Java order without the KernelContext slot), each pointing at an 8-byte-aligned slot holding the
 * value (a 64-bit CUdeviceptr for arrays, int32, int64 or float32). cuLaunchKernel copies the values during the call,
 * so the memory may be reused as soon as it returns. Stateless and thread-safe.
 */
final class KernelArgs {
    private KernelArgs() {}

    /** Number of parameters the CUDA entry has (Java parameters minus the KernelContext). */
    static int deviceParamCount(List<KernelParam> params) {
        int n = 0;
        for (KernelParam p : params) if (p.kind() != KernelParam.Kind.CONTEXT) n++;
        return n;
    }

    /** Bytes {@link #pack} needs from its allocator: the pointer array plus one 8-byte slot per value. */
    static long packedBytes(List<KernelParam> params) {
        return 16L * Math.max(1, deviceParamCount(params));
    }

    /**
     * Writes the values and the pointer array into memory from {@code alloc} and returns the pointer array (or
     * {@link MemorySegment#NULL} for a kernel without parameters). {@code devicePointer} maps a {@link DeviceBuffer}
     * argument to its CUdeviceptr and throws a ComputeException for a buffer that is not a live one of this device.
     */
    static MemorySegment pack(KernelInfo kernel, Object[] args, SegmentAllocator alloc, ToLongFunction<Object> devicePointer) {
        List<KernelParam> params = kernel.params();
        if (args.length != params.size())
            throw new ComputeException("kernel " + kernel.qualifiedName() + " (" + kernel.location() + ") takes " + params.size()
                    + " arguments, got " + args.length);
        int n = deviceParamCount(params);
        if (n == 0) return MemorySegment.NULL;
        MemorySegment pointers = alloc.allocate(8L * n, 8);
        MemorySegment values = alloc.allocate(8L * n, 8);
        int slot = 0;
        for (int i = 0; i < params.size(); i++) {
            KernelParam p = params.get(i);
            Object a = args[i];
            long off = 8L * slot;
            switch (p.kind()) {
                case CONTEXT -> { continue; }
                case FLOAT_ARRAY, HALF_ARRAY, BYTE_ARRAY, INT_ARRAY -> {
                    if (!(a instanceof DeviceBuffer)) throw badArg(kernel, p, i, a);
                    long ptr;
                    try {
                        ptr = devicePointer.applyAsLong(a);
                    } catch (ComputeException e) { // a buffer of another device, or one already freed
                        throw new ComputeException("kernel " + kernel.qualifiedName() + " (" + kernel.location() + "): argument " + i
                                + " '" + p.name() + "': " + e.getMessage(), e);
                    }
                    values.set(ValueLayout.JAVA_LONG, off, ptr);
                }
                case INT -> {
                    if (!(a instanceof Integer v)) throw badArg(kernel, p, i, a);
                    values.set(ValueLayout.JAVA_INT, off, v);
                }
                case LONG -> {
                    // An int literal passed for a long parameter is widened, as Java would.
                    if (a instanceof Long v) values.set(ValueLayout.JAVA_LONG, off, v);
                    else if (a instanceof Integer v) values.set(ValueLayout.JAVA_LONG, off, v.longValue());
                    else throw badArg(kernel, p, i, a);
                }
                case FLOAT -> {
                    if (!(a instanceof Float v)) throw badArg(kernel, p, i, a);
                    values.set(ValueLayout.JAVA_FLOAT, off, v);
                }
            }
            pointers.setAtIndex(ValueLayout.ADDRESS, slot, values.asSlice(off, 8));
            slot++;
        }
        return pointers;
    }

    private static ComputeException badArg(KernelInfo k, KernelParam p, int index, Object a) {
        return new ComputeException("kernel " + k.qualifiedName() + " (" + k.location() + "): argument " + index + " '" + p.name()
                + "' must be a " + p.kind().javaName() + ", got " + (a == null ? "null" : a.getClass().getSimpleName()));
    }
}
