/*
 * args.h - the harness's own command-line options (--bench_*), parsed
 * without side effects: no file is opened and no CPU is checked here, so
 * that the parsing can be tested and fuzzed on its own. bench_main()
 * (gbshim.cc) checks what needs the machine (allowed CPUs, the data
 * directory, the caches file) after parsing.
 */
#ifndef BENCH_ARGS_H
#define BENCH_ARGS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BENCH_ARGS_MAX_CPUS 256

struct bench_args {
	int profile;		/* enum bench_profile */
	int pinning;		/* --bench_pin (default 1) */
	int pin_given;
	int cpus[BENCH_ARGS_MAX_CPUS];	/* --bench_cpu, in order */
	int ncpus;
	uint64_t seed;		/* --bench_seed (default 1) */
	const char *data_dir;	/* --bench_data_dir, or NULL */
	const char *caches;	/* --bench_caches, or NULL */
	int list;		/* --bench_list */
	int help;		/* --help or -h (also passed on) */
	/* Arguments for Google Benchmark: argv[0], then every argument not
	 * the harness's, in order (pointers into argv). */
	char **pass;
	int npass;
};

/*
 * Parses argv into a (defaults first). 0, or 2 with the reason in err:
 * an unknown --bench_ option or a bad value. a->pass is malloc'ed
 * (argc + 1 entries, NULL-terminated): bench_args_free releases it.
 */
int bench_args_parse(int argc, char **argv, struct bench_args *a, char *err,
		     size_t errlen);
void bench_args_free(struct bench_args *a);
/* "N[,M...]" into cpus[]; the count, or -1 if malformed. */
int bench_args_cpu_list(const char *v, int *cpus, int max);

#ifdef __cplusplus
}
#endif

#endif
