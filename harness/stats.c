/*
 * stats.c - see stats.h.
 *
 * The exact null distribution of U comes from its generating function, the
 * Gaussian binomial coefficient [n1+n2 choose n1]_q, built one factor at a
 * time: O(n1 * n1 * n2) operations, a few milliseconds for 100 x 100.
 */
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, int n)
{
	double *c = xmalloc(sizeof(*c) * (size_t)(n > 0 ? n : 1));

	memcpy(c, v, sizeof(*c) * (size_t)(n > 0 ? n : 0));
	qsort(c, (size_t)(n > 0 ? n : 0), sizeof(*c), cmp_double);
	return c;
}

static double median_sorted(const double *s, int n)
{
	if (n <= 0)
		return NAN;
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

double stats_median(const double *v, int n)
{
	double *s = sorted_copy(v, n), m = median_sorted(s, n);

	free(s);
	return m;
}

double stats_mean(const double *v, int n)
{
	double sum = 0;

	if (n <= 0)
		return NAN;
	for (int i = 0; i < n; i++)
		sum += v[i];
	return sum / n;
}

double stats_stddev(const double *v, int n)
{
	double m = stats_mean(v, n), ss = 0;

	if (n < 2)
		return 0;
	for (int i = 0; i < n; i++)
		ss += (v[i] - m) * (v[i] - m);
	return sqrt(ss / (n - 1));
}

double stats_cv(const double *v, int n)
{
	double m = stats_mean(v, n);

	return m ? stats_stddev(v, n) / m : NAN;
}

double stats_mad(const double *v, int n)
{
	double m = stats_median(v, n), *d, r;

	if (n <= 0)
		return NAN;
	d = xmalloc(sizeof(*d) * (size_t)n);
	for (int i = 0; i < n; i++)
		d[i] = fabs(v[i] - m);
	r = stats_median(d, n);
	free(d);
	return r;
}

double stats_min(const double *v, int n)
{
	double m = n > 0 ? v[0] : NAN;

	for (int i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

double stats_max(const double *v, int n)
{
	double m = n > 0 ? v[0] : NAN;

	for (int i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

double stats_norm_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

/* Acklam's rational approximation, relative error below 1.2e-9. */
double stats_norm_quantile(double p)
{
	static const double a[] = {
		-3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
		-3.066479806614716e+01, 2.506628277459239e+00,
	};
	static const double b[] = {
		-5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
		-1.328068155288572e+01,
	};
	static const double c[] = {
		-7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
		4.374664141464968e+00, 2.938163982698783e+00,
	};
	static const double d[] = {
		7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00,
	};
	double q, r;

	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q +
			 c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	if (p > 1 - 0.02425)
		return -stats_norm_quantile(1 - p);
	q = p - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r +
		a[5]) * q /
	       (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r +
		1);
}

/*
 * Probabilities of U = 0..n1*n2 under the null hypothesis: coefficients
 * of [n1+n2 choose n1]_q = prod_{i=1..n1} (1 - q^(n2+i)) / (1 - q^i),
 * divided by their sum C(n1+n2, n1).
 */
static double *u_pmf(int n1, int n2)
{
	int top = n1 * n2;
	double *p = xcalloc((size_t)top + 1, sizeof(*p)), sum = 0;

	p[0] = 1;
	for (int i = 1; i <= n1; i++) {
		int up = n2 + i;

		for (int k = top; k >= up; k--)	/* times (1 - q^(n2+i)) */
			p[k] -= p[k - up];
		for (int k = i; k <= top; k++)	/* over (1 - q^i) */
			p[k] += p[k - i];
	}
	for (int k = 0; k <= top; k++)
		sum += p[k];
	for (int k = 0; k <= top; k++)
		p[k] /= sum;
	return p;
}

double stats_u_cdf(int k, int n1, int n2)
{
	double *p, c = 0;

	if (k < 0)
		return 0;
	if (k >= n1 * n2)
		return 1;
	p = u_pmf(n1, n2);
	for (int i = 0; i <= k; i++)
		c += p[i];
	free(p);
	return c > 1 ? 1 : c;
}

struct ranked {
	double v;
	int from_a;
};

static int cmp_ranked(const void *x, const void *y)
{
	return cmp_double(&((const struct ranked *)x)->v,
			  &((const struct ranked *)y)->v);
}

double stats_mannwhitney(const double *a, int na, const double *b, int nb,
			 double *u)
{
	int n = na + nb, ties = 0;
	struct ranked *r;
	double r1 = 0, tie_term = 0, u1, u2, big, p;

	if (u)
		*u = NAN;
	if (na <= 0 || nb <= 0)
		return 1;
	r = xmalloc(sizeof(*r) * (size_t)n);
	for (int i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 1 };
	for (int i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 0 };
	qsort(r, (size_t)n, sizeof(*r), cmp_ranked);
	for (int i = 0; i < n;) {
		int j = i;
		double rank;

		while (j + 1 < n && r[j + 1].v == r[i].v)
			j++;
		rank = (i + j) / 2.0 + 1;	/* average of ranks i+1..j+1 */
		for (int k = i; k <= j; k++)
			if (r[k].from_a)
				r1 += rank;
		if (j > i) {
			double t = j - i + 1;

			ties = 1;
			tie_term += t * t * t - t;
		}
		i = j + 1;
	}
	free(r);
	u1 = r1 - na * (na + 1) / 2.0;
	u2 = (double)na * nb - u1;
	big = u1 > u2 ? u1 : u2;
	if (u)
		*u = u1;
	if ((na <= 8 || nb <= 8) && !ties) {
		/* P(U >= big) = 1 - P(U <= big - 1), doubled. */
		p = 2 * (1 - stats_u_cdf((int)big - 1, na, nb));
	} else {
		double mu = na * (double)nb / 2;
		double s = sqrt(na * (double)nb / 12 *
				((n + 1) - tie_term / ((double)n * (n - 1))));

		if (s <= 0)
			return 1;	/* every value identical */
		p = 2 * stats_norm_sf((big - mu - 0.5) / s);
	}
	return p > 1 ? 1 : (p < 0 ? 0 : p);
}

int stats_ratio(const double *a, int na, const double *b, int nb,
		double conf, struct stats_ratio *out)
{
	long npairs = (long)na * nb, c = 1;
	double *d, alpha = 1 - conf;

	if (na <= 0 || nb <= 0)
		return -1;
	for (int i = 0; i < na; i++)
		if (!(a[i] > 0))
			return -1;
	for (int j = 0; j < nb; j++)
		if (!(b[j] > 0))
			return -1;
	d = xmalloc(sizeof(*d) * (size_t)npairs);
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			d[(long)i * nb + j] = log(a[i]) - log(b[j]);
	qsort(d, (size_t)npairs, sizeof(*d), cmp_double);

	/*
	 * The interval is [d(c), d(N+1-c)] for the largest c with
	 * P(U <= c-1) <= alpha/2; with too few repetitions even c = 1
	 * cannot reach the level, and the level reached is reported.
	 */
	if (npairs <= 250000) {
		double *p = u_pmf(na, nb), cdf = 0;

		for (long k = 0; k < npairs / 2; k++) {
			cdf += p[k];
			if (cdf > alpha / 2)
				break;
			c = k + 1;	/* P(U <= c-1) <= alpha/2 */
		}
		cdf = 0;
		for (long k = 0; k <= c - 1; k++)
			cdf += p[k];
		/* Coverage of [d(c), d(N+1-c)]: exact, and below conf when
		 * even c = 1 is too wide a tail (few repetitions). */
		out->level = 1 - 2 * cdf;
		free(p);
	} else {
		double z = stats_norm_quantile(1 - alpha / 2);

		c = (long)floor(npairs / 2.0 -
				z * sqrt((double)na * nb * (na + nb + 1) / 12));
		if (c < 1)
			c = 1;
		out->level = conf;
	}
	if (c > (npairs + 1) / 2)
		c = (npairs + 1) / 2;
	out->ratio = exp(median_sorted(d, (int)npairs));
	out->lo = exp(d[c - 1]);
	out->hi = exp(d[npairs - c]);
	out->p = stats_mannwhitney(a, na, b, nb, NULL);
	free(d);
	return 0;
}

int stats_geomean_ratio(const double *const *a, const int *na,
			const double *const *b, const int *nb, int k,
			double conf, int resamples, uint64_t seed,
			double *gm, double *lo, double *hi)
{
	struct rng r;
	double *boot, *tmp, sum = 0;
	int maxn = 1;

	if (k <= 0 || resamples <= 0)
		return -1;
	for (int i = 0; i < k; i++) {
		double ma = stats_median(a[i], na[i]);
		double mb = stats_median(b[i], nb[i]);

		if (na[i] <= 0 || nb[i] <= 0 || !(ma > 0) || !(mb > 0))
			return -1;
		sum += log(ma / mb);
		maxn = na[i] > maxn ? na[i] : maxn;
		maxn = nb[i] > maxn ? nb[i] : maxn;
	}
	*gm = exp(sum / k);

	rng_seed(&r, seed);
	boot = xmalloc(sizeof(*boot) * (size_t)resamples);
	tmp = xmalloc(sizeof(*tmp) * (size_t)maxn);
	for (int s = 0; s < resamples; s++) {
		double ls = 0;

		for (int i = 0; i < k; i++) {
			double ma, mb;

			for (int j = 0; j < na[i]; j++)
				tmp[j] = a[i][rng_below(&r, (uint64_t)na[i])];
			ma = stats_median(tmp, na[i]);
			for (int j = 0; j < nb[i]; j++)
				tmp[j] = b[i][rng_below(&r, (uint64_t)nb[i])];
			mb = stats_median(tmp, nb[i]);
			ls += log(ma / mb);
		}
		boot[s] = ls / k;
	}
	qsort(boot, (size_t)resamples, sizeof(*boot), cmp_double);
	{
		double alpha = 1 - conf;
		int il = (int)floor(alpha / 2 * (resamples - 1));
		int ih = (int)ceil((1 - alpha / 2) * (resamples - 1));

		*lo = exp(boot[il]);
		*hi = exp(boot[ih]);
	}
	free(boot);
	free(tmp);
	return 0;
}
