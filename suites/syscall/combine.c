/*
 * combine.c - IO combining: one system call per 8 KiB page against one
 * per many pages, as PostgreSQL 17 combines the page reads of a
 * sequential scan.
 *
 * Isolates what a scan pays per call: the same file is read front to back
 * in 8 KiB pages by one pread per page, preadv of 4/16/32 pages into as
 * many buffers, one pread of 128 KiB or 1 MiB, io_uring with a batch of
 * page reads per io_uring_enter (liburing), and mmap with and without
 * MADV_SEQUENTIAL. Every variant sums every page it read (syscall.h) and
 * must give the checksum the file was written with. The syscalls and
 * page faults of one scan are counted at set-up, on an untimed scan, and
 * must be exactly what the variant promises (8 KiB preads over N pages
 * make N reads); the timed scans run with no counter open.
 *
 * Three modes: cached (the whole file, at least 256 MiB outside the test
 * profile, held in the page cache), direct (O_DIRECT: from the device,
 * where the filesystem takes it) and dropped (buffered reads after
 * posix_fadvise(DONTNEED) of the range before each scan, so kernel
 * readahead is in play as it is for PostgreSQL; the fadvise is neither
 * timed nor counted). The uncached modes read a prefix of the file
 * (16 MiB in quick, 256 MiB in full) because the device is two orders of
 * magnitude slower than memory.
 *
 * Run just this:  build/O2/bench_syscall --benchmark_filter=combine/cached
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, ext4 on virtio,
 * kernel 6.18, quiet CPU): cached 8 KiB preads about 9 GB/s at 128
 * syscalls/MiB, 128 KiB preads about 19 GB/s at 8/MiB, io_uring batches
 * 8-10 GB/s, mmap about 21 GB/s; direct 8 KiB preads 0.1-0.3 GB/s, 1 MiB
 * preads 1-8 GB/s (the host's cache makes it vary).
 */
#define _GNU_SOURCE
#include "counters.h"
#include "gbshim.h"
#include "syscall.h"
#include "topo.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#define MiB (1ull << 20)
#define MAX_VEC 32

/* ---- the scans (also called by the tests) ---- */

/* The checksum of npages 8 KiB pages at b, the first being page first. */
static uint64_t sum_pages(const char *b, uint64_t npages, uint64_t first)
{
	uint64_t sum = 0;

	for (uint64_t k = 0; k < npages; k++)
		sum += sc_page_mix(sc_page_sum(b + k * SC_PAGE), first + k);
	return sum;
}

uint64_t sc_scan_pread(int fd, uint64_t len, void *buf, size_t chunk)
{
	uint64_t sum = 0;

	for (uint64_t off = 0; off < len; off += chunk) {
		ssize_t r = pread(fd, buf, chunk, (off_t)off);

		if (r != (ssize_t)chunk) {
			if (r >= 0)
				errno = EIO;
			return 0;
		}
		sum += sum_pages(buf, chunk / SC_PAGE, off / SC_PAGE);
	}
	return sum;
}

/* npages iovecs, one per 8 KiB buffer, as a buffer pool hands them out. */
uint64_t sc_scan_preadv(int fd, uint64_t len, void *bufs, int npages)
{
	const size_t chunk = (size_t)npages * SC_PAGE;
	struct iovec iov[MAX_VEC];
	uint64_t sum = 0;

	if (npages < 1 || npages > MAX_VEC) {
		errno = EINVAL;
		return 0;
	}
	for (int i = 0; i < npages; i++)
		iov[i] = (struct iovec){
			.iov_base = (char *)bufs + (size_t)i * SC_PAGE,
			.iov_len = SC_PAGE,
		};
	for (uint64_t off = 0; off < len; off += chunk) {
		ssize_t r = preadv(fd, iov, npages, (off_t)off);

		if (r != (ssize_t)chunk) {
			if (r >= 0)
				errno = EIO;
			return 0;
		}
		/* The buffers are contiguous: one run of npages pages. */
		sum += sum_pages(bufs, (uint64_t)npages, off / SC_PAGE);
	}
	return sum;
}

/*
 * One io_uring_enter per batch: submit batch reads and wait for all of
 * them in the same call. Completions come in any order; user_data says
 * which buffer (and so which page) each one filled.
 */
uint64_t sc_scan_uring(struct io_uring *ring, int fd, uint64_t len,
		       void *bufs, int batch)
{
	uint64_t npages = len / SC_PAGE, sum = 0;
	const char *b = bufs;
	int err = 0;

	for (uint64_t p = 0; p < npages; p += (uint64_t)batch) {
		uint64_t left = npages - p;
		int n = left < (uint64_t)batch ? (int)left : batch;
		int seen = 0, r;

		for (int i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

			if (!sqe) {
				errno = EBUSY;	/* ring < batch */
				return 0;
			}
			io_uring_prep_read(sqe, fd, (char *)bufs +
					   (size_t)i * SC_PAGE, SC_PAGE,
					   (p + (uint64_t)i) * SC_PAGE);
			io_uring_sqe_set_data64(sqe, (uint64_t)i);
		}
		r = io_uring_submit_and_wait(ring, (unsigned)n);
		if (r < 0) {
			errno = -r;
			return 0;
		}
		while (seen < n) {
			struct io_uring_cqe *cqe;
			unsigned head, got = 0;

			/* Normally all n are in: no further call. */
			r = io_uring_wait_cqe(ring, &cqe);
			if (r < 0) {
				errno = -r;
				return 0;
			}
			io_uring_for_each_cqe(ring, head, cqe) {
				uint64_t i = io_uring_cqe_get_data64(cqe);

				if (cqe->res != (int)SC_PAGE)
					err = cqe->res < 0 ? -cqe->res : EIO;
				else
					sum += sc_page_mix(sc_page_sum(b +
						i * SC_PAGE), p + i);
				got++;
			}
			io_uring_cq_advance(ring, got);
			seen += (int)got;
		}
		if (err) {
			errno = err;
			return 0;
		}
	}
	return sum;
}

/*
 * Map, read every page in place (the page faults are the cost; fault-
 * around maps up to 16 cached pages per fault), unmap: the scan owns its
 * mapping as a reader owns its reads.
 */
uint64_t sc_scan_mmap(int fd, uint64_t len, int sequential)
{
	uint64_t sum = 0;
	const char *p;

	p = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 0;
	if (sequential && madvise((void *)p, (size_t)len, MADV_SEQUENTIAL)) {
		int err = errno;

		munmap((void *)p, (size_t)len);
		errno = err;
		return 0;
	}
	sum = sum_pages(p, len / SC_PAGE, 0);
	munmap((void *)p, (size_t)len);
	return sum;
}

uint64_t sc_scan_syscalls(int kind, uint64_t len, int64_t arg)
{
	uint64_t npages = len / SC_PAGE;

	switch (kind) {
	case SC_SCAN_PREAD:
		return len / (uint64_t)arg;
	case SC_SCAN_PREADV:
		return len / ((uint64_t)arg * SC_PAGE);
	case SC_SCAN_URING:
		return (npages + (uint64_t)arg - 1) / (uint64_t)arg;
	case SC_SCAN_MMAP:
		return arg ? 3 : 2;	/* mmap, madvise, munmap */
	}
	return 0;
}

/* ---- the shared file ----
 *
 * One file serves every instance: writing and syncing 256 MiB costs about
 * a second, too much to pay per variant. It is anonymous (syscall.h), so
 * it goes when the process does.
 */

struct scan_file {
	int fd;
	uint64_t size;		/* cached scans read all of it */
	uint64_t ulen;		/* uncached scans read this prefix */
	uint64_t csum, ucsum;	/* checksums of both, from the pattern */
	int checked;		/* read back once and found right */
	int err;		/* errno of a failed creation, kept */
};

static struct scan_file shared = { .fd = -1 };

static void file_sizes(uint64_t *size, uint64_t *ulen)
{
	static const uint64_t sz[] = { 2 * MiB, 256 * MiB, 1024 * MiB };
	static const uint64_t ul[] = { 1 * MiB, 8 * MiB, 256 * MiB };
	uint64_t budget = topo_mem_budget() / MiB * MiB;

	*size = sz[bench_profile()];
	/* The cached file must fit in memory with room to spare. */
	if (budget && *size > budget)
		*size = budget > 2 * MiB ? budget : 2 * MiB;
	*ulen = ul[bench_profile()] < *size ? ul[bench_profile()] : *size;
}

struct fill_sums {
	uint64_t seed, ulen, csum, ucsum;
};

static void fill_and_sum(void *buf, size_t len, uint64_t off, void *arg)
{
	struct fill_sums *fs = arg;
	uint64_t first = off / SC_PAGE, n = len / SC_PAGE, nu, u;

	sc_pattern_fill(buf, len, off, &fs->seed);
	/* The first nu pages lie below ulen: they count in both sums. */
	nu = off < fs->ulen ? (fs->ulen - off) / SC_PAGE : 0;
	if (nu > n)
		nu = n;
	u = sum_pages(buf, nu, first);
	fs->ucsum += u;
	fs->csum += u + sum_pages((const char *)buf + nu * SC_PAGE, n - nu,
				  first + nu);
}

static int shared_file(struct bench_state *st)
{
	struct fill_sums fs = { .seed = bench_seed() * 0x100000001b3ull };
	uint64_t size, ulen;
	int fd;

	if (shared.fd >= 0)
		return 0;
	if (shared.err)
		goto fail;
	file_sizes(&size, &ulen);
	fs.ulen = ulen;
	fd = sc_file_anon(bench_data_dir(), O_RDWR);
	if (fd < 0) {
		shared.err = errno;
		goto fail;
	}
	/* Written and synced once, untimed; clean pages can be dropped. */
	if (sc_file_fill(fd, size, fill_and_sum, &fs) || fdatasync(fd)) {
		shared.err = errno;
		close(fd);
		goto fail;
	}
	shared = (struct scan_file){
		.fd = fd, .size = size, .ulen = ulen,
		.csum = fs.csum, .ucsum = fs.ucsum,
	};
	return 0;
fail:
	bench_skip(st, "cannot create the scan file in %s (%s): %s",
		   bench_data_dir(), sc_data_fs(), strerror(shared.err));
	return -1;
}

/* ---- cases ---- */

enum mode { CACHED, DIRECT, DROPPED };
static const char *const mode_names[] = { "page-cached", "O_DIRECT",
					  "cache dropped before each scan" };

struct variant {
	enum mode mode;
	int kind;		/* SC_SCAN_* */
	int sequential;		/* mmap: MADV_SEQUENTIAL */
};

struct scan {
	const struct variant *v;
	int fd, own_fd;
	uint64_t len, want;
	void *buf;
	size_t buflen;
	struct io_uring ring;
	int ring_ok;
	uint64_t bad;
	int err;
	double syscalls, faults;	/* one scan, counted untimed */
	char why[256];			/* why they are not counted */
};

static void scan_free(struct scan *s)
{
	if (!s)
		return;
	if (s->ring_ok)
		io_uring_queue_exit(&s->ring);
	mem_free(s->buf, s->buflen);
	if (s->own_fd)
		close(s->fd);
	free(s);
}

static uint64_t scan_once(struct scan *s, int64_t arg)
{
	switch (s->v->kind) {
	case SC_SCAN_PREAD:
		return sc_scan_pread(s->fd, s->len, s->buf, (size_t)arg);
	case SC_SCAN_PREADV:
		return sc_scan_preadv(s->fd, s->len, s->buf, (int)arg);
	case SC_SCAN_URING:
		return sc_scan_uring(&s->ring, s->fd, s->len, s->buf,
				     (int)arg);
	case SC_SCAN_MMAP:
		return sc_scan_mmap(s->fd, s->len, s->v->sequential);
	}
	return 0;
}

/*
 * The syscalls and page faults of one scan, counted at set-up on an
 * untimed scan that must also give the right checksum and exactly the
 * syscalls the variant promises. Never in the timed loop: while a
 * raw_syscalls perf event is open every system call on the machine takes
 * the kernel's slow path, which would tax the one-call-per-page variants
 * most and so flatter combining. Returns 0, or -1 after bench_fail().
 */
static int scan_count(struct bench_state *st, struct scan *s, int64_t arg)
{
	struct ctr_set *c = ctr_open("syscalls,page_faults", 0);
	uint64_t sum, want;
	double got = -1;
	int ret = 0;

	s->syscalls = s->faults = -1;
	if (s->v->mode == DROPPED)
		posix_fadvise(s->fd, 0, (off_t)s->len, POSIX_FADV_DONTNEED);
	ctr_enable(c);
	sum = scan_once(s, arg);
	ctr_disable(c);
	if (sum != s->want) {
		bench_fail(st, "a scan read the wrong data (%s)",
			   sum ? "checksum differs" : strerror(errno));
		ret = -1;
		goto out;
	}
	for (int i = 0; i < ctr_count(c); i++) {
		if (!strcmp(ctr_name(c, i), "syscalls"))
			s->syscalls = got = ctr_value(c, i);
		else
			s->faults = ctr_value(c, i);
	}
	if (*ctr_missing(c))
		snprintf(s->why, sizeof(s->why), "; not counted: %s",
			 ctr_missing(c));
	want = sc_scan_syscalls(s->v->kind, s->len,
				s->v->kind == SC_SCAN_MMAP ? s->v->sequential
							   : arg);
	if (got >= 0 && got != (double)want) {
		bench_fail(st, "counted %.0f syscalls in one scan, expected "
			   "%llu", got, (unsigned long long)want);
		ret = -1;
	}
out:
	ctr_close(c);
	return ret;
}

static int scan_setup(struct bench_state *st)
{
	const struct variant *v = bench_data(st);
	int64_t arg = bench_arg(st);
	struct scan *s;
	long res;
	int r;

	if (shared_file(st))
		return -1;
	s = xcalloc(1, sizeof(*s));
	s->v = v;
	s->fd = shared.fd;
	s->len = v->mode == CACHED ? shared.size : shared.ulen;
	s->want = v->mode == CACHED ? shared.csum : shared.ucsum;
	bench_set_priv(st, s);

	if (v->mode == DIRECT) {
		char path[64];

		/* The file has no name: reopen it through /proc. */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", shared.fd);
		s->fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (s->fd < 0) {
			bench_skip(st, "O_DIRECT refused on %s (%s)",
				   sc_data_fs(), strerror(errno));
			goto fail;
		}
		s->own_fd = 1;
	}

	switch (v->kind) {
	case SC_SCAN_PREAD:
		s->buflen = (size_t)arg;
		break;
	case SC_SCAN_PREADV:
	case SC_SCAN_URING:
		s->buflen = (size_t)arg * SC_PAGE;
		break;
	}
	if (s->buflen) {
		/* Page-aligned (O_DIRECT) and prefaulted: no fault is timed. */
		s->buf = mem_alloc(s->buflen, 0);
		if (!s->buf)
			die_errno("cannot allocate %zu bytes", s->buflen);
	}
	if (v->kind == SC_SCAN_URING) {
		r = io_uring_queue_init((unsigned)arg, &s->ring, 0);
		if (r < 0) {
			bench_skip(st, "io_uring_queue_init: %s", strerror(-r));
			goto fail;
		}
		s->ring_ok = 1;
	}

	res = v->mode == CACHED ? sc_resident_pages(shared.fd, s->len) : -1;
	if (v->mode == CACHED && (!shared.checked || res < 0 ||
				  (uint64_t)res * page_size() < s->len)) {
		/*
		 * Read, untimed and checked, so the scans find every page
		 * cached: once, and again only if a dropped row or memory
		 * pressure took pages out.
		 */
		void *tmp = mem_alloc(MiB, 0);
		uint64_t sum;

		if (!tmp)
			die_errno("cannot allocate %llu bytes", MiB);
		sum = sc_scan_pread(shared.fd, s->len, tmp, MiB);
		mem_free(tmp, MiB);
		if (sum != s->want) {
			bench_fail(st, "the scan file does not read back as "
				   "written (%s)", sum ? "checksum differs"
						       : strerror(errno));
			goto fail;
		}
		shared.checked = 1;
	}
	if (v->mode == CACHED) {
		res = sc_resident_pages(shared.fd, s->len);
		if (res >= 0 &&
		    (uint64_t)res * page_size() < s->len / 100 * 99) {
			bench_skip(st, "only %ld of %llu pages stay in the "
				   "page cache", res,
				   (unsigned long long)(s->len / page_size()));
			goto fail;
		}
	} else if (v->mode == DROPPED) {
		posix_fadvise(shared.fd, 0, (off_t)s->len, POSIX_FADV_DONTNEED);
		res = sc_resident_pages(shared.fd, s->len);
		if (res < 0 || (uint64_t)res * page_size() > s->len / 100) {
			bench_skip(st, "posix_fadvise(DONTNEED) does not drop "
				   "the page cache on %s (%ld pages stay)",
				   sc_data_fs(), res);
			goto fail;
		}
	}
	if (scan_count(st, s, arg))
		goto fail;
	return 0;
fail:
	scan_free(s);
	bench_set_priv(st, NULL);
	return -1;
}

static void scan_label(struct bench_state *st, struct scan *s)
{
	char a[32], b[32];

	fmt_bytes(a, sizeof(a), s->len);
	fmt_bytes(b, sizeof(b), shared.size);
	bench_label(st, "%s, %s of a %s file on %s%s%s",
		    mode_names[s->v->mode], a, b, sc_data_fs(),
		    s->v->mode != CACHED && sc_data_fs_volatile()
			    ? " (in memory: nothing is read from a device)"
			    : "", s->why);
	if (s->syscalls >= 0) {
		bench_counter(st, "syscalls", s->syscalls, BENCH_CTR_TOTAL);
		bench_counter(st, "syscalls_per_mib",
			      s->syscalls / ((double)s->len / MiB),
			      BENCH_CTR_TOTAL);
	}
	if (s->faults >= 0)
		bench_counter(st, "page_faults", s->faults, BENCH_CTR_TOTAL);
}

/*
 * One iteration is one whole scan (milliseconds), timed on its own
 * (manual time): a scan from the device sleeps, so the CPU time Google
 * Benchmark would otherwise size runs and rates by is not the figure.
 * In the dropped mode the drop before each scan (about a millisecond per
 * 16 MiB) is left out of the time, so the clock is the scan's own.
 */
static void scan_run(struct bench_state *st)
{
	struct scan *s = bench_priv(st);
	const int drop = s->v->mode == DROPPED;
	int64_t arg = bench_arg(st);

	s->bad = 0;
	while (bench_keep_running(st)) {
		uint64_t t0, sum;

		if (drop)
			posix_fadvise(s->fd, 0, (off_t)s->len,
				      POSIX_FADV_DONTNEED);
		t0 = bench_now_ns();
		sum = scan_once(s, arg);
		bench_set_iteration_time(st, (double)(bench_now_ns() - t0) *
					 1e-9);
		if (sum != s->want) {
			s->bad++;
			s->err = errno;
		}
	}
	bench_set_bytes(st, (int64_t)(bench_iterations(st) * s->len));
	scan_label(st, s);
}

static int scan_verify(struct bench_state *st)
{
	struct scan *s = bench_priv(st);

	if (s->bad) {
		bench_fail(st, "%llu of %llu scans read the wrong data (%s)",
			   (unsigned long long)s->bad,
			   (unsigned long long)bench_iterations(st),
			   s->err ? strerror(s->err) : "checksum differs");
		return 1;
	}
	return 0;
}

static void scan_teardown(struct bench_state *st)
{
	scan_free(bench_priv(st));
}

/*
 * Pages per preadv or io_uring_enter: 4, 16 and 32, but in quick only
 * 16, the same 128 KiB per call as the pread row the claims compare;
 * full sweeps the batch.
 */
static int batches(const struct bench_case *c, int64_t *out, int max)
{
	static const int64_t all[] = { 4, 16, 32 };
	int n = 0;

	if (bench_profile() == BENCH_PROFILE_QUICK) {
		out[n++] = 16;
		return n;
	}
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]) && n < max; i++)
		out[n++] = all[i];
	return n;
}

#define VARIANT(m, k, sq) (&(const struct variant){ .mode = (m), \
	.kind = (k), .sequential = (sq) })

#define SCAN_COMMON							\
	.setup = scan_setup, .verify = scan_verify,			\
	.teardown = scan_teardown, .unit = BENCH_UNIT_MS,		\
	.run = scan_run, .flags = BENCH_MANUAL_TIME

#define SCAN_CASES(mode, mname)				\
	{								\
		.name = "combine/" mname "/pread",			\
		.desc = "one pread per chunk: 8 KiB is one per page",	\
		SCAN_COMMON,						\
		.data = VARIANT(mode, SC_SCAN_PREAD, 0),		\
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,		\
		BENCH_ARGS(8192, 131072, 1048576),			\
	},								\
	{								\
		.name = "combine/" mname "/preadv",			\
		.desc = "one preadv of N 8 KiB buffers",		\
		SCAN_COMMON,						\
		.data = VARIANT(mode, SC_SCAN_PREADV, 0),		\
		.arg_name = "pages", .gen_args = batches,		\
	},								\
	{								\
		.name = "combine/" mname "/uring",			\
		.desc = "io_uring: N 8 KiB reads per io_uring_enter",	\
		SCAN_COMMON,						\
		.data = VARIANT(mode, SC_SCAN_URING, 0),		\
		.arg_name = "batch", .gen_args = batches,		\
	}

#define MMAP_CASES(mode, mname)				\
	{								\
		.name = "combine/" mname "/mmap",			\
		.desc = "mmap, read every page in place, munmap",	\
		SCAN_COMMON,						\
		.data = VARIANT(mode, SC_SCAN_MMAP, 0),			\
	},								\
	{								\
		.name = "combine/" mname "/mmap_seq",			\
		.desc = "the same with MADV_SEQUENTIAL",		\
		SCAN_COMMON,						\
		.data = VARIANT(mode, SC_SCAN_MMAP, 1),			\
	}

static const struct bench_case cases[] = {
	SCAN_CASES(CACHED, "cached"),
	MMAP_CASES(CACHED, "cached"),
	SCAN_CASES(DIRECT, "direct"),
	SCAN_CASES(DROPPED, "dropped"),
	MMAP_CASES(DROPPED, "dropped"),
};
BENCH_FAMILY(cases);
