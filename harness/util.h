/*
 * util.h - small helpers shared by the harness and the suites: git-style
 * error messages, a seeded PRNG, byte-size formatting, memory set-up.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "fatal: <msg>" on stderr and exit(1); "<msg>: <strerror(errno)>" for _errno. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void die_errno(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* "warning: <msg>" on stderr. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

/*
 * Deterministic PRNG (xoshiro256**, seeded through splitmix64). Every case
 * seeds its own from bench_seed() so inputs are the same across flavors
 * and runs.
 */
struct rng {
	uint64_t s[4];
};
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n), without modulo bias. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Fisher-Yates shuffle of n indices. */
void rng_shuffle_u32(struct rng *r, uint32_t *a, size_t n);

/*
 * Byte sizes in names and messages: exact binary units when the value is
 * a whole number of them ("64KiB", "3MiB"), bytes otherwise ("1536B").
 * parse accepts the same forms plus plain integers and K/M/G suffixes.
 */
char *fmt_bytes(char *buf, size_t len, uint64_t n);
int parse_bytes(const char *s, uint64_t *out);

/*
 * Anonymous memory for a benchmark: mmap'ed, optionally madvise'd for
 * transparent huge pages, and prefaulted (written once per page) so that
 * first-touch faults are never timed. Returns NULL with errno set.
 */
enum { MEM_THP = 1 << 0, MEM_NO_PREFAULT = 1 << 1 };
void *mem_alloc(size_t bytes, unsigned flags);
void mem_free(void *p, size_t bytes);
void mem_prefault(void *p, size_t bytes);
size_t page_size(void);

/* MemAvailable and MemTotal from /proc/meminfo, in bytes; 0 if unknown. */
uint64_t mem_available(void);
uint64_t mem_total(void);

/* Reads a small file into buf (NUL-terminated, trailing newline cut). */
int read_file_str(const char *path, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
