// FP32 FMA peak of one core: 16 independent AVX-512 FMA chains for 1 s (the denominator of the training "% of peak").
// gcc -O2 -mavx512f -mfma bench/src/main/c/fma-peak.c -o /tmp/fma-peak && (/tmp/fma-peak & /tmp/fma-peak; wait)
// A Java Vector API loop of the same shape reaches only ~82 GFLOP/s per core here (C2 issues one FMA per cycle for
// it), so the peak is measured in C.
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(){
  __m512 m=_mm512_set1_ps(0.9999999f),c=_mm512_set1_ps(1e-7f);
  __m512 a[16]; for(int i=0;i<16;i++)a[i]=_mm512_set1_ps(1.f);
  long it=0; double t0=now();
  while(now()-t0<1.0){ for(int k=0;k<10000;k++){
    #pragma GCC unroll 16
    for(int i=0;i<16;i++) a[i]=_mm512_fmadd_ps(a[i],m,c);} it+=10000;}
  double s=now()-t0; __m512 r=a[0]; for(int i=1;i<16;i++) r=_mm512_add_ps(r,a[i]);
  float o[16]; _mm512_storeu_ps(o,r);
  printf("C 512-bit: %.1f GFLOP/s (%f)\n", it*16.0*16*2/s/1e9, o[0]);
}
