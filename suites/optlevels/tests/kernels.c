/*
 * kernels.c - every optlevels kernel against an independent reference:
 * hand-computed cases, a second implementation written another way, or a
 * real library (libc qsort, glibc's mbrtowc, jansson).
 *
 * Linked with the suite's O2 objects; tests/flavors.sh checks that the
 * other flavors compute the same results.
 */
#include "optlevels.h"
#include "tap.h"

#include <jansson.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* ---- interpreter ---- */

#define I(o, A, B, C, K)						\
	(struct vm_insn){ .op = (o), .a = (A), .b = (B), .c = (C), .imm = (K) }

static uint32_t run_goto(const struct vm_insn *code, const uint32_t *mem)
{
	uint32_t out = 0xdeadbeef;

	if (vm_run_goto(code, mem, &out))
		return vm_run_switch(code, mem);	/* no computed goto */
	return out;
}

static void test_interp(void)
{
	static uint32_t mem[VM_MEM];
	/* sum of 1..100 */
	const struct vm_insn sum[] = {
		I(VM_LOADI, 0, 0, 0, 0),
		I(VM_LOADI, 1, 0, 0, 1),
		I(VM_LOADI, 2, 0, 0, 101),
		I(VM_ADD, 0, 0, 1, 0),		/* 3: */
		I(VM_ADDI, 1, 1, 0, 1),
		I(VM_JLT, 1, 2, 0, 3),
		I(VM_HALT, 0, 0, 0, 0),
	};
	/* Every other opcode once, worked out by hand in the comments. */
	const struct vm_insn ops[] = {
		I(VM_LOADI, 0, 0, 0, 7),	/* r0 = 7 */
		I(VM_LOADI, 1, 0, 0, 5),	/* r1 = 5 */
		I(VM_MUL, 2, 0, 1, 0),		/* r2 = 35 */
		I(VM_SUB, 3, 2, 1, 0),		/* r3 = 30 */
		I(VM_MOV, 4, 3, 0, 0),		/* r4 = 30 */
		I(VM_STORE, 4, 5, 0, 259),	/* mem[259 & 255 = 3] = 30 */
		I(VM_LOAD, 6, 5, 0, 3),		/* r6 = 30 */
		I(VM_SHRI, 6, 6, 0, 33),	/* r6 = 15 (shift 33 & 31) */
		I(VM_ANDI, 6, 6, 0, 6),		/* r6 = 6 */
		I(VM_XOR, 6, 6, 0, 0),		/* r6 = 6 ^ 7 = 1 */
		I(VM_MULI, 6, 6, 0, 100),	/* r6 = 100 */
		I(VM_JZ, 5, 0, 0, 13),		/* r5 == 0: taken */
		I(VM_LOADI, 6, 0, 0, 0),	/* skipped */
		I(VM_JNZ, 6, 0, 0, 15),		/* 13: taken */
		I(VM_LOADI, 6, 0, 0, 1),	/* skipped */
		I(VM_JZ, 6, 0, 0, 18),		/* 15: not taken */
		I(VM_JMP, 0, 0, 0, 19),
		I(VM_LOADI, 6, 0, 0, 2),	/* skipped */
		I(VM_LOADI, 6, 0, 0, 3),	/* 18: skipped */
		I(VM_SUB, 7, 5, 1, 0),		/* 19: r7 = 0 - 5 */
		I(VM_ADD, 6, 6, 7, 0),		/* r6 = 95 */
		I(VM_HALT, 6, 0, 0, 0),
	};
	struct vm_insn code[32];
	struct rng r;

	is_int(vm_run_switch(sum, mem), 5050, "vm switch: sum of 1..100");
	is_int(run_goto(sum, mem), 5050, "vm goto: sum of 1..100");
	is_int(vm_run_switch(ops, mem), 95, "vm switch: every opcode");
	is_int(run_goto(ops, mem), 95, "vm goto: every opcode");
	is_int(mem[3], 0, "vm: stores go to a private copy of memory");

	rng_seed(&r, 42);
	for (int t = 0; t < 8; t++) {
		uint32_t trips = t == 0 ? 1 : (uint32_t)rng_below(&r, 5000);
		uint32_t seed = (uint32_t)rng_next(&r), want, a, b;
		uint64_t d;

		for (int k = 0; k < VM_MEM; k++)
			mem[k] = (uint32_t)rng_next(&r);
		vm_build_program(code, 32, trips, seed);
		want = vm_program_reference(mem, trips, seed, &d);
		a = vm_run_switch(code, mem);
		b = run_goto(code, mem);
		ok(a == want && b == want,
		   "vm: benchmark program, %u trips, matches C (%#x %#x %#x)",
		   trips, a, b, want);
		ok(d >= 6 + 9 * (uint64_t)trips &&
		   d <= 6 + 11 * (uint64_t)trips,
		   "vm: dispatch count %llu in range for %u trips",
		   (unsigned long long)d, trips);
	}
	memset(mem, 0, sizeof(mem));
}

/* ---- hash table ---- */

static uint32_t naive_find(const struct strkeys *k, uint32_t n, const char *s,
			   uint32_t len)
{
	uint32_t found = 0xffffffffu;

	/* The last of equal keys wins, as insert-or-update leaves it. */
	for (uint32_t i = 0; i < n; i++)
		if (k->off[i + 1] - k->off[i] == len &&
		    !memcmp(k->bytes + k->off[i], s, len))
			found = i;
	return found;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

static void keys_from(struct strkeys *k, const char *const *words, uint32_t n)
{
	size_t len = 0;

	k->n = n;
	k->off = xmalloc((n + 1) * sizeof(*k->off));
	for (uint32_t i = 0; i < n; i++)
		len += strlen(words[i]);
	k->bytes = xmalloc(len + 1);
	len = 0;
	for (uint32_t i = 0; i < n; i++) {
		k->off[i] = (uint32_t)len;
		memcpy(k->bytes + len, words[i], strlen(words[i]));
		len += strlen(words[i]);
	}
	k->off[n] = (uint32_t)len;
}

static void test_hash(void)
{
	static const char *const ins[] = { "abc", "xyz", "abc", "", "abcd" };
	static const char *const qs[] = { "abc", "nope", "xyz", "", "ab",
					   "abcd" };
	const uint32_t vals[] = { 2, 0xffffffffu, 1, 3, 0xffffffffu, 4 };
	struct strkeys keys, queries;
	struct strtab t = { .mask = 15 };
	uint32_t want = OL_MIX_INIT, got, nk = 600, bad = 0;
	struct rng r;

	t.slots = xcalloc(1024, sizeof(*t.slots));
	keys_from(&keys, ins, 5);
	keys_from(&queries, qs, 6);
	for (int i = 0; i < 6; i++)
		want = ol_mix(want, vals[i]);
	is_int(strtab_insert_lookup(&t, &keys, 5, &queries), want,
	       "hash: duplicates update, empty key, prefixes miss");
	strkeys_free(&keys);
	strkeys_free(&queries);

	is_int(str_hash("abcdefghij", 10), str_hash("abcdefghij", 10),
	       "hash: deterministic");
	ok(str_hash("abcdefghij", 10) != str_hash("abcdefghik", 10) &&
	   str_hash("abcdefgh", 8) != str_hash("abcdefgh\0", 9),
	   "hash: last byte and length count");

	rng_seed(&r, 7);
	strkeys_make(&keys, nk, &r);
	for (uint32_t i = 0; i < nk && !bad; i++)
		if (naive_find(&keys, nk, keys.bytes + keys.off[i],
			       keys.off[i + 1] - keys.off[i]) != i)
			bad = i + 1;
	ok(!bad, "hash: %u generated keys are distinct", nk);

	/* The first half inserted; every key looked up, in order. */
	t.mask = 1023;
	want = OL_MIX_INIT;
	for (uint32_t i = 0; i < nk; i++)
		want = ol_mix(want, naive_find(&keys, nk / 2,
					       keys.bytes + keys.off[i],
					       keys.off[i + 1] - keys.off[i]));
	got = strtab_insert_lookup(&t, &keys, nk / 2, &keys);
	is_int(got, want, "hash: lookups agree with a linear search");
	/* A nearly full table: long probe chains, wrap-around. */
	t.mask = nk / 2;
	while (t.mask & (t.mask + 1))
		t.mask |= t.mask >> 1;
	got = strtab_insert_lookup(&t, &keys, nk / 2, &keys);
	is_int(got, want, "hash: same at load factor %.2f",
	       (double)(nk / 2) / (t.mask + 1));
	strkeys_free(&keys);

	/*
	 * Two keys of one length with one 32-bit hash (400,000 random
	 * 12-letter keys hold about 19 such pairs): length and stored hash
	 * match, only the compare of the bytes can tell them apart.
	 */
	{
		uint32_t n = 400000, len = 12, a = 0, b = 0;
		uint64_t *hk = xmalloc(n * sizeof(*hk));
		char *kb = xmalloc((size_t)n * len);
		struct strkeys one, two;
		const char *w[2];
		char ka[16], kc[16];

		for (size_t i = 0; i < (size_t)n * len; i++)
			kb[i] = (char)('a' + rng_below(&r, 26));
		for (uint32_t i = 0; i < n; i++)
			hk[i] = (uint64_t)str_hash(kb + (size_t)i * len, len)
					<< 32 | i;
		qsort(hk, n, sizeof(*hk), cmp_u64);
		for (uint32_t i = 1; i < n && a == b; i++) {
			uint32_t x = (uint32_t)hk[i - 1], y = (uint32_t)hk[i];

			if (hk[i] >> 32 == hk[i - 1] >> 32 &&
			    memcmp(kb + (size_t)x * len, kb + (size_t)y * len,
				   len)) {
				a = x;
				b = y;
			}
		}
		ok(a != b, "hash: found two keys with one hash");
		if (a != b) {
			snprintf(ka, sizeof(ka), "%.*s", (int)len,
				 kb + (size_t)a * len);
			snprintf(kc, sizeof(kc), "%.*s", (int)len,
				 kb + (size_t)b * len);
			w[0] = ka;
			w[1] = kc;
			keys_from(&one, w, 1);
			keys_from(&two, w, 2);
			want = ol_mix(ol_mix(OL_MIX_INIT, 0), 0xffffffffu);
			t.mask = 15;
			is_int(strtab_insert_lookup(&t, &one, 1, &two), want,
			       "hash: %s and %s collide, only one is found",
			       ka, kc);
			strkeys_free(&one);
			strkeys_free(&two);
		}
		free(hk);
		free(kb);
	}
	free(t.slots);
}

/* ---- sorting ---- */

static int cmp_pair(const void *pa, const void *pb)
{
	const struct rec *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->val > b->val) - (a->val < b->val);
}

/* Both sorts order the keys, and keep the same records. */
static int sorts_agree(const struct rec *in, size_t n)
{
	struct rec *a = xmalloc((n + 1) * sizeof(*a));
	struct rec *b = xmalloc((n + 1) * sizeof(*b));
	int good = 1;

	memcpy(a, in, n * sizeof(*a));
	memcpy(b, in, n * sizeof(*b));
	sort_inline(a, n);
	sort_qsort(b, n);
	for (size_t i = 1; i < n; i++)
		if (a[i - 1].key > a[i].key || b[i - 1].key > b[i].key)
			good = 0;
	/* Equal keys may come out in either order: compare as multisets. */
	qsort(a, n, sizeof(*a), cmp_pair);
	qsort(b, n, sizeof(*b), cmp_pair);
	if (n && memcmp(a, b, n * sizeof(*a)))
		good = 0;
	free(a);
	free(b);
	return good;
}

static void test_sort(void)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 16, 17, 100, 1000, 4096,
					100000 };
	struct rng r;
	size_t max = 100000;
	struct rec *v = xmalloc(max * sizeof(*v));

	rng_seed(&r, 3);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		const char *shape[] = { "random", "few keys", "sorted",
					"reversed", "equal", "organ pipe" };

		for (int k = 0; k < 6; k++) {
			for (size_t i = 0; i < n; i++) {
				uint32_t key;

				switch (k) {
				case 0:
					key = (uint32_t)rng_next(&r);
					break;
				case 1:
					key = (uint32_t)rng_below(&r, 4);
					break;
				case 2:
					key = (uint32_t)i;
					break;
				case 3:
					key = (uint32_t)(n - i);
					break;
				case 4:
					key = 9;
					break;
				default:
					key = (uint32_t)(i < n / 2 ? i : n - i);
					break;
				}
				v[i] = (struct rec){ .key = key,
						     .val = (uint32_t)i };
			}
			ok(sorts_agree(v, n), "sort: %zu %s records", n,
			   shape[k]);
		}
	}
	/* The checksum follows order: a swap changes it. */
	v[0] = (struct rec){ .val = 1 };
	v[1] = (struct rec){ .val = 2 };
	{
		uint32_t h = rec_checksum(v, 2);

		v[0].val = 2;
		v[1].val = 1;
		ok(h != rec_checksum(v, 2), "sort: checksum sees order");
	}
	free(v);
}

/* ---- UTF-8 ---- */

/*
 * The reference decodes each sequence to its code point, then rejects
 * what Unicode forbids: a different construction from the kernel's
 * table of lead and second bytes.
 */
static int64_t utf8_ref(const uint8_t *s, size_t len)
{
	static const uint32_t min_cp[] = { 0, 0, 0x80, 0x800, 0x10000 };
	int64_t cps = 0;
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		int n = c < 0x80 ? 1
			: (c & 0xe0) == 0xc0 ? 2
			: (c & 0xf0) == 0xe0 ? 3
			: (c & 0xf8) == 0xf0 ? 4 : 0;
		uint32_t cp;

		if (n == 0 || i + (size_t)n > len)
			return -1 - (int64_t)i;
		cp = n == 1 ? c : (uint32_t)(c & (0x7f >> n));
		for (int k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return -1 - (int64_t)i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min_cp[n] || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return -1 - (int64_t)i;
		i += (size_t)n;
		cps++;
	}
	return cps;
}

static void diag_bytes(const uint8_t *s, size_t n)
{
	printf("#   first disagreement on bytes:");
	for (size_t k = 0; k < n; k++)
		printf(" %02x", s[k]);
	printf("\n");
}

static void test_utf8(void)
{
	static const struct {
		const char *s;
		int64_t want;
		const char *what;
	} cases[] = {
		{ "", 0, "empty" },
		{ "plain ascii", 11, "ascii" },
		{ "caf\xc3\xa9", 4, "two-byte" },
		{ "\xe2\x82\xac", 1, "euro sign" },
		{ "\xf0\x9d\x84\x9e", 1, "four-byte (U+1D11E)" },
		{ "\xf4\x8f\xbf\xbf", 1, "U+10FFFF, the last" },
		{ "\xed\x9f\xbf\xee\x80\x80", 2, "around the surrogates" },
		{ "\xc2\x80\xdf\xbf", 2, "two-byte bounds" },
		{ "\xe0\xa0\x80", 1, "first three-byte" },
		{ "\xf0\x90\x80\x80", 1, "first four-byte" },
		{ "ab\xc0\x80", -3, "overlong NUL" },
		{ "\xc1\xbf", -1, "overlong two-byte" },
		{ "x\xe0\x9f\xbf", -2, "overlong three-byte" },
		{ "\xf0\x8f\xbf\xbf", -1, "overlong four-byte" },
		{ "\xed\xa0\x80", -1, "high surrogate" },
		{ "a\xed\xbf\xbf", -2, "low surrogate" },
		{ "\xf4\x90\x80\x80", -1, "past U+10FFFF" },
		{ "\xf5\x80\x80\x80", -1, "lead byte F5" },
		{ "\xff", -1, "byte FF" },
		{ "ab\x80", -3, "lone continuation" },
		{ "abc\xe2\x82", -4, "truncated at the end" },
		{ "\xe2\x28\xa1", -1, "bad continuation" },
		{ "\xf0\x9d\x84\x41", -1, "bad last continuation" },
	};
	struct rng r;
	uint8_t *buf = xmalloc(1 << 16);
	int agree = 1, bad = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint8_t *s = (const uint8_t *)cases[i].s;
		size_t n = strlen(cases[i].s);

		is_int(utf8_validate(s, n), cases[i].want, "utf8: %s",
		       cases[i].what);
		is_int(utf8_ref(s, n), cases[i].want, "utf8 reference: %s",
		       cases[i].what);
	}

	/* Random bytes biased to sequence boundaries, against the reference. */
	rng_seed(&r, 11);
	for (int t = 0; t < 20000; t++) {
		static const uint8_t pick[] = { 0x41, 0x7f, 0x80, 0x8f, 0x90,
			0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1,
			0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff };
		uint8_t s[8];
		size_t n = 1 + (size_t)rng_below(&r, 8);

		for (size_t k = 0; k < n; k++)
			s[k] = pick[rng_below(&r, sizeof(pick))];
		if (utf8_validate(s, n) != utf8_ref(s, n) && !bad++)
			diag_bytes(s, n);
	}
	ok(!bad, "utf8: 20000 random sequences agree with the reference");

	/* The benchmark's text: valid, counted as glibc counts it. */
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		ok(1, "# SKIP no C.UTF-8 locale for mbrtowc");
	} else {
		size_t want = utf8_make_text(buf, 1 << 16, &r), i = 0;
		int64_t count = 0;
		mbstate_t ms;

		memset(&ms, 0, sizeof(ms));
		while (i < (1 << 16)) {
			size_t k = mbrtowc(NULL, (const char *)buf + i,
					   (1 << 16) - i, &ms);

			if (k == (size_t)-1 || k == (size_t)-2) {
				agree = 0;
				break;
			}
			i += k ? k : 1;
			count++;
		}
		ok(agree && count == (int64_t)want &&
		   utf8_validate(buf, 1 << 16) == (int64_t)want,
		   "utf8: generated text is valid, %zu code points by "
		   "generator, mbrtowc and validator", want);
	}
	free(buf);
}

/* ---- JSON ---- */

static void test_json(void)
{
	const char *doc = "{\"a\": [1, 2.5e3, -0], \"b\": \"x\\\"y\\u00e9\", "
			  "\"c\": true, \"d\": false, \"e\": null, "
			  "\"f\": {\"g\": []}}";
	static const struct {
		const char *s;
		int64_t want;
		const char *what;
	} bad[] = {
		{ "[1, 2}", -6, "mismatched bracket" },
		{ "\"abc", -5, "unterminated string" },
		{ "{\"a\": tru}", -10, "truncated literal" },
		{ "[nul]", -5, "bad literal" },
		{ "\"\\x\"", -3, "bad escape" },
		{ "\"\\u12g4\"", -6, "bad \\u digit" },
		{ "[", -2, "unclosed array" },
		{ "]", -1, "close without open" },
		{ "[@]", -2, "stray byte" },
		{ "\"a\nb\"", -3, "control character in a string" },
	};
	const uint64_t want[JT_NTYPES] = { 2, 2, 8, 3, 1, 1, 1 };
	struct json_stats js, js2;
	uint64_t ref[JT_NTYPES];
	char *buf = xmalloc(32 << 10);
	struct rng r;
	int same = 1;

	is_int(json_tokenize(doc, strlen(doc), &js), 0, "json: valid document");
	ok(!memcmp(js.count, want, sizeof(want)),
	   "json: counts by hand (objects %llu arrays %llu strings %llu "
	   "numbers %llu)", (unsigned long long)js.count[JT_OBJECT],
	   (unsigned long long)js.count[JT_ARRAY],
	   (unsigned long long)js.count[JT_STRING],
	   (unsigned long long)js.count[JT_NUMBER]);
	ok(!json_reference_counts(doc, strlen(doc), ref) &&
	   !memcmp(ref, want, sizeof(want)), "json: jansson counts the same");
	is_int(json_tokenize("42", 2, &js), 0, "json: number at the end");
	is_int(js.count[JT_NUMBER], 1, "json: ... is counted");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(json_tokenize(bad[i].s, strlen(bad[i].s), &js),
		       bad[i].want, "json: rejects %s", bad[i].what);

	rng_seed(&r, 5);
	for (int t = 0; t < 10; t++) {
		size_t n = json_make_doc(buf, 32 << 10, &r);

		if (json_tokenize(buf, n, &js) ||
		    json_reference_counts(buf, n, ref) ||
		    memcmp(js.count, ref, sizeof(ref)))
			same = 0;
	}
	ok(same, "json: 10 generated documents, counts agree with jansson");
	json_tokenize(doc, strlen(doc), &js);
	json_tokenize("{\"a\": [1, 2.5e3, -0], \"b\": \"x\\\"y\\u00e9\", "
		      "\"c\": true, \"d\": false, \"e\": null, "
		      "\"f\": {\"g\": []}, \"h\": 1}", strlen(doc) + 8, &js2);
	ok(js.checksum != js2.checksum, "json: checksum sees tokens");
	free(buf);
}

/* ---- vector loops ---- */

static void test_vector(void)
{
	static const size_t sizes[] = { 0, 1, 3, 8, 31, 1000, 8192 };
	float *x = xmalloc(8193 * sizeof(float));
	float *y = xmalloc(8193 * sizeof(float));
	float *z = xmalloc(8193 * sizeof(float));
	int16_t *p = xmalloc(8192 * sizeof(int16_t));
	int16_t *q = xmalloc(8192 * sizeof(int16_t));
	struct rng r;

	rng_seed(&r, 9);
	for (size_t i = 0; i < 8193; i++) {
		x[i] = (float)((int)rng_below(&r, 2001) - 1000);
		y[i] = (float)((int)rng_below(&r, 2001) - 1000);
	}
	for (size_t i = 0; i < 8192; i++) {
		p[i] = (int16_t)((int)rng_below(&r, 601) - 300);
		q[i] = (int16_t)((int)rng_below(&r, 601) - 300);
	}
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		int good = 1;
		int64_t dot = 0;

		vec_saxpy(z, x, y, 3.0f, n);
		for (size_t i = 0; i < n; i++)
			if (z[i] != (float)(3 * (int)x[i] + (int)y[i]))
				good = 0;
		ok(good, "saxpy: %zu elements exact", n);
		/* |sum| < 8192 * 300 * 300 < 2^31: no overflow. */
		for (size_t i = 0; i < n; i++)
			dot += (int64_t)p[i] * q[i];
		is_int(vec_dot_i16(p, q, n), dot, "dot_i16: %zu elements", n);
	}
	/* Overlap: z is y shifted by one, so each store feeds the next. */
	{
		float a[6] = { 1, 2, 3, 4, 5, 6 }, c[6] = { 1, 1, 1, 1, 1, 1 };

		vec_saxpy(a + 1, c, a, 2.0f, 5);
		ok(a[0] == 1 && a[1] == 3 && a[2] == 5 && a[3] == 7 &&
		   a[4] == 9 && a[5] == 11,
		   "saxpy: overlapping arrays follow C's order");
	}
	free(x);
	free(y);
	free(z);
	free(p);
	free(q);
}

/* ---- recursion ---- */

static uint32_t eval_one(const char *s)
{
	uint32_t h;

	if (expr_eval_all(s, &h))
		return 0xbadu;
	return h;
}

static void test_recurse(void)
{
	static const struct {
		const char *s;
		uint32_t v;
	} cases[] = {
		{ "1 + 2 * 3;", 7 },
		{ "(1 + 2) * 3;", 9 },
		{ "-5 + 3;", (uint32_t)-2 },
		{ "10 - 4 - 3;", 3 },
		{ "6 & 3 | 8;", 10 },
		{ "2 * -3;", (uint32_t)-6 },
		{ "--4;", 4 },
		{ "65536 * 65536 + 1;", 1 },
		{ "((((7))));", 7 },
		{ "4294967295 + 2;", 1 },
		{ "3 * (2 + 2 & 6);", 12 },
	};
	static const char *const bad[] = {
		"1 +;", "(1 + 2;", "1 2;", "1 + 2", "*3;", ";", "(1));",
	};
	char *buf = xmalloc(16 << 10);
	uint32_t a = 0, b = 1, h;
	int good = 1;
	struct rng r;

	for (uint32_t n = 0; n <= 30; n++) {
		if (fib_rec(n) != a)
			good = 0;
		b += a;
		a = b - a;
	}
	ok(good, "fib: 0..30 agree with the iterative sum");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(eval_one(cases[i].s), ol_mix(OL_MIX_INIT, cases[i].v),
		       "expr: %s", cases[i].s);
	h = ol_mix(ol_mix(OL_MIX_INIT, 7), 8);
	is_int(eval_one("  7 ;\n 8;\n"), h, "expr: two statements, blanks");
	is_int(eval_one(""), OL_MIX_INIT, "expr: empty program");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(expr_eval_all(bad[i], &h) == -1, "expr: rejects \"%s\"",
		   bad[i]);

	rng_seed(&r, 13);
	good = 1;
	for (int t = 0; t < 20; t++) {
		uint32_t want, got;
		size_t n = expr_make_program(buf, 16 << 10, &r, &want);

		if (n < (8 << 10) || expr_eval_all(buf, &got) || got != want)
			good = 0;
	}
	ok(good, "expr: 20 generated programs evaluate as generated");
	free(buf);
}

int main(void)
{
	test_interp();
	test_hash();
	test_sort();
	test_utf8();
	test_json();
	test_vector();
	test_recurse();
	return tap_done();
}
