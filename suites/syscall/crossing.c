/*
 * crossing.c - the cost of entering the kernel.
 *
 * Isolates the fixed price of one system call: a null call (getppid
 * through syscall(2), which no libc caches), clock_gettime answered in
 * user space by the vDSO against the same call forced into the kernel,
 * a 1-byte read from /dev/zero and write to /dev/null, and pread of 1 B
 * to 1 MiB from a page-cached file. read_fit measures every size in one
 * instance and fits cost = a + b * bytes (a: fixed cost per call, b: cost
 * per byte) so the fit comes with repetitions like any other figure.
 * getppid's set-up runs `perf bench syscall basic` (getppid in a loop,
 * Linux's own tool) three times and reports the median of its time per
 * call as the counter perf_bench_ns: the null-call figure should agree
 * with it within 10%.
 *
 * Every case asks the harness for "syscalls", which counts them on an
 * untimed pass of the very loop that is timed (never during the timed
 * run: an open raw_syscalls perf event puts every system call on the
 * kernel's slow path, a null call going from 135 ns to 257 ns), and
 * verify checks the count exactly: one per call, none for the vDSO (where
 * the clock source allows; the label says when it does not).
 *
 * Run just this:  build/O2/bench_syscall --benchmark_filter=crossing
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, kernel 6.18, gcc 12
 * -O2, quiet CPU): getppid 130-150 ns, perf bench within 5% of it; vDSO
 * clock_gettime 23 ns, as a syscall 175-200 ns; 1-byte read or write
 * 170-200 ns; pread of 1 B from the page cache about 400 ns, fitted as
 * about 390 ns + 16 ns/KiB.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "hist.h"
#include "stats.h"
#include "syscall.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MiB (1ull << 20)
#define MAX_SIZES 24

/* ---- the fit (tested on synthetic data in tests/fit.c) ---- */

int sc_fit_affine_rel(const double *x, const double *y, int n, double *a,
		      double *b, double *max_rel)
{
	double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, det, worst = 0;

	for (int i = 0; i < n; i++) {
		double w = 1 / (y[i] * y[i]);

		sw += w;
		sx += w * x[i];
		sy += w * y[i];
		sxx += w * x[i] * x[i];
		sxy += w * x[i] * y[i];
	}
	det = sw * sxx - sx * sx;
	/* Relative to the scale, so sizes in bytes do not fool the test. */
	if (n < 2 || !(fabs(det) > 1e-12 * sw * sxx))
		return -1;
	*a = (sxx * sy - sx * sxy) / det;
	*b = (sw * sxy - sx * sy) / det;
	for (int i = 0; i < n; i++) {
		double r = fabs(y[i] - (*a + *b * x[i])) / y[i];

		if (r > worst)
			worst = r;
	}
	if (max_rel)
		*max_rel = worst;
	return 0;
}

/* ---- perf bench syscall basic, as the cross-check ---- */

/* perf's time per call from one run, or -1 with the reason in why. */
static double perf_once(const char *exe, const char *loops,
			struct sc_child_out *out, char *why, size_t len)
{
	char *argv[] = { (char *)exe, "bench", "syscall", "basic", "-l",
			 (char *)loops, NULL };
	const char *s;
	int rc;

	/* No syscall counter: it would put perf's loop on the slow path. */
	rc = sc_spawn(argv, out, NULL, NULL);
	s = strstr(out->text, "usecs/op");
	if (rc != 0 || !s) {
		out->text[strcspn(out->text, "\n")] = 0;
		snprintf(why, len, "perf bench syscall basic does not run here "
			 "(status %d: %.120s)", rc, out->text);
		return -1;
	}
	/* "       0.139056 usecs/op": the number before the unit. */
	while (s > out->text && s[-1] == ' ')
		s--;
	while (s > out->text && (s[-1] == '.' || (s[-1] >= '0' &&
						    s[-1] <= '9')))
		s--;
	return strtod(s, NULL) * 1000;
}

/*
 * The median of three runs of `perf bench syscall basic` (getppid() in a
 * loop, timed by perf itself), in ns per call; -1 with the reason in why.
 * perf inherits this thread's CPU, as the getppid loop runs on it.
 */
static double perf_bench_ns(char *why, size_t len)
{
	/*
	 * Quick: 3 x 100000 calls, 15 ms each at 150 ns, far above the
	 * resolution of perf's clock.
	 */
	static const char *const loops[] = { "10000", "100000", "10000000" };
	struct sc_child_out out;
	char exe[4096];
	double v[3];

	if (!sc_find_on_path("perf", exe, sizeof(exe))) {
		snprintf(why, len, "perf is not installed (linux-perf)");
		return -1;
	}
	if (sc_out_open(&out)) {
		snprintf(why, len, "memfd_create: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < 3; i++) {
		v[i] = perf_once(exe, loops[bench_profile()], &out, why, len);
		if (!(v[i] > 0)) {
			sc_out_close(&out);
			return -1;
		}
	}
	sc_out_close(&out);
	return stats_median(v, 3);
}

/* ---- the state of every crossing case ---- */

enum op {
	OP_GETPPID,
	OP_VDSO,
	OP_CLOCK_SYSCALL,
	OP_READ1,
	OP_WRITE1,
	OP_PREAD,
	OP_FIT,
};

struct xc {
	enum op op;
	int fd;			/* a device, or the read file */
	unsigned char *buf, *ref;
	size_t buflen;
	double want;		/* syscalls per iteration */
	double perf_ns;		/* getppid: perf bench's; <0: none */
	char perf_why[256];
	/* read_fit */
	int nsizes;
	int64_t sizes[MAX_SIZES];
	uint32_t calls[MAX_SIZES];
	struct hist *h;
};

static int read_sizes(const struct bench_case *c, int64_t *out, int max)
{
	int n = 0;

	switch (bench_profile()) {
	case BENCH_PROFILE_TEST:
		out[n++] = 1;
		out[n++] = 4096;
		out[n++] = 65536;
		break;
	case BENCH_PROFILE_QUICK:
		/* Powers of 8, then 1 MiB (8^6 is 256 KiB). */
		for (int64_t s = 1; s <= (int64_t)MiB && n < max - 1; s *= 8)
			out[n++] = s;
		out[n++] = (int64_t)MiB;
		break;
	case BENCH_PROFILE_FULL:
		for (int64_t s = 1; s <= (int64_t)MiB && n < max; s *= 2)
			out[n++] = s;
		break;
	}
	return n;
}

static void xc_free(struct xc *x)
{
	if (x->fd >= 0)
		close(x->fd);
	mem_free(x->buf, x->buflen);
	mem_free(x->ref, x->buflen);
	free(x->h);
	free(x);
}

/* The read file: 1 MiB of the pattern, written and read back untimed. */
static int xc_file(struct bench_state *st, struct xc *x)
{
	uint64_t seed = bench_seed() ^ 0x7265616431ull;

	x->buflen = MiB;
	x->fd = sc_file_anon(bench_data_dir(), O_RDWR);
	if (x->fd < 0 || sc_file_fill(x->fd, MiB, sc_pattern_fill, &seed)) {
		bench_skip(st, "cannot create a 1 MiB file in %s (%s): %s",
			   bench_data_dir(), sc_data_fs(), strerror(errno));
		return -1;
	}
	x->buf = mem_alloc(x->buflen, 0);
	x->ref = mem_alloc(x->buflen, 0);
	if (!x->buf || !x->ref)
		die_errno("cannot allocate 2 MiB");
	sc_pattern_fill(x->ref, x->buflen, 0, &seed);
	/* Read back once: every page cached, and the file is right. */
	if (pread(x->fd, x->buf, x->buflen, 0) != (ssize_t)x->buflen ||
	    memcmp(x->buf, x->ref, x->buflen)) {
		bench_fail(st, "the read file does not read back as written");
		return -1;
	}
	return 0;
}

static int xc_setup(struct bench_state *st)
{
	struct xc *x = xcalloc(1, sizeof(*x));

	x->op = (enum op)bench_param(st);
	x->fd = -1;
	x->perf_ns = -1;
	x->want = 1;
	switch (x->op) {
	case OP_GETPPID:
		/* Untimed: perf measures itself, before our loop runs. */
		x->perf_ns = perf_bench_ns(x->perf_why, sizeof(x->perf_why));
		break;
	case OP_READ1:
	case OP_WRITE1:
		x->fd = open(bench_data(st), (x->op == OP_WRITE1 ? O_WRONLY
					      : O_RDONLY) | O_CLOEXEC);
		if (x->fd < 0) {
			bench_skip(st, "cannot open %s (%s)",
				   (const char *)bench_data(st),
				   strerror(errno));
			goto fail;
		}
		break;
	case OP_PREAD:
		if (xc_file(st, x))
			goto fail;
		break;
	case OP_FIT:
		if (xc_file(st, x))
			goto fail;
		/* Each size over enough calls to last tens of microseconds. */
		x->nsizes = read_sizes(NULL, x->sizes, MAX_SIZES);
		x->want = 0;
		for (int i = 0; i < x->nsizes; i++) {
			int64_t c = (int64_t)(256 * 1024) / x->sizes[i];

			x->calls[i] = (uint32_t)(c < 1 ? 1 : c > 256 ? 256 : c);
			x->want += x->calls[i];
		}
		x->h = xcalloc((size_t)x->nsizes, sizeof(*x->h));
		break;
	case OP_VDSO:
		x->want = 0;
		break;
	default:
		break;
	}
	bench_set_priv(st, x);
	return 0;
fail:
	xc_free(x);
	return -1;
}

static void xc_teardown(struct bench_state *st)
{
	xc_free(bench_priv(st));
}

/*
 * The syscalls the harness counted on this very loop, against what the
 * operation promises. A vDSO that falls back to the kernel (a clock
 * source it cannot read) is this machine's fact, said in the label, not
 * a failure; read_fit's two clock reads per size count only then.
 */
static int xc_verify(struct bench_state *st)
{
	struct xc *x = bench_priv(st);
	double total, per;
	char cs[64] = "unknown";

	if (bench_counted(st, "syscalls", &total))
		return 0;	/* not counted here: the label says why */
	per = total / (double)bench_iterations(st);
	if (per == x->want)
		return 0;
	if (x->op == OP_VDSO || (x->op == OP_FIT &&
				 per == x->want + 2 * x->nsizes)) {
		read_file_str("/sys/devices/system/clocksource/clocksource0/"
			      "current_clocksource", cs, sizeof(cs));
		bench_label(st, "the vDSO fell back to the system call "
			    "(clocksource %s)", cs);
		return 0;
	}
	bench_fail(st, "counted %.2f syscalls per call, expected %.0f", per,
		   x->want);
	return 1;
}

/* ---- the timed loops: one per operation, nothing else inside ---- */

/* syscall(2), not getppid(3): nothing between us and the kernel but a call. */
static void getppid_run(struct bench_state *st)
{
	struct xc *x = bench_priv(st);
	long ppid = getppid(), sum = 0;
	uint64_t n;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			long r = syscall(SYS_getppid);

			sum += r;
		}
	bench_sink(sum);
	if (sum != ppid * (long)bench_iterations(st))
		bench_fail(st, "getppid returned something else");
	if (x->perf_ns > 0) {
		bench_counter(st, "perf_bench_ns", x->perf_ns, BENCH_CTR_TOTAL);
		bench_label(st, "perf bench syscall basic: %.1f ns per call",
			    x->perf_ns);
	} else {
		bench_label(st, "no cross-check: %s", x->perf_why);
	}
}

/*
 * The clock read here is the thing measured, not a timer: each result is
 * summed so no call can be dropped, and the sum must grow.
 */
static void vdso_run(struct bench_state *st)
{
	uint64_t n, sum = 0;
	struct timespec ts;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			sum += (uint64_t)ts.tv_nsec + (uint64_t)ts.tv_sec;
		}
	bench_sink(sum);
	if (!sum)
		bench_fail(st, "clock_gettime returned nothing");
}

static void clock_syscall_run(struct bench_state *st)
{
	uint64_t n, sum = 0;
	struct timespec ts;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
			sum += (uint64_t)ts.tv_nsec + (uint64_t)ts.tv_sec;
		}
	bench_sink(sum);
	if (!sum)
		bench_fail(st, "clock_gettime returned nothing");
}

static void read1_run(struct bench_state *st)
{
	struct xc *x = bench_priv(st);
	unsigned char c = 1;
	long got = 0;
	uint64_t n;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			ssize_t r = read(x->fd, &c, 1);

			got += r;
		}
	bench_sink(got);
	if (got != (long)bench_iterations(st) || c != 0)
		bench_fail(st, "read of /dev/zero returned %ld bytes of %llu",
			   got, (unsigned long long)bench_iterations(st));
}

static void write1_run(struct bench_state *st)
{
	struct xc *x = bench_priv(st);
	unsigned char c = 'x';
	long put = 0;
	uint64_t n;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			ssize_t r = write(x->fd, &c, 1);

			put += r;
		}
	bench_sink(put);
	if (put != (long)bench_iterations(st))
		bench_fail(st, "write to /dev/null took %ld bytes of %llu",
			   put, (unsigned long long)bench_iterations(st));
}

/* The same offset every time: always cached, always the same pages. */
static void pread_run(struct bench_state *st)
{
	struct xc *x = bench_priv(st);
	size_t size = (size_t)bench_arg(st);
	long got = 0;
	uint64_t n;

	memset(x->buf, 0, size);
	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			ssize_t k = pread(x->fd, x->buf, size, 0);

			got += k;
		}
	bench_sink(got);
	bench_set_bytes(st, got);
	if (got != (long)(size * bench_iterations(st)) ||
	    memcmp(x->buf, x->ref, size))
		bench_fail(st, "pread of %zu bytes read the wrong data", size);
}

/*
 * read_fit: every size in each iteration, each timed over its calls (the
 * clock read costs about 20 ns against tens of microseconds) into one
 * histogram per size. The fit is made on the per-size medians at the end
 * of each run, so each repetition reports its own a and b. The
 * iteration's own time (one pass over every size) is not a figure to
 * read; fixed_ns and ns_per_kib are.
 */
static void fit_run(struct bench_state *st)
{
	struct xc *x = bench_priv(st);
	double xs[MAX_SIZES], ys[MAX_SIZES], a, b, worst;
	long got = 0, want = 0;

	for (int i = 0; i < x->nsizes; i++)
		hist_reset(&x->h[i]);
	while (bench_keep_running(st)) {
		for (int i = 0; i < x->nsizes; i++) {
			size_t size = (size_t)x->sizes[i];
			uint64_t t0 = bench_now_ns(), dt;

			for (uint32_t k = 0; k < x->calls[i]; k++) {
				ssize_t g = pread(x->fd, x->buf, size, 0);

				got += g;
			}
			dt = bench_now_ns() - t0;
			hist_add(&x->h[i], dt);
			want += (long)(size * x->calls[i]);
		}
	}
	bench_sink(got);
	if (got != want) {
		bench_fail(st, "pread returned %ld bytes, expected %ld", got,
			   want);
		return;
	}
	for (int i = 0; i < x->nsizes; i++) {
		xs[i] = (double)x->sizes[i];
		ys[i] = (double)hist_quantile(&x->h[i], 0.5) / x->calls[i];
	}
	if (sc_fit_affine_rel(xs, ys, x->nsizes, &a, &b, &worst)) {
		bench_fail(st, "cannot fit %d sizes", x->nsizes);
		return;
	}
	bench_counter(st, "fixed_ns", a, BENCH_CTR_TOTAL);
	bench_counter(st, "ns_per_kib", b * 1024, BENCH_CTR_TOTAL);
	bench_counter(st, "fit_max_rel_err", worst, BENCH_CTR_TOTAL);
	bench_label(st, "cost = %.0f ns + %.4f ns/byte over %d sizes, %.0f%% "
		    "worst error", a, b, x->nsizes, worst * 100);
}

/*
 * 5 ms per repetition in quick (50 ms in full): tens of thousands of
 * calls, far more than a nanosecond-scale figure needs to settle; the
 * spread comes from repetitions and rounds, not from longer ones.
 */
#define XC_COMMON							\
	.setup = xc_setup, .verify = xc_verify, .teardown = xc_teardown,	\
	.counters = "syscalls", .min_time = 0.005

static const struct bench_case cases[] = {
	{
		.name = "crossing/getppid",
		.desc = "null system call: getppid through syscall(2)",
		.run = getppid_run, XC_COMMON, .param = OP_GETPPID,
	},
	{
		.name = "crossing/clock_gettime_vdso",
		.desc = "clock_gettime(CLOCK_MONOTONIC) through the vDSO",
		.run = vdso_run, XC_COMMON, .param = OP_VDSO,
	},
	{
		.name = "crossing/clock_gettime_syscall",
		.desc = "the same clock read as a real system call",
		.run = clock_syscall_run, XC_COMMON,
		.param = OP_CLOCK_SYSCALL,
	},
	{
		.name = "crossing/read_devzero",
		.desc = "read of 1 byte from /dev/zero",
		.run = read1_run, XC_COMMON, .param = OP_READ1,
		.data = "/dev/zero",
	},
	{
		.name = "crossing/write_devnull",
		.desc = "write of 1 byte to /dev/null",
		.run = write1_run, XC_COMMON, .param = OP_WRITE1,
		.data = "/dev/null",
	},
	{
		.name = "crossing/pread_cached",
		.desc = "pread of N bytes from a page-cached file",
		.run = pread_run, XC_COMMON, .param = OP_PREAD,
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,
		.gen_args = read_sizes,
	},
	{
		.name = "crossing/read_fit",
		.desc = "every pread size in one run, fitted to a + b * bytes",
		.run = fit_run, XC_COMMON, .param = OP_FIT,
		.unit = BENCH_UNIT_US,
	},
};
BENCH_FAMILY(cases);
