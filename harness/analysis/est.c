/*
 * est.c - one benchmark against another: the ratio of their round
 * summaries with an interval, and the verdict of an interval against a
 * claim's bounds.
 */
#include "analysis.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Claimed factors are often exact ("16x fewer syscalls") and a ratio of
 * two exact counts can come back as 15.999999999999998: compare with a
 * relative tolerance far below any measurable difference.
 */
#define RATIO_EPS 1e-9

const char *verdict_bounds(double lo, double hi, double min, double max)
{
	min *= 1 - RATIO_EPS;
	max *= 1 + RATIO_EPS;
	if (lo >= min && hi <= max)
		return "holds";
	if (hi < min || lo > max)
		return "does not hold";
	return "inconclusive";
}

static int same_rounds(const int *a, int na, const int *b, int nb)
{
	if (na != nb)
		return 0;
	for (int i = 0; i < na; i++)
		if (a[i] != b[i] || a[i] == 0)
			return 0;
	return 1;
}

static int all_positive(const double *v, int n)
{
	for (int i = 0; i < n; i++)
		if (!(v[i] > 0))
			return 0;
	return 1;
}

void compare_benches(struct run *rb, const struct bench *base,
		     struct run *rc, const struct bench *cand,
		     const char *metric, int allow_pair, double conf,
		     struct cmp *c)
{
	const char *mb = bench_metric(base, metric);
	const char *mc = bench_metric(cand, metric);
	double *a = NULL, *b = NULL, *va, *vb;
	int *ia = NULL, *ib = NULL, nva, nvb;
	int hib = higher_is_better(mb);

	memset(c, 0, sizeof(*c));
	c->base_med = c->cand_med = c->ratio = c->lo = c->hi = c->p = NAN;
	if (strcmp(base->status, "ok") || strcmp(cand->status, "ok")) {
		const struct bench *bad = strcmp(base->status, "ok") ? base
								     : cand;

		c->not_testable = 1;
		snprintf(c->why, sizeof(c->why), "%s %s: %s", bad->name,
			 bad->status, bad->reason ? bad->reason : "");
		return;
	}
	c->unstable = base->unstable ? base->unstable : cand->unstable;
	nva = bench_values(base, mb, &va);
	nvb = bench_values(cand, mc, &vb);
	if (nva)
		c->base_med = stats_median(va, nva);
	if (nvb)
		c->cand_med = stats_median(vb, nvb);
	free(va);
	free(vb);
	if (!nva || !nvb) {
		c->not_testable = 1;
		metric_missing(!nva ? rb : rc, !nva ? base : cand,
			       !nva ? mb : mc, c->why, sizeof(c->why));
		return;
	}
	c->na = bench_rounds(base, mb, &a, &ia);
	c->nb = bench_rounds(cand, mc, &b, &ib);
	if (!all_positive(a, c->na) || !all_positive(b, c->nb)) {
		snprintf(c->why, sizeof(c->why),
			 "%s is not positive in every round: no ratio", mb);
		goto out;
	}
	for (int i = 0; i < c->na; i++)
		a[i] = log(a[i]);
	for (int i = 0; i < c->nb; i++)
		b[i] = log(b[i]);
	/* Orientation: log(ratio) above 0 means the candidate is better. */
	c->paired = allow_pair && same_rounds(ia, c->na, ib, c->nb);
	if (c->paired) {
		double *d = xmalloc(sizeof(*d) * (size_t)c->na);

		for (int i = 0; i < c->na; i++)
			d[i] = hib ? b[i] - a[i] : a[i] - b[i];
		if (stats_one_sample(d, c->na, conf, &c->est))
			c->paired = -1;
		free(d);
	} else if (hib ? stats_welch(b, c->nb, a, c->na, conf, &c->est)
		       : stats_welch(a, c->na, b, c->nb, conf, &c->est)) {
		c->paired = -1;
	}
	if (c->paired < 0) {
		c->paired = 0;
		snprintf(c->why, sizeof(c->why),
			 "%d and %d rounds: one process gives no interval "
			 "(its repetitions are not independent samples)",
			 c->na, c->nb);
		/* The figure is still worth showing. */
		c->ratio = hib ? c->cand_med / c->base_med
			       : c->base_med / c->cand_med;
		goto out;
	}
	c->ok = 1;
	c->ratio = exp(c->est.diff);
	c->lo = exp(c->est.lo);
	c->hi = exp(c->est.hi);
	c->p = c->est.p;
out:
	free(a);
	free(b);
	free(ia);
	free(ib);
}

double cmp_p_beyond(const struct cmp *c, double bound, int above)
{
	if (!c->ok || !(bound > 0))
		return 1;
	return stats_est_p_beyond(&c->est, log(bound), above);
}

int geomean_est(const struct bench *const *base, const struct bench *const *cand,
		int k, const char *metric, double conf, struct stats_est *e,
		char *why, size_t len)
{
	double **a = xcalloc((size_t)k, sizeof(*a));
	double **b = xcalloc((size_t)k, sizeof(*b));
	int *na = xcalloc((size_t)k, sizeof(int)), *nb = xcalloc((size_t)k, sizeof(int));
	int **ia = xcalloc((size_t)k, sizeof(*ia)), **ib = xcalloc((size_t)k, sizeof(*ib));
	double *g = NULL;
	int rc = -1, r = 0;

	if (k <= 0) {
		snprintf(why, len, "no benchmark to combine");
		goto out;
	}
	for (int i = 0; i < k; i++) {
		na[i] = bench_rounds(base[i], metric, &a[i], &ia[i]);
		nb[i] = bench_rounds(cand[i], metric, &b[i], &ib[i]);
		if (!same_rounds(ia[i], na[i], ib[i], nb[i]) ||
		    !same_rounds(ia[i], na[i], ia[0], na[0])) {
			snprintf(why, len, "%s: its rounds do not line up "
				 "with the others': no paired interval",
				 cand[i]->name);
			goto out;
		}
		if (!all_positive(a[i], na[i]) || !all_positive(b[i], nb[i])) {
			snprintf(why, len, "%s: a round median is not positive",
				 cand[i]->name);
			goto out;
		}
	}
	r = na[0];
	/*
	 * Per round, the mean log ratio over the benchmarks: rounds are the
	 * independent units, and the benchmarks of one round share its
	 * processes, so they are averaged inside the round first.
	 */
	g = xcalloc((size_t)r, sizeof(*g));
	for (int j = 0; j < r; j++) {
		for (int i = 0; i < k; i++) {
			double d = log(a[i][j]) - log(b[i][j]);

			g[j] += (higher_is_better(bench_metric(base[i], metric))
				 ? -d : d) / k;
		}
	}
	if (stats_one_sample(g, r, conf, e)) {
		snprintf(why, len, "%d round%s: one process gives no interval",
			 r, r == 1 ? "" : "s");
		goto out;
	}
	rc = 0;
out:
	for (int i = 0; i < k; i++) {
		free(a[i]);
		free(b[i]);
		free(ia[i]);
		free(ib[i]);
	}
	free(a);
	free(b);
	free(ia);
	free(ib);
	free(na);
	free(nb);
	free(g);
	return rc;
}
