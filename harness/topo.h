/*
 * topo.h - machine topology from hwloc, thread pinning, and working-set
 * sizes derived from the caches this process really gets rather than
 * constants.
 *
 * hwloc (and sysfs) report what CPUID says. On a VM that can be wrong: one
 * machine here reports "L3 508MiB" per core, the legacy CPUID leaf's
 * nonsense, while its latency curve reaches memory at 2 MiB; another
 * reports the host's 32 MiB L3 where the tenant's curve reaches DRAM at
 * 4-8 MiB. So the last-level size that sweeps are built from is measured
 * (calib.h): read from --bench_caches=FILE when the run measured once for
 * every binary, else measured in this process the first time a case asks
 * for it. hwloc's and sysfs's figures stay in the context beside it, with
 * any disagreement spelled out.
 */
#ifndef BENCH_TOPO_H
#define BENCH_TOPO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct calib_caches;

#define TOPO_MAX_LEVELS 5

/* Loads the topology once; every other call does this itself. */
void topo_init(void);

int topo_ncpus(void);		/* processing units (hardware threads) */
int topo_ncores(void);
int topo_numa_nodes(void);
/*
 * hwloc's data (or unified) cache size of a level (1..TOPO_MAX_LEVELS), 0
 * if none: what CPUID says, which a hypervisor may have made up.
 */
uint64_t topo_cache_size(int level);
int topo_cache_levels(void);	/* highest level hwloc reports */
uint64_t topo_hwloc_llc_size(void);	/* hwloc's last level, 0 if none */
/* The same from /sys/devices/system/cpu/cpu0/cache, 0 if none. */
uint64_t topo_sysfs_cache_size(int level);
uint64_t topo_sysfs_llc_size(void);
/* "L1d 48KiB, L2 1MiB, L3 32MiB", or "none" */
const char *topo_sysfs_summary(void);

/*
 * The last-level cache to size working sets from: the measured boundary
 * (from --bench_caches, else measured now, once, about a second), or, if
 * the curve never reached memory, sysfs's or hwloc's figure; 64 MiB if
 * nothing at all is known. Never 0.
 */
uint64_t topo_llc_size(void);
/*
 * Where topo_llc_size() came from: "measured", "measured (FILE)", "sysfs",
 * "hwloc" or "assumed", with the reason when not measured.
 */
const char *topo_llc_source(void);
/*
 * The measured caches, or NULL if none were loaded or measured yet; this
 * does not measure.
 */
const struct calib_caches *topo_measured_caches(void);
/*
 * Where the measured last level and hwloc's or sysfs's differ by more than
 * a factor of two: one line saying which figures and which is used; ""
 * when they agree or nothing was measured.
 */
const char *topo_cache_disagreement(void);
/*
 * Reads a calibration (tools/calibrate's JSON) for every later size
 * decision. Returns 0, or -1 with the reason in err (--bench_caches turns
 * that into exit status 2).
 */
int topo_load_caches(const char *path, char *err, size_t len);
/* The same from a measurement in hand (tools/calibrate). */
void topo_set_caches(const struct calib_caches *c);
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
 * The top of every "beyond the last level" sweep: llc_mult times
 * topo_llc_size() (4 if llc_mult is 0), at most topo_mem_budget(), a
 * multiple of 4 KiB.
 */
uint64_t topo_ws_top(int llc_mult);

/*
 * The standard sweep for a profile: powers of two from the largest one at
 * most half of L1d up to below topo_ws_top(max_llc_mult), then that top
 * itself, so the names of every point but the last stay put when the
 * measured cache moves. TEST gives two tiny sizes (4 KiB, 64 KiB); QUICK
 * one point per octave; FULL adds 1.5 x 2^k between. _from starts at the
 * largest power of two at most lo instead.
 */
int topo_ws_sizes(int64_t *out, int max, int profile, int max_llc_mult);
int topo_ws_sizes_from(int64_t *out, int max, int profile, uint64_t lo,
		       int max_llc_mult);
/* The same points for a given top (no topology): for tests. */
int topo_ws_points(int64_t *out, int max, int profile, uint64_t lo,
		   uint64_t top);

/* A quarter of MemAvailable: the most one benchmark should allocate. */
uint64_t topo_mem_budget(void);

#ifdef __cplusplus
}
#endif

#endif
