/*
 * tasks.c - many small tasks: when does handing them to other threads
 * beat running them in place?
 *
 * One submitting thread has a stream of independent tasks, each a fixed
 * amount of CPU work (work.c: "work_ns:1000" is a microsecond of hashing
 * on this machine). Each strategy runs them its own way:
 *   inline           the submitter runs every task itself
 *   thread_per_task  a thread created per task (at most 2 per CPU in
 *                    flight; the oldest is joined to make room)
 *   pool_mutex       a fixed pool, one queue behind one mutex (pool.c)
 *   pool_sharded     a fixed pool, a queue per worker (pool.c)
 * Pools have one worker per CPU the process may use (at most 16); every
 * thread of a case, the submitter included, may run on any of those CPUs.
 *
 * Three benchmark families share the strategies:
 *   tasks/<s>/work_ns:N   throughput: one Google Benchmark iteration is one
 *                         task; a run submits all its tasks as one stream
 *                         and waits for the last (real time: the work runs
 *                         on other threads). items_per_second = tasks/s.
 *   handoff/<s>           one empty task at a time, submitted and waited
 *                         for: the round trip of a hand-off (libuv's
 *                         "serial offload"), with percentiles.
 *   crossover/<s>         the task size from which <s> beats inline: every
 *                         size of the sweep in each iteration, inline and
 *                         <s> on the same burst of tasks back to back
 *                         (order alternating), each burst timed on its
 *                         own; at the end of a run the ratio per size and
 *                         the crossing (find_crossover below) are counters,
 *                         so each repetition reports its own crossover.
 * Every task adds its work's result and a mix of its id into per-worker
 * sums; verify checks that the ids add up: every task ran exactly once.
 * The ctx_switches and cpu_migrations counters are the submitting
 * thread's only: the workers' switches are not in them.
 *
 * A new strategy is one row in the table at the bottom and one function
 * that runs tasks [first, first + n) its way and returns when all ran.
 *
 * Run just this:
 *	build/O2/bench_threads --benchmark_filter='tasks|handoff|crossover'
 *
 * Healthy figures (2-vCPU bhyve guest, AMD EPYC, kernel 6.18, with other
 * builds and benchmarks running on both CPUs; more in docs/suites/threads.md):
 * 100 ns tasks: inline 92 ns a task (190 busy), pools about 240 ns, a
 * thread per task 50-500 us; hand-off round trip 14 us (p50); crossover
 * 0.3-0.6 ms while the second CPU is busy.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "threads.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct runner;

struct strategy {
	/* Runs tasks first .. first + n - 1; returns when every one ran. */
	void (*run)(struct runner *r, uint64_t first, uint64_t n);
	const struct thr_pool_kind *pool;	/* for run_pool */
	/*
	 * crossover: most tasks per burst (default 512). A pool needs long
	 * bursts so that waking its idle workers is a small part of one; a
	 * strategy that pays per task (a thread each) needs no more than a
	 * few dozen, and each costs tens of microseconds.
	 */
	unsigned max_burst;
};

/* Per-worker results, a cache line each: no line shared while running. */
struct acc {
	uint64_t count, ids, sum, cpus;
} __attribute__((aligned(64)));

#define INLINE_SLOT THR_MAX_WORKERS

struct ptt_arg {
	struct runner *r;
	uint64_t id;
	int slot;
};

struct runner {
	struct acc acc[THR_MAX_WORKERS + 1];	/* + the submitter's */
	const struct strategy *s;
	struct thr_pool *pool;
	cpu_set_t cpus;
	int ncpus, workers;
	uint64_t units;		/* work per task; set between bursts */
	uint64_t failed;	/* thread creations refused */
	int err;
	/* thread_per_task: threads in flight, one slot each */
	pthread_t tid[THR_MAX_WORKERS];
	struct ptt_arg arg[THR_MAX_WORKERS];
	int live[THR_MAX_WORKERS];
	pthread_attr_t attr;
	/* crossover */
	int nsizes;
	int64_t sizes[BENCH_MAX_ARGS];
	double t_inline[BENCH_MAX_ARGS], t_off[BENCH_MAX_ARGS];
	uint64_t tasks_run;	/* what verify expects in the sums */
};

static void task_fn(void *ctx, uint64_t id, int worker)
{
	struct runner *r = ctx;
	struct acc *a = &r->acc[worker];

	/* sched_getcpu costs nanoseconds: every 64th task is enough. */
	if (!(a->count & 63))
		thr_seen(&a->cpus);
	a->sum += thr_work(r->units, id);
	a->ids += thr_mix(id);
	a->count++;
}

/* ---- strategies ---- */

static void run_inline(struct runner *r, uint64_t first, uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++)
		task_fn(r, i, INLINE_SLOT);
}

static void run_pool(struct runner *r, uint64_t first, uint64_t n)
{
	const struct thr_pool_kind *k = r->s->pool;
	struct thr_task t = { .fn = task_fn, .ctx = r };

	for (uint64_t i = first; i < first + n; i++) {
		t.arg = i;
		if (k->submit(r->pool, &t)) {
			r->err = errno;
			break;
		}
	}
	k->wait(r->pool);
}

static void *ptt_main(void *p)
{
	struct ptt_arg *a = p;

	task_fn(a->r, a->id, a->slot);
	return NULL;
}

static void run_thread_per_task(struct runner *r, uint64_t first, uint64_t n)
{
	int w = r->workers;

	for (uint64_t i = first; i < first + n; i++) {
		int slot = (int)(i % (uint64_t)w), rc;

		if (r->live[slot])
			pthread_join(r->tid[slot], NULL);
		r->arg[slot] = (struct ptt_arg){ .r = r, .id = i,
						 .slot = slot };
		rc = pthread_create(&r->tid[slot], &r->attr, ptt_main,
				    &r->arg[slot]);
		r->live[slot] = !rc;
		if (rc) {
			r->failed++;
			r->err = rc;
		}
	}
	for (int s = 0; s < w; s++)
		if (r->live[s]) {
			pthread_join(r->tid[s], NULL);
			r->live[s] = 0;
		}
}

/* ---- sizes and the crossover ---- */

/*
 * Task sizes in nanoseconds of work: test two, quick 1-3 per decade
 * (9 sizes), full 1-1.8-3.2-5.6 per decade (17), from 100 ns to 1 ms.
 */
static int work_sizes(const struct bench_case *c, int64_t *out, int max)
{
	static const int64_t test[] = { 100, 10000 };
	static const int64_t quick[] = { 1, 3 };
	static const int64_t full[] = { 10, 18, 32, 56 };
	const int64_t *m;
	int per, n = 0;

	switch (bench_profile()) {
	case BENCH_PROFILE_TEST:
		for (; n < 2 && n < max; n++)
			out[n] = test[n];
		return n;
	case BENCH_PROFILE_QUICK:
		m = quick;
		per = 2;
		break;
	default:
		m = full;
		per = 4;
		break;
	}
	for (int64_t dec = 100; dec <= 1000000 && n < max; dec *= 10)
		for (int k = 0; k < per && n < max; k++) {
			int64_t v = per == 2 ? dec * m[k] : dec * m[k] / 10;

			if (v <= 1000000)
				out[n++] = v;
		}
	return n;
}

/*
 * The crossover: x are the task sizes (ascending), ratio[i] is inline's
 * time over the strategy's at x[i] (above 1: offloading is faster). The
 * crossover is where the ratio last crosses 1 going up, so that from it
 * on every larger size in the sweep had offloading ahead; between the
 * two sizes around it, log(ratio) is taken as linear in log(size).
 * Returns 0 with *at set; 1 if offloading was ahead at every size (*at is
 * the smallest: the crossover is there or below); -1 if it was behind at
 * the largest (no crossover in the sweep).
 */
int thr_find_crossover(const double *x, const double *ratio, int n,
		       double *at)
{
	int last = -1;

	for (int i = 0; i < n; i++)
		if (!(ratio[i] >= 1))
			last = i;
	if (last < 0) {
		*at = x[0];
		return 1;
	}
	if (last == n - 1)
		return -1;
	{
		double l0 = log(ratio[last]), l1 = log(ratio[last + 1]);
		double f = l1 > l0 ? -l0 / (l1 - l0) : 1;

		*at = exp(log(x[last]) + f * (log(x[last + 1]) - log(x[last])));
	}
	return 0;
}

/*
 * Tasks per crossover burst: about 2 ms of work (4 in full, 0.1 in
 * test), at least 8 (so every worker gets some) and at most the
 * strategy's max_burst. As long a burst as the sweep's stream is not
 * affordable at every size; 2 ms keeps the wake-up of an idle pool (tens
 * of microseconds here) to a few percent of a burst near the crossover.
 */
static uint64_t burst_tasks(const struct strategy *s, int64_t size_ns)
{
	static const uint64_t budget[] = { 100000, 2000000, 4000000 };
	uint64_t cap = s->max_burst ? s->max_burst : 512;
	uint64_t n = budget[bench_profile()] / (uint64_t)size_ns;

	return n < 8 ? 8 : n > cap ? cap : n;
}

/* ---- set-up ---- */

static int tasks_setup(struct bench_state *st)
{
	const struct strategy *s = bench_data(st);
	struct runner *r;
	int rc;

	r = aligned_alloc(64, (sizeof(*r) + 63) / 64 * 64);
	if (!r)
		die_errno("cannot allocate a task runner");
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->ncpus = thr_ncpus() < THR_MAX_WORKERS ? thr_ncpus()
						  : THR_MAX_WORKERS;
	thr_cpuset(r->ncpus, &r->cpus);
	r->workers = r->ncpus;
	if (s->run == run_thread_per_task)
		r->workers = 2 * r->ncpus < THR_MAX_WORKERS ? 2 * r->ncpus
							    : THR_MAX_WORKERS;
	pthread_attr_init(&r->attr);
	rc = pthread_attr_setaffinity_np(&r->attr, sizeof(r->cpus), &r->cpus);
	if (rc)
		die("cannot set a thread attribute's affinity: %s",
		    strerror(rc));
	if (s->pool) {
		r->pool = s->pool->start(r->workers, 1024, &r->cpus);
		if (!r->pool) {
			bench_skip(st, "cannot start a pool of %d threads: %s",
				   r->workers, strerror(errno));
			pthread_attr_destroy(&r->attr);
			free(r);
			return -1;
		}
	}
	/* Calibrate now, outside every timed region. */
	r->units = thr_units((uint64_t)bench_arg(st));
	bench_set_priv(st, r);
	return 0;
}

static void tasks_teardown(struct bench_state *st)
{
	struct runner *r = bench_priv(st);

	if (r->pool)
		r->s->pool->stop(r->pool);
	pthread_attr_destroy(&r->attr);
	free(r);
}

/* Before a run: the submitter on the case's CPUs, empty sums. */
static int begin_run(struct bench_state *st, struct runner *r)
{
	memset(r->acc, 0, sizeof(r->acc));
	r->tasks_run = 0;
	r->failed = 0;
	r->err = 0;
	return thr_place(st, &r->cpus);
}

static void end_run(struct bench_state *st, struct runner *r)
{
	uint64_t cpus = 0;

	thr_seen(&cpus);
	for (int w = 0; w <= THR_MAX_WORKERS; w++)
		cpus |= r->acc[w].cpus;
	bench_counter(st, "cpus_used", thr_popcount(cpus), BENCH_CTR_TOTAL);
	bench_counter(st, "ns_per_unit", thr_ns_per_unit(), BENCH_CTR_TOTAL);
	if (r->s->run == run_inline)
		bench_label(st, "the submitting thread alone, on CPUs %s",
			    thr_cpulist(r->ncpus));
	else
		bench_label(st, "%d %s on CPUs %s", r->workers,
			    r->s->pool ? "workers" : "threads in flight",
			    thr_cpulist(r->ncpus));
}

/* Every task id 0 .. n-1 ran exactly once (the sums cannot tell order). */
static int tasks_verify(struct bench_state *st)
{
	struct runner *r = bench_priv(st);
	uint64_t count = 0, ids = 0, want = 0;

	if (r->failed || r->err) {
		bench_fail(st, "%llu tasks could not be started: %s",
			   (unsigned long long)r->failed, strerror(r->err));
		return 1;
	}
	for (int w = 0; w <= THR_MAX_WORKERS; w++) {
		count += r->acc[w].count;
		ids += r->acc[w].ids;
	}
	for (uint64_t i = 0; i < r->tasks_run; i++)
		want += thr_mix(i);
	if (count != r->tasks_run || ids != want) {
		bench_fail(st, "%llu tasks submitted, %llu ran%s",
			   (unsigned long long)r->tasks_run,
			   (unsigned long long)count,
			   count == r->tasks_run
				   ? " (but not each exactly once)" : "");
		return 1;
	}
	return 0;
}

/* ---- runs ---- */

static void tasks_run(struct bench_state *st)
{
	struct runner *r = bench_priv(st);
	uint64_t n;

	if (begin_run(st, r))
		return;
	while ((n = bench_batch(st)) != 0) {
		r->s->run(r, 0, n);
		r->tasks_run = n;
	}
	bench_set_items(st, (int64_t)r->tasks_run);
	end_run(st, r);
}

static void handoff_run(struct bench_state *st)
{
	struct runner *r = bench_priv(st);
	uint64_t n;

	if (begin_run(st, r))
		return;
	r->units = 0;
	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			uint64_t t0 = bench_op_begin();

			r->s->run(r, i, 1);
			bench_op_end(st, t0);
		}
	r->tasks_run = bench_iterations(st);
	end_run(st, r);
}

static int cross_setup(struct bench_state *st)
{
	struct runner *r;

	if (tasks_setup(st))
		return -1;
	r = bench_priv(st);
	r->nsizes = work_sizes(NULL, r->sizes, BENCH_MAX_ARGS);
	thr_ns_per_unit();
	return 0;
}

/* Times one burst of n tasks of the current size with strategy s. */
static double burst(struct runner *r, const struct strategy *s, uint64_t *id,
		    uint64_t n)
{
	const struct strategy *keep = r->s;
	uint64_t t0;

	r->s = s;
	t0 = bench_now_ns();
	s->run(r, *id, n);
	t0 = bench_now_ns() - t0;
	r->s = keep;
	*id += n;
	return (double)t0;
}

static const struct strategy s_inline = { .run = run_inline };

static void cross_run(struct bench_state *st)
{
	struct runner *r = bench_priv(st);
	double xs[BENCH_MAX_ARGS], ratio[BENCH_MAX_ARGS], at;
	uint64_t id = 0, it = 0;
	int found;

	if (begin_run(st, r))
		return;
	for (int j = 0; j < r->nsizes; j++)
		r->t_inline[j] = r->t_off[j] = 0;
	while (bench_keep_running(st)) {
		double total = 0;

		for (int j = 0; j < r->nsizes; j++) {
			uint64_t n = burst_tasks(r->s, r->sizes[j]);
			double a, b;

			r->units = thr_units((uint64_t)r->sizes[j]);
			/* Alternate which goes first, so drift cancels. */
			if ((j + it) & 1) {
				b = burst(r, r->s, &id, n);
				a = burst(r, &s_inline, &id, n);
			} else {
				a = burst(r, &s_inline, &id, n);
				b = burst(r, r->s, &id, n);
			}
			r->t_inline[j] += a;
			r->t_off[j] += b;
			total += a + b;
		}
		bench_set_iteration_time(st, total * 1e-9);
		it++;
	}
	r->tasks_run = id;
	for (int j = 0; j < r->nsizes; j++) {
		xs[j] = (double)r->sizes[j];
		ratio[j] = r->t_off[j] > 0 ? r->t_inline[j] / r->t_off[j] : 0;
	}
	found = thr_find_crossover(xs, ratio, r->nsizes, &at);
	end_run(st, r);
	bench_counter(st, "speedup_smallest", ratio[0], BENCH_CTR_TOTAL);
	bench_counter(st, "speedup_largest", ratio[r->nsizes - 1],
		      BENCH_CTR_TOTAL);
	if (found >= 0)
		bench_counter(st, "crossover_ns", at, BENCH_CTR_TOTAL);
	bench_label(st, "%s; CPUs %s",
		    found > 0 ? "ahead at every size: crossover at or below "
				"the smallest"
		    : found < 0 ? "behind at the largest size: no crossover "
				  "in the sweep"
				: "crossover found",
		    thr_cpulist(r->ncpus));
}

/* ---- the table ---- */

#define COMMON								\
	.setup = tasks_setup, .verify = tasks_verify,			\
	.teardown = tasks_teardown,					\
	.counters = "ctx_switches,cpu_migrations"

/* The throughput sweep and the hand-off round trip of a strategy. */
#define BASE_CASES(sname, strat, d)					\
	{								\
		.name = "tasks/" sname, .desc = d ": tasks per second",	\
		.run = tasks_run, COMMON, .data = (strat),		\
		.flags = BENCH_REAL_TIME | BENCH_NO_PIN,		\
		.arg_name = "work_ns", .gen_args = work_sizes,		\
	},								\
	{								\
		.name = "handoff/" sname,				\
		.desc = d ": one empty task's round trip",		\
		.run = handoff_run, COMMON, .data = (strat),		\
		.flags = BENCH_REAL_TIME | BENCH_NO_PIN | BENCH_HIST,	\
	}

/* An offloading strategy also gets its crossover against inline. */
#define OFFLOAD_CASES(sname, strat, d)					\
	BASE_CASES(sname, strat, d),					\
	{								\
		.name = "crossover/" sname,				\
		.desc = d ": task size from which it beats inline",	\
		.setup = cross_setup, .run = cross_run,			\
		.verify = tasks_verify, .teardown = tasks_teardown,	\
		.data = (strat), .unit = BENCH_UNIT_MS,			\
		.flags = BENCH_MANUAL_TIME | BENCH_NO_PIN,		\
	}

static const struct bench_case cases[] = {
	BASE_CASES("inline", &s_inline,
		   "every task run by the submitting thread"),
	OFFLOAD_CASES("thread_per_task",
		      (&(const struct strategy){ .run = run_thread_per_task,
						 .max_burst = 64 }),
		      "a thread created and joined per task"),
	OFFLOAD_CASES("pool_mutex",
		      (&(const struct strategy){ .run = run_pool,
						 .pool = &thr_pool_mutex }),
		      "a fixed pool, one queue behind one mutex"),
	OFFLOAD_CASES("pool_sharded",
		      (&(const struct strategy){ .run = run_pool,
						 .pool = &thr_pool_sharded }),
		      "a fixed pool, a queue per worker"),
};
BENCH_FAMILY(cases);
