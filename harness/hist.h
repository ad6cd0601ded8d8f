/*
 * hist.h - log-linear latency histogram.
 *
 * Google Benchmark reports one figure per repetition; tails need one sample
 * per operation (an fsync, a hand-off, a message). Values are binned by
 * their power of two and, within it, into HIST_SUB linear sub-buckets, so a
 * recorded value is known to within 1/HIST_SUB of itself (about 1.6%) at
 * every scale from nanoseconds to hours, in a fixed 32 KiB.
 */
#ifndef BENCH_HIST_H
#define BENCH_HIST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HIST_SUB_BITS 6
#define HIST_SUB (1 << HIST_SUB_BITS)
#define HIST_BUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t min, max;
	double sum;
	uint64_t b[HIST_BUCKETS];
};

void hist_reset(struct hist *h);
void hist_add(struct hist *h, uint64_t v);
void hist_merge(struct hist *into, const struct hist *from);
/*
 * The value at quantile q in [0, 1]: the midpoint of the bucket holding
 * the ceil(q * count)-th smallest sample, clamped to [min, max]. 0 when
 * empty.
 */
uint64_t hist_quantile(const struct hist *h, double q);
double hist_mean(const struct hist *h);

/* Bucket index of a value and the value range [lo, hi] of a bucket. */
int hist_bucket(uint64_t v);
void hist_bucket_range(int b, uint64_t *lo, uint64_t *hi);

#ifdef __cplusplus
}
#endif

#endif
