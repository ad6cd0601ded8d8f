/*
 * counters.h - event counters around a timed loop.
 *
 * Two sources, chosen per event:
 *  - PAPI for hardware events (cycles, instructions, cache and TLB misses).
 *    They need a PMU; a virtual machine usually exposes none, and then these
 *    events are absent with PAPI's own reason, never reported as zero. When
 *    more are asked for than the PMU has counters, the event set is
 *    multiplexed; PAPI scales each count by time enabled over time running
 *    and the figures are marked as multiplexed.
 *  - perf_event_open for software events (page faults, context switches,
 *    migrations, task clock) and the raw_syscalls:sys_enter tracepoint,
 *    which counts every system call the thread enters: an exact syscall
 *    count, not a sample.
 *
 * Counting is per thread (the thread that opened the set). The cost of the
 * enable/disable pair itself (the disabling ioctl is a system call the
 * tracepoint sees) is measured when the set is opened and subtracted.
 *
 * Cost to the measured code: software events add a few nanoseconds per
 * event counted. The syscall tracepoint is different: while any such
 * event exists, enabled or not, every system call on the machine takes
 * the tracing slow path (measured on one machine: getppid 135 ns without
 * it, 165 ns with the event open, 257 ns enabled). Never time a loop with
 * it open; the shim counts syscalls in a separate untimed pass.
 *
 * Names:
 *   syscalls        raw_syscalls:sys_enter tracepoint
 *   page_faults     PERF_COUNT_SW_PAGE_FAULTS
 *   minor_faults    PERF_COUNT_SW_PAGE_FAULTS_MIN
 *   major_faults    PERF_COUNT_SW_PAGE_FAULTS_MAJ
 *   ctx_switches    PERF_COUNT_SW_CONTEXT_SWITCHES
 *   cpu_migrations  PERF_COUNT_SW_CPU_MIGRATIONS
 *   task_clock_ns   PERF_COUNT_SW_TASK_CLOCK (CPU time of the thread)
 *   cycles          PAPI_TOT_CYC
 *   instructions    PAPI_TOT_INS
 *   l1d_misses      PAPI_L1_DCM
 *   llc_misses      PAPI_L3_TCM (PAPI_L2_TCM where L2 is the last level)
 *   dtlb_misses     PAPI_TLB_DM
 *   branch_misses   PAPI_BR_MSP
 */
#ifndef BENCH_COUNTERS_H
#define BENCH_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTR_MAX 16

enum {
	CTR_INHERIT = 1 << 0,	/* also count children created while open */
};

struct ctr_set;

/* Process-wide set-up: PAPI, tracefs lookup. Idempotent; thread safe. */
void ctr_init(void);

/*
 * Opens the named events (comma separated) for the calling thread. Events
 * that cannot be counted here are left out; ctr_status() says why. Returns
 * NULL only if names is NULL or empty.
 */
struct ctr_set *ctr_open(const char *names, unsigned flags);
void ctr_close(struct ctr_set *s);

/*
 * Starts (from zero) and stops counting; keep them as close to the measured
 * code as possible. Each enable/disable pair is one measurement.
 */
void ctr_enable(struct ctr_set *s);
void ctr_disable(struct ctr_set *s);

/* Events actually counted, in the order asked. */
int ctr_count(const struct ctr_set *s);
const char *ctr_name(const struct ctr_set *s, int i);
/* Count of the last enable/disable pair, less the pair's own overhead. */
double ctr_value(const struct ctr_set *s, int i);
/* Nonzero if the event was multiplexed (value scaled). */
int ctr_multiplexed(const struct ctr_set *s, int i);

/* "name: why; ..." for the events asked for but not counted; "" if none. */
const char *ctr_missing(const struct ctr_set *s);

/* Whether a name is known at all. */
int ctr_known(const char *name);
/*
 * One line per known name: "ok: <how>" or "unavailable: <why>". Valid
 * after ctr_init(); names never opened may still be unavailable at open.
 */
const char *ctr_status(const char *name);
/* Summary lines for the run context. */
const char *ctr_papi_status(void);
const char *ctr_perf_status(void);

/* For tests: the tracepoint id of raw_syscalls:sys_enter, or -1. */
long ctr_syscall_tracepoint_id(void);
/*
 * The places tracefs is looked for, in order (i from 0; NULL past the
 * last): /sys/kernel/tracing, then /sys/kernel/debug/tracing.
 */
const char *ctr_tracefs_root(int i);
/* The id of event ("raw_syscalls/sys_enter") under a tracefs root, or -1. */
long ctr_tracepoint_id_in(const char *root, const char *event);

#ifdef __cplusplus
}
#endif

#endif
