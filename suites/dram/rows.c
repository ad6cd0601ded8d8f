/*
 * rows.c - locality at DRAM-row scale: sequential, strided and random
 * access over a buffer far larger than the last-level cache, and random
 * access kept to one window (8 KiB, the row size the claim names) at a
 * time against random access over the whole buffer, with the controls
 * that say what a window's advantage is made of.
 *
 * Isolates what the access pattern costs once every access goes to DRAM.
 * "stream" cases issue independent loads (one 8-byte word per line, so
 * every load is a new line): the CPU overlaps them, and the figure is
 * bandwidth, in bytes of lines touched per second. "chase" cases make each
 * load's address depend on the last: the figure is latency per load. A
 * strided pass visits every stride-th line and then shifts by one line,
 * so the whole buffer is read once per sweep and no stride, however
 * large, fits in a cache. The buffer sits on THP so that an 8 KiB window
 * is physically contiguous and TLB misses do not drown the row effect;
 * on a VM, "physical" is the guest's view, and the host may split it.
 *
 * A dense walk of an 8 KiB window (all 128 lines, random order) is fast
 * mostly because of spatial locality the CPU exploits before DRAM sees
 * it: the adjacent-line and stream prefetchers bring neighbours in, and
 * every load stays in one TLB entry. The sparse cases take those away:
 * one line every 512 B (16 per 8 KiB window, never neighbours), visited
 * one 8 KiB window at a time, against the same lines visited one 2 MiB
 * window (one huge page: the same TLB entry) at a time, where each load
 * lands in another 8 KiB stretch. What separates those two is open rows,
 * and any prefetcher that learns a region, and nothing else.
 *
 * Run just this:  build/O2/bench_dram --benchmark_filter=dram/rows/
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, 256 MiB on THP):
 * sequential 33 GB/s from one core, 17 GB/s at 128 B, 6 GB/s at 4 KiB
 * strides and 5 GB/s at 64 KiB and for random lines; strided chase 2 ns
 * (64 B) to 17 ns (64 KiB), the prefetcher keeping up; random chase about
 * 175 ns per load, random within 8 KiB windows about 58 ns.
 */
#include "dram.h"
#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stream {
	struct dram_buf buf;
	size_t line, stride, pos, off;
	uint64_t mask;		/* lines - 1 (lines is a power of two) */
	uint64_t rng;		/* xorshift state for random lines */
	uint64_t sum;		/* of the words the last run read */
	double huge_share;
};

/* The row buffer size for this profile; a note in the context once. */
static uint64_t rows_bytes(void)
{
	static uint64_t bytes;
	static int done;
	enum bench_profile p = bench_profile();

	if (done)
		return bytes;
	done = 1;
	/* Eight times the measured last-level cache, at least 16 MiB. */
	if (p == BENCH_PROFILE_TEST)
		bytes = dram_big_bytes_noted("dram_rows_buffer", 8ULL << 20,
					     8ULL << 20, "on THP");
	else
		bytes = dram_big_bytes_noted("dram_rows_buffer",
					     p == BENCH_PROFILE_FULL ?
					     64ULL << 20 : 16ULL << 20,
					     p == BENCH_PROFILE_FULL ?
					     4ULL << 30 : 1ULL << 30,
					     "on THP");
	return bytes;
}

static int stream_setup(struct bench_state *st)
{
	struct stream *s = xcalloc(1, sizeof(*s));
	size_t bytes = rows_bytes();

	if (!bytes) {
		bench_skip(st, "too little available memory for a buffer "
			   "beyond the last-level cache");
		free(s);
		return -1;
	}
	s->line = topo_line_size();
	s->stride = bench_arg(st) > 0 ? (size_t)bench_arg(st) : s->line;
	s->mask = bytes / s->line - 1;
	s->rng = bench_seed() * 0x9e3779b97f4a7c15ULL | 1;
	if (dram_buf_setup(st, &s->buf, bytes, DRAM_THP, 0, 0)) {
		free(s);
		return -1;
	}
	/* One in every line: the sum of a run is the number of loads. */
	for (size_t off = 0; off < bytes; off += s->line)
		*(uint64_t *)(s->buf.p + off) = 1;
	if (dram_huge_or_skip(st, &s->buf, &s->huge_share)) {
		dram_buf_free(&s->buf);
		free(s);
		return -1;
	}
	bench_set_priv(st, s);
	return 0;
}

static void stream_report(struct bench_state *st, struct stream *s)
{
	char b[32];

	bench_set_bytes(st, (int64_t)(bench_iterations(st) * s->line));
	bench_set_items(st, (int64_t)bench_iterations(st));
	bench_counter(st, "huge_share", s->huge_share, BENCH_CTR_TOTAL);
	bench_label(st, "%s on THP", fmt_bytes(b, sizeof(b), s->buf.bytes));
}

/* Independent loads, stride apart; the next sweep starts a line later. */
static void stream_stride(struct bench_state *st)
{
	struct stream *s = bench_priv(st);
	const char *base = s->buf.p;
	size_t pos = s->pos, off = s->off, stride = s->stride;
	size_t size = s->buf.bytes, line = s->line;
	uint64_t n, sum = 0;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			sum += *(const uint64_t *)(base + pos);
			pos += stride;
			if (pos >= size) {
				off += line;
				if (off >= stride)
					off = 0;
				pos = off;
			}
		}
	bench_sink(sum);
	s->sum = sum;
	s->pos = pos;
	s->off = off;
	stream_report(st, s);
}

/* Independent loads of random lines; the generator costs a few cycles. */
static void stream_random(struct bench_state *st)
{
	struct stream *s = bench_priv(st);
	const char *base = s->buf.p;
	uint64_t n, sum = 0, x = s->rng, mask = s->mask;
	size_t line = s->line;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sum += *(const uint64_t *)(base + ((x >> 20) & mask) *
						   line);
		}
	bench_sink(sum);
	s->sum = sum;
	s->rng = x;
	stream_report(st, s);
}

static int stream_verify(struct bench_state *st)
{
	struct stream *s = bench_priv(st);

	if (s->sum != bench_iterations(st)) {
		bench_fail(st, "read %llu ones in %llu loads",
			   (unsigned long long)s->sum,
			   (unsigned long long)bench_iterations(st));
		return 1;
	}
	return 0;
}

static void stream_teardown(struct bench_state *st)
{
	struct stream *s = bench_priv(st);

	if (!s)
		return;
	dram_buf_free(&s->buf);
	free(s);
}

static int chase_setup(struct bench_state *st)
{
	size_t bytes = rows_bytes();

	if (!bytes) {
		bench_skip(st, "too little available memory for a buffer "
			   "beyond the last-level cache");
		return -1;
	}
	return dram_chase_setup(st, bytes, DRAM_THP, 0,
				(enum chase_order)bench_param(st),
				bench_arg(st) > 0 ? (size_t)bench_arg(st) : 0);
}

/* The spacing of the sparse cases: 16 lines per 8 KiB, none adjacent. */
#define SPARSE_SLOT 512

static int sparse_setup(struct bench_state *st)
{
	size_t bytes = rows_bytes();
	struct dram_chase *c;

	if (!bytes) {
		bench_skip(st, "too little available memory for a buffer "
			   "beyond the last-level cache");
		return -1;
	}
	if (dram_chase_setup_slots(st, bytes, DRAM_THP, 0,
				   (enum chase_order)bench_param(st),
				   bench_arg(st) > 0 ? (size_t)bench_arg(st) : 0,
				   SPARSE_SLOT))
		return -1;
	c = bench_priv(st);
	snprintf(c->note, sizeof(c->note), "one line every %d B",
		 SPARSE_SLOT);
	return 0;
}

static int strides(const struct bench_case *c, int64_t *out, int max)
{
	unsigned line = topo_line_size();
	int n = 0;

	rows_bytes();	/* now, so its note reaches the context */
	if (bench_profile() == BENCH_PROFILE_TEST) {
		out[n++] = line;
		out[n++] = DRAM_ROW;
		return n;
	}
	/* 64 B to 64 KiB: through and well past the 8 KiB row. */
	for (int64_t s = line; s <= (64 << 10) && n < max; s *= 2)
		out[n++] = s;
	return n;
}

static int windows(const struct bench_case *c, int64_t *out, int max)
{
	static const int64_t quick[] = {
		1 << 10, 4 << 10, 8 << 10, 16 << 10, 64 << 10, 1 << 20,
	};
	static const int64_t full[] = {
		256, 1 << 10, 2 << 10, 4 << 10, 8 << 10, 16 << 10,
		32 << 10, 64 << 10, 256 << 10, 1 << 20, 2 << 20,
	};
	const int64_t *v = quick;
	int n = sizeof(quick) / sizeof(quick[0]);

	if (bench_profile() == BENCH_PROFILE_TEST) {
		out[0] = DRAM_ROW;
		return 1;
	}
	if (bench_profile() == BENCH_PROFILE_FULL) {
		v = full;
		n = sizeof(full) / sizeof(full[0]);
	}
	n = n < max ? n : max;
	memcpy(out, v, (size_t)n * sizeof(*out));
	return n;
}

/*
 * The sparse windows: the row size, and one huge page (the control with
 * the same lines and the same TLB reach, spread over many rows); full
 * adds the steps between.
 */
static int sparse_windows(const struct bench_case *c, int64_t *out, int max)
{
	static const int64_t full[] = {
		2 << 10, 4 << 10, 8 << 10, 16 << 10, 64 << 10, 256 << 10,
		2 << 20,
	};
	int n = 0;

	switch (bench_profile()) {
	case BENCH_PROFILE_TEST:
		out[n++] = DRAM_ROW;
		break;
	case BENCH_PROFILE_QUICK:
		out[n++] = DRAM_ROW;
		out[n++] = (int64_t)DRAM_HUGE;
		break;
	case BENCH_PROFILE_FULL:
		n = (int)(sizeof(full) / sizeof(full[0]));
		n = n < max ? n : max;
		memcpy(out, full, (size_t)n * sizeof(*out));
		break;
	}
	return n;
}

static const struct bench_case cases[] = {
	{
		.name = "rows/stream",
		.desc = "independent loads stride apart over a buffer >> LLC",
		.setup = stream_setup, .run = stream_stride,
		.verify = stream_verify, .teardown = stream_teardown,
		.arg_name = "stride", .arg_fmt = BENCH_ARG_BYTES,
		.gen_args = strides,
	},
	{
		.name = "rows/stream_random",
		.desc = "independent loads of random lines of a buffer >> LLC",
		.setup = stream_setup, .run = stream_random,
		.verify = stream_verify, .teardown = stream_teardown,
	},
	{
		.name = "rows/chase",
		.desc = "dependent loads stride apart over a buffer >> LLC",
		.setup = chase_setup, .run = dram_chase_run,
		.verify = dram_chase_verify, .teardown = dram_chase_teardown,
		.arg_name = "stride", .arg_fmt = BENCH_ARG_BYTES,
		.gen_args = strides,
		.param = CHASE_STRIDE,
	},
	{
		.name = "rows/chase_random",
		.desc = "dependent loads, random over the whole buffer",
		.setup = chase_setup, .run = dram_chase_run,
		.verify = dram_chase_verify, .teardown = dram_chase_teardown,
		.param = CHASE_RANDOM,
	},
	{
		.name = "rows/window",
		.desc = "dependent loads, random within one window at a time",
		.setup = chase_setup, .run = dram_chase_run,
		.verify = dram_chase_verify, .teardown = dram_chase_teardown,
		.arg_name = "window", .arg_fmt = BENCH_ARG_BYTES,
		.gen_args = windows,
		.param = CHASE_WINDOWS,
	},
	{
		.name = "rows/window_sparse",
		.desc = "dependent loads to one line every 512 B, random within "
			"one window at a time",
		.setup = sparse_setup, .run = dram_chase_run,
		.verify = dram_chase_verify, .teardown = dram_chase_teardown,
		.arg_name = "window", .arg_fmt = BENCH_ARG_BYTES,
		.gen_args = sparse_windows,
		.param = CHASE_WINDOWS,
	},
};
BENCH_FAMILY(cases);
