/*
 * load.c - reads a run.json (or a raw Google Benchmark JSON file) into
 * benchmarks with their repetitions in time order, and gives each
 * benchmark's values per repetition and per round.
 */
#define _GNU_SOURCE
#include "analysis.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *jstr(json_t *o, const char *k, const char *def)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : def;
}

double jnum(json_t *o, const char *k, double def)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : def;
}

int jint(json_t *o, const char *k, int def)
{
	double d = jnum(o, k, NAN);

	/* A value out of int's range (or not a number) is the default. */
	return d >= INT_MIN && d <= INT_MAX ? (int)d : def;
}

/* "x/size:4KiB/real_time/threads:2" -> "x/size:4KiB" */
char *base_name_of(const char *name, int *real_time)
{
	char *b = xstrdup(name), *slash;

	*real_time = 0;
	while ((slash = strrchr(b, '/'))) {
		const char *c = slash + 1;

		if (!strcmp(c, "real_time") || !strcmp(c, "manual_time"))
			*real_time = 1;
		else if (strncmp(c, "threads:", 8) &&
			 strncmp(c, "repeats:", 8) &&
			 strncmp(c, "iterations:", 11) &&
			 strncmp(c, "min_time:", 9))
			break;
		*slash = '\0';
	}
	return b;
}

/* The argument of the last name component: "size:4KiB" -> 4096. */
static int parse_param(json_t *e, const char *base, double *v)
{
	json_t *p = json_object_get(json_object_get(e, "param"), "value");
	const char *last = strrchr(base, '/'), *colon;
	uint64_t b;
	char *end;
	double d;

	if (json_is_number(p)) {
		*v = json_number_value(p);
		return 1;
	}
	last = last ? last + 1 : base;
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

struct bench *run_find(struct run *r, const char *flavor, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->b[i].flavor, flavor) &&
		    !strcmp(r->b[i].name, name))
			return &r->b[i];
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

static int entry_round(json_t *e)
{
	json_t *v = json_object_get(e, "round");

	return json_is_integer(v) ? jint(e, "round", 0) : 0;
}

static int entry_rep(json_t *e)
{
	json_t *v = json_object_get(e, "repetition_index");

	return json_is_integer(v) ? jint(e, "repetition_index", 0) : 0;
}

static void append(struct bench *b, json_t *e)
{
	b->e = realloc(b->e, sizeof(*b->e) * (size_t)(b->n + 1));
	b->round = realloc(b->round, sizeof(int) * (size_t)(b->n + 1));
	b->e[b->n] = e;
	b->round[b->n] = entry_round(e);
	b->n++;
}

/* Time order: by round, then repetition (random interleaving reports a
 * benchmark's repetitions together, with their indexes in run order). */
static void sort_time(struct bench *b)
{
	for (int i = 1; i < b->n; i++)
		for (int j = i; j > 0; j--) {
			int r0 = b->round[j - 1], r1 = b->round[j];
			json_t *t;

			if (r0 < r1 || (r0 == r1 && entry_rep(b->e[j - 1]) <=
							    entry_rep(b->e[j])))
				break;
			t = b->e[j], b->e[j] = b->e[j - 1], b->e[j - 1] = t;
			b->round[j] = r0, b->round[j - 1] = r1;
		}
}

/* A re-run after an unstable result replaces what it re-ran. */
static void keep_reruns(struct bench *b)
{
	int m = 0, any = 0;

	for (int i = 0; i < b->n; i++)
		any |= json_is_true(json_object_get(b->e[i], "rerun"));
	if (!any)
		return;
	for (int i = 0; i < b->n; i++)
		if (json_is_true(json_object_get(b->e[i], "rerun"))) {
			b->e[m] = b->e[i];
			b->round[m++] = b->round[i];
		}
	b->n = m;
}

int run_load(struct run *r, const char *path)
{
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);

	if (!root) {
		memset(r, 0, sizeof(*r));
		fprintf(stderr, "error: cannot read %s: %s (line %d)\n", path,
			err.text, err.line);
		return -1;
	}
	return run_from_root(r, root, path);
}

int run_from_root(struct run *r, json_t *root, const char *path)
{
	json_t *list, *e;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->root = root;
	list = json_object_get(r->root, "benchmarks");
	if (!json_is_object(r->root) || !json_is_array(list)) {
		fprintf(stderr, "error: %s has no \"benchmarks\" array: not a "
			"run.json or Google Benchmark output\n", path);
		json_decref(r->root);
		r->root = NULL;
		return -1;
	}
	json_array_foreach(list, i, e) {
		const char *name = jstr(e, "run_name", jstr(e, "name", NULL));
		const char *flavor = jstr(e, "flavor", "");
		const char *status = jstr(e, "status", NULL);
		struct bench *b;

		if (!json_is_object(e) || !name ||
		    strcmp(jstr(e, "run_type", "iteration"), "iteration"))
			continue;
		b = run_find(r, flavor, name);
		if (!b) {
			r->b = realloc(r->b, sizeof(*r->b) * (size_t)(r->n + 1));
			b = &r->b[r->n++];
			memset(b, 0, sizeof(*b));
			b->suite = xstrdup(jstr(e, "suite", ""));
			b->flavor = xstrdup(flavor);
			b->name = xstrdup(name);
			b->base = base_name_of(name, &b->real_time);
			if (json_is_string(json_object_get(e, "base_name"))) {
				free(b->base);
				b->base = xstrdup(jstr(e, "base_name", ""));
			}
			if (json_is_string(json_object_get(e, "timed_on")))
				b->real_time = strcmp(jstr(e, "timed_on", ""),
						      "cpu_time") != 0;
			b->has_param = parse_param(e, b->base, &b->param);
			b->threads = jint(e, "threads", 1);
			b->status = "ok";
			add_flavor(r, flavor);
		}
		if (json_is_true(json_object_get(e, "error_occurred")) ||
		    (status && strcmp(status, "ok"))) {
			const char *msg = jstr(e, "reason",
					       jstr(e, "error_message", ""));

			b->status = (status && !strcmp(status, "skipped")) ||
						    (!status &&
						     !strncmp(msg, "skipped", 7))
					    ? "skipped"
					    : "failed";
			b->reason = msg;
			continue;
		}
		if (json_is_string(json_object_get(e, "unstable")))
			b->unstable = jstr(e, "unstable", NULL);
		append(b, e);
	}
	for (int k = 0; k < r->n; k++) {
		keep_reruns(&r->b[k]);
		sort_time(&r->b[k]);
	}
	return 0;
}

int run_load_pair(struct run *a, const char *pa, struct run *b, const char *pb)
{
	if (run_load(a, pa))
		return -1;
	if (run_load(b, pb)) {
		run_free(a);
		return -1;
	}
	return 0;
}

void run_free(struct run *r)
{
	for (int i = 0; i < r->n; i++) {
		free(r->b[i].suite);
		free(r->b[i].flavor);
		free(r->b[i].name);
		free(r->b[i].base);
		free(r->b[i].e);
		free(r->b[i].round);
	}
	for (int i = 0; i < r->nflavors; i++)
		free(r->flavors[i]);
	for (int i = 0; i < r->nowned; i++)
		free(r->owned[i]);
	free(r->owned);
	free(r->flavors);
	free(r->b);
	json_decref(r->root);
	memset(r, 0, sizeof(*r));
}

int metric_is_time(const char *metric)
{
	return !strcmp(metric, "real_time") || !strcmp(metric, "cpu_time");
}

const char *bench_metric(const struct bench *b, const char *metric)
{
	if (strcmp(metric, "auto"))
		return metric;
	/* What Google Benchmark itself reports as the benchmark's time. */
	return b->real_time || b->threads > 1 ? "real_time" : "cpu_time";
}

int higher_is_better(const char *metric)
{
	size_t n = strlen(metric);

	return n > 11 && !strcmp(metric + n - 11, "_per_second");
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

static int entry_value(json_t *e, const char *metric, double *v)
{
	json_t *j = json_object_get(e, metric);

	if (!json_is_number(j))
		return 0;
	*v = json_number_value(j);
	if (metric_is_time(metric))
		*v *= ns_factor(e);
	return isfinite(*v);
}

int bench_values(const struct bench *b, const char *metric, double **out)
{
	int n = 0;

	metric = bench_metric(b, metric);
	*out = xmalloc(sizeof(double) * (size_t)(b->n ? b->n : 1));
	for (int i = 0; i < b->n; i++)
		n += entry_value(b->e[i], metric, &(*out)[n]);
	return n;
}

int bench_values_rounds(const struct bench *b, const char *metric,
			double **out, int **rounds)
{
	int n = 0;

	metric = bench_metric(b, metric);
	*out = xmalloc(sizeof(double) * (size_t)(b->n ? b->n : 1));
	*rounds = xmalloc(sizeof(int) * (size_t)(b->n ? b->n : 1));
	for (int i = 0; i < b->n; i++)
		if (entry_value(b->e[i], metric, &(*out)[n]))
			(*rounds)[n++] = b->round[i];
	return n;
}

int bench_rounds(const struct bench *b, const char *metric, double **med,
		 int **ids)
{
	double *v = xmalloc(sizeof(double) * (size_t)(b->n ? b->n : 1));
	int k = 0;

	metric = bench_metric(b, metric);
	*med = xmalloc(sizeof(double) * (size_t)(b->n ? b->n : 1));
	*ids = xmalloc(sizeof(int) * (size_t)(b->n ? b->n : 1));
	/* Entries are in time order, so a round's are contiguous. */
	for (int i = 0; i < b->n;) {
		int j = i, m = 0;

		while (j < b->n && b->round[j] == b->round[i]) {
			m += entry_value(b->e[j], metric, &v[m]);
			j++;
		}
		if (m) {
			(*med)[k] = stats_median(v, m);
			(*ids)[k++] = b->round[i];
		}
		i = j;
	}
	free(v);
	return k;
}

const char *metric_missing(struct run *r, const struct bench *b,
			   const char *metric, char *buf, size_t len)
{
	json_t *ctx = json_object_get(r->root, "context");
	char key[128];
	const char *st;

	snprintf(key, sizeof(key), "counter_%s", metric);
	st = jstr(ctx, key, NULL);
	if (st && strncmp(st, "ok", 2))
		snprintf(buf, len, "%s not counted here: %s", metric, st);
	else
		snprintf(buf, len, "%s not reported by %s", metric, b->name);
	return buf;
}

const char *fmt_value(char *buf, size_t len, double v, const char *metric)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (!metric_is_time(metric) && strcmp(metric, "auto"))
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

const char *run_own(struct run *r, char *s)
{
	r->owned = realloc(r->owned, sizeof(char *) * (size_t)(r->nowned + 1));
	r->owned[r->nowned++] = s;
	return s;
}

int bench_series_cmp(const struct bench *a, const struct bench *b)
{
	const char *sa = strrchr(a->base, '/'), *sb = strrchr(b->base, '/');
	size_t la = sa ? (size_t)(sa - a->base) : strlen(a->base);
	size_t lb = sb ? (size_t)(sb - b->base) : strlen(b->base);
	int c = strcmp(a->flavor, b->flavor);

	if (c)
		return c;
	c = strncmp(a->base, b->base, la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}
