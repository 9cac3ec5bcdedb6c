// Convolution patch gather (im2col) with AVX2 moves; see the Swift protocol PatchKernels.
#include "CHiSoSIMD.h"
#if defined(__x86_64__)
#include <immintrin.h>

// dst[0..n) = src[0..n): 8-lane moves, the last one overlapping; n >= 8.
__attribute__((target("avx2"))) static inline void copy_row8(const float *src, float *dst, int64_t n) {
    int64_t j = 0;
    for (; j + 8 < n; j += 8) _mm256_storeu_ps(dst + j, _mm256_loadu_ps(src + j));
    _mm256_storeu_ps(dst + n - 8, _mm256_loadu_ps(src + n - 8));
}

__attribute__((target("avx2"))) void chiso_gather_patches(
    const float *source, int64_t channels, int64_t channel_stride, int64_t sample_stride, int64_t width,
    int64_t kernel_height, int64_t kernel_width, int64_t stride, int64_t out_height, int64_t out_width, int64_t first_sample, int64_t samples,
    float *cols) {
    const int64_t out_plane = out_height * out_width;
    const int64_t n = samples * out_plane;
    for (int64_t c = 0; c < channels; c++) {
        for (int64_t u = 0; u < kernel_height; u++) {
            for (int64_t v = 0; v < kernel_width; v++) {
                float *row = cols + ((c * kernel_height + u) * kernel_width + v) * n;
                for (int64_t b = 0; b < samples; b++) {
                    const float *src =
                        source + c * channel_stride + (first_sample + b) * sample_stride + u * width + v;
                    float *dst = row + b * out_plane;
                    if (stride == 1 && out_width >= 8) {
                        for (int64_t i = 0; i < out_height; i++) copy_row8(src + i * width, dst + i * out_width, out_width);
                    } else {
                        for (int64_t i = 0; i < out_height; i++) {
                            const float *line = src + i * stride * width;
                            float *out = dst + i * out_width;
                            for (int64_t j = 0; j < out_width; j++) out[j] = line[j * stride];
                        }
                    }
                }
            }
        }
    }
}
#endif
