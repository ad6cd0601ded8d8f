/*
 * uring.c - io_uring's own offload: the same request executed inline,
 * in the submitting thread's io_uring_enter, or punted to an io-wq
 * worker thread with IOSQE_ASYNC.
 *
 * One iteration is one request submitted and waited for
 * (io_uring_submit_and_wait), so the figure is a serial round trip:
 *   nop_inline, nop_async      IORING_OP_NOP: the machinery alone; with
 *                              IOSQE_ASYNC it is a hand-off to a kernel
 *                              worker thread and a wake-up back
 *   write_inline, write_async  IORING_OP_WRITE of 4 KiB over the start of
 *                              a page-cached file in the data directory
 * The difference between a row and its _async twin is the price of the
 * kernel's own thread pool, to set beside the user-space hand-offs of
 * handoff/ (tasks.c). ctx_switches counts the submitting thread's (it
 * sleeps while an io-wq worker runs the request). Where io_uring is
 * refused (kernel.io_uring_disabled, seccomp, an old kernel), the rows
 * are skipped with the errno.
 *
 * verify: every completion succeeded (a write wrote 4 KiB) and the file
 * reads back as written.
 *
 * Run just this:  build/O2/bench_threads --benchmark_filter=uring
 *
 * Healthy figures (2-vCPU bhyve guest, AMD EPYC, kernel 6.18, with other
 * builds and benchmarks running on both CPUs; more in docs/suites/threads.md):
 * NOP 1.4 us inline, 4.5 us with IOSQE_ASYNC (p50); a 4 KiB write 5.2 us
 * either way (ext4 makes the inline attempt punt to a worker too).
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "threads.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WRITE_BYTES 4096

struct ur {
	struct io_uring ring;
	int fd, write, async;
	cpu_set_t cpus;
	unsigned char *buf, *chk;
	uint64_t bad;
	int err;
};

/* One request submitted and waited for; 0, or -1 with u->err set. */
static int ur_once(struct ur *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	struct io_uring_cqe *cqe;
	int want = u->write ? WRITE_BYTES : 0, rc;

	if (u->write)
		io_uring_prep_write(sqe, u->fd, u->buf, WRITE_BYTES, 0);
	else
		io_uring_prep_nop(sqe);
	sqe->flags |= u->async ? IOSQE_ASYNC : 0;
	rc = io_uring_submit_and_wait(&u->ring, 1);
	if (rc >= 0)
		rc = io_uring_peek_cqe(&u->ring, &cqe);
	if (rc < 0) {
		u->err = -rc;
		return -1;
	}
	rc = cqe->res;
	io_uring_cqe_seen(&u->ring, cqe);
	if (rc != want) {
		u->err = rc < 0 ? -rc : EIO;
		return -1;
	}
	return 0;
}

static int ur_setup(struct bench_state *st)
{
	struct ur *u = xcalloc(1, sizeof(*u));
	char path[4096];
	int rc;

	u->write = (int)bench_param(st) & 1;
	u->async = (int)bench_param(st) >> 1;
	u->fd = -1;
	thr_cpuset(thr_ncpus(), &u->cpus);
	rc = io_uring_queue_init(8, &u->ring, 0);
	if (rc < 0) {
		bench_skip(st, "io_uring_queue_init refused: %s",
			   strerror(-rc));
		free(u);
		return -1;
	}
	if (u->write) {
		u->fd = open(bench_data_dir(), O_RDWR | O_TMPFILE | O_CLOEXEC,
			     0600);
		if (u->fd < 0) {
			snprintf(path, sizeof(path), "%s/threads-uring-XXXXXX",
				 bench_data_dir());
			u->fd = mkostemp(path, O_CLOEXEC);
			if (u->fd >= 0)
				unlink(path);
		}
		if (u->fd < 0) {
			bench_skip(st, "cannot create a file in %s: %s",
				   bench_data_dir(), strerror(errno));
			io_uring_queue_exit(&u->ring);
			free(u);
			return -1;
		}
		/* Prefaulted buffers; the file's page written once, cached. */
		u->buf = mem_alloc(WRITE_BYTES, 0);
		u->chk = mem_alloc(WRITE_BYTES, 0);
		if (!u->buf || !u->chk)
			die_errno("cannot allocate %d bytes", WRITE_BYTES);
		memset(u->buf, 0x5a, WRITE_BYTES);
		if (pwrite(u->fd, u->buf, WRITE_BYTES, 0) != WRITE_BYTES)
			die_errno("cannot write to a file in %s",
				  bench_data_dir());
	}
	/*
	 * One request untimed: the first IOSQE_ASYNC one creates the
	 * ring's io-wq worker thread (milliseconds on a busy machine),
	 * which is set-up, not the hand-off being measured.
	 */
	if (ur_once(u))
		bench_label(st, "the warm-up request failed: %s",
			    strerror(u->err));
	bench_set_priv(st, u);
	return 0;
}

static void ur_teardown(struct bench_state *st)
{
	struct ur *u = bench_priv(st);

	io_uring_queue_exit(&u->ring);
	if (u->fd >= 0)
		close(u->fd);
	if (u->buf) {
		mem_free(u->buf, WRITE_BYTES);
		mem_free(u->chk, WRITE_BYTES);
	}
	free(u);
}

static void ur_run(struct bench_state *st)
{
	struct ur *u = bench_priv(st);
	uint64_t n;

	if (thr_place(st, &u->cpus))
		return;
	u->bad = 0;
	u->err = 0;
	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			uint64_t t0 = bench_op_begin();
			int rc = ur_once(u);

			bench_op_end(st, t0);
			u->bad += rc != 0;
		}
	bench_label(st, "%s; CPUs %s", u->async ? "IOSQE_ASYNC: run by an "
		    "io-wq worker" : "issued inline by the submitter",
		    thr_cpulist(thr_ncpus()));
}

static int ur_verify(struct bench_state *st)
{
	struct ur *u = bench_priv(st);

	if (u->bad) {
		/* A first refusal is the kernel's, not a wrong result. */
		if (u->bad == bench_iterations(st) &&
		    (u->err == EINVAL || u->err == EOPNOTSUPP ||
		     u->err == EPERM)) {
			bench_skip(st, "io_uring refused the request: %s",
				   strerror(u->err));
			return 0;
		}
		bench_fail(st, "%llu requests failed: %s",
			   (unsigned long long)u->bad, strerror(u->err));
		return 1;
	}
	if (u->write && (pread(u->fd, u->chk, WRITE_BYTES, 0) != WRITE_BYTES ||
			 memcmp(u->chk, u->buf, WRITE_BYTES))) {
		bench_fail(st, "the file does not read back as written");
		return 1;
	}
	return 0;
}

#define UR_CASE(sname, write, async, d)					\
	{								\
		.name = "uring/" sname, .desc = d,			\
		.setup = ur_setup, .run = ur_run, .verify = ur_verify,	\
		.teardown = ur_teardown,				\
		.flags = BENCH_REAL_TIME | BENCH_NO_PIN | BENCH_HIST,	\
		.counters = "ctx_switches,cpu_migrations",		\
		.param = (write) | (async) << 1,			\
	}

static const struct bench_case cases[] = {
	UR_CASE("nop_inline", 0, 0, "IORING_OP_NOP, issued inline"),
	UR_CASE("nop_async", 0, 1, "IORING_OP_NOP with IOSQE_ASYNC (io-wq)"),
	UR_CASE("write_inline", 1, 0,
		"IORING_OP_WRITE of 4 KiB, page cache, issued inline"),
	UR_CASE("write_async", 1, 1,
		"IORING_OP_WRITE of 4 KiB, page cache, with IOSQE_ASYNC"),
};
BENCH_FAMILY(cases);
