/*
 * logger.c - the group-commit log writer loses, duplicates and reorders
 * nothing: records reach the file exactly once, in append order, through
 * a buffer far smaller than the stream (back-pressure), after sync() and
 * after a stop() that finds records still queued; a refused write is an
 * error at sync and stop, not a silent loss.
 *
 * Uses only the writer and libc, so tests/tsan.sh also builds it with
 * -fsanitize=thread.
 */
#define _GNU_SOURCE
#include "tap.h"
#include "threads.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define REC 64
#define N 20000

struct rec {
	uint64_t seq;
	char pad[REC - 8];
};

/*
 * In memory where there is a tmpfs (/dev/shm): this tests the writer's
 * logic, and thousands of real fdatasyncs would only make it slow.
 */
static int tmpfile_fd(void)
{
	const char *dir = !access("/dev/shm", W_OK) ? "/dev/shm"
			  : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd = open(dir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);

	if (fd < 0) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/thr-logger-XXXXXX", dir);
		fd = mkstemp(path);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0) {
		perror("cannot create a temporary file");
		exit(1);
	}
	return fd;
}

/* The file holds records 0 .. n-1, each once, in order. */
static int file_in_order(int fd, uint64_t n)
{
	struct stat sb;
	struct rec r;

	if (fstat(fd, &sb) || (uint64_t)sb.st_size != n * REC) {
		diag("file has %lld bytes, want %llu", (long long)sb.st_size,
		     (unsigned long long)(n * REC));
		return 0;
	}
	for (uint64_t i = 0; i < n; i++)
		if (pread(fd, &r, REC, (off_t)(i * REC)) != REC || r.seq != i) {
			diag("record %llu holds %llu", (unsigned long long)i,
			     (unsigned long long)r.seq);
			return 0;
		}
	return 1;
}

static uint64_t append_n(struct thr_log *l, uint64_t from, uint64_t n)
{
	struct rec r = { 0 };
	uint64_t bad = 0;

	for (uint64_t i = from; i < from + n; i++) {
		r.seq = i;
		bad += thr_log_append(l, &r, REC) != 0;
	}
	return bad;
}

int main(void)
{
	struct thr_log *l;
	struct rec big[2];
	uint64_t syncs;
	int fd, rfd;

	/* A 4-record buffer: the loop blocks on nearly every append. */
	fd = tmpfile_fd();
	l = thr_log_start(fd, 4 * REC, NULL);
	ok(l != NULL, "starts with a 4-record buffer");
	is_int(append_n(l, 0, N), 0, "%d appends through it accepted", N);
	ok(thr_log_sync(l) == 0, "sync succeeds");
	ok(file_in_order(fd, N), "after sync the file holds every record "
	   "once, in order");
	is_int(append_n(l, N, N), 0, "the writer is reused after a sync");
	syncs = thr_log_syncs(l);
	ok(syncs >= 1 && syncs <= 2 * N, "fdatasyncs counted (%llu for %d "
	   "records)", (unsigned long long)syncs, 2 * N);
	ok(thr_log_stop(l) == 0, "stop with records queued succeeds");
	ok(file_in_order(fd, 2 * N), "stop wrote what was still queued");
	close(fd);

	/* A large buffer: stop finds nearly everything still queued. */
	fd = tmpfile_fd();
	l = thr_log_start(fd, (size_t)N * REC, NULL);
	is_int(append_n(l, 0, N), 0, "appends into a large buffer");
	ok(thr_log_stop(l) == 0, "immediate stop succeeds");
	ok(file_in_order(fd, N), "immediate stop lost nothing");

	/* Too large a record, and a file that refuses writes. */
	l = thr_log_start(fd, REC, NULL);
	ok(thr_log_append(l, big, sizeof(big)) != 0 && errno == EMSGSIZE,
	   "a record larger than the buffer is refused (EMSGSIZE)");
	ok(thr_log_stop(l) == 0, "stop with nothing queued succeeds");
	close(fd);

	rfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	l = thr_log_start(rfd, 4 * REC, NULL);
	append_n(l, 0, 8);
	ok(thr_log_sync(l) != 0 && errno == EBADF,
	   "a refused write makes sync fail with its errno (EBADF)");
	ok(thr_log_stop(l) != 0 && errno == EBADF,
	   "and stop report it too");
	close(rfd);
	return tap_done();
}
