/*
 * dram.h - what the dram suite's families share: buffers on a chosen page
 * size, pointer-chase cycles, resident-memory and physical-address
 * readers, and the size rules derived from the machine.
 *
 * The functions here are not static so that tests/ can call them; the
 * benchmark cases themselves live in one file per family.
 */
#ifndef DRAM_H
#define DRAM_H

#include "calib.h"
#include "gbshim.h"
#include "util.h"

#include <stddef.h>
#include <stdint.h>

#define DRAM_HUGE ((size_t)2 << 20)	/* x86-64 PMD-sized huge page */
#define DRAM_ROW 8192			/* the row size the claims name */

/* ---- buffers (mem.c) ---- */

enum dram_pages {
	DRAM_4K = 0,	/* MADV_NOHUGEPAGE: 4 KiB whatever the THP mode */
	DRAM_THP,	/* MADV_HUGEPAGE on a 2 MiB-aligned range */
	DRAM_HUGETLB,	/* MAP_HUGETLB from the reserved pool */
};

enum {
	DRAM_NO_PREFAULT = 1 << 0,	/* leave every page untouched */
	DRAM_SHUFFLED = 1 << 1,		/* 4K: fault in random order */
	DRAM_CONTIG = 1 << 2,		/* 4K: frames in physical order */
};

struct dram_buf {
	char *p;		/* start of the usable bytes */
	size_t bytes;		/* usable bytes asked for */
	char *map;		/* what munmap gets */
	size_t map_len;
	size_t span;		/* bytes from p the page size applies to */
	enum dram_pages pages;
};

extern const char *const dram_pages_name[];

/*
 * Maps bytes on the given pages and, unless DRAM_NO_PREFAULT, writes one
 * byte per page so no first-touch fault (about 4.6 us per 4 KiB page on a
 * KVM guest) lands in a timed loop. THP and hugetlb buffers are rounded
 * up to whole 2 MiB pages, so even a 4 KiB working set sits on a huge
 * page. DRAM_SHUFFLED (4K only) touches the pages in an order drawn from
 * seed: the kernel hands out physical frames in fault order, so
 * virtually adjacent pages end up physically far apart. DRAM_CONTIG (4K
 * only) faults the buffer in as huge pages, then splits every one into
 * 4 KiB page-table entries: 4 KiB pages whose frames are in order, by
 * construction rather than by the allocator's mood (if THP is refused,
 * they are 4 KiB pages faulted in order; dram_buf_adjacency tells).
 * Returns 0, or -1 with errno set and nothing mapped.
 */
int dram_buf_alloc(struct dram_buf *b, size_t bytes, enum dram_pages pages,
		   unsigned flags, uint64_t seed);
void dram_buf_free(struct dram_buf *b);

/*
 * dram_buf_alloc for a case's setup: checks that bytes plus extra (scratch
 * the setup needs beside the buffer) leave at least half of available
 * memory free, and turns every failure into a skip with its reason (for
 * hugetlb, how to reserve pages). Returns 0 or -1 after bench_skip().
 */
int dram_buf_setup(struct bench_state *st, struct dram_buf *b, size_t bytes,
		   enum dram_pages pages, unsigned flags, size_t extra);

/* Share of [p, p + len) the kernel backs with huge pages; -1 if unknown. */
double dram_huge_share(const void *p, size_t len);

/*
 * The buffer's huge-page share into *share (hugetlb 1, -1 if unknown).
 * Returns -1 after bench_skip() if it is a THP buffer the kernel backed
 * less than 90% with huge pages (THP off, memory too fragmented): every
 * figure of the case would be mislabelled. Otherwise 0.
 */
int dram_huge_or_skip(struct bench_state *st, const struct dram_buf *b,
		      double *share);

/* Resident set of the process in bytes (smaps_rollup: exact); -1 on error. */
int64_t dram_rss_bytes(void);

/* ---- physical addresses (mem.c) ---- */

/*
 * Page frame numbers of the n pages from addr (page aligned) into pfn,
 * from /proc/self/pagemap; 0 for a page not present. Returns 0, or -1
 * with errno set: EPERM when the kernel hides frame numbers (it reads
 * them as 0 without CAP_SYS_ADMIN), or whatever open/pread said.
 */
int dram_pfns(const void *addr, size_t n, uint64_t *pfn);

/* Share of neighbouring pairs whose frames are neighbours (+1 or -1). */
double dram_adjacent_share(const uint64_t *pfn, size_t n);

/*
 * The adjacent share of a buffer's pages into *share, or -1 there and the
 * reason in note (no root, no pagemap).
 */
void dram_buf_adjacency(const struct dram_buf *b, double *share, char *note,
			size_t len);

/* ---- chase cycles (cycle.c) ---- */

/*
 * An order is a permutation of the n lines of a buffer; linking it writes
 * into line order[i] a pointer to line order[i + 1] (the last to the
 * first), so a chase visits the lines in that order, forever.
 */
void cyc_order_random(uint32_t *order, size_t n, struct rng *r);
/* Windows of w lines in random order, the lines of each in random order. */
void cyc_order_windows(uint32_t *order, size_t n, size_t w, struct rng *r);
/* Every step-th line, then the same from line 1, 2, ... step - 1. */
void cyc_order_stride(uint32_t *order, size_t n, size_t step);

void cyc_link(char *base, size_t line, const uint32_t *order, size_t n);
/*
 * 0 if order is a permutation of [0, n) and every line holds the pointer
 * linking gives it: together a proof that the buffer holds one cycle
 * through all n lines. Touches every line once, in order's order, with
 * independent loads (about 10 ns a line beyond the caches).
 */
int cyc_check(const char *base, size_t line, const uint32_t *order, size_t n);
/*
 * Follows the pointers from base for at most n steps; returns the step at
 * which it first comes back to base, or 0 if a pointer leaves the buffer,
 * is not line aligned, or the walk does not return. A return of exactly n
 * means one cycle through every line. Dependent loads: for tests.
 */
size_t cyc_walk(const char *base, size_t line, size_t n);

/* ---- chase cases, shared by several families (chase.c) ---- */

enum chase_order {
	CHASE_RANDOM = 0,
	CHASE_WINDOWS,	/* param: window bytes */
	CHASE_STRIDE,	/* param: stride bytes */
};

struct dram_chase {
	struct dram_buf buf;
	size_t line;
	size_t lines;		/* lines in the cycle */
	void **cur;		/* where the next run continues */
	double huge_share;
	double adjacent;	/* physically adjacent page share, -1 unknown */
	char note[160];		/* why adjacent is unknown (label) */
	struct calib_warm warm;	/* the warm-up of a chase beyond the LLC */
	int warmed;
};

/*
 * A chase over bytes on pages: buffer, order, link, check, and for a
 * random or windowed order beyond the last-level cache a warm-up until
 * the time per load stops falling (calib_warm; at most 0.5 s in quick,
 * 2 s in full; the label says how it went). 0 or -1.
 */
int dram_chase_setup(struct bench_state *st, size_t bytes,
		     enum dram_pages pages, unsigned flags,
		     enum chase_order order, size_t param);
/*
 * The same over one line every slot bytes (a multiple of the line size)
 * instead of every line: a sparse chase, whose order and windows count
 * slots.
 */
int dram_chase_setup_slots(struct bench_state *st, size_t bytes,
			   enum dram_pages pages, unsigned flags,
			   enum chase_order order, size_t param, size_t slot);
void dram_chase_run(struct bench_state *st);
/* The label of a chase: what (or the page size), notes, warm-up bound. */
void dram_chase_label(struct bench_state *st, const struct dram_chase *c,
		      const char *what);
int dram_chase_verify(struct bench_state *st);
void dram_chase_teardown(struct bench_state *st);

/* ---- sizes from the machine (chase.c, rows.c, backing.c) ---- */

/*
 * Working sets of the latency curve: the harness's standard sweep
 * (topo_ws_points) from 4 KiB to top, which the case takes from the
 * measured last-level cache (topo_ws_top: 4x in quick, 16x in full); if
 * top and its order array (a sixteenth beside the buffer) do not fit
 * budget, the sweep ends at the largest power of two that does and
 * *capped is set. TEST: 4 KiB and 64 KiB, whatever top says.
 */
int dram_chase_sizes(int64_t *out, int max, enum bench_profile prof,
		     uint64_t top, uint64_t budget, int *capped);

/*
 * The buffer for row-locality and backing tests: the smallest power of two
 * at least max(floor, top), at most ceil, and at most what budget allows
 * (a buffer plus its order array); 0 if even floor / 4 does not fit.
 */
uint64_t dram_big_bytes(uint64_t floor, uint64_t ceil, uint64_t top,
			uint64_t budget);

/*
 * dram_big_bytes for this machine, with top eight times the measured
 * last-level cache (topo_ws_top(8); none in the test profile, which
 * measures nothing), and a line in the run's context under key saying
 * what was chosen and, if memory made it smaller than the caches asked
 * for, that it did.
 */
uint64_t dram_big_bytes_noted(const char *key, uint64_t floor, uint64_t ceil,
			      const char *what);

/* ---- internal fragmentation (alloc.c) ---- */

enum alloc_kind {
	ALLOC_MALLOC = 0,
	ALLOC_MMAP,	/* one anonymous mapping per object */
	ALLOC_ARENA,	/* bump pointer in one mapping */
};

struct alloc_result {
	double rss_bytes;	/* resident growth: allocated, touched */
	double requested;	/* objects x size */
	int bad;		/* objects whose contents were overwritten */
};

/*
 * Allocates n objects of size bytes, writes each whole, measures the RSS
 * they added and frees them; the same steps the benchmark times, without
 * the clock, for tests. Returns 0 or -1 with errno set.
 */
int alloc_measure(enum alloc_kind kind, size_t n, size_t size,
		  struct alloc_result *res);

#endif
