/*
 * false_sharing.c - two threads that share no data, only a cache line.
 *
 * Isolates the cost of false sharing: two threads, pinned to different
 * cores, each incrementing its own 8-byte counter (a load and a store per
 * increment, as a per-thread statistics counter does), with the counters
 * in one line, one line apart, or two lines apart (lines 0 and 2, so not
 * in the same 128-byte pair the adjacent-line prefetcher fetches
 * together). The read cases have one thread incrementing while the other
 * only reads a word of its own: a reader of a line someone else writes
 * misses on every read that follows a write.
 *
 * Time is wall-clock per increment or read over both threads (Google
 * Benchmark divides by the iterations of every thread), so two threads
 * running without interference show half the time one thread needs. The
 * figure means something only while both threads run at once: a context
 * switch in the loop (the ctx_switches counter, per operation) says one
 * was descheduled for a while, as happens when other work shares the
 * CPUs.
 *
 * Run just this:  build/O2/bench_cacheline --benchmark_filter=false_sharing
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, gcc 12 -O2, both
 * vCPUs otherwise idle): padded counters about 0.13-0.15 ns per increment
 * over both threads; counters in one line up to 12x that (2 ns); a reader
 * of the written line about 2.5x its padded figure. Two lines apart is the
 * same as one on this core.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "topo.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum fs_mode {
	FS_INC = 0,	/* both threads increment */
	FS_READ,	/* thread 0 increments, thread 1 reads */
};

struct fs_case {
	int gap_lines;	/* 0: 8 bytes apart in one line */
	enum fs_mode mode;
};

struct fs {
	unsigned char *mem;
	size_t bytes;
	size_t off[2];		/* each thread's word */
	int cpu[2];		/* where each thread ran */
};

/* The value thread 1 reads in FS_READ: any constant but zero. */
#define FS_READ_VALUE ((uint64_t)0x5a5a5a5a)

static int fs_setup(struct bench_state *st)
{
	const struct fs_case *fc = bench_data(st);
	unsigned line = topo_line_size();
	struct fs *fs;

	/* hwloc's count: the CPUs this process's cgroup allows. */
	if (topo_ncpus() < 2) {
		bench_skip(st, "needs two CPUs to run both threads at once; "
			   "this machine has %d", topo_ncpus());
		return -1;
	}
	if (topo_ncores() < 2) {
		bench_skip(st, "needs two cores: threads are pinned to core "
			   "i, and this machine has %d", topo_ncores());
		return -1;
	}
	fs = xcalloc(1, sizeof(*fs));
	fs->bytes = page_size();
	/* Page aligned, so line 0 starts the page; prefaulted. */
	fs->mem = mem_alloc(fs->bytes, 0);
	if (!fs->mem) {
		bench_skip(st, "cannot allocate a page (%s)", strerror(errno));
		free(fs);
		return -1;
	}
	fs->off[0] = 0;
	fs->off[1] = fc->gap_lines ? (size_t)fc->gap_lines * line : 8;
	if (fs->off[1] + 8 > fs->bytes)
		die("false_sharing: two %u-byte lines do not fit a page",
		    line);
	memcpy(fs->mem + fs->off[1], &(uint64_t){ FS_READ_VALUE }, 8);
	bench_set_priv(st, fs);
	return 0;
}

static void fs_teardown(struct bench_state *st)
{
	struct fs *fs = bench_priv(st);

	mem_free(fs->mem, fs->bytes);
	free(fs);
}

/*
 * volatile: one load and one store per increment, to memory, as code
 * that cannot keep the counter in a register (it is shared state) does.
 * Each thread's result is exact and checked after the loop.
 */
static void fs_run(struct bench_state *st)
{
	const struct fs_case *fc = bench_data(st);
	struct fs *fs = bench_priv(st);
	int tid = bench_thread_index(st);
	volatile uint64_t *p = (volatile uint64_t *)(fs->mem + fs->off[tid]);
	uint64_t n, start = *p, sum = 0;
	int reader = fc->mode == FS_READ && tid == 1;

	fs->cpu[tid] = topo_current_cpu();
	while ((n = bench_batch(st)) != 0) {
		if (reader) {
			for (uint64_t i = 0; i < n; i++)
				sum += *p;
		} else {
			for (uint64_t i = 0; i < n; i++)
				*p = *p + 1;
		}
	}
	bench_sink(sum);
	if (reader && sum != FS_READ_VALUE * bench_iterations(st))
		bench_fail(st, "thread %d read a sum of %" PRIu64 ", expected "
			   "%" PRIu64, tid, sum,
			   FS_READ_VALUE * bench_iterations(st));
	else if (!reader && *p != start + bench_iterations(st))
		bench_fail(st, "thread %d counted to %" PRIu64 ", expected %"
			   PRIu64, tid, *p - start, bench_iterations(st));
	bench_thread_barrier(st);
	if (tid == 0 && fs->cpu[0] == fs->cpu[1])
		bench_skip(st, "both threads ran on cpu %d (pinning off?): "
			   "that measures time sharing, not false sharing",
			   fs->cpu[0]);
	else if (tid == 0)
		bench_label(st, "threads on cpus %d and %d, words %zu bytes "
			    "apart", fs->cpu[0], fs->cpu[1],
			    fs->off[1] - fs->off[0]);
}

#define FS_CASE(nm, ds, gap, md)					\
	{								\
		.name = nm,						\
		.desc = ds,						\
		.setup = fs_setup, .run = fs_run,			\
		.teardown = fs_teardown,				\
		.threads = 2,						\
		.flags = BENCH_REAL_TIME,				\
		.counters = "ctx_switches",				\
		.data = &(const struct fs_case){			\
			.gap_lines = (gap), .mode = (md),		\
		},							\
	}

static const struct bench_case cases[] = {
	FS_CASE("false_sharing/inc/same_line",
		"two threads increment counters 8 bytes apart", 0, FS_INC),
	FS_CASE("false_sharing/inc/pad_line",
		"two threads increment counters one line apart", 1, FS_INC),
	FS_CASE("false_sharing/inc/pad_2lines",
		"two threads increment counters two lines apart", 2, FS_INC),
	FS_CASE("false_sharing/read/same_line",
		"one thread increments, the other reads, one line", 0, FS_READ),
	FS_CASE("false_sharing/read/pad_line",
		"one thread increments, the other reads, a line apart", 1,
		FS_READ),
	FS_CASE("false_sharing/read/pad_2lines",
		"one thread increments, the other reads, two lines apart", 2,
		FS_READ),
};
BENCH_FAMILY(cases);
