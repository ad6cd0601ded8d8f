/*
 * aos_soa.c - a scan that uses one field of many: array of structs
 * against struct of arrays.
 *
 * Isolates what a scan pays for the bytes it fetches but does not use:
 * the sum of one 4-byte field over N records of sixteen 4-byte fields (a
 * 64-byte record, one line each). The array of structs fetches a whole
 * line per record for 4 useful bytes; the struct of arrays keeps the
 * field in its own array and fetches 16 records per line. Both are the
 * same loop over the same values; the size in the name is the array of
 * structs' bytes, N = size / 64 in both.
 *
 * Run just this:  build/O2/bench_cacheline --benchmark_filter=aos_soa
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, gcc 12 -O2, CPU
 * time): in L1 both about 0.28 ns per record; at 128 MiB the array of
 * structs about 1.6 ns per record against 0.28 ns, 5.5-6x.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "hot.h"
#include "topo.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define REC_FIELDS 16
#define REC_FIELD 5	/* the field the scan sums */

struct rec {
	uint32_t f[REC_FIELDS];
};

enum aos_kind {
	KIND_AOS = 0,
	KIND_SOA,
};

struct aos {
	void *mem;		/* struct rec[n] or uint32_t[n] */
	size_t bytes;
	size_t n;
	uint64_t want;		/* the sum of the field over one scan */
	uint64_t got;		/* summed over the last run */
};

static int aos_setup(struct bench_state *st)
{
	enum aos_kind kind = (enum aos_kind)bench_param(st);
	size_t n = (size_t)bench_arg(st) / sizeof(struct rec);
	struct aos *a = xcalloc(1, sizeof(*a));
	struct rng r;
	char buf[32];

	a->n = n;
	/*
	 * The struct of arrays allocates only the scanned field's array:
	 * the other fifteen would never be touched, so they change nothing
	 * but set-up time.
	 */
	a->bytes = kind == KIND_AOS ? n * sizeof(struct rec)
				    : n * sizeof(uint32_t);
	a->mem = mem_alloc(a->bytes, MEM_THP);	/* prefaulted */
	if (!a->mem) {
		bench_skip(st, "cannot allocate %s (%s)",
			   fmt_bytes(buf, sizeof(buf), a->bytes),
			   strerror(errno));
		free(a);
		return -1;
	}
	/* Same values in both layouts: record i's field j from one stream. */
	rng_seed(&r, bench_seed() ^ 0xa05);
	for (size_t i = 0; i < n; i++) {
		for (int j = 0; j < REC_FIELDS; j++) {
			uint32_t v = (uint32_t)rng_next(&r);

			if (kind == KIND_AOS)
				((struct rec *)a->mem)[i].f[j] = v;
			else if (j == REC_FIELD)
				((uint32_t *)a->mem)[i] = v;
			if (j == REC_FIELD)
				a->want += v;
		}
	}
	bench_set_priv(st, a);
	return 0;
}

static void aos_teardown(struct bench_state *st)
{
	struct aos *a = bench_priv(st);

	mem_free(a->mem, a->bytes);
	free(a);
}

/*
 * One iteration is one full scan. bench_clobber() between scans stops
 * the compiler from summing once and multiplying; it emits no code.
 */
static void aos_run(struct bench_state *st)
{
	struct aos *a = bench_priv(st);
	uint64_t it, sum = 0;
	size_t n = a->n;

	if ((enum aos_kind)bench_param(st) == KIND_AOS) {
		const struct rec *rec = a->mem;

		while ((it = bench_batch(st)) != 0)
			for (uint64_t k = 0; k < it; k++) {
				bench_clobber();
				for (size_t i = 0; i < n; i++)
					sum += rec[i].f[REC_FIELD];
			}
	} else {
		const uint32_t *field = a->mem;

		while ((it = bench_batch(st)) != 0)
			for (uint64_t k = 0; k < it; k++) {
				bench_clobber();
				for (size_t i = 0; i < n; i++)
					sum += field[i];
			}
	}
	bench_sink(sum);
	a->got = sum;
	bench_set_items(st, (int64_t)(bench_iterations(st) * n));
	bench_counter(st, "records", (double)n, BENCH_CTR_TOTAL);
}

static int aos_verify(struct bench_state *st)
{
	struct aos *a = bench_priv(st);
	uint64_t want = a->want * bench_iterations(st);

	if (a->got != want) {
		bench_fail(st, "summed %#" PRIx64 ", expected %#" PRIx64,
			   a->got, want);
		return -1;
	}
	return 0;
}

/*
 * Three sizes in the quick profile: the first and last of the harness's
 * standard sweep (within L1d, and four times the measured last-level
 * cache: cl_ws_max(), the largest point of the hot-field benchmarks too,
 * so {max} means the same) and half the last-level cache between them;
 * the whole sweep in the full one.
 */
static int aos_sizes(const struct bench_case *c, int64_t *out, int max)
{
	int64_t s[BENCH_MAX_ARGS];
	uint64_t half;
	int n = topo_ws_sizes(s, BENCH_MAX_ARGS, bench_profile(), 4), k = 0;

	if (bench_profile() != BENCH_PROFILE_QUICK || n < 2) {
		n = n < max ? n : max;
		memcpy(out, s, (size_t)n * sizeof(*out));
		return n;
	}
	half = topo_llc_size() / 2 / 4096 * 4096;
	out[k++] = s[0];
	if (half > (uint64_t)s[0] && half < (uint64_t)s[n - 1] && k < max)
		out[k++] = (int64_t)half;
	if (k < max)
		out[k++] = s[n - 1];
	return k;
}

static const struct bench_case cases[] = {
	{
		.name = "aos_soa/aos",
		.desc = "sum one 4-byte field of 64-byte records, in place",
		.setup = aos_setup, .run = aos_run,
		.verify = aos_verify, .teardown = aos_teardown,
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,
		.gen_args = aos_sizes,
		.param = KIND_AOS,
	},
	{
		.name = "aos_soa/soa",
		.desc = "sum the same field kept in an array of its own",
		.setup = aos_setup, .run = aos_run,
		.verify = aos_verify, .teardown = aos_teardown,
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,
		.gen_args = aos_sizes,
		.param = KIND_SOA,
	},
};
BENCH_FAMILY(cases);
