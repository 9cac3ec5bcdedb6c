// Internal to CHiSoSIMD: the perturbation stream's scalar and AVX2 generators.
// The construction is documented on the Swift type PerturbationStream; every operation below is
// evaluated in the same order as the Swift code, with FP contraction off, so both give the same bits.
#ifndef CHISO_STREAM_INTERNAL_H
#define CHISO_STREAM_INTERNAL_H
#include <stdint.h>

#define CHISO_PHILOX_M0 0xD2511F53u
#define CHISO_PHILOX_M1 0xCD9E8D57u
#define CHISO_PHILOX_W0 0x9E3779B9u
#define CHISO_PHILOX_W1 0xBB67AE85u

#define CHISO_U_SCALE 0x1p-24f
#define CHISO_SQRT_HALF 0x1.6a09e6p-1f
#define CHISO_LOG0 0x1.204376p-4f
#define CHISO_LOG1 -0x1.d7a37p-4f
#define CHISO_LOG2 0x1.de4a34p-4f
#define CHISO_LOG3 -0x1.fcba9ep-4f
#define CHISO_LOG4 0x1.23d37ep-3f
#define CHISO_LOG5 -0x1.555cap-3f
#define CHISO_LOG6 0x1.999d58p-3f
#define CHISO_LOG7 -0x1.fffff8p-3f
#define CHISO_LOG8 0x1.555554p-2f
#define CHISO_LOGQ1 -0x1.bd0106p-13f
#define CHISO_LOGQ2 0x1.63p-1f
#define CHISO_SIN0 -0x1.9943f2p-13f
#define CHISO_SIN1 0x1.11073cp-7f
#define CHISO_SIN2 -0x1.555546p-3f
#define CHISO_COS0 0x1.99eb9cp-16f
#define CHISO_COS1 -0x1.6c0c34p-10f
#define CHISO_COS2 0x1.55554ap-5f
#define CHISO_ANGLE_SCALE 0x1.921fb6p-22f

// Writes blocks [first_block, first_block + blocks) of stream (seed, stream): 4 * blocks floats.
// If `prefetch` is not NULL, the 4 * blocks floats from it are prefetched (for writing) while
// generating, so that the caller's next pass over that memory overlaps the generation.
void chiso_blocks_scalar(float *out, uint64_t first_block, int64_t blocks, uint64_t seed, uint64_t stream,
                         const float *prefetch);
// The same with AVX2 (call only when chiso_cpu_has_avx2_fma() is true); identical bits.
void chiso_blocks_avx2(float *out, uint64_t first_block, int64_t blocks, uint64_t seed, uint64_t stream,
                       const float *prefetch);

#endif
