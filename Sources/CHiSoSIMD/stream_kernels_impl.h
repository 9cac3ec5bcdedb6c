// The fused kernels' bodies, included twice by stream_kernels.c: once compiled for baseline x86-64
// (scalar generator) and once with target("avx2") (AVX2 generator, AVX2 auto-vectorised loops).
// Expects ATTR (function attributes), CHISO_NAME(name) (suffixing) and GEN (the block generator).
// Every loop evaluates the Swift backend's formulas in the same order; FP contraction is off.
static ATTR void CHISO_NAME(fill_normal)(float *out, int64_t n, uint64_t seed, uint64_t stream, uint64_t j0) {
    float block[4];
    int64_t i = 0;
    while (i < n && ((j0 + (uint64_t)i) & 3u) != 0) {
        uint64_t j = j0 + (uint64_t)i;
        GEN(block, j >> 2, 1, seed, stream, NULL);
        out[i] = block[j & 3u];
        i++;
    }
    int64_t blocks = (n - i) >> 2;
    GEN(out + i, (j0 + (uint64_t)i) >> 2, blocks, seed, stream, NULL);
    i += blocks << 2;
    while (i < n) {
        uint64_t j = j0 + (uint64_t)i;
        GEN(block, j >> 2, 1, seed, stream, NULL);
        out[i] = block[j & 3u];
        i++;
    }
}

static ATTR void CHISO_NAME(perturb)(const float *x, float *out, int64_t n, float alpha, const float *s,
                                     const float *zbuf, float *zrecord, uint64_t seed, uint64_t stream, uint64_t j0) {
    float buf[CHUNK + 8];
    for (int64_t start = 0; start < n; start += CHUNK) {
        int64_t len = min64(CHUNK, n - start);
        const float *z = direction(GEN, buf, zbuf, zrecord, x, start, len, seed, stream, j0);
        const float *xs = x + start;
        float *os = out + start;
        // In place, address one array only: the vectoriser's overlap check would otherwise see
        // x and out overlap and fall back to its scalar loop.
        if (s) {
            const float *ss = s + start;
            if (os == xs) {
                for (int64_t i = 0; i < len; i++) os[i] = os[i] + (alpha * ss[i]) * z[i];
            } else {
                for (int64_t i = 0; i < len; i++) os[i] = xs[i] + (alpha * ss[i]) * z[i];
            }
        } else if (os == xs) {
            for (int64_t i = 0; i < len; i++) os[i] = os[i] + alpha * z[i];
        } else {
            for (int64_t i = 0; i < len; i++) os[i] = xs[i] + alpha * z[i];
        }
    }
}

static ATTR void CHISO_NAME(restore_update)(float *x, int64_t n, float c, const float *s, const float *zbuf,
                                            float *zrecord, uint64_t seed, uint64_t stream, uint64_t j0) {
    float buf[CHUNK + 8];
    for (int64_t start = 0; start < n; start += CHUNK) {
        int64_t len = min64(CHUNK, n - start);
        const float *z = direction(GEN, buf, zbuf, zrecord, x, start, len, seed, stream, j0);
        float *xs = x + start;
        if (s) {
            const float *ss = s + start;
            for (int64_t i = 0; i < len; i++) xs[i] = xs[i] + ss[i] * (0.0f + c * z[i]);
        } else {
            for (int64_t i = 0; i < len; i++) xs[i] = xs[i] + (0.0f + c * z[i]);
        }
    }
}

static inline ATTR void CHISO_NAME(refresh_range)(float *s, const float *h, int64_t n, float floor) {
    uint32_t nan_bits = 0x7FC00000u;
    float nan;
    memcpy(&nan, &nan_bits, 4);
    for (int64_t i = 0; i < n; i++) {
        float hi = h[i];
        float v = hi < floor ? floor : hi;
        float y = 1.0f / __builtin_sqrtf(__builtin_fabsf(v));
        s[i] = v < 0.0f ? nan : y;
    }
}

static ATTR void CHISO_NAME(hiso_update)(float *x, float *h, float *s, int64_t n, float c, float g, float beta,
                                         int refresh, float floor, const float *zbuf, float *zrecord, uint64_t seed,
                                         uint64_t stream, uint64_t j0) {
    float buf[CHUNK + 8];
    float one_minus_beta = 1.0f - beta;
    for (int64_t start = 0; start < n; start += CHUNK) {
        int64_t len = min64(CHUNK, n - start);
        const float *z = direction(GEN, buf, zbuf, zrecord, x, start, len, seed, stream, j0);
        float *xs = x + start, *hs = h + start, *ss = s + start;
        for (int64_t i = 0; i < len; i++) {
            float zi = z[i], si = ss[i];
            xs[i] = xs[i] + si * (0.0f + c * zi);
            float d = si * (0.0f + g * zi);
            hs[i] = beta * hs[i] + (one_minus_beta * d) * d;
        }
        if (refresh) CHISO_NAME(refresh_range)(ss, hs, len, floor);
    }
}

// acc[i] = sum_p coef[p] * z_p[j + i], as acc = 0; acc = acc + c_p * z_p.
static inline ATTR void CHISO_NAME(sum_streams)(float *acc, float *buf, int64_t len, const float *coef,
                                                int64_t streams, uint64_t seed, uint64_t j) {
    for (int64_t i = 0; i < len; i++) acc[i] = 0.0f;
    for (int64_t p = 0; p < streams; p++) {
        float c = coef[p];
        const float *z = normals(GEN, buf, j, len, seed, (uint64_t)p);
        for (int64_t i = 0; i < len; i++) acc[i] = acc[i] + c * z[i];
    }
}

static ATTR void CHISO_NAME(accumulate)(float *x, int64_t n, const float *coef, int64_t streams, const float *s,
                                        uint64_t seed, uint64_t j0) {
    float buf[CHUNK + 8], acc[CHUNK];
    for (int64_t start = 0; start < n; start += CHUNK) {
        int64_t len = min64(CHUNK, n - start);
        CHISO_NAME(sum_streams)(acc, buf, len, coef, streams, seed, j0 + (uint64_t)start);
        float *xs = x + start;
        if (s) {
            const float *ss = s + start;
            for (int64_t i = 0; i < len; i++) xs[i] = xs[i] + ss[i] * acc[i];
        } else {
            for (int64_t i = 0; i < len; i++) xs[i] = xs[i] + acc[i];
        }
    }
}

static ATTR void CHISO_NAME(hessian_ema)(float *h, const float *s, int64_t n, const float *coef, int64_t streams,
                                         uint64_t seed, float beta, uint64_t j0) {
    float buf[CHUNK + 8], acc[CHUNK];
    float one_minus_beta = 1.0f - beta;
    for (int64_t start = 0; start < n; start += CHUNK) {
        int64_t len = min64(CHUNK, n - start);
        CHISO_NAME(sum_streams)(acc, buf, len, coef, streams, seed, j0 + (uint64_t)start);
        float *hs = h + start;
        const float *ss = s + start;
        for (int64_t i = 0; i < len; i++) {
            float d = ss[i] * acc[i];
            hs[i] = beta * hs[i] + (one_minus_beta * d) * d;
        }
    }
}

static ATTR void CHISO_NAME(hessian_paper)(float *h, const float *s, int64_t n, const float *coef, int64_t clients,
                                           int64_t streams, uint64_t seed, float nu, float epsilon, uint64_t j0) {
    float buf[PAPER_CHUNK + 8], rows[PAPER_GROUP * PAPER_CHUNK], sum[PAPER_CHUNK];
    float one_minus_nu = 1.0f - nu;
    float inverse_m = 1.0f / (float)clients;
    for (int64_t start = 0; start < n; start += PAPER_CHUNK) {
        int64_t len = min64(PAPER_CHUNK, n - start);
        for (int64_t i = 0; i < len; i++) sum[i] = 0.0f;
        for (int64_t first = 0; first < clients; first += PAPER_GROUP) {
            int64_t group = min64(PAPER_GROUP, clients - first);
            for (int64_t r = 0; r < group * PAPER_CHUNK; r++) rows[r] = 0.0f;
            for (int64_t p = 0; p < streams; p++) {
                const float *z = normals(GEN, buf, j0 + (uint64_t)start, len, seed, (uint64_t)p);
                for (int64_t c = 0; c < group; c++) {
                    float cp = coef[(first + c) * streams + p];
                    float *row = rows + c * PAPER_CHUNK;
                    for (int64_t i = 0; i < len; i++) row[i] = row[i] + cp * z[i];
                }
            }
            const float *ss = s + start;
            for (int64_t c = 0; c < group; c++) {
                const float *row = rows + c * PAPER_CHUNK;
                for (int64_t i = 0; i < len; i++) {
                    float d = ss[i] * row[i];
                    sum[i] = sum[i] + (d * d + epsilon);
                }
            }
        }
        float *hs = h + start;
        for (int64_t i = 0; i < len; i++) hs[i] = one_minus_nu * hs[i] + nu * (inverse_m * sum[i]);
    }
}
