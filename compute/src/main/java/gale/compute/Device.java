// A device a plan can run on, as users see it: its id and description.
package gale.compute;

import gale.compute.spi.ComputeDevice;
import gale.compute.spi.DeviceInfo;

/** A device ("jvm", "opencl:0", "cuda:0"). Obtain one from {@link Devices}. Thread-safe to share; plans use it one at a time. */
public final class Device {
    final ComputeDevice impl;

    Device(ComputeDevice impl) { this.impl = impl; }

    public DeviceInfo info() { return impl.info(); }

    public String id() { return impl.info().id(); }

    @Override public String toString() { return id() + " (" + info().name() + ")"; }
}
