/*
 * tlsrec.c - TLS 1.3 application-data records with AES-128-GCM, sealed
 * and opened in user space with OpenSSL's EVP interface: the record
 * layer of the user-space TLS paths in tls.c, and the check that kTLS
 * (the kernel's record layer) wrote records a user-space peer reads.
 *
 * No handshake: both ends are given the same key and IV (as kTLS is,
 * through setsockopt), and count records from 0. Only what the paths
 * need is accepted: application data (outer type 23, version 0x0303),
 * inner content type 23, zero padding allowed.
 *
 * Cost: EVP's AES-GCM with AES-NI, about 2-4 GB/s per core; one
 * EVP_CipherInit per record to set its nonce.
 *
 * No benchmark here; tests/tlsrec.c checks it.
 */
#include "zerocopy.h"

#include <openssl/evp.h>
#include <string.h>

#define TYPE_APPDATA 23

int zc_tls_init(struct zc_tls *t, const struct zc_tls_key *k, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	memset(t, 0, sizeof(*t));
	if (!ctx)
		return -1;
	if (EVP_CipherInit_ex(ctx, EVP_aes_128_gcm(), NULL, k->key, k->iv,
			      enc) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return -1;
	}
	t->ctx = ctx;
	t->k = *k;
	t->enc = enc;
	return 0;
}

void zc_tls_free(struct zc_tls *t)
{
	EVP_CIPHER_CTX_free(t->ctx);
	t->ctx = NULL;
}

/* The record's nonce: the IV xor the sequence number, right-aligned. */
static void nonce(const struct zc_tls *t, unsigned char n[12])
{
	memcpy(n, t->k.iv, 12);
	for (int i = 0; i < 8; i++)
		n[4 + i] ^= (unsigned char)(t->seq >> (56 - 8 * i));
}

static void header(unsigned char *h, size_t len)
{
	h[0] = TYPE_APPDATA;
	h[1] = 3;
	h[2] = 3;
	h[3] = (unsigned char)(len >> 8);
	h[4] = (unsigned char)len;
}

long zc_tls_seal(struct zc_tls *t, const void *in, size_t len,
		 unsigned char *out)
{
	EVP_CIPHER_CTX *ctx = t->ctx;
	const unsigned char type = TYPE_APPDATA;
	size_t clen = len + 1 + ZC_TLS_TAG;
	unsigned char n[12], *c = out + ZC_TLS_HDR;
	int l;

	if (!t->enc || !len || len > ZC_TLS_MAX_PLAIN)
		return -1;
	header(out, clen);
	nonce(t, n);
	/* GCM is a stream mode: every update writes what it is given. */
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, n, 1) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &l, out, ZC_TLS_HDR) != 1 ||
	    EVP_EncryptUpdate(ctx, c, &l, in, (int)len) != 1 ||
	    l != (int)len ||
	    EVP_EncryptUpdate(ctx, c + len, &l, &type, 1) != 1 || l != 1 ||
	    EVP_EncryptFinal_ex(ctx, c + len + 1, &l) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, ZC_TLS_TAG,
				c + len + 1) != 1)
		return -1;
	t->seq++;
	return (long)(ZC_TLS_HDR + clen);
}

long zc_tls_reclen(const unsigned char *p, size_t avail)
{
	size_t len;

	if (avail < ZC_TLS_HDR)
		return 0;
	len = (size_t)p[3] << 8 | p[4];
	/* RFC 8446 5.2: at most 2^14 + 256 bytes of ciphertext. */
	if (p[0] != TYPE_APPDATA || p[1] != 3 || p[2] != 3 ||
	    len < 1 + ZC_TLS_TAG || len > ZC_TLS_MAX_PLAIN + 256)
		return -1;
	return (long)(ZC_TLS_HDR + len);
}

long zc_tls_open(struct zc_tls *t, unsigned char *rec, size_t reclen)
{
	EVP_CIPHER_CTX *ctx = t->ctx;
	unsigned char n[12], *c = rec + ZC_TLS_HDR;
	size_t clen;
	int l;

	if (t->enc || zc_tls_reclen(rec, reclen) != (long)reclen)
		return -1;
	clen = reclen - ZC_TLS_HDR - ZC_TLS_TAG;
	nonce(t, n);
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, n, 0) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &l, rec, ZC_TLS_HDR) != 1 ||
	    EVP_DecryptUpdate(ctx, c, &l, c, (int)clen) != 1 ||
	    l != (int)clen ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, ZC_TLS_TAG,
				c + clen) != 1 ||
	    EVP_DecryptFinal_ex(ctx, c + clen, &l) != 1)
		return -1;
	/* The inner plaintext: data, content type, then zero padding. */
	while (clen && c[clen - 1] == 0)
		clen--;
	if (!clen || c[clen - 1] != TYPE_APPDATA)
		return -1;
	t->seq++;
	return (long)(clen - 1);
}
