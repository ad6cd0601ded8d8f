/*
 * cli.c - benchstat's command line.
 *
 *   benchstat summary RUN.json                 median, spread, round interval
 *   benchstat compare A.json B.json            B against A; exit 1 on a regression
 *   benchstat flavors RUN.json [--baseline O2] each flavor against a baseline
 *   benchstat claims RUN.json CLAIMS.json...   the verdict of every claim
 *   benchstat guards RUN.json [CLAIMS.json...] results the machine disturbed
 *   benchstat aa A.json B.json [CLAIMS.json...]  A/A false-positive rates
 *   benchstat selectors --names FILE CLAIMS.json...  claims against names
 *   benchstat merge RUN_DIR [CLAIMS.json...]   raw files into run.json
 *   benchstat series RUN.json --match RE       the points a plot draws
 *   benchstat knees RUN.json --match RE        where a latency curve bends
 *   benchstat trend RUN.json...                runs by machine, change points
 *
 * Options: --json, --metric M (auto: the time each benchmark reports;
 * cpu_time, real_time or a counter), --alpha A (0.05), --threshold T
 * (compare's regression threshold, 0.05), --baseline F (O2), --write and
 * --out FILE (guards: annotate the run), --list (guards: one line each),
 * --names FILE (selectors).
 *
 * Exit status: 0; 1 for a regression (compare), a failed A/A (aa) or a
 * selector matching nothing (selectors); 2 for bad input; 3 when compare
 * finds regressions but the machine's calibration changed between runs.
 */
#include "analysis.h"

#include <stdlib.h>
#include <string.h>

struct options opt;

static void usage(void)
{
	fprintf(stderr,
		"usage: benchstat summary RUN.json\n"
		"       benchstat compare A.json B.json\n"
		"       benchstat flavors RUN.json [--baseline FLAVOR]\n"
		"       benchstat claims RUN.json CLAIMS.json...\n"
		"       benchstat guards RUN.json [CLAIMS.json...] [--write "
		"[--out FILE]] [--list]\n"
		"       benchstat aa A.json B.json [CLAIMS.json...]\n"
		"       benchstat selectors --names FILE CLAIMS.json...\n"
		"       benchstat merge RUN_DIR [CLAIMS.json...] [--status S] "
		"[--started ISO] [--profile P] [--args JSON]\n"
		"       benchstat series|knees RUN.json --match REGEX [--flavor F]\n"
		"       benchstat trend RUN.json...\n"
		"options: --json --metric M --alpha A --threshold T "
		"--baseline F\n");
}

static int number(const char *name, const char *s, double lo, double hi,
		  double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (!*s || *end || !(v > lo && v < hi)) {
		fprintf(stderr, "error: %s must be a number between %g and %g, "
			"not '%s'\n", name, lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

int benchstat_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "summary", cmd_summary }, { "compare", cmd_compare },
		{ "flavors", cmd_flavors }, { "claims", cmd_claims },
		{ "guards", cmd_guards }, { "aa", cmd_aa },
		{ "selectors", cmd_selectors }, { "merge", cmd_merge },
		{ "series", cmd_series }, { "knees", cmd_knees },
		{ "trend", cmd_trend },
	};
	char **args = calloc((size_t)argc + 1, sizeof(char *));
	int n = 0, rc = 2;

	opt = (struct options){ .metric = "auto", .alpha = 0.05,
				.threshold = 0.05, .baseline = "O2" };
	if (!args)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json")) {
			opt.json = 1;
		} else if (!strcmp(a, "--write")) {
			opt.write = 1;
		} else if (!strcmp(a, "--list")) {
			opt.list = 1;
		} else if (!strcmp(a, "--metric") && val) {
			opt.metric = val, i++;
		} else if (!strcmp(a, "--baseline") && val) {
			opt.baseline = val, i++;
		} else if (!strcmp(a, "--names") && val) {
			opt.names = val, i++;
		} else if (!strcmp(a, "--out") && val) {
			opt.out = val, i++;
		} else if (!strcmp(a, "--status") && val) {
			opt.status = val, i++;
		} else if (!strcmp(a, "--started") && val) {
			opt.started = val, i++;
		} else if (!strcmp(a, "--profile") && val) {
			opt.profile = val, i++;
		} else if (!strcmp(a, "--args") && val) {
			opt.args = val, i++;
		} else if (!strcmp(a, "--match") && val) {
			opt.match = val, i++;
		} else if (!strcmp(a, "--flavor") && val) {
			opt.flavor = val, i++;
		} else if (!strcmp(a, "--alpha") && val) {
			if (number("--alpha", val, 0, 1, &opt.alpha))
				goto out;
			i++;
		} else if (!strcmp(a, "--threshold") && val) {
			if (number("--threshold", val, 0, 10, &opt.threshold))
				goto out;
			i++;
		} else if (!strncmp(a, "--", 2)) {
			fprintf(stderr, "error: unknown option %s%s\n", a,
				val ? "" : " (or its value is missing)");
			usage();
			goto out;
		} else {
			args[n++] = argv[i];
		}
	}
	if (n < 1) {
		usage();
		goto out;
	}
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
		if (!strcmp(args[0], cmds[c].name)) {
			rc = cmds[c].fn(n - 1, args + 1);
			fflush(stdout);
			goto out;
		}
	fprintf(stderr, "error: unknown command '%s'\n", args[0]);
	usage();
out:
	free(args);
	return rc;
}
