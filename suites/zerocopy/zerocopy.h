/*
 * zerocopy.h - what the zerocopy suite's files share, and what its tests
 * call: the data pattern every receiver checks, connections over loopback
 * or a veth pair between two private network namespaces, the receive and
 * send paths as tables of functions, the engine that runs one pair of
 * them in two pinned threads, and the TLS 1.3 record layer.
 *
 * Nothing here needs Google Benchmark except stream.c's case functions
 * (zc_setup, zc_run, zc_verify, zc_teardown), so the tests drive the
 * paths with their own threads.
 */
#ifndef ZEROCOPY_SUITE_H
#define ZEROCOPY_SUITE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* ---- pattern.c: the bytes on the wire ----
 *
 * Byte x of every stream is byte (x mod ZC_PERIOD) of the pattern, 64-bit
 * words splitmix64(seed + i), so a chunk delivered in the wrong place,
 * twice or not at all changes what the receiver compares. The pattern
 * buffer holds ZC_PAT_LEN bytes (a period plus the largest message), so a
 * sender sends any message from one contiguous range and a receiver
 * compares any chunk of up to ZC_MAX_MSG bytes in one memcmp. The period
 * is a multiple of the page size: a page-aligned stream offset is a
 * page-aligned address in the pattern, which MSG_ZEROCOPY and sendfile
 * need for their pages to be mappable at the receiver.
 */
#define ZC_PERIOD (256u << 10)
#define ZC_MAX_MSG (1u << 20)
#define ZC_PAT_LEN (ZC_PERIOD + ZC_MAX_MSG)

/* A page-aligned, prefaulted pattern of ZC_PAT_LEN bytes; NULL, errno. */
unsigned char *zc_pattern_new(uint64_t seed);
void zc_pattern_free(unsigned char *pat);
/* The pattern from stream offset off: len <= ZC_MAX_MSG bytes follow. */
static inline const unsigned char *zc_pattern_at(const unsigned char *pat,
						 uint64_t off)
{
	return pat + off % ZC_PERIOD;
}
/*
 * Compares len bytes received at stream offset off with the pattern.
 * Returns 0, or 1 with *bad set to the stream offset of the first
 * differing byte.
 */
int zc_check(const unsigned char *pat, const void *data, size_t len,
	     uint64_t off, uint64_t *bad);

/* ---- net.c: connections ---- */

enum zc_net {
	ZC_LO = 0,	/* 127.0.0.1, this namespace's loopback */
	ZC_VETH,	/* a veth pair between two private namespaces (root) */
};

/* Every blocking wait gives up after this long (SO_RCVTIMEO, poll...). */
#define ZC_TIMEOUT_MS 10000

struct zc_netopt {
	enum zc_net net;
	int mss;		/* TCP_MAXSEG on both ends; 0: the route's */
	int timeout_ms;		/* 0: ZC_TIMEOUT_MS */
};

/*
 * A connected pair of TCP sockets: *rx the accepted end, *tx the one that
 * connected. Returns 0, or -1 with errno set and the reason in why (a
 * skip: no root for namespaces, a refused option).
 */
int zc_net_connect(const struct zc_netopt *o, int *rx, int *tx, char *why,
		   size_t len);
/* "lo", "lo, MSS 4108", "veth (MTU 1500)": for labels. */
const char *zc_net_name(const struct zc_netopt *o, char *buf, size_t len);

/* ---- netns.c: two private network namespaces and a veth pair ----
 *
 * Created once per process, on first use, and never named: no file in
 * /var/run/netns, no interface in this namespace. The namespaces live as
 * long as this process holds a descriptor of them or a socket in them,
 * so the kernel removes them, and the veth pair with them, however the
 * process ends (SIGKILL included). There is nothing a later run would
 * have to clean up.
 */
#define ZC_VETH_MTU 1500
#define ZC_VETH_ADDR_RX 0x0ad50001u	/* 10.213.0.1/30, namespace "rx" */
#define ZC_VETH_ADDR_TX 0x0ad50002u	/* 10.213.0.2/30, namespace "tx" */

/* 0, or -1 with errno and why. */
int zc_veth_up(char *why, size_t len);
/* A socket(AF_INET, type, 0) made in namespace side (0 rx, 1 tx). */
int zc_veth_socket(int side, int type);
/* Namespaces this process holds open (0 or 2), for tests. */
int zc_veth_live(void);

/* ---- the paths ----
 *
 * One end of a connection, used by one thread at a time. A path keeps
 * its own state in priv (a mapping, a ring, a pipe, a cipher).
 */
struct zc_end {
	int fd;
	size_t msg;		/* bytes per message (a send) or per receive */
	uint64_t off;		/* stream offset of the next byte */
	const unsigned char *pat;
	int timeout_ms;
	int filefd;		/* the pattern as a page-cached file, or -1 */
	const struct zc_tls_key *key;	/* TLS paths only */
	const atomic_int *stop;	/* nonzero: the other side failed; give up */
	void *priv;

	/* Totals over the life of the end; the engine takes differences. */
	uint64_t zc_bytes;	/* went zero-copy (mapped, or sent unpinned) */
	uint64_t zc_known;	/* whose fate is known (share denominator) */
	char err[256];		/* why the last call failed */
};

/*
 * A receiver. recv() takes exactly want bytes off the stream, comparing
 * every byte with the pattern (check() for a path that never sees them),
 * and returns 0, or -1 with e->err set. A peer that closes early or goes
 * quiet for timeout_ms is an error, never a wait.
 */
struct zc_rx {
	const char *name;
	int (*open)(struct zc_end *e, char *why, size_t len);
	int (*recv)(struct zc_end *e, uint64_t want);
	void (*close)(struct zc_end *e);
	/*
	 * For a path whose bytes never reach user space (splice): the same
	 * receive, but with the bytes checked; run untimed before each
	 * timed loop so the path is verified, not trusted.
	 */
	int (*check)(struct zc_end *e, uint64_t want);
	/* Counter for the share zero-copied (zc_bytes / bytes), or NULL. */
	const char *share;
};

/*
 * A sender. send() sends n messages of e->msg bytes from the pattern and
 * returns once every byte is handed to the kernel and every zero-copy
 * completion is in (the buffers are free again), 0 or -1 with e->err.
 */
struct zc_tx {
	const char *name;
	int (*open)(struct zc_end *e, char *why, size_t len);
	int (*send)(struct zc_end *e, uint64_t n);
	void (*close)(struct zc_end *e);
	int needs_file;		/* sends from the pattern file (sendfile) */
	const char *share;	/* as for zc_rx */
};

/* recv.c and send.c (and tls.c): the paths of each side. */
extern const struct zc_rx zc_rx_read, zc_rx_read_devnull, zc_rx_tcp_zc,
	zc_rx_splice, zc_rx_uring, zc_rx_zcrx, zc_rx_tls, zc_rx_ktls;
extern const struct zc_tx zc_tx_send, zc_tx_msg_zerocopy, zc_tx_sendfile,
	zc_tx_read_send, zc_tx_uring_send, zc_tx_uring_send_zc, zc_tx_tls,
	zc_tx_ktls, zc_tx_ktls_sendfile;

/* Plain send() and sendfile() of n messages, for the kTLS senders too. */
int zc_send_msgs(struct zc_end *e, uint64_t n);
int zc_sendfile_msgs(struct zc_end *e, uint64_t n);
/* recv()-style result r on e: the error for 0 (peer closed) or -1. */
int zc_recv_err(struct zc_end *e, const char *what, long r, uint64_t want);
/* The error for a byte that differs from the pattern. */
int zc_bad_byte(struct zc_end *e, uint64_t bad);

/* Helpers the paths share (net.c). */
/* "what: strerror at stream offset N" into e->err; returns -1. */
int zc_errf(struct zc_end *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Waits for events on e->fd; 1 ready, 0 timed out, -1 error (errno). */
int zc_wait(struct zc_end *e, short events, short *revents);
/* A nameless file in the data directory holding ZC_PAT_LEN pattern bytes. */
int zc_pattern_file(const unsigned char *pat, const char *dir, char *why,
		    size_t len);

/* ---- stream.c: one pair, two threads ---- */

struct zc_pair {
	const struct zc_rx *rx;
	const struct zc_tx *tx;
	struct zc_netopt net;
	/* Cross-check: run iperf3 with this write size at set-up (copy). */
	int iperf3;
};

struct zc_conn {
	const struct zc_pair *p;
	struct zc_end rx, tx;
	int done_fd;		/* eventfd: the receiver has every byte */
	int rx_open, tx_open;
	/*
	 * The first side to fail records why here and shuts both sockets
	 * down, so the other side's blocked call returns at once.
	 */
	atomic_int failed;	/* 0, or 1 + the side that failed first */
	char why[300];
	uint64_t warm_n;	/* stream.c's warm-up: messages to send */
};

struct zc_connopt {
	size_t msg;			/* bytes per message */
	const unsigned char *rxpat, *txpat;	/* each side's own copy */
	const struct zc_tls_key *key;	/* TLS paths */
	int timeout_ms;			/* 0: the pair's, else ZC_TIMEOUT_MS */
	const char *dir;		/* where sendfile's file goes */
};

/*
 * Opens the pair's connection and both paths. Returns 0, or -1 with the
 * reason in why (errno set): the machine refuses the pair, a skip.
 */
int zc_conn_open(struct zc_conn *c, const struct zc_pair *p,
		 const struct zc_connopt *o, char *why, size_t len);
void zc_conn_close(struct zc_conn *c);
/* Records side's error (0 rx, 1 tx) unless one is recorded; shuts down. */
void zc_conn_fail(struct zc_conn *c, int side);
/* The receiver's end of a transfer, and the sender's wait for it. */
void zc_done_post(struct zc_conn *c);
int zc_done_wait(struct zc_conn *c);

/* Bytes of messages per iteration (one message when it is larger). */
#define ZC_ITER_BYTES (256u << 10)

/* The Google Benchmark case functions every family's table uses. */
struct bench_state;
struct bench_case;
int zc_setup(struct bench_state *st);
void zc_run(struct bench_state *st);
int zc_verify(struct bench_state *st);
void zc_teardown(struct bench_state *st);
/* Message sizes: the sweep (1 KiB - 1 MiB) and the matrix's few. */
int zc_sweep_sizes(const struct bench_case *c, int64_t *out, int max);
int zc_matrix_sizes(const struct bench_case *c, int64_t *out, int max);

/*
 * A row of a family's table: pair p at every size sizes() gives. Two
 * threads, the receiver thread 0 and the sender thread 1 (the harness
 * pins thread i to core i), timed in real time because the work is
 * spread over both.
 */
#define ZC_CASE(nm, pr, d, sizes)					\
	{								\
		.name = (nm), .desc = (d),				\
		.setup = zc_setup, .run = zc_run,			\
		.verify = zc_verify, .teardown = zc_teardown,		\
		.threads = 2, .flags = BENCH_REAL_TIME,			\
		.unit = BENCH_UNIT_US, .counters = "syscalls",		\
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,	\
		.gen_args = (sizes), .data = &(pr),			\
	}

/* copy.c: iperf3 on loopback, bytes per second; -1 with why. */
double zc_iperf3(size_t msg, char *why, size_t len);

/* ---- tlsrec.c: TLS 1.3 records (AES-128-GCM) in user space ----
 *
 * The record layer both TLS paths share and the kernel's kTLS speaks:
 * a 5-byte header (type 23, version 0x0303, length), the ciphertext of
 * the data plus its content type byte, and a 16-byte tag; the header is
 * the additional data; the nonce is the 12-byte IV xor the record's
 * sequence number (RFC 8446 5.2, 5.3). OpenSSL's EVP does the cipher.
 */
#define ZC_TLS_HDR 5
#define ZC_TLS_TAG 16
#define ZC_TLS_MAX_PLAIN 16384
#define ZC_TLS_OVERHEAD (ZC_TLS_HDR + 1 + ZC_TLS_TAG)
#define ZC_TLS_MAX_REC (ZC_TLS_MAX_PLAIN + ZC_TLS_OVERHEAD)

struct zc_tls_key {
	unsigned char key[16];
	unsigned char iv[12];	/* kTLS: salt (4 bytes), then iv (8) */
};

struct zc_tls {
	void *ctx;		/* EVP_CIPHER_CTX */
	struct zc_tls_key k;
	uint64_t seq;		/* of the next record */
	int enc;
};

/* 0, or -1 (OpenSSL refused); enc 1 to seal, 0 to open. */
int zc_tls_init(struct zc_tls *t, const struct zc_tls_key *k, int enc);
void zc_tls_free(struct zc_tls *t);
/*
 * Seals len (1 .. ZC_TLS_MAX_PLAIN) bytes as the next record into out
 * (len + ZC_TLS_OVERHEAD bytes); returns the record's length or -1.
 */
long zc_tls_seal(struct zc_tls *t, const void *in, size_t len,
		 unsigned char *out);
/*
 * The length of the record at p (header included) once its header is in
 * (avail >= ZC_TLS_HDR), 0 before; -1 if the header is not one this layer
 * accepts (type 23, version 0x0303, length within bounds).
 */
long zc_tls_reclen(const unsigned char *p, size_t avail);
/*
 * Opens the record rec (reclen bytes, header included) in place: the
 * plaintext is at rec + ZC_TLS_HDR. Returns its length, or -1 if the tag,
 * the header or the inner content type is wrong.
 */
long zc_tls_open(struct zc_tls *t, unsigned char *rec, size_t reclen);

#endif
