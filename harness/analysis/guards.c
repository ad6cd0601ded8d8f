/*
 * guards.c - marks results the machine disturbed, before any claim uses
 * them.
 *
 * Every benchmark, always:
 *   drift       its repetitions in time order (rounds, then repetitions)
 *               trend (Mann-Kendall p < 0.01, with the rounds as blocks:
 *               stats_mk_blocks) by more than 10% over the run (Sen's
 *               slope times the span, against the median); where the
 *               layout cannot give 0.01 (3 rounds of 2: 2/48 at best),
 *               only its most extreme order counts
 *   contention  a single-threaded benchmark timed on CPU time, which does
 *               not block by itself (guard_vol_cs), whose real time ran
 *               1.2x its CPU time (median over repetitions): the thread
 *               waited for a CPU, or the hypervisor took it
 *   preemption  more than 50 involuntary context switches per second of
 *               timed loop (guard_invol_cs, where the harness recorded it)
 *   migration   a pinned thread changed CPU while timed (guard_migrations
 *               with guard_pinned)
 * Per suite, declared beside its claims ("guards" in claims.json):
 *   rises       a series (a selector with {*}) must not fall from one
 *               argument to the next by more than its tolerance: both
 *               points contradict each other and are marked
 *   max, min    a bound no healthy result crosses ("a chase load slower
 *               than 3 us is not memory")
 * Marked results carry "unstable": "<reason>" in run.json; scripts/run
 * re-runs them once, and a claim resting on one is inconclusive.
 */
#define _GNU_SOURCE
#include "analysis.h"
#include "util.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DRIFT_P 0.01
#define DRIFT_SHARE 0.10
#define DRIFT_DRAWS 9999
#define CONTENTION 1.20
#define PREEMPT_PER_S 50.0

static void mark(struct run *r, struct bench *b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void mark(struct run *r, struct bench *b, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int rerun = b->n && json_is_true(json_object_get(b->e[0], "rerun"));

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rerun)
		strncat(buf, " (also in its re-run)", sizeof(buf) - strlen(buf) - 1);
	/* Every reason found, in the order the checks run. */
	if (b->unstable) {
		char *both;

		if (asprintf(&both, "%s; %s", b->unstable, buf) < 0)
			return;
		b->unstable = run_own(r, both);
		return;
	}
	b->unstable = run_own(r, xstrdup(buf));
}

static double entry_num(json_t *e, const char *k)
{
	return jnum(e, k, NAN);
}

static void guard_drift(struct run *r, struct bench *b)
{
	double *v, s, p, slope, med, pmin, cut;
	const char *metric = bench_metric(b, "auto");
	int *rounds, nr = 1;
	int n = bench_values_rounds(b, metric, &v, &rounds);
	char how[160];

	if (n < 5)
		goto out;
	/*
	 * Mann-Kendall as if every repetition were independent first: a
	 * process's repetitions share its level, so this p is too small, but
	 * cheap; only what it flags is tested again with the rounds as
	 * blocks (exact, or 9999 random orders where that is too many).
	 */
	p = stats_mann_kendall(v, n, &s);
	slope = stats_sen_slope(v, n);
	med = stats_median(v, n);
	if (!(p < DRIFT_P && med > 0 && fabs(slope * (n - 1)) / med > DRIFT_SHARE))
		goto out;
	for (int i = 1; i < n; i++)
		nr += rounds[i] != rounds[i - 1];
	p = stats_mk_blocks(v, rounds, n, DRIFT_DRAWS, &pmin);
	cut = pmin > DRIFT_P ? pmin * (1 + 1e-9) : DRIFT_P;
	if (pmin > DRIFT_P)
		snprintf(how, sizeof(how), "p = %.2g with its %d rounds as blocks, "
			 "the least %d values in %d rounds can give", p, nr, n, nr);
	else
		snprintf(how, sizeof(how), "p = %.2g with its %d rounds as blocks",
			 p, nr);
	if (p <= cut)
		/*
		 * The trend's size as a share of the median: the Sen line's
		 * change from first to last repetition, which for a fall
		 * from a slow start can exceed 100% (a percentage "fell by"
		 * could not).
		 */
		mark(r, b, "drifts: %s %s over its %d repetitions in time "
		     "order, a trend of %.0f%% of its median (Mann-Kendall "
		     "%s)", metric, slope > 0 ? "rose" : "fell", n,
		     100 * fabs(slope * (n - 1)) / med, how);
out:
	free(v);
	free(rounds);
}

static void guard_machine(struct run *r, struct bench *b, int ncpu)
{
	double *ratio = xmalloc(sizeof(double) * (size_t)(b->n ? b->n : 1));
	double *rate = xmalloc(sizeof(double) * (size_t)(b->n ? b->n : 1));
	int nr = 0, np = 0, moved = 0, blocks = 0;

	for (int i = 0; i < b->n; i++) {
		json_t *e = b->e[i];
		double real = entry_num(e, "real_time");
		double cpu = entry_num(e, "cpu_time");
		double it = entry_num(e, "iterations");
		double cs = entry_num(e, "guard_invol_cs");
		double secs;

		if (real > 0 && cpu > 0)
			ratio[nr++] = real / cpu;
		/* Seconds of timed loop: time per iteration times iterations. */
		secs = real * it * (!strcmp(jstr(e, "time_unit", "ns"), "ns") ? 1e-9
			: !strcmp(jstr(e, "time_unit", ""), "us") ? 1e-6
			: !strcmp(jstr(e, "time_unit", ""), "ms") ? 1e-3 : 1);
		if (isfinite(cs) && secs > 0)
			rate[np++] = cs >= 3 ? cs / secs : 0;
		moved += entry_num(e, "guard_pinned") == 1 &&
			 entry_num(e, "guard_migrations") > 0;
		/* A loop that blocks by design (page faults from disk, a
		 * child process) waits off the CPU: not contention. */
		blocks += isfinite(secs) && secs > 0 &&
			  entry_num(e, "guard_vol_cs") / secs > PREEMPT_PER_S;
	}
	if (b->threads == 1 && !b->real_time && nr && blocks * 2 <= b->n &&
	    stats_median(ratio, nr) > CONTENTION)
		mark(r, b, "contended: real time ran %.2fx its CPU time (the "
		     "thread waited for a CPU, or the hypervisor took it)",
		     stats_median(ratio, nr));
	/* Preemption is judged only where it can be told apart from the
	 * benchmark's own design: not for a loop that blocks by design (its
	 * wake-ups preempt the waker: the switch and offload benchmarks),
	 * nor for one whose threads fill every CPU (the kernel's own
	 * threads can run nowhere else). */
	if (np && blocks * 2 <= b->n && !(ncpu > 0 && b->threads >= ncpu) &&
	    stats_median(rate, np) > PREEMPT_PER_S)
		mark(r, b, "preempted: %.0f involuntary context switches per "
		     "second of timed loop (another task shared its CPU)",
		     stats_median(rate, np));
	if (moved * 2 > b->n)
		mark(r, b, "migrated: a pinned thread changed CPU while timed "
		     "in %d of %d repetitions", moved, b->n);
	free(ratio);
	free(rate);
}

static int cmp_param(const void *x, const void *y)
{
	const struct bench *a = *(struct bench *const *)x;
	const struct bench *b = *(struct bench *const *)y;
	int c = bench_series_cmp(a, b);

	return c ? c : (a->param > b->param) - (a->param < b->param);
}

static double bench_median(struct bench *b, const char *metric)
{
	double *v, m;
	int n = bench_values(b, metric, &v);

	m = n ? stats_median(v, n) : NAN;
	free(v);
	return m;
}

/* A declared guard over the benchmarks its selector matches. */
static int guard_rule(struct run *r, json_t *g, const char *file)
{
	const char *kind = jstr(g, "kind", "");
	const char *pat = jstr(g, "benchmarks", NULL);
	const char *metric = jstr(g, "metric", "auto");
	const char *why = jstr(g, "why", "");
	struct bench **m = NULL;
	int pick, n = 0;
	regex_t re;
	char *rx;

	if (!pat || (strcmp(kind, "rises") && strcmp(kind, "max") &&
		     strcmp(kind, "min"))) {
		fprintf(stderr, "error: %s: guard %s: needs benchmarks and a "
			"kind (rises, max, min)\n", file, jstr(g, "id", "?"));
		return -1;
	}
	rx = sel_regex(pat, &pick);
	if (regcomp(&re, rx, REG_EXTENDED | REG_NOSUB)) {
		free(rx);
		return -1;
	}
	for (int i = 0; i < r->n; i++) {
		struct bench *b = &r->b[i];

		if (strcmp(b->status, "ok") ||
		    (regexec(&re, b->name, 0, NULL, 0) &&
		     regexec(&re, b->base, 0, NULL, 0)))
			continue;
		m = realloc(m, sizeof(*m) * (size_t)(n + 1));
		m[n++] = b;
	}
	regfree(&re);
	free(rx);
	if (!strcmp(kind, "rises")) {
		double tol = jnum(g, "tolerance", 0.1);

		if (n)	/* m is NULL when nothing matched */
			qsort(m, (size_t)n, sizeof(*m), cmp_param);
		{
			struct bench *prev = NULL;
			double pv = NAN;

			for (int i = 0; i < n; i++) {
				double v;

				if (!m[i]->has_param)
					continue;
				if (prev && bench_series_cmp(prev, m[i]))
					prev = NULL;	/* a new series */
				v = bench_median(m[i], bench_metric(m[i], metric));
				if (prev && v < pv * (1 - tol)) {
					mark(r, prev, "contradicts its neighbour: "
					     "%.4g here, %.4g at the next larger "
					     "argument (%s)", pv, v, why);
					mark(r, m[i], "contradicts its neighbour: "
					     "%.4g here, %.4g at the next smaller "
					     "argument (%s)", v, pv, why);
				}
				prev = m[i];
				pv = v;
			}
		}
	} else {
		double bound = jnum(g, kind, NAN);

		for (int i = 0; i < n && isfinite(bound); i++) {
			const char *mt = bench_metric(m[i], metric);
			double v = bench_median(m[i], mt);
			char b1[32];

			if (!strcmp(kind, "max") ? v > bound : v < bound)
				mark(r, m[i], "implausible: %s %s %s %.4g (%s)",
				     mt, fmt_value(b1, sizeof(b1), v, mt),
				     !strcmp(kind, "max") ? "above" : "below",
				     bound, why);
		}
	}
	free(m);
	return 0;
}

int guards_apply(struct run *r, int nfiles, char **files, json_t *report)
{
	json_t *rules = json_array();
	int unstable = 0, checked = 0;
	int ncpu = (int)jnum(json_object_get(r->root, "context"), "num_cpus", 0);

	for (int i = 0; i < r->n; i++)
		r->b[i].unstable = NULL;
	for (int i = 0; i < r->n; i++) {
		if (strcmp(r->b[i].status, "ok"))
			continue;
		checked++;
		guard_drift(r, &r->b[i]);
		guard_machine(r, &r->b[i], ncpu);
	}
	for (int f = 0; f < nfiles; f++) {
		json_t *doc = json_load_file(files[f], 0, NULL), *g;
		size_t i;

		if (!doc) {
			fprintf(stderr, "error: cannot read %s\n", files[f]);
			json_decref(rules);
			return -1;
		}
		json_array_foreach(json_object_get(doc, "guards"), i, g) {
			if (guard_rule(r, g, files[f])) {
				json_decref(doc);
				json_decref(rules);
				return -1;
			}
			json_array_append_new(rules, json_pack("{s:s,s:s,s:s}",
				"suite", jstr(doc, "suite", ""), "id",
				jstr(g, "id", ""), "why", jstr(g, "why", "")));
		}
		json_decref(doc);
	}
	for (int i = 0; i < r->n; i++)
		unstable += r->b[i].unstable != NULL;
	json_object_set_new(report, "checked", json_integer(checked));
	json_object_set_new(report, "unstable", json_integer(unstable));
	json_object_set_new(report, "rules", rules);
	return 0;
}

void guards_mark(struct run *r, json_t *report)
{
	for (int i = 0; i < r->n; i++)
		for (int j = 0; j < r->b[i].n; j++) {
			if (r->b[i].unstable)
				json_object_set_new(r->b[i].e[j], "unstable",
						    json_string(r->b[i].unstable));
			else
				json_object_del(r->b[i].e[j], "unstable");
		}
	json_object_set(r->root, "guards", report);
}

int cmd_guards(int argc, char **argv)
{
	struct run r;
	json_t *report, *list;
	int rc = 0;

	if (argc < 1) {
		fprintf(stderr, "usage: benchstat guards RUN.json [CLAIMS.json...] "
			"[--write [--out FILE]] [--list]\n");
		return 2;
	}
	if (run_load(&r, argv[0]))
		return 2;
	report = json_object();
	if (guards_apply(&r, argc - 1, argv + 1, report)) {
		rc = 2;
		goto out;
	}
	list = json_array();
	for (int i = 0; i < r.n; i++)
		if (r.b[i].unstable) {
			json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s}",
				"suite", r.b[i].suite, "flavor", r.b[i].flavor,
				"name", r.b[i].name, "reason", r.b[i].unstable));
			if (opt.list)
				printf("%s\t%s\t%s\t%s\n", r.b[i].suite,
				       r.b[i].flavor, r.b[i].name,
				       r.b[i].unstable);
		}
	if (opt.write) {
		guards_mark(&r, report);
		if (json_write_atomic(r.root, opt.out ? opt.out : argv[0]))
			rc = 2;
	}
	if (opt.json) {
		json_object_set(report, "benchmarks", list);
		json_dumpf(report, stdout, JSON_INDENT(1));
		printf("\n");
	} else if (!opt.list && !opt.write) {
		size_t i;
		json_t *o;

		json_array_foreach(list, i, o)
			printf("unstable: %s [%s]: %s\n", jstr(o, "name", ""),
			       jstr(o, "flavor", ""), jstr(o, "reason", ""));
		printf("%d of %d benchmarks unstable\n",
		       (int)json_array_size(list),
		       (int)jnum(report, "checked", 0));
	}
	json_decref(list);
out:
	json_decref(report);
	run_free(&r);
	return rc;
}
