/*
 * syscall.h - what the syscall suite's families share, and what its tests
 * call: data files that are removed however the run ends, the data
 * pattern and checksums every reader verifies, the scan loops of the IO
 * combining family, the C file-reading tasks run as child processes, and
 * the affine fit of the read-size sweep.
 */
#ifndef SYSCALL_SUITE_H
#define SYSCALL_SUITE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- files.c: data files ----
 *
 * Every file the suite creates lives under the data directory
 * (--bench_data_dir) and is gone when the process ends, however it ends:
 *  - anonymous files (sc_file_anon) never have a name: O_TMPFILE, or a
 *    name unlinked right after creation where the filesystem lacks it;
 *    the kernel frees them when the last descriptor closes, even after
 *    SIGKILL;
 *  - named files (sc_file_named, for children that open a path and for
 *    fsync, whose durability includes a directory entry) are registered
 *    and unlinked by sc_file_remove, at exit (die() included), and on
 *    SIGINT, SIGTERM, SIGHUP and SIGXFSZ (unless the signal was ignored
 *    when the first file was created). Only SIGKILL can leave one behind.
 */

/* open(2) flags plus O_CREAT|O_EXCL|O_CLOEXEC; -1 with errno on failure. */
int sc_file_anon(const char *dir, int flags);
int sc_file_named(const char *dir, const char *tag, int flags, char *path,
		  size_t len);
/* Unlinks a registered file; 0, or -1 with errno. */
int sc_file_remove(const char *path);
/* Registered files not yet removed (for tests). */
int sc_file_live(void);

/* Writes size bytes made by fill (1 MiB at a time); 0 or -1 with errno. */
typedef void (*sc_fill_fn)(void *buf, size_t len, uint64_t off, void *arg);
int sc_file_fill(int fd, uint64_t size, sc_fill_fn fill, void *arg);

/*
 * Pages of [0, len) of fd resident in the page cache (mincore over a
 * mapping), or -1 with errno.
 */
long sc_resident_pages(int fd, uint64_t len);

/* The first executable called name on $PATH, into out; 1 if found. */
int sc_find_on_path(const char *name, char *out, size_t len);

/*
 * Filesystem type of the data directory ("ext4", "tmpfs"), cached;
 * errno is left as it was.
 */
const char *sc_data_fs(void);
/* Nonzero if it is tmpfs or ramfs, where fsync has nothing to do. */
int sc_data_fs_volatile(void);

/* ---- files.c: the data pattern and its checksum ----
 *
 * Word i (8 bytes, little endian) of a pattern file is splitmix64(seed+i),
 * so any range can be regenerated without reading the file. A scan's
 * checksum sums, over its 8 KiB pages p, page_sum(p) * (2p + 1): the
 * order of completion does not matter (io_uring), the place of each page
 * does (a page read into the wrong slot changes the sum).
 */
#define SC_PAGE 8192u

void sc_pattern_fill(void *buf, size_t len, uint64_t off, void *seed);
uint64_t sc_page_sum(const void *page);
static inline uint64_t sc_page_mix(uint64_t sum, uint64_t pageno)
{
	return sum * (2 * pageno + 1);
}

/* ---- combine.c: one scan of [0, len) in 8 KiB pages ----
 *
 * Each returns the scan's checksum, or 0 with errno set on a failed or
 * short read (no pattern page sums to 0 in practice; the tests check the
 * count of pages). len is a multiple of the chunk.
 */
struct io_uring;
uint64_t sc_scan_pread(int fd, uint64_t len, void *buf, size_t chunk);
uint64_t sc_scan_preadv(int fd, uint64_t len, void *bufs, int npages);
uint64_t sc_scan_uring(struct io_uring *ring, int fd, uint64_t len,
		       void *bufs, int batch);
uint64_t sc_scan_mmap(int fd, uint64_t len, int sequential);
/* Syscalls one scan makes (exact; the tests and verify() check it). */
uint64_t sc_scan_syscalls(int kind, uint64_t len, int64_t arg);
enum {
	SC_SCAN_PREAD,		/* arg: bytes per call */
	SC_SCAN_PREADV,		/* arg: pages per call */
	SC_SCAN_URING,		/* arg: pages per submit */
	SC_SCAN_MMAP,		/* arg: 1 with MADV_SEQUENTIAL */
};

/* ---- runtime.c: the file-reading task in C, and child processes ---- */

/* Newlines in a file; -1 with errno. buf is caller-owned (no malloc). */
long sc_task_stdio(const char *path);
long sc_task_read(const char *path, char *buf, size_t bufsize);
long sc_task_mmap(const char *path);

/*
 * Runs argv[0] with argv as a child (stdin /dev/null, stdout and stderr
 * into out), waits for it. *syscalls: what the child (and its threads and
 * children) entered, counted with an inherited perf_event tracepoint,
 * -1 if not countable; *ns: spawn to reap. Returns the exit status as
 * waitpid gives it, or -1 with errno if it could not be started.
 */
struct sc_child_out {
	int fd;			/* memfd the child writes to */
	char text[512];		/* what it wrote, truncated, NUL-ended */
};
int sc_out_open(struct sc_child_out *o);
void sc_out_close(struct sc_child_out *o);
int sc_spawn(char *const argv[], struct sc_child_out *o, double *syscalls,
	     uint64_t *ns);
/* The argument that makes this binary run a C task and exit. */
#define SC_TASK_ARG "--syscall_task="

/* ---- crossing.c: cost = a + b * bytes ----
 *
 * Weighted least squares with weights 1/y^2: each point's relative error
 * counts, so the 1 MiB point's microseconds of noise cannot swamp the
 * fixed cost measured at 1 byte. Returns 0, or -1 if fewer than two
 * distinct x. *max_rel: the largest |y - fit| / y over the points.
 */
int sc_fit_affine_rel(const double *x, const double *y, int n, double *a,
		      double *b, double *max_rel);

#endif
