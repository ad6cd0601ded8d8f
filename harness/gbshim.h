/*
 * gbshim.h - the C API every suite is written against.
 *
 * Google Benchmark is a C++ library; suites are C. This header is the whole
 * surface a suite sees: a table of cases per benchmark family, a run loop,
 * counters, skips and context. gbshim.cc walks the tables and registers each
 * case with Google Benchmark, so its JSON, flags and tools (compare.py) work
 * unchanged on our output.
 *
 * A family file ends in a table and one registration line:
 *
 *	static const struct bench_case cases[] = {
 *		{
 *			.name = "chase/random",
 *			.desc = "dependent loads through a random cycle",
 *			.setup = chase_setup, .run = chase_run,
 *			.verify = chase_verify, .teardown = chase_teardown,
 *			.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,
 *			.gen_args = chase_sizes,
 *		},
 *	};
 *	BENCH_FAMILY(cases);
 *
 * giving benchmarks named "<suite>/chase/random/size:64KiB" and so on.
 *
 * Life of one benchmark instance (one case at one argument):
 *   setup     once, before its first run; allocate, fill, prefault, open
 *   run       once per Google Benchmark run (it calls the function several
 *             times while it sizes the iteration count, then once per
 *             repetition); owns the timed loop
 *   verify    after every run, outside the timed region
 *   teardown  when the next instance starts, or at exit; it may use
 *             bench_priv(), bench_arg(), bench_data() and bench_param()
 *             only (there is no Google Benchmark run to report into)
 * Instances are set up one at a time, so two large buffers never coexist.
 */
#ifndef GBSHIM_H
#define GBSHIM_H

#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bench_state;
struct bench_case;

#define BENCH_MAX_ARGS 64

enum bench_unit {
	BENCH_UNIT_NS = 0,
	BENCH_UNIT_US,
	BENCH_UNIT_MS,
	BENCH_UNIT_S,
};

/* How an argument is written in the benchmark name. */
enum bench_argfmt {
	BENCH_ARG_INT = 0,	/* size:4096 */
	BENCH_ARG_BYTES,	/* size:4KiB, 1536B, 3MiB (exact, never rounded) */
};

enum bench_profile {
	BENCH_PROFILE_TEST = 0,	/* tiny sizes: correctness only (make test) */
	BENCH_PROFILE_QUICK,	/* the default: whole suite set in minutes */
	BENCH_PROFILE_FULL,	/* thorough sweeps */
};

/*
 * Every run of every case also reports guard counters, read just before
 * the clock starts and just after it stops (harness/guard.h, and
 * docs/results-schema.md): guard_invol_cs and guard_vol_cs (context
 * switches of its threads), guard_migrations (CPU changes) and guard_cpu
 * (thread 0's CPU). A case does nothing for them.
 */

/* Case flags. */
enum {
	BENCH_REAL_TIME = 1 << 0,	/* report wall time (work leaves the thread) */
	BENCH_MANUAL_TIME = 1 << 1,	/* run() calls bench_set_iteration_time() */
	BENCH_NO_PIN = 1 << 2,		/* do not pin the benchmark thread(s) */
	BENCH_HIST = 1 << 3,		/* report per-op latency percentiles */
	BENCH_SETUP_EACH_RUN = 1 << 4,	/* fresh setup/teardown around every run */
	BENCH_HIST_DECILES = 1 << 5,	/* BENCH_HIST, plus p10_ns .. p80_ns */
};

typedef int (*bench_setup_fn)(struct bench_state *st);
typedef void (*bench_run_fn)(struct bench_state *st);
typedef int (*bench_verify_fn)(struct bench_state *st);
typedef void (*bench_teardown_fn)(struct bench_state *st);
/* Fills args[0..max) with the case's arguments, returns how many. */
typedef int (*bench_args_fn)(const struct bench_case *c, int64_t *args,
			     int max);

struct bench_case {
	const char *name;	/* "family/case"; the suite name is prefixed */
	const char *desc;	/* one line, shown by --bench_list and docs */

	/*
	 * setup returns 0, or nonzero after calling bench_skip() or
	 * bench_fail(); verify returns 0 or nonzero after bench_fail().
	 * All four may be NULL except run.
	 */
	bench_setup_fn setup;
	bench_run_fn run;
	bench_verify_fn verify;
	bench_teardown_fn teardown;

	/*
	 * Arguments: a fixed list (BENCH_ARGS), a geometric range
	 * (BENCH_RANGE), or a function called at start-up once topology is
	 * known. No arguments at all: one instance, no suffix in its name.
	 */
	const char *arg_name;
	enum bench_argfmt arg_fmt;
	int64_t args[BENCH_MAX_ARGS];
	int nargs;
	int64_t range_lo, range_hi, range_mult;
	bench_args_fn gen_args;

	int threads;		/* Google Benchmark threads; 0 means 1 */
	enum bench_unit unit;
	unsigned flags;
	int repetitions;	/* 0: the command line decides */
	/*
	 * Seconds per repetition at the quick profile, for a case that
	 * needs less (or more) than the profile's default of 0.01 s: an
	 * expensive loop whose figure settles sooner. Scaled with the
	 * default in the other profiles (full: 10x; test: the test
	 * profile's 0.001 s whatever the case says); a --benchmark_min_time
	 * on the command line wins. 0: the profile's default.
	 */
	double min_time;
	int64_t iterations;	/* fixed iteration count; 0: sized by time */

	/*
	 * Counters wanted, comma separated (see counters.h for names):
	 * "syscalls,page_faults,cycles". Each is reported per iteration
	 * when the machine can count it and is absent, with the reason in
	 * the context, when it cannot.
	 */
	const char *counters;

	const void *data;	/* constant per case, read with bench_data() */
	int64_t param;		/* a second constant per case */
};

/* Designated-initializer helpers for the argument fields. */
#define BENCH_ARGS(...)							\
	.args = { __VA_ARGS__ },					\
	.nargs = (int)(sizeof((int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t))
#define BENCH_RANGE(lo, hi, mult)					\
	.range_lo = (lo), .range_hi = (hi), .range_mult = (mult)

struct bench_family {
	const char *suite;
	const char *file;
	const struct bench_case *cases;
	int ncases;
	struct bench_family *next;
};

void bench_register_family(struct bench_family *f);

#ifndef BENCH_SUITE
#define BENCH_SUITE "unnamed"
#endif

/* Registers a family's table at start-up (before main). */
#define BENCH_FAMILY(table)						\
	static struct bench_family bench_family_ = {			\
		.suite = BENCH_SUITE,					\
		.file = __FILE__,					\
		.cases = (table),					\
		.ncases = (int)(sizeof(table) / sizeof((table)[0])),	\
	};								\
	__attribute__((constructor)) static void bench_family_init_(void) \
	{								\
		bench_register_family(&bench_family_);			\
	}

/* ---- the instance being run ---- */

int64_t bench_arg(const struct bench_state *st);
const void *bench_data(const struct bench_state *st);
int64_t bench_param(const struct bench_state *st);
/* Full benchmark name, "suite/family/case/arg:value". */
const char *bench_name(const struct bench_state *st);

/* Per-instance data from setup; shared by all threads of the instance. */
void *bench_priv(const struct bench_state *st);
void bench_set_priv(struct bench_state *st, void *priv);

int bench_thread_index(const struct bench_state *st);
int bench_threads(const struct bench_state *st);
/* Waits for every thread of the instance (outside the timed region). */
void bench_thread_barrier(struct bench_state *st);

/* Iterations this run will do; known before the loop starts. */
uint64_t bench_max_iterations(const struct bench_state *st);
/* Iterations done by this thread in the run just finished. */
uint64_t bench_iterations(const struct bench_state *st);

/* ---- the timed loop ----
 *
 * Batched (preferred for anything under a microsecond): one call returns
 * every iteration of the run at once; the next returns 0 and stops the
 * clock. The loop body is the suite's own, with no call per iteration.
 *
 *	uint64_t n;
 *	while ((n = bench_batch(st)) != 0)
 *		for (uint64_t i = 0; i < n; i++)
 *			work();
 *
 * Per iteration (a function call each, about a nanosecond):
 *
 *	while (bench_keep_running(st))
 *		work();
 *
 * Counters asked for by the case are enabled after the clock starts and
 * disabled before it stops, so they see the loop and nothing else. The
 * exception is "syscalls": the tracepoint behind it slows every system
 * call while it exists, so it is never open during a timed run. Instead,
 * once per set-up, the harness runs the case's run() in an untimed
 * counting pass (bench_batch returns a small count, about 10 ms worth,
 * that Google Benchmark never sees) and reports that pass's syscalls per
 * iteration with every timed run. A run() must therefore give the same
 * per-iteration behaviour for any iteration count; bench_counter(),
 * bench_label() and the like are ignored during the counting pass, while
 * bench_fail() and bench_skip() count.
 */
uint64_t bench_batch(struct bench_state *st);
int bench_keep_running(struct bench_state *st);

/* ---- the clock, for manual time and per-operation latency ---- */

/* Monotonic nanoseconds (CLOCK_MONOTONIC through the vDSO). */
uint64_t bench_now_ns(void);
/* BENCH_MANUAL_TIME: the time of one iteration, called every iteration. */
void bench_set_iteration_time(struct bench_state *st, double seconds);
/*
 * BENCH_HIST: one latency sample per operation. The histogram is
 * log-linear (relative error under 1/64), merged across threads, and
 * reported as counters p50_ns, p90_ns, p99_ns, p999_ns, max_ns, mean_ns
 * (the exact mean, from the sum of samples) and samples (and with
 * BENCH_HIST_DECILES p10_ns, p20_ns ... p80_ns, for a whole distribution).
 */
void bench_hist_add(struct bench_state *st, uint64_t ns);
static inline uint64_t bench_op_begin(void)
{
	return bench_now_ns();
}
static inline void bench_op_end(struct bench_state *st, uint64_t t0)
{
	bench_hist_add(st, bench_now_ns() - t0);
}

/* ---- results ---- */

enum {
	BENCH_CTR_TOTAL = 0,		/* as given (summed over threads) */
	BENCH_CTR_RATE = 1 << 0,	/* divided by seconds */
	BENCH_CTR_AVG_THREADS = 1 << 1,	/* divided by thread count */
	BENCH_CTR_PER_ITER = 1 << 3,	/* divided by iterations */
	BENCH_CTR_INVERT = 1 << 4,	/* 1/x after the above */
	BENCH_CTR_1024 = 1 << 5,	/* shown with binary prefixes */
};
void bench_counter(struct bench_state *st, const char *name, double value,
		   unsigned flags);
/* Totals for this run; Google Benchmark reports them per second. */
void bench_set_bytes(struct bench_state *st, int64_t bytes);
void bench_set_items(struct bench_state *st, int64_t items);
void bench_label(struct bench_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Skip: the machine cannot run this (no root, no feature); recorded with
 * the reason, the run goes on. Fail: the benchmark computed a wrong result;
 * recorded, and the binary exits 1 at the end. Both are written to the
 * JSON as Google Benchmark errors with "skipped: " or "failed: " in front.
 */
void bench_skip(struct bench_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bench_fail(struct bench_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int bench_error_occurred(const struct bench_state *st);

/*
 * The total a harness counter (one named in .counters) read over this
 * thread's last timed loop, for verify(): 0 and *total set, or -1 if the
 * counter is not counted here. For "syscalls": the counting pass's figure
 * per iteration times this run's iterations.
 */
int bench_counted(const struct bench_state *st, const char *name,
		  double *total);

/*
 * The native Google Benchmark reference loop the harness suite compares
 * its own loop forms against ("<suite>/loop/native"), with a fixed number
 * of repetitions (0: the command line's) and seconds per repetition as a
 * case's .min_time (0: the profile's); it runs before every other
 * benchmark. Only that suite calls it, from a constructor.
 */
void bench_register_native_reference(const char *suite, int repetitions,
				     double min_time);

/* ---- process-wide ---- */

/* A key in the JSON "context" block of this binary's output. */
void bench_context(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum bench_profile bench_profile(void);
const char *bench_profile_name(void);
/* The run's seed (--bench_seed); deterministic inputs derive from it. */
uint64_t bench_seed(void);
/* Directory for files a benchmark creates (--bench_data_dir). */
const char *bench_data_dir(void);
/*
 * Whether benchmark threads are pinned (--bench_pin, default 1): thread i
 * to core i mod n of the cores the process may use, or with
 * --bench_cpu=N[,M...] to the i-th CPU listed. Pinning never leaves the
 * CPUs the process inherited (taskset, a cgroup cpuset), and a case with
 * BENCH_NO_PIN, or --bench_pin=0, runs free within them; the context
 * records them as cpus_allowed.
 */
int bench_pinning(void);

/* The main of every suite binary (in libharness). */
int bench_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#include "barrier.h"

#endif
