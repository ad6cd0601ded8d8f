/*
 * hot.c - hot-field grouping: the same socket-like struct in three field
 * orders, and a TX-like or RX-like hot path over many objects.
 *
 * Isolates what field order costs a fast path: the struct is Linux's
 * struct tcp_sock modelled field by field (tcp_sock_fields.tsv, about
 * 2.2 KiB with its cold inet_connection_sock prefix); "scattered" keeps the
 * order the fields had before the 6.8 reorganisation, "grouped" gathers the
 * fields each path uses into the kernel's six access groups, and
 * "grouped_aligned" starts each group on a line. The hot path of each
 * layout is the same code (tcp_sock.h, generated), reading every field the
 * path reads and updating every field it writes, so only the number of
 * distinct lines it touches differs; that number is reported per object
 * as lines_per_op. Objects are visited in a random order, from a working
 * set that fits in L1 to four times the last-level cache.
 *
 *   hot/<path>/<layout>/size:N         free mode: the CPU may overlap
 *                                      every line miss of an object, and
 *                                      of the next as far as it reaches
 *   hot_serial/<path>/<layout>/size:N  serial mode: each field access
 *                                      waits for the one before, so each
 *                                      distinct line is a miss of its own
 *
 * Run just this:  build/O2/bench_cacheline --benchmark_filter=/hot
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, gcc 12 -O2, CPU
 * time): in L1 about 18 ns per object in free mode and 95 ns in serial
 * mode, whatever the layout; at 128 MiB (4x LLC) the RX path touches 10
 * lines scattered and 6 grouped and is 1.1-1.2x faster grouped in free
 * mode (about 240 against 220 ns), 1.2-1.5x in serial mode (about 650
 * against 500 ns).
 */
#define _GNU_SOURCE
#include "gbshim.h"
#include "hot.h"
#include "tcp_sock.h"
#include "topo.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cl_nfields(void)
{
	return CL_NFIELDS;
}

int cl_lines_touched(const struct cl_layout *l, enum cl_path path,
		     unsigned line, int *written)
{
	/* A bitmap of lines; the struct is far under 256 lines of 16 B. */
	uint8_t used[256] = { 0 };
	int n = 0, nw = 0;

	for (int i = 0; i < CL_NFIELDS; i++) {
		const struct cl_field *f = &l->fields[i];
		uint8_t u = path == CL_TX ? f->tx : f->rx;
		uint32_t first = f->off, last;

		if (u == CL_NONE)
			continue;
		last = f->bits ? f->off + (f->bit + f->bits - 1) / 8
			       : f->off + f->size - 1;
		for (uint32_t k = first / line; k <= last / line; k++) {
			uint8_t mark = u == CL_WRITE ? 3 : 1;

			if (k >= sizeof(used))
				die("cacheline: line %u past the bitmap", k);
			if (!used[k])
				n++;
			if ((mark & 2) && !(used[k] & 2))
				nw++;
			used[k] |= mark;
		}
	}
	if (written)
		*written = nw;
	return n;
}

uint64_t cl_get(const struct cl_field *f, const void *obj, uint32_t e)
{
	const unsigned char *p = (const unsigned char *)obj + f->off;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	if (f->bits)
		return (uint64_t)(*p >> f->bit) & ((1u << f->bits) - 1);
	p += (size_t)e * f->elem;
	switch (f->elem) {
	case 1:
		memcpy(&u8, p, 1);
		return u8;
	case 2:
		memcpy(&u16, p, 2);
		return u16;
	case 4:
		memcpy(&u32, p, 4);
		return u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

void cl_set(const struct cl_field *f, void *obj, uint32_t e, uint64_t v)
{
	unsigned char *p = (unsigned char *)obj + f->off;
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	if (f->bits) {
		unsigned mask = ((1u << f->bits) - 1) << f->bit;

		*p = (uint8_t)((*p & ~mask) | ((v << f->bit) & mask));
		return;
	}
	p += (size_t)e * f->elem;
	switch (f->elem) {
	case 1:
		memcpy(p, &u8, 1);
		break;
	case 2:
		memcpy(p, &u16, 2);
		break;
	case 4:
		memcpy(p, &u32, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

static uint64_t mix64(uint64_t x)
{
	/* splitmix64's finaliser: every input bit reaches every output bit. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t cl_init_value(uint64_t seed, uint64_t idx, int field, uint32_t e)
{
	return mix64(seed ^ mix64(idx * 0x9e3779b97f4a7c15ULL +
				  ((uint64_t)field << 16) + e));
}

static uint32_t nelem(const struct cl_field *f)
{
	return f->bits ? 1 : f->nelem;
}

void cl_init_object(const struct cl_layout *l, void *obj, uint64_t seed,
		    uint64_t idx, int path)
{
	for (int i = 0; i < CL_NFIELDS; i++) {
		const struct cl_field *f = &l->fields[i];

		if (path >= 0 && (path == CL_TX ? f->tx : f->rx) == CL_NONE)
			continue;
		for (uint32_t e = 0; e < nelem(f); e++)
			cl_set(f, obj, e, cl_init_value(seed, idx, i, e));
	}
}

uint64_t cl_path_len(const struct cl_layout *l, const void *obj,
		     enum cl_path path)
{
	uint64_t len = 0;

	for (int i = 0; i < CL_NFIELDS; i++) {
		const struct cl_field *f = &l->fields[i];

		if ((path == CL_TX ? f->tx : f->rx) != CL_READ)
			continue;
		for (uint32_t e = 0; e < nelem(f); e++)
			len += cl_get(f, obj, e);
	}
	return len;
}

static uint64_t width_mask(const struct cl_field *f)
{
	unsigned w = f->bits ? f->bits : 8 * f->elem;

	return w >= 64 ? ~0ULL : (1ULL << w) - 1;
}

int cl_check_object(const struct cl_layout *l, const void *obj,
		    enum cl_path path, int all, uint64_t seed, uint64_t idx,
		    uint64_t visits, char *why, size_t len)
{
	uint64_t plen = 0;

	/* len from the start values: read-mostly fields never change. */
	for (int i = 0; i < CL_NFIELDS; i++) {
		const struct cl_field *f = &l->fields[i];

		if ((path == CL_TX ? f->tx : f->rx) != CL_READ)
			continue;
		for (uint32_t e = 0; e < nelem(f); e++)
			plen += cl_init_value(seed, idx, i, e) & width_mask(f);
	}
	for (int i = 0; i < CL_NFIELDS; i++) {
		const struct cl_field *f = &l->fields[i];
		uint8_t u = path == CL_TX ? f->tx : f->rx;
		int w = u == CL_WRITE;

		if (!all && u == CL_NONE)
			continue;
		for (uint32_t e = 0; e < nelem(f); e++) {
			uint64_t want = cl_init_value(seed, idx, i, e);
			uint64_t got = cl_get(f, obj, e);

			if (w)
				want += visits * (plen + f->konst + e);
			want &= width_mask(f);
			if (got == want)
				continue;
			snprintf(why, len, "object %" PRIu64 " field %s[%u] is "
				 "%#" PRIx64 ", expected %#" PRIx64 " after %"
				 PRIu64 " visits", idx, f->name, e, got, want,
				 visits);
			return -1;
		}
	}
	return 0;
}

/* ---- the benchmark ---- */

enum hot_mode {
	HOT_FREE = 0,	/* misses may overlap, within and across objects */
	HOT_SERIAL,	/* each access waits for the one before */
};

struct hot_case {
	enum cl_layout_id layout;
	enum cl_path path;
	enum hot_mode mode;
};

struct hot {
	const struct cl_layout *l;
	enum cl_path path;
	unsigned char *base;	/* n objects, stride apart, line aligned */
	size_t stride, bytes;
	uint32_t *order;	/* visiting order: a random permutation */
	uint32_t n;
	uint64_t visits;	/* since setup, over every run */
	uint64_t seed;
	int lines, lines_written;
};

static uint64_t size_seed(int64_t size)
{
	/* Layouts share objects' values and order: the seed and size only. */
	return bench_seed() * 0x2545f4914f6cdd1dULL + (uint64_t)size;
}

static int hot_setup(struct bench_state *st)
{
	const struct hot_case *hc = bench_data(st);
	const struct cl_layout *l = &cl_layouts[hc->layout];
	unsigned line = topo_line_size();
	int64_t size = bench_arg(st);
	struct hot *h = xcalloc(1, sizeof(*h));
	struct rng r;
	char buf[32];

	h->l = l;
	h->path = hc->path;
	h->seed = size_seed(size);
	/* Objects start on a line, as slab caches with HWCACHE_ALIGN do. */
	h->stride = (l->size + line - 1) / line * line;
	/*
	 * The size is the scattered layout's working set; every layout has
	 * that many objects, so all do the same work on the same values
	 * (grouped_aligned's padding makes its objects, not their number,
	 * larger).
	 */
	h->n = (uint32_t)((uint64_t)size /
			  ((cl_layouts[CL_SCATTERED].size + line - 1) / line *
			   line));
	if (h->n < 2)
		h->n = 2;
	h->bytes = ((size_t)h->n * h->stride + (2u << 20) - 1) &
		   ~(size_t)((2u << 20) - 1);
	/*
	 * Huge pages where the kernel gives them, as the kernel's own
	 * direct map does for slab objects: the figure is about cache
	 * lines, not TLB misses. Prefaulted so first touches are not timed.
	 */
	h->base = mem_alloc(h->bytes, MEM_THP);
	if (!h->base) {
		bench_skip(st, "cannot allocate %s (%s)",
			   fmt_bytes(buf, sizeof(buf), h->bytes),
			   strerror(errno));
		free(h);
		return -1;
	}
	/*
	 * Only the fields the path uses get start values: the rest are
	 * never read, and hashing 2 KiB per object would make set-up of the
	 * largest working sets cost more than their runs.
	 */
	for (uint32_t i = 0; i < h->n; i++)
		cl_init_object(l, h->base + (size_t)i * h->stride, h->seed, i,
			       h->path);
	h->order = xmalloc(sizeof(*h->order) * h->n);
	for (uint32_t i = 0; i < h->n; i++)
		h->order[i] = i;
	rng_seed(&r, h->seed);
	rng_shuffle_u32(&r, h->order, h->n);
	h->lines = cl_lines_touched(l, h->path, line, &h->lines_written);
	bench_set_priv(st, h);
	return 0;
}

static void hot_teardown(struct bench_state *st)
{
	struct hot *h = bench_priv(st);

	mem_free(h->base, h->bytes);
	free(h->order);
	free(h);
}

/*
 * The timed loop, instantiated once per layout and path with a constant
 * visit function so the hot path is inlined into it. One iteration is one
 * object visit. In serial mode every field address, and the next object's
 * address, depends on the value loaded before it through an AND with a
 * zero the compiler cannot see: the CPU cannot start a load before the
 * previous one is done. That costs an AND and an ADD per access, the same
 * in every layout.
 */
static inline __attribute__((always_inline)) void
hot_loop(struct bench_state *st, uint64_t (*visit)(void *, uint64_t),
	 enum hot_mode mode)
{
	struct hot *h = bench_priv(st);
	const uint32_t *order = h->order;
	unsigned char *base = h->base;
	size_t stride = h->stride;
	uint32_t n = h->n, pos = (uint32_t)(h->visits % h->n);
	uint64_t it, acc = 0, zero = 0;

	bench_sink(zero);
	while ((it = bench_batch(st)) != 0) {
		for (uint64_t i = 0; i < it; i++) {
			unsigned char *p = base + (size_t)order[pos] * stride;

			if (mode == HOT_SERIAL)
				acc += visit(p + (acc & zero), zero);
			else
				acc += visit(p, 0);
			if (++pos == n)
				pos = 0;
		}
	}
	bench_sink(acc);
	h->visits += bench_iterations(st);
	bench_counter(st, "lines_per_op", h->lines, BENCH_CTR_TOTAL);
	bench_counter(st, "lines_written_per_op", h->lines_written,
		      BENCH_CTR_TOTAL);
	bench_counter(st, "objects", h->n, BENCH_CTR_TOTAL);
	bench_label(st, "%s %s: %u objects of %zu B, %d lines hot (%d written)",
		    h->l->name, h->path == CL_TX ? "tx" : "rx", h->n, h->stride,
		    h->lines, h->lines_written);
}

static inline __attribute__((always_inline)) uint64_t
tx_scattered(void *p, uint64_t z)
{
	return cl_tx_scattered(p, z);
}

static inline __attribute__((always_inline)) uint64_t
rx_scattered(void *p, uint64_t z)
{
	return cl_rx_scattered(p, z);
}

static inline __attribute__((always_inline)) uint64_t
tx_grouped(void *p, uint64_t z)
{
	return cl_tx_grouped(p, z);
}

static inline __attribute__((always_inline)) uint64_t
rx_grouped(void *p, uint64_t z)
{
	return cl_rx_grouped(p, z);
}

static inline __attribute__((always_inline)) uint64_t
tx_grouped_aligned(void *p, uint64_t z)
{
	return cl_tx_grouped_aligned(p, z);
}

static inline __attribute__((always_inline)) uint64_t
rx_grouped_aligned(void *p, uint64_t z)
{
	return cl_rx_grouped_aligned(p, z);
}

/*
 * Dispatch on the case once, outside the timed loop; the mode is a
 * constant in each instantiation, so neither loop tests it per visit.
 */
static inline __attribute__((always_inline)) void
hot_dispatch(struct bench_state *st, const struct hot_case *hc,
	     enum hot_mode mode)
{
	switch (hc->layout * CL_NPATHS + hc->path) {
	case CL_SCATTERED * CL_NPATHS + CL_TX:
		hot_loop(st, tx_scattered, mode);
		break;
	case CL_SCATTERED * CL_NPATHS + CL_RX:
		hot_loop(st, rx_scattered, mode);
		break;
	case CL_GROUPED * CL_NPATHS + CL_TX:
		hot_loop(st, tx_grouped, mode);
		break;
	case CL_GROUPED * CL_NPATHS + CL_RX:
		hot_loop(st, rx_grouped, mode);
		break;
	case CL_GROUPED_ALIGNED * CL_NPATHS + CL_TX:
		hot_loop(st, tx_grouped_aligned, mode);
		break;
	default:
		hot_loop(st, rx_grouped_aligned, mode);
		break;
	}
}

static void hot_run(struct bench_state *st)
{
	const struct hot_case *hc = bench_data(st);

	if (hc->mode == HOT_SERIAL)
		hot_dispatch(st, hc, HOT_SERIAL);
	else
		hot_dispatch(st, hc, HOT_FREE);
}

/*
 * Every object must be where the closed form says after h->visits visits
 * in h->order (the same in every layout, so every layout is checked
 * against the same values). The fields the path uses are checked in up
 * to 1024 objects, spread over the order and always including the two
 * either side of where the next run starts, so the check costs far less
 * than the run; tests/layout.c checks every field.
 */
static int hot_verify(struct bench_state *st)
{
	struct hot *h = bench_priv(st);
	uint64_t full = h->visits / h->n, rest = h->visits % h->n;
	uint32_t step = h->n > 1024 ? h->n / 1024 : 1;
	char why[256];

	for (uint32_t p = 0; p < h->n; p++) {
		uint32_t idx = h->order[p];
		uint64_t k = full + (p < rest);

		if (p % step && p + 1 != rest && p != rest && p + 1 != h->n)
			continue;
		if (cl_check_object(h->l, h->base + (size_t)idx * h->stride,
				    h->path, 0, h->seed, idx, k, why,
				    sizeof(why))) {
			bench_fail(st, "%s", why);
			return -1;
		}
	}
	return 0;
}

/* The top of the hot and aos_soa sweeps (hot.h). */
uint64_t cl_ws_max(void)
{
	return topo_ws_top(4);
}

/*
 * Working sets: the harness's standard sweep (topo_ws_sizes), powers of
 * two from half of L1d up to four times the last-level cache as measured
 * (capped at a quarter of free memory), which is its last point and the
 * one {max} names: one point per octave in the quick profile, 1.5 x 2^k
 * between in the full one. Cases with .param set (the serial ones, four
 * times slower per visit, and the optional grouped_aligned layout) take
 * half as many in the quick profile: every other octave, keeping the
 * smallest and the largest, so that the suite stays within its share of
 * a run; in the full one every octave.
 */
static int hot_sizes(const struct bench_case *c, int64_t *out, int max)
{
	enum bench_profile p = bench_profile();
	int n, k;

	if (p == BENCH_PROFILE_FULL && c->param)
		p = BENCH_PROFILE_QUICK;
	n = topo_ws_sizes(out, max, p, 4);
	if (!c->param || bench_profile() != BENCH_PROFILE_QUICK)
		return n;
	for (int i = k = 0; i < n; i++)
		if (i == 0 || (n - 1 - i) % 2 == 0)
			out[k++] = out[i];
	return k;
}

#define HOT_CASE(pth, lay, md, nm, ds)					\
	{								\
		.name = nm,						\
		.desc = ds,						\
		.setup = hot_setup, .run = hot_run,			\
		.verify = hot_verify, .teardown = hot_teardown,		\
		.arg_name = "size", .arg_fmt = BENCH_ARG_BYTES,		\
		.gen_args = hot_sizes,					\
		.param = (md) == HOT_SERIAL ||				\
			 (lay) == CL_GROUPED_ALIGNED,			\
		.data = &(const struct hot_case){			\
			.layout = (lay), .path = (pth), .mode = (md),	\
		},							\
	}

static const struct bench_case cases[] = {
	HOT_CASE(CL_TX, CL_SCATTERED, HOT_FREE, "hot/tx/scattered",
		 "TX hot path, fields in the pre-6.8 tcp_sock order"),
	HOT_CASE(CL_TX, CL_GROUPED, HOT_FREE, "hot/tx/grouped",
		 "TX hot path, fields in the kernel's six access groups"),
	HOT_CASE(CL_TX, CL_GROUPED_ALIGNED, HOT_FREE, "hot/tx/grouped_aligned",
		 "TX hot path, access groups each starting on a line"),
	HOT_CASE(CL_RX, CL_SCATTERED, HOT_FREE, "hot/rx/scattered",
		 "RX hot path, fields in the pre-6.8 tcp_sock order"),
	HOT_CASE(CL_RX, CL_GROUPED, HOT_FREE, "hot/rx/grouped",
		 "RX hot path, fields in the kernel's six access groups"),
	HOT_CASE(CL_RX, CL_GROUPED_ALIGNED, HOT_FREE, "hot/rx/grouped_aligned",
		 "RX hot path, access groups each starting on a line"),
	HOT_CASE(CL_TX, CL_SCATTERED, HOT_SERIAL, "hot_serial/tx/scattered",
		 "TX hot path, pre-6.8 order, each access after the last"),
	HOT_CASE(CL_TX, CL_GROUPED, HOT_SERIAL, "hot_serial/tx/grouped",
		 "TX hot path, access groups, each access after the last"),
	HOT_CASE(CL_TX, CL_GROUPED_ALIGNED, HOT_SERIAL,
		 "hot_serial/tx/grouped_aligned",
		 "TX hot path, aligned groups, each access after the last"),
	HOT_CASE(CL_RX, CL_SCATTERED, HOT_SERIAL, "hot_serial/rx/scattered",
		 "RX hot path, pre-6.8 order, each access after the last"),
	HOT_CASE(CL_RX, CL_GROUPED, HOT_SERIAL, "hot_serial/rx/grouped",
		 "RX hot path, access groups, each access after the last"),
	HOT_CASE(CL_RX, CL_GROUPED_ALIGNED, HOT_SERIAL,
		 "hot_serial/rx/grouped_aligned",
		 "RX hot path, aligned groups, each access after the last"),
};
BENCH_FAMILY(cases);
