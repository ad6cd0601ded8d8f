/*
 * run.c - fuzz target "run": bytes as a run.json (or a Google Benchmark
 * file given to benchstat directly), read as run_load reads one, then
 * analysed.
 */
#define BENCH_FUZZ_ANALYSIS
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = json_loadb((const char *)data, size, 0, NULL);
	struct run r;

	if (!root)
		return 0;
	if (!run_from_root(&r, root, "fuzz.json")) {
		fuzz_exercise(&r);
		run_free(&r);
	}
	return 0;
}
