/*
 * guard.h - what happened to a benchmark thread while its loop was timed:
 * context switches, CPU migrations, and the CPU it ran on.
 *
 * A result measured while the thread was preempted or moved is not the
 * figure of the code under test; the analysis reads these per repetition
 * to mark such results unstable. Everything here is read just before the
 * clock starts and just after it stops, never inside the timed region:
 *
 *  - context switches: getrusage(RUSAGE_THREAD), ru_nvcsw (voluntary: the
 *    thread blocked or slept) and ru_nivcsw (involuntary: the scheduler
 *    took the CPU away);
 *  - migrations: a perf_event software counter (CPU_MIGRATIONS) on the
 *    thread, opened enabled before the clock starts and read after it
 *    stops: exact. Where perf_event_open is refused, sched_getcpu() before
 *    and after gives a lower bound (1 if the CPU differs, else 0), and
 *    guard_migrations_source() says which;
 *  - the CPU: sched_getcpu() before the clock starts.
 *
 * Costs, all outside the clock: about 10 us per run (perf_event_open,
 * two getrusage, a read and a close). While the migration event is open,
 * every context switch of the thread pays the kernel's perf bookkeeping
 * (a fraction of a microsecond); a pinned loop has none.
 */
#ifndef BENCH_GUARD_H
#define BENCH_GUARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct guard {
	/* results of the last begin/end pair; -1 where unknown */
	double vol_cs, invol_cs, migrations;
	int cpu;
	int valid;		/* set by guard_end */
	/* private */
	int fd, active;
	long nvcsw, nivcsw;
};

/* Call right before the clock starts, in the thread that runs the loop. */
void guard_begin(struct guard *g);
/* Call right after the clock stops, in the same thread. */
void guard_end(struct guard *g);

/* How migrations are counted here, for the run's context. */
const char *guard_migrations_source(void);

#ifdef __cplusplus
}
#endif

#endif
