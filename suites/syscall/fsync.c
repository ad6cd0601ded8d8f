/*
 * fsync.c - what durability costs per record: write alone, write+fsync,
 * write+fdatasync, O_SYNC, O_DSYNC, O_DIRECT|O_DSYNC, and write +
 * sync_file_range, both appending and overwriting in place.
 *
 * Isolates the latency of one record (4 KiB, and 64 KiB in full) made
 * durable each way: every operation is timed on its own, so the tail
 * (p90, p99, p99.9) is reported beside the median, not only a mean. Two
 * ways to write, one table row each:
 *  - appending (fsync/<variant>): each repetition starts from a new empty
 *    file, so every record extends it, and fdatasync must commit the new
 *    size as fsync does;
 *  - overwriting (fsync/overwrite/<variant>): records rewrite, in order
 *    and again and again, a file written in full and synced at set-up,
 *    as a database log whose segments are preallocated and zero-filled:
 *    the size and the block map never change, so fdatasync has only the
 *    data to commit while fsync also commits the inode's new mtime. (A
 *    file that is only fallocate'd would not do: the first write to an
 *    unwritten extent changes the block map, metadata fdatasync commits.)
 * Two of the variants are not durable and say so in their label: "none"
 * leaves the data in the page cache, and sync_file_range writes the
 * pages back but neither the metadata nor the device's cache.
 *
 * The file is in the data directory (--bench_data_dir, which scripts/run
 * sets from SYNC_DIR, else the results directory); its filesystem type
 * is in every label. On tmpfs nothing is durable and every variant is a
 * memory copy: the label and a warning on stderr say so.
 *
 * Every record carries its sequence number; verify checks the file's
 * size and the last record written. Context switches per append are counted
 * (a sync that waits for the device sleeps); syscalls are not, because
 * an open raw_syscalls perf event slows every system call (crossing.c).
 *
 * Run just this:  build/O2/bench_syscall --benchmark_filter=fsync
 *
 * Healthy figures (2-vCPU KVM guest, ext4 on virtio, kernel 6.18, quiet
 * filesystem): 4 KiB write alone about 3 us; every durable append
 * 200-250 us at the median for 4 KiB; sync_file_range about 90 us. When
 * other processes sync on the same filesystem, jbd2 makes a sync wait to
 * share their commit and medians jump to milliseconds.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "syscall.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*sync_fn)(int fd, off_t off, size_t len);

struct variant {
	int oflags;		/* added to O_RDWR at open */
	sync_fn sync;		/* after each write; NULL: none */
	const char *not_durable;	/* why, or NULL */
};

enum { APPEND = 0, OVERWRITE = 1 };	/* a case's .param */

static int do_fsync(int fd, off_t off, size_t len)
{
	return fsync(fd);
}

static int do_fdatasync(int fd, off_t off, size_t len)
{
	return fdatasync(fd);
}

static int do_sync_file_range(int fd, off_t off, size_t len)
{
	return sync_file_range(fd, off, (off_t)len,
			       SYNC_FILE_RANGE_WAIT_BEFORE |
			       SYNC_FILE_RANGE_WRITE |
			       SYNC_FILE_RANGE_WAIT_AFTER);
}

struct app {
	const struct variant *v;
	int overwrite;
	char path[PATH_MAX];
	int fd;
	size_t rec;
	uint64_t slots;		/* overwrite: records in the file */
	unsigned char *buf, *chk;
	uint64_t bad, appends;
	int err;
};

/*
 * Records per iteration: every repetition has this many samples. p99.9
 * needs 1000 to be more than the largest: full takes 2000; quick 50
 * (its p99 is the maximum: read the mean and the median), about 12 ms
 * per repetition of a durable variant on a quiet disk; test 20.
 */
static uint64_t appends_per_iter(void)
{
	static const uint64_t n[] = { 20, 50, 2000 };

	return n[bench_profile()];
}

/*
 * The overwrite file: every record written with its final size and
 * synced, untimed, before the first timed write, so the timed writes
 * find every block allocated and initialised. One plain descriptor does
 * it (O_DIRECT would need aligned buffers, O_SYNC would sync each).
 */
static int prefill(struct app *a)
{
	int fd = open(a->path, O_WRONLY | O_CLOEXEC);
	int rc = -1;

	if (fd < 0)
		return -1;
	memset(a->chk, 0, a->rec);
	for (uint64_t i = 0; i < a->slots; i++)
		if (write(fd, a->chk, a->rec) != (ssize_t)a->rec)
			goto out;
	rc = fsync(fd);
out:
	if (rc && !errno)
		errno = ENOSPC;
	close(fd);
	return rc;
}

static int app_setup(struct bench_state *st)
{
	const struct variant *v = bench_data(st);
	struct app *a = xcalloc(1, sizeof(*a));

	a->v = v;
	a->overwrite = bench_param(st) == OVERWRITE;
	a->rec = (size_t)bench_arg(st);
	a->slots = appends_per_iter();
	a->fd = sc_file_named(bench_data_dir(), "fsync", O_RDWR | v->oflags,
			      a->path, sizeof(a->path));
	if (a->fd < 0) {
		bench_skip(st, "cannot open a file in %s (%s) with these "
			   "flags: %s", bench_data_dir(), sc_data_fs(),
			   strerror(errno));
		goto fail;
	}
	/* Page-aligned for O_DIRECT; prefaulted so no fault is timed. */
	a->buf = mem_alloc(a->rec, 0);
	a->chk = mem_alloc(a->rec, 0);
	if (!a->buf || !a->chk)
		die_errno("cannot allocate %zu bytes", a->rec);
	memset(a->buf, 0xa5, a->rec);
	if (a->overwrite && prefill(a)) {
		bench_skip(st, "cannot preallocate %llu bytes in %s (%s): %s",
			   (unsigned long long)(a->slots * a->rec),
			   bench_data_dir(), sc_data_fs(), strerror(errno));
		goto fail;
	}
	bench_set_priv(st, a);
	return 0;
fail:
	if (a->fd >= 0) {
		close(a->fd);
		sc_file_remove(a->path);
	}
	mem_free(a->buf, a->rec);
	mem_free(a->chk, a->rec);
	free(a);
	return -1;
}

static void app_teardown(struct bench_state *st)
{
	struct app *a = bench_priv(st);

	close(a->fd);
	sc_file_remove(a->path);
	mem_free(a->buf, a->rec);
	mem_free(a->chk, a->rec);
	free(a);
}

static void app_label(struct bench_state *st, struct app *a)
{
	static int warned;
	int vol = sc_data_fs_volatile();

	if (vol && !warned) {
		warned = 1;
		warn("%s is on %s: fsync and O_SYNC have nothing to make "
		     "durable there; set SYNC_DIR to a disk", bench_data_dir(),
		     sc_data_fs());
	}
	bench_label(st, "%s%s; %s%s; %s", sc_data_fs(),
		    vol ? " (in memory: NOT DURABLE, sync is a no-op)" : "",
		    a->v->not_durable ? "not durable: " : "durable",
		    a->v->not_durable ? a->v->not_durable : "",
		    a->overwrite ? "overwriting a preallocated, synced file"
				 : "appending: every record extends the file");
}

/*
 * One timed operation per record: the write and its sync together. The
 * sync goes through a pointer chosen at set-up (a nanosecond against
 * microseconds), so one loop serves every variant. An iteration is a
 * fixed number of records (appends_per_iter), and a repetition one
 * iteration (the case's .iterations): CPU time, by which Google
 * Benchmark would otherwise size it, is not what a sleeping sync costs.
 * Overwriting, each iteration rewrites the file's records from the
 * first, through a positioned write, so the file never grows.
 */
static void app_run(struct bench_state *st)
{
	struct app *a = bench_priv(st);
	const uint64_t k = appends_per_iter();
	const int over = a->overwrite;
	sync_fn sync = a->v->sync;
	uint64_t seq = 0;

	a->bad = 0;
	a->err = 0;
	while (bench_keep_running(st)) {
		for (uint64_t i = 0; i < k; i++) {
			off_t off = (off_t)((over ? i : seq) * a->rec);
			uint64_t t0;
			ssize_t w;
			int r = 0;

			memcpy(a->buf, &seq, sizeof(seq));
			t0 = bench_op_begin();
			w = over ? pwrite(a->fd, a->buf, a->rec, off)
				 : write(a->fd, a->buf, a->rec);
			if (sync)
				r = sync(a->fd, off, a->rec);
			bench_op_end(st, t0);
			if (w != (ssize_t)a->rec || r) {
				a->bad++;
				a->err = w < 0 || r ? errno : ENOSPC;
			}
			seq++;
		}
	}
	a->appends = seq;
	/*
	 * No bytes or items per second: Google Benchmark would divide by
	 * CPU time, and a sync sleeps. The histogram's mean_ns is the figure.
	 */
	app_label(st, a);
}

static int app_verify(struct bench_state *st)
{
	struct app *a = bench_priv(st);
	uint64_t n = a->appends, last = 0;
	uint64_t size = (a->overwrite ? a->slots : n) * a->rec;
	/* Where the last record went: the k-th slot of the last pass. */
	off_t at = (off_t)((a->overwrite ? (n - 1) % a->slots : n - 1) *
			   a->rec);
	struct stat sb;

	if (a->bad) {
		bench_fail(st, "%llu of %llu writes failed: %s",
			   (unsigned long long)a->bad, (unsigned long long)n,
			   strerror(a->err));
		return 1;
	}
	if (fstat(a->fd, &sb) || (uint64_t)sb.st_size != size) {
		bench_fail(st, "the file holds %lld bytes after %llu writes "
			   "of %zu, not %llu", (long long)sb.st_size,
			   (unsigned long long)n, a->rec,
			   (unsigned long long)size);
		return 1;
	}
	if (n && (pread(a->fd, a->chk, a->rec, at) != (ssize_t)a->rec ||
		  (memcpy(&last, a->chk, sizeof(last)), last != n - 1))) {
		bench_fail(st, "the last record does not read back");
		return 1;
	}
	return 0;
}

static const struct variant v_none = {
	.not_durable = "the data stays in the page cache",
};
static const struct variant v_fsync = { .sync = do_fsync };
static const struct variant v_fdatasync = { .sync = do_fdatasync };
static const struct variant v_osync = { .oflags = O_SYNC };
static const struct variant v_odsync = { .oflags = O_DSYNC };
static const struct variant v_odirect = { .oflags = O_DIRECT | O_DSYNC };
static const struct variant v_sfr = {
	.sync = do_sync_file_range,
	.not_durable = "sync_file_range writes the pages back but neither "
		       "the metadata nor the device cache",
};

/* 4 KiB everywhere (the claims'); 64 KiB records too in test and full. */
static int records(const struct bench_case *c, int64_t *out, int max)
{
	int n = 0;

	out[n++] = 4096;
	if (bench_profile() != BENCH_PROFILE_QUICK && n < max)
		out[n++] = 65536;
	return n;
}

/*
 * Appending starts every repetition from an empty file (set-up per
 * run); overwriting sets its file up once and rewrites it every run.
 */
#define FSYNC_CASE(cname, v, d, mode, each)				\
	{								\
		.name = "fsync/" cname, .desc = d,			\
		.setup = app_setup, .run = app_run,			\
		.verify = app_verify, .teardown = app_teardown,		\
		.flags = BENCH_HIST | (each), .unit = BENCH_UNIT_MS,	\
		.counters = "ctx_switches", .iterations = 1,		\
		.arg_name = "record", .arg_fmt = BENCH_ARG_BYTES,	\
		.gen_args = records, .data = &(v), .param = (mode),	\
	}
#define APPEND_CASE(vname, v, d)					\
	FSYNC_CASE(vname, v, d, APPEND, BENCH_SETUP_EACH_RUN)
#define OVERWRITE_CASE(vname, v, d)					\
	FSYNC_CASE("overwrite/" vname, v, d, OVERWRITE, 0)

static const struct bench_case cases[] = {
	APPEND_CASE("none", v_none, "append, write only: no durability"),
	APPEND_CASE("fsync", v_fsync, "append, then fsync"),
	APPEND_CASE("fdatasync", v_fdatasync, "append, then fdatasync"),
	APPEND_CASE("o_sync", v_osync, "append to a file opened O_SYNC"),
	APPEND_CASE("o_dsync", v_odsync, "append to a file opened O_DSYNC"),
	APPEND_CASE("o_direct_dsync", v_odirect,
		    "append to a file opened O_DIRECT|O_DSYNC"),
	APPEND_CASE("sync_file_range", v_sfr,
		    "append, then sync_file_range(WAIT_BEFORE|WRITE|"
		    "WAIT_AFTER)"),
	OVERWRITE_CASE("none", v_none,
		       "overwrite in place, write only: no durability"),
	OVERWRITE_CASE("fsync", v_fsync, "overwrite in place, then fsync"),
	OVERWRITE_CASE("fdatasync", v_fdatasync,
		       "overwrite in place, then fdatasync"),
	OVERWRITE_CASE("o_sync", v_osync,
		       "overwrite in place in a file opened O_SYNC"),
	OVERWRITE_CASE("o_dsync", v_odsync,
		       "overwrite in place in a file opened O_DSYNC"),
	OVERWRITE_CASE("o_direct_dsync", v_odirect,
		       "overwrite in place in a file opened "
		       "O_DIRECT|O_DSYNC"),
	OVERWRITE_CASE("sync_file_range", v_sfr,
		       "overwrite in place, then sync_file_range(WAIT_BEFORE|"
		       "WRITE|WAIT_AFTER)"),
};
BENCH_FAMILY(cases);
