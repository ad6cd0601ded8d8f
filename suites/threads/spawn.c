/*
 * spawn.c - what a thread costs to start and finish: pthread_create of a
 * thread that does nothing but count, then pthread_join, per iteration.
 *
 * This is the fixed price thread_per_task (tasks.c) pays for every task.
 * It covers the stack (glibc caches freed stacks, so after the first
 * iterations no mmap is made), clone, the new thread's first run and its
 * exit, and the join's wake-up. Both threads may run on any CPU the
 * process may use (cpus_used says which were seen); ctx_switches and
 * cpu_migrations are the creating thread's.
 *
 * Run just this:  build/O2/bench_threads --benchmark_filter=spawn
 *
 * Healthy figures (2-vCPU bhyve guest, AMD EPYC, kernel 6.18, with other
 * builds and benchmarks running on both CPUs; more in docs/suites/threads.md):
 * 32-100 us per create and join (4.7 ms at worst, waiting for a CPU).
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "threads.h"
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct spawn {
	cpu_set_t cpus;
	pthread_attr_t attr;
	uint64_t ran, want, cpus_seen;
	int err;
};

/* Each thread runs alone (joined before the next starts): no race. */
static void *child(void *p)
{
	struct spawn *s = p;

	s->ran++;
	thr_seen(&s->cpus_seen);
	return NULL;
}

static int spawn_setup(struct bench_state *st)
{
	struct spawn *s = xcalloc(1, sizeof(*s));
	int rc;

	thr_cpuset(thr_ncpus(), &s->cpus);
	pthread_attr_init(&s->attr);
	rc = pthread_attr_setaffinity_np(&s->attr, sizeof(s->cpus), &s->cpus);
	if (rc)
		die("cannot set a thread attribute's affinity: %s",
		    strerror(rc));
	bench_set_priv(st, s);
	return 0;
}

static void spawn_teardown(struct bench_state *st)
{
	struct spawn *s = bench_priv(st);

	pthread_attr_destroy(&s->attr);
	free(s);
}

static void create_join_run(struct bench_state *st)
{
	struct spawn *s = bench_priv(st);
	uint64_t n;

	if (thr_place(st, &s->cpus))
		return;
	s->ran = s->want = s->cpus_seen = 0;
	s->err = 0;
	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			pthread_t t;
			int rc = pthread_create(&t, &s->attr, child, s);

			if (rc) {
				s->err = rc;
				continue;
			}
			pthread_join(t, NULL);
		}
	s->want = bench_iterations(st);
	thr_seen(&s->cpus_seen);
	bench_counter(st, "cpus_used", thr_popcount(s->cpus_seen),
		      BENCH_CTR_TOTAL);
	bench_label(st, "CPUs %s", thr_cpulist(thr_ncpus()));
}

static int spawn_verify(struct bench_state *st)
{
	struct spawn *s = bench_priv(st);

	if (s->err || s->ran != s->want) {
		bench_fail(st, "%llu of %llu threads ran%s%s",
			   (unsigned long long)s->ran,
			   (unsigned long long)s->want,
			   s->err ? ": " : "", s->err ? strerror(s->err) : "");
		return 1;
	}
	return 0;
}

static const struct bench_case cases[] = {
	{
		.name = "spawn/create_join",
		.desc = "pthread_create of an empty thread, then pthread_join",
		.setup = spawn_setup, .run = create_join_run,
		.verify = spawn_verify, .teardown = spawn_teardown,
		.flags = BENCH_REAL_TIME | BENCH_NO_PIN,
		.counters = "ctx_switches,cpu_migrations",
	},
};
BENCH_FAMILY(cases);
