/*
 * series.c - the numbers the plots draw: one point per benchmark matching
 * a regex (median of its repetitions, spread, the interval from its
 * rounds), and the knees of a latency curve. Plot scripts reshape this
 * JSON into gnuplot's data files; they compute nothing themselves.
 *
 *   benchstat series RUN.json --match REGEX [--metric M] [--flavor F]
 *   benchstat series RUN.json --match REGEX --metric all
 *       (every metric of each benchmark under "metrics": what
 *        scripts/lib/bench.jq's series() reads for the plots)
 *   benchstat knees RUN.json --match REGEX [--metric M] [--flavor F]
 *
 * Knees (the method survives noise and the one-point-per-octave sweep):
 *  - step i is ln(v[i+1] / v[i]), the rise in log latency between two
 *    consecutive sizes;
 *  - a knee is a step of at least ln 1.3 (a 30% rise) that is also the
 *    largest among its neighbours, so a transition smeared over two
 *    intervals (as a cache with LRU-like replacement gives) counts once,
 *    at its steepest; a knee between a and b means a cache ran out
 *    between a (still fast) and b (slower);
 *  - the memory plateau starts at the smallest size from which every
 *    larger size takes at least half the latency at the top of the curve
 *    (the median of the three largest sizes, robust to one outlier):
 *    leaving a cache for memory multiplies latency several times, while
 *    beyond the last cache it only creeps up (TLB reach, page walks).
 */
#define _GNU_SOURCE
#include "analysis.h"
#include "util.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define KNEE_MIN_STEP 1.3
#define PLATEAU_SHARE 0.5

struct point {
	struct bench *b;
	double param, median;
};

static int cmp_point(const void *x, const void *y)
{
	const struct point *a = x, *b = y;
	int c = (a->param > b->param) - (a->param < b->param);

	return c ? c : strcmp(a->b->name, b->b->name);
}

/* Benchmarks that ran, match, are in the flavor (if one is given). */
static struct point *select_points(struct run *r, const char *re_text,
				   const char *flavor, const char *metric,
				   int *n)
{
	struct point *p = NULL;
	regex_t re;

	*n = 0;
	if (regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB)) {
		fprintf(stderr, "error: bad regex '%s'\n", re_text);
		*n = -1;
		return NULL;
	}
	for (int i = 0; i < r->n; i++) {
		struct bench *b = &r->b[i];
		double *v;
		int k;

		if (strcmp(b->status, "ok") || (flavor && strcmp(b->flavor, flavor)) ||
		    (regexec(&re, b->name, 0, NULL, 0) &&
		     regexec(&re, b->base, 0, NULL, 0)))
			continue;
		k = bench_values(b, metric, &v);
		if (k) {
			p = realloc(p, sizeof(*p) * (size_t)(*n + 1));
			p[*n] = (struct point){ b, b->has_param ? b->param : NAN,
						stats_median(v, k) };
			(*n)++;
		}
		free(v);
	}
	regfree(&re);
	if (*n)	/* p is NULL when nothing matched */
		qsort(p, (size_t)*n, sizeof(*p), cmp_point);
	return p;
}

static json_t *point_json(const struct point *pt, const char *metric)
{
	const struct bench *b = pt->b;
	const char *m = bench_metric(b, metric);
	double *v, *rm, mid;
	int *ids, k = bench_values(b, m, &v), nr = bench_rounds(b, m, &rm, &ids);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:f,s:f,s:f,s:i,s:i}",
		"name", b->name, "base_name", b->base, "suite", b->suite,
		"flavor", b->flavor, "median", pt->median,
		"min", stats_min(v, k), "max", stats_max(v, k), "n", k,
		"rounds", nr);
	struct stats_est e;
	int logs = 1;

	json_object_set_new(o, "metric", json_string(m));
	if (b->has_param)
		json_object_set_new(o, "param", json_real(b->param));
	/* The structure the shim wrote, so that no plot parses names. */
	if (b->n) {
		static const char *const keys[] = { "family", "case", NULL };
		json_t *pr = json_object_get(b->e[0], "param");

		for (int i = 0; keys[i]; i++)
			if (json_is_string(json_object_get(b->e[0], keys[i])))
				json_object_set(o, keys[i],
					json_object_get(b->e[0], keys[i]));
		if (b->has_param && json_is_string(json_object_get(pr, "name")))
			json_object_set(o, "param_name",
					json_object_get(pr, "name"));
	}
	for (int i = 0; i < nr; i++)
		logs &= rm[i] > 0;
	for (int i = 0; logs && i < nr; i++)
		rm[i] = log(rm[i]);
	if (logs && !stats_one_sample(rm, nr, 1 - opt.alpha, &e)) {
		mid = exp(e.diff);
		json_object_set_new(o, "round_mean", json_real(mid));
		json_object_set_new(o, "ci_low", json_real(exp(e.lo)));
		json_object_set_new(o, "ci_high", json_real(exp(e.hi)));
	}
	if (b->unstable)
		json_object_set_new(o, "unstable", json_string(b->unstable));
	free(v);
	free(rm);
	free(ids);
	return o;
}

static int load_points(int argc, char **argv, const char *cmd, struct run *r,
		       struct point **p, int *n)
{
	if (argc != 1 || !opt.match) {
		fprintf(stderr, "usage: benchstat %s RUN.json --match REGEX "
			"[--metric M] [--flavor F]\n", cmd);
		return 2;
	}
	if (run_load(r, argv[0]))
		return 2;
	*p = select_points(r, opt.match, opt.flavor, opt.metric, n);
	if (*n < 0) {
		run_free(r);
		return 2;
	}
	return 0;
}

/* Entry fields that describe the entry rather than measure it. */
static int is_structure(const char *k)
{
	static const char *const s[] = { "family_index",
		"per_family_instance_index", "repetitions", "repetition_index",
		"threads", "iterations", "round", "rounds", NULL };

	for (int i = 0; s[i]; i++)
		if (!strcmp(k, s[i]))
			return 1;
	return 0;
}

/* Every metric of a benchmark (times in ns, counters as they are):
 * {metric: {median, min, max, n}}, for plots that draw several. */
static json_t *all_metrics(const struct bench *b)
{
	json_t *o = json_object();

	for (int i = 0; i < b->n; i++) {
		const char *k;
		json_t *v;

		json_object_foreach(b->e[i], k, v) {
			double *x;
			int m;

			if (!json_is_number(v) || is_structure(k) ||
			    json_object_get(o, k))
				continue;
			m = bench_values(b, k, &x);
			if (m)
				json_object_set_new(o, k, json_pack(
					"{s:f,s:f,s:f,s:i}", "median",
					stats_median(x, m), "min", stats_min(x, m),
					"max", stats_max(x, m), "n", m));
			free(x);
		}
	}
	return o;
}

int cmd_series(int argc, char **argv)
{
	struct run r;
	struct point *p;
	json_t *out;
	int all = opt.metric && !strcmp(opt.metric, "all"), n, rc;

	if (all)
		opt.metric = "auto";
	rc = load_points(argc, argv, "series", &r, &p, &n);
	if (rc)
		return rc;
	out = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = point_json(&p[i], opt.metric);

		if (all)
			json_object_set_new(o, "metrics", all_metrics(p[i].b));
		json_array_append_new(out, o);
	}
	json_dumpf(out, stdout, JSON_INDENT(1));
	printf("\n");
	json_decref(out);
	free(p);
	run_free(&r);
	return 0;
}

/* Knees and plateau of one curve (points ascending by size). */
static json_t *curve_knees(const struct point *p, int n)
{
	json_t *knees = json_array(), *o = json_object();
	double *step = xcalloc((size_t)(n > 1 ? n : 1), sizeof(double));
	double top3[3], top;
	int m = 0, plateau = -1;

	for (int i = 0; i + 1 < n; i++)
		step[i] = p[i].median > 0 && p[i + 1].median > 0
				  ? log(p[i + 1].median / p[i].median) : 0;
	for (int i = 0; i + 1 < n; i++)
		if (step[i] >= log(KNEE_MIN_STEP) &&
		    (i == 0 || step[i] >= step[i - 1]) &&
		    (i + 2 == n || step[i] > step[i + 1]))
			json_array_append_new(knees, json_pack(
				"{s:f,s:f,s:f,s:f,s:f}", "from_size", p[i].param,
				"to_size", p[i + 1].param, "from", p[i].median,
				"to", p[i + 1].median, "ratio", exp(step[i])));
	for (int i = n - 3 < 0 ? 0 : n - 3; i < n; i++)
		top3[m++] = p[i].median;
	top = m ? stats_median(top3, m) : NAN;
	for (int i = 0; i < n && plateau < 0; i++) {
		int all = 1;

		for (int j = i; j < n; j++)
			all &= p[j].median >= PLATEAU_SHARE * top;
		if (all)
			plateau = i;
	}
	json_object_set_new(o, "knees", knees);
	if (n)
		json_object_set_new(o, "top", json_real(top));
	if (plateau >= 0)
		json_object_set_new(o, "plateau_from", json_real(p[plateau].param));
	free(step);
	return o;
}

static int cmp_series_point(const void *x, const void *y)
{
	const struct point *a = x, *b = y;
	int c = bench_series_cmp(a->b, b->b);

	return c ? c : (a->param > b->param) - (a->param < b->param);
}

int cmd_knees(int argc, char **argv)
{
	struct run r;
	struct point *p;
	json_t *out;
	int n, rc = load_points(argc, argv, "knees", &r, &p, &n);

	if (rc)
		return rc;
	out = json_array();
	/* One curve per flavor and series (the name less its argument). */
	if (n)
		qsort(p, (size_t)n, sizeof(*p), cmp_series_point);
	for (int i = 0, j; i < n; i = j) {
		const char *slash = strrchr(p[i].b->base, '/');
		json_t *o, *pts = json_array();

		for (j = i; j < n && !bench_series_cmp(p[i].b, p[j].b); j++)
			if (!isnan(p[j].param))
				json_array_append_new(pts, json_pack("{s:f,s:f}",
					"size", p[j].param, "value", p[j].median));
		o = curve_knees(p + i, j - i);
		json_object_set_new(o, "series", json_stringn(p[i].b->base,
			slash ? (size_t)(slash - p[i].b->base) : strlen(p[i].b->base)));
		json_object_set_new(o, "flavor", json_string(p[i].b->flavor));
		json_object_set_new(o, "points", pts);
		json_array_append_new(out, o);
	}
	json_dumpf(out, stdout, JSON_INDENT(1));
	printf("\n");
	json_decref(out);
	free(p);
	run_free(&r);
	return 0;
}
