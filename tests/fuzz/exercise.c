/*
 * exercise.c - runs what benchstat's commands compute on a loaded run
 * (guards, values, rounds, series order, comparisons), so that a fuzzed input
 * reaches the code behind the reader too.
 */
#define BENCH_FUZZ_ANALYSIS
#include "fuzz.h"

#include <stdlib.h>

void fuzz_exercise(struct run *r)
{
	static const char *metrics[] = { "auto", "cpu_time", "real_time",
					 "items_per_second" };
	json_t *report = json_object();
	char buf[320];

	/* The anomaly guards of merge (drift, machine), marked in the run. */
	if (!guards_apply(r, 0, NULL, report))
		guards_mark(r, report);
	json_decref(report);

	for (int i = 0; i < r->n; i++) {
		struct bench *b = &r->b[i];

		for (size_t m = 0; m < sizeof(metrics) / sizeof(*metrics); m++) {
			double *v, *med;
			int *ids, n, k;

			n = bench_values(b, metrics[m], &v);
			k = bench_rounds(b, metrics[m], &med, &ids);
			if (n > 0)
				fmt_value(buf, sizeof(buf), v[0], metrics[m]);
			else
				metric_missing(r, b, metrics[m], buf, sizeof(buf));
			free(v);
			free(med);
			free(ids);
			(void)k;
		}
		if (i > 0) {
			struct cmp c;

			bench_series_cmp(&r->b[i - 1], b);
			compare_benches(r, &r->b[i - 1], r, b, "auto", 1, 0.95, &c);
		}
	}
}
