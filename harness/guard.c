/*
 * guard.c - see guard.h.
 */
#define _GNU_SOURCE
#include "guard.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static char source[192];

static int migrations_open(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_MIGRATIONS;
	a.exclude_hv = 1;
	/* Enabled from the start: no ioctl between here and the clock. */
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

static void probe(void)
{
	int fd = migrations_open();

	if (fd >= 0) {
		close(fd);
		snprintf(source, sizeof(source), "perf_event software "
			 "counter CPU_MIGRATIONS per thread (exact)");
	} else {
		snprintf(source, sizeof(source), "sched_getcpu before and "
			 "after the loop, a lower bound (perf_event_open: %s)",
			 strerror(errno));
	}
}

const char *guard_migrations_source(void)
{
	pthread_once(&probe_once, probe);
	return source;
}

void guard_begin(struct guard *g)
{
	struct rusage ru;

	g->vol_cs = g->invol_cs = g->migrations = -1;
	g->valid = 0;
	g->active = 1;
	g->fd = migrations_open();
	if (getrusage(RUSAGE_THREAD, &ru)) {
		g->nvcsw = g->nivcsw = -1;
	} else {
		g->nvcsw = ru.ru_nvcsw;
		g->nivcsw = ru.ru_nivcsw;
	}
	/* Last, nearest the clock: the CPU the loop starts on. */
	g->cpu = sched_getcpu();
}

void guard_end(struct guard *g)
{
	int cpu = sched_getcpu();
	struct rusage ru;
	uint64_t n;

	if (!g->active)
		return;
	g->active = 0;
	g->valid = 1;
	if (g->nvcsw >= 0 && !getrusage(RUSAGE_THREAD, &ru)) {
		g->vol_cs = (double)(ru.ru_nvcsw - g->nvcsw);
		g->invol_cs = (double)(ru.ru_nivcsw - g->nivcsw);
	}
	if (g->fd >= 0) {
		if (read(g->fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
			g->migrations = (double)n;
		close(g->fd);
		g->fd = -1;
	} else if (g->cpu >= 0 && cpu >= 0) {
		g->migrations = cpu != g->cpu;
	}
}
