/*
 * test_topo.c - topology from hwloc, pinning, and the working-set sweep.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "topo.h"
#include "util.h"
#include "tap.h"

#include <sched.h>
#include <string.h>

int main(void)
{
	int64_t s[64];
	int n, sorted = 1, aligned = 1, bounded = 1;
	unsigned ls = topo_line_size();

	ok(topo_ncpus() >= 1, "%d processing units", topo_ncpus());
	ok(topo_ncores() >= 1 && topo_ncores() <= topo_ncpus(), "%d cores",
	   topo_ncores());
	ok(topo_numa_nodes() >= 1, "%d NUMA nodes", topo_numa_nodes());
	ok(ls >= 16 && (ls & (ls - 1)) == 0, "line size %u is a power of two",
	   ls);
	ok(topo_cache_levels() >= 1 && topo_cache_size(1) > 0,
	   "caches: %s", topo_cache_summary());
	ok(topo_llc_size() >= topo_cache_size(1), "LLC is at least L1");
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
