/*
 * layout.c - the socket model's three layouts against the TSV they come
 * from, against each other, and against a hand count of the lines their
 * hot paths touch; and the hot path's closed-form check, both ways.
 */
#include "hot.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 256

struct row {
	char type[64], name[64], tx[16], rx[16];
};

static struct row rows[MAXF];
static int nrows;

static FILE *open_tsv(void)
{
	static const char *const tries[] = {
		"suites/cacheline/tcp_sock_fields.tsv",
		"../tcp_sock_fields.tsv",
		"tcp_sock_fields.tsv",
	};
	char path[4096];
	const char *env = getenv("CL_TSV"), *slash;
	FILE *f;

	if (env)
		return fopen(env, "r");
	/* Beside this file's folder, wherever the tree was compiled. */
	slash = strrchr(__FILE__, '/');
	if (slash) {
		snprintf(path, sizeof(path), "%.*s/../tcp_sock_fields.tsv",
			 (int)(slash - __FILE__), __FILE__);
		f = fopen(path, "r");
		if (f)
			return f;
	}
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		f = fopen(tries[i], "r");
		if (f)
			return f;
	}
	return NULL;
}

static int read_tsv(void)
{
	FILE *f = open_tsv();
	char line[512];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && nrows < MAXF) {
		struct row *r = &rows[nrows];

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63[^\t]\t%63[^\t]\t%15[^\t]\t%15[^\t\n]",
			   r->type, r->name, r->tx, r->rx) == 4)
			nrows++;
	}
	fclose(f);
	return 0;
}

/*
 * The x86-64 sizes the model states for every TSV type (see
 * docs/suites/cacheline.md): bytes, or a bitfield's width in *bits.
 * Written out again here, not taken from the generator, so that a
 * generator mistake cannot agree with itself.
 */
static int tsv_size(const struct row *r, int *bits)
{
	static const struct {
		const char *type;
		int size;
	} fixed[] = {
		{ "u8", 1 }, { "bool", 1 }, { "u16", 2 }, { "u32", 4 },
		{ "__be32", 4 }, { "int", 4 }, { "unsigned_int", 4 },
		{ "u64", 8 }, { "u32[3]", 12 }, { "struct_list_head", 16 },
		{ "struct_rb_root", 8 }, { "struct_minmax", 24 },
		{ "struct_hrtimer", 64 },
		{ "struct_tcp_options_received", 24 },
		{ "struct_tcp_sack_block[1]", 8 },
		{ "struct_tcp_sack_block[4]", 32 },
		{ "struct_inet_connection_sock", 1344 },
	};
	static const struct {
		const char *name;
		int size;
	} anon[] = {
		{ "tcp_rack", 24 }, { "rcv_rtt_est", 16 }, { "rcvq_space", 16 },
		{ "mtu_probe", 8 },
	};
	size_t n = strlen(r->type);

	*bits = 0;
	if (!strncmp(r->type, "u8:", 3)) {
		*bits = atoi(r->type + 3);
		return 0;
	}
	if (n && r->type[n - 1] == '*')
		return 8;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!strcmp(r->type, fixed[i].type))
			return fixed[i].size;
	if (!strcmp(r->type, "struct"))
		for (size_t i = 0; i < sizeof(anon) / sizeof(anon[0]); i++)
			if (!strcmp(r->name, anon[i].name))
				return anon[i].size;
	return -1;
}

static int use_of(const char *s)
{
	return !strcmp(s, "read_mostly") ? CL_READ :
	       !strcmp(s, "read_write") ? CL_WRITE : CL_NONE;
}

static void test_tsv(void)
{
	int bad = 0, nb = 0;

	ok(read_tsv() == 0, "the TSV can be read");
	is_int(nrows, cl_nfields(), "as many fields as the TSV has rows");
	for (int l = 0; l < CL_NLAYOUTS; l++) {
		const struct cl_layout *L = &cl_layouts[l];

		bad = 0;
		for (int i = 0; i < nrows && i < cl_nfields(); i++) {
			const struct cl_field *f = &L->fields[i];
			int bits, size = tsv_size(&rows[i], &bits);

			if (strcmp(f->name, rows[i].name) ||
			    strcmp(f->type, rows[i].type) || size < 0 ||
			    (int)f->size != size || f->bits != bits ||
			    f->tx != use_of(rows[i].tx) ||
			    f->rx != use_of(rows[i].rx) ||
			    (!bits && f->elem * f->nelem != f->size)) {
				if (!bad++)
					printf("# %s: field %d %s: size %u "
					       "bits %u, the TSV says %s "
					       "(%d)\n",
					       L->name, i, f->name, f->size,
					       f->bits, rows[i].type, size);
			}
			nb += l == 0 && bits;
		}
		ok(!bad, "%s has the TSV's fields, uses and sizes", L->name);
	}
	ok(nb > 20, "the TSV's bitfields are there (%d)", nb);
}

static void test_same_fields(void)
{
	const struct cl_layout *a = &cl_layouts[CL_SCATTERED];

	for (int l = 1; l < CL_NLAYOUTS; l++) {
		const struct cl_layout *b = &cl_layouts[l];
		int same = 1;

		for (int i = 0; i < cl_nfields(); i++) {
			const struct cl_field *x = &a->fields[i];
			const struct cl_field *y = &b->fields[i];

			same &= !strcmp(x->name, y->name) &&
				!strcmp(x->type, y->type) &&
				x->size == y->size && x->elem == y->elem &&
				x->nelem == y->nelem && x->bits == y->bits &&
				x->tx == y->tx && x->rx == y->rx;
		}
		ok(same, "%s and scattered hold the same fields by name and "
		   "size", b->name);
	}
}

/* Every byte (bit, for bitfields) belongs to one field at most. */
static void test_no_overlap(void)
{
	for (int l = 0; l < CL_NLAYOUTS; l++) {
		const struct cl_layout *L = &cl_layouts[l];
		uint8_t *used = calloc(L->size, 1);
		int clash = 0, outside = 0;

		for (int i = 0; i < cl_nfields(); i++) {
			const struct cl_field *f = &L->fields[i];

			if (f->bits) {
				unsigned mask = ((1u << f->bits) - 1) << f->bit;

				outside |= f->off >= L->size ||
					   f->bit + f->bits > 8;
				if (f->off < L->size) {
					clash |= used[f->off] & mask;
					used[f->off] |= mask;
				}
				continue;
			}
			outside |= f->off + f->size > L->size;
			for (uint32_t k = 0; k < f->size &&
			     f->off + k < L->size; k++) {
				clash |= used[f->off + k] != 0;
				used[f->off + k] = 0xff;
			}
		}
		ok(!clash && !outside, "%s: fields lie inside the struct and "
		   "do not overlap", L->name);
		free(used);
	}
}

/*
 * Bit positions in the table are the generator's arithmetic; the C
 * member is the compiler's. Setting each bitfield to all ones through
 * the member must set exactly the bits the table names.
 */
static void test_bitfields(void)
{
	for (int l = 0; l < CL_NLAYOUTS; l++) {
		const struct cl_layout *L = &cl_layouts[l];
		unsigned char *obj = malloc(L->size);
		int bad = 0;

		for (int i = 0; i < cl_nfields(); i++) {
			const struct cl_field *f = &L->fields[i];
			size_t nonzero = 0, where = 0;

			if (!f->bits)
				continue;
			memset(obj, 0, L->size);
			L->set_bits(obj, i, ~0ULL);
			for (size_t k = 0; k < L->size; k++)
				if (obj[k]) {
					nonzero++;
					where = k;
				}
			if (nonzero != 1 || where != f->off ||
			    obj[where] != (((1u << f->bits) - 1) << f->bit) ||
			    cl_get(f, obj, 0) != (1u << f->bits) - 1) {
				if (!bad++)
					printf("# %s: bitfield %s at byte %zu "
					       "(%#x), table says byte %u bit "
					       "%u\n", L->name, f->name, where,
					       obj[where], f->off, f->bit);
			}
		}
		ok(!bad, "%s: bitfields sit where the table says", L->name);
		free(obj);
	}
}

static void test_order(void)
{
	const struct cl_layout *s = &cl_layouts[CL_SCATTERED];
	int in_order = 1;

	for (int i = 1; i < cl_nfields(); i++)
		in_order &= s->fields[i].off >= s->fields[i - 1].off;
	ok(in_order, "scattered keeps the TSV's order");

	for (int l = CL_GROUPED; l < CL_NLAYOUTS; l++) {
		const struct cl_layout *L = &cl_layouts[l];
		uint32_t lo[CL_G_COLD + 1], hi[CL_G_COLD + 1];
		int sorted = 1, aligned = 1;

		for (int g = 0; g <= CL_G_COLD; g++) {
			lo[g] = UINT32_MAX;
			hi[g] = 0;
		}
		for (int i = 0; i < cl_nfields(); i++) {
			const struct cl_field *f = &L->fields[i];

			if (f->off < lo[f->group])
				lo[f->group] = f->off;
			if (f->off > hi[f->group])
				hi[f->group] = f->off;
		}
		for (int g = 1; g <= CL_G_COLD; g++) {
			sorted &= lo[g] > hi[g - 1];
			if (g < CL_G_COLD && l == CL_GROUPED_ALIGNED)
				aligned &= lo[g] % 64 == 0;
		}
		ok(sorted, "%s: prefix, then the six groups in order, then "
		   "the cold fields", L->name);
		if (l == CL_GROUPED_ALIGNED)
			ok(aligned, "%s: every group starts on a 64-byte line",
			   L->name);
	}
}

/*
 * Hand count, 64-byte lines, from the sizes in the TSV (grouped: each
 * group sorted by alignment, bitfields last; offsets in bytes):
 *
 *   inet_conn prefix       0..1343   (lines 0-20, never touched)
 *   read_tx             1344..1378   2 ptrs, 4 u32, u16, 1 bitfield byte
 *   read_txrx           1380..1410   7 u32, u16, u8
 *   read_rx             1416..1492   rb_root, 5 u32, minmax, 5 u32,
 *                                    2 u16, 1 bitfield byte
 *   write_tx            1496..1601   u64, list_head, 4 u64 (incl. ptr),
 *                                    5 u32, u32[3], 4 u32, u8, bits
 *   write_txrx          1608..1695   2 u64, 8 u32, rx_opt (24), 4 u32
 *   write_rx            1696..1764   2 u64, 2 x 16-byte structs, 5 u32,
 *                                    bits
 *
 * TX uses read_tx, read_txrx, write_tx, write_txrx: bytes 1344-1410
 * (lines 21, 22) and 1496-1695 (lines 23-26): 6 lines, 4 written.
 * RX uses read_txrx, read_rx, write_txrx, write_rx: 1380-1492 (lines
 * 21-23) and 1608-1764 (lines 25-27): 6 lines, 3 written.
 *
 * grouped_aligned starts each group on a line: TX 1 + 1 (35 and 31
 * bytes) + 2 + 2 (106 and 88 bytes) = 6 lines, 4 written; RX 1 + 2 (77
 * bytes) + 2 + 2 (88 and 69 bytes) = 7 lines, 4 written.
 *
 * With 128-byte lines the grouped TX bytes fall in lines 10-13 (4) and
 * the RX bytes in lines 10-13 (4).
 */
static void test_lines(void)
{
	static const struct {
		int layout, path;
		unsigned line;
		int lines, written;
	} hand[] = {
		{ CL_GROUPED, CL_TX, 64, 6, 4 },
		{ CL_GROUPED, CL_RX, 64, 6, 3 },
		{ CL_GROUPED_ALIGNED, CL_TX, 64, 6, 4 },
		{ CL_GROUPED_ALIGNED, CL_RX, 64, 7, 4 },
		{ CL_GROUPED, CL_TX, 128, 4, -1 },
		{ CL_GROUPED, CL_RX, 128, 4, -1 },
	};

	for (size_t i = 0; i < sizeof(hand) / sizeof(hand[0]); i++) {
		const struct cl_layout *L = &cl_layouts[hand[i].layout];
		int w, n = cl_lines_touched(L, hand[i].path, hand[i].line, &w);

		is_int(n, hand[i].lines, "%s %s touches %d %u-byte lines "
		       "(hand count)", L->name, hand[i].path ? "rx" : "tx",
		       hand[i].lines, hand[i].line);
		if (hand[i].written >= 0)
			is_int(w, hand[i].written, "%s %s writes %d of them",
			       L->name, hand[i].path ? "rx" : "tx",
			       hand[i].written);
	}
	for (int p = 0; p < CL_NPATHS; p++) {
		int s = cl_lines_touched(&cl_layouts[CL_SCATTERED], p, 64,
					 NULL);
		int g = cl_lines_touched(&cl_layouts[CL_GROUPED], p, 64, NULL);

		ok(s > g, "scattered %s touches more lines than grouped "
		   "(%d > %d)", p ? "rx" : "tx", s, g);
	}
}

/*
 * The same start values in every layout, the same visits: every field
 * must end the same by name, and as the closed form says; and the check
 * must catch a changed cold field and a missed visit.
 */
static void test_hot_path(void)
{
	enum { VISITS = 5, SEED = 12345, IDX = 7 };
	void *obj[CL_NLAYOUTS];
	char why[256];

	for (int p = 0; p < CL_NPATHS; p++) {
		uint64_t len[CL_NLAYOUTS];
		int same = 1;

		for (int l = 0; l < CL_NLAYOUTS; l++) {
			const struct cl_layout *L = &cl_layouts[l];

			obj[l] = aligned_alloc(64, (L->size + 63) / 64 * 64);
			memset(obj[l], 0xa5, L->size);
			cl_init_object(L, obj[l], SEED, IDX, -1);
			for (int v = 0; v < VISITS; v++)
				len[l] = L->visit[p](obj[l]);
			ok(len[l] == cl_path_len(L, obj[l], p),
			   "%s %s: the hot path's len is the table's sum of "
			   "the fields it reads", L->name, p ? "rx" : "tx");
			is_int(cl_check_object(L, obj[l], p, 1, SEED, IDX,
					       VISITS, why, sizeof(why)), 0,
			       "%s %s: every field as the closed form says "
			       "after %d visits", L->name, p ? "rx" : "tx",
			       VISITS);
		}
		for (int l = 1; l < CL_NLAYOUTS; l++) {
			const struct cl_layout *A = &cl_layouts[0];
			const struct cl_layout *B = &cl_layouts[l];

			same &= len[l] == len[0];
			for (int i = 0; i < cl_nfields(); i++) {
				uint32_t ne = A->fields[i].bits ? 1 :
					      A->fields[i].nelem;

				for (uint32_t e = 0; e < ne; e++)
					same &= cl_get(&A->fields[i], obj[0],
						       e) ==
						cl_get(&B->fields[i], obj[l],
						       e);
			}
		}
		ok(same, "%s: all layouts end with the same values by name",
		   p ? "rx" : "tx");

		/* The check can fail: one visit short, one cold byte off. */
		ok(cl_check_object(&cl_layouts[0], obj[0], p, 1, SEED, IDX,
				   VISITS - 1, why, sizeof(why)) != 0,
		   "%s: a missed visit is caught (%s)", p ? "rx" : "tx", why);
		for (int i = 0; i < cl_nfields(); i++) {
			const struct cl_field *f = &cl_layouts[0].fields[i];

			if ((p ? f->rx : f->tx) != CL_NONE ||
			    f->group == CL_G_PREFIX || f->bits)
				continue;
			cl_set(f, obj[0], 0, cl_get(f, obj[0], 0) ^ 1);
			ok(cl_check_object(&cl_layouts[0], obj[0], p, 1, SEED,
					   IDX, VISITS, why, sizeof(why)) != 0,
			   "%s: a changed cold field is caught (%s)",
			   p ? "rx" : "tx", why);
			ok(cl_check_object(&cl_layouts[0], obj[0], p, 0, SEED,
					   IDX, VISITS, why, sizeof(why)) == 0,
			   "%s: the benchmark's check looks at hot fields "
			   "only", p ? "rx" : "tx");
			break;
		}
		for (int l = 0; l < CL_NLAYOUTS; l++)
			free(obj[l]);
	}
}

int main(void)
{
	test_tsv();
	test_same_fields();
	test_no_overlap();
	test_bitfields();
	test_order();
	test_lines();
	test_hot_path();
	return tap_done();
}
