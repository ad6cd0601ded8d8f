/*
 * drift.c - a suite built to drift, for the tests of the anomaly guards
 * (tests/scripts/drift.sh): "loop/slows" does more work every time it
 * runs, in every process of a run (its count lives in the run's data
 * directory), so its repetitions rise in time order like a machine that
 * slows down under a benchmark; "loop/steady" is the same loop without
 * the growth. Not a suite of the project: only the tests build it.
 *
 * Run just this:  build/O2/testsuites/bench_drift --bench_data_dir=/tmp
 */
#define _GNU_SOURCE
#include "gbshim.h"

#include <stdio.h>

/* Runs so far in this run (all processes), from a file in the data dir. */
static unsigned bump(const char *dir)
{
	char path[4096];
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/drift.count", dir);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%u", &n) != 1)
			n = 0;
		fclose(f);
	}
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%u\n", n + 1);
		fclose(f);
	}
	return n;
}

static void spin(struct bench_state *st, uint64_t work)
{
	uint64_t n, x = 0;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++)
			for (uint64_t k = 0; k < work; k++)
				bench_sink(x);
	if (x != 0)
		bench_fail(st, "the sink changed its value");
}

static void slows(struct bench_state *st)
{
	/* Half as much work again each run: a trend no noise can hide. */
	unsigned k = bump(bench_data_dir());
	uint64_t work = 200;

	for (unsigned i = 0; i < k && work < 100000; i++)
		work = work * 3 / 2;
	spin(st, work);
}

static void steady(struct bench_state *st)
{
	spin(st, 200);
}

static const struct bench_case cases[] = {
	{
		.name = "loop/slows",
		.desc = "more work every run: drifts by design",
		.run = slows,
		.iterations = 2000,
	},
	{
		.name = "loop/steady",
		.desc = "the same loop, the same work every run",
		.run = steady,
		.iterations = 2000,
	},
};
BENCH_FAMILY(cases);

