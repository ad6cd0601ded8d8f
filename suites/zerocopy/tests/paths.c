/*
 * paths.c - every receive path against every send path moves the right
 * bytes, and every failure ends a transfer at once: a wrong byte is
 * found where it is, a sender that closes early or goes quiet, a
 * receiver that goes away. No file descriptor is left open afterwards.
 *
 * The paths run in two threads here (this file's, not the harness's), on
 * loopback; over veth too where the machine lets us make namespaces.
 * Paths the kernel refuses (kTLS without the tls module, zcrx on lo) are
 * reported as SKIP with the reason.
 *
 * Run just this:  build/O2/suites/zerocopy/tests/paths
 */
#define _GNU_SOURCE
#include "tap.h"
#include "util.h"
#include "zerocopy.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned char *pat, *bad_pat;
static const char *tmpdir;
static struct zc_tls_key key;

static const struct zc_rx *const rxs[] = {
	&zc_rx_read, &zc_rx_tcp_zc, &zc_rx_splice, &zc_rx_uring,
};
static const struct zc_tx *const txs[] = {
	&zc_tx_send, &zc_tx_msg_zerocopy, &zc_tx_sendfile, &zc_tx_uring_send,
	&zc_tx_uring_send_zc,
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

struct xfer {
	struct zc_conn c;
	uint64_t n;		/* messages to send */
	int checked;		/* receive with check() where there is one */
	int rc[2];
};

static void *tx_main(void *arg)
{
	struct xfer *x = arg;

	x->rc[1] = x->c.p->tx->send(&x->c.tx, x->n);
	if (x->rc[1])
		zc_conn_fail(&x->c, 1);
	return NULL;
}

/* Receives what n messages hold; 0, or -1 with the receiver's error. */
static int rx_side(struct xfer *x, uint64_t want)
{
	const struct zc_rx *rx = x->c.p->rx;
	int (*fn)(struct zc_end *, uint64_t) = x->checked && rx->check
						       ? rx->check : rx->recv;

	x->rc[0] = fn(&x->c.rx, want);
	if (x->rc[0])
		zc_conn_fail(&x->c, 0);
	return x->rc[0];
}

static int open_pair(struct xfer *x, const struct zc_pair *p, size_t msg,
		     const unsigned char *txpat, int timeout_ms, char *why,
		     size_t len)
{
	struct zc_connopt o = {
		.msg = msg, .rxpat = pat, .txpat = txpat, .key = &key,
		.timeout_ms = timeout_ms, .dir = tmpdir,
	};

	memset(x, 0, sizeof(*x));
	return zc_conn_open(&x->c, p, &o, why, len);
}

/* Runs a whole transfer: n messages of msg bytes. */
static void transfer(const struct zc_pair *p, size_t msg, uint64_t n,
		     int checked, const char *net)
{
	struct xfer x;
	pthread_t t;
	char why[300];
	int left = -1;

	if (open_pair(&x, p, msg, pat, 0, why, sizeof(why))) {
		ok(1, "# SKIP %s %s <- %s: %s", net, p->rx->name, p->tx->name,
		   why);
		return;
	}
	x.n = n;
	x.checked = checked;
	pthread_create(&t, NULL, tx_main, &x);
	rx_side(&x, n * msg);
	pthread_join(t, NULL);
	ioctl(x.c.rx.fd, FIONREAD, &left);
	ok(!x.rc[0] && !x.rc[1] && x.c.rx.off == n * msg &&
	   x.c.tx.off == n * msg && left == 0,
	   "%s %s%s <- %s: %llu x %zu bytes arrive intact", net, p->rx->name,
	   checked && p->rx->check ? " (checked)" : "", p->tx->name,
	   (unsigned long long)n, msg);
	if (x.rc[0] || x.rc[1])
		diag("%s", x.c.why);
	if (p->tx->share)
		ok(x.c.tx.zc_known == x.c.tx.off, "%s %s <- %s: every "
		   "zero-copy completion is in (%llu of %llu bytes)", net,
		   p->rx->name, p->tx->name,
		   (unsigned long long)x.c.tx.zc_known,
		   (unsigned long long)x.c.tx.off);
	zc_conn_close(&x.c);
}

static void every_pair(void)
{
	const size_t sizes[] = { 1000, 65536, 1u << 20 };

	for (size_t r = 0; r < N(rxs); r++)
		for (size_t t = 0; t < N(txs); t++)
			for (size_t s = 0; s < N(sizes); s++) {
				struct zc_pair p = { .rx = rxs[r],
						     .tx = txs[t] };
				/*
				 * Small zero-copy sends wait for a delayed
				 * ACK each (see send.c): 64 KiB of them.
				 */
				uint64_t n = (sizes[s] < 4096 ? 65536u
						: 1u << 20) / sizes[s] + 1;

				transfer(&p, sizes[s], n, 0, "lo");
				if (rxs[r]->check)
					transfer(&p, sizes[s], n, 1, "lo");
			}
}

static void tls_pairs(void)
{
	const struct zc_pair ps[] = {
		{ .rx = &zc_rx_tls, .tx = &zc_tx_tls },
		{ .rx = &zc_rx_tls, .tx = &zc_tx_ktls },
		{ .rx = &zc_rx_tls, .tx = &zc_tx_ktls_sendfile },
		{ .rx = &zc_rx_ktls, .tx = &zc_tx_tls },
	};

	for (size_t i = 0; i < N(ps); i++) {
		transfer(&ps[i], 1000, 3000, 0, "lo");
		transfer(&ps[i], 100000, 40, 0, "lo");
	}
}

static void other_nets(void)
{
	struct zc_pair p = { .rx = &zc_rx_read, .tx = &zc_tx_send,
			     .net = { .mss = 4108 } };
	char why[300];

	transfer(&p, 65536, 50, 0, "lo, MSS 4108");
	p.rx = &zc_rx_tcp_zc;
	p.tx = &zc_tx_msg_zerocopy;
	transfer(&p, 65536, 50, 0, "lo, MSS 4108");
	if (zc_veth_up(why, sizeof(why))) {
		ok(errno == EPERM || errno == EOPNOTSUPP,
		   "# SKIP veth: %s", why);
		return;
	}
	p.net = (struct zc_netopt){ .net = ZC_VETH };
	for (size_t r = 0; r < N(rxs); r++) {
		p.rx = rxs[r];
		p.tx = &zc_tx_send;
		transfer(&p, 65536, 50, 0, "veth");
		p.tx = &zc_tx_msg_zerocopy;
		transfer(&p, 65536, 50, 0, "veth");
	}
}

/*
 * A wrong byte at stream offset 70003 (in the first period, so every
 * message size sends it once): every receiver names that offset, and
 * the sender stops instead of waiting.
 */
static void wrong_byte(void)
{
	const struct zc_rx *const all[] = {
		&zc_rx_read, &zc_rx_tcp_zc, &zc_rx_splice, &zc_rx_uring,
		&zc_rx_tls,
	};

	for (size_t r = 0; r < N(all); r++) {
		struct zc_pair p = { .rx = all[r], .tx = &zc_tx_send };
		struct xfer x;
		pthread_t t;
		char why[300];

		if (all[r] == &zc_rx_tls)
			p.tx = &zc_tx_tls;
		if (open_pair(&x, &p, 4096, bad_pat, 0, why, sizeof(why))) {
			ok(1, "# SKIP %s: %s", all[r]->name, why);
			continue;
		}
		x.n = 200;
		x.checked = 1;
		pthread_create(&t, NULL, tx_main, &x);
		rx_side(&x, x.n * 4096);
		pthread_join(t, NULL);
		ok(x.rc[0] && strstr(x.c.why, "differs from the pattern") &&
		   strstr(x.c.why, "at stream offset 70003"),
		   "%s: a wrong byte is found at its offset", all[r]->name);
		diag("%s", x.c.why);
		zc_conn_close(&x.c);
	}
}

/* A sender that sends half, then closes (how) or just stops (quiet). */
static int half_send(struct zc_end *e, uint64_t n)
{
	int r = zc_send_msgs(e, n / 2);

	shutdown(e->fd, SHUT_WR);
	return r;
}

static int half_quiet(struct zc_end *e, uint64_t n)
{
	return zc_send_msgs(e, n / 2);
}

static void short_sender(int quiet)
{
	const struct zc_tx tx = {
		.name = quiet ? "half_then_quiet" : "half_then_close",
		.send = quiet ? half_quiet : half_send,
	};
	const struct zc_rx *const all[] = {
		&zc_rx_read, &zc_rx_tcp_zc, &zc_rx_splice, &zc_rx_uring,
	};

	for (size_t r = 0; r < N(all); r++) {
		struct zc_pair p = { .rx = all[r], .tx = &tx };
		struct xfer x;
		pthread_t t;
		char why[300];

		/* Quiet: a short timeout, so the test waits for it briefly. */
		if (open_pair(&x, &p, 65536, pat, quiet ? 300 : 0, why,
			      sizeof(why))) {
			ok(1, "# SKIP %s: %s", all[r]->name, why);
			continue;
		}
		x.n = 20;
		pthread_create(&t, NULL, tx_main, &x);
		rx_side(&x, x.n * 65536);
		pthread_join(t, NULL);
		ok(x.rc[0] && strstr(x.c.why, quiet
					     ? "no data for 300 ms"
					     : "closed the connection"),
		   "%s: a sender that %s mid-stream is an error, not a wait",
		   all[r]->name, quiet ? "goes quiet" : "closes");
		diag("%s", x.c.why);
		zc_conn_close(&x.c);
	}
}

/* The receiver resets the connection before a byte arrives. */
static void receiver_gone(void)
{
	for (size_t t = 0; t < N(txs); t++) {
		struct zc_pair p = { .rx = &zc_rx_read, .tx = txs[t] };
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };
		struct xfer x;
		char why[300];
		int rc;

		if (open_pair(&x, &p, 65536, pat, 0, why, sizeof(why))) {
			ok(1, "# SKIP %s: %s", txs[t]->name, why);
			continue;
		}
		setsockopt(x.c.rx.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(x.c.rx.fd);
		x.c.rx.fd = -1;
		/* 64 MiB: far more than the socket buffers hold. */
		rc = txs[t]->send(&x.c.tx, 1024);
		ok(rc && !strstr(x.c.tx.err, "took nothing") &&
		   !strstr(x.c.tx.err, "completed in"),
		   "%s: a receiver that resets is an error at once",
		   txs[t]->name);
		diag("%s", x.c.tx.err);
		zc_conn_close(&x.c);
	}
}

static void pattern_checks(void)
{
	uint64_t bad = 0;
	unsigned char *buf = malloc(3u << 20);

	memcpy(buf, zc_pattern_at(pat, 5), ZC_MAX_MSG);
	is_int(zc_check(pat, buf, ZC_MAX_MSG, 5, &bad), 0,
	       "a megabyte from offset 5 matches the pattern");
	for (size_t i = 0; i < 3u << 20; i++)
		buf[i] = zc_pattern_at(pat, 3 + i)[0];
	is_int(zc_check(pat, buf, 3u << 20, 3, &bad), 0,
	       "3 MiB across periods match, byte by byte");
	buf[2000000] ^= 4;
	ok(zc_check(pat, buf, 3u << 20, 3, &bad) && bad == 2000003,
	   "a flipped byte in the third megabyte is found at its offset");
	is_int(zc_check(pat, buf, 100, 4, &bad), 1,
	       "the right bytes at the wrong offset do not match");
	ok(memcmp(pat, pat + ZC_PERIOD, ZC_MAX_MSG) == 0 &&
	   memcmp(pat, pat + 4096, 4096) != 0,
	   "the pattern repeats every period, not every page");
	free(buf);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	int fds;

	tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	pat = zc_pattern_new(42);
	bad_pat = zc_pattern_new(42);
	if (!pat || !bad_pat)
		die_errno("cannot make the pattern");
	bad_pat[70003] ^= 0x10;
	bad_pat[70003 + ZC_PERIOD] ^= 0x10;
	for (int i = 0; i < 16; i++)
		key.key[i] = (unsigned char)(3 * i + 1);
	for (int i = 0; i < 12; i++)
		key.iv[i] = (unsigned char)(5 * i + 2);
	fds = open_fds();

	pattern_checks();
	every_pair();
	tls_pairs();
	wrong_byte();
	short_sender(0);
	short_sender(1);
	receiver_gone();
	other_nets();

	/* The namespaces stay for the process, by design: two descriptors. */
	is_int(open_fds() - zc_veth_live(), fds,
	       "no descriptor left open but the namespaces' (%d)",
	       zc_veth_live());
	return tap_done();
}
