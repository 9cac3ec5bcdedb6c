#ifndef CFUZZDRIVER_H
#define CFUZZDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// One fuzzer input: the bytes and their count; returns 0.
typedef int (*hiso_fuzz_callback)(const uint8_t *data, size_t size);

/// Runs libFuzzer's driver (command-line flags, corpus, mutation loop) on `callback`.
/// libFuzzer's own `main` is not used: SwiftPM links every executable target's `main` to the
/// module's entry point, so each target has a Swift `@main` that calls this.
int hiso_fuzz_run(int *argc, char ***argv, hiso_fuzz_callback callback);

#endif
