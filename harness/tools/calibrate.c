/*
 * calibrate - what this machine is like right now, as JSON: the cache
 * sizes its latency curve shows, or the state it is in.
 *
 *   calibrate [-o FILE] [--max=BYTES]   cache plateaus (bench-caches/1)
 *   calibrate --state [-o FILE]         machine state (bench-state/1)
 *
 * Cache mode runs the chase of harness/calib.c over working sets until
 * the curve reaches memory (about a second on the 2-vCPU VM of
 * docs/suites/dram.md, whose curve gets there at a few MiB) and writes
 * the levels it found with every point measured; suite binaries read the
 * file with --bench_caches=FILE, so a run measures once and every suite
 * sizes its sweeps from the same figures.
 *
 * State mode measures three things that tell two runs apart by the
 * machine rather than by the code, each as a median with its samples:
 * the null syscall (getppid through syscall(2), so no libc cache), a fixed
 * chain of dependent integer multiply-adds (the CPU's speed, untouched by
 * memory or the kernel), and a random chase through 256 MiB on 4 KiB
 * pages, prefaulted (memory latency plus the page walk of every load: the
 * figure that swings most when neighbours thrash the caches a nested walk
 * needs). On that VM, quiet: getppid 133 ns, 0.8 ns per multiply-add,
 * 250-330 ns per load; busy: 1-3 us and 1-6 us. Takes 1-3 s, most of it
 * the prefault (the host backs fresh guest memory on first touch).
 *
 * Output goes to FILE (written to a temporary name and renamed) or to
 * standard output; a one-line summary goes to standard error. Exit status
 * 0; 1 if nothing could be measured; 2 for bad arguments.
 */
#define _GNU_SOURCE
#include "calib.h"
#include "gbshim.h"
#include "topo.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define STATE_SAMPLES 7
#define STATE_CHASE_BYTES ((size_t)256 << 20)
#define COMPUTE_OPS 5000000ULL
#define SYSCALLS 20000
#define CHASE_LOADS 50000

/* CPU time of this thread: what the sample cost, preemption left out. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: calibrate [-o FILE] [--max=BYTES]\n"
		   "       calibrate --state [-o FILE]\n");
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * {"median": m, "samples": [...], "cpu_median": c, "cpu_samples": [...]}:
 * wall time and the thread's CPU time of each sample. Where they differ
 * the CPU was shared; where both are slow each operation was.
 */
static json_t *sampled(const double *v, const double *c, int n)
{
	double t[STATE_SAMPLES];
	json_t *o = json_object(), *a = json_array(), *ca = json_array();

	for (int i = 0; i < n; i++) {
		json_array_append_new(a, json_real(v[i]));
		json_array_append_new(ca, json_real(c[i]));
	}
	memcpy(t, v, (size_t)n * sizeof(*t));
	qsort(t, (size_t)n, sizeof(*t), cmp_dbl);
	json_object_set_new(o, "median", json_real(t[n / 2]));
	json_object_set_new(o, "samples", a);
	memcpy(t, c, (size_t)n * sizeof(*t));
	qsort(t, (size_t)n, sizeof(*t), cmp_dbl);
	json_object_set_new(o, "cpu_median", json_real(t[n / 2]));
	json_object_set_new(o, "cpu_samples", ca);
	return o;
}

static double median_of(const double *v, int n)
{
	double t[STATE_SAMPLES];

	memcpy(t, v, (size_t)n * sizeof(*t));
	qsort(t, (size_t)n, sizeof(*t), cmp_dbl);
	return t[n / 2];
}

static json_t *state_syscall(double *med)
{
	double v[STATE_SAMPLES], c[STATE_SAMPLES];
	json_t *o;

	for (int i = 0; i < 1000; i++)
		syscall(SYS_getppid);
	for (int s = 0; s < STATE_SAMPLES; s++) {
		uint64_t t0 = bench_now_ns(), c0 = cpu_ns();

		for (int i = 0; i < SYSCALLS; i++)
			syscall(SYS_getppid);
		c[s] = (double)(cpu_ns() - c0) / SYSCALLS;
		v[s] = (double)(bench_now_ns() - t0) / SYSCALLS;
	}
	o = sampled(v, c, STATE_SAMPLES);
	json_object_set_new(o, "what", json_string("getppid through syscall(2)"));
	json_object_set_new(o, "unit", json_string("ns per call"));
	*med = median_of(v, STATE_SAMPLES);
	return o;
}

static json_t *state_compute(double *med)
{
	double v[STATE_SAMPLES], c[STATE_SAMPLES];
	char what[96];
	json_t *o;

	for (int s = 0; s < STATE_SAMPLES; s++) {
		uint64_t x = (uint64_t)s + 1, t0 = bench_now_ns(), c0 = cpu_ns();

		/* Each multiply-add needs the last: latency, not throughput. */
		for (uint64_t i = 0; i < COMPUTE_OPS; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			bench_sink(x);
		}
		c[s] = (double)(cpu_ns() - c0);
		v[s] = (double)(bench_now_ns() - t0);
	}
	o = sampled(v, c, STATE_SAMPLES);
	snprintf(what, sizeof(what), "%llu dependent 64-bit multiply-adds",
		 COMPUTE_OPS);
	json_object_set_new(o, "what", json_string(what));
	json_object_set_new(o, "unit", json_string("ns"));
	json_object_set_new(o, "ops", json_integer((json_int_t)COMPUTE_OPS));
	*med = median_of(v, STATE_SAMPLES);
	json_object_set_new(o, "per_op_ns", json_real(*med / COMPUTE_OPS));
	json_object_set_new(o, "cpu_per_op_ns",
			    json_real(median_of(c, STATE_SAMPLES) / COMPUTE_OPS));
	return o;
}

static json_t *state_chase(double *med)
{
	double v[STATE_SAMPLES], cv[STATE_SAMPLES], fault_ns = 0;
	struct calib_chase *c;
	json_t *o;
	char b[32];

	*med = -1;
	if (topo_mem_budget() < STATE_CHASE_BYTES / 16 * 17) {
		char why[160];

		snprintf(why, sizeof(why), "a quarter of available memory "
			 "(%s) cannot hold 256MiB and its order",
			 fmt_bytes(b, sizeof(b), topo_mem_budget()));
		return json_pack("{s:s}", "skipped", why);
	}
	c = calib_chase_new(STATE_CHASE_BYTES, 0, &fault_ns);
	if (!c)
		return json_pack("{s:s}", "skipped", strerror(errno));
	/* The first loads after set-up find every page-walk cache cold. */
	calib_chase_ns(c, CHASE_LOADS);
	for (int s = 0; s < STATE_SAMPLES; s++) {
		uint64_t c0 = cpu_ns();

		v[s] = calib_chase_ns(c, CHASE_LOADS);
		cv[s] = (double)(cpu_ns() - c0) / CHASE_LOADS;
	}
	calib_chase_free(c);
	o = sampled(v, cv, STATE_SAMPLES);
	json_object_set_new(o, "what", json_string(
		"random pointer chase, 256MiB on 4 KiB pages, prefaulted"));
	json_object_set_new(o, "unit", json_string("ns per load"));
	json_object_set_new(o, "bytes", json_integer(STATE_CHASE_BYTES));
	json_object_set_new(o, "pages", json_string("4 KiB"));
	json_object_set_new(o, "prefault_ns_per_page", json_real(fault_ns));
	*med = median_of(v, STATE_SAMPLES);
	return o;
}

static void iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

static int cmd_state(json_t **out)
{
	uint64_t t0 = bench_now_ns();
	double sys_ns, comp_ns, chase_ns;
	char when[64], load[128] = "", host[256] = "";
	json_t *o = json_object();

	iso_now(when, sizeof(when));
	read_file_str("/proc/loadavg", load, sizeof(load));
	gethostname(host, sizeof(host) - 1);
	json_object_set_new(o, "schema", json_string("bench-state/1"));
	json_object_set_new(o, "started", json_string(when));
	json_object_set_new(o, "host", json_string(host));
	json_object_set_new(o, "cpu", json_integer(sched_getcpu()));
	json_object_set_new(o, "loadavg", json_string(load));
	json_object_set_new(o, "null_syscall", state_syscall(&sys_ns));
	json_object_set_new(o, "compute", state_compute(&comp_ns));
	json_object_set_new(o, "chase", state_chase(&chase_ns));
	json_object_set_new(o, "seconds",
			    json_real((double)(bench_now_ns() - t0) / 1e9));
	if (chase_ns >= 0)
		fprintf(stderr, "state: getppid %.0f ns, compute %.2f ns per op, "
			"256MiB 4 KiB chase %.0f ns per load (wall time)\n",
			sys_ns, comp_ns / COMPUTE_OPS, chase_ns);
	else
		fprintf(stderr, "state: getppid %.0f ns, compute %.2f ns per op "
			"(wall time); chase skipped\n", sys_ns,
			comp_ns / COMPUTE_OPS);
	*out = o;
	return 0;
}

static int cmd_caches(uint64_t max, FILE *f)
{
	struct calib_caches c;
	char sum[256], b[32];

	if (calib_measure_caches(&c, max)) {
		fprintf(stderr, "error: cannot measure the caches: %s\n",
			c.note);
		return 1;
	}
	snprintf(c.hwloc, sizeof(c.hwloc), "%s", topo_cache_summary());
	snprintf(c.sysfs, sizeof(c.sysfs), "%s", topo_sysfs_summary());
	topo_set_caches(&c);
	snprintf(c.disagreement, sizeof(c.disagreement), "%s",
		 topo_cache_disagreement());
	if (calib_caches_write(&c, f)) {
		fprintf(stderr, "error: cannot write the result: %s\n",
			strerror(errno));
		return 1;
	}
	fprintf(stderr, "caches: %s; last level %s (%s)%s%s\n",
		calib_caches_summary(&c, sum, sizeof(sum)),
		fmt_bytes(b, sizeof(b), topo_llc_size()), topo_llc_source(),
		c.disagreement[0] ? "\nwarning: " : "", c.disagreement);
	return 0;
}

/* FILE.tmp.XXXXXX, renamed over FILE once complete. */
static FILE *open_out(const char *path, char *tmp, size_t len)
{
	int fd;
	FILE *f;

	if (!path)
		return stdout;
	snprintf(tmp, len, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return NULL;
	/* mkstemp makes it 0600; results are for reading: the umask decides. */
	{
		mode_t um = umask(0);

		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
	}
	return f;
}

static int close_out(FILE *f, const char *path, const char *tmp, int ok)
{
	if (f == stdout)
		return fflush(f) ? -1 : 0;
	if (fclose(f) || !ok || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *v;
	char tmp[PATH_MAX];
	uint64_t max = 0;
	int state = 0, rc;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--state")) {
			state = 1;
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strncmp(a, "--max=", 6)) {
			v = a + 6;
			if (parse_bytes(v, &max) || max < (64 << 10)) {
				fprintf(stderr, "error: --max wants a size of "
					"at least 64KiB, not '%s'\n", v);
				return 2;
			}
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "error: unknown argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (state && max) {
		fprintf(stderr, "error: --max is for the cache mode only\n");
		return 2;
	}
	/* One CPU throughout: a migration mid-sample is noise. */
	{
		cpu_set_t one;
		int cpu = sched_getcpu();

		CPU_ZERO(&one);
		if (cpu >= 0) {
			CPU_SET(cpu, &one);
			sched_setaffinity(0, sizeof(one), &one);
		}
	}
	f = open_out(out, tmp, sizeof(tmp));
	if (!f) {
		fprintf(stderr, "error: cannot create %s: %s\n", out,
			strerror(errno));
		return 2;
	}
	if (state) {
		json_t *o = NULL;

		rc = cmd_state(&o);
		if (!rc && (json_dumpf(o, f, JSON_INDENT(1) |
					       JSON_PRESERVE_ORDER) ||
			    fputc('\n', f) == EOF))
			rc = 1;
		json_decref(o);
	} else {
		rc = cmd_caches(max, f);
	}
	if (close_out(f, out, tmp, !rc) && !rc) {
		fprintf(stderr, "error: cannot write %s: %s\n", out,
			strerror(errno));
		rc = 1;
	}
	return rc;
}
