/*
 * chase.c - the memory latency curve: a dependent pointer chase through a
 * random cycle of cache lines, over working sets from 4 KiB to four times
 * the last-level cache as measured (sixteen in the full profile), on
 * 4 KiB pages, THP and hugetlb.
 *
 * Isolates the latency of one load that misses every level of cache the
 * working set has outgrown: each load's address comes from the previous
 * load, the order is random (no prefetcher can guess it), and the cycle
 * covers every line of the set (proved in setup). On 4 KiB pages a large
 * set also pays a TLB miss and page walk per load; the huge-page lines
 * show the curve without most of that. The knees of the curve are where a
 * cache level runs out; the plot script finds them and sets them beside
 * what hwloc reports, which on a VM can be wrong. A chase beyond the
 * last-level cache is warmed up in setup until its time per load stops
 * falling (chase_warm below).
 *
 * Run just this:  build/O2/bench_dram --benchmark_filter=dram/chase/
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5): 1.06 ns per load in
 * L1 (4-32 KiB), 3.7 ns in L2 (64-512 KiB), 12-15 ns up to 4 MiB, DRAM
 * (130-160 ns) from 8 MiB although hwloc reports a 32 MiB L3; at 1 GiB
 * about 210 ns on THP and 295 ns on 4 KiB pages (page walks).
 */
#include "dram.h"
#include "topo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* The warm-up's unit of work: n loads of the chase, from where it is. */
static void chase_step(void *arg, uint64_t n)
{
	struct dram_chase *c = arg;
	void **p = c->cur;

	while (n--)
		p = (void **)*p;
	bench_sink(p);
	c->cur = p;
}

/*
 * Right after set-up, a chase beyond the caches runs slow for a while:
 * on the VM in docs/suites/dram.md the first 100k loads over 512 MiB of
 * 4 KiB pages took 3.7 us each, falling to 0.4 us within a second, as
 * the page-table lines every walk needs find their way back into the
 * caches. Repetitions that start before that are a trend, not a sample.
 */
static void chase_warm(struct dram_chase *c, size_t bytes,
		       enum chase_order order)
{
	static const uint64_t bound_ns[] = { 0, 500000000, 2000000000 };
	enum bench_profile p = bench_profile();

	/* A strided chase is fed by the prefetcher: nothing to settle. */
	if (p == BENCH_PROFILE_TEST || order == CHASE_STRIDE ||
	    bytes <= topo_llc_size())
		return;
	calib_warm(chase_step, c, bound_ns[p], &c->warm);
	c->warmed = 1;
}

int dram_chase_setup(struct bench_state *st, size_t bytes,
		     enum dram_pages pages, unsigned flags,
		     enum chase_order order, size_t param)
{
	return dram_chase_setup_slots(st, bytes, pages, flags, order, param,
				      0);
}

int dram_chase_setup_slots(struct bench_state *st, size_t bytes,
			   enum dram_pages pages, unsigned flags,
			   enum chase_order order, size_t param, size_t slot)
{
	size_t line = slot ? slot : topo_line_size(), lines = bytes / line;
	struct dram_chase *c;
	uint32_t *ord;
	struct rng r;

	if (lines < 1 || lines > UINT32_MAX) {
		bench_skip(st, "%zu lines do not fit a 32-bit order", lines);
		return -1;
	}
	c = xcalloc(1, sizeof(*c));
	c->line = line;
	c->lines = lines;
	c->adjacent = -1;
	/* Prefaulted in order (unless flags say otherwise), never timed. */
	if (dram_buf_setup(st, &c->buf, bytes, pages, flags,
			   lines * sizeof(*ord))) {
		free(c);
		return -1;
	}
	if (dram_huge_or_skip(st, &c->buf, &c->huge_share))
		goto fail;
	ord = malloc(lines * sizeof(*ord));
	if (!ord) {
		bench_skip(st, "cannot allocate the order of %zu lines (%s)",
			   lines, strerror(errno));
		goto fail;
	}
	rng_seed(&r, bench_seed());
	switch (order) {
	case CHASE_RANDOM:
		cyc_order_random(ord, lines, &r);
		break;
	case CHASE_WINDOWS:
		cyc_order_windows(ord, lines, param / line, &r);
		break;
	case CHASE_STRIDE:
		cyc_order_stride(ord, lines, param / line);
		break;
	}
	/* Shuffle, link and check: about 1 s for 1 GiB, once per instance. */
	cyc_link(c->buf.p, line, ord, lines);
	if (cyc_check(c->buf.p, line, ord, lines)) {
		bench_fail(st, "the chase is not one cycle through all %zu "
			   "lines", lines);
		free(ord);
		goto fail;
	}
	free(ord);
	c->cur = (void **)c->buf.p;
	chase_warm(c, bytes, order);
	bench_set_priv(st, c);
	return 0;
fail:
	dram_buf_free(&c->buf);
	free(c);
	return -1;
}

void dram_chase_run(struct bench_state *st)
{
	struct dram_chase *c = bench_priv(st);
	void **p = c->cur;
	uint64_t n;

	/* Unrolled so the loop branch is one in eight loads, not each. */
	while ((n = bench_batch(st)) != 0) {
		uint64_t i = n;

		for (; i >= 8; i -= 8) {
			p = (void **)*p;
			p = (void **)*p;
			p = (void **)*p;
			p = (void **)*p;
			p = (void **)*p;
			p = (void **)*p;
			p = (void **)*p;
			p = (void **)*p;
		}
		for (; i; i--)
			p = (void **)*p;
	}
	/* The last pointer must be live, or the chain has no consumer. */
	bench_sink(p);
	c->cur = p;

	bench_set_items(st, (int64_t)bench_iterations(st));
	if (c->huge_share >= 0)
		bench_counter(st, "huge_share", c->huge_share, BENCH_CTR_TOTAL);
	if (c->adjacent >= 0)
		bench_counter(st, "phys_adjacent", c->adjacent,
			      BENCH_CTR_TOTAL);
	dram_chase_label(st, c, "");
}

void dram_chase_label(struct bench_state *st, const struct dram_chase *c,
		      const char *what)
{
	char warm[160] = "";

	if (c->warmed && !c->warm.flat)
		snprintf(warm, sizeof(warm), "; warm-up bound hit: still "
			 "speeding up after %.1f s (%.0f to %.0f ns per load)",
			 c->warm.seconds, c->warm.first_ns, c->warm.last_ns);
	else if (c->warmed)
		snprintf(warm, sizeof(warm), "; warmed up in %.2f s (%.0f to "
			 "%.0f ns per load)", c->warm.seconds,
			 c->warm.first_ns, c->warm.last_ns);
	bench_label(st, "%s%s%s%s", what[0] ? what : dram_pages_name[c->buf.pages],
		    c->note[0] ? "; " : "", c->note, warm);
}

int dram_chase_verify(struct bench_state *st)
{
	struct dram_chase *c = bench_priv(st);
	size_t off = (size_t)((char *)c->cur - c->buf.p);

	if ((char *)c->cur < c->buf.p || off >= c->lines * c->line ||
	    off % c->line) {
		bench_fail(st, "the chase left its cycle (at offset %zd)",
			   (ssize_t)off);
		return 1;
	}
	return 0;
}

void dram_chase_teardown(struct bench_state *st)
{
	struct dram_chase *c = bench_priv(st);

	if (!c)
		return;
	dram_buf_free(&c->buf);
	free(c);
}

static uint64_t pow2_up(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

int dram_chase_sizes(int64_t *out, int max, enum bench_profile prof,
		     uint64_t top, uint64_t budget, int *capped)
{
	uint64_t cap = budget / 17 * 16;

	*capped = 0;
	if (prof != BENCH_PROFILE_TEST && top > cap) {
		*capped = 1;
		top = pow2_up(cap + 1) / 2;
	}
	return topo_ws_points(out, max, prof, 4096, top);
}

uint64_t dram_big_bytes(uint64_t floor, uint64_t ceil, uint64_t top,
			uint64_t budget)
{
	uint64_t want = pow2_up(top > floor ? top : floor);
	uint64_t fit = budget / 17 * 16;

	if (want > ceil)
		want = ceil;
	while (want > fit && want >= floor / 4)
		want /= 2;
	return want >= floor / 4 && want <= fit ? want : 0;
}

uint64_t dram_big_bytes_noted(const char *key, uint64_t floor, uint64_t ceil,
			      const char *what)
{
	/* The test profile's buffers are fixed: no measuring for them. */
	int test = bench_profile() == BENCH_PROFILE_TEST;
	uint64_t top = test ? 0 : topo_llc_size() * 8, budget = topo_mem_budget();
	uint64_t want = dram_big_bytes(floor, ceil, top, UINT64_MAX);
	uint64_t got = dram_big_bytes(floor, ceil, test ? 0 : topo_ws_top(8),
				      budget);
	char g[32], w[32], b[32];

	fmt_bytes(g, sizeof(g), got);
	fmt_bytes(w, sizeof(w), want);
	fmt_bytes(b, sizeof(b), budget);
	if (!got)
		bench_context(key, "none: a quarter of available memory (%s) "
			      "cannot hold %s", b, w);
	else if (got < want)
		bench_context(key, "%s %s, scaled down from %s to fit a quarter "
			      "of available memory (%s)", g, what, w, b);
	else
		bench_context(key, "%s %s", g, what);
	return got;
}

/* Four times the last-level cache (quick), sixteen (full), from 4 KiB. */
static int chase_sizes(const struct bench_case *c, int64_t *out, int max)
{
	static int noted;
	enum bench_profile p = bench_profile();
	uint64_t top = p == BENCH_PROFILE_TEST ? 0 :
		       topo_ws_top(p == BENCH_PROFILE_FULL ? 16 : 4);
	int capped, n;

	n = dram_chase_sizes(out, max, p, top, topo_mem_budget(), &capped);
	if (!noted && n) {
		char lo[32], hi[32], b[32];

		noted = 1;
		bench_context("dram_chase_sweep", "%s to %s%s%s",
			      fmt_bytes(lo, sizeof(lo), (uint64_t)out[0]),
			      fmt_bytes(hi, sizeof(hi), (uint64_t)out[n - 1]),
			      capped ? ", cut short by available memory: "
				       "budget " : "",
			      capped ? fmt_bytes(b, sizeof(b),
						 topo_mem_budget()) : "");
	}
	return n;
}

static int chase_setup(struct bench_state *st)
{
	return dram_chase_setup(st, (size_t)bench_arg(st),
				(enum dram_pages)bench_param(st), 0,
				CHASE_RANDOM, 0);
}

static const struct bench_case cases[] = {
	{
		.name = "chase/4k",
		.desc = "ns per dependent load, random cycle, 4 KiB pages",
		.setup = chase_setup, .run = dram_chase_run,
		.verify = dram_chase_verify, .teardown = dram_chase_teardown,
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,
		.gen_args = chase_sizes,
		.param = DRAM_4K,
	},
	{
		.name = "chase/thp",
		.desc = "ns per dependent load, random cycle, THP (madvise)",
		.setup = chase_setup, .run = dram_chase_run,
		.verify = dram_chase_verify, .teardown = dram_chase_teardown,
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,
		.gen_args = chase_sizes,
		.param = DRAM_THP,
	},
	{
		.name = "chase/hugetlb",
		.desc = "ns per dependent load, random cycle, hugetlb 2 MiB",
		.setup = chase_setup, .run = dram_chase_run,
		.verify = dram_chase_verify, .teardown = dram_chase_teardown,
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,
		.gen_args = chase_sizes,
		.param = DRAM_HUGETLB,
	},
};
BENCH_FAMILY(cases);
