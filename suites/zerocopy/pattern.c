/*
 * pattern.c - the bytes every stream carries and every receiver checks.
 *
 * No benchmark here. The check is a memcmp against the receiver's own
 * copy of the pattern (about 10 GB/s on the machine in stream.c's
 * header), paid inside the timed loop on purpose: a receiver that does
 * not look at the bytes is not receiving them, and a zero-copy path must
 * not win by leaving its pages untouched.
 */
#include "zerocopy.h"
#include "util.h"

#include <errno.h>
#include <string.h>

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

unsigned char *zc_pattern_new(uint64_t seed)
{
	/* mem_alloc prefaults: no fault is taken in a timed loop. */
	unsigned char *p = mem_alloc(ZC_PAT_LEN, 0);

	if (!p)
		return NULL;
	for (size_t i = 0; i < ZC_PERIOD / 8; i++) {
		uint64_t w = mix(seed + i);

		for (int b = 0; b < 8; b++)
			p[i * 8 + b] = (unsigned char)(w >> (8 * b));
	}
	for (size_t i = ZC_PERIOD; i < ZC_PAT_LEN; i += ZC_PERIOD) {
		size_t n = ZC_PAT_LEN - i < ZC_PERIOD ? ZC_PAT_LEN - i
						      : ZC_PERIOD;

		memcpy(p + i, p, n);
	}
	return p;
}

void zc_pattern_free(unsigned char *pat)
{
	if (pat)
		mem_free(pat, ZC_PAT_LEN);
}

int zc_check(const unsigned char *pat, const void *data, size_t len,
	     uint64_t off, uint64_t *bad)
{
	const unsigned char *d = data;

	while (len) {
		size_t n = len < ZC_MAX_MSG ? len : ZC_MAX_MSG;
		const unsigned char *want = zc_pattern_at(pat, off);

		if (memcmp(d, want, n)) {
			size_t i = 0;

			while (d[i] == want[i])
				i++;
			*bad = off + i;
			return 1;
		}
		d += n;
		off += n;
		len -= n;
	}
	return 0;
}
