/*
 * mem.c - resident-memory accounting, the allocators' RSS figures, huge
 * page shares and physical adjacency as the benchmarks compute them.
 */
#define _GNU_SOURCE
#include "dram.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB ((size_t)1 << 20)

static void rss(void)
{
	size_t ps = page_size(), n = 400;
	int64_t r0, r1;
	char *p;

	p = mmap(NULL, n * ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(p, n * ps, MADV_NOHUGEPAGE);
	r0 = dram_rss_bytes();
	ok(r0 > 0, "the resident set can be read (%lld)", (long long)r0);
	/* Again, now that stdio and the heap have set themselves up. */
	r0 = dram_rss_bytes();
	for (size_t i = 0; i < n; i++)
		p[i * ps] = 1;
	r1 = dram_rss_bytes();
	ok(llabs((r1 - r0) - (int64_t)(n * ps)) <=
		   (8 + TAP_SHADOW((int64_t)n)) * (int64_t)ps,
	   "touching %zu pages adds %zu bytes (%lld)", n, n * ps,
	   (long long)(r1 - r0));
	munmap(p, n * ps);
	ok(dram_rss_bytes() < r1, "unmapping gives them back");
}

static void allocators(void)
{
	struct alloc_result res;
	double ratio;

	ok(!alloc_measure(ALLOC_MMAP, 512, 4, &res), "mmap of 512 x 4 B");
	ratio = res.rss_bytes / res.requested;
	is_dbl(ratio, 4096.0 / 4, 1024 * 0.05 + TAP_SHADOW(1024.0),
	       "mmap per object: RSS is a page per object");
	is_int(res.bad, 0, "mmap objects keep their contents");

	ok(!alloc_measure(ALLOC_MMAP, 512, 2048, &res), "mmap of 512 x 2 KiB");
	is_dbl(res.rss_bytes / res.requested, 2.0, 0.1,
	       "mmap per object of 2 KiB: twice the bytes");

	ok(!alloc_measure(ALLOC_ARENA, 4096, 64, &res), "arena of 4096 x 64 B");
	ratio = res.rss_bytes / res.requested;
	ok(ratio >= 0.99 && ratio <= 1.05, "arena: RSS close to the bytes (%.3f)",
	   ratio);
	is_int(res.bad, 0, "arena objects do not overlap");

	ok(!alloc_measure(ALLOC_MALLOC, 16384, 4, &res), "malloc of 16384 x 4 B");
	ratio = res.rss_bytes / res.requested;
	/* glibc: a 32-byte chunk per 4-byte object, less reused heap. */
	ok(ratio > 4 && ratio < 10, "malloc of 4 B: about 8x (%.2f)", ratio);
	is_int(res.bad, 0, "malloc objects do not overlap");
}

static void adjacency(void)
{
	const uint64_t up[] = { 10, 11, 12, 13 }, down[] = { 13, 12, 11, 10 };
	const uint64_t apart[] = { 10, 12, 14, 30 }, hidden[] = { 0, 0, 0 };
	const uint64_t half[] = { 10, 11, 20, 21, 40 };

	is_dbl(dram_adjacent_share(up, 4), 1.0, 1e-9, "ascending frames");
	is_dbl(dram_adjacent_share(down, 4), 1.0, 1e-9, "descending frames");
	is_dbl(dram_adjacent_share(apart, 4), 0.0, 1e-9, "scattered frames");
	is_dbl(dram_adjacent_share(hidden, 3), 0.0, 1e-9,
	       "frame 0 (hidden) is never adjacent");
	is_dbl(dram_adjacent_share(half, 5), 0.5, 1e-9, "two pairs of four");
}

static double share_of(enum dram_pages pages, unsigned flags, double *huge)
{
	struct dram_buf b;
	double share;
	char note[160];

	if (dram_buf_alloc(&b, 16 * MiB, pages, flags, 1))
		return -2;
	dram_buf_adjacency(&b, &share, note, sizeof(note));
	*huge = dram_huge_share(b.p, b.span);
	dram_buf_free(&b);
	return share;
}

static void backings(void)
{
	char thp[128] = "";
	double share, huge;
	int have_thp;

	read_file_str("/sys/kernel/mm/transparent_hugepage/enabled", thp,
		      sizeof(thp));
	have_thp = thp[0] && !strstr(thp, "[never]");

	share = share_of(DRAM_4K, 0, &huge);
	is_dbl(huge, 0.0, 1e-9, "4 KiB buffer: no huge pages");
	share = share_of(DRAM_THP, 0, &huge);
	if (have_thp)
		ok(huge > 0.99, "THP buffer: on huge pages (%.3f)", huge);
	if (geteuid() != 0) {
		ok(share == -1, "without root the frames are unknown");
		return;
	}
	share = share_of(DRAM_4K, DRAM_SHUFFLED, &huge);
	ok(share >= 0 && share < 0.05,
	   "shuffled first touch scatters the frames (%.4f)", share);
	share = share_of(DRAM_4K, DRAM_CONTIG, &huge);
	is_dbl(huge, 0.0, 1e-9, "contiguous 4 KiB buffer: mapped by 4 KiB");
	if (have_thp)
		ok(share > 0.99, "contiguous 4 KiB buffer: frames in order "
		   "(%.4f)", share);
}

/* As root: an unprivileged child must see the frames hidden (EPERM). */
static void hidden_frames(void)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		return;
	pid = fork();
	if (pid == 0) {
		char *p = mmap(NULL, page_size(), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t pfn;

		p[0] = 1;
		if (setgid(65534) || setuid(65534))
			_exit(2);
		/* A changed uid makes /proc/self root's; undo that only. */
		prctl(PR_SET_DUMPABLE, 1);
		_exit(dram_pfns(p, 1, &pfn) == -1 && errno == EPERM ? 0 : 1);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	   WEXITSTATUS(status) == 0,
	   "without CAP_SYS_ADMIN, pagemap frames read as hidden (EPERM)");
}

int main(void)
{
	rss();
	allocators();
	adjacency();
	backings();
	hidden_frames();
	return tap_done();
}
