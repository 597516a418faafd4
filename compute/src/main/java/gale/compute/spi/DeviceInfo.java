// A device's description and capabilities, as data.
package gale.compute.spi;

/**
 * What a device is and can do. Capabilities are data, so callers never test backend classes.
 *
 * @param id                 selection id: "jvm", "opencl:N", "cuda:N"
 * @param backend            "jvm", "opencl", "cuda"
 * @param name               device name
 * @param vendor             vendor string
 * @param type               "CPU", "GPU", "ACCELERATOR"…
 * @param computeUnits       cores or compute units
 * @param globalMemoryBytes  device (or host) memory
 * @param localMemoryBytes   work-group local memory, 0 if none
 * @param maxWorkGroupSize   largest work-group
 * @param fp16               native half arithmetic (halves are always storable)
 * @param version            API/driver version text (OpenCL version, CUDA driver, Java version)
 * @param languageVersion    kernel language version (OpenCL C version, compute capability)
 */
public record DeviceInfo(String id, String backend, String name, String vendor, String type, int computeUnits,
                         long globalMemoryBytes, long localMemoryBytes, long maxWorkGroupSize, boolean fp16,
                         String version, String languageVersion) {}
