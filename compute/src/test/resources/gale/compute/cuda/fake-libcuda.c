// A stand-in for the NVIDIA driver (libcuda.so.1) that runs on the host, for CudaFakeDriverTest on machines without a GPU.
// It has the real ABI (the same C signatures and _v2 symbol names) so the Java FFM bindings are exercised byte for byte:
// "device" pointers are host pointers, copies are memcpy, and the one kernel it knows (gale_saxpy) runs on the host
// from the kernelParams array exactly as the GPU would receive it. Built with a SONAME other than libcuda.so.1 so a
// later dlopen("libcuda.so.1") in the same JVM never mistakes it for the real driver.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

#define TOTAL_MEM (1ull << 30)
static int ctx_token, stream_token, function_token, module_token;
static unsigned long long allocated;
static int ticks;
static int last_launch[7];
static int live_allocations;

CUresult cuInit(unsigned int flags) { return flags == 0 ? 0 : 1; }
CUresult cuDriverGetVersion(int *v) { *v = 12080; return 0; }
CUresult cuDeviceGetCount(int *n) { *n = 1; return 0; }
CUresult cuDeviceGet(int *dev, int ordinal) { if (ordinal != 0) return 101; *dev = 0; return 0; }
CUresult cuDeviceGetName(char *name, int len, int dev) { strncpy(name, "Gale Fake GPU", (size_t) len); return dev == 0 ? 0 : 101; }
CUresult cuDeviceTotalMem_v2(size_t *bytes, int dev) { *bytes = TOTAL_MEM; return dev == 0 ? 0 : 101; }

CUresult cuDeviceGetAttribute(int *v, int attr, int dev) {
    if (dev != 0) return 101;
    switch (attr) {
        case 1: *v = 1024; return 0;                          // max threads per block
        case 2: case 3: *v = 1024; return 0; case 4: *v = 64; return 0;
        case 5: *v = 2147483647; return 0; case 6: case 7: *v = 65535; return 0;
        case 8: *v = 49152; return 0;                         // shared memory per block
        case 16: *v = 132; return 0;                          // SMs
        case 75: *v = 9; return 0; case 76: *v = 0; return 0; // compute capability 9.0
        default: return 1;
    }
}

CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) { *ctx = &ctx_token; return dev == 0 ? 0 : 101; }
CUresult cuDevicePrimaryCtxRelease_v2(int dev) { return dev == 0 ? 0 : 101; }
CUresult cuCtxSetCurrent(void *ctx) { return ctx == &ctx_token ? 0 : 201; }
CUresult cuStreamCreate(void **s, unsigned int flags) { *s = &stream_token; return flags == 1 ? 0 : 1; }
CUresult cuStreamSynchronize(void *s) { return s == &stream_token ? 0 : 400; }
CUresult cuStreamDestroy_v2(void *s) { return s == &stream_token ? 0 : 400; }

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t n) {
    if (allocated + n > TOTAL_MEM / 2) return 2; // out of memory past half of "device" memory
    void *m = malloc(n);
    if (!m) return 2;
    memset(m, 0xAB, n); // garbage, so the backend's zero fill is observable
    allocated += n;
    live_allocations++;
    *p = (CUdeviceptr) (uintptr_t) m;
    return 0;
}
CUresult cuMemFree_v2(CUdeviceptr p) { if (!p) return 1; free((void *) (uintptr_t) p); live_allocations--; return 0; }
CUresult cuMemGetInfo_v2(size_t *free_, size_t *total) { *free_ = TOTAL_MEM / 2 - allocated; *total = TOTAL_MEM; return 0; }
CUresult cuMemsetD8Async(CUdeviceptr p, unsigned char v, size_t n, void *s) { if (s != &stream_token) return 400; memset((void *) (uintptr_t) p, v, n); return 0; }
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void *h, size_t n, void *s) { if (s != &stream_token) return 400; memcpy((void *) (uintptr_t) d, h, n); return 0; }
CUresult cuMemcpyDtoHAsync_v2(void *h, CUdeviceptr d, size_t n, void *s) { if (s != &stream_token) return 400; memcpy(h, (void *) (uintptr_t) d, n); return 0; }
CUresult cuMemHostAlloc(void **p, size_t n, unsigned int flags) { *p = malloc(n); return *p && flags == 1 ? 0 : 2; }
CUresult cuMemFreeHost(void *p) { free(p); return 0; }

static int contains(const char *hay, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) if (memcmp(hay + i, needle, k) == 0) return 1;
    return 0;
}

// options/values as cuModuleLoadDataEx documents: CU_JIT_ERROR_LOG_BUFFER (5) takes a char*, its size (6) a uint in the pointer.
CUresult cuModuleLoadDataEx(void **module, const void *image, unsigned int n, int *options, void **values) {
    const char *img = image;
    int elf = memcmp(img, "\x7f" "ELF", 4) == 0;
    size_t len = elf ? 65536 : strlen(img); // a cubin carries its size in its header; scanning 64 KiB covers our tests
    if (!elf && !contains(img, len, ".version")) return 200; // neither cubin nor PTX
    if (contains(img, len, "BADPTX")) {
        for (unsigned int i = 0; i < n; i++) {
            if (options[i] == 5) {
                size_t cap = 0;
                for (unsigned int j = 0; j < n; j++) if (options[j] == 6) cap = (size_t) (uintptr_t) values[j];
                if (cap > 0) { strncpy((char *) values[i], "fake JIT: ptxas fatal : BADPTX is not allowed", cap - 1); }
            }
        }
        return 218;
    }
    *module = &module_token;
    return 0;
}
CUresult cuModuleGetFunction(void **f, void *module, const char *name) {
    if (module != &module_token) return 400;
    if (strcmp(name, "gale_saxpy") != 0) return 500;
    *f = &function_token;
    return 0;
}
CUresult cuModuleUnload(void *module) { return module == &module_token ? 0 : 400; }

// Runs gale_saxpy(float* y, const float* x, float a, int n) on the host, reading kernelParams like the GPU does.
CUresult cuLaunchKernel(void *f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, unsigned int bz,
                        unsigned int shared, void *stream, void **params, void **extra) {
    if (f != &function_token || stream != &stream_token || extra != 0) return 400;
    if (gx == 0 || gy == 0 || gz == 0 || bx * by * bz > 1024) return 1;
    last_launch[0] = (int) gx; last_launch[1] = (int) gy; last_launch[2] = (int) gz;
    last_launch[3] = (int) bx; last_launch[4] = (int) by; last_launch[5] = (int) bz; last_launch[6] = (int) shared;
    float *y = (float *) (uintptr_t) *(CUdeviceptr *) params[0];
    const float *x = (const float *) (uintptr_t) *(CUdeviceptr *) params[1];
    float a = *(float *) params[2];
    int n = *(int *) params[3];
    long threads = (long) gx * bx;
    if (threads < n) return 719; // the real kernel strides; the fake insists on full coverage to check the geometry
    for (int i = 0; i < n; i++) y[i] += a * x[i];
    return 0;
}

typedef struct { int tick; } Event;
CUresult cuEventCreate(void **e, unsigned int flags) { Event *ev = calloc(1, sizeof(Event)); *e = ev; return flags == 0 ? 0 : 1; }
CUresult cuEventRecord(void *e, void *s) { if (s != &stream_token) return 400; ((Event *) e)->tick = ++ticks; return 0; }
CUresult cuEventSynchronize(void *e) { return e ? 0 : 400; }
// Each record is half a millisecond of fake time after the previous one.
CUresult cuEventElapsedTime_v2(float *ms, void *a, void *b) { *ms = 0.5f * (float) (((Event *) b)->tick - ((Event *) a)->tick); return 0; }
CUresult cuEventDestroy_v2(void *e) { free(e); return 0; }

CUresult cuGetErrorName(CUresult rc, const char **name) {
    switch (rc) {
        case 0: *name = "CUDA_SUCCESS"; return 0;
        case 2: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
        case 218: *name = "CUDA_ERROR_INVALID_PTX"; return 0;
        case 500: *name = "CUDA_ERROR_NOT_FOUND"; return 0;
        case 719: *name = "CUDA_ERROR_LAUNCH_FAILED"; return 0;
        case 999: *name = "FAKE_DRIVER_NAME_FOR_999"; return 0; // proves the backend asks the driver first
        default: *name = 0; return 1; // unknown to the fake: the backend must fall back to its own table
    }
}

// Test hooks, not part of the driver API.
void fake_last_launch(int *out) { memcpy(out, last_launch, sizeof last_launch); }
int fake_live_allocations(void) { return live_allocations; }
