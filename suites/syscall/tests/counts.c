/*
 * counts.c - the exact system calls of the suite's C variants: the scans
 * of the IO combining family (8 KiB preads over N pages make N reads) and
 * the C file-reading tasks, counted with the harness's raw_syscalls
 * counter; and that each scan's checksum catches wrong data.
 */
#define _GNU_SOURCE
#include "counters.h"
#include "syscall.h"
#include "tap.h"
#include "util.h"

#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define NPAGES 64
#define LEN ((uint64_t)NPAGES * SC_PAGE)

static int countable;

/* Syscalls of fn(arg), or -1 where they cannot be counted. */
#define COUNT(expr, result)						\
	({								\
		struct ctr_set *c_ = ctr_open("syscalls", 0);		\
		double v_ = -1;						\
		ctr_enable(c_);						\
		result = (expr);					\
		ctr_disable(c_);					\
		if (ctr_count(c_) == 1)					\
			v_ = ctr_value(c_, 0);				\
		ctr_close(c_);						\
		v_;							\
	})

static void check_count(double got, uint64_t want, const char *what)
{
	if (!countable) {
		ok(1, "# SKIP %s: syscalls not countable here", what);
		return;
	}
	if (!ok(got == (double)want, "%s: %llu syscalls", what,
		(unsigned long long)want))
		printf("#   counted %.0f\n", got);
}

static uint64_t file_sum(int fd)
{
	static char page[SC_PAGE];
	uint64_t sum = 0;

	for (uint64_t p = 0; p < NPAGES; p++) {
		if (pread(fd, page, SC_PAGE, (off_t)(p * SC_PAGE)) != SC_PAGE)
			return 0;
		sum += sc_page_mix(sc_page_sum(page), p);
	}
	return sum;
}

static void scans(const char *dir)
{
	uint64_t seed = 42, want = 0, got;
	char *bufs = mem_alloc(1 << 20, 0);
	struct io_uring ring;
	double n;
	int fd, r;

	fd = sc_file_anon(dir, O_RDWR);
	ok(fd >= 0, "anonymous scan file");
	ok(!sc_file_fill(fd, LEN, sc_pattern_fill, &seed), "filled");
	/* The reference, from the pattern itself, not from a scan. */
	for (uint64_t p = 0; p < NPAGES; p++) {
		sc_pattern_fill(bufs, SC_PAGE, p * SC_PAGE, &seed);
		want += sc_page_mix(sc_page_sum(bufs), p);
	}
	is_int(file_sum(fd), want, "the file reads back as the pattern");

	n = COUNT(sc_scan_pread(fd, LEN, bufs, SC_PAGE), got);
	check_count(n, NPAGES, "8 KiB preads over 64 pages");
	is_int(got, want, "8 KiB preads: checksum");
	is_int(sc_scan_syscalls(SC_SCAN_PREAD, LEN, SC_PAGE), NPAGES,
	       "the suite expects 64 for them");

	n = COUNT(sc_scan_pread(fd, LEN, bufs, 128 << 10), got);
	check_count(n, NPAGES / 16, "128 KiB preads");
	is_int(got, want, "128 KiB preads: checksum");
	is_int(sc_scan_syscalls(SC_SCAN_PREAD, LEN, 128 << 10), NPAGES / 16,
	       "the suite expects 16x fewer for them");

	for (int k = 4; k <= 32; k *= 2) {
		char what[64];

		snprintf(what, sizeof(what), "preadv of %d pages", k);
		n = COUNT(sc_scan_preadv(fd, LEN, bufs, k), got);
		check_count(n, NPAGES / k, what);
		is_int(got, want, "%s: checksum", what);
		is_int(sc_scan_syscalls(SC_SCAN_PREADV, LEN, k), NPAGES / k,
		       "%s: the suite expects as many", what);
	}

	r = io_uring_queue_init(16, &ring, 0);
	if (r < 0) {
		ok(1, "# SKIP io_uring: %s", strerror(-r));
		ok(1, "# SKIP io_uring: %s", strerror(-r));
	} else {
		n = COUNT(sc_scan_uring(&ring, fd, LEN, bufs, 16), got);
		check_count(n, NPAGES / 16, "io_uring, 16 reads per enter");
		is_int(got, want, "io_uring: checksum");
		io_uring_queue_exit(&ring);
	}

	n = COUNT(sc_scan_mmap(fd, LEN, 0), got);
	check_count(n, 2, "mmap scan: mmap and munmap");
	is_int(got, want, "mmap: checksum");
	n = COUNT(sc_scan_mmap(fd, LEN, 1), got);
	check_count(n, 3, "mmap scan with MADV_SEQUENTIAL");
	is_int(got, want, "mmap_seq: checksum");

	/* The checksum must catch a changed byte and a misplaced page. */
	sc_pattern_fill(bufs, SC_PAGE, 0, &seed);
	bufs[100] ^= 1;
	ok(pwrite(fd, bufs, SC_PAGE, 0) == SC_PAGE, "one bit flipped");
	ok(sc_scan_pread(fd, LEN, bufs, SC_PAGE) != want,
	   "a flipped bit changes the checksum");
	sc_pattern_fill(bufs, SC_PAGE, SC_PAGE, &seed);
	ok(pwrite(fd, bufs, SC_PAGE, 0) == SC_PAGE, "page 1 copied over 0");
	ok(sc_scan_preadv(fd, LEN, bufs, 16) != want,
	   "a page in the wrong place changes the checksum");
	close(fd);
	mem_free(bufs, 1 << 20);
}

/* 1 MiB of lines, every 100th byte a newline: 10485 of them. */
static void tasks(const char *dir)
{
	const size_t size = 1 << 20, nreads4k = size / 4096 + 1;
	static char buf[1 << 20];
	char path[4096], want_out[32];
	struct sc_child_out out;
	double empty, task, n;
	long newlines = 0, got;
	char *argv[4];
	int fd;

	for (size_t i = 0; i < size; i++) {
		buf[i] = (i % 100 == 99) ? '\n' : 'x';
		newlines += buf[i] == '\n';
	}
	fd = sc_file_named(dir, "test-task", O_WRONLY, path, sizeof(path));
	ok(fd >= 0 && write(fd, buf, size) == (ssize_t)size,
	   "task file written");
	close(fd);

	n = COUNT(sc_task_read(path, buf, 4096), got);
	is_int(got, newlines, "read 4 KiB: newlines");
	check_count(n, 1 + nreads4k + 1,
		    "read 4 KiB: openat, 257 reads, close");
	n = COUNT(sc_task_read(path, buf, size), got);
	is_int(got, newlines, "read 1 MiB: newlines");
	check_count(n, 4, "read 1 MiB: openat, 2 reads, close");
	n = COUNT(sc_task_mmap(path), got);
	is_int(got, newlines, "mmap: newlines");
	check_count(n, 5, "mmap: openat, fstat, mmap, munmap, close");
	/* stdio: the same reads plus fstat (and a malloc that may brk). */
	n = COUNT(sc_task_stdio(path), got);
	is_int(got, newlines, "stdio: newlines");
	if (countable)
		ok(n >= 1 + 1 + nreads4k + 1 && n <= 1 + 1 + nreads4k + 1 + 2,
		   "stdio: openat, fstat, 257 reads, close, at most 2 brk "
		   "(counted %.0f)", n);
	else
		ok(1, "# SKIP stdio: syscalls not countable here");

	/*
	 * As child processes (this test binary re-run with SC_TASK_ARG): the
	 * task less the empty twin is the task's syscalls and one write.
	 */
	ok(!sc_out_open(&out), "memfd for child output");
	argv[0] = realpath("/proc/self/exe", NULL);
	argv[1] = SC_TASK_ARG "empty";
	argv[2] = path;
	argv[3] = NULL;
	is_int(sc_spawn(argv, &out, &empty, NULL), 0, "empty child exits 0");
	is_str(out.text, "", "empty child prints nothing");
	argv[1] = SC_TASK_ARG "read_4k";
	is_int(sc_spawn(argv, &out, &task, NULL), 0, "task child exits 0");
	snprintf(want_out, sizeof(want_out), "%ld\n", newlines);
	is_str(out.text, want_out, "task child prints the count");
	if (countable) {
		ok(empty > 10, "the empty child's start-up is counted (%.0f)",
		   empty);
		if (!ok(task - empty == (double)(1 + nreads4k + 1 + 1),
			"child read 4 KiB less its empty twin: 260"))
			printf("#   counted %.0f - %.0f\n", task, empty);
	} else {
		ok(1, "# SKIP children: syscalls not countable here");
		ok(1, "# SKIP children: syscalls not countable here");
	}
	argv[1] = SC_TASK_ARG "nonsense";
	ok(sc_spawn(argv, &out, NULL, NULL) != 0,
	   "an unknown task fails the child");
	free(argv[0]);
	sc_out_close(&out);
	ok(!sc_file_remove(path), "task file removed");
}

int main(void)
{
	char dir[] = "/tmp/syscall-counts-XXXXXX";
	struct ctr_set *c;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	c = ctr_open("syscalls", 0);
	countable = ctr_count(c) == 1;
	if (!countable)
		printf("# syscalls not countable: %s\n", ctr_missing(c));
	ctr_close(c);

	scans(dir);
	tasks(dir);
	ok(!rmdir(dir), "nothing left in the directory");
	return tap_done();
}
