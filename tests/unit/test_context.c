/*
 * test_context.c - the pieces of the run context.
 */
#define _GNU_SOURCE
#include "context.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	ok(strlen(context_hypervisor()) > 0, "hypervisor: %s",
	   context_hypervisor());
	return tap_done();
}
