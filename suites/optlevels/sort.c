/*
 * sort.c - sorting 2048 records by key: libc qsort with a comparison
 * function, against a sort whose comparisons the compiler can inline.
 *
 * Isolates what inlining buys a generic algorithm. qsort is compiled into
 * libc once (at libc's own level, whatever ours is) and calls the
 * comparator through a pointer for every comparison, so a flavor changes
 * only the comparator; the introsort here is compiled whole at the
 * flavor's level, comparisons and swaps inline, as a C++ std::sort or a
 * macro-generated C sort would be. The gap between the two at -O2 is the
 * price of a call per comparison (and of glibc's merge sort against a
 * quicksort); across flavors, qsort shows how little a flag changes code
 * that lives in a library.
 *
 * Each iteration copies the next of 16 shuffled inputs into a work array
 * (a memcpy of 16 KiB, small beside the sort) and sorts it; sorting one
 * input over and over, the branch predictor learns its comparisons and
 * the inline sort runs 5x faster than on fresh data. Keys are distinct,
 * so the sorted order, and the checksum of values in it, is unique.
 *
 * Run just this:  build/O2/bench_optlevels --benchmark_filter=sort
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, gcc 12 -O2): the
 * inline sort about 77 us per 2048 records, 105 us at -O0; qsort 120 to
 * 180 us (it differs from one process to the next here), 200 us at -O0:
 * libc does most of its work, whatever the flavor.
 */
#include "gbshim.h"
#include "optlevels.h"

#include <stdlib.h>
#include <string.h>

#define SORT_N 2048
#define SORT_SMALL 16		/* below this, insertion sort */

static int rec_cmp(const void *pa, const void *pb)
{
	const struct rec *a = pa, *b = pb;

	return (a->key > b->key) - (a->key < b->key);
}

void sort_qsort(struct rec *a, size_t n)
{
	qsort(a, n, sizeof(*a), rec_cmp);
}

static inline void rec_swap(struct rec *a, struct rec *b)
{
	struct rec t = *a;

	*a = *b;
	*b = t;
}

static void insertion_sort(struct rec *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct rec x = a[i];
		size_t j = i;

		for (; j > 0 && x.key < a[j - 1].key; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

static void sift_down(struct rec *a, size_t root, size_t n)
{
	for (;;) {
		size_t c = 2 * root + 1;

		if (c >= n)
			return;
		if (c + 1 < n && a[c].key < a[c + 1].key)
			c++;
		if (!(a[root].key < a[c].key))
			return;
		rec_swap(&a[root], &a[c]);
		root = c;
	}
}

static void heap_sort(struct rec *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (size_t end = n; end-- > 1;) {
		rec_swap(&a[0], &a[end]);
		sift_down(a, 0, end);
	}
}

/*
 * Hoare partition around the median of the first, middle and last keys,
 * recursing into the smaller side (stack depth log n) and looping on the
 * larger; past a depth of 2 log2 n (adversarial input) heapsort finishes
 * the range, so the worst case stays n log n.
 */
static void intro_sort(struct rec *a, size_t n, int depth)
{
	while (n > SORT_SMALL) {
		size_t m = (n - 1) / 2;
		ptrdiff_t i = -1, j = (ptrdiff_t)n;
		uint32_t p;

		if (depth-- == 0) {
			heap_sort(a, n);
			return;
		}
		if (a[m].key < a[0].key)
			rec_swap(&a[m], &a[0]);
		if (a[n - 1].key < a[m].key) {
			rec_swap(&a[n - 1], &a[m]);
			if (a[m].key < a[0].key)
				rec_swap(&a[m], &a[0]);
		}
		p = a[m].key;
		for (;;) {
			do
				i++;
			while (a[i].key < p);
			do
				j--;
			while (p < a[j].key);
			if (i >= j)
				break;
			rec_swap(&a[i], &a[j]);
		}
		/* [0, j] and [j + 1, n), both non-empty. */
		if ((size_t)j + 1 < n - (size_t)j - 1) {
			intro_sort(a, (size_t)j + 1, depth);
			a += j + 1;
			n -= (size_t)j + 1;
		} else {
			intro_sort(a + j + 1, n - (size_t)j - 1, depth);
			n = (size_t)j + 1;
		}
	}
	insertion_sort(a, n);
}

void sort_inline(struct rec *a, size_t n)
{
	int depth = 0;

	for (size_t m = n; m > 1; m >>= 1)
		depth += 2;
	intro_sort(a, n, depth);
}

uint32_t rec_checksum(const struct rec *a, size_t n)
{
	uint32_t h = OL_MIX_INIT;

	for (size_t i = 0; i < n; i++)
		h = ol_mix(h, a[i].val);
	return h;
}

/* A bijection of 32-bit words (murmur3's finaliser): distinct keys. */
static uint32_t fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

struct sortb {
	struct rec *in[OL_INPUTS], *work;
	uint32_t salt[OL_INPUTS], got[OL_INPUTS];
	unsigned char *seen;
	uint64_t ran;
};

static int sort_setup(struct bench_state *st)
{
	struct sortb *sb = xcalloc(1, sizeof(*sb));
	uint32_t *perm = xmalloc(SORT_N * sizeof(*perm));
	struct rng r;

	rng_seed(&r, bench_seed() ^ 0x736f7274u);
	for (int j = 0; j < OL_INPUTS; j++) {
		sb->salt[j] = (uint32_t)rng_next(&r);
		for (uint32_t i = 0; i < SORT_N; i++)
			perm[i] = i;
		rng_shuffle_u32(&r, perm, SORT_N);
		sb->in[j] = xmalloc(SORT_N * sizeof(struct rec));
		for (uint32_t i = 0; i < SORT_N; i++)
			sb->in[j][i] = (struct rec){
				.key = fmix32(perm[i] + sb->salt[j]),
				.val = perm[i],
			};
	}
	sb->work = xmalloc(SORT_N * sizeof(*sb->work));
	sb->seen = xmalloc(SORT_N);
	free(perm);
	bench_set_priv(st, sb);
	return 0;
}

static void sort_run(struct bench_state *st)
{
	struct sortb *sb = bench_priv(st);
	void (*sort)(struct rec *, size_t) =
		bench_param(st) ? sort_inline : sort_qsort;
	struct rec *w = sb->work;
	uint64_t n;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t k = 0; k < n; k++) {
			memcpy(w, sb->in[k % OL_INPUTS], SORT_N * sizeof(*w));
			sort(w, SORT_N);
			bench_sink(w);	/* the sorted array is read later */
		}
	sb->ran = bench_iterations(st);
	bench_set_items(st, (int64_t)(sb->ran * SORT_N));
}

/* Keys strictly rising and every record of input j present once. */
static int sorted_ok(struct bench_state *st, struct sortb *sb, unsigned j)
{
	const struct rec *w = sb->work;

	memset(sb->seen, 0, SORT_N);
	for (uint32_t i = 0; i < SORT_N; i++) {
		if (w[i].val >= SORT_N || sb->seen[w[i].val] ||
		    w[i].key != fmix32(w[i].val + sb->salt[j])) {
			bench_fail(st, "record %u of input %u is not one of "
				   "the input", i, j);
			return 0;
		}
		sb->seen[w[i].val] = 1;
		if (i > 0 && w[i - 1].key >= w[i].key) {
			bench_fail(st, "input %u: keys out of order at %u", j,
				   i);
			return 0;
		}
	}
	return 1;
}

/*
 * The run's last output first; then every input sorted again, untimed,
 * so the result covers all of them however few iterations ran.
 */
static int sort_verify(struct bench_state *st)
{
	struct sortb *sb = bench_priv(st);
	void (*sort)(struct rec *, size_t) =
		bench_param(st) ? sort_inline : sort_qsort;

	if (sb->ran && !sorted_ok(st, sb, (sb->ran - 1) % OL_INPUTS))
		return 1;
	for (unsigned j = 0; j < OL_INPUTS; j++) {
		memcpy(sb->work, sb->in[j], SORT_N * sizeof(*sb->work));
		sort(sb->work, SORT_N);
		if (!sorted_ok(st, sb, j))
			return 1;
		sb->got[j] = rec_checksum(sb->work, SORT_N);
	}
	bench_counter(st, "result", ol_fold(sb->got, OL_INPUTS),
		      BENCH_CTR_TOTAL);
	return 0;
}

static void sort_teardown(struct bench_state *st)
{
	struct sortb *sb = bench_priv(st);

	for (int j = 0; j < OL_INPUTS; j++)
		free(sb->in[j]);
	free(sb->work);
	free(sb->seen);
	free(sb);
}

static const struct bench_case cases[] = {
	{
		.name = "sort/qsort",
		.min_time = OL_MIN_TIME,
		.desc = "2048 records, libc qsort with a comparison function",
		.setup = sort_setup,
		.run = sort_run,
		.verify = sort_verify,
		.teardown = sort_teardown,
		.unit = BENCH_UNIT_US,
	},
	{
		.name = "sort/inline",
		.min_time = OL_MIN_TIME,
		.desc = "2048 records, introsort with inline comparisons",
		.setup = sort_setup,
		.run = sort_run,
		.param = 1,
		.verify = sort_verify,
		.teardown = sort_teardown,
		.unit = BENCH_UNIT_US,
	},
};
BENCH_FAMILY(cases);
