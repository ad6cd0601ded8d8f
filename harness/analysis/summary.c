/*
 * summary.c - per benchmark: the median of its repetitions, their spread,
 * and, from the rounds, an interval for the typical value of a process.
 */
#include "analysis.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The geometric mean of the round medians and its interval. */
static int round_interval(const struct bench *b, const char *metric,
			  double *mid, double *lo, double *hi)
{
	double *m;
	int *ids, k = bench_rounds(b, metric, &m, &ids), rc = -1;
	struct stats_est e;

	for (int i = 0; i < k; i++) {
		if (!(m[i] > 0))
			goto out;
		m[i] = log(m[i]);
	}
	if (!stats_one_sample(m, k, 1 - opt.alpha, &e)) {
		*mid = exp(e.diff);
		*lo = exp(e.lo);
		*hi = exp(e.hi);
		rc = k;
	}
out:
	free(m);
	free(ids);
	return rc;
}

/* Fields of a Google Benchmark entry that are not counters. */
static int not_counter(const char *k)
{
	static const char *keys[] = {
		"family_index", "per_family_instance_index", "repetitions",
		"repetition_index", "threads", "iterations", "real_time",
		"cpu_time", "round", "param",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(k, keys[i]))
			return 1;
	return 0;
}

/* Every counter's median over the repetitions: {name: median}. */
static json_t *counter_medians(const struct bench *b)
{
	json_t *out = json_object(), *v;
	const char *key;

	if (!b->n)
		return out;
	json_object_foreach(b->e[0], key, v) {
		double *x = xmalloc(sizeof(double) * (size_t)b->n);
		int n = 0;

		if (!json_is_number(v) || not_counter(key)) {
			free(x);
			continue;
		}
		for (int i = 0; i < b->n; i++) {
			json_t *y = json_object_get(b->e[i], key);

			if (json_is_number(y) && isfinite(json_number_value(y)))
				x[n++] = json_number_value(y);
		}
		if (n)
			json_object_set_new(out, key, json_real(stats_median(x, n)));
		free(x);
	}
	return out;
}

static json_t *summary_json(const struct bench *b)
{
	json_t *o = json_object();
	const char *metric = bench_metric(b, opt.metric);
	double *v, mid, lo, hi;
	int n = bench_values(b, metric, &v), rounds;
	double *rm;
	int *ids;

	rounds = bench_rounds(b, metric, &rm, &ids);
	free(rm);
	free(ids);
	json_object_set_new(o, "suite", json_string(b->suite));
	json_object_set_new(o, "flavor", json_string(b->flavor));
	json_object_set_new(o, "name", json_string(b->name));
	json_object_set_new(o, "base_name", json_string(b->base));
	json_object_set_new(o, "status", json_string(b->status));
	if (b->reason)
		json_object_set_new(o, "reason", json_string(b->reason));
	json_object_set_new(o, "metric", json_string(metric));
	json_object_set_new(o, "n", json_integer(n));
	json_object_set_new(o, "rounds", json_integer(rounds));
	if (n) {
		double cv = n > 1 ? stats_cv(v, n) : NAN;

		json_object_set_new(o, "median", json_real(stats_median(v, n)));
		json_object_set_new(o, "mad", json_real(stats_mad(v, n)));
		json_object_set_new(o, "min", json_real(stats_min(v, n)));
		json_object_set_new(o, "max", json_real(stats_max(v, n)));
		if (n > 1 && isfinite(cv))
			json_object_set_new(o, "cv", json_real(cv));
		json_object_set_new(o, "noisy",
				    json_boolean(n > 1 && cv > 0.05));
	}
	if (round_interval(b, metric, &mid, &lo, &hi) > 0) {
		json_object_set_new(o, "round_mean", json_real(mid));
		json_object_set_new(o, "ci_low", json_real(lo));
		json_object_set_new(o, "ci_high", json_real(hi));
	}
	if (b->unstable)
		json_object_set_new(o, "unstable", json_string(b->unstable));
	json_object_set_new(o, "counters", counter_medians(b));
	free(v);
	return o;
}

int cmd_summary(int argc, char **argv)
{
	struct run r;
	json_t *out;
	size_t i;
	json_t *o;

	if (argc != 1) {
		fprintf(stderr, "usage: benchstat summary RUN.json\n");
		return 2;
	}
	if (run_load(&r, argv[0]))
		return 2;
	out = json_array();
	for (int k = 0; k < r.n; k++)
		json_array_append_new(out, summary_json(&r.b[k]));
	if (opt.json) {
		json_dumpf(out, stdout, JSON_INDENT(1));
		printf("\n");
		goto done;
	}
	printf("%-56s %-9s %3s %3s %12s %10s %7s\n", "benchmark", "flavor",
	       "n", "rnd", "median", "MAD", "CV");
	json_array_foreach(out, i, o) {
		const char *metric = jstr(o, "metric", "real_time");
		char b1[32], b2[32];

		if (strcmp(jstr(o, "status", ""), "ok")) {
			printf("%-56s %-9s %s: %s\n", jstr(o, "name", ""),
			       jstr(o, "flavor", ""), jstr(o, "status", ""),
			       jstr(o, "reason", ""));
			continue;
		}
		printf("%-56s %-9s %3d %3d %12s %10s %6.2f%%%s%s%s\n",
		       jstr(o, "name", ""), jstr(o, "flavor", ""),
		       (int)jnum(o, "n", 0), (int)jnum(o, "rounds", 0),
		       fmt_value(b1, sizeof(b1), jnum(o, "median", NAN), metric),
		       fmt_value(b2, sizeof(b2), jnum(o, "mad", NAN), metric),
		       100 * jnum(o, "cv", NAN),
		       json_is_true(json_object_get(o, "noisy")) ? " noisy" : "",
		       json_object_get(o, "unstable") ? " UNSTABLE: " : "",
		       jstr(o, "unstable", ""));
	}
done:
	json_decref(out);
	run_free(&r);
	return 0;
}
