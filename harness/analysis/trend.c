/*
 * trend.c - many runs over time: runs grouped by machine, and per
 * benchmark the series of its per-run figures with the change points a
 * penalised step fit finds in it (docs/dashboard.md).
 *
 *   benchstat trend RUN.json... [--json] [--threshold T]
 *
 * A machine is what its context says it is: CPU model, core count,
 * memory, kernel, hypervisor and host name; runs of one machine are
 * ordered by their start time. A run's figure for a benchmark is the one
 * `benchstat summary` gives: the geometric mean of its round medians with
 * the 95% interval from the rounds (round_mean, ci_low, ci_high), or the
 * median of its repetitions when it ran in one round.
 *
 * Change points: an exact penalised piecewise-constant fit (optimal
 * partitioning, Jackson et al. 2005; asv's step detection fits the same
 * model with an L1 cost). On log values x_i with weights 1/s_i^2, it
 * minimises the weighted squared deviations from each segment's level
 * plus STEP_PENALTY + 2 ln n per change point, by dynamic programming
 * over every segmentation (O(n^2) for n runs). s_i^2 is the run's own
 * standard error squared (from its rounds) plus STEP_FLOOR^2, the
 * run-to-run spread one run cannot see; results marked unstable are left
 * out of the fit. A step between two fitted levels is listed only when
 * the levels differ by more than the threshold (compare's, 5%): a
 * regression when the benchmark got worse (slower, or less throughput).
 * Costs: loading the runs dominates: 0.5 to 0.7 s for three runs, two of
 * them quick runs of five suites (5700 entries), on the 2-vCPU EPYC VM of
 * the README; the fit takes microseconds per series. Test: bash
 * tests/scripts/trend.sh.
 */
#define _GNU_SOURCE
#include "analysis.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Run-to-run spread not visible inside one run: 2% (log scale). */
#define STEP_FLOOR 0.02
/* Chi-square units per change point, before the 2 ln n of the search. */
#define STEP_PENALTY 10.0

struct machine {
	char *key;		/* identity fields joined, for grouping */
	char id[16];		/* "m-" and a hash of key: a folder name */
	json_t *identity;
	int *runs;		/* indexes into the loaded runs, by start */
	int n;
};

static const char *ident_keys[][2] = {
	{ "cpu_model", "cpu_model" }, { "cores", "topo_cores" },
	{ "memory_bytes", "mem_total_bytes" }, { "kernel", "kernel" },
	{ "hypervisor", "hypervisor" }, { "host", "host_name" },
};

/* A context string with the padding some CPUs put in their model name. */
static char *trimmed(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

static json_t *identity_of(struct run *r, char **key)
{
	json_t *ctx = json_object_get(r->root, "context");
	json_t *id = json_object();
	size_t len = 1;

	*key = xstrdup("");
	for (size_t i = 0; i < sizeof(ident_keys) / sizeof(ident_keys[0]); i++) {
		const char *v = jstr(ctx, ident_keys[i][1], NULL);
		char *t;

		if (!v && !strcmp(ident_keys[i][0], "host"))
			v = jstr(r->root, "host", NULL);
		t = trimmed(v ? v : "?");
		len += strlen(t) + 1;
		*key = realloc(*key, len);
		strcat(strcat(*key, t), "\x1f");
		json_object_set_new(id, ident_keys[i][0], json_string(t));
		free(t);
	}
	return id;
}

/* FNV-1a, 32 bits: a short stable name for a machine's folder. */
static unsigned fnv1a(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The figure of one benchmark in one run, as summary gives it. */
struct point {
	int ok;			/* a value */
	double v, lo, hi;	/* lo, hi: NAN without an interval */
	double se;		/* of log(v); NAN without rounds to say */
	int rounds;
	const char *status, *reason, *unstable;
};

static void point_of(const struct bench *b, struct point *p)
{
	const char *metric = bench_metric(b, opt.metric);
	double *v, *m;
	int *ids, n = bench_values(b, metric, &v);
	int k = bench_rounds(b, metric, &m, &ids);
	struct stats_est e;

	memset(p, 0, sizeof(*p));
	p->lo = p->hi = p->se = NAN;
	p->status = b->status;
	p->reason = b->reason;
	p->unstable = b->unstable;
	p->rounds = k;
	if (!n || strcmp(b->status, "ok"))
		goto out;
	p->ok = 1;
	p->v = stats_median(v, n);
	for (int i = 0; i < k; i++)
		if (!(m[i] > 0))
			goto out;
	for (int i = 0; i < k; i++)
		m[i] = log(m[i]);
	if (!stats_one_sample(m, k, 1 - opt.alpha, &e)) {
		p->v = exp(e.diff);
		p->lo = exp(e.lo);
		p->hi = exp(e.hi);
		p->se = e.se;
	}
out:
	free(v);
	free(m);
	free(ids);
}

/*
 * The fit: seg[i] gets the index of the segment of point i; returns the
 * number of segments. x, w: n log values and their weights.
 */
static int step_fit(const double *x, const double *w, int n, int *seg)
{
	double *sw = xcalloc((size_t)n + 1, sizeof(double));
	double *swx = xcalloc((size_t)n + 1, sizeof(double));
	double *swxx = xcalloc((size_t)n + 1, sizeof(double));
	double *f = xcalloc((size_t)n + 1, sizeof(double));
	int *last = xcalloc((size_t)n + 1, sizeof(int));
	double beta = STEP_PENALTY + 2 * log(n > 1 ? n : 1);
	int nseg = 0;

	for (int i = 0; i < n; i++) {
		sw[i + 1] = sw[i] + w[i];
		swx[i + 1] = swx[i] + w[i] * x[i];
		swxx[i + 1] = swxx[i] + w[i] * x[i] * x[i];
	}
	/* f[j]: the best cost of points 0..j-1; last[j]: its last segment's start. */
	f[0] = -beta;
	for (int j = 1; j <= n; j++) {
		f[j] = INFINITY;
		for (int i = 0; i < j; i++) {
			double W = sw[j] - sw[i], S = swx[j] - swx[i];
			double c = f[i] + (swxx[j] - swxx[i]) - S * S / W + beta;

			if (c < f[j])
				f[j] = c, last[j] = i;
		}
	}
	for (int j = n; j > 0; j = last[j])
		nseg++;
	for (int j = n, s = nseg - 1; j > 0; j = last[j], s--)
		for (int i = last[j]; i < j; i++)
			seg[i] = s;
	free(sw);
	free(swx);
	free(swxx);
	free(f);
	free(last);
	return nseg;
}

static json_t *point_json(const struct point *p, int run)
{
	json_t *o = json_pack("{s:i}", "run", run);

	if (p->ok) {
		json_object_set_new(o, "value", json_real(p->v));
		if (isfinite(p->lo)) {
			json_object_set_new(o, "ci_low", json_real(p->lo));
			json_object_set_new(o, "ci_high", json_real(p->hi));
		}
	} else {
		json_object_set_new(o, "status", json_string(p->status));
		if (p->reason)
			json_object_set_new(o, "reason", json_string(p->reason));
	}
	json_object_set_new(o, "rounds", json_integer(p->rounds));
	if (p->unstable)
		json_object_set_new(o, "unstable", json_string(p->unstable));
	return o;
}

/* Levels and steps of one series; returns how many steps it listed. */
static int fit_series(const struct point *p, int n, const char *metric,
		      json_t *levels, json_t *steps)
{
	double *x = xmalloc(sizeof(double) * (size_t)n);
	double *w = xmalloc(sizeof(double) * (size_t)n);
	int *at = xmalloc(sizeof(int) * (size_t)n);
	int *seg = xmalloc(sizeof(int) * (size_t)n);
	int m = 0, nseg, listed = 0, better_up = higher_is_better(metric);

	for (int i = 0; i < n; i++) {
		double s2 = STEP_FLOOR * STEP_FLOOR;

		if (!p[i].ok || p[i].unstable || !(p[i].v > 0))
			continue;
		if (isfinite(p[i].se))
			s2 += p[i].se * p[i].se;
		x[m] = log(p[i].v);
		w[m] = 1 / s2;
		at[m++] = i;
	}
	if (!m)
		goto out;
	nseg = step_fit(x, w, m, seg);
	for (int s = 0, i = 0; s < nseg; s++) {
		double sw = 0, swx = 0;
		int first = i;

		for (; i < m && seg[i] == s; i++)
			sw += w[i], swx += w[i] * x[i];
		json_array_append_new(levels, json_pack("{s:i,s:i,s:f}",
			"from", at[first], "to", at[i - 1],
			"level", exp(swx / sw)));
	}
	for (size_t s = 1; s < json_array_size(levels); s++) {
		json_t *a = json_array_get(levels, s - 1);
		json_t *b = json_array_get(levels, s);
		double before = jnum(a, "level", NAN), after = jnum(b, "level", NAN);
		double ratio = after / before;
		int worse = better_up ? ratio < 1 : ratio > 1;

		if (ratio < 1 + opt.threshold && ratio > 1 / (1 + opt.threshold))
			continue;
		listed++;
		json_array_append_new(steps, json_pack("{s:i,s:i,s:f,s:f,s:f,s:s,s:b}",
			"run", (int)jnum(b, "from", 0),
			"previous_run", (int)jnum(a, "to", 0),
			"before", before, "after", after, "ratio", ratio,
			"change", worse ? "worse" : "better",
			"regression", worse));
	}
out:
	free(x);
	free(w);
	free(at);
	free(seg);
	return listed;
}

static int by_start(const void *x, const void *y, void *ctx)
{
	struct run *r = ctx;
	int a = *(const int *)x, b = *(const int *)y, c;

	c = strcmp(jstr(r[a].root, "started", ""), jstr(r[b].root, "started", ""));
	if (!c)
		c = strcmp(jstr(r[a].root, "run_id", ""),
			   jstr(r[b].root, "run_id", ""));
	return c ? c : a - b;
}

static json_t *machine_json(struct machine *m, struct run *r, int *nsteps)
{
	json_t *runs = json_array(), *series = json_array();
	struct point *p = xmalloc(sizeof(*p) * (size_t)m->n);

	for (int k = 0; k < m->n; k++) {
		struct run *x = &r[m->runs[k]];
		const char *slash = strrchr(x->path, '/');
		char *dir = slash ? strndup(x->path, (size_t)(slash - x->path))
				  : xstrdup(".");
		const char *base = strrchr(dir, '/');

		json_array_append_new(runs, json_pack("{s:s,s:s,s:s,s:s,s:s}",
			"path", x->path, "folder", base ? base + 1 : dir,
			"run_id", jstr(x->root, "run_id", ""),
			"started", jstr(x->root, "started", ""),
			"profile", jstr(x->root, "profile", "")));
		free(dir);
	}
	/* Every benchmark of any of the machine's runs, in order seen. */
	for (int k = 0; k < m->n; k++) {
		struct run *x = &r[m->runs[k]];

		for (int i = 0; i < x->n; i++) {
			struct bench *b = &x->b[i];
			json_t *pts, *levels, *steps;
			const char *metric = bench_metric(b, opt.metric);
			int seen = 0;

			for (int j = 0; j < k && !seen; j++)
				seen = !!run_find(&r[m->runs[j]], b->flavor,
						  b->name);
			if (seen)
				continue;
			pts = json_array();
			for (int j = 0; j < m->n; j++) {
				struct bench *y = j < k ? NULL :
					run_find(&r[m->runs[j]], b->flavor, b->name);

				p[j] = (struct point){ .ok = 0 };
				if (!y)
					continue;
				point_of(y, &p[j]);
				json_array_append_new(pts, point_json(&p[j], j));
			}
			levels = json_array();
			steps = json_array();
			*nsteps += fit_series(p, m->n, metric, levels, steps);
			json_array_append_new(series, json_pack(
				"{s:s,s:s,s:s,s:s,s:b,s:o,s:o,s:o}",
				"suite", b->suite, "flavor", b->flavor,
				"name", b->name, "metric", metric,
				"higher_is_better", higher_is_better(metric),
				"points", pts, "levels", levels,
				"steps", steps));
		}
	}
	free(p);
	return json_pack("{s:s,s:O,s:o,s:o}", "id", m->id, "identity",
			 m->identity, "runs", runs, "series", series);
}

static void print_text(json_t *out)
{
	json_t *m, *s, *st, *runs;
	size_t i, j, k;

	json_array_foreach(json_object_get(out, "machines"), i, m) {
		json_t *id = json_object_get(m, "identity");

		runs = json_object_get(m, "runs");
		printf("%s: %s, %s cores, %s, %s (%zu runs)\n", jstr(m, "id", ""),
		       jstr(id, "cpu_model", ""), jstr(id, "cores", ""),
		       jstr(id, "kernel", ""), jstr(id, "host", ""),
		       json_array_size(runs));
		json_array_foreach(json_object_get(m, "series"), j, s)
			json_array_foreach(json_object_get(s, "steps"), k, st) {
				json_t *at = json_array_get(runs,
					(size_t)jnum(st, "run", 0));

				printf("  %-56s %-8s %+6.1f%% at %s%s\n",
				       jstr(s, "name", ""), jstr(s, "flavor", ""),
				       100 * (jnum(st, "ratio", 1) - 1),
				       jstr(at, "run_id", ""),
				       json_is_true(json_object_get(st,
						"regression")) ? "  REGRESSION" : "");
			}
	}
}

int cmd_trend(int argc, char **argv)
{
	struct run *r;
	struct machine *ms = NULL;
	json_t *machines, *out;
	int nm = 0, nsteps = 0, rc = 2;

	if (argc < 1) {
		fprintf(stderr, "usage: benchstat trend RUN.json...\n");
		return 2;
	}
	r = xcalloc((size_t)argc, sizeof(*r));
	for (int i = 0; i < argc; i++)
		if (run_load(&r[i], argv[i]))
			goto out;
	for (int i = 0; i < argc; i++) {
		char *key;
		json_t *id = identity_of(&r[i], &key);
		int k;

		for (k = 0; k < nm && strcmp(ms[k].key, key); k++)
			;
		if (k == nm) {
			ms = realloc(ms, sizeof(*ms) * (size_t)(nm + 1));
			ms[nm] = (struct machine){ .key = key, .identity = id };
			snprintf(ms[nm].id, sizeof(ms[nm].id), "m-%08x",
				 fnv1a(key));
			nm++;
		} else {
			free(key);
			json_decref(id);
		}
		ms[k].runs = realloc(ms[k].runs, sizeof(int) * (size_t)(ms[k].n + 1));
		ms[k].runs[ms[k].n++] = i;
	}
	machines = json_array();
	for (int k = 0; k < nm; k++) {
		qsort_r(ms[k].runs, (size_t)ms[k].n, sizeof(int), by_start, r);
		json_array_append_new(machines, machine_json(&ms[k], r, &nsteps));
	}
	out = json_pack("{s:{s:s,s:f,s:f,s:s,s:f},s:i,s:o}", "method",
		"name", "penalised piecewise-constant fit (optimal partitioning) "
			"on log values, weighted by each run's variance",
		"floor", STEP_FLOOR, "penalty", STEP_PENALTY,
		"penalty_per_step", "penalty + 2 ln(runs)",
		"threshold", opt.threshold, "steps", nsteps,
		"machines", machines);
	if (opt.json) {
		json_dumpf(out, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		printf("\n");
	} else {
		print_text(out);
	}
	json_decref(out);
	rc = 0;
out:
	for (int k = 0; k < nm; k++) {
		free(ms[k].key);
		free(ms[k].runs);
		json_decref(ms[k].identity);
	}
	free(ms);
	for (int i = 0; i < argc; i++)
		if (r[i].root)
			run_free(&r[i]);
	free(r);
	return rc;
}
