/*
 * sizes.c - the working-set sweep and buffer sizes follow the measured
 * caches and stop at available memory.
 */
#include "dram.h"
#include "tap.h"
#include "topo.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static int ascending(const int64_t *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] <= 0 || (i && s[i] <= s[i - 1]))
			return 0;
	return 1;
}

static int pow2_but_last(const int64_t *s, int n)
{
	for (int i = 0; i < n - 1; i++)
		if (s[i] & (s[i] - 1))
			return 0;
	return 1;
}

int main(void)
{
	int64_t s[BENCH_MAX_ARGS];
	int n, capped;

	/* A VM whose curve reaches memory past 1.5 MiB: 4x is 6 MiB. */
	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_QUICK, 6 * MiB,
			     16 * GiB, &capped);
	is_int(s[0], 4 * KiB, "quick sweep starts at 4 KiB");
	is_int(s[n - 1], 6 * MiB, "and ends at the top it is given");
	is_int(n, 12, "one point per octave, then the top");
	ok(ascending(s, n) && pow2_but_last(s, n),
	   "powers of two, ascending, but the top");
	ok(!capped, "not cut short with 16 GiB to spare");

	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_QUICK, 8 * MiB,
			     16 * GiB, &capped);
	is_int(s[n - 1], 8 * MiB, "a power-of-two top is not repeated");
	is_int(s[n - 2], 4 * MiB, "the point below it is half");

	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_QUICK, 1 * GiB,
			     512 * MiB, &capped);
	ok(capped, "512 MiB of memory cuts the sweep short");
	ok((uint64_t)s[n - 1] * 17 / 16 <= 512 * MiB,
	   "buffer and order fit the budget (%lld)", (long long)s[n - 1]);
	is_int(s[n - 1], 256 * MiB, "the largest power of two that fits");

	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_FULL, 96 * MiB,
			     64 * GiB, &capped);
	is_int(s[1], 6 * KiB, "full adds 1.5 x 2^k between");
	is_int(s[n - 1], 96 * MiB, "full ends at its top");
	ok(ascending(s, n), "ascending");

	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_TEST, 0,
			     16 * GiB, &capped);
	ok(n == 2 && s[0] == 4 * KiB && s[1] == 64 * KiB, "test: two sizes");

	/* The machine's own: 4x its measured LLC, or as far as memory allows. */
	n = dram_chase_sizes(s, BENCH_MAX_ARGS, BENCH_PROFILE_QUICK,
			     topo_ws_top(4), topo_mem_budget(), &capped);
	ok(n > 0 && (capped || (uint64_t)s[n - 1] >= 4 * topo_llc_size() ||
		     (uint64_t)s[n - 1] == topo_mem_budget() / 4096 * 4096),
	   "this machine: ends at %lld, LLC %llu (%s)", (long long)s[n - 1],
	   (unsigned long long)topo_llc_size(), topo_llc_source());
	ok((uint64_t)s[n - 1] * 17 / 16 <= topo_mem_budget(),
	   "this machine: within the memory budget");

	is_int(dram_big_bytes(256 * MiB, GiB, 256 * MiB, 16 * GiB), 256 * MiB,
	       "big buffer: the top when it is a power of two");
	is_int(dram_big_bytes(16 * MiB, GiB, 12 * MiB, 16 * GiB), 16 * MiB,
	       "big buffer: the next power of two above the top");
	is_int(dram_big_bytes(64 * MiB, GiB, 12 * MiB, 16 * GiB), 64 * MiB,
	       "big buffer: at least the floor");
	is_int(dram_big_bytes(256 * MiB, GiB, 2400 * MiB, 16 * GiB), GiB,
	       "big buffer: capped at the ceiling");
	is_int(dram_big_bytes(256 * MiB, GiB, 256 * MiB, 100 * MiB), 64 * MiB,
	       "big buffer: scaled down to what memory allows");
	is_int(dram_big_bytes(256 * MiB, GiB, 256 * MiB, 10 * MiB), 0,
	       "big buffer: none when memory is far too short");
	return tap_done();
}
