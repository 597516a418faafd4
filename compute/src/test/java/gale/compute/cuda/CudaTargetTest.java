// Tests of the NVRTC target and options chosen for a device: cubin for known architectures, PTX for newer GPUs.
package gale.compute.cuda;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CudaTargetTest {
    private static final int[] NVRTC_13_0 = {75, 80, 86, 87, 88, 89, 90, 100, 103, 110, 120, 121};

    @Test void aKnownArchitectureGetsACubinForItself() {
        assertEquals(new CudaDevice.Target("sm_90", true), CudaDevice.target(90, NVRTC_13_0));
        assertEquals(new CudaDevice.Target("sm_80", true), CudaDevice.target(80, NVRTC_13_0));
        assertEquals("--gpu-architecture=sm_90", CudaDevice.target(90, NVRTC_13_0).option());
        assertEquals("cubin", CudaDevice.target(90, NVRTC_13_0).format());
    }

    @Test void aGpuNewerThanNvrtcGetsPtxForTheNewestKnownArchitecture() {
        CudaDevice.Target t = CudaDevice.target(90, new int[]{50, 60, 70, 75, 80, 86});
        assertEquals(new CudaDevice.Target("compute_86", false), t);
        assertEquals("ptx", t.format());
    }

    @Test void aGpuOlderThanEveryArchitectureCannotBeServed() {
        assertNull(CudaDevice.target(61, NVRTC_13_0)); // CUDA 13 dropped Pascal
    }

    @Test void anNvrtcThatCannotListArchitecturesGetsPtxForTheDevice() {
        assertEquals(new CudaDevice.Target("compute_89", false), CudaDevice.target(89, new int[0]));
    }

    @Test void optionsAddIncludeDirsOnlyForSourcesThatIncludeSomething() {
        CudaDevice.Target t = new CudaDevice.Target("sm_90", true);
        List<Path> inc = List.of(Path.of("/usr/local/cuda/include"));
        assertEquals(List.of("--gpu-architecture=sm_90", "-default-device", "--std=c++17"), CudaDevice.options(t, "extern \"C\" __global__ void k(){}", inc));
        assertEquals(List.of("--gpu-architecture=sm_90", "-default-device", "--std=c++17", "-I/usr/local/cuda/include"),
                CudaDevice.options(t, "#include <cuda_fp16.h>\n", inc));
    }
}
