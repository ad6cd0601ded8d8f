/*
 * compare.c - two runs against each other (B against A), and the flavors
 * within one run against a baseline flavor.
 *
 * Before any figure, compare says what it compared: the differences
 * between the two runs' machines and builds, whether the suite binaries
 * are identical, the benchmarks only one run has, and whether the
 * machine's own calibration moved (then a slowdown is the machine's, not
 * the code's). A regression is a benchmark slower than the threshold with
 * the whole interval beyond it, after Holm's correction over every
 * benchmark compared: identical binaries must come out "no change".
 */
#include "analysis.h"
#include "util.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

/* Context keys whose difference changes what a benchmark measures. */
static const char *env_keys[] = {
	"cpu_model", "topo_cpus", "topo_cores", "topo_caches", "topo_llc_bytes",
	"mem_total_bytes", "kernel", "arch", "thp_mode", "hugetlb",
	"hypervisor", "cpu_vulnerabilities", "damon", "bench_compiler",
	"bench_cc", "bench_cflags", "bench_march_native", "bench_git_commit",
	"data_dir_fs", "root", "papi", "perf_event", "counter_syscalls",
	"bench_pinning",
};

static json_t *env_diff(struct run *a, struct run *b)
{
	json_t *ca = json_object_get(a->root, "context");
	json_t *cb = json_object_get(b->root, "context");
	json_t *out = json_array();
	const char *top[] = { "profile", "host" };

	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		const char *x = jstr(a->root, top[i], ""), *y = jstr(b->root,
								      top[i], "");

		if (strcmp(x, y))
			json_array_append_new(out, json_pack("{s:s,s:s,s:s}",
				"key", top[i], "a", x, "b", y));
	}
	for (size_t i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++) {
		const char *x = jstr(ca, env_keys[i], NULL);
		const char *y = jstr(cb, env_keys[i], NULL);

		if (!x && !y)
			continue;
		if (x && y && !strcmp(x, y))
			continue;
		json_array_append_new(out, json_pack("{s:s,s:s,s:s}",
			"key", env_keys[i], "a", x ? x : "(absent)",
			"b", y ? y : "(absent)"));
	}
	return out;
}

/* Suite binaries: identical (same SHA-256) or not, per suite and flavor. */
static json_t *binaries(struct run *a, struct run *b)
{
	json_t *sa = json_object_get(a->root, "suites");
	json_t *sb = json_object_get(b->root, "suites");
	json_t *same = json_array(), *diff = json_array(), *x, *y;
	size_t i, j;

	json_array_foreach(sa, i, x) {
		const char *ha = jstr(json_object_get(x, "context"),
				      "binary_sha256", NULL);
		char key[256];
		int dup = 0;

		snprintf(key, sizeof(key), "%s %s", jstr(x, "suite", "?"),
			 jstr(x, "flavor", "?"));
		json_array_foreach(same, j, y)
			dup |= !strcmp(json_string_value(y), key);
		json_array_foreach(diff, j, y)
			dup |= !strcmp(json_string_value(y), key);
		if (dup || !ha)
			continue;
		json_array_foreach(sb, j, y) {
			const char *hb = jstr(json_object_get(y, "context"),
					      "binary_sha256", NULL);

			if (!hb || strcmp(jstr(x, "suite", ""), jstr(y, "suite", "")) ||
			    strcmp(jstr(x, "flavor", ""), jstr(y, "flavor", "")))
				continue;
			json_array_append_new(!strcmp(ha, hb) ? same : diff,
					      json_string(key));
			break;
		}
	}
	return json_pack("{s:o,s:o}", "identical", same, "different", diff);
}

/*
 * The machine's calibration (null syscall, compute loop, chase; taken at
 * the start and end of every run): figures are objects with a "median"
 * (wall time) and, where measured, a "cpu_median", which is what is
 * compared: a busy neighbour inflates wall time, not the machine's speed.
 * Two runs are on a different machine state when a figure moved between
 * them by more than 20% and by more than it moved within either run.
 */
#define CALIB_FLOOR 1.20

static double calib_figure(json_t *v)
{
	return jnum(v, "cpu_median", jnum(v, "median", NAN));
}

static int calib_pair(json_t *cal, const char *key, double *lo, double *hi)
{
	double s = calib_figure(json_object_get(json_object_get(cal, "start"),
						key));
	double e = calib_figure(json_object_get(json_object_get(cal, "end"),
						key));

	if (!(s > 0) && !(e > 0))
		return 0;
	if (!(s > 0))
		s = e;
	if (!(e > 0))
		e = s;
	*lo = s < e ? s : e;
	*hi = s < e ? e : s;
	return 1;
}

static json_t *calibration(struct run *a, struct run *b, int *differs)
{
	json_t *ca = json_object_get(a->root, "calibration");
	json_t *cb = json_object_get(b->root, "calibration");
	json_t *out = json_array(), *start = json_object_get(ca, "start"), *v;
	const char *key;

	*differs = 0;
	json_object_foreach(start, key, v) {
		double alo, ahi, blo, bhi, ra, rb, within, moved;

		if (!json_is_object(v) || !calib_pair(ca, key, &alo, &ahi) ||
		    !calib_pair(cb, key, &blo, &bhi))
			continue;
		ra = sqrt(alo * ahi);
		rb = sqrt(blo * bhi);
		within = fmax(ahi / alo, bhi / blo);
		moved = rb > ra ? rb / ra : ra / rb;
		json_array_append_new(out, json_pack("{s:s,s:f,s:f,s:f,s:b}",
			"figure", key, "a", ra, "b", rb, "within_run", within,
			"differs", moved > CALIB_FLOOR && moved > within));
		*differs |= moved > CALIB_FLOOR && moved > within;
	}
	return out;
}

struct row {
	struct bench *a, *b;
	struct cmp c;
	const char *verdict;
	int regression, improvement;
};

static const char *row_verdict(const struct cmp *c)
{
	double t = 1 + opt.threshold;

	if (c->not_testable)
		return "not testable";
	if (!c->ok)
		return "inconclusive";
	if (c->unstable)
		return "unstable";
	if (c->p < opt.alpha)
		return c->ratio > 1 ? "faster" : "slower";
	if (c->lo >= 1 / t && c->hi <= t)
		return "same";
	return "inconclusive";
}

static void print_header(const char *a, const char *b)
{
	printf("%-56s %10s %10s  %-24s %-7s %s\n", "benchmark", a, b,
	       "speedup [95% CI]", "rounds", "verdict");
}

static void print_row(const char *label, const struct row *w,
		      const char *metric)
{
	char b1[32], b2[32], ci[48] = "", rounds[16];

	if (w->c.ok)
		snprintf(ci, sizeof(ci), "%.3fx [%.3f, %.3f]", w->c.ratio,
			 w->c.lo, w->c.hi);
	else if (isfinite(w->c.ratio))
		snprintf(ci, sizeof(ci), "%.3fx", w->c.ratio);
	snprintf(rounds, sizeof(rounds), "%d/%d", w->c.na, w->c.nb);
	printf("%-56s %10s %10s  %-24s %-7s %s%s\n", label,
	       fmt_value(b1, sizeof(b1), w->c.base_med, metric),
	       fmt_value(b2, sizeof(b2), w->c.cand_med, metric), ci, rounds,
	       w->verdict, w->regression ? "  REGRESSION"
			   : w->improvement ? "  IMPROVED" : "");
	if (w->c.unstable)
		printf("%-56s   (unstable: %s)\n", "", w->c.unstable);
	else if (!w->c.ok && w->c.why[0])
		printf("%-56s   (%s)\n", "", w->c.why);
}

static json_t *row_json(const struct row *w)
{
	json_t *o = json_object();

	json_object_set_new(o, "suite", json_string((w->a ? w->a : w->b)->suite));
	json_object_set_new(o, "name", json_string((w->a ? w->a : w->b)->name));
	json_object_set_new(o, "flavor", json_string(w->b->flavor));
	json_object_set_new(o, "verdict", json_string(w->verdict));
	json_object_set_new(o, "rounds_baseline", json_integer(w->c.na));
	json_object_set_new(o, "rounds_candidate", json_integer(w->c.nb));
	json_object_set_new(o, "paired", json_boolean(w->c.paired));
	if (isfinite(w->c.base_med))
		json_object_set_new(o, "baseline_median", json_real(w->c.base_med));
	if (isfinite(w->c.cand_med))
		json_object_set_new(o, "candidate_median",
				    json_real(w->c.cand_med));
	if (isfinite(w->c.ratio))
		json_object_set_new(o, "speedup", json_real(w->c.ratio));
	if (w->c.ok) {
		json_object_set_new(o, "ci_low", json_real(w->c.lo));
		json_object_set_new(o, "ci_high", json_real(w->c.hi));
		json_object_set_new(o, "p_value", json_real(w->c.p));
	}
	json_object_set_new(o, "regression", json_boolean(w->regression));
	json_object_set_new(o, "improvement", json_boolean(w->improvement));
	if (w->c.unstable)
		json_object_set_new(o, "unstable", json_string(w->c.unstable));
	if (w->c.why[0])
		json_object_set_new(o, "note", json_string(w->c.why));
	return o;
}

/*
 * The gate: per row, the one-sided p that the change is beyond the
 * threshold (slower for regressions, faster for improvements), Holm over
 * every row that has an interval. Unstable rows are not judged.
 */
static void gate(struct row *w, int n)
{
	double *ps = xmalloc(sizeof(double) * (size_t)(n ? n : 1));
	double *pf = xmalloc(sizeof(double) * (size_t)(n ? n : 1));
	int *rs = xmalloc(sizeof(int) * (size_t)(n ? n : 1));
	int *rf = xmalloc(sizeof(int) * (size_t)(n ? n : 1));
	double t = 1 + opt.threshold;

	for (int i = 0; i < n; i++) {
		int judged = w[i].c.ok && !w[i].c.unstable;

		ps[i] = judged ? cmp_p_beyond(&w[i].c, 1 / t, 0) : NAN;
		pf[i] = judged ? cmp_p_beyond(&w[i].c, t, 1) : NAN;
	}
	stats_holm(ps, n, opt.alpha, rs);
	stats_holm(pf, n, opt.alpha, rf);
	for (int i = 0; i < n; i++) {
		w[i].regression = rs[i];
		w[i].improvement = rf[i];
	}
	free(ps);
	free(pf);
	free(rs);
	free(rf);
}

struct tally {
	int n, faster, slower, same, inconclusive, unstable, not_testable;
	int beyond;		/* significant and beyond the threshold */
	int regressions, improvements;
};

static void count(struct tally *t, const struct row *w)
{
	double th = 1 + opt.threshold;

	t->n++;
	t->faster += !strcmp(w->verdict, "faster");
	t->slower += !strcmp(w->verdict, "slower");
	t->same += !strcmp(w->verdict, "same");
	t->inconclusive += !strcmp(w->verdict, "inconclusive");
	t->unstable += !strcmp(w->verdict, "unstable");
	t->not_testable += !strcmp(w->verdict, "not testable");
	t->beyond += (!strcmp(w->verdict, "faster") ||
		      !strcmp(w->verdict, "slower")) &&
		     (w->c.ratio > th || w->c.ratio < 1 / th);
	t->regressions += w->regression;
	t->improvements += w->improvement;
}

static json_t *tally_json(const struct tally *t)
{
	return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}",
			 "compared", t->n, "faster", t->faster, "slower",
			 t->slower, "same", t->same, "inconclusive",
			 t->inconclusive, "unstable", t->unstable,
			 "not_testable", t->not_testable,
			 "significant_beyond_threshold", t->beyond,
			 "regressions", t->regressions,
			 "improvements", t->improvements);
}

/* Compares two loaded runs; fills rows and the report object. */
int compare_runs(struct run *a, struct run *b, json_t *report, int print)
{
	struct row *w = xcalloc((size_t)(a->n + 1), sizeof(*w));
	json_t *rows = json_array(), *only_a = json_array(), *only_b = json_array();
	json_t *env = env_diff(a, b), *bins = binaries(a, b), *cal, *x;
	struct tally t = { 0 };
	int n = 0, differs, rc;
	size_t i;

	cal = calibration(a, b, &differs);
	for (int k = 0; k < a->n; k++) {
		struct bench *y = run_find(b, a->b[k].flavor, a->b[k].name);

		if (!y) {
			json_array_append_new(only_a, json_string(a->b[k].name));
			continue;
		}
		w[n].a = &a->b[k];
		w[n].b = y;
		compare_benches(a, w[n].a, b, y, opt.metric, 0, 1 - opt.alpha,
				&w[n].c);
		w[n].verdict = row_verdict(&w[n].c);
		n++;
	}
	for (int k = 0; k < b->n; k++)
		if (!run_find(a, b->b[k].flavor, b->b[k].name))
			json_array_append_new(only_b, json_string(b->b[k].name));
	gate(w, n);
	for (int k = 0; k < n; k++) {
		count(&t, &w[k]);
		json_array_append_new(rows, row_json(&w[k]));
	}
	rc = t.regressions ? (differs ? 3 : 1) : 0;
	json_object_set_new(report, "a", json_pack("{s:s,s:s}", "path", a->path,
		"run_id", jstr(a->root, "run_id", "")));
	json_object_set_new(report, "b", json_pack("{s:s,s:s}", "path", b->path,
		"run_id", jstr(b->root, "run_id", "")));
	json_object_set_new(report, "environment", env);
	json_object_set_new(report, "binaries", bins);
	json_object_set_new(report, "calibration", cal);
	json_object_set_new(report, "machine_differs", json_boolean(differs));
	json_object_set_new(report, "only_in_a", only_a);
	json_object_set_new(report, "only_in_b", only_b);
	json_object_set_new(report, "summary", tally_json(&t));
	json_object_set_new(report, "threshold", json_real(opt.threshold));
	json_object_set_new(report, "alpha", json_real(opt.alpha));
	json_object_set_new(report, "benchmarks", rows);
	json_object_set_new(report, "exit", json_integer(rc));
	if (!print)
		goto out;

	printf("A: %s (%s)\nB: %s (%s)\n", a->path,
	       jstr(a->root, "run_id", "raw"), b->path,
	       jstr(b->root, "run_id", "raw"));
	if (json_array_size(env)) {
		printf("\nenvironment differences (A | B):\n");
		json_array_foreach(env, i, x)
			printf("  %-22s %s | %s\n", jstr(x, "key", ""),
			       jstr(x, "a", ""), jstr(x, "b", ""));
	} else {
		printf("\nenvironment: the same machine and build context\n");
	}
	x = json_object_get(bins, "identical");
	if (json_array_size(x)) {
		printf("identical binaries (same SHA-256) in both runs:");
		for (i = 0; i < json_array_size(x); i++)
			printf("%s %s", i ? "," : "",
			       json_string_value(json_array_get(x, i)));
		printf("\n");
	}
	x = json_object_get(bins, "different");
	for (i = 0; i < json_array_size(x); i++)
		printf("%s%s", i ? ", " : "binaries that differ: ",
		       json_string_value(json_array_get(x, i)));
	if (json_array_size(x))
		printf("\n");
	json_array_foreach(cal, i, x)
		printf("calibration %-18s A %.4g, B %.4g (moved %.2fx; within "
		       "a run %.2fx)%s\n", jstr(x, "figure", ""),
		       jnum(x, "a", NAN), jnum(x, "b", NAN),
		       fmax(jnum(x, "a", 1) / jnum(x, "b", 1),
			    jnum(x, "b", 1) / jnum(x, "a", 1)),
		       jnum(x, "within_run", NAN),
		       json_is_true(json_object_get(x, "differs"))
			       ? "  DIFFERS" : "");
	if (differs)
		printf("warning: the machine itself changed between the runs "
		       "(calibration above): differences are not attributed "
		       "to the code\n");
	for (i = 0; i < json_array_size(only_a); i++)
		printf("only in A: %s\n",
		       json_string_value(json_array_get(only_a, i)));
	for (i = 0; i < json_array_size(only_b); i++)
		printf("only in B: %s\n",
		       json_string_value(json_array_get(only_b, i)));
	printf("\n");
	print_header("A", "B");
	for (int k = 0; k < n; k++) {
		char label[512];

		snprintf(label, sizeof(label), "%s%s%s%s", w[k].a->name,
			 *w[k].a->flavor ? " [" : "", w[k].a->flavor,
			 *w[k].a->flavor ? "]" : "");
		print_row(label, &w[k], bench_metric(w[k].a, opt.metric));
	}
	printf("\n%d benchmarks in both runs: %d faster, %d slower, %d the "
	       "same within %.0f%%, %d inconclusive, %d unstable, %d not "
	       "testable (p < %.2g each)\n", t.n, t.faster, t.slower, t.same,
	       100 * opt.threshold, t.inconclusive, t.unstable,
	       t.not_testable, opt.alpha);
	printf("%d regressions and %d improvements beyond %.0f%% (the whole "
	       "interval beyond it, Holm-corrected over %d)%s\n",
	       t.regressions, t.improvements, 100 * opt.threshold, t.n,
	       rc == 3 ? ": not attributed to the code, the machine changed"
		       : "");
out:
	free(w);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	struct run a, b;
	json_t *report;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: benchstat compare A.json B.json\n");
		return 2;
	}
	if (run_load_pair(&a, argv[0], &b, argv[1]))
		return 2;
	report = json_object();
	rc = compare_runs(&a, &b, report, !opt.json);
	if (!json_integer_value(json_object_get(json_object_get(report,
		"summary"), "compared"))) {
		fprintf(stderr, "error: no benchmark appears in both runs\n");
		rc = 2;
	} else if (opt.json) {
		json_dumpf(report, stdout, JSON_INDENT(1));
		printf("\n");
	}
	json_decref(report);
	run_free(&a);
	run_free(&b);
	return rc;
}

/* ---- flavors within a run --------------------------------------------- */

static json_t *text_sizes(struct run *r, const char *suite, const char *fl)
{
	json_t *s, *t;
	size_t i;
	long base = -1, text = -1;

	json_array_foreach(json_object_get(r->root, "suites"), i, s) {
		if (!json_is_integer(t = json_object_get(s, "text_bytes")) ||
		    !suite || strcmp(jstr(s, "suite", ""), suite))
			continue;
		if (!strcmp(jstr(s, "flavor", ""), fl))
			text = (long)json_integer_value(t);
		if (!strcmp(jstr(s, "flavor", ""), opt.baseline))
			base = (long)json_integer_value(t);
	}
	if (text <= 0 || base <= 0)
		return NULL;
	return json_pack("{s:I,s:f}", "text_bytes", (json_int_t)text,
			 "text_ratio", (double)text / base);
}

int cmd_flavors(int argc, char **argv)
{
	struct run r;
	json_t *out, *rows, *sum, *o;
	int any = 0;
	size_t i;

	regex_t re;

	if (argc != 1) {
		fprintf(stderr, "usage: benchstat flavors RUN.json "
			"[--baseline F] [--match REGEX]\n");
		return 2;
	}
	/* --match: only the benchmarks whose name matches (one suite's). */
	if (opt.match && regcomp(&re, opt.match, REG_EXTENDED | REG_NOSUB)) {
		fprintf(stderr, "error: bad regex '%s'\n", opt.match);
		return 2;
	}
	if (run_load(&r, argv[0])) {
		if (opt.match)
			regfree(&re);
		return 2;
	}
	out = json_object();
	rows = json_array();
	sum = json_array();
	if (!opt.json)
		print_header(opt.baseline, "flavor");
	for (int f = 0; f < r.nflavors; f++) {
		const char *fl = r.flavors[f], *suite = NULL;
		const struct bench **bs = NULL, **cs = NULL;
		int k = 0, mixed = 0, nrow = 0;
		struct tally t = { 0 };
		struct row *w;
		struct stats_est e;
		char why[320];
		double best = -1, worst = INFINITY;
		const char *best_name = NULL, *worst_name = NULL;

		if (!strcmp(fl, opt.baseline))
			continue;
		w = xcalloc((size_t)r.n, sizeof(*w));
		for (int i2 = 0; i2 < r.n; i2++) {
			struct bench *g = &r.b[i2], *base;

			if (strcmp(g->flavor, fl) ||
			    (opt.match && regexec(&re, g->name, 0, NULL, 0)) ||
			    !(base = run_find(&r, opt.baseline, g->name)))
				continue;
			w[nrow].a = base;
			w[nrow].b = g;
			compare_benches(&r, base, &r, g, opt.metric, 1,
					1 - opt.alpha, &w[nrow].c);
			w[nrow].verdict = row_verdict(&w[nrow].c);
			nrow++;
		}
		gate(w, nrow);
		for (int j = 0; j < nrow; j++) {
			struct row *x = &w[j];
			char label[512];

			any = 1;
			count(&t, x);
			if (opt.json) {
				json_t *jo = row_json(x);

				json_object_set_new(jo, "baseline_flavor",
						    json_string(opt.baseline));
				json_array_append_new(rows, jo);
			} else {
				snprintf(label, sizeof(label), "%s [%s]",
					 x->b->name, fl);
				print_row(label, x, bench_metric(x->a, opt.metric));
			}
			if (!suite)
				suite = x->b->suite;
			else if (strcmp(suite, x->b->suite))
				mixed = 1;
			if (!x->c.ok && !isfinite(x->c.ratio))
				continue;
			if (x->c.ratio > best)
				best = x->c.ratio, best_name = x->b->name;
			if (x->c.ratio < worst)
				worst = x->c.ratio, worst_name = x->b->name;
			if (!x->c.ok)
				continue;
			bs = realloc(bs, sizeof(*bs) * (size_t)(k + 1));
			cs = realloc(cs, sizeof(*cs) * (size_t)(k + 1));
			bs[k] = x->a;
			cs[k++] = x->b;
		}
		if (nrow) {
			json_t *ts = mixed ? NULL : text_sizes(&r, suite, fl);

			o = json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:i}",
				"flavor", fl, "baseline_flavor", opt.baseline,
				"benchmarks", nrow, "faster", t.faster,
				"slower", t.slower, "no_difference", t.same,
				"inconclusive", t.inconclusive + t.not_testable,
				"unstable", t.unstable, "regressions",
				t.regressions);
			if (!geomean_est(bs, cs, k, opt.metric, 1 - opt.alpha,
					 &e, why, sizeof(why))) {
				json_object_set_new(o, "geomean_speedup",
						    json_real(exp(e.diff)));
				json_object_set_new(o, "ci_low", json_real(exp(e.lo)));
				json_object_set_new(o, "ci_high", json_real(exp(e.hi)));
				json_object_set_new(o, "rounds", json_integer(e.n));
			} else {
				json_object_set_new(o, "note", json_string(why));
			}
			if (best_name) {
				json_object_set_new(o, "best", json_string(best_name));
				json_object_set_new(o, "best_speedup", json_real(best));
				json_object_set_new(o, "worst", json_string(worst_name));
				json_object_set_new(o, "worst_speedup",
						    json_real(worst));
			}
			if (ts)
				json_object_update(o, ts), json_decref(ts);
			json_array_append_new(sum, o);
		}
		free(bs);
		free(cs);
		free(w);
	}
	if (!any) {
		fprintf(stderr, "error: no benchmark ran both in flavor %s and "
			"in another flavor\n", opt.baseline);
		json_decref(out);
		json_decref(rows);
		json_decref(sum);
		run_free(&r);
		if (opt.match)
			regfree(&re);
		return 2;
	}
	json_object_set_new(out, "benchmarks", rows);
	json_object_set_new(out, "flavors", sum);
	/* --out FILE: the JSON for the report, the table for the reader. */
	if (opt.out && json_write_atomic(out, opt.out)) {
		json_decref(out);
		run_free(&r);
		if (opt.match)
			regfree(&re);
		return 2;
	}
	if (opt.json) {
		json_dumpf(out, stdout, JSON_INDENT(1));
		printf("\n");
		goto done;
	}
	printf("\n%-12s %9s %18s %6s %6s %6s %6s  %-8s %s\n", "flavor",
	       "geomean", "95% CI", "faster", "slower", "same", "other",
	       "text", "best / worst");
	json_array_foreach(sum, i, o) {
		char text[32] = "-", gm[64] = "        -                  -";

		if (json_object_get(o, "text_ratio"))
			snprintf(text, sizeof(text), "%.3fx",
				 jnum(o, "text_ratio", NAN));
		if (json_object_get(o, "geomean_speedup"))
			snprintf(gm, sizeof(gm), "%8.3fx [%6.3f, %6.3f]",
				 jnum(o, "geomean_speedup", NAN),
				 jnum(o, "ci_low", NAN), jnum(o, "ci_high", NAN));
		printf("%-12s %s %6d %6d %6d %6d  %-8s %s %.3fx / %s %.3fx\n",
		       jstr(o, "flavor", ""), gm, (int)jnum(o, "faster", 0),
		       (int)jnum(o, "slower", 0),
		       (int)jnum(o, "no_difference", 0),
		       (int)(jnum(o, "inconclusive", 0) + jnum(o, "unstable", 0)),
		       text, jstr(o, "best", "-"), jnum(o, "best_speedup", NAN),
		       jstr(o, "worst", "-"), jnum(o, "worst_speedup", NAN));
	}
	printf("speedup = %s time / flavor time (above 1: the flavor is "
	       "faster), paired by round; text = size(1) text of the suite "
	       "binary against %s\n", opt.baseline, opt.baseline);
done:
	if (opt.match)
		regfree(&re);
	json_decref(out);
	run_free(&r);
	return 0;
}
