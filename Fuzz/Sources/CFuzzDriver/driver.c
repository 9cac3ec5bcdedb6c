#include "CFuzzDriver.h"

/// libFuzzer's entry for programs with their own `main` (compiler-rt, `-sanitize=fuzzer`).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int hiso_fuzz_run(int *argc, char ***argv, hiso_fuzz_callback callback) {
    return LLVMFuzzerRunDriver(argc, argv, callback);
}
