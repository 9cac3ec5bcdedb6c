// CHiSoZlib: private system-library shim exposing zlib (gzip reading) to Swift.
#ifndef CHISOZLIB_H
#define CHISOZLIB_H
#include <zlib.h>
#endif
