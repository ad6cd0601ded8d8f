/*
 * test_guard.c - the guard data every repetition carries (context
 * switches, migrations, the CPU), and pinning that stays inside the CPUs
 * the process inherited (taskset) with --bench_cpu. Like test_shim.c, this
 * program registers its own cases and runs itself as a suite binary in
 * child processes, some under a narrowed affinity, reading back the JSON.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "tap.h"

#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the cases this binary registers (suite "unittest") ---- */

#define SLEEP_ITERS 10

static void spin(struct bench_state *st)
{
	uint64_t n, acc = 0;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			acc += i;
			bench_sink(acc);
		}
}

/* Each iteration blocks once: at least one voluntary switch. */
static void sleepy(struct bench_state *st)
{
	struct timespec ts = { .tv_nsec = 200000 };

	while (bench_keep_running(st))
		nanosleep(&ts, NULL);
}

/* Where each thread runs, and how wide its affinity is, as counters. */
static void where(struct bench_state *st)
{
	char name[32];
	cpu_set_t set;

	spin(st);
	snprintf(name, sizeof(name), "cpu_t%d", bench_thread_index(st));
	bench_counter(st, name, sched_getcpu(), BENCH_CTR_TOTAL);
	snprintf(name, sizeof(name), "width_t%d", bench_thread_index(st));
	if (!sched_getaffinity(0, sizeof(set), &set))
		bench_counter(st, name, CPU_COUNT(&set), BENCH_CTR_TOTAL);
}

static const struct bench_case cases[] = {
	{ .name = "guard/spin", .desc = "a loop that never blocks",
	  .run = spin },
	{ .name = "guard/sleep", .desc = "a loop that sleeps every iteration",
	  .run = sleepy, .iterations = SLEEP_ITERS },
	{ .name = "guard/where", .desc = "the CPU and affinity of the thread",
	  .run = where },
	{ .name = "guard/where2", .desc = "the same, two threads",
	  .run = where, .threads = 2, .flags = BENCH_REAL_TIME },
	{ .name = "guard/unpinned", .desc = "the same, never pinned",
	  .run = where, .flags = BENCH_NO_PIN },
};
BENCH_FAMILY(cases);

/* ---- the parent ---- */

static char out_path[] = "/tmp/bench-guard-XXXXXX";
static char log_buf[1 << 16];

static int run_child(const char *filter, const char *extra)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	int st;

	unlink(out_path);
	snprintf(cmd, sizeof(cmd),
		 "/proc/%d/exe child --bench_profile=test "
		 "--benchmark_out=%s --benchmark_out_format=json "
		 "--benchmark_repetitions=2 '--benchmark_filter=%s' %s 2>&1",
		 (int)getpid(), out_path, filter, extra ? extra : "");
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(log_buf, 1, sizeof(log_buf) - 1, p);
	while (n && log_buf[n - 1] == '\n')
		n--;
	log_buf[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Google Benchmark writes bare NaN (a cv of counters that are all 0). */
static json_t *load(void)
{
	json_error_t e;
	FILE *f = fopen(out_path, "r");
	char *buf, *w, *r;
	json_t *j;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		buf[0] = '\0';
	fclose(f);
	/* ": NaN" becomes ": 0  " (never read here), keeping the length. */
	for (w = buf; (r = strstr(w, ": NaN")) != NULL; w = r + 5)
		memcpy(r, ": 0  ", 5);
	j = json_loads(buf, 0, &e);
	if (!j)
		diag("cannot parse %s: %s", out_path, e.text);
	free(buf);
	return j;
}

static double num(json_t *b, const char *k)
{
	json_t *v = b ? json_object_get(b, k) : NULL;

	return json_is_number(v) ? json_number_value(v) : -12345;
}

/*
 * Calls fn on every repetition entry of a benchmark: run_name is name,
 * or name and Google Benchmark's suffixes ("/real_time/threads:2"), or
 * any benchmark under name when it ends in '/'. 1 if there was one and
 * fn said yes to all.
 */
static int each_rep(json_t *root, const char *name,
		    int (*fn)(json_t *b, void *arg), void *arg)
{
	json_t *b, *list = json_object_get(root, "benchmarks");
	size_t i;
	int n = 0, good = 0;

	json_array_foreach(list, i, b) {
		const char *rn = json_string_value(json_object_get(b,
								   "run_name"));
		const char *t = json_string_value(json_object_get(b,
								  "run_type"));

		size_t len = strlen(name);

		if (!rn || strncmp(rn, name, len) ||
		    (rn[len] && rn[len] != '/' && name[len - 1] != '/') ||
		    !t || strcmp(t, "iteration"))
			continue;
		n++;
		good += fn(b, arg);
	}
	return n > 0 && good == n;
}

static int has_guard(json_t *b, void *arg)
{
	return num(b, "guard_vol_cs") >= 0 && num(b, "guard_invol_cs") >= 0 &&
	       num(b, "guard_migrations") >= 0 && num(b, "guard_cpu") >= 0;
}

static int slept(json_t *b, void *arg)
{
	return num(b, "guard_vol_cs") >= SLEEP_ITERS;
}

static int no_migration(json_t *b, void *arg)
{
	return num(b, "guard_migrations") == 0;
}

static int on_cpu(json_t *b, void *arg)
{
	return num(b, "guard_cpu") == *(int *)arg &&
	       num(b, "cpu_t0") == *(int *)arg;
}

static int on_cpus(json_t *b, void *arg)
{
	const int *c = arg;

	return num(b, "guard_cpu") == c[0] && num(b, "cpu_t0") == c[0] &&
	       num(b, "cpu_t1") == c[1];
}

static int width(json_t *b, void *arg)
{
	int w = *(int *)arg;

	return num(b, "width_t0") == w &&
	       (num(b, "width_t1") == -12345 || num(b, "width_t1") == w);
}

static const char *ctx(json_t *root, const char *k)
{
	const char *s = json_string_value(
		json_object_get(json_object_get(root, "context"), k));

	return s ? s : "";
}

static void test_guard_data(void)
{
	json_t *root;
	int rc;

	rc = run_child("^unittest/guard/", NULL);
	is_int(rc, 0, "the guard cases run");
	if (rc)
		diag("%s", log_buf);
	root = load();
	ok(root != NULL, "and write JSON");
	if (!root)
		return;
	ok(each_rep(root, "unittest/guard/", has_guard, NULL),
	   "every repetition of every case has guard_vol_cs, "
	   "guard_invol_cs, guard_migrations and guard_cpu");
	ok(each_rep(root, "unittest/guard/sleep", slept, NULL),
	   "a loop that sleeps %d times shows at least %d voluntary "
	   "switches", SLEEP_ITERS, SLEEP_ITERS);
	ok(each_rep(root, "unittest/guard/spin", no_migration, NULL),
	   "a pinned loop shows no migration");
	ok(strlen(ctx(root, "cpus_allowed")) > 0,
	   "the context names the allowed CPUs (%s)",
	   ctx(root, "cpus_allowed"));
	ok(strstr(ctx(root, "bench_pinning"), "core i mod") != NULL,
	   "and the pinning (%s)", ctx(root, "bench_pinning"));
	ok(strlen(ctx(root, "guard_migrations_source")) > 0,
	   "and how migrations are counted (%s)",
	   ctx(root, "guard_migrations_source"));
	json_decref(root);
}

static void test_bench_cpu(const int *cpus, int ncpus)
{
	char arg[64];
	json_t *root;
	int rc, last = cpus[ncpus - 1];

	snprintf(arg, sizeof(arg), "--bench_cpu=%d", last);
	rc = run_child("^unittest/guard/where$", arg);
	is_int(rc, 0, "--bench_cpu=%d runs", last);
	root = load();
	ok(root && each_rep(root, "unittest/guard/where", on_cpu, &last),
	   "the benchmark thread runs on CPU %d, and guard_cpu says so", last);
	json_decref(root);

	if (ncpus < 2) {
		ok(1, "# SKIP one allowed CPU: no thread order to check");
		return;
	}
	{
		int want[2] = { cpus[1], cpus[0] };

		snprintf(arg, sizeof(arg), "--bench_cpu=%d,%d", want[0],
			 want[1]);
		rc = run_child("^unittest/guard/where2", arg);
		root = load();
		ok(rc == 0 && root &&
			   each_rep(root, "unittest/guard/where2", on_cpus,
				    want),
		   "%s puts thread 0 on CPU %d and thread 1 on CPU %d", arg,
		   want[0], want[1]);
		json_decref(root);
	}
}

static void test_bad_flags(void)
{
	int rc;

	rc = run_child("x", "--bench_cpu=abc");
	is_int(rc, 2, "--bench_cpu=abc: exit 2");
	ok(strstr(log_buf, "bad CPU list 'abc'") != NULL, "saying why: %s",
	   log_buf);
	rc = run_child("x", "--bench_cpu=0,");
	is_int(rc, 2, "--bench_cpu=0, (a trailing comma): exit 2");
	rc = run_child("x", "--bench_cpu=4095");
	is_int(rc, 2, "--bench_cpu with a CPU this process may not use: "
	       "exit 2");
	ok(strstr(log_buf, "CPU 4095 is not one this process may run on") !=
		   NULL, "saying which CPUs it may use: %s", log_buf);
	rc = run_child("x", "--bench_cpu=0 --bench_pin=0");
	is_int(rc, 2, "--bench_cpu with --bench_pin=0 contradict: exit 2");
	rc = run_child("x", "--bench_pin=2");
	is_int(rc, 2, "--bench_pin=2: exit 2");
}

/*
 * As `taskset -c C` would start it: the child inherits an affinity of
 * one CPU, the second allowed one, and must never widen it.
 */
static void test_inherited(const int *cpus, int ncpus)
{
	cpu_set_t saved, one;
	char arg[64], want[16];
	int c = ncpus > 1 ? cpus[1] : -1, w = 1, pair[2];
	json_t *root;
	int rc;

	if (ncpus < 2) {
		for (int i = 0; i < 6; i++)
			ok(1, "# SKIP one allowed CPU: cannot narrow it");
		return;
	}
	sched_getaffinity(0, sizeof(saved), &saved);
	CPU_ZERO(&one);
	CPU_SET(c, &one);
	if (sched_setaffinity(0, sizeof(one), &one)) {
		for (int i = 0; i < 6; i++)
			ok(1, "# SKIP cannot narrow this process's affinity");
		return;
	}
	snprintf(want, sizeof(want), "%d", c);

	rc = run_child("^unittest/guard/(where|unpinned)", "--bench_pin=0");
	root = load();
	ok(rc == 0 && root && each_rep(root, "unittest/guard/where", on_cpu,
				       &c) &&
		   each_rep(root, "unittest/guard/where", width, &w),
	   "under taskset -c %d, --bench_pin=0 keeps every thread on CPU %d "
	   "alone", c, c);
	is_str(ctx(root, "cpus_allowed"), want,
	       "the context records the inherited CPUs");
	json_decref(root);

	rc = run_child("^unittest/guard/(where|unpinned)", NULL);
	root = load();
	pair[0] = pair[1] = c;
	ok(rc == 0 && root &&
		   each_rep(root, "unittest/guard/where", on_cpu, &c) &&
		   each_rep(root, "unittest/guard/where2", on_cpus, pair),
	   "pinning picks cores inside the inherited set (CPU %d)", c);
	ok(root && each_rep(root, "unittest/guard/unpinned", width, &w),
	   "a case that is never pinned keeps the inherited set too");
	json_decref(root);

	snprintf(arg, sizeof(arg), "--bench_cpu=%d", cpus[0]);
	rc = run_child("x", arg);
	is_int(rc, 2, "%s outside the inherited set: exit 2", arg);
	ok(strstr(log_buf, want) != NULL, "naming the allowed set: %s",
	   log_buf);
	sched_setaffinity(0, sizeof(saved), &saved);
}

int main(int argc, char **argv)
{
	int cpus[CPU_SETSIZE], n = 0, fd;
	cpu_set_t set;

	if (argc > 1 && !strcmp(argv[1], "child")) {
		argv[1] = argv[0];
		return bench_main(argc - 1, argv + 1);
	}
	fd = mkstemp(out_path);
	if (fd < 0)
		return 1;
	close(fd);
	if (!sched_getaffinity(0, sizeof(set), &set))
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[n++] = c;
	if (!n)
		cpus[n++] = 0;
	test_guard_data();
	test_bench_cpu(cpus, n);
	test_bad_flags();
	test_inherited(cpus, n);
	unlink(out_path);
	return tap_done();
}
