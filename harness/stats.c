/*
 * stats.c - see stats.h.
 *
 * Student's t distribution comes from the regularized incomplete beta
 * function (a continued fraction, Lentz's method), good to about 1e-12 for
 * the degrees of freedom seen here (1 to a few hundred). The exact null
 * distribution of Kendall's S for a trend test is the distribution of
 * inversions of a random permutation, built by convolution: O(n^3), under a
 * millisecond for the 10 to 30 samples of one benchmark.
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

	if (n > 0) {	/* v may be NULL when empty */
		memcpy(c, v, sizeof(*c) * (size_t)n);
		qsort(c, (size_t)n, sizeof(*c), cmp_double);
	}
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


/* ---- Student's t ------------------------------------------------------ */

/* Continued fraction of the incomplete beta function (Lentz's method). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 10000; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

double stats_beta_inc(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		    b * log1p(-x));
	/* The fraction converges fast on the side of the mean. */
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double stats_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(df))
		return 1 - stats_norm_sf(t);
	if (isinf(t))
		return t > 0 ? 1 : 0;
	tail = 0.5 * stats_beta_inc(df / 2, 0.5, df / (df + t * t));
	return t > 0 ? 1 - tail : tail;
}

double stats_t_quantile(double p, double df)
{
	double lo = -1, hi = 1;

	if (!(p > 0 && p < 1) || !(df > 0))
		return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
	if (isinf(df))
		return stats_norm_quantile(p);
	while (stats_t_cdf(lo, df) > p)
		lo *= 2;
	while (stats_t_cdf(hi, df) < p)
		hi *= 2;
	/* Bisection to double precision: the CDF is monotone. */
	for (int i = 0; i < 200 && hi - lo > 1e-13 * (1 + fabs(lo)); i++) {
		double mid = (lo + hi) / 2;

		if (stats_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static void est_finish(struct stats_est *e, double conf)
{
	double q;

	if (e->se == 0) {
		/* No spread at all (exact counts): the estimate is exact. */
		e->df = INFINITY;
		e->lo = e->hi = e->diff;
		e->p = e->diff == 0 ? 1 : 0;
		return;
	}
	q = stats_t_quantile(1 - (1 - conf) / 2, e->df);
	e->lo = e->diff - q * e->se;
	e->hi = e->diff + q * e->se;
	e->p = 2 * stats_t_cdf(-fabs(e->diff) / e->se, e->df);
}

int stats_welch(const double *a, int na, const double *b, int nb,
		double conf, struct stats_est *e)
{
	double va, vb;

	memset(e, 0, sizeof(*e));
	if (na < 2 || nb < 2)
		return -1;
	va = stats_stddev(a, na);
	vb = stats_stddev(b, nb);
	va = va * va / na;
	vb = vb * vb / nb;
	e->diff = stats_mean(a, na) - stats_mean(b, nb);
	e->se = sqrt(va + vb);
	e->n = na < nb ? na : nb;
	/* Welch-Satterthwaite; a sample without spread gives no degrees. */
	if (va + vb > 0)
		e->df = (va + vb) * (va + vb) /
			((va > 0 ? va * va / (na - 1) : 0) +
			 (vb > 0 ? vb * vb / (nb - 1) : 0));
	est_finish(e, conf);
	return 0;
}

int stats_one_sample(const double *d, int n, double conf, struct stats_est *e)
{
	memset(e, 0, sizeof(*e));
	if (n < 2)
		return -1;
	e->diff = stats_mean(d, n);
	e->se = stats_stddev(d, n) / sqrt(n);
	e->df = n - 1;
	e->n = n;
	est_finish(e, conf);
	return 0;
}

double stats_est_p_beyond(const struct stats_est *e, double bound, int above)
{
	double t;

	if (e->se == 0)
		return above ? (e->diff > bound ? 0 : 1)
			     : (e->diff < bound ? 0 : 1);
	t = (e->diff - bound) / e->se;
	return above ? 1 - stats_t_cdf(t, e->df) : stats_t_cdf(t, e->df);
}

/* ---- multiple comparisons ---------------------------------------------- */

struct pidx {
	double p;
	int i;
};

static int cmp_pidx(const void *x, const void *y)
{
	const struct pidx *a = x, *b = y;

	return (a->p > b->p) - (a->p < b->p);
}

int stats_holm(const double *p, int n, double alpha, int *reject)
{
	struct pidx *s;
	int k = 0;

	if (n <= 0)
		return 0;
	s = xmalloc(sizeof(*s) * (size_t)n);
	for (int i = 0; i < n; i++) {
		s[i] = (struct pidx){ isnan(p[i]) ? 1 : p[i], i };
		reject[i] = 0;
	}
	qsort(s, (size_t)n, sizeof(*s), cmp_pidx);
	/* Step down: stop at the first p above alpha / (n - rank). */
	for (; k < n && s[k].p <= alpha / (n - k); k++)
		reject[s[k].i] = 1;
	free(s);
	return k;
}

/* ---- trend ------------------------------------------------------------- */

/*
 * P(S >= s) under the null for n values without ties: S = n(n-1)/2 - 2I,
 * where I is the number of inversions of a random permutation, whose
 * distribution is the product of (1 + q + ... + q^(k-1)) for k = 1..n.
 */
static double kendall_upper(int n, int s)
{
	int top = n * (n - 1) / 2;
	double *c = xcalloc((size_t)top + 1, sizeof(*c)), tot = 0, up = 0;

	c[0] = 1;
	for (int k = 2; k <= n; k++) {
		/* Times (1 + q + ... + q^(k-1)), as a running window sum. */
		double *d = xcalloc((size_t)top + 1, sizeof(*d)), run = 0;

		for (int j = 0; j <= top; j++) {
			run += c[j];
			if (j - k >= 0)
				run -= c[j - k];
			d[j] = run;
		}
		free(c);
		c = d;
	}
	for (int i = 0; i <= top; i++) {
		tot += c[i];
		if (top - 2 * i >= s)
			up += c[i];
	}
	free(c);
	return up / tot;
}

double stats_mann_kendall(const double *x, int n, double *s_out)
{
	double s = 0, var, tie = 0, p;
	double *v;
	int ties = 0;

	if (s_out)
		*s_out = 0;
	if (n < 3)
		return 1;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			s += (x[j] > x[i]) - (x[j] < x[i]);
	if (s_out)
		*s_out = s;
	v = sorted_copy(x, n);
	for (int i = 0; i < n;) {
		int j = i;

		while (j + 1 < n && v[j + 1] == v[i])
			j++;
		if (j > i) {
			double t = j - i + 1;

			ties = 1;
			tie += t * (t - 1) * (2 * t + 5);
		}
		i = j + 1;
	}
	free(v);
	if (!ties && n <= 40) {
		p = 2 * kendall_upper(n, (int)fabs(s));
	} else {
		var = (n * (n - 1.0) * (2 * n + 5) - tie) / 18;
		if (var <= 0)
			return 1;
		/* Continuity correction, as in the usual normal form. */
		p = 2 * stats_norm_sf((fabs(s) - 1) / sqrt(var));
	}
	return p > 1 ? 1 : p;
}

static int sgn(double a, double b)
{
	return (b > a) - (b < a);
}

/* S of the values v[idx[0..m)] in that order. */
static long mk_s(const double *v, const int *idx, int m)
{
	long s = 0;

	for (int i = 0; i < m; i++)
		for (int j = i + 1; j < m; j++)
			s += sgn(v[idx[i]], v[idx[j]]);
	return s;
}

/* next_perm: the next permutation of a[0..m) in lexical order; 0 after the last. */
static int next_perm(int *a, int m)
{
	int i = m - 2, j = m - 1, t;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return 0;
	while (a[j] <= a[i])
		j--;
	t = a[i], a[i] = a[j], a[j] = t;
	for (int l = i + 1, r = m - 1; l < r; l++, r--)
		t = a[l], a[l] = a[r], a[r] = t;
	return 1;
}

/* dist (over -M..M, index s + M) convolved with the S of every order of idx[0..m). */
static void mk_convolve(double *dist, int M, const double *v, const int *idx,
			int m)
{
	int *perm = xmalloc(sizeof(int) * (size_t)(m ? m : 1));
	int half = m * (m - 1) / 2;
	double *own = xcalloc((size_t)(2 * half + 1), sizeof(double));
	double *out = xcalloc((size_t)(2 * M + 1), sizeof(double));
	int *ord = xmalloc(sizeof(int) * (size_t)(m ? m : 1));

	for (int i = 0; i < m; i++)
		perm[i] = i;
	do {
		for (int i = 0; i < m; i++)
			ord[i] = idx[perm[i]];
		own[mk_s(v, ord, m) + half] += 1;
	} while (next_perm(perm, m));
	for (int a = 0; a <= 2 * M; a++) {
		if (!dist[a])
			continue;
		for (int b = 0; b <= 2 * half; b++)
			if (own[b] && a + b - half >= 0 && a + b - half <= 2 * M)
				out[a + b - half] += dist[a] * own[b];
	}
	memcpy(dist, out, sizeof(double) * (size_t)(2 * M + 1));
	free(out);
	free(own);
	free(perm);
	free(ord);
}

/*
 * Pairs i < j of a[0..m) with a[i] > a[j] (strictly), by merge sort: a is
 * sorted on return, tmp holds m values.
 */
static long inversions(double *a, double *tmp, int m)
{
	long inv;
	int h = m / 2, i, j, k;

	if (m < 2)
		return 0;
	inv = inversions(a, tmp, h) + inversions(a + h, tmp, m - h);
	for (i = 0, j = h, k = 0; i < h && j < m;) {
		if (a[j] < a[i]) {
			inv += h - i;
			tmp[k++] = a[j++];
		} else {
			tmp[k++] = a[i++];
		}
	}
	while (i < h)
		tmp[k++] = a[i++];
	while (j < m)
		tmp[k++] = a[j++];
	memcpy(a, tmp, sizeof(double) * (size_t)m);
	return inv;
}

double stats_mk_blocks(const double *x, const int *blk, int n, int draws,
		       double *pmin)
{
	int nb = 0, big = 0;
	int *start, *len, *idx;
	long s_obs, *c;
	double p;

	if (pmin)
		*pmin = 1;
	if (n < 3)
		return 1;
	start = xmalloc(sizeof(int) * (size_t)n);
	len = xmalloc(sizeof(int) * (size_t)n);
	idx = xmalloc(sizeof(int) * (size_t)n);
	for (int i = 0; i < n; i++) {
		idx[i] = i;
		if (i == 0 || blk[i] != blk[i - 1]) {
			start[nb] = i;
			len[nb++] = 0;
		}
		len[nb - 1]++;
		big |= len[nb - 1] > 8;
	}
	s_obs = labs(mk_s(x, idx, n));
	/* c[a * nb + b]: S between block a placed before block b. */
	c = xcalloc((size_t)nb * (size_t)nb, sizeof(long));
	for (int a = 0; a < nb; a++)
		for (int b = 0; b < nb; b++)
			for (int i = 0; a != b && i < len[a]; i++)
				for (int j = 0; j < len[b]; j++)
					c[a * nb + b] += sgn(x[start[a] + i], x[start[b] + j]);
	if (nb <= 8 && !big) {
		int M = n * (n - 1) / 2;	/* n <= 64 here */
		double *dist = xcalloc((size_t)(2 * M + 1), sizeof(double));
		double total = 0, tail = 0, edge = 0;
		int *perm = xmalloc(sizeof(int) * (size_t)nb), top = 0;

		for (int a = 0; a < nb; a++)
			perm[a] = a;
		do {
			long s = 0;

			for (int i = 0; i < nb; i++)
				for (int j = i + 1; j < nb; j++)
					s += c[perm[i] * nb + perm[j]];
			dist[s + M] += 1;
		} while (next_perm(perm, nb));
		for (int a = 0; a < nb; a++)
			mk_convolve(dist, M, x, idx + start[a], len[a]);
		for (int s = -M; s <= M; s++) {
			total += dist[s + M];
			if (labs(s) >= s_obs)
				tail += dist[s + M];
			if (dist[s + M] && abs(s) > top)
				top = abs(s);
		}
		edge = dist[top + M] + (top ? dist[M - top] : 0);
		p = tail / total;
		if (pmin)
			*pmin = edge / total;
		free(perm);
		free(dist);
	} else {
		struct rng r;
		int *order = xmalloc(sizeof(int) * (size_t)nb);
		double *w = xmalloc(sizeof(double) * (size_t)n);
		double *tmp = xmalloc(sizeof(double) * (size_t)n);
		long *fixed = xcalloc((size_t)nb, sizeof(long));
		long hits = 0;

		/*
		 * Inside a block, S = pairs - tied pairs - 2 inversions, and
		 * the tied pairs do not depend on the order: a draw costs
		 * n log n. Draws are fewer for a very long series (a file from
		 * elsewhere), never under 99.
		 */
		for (int a = 0; a < nb; a++) {
			double *v = w + start[a];
			long t = 0;

			memcpy(v, x + start[a], sizeof(double) * (size_t)len[a]);
			inversions(v, tmp, len[a]);
			for (int i = 0, j; i < len[a]; i = j) {
				for (j = i; j < len[a] && v[j] == v[i]; j++)
					;
				t += (long)(j - i) * (j - i - 1) / 2;
			}
			fixed[a] = (long)len[a] * (len[a] - 1) / 2 - t;
		}
		if ((double)draws * n > 1e7)
			draws = (int)(1e7 / n) > 99 ? (int)(1e7 / n) : 99;
		rng_seed(&r, 0x6d6b626c6f636b73ull);
		for (int d = 0; d < draws; d++) {
			long s = 0;
			int k = 0;

			for (int a = 0; a < nb; a++)
				order[a] = a;
			for (int a = nb - 1; a > 0; a--) {
				int j = (int)rng_below(&r, (uint64_t)a + 1), t = order[a];

				order[a] = order[j], order[j] = t;
			}
			for (int i = 0; i < nb; i++)
				for (int j = i + 1; j < nb; j++)
					s += c[order[i] * nb + order[j]];
			for (int a = 0; a < nb; a++) {
				double *q = w + k;

				memcpy(q, x + start[a], sizeof(double) * (size_t)len[a]);
				for (int i = len[a] - 1; i > 0; i--) {
					int j = (int)rng_below(&r, (uint64_t)i + 1);
					double t = q[i];

					q[i] = q[j], q[j] = t;
				}
				s += fixed[a] - 2 * inversions(q, tmp, len[a]);
				k += len[a];
			}
			hits += labs(s) >= s_obs;
		}
		p = (1.0 + (double)hits) / (1.0 + draws);
		if (pmin)
			*pmin = 1.0 / (1.0 + draws);
		free(order);
		free(w);
		free(tmp);
		free(fixed);
	}
	free(c);
	free(start);
	free(len);
	free(idx);
	return p > 1 ? 1 : p;
}

double stats_sen_slope(const double *x, int n)
{
	int m = 0;
	double *d, r;

	if (n < 2)
		return 0;
	d = xmalloc(sizeof(*d) * (size_t)(n * (n - 1) / 2));
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			d[m++] = (x[j] - x[i]) / (j - i);
	r = stats_median(d, m);
	free(d);
	return r;
}
