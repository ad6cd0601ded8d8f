/*
 * threads.h - what the threads suite's families share, and what its tests
 * call: where a case's threads may run (cpus.c), the calibrated unit of
 * CPU work every task is made of (work.c), the task pools (pool.c) and
 * the group-commit log writer (logger.c).
 *
 * pool.c and logger.c use nothing but libc and pthreads, so their tests
 * can be built alone with -fsanitize=thread (tests/tsan.sh).
 */
#ifndef THREADS_SUITE_H
#define THREADS_SUITE_H

/* Needs _GNU_SOURCE (cpu_set_t, sched_getcpu) before the first include. */
#include <sched.h>
#include <stddef.h>
#include <stdint.h>

/* ---- cpus.c: placement ----
 *
 * A case says where its threads run, and never widens what the process
 * was given: the CPUs are taken from the affinity the process inherited
 * (captured before main, before the harness pins anything), in order.
 */

/* CPUs in the inherited affinity (at least 1). */
int thr_ncpus(void);
/* The first n CPUs of the inherited affinity; 0, or -1 if it has fewer. */
int thr_cpuset(int n, cpu_set_t *out);
/* "0-1", "3": the first n inherited CPUs as a list, for labels. */
const char *thr_cpulist(int n);
/* The i-th inherited CPU (i < thr_ncpus()). */
int thr_cpu(int i);
/* Confines the calling thread to a set; 0 or -1 with errno. */
int thr_confine(const cpu_set_t *set);
/*
 * thr_confine for the benchmark thread in run(), before its timed loop:
 * 0, or -1 after bench_skip() with the reason (the caller returns).
 */
struct bench_state;
int thr_place(struct bench_state *st, const cpu_set_t *set);

/*
 * CPUs a thread was seen on: each thread ORs sched_getcpu() into its own
 * mask (no shared line written per sample) and the masks are merged
 * after the timed loop. CPUs past 63 fold onto bit 63.
 */
static inline void thr_seen(uint64_t *mask)
{
	int c = sched_getcpu();

	if (c >= 0)
		*mask |= 1ull << (c < 63 ? c : 63);
}
int thr_popcount(uint64_t mask);

/* ---- work.c: CPU work ----
 *
 * One unit is one step of a dependent multiply-xorshift chain over a
 * 4 KiB buffer (it stays in L1): "hashing a buffer", with no memory
 * traffic and nothing the compiler or the CPU can overlap or skip.
 * thr_units() converts nanoseconds of work into units with a calibration
 * made once per process (the fastest of several short trials, so a busy
 * CPU during calibration cannot inflate the task sizes).
 */
uint64_t thr_work(uint64_t units, uint64_t seed);
uint64_t thr_units(uint64_t ns);
/* The calibration: nanoseconds per unit. */
double thr_ns_per_unit(void);
/* A 64-bit mix (splitmix64's finaliser): task ids in checksums. */
static inline uint64_t thr_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* ---- tasks.c: the crossover of a size sweep ----
 *
 * x: task sizes, ascending; ratio[i]: inline's time over the offloading
 * strategy's at x[i]. Returns 0 and the size where the ratio last
 * crosses 1 going up (interpolated linearly in log-log between the two
 * sizes around it); 1 if the ratio is at least 1 everywhere (*at = x[0]);
 * -1 if it is below 1 at the largest size (no crossover).
 */
int thr_find_crossover(const double *x, const double *ratio, int n,
		       double *at);

/* ---- pool.c: task pools ----
 *
 * A task is a function, a context and a 64-bit argument; a pool copies
 * it into its queue. The worker index (0 .. workers - 1) lets a task
 * write per-worker results without sharing a cache line.
 *
 * Promises of every pool kind, tested in tests/pool.c (also under
 * ThreadSanitizer):
 *  - every task submitted before stop() runs exactly once, on one worker;
 *  - wait() returns once every task submitted so far has run, and what
 *    those tasks wrote is visible to the caller (a happens-before edge);
 *  - stop() refuses new tasks (submit returns -1), lets the workers run
 *    every task still queued, joins them and frees the pool;
 *  - submit() blocks while the queue is full (back-pressure, no loss).
 * submit, wait and stop are for one submitting thread at a time.
 */
struct thr_task {
	void (*fn)(void *ctx, uint64_t arg, int worker);
	void *ctx;
	uint64_t arg;
};

struct thr_pool;
struct thr_pool_kind {
	const char *name;
	const char *desc;
	/* NULL with errno on failure; cpus NULL: the caller's affinity. */
	struct thr_pool *(*start)(int workers, unsigned queue_cap,
				  const cpu_set_t *cpus);
	int (*submit)(struct thr_pool *p, const struct thr_task *t);
	void (*wait)(struct thr_pool *p);
	void (*stop)(struct thr_pool *p);
};

/* One queue, one mutex, two condition variables: the textbook pool. */
extern const struct thr_pool_kind thr_pool_mutex;
/* A queue, mutex and condition variables per worker; round-robin submit. */
extern const struct thr_pool_kind thr_pool_sharded;

#define THR_MAX_WORKERS 16

/* ---- logger.c: a log writer thread with group commit ----
 *
 * The loop appends records (copied into a bounded buffer; append blocks
 * while the buffer is full); the writer thread takes everything appended
 * so far, writes it with one write and makes it durable with one
 * fdatasync (group commit). Promises, tested in tests/logger.c: records
 * reach the file exactly once, in append order; sync() returns when
 * every record appended before it is durable; stop() writes and syncs
 * what is queued, then joins.
 */
struct thr_log;
/* NULL with errno; cpus NULL: the caller's affinity. */
struct thr_log *thr_log_start(int fd, size_t buf_bytes, const cpu_set_t *cpus);
/* 0, or -1 with errno (a record larger than the buffer, a write error). */
int thr_log_append(struct thr_log *l, const void *rec, size_t len);
/* 0 once every record appended so far is durable, or -1 with errno. */
int thr_log_sync(struct thr_log *l);
/* Flushes, joins, frees; 0 or -1 with the first write error in errno. */
int thr_log_stop(struct thr_log *l);
/* fdatasyncs made so far, and the CPUs the writer was seen on. */
uint64_t thr_log_syncs(struct thr_log *l);
uint64_t thr_log_cpus(struct thr_log *l);

#endif
