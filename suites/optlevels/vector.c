/*
 * vector.c - loops a compiler can vectorise: saxpy on floats and a dot
 * product of 16-bit integers.
 *
 * Isolates auto-vectorisation, the one optimisation that can make a loop
 * several times faster by itself. GCC 12 vectorises at -O2 only with its
 * "very cheap" cost model, which refuses a loop that needs a run-time
 * overlap check or a scalar epilogue; both loops here need one (the
 * arrays are not restrict, the length is a run-time value), as most loops
 * in real code do. -O3 (and clang at -O2) accept them; -march=native
 * adds wider vectors and, for saxpy, fused multiply-add.
 *
 * Inputs are small integers, so every product and sum is exact in float
 * and in int32: fused and unfused, vector and scalar code compute
 * bit-identical results, which the cross-flavor test relies on.
 *
 * Run just this:  build/O2/bench_optlevels --benchmark_filter=vector
 *
 * The loops have no data-dependent branch for a predictor to learn, so
 * one input serves (see OL_INPUTS in optlevels.h).
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, gcc 12): saxpy of
 * 8192 floats about 2.2 us scalar (-O2), 0.6 us vectorised (-O3); the
 * dot product 3.5 us scalar, 0.5 us vectorised; -O0 about 8.7 and 7 us.
 */
#include "gbshim.h"
#include "optlevels.h"

#include <stdlib.h>

#define VEC_N 8192

void vec_saxpy(float *z, const float *x, const float *y, float a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		z[i] = a * x[i] + y[i];
}

int32_t vec_dot_i16(const int16_t *x, const int16_t *y, size_t n)
{
	int32_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += (int32_t)x[i] * y[i];
	return s;
}

struct vecb {
	float *x, *y, *z, a;
	int16_t *p, *q;
	size_t n;
	int32_t dot, want;
};

static int vec_setup(struct bench_state *st)
{
	struct vecb *vb = xcalloc(1, sizeof(*vb));
	int64_t want = 0;
	struct rng r;

	rng_seed(&r, bench_seed() ^ 0x76656374u);
	vb->n = VEC_N;
	vb->x = xmalloc(VEC_N * sizeof(float));
	vb->y = xmalloc(VEC_N * sizeof(float));
	vb->z = xmalloc(VEC_N * sizeof(float));
	vb->p = xmalloc(VEC_N * sizeof(int16_t));
	vb->q = xmalloc(VEC_N * sizeof(int16_t));
	/* |a x + y| < 2^24 and |sum p q| < 2^31: every operation is exact. */
	vb->a = (float)(1 + (int)rng_below(&r, 7));
	for (size_t i = 0; i < VEC_N; i++) {
		vb->x[i] = (float)((int)rng_below(&r, 2001) - 1000);
		vb->y[i] = (float)((int)rng_below(&r, 2001) - 1000);
		vb->p[i] = (int16_t)((int)rng_below(&r, 601) - 300);
		vb->q[i] = (int16_t)((int)rng_below(&r, 601) - 300);
		want += (int64_t)vb->p[i] * vb->q[i];
	}
	vb->want = (int32_t)want;
	bench_set_priv(st, vb);
	return 0;
}

static void saxpy_run(struct bench_state *st)
{
	struct vecb *vb = bench_priv(st);
	float *z = vb->z;
	uint64_t n;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t k = 0; k < n; k++) {
			bench_sink(z);	/* inputs may have changed */
			vec_saxpy(z, vb->x, vb->y, vb->a, vb->n);
			bench_sink(z);	/* z is read later */
		}
	bench_set_bytes(st, (int64_t)(bench_iterations(st) * vb->n * 12));
}

static int saxpy_verify(struct bench_state *st)
{
	struct vecb *vb = bench_priv(st);
	uint32_t h = OL_MIX_INIT;

	for (size_t i = 0; i < vb->n; i++) {
		int32_t want = (int32_t)vb->a * (int32_t)vb->x[i] +
			       (int32_t)vb->y[i];

		if (vb->z[i] != (float)want) {
			bench_fail(st, "z[%zu] is %g, expected %d", i,
				   (double)vb->z[i], want);
			return 1;
		}
		h = ol_mix(h, (uint32_t)want);
	}
	bench_counter(st, "result", h, BENCH_CTR_TOTAL);
	return 0;
}

static void dot_run(struct bench_state *st)
{
	struct vecb *vb = bench_priv(st);
	const int16_t *p = vb->p;
	int32_t s = 0;
	uint64_t n;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t k = 0; k < n; k++) {
			bench_sink(p);
			s = vec_dot_i16(p, vb->q, vb->n);
			bench_sink(s);
		}
	vb->dot = s;
	bench_set_bytes(st, (int64_t)(bench_iterations(st) * vb->n * 4));
}

static int dot_verify(struct bench_state *st)
{
	struct vecb *vb = bench_priv(st);

	if (vb->dot != vb->want) {
		bench_fail(st, "dot product %d, expected %d", vb->dot,
			   vb->want);
		return 1;
	}
	bench_counter(st, "result", (uint32_t)vb->dot, BENCH_CTR_TOTAL);
	return 0;
}

static void vec_teardown(struct bench_state *st)
{
	struct vecb *vb = bench_priv(st);

	free(vb->x);
	free(vb->y);
	free(vb->z);
	free(vb->p);
	free(vb->q);
	free(vb);
}

static const struct bench_case cases[] = {
	{
		.name = "vector/saxpy",
		.min_time = OL_MIN_TIME,
		.desc = "z = a x + y over 8192 floats (not restrict)",
		.setup = vec_setup,
		.run = saxpy_run,
		.verify = saxpy_verify,
		.teardown = vec_teardown,
		.unit = BENCH_UNIT_US,
	},
	{
		.name = "vector/dot_i16",
		.min_time = OL_MIN_TIME,
		.desc = "dot product of 8192 int16 pairs into int32",
		.setup = vec_setup,
		.run = dot_run,
		.verify = dot_verify,
		.teardown = vec_teardown,
		.unit = BENCH_UNIT_US,
	},
};
BENCH_FAMILY(cases);
