/*
 * io.c - blocking IO on an event loop: a loop serves requests (about
 * 2 us of CPU each, work.c) and appends a 256-byte log record per
 * request, made durable with fdatasync, in one of these ways:
 *   nolog         no record at all: the loop's own cost, the reference
 *   inline        write + fdatasync in the loop: it blocks on the device
 *                 for every request
 *   logthread     records go through a bounded buffer to a writer thread
 *                 that writes and syncs whatever has queued up (group
 *                 commit, logger.c); the loop blocks only when the
 *                 buffer is full
 *   uring_linked  io_uring: per request a WRITE linked to an FSYNC
 *                 (datasync), submitted, and the loop moves on; at most
 *                 32 requests in flight, then it waits for a completion
 *   uring_group   io_uring: per request a WRITE, not linked; at most one
 *                 FSYNC in flight, covering every write completed before
 *                 it was issued (group commit done by the loop)
 * Only inline makes each request wait for its own record's durability;
 * the others let the request finish first and the record follow, which
 * is what moving logging off the loop means. Every run ends with all
 * its records durable, and that wait is timed.
 *
 * One Google Benchmark iteration is a burst of requests (20 in test, 200
 * in quick, 2000 in full) so every repetition has that many latency
 * samples; each request is timed on its own (BENCH_HIST: p50, p99,
 * p99.9), from its start to the moment the loop may take the next one.
 * items_per_second is requests per second of real time. syncs_per_req
 * is fdatasyncs (or FSYNCs) issued per request. ctx_switches and
 * cpu_migrations are the loop thread's only: the writer thread's and the
 * io_uring workers' switches are not in them (that is the point: the
 * blocking moved there). Every thread may run on any CPU the process
 * may use; cpus_used says which were seen.
 *
 * Each repetition appends to a new file in the data directory
 * (--bench_data_dir; its filesystem type is in the label; on tmpfs
 * nothing is durable). verify reads the file back: every record once, in
 * order, with its request's result.
 *
 * Run just this:  build/O2/bench_threads --benchmark_filter=threads/io/
 *
 * Healthy figures (2-vCPU bhyve guest, AMD EPYC, kernel 6.18, with other
 * builds and benchmarks running on both CPUs; more in docs/suites/threads.md):
 * nolog p50 2 us; inline p50 0.2-4 ms (one fdatasync of a virtual disk,
 * slower while others sync), 350 requests/s; logthread p50 2.1 us, p99
 * about 30 us, about 100 k requests/s; uring_group p99 about 80 us.
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
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define REC_BYTES 256
#define REQ_WORK_NS 2000
#define URING_DEPTH 32		/* requests in flight */
#define FSYNC_TAG (~0ull)	/* uring_group's shared FSYNC */
#define SYNC_BIT (1ull << 32)	/* uring_linked: the FSYNC of a slot */
#define LOG_BUFFER (256u << 10)	/* logthread: 1024 records */

struct rec {
	uint64_t seq;
	uint64_t result;
	char text[REC_BYTES - 16];
};

struct ioloop;

struct io_strategy {
	int (*open)(struct bench_state *st, struct ioloop *l);
	/* Per request, in the loop: 0, or -1 with errno. */
	int (*log)(struct ioloop *l, const struct rec *r);
	/* Every record logged so far is durable: 0, or -1 with errno. */
	int (*drain)(struct ioloop *l);
	void (*close)(struct ioloop *l);
	const char *durability;
};

struct ioloop {
	const struct io_strategy *s;
	int fd;
	cpu_set_t cpus;
	uint64_t units, seq, errors, syncs, cpus_seen;
	int err;
	char fs[32];
	/* logthread */
	struct thr_log *log;
	/* io_uring */
	struct io_uring ring;
	int ring_ok;
	struct rec slot_rec[URING_DEPTH];
	int free_slots[URING_DEPTH], nfree;
	int pending[URING_DEPTH];	/* CQEs a slot still waits for */
	uint64_t writes_done, durable, fsync_covers;
	int fsync_inflight;
};

/* ---- the data file ---- */

static const char *fs_name(const char *dir, char *buf, size_t len)
{
	static const struct { long magic; const char *name; } known[] = {
		{ 0xef53, "ext4" }, { 0x58465342, "xfs" },
		{ 0x9123683e, "btrfs" }, { 0x01021994, "tmpfs" },
		{ 0x858458f6, "ramfs" }, { 0x2fc12fc1, "zfs" },
		{ 0xf2f52010, "f2fs" }, { 0x6969, "nfs" },
		{ 0x794c7630, "overlayfs" },
	};
	struct statfs sf;

	if (statfs(dir, &sf)) {
		snprintf(buf, len, "unknown filesystem");
		return buf;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if ((long)sf.f_type == known[i].magic) {
			snprintf(buf, len, "%s", known[i].name);
			return buf;
		}
	snprintf(buf, len, "filesystem 0x%lx", (long)sf.f_type);
	return buf;
}

/* An unnamed file: the kernel frees it however the process ends. */
static int open_anon(const char *dir)
{
	char path[4096];
	int fd = open(dir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR &&
			errno != EINVAL))
		return fd;
	snprintf(path, sizeof(path), "%s/threads-io-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* ---- strategies ---- */

static int nolog_log(struct ioloop *l, const struct rec *r)
{
	return 0;
}

static int nolog_drain(struct ioloop *l)
{
	return 0;
}

static int inline_log(struct ioloop *l, const struct rec *r)
{
	if (write(l->fd, r, sizeof(*r)) != (ssize_t)sizeof(*r)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	l->syncs++;
	return fdatasync(l->fd);
}

static int logthread_open(struct bench_state *st, struct ioloop *l)
{
	l->log = thr_log_start(l->fd, LOG_BUFFER, &l->cpus);
	if (!l->log) {
		bench_skip(st, "cannot start the log writer thread: %s",
			   strerror(errno));
		return -1;
	}
	return 0;
}

static int logthread_log(struct ioloop *l, const struct rec *r)
{
	return thr_log_append(l->log, r, sizeof(*r));
}

static int logthread_drain(struct ioloop *l)
{
	return thr_log_sync(l->log);
}

static void logthread_close(struct ioloop *l)
{
	if (!l->log)
		return;
	l->syncs = thr_log_syncs(l->log);
	l->cpus_seen |= thr_log_cpus(l->log);
	if (thr_log_stop(l->log) && !l->err)
		l->err = errno;
	l->log = NULL;
}

static int uring_open(struct bench_state *st, struct ioloop *l)
{
	int rc = io_uring_queue_init(2 * URING_DEPTH + 2, &l->ring, 0);

	if (rc < 0) {
		bench_skip(st, "io_uring_queue_init refused: %s",
			   strerror(-rc));
		return -1;
	}
	l->ring_ok = 1;
	for (int i = 0; i < URING_DEPTH; i++)
		l->free_slots[i] = URING_DEPTH - 1 - i;
	l->nfree = URING_DEPTH;
	return 0;
}

static void uring_close(struct ioloop *l)
{
	if (l->ring_ok)
		io_uring_queue_exit(&l->ring);
	l->ring_ok = 0;
}

/* One completion: frees its slot once every CQE of the slot arrived. */
static void uring_complete(struct ioloop *l, struct io_uring_cqe *cqe)
{
	uint64_t tag = cqe->user_data;

	if (cqe->res < 0 && !l->err)
		l->err = -cqe->res;
	if (tag == FSYNC_TAG) {
		l->fsync_inflight = 0;
		l->durable = l->fsync_covers;
	} else {
		int s = (int)(tag & (SYNC_BIT - 1));

		if (!(tag & SYNC_BIT) && cqe->res >= 0 &&
		    cqe->res != REC_BYTES && !l->err)
			l->err = EIO;
		if (--l->pending[s] == 0) {
			l->free_slots[l->nfree++] = s;
			l->writes_done++;
		}
	}
	io_uring_cqe_seen(&l->ring, cqe);
}

/* Takes every completion there is; with wait, blocks for at least one. */
static int uring_reap(struct ioloop *l, int wait)
{
	struct io_uring_cqe *cqe;
	int rc;

	if (wait) {
		rc = io_uring_wait_cqe(&l->ring, &cqe);
		if (rc < 0) {
			errno = -rc;
			return -1;
		}
		uring_complete(l, cqe);
	}
	while (io_uring_peek_cqe(&l->ring, &cqe) == 0)
		uring_complete(l, cqe);
	return 0;
}

/* A free record slot, waiting for a completion if there is none. */
static int uring_slot(struct ioloop *l)
{
	if (uring_reap(l, 0))
		return -1;
	while (!l->nfree)
		if (uring_reap(l, 1))
			return -1;
	return l->free_slots[--l->nfree];
}

static void prep_write(struct ioloop *l, int s, const struct rec *r,
		       unsigned flags)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	l->slot_rec[s] = *r;
	io_uring_prep_write(sqe, l->fd, &l->slot_rec[s], REC_BYTES,
			    r->seq * REC_BYTES);
	sqe->flags |= flags;
	io_uring_sqe_set_data64(sqe, (uint64_t)s);
}

static int submit(struct ioloop *l)
{
	int rc = io_uring_submit(&l->ring);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

static int linked_log(struct ioloop *l, const struct rec *r)
{
	struct io_uring_sqe *sqe;
	int s = uring_slot(l);

	if (s < 0)
		return -1;
	prep_write(l, s, r, IOSQE_IO_LINK);
	sqe = io_uring_get_sqe(&l->ring);
	io_uring_prep_fsync(sqe, l->fd, IORING_FSYNC_DATASYNC);
	io_uring_sqe_set_data64(sqe, (uint64_t)s | SYNC_BIT);
	l->pending[s] = 2;
	l->syncs++;
	return submit(l);
}

static int linked_drain(struct ioloop *l)
{
	while (l->nfree < URING_DEPTH)
		if (uring_reap(l, 1))
			return -1;
	return 0;
}

/*
 * Queues an FSYNC if none is in flight and some completed write is not
 * yet covered; it covers the writes completed before it is issued.
 */
static void group_fsync(struct ioloop *l)
{
	struct io_uring_sqe *sqe;

	if (l->fsync_inflight || l->writes_done == l->durable)
		return;
	sqe = io_uring_get_sqe(&l->ring);
	io_uring_prep_fsync(sqe, l->fd, IORING_FSYNC_DATASYNC);
	io_uring_sqe_set_data64(sqe, FSYNC_TAG);
	l->fsync_covers = l->writes_done;
	l->fsync_inflight = 1;
	l->syncs++;
}

static int group_log(struct ioloop *l, const struct rec *r)
{
	int s = uring_slot(l);

	if (s < 0)
		return -1;
	group_fsync(l);
	prep_write(l, s, r, 0);
	l->pending[s] = 1;
	return submit(l);
}

static int group_drain(struct ioloop *l)
{
	for (;;) {
		if (uring_reap(l, 0))
			return -1;
		if (l->nfree == URING_DEPTH && l->durable == l->writes_done)
			return 0;
		group_fsync(l);
		if (submit(l) || uring_reap(l, 1))
			return -1;
	}
}

/* ---- the loop ---- */

static uint64_t requests_per_iter(void)
{
	static const uint64_t n[] = { 20, 200, 2000 };

	return n[bench_profile()];
}

static int io_setup(struct bench_state *st)
{
	const struct io_strategy *s = bench_data(st);
	struct ioloop *l = xcalloc(1, sizeof(*l));

	l->s = s;
	thr_cpuset(thr_ncpus(), &l->cpus);
	l->units = thr_units(REQ_WORK_NS);
	fs_name(bench_data_dir(), l->fs, sizeof(l->fs));
	l->fd = open_anon(bench_data_dir());
	if (l->fd < 0) {
		bench_skip(st, "cannot create a file in %s: %s",
			   bench_data_dir(), strerror(errno));
		free(l);
		return -1;
	}
	if (s->open && s->open(st, l)) {
		close(l->fd);
		free(l);
		return -1;
	}
	bench_set_priv(st, l);
	return 0;
}

static void io_teardown(struct bench_state *st)
{
	struct ioloop *l = bench_priv(st);

	if (l->s->close)
		l->s->close(l);
	close(l->fd);
	free(l);
}

static void io_run(struct bench_state *st)
{
	struct ioloop *l = bench_priv(st);
	const uint64_t k = requests_per_iter();
	uint64_t n, cpus = 0;
	struct rec r;

	if (thr_place(st, &l->cpus))
		return;
	memset(&r, 0, sizeof(r));
	snprintf(r.text, sizeof(r.text), "request served; this line stands "
		 "for what a server logs per request\n");
	while ((n = bench_batch(st)) != 0) {
		for (uint64_t it = 0; it < n; it++)
			for (uint64_t i = 0; i < k; i++) {
				uint64_t t0 = bench_op_begin();

				r.seq = l->seq;
				r.result = thr_work(l->units, l->seq);
				if (l->s->log(l, &r)) {
					l->errors++;
					if (!l->err)
						l->err = errno;
				}
				bench_op_end(st, t0);
				l->seq++;
				if (!(i & 15))
					thr_seen(&cpus);
			}
		/* The run is over when its last record is durable. */
		if (l->s->drain(l) && !l->err)
			l->err = errno;
	}
	if (l->s->close)
		l->s->close(l);		/* syncs and the writer's CPUs */
	l->cpus_seen |= cpus;
	bench_set_items(st, (int64_t)l->seq);
	bench_counter(st, "syncs_per_req",
		      l->seq ? (double)l->syncs / (double)l->seq : 0,
		      BENCH_CTR_TOTAL);
	bench_counter(st, "cpus_used", thr_popcount(l->cpus_seen),
		      BENCH_CTR_TOTAL);
	bench_label(st, "%s%s; %s; CPUs %s", l->fs,
		    !strcmp(l->fs, "tmpfs") || !strcmp(l->fs, "ramfs")
			    ? " (in memory: nothing is durable)" : "",
		    l->s->durability, thr_cpulist(thr_ncpus()));
}

/* Every record once, in order, with its request's result (every 64th). */
static int io_verify(struct bench_state *st)
{
	struct ioloop *l = bench_priv(st);
	const struct io_strategy *s = l->s;
	struct rec *buf;
	struct stat sb;
	uint64_t want = s->log == nolog_log ? 0 : l->seq;
	int bad = 0;

	if (l->errors || l->err) {
		bench_fail(st, "%llu of %llu requests could not log: %s",
			   (unsigned long long)l->errors,
			   (unsigned long long)l->seq, strerror(l->err));
		return 1;
	}
	if (fstat(l->fd, &sb) || (uint64_t)sb.st_size != want * REC_BYTES) {
		bench_fail(st, "the log holds %lld bytes after %llu records",
			   (long long)sb.st_size, (unsigned long long)want);
		return 1;
	}
	buf = xmalloc(1024 * REC_BYTES);
	for (uint64_t at = 0; at < want && !bad; at += 1024) {
		uint64_t m = want - at < 1024 ? want - at : 1024;

		if (pread(l->fd, buf, m * REC_BYTES, (off_t)(at * REC_BYTES)) !=
		    (ssize_t)(m * REC_BYTES)) {
			bad = 1;
			break;
		}
		for (uint64_t i = 0; i < m && !bad; i++) {
			uint64_t seq = at + i;

			bad = buf[i].seq != seq ||
			      (!(seq & 63) &&
			       buf[i].result != thr_work(l->units, seq));
		}
	}
	free(buf);
	if (bad) {
		bench_fail(st, "the log's records are not each request's, "
			   "once, in order");
		return 1;
	}
	return 0;
}

#define IO_CASE(sname, d, ...)						\
	{								\
		.name = "io/" sname, .desc = d,				\
		.setup = io_setup, .run = io_run, .verify = io_verify,	\
		.teardown = io_teardown,				\
		.flags = BENCH_REAL_TIME | BENCH_NO_PIN | BENCH_HIST |	\
			 BENCH_SETUP_EACH_RUN,				\
		.unit = BENCH_UNIT_MS,					\
		.counters = "ctx_switches,cpu_migrations",		\
		.data = &(const struct io_strategy){ __VA_ARGS__ },	\
	}

static const struct bench_case cases[] = {
	IO_CASE("nolog", "requests with no log at all (the loop's own cost)",
		.log = nolog_log, .drain = nolog_drain,
		.durability = "no log"),
	IO_CASE("inline", "write + fdatasync in the loop, per request",
		.log = inline_log, .drain = nolog_drain,
		.durability = "each request waits for its record's fdatasync"),
	IO_CASE("logthread", "records handed to a log thread (group commit)",
		.open = logthread_open, .log = logthread_log,
		.drain = logthread_drain, .close = logthread_close,
		.durability = "records made durable after the request, by a "
			      "log thread (group commit)"),
	IO_CASE("uring_linked", "io_uring WRITE linked to FSYNC per request",
		.open = uring_open, .log = linked_log, .drain = linked_drain,
		.close = uring_close,
		.durability = "records made durable after the request, one "
			      "io_uring FSYNC each"),
	IO_CASE("uring_group", "io_uring WRITE per request, one FSYNC at a "
		"time for all completed writes",
		.open = uring_open, .log = group_log, .drain = group_drain,
		.close = uring_close,
		.durability = "records made durable after the request, "
			      "io_uring FSYNCs shared by all writes done"),
};
BENCH_FAMILY(cases);
