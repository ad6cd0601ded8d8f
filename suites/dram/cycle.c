/*
 * cycle.c - pointer-chase cycles: the order lines are visited in, the
 * pointers that encode it, and the proof that they form one cycle.
 *
 * A chase is only a latency measurement if every load depends on the one
 * before (so the CPU cannot overlap them) and the cycle covers the whole
 * working set (a short cycle would sit in a cache and report its
 * latency). Linking from a permutation gives both; cyc_check proves it on
 * the buffer as written, not on the intention.
 */
#include "dram.h"

#include <stdlib.h>
#include <string.h>

void cyc_order_random(uint32_t *order, size_t n, struct rng *r)
{
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	rng_shuffle_u32(r, order, n);
}

void cyc_order_windows(uint32_t *order, size_t n, size_t w, struct rng *r)
{
	size_t nwin, k = 0;
	uint32_t *win;

	if (w < 1)
		w = 1;
	nwin = (n + w - 1) / w;
	win = xmalloc(nwin * sizeof(*win));
	cyc_order_random(win, nwin, r);
	for (size_t i = 0; i < nwin; i++) {
		size_t first = (size_t)win[i] * w;
		size_t len = first + w <= n ? w : n - first;

		for (size_t j = 0; j < len; j++)
			order[k + j] = (uint32_t)(first + j);
		rng_shuffle_u32(r, order + k, len);
		k += len;
	}
	free(win);
}

void cyc_order_stride(uint32_t *order, size_t n, size_t step)
{
	size_t k = 0;

	if (step < 1)
		step = 1;
	for (size_t off = 0; off < step && off < n; off++)
		for (size_t i = off; i < n; i += step)
			order[k++] = (uint32_t)i;
}

void cyc_link(char *base, size_t line, const uint32_t *order, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t next = i + 1 < n ? i + 1 : 0;

		*(void **)(base + (size_t)order[i] * line) =
			base + (size_t)order[next] * line;
	}
}

int cyc_check(const char *base, size_t line, const uint32_t *order, size_t n)
{
	uint64_t *seen;
	int rc = 0;

	if (!n)
		return -1;
	seen = xcalloc((n + 63) / 64, sizeof(*seen));
	for (size_t i = 0; i < n && !rc; i++) {
		size_t v = order[i], next = i + 1 < n ? i + 1 : 0;

		if (v >= n || (seen[v / 64] >> (v % 64)) & 1) {
			rc = -1;	/* out of range or visited twice */
			break;
		}
		seen[v / 64] |= 1ULL << (v % 64);
		if (*(void *const *)(base + v * line) !=
		    base + (size_t)order[next] * line)
			rc = -1;
	}
	free(seen);
	return rc;
}

size_t cyc_walk(const char *base, size_t line, size_t n)
{
	const char *p = base;

	for (size_t step = 1; step <= n; step++) {
		size_t off;

		p = *(const char *const *)p;
		if (p < base)
			return 0;
		off = (size_t)(p - base);
		if (off >= n * line || off % line)
			return 0;
		if (p == base)
			return step;
	}
	return 0;
}
