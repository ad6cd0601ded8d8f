/*
 * calib.c - see calib.h.
 *
 * The chase here is the dram suite's (a random cycle of cache lines, one
 * dependent load per line), kept separate because the harness cannot link
 * a suite's code. Sizes go up by half octaves (4 KiB, 6 KiB, 8 KiB, ...)
 * and the buffer is faulted in only as far as the sweep has reached: on
 * a VM whose host backs fresh guest memory on first touch (7-30 us per
 * 4 KiB page on the machine in docs/suites/dram.md), faulting a 512 MiB
 * buffer ahead would cost more than the whole measurement.
 */
#define _GNU_SOURCE
#include "calib.h"
#include "gbshim.h"
#include "topo.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define HUGE_2M ((size_t)2 << 20)
#define LINE 64

/* A rise of 1.41x per octave or more is a transition, not a plateau. */
#define STEEP_PER_OCTAVE 0.5
/* A transition that rises 1.8x in all separates two levels. */
#define LEVEL_RISE 0.848	/* log2(1.8) */

/* The nearest 2^k or 1.5 x 2^k (log scale): the sweep's grid. */
static uint64_t round_size(double bytes)
{
	double x, k, c[3], best = 0, bd = 1e9;

	if (!(bytes >= 1))
		return 0;
	x = log2(bytes);
	k = floor(x);
	c[0] = k;
	c[1] = k + log2(1.5);
	c[2] = k + 1;
	for (int i = 0; i < 3; i++)
		if (fabs(c[i] - x) < bd) {
			bd = fabs(c[i] - x);
			best = c[i];
		}
	return (uint64_t)llround(exp2(best));
}

int calib_find_levels(const uint64_t *bytes, const double *ns, int n,
		      struct calib_level *lv, int max, double *memory_ns,
		      int *reached)
{
	double x[CALIB_MAX_POINTS], m[CALIB_MAX_POINTS];
	double mem = log2(CALIB_MEMORY_NS);
	int nl = 0, i, last_b = -1;

	*memory_ns = 0;
	*reached = 0;
	if (n > CALIB_MAX_POINTS)
		n = CALIB_MAX_POINTS;
	if (n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		if (!bytes[i] || !(ns[i] > 0) || (i && bytes[i] <= bytes[i - 1]))
			return 0;	/* not a curve */
		x[i] = log2((double)bytes[i]);
		m[i] = log2(ns[i]);
	}
	/* Interference only adds time: a slow outlier cannot make a level. */
	for (i = n - 2; i >= 0; i--)
		if (m[i + 1] < m[i])
			m[i] = m[i + 1];

#define STEEP(k) (m[(k) + 1] - m[k] >= STEEP_PER_OCTAVE * (x[(k) + 1] - x[k]))
	i = 0;
	while (i < n - 1) {
		int a, b, j;
		double g, t, xb;

		if (!STEEP(i)) {
			i++;
			continue;
		}
		a = i;
		/*
		 * Past memory latency every rise is the TLB's reach and the
		 * page walk (on a VM whose host maps guest memory with 4 KiB
		 * pages, even a THP chase steps up at 8-16 MiB): not a cache.
		 */
		if (m[a] >= mem)
			break;
		while (i < n - 1 && STEEP(i))
			i++;
		b = i;
		if (m[b] - m[a] < LEVEL_RISE || nl >= max)
			continue;
		/*
		 * The largest size measured below the geometric mean of the
		 * transition's ends, and where the curve crosses that mean.
		 */
		g = (m[a] + m[b]) / 2;
		for (j = a; j < b - 1 && m[j + 1] < g; j++)
			;
		t = m[j + 1] > m[j] ? (g - m[j]) / (m[j + 1] - m[j]) : 0;
		xb = x[j] + t * (x[j + 1] - x[j]);
		lv[nl].bytes = bytes[j];
		lv[nl].estimate = exp2(xb);
		lv[nl].ns = exp2(m[a]);
		nl++;
		last_b = b;
	}
#undef STEEP
	if (nl && m[last_b] >= mem && x[n - 1] - x[last_b] >= 1) {
		*reached = 1;
		*memory_ns = exp2(m[last_b]);
	} else {
		*memory_ns = exp2(m[n - 1]);
	}
	return nl;
}

/* ---- the chase ---- */

struct calib_chase {
	char *map, *p;
	size_t map_len, cap, faulted;
	uint32_t *idx;
	size_t idx_n;
	void **cur;
	struct rng r;
};

static struct calib_chase *chase_map(size_t cap, int thp)
{
	struct calib_chase *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cap = cap;
	c->map_len = cap + HUGE_2M;
	c->map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->map == MAP_FAILED) {
		free(c);
		return NULL;
	}
	c->p = (char *)(((uintptr_t)c->map + HUGE_2M - 1) &
			~(uintptr_t)(HUGE_2M - 1));
	/* Fails only where THP is not built in: then 4 KiB it is. */
	madvise(c->p, cap, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	c->cur = (void **)c->p;
	rng_seed(&c->r, 0x63616c6962ULL);
	return c;
}

static int chase_grow(struct calib_chase *c, size_t bytes)
{
	size_t lines = bytes / LINE;

	if (lines > c->idx_n) {
		uint32_t *n = realloc(c->idx, lines * sizeof(*n));

		if (!n)
			return -1;
		c->idx = n;
		c->idx_n = lines;
	}
	/* Faulted in as the sweep gets there, never timed. */
	for (; c->faulted < bytes; c->faulted += 4096)
		((volatile char *)c->p)[c->faulted] = 0;
	return 0;
}

/* Sattolo's shuffle: one cycle through all lines, line i -> line idx[i]. */
static void chase_link(struct calib_chase *c, size_t bytes)
{
	size_t n = bytes / LINE;

	for (size_t i = 0; i < n; i++)
		c->idx[i] = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rng_below(&c->r, i);
		uint32_t t = c->idx[i];

		c->idx[i] = c->idx[j];
		c->idx[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		*(void **)(c->p + i * LINE) = c->p + (size_t)c->idx[i] * LINE;
	c->cur = (void **)c->p;
}

static void chase_run(struct calib_chase *c, uint64_t n)
{
	void **p = c->cur;

	for (; n >= 4; n -= 4) {
		p = (void **)*p;
		p = (void **)*p;
		p = (void **)*p;
		p = (void **)*p;
	}
	for (; n; n--)
		p = (void **)*p;
	bench_sink(p);
	c->cur = p;
}

static void chase_unmap(struct calib_chase *c)
{
	if (!c)
		return;
	munmap(c->map, c->map_len);
	free(c->idx);
	free(c);
}

struct calib_chase *calib_chase_new(size_t bytes, int thp, double *fault_ns)
{
	struct calib_chase *c;
	uint64_t t0;

	if (bytes < LINE || bytes / LINE > UINT32_MAX) {
		errno = EINVAL;
		return NULL;
	}
	c = chase_map(bytes, thp);
	if (!c)
		return NULL;
	t0 = bench_now_ns();
	if (chase_grow(c, bytes)) {
		chase_unmap(c);
		errno = ENOMEM;
		return NULL;
	}
	if (fault_ns)
		*fault_ns = (double)(bench_now_ns() - t0) /
			    (double)((bytes + 4095) / 4096);
	chase_link(c, bytes);
	free(c->idx);		/* 1/16 of the buffer, not needed again */
	c->idx = NULL;
	c->idx_n = 0;
	return c;
}

double calib_chase_ns(struct calib_chase *c, uint64_t loads)
{
	uint64_t t0 = bench_now_ns();

	chase_run(c, loads);
	return loads ? (double)(bench_now_ns() - t0) / (double)loads : 0;
}

void calib_chase_free(struct calib_chase *c)
{
	chase_unmap(c);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double t[64];

	if (n <= 0 || n > 64)
		return 0;
	memcpy(t, v, (size_t)n * sizeof(*t));
	qsort(t, (size_t)n, sizeof(*t), cmp_dbl);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* Share of [p, p + len) on huge pages, from /proc/self/smaps; -1 unknown. */
static double huge_share(const void *p, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	unsigned long lo, hi, kb, huge = 0, rss = 0;
	int in = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)p < hi && (uintptr_t)p + len > lo;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			huge += kb;
		else if (in && sscanf(line, "Rss: %lu kB", &kb) == 1)
			rss += kb;
	}
	fclose(f);
	return rss ? (double)huge / (double)rss : -1;
}

static void measure_point(struct calib_chase *c, struct calib_point *pt)
{
	size_t n = pt->bytes / LINE;
	uint64_t warm = n < 10000 ? 10000 : n > (1 << 20) ? (1 << 20) : n;
	uint64_t k = 20000;
	double first;

	chase_link(c, pt->bytes);
	/* One pass first, so the samples see the steady state. */
	chase_run(c, warm);
	first = calib_chase_ns(c, k);
	/* Samples of about a millisecond: one interrupt is a small share. */
	if (first * (double)k < 1e6 && first > 0)
		k = (uint64_t)(1e6 / first) + 1;
	pt->nsamples = 0;
	for (int s = 0; s < CALIB_SAMPLES; s++)
		pt->samples[pt->nsamples++] = calib_chase_ns(c, k);
	pt->ns = median(pt->samples, pt->nsamples);
}

static void find(struct calib_caches *c)
{
	uint64_t b[CALIB_MAX_POINTS];
	double t[CALIB_MAX_POINTS];

	for (int i = 0; i < c->npoints; i++) {
		b[i] = c->points[i].bytes;
		t[i] = c->points[i].ns;
	}
	c->nlevels = calib_find_levels(b, t, c->npoints, c->levels,
				       CALIB_MAX_LEVELS, &c->memory_ns,
				       &c->reached_memory);
	c->llc_bytes = c->reached_memory ? c->levels[c->nlevels - 1].bytes : 0;
}

/* Enough: two octaves past the last boundary, so 4x the LLC is seen. */
static int done(const struct calib_caches *c, uint64_t t_start)
{
	uint64_t top = c->npoints ? c->points[c->npoints - 1].bytes : 0;

	if (c->reached_memory &&
	    (double)top >= 4 * c->levels[c->nlevels - 1].estimate)
		return 1;
	/* A machine this slow gives no trustworthy curve anyway. */
	return bench_now_ns() - t_start > 20ULL * 1000000000ULL;
}

/*
 * Adds points half an octave apart after the last one until done() or
 * cap; each measured twice in the second pass (the first has gone by).
 */
static int sweep(struct calib_caches *c, struct calib_chase *ch, uint64_t cap,
		 uint64_t t_start, int twice)
{
	double s = c->npoints ? (double)c->points[c->npoints - 1].bytes * sqrt(2)
			      : 4096;

	for (; s <= (double)cap && c->npoints < CALIB_MAX_POINTS &&
	       !done(c, t_start); s *= sqrt(2)) {
		struct calib_point *pt = &c->points[c->npoints];
		uint64_t bytes = round_size(s) / LINE * LINE;

		if (c->npoints && bytes <= c->points[c->npoints - 1].bytes)
			continue;
		if (chase_grow(ch, bytes))
			return -1;
		pt->bytes = bytes;
		measure_point(ch, pt);
		if (twice) {
			struct calib_point again = *pt;

			measure_point(ch, &again);
			if (again.ns < pt->ns)
				*pt = again;
		}
		c->npoints++;
		find(c);
	}
	return 0;
}

int calib_measure_caches(struct calib_caches *c, uint64_t max_bytes)
{
	uint64_t t_start = bench_now_ns(), cap, budget = topo_mem_budget() / 2;
	struct calib_chase *ch;
	char b[32];
	int rc = -1;

	memset(c, 0, sizeof(*c));
	c->huge_share = -1;
	cap = max_bytes ? max_bytes : 512ULL << 20;
	/* The index array takes a sixteenth beside the buffer. */
	if (cap > budget / 17 * 16)
		cap = budget / 17 * 16;
	if (cap < (64 << 10)) {
		snprintf(c->note, sizeof(c->note), "too little available "
			 "memory to measure (%s)",
			 fmt_bytes(b, sizeof(b), budget));
		return -1;
	}
	/* THP where the kernel allows: the curve is the caches', not the TLB's. */
	ch = chase_map(cap, 1);
	if (!ch) {
		snprintf(c->note, sizeof(c->note), "cannot map %s: %s",
			 fmt_bytes(b, sizeof(b), cap), strerror(errno));
		return -1;
	}

	/*
	 * Two passes: on a shared machine the cache this process gets
	 * changes from one second to the next (neighbours filling the L3),
	 * so every point keeps the faster of two medians taken apart in
	 * time: the curve when least disturbed, whose boundary is the
	 * largest the sweep sizes should get past.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; pass && i < c->npoints; i++) {
			struct calib_point again = c->points[i];

			measure_point(ch, &again);
			if (again.ns < c->points[i].ns)
				c->points[i] = again;
		}
		find(c);
		if (sweep(c, ch, cap, t_start, pass)) {
			snprintf(c->note, sizeof(c->note), "cannot allocate "
				 "the chase order: %s", strerror(errno));
			goto out;
		}
	}
	c->huge_share = huge_share(ch->p, ch->faulted);
	if (c->huge_share >= 0.9)
		snprintf(c->pages, sizeof(c->pages), "THP");
	else if (c->huge_share >= 0 && c->huge_share < 0.1)
		snprintf(c->pages, sizeof(c->pages), "4 KiB");
	else if (c->huge_share >= 0)
		snprintf(c->pages, sizeof(c->pages), "mixed");
	else
		snprintf(c->pages, sizeof(c->pages), "unknown");
	if (!c->reached_memory)
		snprintf(c->note, sizeof(c->note), "the curve did not reach "
			 "memory by %s (top %.1f ns per load)",
			 fmt_bytes(b, sizeof(b),
				   c->points[c->npoints - 1].bytes),
			 c->memory_ns);
	rc = 0;
out:
	c->seconds = (double)(bench_now_ns() - t_start) / 1e9;
	chase_unmap(ch);
	return rc;
}

/* ---- JSON ---- */

int calib_caches_write(const struct calib_caches *c, FILE *f)
{
	json_t *o = json_object(), *lv = json_array(), *pts = json_array();
	int rc;

	json_object_set_new(o, "schema", json_string("bench-caches/1"));
	json_object_set_new(o, "llc_bytes", c->llc_bytes ?
			    json_integer((json_int_t)c->llc_bytes) :
			    json_null());
	json_object_set_new(o, "reached_memory",
			    json_boolean(c->reached_memory));
	json_object_set_new(o, "memory_ns", json_real(c->memory_ns));
	for (int i = 0; i < c->nlevels; i++)
		json_array_append_new(lv, json_pack(
			"{s:I, s:f, s:f}",
			"bytes", (json_int_t)c->levels[i].bytes,
			"estimate_bytes", c->levels[i].estimate,
			"ns", c->levels[i].ns));
	json_object_set_new(o, "levels", lv);
	for (int i = 0; i < c->npoints; i++) {
		json_t *s = json_array();

		for (int k = 0; k < c->points[i].nsamples; k++)
			json_array_append_new(s,
				json_real(c->points[i].samples[k]));
		json_array_append_new(pts, json_pack(
			"{s:I, s:f, s:o}", "bytes",
			(json_int_t)c->points[i].bytes, "ns", c->points[i].ns,
			"samples", s));
	}
	json_object_set_new(o, "points", pts);
	json_object_set_new(o, "pages", json_string(c->pages));
	json_object_set_new(o, "huge_share", c->huge_share >= 0 ?
			    json_real(c->huge_share) : json_null());
	json_object_set_new(o, "seconds", json_real(c->seconds));
	json_object_set_new(o, "note", json_string(c->note));
	json_object_set_new(o, "hwloc", json_string(c->hwloc));
	json_object_set_new(o, "sysfs", json_string(c->sysfs));
	json_object_set_new(o, "disagreement", json_string(c->disagreement));
	rc = json_dumpf(o, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!rc && fputc('\n', f) == EOF)
		rc = -1;
	return rc ? -1 : 0;
}

static int bad(char *err, size_t len, const char *path, const char *what)
{
	snprintf(err, len, "%s: %s", path, what);
	return -1;
}

static int positive_int(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) > 0;
}

int calib_caches_read(const char *path, struct calib_caches *c, char *err,
		      size_t errlen)
{
	json_error_t je;
	json_t *o, *v, *e;
	size_t i;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	c->huge_share = -1;
	o = json_load_file(path, 0, &je);
	if (!o) {
		snprintf(err, errlen, "cannot read %s: %s (line %d)", path,
			 je.text, je.line);
		return -1;
	}
	if (!json_is_object(o)) {
		bad(err, errlen, path, "not a JSON object");
		goto out;
	}
	v = json_object_get(o, "schema");
	if (!json_is_string(v) || strcmp(json_string_value(v),
					 "bench-caches/1")) {
		bad(err, errlen, path, "schema is not \"bench-caches/1\" (not "
		    "written by tools/calibrate?)");
		goto out;
	}
	v = json_object_get(o, "llc_bytes");
	if (positive_int(v))
		c->llc_bytes = (uint64_t)json_integer_value(v);
	else if (!json_is_null(v)) {
		bad(err, errlen, path, "llc_bytes must be a positive integer "
		    "or null");
		goto out;
	}
	c->reached_memory = json_is_true(json_object_get(o, "reached_memory"));
	v = json_object_get(o, "memory_ns");
	c->memory_ns = json_is_number(v) ? json_number_value(v) : 0;
	v = json_object_get(o, "levels");
	if (!json_is_array(v) || json_array_size(v) > CALIB_MAX_LEVELS) {
		bad(err, errlen, path, "levels must be an array of at most 8");
		goto out;
	}
	json_array_foreach(v, i, e) {
		json_t *b = json_object_get(e, "bytes"), *t = json_object_get(e, "ns");

		if (!positive_int(b) || !json_is_number(t) ||
		    !(json_number_value(t) > 0)) {
			bad(err, errlen, path, "every level needs bytes (a "
			    "positive integer) and ns (a positive number)");
			goto out;
		}
		c->levels[i].bytes = (uint64_t)json_integer_value(b);
		c->levels[i].ns = json_number_value(t);
		b = json_object_get(e, "estimate_bytes");
		c->levels[i].estimate = json_is_number(b) ?
			json_number_value(b) : (double)c->levels[i].bytes;
		c->nlevels++;
	}
	if (c->llc_bytes && (!c->nlevels ||
			     c->llc_bytes != c->levels[c->nlevels - 1].bytes)) {
		bad(err, errlen, path, "llc_bytes is not the last level's "
		    "bytes");
		goto out;
	}
	v = json_object_get(o, "points");
	json_array_foreach(v, i, e) {
		json_t *b = json_object_get(e, "bytes"), *t = json_object_get(e, "ns");

		if (i >= CALIB_MAX_POINTS)
			break;
		if (!positive_int(b) || !json_is_number(t))
			continue;
		c->points[c->npoints].bytes = (uint64_t)json_integer_value(b);
		c->points[c->npoints].ns = json_number_value(t);
		c->npoints++;
	}
	v = json_object_get(o, "pages");
	snprintf(c->pages, sizeof(c->pages), "%s",
		 json_is_string(v) ? json_string_value(v) : "unknown");
	v = json_object_get(o, "huge_share");
	if (json_is_number(v))
		c->huge_share = json_number_value(v);
	v = json_object_get(o, "seconds");
	c->seconds = json_is_number(v) ? json_number_value(v) : 0;
	v = json_object_get(o, "note");
	snprintf(c->note, sizeof(c->note), "%s",
		 json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(o, "hwloc");
	snprintf(c->hwloc, sizeof(c->hwloc), "%s",
		 json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(o, "sysfs");
	snprintf(c->sysfs, sizeof(c->sysfs), "%s",
		 json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(o, "disagreement");
	snprintf(c->disagreement, sizeof(c->disagreement), "%s",
		 json_is_string(v) ? json_string_value(v) : "");
	rc = 0;
out:
	json_decref(o);
	return rc;
}

char *calib_caches_summary(const struct calib_caches *c, char *buf,
			   size_t len)
{
	size_t n = 0;
	char b[32];

	buf[0] = '\0';
	for (int i = 0; i < c->nlevels && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s %.1fns",
				      i ? ", " : "",
				      fmt_bytes(b, sizeof(b), c->levels[i].bytes),
				      c->levels[i].ns);
	if (n < len)
		snprintf(buf + n, len - n, "%s%s %.0fns", n ? "; " : "",
			 c->reached_memory ? "memory" : "top of the curve",
			 c->memory_ns);
	return buf;
}

/* ---- warm-up ---- */

#define WARM_MAX_CHUNKS 256

int calib_warm_flat(const double *t, int n)
{
	double prev, last;

	if (n < 6)
		return 0;
	prev = median(t + n - 6, 3);
	last = median(t + n - 3, 3);
	return last >= 0.97 * prev;
}

/* CPU time of this thread: a chunk preempted by another process is not slow. */
static uint64_t thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void calib_warm(void (*step)(void *arg, uint64_t n), void *arg,
		uint64_t max_ns, struct calib_warm *w)
{
	double t[WARM_MAX_CHUNKS];
	uint64_t start = bench_now_ns(), n = 1000, c0;
	int k = 0;

	memset(w, 0, sizeof(*w));
	/* A first small chunk sizes the rest at about 10 ms each. */
	c0 = thread_ns();
	step(arg, n);
	t[0] = (double)(thread_ns() - c0) / (double)n;
	if (t[0] > 0)
		n = (uint64_t)(1e7 / t[0]) + 1;
	while (bench_now_ns() - start < max_ns && k < WARM_MAX_CHUNKS) {
		c0 = thread_ns();
		step(arg, n);
		t[k] = (double)(thread_ns() - c0) / (double)n;
		if (!k)
			w->first_ns = t[0];
		/* Re-sized each time: the sizing chunk may have been cold. */
		if (t[k] > 0)
			n = (uint64_t)(1e7 / t[k]) + 1;
		k++;
		if (calib_warm_flat(t, k)) {
			w->flat = 1;
			break;
		}
	}
	w->chunks = k;
	w->last_ns = k >= 3 ? median(t + k - 3, 3) : k ? t[k - 1] : 0;
	w->seconds = (double)(bench_now_ns() - start) / 1e9;
}
