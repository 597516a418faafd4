// A kernel ready to launch on one device.
package gale.compute.spi;

/** A kernel compiled for one device. */
public interface CompiledKernel {
    KernelInfo info();
}
