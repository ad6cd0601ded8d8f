/*
 * netns.c - two private network namespaces joined by a veth pair, made
 * with rtnetlink (no ip(8), no shell), for the transfers that should see
 * a network device rather than loopback.
 *
 * A network namespace belongs to a thread, not a process: the set-up
 * thread enters a namespace (setns), makes a socket there and comes back;
 * the socket stays in the namespace it was made in. Nothing is named in
 * this namespace or on disk (see zerocopy.h), so the kernel frees both
 * namespaces and the pair when the process ends, however it ends.
 *
 * Costs: creating both namespaces and the pair takes a few milliseconds,
 * once per process; freeing them is the kernel's, after exit.
 *
 * No benchmark here; nothing in it is timed.
 */
#define _GNU_SOURCE
#include "zerocopy.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct {
	int tried;
	int fd[2];		/* the rx and tx namespaces */
	int err;
	char why[256];
} vs = { .fd = { -1, -1 } };

/* A request: its header, then attributes, in one buffer. */
struct nlreq {
	union {
		struct nlmsghdr h;
		unsigned char raw[1024];
	};
};

static void *nl_tail(struct nlreq *r)
{
	return r->raw + NLMSG_ALIGN(r->h.nlmsg_len);
}

static struct rtattr *nl_attr(struct nlreq *r, int type, const void *data,
			      size_t len)
{
	struct rtattr *a = nl_tail(r);

	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

static void nl_end(struct nlreq *r, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((unsigned char *)nl_tail(r) -
					 (unsigned char *)nest);
}

/* Sends one request and reads its acknowledgement: 0 or -1 with errno. */
static int nl_talk(int nl, struct nlreq *r)
{
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
		char more[256];
	} ack;
	ssize_t n;

	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(nl, r, r->h.nlmsg_len, 0) != (ssize_t)r->h.nlmsg_len)
		return -1;
	n = recv(nl, &ack, sizeof(ack), 0);
	if (n < 0)
		return -1;
	if (n < (ssize_t)(sizeof(ack.h) + sizeof(ack.e)) ||
	    ack.h.nlmsg_type != NLMSG_ERROR) {
		errno = EPROTO;
		return -1;
	}
	if (ack.e.error) {
		errno = -ack.e.error;
		return -1;
	}
	return 0;
}

static void nl_start(struct nlreq *r, int type, unsigned flags,
		     const void *hdr, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_type = (unsigned short)type;
	r->h.nlmsg_flags = (unsigned short)flags;
	r->h.nlmsg_len = (unsigned)NLMSG_LENGTH(len);
	memcpy(NLMSG_DATA(&r->h), hdr, len);
}

/* In the current namespace: the pair, its peer named peer moved to peerns. */
static int make_pair(int nl, const char *name, const char *peer, int peerns)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct rtattr *info, *data, *p;
	unsigned mtu = ZC_VETH_MTU;
	struct nlreq r;

	nl_start(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi,
		 sizeof(ifi));
	nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	nl_attr(&r, IFLA_MTU, &mtu, sizeof(mtu));
	info = nl_attr(&r, IFLA_LINKINFO, NULL, 0);
	nl_attr(&r, IFLA_INFO_KIND, "veth", 4);
	data = nl_attr(&r, IFLA_INFO_DATA, NULL, 0);
	p = nl_attr(&r, VETH_INFO_PEER, &ifi, sizeof(ifi));
	nl_attr(&r, IFLA_IFNAME, peer, strlen(peer) + 1);
	nl_attr(&r, IFLA_NET_NS_FD, &peerns, sizeof(peerns));
	nl_attr(&r, IFLA_MTU, &mtu, sizeof(mtu));
	nl_end(&r, p);
	nl_end(&r, data);
	nl_end(&r, info);
	return nl_talk(nl, &r);
}

/* In the current namespace: addr/30 on the device, and the device up. */
static int configure(int nl, const char *name, uint32_t addr)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 30 };
	uint32_t be = htonl(addr);
	unsigned idx = if_nametoindex(name);
	struct nlreq r;

	if (!idx)
		return -1;
	ifa.ifa_index = idx;
	nl_start(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa,
		 sizeof(ifa));
	nl_attr(&r, IFA_LOCAL, &be, sizeof(be));
	nl_attr(&r, IFA_ADDRESS, &be, sizeof(be));
	if (nl_talk(nl, &r))
		return -1;
	ifi.ifi_index = (int)idx;
	nl_start(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	return nl_talk(nl, &r);
}

static int self_ns(void)
{
	return open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
}

/* Back to the namespace the thread came from; failing that is a bug. */
static void go_home(int home)
{
	if (setns(home, CLONE_NEWNET))
		die_errno("cannot return to this thread's network namespace");
}

static int build(int home)
{
	char name[2][IFNAMSIZ];
	const uint32_t addr[2] = { ZC_VETH_ADDR_RX, ZC_VETH_ADDR_TX };
	int nl = -1, err;
	const char *what;

	for (int i = 0; i < 2; i++) {
		what = "unshare(CLONE_NEWNET) (needs root)";
		if (unshare(CLONE_NEWNET))
			goto fail;
		vs.fd[i] = self_ns();
		go_home(home);
		what = "open /proc/thread-self/ns/net";
		if (vs.fd[i] < 0)
			goto fail;
	}
	/* The pid in the names says whose they are. */
	snprintf(name[0], IFNAMSIZ, "zc%dr", (int)getpid());
	snprintf(name[1], IFNAMSIZ, "zc%dt", (int)getpid());
	for (int i = 0; i < 2; i++) {
		what = "setns";
		if (setns(vs.fd[i], CLONE_NEWNET))
			goto fail;
		what = "netlink socket";
		nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (nl < 0)
			goto fail_home;
		what = "create the veth pair (RTM_NEWLINK veth)";
		if (i == 0 && make_pair(nl, name[0], name[1], vs.fd[1]))
			goto fail_home;
		what = "configure the veth device (RTM_NEWADDR, IFF_UP)";
		if (configure(nl, name[i], addr[i]))
			goto fail_home;
		close(nl);
		nl = -1;
		go_home(home);
	}
	return 0;
fail_home:
	err = errno;
	go_home(home);
	errno = err;
fail:
	err = errno;
	if (nl >= 0)
		close(nl);
	snprintf(vs.why, sizeof(vs.why), "no veth pair between namespaces: "
		 "%s: %s", what, strerror(err));
	errno = err;
	return -1;
}

int zc_veth_up(char *why, size_t len)
{
	int home;

	if (vs.tried) {
		if (vs.err) {
			snprintf(why, len, "%s", vs.why);
			errno = vs.err;
			return -1;
		}
		return 0;
	}
	vs.tried = 1;
	home = self_ns();
	if (home < 0) {
		vs.err = errno;
		snprintf(vs.why, sizeof(vs.why), "no veth pair between "
			 "namespaces: open /proc/thread-self/ns/net: %s",
			 strerror(vs.err));
	} else if (build(home)) {
		vs.err = errno;
		for (int i = 0; i < 2; i++) {
			if (vs.fd[i] >= 0)
				close(vs.fd[i]);
			vs.fd[i] = -1;
		}
	}
	if (home >= 0)
		close(home);
	return zc_veth_up(why, len);
}

int zc_veth_socket(int side, int type)
{
	int home = self_ns(), s, err;

	if (home < 0)
		return -1;
	if (setns(vs.fd[side], CLONE_NEWNET)) {
		err = errno;
		close(home);
		errno = err;
		return -1;
	}
	s = socket(AF_INET, type, 0);
	err = errno;
	go_home(home);
	close(home);
	errno = err;
	return s;
}

int zc_veth_live(void)
{
	return (vs.fd[0] >= 0) + (vs.fd[1] >= 0);
}
