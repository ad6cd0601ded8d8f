/*
 * benchstat - statistics over results: summaries, comparisons of two runs
 * or of flavors within a run, and claim verdicts.
 *
 *   benchstat summary RUN.json                 median, spread, noise flag
 *   benchstat compare A.json B.json            B against A, exit 1 on regression
 *   benchstat flavors RUN.json [--baseline O2] each flavor against a baseline
 *   benchstat claims RUN.json CLAIMS.json...   holds / does not hold / inconclusive
 *
 * Options: --json (machine-readable output), --metric M (real_time,
 * cpu_time or a counter; default real_time), --alpha A (0.05),
 * --threshold T (regression threshold for compare, 0.05), --baseline F.
 *
 * Inputs are run.json files (scripts/run) or raw Google Benchmark JSON;
 * only per-repetition entries are used, never Google Benchmark's own
 * aggregates, so every figure here comes with its sample.
 */
#define _GNU_SOURCE
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- loading ---------------------------------------------------------- */

struct group {
	char *suite, *flavor, *name;
	char *base;		/* name less Google Benchmark's suffixes */
	int has_param;
	double param;
	const char *status;	/* "ok", "skipped", "failed" */
	const char *reason;
	json_t **e;		/* per-repetition entries (borrowed) */
	int n;
};

struct run {
	json_t *root;
	struct group *g;
	int n;
	char **flavors;		/* distinct, in order seen */
	int nflavors;
};

static struct {
	int json;
	const char *metric;
	double alpha;
	double threshold;
	const char *baseline;
} opt = { 0, "real_time", 0.05, 0.05, "O2" };

static const char *jstr(json_t *o, const char *k, const char *def)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : def;
}

/* "x/size:4KiB/real_time/threads:2" -> "x/size:4KiB" */
static char *base_name(const char *name)
{
	char *b = xstrdup(name), *slash;

	while ((slash = strrchr(b, '/'))) {
		const char *c = slash + 1;

		if (strcmp(c, "real_time") && strcmp(c, "manual_time") &&
		    strncmp(c, "threads:", 8) && strncmp(c, "repeats:", 8) &&
		    strncmp(c, "iterations:", 11) && strncmp(c, "min_time:", 9))
			break;
		*slash = '\0';
	}
	return b;
}

static int parse_param(const char *name, double *v)
{
	const char *last = strrchr(name, '/'), *colon;
	uint64_t b;
	char *end;
	double d;

	last = last ? last + 1 : name;
	colon = strchr(last, ':');
	if (!colon)
		return 0;
	if (!parse_bytes(colon + 1, &b)) {
		*v = (double)b;
		return 1;
	}
	d = strtod(colon + 1, &end);
	if (end != colon + 1 && !*end) {
		*v = d;
		return 1;
	}
	return 0;
}

static struct group *find_group(struct run *r, const char *flavor,
				const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->g[i].flavor, flavor) &&
		    !strcmp(r->g[i].name, name))
			return &r->g[i];
	return NULL;
}

static void add_flavor(struct run *r, const char *f)
{
	for (int i = 0; i < r->nflavors; i++)
		if (!strcmp(r->flavors[i], f))
			return;
	r->flavors = realloc(r->flavors, sizeof(char *) * (r->nflavors + 1));
	r->flavors[r->nflavors++] = xstrdup(f);
}

static void load_run(struct run *r, const char *path)
{
	json_error_t err;
	json_t *list, *e;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->root = json_load_file(path, JSON_DECODE_ANY, &err);
	if (!r->root) {
		fprintf(stderr, "error: cannot read %s: %s (line %d)\n", path,
			err.text, err.line);
		exit(2);
	}
	list = json_object_get(r->root, "benchmarks");
	if (!json_is_array(list)) {
		fprintf(stderr, "error: %s has no \"benchmarks\" array: not a "
			"run.json or Google Benchmark output\n", path);
		exit(2);
	}
	json_array_foreach(list, i, e) {
		const char *name = jstr(e, "run_name", jstr(e, "name", NULL));
		const char *flavor = jstr(e, "flavor", "");
		const char *type = jstr(e, "run_type", "iteration");
		struct group *g;

		if (!name || strcmp(type, "iteration"))
			continue;
		g = find_group(r, flavor, name);
		if (!g) {
			r->g = realloc(r->g, sizeof(*r->g) * (r->n + 1));
			g = &r->g[r->n++];
			memset(g, 0, sizeof(*g));
			g->suite = xstrdup(jstr(e, "suite", ""));
			g->flavor = xstrdup(flavor);
			g->name = xstrdup(name);
			g->base = base_name(name);
			g->has_param = parse_param(g->base, &g->param);
			g->status = "ok";
			add_flavor(r, flavor);
		}
		if (json_is_true(json_object_get(e, "error_occurred")) ||
		    (json_string_value(json_object_get(e, "status")) &&
		     strcmp(jstr(e, "status", "ok"), "ok"))) {
			const char *msg = jstr(e, "reason",
					       jstr(e, "error_message", ""));

			g->status = strncmp(msg, "skipped", 7) &&
						    strcmp(jstr(e, "status", ""),
							   "skipped")
					    ? "failed"
					    : "skipped";
			g->reason = msg;
			continue;
		}
		g->e = realloc(g->e, sizeof(json_t *) * (g->n + 1));
		g->e[g->n++] = e;
	}
}

static double ns_factor(json_t *e)
{
	const char *u = jstr(e, "time_unit", "ns");

	if (!strcmp(u, "us"))
		return 1e3;
	if (!strcmp(u, "ms"))
		return 1e6;
	if (!strcmp(u, "s"))
		return 1e9;
	return 1;
}

/* Samples of a metric; returns how many (caller frees *out). */
static int samples(const struct group *g, const char *metric, double **out)
{
	int n = 0;

	*out = xmalloc(sizeof(double) * (size_t)(g->n ? g->n : 1));
	for (int i = 0; i < g->n; i++) {
		json_t *v = json_object_get(g->e[i], metric);

		if (!json_is_number(v))
			continue;
		(*out)[n] = json_number_value(v);
		if (!strcmp(metric, "real_time") || !strcmp(metric, "cpu_time"))
			(*out)[n] *= ns_factor(g->e[i]);
		n++;
	}
	return n;
}

static int higher_is_better(const char *metric)
{
	size_t n = strlen(metric);

	return n > 11 && !strcmp(metric + n - 11, "_per_second");
}

/* ---- formatting ------------------------------------------------------- */

static const char *fmt_value(char *buf, size_t len, double v,
			     const char *metric)
{
	int time = !strcmp(metric, "real_time") || !strcmp(metric, "cpu_time");

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (!time)
		snprintf(buf, len, "%.4g", v);
	else if (v < 1e3)
		snprintf(buf, len, "%.3g ns", v);
	else if (v < 1e6)
		snprintf(buf, len, "%.3g us", v / 1e3);
	else if (v < 1e9)
		snprintf(buf, len, "%.3g ms", v / 1e6);
	else
		snprintf(buf, len, "%.3g s", v / 1e9);
	return buf;
}

/* ---- comparing two groups --------------------------------------------- */

struct cmp {
	int ok;			/* both sides had samples */
	int na, nb;
	double base_med, cand_med;
	struct stats_ratio r;	/* speedup: >1 means candidate better */
	const char *verdict;	/* faster, slower, same, inconclusive */
	const char *why;	/* for !ok */
};

static void compare_groups(const struct group *base, const struct group *cand,
			   const char *metric, struct cmp *c)
{
	double *a, *b;
	int hib = higher_is_better(metric);

	memset(c, 0, sizeof(*c));
	c->base_med = c->cand_med = NAN;
	if (strcmp(base->status, "ok") || strcmp(cand->status, "ok")) {
		const struct group *bad = strcmp(base->status, "ok") ? base
								     : cand;

		c->verdict = "inconclusive";
		c->why = bad->reason ? bad->reason : bad->status;
		return;
	}
	c->na = samples(base, metric, &a);
	c->nb = samples(cand, metric, &b);
	if (!c->na || !c->nb) {
		c->verdict = "inconclusive";
		c->why = "metric not reported";
		goto out;
	}
	c->base_med = stats_median(a, c->na);
	c->cand_med = stats_median(b, c->nb);
	if ((hib ? stats_ratio(b, c->nb, a, c->na, 1 - opt.alpha, &c->r)
		 : stats_ratio(a, c->na, b, c->nb, 1 - opt.alpha, &c->r))) {
		c->verdict = "inconclusive";
		c->why = "values not positive";
		goto out;
	}
	c->ok = 1;
	if (c->r.p < opt.alpha)
		c->verdict = c->r.ratio > 1 ? "faster" : "slower";
	else if (c->na < 4 || c->nb < 4)
		c->verdict = "inconclusive";
	else
		c->verdict = "same";
	if (!c->why && (c->na < 4 || c->nb < 4))
		c->why = "fewer than 4 repetitions: no test can reach p < 0.05";
out:
	free(a);
	free(b);
}

static json_t *cmp_json(const struct cmp *c)
{
	json_t *o = json_object();

	json_object_set_new(o, "verdict", json_string(c->verdict));
	json_object_set_new(o, "n_baseline", json_integer(c->na));
	json_object_set_new(o, "n_candidate", json_integer(c->nb));
	if (c->ok) {
		json_object_set_new(o, "baseline_median", json_real(c->base_med));
		json_object_set_new(o, "candidate_median",
				    json_real(c->cand_med));
		json_object_set_new(o, "speedup", json_real(c->r.ratio));
		json_object_set_new(o, "ci_low", json_real(c->r.lo));
		json_object_set_new(o, "ci_high", json_real(c->r.hi));
		json_object_set_new(o, "ci_level", json_real(c->r.level));
		json_object_set_new(o, "p_value", json_real(c->r.p));
	}
	if (c->why)
		json_object_set_new(o, "note", json_string(c->why));
	return o;
}

static void print_cmp_row(const char *name, const struct cmp *c,
			  const char *metric)
{
	char b1[32], b2[32];

	if (!c->ok) {
		printf("%-52s %12s %12s  %-22s %-8s %s\n", name,
		       fmt_value(b1, sizeof(b1), c->base_med, metric),
		       fmt_value(b2, sizeof(b2), c->cand_med, metric), "",
		       "", c->verdict);
		if (c->why)
			printf("%-52s   (%s)\n", "", c->why);
		return;
	}
	printf("%-52s %12s %12s  %5.3fx [%5.3f, %5.3f]  %-8.3g %s\n", name,
	       fmt_value(b1, sizeof(b1), c->base_med, metric),
	       fmt_value(b2, sizeof(b2), c->cand_med, metric), c->r.ratio,
	       c->r.lo, c->r.hi, c->r.p, c->verdict);
}

static void print_cmp_header(const char *base, const char *cand)
{
	printf("%-52s %12s %12s  %-22s %-8s %s\n", "benchmark", base, cand,
	       "speedup [95% CI]", "p", "verdict");
}

/* ---- summary ---------------------------------------------------------- */

static int cmd_summary(int argc, char **argv)
{
	struct run r;
	json_t *out = json_array();

	if (argc != 1) {
		fprintf(stderr, "usage: benchstat summary RUN.json\n");
		return 2;
	}
	load_run(&r, argv[0]);
	if (!opt.json)
		printf("%-56s %-9s %3s %12s %10s %7s\n", "benchmark", "flavor",
		       "n", "median", "MAD", "CV");
	for (int i = 0; i < r.n; i++) {
		struct group *g = &r.g[i];
		double *v;
		int n = samples(g, opt.metric, &v);
		double med = n ? stats_median(v, n) : NAN;
		double mad = n ? stats_mad(v, n) : NAN;
		double cv = n > 1 ? stats_cv(v, n) : NAN;
		char b1[32], b2[32];

		if (opt.json) {
			json_t *o = json_object();

			json_object_set_new(o, "suite", json_string(g->suite));
			json_object_set_new(o, "flavor", json_string(g->flavor));
			json_object_set_new(o, "name", json_string(g->name));
			json_object_set_new(o, "status", json_string(g->status));
			if (g->reason)
				json_object_set_new(o, "reason",
						    json_string(g->reason));
			json_object_set_new(o, "n", json_integer(n));
			if (n) {
				json_object_set_new(o, "median", json_real(med));
				json_object_set_new(o, "mad", json_real(mad));
				json_object_set_new(o, "min",
						    json_real(stats_min(v, n)));
				json_object_set_new(o, "max",
						    json_real(stats_max(v, n)));
			}
			if (n > 1)
				json_object_set_new(o, "cv", json_real(cv));
			json_object_set_new(o, "noisy",
					    json_boolean(n > 1 && cv > 0.05));
			json_array_append_new(out, o);
		} else if (strcmp(g->status, "ok")) {
			printf("%-56s %-9s %s: %s\n", g->name, g->flavor,
			       g->status, g->reason ? g->reason : "");
		} else {
			printf("%-56s %-9s %3d %12s %10s %6.2f%%%s\n", g->name,
			       g->flavor, n,
			       fmt_value(b1, sizeof(b1), med, opt.metric),
			       fmt_value(b2, sizeof(b2), mad, opt.metric),
			       100 * cv, n > 1 && cv > 0.05 ? " noisy" : "");
		}
		free(v);
	}
	if (opt.json)
		json_dumpf(out, stdout, JSON_INDENT(1)), printf("\n");
	json_decref(out);
	return 0;
}

/* ---- compare two runs ------------------------------------------------- */

static int cmd_compare(int argc, char **argv)
{
	struct run a, b;
	json_t *out = json_array();
	int regressions = 0, matched = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: benchstat compare A.json B.json\n");
		return 2;
	}
	load_run(&a, argv[0]);
	load_run(&b, argv[1]);
	if (!opt.json)
		print_cmp_header("A", "B");
	for (int i = 0; i < a.n; i++) {
		struct group *ga = &a.g[i], *gb = find_group(&b, ga->flavor,
							     ga->name);
		struct cmp c;
		char label[512];

		if (!gb)
			continue;
		matched++;
		compare_groups(ga, gb, opt.metric, &c);
		if (c.ok && !strcmp(c.verdict, "slower") &&
		    1 / c.r.ratio - 1 > opt.threshold)
			regressions++;
		snprintf(label, sizeof(label), "%s%s%s%s", ga->name,
			 *ga->flavor ? " [" : "", ga->flavor,
			 *ga->flavor ? "]" : "");
		if (opt.json) {
			json_t *o = cmp_json(&c);

			json_object_set_new(o, "name", json_string(ga->name));
			json_object_set_new(o, "flavor", json_string(ga->flavor));
			json_array_append_new(out, o);
		} else {
			print_cmp_row(label, &c, opt.metric);
		}
	}
	if (opt.json)
		json_dumpf(out, stdout, JSON_INDENT(1)), printf("\n");
	else
		printf("\n%d benchmarks in both runs; %d slower by more than "
		       "%.0f%% (significant at p < %.2g)\n", matched,
		       regressions, 100 * opt.threshold, opt.alpha);
	json_decref(out);
	if (!matched) {
		fprintf(stderr, "error: no benchmark appears in both runs\n");
		return 2;
	}
	return regressions ? 1 : 0;
}

/* ---- flavors within a run --------------------------------------------- */

static int cmd_flavors(int argc, char **argv)
{
	struct run r;
	json_t *out = json_object(), *rows = json_array(), *sum = json_array();
	json_t *suites;
	int any = 0;

	if (argc != 1) {
		fprintf(stderr, "usage: benchstat flavors RUN.json "
			"[--baseline F]\n");
		return 2;
	}
	load_run(&r, argv[0]);
	suites = json_object_get(r.root, "suites");
	if (!opt.json)
		print_cmp_header(opt.baseline, "flavor");
	for (int f = 0; f < r.nflavors; f++) {
		const char *fl = r.flavors[f];
		const double **as = NULL, **bs = NULL;
		int *nas = NULL, *nbs = NULL, k = 0;
		int faster = 0, slower = 0, same = 0, mixed = 0;
		double best = 0, worst = INFINITY;
		const char *best_name = NULL, *worst_name = NULL;
		const char *tsuite = NULL;	/* whose text size to show */

		if (!strcmp(fl, opt.baseline))
			continue;
		for (int i = 0; i < r.n; i++) {
			struct group *g = &r.g[i], *base;
			struct cmp c;
			char label[512];

			if (strcmp(g->flavor, fl))
				continue;
			base = find_group(&r, opt.baseline, g->name);
			if (!base)
				continue;
			compare_groups(base, g, opt.metric, &c);
			any = 1;
			if (!tsuite)
				tsuite = g->suite;
			else if (strcmp(tsuite, g->suite))
				mixed = 1;
			snprintf(label, sizeof(label), "%s [%s]", g->name, fl);
			if (opt.json) {
				json_t *o = cmp_json(&c);

				json_object_set_new(o, "suite",
						    json_string(g->suite));
				json_object_set_new(o, "name",
						    json_string(g->name));
				json_object_set_new(o, "flavor", json_string(fl));
				json_object_set_new(o, "baseline_flavor",
						    json_string(opt.baseline));
				json_array_append_new(rows, o);
			} else {
				print_cmp_row(label, &c, opt.metric);
			}
			if (!c.ok)
				continue;
			faster += !strcmp(c.verdict, "faster");
			slower += !strcmp(c.verdict, "slower");
			same += strcmp(c.verdict, "faster") &&
				strcmp(c.verdict, "slower");
			if (c.r.ratio > best)
				best = c.r.ratio, best_name = g->name;
			if (c.r.ratio < worst)
				worst = c.r.ratio, worst_name = g->name;
			/* Orientation: speedup = a/b for lower-is-better. */
			as = realloc(as, sizeof(*as) * (k + 1));
			bs = realloc(bs, sizeof(*bs) * (k + 1));
			nas = realloc(nas, sizeof(int) * (k + 1));
			nbs = realloc(nbs, sizeof(int) * (k + 1));
			{
				double *x, *y;
				int nx = samples(base, opt.metric, &x);
				int ny = samples(g, opt.metric, &y);

				if (higher_is_better(opt.metric)) {
					as[k] = y, nas[k] = ny;
					bs[k] = x, nbs[k] = nx;
				} else {
					as[k] = x, nas[k] = nx;
					bs[k] = y, nbs[k] = ny;
				}
			}
			k++;
		}
		if (k) {
			double gm, lo, hi;
			json_t *o = json_object();
			long base_text = -1, text = -1;
			size_t si;
			json_t *s;

			stats_geomean_ratio((const double *const *)as, nas,
					    (const double *const *)bs, nbs, k,
					    1 - opt.alpha, 2000, 1, &gm, &lo,
					    &hi);
			/* Text size of the one suite compared; none if several. */
			json_array_foreach(suites, si, s) {
				json_t *t = json_object_get(s, "text_bytes");

				if (!json_is_integer(t) || mixed ||
				    strcmp(jstr(s, "suite", ""), tsuite))
					continue;
				if (!strcmp(jstr(s, "flavor", ""), fl))
					text = (long)json_integer_value(t);
				if (!strcmp(jstr(s, "flavor", ""), opt.baseline))
					base_text = (long)json_integer_value(t);
			}
			json_object_set_new(o, "flavor", json_string(fl));
			json_object_set_new(o, "baseline_flavor",
					    json_string(opt.baseline));
			json_object_set_new(o, "benchmarks", json_integer(k));
			json_object_set_new(o, "geomean_speedup", json_real(gm));
			json_object_set_new(o, "ci_low", json_real(lo));
			json_object_set_new(o, "ci_high", json_real(hi));
			json_object_set_new(o, "faster", json_integer(faster));
			json_object_set_new(o, "slower", json_integer(slower));
			json_object_set_new(o, "no_difference",
					    json_integer(same));
			json_object_set_new(o, "best", json_string(best_name));
			json_object_set_new(o, "best_speedup", json_real(best));
			json_object_set_new(o, "worst", json_string(worst_name));
			json_object_set_new(o, "worst_speedup", json_real(worst));
			if (text > 0 && base_text > 0) {
				json_object_set_new(o, "text_bytes",
						    json_integer(text));
				json_object_set_new(o, "text_ratio",
						    json_real((double)text /
							      base_text));
			}
			json_array_append_new(sum, o);
			for (int i = 0; i < k; i++) {
				free((void *)as[i]);
				free((void *)bs[i]);
			}
		}
		free(as);
		free(bs);
		free(nas);
		free(nbs);
	}
	if (!any) {
		fprintf(stderr, "error: no benchmark ran both in flavor %s and "
			"in another flavor\n", opt.baseline);
		return 2;
	}
	if (opt.json) {
		json_object_set_new(out, "benchmarks", rows);
		json_object_set_new(out, "flavors", sum);
		json_dumpf(out, stdout, JSON_INDENT(1));
		printf("\n");
	} else {
		size_t i;
		json_t *o;

		printf("\n%-12s %9s %18s %7s %7s %7s  %-10s %s\n", "flavor",
		       "geomean", "95% CI", "faster", "slower", "same",
		       "text", "best / worst");
		json_array_foreach(sum, i, o) {
			json_t *tr = json_object_get(o, "text_ratio");
			char text[32] = "-";

			if (tr)
				snprintf(text, sizeof(text), "%.3fx",
					 json_real_value(tr));
			printf("%-12s %8.3fx [%6.3f, %6.3f] %7lld %7lld %7lld  "
			       "%-10s %s %.3fx / %s %.3fx\n",
			       jstr(o, "flavor", ""),
			       json_real_value(json_object_get(o, "geomean_speedup")),
			       json_real_value(json_object_get(o, "ci_low")),
			       json_real_value(json_object_get(o, "ci_high")),
			       json_integer_value(json_object_get(o, "faster")),
			       json_integer_value(json_object_get(o, "slower")),
			       json_integer_value(json_object_get(o, "no_difference")),
			       text, jstr(o, "best", "-"),
			       json_real_value(json_object_get(o, "best_speedup")),
			       jstr(o, "worst", "-"),
			       json_real_value(json_object_get(o, "worst_speedup")));
		}
		printf("speedup = %s time / flavor time (above 1: the flavor "
		       "is faster); text = size(1) text of the suite binary "
		       "against %s\n", opt.baseline, opt.baseline);
		json_decref(sum);
		json_decref(rows);
	}
	json_decref(out);
	return 0;
}

/* ---- claims ----------------------------------------------------------- */

struct sel {
	const char *pattern;
	const char *flavor;	/* NULL: default */
};

static int get_sel(json_t *v, struct sel *s)
{
	if (json_is_string(v)) {
		s->pattern = json_string_value(v);
		s->flavor = NULL;
		return 0;
	}
	if (json_is_object(v) && json_is_string(json_object_get(v, "name"))) {
		s->pattern = jstr(v, "name", NULL);
		s->flavor = jstr(v, "flavor", NULL);
		return 0;
	}
	return -1;
}

/* Anchored regex from a selector: literal text, {max}/{min} = [^/]+. */
static char *sel_regex(const char *pat, int *pick)
{
	size_t len = strlen(pat);
	char *re = xmalloc(len * 2 + 16), *o = re;

	*pick = 0;
	*o++ = '^';
	for (const char *p = pat; *p;) {
		if (!strncmp(p, "{max}", 5) || !strncmp(p, "{min}", 5)) {
			*pick = p[2] == 'a' ? 1 : -1;
			o += sprintf(o, "[^/]+");
			p += 5;
			continue;
		}
		if (strchr(".[]()*+?^$|\\{}", *p))
			*o++ = '\\';
		*o++ = *p++;
	}
	*o++ = '$';
	*o = '\0';
	return re;
}

static const char *default_flavor(struct run *r, const char *name_re)
{
	regex_t re;
	const char *found = NULL;
	int o2 = 0;

	if (regcomp(&re, name_re, REG_EXTENDED | REG_NOSUB))
		return NULL;
	for (int i = 0; i < r->n; i++) {
		if (regexec(&re, r->g[i].name, 0, NULL, 0) &&
		    regexec(&re, r->g[i].base, 0, NULL, 0))
			continue;
		if (!strcmp(r->g[i].flavor, "O2"))
			o2 = 1;
		if (!found || strcmp(r->g[i].flavor, found) < 0)
			found = r->g[i].flavor;
	}
	regfree(&re);
	return o2 ? "O2" : found;
}

static struct group *resolve(struct run *r, const struct sel *s)
{
	int pick;
	char *rx = sel_regex(s->pattern, &pick);
	const char *flavor = s->flavor ? s->flavor : default_flavor(r, rx);
	struct group *best = NULL;
	regex_t re;

	if (!flavor || regcomp(&re, rx, REG_EXTENDED | REG_NOSUB)) {
		free(rx);
		return NULL;
	}
	for (int i = 0; i < r->n; i++) {
		struct group *g = &r->g[i];

		if (strcmp(g->flavor, flavor) ||
		    (regexec(&re, g->name, 0, NULL, 0) &&
		     regexec(&re, g->base, 0, NULL, 0)))
			continue;
		if (!pick) {
			best = g;
			break;
		}
		if (!g->has_param)
			continue;
		if (!best || (pick > 0 ? g->param > best->param
				       : g->param < best->param))
			best = g;
	}
	regfree(&re);
	free(rx);
	return best;
}

static double jnum(json_t *o, const char *k, double def)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : def;
}

struct verdict {
	const char *v;		/* holds, does not hold, inconclusive, not run */
	double ratio, lo, hi, p, level;
	int has_ratio;
	char detail[512];
};

/*
 * Claimed factors are often exact ("16x fewer syscalls") and a ratio of
 * two exact counts comes back as 15.999999999999998: compare with a
 * relative tolerance far below any measurable difference.
 */
#define RATIO_EPS 1e-9

static void judge_ratio(struct verdict *vd, double ratio, double lo,
			double hi, int sig, double min_ratio, double max_ratio)
{
	min_ratio *= 1 - RATIO_EPS;
	max_ratio *= 1 + RATIO_EPS;
	vd->has_ratio = 1;
	vd->ratio = ratio;
	vd->lo = lo;
	vd->hi = hi;
	if (sig && ratio > 1 && lo >= min_ratio && ratio <= max_ratio)
		vd->v = "holds";
	else if ((sig && ratio < 1) || hi < min_ratio || lo > max_ratio)
		vd->v = "does not hold";
	else
		vd->v = "inconclusive";
}

static void eval_compare(struct run *r, json_t *c, struct verdict *vd)
{
	struct sel sb, sc;
	struct group *b, *k;
	const char *metric = jstr(c, "metric", "real_time");
	const char *expect = jstr(c, "expect", "lower");
	double min_ratio = jnum(c, "min_ratio", 1);
	double max_ratio = jnum(c, "max_ratio", INFINITY);
	double tol = jnum(c, "tolerance", 0.1);
	double *x, *y;
	int nx, ny;
	struct stats_ratio sr;

	if (get_sel(json_object_get(c, "baseline"), &sb) ||
	    get_sel(json_object_get(c, "candidate"), &sc)) {
		vd->v = "invalid";
		snprintf(vd->detail, sizeof(vd->detail),
			 "baseline and candidate must be selectors");
		return;
	}
	b = resolve(r, &sb);
	k = resolve(r, &sc);
	if (!b || !k) {
		vd->v = "not run";
		snprintf(vd->detail, sizeof(vd->detail), "no benchmark matches %s",
			 !b ? sb.pattern : sc.pattern);
		return;
	}
	snprintf(vd->detail, sizeof(vd->detail), "%s [%s] vs %s [%s]",
		 k->name, k->flavor, b->name, b->flavor);
	if (strcmp(b->status, "ok") || strcmp(k->status, "ok")) {
		struct group *bad = strcmp(b->status, "ok") ? b : k;

		vd->v = "inconclusive";
		snprintf(vd->detail, sizeof(vd->detail), "%s %s: %s",
			 bad->name, bad->status, bad->reason ? bad->reason : "");
		return;
	}
	nx = samples(b, metric, &x);
	ny = samples(k, metric, &y);
	if (!nx || !ny) {
		vd->v = "inconclusive";
		snprintf(vd->detail, sizeof(vd->detail), "%s not reported by %s",
			 metric, !nx ? b->name : k->name);
		goto out;
	}
	/* ratio above 1 means "as claimed" */
	if (!strcmp(expect, "lower") ? stats_ratio(x, nx, y, ny, 1 - opt.alpha,
						   &sr)
				     : stats_ratio(y, ny, x, nx, 1 - opt.alpha,
						   &sr)) {
		vd->v = "inconclusive";
		snprintf(vd->detail, sizeof(vd->detail),
			 "%s is not positive in every repetition", metric);
		goto out;
	}
	vd->p = sr.p;
	vd->level = sr.level;
	if (!strcmp(expect, "same")) {
		vd->has_ratio = 1;
		vd->ratio = sr.ratio;
		vd->lo = sr.lo;
		vd->hi = sr.hi;
		if (sr.lo >= 1 / (1 + tol) && sr.hi <= 1 + tol)
			vd->v = "holds";
		else if (sr.lo > 1 + tol || sr.hi < 1 / (1 + tol))
			vd->v = "does not hold";
		else
			vd->v = "inconclusive";
	} else {
		judge_ratio(vd, sr.ratio, sr.lo, sr.hi, sr.p < opt.alpha,
			    min_ratio, max_ratio);
	}
	if (!strcmp(vd->v, "inconclusive") && (nx < 4 || ny < 4))
		snprintf(vd->detail + strlen(vd->detail),
			 sizeof(vd->detail) - strlen(vd->detail),
			 "; only %d and %d repetitions", nx, ny);
out:
	free(x);
	free(y);
}

static void eval_value(struct run *r, json_t *c, struct verdict *vd)
{
	struct sel s;
	struct group *g;
	const char *metric = jstr(c, "metric", "real_time");
	const char *near = jstr(c, "near_metric", NULL);
	double tol = jnum(c, "tolerance", 0.1), *x, med;
	int n;

	if (get_sel(json_object_get(c, "benchmark"), &s)) {
		vd->v = "invalid";
		snprintf(vd->detail, sizeof(vd->detail),
			 "benchmark must be a selector");
		return;
	}
	g = resolve(r, &s);
	if (!g) {
		vd->v = "not run";
		snprintf(vd->detail, sizeof(vd->detail), "no benchmark matches %s",
			 s.pattern);
		return;
	}
	if (strcmp(g->status, "ok")) {
		vd->v = "inconclusive";
		snprintf(vd->detail, sizeof(vd->detail), "%s %s: %s", g->name,
			 g->status, g->reason ? g->reason : "");
		return;
	}
	n = samples(g, metric, &x);
	if (!n) {
		vd->v = "inconclusive";
		snprintf(vd->detail, sizeof(vd->detail), "%s not reported",
			 metric);
		free(x);
		return;
	}
	med = stats_median(x, n);
	free(x);
	vd->has_ratio = 1;
	vd->ratio = vd->lo = vd->hi = med;
	if (near) {
		double *y, want;
		int m = samples(g, near, &y);

		want = m ? stats_median(y, m) : NAN;
		free(y);
		if (!m || !(want != 0)) {
			vd->v = "inconclusive";
			snprintf(vd->detail, sizeof(vd->detail),
				 "%s not reported", near);
			return;
		}
		vd->ratio = med / want;
		vd->lo = vd->hi = vd->ratio;
		vd->v = fabs(med / want - 1) <= tol ? "holds" : "does not hold";
		snprintf(vd->detail, sizeof(vd->detail),
			 "%s: %s %.4g against %s %.4g (tolerance %.0f%%)",
			 g->name, metric, med, near, want, 100 * tol);
		return;
	}
	vd->v = med >= jnum(c, "min", -INFINITY) &&
				med <= jnum(c, "max", INFINITY)
			? "holds"
			: "does not hold";
	snprintf(vd->detail, sizeof(vd->detail), "%s: median %s %.4g", g->name,
		 metric, med);
}

/* Benchmarks in both flavors matching a regex: geomean or any. */
static void eval_flavors(struct run *r, json_t *c, struct verdict *vd,
			 int any)
{
	const char *pat = jstr(c, "benchmarks", NULL);
	const char *bf = jstr(c, "baseline_flavor", "O2");
	const char *cf = jstr(c, "candidate_flavor", NULL);
	const char *metric = jstr(c, "metric", "real_time");
	const char *expect = jstr(c, "expect", "lower");
	double min_ratio = jnum(c, "min_ratio", 1);
	double max_ratio = jnum(c, "max_ratio", INFINITY);
	const double **as = NULL, **bs = NULL;
	int *nas = NULL, *nbs = NULL, k = 0, hits = 0, testable = 0;
	const char *hit = NULL;
	regex_t re;

	if (!pat || !cf || regcomp(&re, pat, REG_EXTENDED | REG_NOSUB)) {
		vd->v = "invalid";
		snprintf(vd->detail, sizeof(vd->detail),
			 "needs benchmarks (a regex) and candidate_flavor");
		return;
	}
	for (int i = 0; i < r->n; i++) {
		struct group *g = &r->g[i], *base;
		double *x, *y;
		int nx, ny;
		struct stats_ratio sr;

		if (strcmp(g->flavor, cf) || regexec(&re, g->name, 0, NULL, 0) ||
		    strcmp(g->status, "ok"))
			continue;
		base = find_group(r, bf, g->name);
		if (!base || strcmp(base->status, "ok"))
			continue;
		nx = samples(base, metric, &x);
		ny = samples(g, metric, &y);
		if (!nx || !ny) {
			free(x);
			free(y);
			continue;
		}
		as = realloc(as, sizeof(*as) * (k + 1));
		bs = realloc(bs, sizeof(*bs) * (k + 1));
		nas = realloc(nas, sizeof(int) * (k + 1));
		nbs = realloc(nbs, sizeof(int) * (k + 1));
		if (!strcmp(expect, "lower")) {
			as[k] = x, nas[k] = nx, bs[k] = y, nbs[k] = ny;
		} else {
			as[k] = y, nas[k] = ny, bs[k] = x, nbs[k] = nx;
		}
		if (!stats_ratio(as[k], nas[k], bs[k], nbs[k], 1 - opt.alpha,
				 &sr)) {
			testable += nx >= 4 && ny >= 4;
			if (sr.p < opt.alpha && sr.ratio > 1 &&
			    sr.lo >= min_ratio) {
				hits++;
				if (!hit)
					hit = g->name;
			}
		}
		k++;
	}
	regfree(&re);
	if (!k) {
		vd->v = "not run";
		snprintf(vd->detail, sizeof(vd->detail),
			 "no benchmark matching %s ran in both %s and %s", pat,
			 bf, cf);
	} else if (any) {
		vd->v = hits ? "holds" : testable == k ? "does not hold"
						       : "inconclusive";
		snprintf(vd->detail, sizeof(vd->detail),
			 "%d of %d benchmarks significantly %s in %s than %s%s%s",
			 hits, k, expect, cf, bf, hit ? ", first: " : "",
			 hit ? hit : "");
	} else {
		double gm, lo, hi;

		stats_geomean_ratio((const double *const *)as, nas,
				    (const double *const *)bs, nbs, k,
				    1 - opt.alpha, 2000, 1, &gm, &lo, &hi);
		vd->has_ratio = 1;
		vd->ratio = gm;
		vd->lo = lo;
		vd->hi = hi;
		vd->level = 1 - opt.alpha;
		min_ratio *= 1 - RATIO_EPS;
		max_ratio *= 1 + RATIO_EPS;
		if (lo > min_ratio && gm <= max_ratio)
			vd->v = "holds";
		else if (hi < min_ratio || lo > max_ratio)
			vd->v = "does not hold";
		else
			vd->v = "inconclusive";
		snprintf(vd->detail, sizeof(vd->detail),
			 "geometric mean over %d benchmarks, %s against %s", k,
			 cf, bf);
	}
	for (int i = 0; i < k; i++) {
		free((void *)as[i]);
		free((void *)bs[i]);
	}
	free(as);
	free(bs);
	free(nas);
	free(nbs);
}

static void eval_text_size(struct run *r, json_t *c, struct verdict *vd)
{
	const char *suite = jstr(c, "suite", NULL);
	const char *bf = jstr(c, "baseline_flavor", "O2");
	const char *cf = jstr(c, "candidate_flavor", NULL);
	const char *expect = jstr(c, "expect", "higher");
	json_t *suites = json_object_get(r->root, "suites"), *s;
	double bt = -1, ct = -1, ratio;
	size_t i;

	json_array_foreach(suites, i, s) {
		json_t *t = json_object_get(s, "text_bytes");

		if (!json_is_integer(t) || !suite ||
		    strcmp(jstr(s, "suite", ""), suite))
			continue;
		if (!strcmp(jstr(s, "flavor", ""), bf))
			bt = (double)json_integer_value(t);
		if (cf && !strcmp(jstr(s, "flavor", ""), cf))
			ct = (double)json_integer_value(t);
	}
	if (bt <= 0 || ct <= 0) {
		vd->v = "not run";
		snprintf(vd->detail, sizeof(vd->detail),
			 "text size of %s not recorded for %s and %s",
			 suite ? suite : "?", bf, cf ? cf : "?");
		return;
	}
	ratio = !strcmp(expect, "lower") ? bt / ct : ct / bt;
	vd->has_ratio = 1;
	vd->ratio = vd->lo = vd->hi = ratio;
	vd->v = ratio > jnum(c, "min_ratio", 1) ? "holds" : "does not hold";
	snprintf(vd->detail, sizeof(vd->detail),
		 "text of bench_%s: %.0f bytes in %s, %.0f in %s", suite, ct,
		 cf, bt, bf);
}

static int cmd_claims(int argc, char **argv)
{
	struct run r;
	json_t *out = json_array();
	int counts[4] = { 0 }, notrun = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: benchstat claims RUN.json "
			"CLAIMS.json...\n");
		return 2;
	}
	load_run(&r, argv[0]);
	for (int f = 1; f < argc; f++) {
		json_error_t err;
		json_t *doc = json_load_file(argv[f], 0, &err), *list, *c;
		size_t i;

		if (!doc) {
			fprintf(stderr, "error: cannot read %s: %s (line %d)\n",
				argv[f], err.text, err.line);
			return 2;
		}
		list = json_object_get(doc, "claims");
		if (!json_is_array(list)) {
			fprintf(stderr, "error: %s has no \"claims\" array\n",
				argv[f]);
			return 2;
		}
		json_array_foreach(list, i, c) {
			const char *kind = jstr(c, "kind", "compare");
			struct verdict vd;
			json_t *o;

			memset(&vd, 0, sizeof(vd));
			vd.p = NAN;
			if (!strcmp(kind, "compare"))
				eval_compare(&r, c, &vd);
			else if (!strcmp(kind, "value"))
				eval_value(&r, c, &vd);
			else if (!strcmp(kind, "geomean"))
				eval_flavors(&r, c, &vd, 0);
			else if (!strcmp(kind, "any"))
				eval_flavors(&r, c, &vd, 1);
			else if (!strcmp(kind, "text_size"))
				eval_text_size(&r, c, &vd);
			else {
				vd.v = "invalid";
				snprintf(vd.detail, sizeof(vd.detail),
					 "unknown kind '%s'", kind);
			}
			if (!strcmp(vd.v, "invalid")) {
				fprintf(stderr, "error: %s: claim %s: %s\n",
					argv[f], jstr(c, "id", "?"), vd.detail);
				return 2;
			}
			if (!strcmp(vd.v, "not run")) {
				notrun++;
				continue;
			}
			counts[!strcmp(vd.v, "holds") ? 0
			       : !strcmp(vd.v, "does not hold") ? 1 : 2]++;
			o = json_object();
			json_object_set_new(o, "suite", json_string(jstr(doc,
						"suite", "")));
			json_object_set(o, "id", json_object_get(c, "id"));
			json_object_set(o, "claim", json_object_get(c, "claim"));
			json_object_set(o, "source", json_object_get(c, "source"));
			json_object_set_new(o, "kind", json_string(kind));
			json_object_set_new(o, "metric", json_string(jstr(c,
						"metric", "real_time")));
			json_object_set_new(o, "verdict", json_string(vd.v));
			if (vd.has_ratio) {
				json_object_set_new(o, "ratio", json_real(vd.ratio));
				json_object_set_new(o, "ci_low", json_real(vd.lo));
				json_object_set_new(o, "ci_high", json_real(vd.hi));
			}
			if (!isnan(vd.p))
				json_object_set_new(o, "p_value", json_real(vd.p));
			if (vd.level > 0)
				json_object_set_new(o, "ci_level",
						    json_real(vd.level));
			if (json_object_get(c, "claimed_ratio"))
				json_object_set(o, "claimed_ratio",
						json_object_get(c, "claimed_ratio"));
			if (json_object_get(c, "min_ratio"))
				json_object_set(o, "min_ratio",
						json_object_get(c, "min_ratio"));
			if (json_object_get(c, "max_ratio"))
				json_object_set(o, "max_ratio",
						json_object_get(c, "max_ratio"));
			if (json_object_get(c, "note"))
				json_object_set(o, "note", json_object_get(c, "note"));
			json_object_set_new(o, "detail", json_string(vd.detail));
			json_array_append_new(out, o);
		}
	}
	if (opt.json) {
		json_dumpf(out, stdout, JSON_INDENT(1));
		printf("\n");
	} else {
		size_t i;
		json_t *o;

		json_array_foreach(out, i, o) {
			json_t *ratio = json_object_get(o, "ratio");

			printf("%-14s %s/%s\n", jstr(o, "verdict", ""),
			       jstr(o, "suite", ""), jstr(o, "id", ""));
			printf("               %s\n", jstr(o, "claim", ""));
			if (ratio && strcmp(jstr(o, "kind", ""), "value"))
				printf("               measured %.3fx [%.3f, "
				       "%.3f]\n", json_real_value(ratio),
				       json_real_value(json_object_get(o, "ci_low")),
				       json_real_value(json_object_get(o, "ci_high")));
			printf("               %s\n", jstr(o, "detail", ""));
		}
		printf("\n%d hold, %d do not hold, %d inconclusive", counts[0],
		       counts[1], counts[2]);
		if (notrun)
			printf(" (%d not run)", notrun);
		printf("\n");
	}
	json_decref(out);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: benchstat summary RUN.json\n"
		"       benchstat compare A.json B.json\n"
		"       benchstat flavors RUN.json [--baseline FLAVOR]\n"
		"       benchstat claims RUN.json CLAIMS.json...\n"
		"options: --json --metric M --alpha A --threshold T "
		"--baseline F\n");
}

int main(int argc, char **argv)
{
	char **args = xcalloc((size_t)argc + 1, sizeof(char *));
	int n = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json")) {
			opt.json = 1;
		} else if (!strcmp(a, "--metric") && val) {
			opt.metric = val, i++;
		} else if (!strcmp(a, "--alpha") && val) {
			opt.alpha = atof(val), i++;
		} else if (!strcmp(a, "--threshold") && val) {
			opt.threshold = atof(val), i++;
		} else if (!strcmp(a, "--baseline") && val) {
			opt.baseline = val, i++;
		} else if (!strncmp(a, "--", 2)) {
			fprintf(stderr, "error: unknown option %s\n", a);
			usage();
			return 2;
		} else {
			args[n++] = argv[i];
		}
	}
	if (!(opt.alpha > 0 && opt.alpha < 1)) {
		fprintf(stderr, "error: --alpha must be between 0 and 1\n");
		return 2;
	}
	if (n < 1) {
		usage();
		return 2;
	}
	if (!strcmp(args[0], "summary"))
		return cmd_summary(n - 1, args + 1);
	if (!strcmp(args[0], "compare"))
		return cmd_compare(n - 1, args + 1);
	if (!strcmp(args[0], "flavors"))
		return cmd_flavors(n - 1, args + 1);
	if (!strcmp(args[0], "claims"))
		return cmd_claims(n - 1, args + 1);
	fprintf(stderr, "error: unknown command '%s'\n", args[0]);
	usage();
	return 2;
}
