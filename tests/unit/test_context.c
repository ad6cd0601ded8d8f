/*
 * test_context.c - the pieces of the run context: filesystem, hashes,
 * hypervisor names, DAMON and page-table isolation read from stand-in
 * sysfs and cpuinfo files.
 */
#define _GNU_SOURCE
#include "context.h"
#include "machine.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put(const char *dir, const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd))
		return;
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_hypervisors(void)
{
	char buf[128];

	is_str(context_hv_name("bhyve bhyve ", buf, sizeof(buf)), "bhyve",
	       "bhyve's CPUID vendor reads bhyve");
	is_str(context_hv_name("KVMKVMKVM\0\0\0", buf, sizeof(buf)), "KVM",
	       "KVM's, NUL padded");
	is_str(context_hv_name("Microsoft Hv", buf, sizeof(buf)), "Hyper-V",
	       "Hyper-V");
	is_str(context_hv_name("VMwareVMware", buf, sizeof(buf)), "VMware",
	       "VMware");
	is_str(context_hv_name("NewVisor\x01  ", buf, sizeof(buf)),
	       "unknown hypervisor (CPUID vendor \"NewVisor?\")",
	       "an unknown vendor is named, unprintable bytes replaced");
}

static void test_damon(void)
{
	char dir[] = "/tmp/bench-damon-XXXXXX", buf[512], cmd[600];

	if (!mkdtemp(dir)) {
		ok(0, "make a stand-in sysfs");
		return;
	}
	is_str(machine_damon(dir, "", buf, sizeof(buf)), "no kdamond running",
	       "no DAMON interface: none running");
	put(dir, "kdamonds/nr_kdamonds", "1\n");
	put(dir, "kdamonds/0/state", "on\n");
	put(dir, "kdamonds/0/contexts/nr_contexts", "1\n");
	put(dir, "kdamonds/0/contexts/0/operations", "paddr\n");
	put(dir, "kdamonds/0/contexts/0/schemes/nr_schemes", "2\n");
	put(dir, "kdamonds/0/contexts/0/schemes/0/action", "pageout\n");
	put(dir, "kdamonds/0/contexts/0/schemes/1/action", "lru_prio\n");
	is_str(machine_damon(dir, "kdamond.0 (pid 83)", buf, sizeof(buf)),
	       "threads: kdamond.0 (pid 83); kdamond 0 on, paddr scheme "
	       "pageout lru_prio",
	       "a physical-address pageout scheme is named");
	put(dir, "kdamonds/nr_kdamonds", "0\n");
	is_str(machine_damon(dir, "", buf, sizeof(buf)),
	       "no kdamond configured", "an interface with none configured");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(!system(cmd), "clean up");
}

static void test_pti(void)
{
	char dir[] = "/tmp/bench-cpuinfo-XXXXXX", path[600], buf[256];

	if (!mkdtemp(dir)) {
		ok(0, "make a stand-in cpuinfo");
		return;
	}
	snprintf(path, sizeof(path), "%s/cpuinfo", dir);
	put(dir, "cpuinfo", "processor\t: 0\nflags\t\t: fpu pae pti avx2\n");
	is_str(machine_pti(path, buf, sizeof(buf)),
	       "on, without PCID: every kernel entry and exit flushes the TLB",
	       "PTI without PCID");
	put(dir, "cpuinfo", "flags\t\t: fpu pcid pti\n");
	is_str(machine_pti(path, buf, sizeof(buf)),
	       "on, with PCID (kernel entries keep the TLB)", "PTI with PCID");
	put(dir, "cpuinfo", "flags\t\t: fpu pcid\n");
	is_str(machine_pti(path, buf, sizeof(buf)), "off, PCID available",
	       "no PTI");
	put(dir, "cpuinfo", "Features\t: fp asimd\n");
	ok(!strncmp(machine_pti(path, buf, sizeof(buf)), "unknown", 7),
	   "no x86 flags: unknown");
	unlink(path);
	rmdir(dir);
	ok(strlen(machine_pti("/proc/cpuinfo", buf, sizeof(buf))) > 0,
	   "this machine: %s", buf);
}

int main(void)
{
	char buf[128], hash[65], path[] = "/tmp/bench-ctx-XXXXXX";
	int fd;

	is_str(context_fs_type("/proc", buf, sizeof(buf)), "proc", "/proc is proc");
	if (!access("/dev/shm", W_OK))
		is_str(context_fs_type("/dev/shm", buf, sizeof(buf)), "tmpfs",
		       "/dev/shm is tmpfs");
	ok(!strncmp(context_fs_type("/nonexistent/x", buf, sizeof(buf)),
		    "unknown", 7), "a missing path says unknown with why: %s",
	   buf);
	fd = mkstemp(path);
	ok(fd >= 0 && write(fd, "abc", 3) == 3, "write a file");
	close(fd);
	ok(!context_file_sha256(path, hash), "hash it");
	is_str(hash,
	       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "SHA-256 of \"abc\" (FIPS 180-2 example)");
	unlink(path);
	ok(context_file_sha256("/nonexistent", hash) < 0, "missing file: -1");
	ok(strlen(context_thp_mode()) > 0, "THP mode: %s", context_thp_mode());
	ok(strlen(context_hypervisor()) > 0 &&
		   strncmp(context_hypervisor(), "yes (", 5),
	   "hypervisor: %s", context_hypervisor());
	test_hypervisors();
	test_damon();
	test_pti();
	return tap_done();
}
