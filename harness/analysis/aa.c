/*
 * aa.c - the A/A self-test: two runs of the same binaries compared as if
 * they were two builds. Everything it finds is a false positive: the rate
 * of benchmarks called different, and the claims whose verdict changed.
 * It tells a user how far to trust a comparison on this machine.
 */
#include "analysis.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Target: at most this share of benchmarks beyond compare's threshold. */
#define AA_TARGET 0.05

static json_t *find_claim(json_t *list, json_t *c)
{
	json_t *o;
	size_t i;

	json_array_foreach(list, i, o)
		if (!strcmp(jstr(o, "suite", ""), jstr(c, "suite", "")) &&
		    !strcmp(jstr(o, "id", ""), jstr(c, "id", "")))
			return o;
	return NULL;
}

static int decisive(const char *v)
{
	return !strcmp(v, "holds") || !strcmp(v, "does not hold");
}

int cmd_aa(int argc, char **argv)
{
	struct run a, b;
	json_t *cmp, *ca = NULL, *cb = NULL, *out, *flips, *softer, *c;
	json_t *sum;
	int err = 0, rc, n, sig, beyond, flagged, nclaims = 0;
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: benchstat aa A.json B.json "
			"[CLAIMS.json...]\n");
		return 2;
	}
	if (run_load_pair(&a, argv[0], &b, argv[1]))
		return 2;
	cmp = json_object();
	rc = compare_runs(&a, &b, cmp, 0);
	sum = json_object_get(cmp, "summary");
	n = (int)jnum(sum, "compared", 0);
	sig = (int)(jnum(sum, "faster", 0) + jnum(sum, "slower", 0));
	beyond = (int)jnum(sum, "significant_beyond_threshold", 0);
	flagged = (int)(jnum(sum, "regressions", 0) +
			jnum(sum, "improvements", 0));
	flips = json_array();
	softer = json_array();
	if (argc > 2) {
		ca = claims_eval(&a, argc - 2, argv + 2, &err);
		if (!err)
			cb = claims_eval(&b, argc - 2, argv + 2, &err);
	}
	json_array_foreach(ca, i, c) {
		json_t *d = find_claim(cb, c);
		const char *va = jstr(c, "verdict", ""), *vb;

		if (!d || !strcmp(va, "not run"))
			continue;
		nclaims++;
		vb = jstr(d, "verdict", "");
		if (!strcmp(va, vb))
			continue;
		json_array_append_new(decisive(va) && decisive(vb) ? flips
				      : softer, json_pack("{s:s,s:s,s:s,s:s}",
			"suite", jstr(c, "suite", ""), "id", jstr(c, "id", ""),
			"a", va, "b", vb));
	}
	out = json_pack("{s:s,s:s,s:i,s:i,s:f,s:i,s:f,s:i,s:f,s:f,s:i,s:o,s:o,"
			"s:b,s:i,s:b}",
		"a", jstr(a.root, "run_id", argv[0]),
		"b", jstr(b.root, "run_id", argv[1]),
		"compared", n, "significant", sig,
		"significant_rate", n ? (double)sig / n : 0.0,
		"beyond_threshold", beyond,
		"false_positive_rate", n ? (double)beyond / n : 0.0,
		"flagged", flagged,
		"flagged_rate", n ? (double)flagged / n : 0.0,
		"threshold", opt.threshold,
		"claims_compared", nclaims, "claim_flips", flips,
		"claim_changes", softer,
		"machine_differs",
		json_is_true(json_object_get(cmp, "machine_differs")),
		"compare_exit", rc,
		"passed", n && (double)beyond / n <= AA_TARGET && !flagged &&
			  !json_array_size(flips));
	if (opt.json) {
		json_dumpf(out, stdout, JSON_INDENT(1));
		printf("\n");
	} else {
		printf("A/A: %s against %s, %d benchmarks in both\n",
		       jstr(out, "a", ""), jstr(out, "b", ""), n);
		printf("  significantly different (p < %.2g, each on its own): "
		       "%d (%.1f%%)\n", opt.alpha, sig, n ? 100.0 * sig / n : 0);
		printf("  false-positive rate, significant and beyond %.0f%%: "
		       "%d (%.1f%%; target at most %.0f%%)\n",
		       100 * opt.threshold, beyond, n ? 100.0 * beyond / n : 0,
		       100 * AA_TARGET);
		printf("  flagged by compare (Holm-corrected regressions and "
		       "improvements): %d; compare would exit %d\n", flagged,
		       rc);
		if (argc > 2) {
			printf("  claims: %d in both runs, %d flipped between "
			       "holds and does not hold, %d changed to or from "
			       "inconclusive or not testable\n", nclaims,
			       (int)json_array_size(flips),
			       (int)json_array_size(softer));
			json_array_foreach(flips, i, c)
				printf("    FLIP %s/%s: %s -> %s\n",
				       jstr(c, "suite", ""), jstr(c, "id", ""),
				       jstr(c, "a", ""), jstr(c, "b", ""));
			json_array_foreach(softer, i, c)
				printf("    %s/%s: %s -> %s\n",
				       jstr(c, "suite", ""), jstr(c, "id", ""),
				       jstr(c, "a", ""), jstr(c, "b", ""));
		}
		printf("  %s\n", json_is_true(json_object_get(out, "passed"))
			? "passed: identical binaries compare as no change"
			: "FAILED: this machine reports differences between "
			  "identical binaries");
	}
	rc = err ? 2 : json_is_true(json_object_get(out, "passed")) ? 0 : 1;
	json_decref(out);
	json_decref(cmp);
	json_decref(ca);
	json_decref(cb);
	run_free(&a);
	run_free(&b);
	return rc;
}
