// CHiSoSIMD: private C kernels (AVX2 with a run-time CPU check). No stable API.
//
// The perturbation-stream kernels below take `use_avx2`: pass chiso_cpu_has_avx2_fma() (1 only on
// CPUs that have AVX2), or 0 for the scalar fallback; both give identical bits. Each kernel covers
// n elements whose first one is stream element j0, single-threaded, with a fixed stack scratch.
// Formulas: see the Swift types PerturbationStream and PerturbationKernels.
#ifndef CHISOSIMD_H
#define CHISOSIMD_H
#include <stdint.h>
int chiso_cpu_has_avx2_fma(void);

// out[i] = z(seed, stream)[j0 + i].
void chiso_fill_normal(float *out, int64_t n, uint64_t seed, uint64_t stream, uint64_t j0, int use_avx2);
// out[i] = x[i] + (alpha * s[i]) * z[i] (s NULL: x[i] + alpha * z[i]). z is read from zbuf, or, if zbuf is
// NULL, generated (and also stored to zrecord[0 ..< n] when zrecord is not NULL); the same for the next two.
void chiso_perturb(const float *x, float *out, int64_t n, float alpha, const float *s, const float *zbuf,
                   float *zrecord, uint64_t seed, uint64_t stream, uint64_t j0, int use_avx2);
// x[i] = x[i] + s[i] * (0 + c * z[i]) (s NULL: x[i] + (0 + c * z[i])).
void chiso_restore_update(float *x, int64_t n, float c, const float *s, const float *zbuf, float *zrecord,
                          uint64_t seed,
                          uint64_t stream, uint64_t j0, int use_avx2);
// x += s * (0 + c z); d = s * (0 + g z); h = beta h + ((1 - beta) d) d; if refresh: s = 1 / sqrt(max(h, floor)).
void chiso_hiso_update(float *x, float *h, float *s, int64_t n, float c, float g, float beta, int refresh,
                       float floor, const float *zbuf, float *zrecord, uint64_t seed, uint64_t stream, uint64_t j0,
                       int use_avx2);
// x[i] = x[i] + s[i] * acc_i, acc_i = sum_p coef[p] z(seed, p)[j0 + i].
void chiso_accumulate(float *x, int64_t n, const float *coef, int64_t streams, const float *s, uint64_t seed,
                      uint64_t j0, int use_avx2);
// h = beta h + ((1 - beta) d) d, d = s * acc.
void chiso_hessian_ema(float *h, const float *s, int64_t n, const float *coef, int64_t streams, uint64_t seed,
                       float beta, uint64_t j0, int use_avx2);
// h = (1 - nu) h + nu ((1/m) sum_c (d_c d_c + epsilon)), d_c = s * sum_p coef[c * streams + p] z_p.
void chiso_hessian_paper(float *h, const float *s, int64_t n, const float *coef, int64_t clients, int64_t streams,
                         uint64_t seed, float nu, float epsilon, uint64_t j0, int use_avx2);
// s[i] = 1 / sqrt(v), v = h[i] < floor ? floor : h[i]; NaN (0x7FC00000) when v < 0.
void chiso_refresh_scale(float *s, const float *h, int64_t n, float floor, int use_avx2);
// Convolution patch gather (im2col), see the Swift protocol PatchKernels:
// cols[((c*kh + u)*kw + v) * samples*OH*OW + (b*OH + i)*OW + j]
//   = source[c*channel_stride + (first_sample + b)*sample_stride + (i*stride + u)*width + j*stride + v].
// AVX2 moves; x86-64 only, call only when chiso_cpu_has_avx2_fma() is 1.
void chiso_gather_patches(const float *source, int64_t channels, int64_t channel_stride, int64_t sample_stride,
                          int64_t width, int64_t kernel_height, int64_t kernel_width, int64_t stride,
                          int64_t out_height, int64_t out_width,
                          int64_t first_sample, int64_t samples, float *cols);
#endif
