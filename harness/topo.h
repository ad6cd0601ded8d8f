/*
 * topo.h - machine topology from hwloc, thread pinning, and working-set
 * sizes derived from the real caches rather than constants.
 *
 * hwloc reports what firmware and the hypervisor say. On a VM that can be
 * wrong (one machine here reports a 300 MB L3 the latency curve does not
 * show), so sweeps are also bounded by available memory, and suites that
 * can measure a cache boundary should report what they measured beside
 * what hwloc said.
 */
#ifndef BENCH_TOPO_H
#define BENCH_TOPO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TOPO_MAX_LEVELS 5

/* Loads the topology once; every other call does this itself. */
void topo_init(void);

int topo_ncpus(void);		/* processing units (hardware threads) */
int topo_ncores(void);
int topo_numa_nodes(void);
/* Data (or unified) cache size of a level (1..TOPO_MAX_LEVELS), 0 if none. */
uint64_t topo_cache_size(int level);
int topo_cache_levels(void);	/* highest level present */
uint64_t topo_llc_size(void);	/* last-level cache, 0 if none reported */
/* Line size of L1d from hwloc, else sysconf, else 64. */
unsigned topo_line_size(void);
/* hwloc's CPUModel, or /proc/cpuinfo's model name, or "unknown". */
const char *topo_cpu_model(void);
/* "L1d 48KiB/64B (x2), L2 1MiB (x2), L3 32MiB (x1)". */
const char *topo_cache_summary(void);
/* Total memory hwloc sees, in bytes. */
uint64_t topo_total_memory(void);

/*
 * Pinning stays inside the CPUs the process was allowed when it started
 * (its inherited affinity: taskset, a cgroup cpuset), read the first time
 * any of these functions runs, before anything is pinned.
 *
 * The allowed CPUs as a list ("0-1", "1", "0,2-3") into buf; returns how
 * many there are.
 */
int topo_cpus_allowed(char *buf, size_t len);
/* Whether the process may run on this CPU (OS index). */
int topo_cpu_allowed(int cpu);
/*
 * Pins the calling thread to one processing unit of core (idx mod n),
 * counting only the n cores with an allowed processing unit. Returns 0,
 * or -1 with errno set.
 */
int topo_pin_thread(int idx);
/* Pins the calling thread to one CPU; -1 with EINVAL if it is not allowed. */
int topo_pin_cpu(int cpu);
/* Undoes pinning: the calling thread may run on any allowed CPU, no more. */
int topo_unpin_thread(void);
/* The processing unit the calling thread is running on, or -1. */
int topo_current_cpu(void);

/*
 * A working-set sweep: sizes from lo to hi (both rounded to a multiple of
 * align), points_per_octave per doubling (1, 2, 3 or 4) plus hi itself,
 * deduplicated and ascending. hi is capped at a quarter of available
 * memory. Returns the number written.
 */
int topo_sweep(int64_t *out, int max, uint64_t lo, uint64_t hi,
	       int points_per_octave, uint64_t align);

/*
 * The standard sweep for a profile: from half of L1d to max_llc_mult times
 * the last-level cache (at least 64 MiB), capped by memory. TEST gives two
 * tiny sizes; QUICK one point per octave; FULL two.
 */
int topo_ws_sizes(int64_t *out, int max, int profile, int max_llc_mult);

/* A quarter of MemAvailable: the most one benchmark should allocate. */
uint64_t topo_mem_budget(void);

#ifdef __cplusplus
}
#endif

#endif
