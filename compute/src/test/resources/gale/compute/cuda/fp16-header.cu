// The alternative preamble: cuda_fp16.h. nvcc finds it; NVRTC only with -I<toolkit>/include (NVRTC has no built-in copy).
#include <cuda_fp16.h>
extern "C" __global__ void gale_half_scale(__half* out, const __half* in, float s, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        out[i] = __float2half(__half2float(in[i]) * s);
}
