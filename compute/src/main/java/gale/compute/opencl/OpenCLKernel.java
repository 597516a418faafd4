// A cl_kernel for one compile() call, remembering the arguments last set so launches only set what changed.
package gale.compute.opencl;

import gale.compute.ComputeException;
import gale.compute.spi.CompiledKernel;
import gale.compute.spi.KernelInfo;
import gale.compute.spi.KernelParam;

import java.lang.foreign.MemorySegment;

import static gale.compute.opencl.CL.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A kernel object of one device. Each {@code compile()} makes its own cl_kernel, so an execution plan's task (whose
 * arguments are fixed) sets them once and later launches set nothing. Released by a Cleaner when unreachable.
 * Not thread-safe on its own: {@link OpenCLDevice} calls it under the device's lock.
 */
final class OpenCLKernel implements CompiledKernel {
    final OpenCLDevice device;
    final Object session;
    final MemorySegment handle;
    final OpenCLDevice.Handle state;
    private final KernelInfo info;
    private final KernelParam.Kind[] kinds;
    private final int[] clIndex; // Java parameter -> OpenCL argument index, -1 for the KernelContext
    final int deviceArgCount;
    private final Object[] last;  // values last set, per Java parameter
    long maxWorkGroupSize;

    OpenCLKernel(OpenCLDevice device, Object session, MemorySegment handle, KernelInfo info) {
        this.device = device;
        this.session = session;
        this.handle = handle;
        this.state = new OpenCLDevice.Handle(handle, true);
        this.info = info;
        int n = info.params().size();
        kinds = new KernelParam.Kind[n];
        clIndex = new int[n];
        int c = 0;
        for (int i = 0; i < n; i++) {
            kinds[i] = info.params().get(i).kind();
            clIndex[i] = kinds[i] == KernelParam.Kind.CONTEXT ? -1 : c++;
        }
        deviceArgCount = c;
        last = new Object[n];
    }

    @Override public KernelInfo info() { return info; }

    String describe() { return info.qualifiedName() + " (" + info.location() + ", entry " + info.entryName() + ")"; }

    /** Sets the arguments that differ from the last launch; {@code slot} is 8 bytes of native scratch. */
    void bind(Object[] args, MemorySegment slot) throws Throwable {
        if (args.length != kinds.length)
            throw new ComputeException("kernel " + describe() + " takes " + kinds.length + " arguments, got " + args.length + " on device " + device.where());
        for (int i = 0; i < args.length; i++) {
            int ci = clIndex[i];
            if (ci < 0) continue;
            Object a = args[i];
            Object prev = last[i];
            if (a instanceof OpenCLDevice.OpenCLBuffer b) {
                if (b.state.released)
                    throw new ComputeException("kernel " + describe() + " argument " + i + " '" + name(i) + "': buffer " + b.label
                            + " is closed, on device " + device.where());
                if (a == prev) continue;
            } else if (a != null && a.equals(prev)) continue;
            set(i, ci, a, slot);
            last[i] = a;
        }
    }

    private void set(int i, int ci, Object a, MemorySegment slot) throws Throwable {
        long size;
        switch (kinds[i]) {
            case FLOAT_ARRAY, HALF_ARRAY, BYTE_ARRAY, INT_ARRAY -> {
                if (!(a instanceof OpenCLDevice.OpenCLBuffer b) || b.device != device || b.session != session)
                    throw argError(i, a, "a buffer of this device's current context");
                slot.set(ADDRESS, 0, b.mem);
                size = ADDRESS.byteSize();
            }
            case INT -> {
                if (!(a instanceof Integer v)) throw argError(i, a, "an Integer");
                slot.set(JAVA_INT, 0, v);
                size = 4;
            }
            case LONG -> {
                if (!(a instanceof Long v)) throw argError(i, a, "a Long");
                slot.set(JAVA_LONG, 0, v);
                size = 8;
            }
            case FLOAT -> {
                if (!(a instanceof Float v)) throw argError(i, a, "a Float");
                slot.set(JAVA_FLOAT, 0, v);
                size = 4;
            }
            default -> throw new IllegalStateException("parameter kind " + kinds[i]);
        }
        int rc = (int) clSetKernelArg.invokeExact(handle, ci, size, slot);
        check(rc, "clSetKernelArg", "argument " + i + " '" + name(i) + "' (OpenCL index " + ci + ") of kernel " + describe()
                + " on device " + device.where());
    }

    private String name(int i) { return info.params().get(i).name(); }

    private ComputeException argError(int i, Object a, String expected) {
        return new ComputeException("kernel " + describe() + " argument " + i + " '" + name(i) + "' (" + kinds[i].javaName()
                + ") must be " + expected + ", got " + (a == null ? "null" : a.getClass().getSimpleName() + " " + a)
                + ", on device " + device.where());
    }
}
