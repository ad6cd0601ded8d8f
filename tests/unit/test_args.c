/*
 * test_args.c - the harness's own options (harness/args.c): defaults,
 * each option's value, what passes through to Google Benchmark, and the
 * refusals with their reasons.
 */
#include "args.h"
#include "gbshim.h"
#include "tap.h"

#include <string.h>

static int parse(struct bench_args *a, char *err, const char *const *args)
{
	char *argv[16];
	int argc = 0, rc;

	argv[argc++] = "bench_x";
	while (*args && argc < 15)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	rc = bench_args_parse(argc, argv, a, err, 256);
	return rc;
}

int main(void)
{
	struct bench_args a;
	char err[256];

	ok(!parse(&a, err, (const char *[]){ NULL }), "no arguments parse");
	is_int(a.profile, BENCH_PROFILE_QUICK, "the default profile is quick");
	is_int(a.pinning, 1, "threads are pinned by default");
	is_int((long long)a.seed, 1, "the default seed is 1");
	is_int(a.npass, 1, "only argv[0] passes through");
	bench_args_free(&a);

	ok(!parse(&a, err, (const char *[]){ "--bench_profile=test", "--benchmark_filter=x",
					     "--bench_cpu=1,0,3", "--bench_seed=0x10",
					     "--bench_data_dir=/d", "--bench_list", "-h", NULL }),
	   "every option parses");
	is_int(a.profile, BENCH_PROFILE_TEST, "--bench_profile=test");
	is_int(a.ncpus, 3, "three CPUs listed");
	ok(a.cpus[0] == 1 && a.cpus[1] == 0 && a.cpus[2] == 3, "in their order");
	is_int((long long)a.seed, 16, "a hexadecimal seed");
	is_str(a.data_dir, "/d", "the data directory");
	ok(a.list && a.help, "--bench_list and -h");
	is_int(a.npass, 3, "argv[0], the Google Benchmark flag and -h pass through");
	is_str(a.pass[1], "--benchmark_filter=x", "in their order");
	ok(a.pass[a.npass] == NULL, "the list ends with NULL");
	bench_args_free(&a);

	static const struct {
		const char *arg, *why;
	} bad[] = {
		{ "--bench_profile=huge", "unknown profile" },
		{ "--bench_pin=2", "want 0 or 1" },
		{ "--bench_cpu=", "bad CPU list" },
		{ "--bench_cpu=1,", "bad CPU list" },
		{ "--bench_cpu=-1", "bad CPU list" },
		{ "--bench_cpu=70000", "bad CPU list" },
		{ "--bench_seed=", "bad seed" },
		{ "--bench_seed=-3", "bad seed" },
		{ "--bench_seed=99999999999999999999999", "bad seed" },
		{ "--bench_frobnicate", "unknown harness option" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		is_int(parse(&a, err, (const char *[]){ bad[i].arg, NULL }), 2,
		       "%s is refused with 2", bad[i].arg);
		ok(strstr(err, bad[i].why) != NULL, "saying '%s' (%s)", bad[i].why, err);
		bench_args_free(&a);
	}
	is_int(parse(&a, err, (const char *[]){ "--bench_cpu=0", "--bench_pin=0", NULL }), 2,
	       "--bench_cpu with --bench_pin=0 is refused");
	bench_args_free(&a);
	return tap_done();
}
