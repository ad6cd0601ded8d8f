/*
 * net.c - the zerocopy suite's connections and the helpers its paths
 * share: a connected TCP pair over loopback or over the veth pair of
 * netns.c, with a timeout on every blocking call, and the pattern as a
 * page-cached file for sendfile.
 *
 * No benchmark here; nothing in it is timed.
 */
#define _GNU_SOURCE
#include "zerocopy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int zc_errf(struct zc_end *e, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(e->err, sizeof(e->err), "%s (at stream offset %llu)", msg,
		 (unsigned long long)e->off);
	return -1;
}

int zc_wait(struct zc_end *e, short events, short *revents)
{
	struct pollfd p = { .fd = e->fd, .events = events };
	int r;

	do
		r = poll(&p, 1, e->timeout_ms);
	while (r < 0 && errno == EINTR);
	if (revents)
		*revents = p.revents;
	return r;
}

int zc_recv_err(struct zc_end *e, const char *what, long r, uint64_t want)
{
	if (e->stop && atomic_load(e->stop))
		return zc_errf(e, "stopped: the other side failed");
	if (r == 0)
		return zc_errf(e, "the sender closed the connection with %llu "
			       "bytes still to come", (unsigned long long)want);
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return zc_errf(e, "%s: no data for %d ms", what,
			       e->timeout_ms);
	return zc_errf(e, "%s: %s", what, strerror(errno));
}

int zc_bad_byte(struct zc_end *e, uint64_t bad)
{
	e->off = bad;
	return zc_errf(e, "a received byte differs from the pattern");
}

static int set_timeouts(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -1;
	return 0;
}

const char *zc_net_name(const struct zc_netopt *o, char *buf, size_t len)
{
	char mss[32] = "";

	if (o->mss)
		snprintf(mss, sizeof(mss), ", MSS %d", o->mss);
	if (o->net == ZC_VETH)
		snprintf(buf, len, "veth between two namespaces (MTU %d%s)",
			 ZC_VETH_MTU, mss);
	else
		snprintf(buf, len, "loopback%s", mss);
	return buf;
}

int zc_net_connect(const struct zc_netopt *o, int *rx, int *tx, char *why,
		   size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int l, c, r = -1, err, ms = o->timeout_ms ? o->timeout_ms
						   : ZC_TIMEOUT_MS;
	const int type = SOCK_STREAM | SOCK_CLOEXEC;
	const char *what;

	if (o->net == ZC_VETH) {
		if (zc_veth_up(why, len))
			return -1;
		l = zc_veth_socket(0, type);
		c = zc_veth_socket(1, type);
		a.sin_addr.s_addr = htonl(ZC_VETH_ADDR_RX);
	} else {
		l = socket(AF_INET, type, 0);
		c = socket(AF_INET, type, 0);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	what = "socket";
	if (l < 0 || c < 0)
		goto fail;
	/* On both ends before the handshake: each advertises it. */
	what = "setsockopt TCP_MAXSEG";
	if (o->mss && (setsockopt(l, IPPROTO_TCP, TCP_MAXSEG, &o->mss,
				  sizeof(o->mss)) ||
		       setsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &o->mss,
				  sizeof(o->mss))))
		goto fail;
	what = "timeouts (SO_RCVTIMEO, SO_SNDTIMEO)";
	if (set_timeouts(c, ms))
		goto fail;
	what = "bind";
	if (bind(l, (struct sockaddr *)&a, sizeof(a)))
		goto fail;
	what = "listen";
	if (listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &alen))
		goto fail;
	what = "connect";
	if (connect(c, (struct sockaddr *)&a, sizeof(a)))
		goto fail;
	/* The handshake is done: accept does not wait. */
	what = "accept";
	r = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (r < 0)
		goto fail;
	what = "timeouts (SO_RCVTIMEO, SO_SNDTIMEO)";
	if (set_timeouts(r, ms))
		goto fail;
	close(l);
	*rx = r;
	*tx = c;
	return 0;
fail:
	err = errno;
	snprintf(why, len, "cannot connect over %s: %s: %s",
		 o->net == ZC_VETH ? "veth" : "loopback", what, strerror(err));
	if (l >= 0)
		close(l);
	if (c >= 0)
		close(c);
	if (r >= 0)
		close(r);
	errno = err;
	return -1;
}

/* A file with no name in dir: O_TMPFILE, else a name unlinked at once. */
static int nameless_file(const char *dir)
{
	char path[PATH_MAX];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR &&
			errno != EINVAL))
		return fd;
	if (snprintf(path, sizeof(path), "%s/.bench-zerocopy-XXXXXX", dir) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

int zc_pattern_file(const unsigned char *pat, const char *dir, char *why,
		    size_t len)
{
	unsigned char *back = NULL;
	int fd = nameless_file(dir), err;

	if (fd < 0) {
		err = errno;
		snprintf(why, len, "cannot create a file in %s: %s", dir,
			 strerror(err));
		errno = err;
		return -1;
	}
	back = malloc(ZC_PAT_LEN);
	if (!back || pwrite(fd, pat, ZC_PAT_LEN, 0) != (ssize_t)ZC_PAT_LEN ||
	    pread(fd, back, ZC_PAT_LEN, 0) != (ssize_t)ZC_PAT_LEN) {
		err = errno ? errno : EIO;
		snprintf(why, len, "cannot write the %u-byte pattern file in "
			 "%s: %s", ZC_PAT_LEN, dir, strerror(err));
		goto fail;
	}
	/* Read back: every page is cached, and the file is right. */
	if (memcmp(back, pat, ZC_PAT_LEN)) {
		err = EIO;
		snprintf(why, len, "the pattern file in %s does not read back",
			 dir);
		goto fail;
	}
	free(back);
	return fd;
fail:
	free(back);
	close(fd);
	errno = err;
	return -1;
}
