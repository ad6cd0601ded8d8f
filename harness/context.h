/*
 * context.h - what a result needs to be read later: the machine, the
 * kernel, the build, and what could and could not be counted.
 *
 * Everything here goes into Google Benchmark's "context" block of every
 * suite's JSON, as strings (see docs/results-schema.md for the keys).
 */
#ifndef BENCH_CONTEXT_H
#define BENCH_CONTEXT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Adds every key of the run context through bench_context(). */
void context_collect(void);

/* Pieces, exposed for tests and for suites that print them. */
const char *context_thp_mode(void);		/* "madvise", "always", ... */
/* "KVM", "bhyve", ..., "unknown hypervisor (...)" or "none detected" */
const char *context_hypervisor(void);
/* The name for CPUID leaf 0x40000000's 12-byte vendor ("bhyve bhyve "). */
const char *context_hv_name(const char *vendor, char *buf, size_t len);

/* Filesystem type of the directory holding path ("ext4", "tmpfs", ...). */
const char *context_fs_type(const char *path, char *buf, size_t len);
/* SHA-256 of a file, as 64 hex digits; -1 if it cannot be read. */
int context_file_sha256(const char *path, char out[65]);

#ifdef __cplusplus
}
#endif

#endif
