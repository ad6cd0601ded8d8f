/*
 * sizes.c - the working-set sweep and buffer sizes follow the caches and
 * stop at available memory.
 */
#include "dram.h"
#include "tap.h"
#include "topo.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static int ascending_pow2(const int64_t *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] <= 0 || (s[i] & (s[i] - 1)) || (i && s[i] <= s[i - 1]))
			return 0;
	return 1;
}

int main(void)
{
	int64_t s[BENCH_MAX_ARGS];
	int n, capped;

	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_QUICK, 32 * MiB,
			     16 * GiB, &capped);
	is_int(s[0], 4 * KiB, "quick sweep starts at 4 KiB");
	is_int(s[n - 1], 1 * GiB, "32 MiB LLC: the sweep ends at 1 GiB");
	is_int(n, 19, "one point per octave");
	ok(ascending_pow2(s, n), "powers of two, ascending");
	ok(!capped, "not cut short with 16 GiB to spare");

	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_QUICK,
			     300 * 1000 * 1000ULL, 16 * GiB, &capped);
	ok((uint64_t)s[n - 1] >= 4 * 300 * 1000 * 1000ULL,
	   "300 MB LLC: the sweep reaches 4 x LLC (%lld)", (long long)s[n - 1]);

	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_QUICK, 32 * MiB,
			     512 * MiB, &capped);
	ok(capped, "512 MiB of memory cuts the sweep short");
	ok((uint64_t)s[n - 1] * 17 / 16 <= 512 * MiB,
	   "buffer and order fit the budget (%lld)", (long long)s[n - 1]);
	is_int(s[n - 1], 256 * MiB, "the largest power of two that fits");

	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_FULL, 32 * MiB,
			     64 * GiB, &capped);
	is_int(s[1], 6 * KiB, "full adds half octaves");
	ok((uint64_t)s[n - 1] >= 2 * GiB, "full reaches 2 GiB");

	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_TEST, 32 * MiB,
			     16 * GiB, &capped);
	ok(n == 2 && s[0] == 4 * KiB && s[1] == 64 * KiB, "test: two sizes");

	/* The machine's own: past 4 x its LLC, or as far as memory allows. */
	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_QUICK,
			     topo_llc_size(), topo_mem_budget(), &capped);
	ok(n > 0 && (capped || (uint64_t)s[n - 1] >= 4 * topo_llc_size()),
	   "this machine: ends at %lld, LLC %llu, %s", (long long)s[n - 1],
	   (unsigned long long)topo_llc_size(), capped ? "capped" : "not capped");
	ok(capped || (uint64_t)s[n - 1] >= GiB, "this machine: at least 1 GiB");
	ok((uint64_t)s[n - 1] * 17 / 16 <= topo_mem_budget(),
	   "this machine: within the memory budget");

	is_int(dram_big_bytes(256 * MiB, GiB, 32 * MiB, 16 * GiB), 256 * MiB,
	       "row buffer: 256 MiB for a 32 MiB LLC");
	is_int(dram_big_bytes(256 * MiB, GiB, 300 * 1000 * 1000ULL, 16 * GiB),
	       GiB, "row buffer: capped at the ceiling for a 300 MB LLC");
	is_int(dram_big_bytes(256 * MiB, GiB, 32 * MiB, 100 * MiB), 64 * MiB,
	       "row buffer: scaled down to what memory allows");
	is_int(dram_big_bytes(256 * MiB, GiB, 32 * MiB, 10 * MiB), 0,
	       "row buffer: none when memory is far too short");
	return tap_done();
}
