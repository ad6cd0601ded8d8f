/*
 * analysis.h - the analysis tool (benchstat): every number the report,
 * plots, claims and comparisons show is computed here, from run.json files
 * (or raw Google Benchmark JSON).
 *
 * The sampling model (docs/claims.md): a run executes each suite binary in
 * several rounds, one process each, rotated with the other binaries. The
 * repetitions inside one process share its memory layout, clock speed and
 * neighbours, so they are not independent samples of "this binary on this
 * machine"; rounds are. Every interval here therefore comes from per-round
 * summaries (the median of a round's repetitions), compared on log scale
 * with Student's t: paired by round when both sides ran in the same rounds
 * of one run, Welch's form otherwise. One round gives a figure but no
 * interval.
 *
 * Links only what it needs: stats.c, util.c, jansson and libm.
 */
#ifndef BENCH_ANALYSIS_H
#define BENCH_ANALYSIS_H

#include "stats.h"

#include <jansson.h>
#include <stdio.h>

/* Entry point; returns the exit status, never calls exit(). */
int benchstat_main(int argc, char **argv);

struct options {
	int json;
	const char *metric;	/* "auto": the time Google Benchmark reports */
	double alpha;
	double threshold;	/* compare: a regression is slower than this */
	const char *baseline;	/* flavors: the flavor compared against */
	int write;		/* guards: annotate the run in place */
	int list;		/* guards: print unstable benchmarks */
	const char *names;	/* selectors: file of registered names */
	const char *out;	/* guards --write: where (default: in place) */
	const char *status;	/* merge: the run's status, start, profile */
	const char *started;
	const char *profile;
	const char *args;	/* merge: the flags passed through (JSON) */
	const char *match;	/* series, knees: which benchmarks (regex) */
	const char *flavor;	/* series, knees: one flavor only */
};
extern struct options opt;

/* One benchmark of one flavor: every repetition of every round. */
struct bench {
	char *suite, *flavor, *name;
	char *base;		/* name less Google Benchmark's suffixes */
	int has_param;
	double param;
	const char *status;	/* "ok", "skipped", "failed" */
	const char *reason;
	json_t **e;		/* per-repetition entries, in time order */
	int *round;		/* their rounds (0: not run in rounds) */
	int n;
	int threads;
	int real_time;		/* reports real or manual time */
	const char *unstable;	/* the guards' reason, or NULL */
};

struct run {
	json_t *root;
	const char *path;
	struct bench *b;
	int n;
	char **flavors;		/* distinct, in order seen */
	int nflavors;
	char **owned;		/* strings made by the analysis, freed with it */
	int nowned;
};

/* load.c */
int run_load(struct run *r, const char *path);	/* 0, or -1 said why */
/* The same from a parsed document (the run takes the reference). */
int run_from_root(struct run *r, json_t *root, const char *path);
/* Both or neither: on failure nothing is left to free. */
int run_load_pair(struct run *a, const char *pa, struct run *b, const char *pb);
void run_free(struct run *r);
/* Keeps s (malloc'ed) until run_free; returns it. */
const char *run_own(struct run *r, char *s);
/* "x/size:4KiB/real_time/threads:2" -> "x/size:4KiB" (malloc'ed). */
char *base_name_of(const char *name, int *real_time);
/*
 * Anchored regex of a benchmark selector (docs/claims.md): literal text;
 * {max}/{min} one component, picking the largest/smallest argument
 * (*pick 1/-1); {*} any one component. Malloc'ed.
 */
char *sel_regex(const char *pat, int *pick);
struct bench *run_find(struct run *r, const char *flavor, const char *name);
const char *jstr(json_t *o, const char *k, const char *def);
double jnum(json_t *o, const char *k, double def);
/* A number that fits an int (truncated), else def. */
int jint(json_t *o, const char *k, int def);
/* The metric "auto" resolves to cpu_time or real_time per benchmark. */
const char *bench_metric(const struct bench *b, const char *metric);
int metric_is_time(const char *metric);
int higher_is_better(const char *metric);
/* All repetitions' values of a metric (ns for times); caller frees. */
int bench_values(const struct bench *b, const char *metric, double **out);
/* The same, with the round each value came from in *rounds; caller frees. */
int bench_values_rounds(const struct bench *b, const char *metric,
			double **out, int **rounds);
/*
 * Round summaries: the median of each round's repetitions, rounds in
 * order; ids[] gets the round numbers. Returns the number of rounds.
 */
int bench_rounds(const struct bench *b, const char *metric, double **med,
		 int **ids);
/*
 * Order of series: by flavor, then by the base name less its last
 * component (the argument), so one curve's points sort together; 0 when
 * a and b are points of one curve.
 */
int bench_series_cmp(const struct bench *a, const struct bench *b);
/* Why a metric is absent: the context's counter status, or a default. */
const char *metric_missing(struct run *r, const struct bench *b,
			   const char *metric, char *buf, size_t len);

/* est.c: one benchmark against another */
struct cmp {
	int ok;			/* an estimate with an interval was made */
	int not_testable;	/* why: the machine could not measure it */
	char why[320];		/* when !ok (or a note) */
	int paired;
	int na, nb;		/* rounds on each side */
	double base_med, cand_med;	/* medians of all repetitions */
	double ratio, lo, hi;	/* above 1: the candidate is better */
	double p;		/* two-sided, ratio = 1 */
	struct stats_est est;	/* on log(ratio) */
	const char *unstable;	/* a side's guard reason */
};
void compare_benches(struct run *rb, const struct bench *base,
		     struct run *rc, const struct bench *cand,
		     const char *metric, int allow_pair, double conf,
		     struct cmp *c);
/* One-sided p that the true ratio exceeds bound (above = 1) or is below. */
double cmp_p_beyond(const struct cmp *c, double bound, int above);

/*
 * The geometric mean over k pairs of the ratio base/candidate (inverted
 * for higher-is-better metrics, so above 1 is the candidate better), as
 * an estimate on log scale: rounds must line up (one run). 0, or -1 with
 * why filled.
 */
int geomean_est(const struct bench *const *base,
		const struct bench *const *cand, int k, const char *metric,
		double conf, struct stats_est *e, char *why, size_t len);

/* Verdict of an interval [lo, hi] against bounds [min, max]. */
const char *verdict_bounds(double lo, double hi, double min, double max);

/* commands */
int cmd_summary(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_flavors(int argc, char **argv);
int cmd_claims(int argc, char **argv);
int cmd_guards(int argc, char **argv);
int cmd_aa(int argc, char **argv);
int cmd_selectors(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_series(int argc, char **argv);
int cmd_knees(int argc, char **argv);
int cmd_trend(int argc, char **argv);

/* compare.c, for aa: B against A into report; returns the exit status */
int compare_runs(struct run *a, struct run *b, json_t *report, int print);

/* claims.c, for aa: verdicts of every claim file on one run */
json_t *claims_eval(struct run *r, int nfiles, char **files, int *err);
/* One parsed claims file's verdicts appended to out; 0, or -1 said why. */
int claims_eval_doc(struct run *r, json_t *doc, const char *file, json_t *out);
/* guards.c, for claims and compare: the guards of the claims files */
int guards_apply(struct run *r, int nfiles, char **files, json_t *report);
/* Writes the marks into the run's entries and its "guards" record. */
void guards_mark(struct run *r, json_t *report);

/* merge.c: a raw Google Benchmark file's text, its non-finite numbers
 * nulled and a cut-off end salvaged (notes[] says what was done); NULL
 * if nothing could be read. */
json_t *raw_repair(const char *text, size_t len, json_t *notes);
/* Adds suite, flavor, round, rerun, status and base_name to an entry. */
void merge_annotate(json_t *e, json_t *rec);

/* Writes a document to a temporary name beside path, then renames it. */
int json_write_atomic(json_t *doc, const char *path);

/* Formatting of a metric's value ("1.23 us", "4.56e+07"). */
const char *fmt_value(char *buf, size_t len, double v, const char *metric);

#endif
