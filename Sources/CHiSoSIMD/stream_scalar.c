// Scalar C generator of the perturbation stream (the fallback on CPUs without AVX2).
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)
#include <string.h>
#include "stream_internal.h"

static inline float bits_to_float(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static inline uint32_t float_to_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

static inline float log_unit(float u) {
    uint32_t bits = float_to_bits(u);
    int32_t e = (int32_t)(bits >> 23) - 126;
    float m = bits_to_float((bits & 0x007FFFFFu) | 0x3F000000u);
    float x;
    if (m < CHISO_SQRT_HALF) {
        e = e - 1;
        x = (m + m) - 1.0f;
    } else {
        x = m - 1.0f;
    }
    float fe = (float)e;
    float z = x * x;
    float y = CHISO_LOG0;
    y = y * x + CHISO_LOG1;
    y = y * x + CHISO_LOG2;
    y = y * x + CHISO_LOG3;
    y = y * x + CHISO_LOG4;
    y = y * x + CHISO_LOG5;
    y = y * x + CHISO_LOG6;
    y = y * x + CHISO_LOG7;
    y = y * x + CHISO_LOG8;
    y = y * x;
    y = y * z;
    y = y + CHISO_LOGQ1 * fe;
    y = y + (-0.5f * z);
    x = x + y;
    return x + CHISO_LOGQ2 * fe;
}

static inline void box_muller(uint32_t wa, uint32_t wb, float *out) {
    float u = (float)((wa >> 8) + 1u) * CHISO_U_SCALE;
    float l = log_unit(u) * -2.0f;
    float r = __builtin_sqrtf(bits_to_float(float_to_bits(l) & 0x7FFFFFFFu));
    uint32_t a = wb >> 8;
    uint32_t q = (a + 0x200000u) >> 22;
    int32_t t = (int32_t)a - (int32_t)(q << 22);
    float phi = (float)t * CHISO_ANGLE_SCALE;
    float z = phi * phi;
    float ps = CHISO_SIN0;
    ps = ps * z + CHISO_SIN1;
    ps = ps * z + CHISO_SIN2;
    ps = ps * z;
    float sin_phi = ps * phi + phi;
    float pc = CHISO_COS0;
    pc = pc * z + CHISO_COS1;
    pc = pc * z + CHISO_COS2;
    pc = pc * z;
    pc = pc * z;
    float cos_phi = (pc + (-0.5f * z)) + 1.0f;
    uint32_t swap = 0u - (q & 1u);
    uint32_t cb = (float_to_bits(cos_phi) & ~swap) | (float_to_bits(sin_phi) & swap);
    uint32_t sb = (float_to_bits(sin_phi) & ~swap) | (float_to_bits(cos_phi) & swap);
    uint32_t neg_cos = ((q ^ (q >> 1)) & 1u) << 31;
    uint32_t neg_sin = ((q >> 1) & 1u) << 31;
    out[0] = r * bits_to_float(cb ^ neg_cos);
    out[1] = r * bits_to_float(sb ^ neg_sin);
}

void chiso_blocks_scalar(float *out, uint64_t first_block, int64_t blocks, uint64_t seed, uint64_t stream,
                         const float *prefetch) {
    for (int64_t i = 0; i < blocks; i++) {
        if (prefetch && (i & 3) == 0) __builtin_prefetch(prefetch + 4 * i, 1, 3);
        uint64_t b = first_block + (uint64_t)i;
        uint32_t c0 = (uint32_t)b, c1 = (uint32_t)(b >> 32), c2 = (uint32_t)stream, c3 = (uint32_t)(stream >> 32);
        uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += CHISO_PHILOX_W0;
                k1 += CHISO_PHILOX_W1;
            }
            uint64_t p0 = (uint64_t)CHISO_PHILOX_M0 * c0;
            uint64_t p1 = (uint64_t)CHISO_PHILOX_M1 * c2;
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
            uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
            c1 = (uint32_t)p1;
            c3 = (uint32_t)p0;
            c0 = n0;
            c2 = n2;
        }
        box_muller(c0, c1, out + 4 * i);
        box_muller(c2, c3, out + 4 * i + 2);
    }
}
