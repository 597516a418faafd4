// Memory on a device.
package gale.compute.spi;

/** A buffer in a device's memory. Owned by an execution plan; freed when the plan closes. */
public interface DeviceBuffer extends AutoCloseable {
    long byteSize();

    @Override void close();
}
