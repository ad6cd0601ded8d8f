/*
 * test_topo.c - topology from hwloc, pinning, the last-level cache from a
 * calibration file, and the working-set sweep.
 */
#define _GNU_SOURCE
#include "calib.h"
#include "gbshim.h"
#include "topo.h"
#include "util.h"
#include "tap.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MiB (1ULL << 20)

/* Loads a calibration saying 2 MiB before anything asks for the LLC. */
static void test_caches_file(void)
{
	char path[] = "/tmp/bench-topo-XXXXXX", err[512];
	struct calib_caches c;
	uint64_t hw = topo_hwloc_llc_size();
	int fd = mkstemp(path), far;
	FILE *f = fdopen(fd, "w");

	ok(topo_measured_caches() == NULL, "nothing measured before asked");
	ok(strstr(topo_llc_source(), "not measured") != NULL,
	   "and the source says so: %s", topo_llc_source());
	memset(&c, 0, sizeof(c));
	c.nlevels = 1;
	c.levels[0] = (struct calib_level){ 2 * MiB, 2.5 * MiB, 15 };
	c.llc_bytes = 2 * MiB;
	c.reached_memory = 1;
	c.memory_ns = 120;
	calib_caches_write(&c, f);
	fclose(f);
	ok(topo_load_caches("/nonexistent/caches.json", err, sizeof(err)) < 0 &&
		   strstr(err, "/nonexistent/caches.json"),
	   "a missing calibration file is an error naming it: %s", err);
	ok(!topo_load_caches(path, err, sizeof(err)), "load a calibration");
	is_int(topo_llc_size(), 2 * MiB, "the LLC is the file's");
	ok(strstr(topo_llc_source(), "measured (") &&
		   strstr(topo_llc_source(), path),
	   "source: %s", topo_llc_source());
	far = hw && (hw > 4 * MiB || hw < MiB);
	if (far)
		ok(strstr(topo_cache_disagreement(), "hwloc says") != NULL,
		   "hwloc's %llu against 2 MiB measured is flagged: %s",
		   (unsigned long long)hw, topo_cache_disagreement());
	else
		ok(!strstr(topo_cache_disagreement(), "hwloc"),
		   "hwloc's %llu agrees with 2 MiB within 2x: no flag",
		   (unsigned long long)hw);
	is_int(topo_ws_top(4), 8 * MiB, "four times the LLC: 8 MiB");
	unlink(path);
}

static void test_points(void)
{
	int64_t s[64];
	int n;

	n = topo_ws_points(s, 64, BENCH_PROFILE_QUICK, 24 << 10, 12 * MiB);
	is_int(s[0], 16 << 10, "a sweep starts at the power of two below lo");
	is_int(s[n - 1], 12 * MiB, "and ends at its top");
	is_int(s[n - 2], 8 * MiB, "after the last power of two below it");
	is_int(n, 11, "16 KiB to 8 MiB by octaves, then 12 MiB");
	n = topo_ws_points(s, 64, BENCH_PROFILE_FULL, 16 << 10, 8 * MiB);
	is_int(s[1], 24 << 10, "full: 1.5 x 2^k between");
	is_int(s[n - 1], 8 * MiB, "a power-of-two top comes once");
	ok(s[n - 2] == 6 * MiB, "after 6 MiB");
	n = topo_ws_points(s, 3, BENCH_PROFILE_QUICK, 4096, 64 * MiB);
	is_int(n, 3, "never more than max");
	n = topo_ws_points(s, 64, BENCH_PROFILE_TEST, 4096, 64 * MiB);
	ok(n == 2 && s[0] == 4096 && s[1] == 64 << 10,
	   "test profile: 4 KiB and 64 KiB whatever the top");
}

int main(void)
{
	int64_t s[64];
	int n, sorted = 1, aligned = 1, bounded = 1;
	unsigned ls = topo_line_size();

	test_caches_file();
	test_points();
	ok(strlen(topo_sysfs_summary()) > 0 &&
		   (!strcmp(topo_sysfs_summary(), "none") ==
		    !topo_sysfs_llc_size()),
	   "sysfs caches: %s", topo_sysfs_summary());

	ok(topo_ncpus() >= 1, "%d processing units", topo_ncpus());
	ok(topo_ncores() >= 1 && topo_ncores() <= topo_ncpus(), "%d cores",
	   topo_ncores());
	ok(topo_numa_nodes() >= 1, "%d NUMA nodes", topo_numa_nodes());
	ok(ls >= 16 && (ls & (ls - 1)) == 0, "line size %u is a power of two",
	   ls);
	ok(topo_cache_levels() >= 1 && topo_cache_size(1) > 0,
	   "caches: %s", topo_cache_summary());
	ok(topo_hwloc_llc_size() >= topo_cache_size(1), "hwloc's LLC is at "
	   "least its L1");
	ok(strlen(topo_cpu_model()) > 0, "CPU model: %s", topo_cpu_model());

	ok(!topo_pin_thread(0), "pin to core 0");
	ok(topo_current_cpu() >= 0, "running on CPU %d", topo_current_cpu());
	if (topo_ncores() > 1) {
		cpu_set_t set;

		ok(!topo_pin_thread(1), "pin to core 1");
		sched_getaffinity(0, sizeof(set), &set);
		is_int(CPU_COUNT(&set), 1, "pinned to exactly one CPU");
	}
	ok(!topo_unpin_thread(), "unpin");

	n = topo_sweep(s, 64, 4096, 1 << 20, 2, 4096);
	ok(n > 4, "a sweep from 4 KiB to 1 MiB has %d points", n);
	for (int i = 0; i < n; i++) {
		if (i && s[i] <= s[i - 1])
			sorted = 0;
		if (s[i] % 4096)
			aligned = 0;
		if (s[i] < 4096 || s[i] > 1 << 20)
			bounded = 0;
	}
	ok(sorted, "ascending without duplicates");
	ok(aligned, "aligned");
	ok(bounded, "within the bounds");
	is_int(s[0], 4096, "starts at the low bound");
	is_int(s[n - 1], 1 << 20, "ends at the high bound");
	n = topo_sweep(s, 64, 4096, 1ULL << 50, 1, 4096);
	ok((uint64_t)s[n - 1] <= topo_mem_budget(),
	   "capped by a quarter of available memory");
	n = topo_ws_sizes(s, 64, BENCH_PROFILE_TEST, 4);
	ok(n == 2 && s[1] <= 64 << 10, "test profile: two tiny sizes");
	n = topo_ws_sizes(s, 64, BENCH_PROFILE_QUICK, 4);
	ok((uint64_t)s[0] <= topo_cache_size(1) &&
		   ((uint64_t)s[n - 1] >= 4 * topo_llc_size() ||
		    (uint64_t)s[n - 1] * 2 > topo_mem_budget()),
	   "quick profile spans L1 to 4x LLC (or memory)");
	return tap_done();
}
