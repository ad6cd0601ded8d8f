/*
 * stats.h - the statistics behind every comparison the suite prints.
 *
 * The figure to quote is the median of the repetitions, its spread the
 * median absolute deviation or the coefficient of variation. Two samples
 * are compared with the Mann-Whitney U test, as Google Benchmark's
 * compare.py does (through scipy: exact for small samples without ties,
 * normal approximation with tie and continuity corrections otherwise), and
 * their ratio is the Hodges-Lehmann estimate with a confidence interval
 * from the same U distribution.
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
 * Two-sided Mann-Whitney U test. *u gets U of the first sample
 * (the number of pairs with a > b, ties counting half). Returns the
 * p-value; 1 when either sample is empty.
 */
double stats_mannwhitney(const double *a, int na, const double *b, int nb,
			 double *u);

/* P(U <= k) for samples of sizes n1, n2 with no ties (exact). */
double stats_u_cdf(int k, int n1, int n2);

struct stats_ratio {
	double ratio;		/* Hodges-Lehmann estimate of a / b */
	double lo, hi;		/* confidence interval of the ratio */
	double level;		/* confidence actually reached (discrete) */
	double p;		/* two-sided Mann-Whitney p-value */
};

/*
 * Ratio a/b of two positive samples: the median of all pairwise ratios
 * (Hodges-Lehmann on log values) and a confidence interval at level
 * conf (0.95) from the exact U distribution. Returns -1 if a value is not
 * positive or a sample is empty.
 */
int stats_ratio(const double *a, int na, const double *b, int nb,
		double conf, struct stats_ratio *out);

/*
 * Geometric mean of k ratios, each between samples a[i] and b[i], with a
 * seeded percentile bootstrap interval (resampling repetitions within each
 * sample).
 */
int stats_geomean_ratio(const double *const *a, const int *na,
			const double *const *b, const int *nb, int k,
			double conf, int resamples, uint64_t seed,
			double *gm, double *lo, double *hi);

/* Inverse of the standard normal CDF (for z quantiles). */
double stats_norm_quantile(double p);
/* Upper tail of the standard normal, P(Z > z). */
double stats_norm_sf(double z);

#ifdef __cplusplus
}
#endif

#endif
