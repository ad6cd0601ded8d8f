/*
 * cpus.c - where the threads suite's threads may run (see threads.h).
 *
 * The harness pins the benchmark thread to a core as soon as main starts;
 * a case of this suite decides its own placement instead (one CPU, two
 * CPUs, two given CPUs), always inside the affinity the process
 * inherited (taskset, a cgroup's cpuset). That affinity is read here in a
 * constructor, before main, so neither the harness nor an earlier case
 * can have changed it. No benchmark here; nothing is timed.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "threads.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int inherited[CPU_SETSIZE];
static int ninherited;

__attribute__((constructor)) static void capture_affinity(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set)) {
		/* Cannot happen for our own pid; fall back to CPU 0 alone. */
		inherited[0] = 0;
		ninherited = 1;
		return;
	}
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			inherited[ninherited++] = c;
	if (!ninherited)
		inherited[ninherited++] = 0;
}

int thr_ncpus(void)
{
	return ninherited;
}

int thr_cpu(int i)
{
	return inherited[i < ninherited ? i : ninherited - 1];
}

int thr_cpuset(int n, cpu_set_t *out)
{
	CPU_ZERO(out);
	if (n < 1 || n > ninherited)
		return -1;
	for (int i = 0; i < n; i++)
		CPU_SET(inherited[i], out);
	return 0;
}

const char *thr_cpulist(int n)
{
	static __thread char buf[256];
	size_t len = 0;

	buf[0] = '\0';
	if (n > ninherited)
		n = ninherited;
	for (int i = 0; i < n && len < sizeof(buf) - 16; i++) {
		int j = i;

		/* Runs of consecutive CPUs as "a-b". */
		while (j + 1 < n && inherited[j + 1] == inherited[j] + 1)
			j++;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%d",
					len ? "," : "", inherited[i]);
		if (j > i)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"-%d", inherited[j]);
		i = j;
	}
	return buf;
}

int thr_confine(const cpu_set_t *set)
{
	int rc = pthread_setaffinity_np(pthread_self(), sizeof(*set), set);

	if (rc) {
		errno = rc;
		return -1;
	}
	return 0;
}

int thr_place(struct bench_state *st, const cpu_set_t *set)
{
	char list[256];
	size_t len = 0;

	if (!thr_confine(set))
		return 0;
	for (int c = 0; c < CPU_SETSIZE && len < sizeof(list) - 16; c++)
		if (CPU_ISSET(c, set))
			len += (size_t)snprintf(list + len, sizeof(list) - len,
						"%s%d", len ? "," : "", c);
	bench_skip(st, "cannot confine the benchmark thread to CPUs %s: %s",
		   list, strerror(errno));
	return -1;
}

int thr_popcount(uint64_t mask)
{
	return __builtin_popcountll(mask);
}
