/*
 * context.c - see context.h.
 *
 * Build facts (flavor, exact flags, commit) come from buildinfo.h, which
 * bench.mk writes per flavor and rewrites only when they change, so a new
 * commit recompiles this file and relinks, nothing more.
 */
#define _GNU_SOURCE
#include "context.h"
#include "calib.h"
#include "counters.h"
#include "gbshim.h"
#include "topo.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#ifdef BENCH_HAVE_BUILDINFO
#include "buildinfo.h"
#endif
#ifndef BENCH_FLAVOR
#define BENCH_FLAVOR "unknown"
#endif
#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "unknown"
#endif
#ifndef BENCH_HARNESS_CFLAGS
#define BENCH_HARNESS_CFLAGS "unknown"
#endif
#ifndef BENCH_CC
#define BENCH_CC "unknown"
#endif
#ifndef BENCH_GIT_COMMIT
#define BENCH_GIT_COMMIT "unknown"
#endif
#ifndef BENCH_NATIVE
#define BENCH_NATIVE ""
#endif

/* Written by bench.mk into each suite binary: hash of the suite's code. */
extern const char bench_code_sha256[] __attribute__((weak));
extern const unsigned long bench_code_text_bytes __attribute__((weak));

const char *context_thp_mode(void)
{
	static char mode[128];
	char buf[128], *l, *r;

	if (mode[0])
		return mode;
	if (read_file_str("/sys/kernel/mm/transparent_hugepage/enabled", buf,
			  sizeof(buf))) {
		snprintf(mode, sizeof(mode), "unavailable");
		return mode;
	}
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r) {
		*r = '\0';
		snprintf(mode, sizeof(mode), "%s", l + 1);
	} else {
		snprintf(mode, sizeof(mode), "%s", buf);
	}
	return mode;
}

/* CPUID leaf 0x40000000 vendors, as the hypervisors write them. */
static const struct {
	const char *vendor;
	const char *name;
} hv_vendors[] = {
	{ "KVMKVMKVM", "KVM" },
	{ "Linux KVM Hv", "KVM (Hyper-V enlightenments)" },
	{ "Microsoft Hv", "Hyper-V" },
	{ "VMwareVMware", "VMware" },
	{ "XenVMMXenVMM", "Xen" },
	{ "TCGTCGTCGTCG", "QEMU TCG" },
	{ "bhyve bhyve ", "bhyve" },
	{ "VBoxVBoxVBox", "VirtualBox" },
	{ " lrpepyh  vr", "Parallels" },
	{ "ACRNACRNACRN", "ACRN" },
	{ "QNXQVMBSQG", "QNX hypervisor" },
	{ "Apple VZ", "Apple Virtualization" },
};

const char *context_hv_name(const char *vendor, char *buf, size_t len)
{
	char v[13];
	size_t n;

	/* Compare without trailing NULs or padding spaces. */
	memcpy(v, vendor, 12);
	v[12] = '\0';
	for (size_t i = 0; i < sizeof(hv_vendors) / sizeof(hv_vendors[0]); i++)
		if (!strncmp(v, hv_vendors[i].vendor,
			     strlen(hv_vendors[i].vendor))) {
			snprintf(buf, len, "%s", hv_vendors[i].name);
			return buf;
		}
	n = strlen(v);
	while (n && v[n - 1] == ' ')
		v[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!isprint((unsigned char)v[i]))
			v[i] = '?';
	snprintf(buf, len, "unknown hypervisor (CPUID vendor \"%s\")", v);
	return buf;
}

const char *context_hypervisor(void)
{
	static char hv[96];

	if (hv[0])
		return hv;
#if defined(__x86_64__) || defined(__i386__)
	{
		unsigned a, b, c, d;

		if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31))) {
			char vendor[12];

			__cpuid(0x40000000, a, b, c, d);
			memcpy(vendor, &b, 4);
			memcpy(vendor + 4, &c, 4);
			memcpy(vendor + 8, &d, 4);
			return context_hv_name(vendor, hv, sizeof(hv));
		}
	}
#endif
	if (!read_file_str("/sys/hypervisor/type", hv, sizeof(hv)) && hv[0])
		return hv;
	snprintf(hv, sizeof(hv), "none detected");
	return hv;
}

static const struct {
	unsigned long magic;
	const char *name;
} fs_magic[] = {
	{ 0xEF53, "ext4" },		/* also ext2/ext3 */
	{ 0x58465342, "xfs" },
	{ 0x9123683E, "btrfs" },
	{ 0x01021994, "tmpfs" },
	{ 0x794C7630, "overlayfs" },
	{ 0x2FC12FC1, "zfs" },
	{ 0xF2F52010, "f2fs" },
	{ 0x6969, "nfs" },
	{ 0xFF534D42, "cifs" },
	{ 0x65735546, "fuse" },
	{ 0x858458F6, "ramfs" },
	{ 0x4D44, "vfat" },
	{ 0x5346544E, "ntfs" },
	{ 0xCA451A4E, "bcachefs" },
	{ 0x73717368, "squashfs" },
	{ 0x9FA0, "proc" },
};

const char *context_fs_type(const char *path, char *buf, size_t len)
{
	struct statfs sf;

	if (statfs(path, &sf)) {
		snprintf(buf, len, "unknown (%s: %s)", path, strerror(errno));
		return buf;
	}
	for (size_t i = 0; i < sizeof(fs_magic) / sizeof(fs_magic[0]); i++) {
		if ((unsigned long)sf.f_type == fs_magic[i].magic) {
			snprintf(buf, len, "%s", fs_magic[i].name);
			return buf;
		}
	}
	snprintf(buf, len, "0x%lx", (unsigned long)sf.f_type);
	return buf;
}

int context_file_sha256(const char *path, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[1 << 16];
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx;
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = -1;

	if (!f)
		return -1;
	ctx = EVP_MD_CTX_new();
	if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			EVP_DigestUpdate(ctx, buf, n);
		if (!ferror(f) && EVP_DigestFinal_ex(ctx, md, &mdlen)) {
			for (unsigned i = 0; i < mdlen; i++)
				sprintf(out + 2 * i, "%02x", md[i]);
			rc = 0;
		}
	}
	EVP_MD_CTX_free(ctx);
	fclose(f);
	return rc;
}

static const char *hugetlb_summary(char *buf, size_t len)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	unsigned long total = 0, fr = 0, kb = 0;

	if (!f) {
		snprintf(buf, len, "unknown");
		return buf;
	}
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Total: %lu", &total);
		sscanf(line, "HugePages_Free: %lu", &fr);
		sscanf(line, "Hugepagesize: %lu kB", &kb);
	}
	fclose(f);
	snprintf(buf, len, "%lu reserved, %lu free, %lu kB each", total, fr,
		 kb);
	return buf;
}

/* ---- what else is running ---- */

struct task_cpu {
	int pid;
	char comm[24];
	uint64_t ns;
};

/* Bytes of s made printable: names come from other users' processes. */
static void printable(char *s)
{
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			*s = '?';
}

/* CPU time of every thread of pid, ns (schedstat; 0 if unreadable). */
static uint64_t pid_cpu_ns(int pid)
{
	char path[320], buf[128];
	struct dirent *e;
	uint64_t sum = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", pid,
			 e->d_name);
		if (!read_file_str(path, buf, sizeof(buf)))
			sum += strtoull(buf, NULL, 10);
	}
	if (d)
		closedir(d);
	return sum;
}

static int snapshot(struct task_cpu *t, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0, self = getpid();

	while (d && (e = readdir(d)) && n < max) {
		char path[64];
		int pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = atoi(e->d_name);
		if (pid == self)
			continue;
		t[n].pid = pid;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if (read_file_str(path, t[n].comm, sizeof(t[n].comm)))
			continue;
		printable(t[n].comm);
		t[n].ns = pid_cpu_ns(pid);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

static int by_share(const void *a, const void *b)
{
	const struct task_cpu *x = a, *y = b;

	return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : 0;
}

/*
 * The processes that used the most CPU over window_ms (from schedstat,
 * nanosecond resolution), as "name (pid N) 97%, ..." in shares of one CPU;
 * and every kdamond thread into kdamonds. Costs the window plus about
 * 5 ms of /proc reading on a machine with a hundred tasks.
 */
static void busy_processes(unsigned window_ms, char *buf, size_t len,
			   char *kdamonds, size_t klen)
{
	enum { MAX = 4096 };
	struct task_cpu *a = xcalloc(MAX, sizeof(*a));
	struct task_cpu *b = xcalloc(MAX, sizeof(*b));
	struct timespec ts = { 0, (long)window_ms * 1000000L };
	uint64_t t0, t1;
	int na, nb, shown = 0;
	size_t n = 0, kn = 0;

	buf[0] = kdamonds[0] = '\0';
	t0 = bench_now_ns();
	na = snapshot(a, MAX);
	nanosleep(&ts, NULL);
	nb = snapshot(b, MAX);
	t1 = bench_now_ns();
	for (int i = 0; i < nb; i++) {
		uint64_t before = 0;

		for (int j = 0; j < na; j++)
			if (a[j].pid == b[i].pid) {
				before = a[j].ns;
				break;
			}
		b[i].ns = b[i].ns > before ? b[i].ns - before : 0;
		if (!strncmp(b[i].comm, "kdamond", 7) && kn < klen)
			kn += (size_t)snprintf(kdamonds + kn, klen - kn,
					       "%s%s (pid %d)", kn ? ", " : "",
					       b[i].comm, b[i].pid);
	}
	qsort(b, (size_t)nb, sizeof(*b), by_share);
	for (int i = 0; i < nb && shown < 5 && n < len; i++) {
		double share = t1 > t0 ? (double)b[i].ns / (double)(t1 - t0) : 0;

		if (share < 0.01)
			break;
		n += (size_t)snprintf(buf + n, len - n, "%s%s (pid %d) %.0f%%",
				      n ? ", " : "", b[i].comm, b[i].pid,
				      share * 100);
		shown++;
	}
	if (!buf[0])
		snprintf(buf, len, "none above 1%% of a CPU over %u ms",
			 window_ms);
	free(a);
	free(b);
}

const char *context_damon(const char *admin, const char *threads, char *buf,
			  size_t len)
{
	char path[512], v[128];
	int nk, ctxs, nsch;
	size_t n = 0;

	buf[0] = '\0';
	if (threads && threads[0])
		n += (size_t)snprintf(buf, len, "threads: %s", threads);
	snprintf(path, sizeof(path), "%s/kdamonds/nr_kdamonds", admin);
	if (read_file_str(path, v, sizeof(v))) {
		if (n < len)
			snprintf(buf + n, len - n, "%s%s", n ? "; " : "",
				 n ? "sysfs admin interface not readable"
				   : "no kdamond running");
		return buf;
	}
	nk = atoi(v);
	for (int k = 0; k < nk && n < len; k++) {
		char state[32] = "?";

		snprintf(path, sizeof(path), "%s/kdamonds/%d/state", admin, k);
		read_file_str(path, state, sizeof(state));
		n += (size_t)snprintf(buf + n, len - n, "%skdamond %d %s",
				      n ? "; " : "", k, state);
		snprintf(path, sizeof(path), "%s/kdamonds/%d/contexts/"
			 "nr_contexts", admin, k);
		ctxs = read_file_str(path, v, sizeof(v)) ? 0 : atoi(v);
		for (int c = 0; c < ctxs && n < len; c++) {
			snprintf(path, sizeof(path), "%s/kdamonds/%d/contexts/"
				 "%d/operations", admin, k, c);
			if (read_file_str(path, v, sizeof(v)))
				snprintf(v, sizeof(v), "?");
			n += (size_t)snprintf(buf + n, len - n, ", %s", v);
			snprintf(path, sizeof(path), "%s/kdamonds/%d/contexts/"
				 "%d/schemes/nr_schemes", admin, k, c);
			nsch = read_file_str(path, v, sizeof(v)) ? 0 : atoi(v);
			for (int m = 0; m < nsch && n < len; m++) {
				snprintf(path, sizeof(path), "%s/kdamonds/%d/"
					 "contexts/%d/schemes/%d/action",
					 admin, k, c, m);
				if (read_file_str(path, v, sizeof(v)))
					snprintf(v, sizeof(v), "?");
				n += (size_t)snprintf(buf + n, len - n, "%s%s",
						      m ? " " : " scheme ", v);
			}
		}
	}
	if (!nk && n < len)
		snprintf(buf + n, len - n, "%sno kdamond configured",
			 n ? "; " : "");
	printable(buf);
	return buf;
}

const char *context_pti(const char *cpuinfo, char *buf, size_t len)
{
	FILE *f = fopen(cpuinfo, "r");
	char line[4096];
	int pti = 0, pcid = 0, flags = 0;

	while (f && fgets(line, sizeof(line), f)) {
		char *tok, *save = NULL;

		if (strncmp(line, "flags", 5))
			continue;
		flags = 1;
		for (tok = strtok_r(line, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			pti |= !strcmp(tok, "pti");
			pcid |= !strcmp(tok, "pcid");
		}
		break;
	}
	if (f)
		fclose(f);
	if (!flags)
		snprintf(buf, len, "unknown (no flags in %s)", cpuinfo);
	else if (!pti)
		snprintf(buf, len, "off%s", pcid ? ", PCID available" : "");
	else if (pcid)
		snprintf(buf, len, "on, with PCID (kernel entries keep the TLB)");
	else
		snprintf(buf, len, "on, without PCID: every kernel entry and "
			 "exit flushes the TLB");
	return buf;
}

static void vulnerabilities(void)
{
	const char *dir = "/sys/devices/system/cpu/vulnerabilities";
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[320], key[272], v[256];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (read_file_str(path, v, sizeof(v)))
			continue;
		printable(v);
		snprintf(key, sizeof(key), "cpu_vuln_%s", e->d_name);
		bench_context(key, "%s", v);
	}
	if (d)
		closedir(d);
}

static void caches(void)
{
	const struct calib_caches *m = topo_measured_caches();
	char buf[512];

	bench_context("topo_caches_sysfs", "%s", topo_sysfs_summary());
	for (int l = 1; l <= TOPO_MAX_LEVELS; l++)
		if (topo_sysfs_cache_size(l)) {
			char key[32];

			snprintf(key, sizeof(key), "sysfs_l%d_bytes", l);
			bench_context(key, "%llu", (unsigned long long)
				      topo_sysfs_cache_size(l));
		}
	if (!m) {
		bench_context("topo_caches_measured", "not measured: no case "
			      "asked for the last-level size (pass "
			      "--bench_caches=FILE from tools/calibrate)");
		bench_context("topo_llc_source", "%s", topo_llc_source());
		return;
	}
	bench_context("topo_caches_measured", "%s%s%s",
		      calib_caches_summary(m, buf, sizeof(buf)),
		      m->note[0] ? "; " : "", m->note);
	for (int l = 0; l < m->nlevels; l++) {
		char key[40];

		snprintf(key, sizeof(key), "measured_boundary%d_bytes", l + 1);
		bench_context(key, "%llu", (unsigned long long)m->levels[l].bytes);
	}
	bench_context("topo_llc_bytes", "%llu",
		      (unsigned long long)topo_llc_size());
	bench_context("topo_llc_source", "%s", topo_llc_source());
	bench_context("topo_cache_disagreement", "%s",
		      topo_cache_disagreement()[0] ? topo_cache_disagreement()
						   : "none");
}

/*
 * Load, busy processes, DAMON and mitigations: what the machine was doing
 * and how its kernel is set up when this binary started.
 */
static void machine_state(void)
{
	char buf[1024], kd[256];

	if (!read_file_str("/proc/loadavg", buf, sizeof(buf)))
		bench_context("loadavg", "%s", buf);
	busy_processes(30, buf, sizeof(buf), kd, sizeof(kd));
	bench_context("busy_processes", "%s", buf);
	bench_context("damon", "%s", context_damon("/sys/kernel/mm/damon/admin",
						   kd, buf, sizeof(buf)));
	bench_context("pti", "%s", context_pti("/proc/cpuinfo", buf,
					       sizeof(buf)));
	vulnerabilities();
}

void context_collect(void)
{
	struct utsname u;
	char buf[256], hash[65];
	const char *names[] = {
		"syscalls", "page_faults", "ctx_switches", "cpu_migrations",
		"task_clock_ns", "cycles", "instructions", "l1d_misses",
		"llc_misses", "dtlb_misses", "branch_misses",
	};

	bench_context("bench_flavor", "%s", BENCH_FLAVOR);
	bench_context("bench_cflags", "%s", BENCH_CFLAGS);
	bench_context("bench_harness_cflags", "%s", BENCH_HARNESS_CFLAGS);
	bench_context("bench_cc", "%s", BENCH_CC);
#ifdef __clang__
	bench_context("bench_compiler", "clang %s", __clang_version__);
#else
	bench_context("bench_compiler", "gcc %s", __VERSION__);
#endif
	bench_context("bench_git_commit", "%s", BENCH_GIT_COMMIT);
	if (BENCH_NATIVE[0])
		bench_context("bench_march_native", "%s", BENCH_NATIVE);
	bench_context("bench_profile", "%s", bench_profile_name());
	bench_context("bench_seed", "%llu", (unsigned long long)bench_seed());
	bench_context("bench_pinning", "%s",
		      bench_pinning() ? "thread i on core i mod ncores"
				      : "off");

	bench_context("cpu_model", "%s", topo_cpu_model());
	bench_context("topo_cpus", "%d", topo_ncpus());
	bench_context("topo_cores", "%d", topo_ncores());
	bench_context("topo_numa_nodes", "%d", topo_numa_nodes());
	bench_context("topo_caches", "%s", topo_cache_summary());
	bench_context("topo_line_size", "%u", topo_line_size());
	for (int l = 1; l <= TOPO_MAX_LEVELS; l++)
		if (topo_cache_size(l)) {
			char key[32];

			snprintf(key, sizeof(key), "topo_l%d_bytes", l);
			bench_context(key, "%llu",
				      (unsigned long long)topo_cache_size(l));
		}
	caches();
	bench_context("mem_total_bytes", "%llu",
		      (unsigned long long)mem_total());
	/* hwloc's figure can differ (one VM: 7.2 GiB against 23.5). */
	bench_context("topo_memory_bytes", "%llu",
		      (unsigned long long)topo_total_memory());
	bench_context("mem_available_bytes", "%llu",
		      (unsigned long long)mem_available());

	if (!uname(&u)) {
		bench_context("kernel", "%s %s", u.sysname, u.release);
		bench_context("kernel_version", "%s", u.version);
		bench_context("arch", "%s", u.machine);
	}
	bench_context("thp_mode", "%s", context_thp_mode());
	bench_context("hugetlb", "%s", hugetlb_summary(buf, sizeof(buf)));
	bench_context("hypervisor", "%s", context_hypervisor());
	bench_context("data_dir", "%s", bench_data_dir());
	bench_context("data_dir_fs", "%s",
		      context_fs_type(bench_data_dir(), buf, sizeof(buf)));
	bench_context("root", "%s", geteuid() == 0 ? "yes" : "no");
	machine_state();

	bench_context("papi", "%s", ctr_papi_status());
	bench_context("perf_event", "%s", ctr_perf_status());
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char key[64];

		snprintf(key, sizeof(key), "counter_%s", names[i]);
		bench_context(key, "%s", ctr_status(names[i]));
	}

	if (!context_file_sha256("/proc/self/exe", hash))
		bench_context("binary_sha256", "%s", hash);
	if (bench_code_sha256)
		bench_context("code_sha256", "%s", bench_code_sha256);
	if (&bench_code_text_bytes && bench_code_text_bytes)
		bench_context("code_text_bytes", "%lu", bench_code_text_bytes);
}
