/*
 * claims.c - fuzz target "claims": bytes as a claims.json, evaluated
 * (every kind: compare, value, geomean, any, text_size) against a small
 * fixed run with two flavors, three rounds and a sized family, so that
 * selectors find benchmarks to compare; then its "guards" as merge
 * applies them (through a file: guards_apply reads claims files by name).
 */
#define BENCH_FUZZ_ANALYSIS
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct run run;
static char path[] = "/tmp/fuzz-claims.XXXXXX";
static int fd = -1;

/* "s/fam/case/size:N" in O2 and O3, rounds 1-3, two repetitions each. */
static json_t *fixed_run(void)
{
	json_t *list = json_array(), *doc;
	static const char *cases[] = { "a", "b" };
	static const char *flavors[] = { "O2", "O3" };

	for (int f = 0; f < 2; f++)
		for (int c = 0; c < 2; c++)
			for (int size = 1; size <= 4; size *= 2)
				for (int round = 1; round <= 3; round++)
					for (int rep = 0; rep < 2; rep++) {
						char name[64];
						double t = 100.0 * size * (c + 1) /
								   (f + 1) + round + rep;

						snprintf(name, sizeof(name),
							 "s/fam/%s/size:%d",
							 cases[c], size);
						json_array_append_new(list, json_pack(
							"{s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:f,s:f,s:f,s:s}",
							"name", name, "run_name", name,
							"suite", "s", "flavor", flavors[f],
							"status", "ok", "round", round,
							"repetition_index", rep,
							"real_time", t, "cpu_time", t,
							"items_per_second", 1e9 / t,
							"time_unit", "ns"));
					}
	doc = json_pack("{s:s,s:{s:s},s:[{s:s,s:s,s:i},{s:s,s:s,s:i}],s:o}",
			"schema", "bench-run/1", "context", "counter_cycles",
			"unavailable", "suites", "suite", "s", "flavor", "O2",
			"text_bytes", 1000, "suite", "s", "flavor", "O3",
			"text_bytes", 1200, "benchmarks", list);
	return doc;
}

static void remove_file(void)
{
	unlink(path);
}

static void guards(const uint8_t *data, size_t size)
{
	char *files[] = { path };
	json_t *report = json_object();
	struct run r;

	if (fd < 0) {
		if ((fd = mkstemp(path)) < 0)
			abort();
		atexit(remove_file);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size ||
	    run_from_root(&r, fixed_run(), "run.json"))
		abort();
	if (!guards_apply(&r, 1, files, report))
		guards_mark(&r, report);
	json_decref(report);
	run_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc, *out;

	if (!run.root && run_from_root(&run, fixed_run(), "run.json"))
		abort();
	doc = json_loadb((const char *)data, size, 0, NULL);
	if (!doc)
		return 0;
	out = json_array();
	claims_eval_doc(&run, doc, "claims.json", out);
	json_decref(out);
	json_decref(doc);
	guards(data, size);
	return 0;
}
