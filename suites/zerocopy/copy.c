/*
 * copy.c - the copy baseline every zero-copy path is compared with:
 * send() on one side, recv() into a buffer on the other, over loopback,
 * every byte compared with the pattern; and its cross-check against
 * iperf3, Debian's network throughput tool.
 *
 * Isolates the ordinary TCP path: two copies (user to kernel, kernel to
 * user) and the protocol work between them, on two pinned CPUs.
 *
 * The 64 KiB row's set-up runs iperf3 on loopback first (server and
 * client on the CPUs the harness gives the receiver and the sender, 64
 * KiB writes and reads, a fixed byte count), outside any timing, and
 * reports its receiver-side throughput as iperf3_bytes_per_second beside
 * the row's own bytes_per_second: the two should agree within 10% (a
 * claim), though iperf3 never looks at the bytes it receives. Where
 * iperf3 is not installed the counter is absent and the label says so.
 * iperf3 runs as child processes that the kernel kills if this thread
 * dies (PR_SET_PDEATHSIG), so none outlives the run.
 *
 * Run just this:  build/O2/bench_zerocopy --benchmark_filter=copy/
 *
 * Healthy figures (2-vCPU AMD EPYC guest, kernel 6.18, load
 * average 8-10 from other jobs: noisy; three rounds of the quick profile):
 * 0.6-0.9 GB/s at 64 KiB, 0.8-1.0 GB/s at 1 MiB; receiver 240-320 ms of
 * CPU per GiB at 64 KiB, 170-185 at 1 MiB; iperf3 at 64 KiB 0.2-1.4 GB/s
 * in the same conditions. More in docs/suites/zerocopy.md.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "topo.h"
#include "util.h"
#include "zerocopy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The CPUs this process was allowed before the harness pinned it. */
static cpu_set_t inherited;

__attribute__((constructor)) static void record_affinity(void)
{
	if (sched_getaffinity(0, sizeof(inherited), &inherited))
		CPU_ZERO(&inherited);
}

static int find_exe(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		if (n && n < sizeof(dir)) {
			memcpy(dir, p, n);
			dir[n] = 0;
			if ((size_t)snprintf(out, len, "%s/%s", dir, name) <
				    len &&
			    !access(out, X_OK))
				return 1;
		}
		p += n + (p[n] == ':');
	}
	return 0;
}

/*
 * Starts argv with stdout and stderr into out (or /dev/null), on the CPUs
 * this process inherited. The child dies with the forking thread.
 */
static pid_t spawn(char *const argv[], int out)
{
	pid_t parent = getpid(), pid = fork();
	int null;

	if (pid)
		return pid;
	/* Only async-signal-safe calls from here to exec. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(126);
	if (CPU_COUNT(&inherited))
		sched_setaffinity(0, sizeof(inherited), &inherited);
	null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(out >= 0 ? out : null, 1);
	dup2(out >= 0 ? out : null, 2);
	execv(argv[0], argv);
	_exit(127);
}

/* Waits up to ms for pid; its status, or -1 after killing it. */
static int reap(pid_t pid, int ms)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000000 };
	int st;

	for (int waited = 0;; waited += 10) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited >= ms)
			break;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (s >= 0 && !bind(s, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(s, (struct sockaddr *)&a, &l))
		port = ntohs(a.sin_port);
	if (s >= 0)
		close(s);
	return port;
}

/* The CPU topo_pin_thread(idx) gives, or -1; the caller stays on idx 0. */
static int harness_cpu(int idx)
{
	int cpu;

	if (!bench_pinning() || topo_pin_thread(idx))
		return -1;
	cpu = topo_current_cpu();
	topo_pin_thread(0);
	return cpu;
}

/* end.sum_received.bits_per_second / 8 from iperf3 -J, or -1 and why. */
static double parse(const char *text, size_t n, char *why, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, n, 0, &jerr), *v;
	double bps = -1;

	if (!root) {
		snprintf(why, len, "iperf3 -J output is not JSON: %s",
			 jerr.text);
		return -1;
	}
	v = json_object_get(root, "error");
	if (json_is_string(v)) {
		snprintf(why, len, "iperf3: %.150s", json_string_value(v));
	} else {
		v = json_object_get(json_object_get(json_object_get(root,
			"end"), "sum_received"), "bits_per_second");
		if (json_is_number(v) && json_number_value(v) > 0)
			bps = json_number_value(v) / 8;
		else
			snprintf(why, len, "iperf3 -J output has no "
				 "end.sum_received.bits_per_second");
	}
	json_decref(root);
	return bps;
}

/* Reads the whole of memfd fd into a NUL-ended buffer; NULL if empty. */
static char *slurp(int fd, size_t *n)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf;

	if (len <= 0)
		return NULL;
	buf = xmalloc((size_t)len + 1);
	if (pread(fd, buf, (size_t)len, 0) != len) {
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	*n = (size_t)len;
	return buf;
}

/*
 * Runs the client until it connects (the server listens within
 * milliseconds of its start; iperf3 -J exits 0 even when refused).
 * Returns its output, NULL with *st set if it printed nothing.
 */
static char *run_client(char *const argv[], int out, int *st, size_t *n)
{
	const struct timespec tick = { .tv_nsec = 20 * 1000000 };
	char *text = NULL;

	for (int tries = 0; tries < 100; tries++) {
		pid_t cl;

		free(text);
		text = NULL;
		/* The child writes at the offset it shares with us. */
		if (ftruncate(out, 0) || lseek(out, 0, SEEK_SET))
			break;
		cl = spawn(argv, out);
		*st = cl < 0 ? -1 : reap(cl, 60000);
		text = slurp(out, n);
		if (!text || !strstr(text, "Connection refused"))
			break;
		nanosleep(&tick, NULL);
	}
	return text;
}

double zc_iperf3(size_t msg, char *why, size_t len)
{
	static const char *const bytes[] = { "32M", "256M", "1G" };
	char exe[PATH_MAX], port[16], wlen[24], aff[32];
	char *server[] = { exe, "-s", "-1", "-B", "127.0.0.1", "-p", port,
			   NULL };
	char *client[] = { exe, "-c", "127.0.0.1", "-p", port, "-J",
			   "-l", wlen, "-n", (char *)bytes[bench_profile()],
			   NULL, NULL, NULL };
	int p = free_port(), out, st = -1, rx, tx;
	double bps = -1;
	char *text;
	size_t n = 0;
	pid_t srv;

	if (!find_exe("iperf3", exe, sizeof(exe))) {
		snprintf(why, len, "iperf3 is not installed (apt-get install "
			 "iperf3)");
		return -1;
	}
	out = memfd_create("iperf3", MFD_CLOEXEC);
	if (p < 0 || out < 0) {
		snprintf(why, len, "no free port or memfd: %s",
			 strerror(errno));
		if (out >= 0)
			close(out);
		return -1;
	}
	snprintf(port, sizeof(port), "%d", p);
	snprintf(wlen, sizeof(wlen), "%zu", msg);
	/* Client where our sender runs, server where our receiver runs. */
	rx = harness_cpu(0);
	tx = harness_cpu(1);
	if (rx >= 0 && tx >= 0 && rx != tx) {
		snprintf(aff, sizeof(aff), "%d,%d", tx, rx);
		client[10] = "-A";
		client[11] = aff;
	}
	srv = spawn(server, -1);
	if (srv < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		close(out);
		return -1;
	}
	text = run_client(client, out, &st, &n);
	/* -1: the server ends after one test; kill it if it did not. */
	reap(srv, 5000);
	close(out);
	if (!text) {
		snprintf(why, len, "iperf3 printed nothing (status %d)", st);
		return -1;
	}
	bps = parse(text, n, why, len);
	if (bps > 0 && st != 0) {
		snprintf(why, len, "iperf3 exited with status %d", st);
		bps = -1;
	}
	free(text);
	return bps;
}

/* ---- the family ---- */

static const struct zc_pair p_copy = {
	.rx = &zc_rx_read, .tx = &zc_tx_send, .net = { ZC_LO },
	.iperf3 = 64 * 1024,
};

static const struct bench_case cases[] = {
	ZC_CASE("copy", p_copy,
		"send() and recv() into a buffer: the copy baseline (iperf3 "
		"cross-check at 64 KiB)", zc_sweep_sizes),
};
BENCH_FAMILY(cases);
