/*
 * machine.c - see machine.h.
 *
 * Everything here reads /proc and /sys and nothing else; the costliest
 * part is the busy-process window (30 ms asleep, plus about 5 ms reading
 * /proc/<pid>/task/<tid>/schedstat on a machine with a hundred tasks).
 */
#define _GNU_SOURCE
#include "machine.h"
#include "gbshim.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct task_cpu {
	int pid;
	char comm[24];
	uint64_t ns;
};

/* Bytes of s made printable: names come from other users' processes. */
static void printable(char *s)
{
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			*s = '?';
}

/* CPU time of every thread of pid, ns (schedstat; 0 if unreadable). */
static uint64_t pid_cpu_ns(int pid)
{
	char path[320], buf[128];
	struct dirent *e;
	uint64_t sum = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", pid,
			 e->d_name);
		if (!read_file_str(path, buf, sizeof(buf)))
			sum += strtoull(buf, NULL, 10);
	}
	if (d)
		closedir(d);
	return sum;
}

static int snapshot(struct task_cpu *t, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0, self = getpid();

	while (d && (e = readdir(d)) && n < max) {
		char path[64];
		int pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = atoi(e->d_name);
		if (pid == self)
			continue;
		t[n].pid = pid;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if (read_file_str(path, t[n].comm, sizeof(t[n].comm)))
			continue;
		printable(t[n].comm);
		t[n].ns = pid_cpu_ns(pid);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

static int by_share(const void *a, const void *b)
{
	const struct task_cpu *x = a, *y = b;

	return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : 0;
}

void machine_busy(unsigned window_ms, char *buf, size_t len, char *kdamonds,
		  size_t klen)
{
	enum { MAX = 4096 };
	struct task_cpu *a = xcalloc(MAX, sizeof(*a));
	struct task_cpu *b = xcalloc(MAX, sizeof(*b));
	struct timespec ts = { 0, (long)window_ms * 1000000L };
	uint64_t t0, t1;
	int na, nb, shown = 0;
	size_t n = 0, kn = 0;

	buf[0] = kdamonds[0] = '\0';
	t0 = bench_now_ns();
	na = snapshot(a, MAX);
	nanosleep(&ts, NULL);
	nb = snapshot(b, MAX);
	t1 = bench_now_ns();
	for (int i = 0; i < nb; i++) {
		uint64_t before = 0;

		for (int j = 0; j < na; j++)
			if (a[j].pid == b[i].pid) {
				before = a[j].ns;
				break;
			}
		b[i].ns = b[i].ns > before ? b[i].ns - before : 0;
		if (!strncmp(b[i].comm, "kdamond", 7) && kn < klen)
			kn += (size_t)snprintf(kdamonds + kn, klen - kn,
					       "%s%s (pid %d)", kn ? ", " : "",
					       b[i].comm, b[i].pid);
	}
	qsort(b, (size_t)nb, sizeof(*b), by_share);
	for (int i = 0; i < nb && shown < 5 && n < len; i++) {
		double share = t1 > t0 ? (double)b[i].ns / (double)(t1 - t0) : 0;

		if (share < 0.01)
			break;
		n += (size_t)snprintf(buf + n, len - n, "%s%s (pid %d) %.0f%%",
				      n ? ", " : "", b[i].comm, b[i].pid,
				      share * 100);
		shown++;
	}
	if (!buf[0])
		snprintf(buf, len, "none above 1%% of a CPU over %u ms",
			 window_ms);
	free(a);
	free(b);
}

const char *machine_damon(const char *admin, const char *threads, char *buf,
			  size_t len)
{
	char path[512], v[128];
	int nk, ctxs, nsch;
	size_t n = 0;

	buf[0] = '\0';
	if (threads && threads[0])
		n += (size_t)snprintf(buf, len, "threads: %s", threads);
	snprintf(path, sizeof(path), "%s/kdamonds/nr_kdamonds", admin);
	if (read_file_str(path, v, sizeof(v))) {
		if (n < len)
			snprintf(buf + n, len - n, "%s%s", n ? "; " : "",
				 n ? "sysfs admin interface not readable"
				   : "no kdamond running");
		return buf;
	}
	nk = atoi(v);
	for (int k = 0; k < nk && n < len; k++) {
		char state[32] = "?";

		snprintf(path, sizeof(path), "%s/kdamonds/%d/state", admin, k);
		read_file_str(path, state, sizeof(state));
		n += (size_t)snprintf(buf + n, len - n, "%skdamond %d %s",
				      n ? "; " : "", k, state);
		snprintf(path, sizeof(path), "%s/kdamonds/%d/contexts/"
			 "nr_contexts", admin, k);
		ctxs = read_file_str(path, v, sizeof(v)) ? 0 : atoi(v);
		for (int c = 0; c < ctxs && n < len; c++) {
			snprintf(path, sizeof(path), "%s/kdamonds/%d/contexts/"
				 "%d/operations", admin, k, c);
			if (read_file_str(path, v, sizeof(v)))
				snprintf(v, sizeof(v), "?");
			n += (size_t)snprintf(buf + n, len - n, ", %s", v);
			snprintf(path, sizeof(path), "%s/kdamonds/%d/contexts/"
				 "%d/schemes/nr_schemes", admin, k, c);
			nsch = read_file_str(path, v, sizeof(v)) ? 0 : atoi(v);
			for (int m = 0; m < nsch && n < len; m++) {
				snprintf(path, sizeof(path), "%s/kdamonds/%d/"
					 "contexts/%d/schemes/%d/action",
					 admin, k, c, m);
				if (read_file_str(path, v, sizeof(v)))
					snprintf(v, sizeof(v), "?");
				n += (size_t)snprintf(buf + n, len - n, "%s%s",
						      m ? " " : " scheme ", v);
			}
		}
	}
	if (!nk && n < len)
		snprintf(buf + n, len - n, "%sno kdamond configured",
			 n ? "; " : "");
	printable(buf);
	return buf;
}

const char *machine_pti(const char *cpuinfo, char *buf, size_t len)
{
	FILE *f = fopen(cpuinfo, "r");
	char line[4096];
	int pti = 0, pcid = 0, flags = 0;

	while (f && fgets(line, sizeof(line), f)) {
		char *tok, *save = NULL;

		if (strncmp(line, "flags", 5))
			continue;
		flags = 1;
		for (tok = strtok_r(line, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			pti |= !strcmp(tok, "pti");
			pcid |= !strcmp(tok, "pcid");
		}
		break;
	}
	if (f)
		fclose(f);
	if (!flags)
		snprintf(buf, len, "unknown (no flags in %s)", cpuinfo);
	else if (!pti)
		snprintf(buf, len, "off%s", pcid ? ", PCID available" : "");
	else if (pcid)
		snprintf(buf, len, "on, with PCID (kernel entries keep the TLB)");
	else
		snprintf(buf, len, "on, without PCID: every kernel entry and "
			 "exit flushes the TLB");
	return buf;
}

static void vulnerabilities(void)
{
	const char *dir = "/sys/devices/system/cpu/vulnerabilities";
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[320], key[272], v[256];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (read_file_str(path, v, sizeof(v)))
			continue;
		printable(v);
		snprintf(key, sizeof(key), "cpu_vuln_%s", e->d_name);
		bench_context(key, "%s", v);
	}
	if (d)
		closedir(d);
}

void machine_context(void)
{
	char buf[1024], kd[256];

	if (!read_file_str("/proc/loadavg", buf, sizeof(buf)))
		bench_context("loadavg", "%s", buf);
	machine_busy(30, buf, sizeof(buf), kd, sizeof(kd));
	bench_context("busy_processes", "%s", buf);
	bench_context("damon", "%s", machine_damon("/sys/kernel/mm/damon/admin",
						   kd, buf, sizeof(buf)));
	bench_context("pti", "%s", machine_pti("/proc/cpuinfo", buf,
					       sizeof(buf)));
	vulnerabilities();
}
