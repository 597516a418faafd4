// The shape of a translated Gale kernel file (KernelInfo.cudaSource), pinned by CudaSourceShapeTest and NvrtcTest:
// no #include at all, so NVRTC needs no toolkit headers; halves are 16-bit storage converted with PTX cvt instructions,
// which is what cuda_fp16.h's __half2float/__float2half compile to.
typedef unsigned short gale_half;
__device__ __forceinline__ float gale_half_to_float(gale_half h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
__device__ __forceinline__ gale_half gale_float_to_half(float f) { gale_half h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }

// @Parallel loop → grid-stride loop: any grid size is correct, so the backend may round or cap the grid.
extern "C" __global__ void gale_saxpy(float* __restrict__ y, const float* __restrict__ x, float a, int n) {
    for (long i = (long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long) blockDim.x * gridDim.x) y[i] += a * x[i];
}

// Two @Parallel dimensions: LaunchGrid.global[d] is served by CUDA dimension d (x for the outermost loop), like get_global_id(d).
extern "C" __global__ void gale_scale2d(float* m, int rows, int cols, float s) {
    for (long r = (long) blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += (long) blockDim.x * gridDim.x)
        for (long c = (long) blockIdx.y * blockDim.y + threadIdx.y; c < cols; c += (long) blockDim.y * gridDim.y)
            m[r * cols + c] *= s;
}

// KernelContext kernel: local memory → __shared__, localBarrier → __syncthreads, float atomicAdd. Needs 256-thread blocks.
extern "C" __global__ void gale_sum(const float* x, float* out, int n) {
    __shared__ float tile[256];
    int lid = threadIdx.x;
    float acc = 0.0f;
    for (long i = (long) blockIdx.x * blockDim.x + lid; i < n; i += (long) blockDim.x * gridDim.x) acc += x[i];
    tile[lid] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (lid < s) tile[lid] += tile[lid + s];
        __syncthreads();
    }
    if (lid == 0) atomicAdd(out, tile[0]);
}

// int atomicAdd and a long parameter.
extern "C" __global__ void gale_count(int* counter, const int* flags, long n) {
    for (long i = (long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long) blockDim.x * gridDim.x)
        if (flags[i] != 0) atomicAdd(counter, 1);
}

// HalfArray in and out.
extern "C" __global__ void gale_half_scale(gale_half* out, const gale_half* in, float s, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        out[i] = gale_float_to_half(gale_half_to_float(in[i]) * s);
}
