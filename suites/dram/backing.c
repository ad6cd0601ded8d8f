/*
 * backing.c - physical fragmentation: one virtually contiguous buffer
 * (eight times the measured last-level cache and at least 64 MiB, four
 * times the reach of a 4096-entry TLB on 4 KiB pages; 256 MiB or more in
 * the full profile) backed three ways, then scanned in order and chased
 * at random.
 *
 *   huge      THP (madvise): 2 MiB pages, physically contiguous inside
 *   inorder   4 KiB pages in physical order: faulted in as huge pages,
 *             then every one split into 4 KiB page-table entries (so the
 *             TLB holds 4 KiB entries, but neighbours are adjacent frames)
 *   shuffled  4 KiB pages first touched in a random order: the kernel
 *             hands out frames in fault order, so neighbours end up
 *             physically far apart
 *
 * Why not simply fault 4 KiB pages in order: the kernel then hands out
 * frames from its per-CPU free lists first, in whatever order the last
 * buffer freed them, and the share of adjacent neighbours ranged from 28%
 * to 94% between runs here; splitting huge pages makes it 100% by
 * construction. Why fault order rather than mremap of page-sized pieces
 * for the shuffle: moving 65536 single pages into place leaves one
 * mapping (VMA) per page, and Linux caps a process at vm.max_map_count
 * (65530 by default), so a 256 MiB buffer cannot be built that way.
 * Where pagemap is readable (root), each case reports phys_adjacent: the
 * share of virtually adjacent pages that are physically adjacent, so the
 * placement is shown, not assumed.
 *
 * Isolates what physical placement costs when virtual placement is the
 * same: the scan is sequential in virtual memory, the chase is random, and
 * both touch the same lines in the same order on every backing.
 *
 * Run just this:  build/O2/bench_dram --benchmark_filter=dram/backing/
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, 256 MiB): scan about
 * 25 GB/s on every backing; chase 164 ns on huge pages, 181 ns in order
 * and 187 ns shuffled on 4 KiB pages.
 */
#include "dram.h"
#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum backing {
	BACK_HUGE = 0,
	BACK_INORDER,
	BACK_SHUFFLED,
};

static const struct {
	enum dram_pages pages;
	unsigned flags;
	const char *what;
} backings[] = {
	[BACK_HUGE] = { DRAM_THP, 0, "THP" },
	[BACK_INORDER] = { DRAM_4K, DRAM_CONTIG,
			   "4 KiB pages, frames in order (split huge pages)" },
	[BACK_SHUFFLED] = { DRAM_4K, DRAM_SHUFFLED,
			    "4 KiB pages faulted in shuffled order" },
};

struct scan {
	struct dram_buf buf;
	size_t pos;
	uint64_t sum;
	double huge_share, adjacent;
	char note[160];
};

static int backing_size(const struct bench_case *c, int64_t *out, int max)
{
	static uint64_t bytes;
	static int done;
	enum bench_profile p = bench_profile();

	if (!done) {
		done = 1;
		if (p == BENCH_PROFILE_TEST)
			bytes = dram_big_bytes_noted("dram_backing_buffer",
						     8ULL << 20, 8ULL << 20,
						     "per backing");
		else if (p == BENCH_PROFILE_FULL)
			bytes = dram_big_bytes_noted("dram_backing_buffer",
						     256ULL << 20, 2ULL << 30,
						     "per backing");
		else
			bytes = dram_big_bytes_noted("dram_backing_buffer",
						     64ULL << 20, 1ULL << 30,
						     "per backing");
	}
	if (!bytes || max < 1)
		return 0;	/* too little memory: no instance at all */
	out[0] = (int64_t)bytes;
	return 1;
}

static void report(struct bench_state *st, double huge, double adjacent,
		   const char *note)
{
	enum backing k = (enum backing)bench_param(st);

	if (huge >= 0)
		bench_counter(st, "huge_share", huge, BENCH_CTR_TOTAL);
	if (adjacent >= 0)
		bench_counter(st, "phys_adjacent", adjacent, BENCH_CTR_TOTAL);
	bench_label(st, "%s%s%s", backings[k].what, note[0] ? "; " : "",
		    note);
}

static int scan_setup(struct bench_state *st)
{
	enum backing k = (enum backing)bench_param(st);
	struct scan *s = xcalloc(1, sizeof(*s));
	size_t bytes = (size_t)bench_arg(st);

	/* Backed (and faulted) here, in the order the case names. */
	if (dram_buf_setup(st, &s->buf, bytes, backings[k].pages,
			   backings[k].flags, 0)) {
		free(s);
		return -1;
	}
	/* Ones everywhere: a run's sum counts the words it read. */
	for (size_t i = 0; i < bytes / sizeof(uint64_t); i++)
		((uint64_t *)s->buf.p)[i] = 1;
	if (dram_huge_or_skip(st, &s->buf, &s->huge_share)) {
		dram_buf_free(&s->buf);
		free(s);
		return -1;
	}
	dram_buf_adjacency(&s->buf, &s->adjacent, s->note, sizeof(s->note));
	bench_set_priv(st, s);
	return 0;
}

/* One iteration reads one 4 KiB page, word by word, in address order. */
static void scan_run(struct bench_state *st)
{
	struct scan *s = bench_priv(st);
	const size_t chunk = 4096, words = chunk / sizeof(uint64_t);
	const char *base = s->buf.p;
	size_t pos = s->pos, size = s->buf.bytes;
	uint64_t n, sum = 0;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			const uint64_t *w = (const uint64_t *)(base + pos);

			for (size_t j = 0; j < words; j++)
				sum += w[j];
			pos += chunk;
			if (pos >= size)
				pos = 0;
		}
	bench_sink(sum);
	s->sum = sum;
	s->pos = pos;
	bench_set_bytes(st, (int64_t)(bench_iterations(st) * chunk));
	report(st, s->huge_share, s->adjacent, s->note);
}

static int scan_verify(struct bench_state *st)
{
	struct scan *s = bench_priv(st);
	uint64_t want = bench_iterations(st) * (4096 / sizeof(uint64_t));

	if (s->sum != want) {
		bench_fail(st, "scan summed %llu, want %llu",
			   (unsigned long long)s->sum,
			   (unsigned long long)want);
		return 1;
	}
	return 0;
}

static void scan_teardown(struct bench_state *st)
{
	struct scan *s = bench_priv(st);

	if (!s)
		return;
	dram_buf_free(&s->buf);
	free(s);
}

static int chase_setup(struct bench_state *st)
{
	enum backing k = (enum backing)bench_param(st);
	struct dram_chase *c;

	if (dram_chase_setup(st, (size_t)bench_arg(st), backings[k].pages,
			     backings[k].flags, CHASE_RANDOM, 0))
		return -1;
	c = bench_priv(st);
	dram_buf_adjacency(&c->buf, &c->adjacent, c->note, sizeof(c->note));
	return 0;
}

static void chase_run(struct bench_state *st)
{
	struct dram_chase *c = bench_priv(st);

	dram_chase_run(st);
	report(st, c->huge_share, c->adjacent, c->note);
	dram_chase_label(st, c, backings[bench_param(st)].what);
}

#define SCAN(k, nm)							\
	{								\
		.name = "backing/scan/" nm,				\
		.desc = "sequential scan, " nm " backing",		\
		.setup = scan_setup, .run = scan_run,			\
		.verify = scan_verify, .teardown = scan_teardown,	\
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,		\
		.gen_args = backing_size,				\
		.param = (k),						\
	}
#define CHASE(k, nm)							\
	{								\
		.name = "backing/chase/" nm,				\
		.desc = "random pointer chase, " nm " backing",		\
		.setup = chase_setup, .run = chase_run,			\
		.verify = dram_chase_verify,				\
		.teardown = dram_chase_teardown,			\
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,		\
		.gen_args = backing_size,				\
		.param = (k),						\
	}

static const struct bench_case cases[] = {
	SCAN(BACK_HUGE, "huge"),
	SCAN(BACK_INORDER, "inorder"),
	SCAN(BACK_SHUFFLED, "shuffled"),
	CHASE(BACK_HUGE, "huge"),
	CHASE(BACK_INORDER, "inorder"),
	CHASE(BACK_SHUFFLED, "shuffled"),
};
BENCH_FAMILY(cases);
