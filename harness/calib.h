/*
 * calib.h - cache sizes from measurement, and a warm-up that waits for a
 * loop to stop speeding up.
 *
 * hwloc and sysfs report what CPUID says, and a hypervisor may fill CPUID
 * with nonsense (one VM here: "L3 508MiB" per core) or with the host's
 * shared cache, which a tenant never gets to itself. So the harness
 * measures: a dependent pointer chase through a random cycle over working
 * sets from 4 KiB upwards, on THP so that page walks and first-touch
 * faults do not shape the curve, until the curve has reached memory. The
 * plateaus of that curve are the cache levels this process really gets;
 * the last boundary is the last-level cache every "beyond the last level"
 * size is derived from (topo.h).
 *
 * Cost: about a second on a 2-vCPU VM whose curve reaches memory at a few
 * MiB; a few seconds where the last level is tens of MiB. Run it once per
 * run (build/O2/tools/calibrate writes the JSON every suite binary reads
 * with --bench_caches=FILE); a binary without the flag measures lazily,
 * the first time a case asks for the last-level size.
 */
#ifndef BENCH_CALIB_H
#define BENCH_CALIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CALIB_MAX_POINTS 64
#define CALIB_MAX_LEVELS 8
#define CALIB_SAMPLES 5

/*
 * A curve whose top is below this is still in some cache: no DRAM seen
 * anywhere is faster (random chase, huge pages: 60-200 ns), and no last-
 * level cache is slower (the slowest, a server mesh's far slices, about
 * 40 ns).
 */
#define CALIB_MEMORY_NS 50.0

struct calib_point {
	uint64_t bytes;
	double ns;			/* median of the samples, per load */
	double samples[CALIB_SAMPLES];
	int nsamples;
};

struct calib_level {
	uint64_t bytes;		/* the largest size measured still in it */
	double estimate;	/* where the curve leaves it, interpolated */
	double ns;		/* latency on its plateau */
};

struct calib_caches {
	struct calib_point points[CALIB_MAX_POINTS];
	int npoints;
	struct calib_level levels[CALIB_MAX_LEVELS];
	int nlevels;
	double memory_ns;	/* latency past the last level (else the top) */
	int reached_memory;	/* the curve ends in memory (see below) */
	uint64_t llc_bytes;	/* the last boundary; 0 if memory not reached */
	char pages[32];		/* what the chase ran on: "THP", "4 KiB" */
	double huge_share;	/* of the buffer, from smaps; -1 unknown */
	double seconds;		/* the measurement's own wall time */
	char note[256];		/* why llc_bytes is 0, or "" */
	/* For the reader only, written and read back as they are: */
	char hwloc[256];	/* topo_cache_summary() */
	char sysfs[256];	/* topo_sysfs_summary() */
	char disagreement[512];	/* topo_cache_disagreement() */
};

/*
 * The plateau finder, on any curve (tests feed it synthetic ones): n
 * points of ascending bytes and their latencies. Each latency is first
 * replaced by the smallest at its size or above, since interference only
 * ever adds time; a stretch where latency rises by at least 1.41x per
 * octave is a transition, and a transition that rises 1.8x in all ends a
 * level. The level's size is the largest size measured whose latency is
 * below the geometric mean of the transition's ends (with LRU that is the
 * capacity, to the sweep's half-octave resolution; under random
 * replacement the curve crosses the mean near 1.3 times the capacity);
 * its estimate is where the curve crosses the mean, interpolated in
 * log-log. Rises that start at CALIB_MEMORY_NS or above are the TLB's and
 * the page walk's, not a cache's, and end the search. Writes up to max
 * levels; whether the curve reached memory (its last level's transition
 * ends at CALIB_MEMORY_NS or above and the curve goes on at least an
 * octave) to *reached, and the latency there (else at the top) to
 * *memory_ns. Returns the number of levels.
 */
int calib_find_levels(const uint64_t *bytes, const double *ns, int n,
		      struct calib_level *lv, int max, double *memory_ns,
		      int *reached);

/*
 * Measures the curve up to max_bytes (0: 512 MiB), capped at half of
 * topo_mem_budget(), stopping early once it has reached memory and gone
 * two octaves past the last boundary. Returns 0, or -1 with c->note set
 * (no memory for even the first sizes).
 */
int calib_measure_caches(struct calib_caches *c, uint64_t max_bytes);

/*
 * JSON (schema "bench-caches/1", docs/results-schema.md). write returns 0
 * or -1 (errno). read returns 0, or -1 with a one-line reason in err (the
 * file, what is wrong with it).
 */
int calib_caches_write(const struct calib_caches *c, FILE *f);
int calib_caches_read(const char *path, struct calib_caches *c, char *err,
		      size_t errlen);
/* "64KiB 1.1ns, 1MiB 4.0ns; memory 154ns" */
char *calib_caches_summary(const struct calib_caches *c, char *buf,
			   size_t len);

/*
 * A random cycle through every line of a fresh buffer of bytes, on 4 KiB
 * pages or (thp) huge pages where the kernel gives them, prefaulted and
 * linked (never timed; the prefault's cost per 4 KiB page goes to
 * *fault_ns if not NULL). calib_chase_ns() times loads dependent loads
 * from where the last call stopped and returns ns per load. NULL with
 * errno set if the buffer cannot be had.
 */
struct calib_chase;
struct calib_chase *calib_chase_new(size_t bytes, int thp, double *fault_ns);
double calib_chase_ns(struct calib_chase *c, uint64_t loads);
void calib_chase_free(struct calib_chase *c);

/*
 * Warm-up until a loop stops getting faster. step(arg, n) does n units of
 * fixed work; calib_warm runs it in chunks of about 10 ms of this
 * thread's CPU time (each sized from the one before, the first from 1000
 * units; CPU time, so that a chunk during which another process ran does
 * not look slow),
 * until the median of the last three chunks is no more than 3% faster
 * than the median of the three before, or until max_ns of wall time.
 * Cost: at least six chunks, about 60 ms, when the loop is steady.
 */
struct calib_warm {
	int chunks;		/* chunks run after the sizing one */
	int flat;		/* 1: the trend went flat; 0: bound hit */
	double first_ns;	/* per unit, first chunk */
	double last_ns;		/* per unit, median of the last three */
	double seconds;		/* spent warming, wall time */
};
void calib_warm(void (*step)(void *arg, uint64_t n), void *arg,
		uint64_t max_ns, struct calib_warm *w);
/* Flat test alone, on per-unit times t[0..n) (for tests): 1 if flat. */
int calib_warm_flat(const double *t, int n);

#ifdef __cplusplus
}
#endif

#endif
