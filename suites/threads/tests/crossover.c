/*
 * crossover.c - the crossover of a task-size sweep is found where the
 * speed-up last crosses 1 going up, interpolated in log-log; the cases
 * without a crossing say so. And the placement helpers: CPU lists and
 * sets never exceed the inherited affinity.
 */
#define _GNU_SOURCE
#include "tap.h"
#include "threads.h"

#include <math.h>

int main(void)
{
	const double x[] = { 100, 300, 1000, 3000, 10000 };
	double r[5], at;
	cpu_set_t set;
	int n = 5, rc;

	/* ratio = sqrt(size / 2000): exactly 1 at 2000, a straight line. */
	for (int i = 0; i < n; i++)
		r[i] = sqrt(x[i] / 2000);
	rc = thr_find_crossover(x, r, n, &at);
	is_int(rc, 0, "a crossing is found");
	is_dbl(at, 2000, 1e-6, "log-log interpolation is exact on a power law");

	/* A ratio of exactly 1 counts as not behind. */
	for (int i = 0; i < n; i++)
		r[i] = x[i] / 1000;
	rc = thr_find_crossover(x, r, n, &at);
	is_int(rc, 0, "ratio reaching 1 at a sweep point");
	is_dbl(at, 1000, 1e-6, "crossover at that point");

	/* A wiggle: the last upward crossing, not the first, counts. */
	{
		const double w[] = { 0.5, 1.2, 0.9, 1.5, 2 };

		rc = thr_find_crossover(x, w, n, &at);
		is_int(rc, 0, "crossing after a wiggle");
		ok(at > 1000 && at < 3000, "between the last point behind and "
		   "the next (got %g)", at);
	}
	{
		const double ahead[] = { 1.1, 2, 3, 4, 5 };
		const double behind[] = { 0.1, 0.2, 1.5, 1.2, 0.99 };
		const double nan[] = { 0.1, NAN, 2, 3, 4 };

		is_int(thr_find_crossover(x, ahead, n, &at), 1,
		       "ahead everywhere: at or below the smallest size");
		is_dbl(at, 100, 0, "and the smallest size is given");
		is_int(thr_find_crossover(x, behind, n, &at), -1,
		       "behind at the largest size: no crossover");
		is_int(thr_find_crossover(x, nan, n, &at), 0,
		       "an unmeasured ratio counts as behind");
		ok(at > 300 && at < 1000, "so the crossing follows it");
	}

	/* Placement never goes past the inherited CPUs. */
	ok(thr_ncpus() >= 1, "at least one inherited CPU (%d)", thr_ncpus());
	ok(thr_cpuset(thr_ncpus() + 1, &set) == -1,
	   "asking for more CPUs than inherited fails");
	ok(thr_cpuset(1, &set) == 0 && CPU_COUNT(&set) == 1 &&
	   CPU_ISSET(thr_cpu(0), &set), "one CPU is the first inherited");
	{
		char want[16];

		snprintf(want, sizeof(want), "%d", thr_cpu(0));
		is_str(thr_cpulist(1), want, "a one-CPU list");
	}
	ok(thr_units(0) == 0 && thr_units(1000) < thr_units(100000),
	   "work units grow with the nanoseconds asked for");
	is_int(thr_popcount(0x8000000000000005ull), 3, "CPUs seen are counted");
	return tap_done();
}
