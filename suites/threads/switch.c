/*
 * switch.c - what it costs to wake another thread and wait for it to
 * wake you back: ping-pong between two threads, on one CPU and across
 * two.
 *
 * One iteration is one round trip: the benchmark thread hands the turn
 * to a partner thread and sleeps until the partner hands it back, so
 * every round trip is two wake-ups (real time per iteration; halve it
 * for one). Two mechanisms:
 *   futex  a shared word; the turn is a store, the wake-up a FUTEX_WAKE,
 *          the wait a FUTEX_WAIT (no spinning: every wait can sleep)
 *   pipe   a byte through one pipe and back through another: the same
 *          wake-ups plus the pipe's read and write paths
 * Placement:
 *   same_cpu   both threads pinned to one CPU: each hand-off is a wake-up
 *              followed by a context switch on that CPU
 *   cross_cpu  the threads pinned to two CPUs: each hand-off wakes a
 *              thread on the other CPU (an inter-processor interrupt
 *              where that CPU sleeps; under a hypervisor, often a VM exit
 *              to wake a halted virtual CPU)
 * ctx_switches and cpu_migrations are the benchmark thread's. verify:
 * the partner counted as many round trips as the benchmark made.
 *
 * Run just this:  build/O2/bench_threads --benchmark_filter=switch
 *
 * Healthy figures (2-vCPU bhyve guest, AMD EPYC, kernel 6.18, with other
 * builds and benchmarks running on both CPUs; more in docs/suites/threads.md):
 * futex round trip 6.6-8 us on one CPU, 11-750 us across two (waking a
 * halted virtual CPU); pipe 8-12 us and 100-280 us.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "threads.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { MECH_FUTEX, MECH_PIPE };
enum { TURN_MAIN, TURN_PARTNER, TURN_STOP };

struct pingpong {
	int mech, cross;
	int cpu_main, cpu_partner;
	_Atomic uint32_t turn;
	int to_partner[2], to_main[2];
	_Atomic uint64_t partner_rounds;
	uint64_t rounds;
	pthread_t tid;
	int err;
};

static void futex_wait(_Atomic uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *partner_futex(struct pingpong *p)
{
	for (;;) {
		uint32_t v;

		while ((v = atomic_load(&p->turn)) == TURN_MAIN)
			futex_wait(&p->turn, TURN_MAIN);
		if (v == TURN_STOP)
			return NULL;
		atomic_fetch_add_explicit(&p->partner_rounds, 1,
					  memory_order_relaxed);
		atomic_store(&p->turn, TURN_MAIN);
		futex_wake(&p->turn);
	}
}

static void *partner_pipe(struct pingpong *p)
{
	char c;

	/* EOF (the benchmark closed its end) or an error ends it. */
	while (read(p->to_partner[0], &c, 1) == 1) {
		atomic_fetch_add_explicit(&p->partner_rounds, 1,
					  memory_order_relaxed);
		if (write(p->to_main[1], &c, 1) != 1)
			break;
	}
	return NULL;
}

static void *partner_main(void *arg)
{
	struct pingpong *p = arg;

	return p->mech == MECH_FUTEX ? partner_futex(p) : partner_pipe(p);
}

static int pp_setup(struct bench_state *st)
{
	struct pingpong *p;
	pthread_attr_t attr;
	cpu_set_t set;
	int rc, cross = (int)bench_param(st);

	if (cross && thr_ncpus() < 2) {
		bench_skip(st, "needs 2 CPUs; the process may run on 1 "
			   "(CPU %s)", thr_cpulist(1));
		return -1;
	}
	p = xcalloc(1, sizeof(*p));
	p->mech = *(const int *)bench_data(st);
	p->cross = cross;
	p->cpu_main = thr_cpu(0);
	p->cpu_partner = thr_cpu(cross ? 1 : 0);
	p->to_partner[0] = p->to_partner[1] = -1;
	p->to_main[0] = p->to_main[1] = -1;
	if (p->mech == MECH_PIPE &&
	    (pipe2(p->to_partner, O_CLOEXEC) || pipe2(p->to_main, O_CLOEXEC)))
		die_errno("cannot create a pipe");
	CPU_ZERO(&set);
	CPU_SET(p->cpu_partner, &set);
	pthread_attr_init(&attr);
	rc = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	if (!rc)
		rc = pthread_create(&p->tid, &attr, partner_main, p);
	pthread_attr_destroy(&attr);
	if (rc) {
		bench_skip(st, "cannot start a thread on CPU %d: %s",
			   p->cpu_partner, strerror(rc));
		for (int i = 0; i < 2; i++) {
			if (p->to_partner[i] >= 0)
				close(p->to_partner[i]);
			if (p->to_main[i] >= 0)
				close(p->to_main[i]);
		}
		free(p);
		return -1;
	}
	bench_set_priv(st, p);
	return 0;
}

static void pp_teardown(struct bench_state *st)
{
	struct pingpong *p = bench_priv(st);

	if (p->mech == MECH_FUTEX) {
		atomic_store(&p->turn, TURN_STOP);
		futex_wake(&p->turn);
	} else {
		close(p->to_partner[1]);
		p->to_partner[1] = -1;
	}
	pthread_join(p->tid, NULL);
	for (int i = 0; i < 2; i++) {
		if (p->to_partner[i] >= 0)
			close(p->to_partner[i]);
		if (p->to_main[i] >= 0)
			close(p->to_main[i]);
	}
	free(p);
}

static void pp_run(struct bench_state *st)
{
	struct pingpong *p = bench_priv(st);
	uint64_t n;
	cpu_set_t set;
	char c = 'x';

	CPU_ZERO(&set);
	CPU_SET(p->cpu_main, &set);
	if (thr_place(st, &set))
		return;
	atomic_store(&p->partner_rounds, 0);
	p->rounds = 0;
	p->err = 0;
	if (p->mech == MECH_FUTEX) {
		while ((n = bench_batch(st)) != 0)
			for (uint64_t i = 0; i < n; i++) {
				atomic_store(&p->turn, TURN_PARTNER);
				futex_wake(&p->turn);
				while (atomic_load(&p->turn) == TURN_PARTNER)
					futex_wait(&p->turn, TURN_PARTNER);
			}
	} else {
		while ((n = bench_batch(st)) != 0)
			for (uint64_t i = 0; i < n; i++)
				if (write(p->to_partner[1], &c, 1) != 1 ||
				    read(p->to_main[0], &c, 1) != 1)
					p->err = errno ? errno : EIO;
	}
	p->rounds = bench_iterations(st);
	bench_label(st, "benchmark thread on CPU %d, partner on CPU %d",
		    p->cpu_main, p->cpu_partner);
}

static int pp_verify(struct bench_state *st)
{
	struct pingpong *p = bench_priv(st);
	uint64_t got = atomic_load(&p->partner_rounds);

	if (p->err || got != p->rounds) {
		bench_fail(st, "%llu round trips, the partner saw %llu%s%s",
			   (unsigned long long)p->rounds,
			   (unsigned long long)got, p->err ? ": " : "",
			   p->err ? strerror(p->err) : "");
		return 1;
	}
	return 0;
}

static const int mech_futex = MECH_FUTEX, mech_pipe = MECH_PIPE;

#define PP_CASE(sname, mech, cross, d)					\
	{								\
		.name = "switch/" sname, .desc = d,			\
		.setup = pp_setup, .run = pp_run, .verify = pp_verify,	\
		.teardown = pp_teardown,				\
		.flags = BENCH_REAL_TIME | BENCH_NO_PIN,		\
		.counters = "ctx_switches,cpu_migrations",		\
		.data = &(mech), .param = (cross),			\
	}

static const struct bench_case cases[] = {
	PP_CASE("futex/same_cpu", mech_futex, 0,
		"futex ping-pong, both threads on one CPU"),
	PP_CASE("futex/cross_cpu", mech_futex, 1,
		"futex ping-pong, the threads on two CPUs"),
	PP_CASE("pipe/same_cpu", mech_pipe, 0,
		"pipe ping-pong, both threads on one CPU"),
	PP_CASE("pipe/cross_cpu", mech_pipe, 1,
		"pipe ping-pong, the threads on two CPUs"),
};
BENCH_FAMILY(cases);
