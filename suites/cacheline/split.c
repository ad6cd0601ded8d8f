/*
 * split.c - loads and stores that cross a cache line (or a page) against
 * aligned ones.
 *
 * Isolates what an access costs when it straddles a boundary: 8, 16 and
 * 32-byte loads and stores, eight independent ones per iteration at eight
 * different lines, all in L1, at four placements:
 *
 *   aligned     on a multiple of the access size
 *   unaligned   one byte past it, still inside one line
 *   line_split  across a line boundary (half in each line)
 *   page_split  across a 4 KiB page boundary (two lines, two pages)
 *
 * so "unaligned" against "line_split" separates misalignment from
 * crossing. Loads go to eight accumulators (throughput, not latency);
 * stores write a value that changes every iteration.
 *
 * 16-byte accesses are one SSE2 instruction; 32-byte ones are compiled for
 * AVX2 and skipped on CPUs without it (the baseline ISA would split them
 * into two 16-byte accesses, which is a different experiment).
 *
 * Run just this:  build/O2/bench_cacheline --benchmark_filter=split
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, gcc 12 -O2, CPU
 * time per iteration of eight): aligned and unaligned loads 0.6 ns (8
 * bytes) and 1.0 ns (16, 32); line_split and page_split loads twice that;
 * stores 1.1 ns aligned, 4.4 ns across a line, 48 ns across a page.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "topo.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SPLIT_N 8	/* accesses per iteration */

typedef uint64_t v2u64 __attribute__((vector_size(16)));
typedef uint64_t v4u64 __attribute__((vector_size(32)));

enum split_place {
	PLACE_ALIGNED = 0,
	PLACE_UNALIGNED,
	PLACE_LINE,
	PLACE_PAGE,
};

enum split_op {
	OP_LOAD = 0,
	OP_STORE,
};

struct split_case {
	enum split_place place;
	enum split_op op;
};

struct split {
	unsigned char *mem;
	size_t bytes;
	unsigned char *at[SPLIT_N];	/* the eight addresses */
	uint64_t want[SPLIT_N][4];	/* loads: the words read at each */
	uint64_t acc[4];		/* loads: lane sums of the last run */
};

static int split_setup(struct bench_state *st)
{
	const struct split_case *sc = bench_data(st);
	size_t w = (size_t)bench_arg(st), line = topo_line_size();
	size_t page = page_size();
	struct split *s;
	struct rng r;

#if defined(__x86_64__)
	if (w == 32 && !__builtin_cpu_supports("avx2")) {
		bench_skip(st, "32-byte accesses need AVX2, which this CPU "
			   "lacks");
		return -1;
	}
#else
	if (w == 32) {
		bench_skip(st, "32-byte accesses are written for x86-64 AVX2 "
			   "only");
		return -1;
	}
#endif
	s = xcalloc(1, sizeof(*s));
	/* Page-split needs SPLIT_N + 1 pages; the rest fit in the first. */
	s->bytes = (SPLIT_N + 1) * page;
	s->mem = mem_alloc(s->bytes, 0);	/* prefaulted */
	if (!s->mem) {
		bench_skip(st, "cannot allocate %zu bytes (%s)", s->bytes,
			   strerror(errno));
		free(s);
		return -1;
	}
	rng_seed(&r, bench_seed() ^ 0x5b1170);
	for (size_t i = 0; i < s->bytes; i += 8) {
		uint64_t v = rng_next(&r);

		memcpy(s->mem + i, &v, 8);
	}
	for (int k = 0; k < SPLIT_N; k++) {
		size_t base = (size_t)k * 2 * line;	/* every other */

		switch (sc->place) {
		case PLACE_ALIGNED:
			s->at[k] = s->mem + base;
			break;
		case PLACE_UNALIGNED:
			s->at[k] = s->mem + base + 1;
			break;
		case PLACE_LINE:
			s->at[k] = s->mem + base + line - w / 2;
			break;
		case PLACE_PAGE:
			s->at[k] = s->mem + (size_t)(k + 1) * page - w / 2;
			break;
		}
		for (size_t j = 0; j < w / 8; j++)
			memcpy(&s->want[k][j], s->at[k] + 8 * j, 8);
	}
	bench_set_priv(st, s);
	return 0;
}

static void split_teardown(struct bench_state *st)
{
	struct split *s = bench_priv(st);

	mem_free(s->mem, s->bytes);
	free(s);
}

/*
 * The loops: eight independent accesses per iteration, unrolled, each one
 * instruction at an address held in a register. Loads are summed as a
 * tree into one accumulator, so the only chain between iterations is one
 * add. bench_clobber() makes the compiler redo every load and store each
 * iteration (it would hoist them otherwise: nothing else writes the
 * buffer); it emits no code.
 */
#define SPLIT_PTRS(s)							\
	unsigned char *p0 = (s)->at[0], *p1 = (s)->at[1], *p2 = (s)->at[2], \
		      *p3 = (s)->at[3], *p4 = (s)->at[4], *p5 = (s)->at[5], \
		      *p6 = (s)->at[6], *p7 = (s)->at[7]

static void load8(struct bench_state *st, struct split *s)
{
	SPLIT_PTRS(s);
	uint64_t n, acc = 0, v0, v1, v2, v3, v4, v5, v6, v7;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			bench_clobber();
			memcpy(&v0, p0, 8);
			memcpy(&v1, p1, 8);
			memcpy(&v2, p2, 8);
			memcpy(&v3, p3, 8);
			memcpy(&v4, p4, 8);
			memcpy(&v5, p5, 8);
			memcpy(&v6, p6, 8);
			memcpy(&v7, p7, 8);
			acc += ((v0 + v1) + (v2 + v3)) +
			       ((v4 + v5) + (v6 + v7));
		}
	bench_sink(acc);
	s->acc[0] = acc;
}

static void store8(struct bench_state *st, struct split *s)
{
	SPLIT_PTRS(s);
	uint64_t n, x = 0;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			x++;
			memcpy(p0, &x, 8);
			memcpy(p1, &x, 8);
			memcpy(p2, &x, 8);
			memcpy(p3, &x, 8);
			memcpy(p4, &x, 8);
			memcpy(p5, &x, 8);
			memcpy(p6, &x, 8);
			memcpy(p7, &x, 8);
			bench_clobber();
		}
}

static void load16(struct bench_state *st, struct split *s)
{
	SPLIT_PTRS(s);
	uint64_t n;
	v2u64 acc = { 0, 0 }, v0, v1, v2, v3, v4, v5, v6, v7;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			bench_clobber();
			memcpy(&v0, p0, 16);
			memcpy(&v1, p1, 16);
			memcpy(&v2, p2, 16);
			memcpy(&v3, p3, 16);
			memcpy(&v4, p4, 16);
			memcpy(&v5, p5, 16);
			memcpy(&v6, p6, 16);
			memcpy(&v7, p7, 16);
			acc += ((v0 + v1) + (v2 + v3)) +
			       ((v4 + v5) + (v6 + v7));
		}
	/* s->acc is reachable outside: the loop's result is used. */
	for (int j = 0; j < 2; j++)
		s->acc[j] = acc[j];
}

static void store16(struct bench_state *st, struct split *s)
{
	SPLIT_PTRS(s);
	uint64_t n;
	v2u64 x = { 0, 0 }, one = { 1, 1 };

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			x += one;
			memcpy(p0, &x, 16);
			memcpy(p1, &x, 16);
			memcpy(p2, &x, 16);
			memcpy(p3, &x, 16);
			memcpy(p4, &x, 16);
			memcpy(p5, &x, 16);
			memcpy(p6, &x, 16);
			memcpy(p7, &x, 16);
			bench_clobber();
		}
}

#if defined(__x86_64__)
#define SPLIT_AVX2 __attribute__((target("avx2")))
#else
#define SPLIT_AVX2
#endif

static SPLIT_AVX2 void load32(struct bench_state *st, struct split *s)
{
	SPLIT_PTRS(s);
	uint64_t n;
	v4u64 acc = { 0, 0, 0, 0 }, v0, v1, v2, v3, v4, v5, v6, v7;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			bench_clobber();
			memcpy(&v0, p0, 32);
			memcpy(&v1, p1, 32);
			memcpy(&v2, p2, 32);
			memcpy(&v3, p3, 32);
			memcpy(&v4, p4, 32);
			memcpy(&v5, p5, 32);
			memcpy(&v6, p6, 32);
			memcpy(&v7, p7, 32);
			acc += ((v0 + v1) + (v2 + v3)) +
			       ((v4 + v5) + (v6 + v7));
		}
	for (int j = 0; j < 4; j++)
		s->acc[j] = acc[j];
}

static SPLIT_AVX2 void store32(struct bench_state *st, struct split *s)
{
	SPLIT_PTRS(s);
	uint64_t n;
	v4u64 x = { 0, 0, 0, 0 }, one = { 1, 1, 1, 1 };

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			x += one;
			memcpy(p0, &x, 32);
			memcpy(p1, &x, 32);
			memcpy(p2, &x, 32);
			memcpy(p3, &x, 32);
			memcpy(p4, &x, 32);
			memcpy(p5, &x, 32);
			memcpy(p6, &x, 32);
			memcpy(p7, &x, 32);
			bench_clobber();
		}
}

/* Dispatch on width and direction once, outside the timed loop. */
static void split_run(struct bench_state *st)
{
	const struct split_case *sc = bench_data(st);
	struct split *s = bench_priv(st);

	memset(s->acc, 0, sizeof(s->acc));
	switch (bench_arg(st) * 2 + sc->op) {
	case 8 * 2 + OP_LOAD:
		load8(st, s);
		break;
	case 8 * 2 + OP_STORE:
		store8(st, s);
		break;
	case 16 * 2 + OP_LOAD:
		load16(st, s);
		break;
	case 16 * 2 + OP_STORE:
		store16(st, s);
		break;
	case 32 * 2 + OP_LOAD:
		load32(st, s);
		break;
	default:
		store32(st, s);
		break;
	}
	bench_set_items(st, (int64_t)bench_iterations(st) * SPLIT_N);
	bench_set_bytes(st, (int64_t)bench_iterations(st) * SPLIT_N *
			    bench_arg(st));
}

/*
 * Loads: each lane's sum is the iterations times the words at the eight
 * addresses. Stores: every address holds the last value stored, the
 * iteration count in every 8-byte lane, whole (a torn split store would
 * show here).
 */
static int split_verify(struct bench_state *st)
{
	const struct split_case *sc = bench_data(st);
	struct split *s = bench_priv(st);
	size_t lanes = (size_t)bench_arg(st) / 8;
	uint64_t it = bench_iterations(st);

	for (size_t j = 0; j < lanes; j++) {
		uint64_t want = 0;

		if (sc->op == OP_STORE) {
			for (int k = 0; k < SPLIT_N; k++) {
				uint64_t got;

				memcpy(&got, s->at[k] + 8 * j, 8);
				if (got == it)
					continue;
				bench_fail(st, "address %d lane %zu holds %"
					   PRIu64 " after %" PRIu64
					   " stores", k, j, got, it);
				return -1;
			}
			continue;
		}
		for (int k = 0; k < SPLIT_N; k++)
			want += s->want[k][j];
		want *= it;
		if (s->acc[j] != want) {
			bench_fail(st, "lane %zu summed to %#" PRIx64
				   ", expected %#" PRIx64, j, s->acc[j], want);
			return -1;
		}
	}
	return 0;
}

#define SPLIT_CASE(nm, ds, pl, o)					\
	{								\
		.name = nm,						\
		.desc = ds,						\
		.setup = split_setup, .run = split_run,			\
		.verify = split_verify, .teardown = split_teardown,	\
		.arg_name = "width",					\
		BENCH_ARGS(8, 16, 32),					\
		.data = &(const struct split_case){			\
			.place = (pl), .op = (o),			\
		},							\
	}

static const struct bench_case cases[] = {
	SPLIT_CASE("split/load/aligned", "8 loads, each aligned to its size",
		   PLACE_ALIGNED, OP_LOAD),
	SPLIT_CASE("split/load/unaligned", "8 loads, 1 byte off, in one line",
		   PLACE_UNALIGNED, OP_LOAD),
	SPLIT_CASE("split/load/line_split", "8 loads, each across a line",
		   PLACE_LINE, OP_LOAD),
	SPLIT_CASE("split/load/page_split", "8 loads, each across a page",
		   PLACE_PAGE, OP_LOAD),
	SPLIT_CASE("split/store/aligned", "8 stores, each aligned to its size",
		   PLACE_ALIGNED, OP_STORE),
	SPLIT_CASE("split/store/unaligned", "8 stores, 1 byte off, in one line",
		   PLACE_UNALIGNED, OP_STORE),
	SPLIT_CASE("split/store/line_split", "8 stores, each across a line",
		   PLACE_LINE, OP_STORE),
	SPLIT_CASE("split/store/page_split", "8 stores, each across a page",
		   PLACE_PAGE, OP_STORE),
};
BENCH_FAMILY(cases);
