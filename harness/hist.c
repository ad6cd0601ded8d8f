/*
 * hist.c - see hist.h.
 *
 * Values below HIST_SUB get one bucket each (exact). Above, a value with
 * its top bit at position e (e >= HIST_SUB_BITS) goes to group
 * e - HIST_SUB_BITS + 1, sub-bucket given by the HIST_SUB_BITS bits below
 * the top bit.
 */
#include "hist.h"

#include <string.h>

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

int hist_bucket(uint64_t v)
{
	int e, group;

	if (v < HIST_SUB)
		return (int)v;
	e = 63 - __builtin_clzll(v);
	group = e - HIST_SUB_BITS + 1;
	return group * HIST_SUB +
	       (int)((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

void hist_bucket_range(int b, uint64_t *lo, uint64_t *hi)
{
	int group = b / HIST_SUB, sub = b % HIST_SUB, shift;

	if (group == 0) {
		*lo = *hi = (uint64_t)sub;
		return;
	}
	shift = group - 1;
	*lo = ((uint64_t)(HIST_SUB + sub)) << shift;
	*hi = *lo + ((1ULL << shift) - 1);
}

void hist_add(struct hist *h, uint64_t v)
{
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += (double)v;
	h->b[hist_bucket(v)]++;
}

void hist_merge(struct hist *into, const struct hist *from)
{
	if (!from->count)
		return;
	if (!into->count || from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
	into->count += from->count;
	into->sum += from->sum;
	for (int i = 0; i < HIST_BUCKETS; i++)
		into->b[i] += from->b[i];
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0, lo, hi, mid;

	if (!h->count)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	rank = (uint64_t)(q * (double)h->count);
	if ((double)rank < q * (double)h->count)
		rank++;
	if (!rank)
		rank = 1;
	for (int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen < rank)
			continue;
		hist_bucket_range(i, &lo, &hi);
		mid = lo + (hi - lo) / 2;
		if (mid < h->min)
			mid = h->min;
		if (mid > h->max)
			mid = h->max;
		return mid;
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? h->sum / (double)h->count : 0;
}
