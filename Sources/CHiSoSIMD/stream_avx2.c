// AVX2 generator of the perturbation stream: eight Philox blocks (32 normals) per iteration.
// Same operations in the same order as stream_scalar.c (no FMA: contraction is off and every
// product and sum is an explicit _mm256_mul_ps / _mm256_add_ps), hence the same bits.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)
#include <immintrin.h>
#include <string.h>
#include "stream_internal.h"

#define AVX2 __attribute__((target("avx2")))

// Returns (hi, lo) of the 32x32 -> 64-bit products a * m, lane by lane.
static inline AVX2 void mulhilo(__m256i a, __m256i m, __m256i *hi, __m256i *lo) {
    __m256i even = _mm256_mul_epu32(a, m);
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

static inline AVX2 __m256 poly_step(__m256 y, __m256 x, float c) {
    return _mm256_add_ps(_mm256_mul_ps(y, x), _mm256_set1_ps(c));
}

static inline AVX2 __m256 log_unit8(__m256 u) {
    __m256i bits = _mm256_castps_si256(u);
    __m256i e = _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(126));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)),
                                                   _mm256_set1_epi32(0x3F000000)));
    __m256 small = _mm256_cmp_ps(m, _mm256_set1_ps(CHISO_SQRT_HALF), _CMP_LT_OQ);
    e = _mm256_add_epi32(e, _mm256_castps_si256(small));
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 x = _mm256_blendv_ps(_mm256_sub_ps(m, one), _mm256_sub_ps(_mm256_add_ps(m, m), one), small);
    __m256 fe = _mm256_cvtepi32_ps(e);
    __m256 z = _mm256_mul_ps(x, x);
    __m256 y = _mm256_set1_ps(CHISO_LOG0);
    y = poly_step(y, x, CHISO_LOG1);
    y = poly_step(y, x, CHISO_LOG2);
    y = poly_step(y, x, CHISO_LOG3);
    y = poly_step(y, x, CHISO_LOG4);
    y = poly_step(y, x, CHISO_LOG5);
    y = poly_step(y, x, CHISO_LOG6);
    y = poly_step(y, x, CHISO_LOG7);
    y = poly_step(y, x, CHISO_LOG8);
    y = _mm256_mul_ps(y, x);
    y = _mm256_mul_ps(y, z);
    y = _mm256_add_ps(y, _mm256_mul_ps(_mm256_set1_ps(CHISO_LOGQ1), fe));
    y = _mm256_add_ps(y, _mm256_mul_ps(_mm256_set1_ps(-0.5f), z));
    x = _mm256_add_ps(x, y);
    return _mm256_add_ps(x, _mm256_mul_ps(_mm256_set1_ps(CHISO_LOGQ2), fe));
}

// Box-Muller of eight (wa, wb) pairs: *a = r cos, *b = r sin.
static inline AVX2 void box_muller8(__m256i wa, __m256i wb, __m256 *a, __m256 *b) {
    __m256 u = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_srli_epi32(wa, 8), _mm256_set1_epi32(1))),
                             _mm256_set1_ps(CHISO_U_SCALE));
    __m256 l = _mm256_mul_ps(log_unit8(u), _mm256_set1_ps(-2.0f));
    __m256 r = _mm256_sqrt_ps(_mm256_and_ps(l, _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF))));
    __m256i angle = _mm256_srli_epi32(wb, 8);
    __m256i q = _mm256_srli_epi32(_mm256_add_epi32(angle, _mm256_set1_epi32(0x200000)), 22);
    __m256i t = _mm256_sub_epi32(angle, _mm256_slli_epi32(q, 22));
    __m256 phi = _mm256_mul_ps(_mm256_cvtepi32_ps(t), _mm256_set1_ps(CHISO_ANGLE_SCALE));
    __m256 z = _mm256_mul_ps(phi, phi);
    __m256 ps = _mm256_set1_ps(CHISO_SIN0);
    ps = poly_step(ps, z, CHISO_SIN1);
    ps = poly_step(ps, z, CHISO_SIN2);
    ps = _mm256_mul_ps(ps, z);
    __m256 sin_phi = _mm256_add_ps(_mm256_mul_ps(ps, phi), phi);
    __m256 pc = _mm256_set1_ps(CHISO_COS0);
    pc = poly_step(pc, z, CHISO_COS1);
    pc = poly_step(pc, z, CHISO_COS2);
    pc = _mm256_mul_ps(pc, z);
    pc = _mm256_mul_ps(pc, z);
    __m256 cos_phi = _mm256_add_ps(_mm256_add_ps(pc, _mm256_mul_ps(_mm256_set1_ps(-0.5f), z)), _mm256_set1_ps(1.0f));
    __m256i one = _mm256_set1_epi32(1);
    __m256 swap = _mm256_castsi256_ps(_mm256_sub_epi32(_mm256_setzero_si256(), _mm256_and_si256(q, one)));
    __m256 cb = _mm256_or_ps(_mm256_andnot_ps(swap, cos_phi), _mm256_and_ps(sin_phi, swap));
    __m256 sb = _mm256_or_ps(_mm256_andnot_ps(swap, sin_phi), _mm256_and_ps(cos_phi, swap));
    __m256i neg_cos = _mm256_slli_epi32(_mm256_and_si256(_mm256_xor_si256(q, _mm256_srli_epi32(q, 1)), one), 31);
    __m256i neg_sin = _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(q, 1), one), 31);
    *a = _mm256_mul_ps(r, _mm256_xor_ps(cb, _mm256_castsi256_ps(neg_cos)));
    *b = _mm256_mul_ps(r, _mm256_xor_ps(sb, _mm256_castsi256_ps(neg_sin)));
}

// Eight consecutive blocks starting at block b, written as 32 consecutive floats.
static inline AVX2 void group8(float *out, uint64_t b, __m256i k0init, __m256i k1init, __m256i s0, __m256i s1) {
    uint32_t lo[8], hi[8];
    for (int i = 0; i < 8; i++) {
        uint64_t bi = b + (uint64_t)i;
        lo[i] = (uint32_t)bi;
        hi[i] = (uint32_t)(bi >> 32);
    }
    __m256i c0 = _mm256_loadu_si256((const __m256i *)lo);
    __m256i c1 = _mm256_loadu_si256((const __m256i *)hi);
    __m256i c2 = s0, c3 = s1, k0 = k0init, k1 = k1init;
    const __m256i m0 = _mm256_set1_epi32((int)CHISO_PHILOX_M0), m1 = _mm256_set1_epi32((int)CHISO_PHILOX_M1);
    const __m256i w0 = _mm256_set1_epi32((int)CHISO_PHILOX_W0), w1 = _mm256_set1_epi32((int)CHISO_PHILOX_W1);
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 = _mm256_add_epi32(k0, w0);
            k1 = _mm256_add_epi32(k1, w1);
        }
        __m256i hi0, lo0, hi1, lo1;
        mulhilo(c0, m0, &hi0, &lo0);
        mulhilo(c2, m1, &hi1, &lo1);
        __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), k0);
        __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), k1);
        c1 = lo1;
        c3 = lo0;
        c0 = n0;
        c2 = n2;
    }
    __m256 a, bb, c, d;
    box_muller8(c0, c1, &a, &bb);
    box_muller8(c2, c3, &c, &d);
    __m256 t0 = _mm256_unpacklo_ps(a, bb), t1 = _mm256_unpackhi_ps(a, bb);
    __m256 t2 = _mm256_unpacklo_ps(c, d), t3 = _mm256_unpackhi_ps(c, d);
    __m256 v0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 v1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 v2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 v3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    _mm256_storeu_ps(out, _mm256_permute2f128_ps(v0, v1, 0x20));
    _mm256_storeu_ps(out + 8, _mm256_permute2f128_ps(v2, v3, 0x20));
    _mm256_storeu_ps(out + 16, _mm256_permute2f128_ps(v0, v1, 0x31));
    _mm256_storeu_ps(out + 24, _mm256_permute2f128_ps(v2, v3, 0x31));
}

AVX2 void chiso_blocks_avx2(float *out, uint64_t first_block, int64_t blocks, uint64_t seed, uint64_t stream,
                            const float *prefetch) {
    const __m256i k0 = _mm256_set1_epi32((int)(uint32_t)seed), k1 = _mm256_set1_epi32((int)(uint32_t)(seed >> 32));
    const __m256i s0 = _mm256_set1_epi32((int)(uint32_t)stream), s1 = _mm256_set1_epi32((int)(uint32_t)(stream >> 32));
    int64_t i = 0;
    for (; i + 8 <= blocks; i += 8) {
        if (prefetch) {
            __builtin_prefetch(prefetch + 4 * i, 1, 3);
            __builtin_prefetch(prefetch + 4 * i + 16, 1, 3);
        }
        group8(out + 4 * i, first_block + (uint64_t)i, k0, k1, s0, s1);
    }
    if (i < blocks) {
        float tail[32];
        group8(tail, first_block + (uint64_t)i, k0, k1, s0, s1);
        memcpy(out + 4 * i, tail, sizeof(float) * 4 * (size_t)(blocks - i));
    }
}
