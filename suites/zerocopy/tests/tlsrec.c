/*
 * tlsrec.c - the user-space TLS 1.3 record layer (tlsrec.c): records
 * sealed as RFC 8448's example traces seal them (AES-128-GCM, sequence
 * numbers 0 and 1), opened back, and refused when anything is changed.
 *
 * Run just this:  build/O2/suites/zerocopy/tests/tlsrec
 */
#include "tap.h"
#include "zerocopy.h"

#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *s, unsigned char *out)
{
	size_t n = 0;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		out[n++] = (unsigned char)strtoul((char[]){ s[0], s[1], 0 },
						  NULL, 16);
		s += 2;
	}
	return n;
}

struct vec {
	const char *what, *key, *iv, *payload, *record;
	uint64_t seq;
};

/* RFC 8448: section 3 (1-RTT application data), section 4 (early data). */
static const struct vec vecs[] = {
	{
		"RFC 8448 3: client application data, record 0",
		"17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51",
		"5b 78 92 3d ee 08 57 90 33 e5 23 d9",
		"00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 "
		"14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 "
		"28 29 2a 2b 2c 2d 2e 2f 30 31",
		"17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 "
		"cb ef ac ea 42 f9 14 aa 66 bc ab 3f 2b 98 19 a8 a5 b4 6b 39 "
		"5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd "
		"1e 3d ea e6 3a ee bb 21 69 49 15 e4",
		0,
	},
	{
		"RFC 8448 3: server application data, record 1",
		"9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56",
		"cf 78 2b 88 dd 83 54 9a ad f1 e9 84",
		"00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 "
		"14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 "
		"28 29 2a 2b 2c 2d 2e 2f 30 31",
		"17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 "
		"a4 69 32 fc 32 25 d0 5f 82 aa 1b 36 e3 0e fa f9 7d 90 e6 df "
		"fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 "
		"ab f3 32 54 0d d0 32 e1 67 c2 95 5d",
		1,
	},
	{
		"RFC 8448 4: client early data, record 0",
		"92 02 05 a5 b7 bf 21 15 e6 fc 5c 29 42 83 4f 54",
		"6d 47 5f 09 93 c8 e5 64 61 0d b2 b9",
		"41 42 43 44 45 46",
		"17 03 03 00 17 ab 1d f4 20 e7 5c 45 7a 7c c5 d2 84 4f 76 d5 "
		"ae e4 b4 ed bf 04 9b e0",
		0,
	},
};

static void known_answers(void)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		unsigned char pl[64], rec[128], out[128], kiv[16];
		struct zc_tls_key k;
		struct zc_tls s, o;
		size_t npl, nrec;
		long l;

		unhex(v->key, kiv);
		memcpy(k.key, kiv, 16);
		unhex(v->iv, kiv);
		memcpy(k.iv, kiv, 12);
		npl = unhex(v->payload, pl);
		nrec = unhex(v->record, rec);
		ok(!zc_tls_init(&s, &k, 1) && !zc_tls_init(&o, &k, 0),
		   "%s: OpenSSL takes the key", v->what);
		s.seq = o.seq = v->seq;
		l = zc_tls_seal(&s, pl, npl, out);
		is_int(l, nrec, "%s: sealed length", v->what);
		ok(l == (long)nrec && !memcmp(out, rec, nrec),
		   "%s: sealed bytes are the RFC's", v->what);
		is_int(s.seq, v->seq + 1, "%s: sequence advances", v->what);
		l = zc_tls_open(&o, rec, nrec);
		ok(l == (long)npl && !memcmp(rec + ZC_TLS_HDR, pl, npl),
		   "%s: the RFC's record opens to its payload", v->what);
		zc_tls_free(&s);
		zc_tls_free(&o);
	}
}

static void make_key(struct zc_tls_key *k)
{
	for (int i = 0; i < 16; i++)
		k->key[i] = (unsigned char)(i * 7 + 1);
	for (int i = 0; i < 12; i++)
		k->iv[i] = (unsigned char)(i * 13 + 5);
}

/* Seals len bytes as record seq; 0 on success. */
static long seal_one(const struct zc_tls_key *k, uint64_t seq,
		     const unsigned char *in, size_t len, unsigned char *out)
{
	struct zc_tls t;
	long l;

	if (zc_tls_init(&t, k, 1))
		return -1;
	t.seq = seq;
	l = zc_tls_seal(&t, in, len, out);
	zc_tls_free(&t);
	return l;
}

static long open_one(const struct zc_tls_key *k, uint64_t seq,
		     unsigned char *rec, size_t len)
{
	struct zc_tls t;
	long l;

	if (zc_tls_init(&t, k, 0))
		return -1;
	t.seq = seq;
	l = zc_tls_open(&t, rec, len);
	zc_tls_free(&t);
	return l;
}

static void round_trips(void)
{
	static unsigned char in[ZC_TLS_MAX_PLAIN], rec[ZC_TLS_MAX_REC],
		copy[ZC_TLS_MAX_REC];
	const size_t lens[] = { 1, 1000, ZC_TLS_MAX_PLAIN };
	struct zc_tls_key k;
	long l;

	make_key(&k);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 31 + 7);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = lens[i];

		l = seal_one(&k, 5, in, n, rec);
		is_int(l, n + ZC_TLS_OVERHEAD, "%zu bytes: record length", n);
		ok(rec[0] == 23 && rec[1] == 3 && rec[2] == 3 &&
		   ((size_t)rec[3] << 8 | rec[4]) == n + 17,
		   "%zu bytes: header is application data, 0x0303, length", n);
		ok(memcmp(rec + ZC_TLS_HDR, in, n),
		   "%zu bytes: the data is not in the clear", n);
		is_int(zc_tls_reclen(rec, (size_t)l), l,
		       "%zu bytes: reclen reads the header", n);
		memcpy(copy, rec, (size_t)l);
		is_int(open_one(&k, 5, copy, (size_t)l), n,
		       "%zu bytes: opens with the same sequence number", n);
		ok(!memcmp(copy + ZC_TLS_HDR, in, n),
		   "%zu bytes: to the same data", n);
		memcpy(copy, rec, (size_t)l);
		is_int(open_one(&k, 6, copy, (size_t)l), -1,
		       "%zu bytes: not with the next sequence number", n);
	}
	l = seal_one(&k, 0, in, 1000, rec);
	for (size_t at = 0; at < (size_t)l; at += (size_t)l / 7) {
		memcpy(copy, rec, (size_t)l);
		copy[at] ^= 0x01;
		ok(open_one(&k, 0, copy, (size_t)l) < 0,
		   "a flipped bit at byte %zu of %ld is refused", at, l);
	}
	memcpy(copy, rec, (size_t)l);
	copy[l - 1] ^= 0x80;
	ok(open_one(&k, 0, copy, (size_t)l) < 0, "a changed tag is refused");
	k.key[0] ^= 1;
	memcpy(copy, rec, (size_t)l);
	ok(open_one(&k, 0, copy, (size_t)l) < 0, "another key is refused");
	k.key[0] ^= 1;
	is_int(seal_one(&k, 0, in, 0, rec), -1,
	       "an empty record is not sealed");
	is_int(seal_one(&k, 0, in, ZC_TLS_MAX_PLAIN + 1, rec), -1,
	       "nor one over 16 KiB");
}

static void headers(void)
{
	unsigned char h[5] = { 23, 3, 3, 0, 40 };

	is_int(zc_tls_reclen(h, 4), 0, "4 bytes of header: not known yet");
	is_int(zc_tls_reclen(h, 5), 45, "5 bytes: the record's length");
	h[0] = 22;
	is_int(zc_tls_reclen(h, 5), -1, "a handshake record is refused");
	h[0] = 23;
	h[2] = 1;
	is_int(zc_tls_reclen(h, 5), -1, "version 0x0301 is refused");
	h[2] = 3;
	h[3] = 0x41;
	h[4] = 0x01;
	is_int(zc_tls_reclen(h, 5), -1,
	       "more than 2^14 + 256 bytes is refused");
	h[3] = 0;
	h[4] = 16;
	is_int(zc_tls_reclen(h, 5), -1, "fewer than type plus tag is refused");
}

int main(void)
{
	known_answers();
	round_trips();
	headers();
	return tap_done();
}
