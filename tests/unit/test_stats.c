/*
 * test_stats.c - the statistics against known values. The p-values and
 * Hodges-Lehmann figures were computed with scipy 1.10
 * (scipy.stats.mannwhitneyu, alternative='two-sided', method 'auto') and
 * numpy, which is what Google Benchmark's compare.py uses.
 */
#include "stats.h"
#include "tap.h"

#include <math.h>

static const double a5[] = { 10.1, 10.3, 10.2, 10.5, 10.4 };
static const double b5[] = { 11.0, 11.2, 10.9, 11.4, 11.1 };

static void test_descriptive(void)
{
	const double v[] = { 5, 1, 4, 2, 3 }, w[] = { 4, 1, 3, 2 };

	is_dbl(stats_median(v, 5), 3, 0, "median of an odd sample");
	is_dbl(stats_median(w, 4), 2.5, 0, "median of an even sample");
	is_dbl(stats_mad(v, 5), 1, 0, "median absolute deviation");
	is_dbl(stats_mean(v, 5), 3, 1e-12, "mean");
	is_dbl(stats_stddev(v, 5), sqrt(2.5), 1e-12, "sample standard deviation");
	is_dbl(stats_cv(v, 5), sqrt(2.5) / 3, 1e-12, "coefficient of variation");
	is_dbl(stats_min(v, 5), 1, 0, "min");
	is_dbl(stats_max(v, 5), 5, 0, "max");
	ok(isnan(stats_median(v, 0)), "median of nothing is NaN");
}

static void test_u_distribution(void)
{
	/* 5 and 5: 252 arrangements; U <= 2 in 1 + 1 + 2 of them. */
	is_dbl(stats_u_cdf(2, 5, 5), 4.0 / 252, 1e-12, "P(U <= 2), 5 v 5");
	is_dbl(stats_u_cdf(3, 5, 5), 7.0 / 252, 1e-12, "P(U <= 3), 5 v 5");
	/* P(U <= k) = P(U >= n1 n2 - k) = 1 - P(U <= n1 n2 - k - 1) */
	is_dbl(stats_u_cdf(10, 5, 5) + stats_u_cdf(14, 5, 5), 1, 1e-12,
	       "U is symmetric about n1 n2 / 2");
	is_dbl(stats_u_cdf(25, 5, 5), 1, 0, "P(U <= n1 n2) = 1");
	is_dbl(stats_u_cdf(0, 3, 3), 1.0 / 20, 1e-12, "P(U = 0), 3 v 3");
}

static void test_mannwhitney(void)
{
	const double a10[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	const double b10[] = { 3, 5, 7, 9, 11, 13, 15, 17, 19, 21 };
	const double a3[] = { 1, 2, 3 }, b3[] = { 4, 5, 6 };
	const double a12[] = {
		100.47354019143653, 106.25012190541776, 95.34310816139646,
		104.9618864025962, 98.70422731153283, 98.69244508009413,
		109.49862639232379, 100.7876853581686, 99.78537873103878,
		103.64749243217804, 105.63426981191928, 99.84578362482534,
	};
	const double b12[] = {
		106.93996872590182, 99.1313782126715, 102.16604765009735,
		101.80937482798609, 97.33858417704425, 96.45742936419464,
		95.86543635021486, 102.80673572278099, 103.13787276073944,
		102.39831146310394, 104.34563822357529, 97.32207249214653,
	};
	const double same[] = { 2, 2, 2, 2 };
	double u;

	is_dbl(stats_mannwhitney(a5, 5, b5, 5, &u), 0.007936507936507936,
	       1e-12, "exact p, 5 v 5, no overlap (scipy)");
	is_dbl(u, 0, 0, "U of the smaller sample is 0");
	is_dbl(stats_mannwhitney(a10, 10, b10, 10, &u), 0.017090034751250798,
	       1e-9, "asymptotic p with ties, 10 v 10 (scipy)");
	is_dbl(u, 18, 0, "U with ties counts half (scipy)");
	is_dbl(stats_mannwhitney(a3, 3, b3, 3, NULL), 0.1, 1e-12,
	       "3 v 3 cannot reach 0.05 (scipy)");
	is_dbl(stats_mannwhitney(a12, 12, b12, 12, &u), 0.5443701458566098,
	       1e-9, "asymptotic p, 12 v 12 (scipy)");
	is_dbl(u, 83, 0, "U, 12 v 12 (scipy)");
	is_dbl(stats_mannwhitney(same, 4, same, 4, NULL), 1, 0,
	       "identical samples: p = 1");
	is_dbl(stats_mannwhitney(a5, 0, b5, 5, NULL), 1, 0,
	       "an empty sample: p = 1");
}

static void test_ratio(void)
{
	struct stats_ratio r;
	const double x[] = { 2, 2.1, 1.9, 2.05, 1.95 };
	const double y[] = { 1, 1.05, 0.95, 1.02, 0.98 };
	const double bad[] = { 1, 0, 2 };

	ok(!stats_ratio(a5, 5, b5, 5, 0.95, &r), "ratio of positive samples");
	is_dbl(r.ratio, 0.927272727272727, 1e-9,
	       "Hodges-Lehmann ratio (numpy median of pairwise ratios)");
	is_dbl(r.lo, 0.9017857142857144, 1e-9, "interval low: 3rd of 25");
	is_dbl(r.hi, 0.9541284403669725, 1e-9, "interval high: 23rd of 25");
	is_dbl(r.level, 1 - 2 * 4.0 / 252, 1e-12,
	       "coverage reached with 5 v 5 is 96.8%%");
	is_dbl(r.p, 0.007936507936507936, 1e-12, "p of the same test");

	ok(!stats_ratio(x, 5, y, 5, 0.95, &r), "ratio near 2");
	ok(r.lo <= 2 && r.hi >= 2 && fabs(r.ratio - 2) < 0.05,
	   "the interval holds the true ratio 2 (%.3f [%.3f, %.3f])",
	   r.ratio, r.lo, r.hi);
	ok(stats_ratio(bad, 3, y, 5, 0.95, &r) < 0,
	   "a zero value is refused, not divided by");

	ok(!stats_ratio(a5, 3, b5, 3, 0.95, &r), "3 v 3 gives a ratio");
	ok(r.level < 0.95, "but says its interval is below 95%% (%.3f)",
	   r.level);
}

static void test_geomean(void)
{
	const double a1[] = { 2, 2, 2, 2 }, b1[] = { 1, 1, 1, 1 };
	const double a2[] = { 8, 8, 8, 8 }, b2[] = { 1, 1, 1, 1 };
	const double *as[] = { a1, a2 }, *bs[] = { b1, b2 };
	const int na[] = { 4, 4 }, nb[] = { 4, 4 };
	double gm, lo, hi, gm2, lo2, hi2;

	ok(!stats_geomean_ratio(as, na, bs, nb, 2, 0.95, 500, 7, &gm, &lo, &hi),
	   "geometric mean of two ratios");
	is_dbl(gm, 4, 1e-12, "sqrt(2 * 8) = 4");
	is_dbl(lo, 4, 1e-12, "no spread: the interval is a point (low)");
	is_dbl(hi, 4, 1e-12, "no spread: the interval is a point (high)");
	stats_geomean_ratio(as, na, bs, nb, 2, 0.95, 500, 7, &gm2, &lo2, &hi2);
	ok(gm == gm2 && lo == lo2 && hi == hi2, "bootstrap is seeded");
}

static void test_normal(void)
{
	is_dbl(stats_norm_quantile(0.975), 1.959963984540054, 1e-8,
	       "z at 97.5%%");
	is_dbl(stats_norm_sf(1.959963984540054), 0.025, 1e-9,
	       "upper tail at 1.96");
	is_dbl(stats_norm_quantile(0.5), 0, 1e-12, "median of N(0,1)");
	is_dbl(stats_norm_quantile(0.001), -3.090232306167813, 1e-7,
	       "far tail quantile");
}

int main(void)
{
	test_descriptive();
	test_u_distribution();
	test_mannwhitney();
	test_ratio();
	test_geomean();
	test_normal();
	return tap_done();
}
