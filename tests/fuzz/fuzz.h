/*
 * fuzz.h - what every fuzz target shares: libFuzzer's entry point, and
 * the analysis of a loaded run that each reader's output goes through.
 */
#ifndef BENCH_FUZZ_H
#define BENCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef BENCH_FUZZ_ANALYSIS
#include "analysis.h"
/* Every per-benchmark computation the commands make on a run. */
void fuzz_exercise(struct run *r);
#endif

#endif
