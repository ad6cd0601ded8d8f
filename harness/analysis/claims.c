/*
 * claims.c - does each claim hold on the machine a run came from?
 *
 * Verdicts (docs/claims.md):
 *   holds          the whole interval lies on the claimed side of every
 *                  bound the claim states (its effect floor, its maximum)
 *   does not hold  the interval excludes the claim
 *   inconclusive   neither: too noisy for the rounds taken, or a result it
 *                  rests on was unstable (the reason is given)
 *   not testable   the machine could not measure it: a benchmark skipped,
 *                  a counter unavailable, a runtime missing (with why)
 * A claim whose benchmarks are not in the run at all (another suite, a
 * filter, a flavor not built) is "not run": counted, and left out of the
 * verdicts.
 */
#define _GNU_SOURCE
#include "analysis.h"
#include "util.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

struct sel {
	const char *pattern;
	const char *flavor;	/* NULL: default */
};

struct verdict {
	const char *v;	/* holds, does not hold, inconclusive, not testable,
			 * not run, invalid */
	double ratio, lo, hi, p, level;
	int has_ratio, has_ci, rounds;
	double min, max;	/* the bounds tested against */
	char detail[640];
	char reason[512];	/* for inconclusive and not testable */
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

/*
 * Anchored regex from a selector: literal text; {max} and {min} stand for
 * one path component and pick the largest or smallest argument; {*} is any
 * one component.
 */
char *sel_regex(const char *pat, int *pick)
{
	size_t len = strlen(pat);
	char *re = xmalloc(len * 2 + 16), *o = re;

	*pick = 0;
	*o++ = '^';
	for (const char *p = pat; *p;) {
		if (!strncmp(p, "{max}", 5) || !strncmp(p, "{min}", 5) ||
		    !strncmp(p, "{*}", 3)) {
			if (p[1] != '*')
				*pick = p[2] == 'a' ? 1 : -1;
			o += sprintf(o, "[^/]+");
			p += p[1] == '*' ? 3 : 5;
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

static int matches(regex_t *re, const struct bench *b)
{
	return !regexec(re, b->name, 0, NULL, 0) ||
	       !regexec(re, b->base, 0, NULL, 0);
}

static const char *default_flavor(struct run *r, regex_t *re)
{
	const char *found = NULL;

	for (int i = 0; i < r->n; i++) {
		if (!matches(re, &r->b[i]))
			continue;
		if (!strcmp(r->b[i].flavor, "O2"))
			return "O2";
		if (!found || strcmp(r->b[i].flavor, found) < 0)
			found = r->b[i].flavor;
	}
	return found;
}

static struct bench *resolve(struct run *r, const struct sel *s)
{
	int pick;
	char *rx = sel_regex(s->pattern, &pick);
	const char *flavor;
	struct bench *best = NULL;
	regex_t re;

	if (regcomp(&re, rx, REG_EXTENDED | REG_NOSUB)) {
		free(rx);
		return NULL;
	}
	flavor = s->flavor ? s->flavor : default_flavor(r, &re);
	for (int i = 0; flavor && i < r->n; i++) {
		struct bench *g = &r->b[i];

		if (strcmp(g->flavor, flavor) || !matches(&re, g))
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

static void set_ratio(struct verdict *vd, double ratio, double lo, double hi)
{
	vd->has_ratio = 1;
	vd->has_ci = 1;
	vd->ratio = ratio;
	vd->lo = lo;
	vd->hi = hi;
}

/* The claim's bounds on a ratio, with the effect floor required. */
static int ratio_bounds(json_t *c, struct verdict *vd)
{
	vd->min = jnum(c, "min_ratio", NAN);
	vd->max = jnum(c, "max_ratio", INFINITY);
	if (!isfinite(vd->min) || fabs(vd->min - 1) < 0.02) {
		vd->v = "invalid";
		snprintf(vd->detail, sizeof(vd->detail),
			 "min_ratio must state an effect floor (at least 2%% "
			 "away from 1, e.g. 1.05; below 1 for \"no slower "
			 "than\"), not %g", vd->min);
		return -1;
	}
	return 0;
}

/* Fills the verdict from a comparison; returns 0 when it made one. */
static int from_cmp(struct verdict *vd, const struct cmp *c)
{
	if (c->not_testable) {
		vd->v = "not testable";
		snprintf(vd->reason, sizeof(vd->reason), "%s", c->why);
		return -1;
	}
	vd->rounds = c->na < c->nb ? c->na : c->nb;
	if (!c->ok) {
		vd->v = "inconclusive";
		/* A figure without an interval: shown, never judged. */
		vd->has_ratio = isfinite(c->ratio);
		vd->ratio = c->ratio;
		snprintf(vd->reason, sizeof(vd->reason), "%s", c->why);
		return -1;
	}
	vd->p = c->p;
	vd->level = 1 - opt.alpha;
	set_ratio(vd, c->ratio, c->lo, c->hi);
	return 0;
}

static void unstable_inconclusive(struct verdict *vd, const char *name,
				  const char *why)
{
	if (strcmp(vd->v, "holds") && strcmp(vd->v, "does not hold"))
		return;
	vd->v = "inconclusive";
	snprintf(vd->reason, sizeof(vd->reason), "%s was unstable: %s", name,
		 why);
}

static void eval_compare(struct run *r, json_t *c, struct verdict *vd)
{
	struct sel sb, sc;
	struct bench *b, *k;
	const char *metric = jstr(c, "metric", "real_time");
	const char *expect = jstr(c, "expect", "lower");
	double tol = jnum(c, "tolerance", 0.1);
	struct cmp cm;
	int lower = !strcmp(expect, "lower"), same = !strcmp(expect, "same");

	if (get_sel(json_object_get(c, "baseline"), &sb) ||
	    get_sel(json_object_get(c, "candidate"), &sc) ||
	    (!lower && !same && strcmp(expect, "higher"))) {
		vd->v = "invalid";
		snprintf(vd->detail, sizeof(vd->detail), "baseline and "
			 "candidate must be selectors; expect lower, higher "
			 "or same");
		return;
	}
	if (!same && ratio_bounds(c, vd))
		return;
	b = resolve(r, &sb);
	k = resolve(r, &sc);
	if (!b || !k) {
		vd->v = "not run";
		snprintf(vd->detail, sizeof(vd->detail), "no benchmark matches %s",
			 !b ? sb.pattern : sc.pattern);
		return;
	}
	snprintf(vd->detail, sizeof(vd->detail), "%s [%s] against %s [%s]",
		 k->name, k->flavor, b->name, b->flavor);
	/*
	 * The ratio above 1 means "as claimed": baseline/candidate for a
	 * lower candidate. For "higher" on a lower-is-better metric the
	 * sides swap; for a higher-is-better metric compare_benches already
	 * inverts.
	 */
	if (same || lower != higher_is_better(metric))
		compare_benches(r, b, r, k, metric, 1, 1 - opt.alpha, &cm);
	else
		compare_benches(r, k, r, b, metric, 1, 1 - opt.alpha, &cm);
	if (from_cmp(vd, &cm))
		return;
	if (same) {
		vd->min = 1 / (1 + tol);
		vd->max = 1 + tol;
	}
	vd->v = verdict_bounds(vd->lo, vd->hi, vd->min, vd->max);
	if (cm.unstable)
		unstable_inconclusive(vd, cm.unstable == b->unstable ? b->name
								    : k->name,
				      cm.unstable);
}

static void eval_value(struct run *r, json_t *c, struct verdict *vd)
{
	struct sel s;
	struct bench *g;
	const char *metric = jstr(c, "metric", "real_time");
	const char *near = jstr(c, "near_metric", NULL);
	double tol = jnum(c, "tolerance", 0.1), *x = NULL, *y = NULL;
	int *ix = NULL, *iy = NULL, n, m, logs = 1;
	struct stats_est e;
	char buf[256];

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
	snprintf(vd->detail, sizeof(vd->detail), "%s [%s]: %s", g->name,
		 g->flavor, bench_metric(g, metric));
	if (strcmp(g->status, "ok")) {
		vd->v = "not testable";
		snprintf(vd->reason, sizeof(vd->reason), "%s %s: %s", g->name,
			 g->status, g->reason ? g->reason : "");
		return;
	}
	n = bench_rounds(g, metric, &x, &ix);
	if (!n || (near && !(m = bench_rounds(g, near, &y, &iy)))) {
		vd->v = "not testable";
		snprintf(vd->reason, sizeof(vd->reason), "%s",
			 metric_missing(r, g, !n ? bench_metric(g, metric) : near,
					buf, sizeof(buf)));
		goto out;
	}
	if (near) {
		/* Round by round, the value over the figure it should match. */
		if (m != n) {
			vd->v = "inconclusive";
			snprintf(vd->reason, sizeof(vd->reason),
				 "%s and %s come from different rounds", metric,
				 near);
			goto out;
		}
		for (int i = 0; i < n; i++)
			x[i] = y[i] > 0 && x[i] > 0 ? log(x[i] / y[i]) : NAN;
		vd->min = 1 - tol;
		vd->max = 1 + tol;
	} else {
		for (int i = 0; i < n; i++)
			logs &= x[i] > 0;
		for (int i = 0; logs && i < n; i++)
			x[i] = log(x[i]);
		vd->min = jnum(c, "min", -INFINITY);
		vd->max = jnum(c, "max", INFINITY);
	}
	for (int i = 0; i < n; i++)
		if (isnan(x[i])) {
			vd->v = "inconclusive";
			snprintf(vd->reason, sizeof(vd->reason),
				 "%s is not positive", near ? near : metric);
			goto out;
		}
	vd->rounds = n;
	if (stats_one_sample(x, n, 1 - opt.alpha, &e)) {
		double v = logs ? exp(x[0]) : x[0];

		vd->has_ratio = 1;
		vd->ratio = v;
		vd->v = "inconclusive";
		snprintf(vd->reason, sizeof(vd->reason), "1 round: one process "
			 "gives no interval");
		goto out;
	}
	if (logs)
		set_ratio(vd, exp(e.diff), exp(e.lo), exp(e.hi));
	else
		set_ratio(vd, e.diff, e.lo, e.hi);
	vd->level = 1 - opt.alpha;
	vd->v = verdict_bounds(vd->lo, vd->hi, vd->min, vd->max);
	if (g->unstable)
		unstable_inconclusive(vd, g->name, g->unstable);
out:
	free(x);
	free(y);
	free(ix);
	free(iy);
}

/* Benchmarks of a regex present and ok in both flavors. */
static int flavor_pairs(struct run *r, const char *pat, const char *bf,
			const char *cf, struct bench ***bs, struct bench ***cs,
			struct verdict *vd)
{
	regex_t re;
	int k = 0, skipped = 0;

	*bs = *cs = NULL;
	if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB))
		return -1;
	for (int i = 0; i < r->n; i++) {
		struct bench *g = &r->b[i], *base;

		if (strcmp(g->flavor, cf) || regexec(&re, g->name, 0, NULL, 0))
			continue;
		base = run_find(r, bf, g->name);
		if (!base)
			continue;
		if (strcmp(g->status, "ok") || strcmp(base->status, "ok")) {
			skipped++;
			snprintf(vd->reason, sizeof(vd->reason), "%s %s: %s",
				 g->name, strcmp(g->status, "ok") ? g->status
				 : base->status, strcmp(g->status, "ok")
				 ? g->reason : base->reason);
			continue;
		}
		*bs = realloc(*bs, sizeof(**bs) * (size_t)(k + 1));
		*cs = realloc(*cs, sizeof(**cs) * (size_t)(k + 1));
		(*bs)[k] = base;
		(*cs)[k++] = g;
	}
	regfree(&re);
	return k ? k : -2 - (skipped > 0);
}

static void eval_flavors(struct run *r, json_t *c, struct verdict *vd, int any)
{
	const char *pat = jstr(c, "benchmarks", NULL);
	const char *bf = jstr(c, "baseline_flavor", "O2");
	const char *cf = jstr(c, "candidate_flavor", NULL);
	const char *metric = jstr(c, "metric", "real_time");
	const char *expect = jstr(c, "expect", "lower");
	int lower = !strcmp(expect, "lower");
	struct bench **bs, **cs;
	const char *unstable = NULL, *uname = NULL;
	int k;

	if (!pat || !cf || (!lower && strcmp(expect, "higher"))) {
		vd->v = "invalid";
		snprintf(vd->detail, sizeof(vd->detail), "needs benchmarks (a "
			 "regex), candidate_flavor, expect lower or higher");
		return;
	}
	if (ratio_bounds(c, vd))
		return;
	k = flavor_pairs(r, pat, bf, cf, &bs, &cs, vd);
	if (k == -1) {
		vd->v = "invalid";
		snprintf(vd->detail, sizeof(vd->detail), "bad regex %s", pat);
		return;
	}
	snprintf(vd->detail, sizeof(vd->detail), "%s against %s, benchmarks "
		 "matching %s", cf, bf, pat);
	if (k < 0) {
		vd->v = k == -3 ? "not testable" : "not run";
		return;
	}
	/* Sides swap so that a ratio above 1 is always "as claimed". */
	if (lower == higher_is_better(metric)) {
		struct bench **t = bs;

		bs = cs;
		cs = t;
	}
	for (int i = 0; i < k && !unstable; i++)
		if (bs[i]->unstable || cs[i]->unstable) {
			uname = bs[i]->unstable ? bs[i]->name : cs[i]->name;
			unstable = bs[i]->unstable ? bs[i]->unstable
						   : cs[i]->unstable;
		}
	if (any) {
		/*
		 * At least one benchmark beyond the effect floor: one-sided
		 * tests, Holm over the k candidates. "Does not hold" needs
		 * every candidate's interval (simultaneous, Bonferroni) below
		 * the floor; absence of evidence is not evidence of absence.
		 */
		double *p = xmalloc(sizeof(double) * (size_t)k);
		int *rej = xmalloc(sizeof(int) * (size_t)k), hits, below = 0;
		int testable = 0, first = -1;
		struct cmp cm;

		for (int i = 0; i < k; i++) {
			compare_benches(r, bs[i], r, cs[i], metric, 1,
					1 - opt.alpha / k, &cm);
			p[i] = cm.ok ? cmp_p_beyond(&cm, vd->min, 1) : NAN;
			testable += cm.ok;
			below += cm.ok && cm.hi < vd->min;
		}
		hits = stats_holm(p, k, opt.alpha, rej);
		for (int i = 0; i < k && first < 0; i++)
			if (rej[i])
				first = i;
		vd->v = hits ? "holds" : below == k ? "does not hold"
						    : "inconclusive";
		snprintf(vd->detail + strlen(vd->detail),
			 sizeof(vd->detail) - strlen(vd->detail),
			 ": %d of %d beyond %.3gx (Holm-corrected)%s%s", hits,
			 k, vd->min, first >= 0 ? ", first: " : "",
			 first >= 0 ? cs[first]->name : "");
		if (!strcmp(vd->v, "inconclusive") && testable < k)
			snprintf(vd->reason, sizeof(vd->reason), "%d of %d "
				 "benchmarks had too few rounds for an "
				 "interval", k - testable, k);
		free(p);
		free(rej);
	} else {
		struct stats_est e;
		char why[320];

		if (geomean_est((const struct bench *const *)bs,
				(const struct bench *const *)cs, k, metric,
				1 - opt.alpha, &e, why, sizeof(why))) {
			vd->v = "inconclusive";
			snprintf(vd->reason, sizeof(vd->reason), "%s", why);
		} else {
			set_ratio(vd, exp(e.diff), exp(e.lo), exp(e.hi));
			vd->rounds = e.n;
			vd->p = e.p;
			vd->level = 1 - opt.alpha;
			vd->v = verdict_bounds(vd->lo, vd->hi, vd->min, vd->max);
		}
		snprintf(vd->detail + strlen(vd->detail),
			 sizeof(vd->detail) - strlen(vd->detail),
			 ": geometric mean over %d", k);
	}
	if (unstable)
		unstable_inconclusive(vd, uname, unstable);
	free(bs);
	free(cs);
}

static void eval_text_size(struct run *r, json_t *c, struct verdict *vd)
{
	const char *suite = jstr(c, "suite", NULL);
	const char *bf = jstr(c, "baseline_flavor", "O2");
	const char *cf = jstr(c, "candidate_flavor", NULL);
	const char *expect = jstr(c, "expect", "higher");
	json_t *s;
	double bt = -1, ct = -1, ratio;
	size_t i;

	if (ratio_bounds(c, vd))
		return;
	json_array_foreach(json_object_get(r->root, "suites"), i, s) {
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
	/* Sizes are exact: no noise, no interval. */
	ratio = !strcmp(expect, "lower") ? bt / ct : ct / bt;
	set_ratio(vd, ratio, ratio, ratio);
	vd->v = verdict_bounds(ratio, ratio, vd->min, vd->max);
	snprintf(vd->detail, sizeof(vd->detail),
		 "text of bench_%s: %.0f bytes in %s, %.0f in %s", suite, ct,
		 cf, bt, bf);
}

static json_t *verdict_json(json_t *doc, json_t *c, const char *kind,
			    const struct verdict *vd)
{
	json_t *o = json_object();
	const char *keys[] = { "claimed_ratio", "min_ratio", "max_ratio",
			       "tolerance", "min", "max", "note", "source",
			       "claim", "near_metric" };

	json_object_set_new(o, "suite", json_string(jstr(doc, "suite", "")));
	json_object_set(o, "id", json_object_get(c, "id"));
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "metric", json_string(jstr(c, "metric",
							  "real_time")));
	json_object_set_new(o, "verdict", json_string(vd->v));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(c, keys[i]))
			json_object_set(o, keys[i], json_object_get(c, keys[i]));
	if (vd->has_ratio)
		json_object_set_new(o, "ratio", json_real(vd->ratio));
	if (vd->has_ci) {
		json_object_set_new(o, "ci_low", json_real(vd->lo));
		json_object_set_new(o, "ci_high", json_real(vd->hi));
	}
	if (isfinite(vd->min) || isfinite(vd->max)) {
		json_t *t = json_object();

		if (isfinite(vd->min))
			json_object_set_new(t, "min", json_real(vd->min));
		if (isfinite(vd->max))
			json_object_set_new(t, "max", json_real(vd->max));
		json_object_set_new(o, "tested_against", t);
	}
	if (!isnan(vd->p))
		json_object_set_new(o, "p_value", json_real(vd->p));
	if (vd->level > 0)
		json_object_set_new(o, "ci_level", json_real(vd->level));
	if (vd->rounds)
		json_object_set_new(o, "rounds", json_integer(vd->rounds));
	json_object_set_new(o, "detail", json_string(vd->detail));
	if (vd->reason[0])
		json_object_set_new(o, "reason", json_string(vd->reason));
	return o;
}

int claims_eval_doc(struct run *r, json_t *doc, const char *file, json_t *out)
{
	json_t *list = json_object_get(doc, "claims"), *c;
	size_t i;

	if (!json_is_array(list)) {
		fprintf(stderr, "error: %s has no \"claims\" array\n", file);
		return -1;
	}
	json_array_foreach(list, i, c) {
		const char *kind = jstr(c, "kind", "compare");
		struct verdict vd;

		memset(&vd, 0, sizeof(vd));
		vd.p = NAN;
		vd.min = -INFINITY;
		vd.max = INFINITY;
		vd.v = "invalid";
		if (!json_is_string(json_object_get(c, "id")) ||
		    !json_is_string(json_object_get(c, "claim")))
			snprintf(vd.detail, sizeof(vd.detail),
				 "a claim needs an id and a claim text");
		else if (!strcmp(kind, "compare"))
			eval_compare(r, c, &vd);
		else if (!strcmp(kind, "value"))
			eval_value(r, c, &vd);
		else if (!strcmp(kind, "geomean"))
			eval_flavors(r, c, &vd, 0);
		else if (!strcmp(kind, "any"))
			eval_flavors(r, c, &vd, 1);
		else if (!strcmp(kind, "text_size"))
			eval_text_size(r, c, &vd);
		else
			snprintf(vd.detail, sizeof(vd.detail),
				 "unknown kind '%s'", kind);
		if (!strcmp(vd.v, "invalid")) {
			fprintf(stderr, "error: %s: claim %s: %s\n", file,
				jstr(c, "id", "?"), vd.detail);
			return -1;
		}
		json_array_append_new(out, verdict_json(doc, c, kind, &vd));
	}
	return 0;
}

json_t *claims_eval(struct run *r, int nfiles, char **files, int *err)
{
	json_t *out = json_array();

	*err = 0;
	for (int f = 0; f < nfiles && !*err; f++) {
		json_error_t jerr;
		json_t *doc = json_load_file(files[f], 0, &jerr);

		if (!doc) {
			fprintf(stderr, "error: cannot read %s: %s (line %d)\n",
				files[f], jerr.text, jerr.line);
			*err = 1;
			break;
		}
		*err = claims_eval_doc(r, doc, files[f], out) != 0;
		json_decref(doc);
	}
	return out;
}

int cmd_claims(int argc, char **argv)
{
	struct run r;
	json_t *out, *o, *shown;
	int counts[5] = { 0 }, err;
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: benchstat claims RUN.json "
			"CLAIMS.json...\n");
		return 2;
	}
	if (run_load(&r, argv[0]))
		return 2;
	out = claims_eval(&r, argc - 1, argv + 1, &err);
	shown = json_array();
	json_array_foreach(out, i, o) {
		const char *v = jstr(o, "verdict", "");

		counts[!strcmp(v, "holds") ? 0 : !strcmp(v, "does not hold") ? 1
		       : !strcmp(v, "inconclusive") ? 2
		       : !strcmp(v, "not testable") ? 3 : 4]++;
		if (strcmp(v, "not run"))
			json_array_append(shown, o);
	}
	if (err)
		goto done;
	if (opt.json) {
		json_dumpf(shown, stdout, JSON_INDENT(1));
		printf("\n");
		goto done;
	}
	json_array_foreach(shown, i, o) {
		const char *v = jstr(o, "verdict", "");

		printf("%-14s %s/%s\n", v, jstr(o, "suite", ""),
		       jstr(o, "id", ""));
		printf("               %s\n", jstr(o, "claim", ""));
		if (!json_object_get(o, "ci_low") && json_object_get(o, "ratio"))
			printf("               measured %.4g (no interval)\n",
			       jnum(o, "ratio", NAN));
		else if (json_object_get(o, "ratio") &&
			 strcmp(jstr(o, "kind", ""), "value"))
			printf("               measured %.3fx [%.3f, %.3f]\n",
			       jnum(o, "ratio", NAN), jnum(o, "ci_low", NAN),
			       jnum(o, "ci_high", NAN));
		else if (json_object_get(o, "ratio"))
			printf("               measured %.4g [%.4g, %.4g]\n",
			       jnum(o, "ratio", NAN), jnum(o, "ci_low", NAN),
			       jnum(o, "ci_high", NAN));
		printf("               %s\n", jstr(o, "detail", ""));
		if (json_object_get(o, "reason"))
			printf("               why: %s\n", jstr(o, "reason", ""));
	}
	printf("\n%d hold, %d do not hold, %d inconclusive, %d not testable "
	       "here", counts[0], counts[1], counts[2], counts[3]);
	if (counts[4])
		printf(" (%d not run)", counts[4]);
	printf("\n");
done:
	json_decref(shown);
	json_decref(out);
	run_free(&r);
	return err ? 2 : 0;
}

/* ---- selectors against registered names -------------------------------- */

static int check_sel(json_t *v, const char *what, const char *id,
		     char **names, int n, const char *file)
{
	struct sel s;
	char *rx;
	int pick, hit = 0;
	regex_t re;

	if (get_sel(v, &s))
		return 0;
	rx = sel_regex(s.pattern, &pick);
	if (regcomp(&re, rx, REG_EXTENDED | REG_NOSUB)) {
		free(rx);
		return 0;
	}
	for (int i = 0; i < n && !hit; i++) {
		char *b = names[i], *t;
		int rt;

		t = base_name_of(b, &rt);
		hit = !regexec(&re, b, 0, NULL, 0) ||
		      !regexec(&re, t, 0, NULL, 0);
		free(t);
	}
	regfree(&re);
	free(rx);
	if (!hit)
		printf("%s: claim %s: %s %s matches no registered benchmark\n",
		       file, id, what, s.pattern);
	return !hit;
}

static int check_regex(const char *pat, const char *id, char **names, int n,
		       const char *file)
{
	regex_t re;
	int hit = 0;

	if (!pat || regcomp(&re, pat, REG_EXTENDED | REG_NOSUB))
		return 0;
	for (int i = 0; i < n && !hit; i++)
		hit = !regexec(&re, names[i], 0, NULL, 0);
	regfree(&re);
	if (!hit)
		printf("%s: claim %s: benchmarks %s match no registered "
		       "benchmark\n", file, id, pat);
	return !hit;
}

int cmd_selectors(int argc, char **argv)
{
	FILE *f;
	char line[4096], **names = NULL;
	int n = 0, bad = 0, checked = 0;

	if (!opt.names || argc < 1) {
		fprintf(stderr, "usage: benchstat selectors --names FILE "
			"CLAIMS.json...\n");
		return 2;
	}
	if (!(f = fopen(opt.names, "r"))) {
		fprintf(stderr, "error: cannot read %s\n", opt.names);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\t\n")] = '\0';
		if (!line[0])
			continue;
		names = realloc(names, sizeof(*names) * (size_t)(n + 1));
		names[n++] = xstrdup(line);
	}
	fclose(f);
	for (int k = 0; k < argc; k++) {
		json_t *doc = json_load_file(argv[k], 0, NULL), *c;
		size_t i;

		if (!doc) {
			fprintf(stderr, "error: cannot read %s\n", argv[k]);
			bad = -1;
			break;
		}
		json_array_foreach(json_object_get(doc, "claims"), i, c) {
			const char *id = jstr(c, "id", "?");

			checked++;
			bad += check_sel(json_object_get(c, "baseline"),
					 "baseline", id, names, n, argv[k]);
			bad += check_sel(json_object_get(c, "candidate"),
					 "candidate", id, names, n, argv[k]);
			bad += check_sel(json_object_get(c, "benchmark"),
					 "benchmark", id, names, n, argv[k]);
			if (json_object_get(c, "benchmarks"))
				bad += check_regex(jstr(c, "benchmarks", NULL),
						   id, names, n, argv[k]);
		}
		json_array_foreach(json_object_get(doc, "guards"), i, c) {
			checked++;
			bad += check_sel(json_object_get(c, "benchmarks"),
					 "guard", jstr(c, "id", "?"), names, n,
					 argv[k]);
		}
		json_decref(doc);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (bad < 0)
		return 2;
	if (!opt.json)
		printf("%d claims and guards checked against %d names: %d "
		       "selectors match nothing\n", checked, n, bad);
	return bad ? 1 : 0;
}
