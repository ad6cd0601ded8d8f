/*
 * recv.c - the receive paths, and the family that compares them with
 * the copy baseline (copy.c), every one fed by plain send():
 *
 *   read             recv() into a buffer: the copy every other path is
 *                    measured against (its rows are copy/)
 *   read_devnull     recv() then write() to /dev/null: the copying way to
 *                    do what splice does, for its system call count
 *   tcp_zc           TCP_ZEROCOPY_RECEIVE, as the kernel's tcp_mmap
 *                    selftest does it: mmap() of the socket reserves an
 *                    area; each getsockopt maps the pages of whole-page
 *                    segments there, and read() copies what the kernel's
 *                    skip hint says cannot be mapped. rx_mapped_share is
 *                    the share of bytes that were mapped.
 *   splice           socket -> pipe -> /dev/null: the bytes never reach
 *                    user space (a proxy's forwarding path), so the path
 *                    is checked by an untimed transfer that reads the pipe
 *                    back before every timed loop
 *   uring_multishot  one io_uring multishot recv with a ring of provided
 *                    buffers (one message each), re-armed when it ends
 *   zcrx             io_uring zero-copy receive: needs a NIC queue with
 *                    header split and flow steering, so registering
 *                    loopback is refused and the errno recorded
 *
 * The aligned/ pair runs TCP_ZEROCOPY_RECEIVE where it can map everything,
 * as the selftest's own figures were taken: segments of a whole page of
 * payload (TCP_MAXSEG 4108: 4096 bytes after the 12-byte timestamp
 * option) from page-aligned MSG_ZEROCOPY sends, against read() of the
 * same stream: the crossover in receiver CPU per GiB is between them.
 *
 * Isolates what each path costs the receiving thread per GiB (the
 * rx_ counters), with the send side held fixed. Every path compares every
 * byte it takes with the pattern, in the timed loop.
 *
 * Run just this:  build/O2/bench_zerocopy --benchmark_filter='recv/|copy/'
 *
 * Healthy figures (2-vCPU AMD EPYC guest, kernel 6.18, load
 * average 8-10 from other jobs: noisy): tcp_zc from send() maps nothing and
 * costs what read() does plus a call (230-340 ms of CPU per GiB at 64
 * KiB); with whole pages it maps 98-100% and costs 5.6-7.0 s per GiB at
 * 64 KiB, about 1 s at 1 MiB (TLB flushes: docs/suites/zerocopy.md);
 * splice 100-125 ms per GiB at 1 MiB; io_uring multishot makes 0.08
 * system calls per 64 KiB message.
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "util.h"
#include "zerocopy.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096u
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((size_t)(a) - 1))

/* ---- read: the copy ---- */

static int read_open(struct zc_end *e, char *why, size_t len)
{
	/* Prefaulted: no first-touch fault in the timed loop. */
	e->priv = mem_alloc(e->msg, 0);
	if (!e->priv)
		die_errno("cannot allocate %zu bytes", e->msg);
	return 0;
}

static void buf_close(struct zc_end *e)
{
	mem_free(e->priv, e->msg);
}

static int read_recv(struct zc_end *e, uint64_t want)
{
	unsigned char *buf = e->priv;
	uint64_t bad;

	while (want) {
		size_t ask = want < e->msg ? (size_t)want : e->msg;
		ssize_t r = recv(e->fd, buf, ask, 0);

		/*
		 * With a timeout set, a wait that io_uring task work (or a
		 * signal) interrupts returns EINTR instead of restarting.
		 */
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return zc_recv_err(e, "recv", (long)r, want);
		if (zc_check(e->pat, buf, (size_t)r, e->off, &bad))
			return zc_bad_byte(e, bad);
		e->off += (uint64_t)r;
		want -= (uint64_t)r;
	}
	return 0;
}

const struct zc_rx zc_rx_read = {
	.name = "read",
	.open = read_open, .recv = read_recv, .close = buf_close,
};

/* ---- read_devnull: a proxy's copy path, read() then write() on ---- */

struct rdn {
	unsigned char *buf;
	int null;
};

static int rdn_open(struct zc_end *e, char *why, size_t len)
{
	struct rdn *d = xcalloc(1, sizeof(*d));

	d->null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (d->null < 0) {
		snprintf(why, len, "cannot open /dev/null: %s",
			 strerror(errno));
		free(d);
		return -1;
	}
	d->buf = mem_alloc(e->msg, 0);
	if (!d->buf)
		die_errno("cannot allocate %zu bytes", e->msg);
	e->priv = d;
	return 0;
}

static void rdn_close(struct zc_end *e)
{
	struct rdn *d = e->priv;

	close(d->null);
	mem_free(d->buf, e->msg);
	free(d);
}

/* What splice does, the copying way: the bytes pass through user space. */
static int rdn_recv(struct zc_end *e, uint64_t want)
{
	struct rdn *d = e->priv;
	uint64_t bad;

	while (want) {
		size_t ask = want < e->msg ? (size_t)want : e->msg;
		ssize_t r = recv(e->fd, d->buf, ask, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return zc_recv_err(e, "recv", (long)r, want);
		if (zc_check(e->pat, d->buf, (size_t)r, e->off, &bad))
			return zc_bad_byte(e, bad);
		if (write(d->null, d->buf, (size_t)r) != r)
			return zc_errf(e, "write to /dev/null: %s",
				       strerror(errno));
		e->off += (uint64_t)r;
		want -= (uint64_t)r;
	}
	return 0;
}

const struct zc_rx zc_rx_read_devnull = {
	.name = "read_devnull",
	.open = rdn_open, .recv = rdn_recv, .close = rdn_close,
};

/* ---- tcp_zc: TCP_ZEROCOPY_RECEIVE ---- */

struct tzc {
	unsigned char *raw;	/* the reserved area */
	size_t rawlen;
	unsigned char *map;	/* its 2 MiB-aligned part */
	size_t chunk;		/* bytes mapped per call at most */
	unsigned char *buf;	/* for the bytes that cannot be mapped */
};

static int tzc_open(struct zc_end *e, char *why, size_t len)
{
	struct tzc *t = xcalloc(1, sizeof(*t));
	struct tcp_zerocopy_receive zc = { 0 };
	socklen_t zl = sizeof(zc);
	const size_t align = 2u << 20;
	int err;

	t->chunk = ALIGN_UP(e->msg < PAGE ? PAGE : e->msg, PAGE);
	/*
	 * Aligned to a huge page, as tcp_mmap does: each receiver's area
	 * gets its own page-table page, so two never share its lock.
	 */
	t->rawlen = t->chunk + align;
	t->raw = mmap(NULL, t->rawlen, PROT_READ, MAP_SHARED, e->fd, 0);
	if (t->raw == MAP_FAILED) {
		err = errno;
		snprintf(why, len, "mmap of a TCP socket refused: %s",
			 strerror(err));
		goto fail;
	}
	t->map = (unsigned char *)ALIGN_UP((uintptr_t)t->raw, align);
	/* Maps nothing (no data yet): is the option there at all? */
	zc.address = (uintptr_t)t->map;
	if (getsockopt(e->fd, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, &zc, &zl)) {
		err = errno;
		snprintf(why, len, "getsockopt TCP_ZEROCOPY_RECEIVE refused: "
			 "%s", strerror(err));
		munmap(t->raw, t->rawlen);
		goto fail;
	}
	t->buf = mem_alloc(t->chunk, 0);
	if (!t->buf)
		die_errno("cannot allocate %zu bytes", t->chunk);
	e->priv = t;
	return 0;
fail:
	free(t);
	errno = err;
	return -1;
}

static void tzc_close(struct zc_end *e)
{
	struct tzc *t = e->priv;

	munmap(t->raw, t->rawlen);
	mem_free(t->buf, t->chunk);
	free(t);
}

/* Copies up to n bytes that cannot be mapped; 0 or -1. */
static int tzc_copy(struct zc_end *e, struct tzc *t, size_t n, int flags,
		    uint64_t *want)
{
	uint64_t bad;
	ssize_t r;

	if (n > *want)
		n = (size_t)*want;
	if (n > t->chunk)
		n = t->chunk;
	do
		r = recv(e->fd, t->buf, n, flags);
	while (r < 0 && errno == EINTR);
	if (r < 0 && flags && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (r <= 0)
		return zc_recv_err(e, "recv", (long)r, *want);
	if (zc_check(e->pat, t->buf, (size_t)r, e->off, &bad))
		return zc_bad_byte(e, bad);
	e->off += (uint64_t)r;
	e->zc_known += (uint64_t)r;
	*want -= (uint64_t)r;
	return 0;
}

static int tzc_recv(struct zc_end *e, uint64_t want)
{
	struct tzc *t = e->priv;
	uint64_t bad;

	while (want) {
		struct tcp_zerocopy_receive zc = { 0 };
		socklen_t zl = sizeof(zc);
		size_t maplen = (size_t)(want < t->chunk ? want : t->chunk);
		short rev;
		int r;

		/* Less than a page to come: it can only be copied. */
		maplen &= ~(size_t)(PAGE - 1);
		if (!maplen) {
			if (tzc_copy(e, t, (size_t)want, 0, &want))
				return -1;
			continue;
		}
		zc.address = (uintptr_t)t->map;
		zc.length = (unsigned)maplen;
		if (getsockopt(e->fd, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, &zc,
			       &zl)) {
			/* EIO: nothing queued and the peer has closed. */
			if (errno == EIO)
				return zc_recv_err(e, "getsockopt", 0, want);
			return zc_errf(e, "getsockopt TCP_ZEROCOPY_RECEIVE: "
				       "%s", strerror(errno));
		}
		if (zc.err)
			return zc_errf(e, "TCP_ZEROCOPY_RECEIVE: socket error "
				       "%s", strerror(zc.err < 0 ? -zc.err
							       : zc.err));
		if (zc.length) {
			/* Reading the mapped pages is the receive. */
			if (zc_check(e->pat, t->map, zc.length, e->off, &bad))
				return zc_bad_byte(e, bad);
			/*
			 * Unmapped now rather than by the next call, as
			 * tcp_mmap advises (a system call per chunk).
			 */
			madvise(t->map, zc.length, MADV_DONTNEED);
			e->off += zc.length;
			e->zc_bytes += zc.length;
			e->zc_known += zc.length;
			want -= zc.length;
		}
		if (zc.recv_skip_hint) {
			if (tzc_copy(e, t, zc.recv_skip_hint, 0, &want))
				return -1;
			continue;
		}
		if (zc.length)
			continue;
		/* Nothing there: wait, and tell an end of stream from data. */
		r = zc_wait(e, POLLIN | POLLRDHUP, &rev);
		if (r == 0)
			return zc_errf(e, "no data for %d ms", e->timeout_ms);
		if (r < 0)
			return zc_errf(e, "poll: %s", strerror(errno));
		if ((rev & (POLLRDHUP | POLLHUP | POLLERR)) &&
		    tzc_copy(e, t, (size_t)want, MSG_DONTWAIT, &want))
			return -1;
	}
	return 0;
}

const struct zc_rx zc_rx_tcp_zc = {
	.name = "tcp_zc",
	.open = tzc_open, .recv = tzc_recv, .close = tzc_close,
	.share = "rx_mapped_share",
};

/* ---- splice: socket -> pipe -> /dev/null ---- */

struct spl {
	int pipe[2];
	int null;
	size_t cap;		/* bytes per splice from the socket */
	unsigned char *buf;	/* check(): the pipe read back */
};

static int spl_open(struct zc_end *e, char *why, size_t len)
{
	struct spl *s = xcalloc(1, sizeof(*s));
	int sz, err;

	s->null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (s->null < 0 || pipe2(s->pipe, O_CLOEXEC)) {
		err = errno;
		snprintf(why, len, "cannot open /dev/null or a pipe: %s",
			 strerror(err));
		goto fail;
	}
	/*
	 * A pipe that holds a whole message, up to pipe-max-size (1 MiB by
	 * default): fewer, larger splices, as a proxy would size it.
	 */
	sz = fcntl(s->pipe[1], F_SETPIPE_SZ, (int)(e->msg < 65536 ? 65536
						   : e->msg));
	if (sz < 0)
		sz = fcntl(s->pipe[1], F_GETPIPE_SZ);
	if (sz <= 0) {
		err = errno;
		snprintf(why, len, "F_GETPIPE_SZ: %s", strerror(err));
		goto fail;
	}
	s->cap = (size_t)sz < e->msg ? (size_t)sz : e->msg;
	s->buf = mem_alloc(s->cap, 0);
	if (!s->buf)
		die_errno("cannot allocate %zu bytes", s->cap);
	e->priv = s;
	return 0;
fail:
	if (s->null >= 0)
		close(s->null);
	free(s);
	errno = err;
	return -1;
}

static void spl_close(struct zc_end *e)
{
	struct spl *s = e->priv;

	close(s->pipe[0]);
	close(s->pipe[1]);
	close(s->null);
	mem_free(s->buf, s->cap);
	free(s);
}

/* Empties r bytes of the pipe: to /dev/null, or read and compared. */
static int spl_drain(struct zc_end *e, struct spl *s, size_t r, int check)
{
	uint64_t bad, at = e->off;

	while (r) {
		ssize_t w;

		if (check) {
			w = read(s->pipe[0], s->buf, r < s->cap ? r : s->cap);
			if (w > 0 && zc_check(e->pat, s->buf, (size_t)w, at,
					      &bad))
				return zc_bad_byte(e, bad);
		} else {
			w = splice(s->pipe[0], NULL, s->null, NULL, r,
				   SPLICE_F_MOVE);
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return zc_errf(e, "emptying the pipe: %s",
				       w ? strerror(errno) : "no progress");
		r -= (size_t)w;
		at += (uint64_t)w;
	}
	return 0;
}

static int spl_move(struct zc_end *e, uint64_t want, int check)
{
	struct spl *s = e->priv;

	while (want) {
		size_t ask = want < s->cap ? (size_t)want : s->cap;
		ssize_t r = splice(e->fd, NULL, s->pipe[1], NULL, ask,
				   SPLICE_F_MOVE);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return zc_recv_err(e, "splice from the socket", (long)r,
					   want);
		if (spl_drain(e, s, (size_t)r, check))
			return -1;
		e->off += (uint64_t)r;
		want -= (uint64_t)r;
	}
	return 0;
}

static int spl_recv(struct zc_end *e, uint64_t want)
{
	return spl_move(e, want, 0);
}

static int spl_check(struct zc_end *e, uint64_t want)
{
	return spl_move(e, want, 1);
}

const struct zc_rx zc_rx_splice = {
	.name = "splice",
	.open = spl_open, .recv = spl_recv, .close = spl_close,
	.check = spl_check,
};

/* ---- uring_multishot: one recv, many completions, provided buffers ---- */

#define URING_BGID 7

struct urx {
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	size_t brlen;
	unsigned char *bufs;
	unsigned nbufs;
	int armed;
};

static void urx_arm(struct zc_end *e, struct urx *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	io_uring_prep_recv_multishot(sqe, e->fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = URING_BGID;
	u->armed = 1;
}

static int urx_open(struct zc_end *e, char *why, size_t len)
{
	struct urx *u = xcalloc(1, sizeof(*u));
	struct io_uring_buf_reg reg = { 0 };
	struct io_uring_cqe *cqe;
	int r;

	/* About 8 MiB of buffers, 8 to 256 of them: a power of two. */
	u->nbufs = 8;
	while (u->nbufs < 256 && (u->nbufs * 2) * e->msg <= (8u << 20))
		u->nbufs *= 2;
	r = io_uring_queue_init(64, &u->ring, 0);
	if (r < 0) {
		snprintf(why, len, "io_uring_queue_init: %s", strerror(-r));
		goto fail;
	}
	u->brlen = ALIGN_UP(u->nbufs * sizeof(struct io_uring_buf), PAGE);
	u->br = mmap(NULL, u->brlen, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u->bufs = mem_alloc(u->nbufs * e->msg, 0);
	if (u->br == MAP_FAILED || !u->bufs)
		die_errno("cannot allocate %u receive buffers", u->nbufs);
	reg.ring_addr = (uintptr_t)u->br;
	reg.ring_entries = u->nbufs;
	reg.bgid = URING_BGID;
	r = io_uring_register_buf_ring(&u->ring, &reg, 0);
	if (r < 0) {
		snprintf(why, len, "io_uring provided buffer ring "
			 "(IORING_REGISTER_PBUF_RING) refused: %s",
			 strerror(-r));
		goto fail_ring;
	}
	io_uring_buf_ring_init(u->br);
	for (unsigned i = 0; i < u->nbufs; i++)
		io_uring_buf_ring_add(u->br, u->bufs + i * e->msg,
				      (unsigned)e->msg, (unsigned short)i,
				      io_uring_buf_ring_mask(u->nbufs),
				      (int)i);
	io_uring_buf_ring_advance(u->br, (int)u->nbufs);
	/* Armed now: a kernel without multishot recv fails it at once. */
	urx_arm(e, u);
	io_uring_submit(&u->ring);
	if (!io_uring_peek_cqe(&u->ring, &cqe)) {
		r = cqe->res;
		io_uring_cqe_seen(&u->ring, cqe);
		snprintf(why, len, "io_uring multishot recv refused: %s",
			 r < 0 ? strerror(-r) : "completed with no data");
		r = r < 0 ? r : -EINVAL;
		goto fail_ring;
	}
	e->priv = u;
	return 0;
fail_ring:
	io_uring_queue_exit(&u->ring);
fail:
	if (u->br && u->br != MAP_FAILED)
		munmap(u->br, u->brlen);
	if (u->bufs)
		mem_free(u->bufs, u->nbufs * e->msg);
	free(u);
	errno = r < 0 ? -r : EINVAL;
	return -1;
}

static void urx_close(struct zc_end *e)
{
	struct urx *u = e->priv;

	io_uring_queue_exit(&u->ring);
	munmap(u->br, u->brlen);
	mem_free(u->bufs, u->nbufs * e->msg);
	free(u);
}

/* One completion: 0 more to come, 1 done with want, -1 error. */
static int urx_cqe(struct zc_end *e, struct urx *u,
		   const struct io_uring_cqe *cqe, uint64_t *want)
{
	unsigned char *data;
	unsigned bid;
	uint64_t bad;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		u->armed = 0;
	if (cqe->res == -ENOBUFS)
		return 0;	/* every buffer in use: re-armed below */
	if (cqe->res <= 0) {
		errno = -cqe->res;
		return zc_recv_err(e, "io_uring recv", cqe->res, *want);
	}
	if (!(cqe->flags & IORING_CQE_F_BUFFER))
		return zc_errf(e, "io_uring recv completed without a buffer");
	if ((uint64_t)cqe->res > *want)
		return zc_errf(e, "io_uring recv returned %d bytes, %llu were "
			       "sent", cqe->res, (unsigned long long)*want);
	bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	data = u->bufs + (size_t)bid * e->msg;
	if (zc_check(e->pat, data, (size_t)cqe->res, e->off, &bad))
		return zc_bad_byte(e, bad);
	e->off += (uint64_t)cqe->res;
	*want -= (uint64_t)cqe->res;
	/* Checked, so the buffer goes straight back to the kernel. */
	io_uring_buf_ring_add(u->br, data, (unsigned)e->msg,
			      (unsigned short)bid,
			      io_uring_buf_ring_mask(u->nbufs), 0);
	io_uring_buf_ring_advance(u->br, 1);
	return *want == 0;
}

static int urx_recv(struct zc_end *e, uint64_t want)
{
	struct urx *u = e->priv;
	struct __kernel_timespec ts = {
		.tv_sec = e->timeout_ms / 1000,
		.tv_nsec = (e->timeout_ms % 1000) * 1000000ll,
	};

	while (want) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;
		int r, rc = 0;

		if (!u->armed)
			urx_arm(e, u);
		r = io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1, &ts,
						     NULL);
		if (r == -ETIME)
			return zc_errf(e, "io_uring recv: no data for %d ms",
				       e->timeout_ms);
		if (r < 0 && r != -EINTR)
			return zc_errf(e, "io_uring_submit_and_wait_timeout: "
				       "%s", strerror(-r));
		io_uring_for_each_cqe(&u->ring, head, cqe) {
			seen++;
			rc = urx_cqe(e, u, cqe, &want);
			if (rc)
				break;
		}
		io_uring_cq_advance(&u->ring, seen);
		if (rc < 0)
			return -1;
	}
	return 0;
}

const struct zc_rx zc_rx_uring = {
	.name = "uring_multishot",
	.open = urx_open, .recv = urx_recv, .close = urx_close,
};

/* ---- zcrx: io_uring zero-copy receive (registration only) ----
 *
 * The uapi of Linux 6.15 (include/uapi/linux/io_uring.h), which Debian
 * 12's headers predate. Registration binds a hardware receive queue of
 * the device to a memory area; loopback has no such queue, so the kernel
 * refuses and the errno is what this path records.
 */
#define ZC_IORING_REGISTER_ZCRX_IFQ 32
#define ZC_IORING_SETUP_CQE32 (1u << 11)
#define ZC_IORING_SETUP_SINGLE_ISSUER (1u << 12)
#define ZC_IORING_SETUP_DEFER_TASKRUN (1u << 13)
#define ZC_IORING_MEM_REGION_TYPE_USER 1

struct zc_zcrx_offsets {
	uint32_t head, tail, rqes, resv2;
	uint64_t resv[2];
};

struct zc_zcrx_area_reg {
	uint64_t addr, len, rq_area_token;
	uint32_t flags, dmabuf_fd;
	uint64_t resv2[2];
};

struct zc_region_desc {
	uint64_t user_addr, size;
	uint32_t flags, id;
	uint64_t mmap_offset;
	uint64_t resv[4];
};

struct zc_zcrx_ifq_reg {
	uint32_t if_idx, if_rxq, rq_entries, flags;
	uint64_t area_ptr, region_ptr;
	struct zc_zcrx_offsets offsets;
	uint32_t zcrx_id, rx_buf_len;
	uint64_t resv[3];
};

static int zcrx_open(struct zc_end *e, char *why, size_t len)
{
	struct io_uring_params par = {
		.flags = ZC_IORING_SETUP_DEFER_TASKRUN |
			 ZC_IORING_SETUP_SINGLE_ISSUER | ZC_IORING_SETUP_CQE32,
	};
	struct zc_zcrx_area_reg area = { 0 };
	struct zc_region_desc rd = { 0 };
	struct zc_zcrx_ifq_reg reg = { 0 };
	const size_t alen = 4u << 20;
	struct io_uring ring;
	void *mem, *rq;
	long r;
	int err;

	r = io_uring_queue_init_params(64, &ring, &par);
	if (r < 0) {
		snprintf(why, len, "io_uring zero-copy receive: a ring with "
			 "DEFER_TASKRUN and CQE32 refused: %s",
			 strerror((int)-r));
		errno = (int)-r;
		return -1;
	}
	mem = mmap(NULL, alen, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rq = mmap(NULL, PAGE * 4, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || rq == MAP_FAILED)
		die_errno("cannot allocate the zero-copy receive area");
	area.addr = (uintptr_t)mem;
	area.len = alen;
	rd.user_addr = (uintptr_t)rq;
	rd.size = PAGE * 4;
	rd.flags = ZC_IORING_MEM_REGION_TYPE_USER;
	reg.if_idx = if_nametoindex("lo");
	reg.if_rxq = 0;
	reg.rq_entries = 64;
	reg.area_ptr = (uintptr_t)&area;
	reg.region_ptr = (uintptr_t)&rd;
	r = syscall(__NR_io_uring_register, ring.ring_fd,
		    ZC_IORING_REGISTER_ZCRX_IFQ, &reg, 1);
	err = r < 0 ? errno : 0;
	io_uring_queue_exit(&ring);
	munmap(mem, alen);
	munmap(rq, PAGE * 4);
	if (err) {
		snprintf(why, len, "io_uring zero-copy receive: registering "
			 "lo queue 0 (IORING_REGISTER_ZCRX_IFQ) refused: %s; "
			 "it needs a NIC queue with header split and flow "
			 "steering", strerror(err));
		errno = err;
		return -1;
	}
	snprintf(why, len, "io_uring zero-copy receive: lo queue 0 "
		 "registered, which this suite does not expect; its receive "
		 "loop (IORING_OP_RECV_ZC) is not written");
	errno = EOPNOTSUPP;
	return -1;
}

static int zcrx_recv(struct zc_end *e, uint64_t want)
{
	return zc_errf(e, "zcrx has no receive loop");
}

const struct zc_rx zc_rx_zcrx = {
	.name = "zcrx",
	.open = zcrx_open, .recv = zcrx_recv,
};

/* ---- the family: each receiver against send(), swept ---- */

static const struct zc_pair p_tcp_zc = {
	.rx = &zc_rx_tcp_zc, .tx = &zc_tx_send, .net = { ZC_LO },
};
static const struct zc_pair p_splice = {
	.rx = &zc_rx_splice, .tx = &zc_tx_send, .net = { ZC_LO },
};
static const struct zc_pair p_uring = {
	.rx = &zc_rx_uring, .tx = &zc_tx_send, .net = { ZC_LO },
};
static const struct zc_pair p_zcrx = {
	.rx = &zc_rx_zcrx, .tx = &zc_tx_send, .net = { ZC_LO },
};
static const struct zc_pair p_read_devnull = {
	.rx = &zc_rx_read_devnull, .tx = &zc_tx_send, .net = { ZC_LO },
};
/* tcp_mmap's set-up: whole pages per segment, page-aligned payload. */
static const struct zc_pair p_aligned_read = {
	.rx = &zc_rx_read, .tx = &zc_tx_msg_zerocopy,
	.net = { ZC_LO, .mss = 4108 },
};
static const struct zc_pair p_aligned_tcp_zc = {
	.rx = &zc_rx_tcp_zc, .tx = &zc_tx_msg_zerocopy,
	.net = { ZC_LO, .mss = 4108 },
};

/* zcrx is refused at set-up on every machine with loopback only: one size. */
static int one_size(const struct bench_case *c, int64_t *out, int max)
{
	out[0] = 64 * 1024;
	return 1;
}

static const struct bench_case cases[] = {
	ZC_CASE("recv/tcp_zc", p_tcp_zc,
		"TCP_ZEROCOPY_RECEIVE (mmap + getsockopt), read() for what "
		"cannot be mapped; sender send()", zc_sweep_sizes),
	ZC_CASE("recv/splice", p_splice,
		"splice socket -> pipe -> /dev/null; sender send()",
		zc_sweep_sizes),
	ZC_CASE("recv/uring_multishot", p_uring,
		"io_uring multishot recv into provided buffers; sender send()",
		zc_sweep_sizes),
	ZC_CASE("recv/zcrx", p_zcrx,
		"io_uring zero-copy receive (zcrx) on lo; sender send()",
		one_size),
	ZC_CASE("recv/read_devnull", p_read_devnull,
		"recv() then write() to /dev/null: splice's copying twin; "
		"sender send()", zc_matrix_sizes),
	ZC_CASE("recv/aligned/read", p_aligned_read,
		"recv() of page-multiple segments (TCP_MAXSEG 4108) from "
		"MSG_ZEROCOPY: tcp_zc's copying twin", zc_sweep_sizes),
	ZC_CASE("recv/aligned/tcp_zc", p_aligned_tcp_zc,
		"TCP_ZEROCOPY_RECEIVE of page-multiple segments (TCP_MAXSEG "
		"4108) from MSG_ZEROCOPY, as tcp_mmap runs it", zc_sweep_sizes),
};
BENCH_FAMILY(cases);
