/*
 * work.c - the unit of CPU work every task of the suite is made of, and
 * its calibration (see threads.h).
 *
 * A unit is one step of a dependent chain: mix a word of a 4 KiB table
 * into a 64-bit state, multiply, fold the high bits down. Each step
 * needs the previous one's result, so neither the compiler nor the CPU
 * can overlap or skip steps, and the table stays in L1: the cost is
 * latency-bound arithmetic, about 1.5-2 ns a unit, not memory.
 *
 * Calibration times the chain with the harness clock, once per process,
 * at the first set-up that needs it (so it is never inside a timed
 * region): the fastest of 15 trials of about 40 us each, so a trial
 * that lost the CPU to another process cannot make every task smaller
 * than it says. Sizes in benchmark names ("work_ns:1000") are
 * nanoseconds of this work on the calibrated machine.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "threads.h"

#include <pthread.h>

#define TABLE_WORDS 512		/* 4 KiB */
#define TRIAL_UNITS 20000
#define TRIALS 15

static uint64_t table[TABLE_WORDS];
static double ns_per_unit;
static pthread_once_t calibrated = PTHREAD_ONCE_INIT;

__attribute__((constructor)) static void fill_table(void)
{
	for (int i = 0; i < TABLE_WORDS; i++)
		table[i] = thr_mix((uint64_t)i);
}

__attribute__((noinline)) uint64_t thr_work(uint64_t units, uint64_t seed)
{
	uint64_t h = seed;

	for (uint64_t i = 0; i < units; i++) {
		h = (h ^ table[i & (TABLE_WORDS - 1)]) *
		    0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return h;
}

static void calibrate(void)
{
	uint64_t best = UINT64_MAX, sink = 0;

	for (int t = 0; t < TRIALS; t++) {
		uint64_t t0 = bench_now_ns(), dt, h;

		h = thr_work(TRIAL_UNITS, (uint64_t)t);
		dt = bench_now_ns() - t0;
		sink += h;
		if (dt < best)
			best = dt;
	}
	bench_sink(sink);
	ns_per_unit = (double)best / TRIAL_UNITS;
	if (ns_per_unit <= 0)
		ns_per_unit = 1;
}

double thr_ns_per_unit(void)
{
	pthread_once(&calibrated, calibrate);
	return ns_per_unit;
}

uint64_t thr_units(uint64_t ns)
{
	double u;

	if (!ns)
		return 0;
	u = (double)ns / thr_ns_per_unit();
	return u < 1 ? 1 : (uint64_t)(u + 0.5);
}
