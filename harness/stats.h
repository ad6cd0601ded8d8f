/*
 * stats.h - the statistics behind every comparison the suite prints.
 *
 * The figure to quote is the median of the repetitions, its spread the
 * median absolute deviation or the coefficient of variation. Comparisons
 * work on independent units only: a benchmark's samples are summarised
 * per round (one process), and rounds are compared with Student's t on
 * log values (Welch's form between runs, paired by round within a run),
 * which stays honest with the three to five rounds a run takes; see
 * docs/claims.md for the sampling model.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

double stats_median(const double *v, int n);
double stats_mean(const double *v, int n);
double stats_stddev(const double *v, int n);	/* sample (n - 1) */
double stats_cv(const double *v, int n);	/* stddev / mean */
double stats_mad(const double *v, int n);	/* unscaled */
double stats_min(const double *v, int n);
double stats_max(const double *v, int n);

/*
 * An estimate with its uncertainty, from independent units (rounds: one
 * process each; never the repetitions inside one process, which share
 * that process's memory layout, frequency and neighbours). On log values
 * diff is a log ratio; exp(lo), exp(hi) bound the ratio.
 */
struct stats_est {
	double diff;		/* mean difference (or mean, one sample) */
	double se;		/* its standard error */
	double df;		/* degrees of freedom; INFINITY if se = 0 */
	double lo, hi;		/* two-sided interval at the level asked */
	double p;		/* two-sided p-value of diff = 0 */
	int n;			/* independent units (the smaller side) */
};

/*
 * Welch's t on two independent samples (unequal variances, the
 * Welch-Satterthwaite degrees of freedom). Each side needs 2 values; -1
 * otherwise. Samples without any spread (exact counts) give an exact
 * point: se 0, lo = hi = diff.
 */
int stats_welch(const double *a, int na, const double *b, int nb,
		double conf, struct stats_est *out);
/* One-sample t on n values (paired differences); n >= 2. */
int stats_one_sample(const double *d, int n, double conf,
		     struct stats_est *out);
/* One-sided p-value that the true diff lies above (above = 1) or below
 * a bound: small when the data say so. */
double stats_est_p_beyond(const struct stats_est *e, double bound, int above);

/* Student's t: CDF and quantile; df may be INFINITY (the normal). */
double stats_t_cdf(double t, double df);
double stats_t_quantile(double p, double df);
/* Regularized incomplete beta function I_x(a, b). */
double stats_beta_inc(double a, double b, double x);

/*
 * Holm's step-down correction: reject[i] = 1 for the hypotheses rejected
 * at family-wise level alpha. Returns how many.
 */
int stats_holm(const double *p, int n, double alpha, int *reject);

/*
 * Mann-Kendall trend test of x in time order: two-sided p-value (exact
 * without ties up to n = 40, normal approximation otherwise) and S, the
 * number of rising pairs less the falling ones. Sen's slope is the median
 * of the pairwise slopes, per step.
 */
double stats_mann_kendall(const double *x, int n, double *s);
double stats_sen_slope(const double *x, int n);

/*
 * Mann-Kendall's S for x in time order when the values come in blocks
 * (blk[i], each block contiguous: the repetitions of one process): the
 * two-sided p-value under the null that the blocks' order and the order
 * inside each block are exchangeable. Repetitions share their process's
 * level, so they are not independent samples of time: with 3 rounds of 2
 * a perfect order has a chance of 2/48, not the 2/720 of six independent
 * values. Exact (by convolution of the order of the blocks and the order
 * inside each) when there are at most 8 blocks of at most 8 values, else
 * from `draws` random arrangements (a fixed seed; fewer, never under 99,
 * when draws times n passes 1e7). *pmin: the smallest p-value the layout
 * (or the draws) can give.
 */
double stats_mk_blocks(const double *x, const int *blk, int n, int draws,
		       double *pmin);

/* Inverse of the standard normal CDF (for z quantiles). */
double stats_norm_quantile(double p);
/* Upper tail of the standard normal, P(Z > z). */
double stats_norm_sf(double z);

#ifdef __cplusplus
}
#endif

#endif
