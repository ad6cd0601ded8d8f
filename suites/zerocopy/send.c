/*
 * send.c - the send paths, and the family that compares them with the
 * copy baseline (copy.c), every one read by plain recv():
 *
 *   send           send() from the pattern: the kernel copies each byte
 *                  into its own pages (the baseline; its rows are copy/)
 *   msg_zerocopy   send(MSG_ZEROCOPY) on an SO_ZEROCOPY socket: the
 *                  kernel pins the user pages instead and says, on the
 *                  socket's error queue, when it is done with them and
 *                  whether it copied after all (SO_EE_CODE_ZEROCOPY_COPIED,
 *                  always so for a local receiver: loopback and veth
 *                  defer a copy); tx_zc_share is the share not copied
 *   sendfile       sendfile() from a page-cached file of the pattern:
 *                  the file's pages go into the socket by reference
 *   read_send      pread() of the same file into a buffer, then send():
 *                  the copying way to serve a file, for sendfile's
 *                  system call count
 *   uring_send     io_uring IORING_OP_SEND, one request in flight: the
 *                  io_uring cost alone, to tell it from zero copy
 *   uring_send_zc  io_uring IORING_OP_SEND_ZC, with the kernel's report
 *                  of whether it copied (IORING_SEND_ZC_REPORT_USAGE);
 *                  tx_zc_share as for msg_zerocopy
 *
 * Isolates what each path costs the sending thread per GiB (the tx_
 * counters) with the receive side held fixed. A send path returns only
 * when every completion is in, so its time includes waiting for the
 * kernel to let go of the buffers.
 *
 * Run just this:  build/O2/bench_zerocopy --benchmark_filter='send/|copy/'
 *
 * Healthy figures (2-vCPU AMD EPYC guest, kernel 6.18, load
 * average 8-10 from other jobs: noisy): MSG_ZEROCOPY and send_zc both copy
 * over loopback (tx_zc_share 0); sender CPU per GiB at 64 KiB: send
 * 260-360 ms, MSG_ZEROCOPY 420-475, send_zc 405-455, sendfile 270-315;
 * sendfile makes one system call per message, read_send about four.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "util.h"
#include "zerocopy.h"

#include <errno.h>
#include <liburing.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
/* Linux 6.2 uapi, newer than liburing 2.3's copy. */
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1u << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1u << 31)
#endif

/* Sizes of requests not yet completed, by id (a ring). */
#define INFLIGHT 4096u

static int send_err(struct zc_end *e, const char *what)
{
	if (e->stop && atomic_load(e->stop))
		return zc_errf(e, "stopped: the other side failed");
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return zc_errf(e, "%s: the receiver took nothing for %d ms",
			       what, e->timeout_ms);
	return zc_errf(e, "%s: %s", what, strerror(errno));
}

/* ---- send: the copy ---- */

int zc_send_msgs(struct zc_end *e, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		const unsigned char *p = zc_pattern_at(e->pat, e->off);
		size_t left = e->msg;

		while (left) {
			ssize_t r = send(e->fd, p, left, MSG_NOSIGNAL);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return send_err(e, "send");
			p += r;
			left -= (size_t)r;
			e->off += (uint64_t)r;
		}
	}
	return 0;
}

const struct zc_tx zc_tx_send = {
	.name = "send",
	.send = zc_send_msgs,
};

/* ---- msg_zerocopy ---- */

struct mzc {
	uint32_t next;		/* id of the next send (the kernel's count) */
	uint32_t inflight;
	uint32_t size[INFLIGHT];
};

static int mzc_open(struct zc_end *e, char *why, size_t len)
{
	int one = 1;

	if (setsockopt(e->fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		snprintf(why, len, "setsockopt SO_ZEROCOPY refused: %s",
			 strerror(errno));
		return -1;
	}
	e->priv = xcalloc(1, sizeof(struct mzc));
	return 0;
}

static void priv_free(struct zc_end *e)
{
	free(e->priv);
}

/* Completions [lo, hi] from one error-queue message. */
static int mzc_note(struct zc_end *e, struct mzc *m, struct msghdr *msg)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm;
	     cm = CMSG_NXTHDR(msg, cm)) {
		struct sock_extended_err *x;
		int v4 = cm->cmsg_level == SOL_IP &&
			 cm->cmsg_type == IP_RECVERR;
		int v6 = cm->cmsg_level == SOL_IPV6 &&
			 cm->cmsg_type == IPV6_RECVERR;

		if (!v4 && !v6)
			continue;
		x = (struct sock_extended_err *)CMSG_DATA(cm);
		if (x->ee_origin != SO_EE_ORIGIN_ZEROCOPY || x->ee_errno)
			return zc_errf(e, "error queue: origin %u errno %u "
				       "(%s), not a completion", x->ee_origin,
				       x->ee_errno, strerror((int)x->ee_errno));
		for (uint32_t id = x->ee_info; id != x->ee_data + 1; id++) {
			uint32_t b = m->size[id % INFLIGHT];

			e->zc_known += b;
			if (!(x->ee_code & SO_EE_CODE_ZEROCOPY_COPIED))
				e->zc_bytes += b;
			m->inflight--;
		}
	}
	return 0;
}

/* Reads completions until at most until sends are in flight. */
static int mzc_reap(struct zc_end *e, struct mzc *m, uint32_t until)
{
	char ctl[CMSG_SPACE(sizeof(struct sock_extended_err)) + 64];

	while (m->inflight) {
		struct msghdr msg = { .msg_control = ctl,
				      .msg_controllen = sizeof(ctl) };
		int r;

		if (recvmsg(e->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0) {
			if (mzc_note(e, m, &msg))
				return -1;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return send_err(e, "recvmsg MSG_ERRQUEUE");
		if (m->inflight <= until)
			return 0;
		if (e->stop && atomic_load(e->stop))
			return zc_errf(e, "stopped: the other side failed");
		/* POLLERR is reported whatever is asked: the queue has more. */
		r = zc_wait(e, 0, NULL);
		if (r == 0)
			return zc_errf(e, "%u zero-copy completions missing "
				       "after %d ms", m->inflight,
				       e->timeout_ms);
		if (r < 0)
			return send_err(e, "poll");
	}
	return 0;
}

static int mzc_send(struct zc_end *e, uint64_t n)
{
	struct mzc *m = e->priv;

	for (uint64_t i = 0; i < n; i++) {
		const unsigned char *p = zc_pattern_at(e->pat, e->off);
		size_t left = e->msg;

		while (left) {
			ssize_t r = send(e->fd, p, left,
					 MSG_ZEROCOPY | MSG_NOSIGNAL);

			/* Out of option memory for completions: reap some. */
			if (r < 0 && errno == ENOBUFS && m->inflight) {
				if (mzc_reap(e, m, m->inflight / 2))
					return -1;
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return send_err(e, "send MSG_ZEROCOPY");
			m->size[m->next++ % INFLIGHT] = (uint32_t)r;
			m->inflight++;
			p += r;
			left -= (size_t)r;
			e->off += (uint64_t)r;
		}
		/*
		 * A non-blocking look every 32 sends (one recvmsg each), a
		 * wait only when the id ring is half full.
		 */
		if ((m->next % 32 == 0 &&
		     mzc_reap(e, m, UINT32_MAX)) ||
		    (m->inflight >= INFLIGHT / 2 &&
		     mzc_reap(e, m, INFLIGHT / 4)))
			return -1;
	}
	return mzc_reap(e, m, 0);
}

const struct zc_tx zc_tx_msg_zerocopy = {
	.name = "msg_zerocopy",
	.open = mzc_open, .send = mzc_send, .close = priv_free,
	.share = "tx_zc_share",
};

/* ---- sendfile ---- */

int zc_sendfile_msgs(struct zc_end *e, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		off_t o = (off_t)(e->off % ZC_PERIOD);
		size_t left = e->msg;

		while (left) {
			ssize_t r = sendfile(e->fd, e->filefd, &o, left);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return send_err(e, "sendfile");
			left -= (size_t)r;
			e->off += (uint64_t)r;
		}
	}
	return 0;
}

const struct zc_tx zc_tx_sendfile = {
	.name = "sendfile",
	.send = zc_sendfile_msgs, .needs_file = 1,
};

/* ---- read_send: a file server's copy path, pread() then send() ---- */

static int rsend_open(struct zc_end *e, char *why, size_t len)
{
	e->priv = mem_alloc(e->msg, 0);
	if (!e->priv)
		die_errno("cannot allocate %zu bytes", e->msg);
	return 0;
}

static void rsend_close(struct zc_end *e)
{
	mem_free(e->priv, e->msg);
}

/* What sendfile does, the copying way: the file passes through a buffer. */
static int rsend_send(struct zc_end *e, uint64_t n)
{
	unsigned char *buf = e->priv;

	for (uint64_t i = 0; i < n; i++) {
		off_t o = (off_t)(e->off % ZC_PERIOD);
		const unsigned char *p = buf;
		size_t left = e->msg;
		ssize_t r = pread(e->filefd, buf, e->msg, o);

		if (r != (ssize_t)e->msg)
			return zc_errf(e, "pread of the pattern file: %s",
				       r < 0 ? strerror(errno) : "short read");
		while (left) {
			r = send(e->fd, p, left, MSG_NOSIGNAL);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return send_err(e, "send");
			p += r;
			left -= (size_t)r;
			e->off += (uint64_t)r;
		}
	}
	return 0;
}

const struct zc_tx zc_tx_read_send = {
	.name = "read_send",
	.open = rsend_open, .send = rsend_send, .close = rsend_close,
	.needs_file = 1,
};

/* ---- io_uring send and send_zc ---- */

struct utx {
	struct io_uring ring;
	int zc;
	uint32_t next, inflight;	/* notifications still to come */
	uint32_t size[INFLIGHT];
};

static int utx_open_common(struct zc_end *e, int zc, char *why, size_t len)
{
	struct utx *u = xcalloc(1, sizeof(*u));
	struct io_uring_probe *probe;
	int r, ok;

	u->zc = zc;
	r = io_uring_queue_init(64, &u->ring, 0);
	if (r < 0) {
		snprintf(why, len, "io_uring_queue_init: %s", strerror(-r));
		free(u);
		errno = -r;
		return -1;
	}
	probe = io_uring_get_probe_ring(&u->ring);
	ok = probe && io_uring_opcode_supported(probe, zc ? IORING_OP_SEND_ZC
							  : IORING_OP_SEND);
	io_uring_free_probe(probe);
	if (!ok) {
		snprintf(why, len, "io_uring %s is not in this kernel's "
			 "opcode probe (IORING_REGISTER_PROBE)",
			 zc ? "IORING_OP_SEND_ZC" : "IORING_OP_SEND");
		io_uring_queue_exit(&u->ring);
		free(u);
		errno = EOPNOTSUPP;
		return -1;
	}
	e->priv = u;
	return 0;
}

static void utx_close(struct zc_end *e)
{
	struct utx *u = e->priv;

	io_uring_queue_exit(&u->ring);
	free(u);
}

static void utx_prep(struct zc_end *e, struct utx *u, const void *p,
		     size_t n)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (u->zc)
		io_uring_prep_send_zc(sqe, e->fd, p, n, MSG_NOSIGNAL |
				      MSG_WAITALL, IORING_SEND_ZC_REPORT_USAGE);
	else
		io_uring_prep_send(sqe, e->fd, p, n, MSG_NOSIGNAL |
				   MSG_WAITALL);
	sqe->user_data = u->next;
}

/*
 * Waits for completions: until the current request's result is in
 * (*res set) when res is non-NULL, else until no notification is due.
 */
static int utx_reap(struct zc_end *e, struct utx *u, int *res)
{
	struct __kernel_timespec ts = {
		.tv_sec = e->timeout_ms / 1000,
		.tv_nsec = (e->timeout_ms % 1000) * 1000000ll,
	};
	int have = 0;

	while (res ? !have : u->inflight > 0) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;
		int r = io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1,
							 &ts, NULL);

		if (r == -ETIME)
			return zc_errf(e, "io_uring send: nothing completed in "
				       "%d ms", e->timeout_ms);
		if (r < 0 && r != -EINTR)
			return zc_errf(e, "io_uring_submit_and_wait_timeout: "
				       "%s", strerror(-r));
		io_uring_for_each_cqe(&u->ring, head, cqe) {
			uint32_t b = u->size[cqe->user_data % INFLIGHT];

			seen++;
			if (cqe->flags & IORING_CQE_F_NOTIF) {
				e->zc_known += b;
				if (!(cqe->res & IORING_NOTIF_USAGE_ZC_COPIED))
					e->zc_bytes += b;
				u->inflight--;
				continue;
			}
			/* The result: one per request (one in flight). */
			if (res)
				*res = cqe->res;
			have = 1;
			if (cqe->res > 0)
				u->size[cqe->user_data % INFLIGHT] =
					(uint32_t)cqe->res;
			if (cqe->flags & IORING_CQE_F_MORE)
				u->inflight++;
		}
		io_uring_cq_advance(&u->ring, seen);
	}
	return 0;
}

static int utx_send(struct zc_end *e, uint64_t n)
{
	struct utx *u = e->priv;

	for (uint64_t i = 0; i < n; i++) {
		const unsigned char *p = zc_pattern_at(e->pat, e->off);
		size_t left = e->msg;

		while (left) {
			int res = 0;

			utx_prep(e, u, p, left);
			if (utx_reap(e, u, &res))
				return -1;
			if (res < 0) {
				errno = -res;
				return send_err(e, u->zc ? "io_uring send_zc"
							 : "io_uring send");
			}
			if (res == 0)
				return zc_errf(e, "io_uring send sent nothing");
			u->next++;
			p += res;
			left -= (size_t)res;
			e->off += (uint64_t)res;
			/* No more notifications due than the ring holds. */
			if (u->inflight >= INFLIGHT / 2 && utx_reap(e, u, NULL))
				return -1;
		}
	}
	return utx_reap(e, u, NULL);
}

static int utx_open(struct zc_end *e, char *why, size_t len)
{
	return utx_open_common(e, 0, why, len);
}

/*
 * Also sends nothing once: a kernel without IORING_SEND_ZC_REPORT_USAGE
 * (before 6.2) refuses the flag, and the share could not be reported.
 */
static int utxz_open(struct zc_end *e, char *why, size_t len)
{
	struct utx *u;
	int res = 0;

	if (utx_open_common(e, 1, why, len))
		return -1;
	u = e->priv;
	utx_prep(e, u, e->pat, 0);
	if (utx_reap(e, u, &res) || res < 0) {
		snprintf(why, len, "io_uring send_zc with "
			 "IORING_SEND_ZC_REPORT_USAGE refused: %s",
			 res < 0 ? strerror(-res) : e->err);
		utx_close(e);
		errno = res < 0 ? -res : EIO;
		return -1;
	}
	u->next++;
	if (utx_reap(e, u, NULL)) {
		snprintf(why, len, "io_uring send_zc: %s", e->err);
		utx_close(e);
		errno = EIO;
		return -1;
	}
	e->zc_bytes = e->zc_known = 0;
	return 0;
}

const struct zc_tx zc_tx_uring_send = {
	.name = "uring_send",
	.open = utx_open, .send = utx_send, .close = utx_close,
};

const struct zc_tx zc_tx_uring_send_zc = {
	.name = "uring_send_zc",
	.open = utxz_open, .send = utx_send, .close = utx_close,
	.share = "tx_zc_share",
};

/* ---- the family: each sender against read(), swept ---- */

static const struct zc_pair p_mzc = {
	.rx = &zc_rx_read, .tx = &zc_tx_msg_zerocopy, .net = { ZC_LO },
};
static const struct zc_pair p_sendfile = {
	.rx = &zc_rx_read, .tx = &zc_tx_sendfile, .net = { ZC_LO },
};
static const struct zc_pair p_read_send = {
	.rx = &zc_rx_read, .tx = &zc_tx_read_send, .net = { ZC_LO },
};
static const struct zc_pair p_usend = {
	.rx = &zc_rx_read, .tx = &zc_tx_uring_send, .net = { ZC_LO },
};
static const struct zc_pair p_usendzc = {
	.rx = &zc_rx_read, .tx = &zc_tx_uring_send_zc, .net = { ZC_LO },
};

static const struct bench_case cases[] = {
	ZC_CASE("send/msg_zerocopy", p_mzc,
		"send(MSG_ZEROCOPY), completions from the error queue; "
		"receiver read()", zc_sweep_sizes),
	ZC_CASE("send/sendfile", p_sendfile,
		"sendfile() from a page-cached file; receiver read()",
		zc_sweep_sizes),
	ZC_CASE("send/read_send", p_read_send,
		"pread() from a page-cached file, then send(): sendfile's "
		"copying twin; receiver read()", zc_matrix_sizes),
	ZC_CASE("send/uring_send", p_usend,
		"io_uring IORING_OP_SEND, one in flight; receiver read()",
		zc_sweep_sizes),
	ZC_CASE("send/uring_send_zc", p_usendzc,
		"io_uring IORING_OP_SEND_ZC, one in flight; receiver read()",
		zc_sweep_sizes),
};
BENCH_FAMILY(cases);
