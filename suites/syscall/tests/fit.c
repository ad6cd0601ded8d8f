/*
 * fit.c - the affine fit of the read-size sweep (cost = a + b * bytes),
 * on synthetic data whose a and b are known.
 */
#include "syscall.h"
#include "tap.h"

#include <math.h>

#define N 8

static const double sizes[N] = {
	1, 8, 64, 512, 4096, 32768, 262144, 1048576,
};

static void line(double a, double b, double *y)
{
	for (int i = 0; i < N; i++)
		y[i] = a + b * sizes[i];
}

int main(void)
{
	double y[N], a, b, worst;
	/* A fixed +-3% pattern, as repeatable as noise never is. */
	static const double noise[N] = {
		1.03, 0.97, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97,
	};

	line(200, 0.05, y);
	ok(!sc_fit_affine_rel(sizes, y, N, &a, &b, &worst),
	   "an exact line is fitted");
	is_dbl(a, 200, 1e-6, "fixed cost recovered");
	is_dbl(b, 0.05, 1e-12, "cost per byte recovered");
	is_dbl(worst, 0, 1e-9, "no residual on an exact line");

	for (int i = 0; i < N; i++)
		y[i] *= noise[i];
	ok(!sc_fit_affine_rel(sizes, y, N, &a, &b, &worst),
	   "a noisy line is fitted");
	is_dbl(a, 200, 200 * 0.03, "fixed cost within the noise (3%%)");
	is_dbl(b, 0.05, 0.05 * 0.03, "cost per byte within the noise (3%%)");
	ok(worst > 0.02 && worst < 0.06,
	   "worst relative error reflects the noise (%.3f)", worst);

	/*
	 * Weighting: 20% of noise on the 1 MiB point is 10 us, fifty times
	 * the fixed cost. An unweighted fit would lose a to it; the
	 * relative weighting keeps it within a few percent.
	 */
	line(200, 0.05, y);
	y[N - 1] *= 1.2;
	ok(!sc_fit_affine_rel(sizes, y, N, &a, &b, &worst),
	   "a line with a bad large point is fitted");
	is_dbl(a, 200, 200 * 0.05, "fixed cost survives a 20%% error at "
	       "1 MiB (a = %.1f)", a);
	ok(worst > 0.1, "the bad point shows as the worst error (%.3f)",
	   worst);

	/* Two points: the line through both. */
	{
		const double x2[2] = { 10, 1000 }, y2[2] = { 110, 1100 };

		ok(!sc_fit_affine_rel(x2, y2, 2, &a, &b, &worst),
		   "two points are fitted");
		is_dbl(a, 100, 1e-9, "two points: intercept");
		is_dbl(b, 1, 1e-12, "two points: slope");
	}

	/* Degenerate input is refused, not fitted to nonsense. */
	{
		const double x1[3] = { 64, 64, 64 }, y1[3] = { 5, 6, 7 };

		ok(sc_fit_affine_rel(x1, y1, 3, &a, &b, &worst) < 0,
		   "one distinct size is refused");
		ok(sc_fit_affine_rel(sizes, y, 1, &a, &b, &worst) < 0,
		   "one point is refused");
	}
	return tap_done();
}
