/*
 * test_util.c - byte sizes in names, the seeded PRNG, memory set-up.
 */
#include "counters.h"
#include "util.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	char buf[32];
	uint64_t v;
	struct rng r1, r2;
	uint32_t perm[1000];
	int seen[1000] = { 0 }, is_perm = 1, same = 1, in_range = 1;
	char *p;
	size_t ps = page_size();

	is_str(fmt_bytes(buf, sizeof(buf), 65536), "64KiB", "64 KiB");
	is_str(fmt_bytes(buf, sizeof(buf), 3 << 20), "3MiB", "3 MiB");
	is_str(fmt_bytes(buf, sizeof(buf), 1536), "1536B",
	       "not a whole number of KiB: bytes, never rounded");
	is_str(fmt_bytes(buf, sizeof(buf), 1ULL << 30), "1GiB", "1 GiB");
	is_str(fmt_bytes(buf, sizeof(buf), 0), "0B", "zero");
	ok(!parse_bytes("64KiB", &v) && v == 65536, "parse 64KiB");
	ok(!parse_bytes("3M", &v) && v == 3 << 20, "parse 3M");
	ok(!parse_bytes("1536B", &v) && v == 1536, "parse 1536B");
	ok(!parse_bytes("4096", &v) && v == 4096, "parse a plain number");
	ok(parse_bytes("12XB", &v) < 0, "reject an unknown unit");
	ok(parse_bytes("-5", &v) < 0, "reject a negative size");
	ok(parse_bytes("", &v) < 0, "reject an empty string");
	for (uint64_t n = 1; n < (1ULL << 40); n = n * 3 + 1) {
		fmt_bytes(buf, sizeof(buf), n);
		if (parse_bytes(buf, &v) || v != n)
			same = 0;
	}
	ok(same, "format then parse gives the same size back");

	rng_seed(&r1, 42);
	rng_seed(&r2, 42);
	same = 1;
	for (int i = 0; i < 1000; i++)
		if (rng_next(&r1) != rng_next(&r2))
			same = 0;
	ok(same, "same seed, same sequence");
	rng_seed(&r2, 43);
	ok(rng_next(&r1) != rng_next(&r2), "another seed, another sequence");
	for (int i = 0; i < 100000; i++)
		if (rng_below(&r1, 7) >= 7)
			in_range = 0;
	ok(in_range, "rng_below stays below its bound");
	for (uint32_t i = 0; i < 1000; i++)
		perm[i] = i;
	rng_shuffle_u32(&r1, perm, 1000);
	for (int i = 0; i < 1000; i++) {
		if (perm[i] >= 1000 || seen[perm[i]]++)
			is_perm = 0;
	}
	ok(is_perm, "shuffle gives a permutation");
	ok(perm[0] != 0 || perm[1] != 1 || perm[2] != 2, "shuffle moves things");

	/* mem_alloc prefaults: touching the pages again faults nothing. */
	p = mem_alloc(64 * ps, 0);
	ok(p != NULL, "mem_alloc 64 pages");
	{
		struct ctr_set *c = ctr_open("page_faults", 0);
		double faults;

		if (ctr_count(c) == 1) {
			ctr_enable(c);
			for (size_t off = 0; off < 64 * ps; off += ps)
				((volatile char *)p)[off] = 1;
			ctr_disable(c);
			faults = ctr_value(c, 0);
			is_dbl(faults, 0, 0, "prefaulted memory takes no page faults");
		} else {
			diag("page fault counter unavailable: %s", ctr_missing(c));
			ok(strstr(ctr_missing(c), "page_faults") != NULL,
			   "the missing counter is named with its reason");
		}
		ctr_close(c);
	}
	mem_free(p, 64 * ps);
	ok(mem_available() > 0, "MemAvailable is read");
	ok(!read_file_str("/proc/sys/kernel/ostype", buf, sizeof(buf)) &&
		   !strcmp(buf, "Linux"),
	   "read_file_str trims the newline");
	return tap_done();
}
