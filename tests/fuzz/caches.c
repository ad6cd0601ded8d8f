/*
 * caches.c - fuzz target "caches": bytes as the cache sizes file a suite
 * binary reads with --bench_caches (tools/calibrate's caches.json),
 * through calib_caches_read (harness/calib.c), which reads files by name:
 * the bytes go through a temporary file.
 */
#include "fuzz.h"
#include "calib.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char path[] = "/tmp/fuzz-caches.XXXXXX";
static int fd = -1;

/* calib.c's measurements call the shim's clock; none runs here. */
uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void remove_file(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct calib_caches c;
	char err[512];

	if (fd < 0) {
		if ((fd = mkstemp(path)) < 0)
			abort();
		atexit(remove_file);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	calib_caches_read(path, &c, err, sizeof(err));
	return 0;
}
