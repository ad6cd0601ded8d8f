/*
 * test_shim.c - the C shim, end to end: this program registers its own
 * cases, runs itself as a suite binary (child processes, because Google
 * Benchmark's state is per process) and reads the JSON it wrote back with
 * jansson.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "tap.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the cases this binary registers (suite "unittest") ---- */

static int setup_calls, teardown_calls;

static void plain(struct bench_state *st)
{
	uint64_t n, acc = 0;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			acc += i;
			bench_sink(acc);
		}
}

static int gen_two(const struct bench_case *c, int64_t *args, int max)
{
	args[0] = bench_profile() == BENCH_PROFILE_TEST ? 10 : 1000;
	args[1] = 20;
	return 2;
}

static int once_setup(struct bench_state *st)
{
	setup_calls++;
	bench_set_priv(st, &setup_calls);
	return 0;
}

static void once_run(struct bench_state *st)
{
	plain(st);
	/* Setup is shared by every run and repetition of an instance. */
	bench_counter(st, "setup_calls", setup_calls, BENCH_CTR_TOTAL);
	bench_counter(st, "teardowns_so_far", teardown_calls, BENCH_CTR_TOTAL);
	bench_counter(st, "priv_ok", bench_priv(st) == &setup_calls,
		      BENCH_CTR_TOTAL);
}

static void once_teardown(struct bench_state *st)
{
	teardown_calls++;
}

static int skip_setup(struct bench_state *st)
{
	errno = ENOENT;
	bench_skip(st, "no such feature (%s)", strerror(errno));
	return 1;
}

static int verify_wrong(struct bench_state *st)
{
	bench_fail(st, "checksum 0x1 differs from 0x2");
	return 1;
}

static void counters_run(struct bench_state *st)
{
	uint64_t n, total = 0;

	while ((n = bench_batch(st)) != 0) {
		for (uint64_t i = 0; i < n; i++) {
			total++;
			bench_sink(total);
		}
	}
	bench_counter(st, "work", (double)total, BENCH_CTR_PER_ITER);
	bench_set_items(st, (int64_t)total);
	bench_label(st, "made by counters_run");
}

static void syscalls_run(struct bench_state *st)
{
	uint64_t n;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++)
			syscall(SYS_getppid);
}

static void hist_run(struct bench_state *st)
{
	uint64_t n, k = 0;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++)
			bench_hist_add(st, k++ % 100);
}

static int thread_seen[2];

static void threads_run(struct bench_state *st)
{
	int t = bench_thread_index(st);

	thread_seen[t % 2] = 1;
	plain(st);
	bench_thread_barrier(st);
	bench_counter(st, "threads_seen", thread_seen[0] + thread_seen[1],
		      BENCH_CTR_AVG_THREADS);
}

/* Waits for its sibling inside run(), as threaded cases do. */
static void threads_syscalls_run(struct bench_state *st)
{
	bench_thread_barrier(st);
	syscalls_run(st);
	bench_thread_barrier(st);
}

static void per_iter_run(struct bench_state *st)
{
	uint64_t count = 0;

	while (bench_keep_running(st))
		count++;
	if (count != bench_iterations(st))
		bench_fail(st, "looped %llu times for %llu iterations",
			   (unsigned long long)count,
			   (unsigned long long)bench_iterations(st));
	bench_counter(st, "loops", (double)count, BENCH_CTR_PER_ITER);
}

static void noloop_run(struct bench_state *st)
{
}

static void count_fail_run(struct bench_state *st)
{
	plain(st);
	bench_fail(st, "wrong in every pass");
}

static void manual_run(struct bench_state *st)
{
	while (bench_keep_running(st))
		bench_set_iteration_time(st, 1e-6);
}

static const struct bench_case cases[] = {
	{ .name = "shim/args", .desc = "byte arguments", .run = plain,
	  .arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,
	  BENCH_ARGS(4096, 65536, 1536) },
	{ .name = "shim/range", .desc = "a geometric range", .run = plain,
	  .arg_name = "n", BENCH_RANGE(1, 64, 8) },
	{ .name = "shim/gen", .desc = "arguments from a function",
	  .run = plain, .arg_name = "k", .gen_args = gen_two },
	{ .name = "shim/setup_once", .desc = "setup shared by runs",
	  .setup = once_setup, .run = once_run, .teardown = once_teardown,
	  .repetitions = 3 },
	{ .name = "shim/setup_once2", .desc = "the next instance",
	  .setup = once_setup, .run = once_run, .teardown = once_teardown },
	{ .name = "shim/skip", .desc = "a skip in setup", .setup = skip_setup,
	  .run = plain },
	{ .name = "shim/fail_verify", .desc = "a wrong result", .run = plain,
	  .verify = verify_wrong },
	{ .name = "shim/counters", .desc = "counters", .run = counters_run },
	{ .name = "shim/syscalls", .desc = "syscall counter",
	  .run = syscalls_run, .counters = "syscalls,cycles" },
	{ .name = "shim/hist", .desc = "histogram", .run = hist_run,
	  .flags = BENCH_HIST },
	{ .name = "shim/deciles", .desc = "histogram with deciles",
	  .run = hist_run, .flags = BENCH_HIST_DECILES },
	{ .name = "shim/threads", .desc = "two threads", .run = threads_run,
	  .threads = 2, .flags = BENCH_REAL_TIME },
	{ .name = "shim/threads_counted", .desc = "two threads, counted",
	  .run = threads_syscalls_run, .threads = 2,
	  .flags = BENCH_REAL_TIME, .counters = "syscalls" },
	{ .name = "shim/per_iteration", .desc = "per-iteration form",
	  .run = per_iter_run },
	{ .name = "shim/noloop", .desc = "forgets its loop", .run = noloop_run },
	{ .name = "shim/count_fail", .desc = "fails while counting",
	  .run = count_fail_run, .counters = "syscalls" },
	{ .name = "shim/manual", .desc = "manual time", .run = manual_run,
	  .flags = BENCH_MANUAL_TIME, .iterations = 50 },
	{ .name = "shim/us", .desc = "a unit", .run = plain,
	  .unit = BENCH_UNIT_US, .iterations = 7 },
};
BENCH_FAMILY(cases);

/* ---- the parent: run the child, read its JSON ---- */

static char out_path[] = "/tmp/bench-shim-XXXXXX";

static int run_child(const char *filter, const char *extra, char *log,
		     size_t loglen)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd),
		 "/proc/%d/exe child --bench_profile=test "
		 "--benchmark_out=%s --benchmark_out_format=json "
		 "--benchmark_repetitions=2 '--benchmark_filter=%s' %s 2>&1",
		 (int)getpid(), out_path, filter, extra ? extra : "");
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(log, 1, loglen - 1, p);
	log[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * Google Benchmark writes bare NaN (a coefficient of variation of a
 * counter that is always 0 is 0/0); read it as null, as scripts/merge does.
 */
static json_t *load(void)
{
	json_error_t e;
	json_t *j;
	FILE *f = fopen(out_path, "r");
	char *buf, *o;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len * 2 + 1);
	o = buf + len;
	if (fread(o, 1, (size_t)len, f) != (size_t)len)
		len = 0;
	fclose(f);
	o[len] = '\0';
	{
		char *w = buf;

		for (char *r = o; *r;) {
			if (!strncmp(r, ": NaN", 5)) {
				memcpy(w, ": null", 6);
				w += 6;
				r += 5;
			} else {
				*w++ = *r++;
			}
		}
		*w = '\0';
	}
	j = json_loads(buf, 0, &e);
	if (!j)
		diag("cannot parse %s: %s", out_path, e.text);
	free(buf);
	return j;
}

/* First per-repetition entry with this run_name. */
static json_t *find(json_t *root, const char *name)
{
	json_t *b, *list = json_object_get(root, "benchmarks");
	size_t i;

	json_array_foreach(list, i, b) {
		const char *rn = json_string_value(json_object_get(b, "run_name"));
		const char *type = json_string_value(json_object_get(b, "run_type"));

		if (rn && !strcmp(rn, name) && type && !strcmp(type, "iteration"))
			return b;
	}
	return NULL;
}

static double num(json_t *b, const char *k)
{
	json_t *v = b ? json_object_get(b, k) : NULL;

	return json_is_number(v) ? json_number_value(v) : -12345;
}

static const char *str(json_t *b, const char *k)
{
	const char *s = b ? json_string_value(json_object_get(b, k)) : NULL;

	return s ? s : "";
}

static void test_main_run(void)
{
	static char log[1 << 16];
	json_t *root, *b, *ctx, *list;
	size_t i;
	int rc, all_setup_once = 1, reps = 0;

	rc = run_child("^unittest/shim/(args|range|gen|setup_once|setup_once2|"
		       "skip|counters|syscalls|hist|deciles|threads|"
		       "threads_counted|"
		       "per_iteration|"
		       "manual|us)", NULL, log, sizeof(log));
	is_int(rc, 0, "a run with a skip exits 0");
	if (rc)
		diag("%s", log);
	root = load();
	ok(root != NULL, "writes Google Benchmark JSON");
	if (!root)
		return;

	ok(find(root, "unittest/shim/args/size:4KiB") &&
		   find(root, "unittest/shim/args/size:64KiB") &&
		   find(root, "unittest/shim/args/size:1536B"),
	   "byte arguments are named exactly (4KiB, 64KiB, 1536B)");
	ok(find(root, "unittest/shim/range/n:1") &&
		   find(root, "unittest/shim/range/n:8") &&
		   find(root, "unittest/shim/range/n:64"),
	   "a range gives 1, 8, 64");
	ok(find(root, "unittest/shim/gen/k:10") &&
		   find(root, "unittest/shim/gen/k:20") &&
		   !find(root, "unittest/shim/gen/k:1000"),
	   "generated arguments follow the profile");

	list = json_object_get(root, "benchmarks");
	json_array_foreach(list, i, b) {
		if (strcmp(str(b, "run_name"),
			   "unittest/shim/setup_once/repeats:3") ||
		    strcmp(str(b, "run_type"), "iteration"))
			continue;
		reps++;
		if (num(b, "setup_calls") != 1 || num(b, "teardowns_so_far") != 0 ||
		    num(b, "priv_ok") != 1)
			all_setup_once = 0;
	}
	is_int(reps, 3, "a case's own repetition count wins");
	ok(all_setup_once, "setup ran once for every run and repetition, "
	   "priv was kept, no teardown in between");
	b = find(root, "unittest/shim/setup_once2");
	is_dbl(num(b, "setup_calls"), 2, 0, "the next instance set up once");
	is_dbl(num(b, "teardowns_so_far"), 1, 0,
	       "after the previous one was torn down");

	b = find(root, "unittest/shim/skip");
	ok(b && json_is_true(json_object_get(b, "error_occurred")),
	   "a skip is recorded as an error entry");
	is_str(str(b, "error_message"),
	       "skipped: no such feature (No such file or directory)",
	       "with the reason and errno text");
	{
		int skips = 0, with_reason = 0;

		json_array_foreach(list, i, b) {
			if (strcmp(str(b, "run_name"), "unittest/shim/skip"))
				continue;
			skips++;
			with_reason += !strcmp(str(b, "error_message"),
					       "skipped: no such feature (No "
					       "such file or directory)");
		}
		ok(skips >= 1 && with_reason == skips,
		   "every entry of a skipped case keeps the reason (%d of %d)",
		   with_reason, skips);
	}

	b = find(root, "unittest/shim/counters");
	is_dbl(num(b, "work"), 1, 1e-9, "a per-iteration counter is divided "
	       "by iterations");
	ok(num(b, "items_per_second") > 0, "items processed become a rate");
	is_str(str(b, "label"), "made by counters_run", "label");

	b = find(root, "unittest/shim/syscalls");
	if (num(b, "syscalls") != -12345) {
		is_dbl(num(b, "syscalls"), 1, 0, "exactly one syscall per iteration");
	} else {
		ok(strstr(str(b, "label"), "syscalls:") != NULL,
		   "no syscall counter here, and the label says why");
		ok(1, "# SKIP exact syscall count: %s", str(b, "label"));
	}
	ok(num(b, "cycles") == -12345 || num(b, "cycles") > 0,
	   "cycles are absent or counted, never zero");
	/* "not counted: syscalls: ...; cycles: ..." when both are absent. */
	if (num(b, "cycles") == -12345)
		ok(strstr(str(b, "label"), "not counted: ") != NULL &&
			   strstr(str(b, "label"), "cycles: ") != NULL,
		   "the label says why cycles are absent: %s", str(b, "label"));

	b = find(root, "unittest/shim/hist");
	is_dbl(num(b, "max_ns"), 99, 0, "histogram max");
	ok(num(b, "p50_ns") >= 48 && num(b, "p50_ns") <= 51,
	   "histogram median of 0..99 (%g)", num(b, "p50_ns"));
	ok(num(b, "p99_ns") >= 97 && num(b, "p99_ns") <= 99,
	   "histogram p99 (%g)", num(b, "p99_ns"));
	ok(num(b, "samples") >= 1, "samples counted");
	ok(num(b, "mean_ns") >= 49 && num(b, "mean_ns") <= 50,
	   "the exact mean of 0..99 repeated (%g)", num(b, "mean_ns"));
	ok(num(b, "p10_ns") == -12345, "no deciles unless asked for");
	b = find(root, "unittest/shim/deciles");
	ok(num(b, "p10_ns") >= 9 && num(b, "p10_ns") <= 10 &&
		   num(b, "p80_ns") >= 79 && num(b, "p80_ns") <= 80,
	   "deciles of 0..99 (p10 %g, p80 %g)", num(b, "p10_ns"),
	   num(b, "p80_ns"));
	ok(num(b, "p50_ns") >= 48 && num(b, "p99_ns") >= 97,
	   "and the usual percentiles");

	b = find(root, "unittest/shim/threads/real_time/threads:2");
	ok(b != NULL, "two threads: Google Benchmark's name suffix");
	is_dbl(num(b, "threads_seen"), 2, 0, "both thread indexes ran");
	is_dbl(num(b, "threads"), 2, 0, "threads field is 2");

	b = find(root, "unittest/shim/threads_counted/real_time/threads:2");
	if (num(b, "syscalls") != -12345) {
		is_dbl(num(b, "syscalls"), 1, 0, "two threads that wait on each "
		       "other inside run() are counted: one syscall each per "
		       "iteration");
	} else {
		ok(b != NULL, "two threads with an uncounted syscall counter "
		   "still run");
		ok(1, "# SKIP syscalls of two threads: not countable here");
	}

	b = find(root, "unittest/shim/per_iteration");
	is_dbl(num(b, "loops"), 1, 0, "the per-iteration form runs each "
	       "iteration once");

	b = find(root, "unittest/shim/manual/iterations:50/manual_time");
	is_dbl(num(b, "real_time"), 1000, 1e-6, "manual time is what was set");
	b = find(root, "unittest/shim/us/iterations:7");
	is_str(str(b, "time_unit"), "us", "time unit");
	is_dbl(num(b, "iterations"), 7, 0, "fixed iteration count");

	ctx = json_object_get(root, "context");
	ok(json_is_string(json_object_get(ctx, "bench_flavor")) &&
		   json_is_string(json_object_get(ctx, "kernel")) &&
		   json_is_string(json_object_get(ctx, "counter_syscalls")),
	   "the run context is in the JSON");
	is_str(str(ctx, "bench_profile"), "test", "profile in the context");
	json_decref(root);
}

static void test_failures(void)
{
	static char log[1 << 16];
	json_t *root, *b, *ctx;
	int rc;

	rc = run_child("^unittest/shim/fail_verify$", NULL, log, sizeof(log));
	is_int(rc, 1, "a failed verification makes the binary exit 1");
	ok(strstr(log, "failed: checksum 0x1 differs from 0x2") != NULL,
	   "and says why on stderr");
	root = load();
	b = root ? find(root, "unittest/shim/fail_verify") : NULL;
	is_str(str(b, "error_message"), "failed: checksum 0x1 differs from 0x2",
	       "the JSON records the failure");
	json_decref(root);

	rc = run_child("^unittest/shim/noloop$", NULL, log, sizeof(log));
	is_int(rc, 1, "a case that never runs its loop fails");
	root = load();
	b = root ? find(root, "unittest/shim/noloop") : NULL;
	ok(strstr(str(b, "error_message"), "without running the timed loop")
		   != NULL, "and is recorded as such");
	json_decref(root);

	rc = run_child("^unittest/shim/count_fail$", NULL, log, sizeof(log));
	is_int(rc, 1, "a failure in the syscall counting pass fails the run");
	root = load();
	b = root ? find(root, "unittest/shim/count_fail") : NULL;
	ctx = root ? json_object_get(root, "context") : NULL;
	/* Without a syscall counter there is no counting pass to fail in. */
	if (!strncmp(str(ctx, "counter_syscalls"), "ok", 2))
		is_str(str(b, "error_message"),
		       "failed: wrong in every pass (in the untimed counting "
		       "pass)", "and says it came from the counting pass");
	else
		ok(1, "# SKIP no counting pass without a syscall counter: %s",
		   str(ctx, "counter_syscalls"));
	json_decref(root);

	rc = run_child("x", "--benchmark_nonsense=1", log, sizeof(log));
	is_int(rc, 2, "an unknown Google Benchmark flag: exit 2");
	ok(strstr(log, "benchmark_nonsense") != NULL, "naming the flag");
	rc = run_child("x", "--bench_profile=huge", log, sizeof(log));
	is_int(rc, 2, "an unknown profile: exit 2");
	ok(strstr(log, "test quick full") != NULL, "listing the valid ones");
	rc = run_child("x", "--bench_data_dir=/nonexistent/dir", log,
		       sizeof(log));
	is_int(rc, 2, "a data directory that is not there: exit 2");
	rc = run_child("x", "--bench_bogus", log, sizeof(log));
	is_int(rc, 2, "an unknown harness option: exit 2");
	rc = run_child("x", "--bench_caches=/nonexistent/caches.json", log,
		       sizeof(log));
	is_int(rc, 2, "a calibration file that is not there: exit 2");
	ok(strstr(log, "error: --bench_caches: cannot read "
		       "/nonexistent/caches.json") != NULL,
	   "saying which file and why");
	rc = run_child("x", "--bench_list", log, sizeof(log));
	is_int(rc, 0, "--bench_list exits 0");
	ok(strstr(log, "unittest/shim/args/size:64KiB\tbyte arguments") != NULL,
	   "and lists names with descriptions");
}

int main(int argc, char **argv)
{
	int fd;

	if (argc > 1 && !strcmp(argv[1], "child")) {
		argv[1] = argv[0];
		return bench_main(argc - 1, argv + 1);
	}
	fd = mkstemp(out_path);
	if (fd < 0)
		return 1;
	close(fd);
	test_main_run();
	test_failures();
	unlink(out_path);
	return tap_done();
}
