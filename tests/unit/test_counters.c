/*
 * test_counters.c - counters count what they say, and the ones this
 * machine cannot count are absent with a reason, never zero. Without
 * tracefs (a fresh machine) the exact syscall counts are skipped, with
 * the reason; the tracepoint lookup itself is tested on a stand-in tree.
 */
#define _GNU_SOURCE
#include "counters.h"
#include "util.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_syscalls(void)
{
	struct ctr_set *c = ctr_open("syscalls", 0);

	if (ctr_count(c) != 1) {
		ok(strstr(ctr_missing(c), "syscalls:") != NULL,
		   "an absent syscall counter names its reason");
		ok(!strncmp(ctr_status("syscalls"), "unavailable", 11) ||
			   strstr(ctr_missing(c), "perf_event_open"),
		   "and the status says unavailable");
		if (ctr_syscall_tracepoint_id() < 0)
			ok(strstr(ctr_missing(c), "tracefs") != NULL,
			   "and that tracefs is the reason: %s",
			   ctr_missing(c));
		ok(1, "# SKIP exact syscall counts: %s", ctr_missing(c));
		ctr_close(c);
		return;
	}
	for (int n = 0; n <= 1000; n = n ? n * 10 : 1) {
		ctr_enable(c);
		for (int i = 0; i < n; i++)
			syscall(SYS_getppid);
		ctr_disable(c);
		is_dbl(ctr_value(c, 0), n, 0, "%d getppid calls count %d", n, n);
	}
	/* Counts accumulate across enable/disable pairs until closed. */
	ctr_close(c);
	ok(ctr_syscall_tracepoint_id() > 0, "tracepoint id found in tracefs");
}

static void test_inherit(void)
{
	struct ctr_set *c = ctr_open("syscalls", CTR_INHERIT);
	pid_t pid;
	double before;

	if (ctr_count(c) != 1) {
		ok(1, "# SKIP inherited syscall counts: %s", ctr_missing(c));
		ctr_close(c);
		return;
	}
	ctr_enable(c);
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 500; i++)
			syscall(SYS_getppid);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	ctr_disable(c);
	before = ctr_value(c, 0);
	ok(before >= 500, "a child's 500 syscalls are counted with inherit "
	   "(%.0f)", before);
	ctr_close(c);
}

static void test_page_faults(void)
{
	struct ctr_set *c = ctr_open("page_faults,minor_faults", 0);
	size_t ps = page_size(), n = 256;
	char *p;

	if (ctr_count(c) != 2) {
		ok(1, "page fault counters unavailable: %s", ctr_missing(c));
		ctr_close(c);
		return;
	}
	p = mmap(NULL, n * ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(p, n * ps, MADV_NOHUGEPAGE);
	ctr_enable(c);
	for (size_t i = 0; i < n; i++)
		p[i * ps] = 1;
	ctr_disable(c);
	ok(ctr_value(c, 0) >= (double)n &&
	   ctr_value(c, 0) < (double)n + 16 + TAP_SHADOW((double)n),
	   "first touch of %zu pages: %.0f faults", n, ctr_value(c, 0));
	is_str(ctr_name(c, 1), "minor_faults", "names come back in order");
	munmap(p, n * ps);
	ctr_close(c);
}

static void test_hardware(void)
{
	struct ctr_set *c = ctr_open("cycles,instructions,task_clock_ns", 0);
	int has_cycles = 0;

	for (int i = 0; i < ctr_count(c); i++)
		if (!strcmp(ctr_name(c, i), "cycles"))
			has_cycles = 1;
	if (!strncmp(ctr_papi_status(), "ok", 2)) {
		ok(has_cycles, "with a PMU, cycles are counted");
		if (has_cycles) {
			ctr_enable(c);
			for (volatile int i = 0; i < 100000; i++)
				;
			ctr_disable(c);
			ok(ctr_value(c, 0) > 100000, "and count more than zero");
		}
	} else {
		ok(!has_cycles, "without a PMU, cycles are absent, not zero");
		ok(strstr(ctr_missing(c), "cycles:") != NULL,
		   "the set says why: %s", ctr_missing(c));
		ok(!strncmp(ctr_status("cycles"), "unavailable", 11),
		   "the context status says unavailable");
	}
	ok(ctr_count(c) >= 1 && !strcmp(ctr_name(c, ctr_count(c) - 1),
					"task_clock_ns"),
	   "software events still open beside absent hardware ones");
	ctr_close(c);
}

/* The lookup finds an id under either root, debugfs's included. */
static void test_tracefs_roots(void)
{
	char dir[] = "/tmp/bench-tracefs-XXXXXX", cmd[512], path[512];
	int debug = 0;
	FILE *f;

	is_str(ctr_tracefs_root(0), "/sys/kernel/tracing", "tracefs first");
	for (int i = 0; ctr_tracefs_root(i); i++)
		debug |= !strcmp(ctr_tracefs_root(i), "/sys/kernel/debug/tracing");
	ok(debug, "then debugfs's tracing directory");
	if (!mkdtemp(dir)) {
		ok(0, "make a stand-in tracefs");
		return;
	}
	ok(ctr_tracepoint_id_in(dir, "raw_syscalls/sys_enter") < 0,
	   "no events directory: not found");
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/events/raw_syscalls/"
		 "sys_enter'", dir);
	snprintf(path, sizeof(path), "%s/events/raw_syscalls/sys_enter/id",
		 dir);
	f = !system(cmd) ? fopen(path, "w") : NULL;
	ok(f && fputs("443\n", f) >= 0 && !fclose(f), "write a stand-in id");
	is_int(ctr_tracepoint_id_in(dir, "raw_syscalls/sys_enter"), 443,
	       "its id is read");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(!system(cmd), "clean up");
}

int main(void)
{
	ctr_init();
	ok(ctr_known("syscalls") && ctr_known("llc_misses"), "known names");
	ok(!ctr_known("bogus"), "unknown names are refused");
	ok(ctr_open(NULL, 0) == NULL && ctr_open("", 0) == NULL,
	   "no names, no set");
	ok(strlen(ctr_papi_status()) > 3, "PAPI status: %s", ctr_papi_status());
	ok(strlen(ctr_perf_status()) > 3, "perf status: %s", ctr_perf_status());
	test_tracefs_roots();
	test_syscalls();
	test_inherit();
	test_page_faults();
	test_hardware();
	return tap_done();
}
