/*
 * mem.c - buffers on a chosen page size, and what the kernel says about
 * them: huge-page share (smaps), resident set (smaps_rollup), physical
 * frames (pagemap).
 *
 * Why not mem_alloc() from harness/util.h: these buffers need a 2 MiB
 * aligned start for THP, MADV_NOHUGEPAGE for 4 KiB pages (so a machine in
 * THP "always" mode still gives 4 KiB pages where the name says so),
 * hugetlb, and a shuffled first-touch order.
 */
#define _GNU_SOURCE
#include "dram.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif

#define HUGETLB_SYSFS "/sys/kernel/mm/hugepages/hugepages-2048kB"

const char *const dram_pages_name[] = {
	[DRAM_4K] = "4 KiB pages",
	[DRAM_THP] = "THP (madvise)",
	[DRAM_HUGETLB] = "hugetlb 2 MiB",
};

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* Touches the pages of [p, p + len) in a random order drawn from seed. */
static int touch_shuffled(char *p, size_t len, uint64_t seed)
{
	size_t ps = page_size(), n = len / ps;
	uint32_t *order;
	struct rng r;

	if (n > UINT32_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	order = malloc(n * sizeof(*order));
	if (!order)
		return -1;
	rng_seed(&r, seed);
	cyc_order_random(order, n, &r);
	/* A write: a read would map the shared zero page, not a frame. */
	for (size_t i = 0; i < n; i++)
		((volatile char *)p)[(size_t)order[i] * ps] = 0;
	free(order);
	return 0;
}

/*
 * Maps every 2 MiB of [p, p + len) with 4 KiB page-table entries, keeping
 * the frames: changing the protection of one page splits the huge-page
 * mapping (the kernel must), and changing it back merges the VMAs again.
 * MADV_NOHUGEPAGE then keeps khugepaged from mapping them huge again.
 */
static int split_huge(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += DRAM_HUGE) {
		if (mprotect(p + off, page_size(), PROT_READ) ||
		    mprotect(p + off, page_size(), PROT_READ | PROT_WRITE))
			return -1;
	}
	/* Fails only where THP is not built in, and then nothing collapses. */
	madvise(p, len, MADV_NOHUGEPAGE);
	return 0;
}

int dram_buf_alloc(struct dram_buf *b, size_t bytes, enum dram_pages pages,
		   unsigned flags, uint64_t seed)
{
	int mflags = MAP_PRIVATE | MAP_ANONYMOUS;
	int aligned = pages == DRAM_THP ||
		      (pages == DRAM_4K && (flags & DRAM_CONTIG));
	size_t len;
	char *m;
	int e;

	memset(b, 0, sizeof(*b));
	if (!bytes || (flags & DRAM_CONTIG && flags & DRAM_NO_PREFAULT)) {
		errno = EINVAL;
		return -1;
	}
	if (aligned)
		/* Room to slide the start to a 2 MiB boundary. */
		len = round_up(bytes, DRAM_HUGE) + DRAM_HUGE;
	else if (pages == DRAM_HUGETLB)
		/* The kernel aligns hugetlb mappings itself. */
		len = round_up(bytes, DRAM_HUGE);
	else
		len = round_up(bytes, page_size());
	if (pages == DRAM_HUGETLB)
		mflags |= MAP_HUGETLB | MAP_HUGE_2MB;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, mflags, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	b->map = m;
	b->map_len = len;
	b->bytes = bytes;
	b->pages = pages;
	if (aligned) {
		b->p = (char *)(((uintptr_t)m + DRAM_HUGE - 1) &
				~(uintptr_t)(DRAM_HUGE - 1));
		b->span = round_up(bytes, DRAM_HUGE);
		/* Without THP, DRAM_CONTIG degrades to faulting in order. */
		if (madvise(b->p, b->span, MADV_HUGEPAGE) && pages == DRAM_THP)
			goto fail;
	} else {
		b->p = m;
		b->span = len;
		/* Can fail only where THP is not built in: 4 KiB anyway. */
		if (pages == DRAM_4K)
			madvise(m, len, MADV_NOHUGEPAGE);
	}
	if (flags & DRAM_NO_PREFAULT)
		return 0;
	if ((flags & DRAM_SHUFFLED) && pages == DRAM_4K) {
		if (touch_shuffled(b->p, b->span, seed))
			goto fail;
	} else {
		mem_prefault(b->p, b->span);
	}
	if (pages == DRAM_4K && (flags & DRAM_CONTIG) &&
	    split_huge(b->p, b->span))
		goto fail;
	return 0;
fail:
	e = errno;
	munmap(m, len);
	memset(b, 0, sizeof(*b));
	errno = e;
	return -1;
}

void dram_buf_free(struct dram_buf *b)
{
	if (b->map)
		munmap(b->map, b->map_len);
	memset(b, 0, sizeof(*b));
}

static void hugetlb_counts(unsigned long *total, unsigned long *avail)
{
	char buf[64];

	*total = *avail = 0;
	if (!read_file_str(HUGETLB_SYSFS "/nr_hugepages", buf, sizeof(buf)))
		*total = strtoul(buf, NULL, 10);
	if (!read_file_str(HUGETLB_SYSFS "/free_hugepages", buf, sizeof(buf)))
		*avail = strtoul(buf, NULL, 10);
}

int dram_buf_setup(struct bench_state *st, struct dram_buf *b, size_t bytes,
		   enum dram_pages pages, unsigned flags, size_t extra)
{
	uint64_t avail = mem_available(), need = bytes + extra;
	char a[32], n[32];

	if (avail && need > avail / 2) {
		bench_skip(st, "needs %s but only %s is available: skipped "
			   "rather than risk swapping",
			   fmt_bytes(n, sizeof(n), need),
			   fmt_bytes(a, sizeof(a), avail));
		return -1;
	}
	/* Its own stream: the fault order must not follow the chase order. */
	if (!dram_buf_alloc(b, bytes, pages, flags,
			    bench_seed() ^ 0x6a09e667f3bcc909ULL))
		return 0;
	if (pages == DRAM_HUGETLB) {
		unsigned long total, fr;
		int e = errno;

		hugetlb_counts(&total, &fr);
		bench_skip(st, "needs %zu free hugetlb pages of 2 MiB "
			   "(%lu reserved, %lu free); to reserve them, as "
			   "root: echo %zu > " HUGETLB_SYSFS "/nr_hugepages "
			   "(%s)", round_up(bytes, DRAM_HUGE) / DRAM_HUGE,
			   total, fr,
			   round_up(bytes, DRAM_HUGE) / DRAM_HUGE + total - fr,
			   strerror(e));
		return -1;
	}
	bench_skip(st, "cannot map %s on %s (%s)",
		   fmt_bytes(n, sizeof(n), bytes),
		   dram_pages_name[pages], strerror(errno));
	return -1;
}

double dram_huge_share(const void *p, size_t len)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + len, vs = 0, ve = 0;
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	uint64_t huge = 0;
	int in = 0, seen = 0;

	if (!f || !len) {
		if (f)
			fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kb;
		uintptr_t s, e;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &s, &e) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			vs = s;
			ve = e;
			in = s < hi && e > lo;
			seen |= in;
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, "AnonHugePages: %llu kB", &kb) == 1) {
			uint64_t b = kb * 1024, room;

			/* A VMA wider than the range counts only its part. */
			room = (ve < hi ? ve : hi) - (vs > lo ? vs : lo);
			huge += b < room ? b : room;
		} else if (sscanf(line, "Private_Hugetlb: %llu kB", &kb) == 1 ||
			   sscanf(line, "Shared_Hugetlb: %llu kB", &kb) == 1) {
			huge += kb * 1024;
		}
	}
	fclose(f);
	if (!seen)
		return -1;
	return huge >= len ? 1.0 : (double)huge / (double)len;
}

int dram_huge_or_skip(struct bench_state *st, const struct dram_buf *b,
		      double *share)
{
	char mode[128];

	*share = b->pages == DRAM_HUGETLB ? 1.0 :
		 dram_huge_share(b->p, b->span);
	if (b->pages != DRAM_THP || *share >= 0.9)
		return 0;
	if (read_file_str("/sys/kernel/mm/transparent_hugepage/enabled", mode,
			  sizeof(mode)))
		snprintf(mode, sizeof(mode), "unavailable");
	bench_skip(st, "THP refused: %s of the buffer is on huge pages "
		   "(transparent_hugepage/enabled: %s)",
		   *share < 0 ? "an unknown share" :
		   *share < 0.005 ? "none" : "less than 90%", mode);
	return -1;
}

int64_t dram_rss_bytes(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	unsigned long long kb;
	int64_t rss = -1;

	if (!f)
		return -1;
	/* The rollup walks the page tables: exact, unlike statm. */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Rss: %llu kB", &kb) == 1) {
			rss = (int64_t)kb * 1024;
			break;
		}
	fclose(f);
	return rss;
}

int dram_pfns(const void *addr, size_t n, uint64_t *pfn)
{
	const uint64_t present = 1ULL << 63, mask = (1ULL << 55) - 1;
	size_t ps = page_size(), done = 0, npresent = 0, nzero = 0;
	off_t off = (off_t)((uintptr_t)addr / ps * sizeof(uint64_t));
	uint64_t buf[512];
	int fd, e;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (done < n) {
		size_t want = n - done < 512 ? n - done : 512;
		ssize_t got = pread(fd, buf, want * sizeof(uint64_t),
				    off + (off_t)(done * sizeof(uint64_t)));

		if (got <= 0 || got % sizeof(uint64_t)) {
			e = got < 0 ? errno : EIO;
			close(fd);
			errno = e;
			return -1;
		}
		for (size_t i = 0; i < (size_t)got / sizeof(uint64_t); i++) {
			uint64_t v = buf[i];

			pfn[done + i] = (v & present) ? (v & mask) : 0;
			npresent += !!(v & present);
			nzero += (v & present) && !(v & mask);
		}
		done += (size_t)got / sizeof(uint64_t);
	}
	close(fd);
	/* Present pages with frame 0 everywhere: the kernel hid them. */
	if (npresent && nzero == npresent) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

double dram_adjacent_share(const uint64_t *pfn, size_t n)
{
	size_t adj = 0;

	if (n < 2)
		return 0;
	/* Either way round: frames handed out high to low are neighbours. */
	for (size_t i = 0; i + 1 < n; i++)
		adj += pfn[i] && pfn[i + 1] &&
		       (pfn[i + 1] == pfn[i] + 1 || pfn[i] == pfn[i + 1] + 1);
	return (double)adj / (double)(n - 1);
}

void dram_buf_adjacency(const struct dram_buf *b, double *share, char *note,
			size_t len)
{
	size_t n = b->span / page_size();
	uint64_t *pfn = malloc(n * sizeof(*pfn));

	*share = -1;
	note[0] = '\0';
	if (!pfn) {
		snprintf(note, len, "physical adjacency unknown (%s)",
			 strerror(errno));
		return;
	}
	if (dram_pfns(b->p, n, pfn))
		snprintf(note, len, "physical adjacency unknown: %s",
			 errno == EPERM ? "pagemap hides frame numbers "
					  "without CAP_SYS_ADMIN" :
					  strerror(errno));
	else
		*share = dram_adjacent_share(pfn, n);
	free(pfn);
}
