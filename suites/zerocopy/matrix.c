/*
 * matrix.c - every receive path against every send path, on three
 * transports, at a few message sizes.
 *
 * Isolates how the sender decides what the receiver can do without a
 * copy. TCP_ZEROCOPY_RECEIVE maps only ordinary pages the payload fills
 * exactly (can_map_frag() in net/ipv4/tcp.c): what send() copied sits in
 * compound pages and sendfile's pages are the page cache's, neither ever
 * mapped (0%); what MSG_ZEROCOPY sent is, once a local receiver's
 * deferred copy has put it in fresh pages (about 94%: every packet but
 * its tail); with segments of one page (TCP_MAXSEG 4108: 4096 bytes of
 * payload after 12 bytes of timestamp option) up to 100%. The transports:
 *
 *   lo          loopback, MTU 65536, default MSS
 *   lo_mss4108  loopback, TCP_MAXSEG 4108 on both ends
 *   veth        a veth pair between two private namespaces, MTU 1500
 *               (root only; skipped with the errno otherwise)
 *
 * The full profile runs every cell at 4 KiB, 64 KiB and 1 MiB; the quick
 * profile the cells marked below at 64 KiB (the rest have .param = 1).
 *
 * Run just this:  build/O2/bench_zerocopy --benchmark_filter=matrix/
 *
 * Healthy figures (2-vCPU AMD EPYC guest, kernel 6.18, load
 * average 8-10 from other jobs: noisy): tcp_zc maps nothing from send() or
 * sendfile(), 0.94 from MSG_ZEROCOPY or SEND_ZC on lo and veth, 0.98-1
 * with TCP_MAXSEG 4108; every cell more in docs/suites/zerocopy.md.
 */
#include "gbshim.h"
#include "zerocopy.h"

#define MSS_PAGE 4108

#define PAIR(nm, r, t, n, m)						\
	static const struct zc_pair nm = {				\
		.rx = &(r), .tx = &(t), .net = { .net = (n), .mss = (m) }, \
	}

#define NETS(rx, tx)							\
	PAIR(lo_##rx##_##tx, zc_rx_##rx, zc_tx_##tx, ZC_LO, 0);		\
	PAIR(mss_##rx##_##tx, zc_rx_##rx, zc_tx_##tx, ZC_LO, MSS_PAGE);	\
	PAIR(veth_##rx##_##tx, zc_rx_##rx, zc_tx_##tx, ZC_VETH, 0)

#define ALL_TX(rx)							\
	NETS(rx, send);						\
	NETS(rx, msg_zerocopy);					\
	NETS(rx, sendfile);						\
	NETS(rx, uring_send);					\
	NETS(rx, uring_send_zc)

ALL_TX(read);
ALL_TX(tcp_zc);
ALL_TX(splice);
ALL_TX(uring);

/* One cell; full_only: left out of the quick profile. */
#define CELL(net, pfx, rx, rxname, tx, full_only)			\
	{								\
		.name = "matrix/" net "/" rxname "/" #tx,		\
		.desc = rxname " receiving from " #tx " over " net,	\
		.setup = zc_setup, .run = zc_run,			\
		.verify = zc_verify, .teardown = zc_teardown,		\
		.threads = 2, .flags = BENCH_REAL_TIME,			\
		.unit = BENCH_UNIT_US, .counters = "syscalls",		\
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,	\
		.gen_args = zc_matrix_sizes,				\
		.data = &pfx##_##rx##_##tx, .param = (full_only),	\
	}

/*
 * Quick keeps what shows the mapping rule: tcp_zc against the senders
 * that differ in how their pages arrive, on lo and with page-sized
 * segments; read against send with page-sized segments; the copy and
 * the zero-copy pair on veth. Cells that another family sweeps are left
 * to it (on lo: read against each sender; with page-sized segments:
 * read and tcp_zc against MSG_ZEROCOPY, recv/aligned/). q is the set of
 * senders kept in quick.
 */
enum { Q_SEND = 1, Q_MZC = 2, Q_SENDFILE = 4, Q_USEND = 8, Q_USENDZC = 16 };
#define Q_ZC_SENDERS (Q_SEND | Q_MZC | Q_SENDFILE | Q_USENDZC)

#define ROW(net, pfx, rx, rxname, q)					\
	CELL(net, pfx, rx, rxname, send, !((q) & Q_SEND)),		\
	CELL(net, pfx, rx, rxname, msg_zerocopy, !((q) & Q_MZC)),	\
	CELL(net, pfx, rx, rxname, sendfile, !((q) & Q_SENDFILE)),	\
	CELL(net, pfx, rx, rxname, uring_send, !((q) & Q_USEND)),	\
	CELL(net, pfx, rx, rxname, uring_send_zc, !((q) & Q_USENDZC))

static const struct bench_case cases[] = {
	ROW("lo", lo, read, "read", 0),
	ROW("lo", lo, tcp_zc, "tcp_zc", Q_ZC_SENDERS),
	ROW("lo", lo, splice, "splice", 0),
	ROW("lo", lo, uring, "uring_multishot", 0),
	ROW("lo_mss4108", mss, read, "read", Q_SEND),
	ROW("lo_mss4108", mss, tcp_zc, "tcp_zc", Q_ZC_SENDERS & ~Q_MZC),
	ROW("lo_mss4108", mss, splice, "splice", 0),
	ROW("lo_mss4108", mss, uring, "uring_multishot", 0),
	ROW("veth", veth, read, "read", Q_SEND),
	ROW("veth", veth, tcp_zc, "tcp_zc", Q_MZC),
	ROW("veth", veth, splice, "splice", 0),
	ROW("veth", veth, uring, "uring_multishot", 0),
};
BENCH_FAMILY(cases);
