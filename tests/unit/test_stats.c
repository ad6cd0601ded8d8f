/*
 * test_stats.c - the statistics against known values. Reference figures
 * were computed with scipy 1.10 (scipy.stats.t, ttest_ind with
 * equal_var=False, ttest_1samp, scipy.special.betainc) and by enumeration
 * in python where noted.
 */
#include "stats.h"
#include "tap.h"
#include "util.h"

#include <math.h>


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

static void test_t(void)
{
	is_dbl(stats_t_cdf(-2.0, 3), 0.06966298427942155, 1e-10,
	       "t CDF, 3 df (scipy)");
	is_dbl(stats_t_cdf(1.5, 10), 0.9177463367772799, 1e-10,
	       "t CDF, 10 df (scipy)");
	is_dbl(stats_t_cdf(0.3, 2.5), 0.6063288142524015, 1e-10,
	       "t CDF, fractional df (scipy)");
	is_dbl(stats_t_quantile(0.975, 2), 4.302652729911275, 1e-8,
	       "t quantile, 2 df: a 3-round interval is wide (scipy)");
	is_dbl(stats_t_quantile(0.975, 4), 2.7764451051977987, 1e-8,
	       "t quantile, 4 df (scipy)");
	is_dbl(stats_t_quantile(0.975, 1), 12.706204736432095, 1e-7,
	       "t quantile, 1 df (scipy)");
	is_dbl(stats_t_quantile(0.995, 7.3), 3.451031655622189, 1e-8,
	       "t quantile, fractional df (scipy)");
	is_dbl(stats_t_quantile(0.025, 250), -1.9694983934204007, 1e-8,
	       "t quantile, many df (scipy)");
	is_dbl(stats_t_quantile(0.975, INFINITY), 1.959963984540054, 1e-8,
	       "infinite df is the normal");
	is_dbl(stats_beta_inc(2.5, 0.5, 0.3), 0.01892712407194565, 1e-12,
	       "incomplete beta (scipy)");
	is_dbl(stats_beta_inc(0.5, 3, 0.9), 0.9996750253207289, 1e-12,
	       "incomplete beta, other side (scipy)");
}

static void test_welch(void)
{
	double a[] = { 10.1, 10.6, 10.3 }, b[] = { 11.0, 11.9, 11.2, 11.5 };
	const double d[] = { 0.05, 0.07, 0.04 }, c[] = { 2, 2, 2 };
	struct stats_est e;

	for (int i = 0; i < 3; i++)
		a[i] = log(a[i]);
	for (int i = 0; i < 4; i++)
		b[i] = log(b[i]);
	ok(!stats_welch(a, 3, b, 4, 0.95, &e), "Welch on 3 and 4 rounds");
	is_dbl(e.df, 4.999872311594371, 1e-9, "Welch-Satterthwaite df (scipy)");
	is_dbl(e.p, 0.006822199911068043, 1e-9, "Welch p (scipy)");
	is_dbl(e.lo, -0.15484731307840968, 1e-9, "interval low (scipy)");
	is_dbl(e.hi, -0.04114438341409424, 1e-9, "interval high (scipy)");
	ok(stats_welch(a, 1, b, 4, 0.95, &e) < 0,
	   "one round has no spread to estimate: refused");

	ok(!stats_one_sample(d, 3, 0.95, &e), "paired differences");
	is_dbl(e.p, 0.02627100887970469, 1e-9, "one-sample p (scipy)");
	is_dbl(e.lo, 0.015387502995938676, 1e-9, "one-sample interval low");
	is_int(e.n, 3, "three independent units");
	ok(stats_est_p_beyond(&e, 0, 1) < 0.025,
	   "one-sided: the difference is above 0 (%.4f)",
	   stats_est_p_beyond(&e, 0, 1));
	ok(stats_est_p_beyond(&e, 0.1, 1) > 0.5,
	   "but not above 0.1 (%.4f)", stats_est_p_beyond(&e, 0.1, 1));

	ok(!stats_one_sample(c, 3, 0.95, &e), "exact counts");
	ok(e.lo == 2 && e.hi == 2 && e.se == 0, "give an exact point");
}

/*
 * The reason for rounds: simulated benchmarks whose processes differ
 * (between-process sd 5% on log scale) and whose repetitions inside one
 * process differ less (2%). Two runs of identical binaries, 3 rounds of 4
 * repetitions each. An interval on round medians covers the true ratio 1
 * about 95% of the time; one that takes the 12 repetitions as independent
 * does not.
 */
static double gauss(struct rng *r)
{
	double u = (rng_next(r) >> 11) * 0x1p-53, v = (rng_next(r) >> 11) * 0x1p-53;

	return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

static void test_coverage(void)
{
	struct rng r;
	int sims = 4000, hit_rounds = 0, hit_reps = 0;

	rng_seed(&r, 42);
	for (int s = 0; s < sims; s++) {
		double med[2][3], reps[2][12];
		struct stats_est e;

		for (int side = 0; side < 2; side++)
			for (int k = 0; k < 3; k++) {
				double proc = 0.05 * gauss(&r), v[4];

				for (int j = 0; j < 4; j++) {
					v[j] = proc + 0.02 * gauss(&r);
					reps[side][k * 4 + j] = v[j];
				}
				med[side][k] = stats_median(v, 4);
			}
		stats_welch(med[0], 3, med[1], 3, 0.95, &e);
		hit_rounds += e.lo <= 0 && e.hi >= 0;
		stats_welch(reps[0], 12, reps[1], 12, 0.95, &e);
		hit_reps += e.lo <= 0 && e.hi >= 0;
	}
	ok(hit_rounds > 0.93 * sims && hit_rounds < 0.975 * sims,
	   "round medians: the 95%% interval covers in %.1f%% of A/A runs",
	   100.0 * hit_rounds / sims);
	ok(hit_reps < 0.75 * sims,
	   "repetitions taken as independent: only %.1f%%",
	   100.0 * hit_reps / sims);
}

static void test_holm(void)
{
	const double p[] = { 0.01, 0.04, 0.03, 0.005 };
	const double q[] = { 0.011, 0.02, 0.9 };
	int rej[4];

	/* Sorted: 0.005 <= .05/4, 0.01 <= .05/3, 0.03 > .05/2: stop. */
	is_int(stats_holm(p, 4, 0.05, rej), 2, "Holm rejects two of four");
	ok(rej[3] && rej[0] && !rej[2] && !rej[1], "the two smallest");
	/* 0.011 > .05/3 = 0.0167? no: 0.011 <= 0.0167; 0.02 <= 0.025. */
	is_int(stats_holm(q, 3, 0.05, rej), 2, "step-down continues");
	is_int(stats_holm(q, 3, 0.01, rej), 0, "none at a strict level");
}

static void test_trend(void)
{
	const double up[] = { 1, 2, 3, 4, 5, 6 };
	const double x5[] = { 3, 1, 4, 5, 9 };
	const double ties[] = { 1, 2, 2, 3, 4, 4, 4, 5, 6, 7, 8, 8 };
	const double flat[] = { 5, 5, 5, 5 };
	double s;

	is_dbl(stats_mann_kendall(up, 6, &s), 2.0 / 720, 1e-12,
	       "a perfect rise of 6: exact p = 2/6!");
	is_dbl(s, 15, 0, "S = 15");
	is_dbl(stats_mann_kendall(x5, 5, &s), 0.08333333333333333, 1e-12,
	       "exact p by enumeration of 5! orders (python)");
	is_dbl(s, 8, 0, "S = 8");
	is_dbl(stats_mann_kendall(ties, 12, &s), 3.042145654733875e-05, 1e-9,
	       "ties: normal form with tie correction (scipy)");
	is_dbl(stats_mann_kendall(flat, 4, &s), 1, 0, "no trend in a constant");
	is_dbl(stats_sen_slope(up, 6), 1, 0, "Sen's slope of a line");
}

/* Mann-Kendall with the repetitions of a round as one block. */
static void test_trend_blocks(void)
{
	const double up[] = { 1, 2, 3, 4, 5, 6 };
	const int three[] = { 1, 1, 2, 2, 3, 3 }, one[] = { 0, 0, 0, 0, 0, 0 };
	const double mix[] = { 3, 1, 4, 6, 5, 9 };
	const double tied[] = { 2, 1, 3, 5, 4, 4, 8, 6, 7 };
	const int three3[] = { 1, 1, 1, 2, 2, 2, 3, 3, 3 };
	const double x5[] = { 3, 1, 4, 5, 9 };
	const int b5[] = { 7, 7, 7, 7, 7 };
	const double inner[] = { 5, 3, 8, 1, 9, 2, 7, 4, 6, 0 };	/* S = -7 */
	double lvl[30], pm, naive, p;
	int b30[30];

	is_dbl(stats_mk_blocks(up, three, 6, 9999, &pm), 2.0 / 48, 1e-12,
	       "a perfect rise in 3 rounds of 2: p = 2/48, not 2/720");
	is_dbl(pm, 2.0 / 48, 1e-12, "which is the least that layout gives");
	is_dbl(stats_mk_blocks(up, one, 6, 9999, &pm), 2.0 / 720, 1e-12,
	       "one block of 6: the plain exact test");
	is_dbl(stats_mk_blocks(mix, three, 6, 9999, NULL), 8.0 / 48, 1e-12,
	       "exact p by enumeration of the 48 orders (python)");
	is_dbl(stats_mk_blocks(tied, three3, 9, 9999, NULL), 356.0 / 1296,
	       1e-12, "with ties, 3 rounds of 3: 1296 orders (python)");
	is_dbl(stats_mk_blocks(x5, b5, 5, 9999, NULL),
	       stats_mann_kendall(x5, 5, NULL), 1e-12,
	       "one block agrees with stats_mann_kendall");
	/* 3 rounds of 10 at three levels, the repetitions unordered inside:
	 * the rounds happen to rise, time does not. */
	for (int i = 0; i < 30; i++) {
		lvl[i] = 10 * (i / 10) + inner[i % 10];
		b30[i] = i / 10;
	}
	naive = stats_mann_kendall(lvl, 30, NULL);
	p = stats_mk_blocks(lvl, b30, 30, 9999, &pm);
	ok(naive < 1e-6 && p > 0.1,
	   "rounds at three levels: %.2g counting repetitions as independent, "
	   "%.2g with rounds as blocks (random orders)", naive, p);
	is_dbl(pm, 1.0 / 10000, 1e-15, "the least p of 9999 random orders");
	for (int i = 0; i < 30; i++)
		lvl[i] = i;
	is_dbl(stats_mk_blocks(lvl, b30, 30, 9999, NULL), 1.0 / 10000, 1e-15,
	       "a rise inside every round too: no random order is as extreme");
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
	test_t();
	test_welch();
	test_coverage();
	test_holm();
	test_trend();
	test_trend_blocks();
	test_normal();
	return tap_done();
}
