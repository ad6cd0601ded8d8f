/*
 * alloc.c - internal fragmentation and first touch: what small objects
 * really cost in resident memory when each gets its own page, and what
 * touching fresh memory costs on 4 KiB and huge pages.
 *
 * alloc/<allocator>/size:S allocates N objects of S bytes (the timed part:
 * the allocation calls alone), then, untimed, writes every object whole
 * and reads the resident set from /proc/self/smaps_rollup, which walks
 * the page tables and is exact to the page. rss_ratio is resident growth
 * over bytes requested; page_ratio is page size / S, the waste a page per
 * object would give. malloc packs objects in 16-byte-aligned chunks with
 * an 8-byte header; one mmap per object takes a whole page each; an arena
 * (a bump pointer in one mapping) packs them end to end.
 *
 * first_touch/<pages> times writing one byte per 4 KiB of fresh memory:
 * every write to a new page is a page fault (the kernel allocates and
 * zeroes a frame). page_faults per iteration (1 MiB) is counted by the
 * harness: 256 on 4 KiB pages, 0.5 on 2 MiB pages.
 *
 * Run just this:  build/O2/bench_dram --benchmark_filter='dram/(alloc|first_touch)/'
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5): rss_ratio about 8
 * for malloc of 4 B, exactly 1024 for mmap of 4 B, 1.0 for the arena;
 * malloc 20 ns per object at 4 B (about 1 us at 2 KiB, where the heap grows
 * and faults), mmap 1.3 us, arena 1.2 ns; first touch about 400 us per
 * MiB on 4 KiB pages (1.5 us a page, 256 faults) and 50 us on THP.
 */
#define _GNU_SOURCE
#include "dram.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MiB ((size_t)1 << 20)

struct objs {
	enum alloc_kind kind;
	size_t n, size, align;
	void **obj;
	char *arena;
	size_t arena_len, used;
};

static int objs_init(struct objs *o, enum alloc_kind kind, size_t n,
		     size_t size)
{
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->n = n;
	o->size = size;
	o->align = size < 16 ? size : 16;
	/* The pointer array is prefaulted: its faults are not the objects'. */
	o->obj = mem_alloc(n * sizeof(*o->obj), 0);
	if (!o->obj)
		return -1;
	if (kind == ALLOC_ARENA) {
		o->arena_len = (n * size + page_size() - 1) / page_size() *
			       page_size();
		o->arena = mem_alloc(o->arena_len, MEM_NO_PREFAULT);
		if (!o->arena) {
			int e = errno;

			mem_free(o->obj, n * sizeof(*o->obj));
			errno = e;
			return -1;
		}
		madvise(o->arena, o->arena_len, MADV_NOHUGEPAGE);
	}
	return 0;
}

static void objs_destroy(struct objs *o)
{
	mem_free(o->obj, o->n * sizeof(*o->obj));
	mem_free(o->arena, o->arena_len);
	memset(o, 0, sizeof(*o));
}

/* The timed operation: one allocation, as a program would make it. */
static inline void *objs_alloc(struct objs *o)
{
	void *p;

	switch (o->kind) {
	case ALLOC_MALLOC:
		return malloc(o->size);
	case ALLOC_MMAP:
		p = mmap(NULL, o->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? NULL : p;
	case ALLOC_ARENA:
		o->used = (o->used + o->align - 1) & ~(o->align - 1);
		if (o->used + o->size > o->arena_len)
			return NULL;
		p = o->arena + o->used;
		o->used += o->size;
		return p;
	}
	return NULL;
}

/*
 * Writes every object whole with its index, then checks the first and
 * last byte of each: an object that overlaps a later one fails. Returns
 * the number of bad objects.
 */
static int objs_touch_check(struct objs *o)
{
	int bad = 0;

	for (size_t i = 0; i < o->n; i++)
		if (o->obj[i])
			memset(o->obj[i], (int)(i & 0xff), o->size);
	for (size_t i = 0; i < o->n; i++) {
		const unsigned char *c = o->obj[i];

		if (c && (c[0] != (i & 0xff) || c[o->size - 1] != (i & 0xff)))
			bad++;
	}
	return bad;
}

/* Untimed, before the allocations: the resident set they add to. */
static int64_t objs_rss_before(const struct objs *o)
{
	if (o->kind == ALLOC_MALLOC)
		malloc_trim(0);	/* no resident free heap hides growth */
	return dram_rss_bytes();
}

/*
 * Untimed, after the allocations: writes and checks every object
 * (objs_touch_check), then reads the resident set into *rss1 and counts
 * the allocations that failed into *failed. Returns the bad objects.
 */
static int objs_after(struct objs *o, int64_t *rss1, size_t *failed)
{
	int bad = objs_touch_check(o);

	*rss1 = dram_rss_bytes();
	*failed = 0;
	for (size_t i = 0; i < o->n; i++)
		*failed += !o->obj[i];
	return bad;
}

/* Gives everything back so the next run starts from the same RSS. */
static void objs_release(struct objs *o)
{
	for (size_t i = 0; i < o->n; i++) {
		if (!o->obj[i])
			continue;
		if (o->kind == ALLOC_MALLOC)
			free(o->obj[i]);
		else if (o->kind == ALLOC_MMAP)
			munmap(o->obj[i], o->size);
		o->obj[i] = NULL;
	}
	if (o->kind == ALLOC_MALLOC)
		malloc_trim(0);	/* freed chunks would stay resident */
	if (o->kind == ALLOC_ARENA)
		madvise(o->arena, o->arena_len, MADV_DONTNEED);
	o->used = 0;
}

int alloc_measure(enum alloc_kind kind, size_t n, size_t size,
		  struct alloc_result *res)
{
	struct objs o;
	int64_t rss0, rss1;
	size_t failed;

	if (objs_init(&o, kind, n, size))
		return -1;
	rss0 = objs_rss_before(&o);
	for (size_t i = 0; i < n; i++)
		o.obj[i] = objs_alloc(&o);
	res->bad = objs_after(&o, &rss1, &failed) + (int)failed;
	objs_release(&o);
	objs_destroy(&o);
	if (rss0 < 0 || rss1 < 0) {
		errno = ENOENT;
		return -1;
	}
	res->rss_bytes = (double)(rss1 - rss0);
	res->requested = (double)n * (double)size;
	return 0;
}

static size_t alloc_objects(void)
{
	switch (bench_profile()) {
	case BENCH_PROFILE_TEST:
		return 256;
	case BENCH_PROFILE_FULL:
		return 65536;
	default:
		/*
		 * 16 MiB resident for one page per object. A fresh page costs
		 * 12-78 us on a VM whose host backs guest memory on first touch,
		 * so this is what keeps a quick run short; the few free heap
		 * pages malloc reuses (already resident, so not counted) stay a
		 * few percent of its figure.
		 */
		return 4096;
	}
}

static int alloc_setup(struct bench_state *st)
{
	struct objs *o = xcalloc(1, sizeof(*o));

	if (objs_init(o, (enum alloc_kind)bench_param(st), alloc_objects(),
		      (size_t)bench_arg(st))) {
		bench_skip(st, "cannot map the object table (%s)",
			   strerror(errno));
		free(o);
		return -1;
	}
	bench_set_priv(st, o);
	return 0;
}

/* One iteration (fixed) allocates all N objects; the rest is untimed. */
static void alloc_run(struct bench_state *st)
{
	struct objs *o = bench_priv(st);
	int64_t rss0, rss1;
	size_t failed;
	uint64_t n;
	int bad;

	rss0 = objs_rss_before(o);
	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++)
			for (size_t k = 0; k < o->n; k++)
				o->obj[k] = objs_alloc(o);
	bench_escape(o->obj);
	if (bench_iterations(st) != 1) {
		/* Each iteration would overwrite the last one's pointers. */
		bench_fail(st, "needs exactly one iteration per run");
		objs_release(o);
		return;
	}
	bad = objs_after(o, &rss1, &failed);
	if (failed) {
		bench_skip(st, "%zu of %zu allocations failed (%s)", failed,
			   o->n, strerror(ENOMEM));
	} else if (bad) {
		bench_fail(st, "%d objects overlap another", bad);
	} else if (rss0 < 0 || rss1 < 0) {
		bench_skip(st, "cannot read /proc/self/smaps_rollup");
	} else {
		double req = (double)o->n * (double)o->size;

		bench_counter(st, "rss_ratio", (double)(rss1 - rss0) / req,
			      BENCH_CTR_TOTAL);
		bench_counter(st, "rss_per_object",
			      (double)(rss1 - rss0) / (double)o->n,
			      BENCH_CTR_TOTAL);
		bench_counter(st, "page_ratio",
			      (double)page_size() / (double)o->size,
			      BENCH_CTR_TOTAL);
		bench_counter(st, "objects", (double)o->n, BENCH_CTR_TOTAL);
		bench_set_items(st, (int64_t)(bench_iterations(st) * o->n));
	}
	objs_release(o);
}

static void alloc_teardown(struct bench_state *st)
{
	struct objs *o = bench_priv(st);

	if (!o)
		return;
	objs_destroy(o);
	free(o);
}

/* ---- first touch ---- */

static void touch_run(struct bench_state *st)
{
	enum dram_pages pages = (enum dram_pages)bench_param(st);
	size_t len = (size_t)bench_max_iterations(st) * MiB, ps = page_size();
	struct dram_buf b;
	uint64_t n;
	double huge;

	/* Mapped, not touched: the faults are what the loop measures. */
	if (dram_buf_setup(st, &b, len, pages, DRAM_NO_PREFAULT, 0))
		return;
	while ((n = bench_batch(st)) != 0)
		for (uint64_t i = 0; i < n; i++) {
			volatile char *mb = b.p + i * MiB;

			for (size_t off = 0; off < MiB; off += ps)
				mb[off] = 1;
		}
	/* A THP case the kernel served with 4 KiB pages is skipped. */
	dram_huge_or_skip(st, &b, &huge);
	dram_buf_free(&b);
	bench_set_bytes(st, (int64_t)(bench_iterations(st) * MiB));
	if (huge >= 0)
		bench_counter(st, "huge_share", huge, BENCH_CTR_TOTAL);
	bench_label(st, "%s", dram_pages_name[pages]);
}

static int touch_verify(struct bench_state *st)
{
	uint64_t page = bench_param(st) == DRAM_4K ? page_size() : DRAM_HUGE;
	uint64_t want = (bench_iterations(st) * MiB + page - 1) / page;
	double faults;

	if (bench_counted(st, "page_faults", &faults))
		return 0;
	/* Fewer faults than pages: the memory was not fresh. */
	if (faults < (double)want) {
		bench_fail(st, "%.0f page faults for %llu fresh pages", faults,
			   (unsigned long long)want);
		return 1;
	}
	return 0;
}

/*
 * Object sizes: every power of two from 4 B to 2 KiB in full and test;
 * quick takes every other one (the claims use 4 B and 256 B).
 */
static int alloc_sizes(const struct bench_case *c, int64_t *args, int max)
{
	int n = 0, step = bench_profile() == BENCH_PROFILE_QUICK ? 4 : 2;

	for (int64_t s = 4; s <= 2048 && n < max; s *= step)
		args[n++] = s;
	return n;
}
#define ALLOC_SIZES .gen_args = alloc_sizes

static const struct bench_case cases[] = {
	{
		.name = "alloc/malloc",
		.desc = "N small objects by malloc: time, RSS / requested",
		.setup = alloc_setup, .run = alloc_run,
		.teardown = alloc_teardown,
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,
		ALLOC_SIZES,
		.iterations = 1,
		.param = ALLOC_MALLOC,
	},
	{
		.name = "alloc/mmap",
		.desc = "N small objects, one mmap each: time, RSS / requested",
		.setup = alloc_setup, .run = alloc_run,
		.teardown = alloc_teardown,
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,
		ALLOC_SIZES,
		.iterations = 1,
		.param = ALLOC_MMAP,
	},
	{
		.name = "alloc/arena",
		.desc = "N small objects from an arena: time, RSS / requested",
		.setup = alloc_setup, .run = alloc_run,
		.teardown = alloc_teardown,
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,
		ALLOC_SIZES,
		.iterations = 1,
		.param = ALLOC_ARENA,
	},
	{
		.name = "first_touch/4k",
		.desc = "first write to fresh memory, per MiB, 4 KiB pages",
		.run = touch_run, .verify = touch_verify,
		.iterations = 64,
		.counters = "page_faults",
		.param = DRAM_4K,
	},
	{
		.name = "first_touch/thp",
		.desc = "first write to fresh memory, per MiB, THP (madvise)",
		.run = touch_run, .verify = touch_verify,
		.iterations = 64,
		.counters = "page_faults",
		.param = DRAM_THP,
	},
	{
		.name = "first_touch/hugetlb",
		.desc = "first write to fresh memory, per MiB, hugetlb 2 MiB",
		.run = touch_run, .verify = touch_verify,
		.iterations = 64,
		.counters = "page_faults",
		.param = DRAM_HUGETLB,
	},
};
BENCH_FAMILY(cases);
