/*
 * tls.c - TLS record encryption in user space against the kernel's
 * (kTLS), and sendfile through kTLS, which only kTLS makes possible:
 *
 *   tls/user           sender seals TLS 1.3 records with OpenSSL (16 KiB
 *                      of data each) and send()s them; receiver opens
 *                      them with OpenSSL and checks every byte
 *   tls/ktls_send      sender send()s plaintext on a socket with TLS_TX
 *                      keys: the kernel seals the records; the receiver
 *                      is the same user-space one, so every record the
 *                      kernel wrote is opened and checked by OpenSSL
 *   tls/ktls_sendfile  sendfile() of the page-cached pattern file on that
 *                      socket: the kernel reads and seals the file's pages
 *   tls/ktls_recv      the user-space sender against a receiver whose
 *                      socket has TLS_RX keys: the kernel opens records,
 *                      recv() returns plaintext, checked
 *
 * No handshake: both ends get the same AES-128-GCM key and IV (kTLS
 * takes them with setsockopt SOL_TLS, as a TLS library hands them over
 * after its handshake). kTLS needs the kernel's tls module: where
 * TCP_ULP "tls" is refused (ENOENT: no module), the kTLS rows are
 * skipped with that errno; the user-space row always runs.
 *
 * Isolates the CPU a sender spends per GiB sealing records itself
 * against the kernel doing it (tx_cpu_ms_per_GiB), and what sendfile
 * saves on top.
 *
 * Run just this:  build/O2/bench_zerocopy --benchmark_filter=tls/
 *
 * Healthy figures (2-vCPU AMD EPYC guest, kernel 6.18, load
 * average 8-10 from other jobs: noisy): the user-space sender spends 475-620
 * ms of CPU per GiB at 64 KiB, 405-485 at 1 MiB; the kTLS rows are
 * skipped there (ENOENT: no tls module).
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "util.h"
#include "zerocopy.h"

#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

/* ---- kTLS set-up: TCP_ULP "tls", then the keys for one direction ---- */

static int ktls_keys(int fd, int dir, const struct zc_tls_key *k, char *why,
		     size_t len)
{
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info = { .version = TLS_1_3_VERSION,
			  .cipher_type = TLS_CIPHER_AES_GCM_128 },
	};
	int err;

	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls"))) {
		err = errno;
		snprintf(why, len, "kTLS: setsockopt TCP_ULP \"tls\" refused: "
			 "%s%s", strerror(err), err == ENOENT ?
			 " (the kernel has no tls module)" : "");
		errno = err;
		return -1;
	}
	/* The 12-byte IV is kTLS's salt (4 bytes) and iv (8); sequence 0. */
	memcpy(ci.key, k->key, sizeof(ci.key));
	memcpy(ci.salt, k->iv, sizeof(ci.salt));
	memcpy(ci.iv, k->iv + 4, sizeof(ci.iv));
	memset(ci.rec_seq, 0, sizeof(ci.rec_seq));
	if (setsockopt(fd, SOL_TLS, dir, &ci, sizeof(ci))) {
		err = errno;
		snprintf(why, len, "kTLS: TLS 1.3 AES-128-GCM keys refused "
			 "(setsockopt SOL_TLS %s): %s", dir == TLS_TX ?
			 "TLS_TX" : "TLS_RX", strerror(err));
		errno = err;
		return -1;
	}
	return 0;
}

/* ---- receivers ---- */

struct urec {
	struct zc_tls t;
	unsigned char *buf;
	size_t cap, have;
};

static int urec_open(struct zc_end *e, char *why, size_t len)
{
	struct urec *u = xcalloc(1, sizeof(*u));

	if (zc_tls_init(&u->t, e->key, 0)) {
		snprintf(why, len, "OpenSSL refused AES-128-GCM");
		free(u);
		errno = EINVAL;
		return -1;
	}
	/* A message's records plus one more partly in. */
	u->cap = (e->msg < 65536 ? 65536 : e->msg) + ZC_TLS_MAX_REC;
	u->buf = mem_alloc(u->cap, 0);
	if (!u->buf)
		die_errno("cannot allocate %zu bytes", u->cap);
	e->priv = u;
	return 0;
}

static void urec_close(struct zc_end *e)
{
	struct urec *u = e->priv;

	zc_tls_free(&u->t);
	mem_free(u->buf, u->cap);
	free(u);
}

/* Opens and checks every whole record in the buffer; keeps the rest. */
static int urec_parse(struct zc_end *e, struct urec *u, uint64_t *want)
{
	size_t pos = 0;
	uint64_t bad;

	while (*want) {
		long l = zc_tls_reclen(u->buf + pos, u->have - pos), pl;

		if (l < 0)
			return zc_errf(e, "TLS record %llu has a bad header",
				       (unsigned long long)u->t.seq);
		if (l == 0 || (size_t)l > u->have - pos)
			break;
		pl = zc_tls_open(&u->t, u->buf + pos, (size_t)l);
		if (pl < 0)
			return zc_errf(e, "TLS record %llu does not open (tag, "
				       "header or content type)",
				       (unsigned long long)u->t.seq);
		if ((uint64_t)pl > *want)
			return zc_errf(e, "TLS records carry more than was "
				       "sent");
		if (zc_check(e->pat, u->buf + pos + ZC_TLS_HDR, (size_t)pl,
			     e->off, &bad))
			return zc_bad_byte(e, bad);
		e->off += (uint64_t)pl;
		*want -= (uint64_t)pl;
		pos += (size_t)l;
	}
	memmove(u->buf, u->buf + pos, u->have - pos);
	u->have -= pos;
	return 0;
}

static int urec_recv(struct zc_end *e, uint64_t want)
{
	struct urec *u = e->priv;

	while (want) {
		ssize_t r;

		if (urec_parse(e, u, &want))
			return -1;
		if (!want)
			break;
		r = recv(e->fd, u->buf + u->have, u->cap - u->have, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return zc_recv_err(e, "recv", (long)r, want);
		u->have += (size_t)r;
	}
	if (u->have)
		return zc_errf(e, "%zu bytes of TLS records beyond what was "
			       "sent", u->have);
	return 0;
}

const struct zc_rx zc_rx_tls = {
	.name = "tls_user",
	.open = urec_open, .recv = urec_recv, .close = urec_close,
};

static int krx_open(struct zc_end *e, char *why, size_t len)
{
	if (ktls_keys(e->fd, TLS_RX, e->key, why, len))
		return -1;
	e->priv = mem_alloc(e->msg, 0);
	if (!e->priv)
		die_errno("cannot allocate %zu bytes", e->msg);
	return 0;
}

static void krx_close(struct zc_end *e)
{
	mem_free(e->priv, e->msg);
}

/* With TLS_RX keys, recv() returns opened data records, as read does. */
static int krx_recv(struct zc_end *e, uint64_t want)
{
	return zc_rx_read.recv(e, want);
}

const struct zc_rx zc_rx_ktls = {
	.name = "ktls_recv",
	.open = krx_open, .recv = krx_recv, .close = krx_close,
};

/* ---- senders ---- */

struct usnd {
	struct zc_tls t;
	unsigned char *out;
	size_t cap;
};

static int usnd_open(struct zc_end *e, char *why, size_t len)
{
	struct usnd *u = xcalloc(1, sizeof(*u));
	size_t recs = (e->msg + ZC_TLS_MAX_PLAIN - 1) / ZC_TLS_MAX_PLAIN;

	if (zc_tls_init(&u->t, e->key, 1)) {
		snprintf(why, len, "OpenSSL refused AES-128-GCM");
		free(u);
		errno = EINVAL;
		return -1;
	}
	u->cap = e->msg + recs * ZC_TLS_OVERHEAD;
	u->out = mem_alloc(u->cap, 0);
	if (!u->out)
		die_errno("cannot allocate %zu bytes", u->cap);
	e->priv = u;
	return 0;
}

static void usnd_close(struct zc_end *e)
{
	struct usnd *u = e->priv;

	zc_tls_free(&u->t);
	mem_free(u->out, u->cap);
	free(u);
}

/* Seals a message as records of up to 16 KiB, sends them in one go. */
static int usnd_send(struct zc_end *e, uint64_t n)
{
	struct usnd *u = e->priv;

	for (uint64_t i = 0; i < n; i++) {
		const unsigned char *p = zc_pattern_at(e->pat, e->off);
		unsigned char *o = u->out;
		size_t done = 0, left;

		while (done < e->msg) {
			size_t chunk = e->msg - done < ZC_TLS_MAX_PLAIN
					       ? e->msg - done
					       : ZC_TLS_MAX_PLAIN;
			long l = zc_tls_seal(&u->t, p + done, chunk, o);

			if (l < 0)
				return zc_errf(e, "OpenSSL failed to seal a "
					       "record");
			o += l;
			done += chunk;
		}
		left = (size_t)(o - u->out);
		o = u->out;
		while (left) {
			ssize_t r = send(e->fd, o, left, MSG_NOSIGNAL);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return zc_errf(e, "send: the receiver "
						       "took nothing for %d ms",
						       e->timeout_ms);
				return zc_errf(e, "send: %s", strerror(errno));
			}
			o += r;
			left -= (size_t)r;
		}
		e->off += e->msg;
	}
	return 0;
}

const struct zc_tx zc_tx_tls = {
	.name = "tls_user",
	.open = usnd_open, .send = usnd_send, .close = usnd_close,
};

static int ktx_open(struct zc_end *e, char *why, size_t len)
{
	return ktls_keys(e->fd, TLS_TX, e->key, why, len);
}

const struct zc_tx zc_tx_ktls = {
	.name = "ktls_send",
	.open = ktx_open, .send = zc_send_msgs,
};

const struct zc_tx zc_tx_ktls_sendfile = {
	.name = "ktls_sendfile",
	.open = ktx_open, .send = zc_sendfile_msgs, .needs_file = 1,
};

/* ---- the family ---- */

static const struct zc_pair p_user = {
	.rx = &zc_rx_tls, .tx = &zc_tx_tls, .net = { ZC_LO },
};
static const struct zc_pair p_ktls_send = {
	.rx = &zc_rx_tls, .tx = &zc_tx_ktls, .net = { ZC_LO },
};
static const struct zc_pair p_ktls_sendfile = {
	.rx = &zc_rx_tls, .tx = &zc_tx_ktls_sendfile, .net = { ZC_LO },
};
static const struct zc_pair p_ktls_recv = {
	.rx = &zc_rx_ktls, .tx = &zc_tx_tls, .net = { ZC_LO },
};

static const struct bench_case cases[] = {
	ZC_CASE("tls/user", p_user,
		"TLS 1.3 records sealed and opened with OpenSSL in user space",
		zc_sweep_sizes),
	ZC_CASE("tls/ktls_send", p_ktls_send,
		"kTLS TLS_TX: the kernel seals send()'s data; opened with "
		"OpenSSL", zc_sweep_sizes),
	ZC_CASE("tls/ktls_sendfile", p_ktls_sendfile,
		"kTLS TLS_TX: the kernel seals sendfile()'s pages; opened "
		"with OpenSSL", zc_sweep_sizes),
	ZC_CASE("tls/ktls_recv", p_ktls_recv,
		"kTLS TLS_RX: the kernel opens records sealed with OpenSSL",
		zc_sweep_sizes),
};
BENCH_FAMILY(cases);
