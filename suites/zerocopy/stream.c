/*
 * stream.c - the engine every zerocopy benchmark runs on: one TCP
 * connection, a receive path in one thread and a send path in another,
 * pinned to different CPUs where there are two.
 *
 * Isolates the cost of moving bytes through the kernel one way or
 * another: messages of size:N bytes, sent by thread 1 (the harness pins
 * it to core 1) and taken off the stream by thread 0 (core 0), which
 * compares every byte with the pattern (pattern.c). An iteration is 256
 * KiB of messages (one message from 256 KiB up), so that no run is a
 * handful of 1 KiB messages whose time is wake-up latency. Time
 * is real time, because the work is spread over two threads and the
 * kernel: a run ends when the receiver has every byte and the sender has
 * every zero-copy completion back, and both threads' clocks stop then
 * (the sender waits for the receiver's "done" inside its loop).
 *
 * Counters, per side (rx_ and tx_), per GiB moved:
 *   cpu_ms_per_GiB   CPU time of that thread (getrusage RUSAGE_THREAD,
 *                    read before the clock starts and after it stops);
 *                    the sum is exact, the user/system split below it is
 *                    the kernel's tick-sampled estimate
 *   usr_ms_per_GiB, sys_ms_per_GiB
 *   cs_per_GiB       context switches (voluntary and involuntary)
 *   syscalls_per_GiB system calls, from the harness's untimed counting
 *                    pass of the same loop (absent, with the reason in the
 *                    label, where the tracepoint is not available)
 * plus the path's share zero-copied (rx_mapped_share, tx_zc_share) and
 * bytes_per_second. On loopback the sender's thread also runs the
 * receive side of TCP (the softirq runs in the sending context), so its
 * system time includes work done "for" the receiver.
 *
 * A failure on either side (a wrong byte, a peer that closed, a timeout)
 * shuts both sockets down, so the other side's blocked call returns at
 * once: the benchmark fails with the first side's reason and never
 * hangs. verify() then checks that the receiver took exactly what the
 * sender sent and that nothing is left in the socket.
 *
 * Run just one pair:  build/O2/bench_zerocopy --benchmark_filter=copy/
 *
 * Healthy figures: each family file's header; an instance costs about
 * 0.1 s of a quick run (warm-up, sizing and two repetitions).
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "topo.h"
#include "util.h"
#include "zerocopy.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define KiB 1024ll
#define MiB (1024ll * 1024)

/* ---- the connection ---- */

int zc_conn_open(struct zc_conn *c, const struct zc_pair *p,
		 const struct zc_connopt *o, char *why, size_t len)
{
	struct zc_netopt net = p->net;
	struct zc_end *e[2] = { &c->rx, &c->tx };
	int err;

	memset(c, 0, sizeof(*c));
	c->p = p;
	c->done_fd = -1;
	for (int i = 0; i < 2; i++) {
		e[i]->fd = -1;
		e[i]->filefd = -1;
	}
	if (o->timeout_ms)
		net.timeout_ms = o->timeout_ms;
	if (zc_net_connect(&net, &c->rx.fd, &c->tx.fd, why, len))
		return -1;
	c->done_fd = eventfd(0, EFD_CLOEXEC);
	if (c->done_fd < 0) {
		err = errno;
		snprintf(why, len, "eventfd: %s", strerror(err));
		goto fail;
	}
	for (int i = 0; i < 2; i++) {
		e[i]->msg = o->msg;
		e[i]->pat = i ? o->txpat : o->rxpat;
		e[i]->timeout_ms = net.timeout_ms ? net.timeout_ms
						  : ZC_TIMEOUT_MS;
		e[i]->key = o->key;
		e[i]->stop = &c->failed;
	}
	if (p->tx->needs_file) {
		c->tx.filefd = zc_pattern_file(o->txpat, o->dir, why, len);
		if (c->tx.filefd < 0) {
			err = errno;
			goto fail;
		}
	}
	if (p->rx->open && p->rx->open(&c->rx, why, len)) {
		err = errno;
		goto fail;
	}
	c->rx_open = 1;
	if (p->tx->open && p->tx->open(&c->tx, why, len)) {
		err = errno;
		goto fail;
	}
	c->tx_open = 1;
	return 0;
fail:
	zc_conn_close(c);
	errno = err;
	return -1;
}

void zc_conn_close(struct zc_conn *c)
{
	int *fds[] = { &c->rx.fd, &c->tx.fd, &c->tx.filefd, &c->done_fd };

	if (c->rx_open && c->p->rx->close)
		c->p->rx->close(&c->rx);
	if (c->tx_open && c->p->tx->close)
		c->p->tx->close(&c->tx);
	c->rx_open = c->tx_open = 0;
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

void zc_conn_fail(struct zc_conn *c, int side)
{
	const struct zc_end *e = side ? &c->tx : &c->rx;
	int none = 0;

	if (atomic_compare_exchange_strong(&c->failed, &none, 1 + side))
		snprintf(c->why, sizeof(c->why), "%s (%s): %s",
			 side ? "sender" : "receiver",
			 side ? c->p->tx->name : c->p->rx->name, e->err);
	/* Wakes whatever the other side waits in: recv, send, poll, a ring. */
	shutdown(c->rx.fd, SHUT_RDWR);
	shutdown(c->tx.fd, SHUT_RDWR);
	zc_done_post(c);
}

void zc_done_post(struct zc_conn *c)
{
	uint64_t one = 1;

	if (write(c->done_fd, &one, sizeof(one)) != sizeof(one))
		warn("cannot post to the receiver's eventfd: %s",
		     strerror(errno));
}

int zc_done_wait(struct zc_conn *c)
{
	struct pollfd p = { .fd = c->done_fd, .events = POLLIN };
	uint64_t v;
	int r;

	do
		r = poll(&p, 1, c->tx.timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return zc_errf(&c->tx, "the receiver did not finish within "
			       "%d ms", c->tx.timeout_ms);
	if (r < 0 || read(c->done_fd, &v, sizeof(v)) != sizeof(v))
		return zc_errf(&c->tx, "waiting for the receiver: %s",
			       strerror(errno));
	if (atomic_load(&c->failed))
		return zc_errf(&c->tx, "stopped: the receiver failed");
	return 0;
}

/* ---- message sizes ---- */

int zc_sweep_sizes(const struct bench_case *c, int64_t *out, int max)
{
	int n = 0;

	switch (bench_profile()) {
	case BENCH_PROFILE_TEST:
		out[n++] = KiB;
		out[n++] = 64 * KiB;
		break;
	case BENCH_PROFILE_QUICK:
		/*
		 * The ends, and the sizes the lore names a crossover around:
		 * SEND_ZC near 3000 bytes, MSG_ZEROCOPY near 10 KB.
		 */
		out[n++] = KiB;
		out[n++] = 4 * KiB;
		out[n++] = 64 * KiB;
		out[n++] = MiB;
		break;
	case BENCH_PROFILE_FULL:
		for (int64_t s = KiB; s <= MiB && n < max; s *= 2)
			out[n++] = s;
		break;
	}
	return n;
}

int zc_matrix_sizes(const struct bench_case *c, int64_t *out, int max)
{
	int n = 0;

	switch (bench_profile()) {
	case BENCH_PROFILE_TEST:
	case BENCH_PROFILE_QUICK:
		/*
		 * A row marked for the full profile only is left out (tests
		 * check every pair without the harness: tests/paths.c).
		 */
		if (c->param)
			break;
		out[n++] = 64 * KiB;
		break;
	case BENCH_PROFILE_FULL:
		out[n++] = 4 * KiB;
		out[n++] = 64 * KiB;
		out[n++] = MiB;
		break;
	}
	return n < max ? n : max;
}

/* ---- one benchmark instance ---- */

struct zc_inst {
	struct zc_conn c;
	unsigned char *rxpat, *txpat;
	struct zc_tls_key key;
	size_t msg;
	uint64_t per;		/* messages per iteration */
	int cpu[2];		/* where each side ran, -1: not pinned */
	/* Each side's CPU time over every run: the user/system split. */
	double usr_all[2], cpu_all[2];
	double iperf3_bps;	/* <= 0: not measured, see iperf3_why */
	char iperf3_why[200];
};

/* The receiver's and the sender's copy of the pattern, for the process. */
static unsigned char *pat[2];

static void make_key(struct zc_tls_key *k, uint64_t seed)
{
	struct rng r;

	rng_seed(&r, seed);
	for (size_t i = 0; i < sizeof(k->key); i++)
		k->key[i] = (unsigned char)rng_next(&r);
	for (size_t i = 0; i < sizeof(k->iv); i++)
		k->iv[i] = (unsigned char)rng_next(&r);
}

static void *warm_tx(void *arg)
{
	struct zc_conn *c = arg;

	if (c->p->tx->send(&c->tx, c->warm_n))
		zc_conn_fail(c, 1);
	return NULL;
}

/*
 * An untimed transfer before the first run, so that no run meets a cold
 * connection: TCP past slow start with its buffers grown, the paths'
 * rings, mappings and pages warm; the harness sizes every run from the
 * first ones. 2 MiB, or 4 to 64 messages: 64 KiB of 1 KiB messages.
 */
static int warm_up(struct zc_conn *c, size_t msg)
{
	uint64_t n = (2u << 20) / msg;
	pthread_t t;
	int rc;

	n = n < 4 ? 4 : n > 64 ? 64 : n;
	c->warm_n = n;
	rc = pthread_create(&t, NULL, warm_tx, c);
	if (rc) {
		errno = rc;
		die_errno("cannot start a thread");
	}
	if (c->p->rx->recv(&c->rx, n * msg))
		zc_conn_fail(c, 0);
	pthread_join(t, NULL);
	return atomic_load(&c->failed) ? -1 : 0;
}

int zc_setup(struct bench_state *st)
{
	const struct zc_pair *p = bench_data(st);
	struct zc_inst *z = xcalloc(1, sizeof(*z));
	uint64_t seed = bench_seed() ^ 0x7a65726f636f7079ull;
	struct zc_connopt o;
	char why[300];

	z->msg = (size_t)bench_arg(st);
	z->per = ZC_ITER_BYTES > z->msg ? ZC_ITER_BYTES / z->msg : 1;
	/*
	 * Each side its own copy, so no cache line is shared between them;
	 * made once per process (a few milliseconds of page faults on a
	 * VM) and kept, as every instance uses the same seed.
	 */
	if (!pat[0]) {
		pat[0] = zc_pattern_new(seed);
		pat[1] = zc_pattern_new(seed);
		if (!pat[0] || !pat[1])
			die_errno("cannot allocate the %u-byte pattern",
				  ZC_PAT_LEN);
	}
	z->rxpat = pat[0];
	z->txpat = pat[1];
	make_key(&z->key, seed);
	/* Before our connection exists, so iperf3 has the machine alone. */
	if (p->iperf3 && (size_t)p->iperf3 == z->msg)
		z->iperf3_bps = zc_iperf3(z->msg, z->iperf3_why,
					  sizeof(z->iperf3_why));
	o = (struct zc_connopt){
		.msg = z->msg, .rxpat = z->rxpat, .txpat = z->txpat,
		.key = &z->key, .dir = bench_data_dir(),
	};
	if (zc_conn_open(&z->c, p, &o, why, sizeof(why))) {
		bench_skip(st, "%s", why);
		free(z);
		return -1;
	}
	if (warm_up(&z->c, z->msg)) {
		bench_fail(st, "in the warm-up transfer: %s", z->c.why);
		zc_conn_close(&z->c);
		free(z);
		return -1;
	}
	bench_set_priv(st, z);
	return 0;
}

void zc_teardown(struct bench_state *st)
{
	struct zc_inst *z = bench_priv(st);

	zc_conn_close(&z->c);
	free(z);
}

static double tv_ms(struct timeval t)
{
	return (double)t.tv_sec * 1e3 + (double)t.tv_usec / 1e3;
}

/*
 * The kernel splits a thread's CPU time into user and system by sampling
 * at each tick (HZ times a second; 250 here), so one 20 ms run holds
 * about five samples. The split reported is therefore that of every run
 * of the instance so far (summed run by run: the sender is a new thread
 * each run), applied to this run's exact total.
 */
static void side_counters(struct bench_state *st, struct zc_inst *z,
			  int side, const struct rusage *a,
			  const struct rusage *b, uint64_t bytes, double zc,
			  double known)
{
	static const char *const names[2][5] = {
		{ "rx_cpu_ms_per_GiB", "rx_usr_ms_per_GiB",
		  "rx_sys_ms_per_GiB", "rx_cs_per_GiB",
		  "rx_syscalls_per_GiB" },
		{ "tx_cpu_ms_per_GiB", "tx_usr_ms_per_GiB",
		  "tx_sys_ms_per_GiB", "tx_cs_per_GiB",
		  "tx_syscalls_per_GiB" },
	};
	const struct zc_pair *p = z->c.p;
	const char *share = side ? p->tx->share : p->rx->share;
	double gib = (double)bytes / (double)(1ull << 30);
	double run_usr = tv_ms(b->ru_utime) - tv_ms(a->ru_utime);
	double cpu = run_usr + tv_ms(b->ru_stime) - tv_ms(a->ru_stime);
	double usr;
	double cs = (double)(b->ru_nvcsw - a->ru_nvcsw + b->ru_nivcsw -
			     a->ru_nivcsw);
	double calls;

	if (!bytes)
		return;
	z->usr_all[side] += run_usr;
	z->cpu_all[side] += cpu;
	usr = z->cpu_all[side] > 0 ? cpu * z->usr_all[side] /
					     z->cpu_all[side] : 0;
	bench_counter(st, names[side][0], cpu / gib, BENCH_CTR_TOTAL);
	bench_counter(st, names[side][1], usr / gib, BENCH_CTR_TOTAL);
	bench_counter(st, names[side][2], (cpu - usr) / gib, BENCH_CTR_TOTAL);
	bench_counter(st, names[side][3], cs / gib, BENCH_CTR_TOTAL);
	if (!bench_counted(st, "syscalls", &calls))
		bench_counter(st, names[side][4], calls / gib,
			      BENCH_CTR_TOTAL);
	if (share && known > 0)
		bench_counter(st, share, zc / known, BENCH_CTR_TOTAL);
	if (side == 0)
		bench_set_bytes(st, (int64_t)bytes);
}

/* Both threads set the same label: the harness keeps the last one. */
static void zc_label(struct bench_state *st, struct zc_inst *z)
{
	char net[96], cpus[96], ip[260] = "";

	if (z->cpu[0] < 0 || z->cpu[1] < 0)
		snprintf(cpus, sizeof(cpus), "threads not pinned");
	else if (z->cpu[0] == z->cpu[1])
		snprintf(cpus, sizeof(cpus), "receiver and sender share CPU "
			 "%d (one CPU)", z->cpu[0]);
	else
		snprintf(cpus, sizeof(cpus), "receiver on CPU %d, sender on "
			 "CPU %d", z->cpu[0], z->cpu[1]);
	if (z->c.p->iperf3 && (size_t)z->c.p->iperf3 == z->msg &&
	    z->iperf3_bps <= 0)
		snprintf(ip, sizeof(ip), "; no iperf3 figure: %s",
			 z->iperf3_why);
	bench_label(st, "%s; %s%s", cpus, zc_net_name(&z->c.p->net, net,
						      sizeof(net)), ip);
}

/*
 * A path whose bytes never reach user space (splice) is checked by an
 * untimed transfer of at least 256 KiB before every timed loop, through
 * the same calls with the bytes read back and compared.
 */
static int prologue(struct zc_inst *z, int side)
{
	struct zc_conn *c = &z->c;
	uint64_t k = (256 * KiB + z->msg - 1) / z->msg;

	if (side == 0) {
		int rc = c->p->rx->check(&c->rx, k * z->msg);

		if (rc)
			zc_conn_fail(c, 0);
		zc_done_post(c);
		return rc;
	}
	if (c->p->tx->send(&c->tx, k) || zc_done_wait(c)) {
		zc_conn_fail(c, 1);
		return -1;
	}
	return 0;
}

void zc_run(struct bench_state *st)
{
	struct zc_inst *z = bench_priv(st);
	struct zc_conn *c = &z->c;
	int side = bench_thread_index(st) ? 1 : 0;
	struct zc_end *e = side ? &c->tx : &c->rx;
	uint64_t n, off0, zc0, known0;
	struct rusage r0, r1;
	int mine = 0;

	z->cpu[side] = bench_pinning() ? topo_current_cpu() : -1;
	if (atomic_load(&c->failed)) {
		if (side == 0)
			bench_fail(st, "the connection failed in an earlier "
				   "run: %s", c->why);
	} else if (c->p->rx->check && prologue(z, side)) {
		mine = atomic_load(&c->failed) == 1 + side;
	}
	off0 = e->off;
	zc0 = e->zc_bytes;
	known0 = e->zc_known;
	/* Outside the clock: before it starts and after it stops. */
	getrusage(RUSAGE_THREAD, &r0);
	while ((n = bench_batch(st)) != 0) {
		if (atomic_load(&c->failed))
			continue;
		if (side == 0) {
			if (c->p->rx->recv(e, n * z->per * z->msg)) {
				zc_conn_fail(c, 0);
				mine = atomic_load(&c->failed) == 1;
			}
			zc_done_post(c);
		} else if (c->p->tx->send(e, n * z->per) ||
			   zc_done_wait(c)) {
			zc_conn_fail(c, 1);
			mine = atomic_load(&c->failed) == 2;
		}
	}
	getrusage(RUSAGE_THREAD, &r1);
	if (mine)
		bench_fail(st, "%s", c->why);
	else if (!atomic_load(&c->failed))
		side_counters(st, z, side, &r0, &r1, e->off - off0,
			      (double)(e->zc_bytes - zc0),
			      (double)(e->zc_known - known0));
	if (side == 0 && z->iperf3_bps > 0)
		bench_counter(st, "iperf3_bytes_per_second", z->iperf3_bps,
			      BENCH_CTR_TOTAL);
	/* Both threads know both CPUs after this. */
	bench_thread_barrier(st);
	zc_label(st, z);
}

int zc_verify(struct bench_state *st)
{
	struct zc_inst *z = bench_priv(st);
	struct zc_conn *c = &z->c;
	int left = 0;

	if (c->rx.off != c->tx.off) {
		bench_fail(st, "the receiver took %llu bytes, the sender sent "
			   "%llu", (unsigned long long)c->rx.off,
			   (unsigned long long)c->tx.off);
		return 1;
	}
	if (ioctl(c->rx.fd, FIONREAD, &left)) {
		bench_fail(st, "ioctl FIONREAD: %s", strerror(errno));
		return 1;
	}
	if (left) {
		bench_fail(st, "%d bytes left unread in the socket after the "
			   "run", left);
		return 1;
	}
	if (c->p->tx->share && c->tx.zc_known != c->tx.off) {
		bench_fail(st, "zero-copy completions cover %llu of %llu bytes "
			   "sent", (unsigned long long)c->tx.zc_known,
			   (unsigned long long)c->tx.off);
		return 1;
	}
	return 0;
}
