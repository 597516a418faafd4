// The generated per-class index of kernels.
package gale.compute.spi;

import java.util.List;

/** Implemented by each generated {@code <Class>_GaleKernels}: the kernels of one class. */
public interface KernelLibrary {
    List<KernelInfo> kernels();
}
