/*
 * cycle.c - the chase orders are permutations, linking them gives one
 * cycle through every line, and the checks catch a broken cycle.
 */
#include "dram.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define LINE 64

static int is_permutation(const uint32_t *o, size_t n)
{
	char *seen = calloc(n ? n : 1, 1);
	int ok = 1;

	for (size_t i = 0; i < n && ok; i++) {
		if (o[i] >= n || seen[o[i]])
			ok = 0;
		else
			seen[o[i]] = 1;
	}
	free(seen);
	return ok;
}

/* Links order into a fresh buffer and checks it both ways. */
static void linked(const uint32_t *o, size_t n, const char *what)
{
	char *buf = calloc(n, LINE);

	cyc_link(buf, LINE, o, n);
	ok(cyc_check(buf, LINE, o, n) == 0, "%s: check passes", what);
	is_int(cyc_walk(buf, LINE, n), n, "%s: the walk returns after %zu",
	       what, n);
	free(buf);
}

static void random_orders(void)
{
	static const size_t ns[] = { 1, 2, 3, 7, 64, 1000, 65536 };
	struct rng r;

	rng_seed(&r, 42);
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		size_t n = ns[k];
		uint32_t *o = malloc(n * sizeof(*o));
		char what[64];

		snprintf(what, sizeof(what), "random order of %zu", n);
		cyc_order_random(o, n, &r);
		ok(is_permutation(o, n), "%s is a permutation", what);
		linked(o, n, what);
		free(o);
	}
}

static void window_orders(void)
{
	static const size_t ws[] = { 1, 2, 128, 1000, 4096, 5000 };
	const size_t n = 4096 + 64;	/* not a multiple of most windows */
	uint32_t *o = malloc(n * sizeof(*o));
	struct rng r;

	rng_seed(&r, 7);
	for (size_t k = 0; k < sizeof(ws) / sizeof(ws[0]); k++) {
		size_t w = ws[k], changes = 0;
		char what[64];

		snprintf(what, sizeof(what), "windows of %zu lines", w);
		cyc_order_windows(o, n, w, &r);
		ok(is_permutation(o, n), "%s: a permutation", what);
		/* A window is visited whole before the next one starts. */
		for (size_t i = 1; i < n; i++)
			changes += o[i] / w != o[i - 1] / w;
		is_int(changes, (n + w - 1) / w - 1,
		       "%s: each window visited in one stretch", what);
		linked(o, n, what);
	}
	free(o);
}

static void stride_orders(void)
{
	const size_t n = 1024;
	uint32_t *o = malloc(n * sizeof(*o));

	cyc_order_stride(o, n, 128);
	ok(is_permutation(o, n), "stride order is a permutation");
	is_int(o[1], 128, "the second line is a stride on");
	is_int(o[n / 128], 1, "the second sweep starts one line later");
	linked(o, n, "stride 128 of 1024");
	cyc_order_stride(o, n, 1);
	ok(o[0] == 0 && o[n - 1] == n - 1, "stride 1 is sequential");
	free(o);
}

static void broken_cycles(void)
{
	const size_t n = 256;
	uint32_t *o = malloc(n * sizeof(*o));
	char *buf = calloc(n, LINE);
	struct rng r;
	void *t;

	rng_seed(&r, 3);
	cyc_order_random(o, n, &r);
	cyc_link(buf, LINE, o, n);
	/* Swapping two successors splits the cycle in two. */
	t = *(void **)(buf + o[10] * LINE);
	*(void **)(buf + o[10] * LINE) = *(void **)(buf + o[200] * LINE);
	*(void **)(buf + o[200] * LINE) = t;
	ok(cyc_check(buf, LINE, o, n) != 0, "check catches two cycles");
	ok(cyc_walk(buf, LINE, n) != n, "walk catches two cycles");

	cyc_link(buf, LINE, o, n);
	*(void **)(buf + o[5] * LINE) = buf + n * LINE;
	ok(cyc_walk(buf, LINE, n) == 0, "walk catches a pointer out of range");
	*(void **)(buf + o[5] * LINE) = buf + o[6] * LINE + 8;
	ok(cyc_walk(buf, LINE, n) == 0, "walk catches a misaligned pointer");

	cyc_link(buf, LINE, o, n);
	o[7] = o[8];
	ok(cyc_check(buf, LINE, o, n) != 0, "check catches a repeated line");
	free(buf);
	free(o);
}

int main(void)
{
	random_orders();
	window_orders();
	stride_orders();
	broken_cycles();
	return tap_done();
}
