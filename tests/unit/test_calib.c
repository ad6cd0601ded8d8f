/*
 * test_calib.c - the plateau finder on synthetic latency curves, the
 * calibration file's round trip and its errors, the warm-up's stopping
 * rule, and one short real measurement.
 */
#define _GNU_SOURCE
#include "calib.h"
#include "gbshim.h"
#include "tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)

static uint64_t sz[CALIB_MAX_POINTS];
static double ns[CALIB_MAX_POINTS];

/* Half-octave sizes from 4 KiB to top, as the calibration samples. */
static int sizes(uint64_t top)
{
	int n = 0;

	for (uint64_t p = 4 * KiB; p <= top && n < CALIB_MAX_POINTS - 1;
	     p *= 2) {
		sz[n++] = p;
		if (p + p / 2 <= top)
			sz[n++] = p + p / 2;
	}
	return n;
}

/*
 * Random replacement, level by level: a working set of s over a cache of
 * c hits with probability c/s, so latency climbs from one plateau to the
 * next over an octave or two rather than in one step.
 */
static double model(uint64_t s, const uint64_t *cap, const double *lat,
		    int levels)
{
	double t = lat[levels];	/* memory */

	for (int l = levels - 1; l >= 0; l--) {
		double hit = s <= cap[l] ? 1 : (double)cap[l] / (double)s;

		t = hit * lat[l] + (1 - hit) * t;
	}
	return t;
}

static void test_lru(void)
{
	struct calib_level lv[CALIB_MAX_LEVELS];
	double mem;
	int n = sizes(256 * MiB), nl, reached;

	/* Sharp steps: 32 KiB at 1 ns, 1 MiB at 4, 32 MiB at 14, DRAM 100. */
	for (int i = 0; i < n; i++)
		ns[i] = sz[i] <= 32 * KiB ? 1.0 : sz[i] <= MiB ? 4.0 :
			sz[i] <= 32 * MiB ? 14.0 : 100.0;
	nl = calib_find_levels(sz, ns, n, lv, CALIB_MAX_LEVELS, &mem,
			       &reached);
	is_int(nl, 3, "LRU curve: three levels");
	is_int(lv[0].bytes, 32 * KiB, "L1 32 KiB");
	is_int(lv[1].bytes, MiB, "L2 1 MiB");
	is_int(lv[2].bytes, 32 * MiB, "L3 32 MiB");
	is_dbl(lv[2].ns, 14, 1e-9, "L3 plateau 14 ns");
	ok(reached, "reaches memory");
	is_dbl(mem, 100, 1e-9, "memory 100 ns");
	ok(lv[2].estimate > 32 * MiB && lv[2].estimate < 48 * MiB,
	   "the estimate lies between the last size in and the first out "
	   "(%.0f)", lv[2].estimate);
}

static void test_random_replacement(void)
{
	static const uint64_t cap[] = { 48 * KiB, MiB, 8 * MiB };
	static const double lat[] = { 1.1, 4.0, 15.0, 150.0 };
	struct calib_level lv[CALIB_MAX_LEVELS];
	double mem;
	int n = sizes(128 * MiB), nl, reached;

	for (int i = 0; i < n; i++)
		ns[i] = model(sz[i], cap, lat, 3);
	nl = calib_find_levels(sz, ns, n, lv, CALIB_MAX_LEVELS, &mem,
			       &reached);
	is_int(nl, 3, "random replacement: three levels");
	for (int l = 0; l < nl && l < 3; l++)
		ok(lv[l].bytes >= cap[l] && lv[l].bytes <= 2 * cap[l],
		   "level %d: %llu within an octave above its capacity %llu",
		   l + 1, (unsigned long long)lv[l].bytes,
		   (unsigned long long)cap[l]);
	ok(reached, "reaches memory");
	ok(mem > 50 && mem <= 150, "memory latency %.0f ns", mem);
}

static void test_vm_curve(void)
{
	/* The bhyve guest of issue 10: no L3 plateau of its own. */
	static const uint64_t s[] = {
		4 * KiB, 16 * KiB, 32 * KiB, 64 * KiB, 256 * KiB, 512 * KiB,
		MiB, 2 * MiB, 4 * MiB, 8 * MiB, 16 * MiB,
	};
	static const double t[] = {
		1.06, 1.06, 1.1, 3.7, 3.9, 4.5, 15, 83, 118, 154, 186,
	};
	struct calib_level lv[CALIB_MAX_LEVELS];
	double mem;
	int nl, reached;

	nl = calib_find_levels(s, t, 11, lv, CALIB_MAX_LEVELS, &mem, &reached);
	ok(nl >= 2, "VM curve: %d levels", nl);
	ok(reached, "reaches memory");
	ok(nl >= 2 && lv[nl - 1].bytes >= MiB && lv[nl - 1].bytes <= 4 * MiB,
	   "its last level is a few MiB (%llu), not hwloc's 508 MiB",
	   nl ? (unsigned long long)lv[nl - 1].bytes : 0ULL);
	ok(mem >= 83 && mem <= 186, "memory %.0f ns", mem);
}

static void test_noise_and_edges(void)
{
	struct calib_level lv[CALIB_MAX_LEVELS];
	double mem;
	int n = sizes(64 * MiB), nl, reached, spike = -1;

	for (int i = 0; i < n; i++) {
		ns[i] = sz[i] <= 32 * KiB ? 1.0 : sz[i] <= 2 * MiB ? 4.0 : 120.0;
		if (sz[i] == 256 * KiB) {
			ns[i] = 40;	/* an interrupt in one sample set */
			spike = i;
		}
	}
	ok(spike >= 0, "the synthetic curve has its spike");
	nl = calib_find_levels(sz, ns, n, lv, CALIB_MAX_LEVELS, &mem,
			       &reached);
	is_int(nl, 2, "a slow outlier does not make a level");
	ok(nl == 2 && lv[1].bytes == 2 * MiB, "the last level stays 2 MiB");

	/* A TLB step beyond memory latency is not a cache. */
	for (int i = 0; i < n; i++)
		ns[i] = sz[i] <= 32 * KiB ? 1.0 : sz[i] <= 2 * MiB ? 4.0 :
			sz[i] <= 8 * MiB ? 130.0 : 360.0;
	nl = calib_find_levels(sz, ns, n, lv, CALIB_MAX_LEVELS, &mem,
			       &reached);
	is_int(nl, 2, "a rise from 130 to 360 ns is not a level");
	ok(reached && fabs(mem - 130) < 1e-9,
	   "memory is the latency just past the last level (%.0f)", mem);

	/* Still in cache at the top: no last level to trust. */
	n = sizes(8 * MiB);
	for (int i = 0; i < n; i++)
		ns[i] = sz[i] <= 32 * KiB ? 1.0 : sz[i] <= MiB ? 4.0 : 14.0;
	nl = calib_find_levels(sz, ns, n, lv, CALIB_MAX_LEVELS, &mem,
			       &reached);
	ok(!reached, "a curve topping out at 14 ns has not reached memory");
	is_dbl(mem, 14, 1e-9, "and reports its top");

	/* A transition at the very top: memory not reached yet. */
	for (int i = 0; i < n; i++)
		ns[i] = sz[i] < 8 * MiB ? 4.0 : 100.0;
	calib_find_levels(sz, ns, n, lv, CALIB_MAX_LEVELS, &mem, &reached);
	ok(!reached, "a rise in the last point is not yet memory");

	for (int i = 0; i < n; i++)
		ns[i] = 2.0;
	nl = calib_find_levels(sz, ns, n, lv, CALIB_MAX_LEVELS, &mem,
			       &reached);
	ok(nl == 0 && !reached, "a flat curve has no levels");

	sz[3] = sz[2];
	nl = calib_find_levels(sz, ns, n, lv, CALIB_MAX_LEVELS, &mem,
			       &reached);
	ok(nl == 0 && !reached, "sizes that do not ascend are not a curve");
	ns[0] = 0;
	ok(calib_find_levels(sz, ns, 1, lv, CALIB_MAX_LEVELS, &mem,
			     &reached) == 0, "one point is not a curve");
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_json(void)
{
	char path[] = "/tmp/bench-calib-XXXXXX", err[512], sum[256];
	struct calib_caches c, r;
	FILE *f;
	int fd = mkstemp(path);

	memset(&c, 0, sizeof(c));
	c.npoints = 3;
	c.points[0] = (struct calib_point){ 4096, 1.1, { 1.1, 1.2 }, 2 };
	c.points[1] = (struct calib_point){ MiB, 15, { 15 }, 1 };
	c.points[2] = (struct calib_point){ 8 * MiB, 154, { 154 }, 1 };
	c.nlevels = 1;
	c.levels[0] = (struct calib_level){ MiB, 1.4 * MiB, 15 };
	c.llc_bytes = MiB;
	c.reached_memory = 1;
	c.memory_ns = 154;
	c.huge_share = 1;
	snprintf(c.pages, sizeof(c.pages), "THP");
	snprintf(c.hwloc, sizeof(c.hwloc), "L3 508MiB");
	f = fdopen(fd, "w");
	ok(f && !calib_caches_write(&c, f), "write a calibration");
	fclose(f);
	ok(!calib_caches_read(path, &r, err, sizeof(err)), "read it back: %s",
	   err);
	is_int(r.llc_bytes, MiB, "last level");
	is_int(r.nlevels, 1, "levels");
	is_dbl(r.levels[0].estimate, 1.4 * MiB, 1e-3, "estimate");
	is_int(r.npoints, 3, "points");
	is_dbl(r.memory_ns, 154, 1e-9, "memory latency");
	is_str(r.pages, "THP", "pages");
	is_str(r.hwloc, "L3 508MiB", "what hwloc said");
	is_str(calib_caches_summary(&r, sum, sizeof(sum)),
	       "1MiB 15.0ns; memory 154ns", "summary");

	write_text(path, "{\"schema\": \"bench-caches/1\", \"llc_bytes\": "
			 "\"big\", \"levels\": []}");
	ok(calib_caches_read(path, &r, err, sizeof(err)) < 0 &&
		   strstr(err, "llc_bytes") && strstr(err, path),
	   "a wrong llc_bytes is refused, naming the file: %s", err);
	write_text(path, "{\"schema\": \"bench-run/1\"}");
	ok(calib_caches_read(path, &r, err, sizeof(err)) < 0 &&
		   strstr(err, "schema"), "another schema is refused: %s", err);
	write_text(path, "{\"schema\": \"bench-caches/1\", \"llc_bytes\": "
			 "2097152, \"levels\": [{\"bytes\": 1048576, "
			 "\"ns\": 15}]}");
	ok(calib_caches_read(path, &r, err, sizeof(err)) < 0 &&
		   strstr(err, "last level"),
	   "an llc_bytes that is not the last level is refused: %s", err);
	write_text(path, "{\"schema\": \"bench-caches/1\", \"llc_bytes\": "
			 "null, \"levels\": [{\"bytes\": -1, \"ns\": 15}]}");
	ok(calib_caches_read(path, &r, err, sizeof(err)) < 0,
	   "a negative level is refused: %s", err);
	write_text(path, "{\"schema\": ");
	ok(calib_caches_read(path, &r, err, sizeof(err)) < 0 &&
		   strstr(err, "cannot read"), "broken JSON: %s", err);
	write_text(path, "{\"schema\": \"bench-caches/1\", \"llc_bytes\": "
			 "null, \"levels\": [], \"note\": \"did not reach "
			 "memory\"}");
	ok(!calib_caches_read(path, &r, err, sizeof(err)) && !r.llc_bytes &&
		   !strcmp(r.note, "did not reach memory"),
	   "no last level, with the reason: read");
	unlink(path);
	ok(calib_caches_read(path, &r, err, sizeof(err)) < 0 &&
		   strstr(err, "cannot read"), "a missing file: %s", err);
}

/*
 * A loop whose cost per unit falls for ten calls, then holds. Whether the
 * warm-up sees it fall depends on the machine's load (a preempted chunk
 * is slow too), so the tests below check the rule itself on fixed
 * figures (calib_warm_flat) and only what cannot depend on timing here.
 */
static int calls;
static void settling(void *arg, uint64_t n)
{
	uint64_t spins = n * (calls < 10 ? 40 - 3 * (uint64_t)calls : 10);

	calls++;
	for (uint64_t i = 0; i < spins; i++)
		bench_sink(i);
}

/* A loop that gets slower every call (per unit, 30%). */
static double cost = 10;
static void rising(void *arg, uint64_t n)
{
	uint64_t spins = (uint64_t)((double)n * cost);

	cost *= 1.3;
	for (uint64_t i = 0; i < spins; i++)
		bench_sink(i);
}

static void test_warm(void)
{
	static const double flat[] = { 9, 5, 3, 2, 2.02, 1.98, 2, 2.01, 1.99 };
	static const double fall[] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	struct calib_warm w;

	ok(calib_warm_flat(flat, 9), "a curve that settled is flat");
	ok(!calib_warm_flat(fall, 9), "a falling one is not");
	ok(!calib_warm_flat(flat, 5), "five chunks are too few to say");
	ok(!calib_warm_flat(flat, 6), "six still falling are not flat");

	calib_warm(settling, NULL, 2000000000ULL, &w);
	ok(w.chunks >= 6, "a warm-up runs at least six chunks (%d)", w.chunks);
	ok(w.first_ns > 0 && w.last_ns > 0 && w.seconds > 0,
	   "and says what it saw (%.2f to %.2f ns a unit in %.3f s)",
	   w.first_ns, w.last_ns, w.seconds);
	calib_warm(rising, NULL, 2000000000ULL, &w);
	ok(w.flat && w.chunks == 6, "a loop that only slows down is flat "
	   "after six chunks (%d)", w.chunks);
	calib_warm(settling, NULL, 0, &w);
	ok(!w.flat && w.chunks == 0, "a bound of 0 stops after the sizing "
	   "chunk, saying the trend was not flat");
}

static void test_measure(void)
{
	struct calib_caches c;
	int asc = 1, rc = calib_measure_caches(&c, 8 * MiB);

	ok(!rc, "measure up to 8 MiB: %s", c.note[0] ? c.note : "ok");
	ok(c.npoints >= 10, "%d points", c.npoints);
	for (int i = 1; i < c.npoints; i++)
		if (c.points[i].bytes <= c.points[i - 1].bytes ||
		    !(c.points[i].ns > 0))
			asc = 0;
	ok(asc && c.points[0].bytes == 4096, "ascending from 4 KiB, each timed");
	ok(c.points[c.npoints - 1].bytes <= 8 * MiB, "within the cap");
	ok(c.reached_memory ? c.llc_bytes > 0 && c.llc_bytes <= 8 * MiB
			    : !c.llc_bytes && strstr(c.note, "memory"),
	   "a last level (%llu) or why not (%s)",
	   (unsigned long long)c.llc_bytes, c.note);
	ok(strlen(c.pages) > 0, "pages: %s", c.pages);
}

int main(void)
{
	test_lru();
	test_random_replacement();
	test_vm_curve();
	test_noise_and_edges();
	test_json();
	test_warm();
	test_measure();
	return tap_done();
}
