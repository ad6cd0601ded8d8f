/*
 * optlevels.h - the kernels of the optlevels suite, for the family files
 * and the tests.
 *
 * Each kernel stands for a kind of real program (an interpreter, a hash
 * table, a sort, a text scanner, a parser, a numeric loop) and returns a
 * 32-bit result that depends on all of its work. The result is reported as
 * the counter "result" (exact in a double), so runs of different flavors
 * can be checked to have computed the same thing, and each kernel is
 * tested against an independent reference in tests/kernels.c.
 *
 * Inputs are built once per instance from bench_seed(); sizes do not
 * depend on the profile, so every flavor and every profile does the same
 * work and gets the same result for a given seed. The result of a case
 * with several inputs (OL_INPUTS, below) folds the results of them all.
 */
#ifndef OPTLEVELS_H
#define OPTLEVELS_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Folds a value into a running checksum (FNV-1a style, order-sensitive). */
static inline uint32_t ol_mix(uint32_t h, uint32_t v)
{
	return (h ^ v) * 0x01000193u;
}

#define OL_MIX_INIT 0x811c9dc5u

/*
 * Inputs per case. A core's branch predictor learns the outcomes of a
 * kernel run on one input thousands of times over: on a Zen 5 core,
 * sorting the same 4096 records ran 5x faster, and validating the same
 * 16 KiB of UTF-8 3x faster, than on fresh input each time. A real
 * program sees new data, so each case whose branches depend on its data
 * cycles through OL_INPUTS different inputs, one per iteration: more than
 * the predictor can memorise. Each input is small (1 to 72 KiB), so an
 * iteration works in L2 and the 16 together stay in L2 or L3.
 */
#define OL_INPUTS 16

/*
 * Seconds per repetition at the quick profile (gbshim.h scales it for
 * full): 10 ms is hundreds of iterations of any kernel here, all 16
 * inputs many times over, and twelve flavors times three rounds of
 * processes must fit the quick profile's budget (under 0.8 s a process).
 * The spread between processes, not a longer repetition, is what a
 * comparison of flavors needs.
 */
#define OL_MIN_TIME 0.01

/* The result of a case: each input's result, folded in order. */
static inline uint32_t ol_fold(const uint32_t *r, int n)
{
	uint32_t h = OL_MIX_INIT;

	for (int i = 0; i < n; i++)
		h = ol_mix(h, r[i]);
	return h;
}

/* Items done in iters iterations cycling through per[0..OL_INPUTS). */
static inline uint64_t ol_items(uint64_t iters, const uint64_t *per)
{
	uint64_t all = 0, part = 0;

	for (unsigned j = 0; j < OL_INPUTS; j++) {
		all += per[j];
		if (j < iters % OL_INPUTS)
			part += per[j];
	}
	return iters / OL_INPUTS * all + part;
}

/* ---- interp.c: a register bytecode machine ---- */

enum vm_op {
	VM_HALT = 0,	/* stop; the result is r[a] */
	VM_LOADI,	/* r[a] = imm */
	VM_MOV,		/* r[a] = r[b] */
	VM_ADD,		/* r[a] = r[b] + r[c] */
	VM_ADDI,	/* r[a] = r[b] + imm */
	VM_SUB,		/* r[a] = r[b] - r[c] */
	VM_MUL,		/* r[a] = r[b] * r[c] */
	VM_MULI,	/* r[a] = r[b] * imm */
	VM_XOR,		/* r[a] = r[b] ^ r[c] */
	VM_SHRI,	/* r[a] = r[b] >> (imm & 31) */
	VM_ANDI,	/* r[a] = r[b] & imm */
	VM_LOAD,	/* r[a] = mem[(r[b] + imm) & 255] */
	VM_STORE,	/* mem[(r[b] + imm) & 255] = r[a] */
	VM_JMP,		/* pc = imm */
	VM_JZ,		/* if (r[a] == 0) pc = imm */
	VM_JNZ,		/* if (r[a] != 0) pc = imm */
	VM_JLT,		/* if (r[a] < r[b]) pc = imm (unsigned) */
	VM_NOPS,
};

#define VM_REGS 8
#define VM_MEM 256

struct vm_insn {
	uint8_t op, a, b, c;
	uint32_t imm;
};

/*
 * The benchmark's program: a loop of trips iterations mixing a word of
 * memory into an accumulator and storing it back on a data-dependent
 * branch, nine or eleven dispatches per trip. Returns its length (at most
 * max).
 */
int vm_build_program(struct vm_insn *code, int max, uint32_t trips,
		     uint32_t seed);
/*
 * The same computation in C, for verification; *dispatches is set to the
 * number of instructions the program executes.
 */
uint32_t vm_program_reference(const uint32_t *mem, uint32_t trips,
			      uint32_t seed, uint64_t *dispatches);
/* Both run a program on a private copy of mem (VM_MEM words). */
uint32_t vm_run_switch(const struct vm_insn *code, const uint32_t *mem);
/*
 * Computed goto (labels as values): 0 and *out set, or -1 where the
 * compiler has no such extension.
 */
int vm_run_goto(const struct vm_insn *code, const uint32_t *mem,
		uint32_t *out);

/* ---- hash.c: string-keyed open-addressing hash table ---- */

struct strkeys {
	char *bytes;		/* all keys, back to back, not terminated */
	uint32_t *off;		/* key i is bytes[off[i] .. off[i + 1]) */
	uint32_t n;
};

struct strtab {
	struct strtab_slot {
		uint32_t hash;
		uint32_t idx;	/* key index + 1; 0 is an empty slot */
	} *slots;
	uint32_t mask;
};

uint32_t str_hash(const char *s, uint32_t len);
/* Builds n distinct keys from r: identifiers 3 to 22 bytes long. */
void strkeys_make(struct strkeys *k, uint32_t n, struct rng *r);
void strkeys_free(struct strkeys *k);
/*
 * The kernel: clears t (mask + 1 slots, more than ninsert), inserts keys
 * 0..ninsert-1 of keys with their index as value, then looks up every key
 * of queries in order; a hit folds the value into the result, a miss
 * folds 0xffffffff.
 */
uint32_t strtab_insert_lookup(struct strtab *t, const struct strkeys *keys,
			      uint32_t ninsert, const struct strkeys *queries);

/* ---- sort.c ---- */

struct rec {
	uint32_t key;
	uint32_t val;
};

/* Sorts by key with libc qsort and a comparison function. */
void sort_qsort(struct rec *a, size_t n);
/*
 * Sorts by key with an introsort the compiler sees whole (comparisons
 * inline): quicksort, heapsort past a depth limit, insertion sort below
 * 16 elements.
 */
void sort_inline(struct rec *a, size_t n);
/* Folds the values in order: the result of a sort. */
uint32_t rec_checksum(const struct rec *a, size_t n);

/* ---- text.c: UTF-8 validation and a JSON tokenizer ---- */

/*
 * Validates UTF-8 as Unicode defines it (no overlongs, no surrogates,
 * nothing past U+10FFFF, no truncated sequence). Returns the number of
 * code points, or -1 - (offset of the lead byte of the first bad
 * sequence) if invalid.
 */
int64_t utf8_validate(const uint8_t *s, size_t len);
/*
 * Fills buf with len bytes of valid UTF-8 text of mixed scripts; returns
 * the number of code points written.
 */
size_t utf8_make_text(uint8_t *buf, size_t len, struct rng *r);

enum json_tok {
	JT_OBJECT = 0,	/* '{' */
	JT_ARRAY,	/* '[' */
	JT_STRING,	/* keys and values */
	JT_NUMBER,
	JT_TRUE,
	JT_FALSE,
	JT_NULL,
	JT_NTYPES,
};

struct json_stats {
	uint64_t count[JT_NTYPES];
	uint32_t checksum;	/* every token's type and length, in order */
};

/*
 * Tokenizes a JSON text with an explicit state machine, counting tokens
 * by type and checking brackets nest. Returns 0, or -1 - (offset of the
 * first bad byte). Grammar between tokens is not checked: this is a
 * tokenizer, not a parser.
 */
int64_t json_tokenize(const char *s, size_t len, struct json_stats *out);
/*
 * Writes a NUL-terminated JSON document of about len bytes; returns its
 * length.
 */
size_t json_make_doc(char *buf, size_t len, struct rng *r);
/*
 * Token counts from jansson's parse of the same text (keys count as
 * strings): 0, or -1 if jansson rejects it.
 */
int json_reference_counts(const char *s, size_t len, uint64_t *count);

/* ---- vector.c ---- */

/*
 * z[i] = a * x[i] + y[i]; no restrict: the compiler must prove or check
 * that the arrays do not overlap.
 */
void vec_saxpy(float *z, const float *x, const float *y, float a, size_t n);
/* Sum of x[i] * y[i] in int32: callers keep it in range (no overflow). */
int32_t vec_dot_i16(const int16_t *x, const int16_t *y, size_t n);

/* ---- recurse.c ---- */

uint32_t fib_rec(uint32_t n);
/*
 * Evaluates every ';'-terminated statement of an arithmetic language
 * (+ - | * & unary minus, parentheses, decimal numbers, 32-bit wrapping)
 * with a recursive-descent parser, folding each value into the result.
 * Returns 0 and sets *out, or -1 on a syntax error.
 */
int expr_eval_all(const char *s, uint32_t *out);
/*
 * Writes random statements (NUL-terminated) into at most len bytes;
 * returns the bytes written and sets *want to the folded values as the
 * generator computed them.
 */
size_t expr_make_program(char *buf, size_t len, struct rng *r,
			 uint32_t *want);

#endif
