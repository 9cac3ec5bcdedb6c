// CHiSoSIMD: private C kernels (AVX2 with a run-time CPU check). No stable API.
#ifndef CHISOSIMD_H
#define CHISOSIMD_H
#include <stdint.h>
int chiso_cpu_has_avx2_fma(void);
#endif
