/*
 * pairs.c - experimental: the latency of two uncached loads, the second
 * in the same 8 KiB physical window as the first or in another, timed one
 * pair at a time. Needs physical addresses (pagemap, CAP_SYS_ADMIN) and
 * clflush (x86); skipped with the reason elsewhere.
 *
 * Isolates the row buffer, in the way DRAMA (Pessl et al., 2016) reverse-
 * engineered DRAM mappings: both lines are flushed from the caches, then
 * loaded together (two independent loads, issued back to back, timed
 * until both have arrived). If B is in the row A opens, B is a row hit;
 * if B is in another bank, the two proceed in parallel; if B is in A's
 * bank but another row, they conflict: one waits for the other's row to
 * close (precharge) and its own to open (activate), tens of ns more. So
 * same-window pairs should sit low and tight, and far pairs should show a
 * slow tail or a second mode: the pairs that hit the same bank. B is at
 * least 256 bytes from A so that no adjacent-line prefetch can have
 * brought it in. "cached" pairs skip the flush: the floor set by the
 * clock (two vDSO clock reads, about 20-40 ns on a KVM guest) and two L1
 * hits.
 *
 * Caveats, why this is experimental: physical addresses in a VM are the
 * guest's, which the host maps again (at 2 MiB or 4 KiB); how addresses
 * map to channels, banks and rows is undocumented and hashed on AMD
 * parts; one pair is a few hundred nanoseconds, so the clock's own jitter
 * is a visible share of it.
 *
 * Run just this:  build/O2/bench_dram --benchmark_filter=dram/pairs/
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, root): cached about
 * 30 ns; same-window and far pairs alike about 150 ns at the median and
 * 340 ns at p99: on this VM the distributions do not separate.
 */
#define _GNU_SOURCE
#include "dram.h"
#include "topo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_CLFLUSH 1
#endif

#define PAIRS 4096
#define PAIRS_BUF ((size_t)64 << 20)
#define PAIRS_MIN_GAP 256

enum pair_kind {
	PAIR_CACHED = 0,	/* far pairs, not flushed: clock floor */
	PAIR_SAME,		/* B in A's 8 KiB physical window */
	PAIR_FAR,		/* B in another 8 KiB physical window */
};

struct pairs {
	struct dram_buf buf;
	const char *a[PAIRS], *b[PAIRS];
	size_t next;
	uint64_t sum;
};

/* Physical address of byte off of the buffer. */
static uint64_t phys(const uint64_t *pfn, size_t off)
{
	size_t ps = page_size();

	return pfn[off / ps] * ps + off % ps;
}

static int pairs_setup(struct bench_state *st)
{
	enum pair_kind kind = (enum pair_kind)bench_param(st);
	size_t line = topo_line_size(), ps = page_size(), npages, lines;
	struct pairs *p;
	uint64_t *pfn;
	struct rng r;

#ifndef HAVE_CLFLUSH
	bench_skip(st, "needs clflush, which only x86 has here");
	return -1;
#endif
	p = xcalloc(1, sizeof(*p));
	if (dram_buf_setup(st, &p->buf, PAIRS_BUF, DRAM_THP, 0, 0))
		goto fail_free;
	npages = p->buf.span / ps;
	lines = PAIRS_BUF / line;
	pfn = xmalloc(npages * sizeof(*pfn));
	if (dram_pfns(p->buf.p, npages, pfn)) {
		if (errno == EPERM)
			bench_skip(st, "needs physical addresses: pagemap "
				   "hides frame numbers without "
				   "CAP_SYS_ADMIN (run as root)");
		else
			bench_skip(st, "cannot read /proc/self/pagemap (%s)",
				   strerror(errno));
		goto fail_pfn;
	}
	rng_seed(&r, bench_seed());
	for (size_t i = 0; i < PAIRS; i++) {
		size_t a = rng_below(&r, lines) * line, b;
		uint64_t pa = phys(pfn, a), pb;
		int tries = 0;

		/* Draw B until it is in the class asked for. */
		do {
			if (kind == PAIR_SAME) {
				size_t w = a / DRAM_ROW * DRAM_ROW;

				b = w + rng_below(&r, DRAM_ROW / line) * line;
			} else {
				b = rng_below(&r, lines) * line;
			}
			pb = phys(pfn, b);
			if (++tries > 1000) {
				bench_fail(st, "no pair of the class asked for "
					   "in %zu tries", (size_t)1000);
				goto fail_pfn;
			}
		} while ((b > a ? b - a : a - b) < PAIRS_MIN_GAP ||
			 (kind == PAIR_SAME) !=
			 (pa / DRAM_ROW == pb / DRAM_ROW));
		p->a[i] = p->buf.p + a;
		p->b[i] = p->buf.p + b;
	}
	free(pfn);
	bench_set_priv(st, p);
	return 0;
fail_pfn:
	free(pfn);
	dram_buf_free(&p->buf);
fail_free:
	free(p);
	return -1;
}

static void pairs_run(struct bench_state *st)
{
#ifdef HAVE_CLFLUSH
	struct pairs *p = bench_priv(st);
	int flush = bench_param(st) != PAIR_CACHED;
	size_t k = p->next;
	uint64_t n, sum = 0;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			const char *a = p->a[k], *b = p->b[k];
			uint64_t t0, v;

			if (flush) {
				_mm_clflush(a);
				_mm_clflush(b);
				_mm_mfence();
			}
			t0 = bench_op_begin();
			/* Independent: both reach the controller together. */
			v = *(const volatile uint64_t *)a;
			v += *(const volatile uint64_t *)b;
			bench_op_end(st, t0);
			sum += v;
			k = k + 1 < PAIRS ? k + 1 : 0;
		}
	bench_sink(sum);
	p->sum = sum;
	p->next = k;

	bench_label(st, "experimental: guest-physical addresses");
#else
	bench_skip(st, "needs clflush, which only x86 has here");
#endif
}

static int pairs_verify(struct bench_state *st)
{
	struct pairs *p = bench_priv(st);

	if (p->sum != 0) {
		bench_fail(st, "pairs read %llu, want 0",
			   (unsigned long long)p->sum);
		return 1;
	}
	return 0;
}

static void pairs_teardown(struct bench_state *st)
{
	struct pairs *p = bench_priv(st);

	if (!p)
		return;
	dram_buf_free(&p->buf);
	free(p);
}

static const struct bench_case cases[] = {
	{
		.name = "pairs/cached",
		.desc = "experimental: two cached loads timed (clock floor)",
		.setup = pairs_setup, .run = pairs_run,
		.verify = pairs_verify, .teardown = pairs_teardown,
		.flags = BENCH_HIST_DECILES,
		.param = PAIR_CACHED,
	},
	{
		.name = "pairs/same_window",
		.desc = "experimental: two flushed loads in one 8 KiB window",
		.setup = pairs_setup, .run = pairs_run,
		.verify = pairs_verify, .teardown = pairs_teardown,
		.flags = BENCH_HIST_DECILES,
		.param = PAIR_SAME,
	},
	{
		.name = "pairs/far",
		.desc = "experimental: two flushed loads, different windows",
		.setup = pairs_setup, .run = pairs_run,
		.verify = pairs_verify, .teardown = pairs_teardown,
		.flags = BENCH_HIST_DECILES,
		.param = PAIR_FAR,
	},
};
BENCH_FAMILY(cases);
