/*
 * args.c - the harness's --bench_* options (args.h).
 */
#define _GNU_SOURCE
#include "args.h"
#include "gbshim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int starts(const char *s, const char *prefix, const char **val)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n))
		return 0;
	*val = s + n;
	return 1;
}

int bench_args_cpu_list(const char *v, int *cpus, int max)
{
	const char *p = v;
	int n = 0;

	while (*p) {
		char *end;
		long c;

		errno = 0;
		c = strtol(p, &end, 10);
		if (end == p || errno || c < 0 || c > 65535 ||
		    (*end && *end != ',') || (*end == ',' && !end[1]) ||
		    n >= max)
			return -1;
		cpus[n++] = (int)c;
		p = *end ? end + 1 : end;
	}
	return n ? n : -1;
}

int bench_args_parse(int argc, char **argv, struct bench_args *a, char *err,
		     size_t errlen)
{
	const char *v;

	memset(a, 0, sizeof(*a));
	a->profile = BENCH_PROFILE_QUICK;
	a->pinning = 1;
	a->seed = 1;
	a->pass = calloc((size_t)(argc > 0 ? argc : 1) + 1, sizeof(char *));
	if (!a->pass) {
		snprintf(err, errlen, "out of memory");
		return 2;
	}
	if (argc > 0)
		a->pass[a->npass++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (starts(s, "--bench_profile=", &v)) {
			if (!strcmp(v, "test"))
				a->profile = BENCH_PROFILE_TEST;
			else if (!strcmp(v, "quick"))
				a->profile = BENCH_PROFILE_QUICK;
			else if (!strcmp(v, "full"))
				a->profile = BENCH_PROFILE_FULL;
			else {
				snprintf(err, errlen, "unknown profile '%s' "
					 "(valid: test quick full)", v);
				return 2;
			}
		} else if (starts(s, "--bench_pin=", &v)) {
			if (strcmp(v, "0") && strcmp(v, "1")) {
				snprintf(err, errlen, "--bench_pin=%s: want 0 "
					 "or 1", v);
				return 2;
			}
			a->pinning = !strcmp(v, "1");
			a->pin_given = 1;
		} else if (starts(s, "--bench_cpu=", &v)) {
			a->ncpus = bench_args_cpu_list(v, a->cpus,
						       BENCH_ARGS_MAX_CPUS);
			if (a->ncpus < 0) {
				a->ncpus = 0;
				snprintf(err, errlen, "bad CPU list '%s' for "
					 "--bench_cpu (want N[,M...], e.g. 1 "
					 "or 2,3; at most %d)", v,
					 BENCH_ARGS_MAX_CPUS);
				return 2;
			}
		} else if (starts(s, "--bench_seed=", &v)) {
			char *end;

			errno = 0;
			a->seed = strtoull(v, &end, 0);
			if (!*v || *end || errno || *v == '-') {
				snprintf(err, errlen, "bad seed '%s'", v);
				return 2;
			}
		} else if (starts(s, "--bench_data_dir=", &v)) {
			a->data_dir = v;
		} else if (starts(s, "--bench_caches=", &v)) {
			a->caches = v;
		} else if (!strcmp(s, "--bench_list")) {
			a->list = 1;
		} else if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			a->help = 1;
			a->pass[a->npass++] = argv[i];
		} else if (!strncmp(s, "--bench_", 8)) {
			snprintf(err, errlen, "unknown harness option '%s'", s);
			return 2;
		} else {
			a->pass[a->npass++] = argv[i];
		}
	}
	if (a->ncpus && a->pin_given && !a->pinning) {
		snprintf(err, errlen, "--bench_cpu pins threads; it cannot go "
			 "with --bench_pin=0");
		return 2;
	}
	if (a->ncpus)
		a->pinning = 1;
	return 0;
}

void bench_args_free(struct bench_args *a)
{
	free(a->pass);
	a->pass = NULL;
	a->npass = 0;
}
