/*
 * test_hist.c - the latency histogram: exact small values, bounded error
 * at every scale, quantiles of known distributions, merging.
 */
#include "hist.h"
#include "tap.h"

#include <stdlib.h>

int main(void)
{
	static struct hist h, a, b;
	uint64_t lo, hi, worst_num = 0, worst_den = 1;
	int monotone = 1, covers = 1;

	for (uint64_t v = 0; v < HIST_SUB; v++) {
		if (hist_bucket(v) != (int)v)
			covers = 0;
	}
	ok(covers, "values below %d have a bucket each", HIST_SUB);

	/* Every value lands in a bucket whose range holds it, and the
	 * bucket is at most 1/HIST_SUB of the value wide. */
	for (int e = 0; e < 64; e++) {
		uint64_t base = 1ULL << e;
		uint64_t probes[] = { base, base + base / 3, base * 2 - 1 };

		for (int k = 0; k < 3; k++) {
			uint64_t v = probes[k];
			int bk = hist_bucket(v);

			hist_bucket_range(bk, &lo, &hi);
			if (v < lo || v > hi || bk < 0 || bk >= HIST_BUCKETS)
				covers = 0;
			if ((hi - lo) * worst_den > worst_num * v)
				worst_num = hi - lo, worst_den = v;
		}
	}
	ok(covers, "every value from 1 to 2^64-1 falls inside its bucket");
	ok(worst_num * HIST_SUB <= worst_den,
	   "bucket width is at most 1/%d of the value", HIST_SUB);
	for (uint64_t v = 1; v < 1 << 20; v += 7)
		if (hist_bucket(v) < hist_bucket(v - 1))
			monotone = 0;
	ok(monotone, "buckets grow with the value");

	hist_reset(&h);
	is_int(hist_quantile(&h, 0.5), 0, "an empty histogram has quantile 0");
	for (uint64_t v = 1; v <= 100000; v++)
		hist_add(&h, v);
	is_int(h.count, 100000, "count");
	is_int(h.min, 1, "min");
	is_int(h.max, 100000, "max");
	is_dbl(hist_mean(&h), 50000.5, 1e-6, "mean is exact");
	is_dbl((double)hist_quantile(&h, 0.5), 50000, 50000.0 / HIST_SUB,
	       "p50 of 1..100000 within one bucket");
	is_dbl((double)hist_quantile(&h, 0.99), 99000, 99000.0 / HIST_SUB,
	       "p99 of 1..100000 within one bucket");
	is_dbl((double)hist_quantile(&h, 0.999), 99900, 99900.0 / HIST_SUB,
	       "p99.9 of 1..100000 within one bucket");
	is_int(hist_quantile(&h, 1), 100000, "p100 is the max");
	is_int(hist_quantile(&h, 0), 1, "p0 is the min");

	/* A tail: 990 fast samples and 10 slow ones. */
	hist_reset(&a);
	for (int i = 0; i < 990; i++)
		hist_add(&a, 100);
	for (int i = 0; i < 10; i++)
		hist_add(&a, 1000000);
	is_int(hist_quantile(&a, 0.5), 100, "p50 ignores a 1%% tail");
	is_int(hist_quantile(&a, 0.99), 100, "p99 is the 990th sample");
	ok(hist_quantile(&a, 0.995) > 900000, "p99.5 is in the tail");

	hist_reset(&b);
	hist_add(&b, 5);
	hist_merge(&b, &a);
	is_int(b.count, 1001, "merge adds counts");
	is_int(b.min, 5, "merge keeps the smaller min");
	is_int(b.max, 1000000, "merge keeps the larger max");
	return tap_done();
}
