/*
 * tick.c - CPU-heavy work on an event loop that must also keep a 1 ms
 * tick: run the work inline, or hand it to a worker thread?
 *
 * The loop owns a periodic timer (timerfd, every 1 ms, absolute
 * deadlines) and a backlog of CPU-heavy tasks: hashing for 1, 2, 5, 10,
 * 20 and 50 ms (work.c; full: four of each, test: 1 and 2 ms), in an
 * order shuffled from the seed. An iteration ends when every task is
 * done.
 *   inline   between ticks the loop runs the next task itself; ticks
 *            that fall due meanwhile wait for the task to finish
 *   offload  the loop queues every task to one worker thread (a
 *            pool_mutex pool of one, pool.c), then only sleeps in poll()
 *            for the timer and for the worker's eventfd
 * cpus:2 lets every thread of the case run on two CPUs (the first two
 * the process may use), cpus:1 confines them all to one: there the
 * worker can only run when the loop does not, and the question is what
 * the kernel's scheduler makes of that.
 *
 * Tick lateness is one histogram sample per scheduled tick, handled or
 * not: a tick's lateness is when the loop handled it less when it was
 * due (the timer's deadline, on the harness clock). A loop stuck for
 * 50 ms therefore records 50 late ticks (50, 49, ... 1 ms late), not one
 * (no coordinated omission). p50_ns, p99_ns, p999_ns are lateness;
 * late_share is the share of ticks handled more than one period late;
 * items_per_second is tasks per second of real time (the throughput of
 * the work); ctx_switches and cpu_migrations are the loop thread's (in
 * offload the worker's are not counted); cpus_used is the CPUs the loop
 * and the worker were seen on.
 *
 * verify: every task ran exactly once per iteration, and the tasks
 * under 5 ms computed what they should.
 *
 * Run just this:  build/O2/bench_threads --benchmark_filter=threads/tick/
 *
 * Healthy figures (2-vCPU bhyve guest, AMD EPYC, kernel 6.18, with other
 * builds and benchmarks running on both CPUs; more in docs/suites/threads.md):
 * inline lateness p50 about 23 ms, p99 85 ms; offload p50 50-65 us on one
 * CPU or two, p99 3-9 ms when the second CPU is busy with other work.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "threads.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define PERIOD_NS 1000000ull
#define MAX_TASKS 32

struct tickloop {
	int offload;
	cpu_set_t cpus;
	int ncpus;
	int tfd, efd;
	struct thr_pool *pool;
	int ntasks;
	int ms[MAX_TASKS];
	uint64_t units[MAX_TASKS];
	uint64_t result[MAX_TASKS], ran[MAX_TASKS];
	uint64_t worker_cpus;	/* the worker's; read after pool wait */
	uint64_t loop_cpus;
	uint64_t start, next;	/* first deadline's origin; next tick */
	uint64_t ticks, late, iterations;
	int err;
};

static void run_task(struct tickloop *t, uint64_t i)
{
	t->result[i] = thr_work(t->units[i], i);
	t->ran[i]++;
}

/* On the worker: the task, then a word to the loop's eventfd. */
static void offload_task(void *ctx, uint64_t i, int worker)
{
	struct tickloop *t = ctx;
	uint64_t one = 1;

	run_task(t, i);
	thr_seen(&t->worker_cpus);
	if (write(t->efd, &one, sizeof(one)) != sizeof(one))
		abort();	/* an eventfd write of 1 cannot fail */
}

static int tick_setup(struct bench_state *st)
{
	static const int sizes[] = { 1, 2, 5, 10, 20, 50 };
	struct tickloop *t;
	int n = (int)bench_arg(st), per;
	struct rng rng;

	if (n > thr_ncpus()) {
		bench_skip(st, "needs %d CPUs; the process may run on %d "
			   "(CPUs %s)", n, thr_ncpus(),
			   thr_cpulist(thr_ncpus()));
		return -1;
	}
	t = xcalloc(1, sizeof(*t));
	t->offload = (int)bench_param(st);
	t->ncpus = n;
	thr_cpuset(n, &t->cpus);
	/* The script: 1-50 ms tasks, shuffled from the seed. */
	switch (bench_profile()) {
	case BENCH_PROFILE_TEST:
		t->ms[0] = 1;
		t->ms[1] = 2;
		t->ntasks = 2;
		break;
	default:
		per = bench_profile() == BENCH_PROFILE_FULL ? 4 : 1;
		for (int r = 0; r < per; r++)
			for (int i = 0; i < 6; i++)
				t->ms[t->ntasks++] = sizes[i];
		break;
	}
	rng_seed(&rng, bench_seed() ^ 0x7469636bull);
	for (int i = t->ntasks - 1; i > 0; i--) {
		int j = (int)rng_below(&rng, (uint64_t)i + 1), x = t->ms[i];

		t->ms[i] = t->ms[j];
		t->ms[j] = x;
	}
	for (int i = 0; i < t->ntasks; i++)
		t->units[i] = thr_units((uint64_t)t->ms[i] * 1000000);

	t->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	t->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->tfd < 0 || t->efd < 0)
		die_errno("cannot create a timerfd and an eventfd");
	if (t->offload) {
		t->pool = thr_pool_mutex.start(1, MAX_TASKS, &t->cpus);
		if (!t->pool) {
			bench_skip(st, "cannot start a worker thread: %s",
				   strerror(errno));
			close(t->tfd);
			close(t->efd);
			free(t);
			return -1;
		}
	}
	bench_set_priv(st, t);
	return 0;
}

static void tick_teardown(struct bench_state *st)
{
	struct tickloop *t = bench_priv(st);

	if (t->pool)
		thr_pool_mutex.stop(t->pool);
	close(t->tfd);
	close(t->efd);
	free(t);
}

static void arm(struct tickloop *t, uint64_t first, uint64_t period)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(first / 1000000000u),
			      .tv_nsec = (long)(first % 1000000000u) },
		.it_interval = { .tv_sec = 0, .tv_nsec = (long)period },
	};

	if (timerfd_settime(t->tfd, first ? TFD_TIMER_ABSTIME : 0, &its,
			    NULL))
		die_errno("cannot arm a timerfd");
}

/* Records every tick that fell due since the last call. */
static void handle_ticks(struct bench_state *st, struct tickloop *t)
{
	uint64_t c, now;

	if (read(t->tfd, &c, sizeof(c)) != sizeof(c))
		return;		/* EAGAIN: none due */
	now = bench_now_ns();
	for (uint64_t k = 0; k < c; k++) {
		uint64_t due = t->start + (t->next + k) * PERIOD_NS;
		uint64_t late = now > due ? now - due : 0;

		bench_hist_add(st, late);
		t->late += late > PERIOD_NS;
	}
	t->ticks += c;
	t->next += c;
	thr_seen(&t->loop_cpus);
}

static void one_iteration(struct bench_state *st, struct tickloop *t)
{
	struct pollfd p[2] = {
		{ .fd = t->tfd, .events = POLLIN },
		{ .fd = t->efd, .events = POLLIN },
	};
	int taken = 0, done = 0;

	t->start = bench_now_ns();
	t->next = 1;
	arm(t, t->start + PERIOD_NS, PERIOD_NS);
	if (t->offload)
		for (; taken < t->ntasks; taken++) {
			struct thr_task task = {
				.fn = offload_task, .ctx = t,
				.arg = (uint64_t)taken,
			};

			if (thr_pool_mutex.submit(t->pool, &task))
				die_errno("cannot queue a task");
		}
	while (done < t->ntasks) {
		int more = taken < t->ntasks;

		if (poll(p, t->offload ? 2 : 1, more ? 0 : -1) < 0 &&
		    errno != EINTR)
			die_errno("poll");
		if (p[0].revents & POLLIN)
			handle_ticks(st, t);
		if (t->offload && (p[1].revents & POLLIN)) {
			uint64_t v;

			if (read(t->efd, &v, sizeof(v)) == sizeof(v))
				done += (int)v;
		}
		if (!t->offload && more) {
			run_task(t, (uint64_t)taken++);
			done++;
		}
	}
	handle_ticks(st, t);	/* those due during the last task */
	arm(t, 0, 0);		/* disarm */
	if (t->offload)
		thr_pool_mutex.wait(t->pool);	/* its writes, seen */
}

static void tick_run(struct bench_state *st)
{
	struct tickloop *t = bench_priv(st);

	if (thr_place(st, &t->cpus))
		return;
	memset(t->ran, 0, sizeof(t->ran));
	t->ticks = t->late = t->iterations = 0;
	t->loop_cpus = t->worker_cpus = 0;
	while (bench_keep_running(st)) {
		one_iteration(st, t);
		t->iterations++;
	}
	bench_set_items(st, (int64_t)(t->iterations * (uint64_t)t->ntasks));
	bench_counter(st, "late_share",
		      t->ticks ? (double)t->late / (double)t->ticks : 0,
		      BENCH_CTR_TOTAL);
	bench_counter(st, "cpus_used",
		      thr_popcount(t->loop_cpus | t->worker_cpus),
		      BENCH_CTR_TOTAL);
	bench_label(st, "%s; %d tasks of 1-50 ms per iteration; CPUs %s",
		    t->offload ? "tasks on a worker thread"
			       : "tasks in the loop",
		    t->ntasks, thr_cpulist(t->ncpus));
}

static int tick_verify(struct bench_state *st)
{
	struct tickloop *t = bench_priv(st);

	for (int i = 0; i < t->ntasks; i++) {
		if (t->ran[i] != t->iterations) {
			bench_fail(st, "task %d ran %llu times in %llu "
				   "iterations", i,
				   (unsigned long long)t->ran[i],
				   (unsigned long long)t->iterations);
			return 1;
		}
		if (t->ms[i] < 5 && t->iterations &&
		    t->result[i] != thr_work(t->units[i], (uint64_t)i)) {
			bench_fail(st, "task %d computed a wrong hash", i);
			return 1;
		}
	}
	return 0;
}

#define TICK_CASE(sname, off, d)					\
	{								\
		.name = "tick/" sname, .desc = d,			\
		.setup = tick_setup, .run = tick_run,			\
		.verify = tick_verify, .teardown = tick_teardown,	\
		.flags = BENCH_REAL_TIME | BENCH_NO_PIN | BENCH_HIST,	\
		.unit = BENCH_UNIT_MS, .param = (off),			\
		.counters = "ctx_switches,cpu_migrations",		\
		.arg_name = "cpus", BENCH_ARGS(1, 2),			\
	}

static const struct bench_case cases[] = {
	TICK_CASE("inline", 0, "1 ms tick; 1-50 ms tasks run by the loop"),
	TICK_CASE("offload", 1, "1 ms tick; 1-50 ms tasks on a worker thread"),
};
BENCH_FAMILY(cases);
