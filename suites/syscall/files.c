/*
 * files.c - data files for the syscall suite, and the pattern every reader
 * checks (see syscall.h for what each promises).
 *
 * No benchmark here: this is the set-up every family shares. Nothing in
 * it is timed.
 */
#define _GNU_SOURCE
#include "syscall.h"
#include "context.h"
#include "gbshim.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- named files: a registry the exit and signal paths empty ---- */

#define SC_MAX_NAMED 8

/*
 * Written only by the thread that sets up benchmarks; read by the signal
 * handler, which only calls unlink (async-signal-safe) on the slots in
 * use. A slot is filled before it is marked used.
 */
static char named_path[SC_MAX_NAMED][PATH_MAX];
static volatile sig_atomic_t named_used[SC_MAX_NAMED];
static unsigned named_serial;

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGXFSZ };

static void remove_all(void)
{
	for (int i = 0; i < SC_MAX_NAMED; i++) {
		if (named_used[i]) {
			unlink(named_path[i]);
			named_used[i] = 0;
		}
	}
}

static void on_signal(int sig)
{
	remove_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_cleanup(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	atexit(remove_all);
	for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(int); i++) {
		struct sigaction old, sa = { .sa_handler = on_signal };

		/* An ignored signal stays ignored (nohup, trap '' XFSZ). */
		if (sigaction(cleanup_signals[i], NULL, &old) ||
		    old.sa_handler != SIG_DFL)
			continue;
		sigemptyset(&sa.sa_mask);
		sigaction(cleanup_signals[i], &sa, NULL);
	}
}

int sc_file_named(const char *dir, const char *tag, int flags, char *path,
		  size_t len)
{
	int slot = -1, fd, n;

	for (int i = 0; i < SC_MAX_NAMED; i++)
		if (!named_used[i]) {
			slot = i;
			break;
		}
	if (slot < 0) {
		errno = EMFILE;
		return -1;
	}
	install_cleanup();
	n = snprintf(named_path[slot], PATH_MAX, "%s/.bench-syscall-%s-%d-%u",
		     dir, tag, (int)getpid(), named_serial++);
	if (n < 0 || n >= PATH_MAX || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(named_path[slot], flags | O_CREAT | O_EXCL | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -1;
	named_used[slot] = 1;
	memcpy(path, named_path[slot], (size_t)n + 1);
	return fd;
}

int sc_file_remove(const char *path)
{
	for (int i = 0; i < SC_MAX_NAMED; i++) {
		if (named_used[i] && !strcmp(named_path[i], path)) {
			named_used[i] = 0;
			return unlink(path);
		}
	}
	errno = ENOENT;
	return -1;
}

int sc_file_live(void)
{
	int n = 0;

	for (int i = 0; i < SC_MAX_NAMED; i++)
		n += !!named_used[i];
	return n;
}

int sc_file_anon(const char *dir, int flags)
{
	char path[PATH_MAX];
	int fd, err;

	fd = open(dir, flags | O_TMPFILE | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	/* No O_TMPFILE here: a name that lives for one unlink. */
	fd = sc_file_named(dir, "anon", flags, path, sizeof(path));
	if (fd < 0)
		return -1;
	if (sc_file_remove(path)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* ---- filling ---- */

int sc_file_fill(int fd, uint64_t size, sc_fill_fn fill, void *arg)
{
	const size_t chunk = 1 << 20;
	char *buf = mem_alloc(chunk, 0);
	uint64_t off = 0;
	int ret = -1, err = 0;

	if (!buf)
		return -1;
	while (off < size) {
		size_t n = size - off < chunk ? (size_t)(size - off) : chunk;
		ssize_t w;

		fill(buf, n, off, arg);
		w = pwrite(fd, buf, n, (off_t)off);
		if (w < 0) {
			err = errno;
			goto out;
		}
		if ((size_t)w != n) {
			err = ENOSPC;	/* short: the disk is full */
			goto out;
		}
		off += n;
	}
	ret = 0;
out:
	mem_free(buf, chunk);
	errno = err;
	return ret;
}

long sc_resident_pages(int fd, uint64_t len)
{
	size_t pg = page_size(), npages = (size_t)((len + pg - 1) / pg);
	unsigned char *vec;
	long n = 0;
	void *p;

	p = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	vec = xmalloc(npages);
	if (mincore(p, (size_t)len, vec)) {
		n = -1;
		goto out;
	}
	for (size_t i = 0; i < npages; i++)
		n += vec[i] & 1;
out:
	free(vec);
	munmap(p, (size_t)len);
	return n;
}

int sc_find_on_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char *dirs, *save = NULL;
	int found = 0;

	if (!path)
		return 0;
	dirs = xstrdup(path);
	for (char *d = strtok_r(dirs, ":", &save); d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", *d ? d : ".", name);
		found = !access(out, X_OK);
	}
	free(dirs);
	return found;
}

/* Keeps errno: callers name the filesystem beside strerror(errno). */
const char *sc_data_fs(void)
{
	static char fs[128];
	int err = errno;

	if (!fs[0])
		context_fs_type(bench_data_dir(), fs, sizeof(fs));
	errno = err;
	return fs;
}

int sc_data_fs_volatile(void)
{
	const char *fs = sc_data_fs();

	return !strcmp(fs, "tmpfs") || !strcmp(fs, "ramfs");
}

/* ---- the pattern ---- */

static inline uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* off and len are multiples of 8 (every caller's sizes are). */
void sc_pattern_fill(void *buf, size_t len, uint64_t off, void *seed)
{
	uint64_t s = *(const uint64_t *)seed, *w = buf, i0 = off / 8;

	for (size_t i = 0; i < len / 8; i++)
		w[i] = splitmix64(s + i0 + i);
}

/*
 * Four accumulators so the adds do not form one dependent chain: about
 * 1024 loads per 8 KiB page, a few hundred cycles, paid identically by
 * every scan variant.
 */
uint64_t sc_page_sum(const void *page)
{
	const uint64_t *w = page;
	uint64_t a = 0, b = 0, c = 0, d = 0;

	for (size_t i = 0; i < SC_PAGE / 8; i += 4) {
		a += w[i];
		b += w[i + 1];
		c += w[i + 2];
		d += w[i + 3];
	}
	return a + b + c + d;
}
