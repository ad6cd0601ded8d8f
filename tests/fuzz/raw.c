/*
 * raw.c - fuzz target "raw": bytes as a suite binary's raw Google
 * Benchmark file, through merge's repair (non-finite numbers, a file cut
 * off), its annotation of each entry, and the analysis of the result.
 */
#define BENCH_FUZZ_ANALYSIS
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *notes = json_array(), *rec, *doc, *e;
	struct run r;
	size_t i;

	doc = raw_repair((const char *)data, size, notes);
	json_decref(notes);
	if (!doc)
		return 0;
	rec = json_pack("{s:s,s:s,s:i,s:b}", "suite", "fuzz", "flavor", "O2",
			"round", 2, "rerun", 1);
	json_array_foreach(json_object_get(doc, "benchmarks"), i, e)
		if (json_is_object(e))
			merge_annotate(e, rec);
	json_decref(rec);
	if (!run_from_root(&r, doc, "raw.json")) {
		fuzz_exercise(&r);
		run_free(&r);
	}
	return 0;
}
