// CHiSoBLAS: private system-library shim exposing CBLAS and LAPACKE (Debian OpenBLAS) to Swift.
// No stable API of its own; imported with `internal import` by HiSoKernels only.
#ifndef CHISOBLAS_H
#define CHISOBLAS_H
#include <cblas.h>
#include <lapacke.h>
#endif
