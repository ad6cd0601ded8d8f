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
#include "machine.h"
#include "topo.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
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
#ifndef BENCH_PGO_TRAINING
#define BENCH_PGO_TRAINING ""
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
	if (BENCH_PGO_TRAINING[0])
		bench_context("bench_pgo_training", "%s", BENCH_PGO_TRAINING);
	bench_context("bench_profile", "%s", bench_profile_name());
	bench_context("bench_seed", "%llu", (unsigned long long)bench_seed());

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
	machine_context();

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
