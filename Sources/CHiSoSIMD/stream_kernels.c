// Fused zeroth-order kernels over one index range (single thread; Swift splits ranges over threads).
// Each kernel works chunk by chunk: it generates CHUNK stream elements into a stack buffer and
// consumes them at once, so memory is a fixed few KiB of stack whatever n is. The element formulas
// and their evaluation order are those of the Swift backend (SwiftStreamKernels.swift).
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)
#include <string.h>
#include "CHiSoSIMD.h"
#include "stream_internal.h"

enum { CHUNK = 1024, PAPER_CHUNK = 512, PAPER_GROUP = 16 };

typedef void (*blocks_fn)(float *, uint64_t, int64_t, uint64_t, uint64_t, const float *);

// Stream elements [j, j + n) (n <= CHUNK) into buf (CHUNK + 8 floats); returns the pointer to element j.
static inline __attribute__((always_inline)) const float *normals(blocks_fn gen, float *buf, uint64_t j, int64_t n,
                                                                  uint64_t seed, uint64_t stream) {
    int64_t head = (int64_t)(j & 3u);
    gen(buf, j >> 2, (head + n + 3) >> 2, seed, stream, NULL);
    return buf + head;
}

// The direction window [start, start + n): read from zbuf, or generated (and stored to zrecord if
// given: directly when the window is whole blocks, else through buf). While generating, the same
// window of `prefetch` (the caller's main array, or NULL) is prefetched.
static inline __attribute__((always_inline)) const float *direction(blocks_fn gen, float *buf, const float *zbuf,
                                                                    float *zrecord, const float *prefetch,
                                                                    int64_t start, int64_t n, uint64_t seed,
                                                                    uint64_t stream, uint64_t j0) {
    if (zbuf) return zbuf + start;
    uint64_t j = j0 + (uint64_t)start;
    if (zrecord && (j & 3u) == 0 && (n & 3) == 0) {
        gen(zrecord + start, j >> 2, n >> 2, seed, stream, prefetch ? prefetch + start : NULL);
        return zrecord + start;
    }
    int64_t head = (int64_t)(j & 3u);
    gen(buf, j >> 2, (head + n + 3) >> 2, seed, stream, prefetch ? prefetch + start - head : NULL);
    const float *z = buf + head;
    if (zrecord) memcpy(zrecord + start, z, sizeof(float) * (size_t)n);
    return z;
}

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }


#define ATTR
#define CHISO_NAME(name) name##_scalar
#define GEN chiso_blocks_scalar
#include "stream_kernels_impl.h"
#undef ATTR
#undef CHISO_NAME
#undef GEN

#define ATTR __attribute__((target("avx2")))
#define CHISO_NAME(name) name##_avx2
#define GEN chiso_blocks_avx2
#include "stream_kernels_impl.h"
#undef ATTR
#undef CHISO_NAME
#undef GEN

void chiso_fill_normal(float *out, int64_t n, uint64_t seed, uint64_t stream, uint64_t j0, int use_avx2) {
    if (use_avx2) fill_normal_avx2(out, n, seed, stream, j0);
    else fill_normal_scalar(out, n, seed, stream, j0);
}

void chiso_perturb(const float *x, float *out, int64_t n, float alpha, const float *s, const float *zbuf,
                   float *zrecord, uint64_t seed, uint64_t stream, uint64_t j0, int use_avx2) {
    if (use_avx2) perturb_avx2(x, out, n, alpha, s, zbuf, zrecord, seed, stream, j0);
    else perturb_scalar(x, out, n, alpha, s, zbuf, zrecord, seed, stream, j0);
}

void chiso_restore_update(float *x, int64_t n, float c, const float *s, const float *zbuf, float *zrecord,
                          uint64_t seed, uint64_t stream, uint64_t j0, int use_avx2) {
    if (use_avx2) restore_update_avx2(x, n, c, s, zbuf, zrecord, seed, stream, j0);
    else restore_update_scalar(x, n, c, s, zbuf, zrecord, seed, stream, j0);
}

void chiso_hiso_update(float *x, float *h, float *s, int64_t n, float c, float g, float beta, int refresh,
                       float floor, const float *zbuf, float *zrecord, uint64_t seed, uint64_t stream, uint64_t j0,
                       int use_avx2) {
    if (use_avx2) hiso_update_avx2(x, h, s, n, c, g, beta, refresh, floor, zbuf, zrecord, seed, stream, j0);
    else hiso_update_scalar(x, h, s, n, c, g, beta, refresh, floor, zbuf, zrecord, seed, stream, j0);
}

void chiso_accumulate(float *x, int64_t n, const float *coef, int64_t streams, const float *s, uint64_t seed,
                      uint64_t j0, int use_avx2) {
    if (use_avx2) accumulate_avx2(x, n, coef, streams, s, seed, j0);
    else accumulate_scalar(x, n, coef, streams, s, seed, j0);
}

void chiso_hessian_ema(float *h, const float *s, int64_t n, const float *coef, int64_t streams, uint64_t seed,
                       float beta, uint64_t j0, int use_avx2) {
    if (use_avx2) hessian_ema_avx2(h, s, n, coef, streams, seed, beta, j0);
    else hessian_ema_scalar(h, s, n, coef, streams, seed, beta, j0);
}

void chiso_hessian_paper(float *h, const float *s, int64_t n, const float *coef, int64_t clients, int64_t streams,
                         uint64_t seed, float nu, float epsilon, uint64_t j0, int use_avx2) {
    if (use_avx2) hessian_paper_avx2(h, s, n, coef, clients, streams, seed, nu, epsilon, j0);
    else hessian_paper_scalar(h, s, n, coef, clients, streams, seed, nu, epsilon, j0);
}

void chiso_refresh_scale(float *s, const float *h, int64_t n, float floor, int use_avx2) {
    if (use_avx2) refresh_range_avx2(s, h, n, floor);
    else refresh_range_scalar(s, h, n, floor);
}
