/*
 * recurse.c - call-heavy code: naive recursive Fibonacci, and a
 * recursive-descent parser and evaluator of arithmetic statements.
 *
 * Isolates function calls and inlining. fib_rec is nothing but calls
 * (150,049 of them for fib(24)), the classic test of call overhead and of
 * how far a compiler will unroll a recursion into itself. The parser is
 * the shape of every hand-written parser: small functions (skip blanks,
 * peek, accept a character, a number) called from a chain of grammar
 * functions, one per precedence level, recursing on parentheses. -O1
 * inlines only functions called once; -O2 inlines small ones; -O3 inlines
 * more and clones; -O0 calls everything and keeps every variable in
 * memory.
 *
 * Each iteration parses the next of 16 programs of about 6 KiB of random
 * statements (nesting up to six parentheses deep, 32-bit wrapping
 * arithmetic), so the branch predictor cannot learn one; the generator
 * computes each value as it writes it, and the parser must agree.
 *
 * Run just this:  build/O2/bench_optlevels --benchmark_filter=recurse
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, gcc 12 -O2): fib(24)
 * 41 us, 0.27 ns per call counted in the source (gcc -O2 turns most of
 * the recursion into loops; -O0 makes every call, 1.35 ns each); the
 * parser 10 us per program (0.6 GB/s), 47 us at -O0.
 */
#include "gbshim.h"
#include "optlevels.h"

#include <stdio.h>
#include <stdlib.h>

#define FIB_N 24
#define EXPR_BYTES (8 << 10)
#define EXPR_DEPTH 6		/* parentheses */
#define EXPR_PRIMARIES 48	/* numbers per statement, about */

uint32_t fib_rec(uint32_t n)
{
	if (n < 2)
		return n;
	return fib_rec(n - 1) + fib_rec(n - 2);
}

struct parser {
	const char *p;
	int err;
};

static void skip_blanks(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\n')
		ps->p++;
}

static int peek(struct parser *ps)
{
	skip_blanks(ps);
	return (unsigned char)*ps->p;
}

static int accept(struct parser *ps, int c)
{
	if (peek(ps) != c)
		return 0;
	ps->p++;
	return 1;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static uint32_t parse_number(struct parser *ps)
{
	uint32_t v = 0;

	if (!is_digit(peek(ps))) {
		ps->err = 1;
		return 0;
	}
	while (is_digit(*ps->p))
		v = v * 10 + (uint32_t)(*ps->p++ - '0');
	return v;
}

static uint32_t parse_expr(struct parser *ps);

static uint32_t parse_primary(struct parser *ps)
{
	uint32_t v;

	if (!accept(ps, '('))
		return parse_number(ps);
	v = parse_expr(ps);
	if (!accept(ps, ')'))
		ps->err = 1;
	return v;
}

static uint32_t parse_unary(struct parser *ps)
{
	if (accept(ps, '-'))
		return -parse_unary(ps);
	return parse_primary(ps);
}

static uint32_t parse_term(struct parser *ps)
{
	uint32_t v = parse_unary(ps);

	for (;;) {
		if (accept(ps, '*'))
			v *= parse_unary(ps);
		else if (accept(ps, '&'))
			v &= parse_unary(ps);
		else
			return v;
	}
}

static uint32_t parse_expr(struct parser *ps)
{
	uint32_t v = parse_term(ps);

	for (;;) {
		if (accept(ps, '+'))
			v += parse_term(ps);
		else if (accept(ps, '-'))
			v -= parse_term(ps);
		else if (accept(ps, '|'))
			v |= parse_term(ps);
		else
			return v;
	}
}

int expr_eval_all(const char *s, uint32_t *out)
{
	struct parser ps = { .p = s };
	uint32_t h = OL_MIX_INIT;

	while (peek(&ps) != '\0') {
		uint32_t v = parse_expr(&ps);

		if (ps.err || !accept(&ps, ';'))
			return -1;
		h = ol_mix(h, v);
	}
	*out = h;
	return 0;
}

/* The generator follows the grammar, so its values follow precedence. */
struct gen {
	char *p;
	size_t len, cap;
	struct rng *r;
	int left;		/* numbers still allowed in this statement */
};

static void gen_put(struct gen *g, const char *s)
{
	while (*s) {
		if (g->len + 1 >= g->cap)
			die("expression program outgrew its buffer");
		g->p[g->len++] = *s++;
	}
}

static uint32_t gen_expr(struct gen *g, int depth);

static uint32_t gen_primary(struct gen *g, int depth)
{
	char num[16];
	uint32_t v;

	g->left--;
	if (depth > 0 && g->left > 0 && rng_below(g->r, 3) == 0) {
		gen_put(g, "(");
		v = gen_expr(g, depth - 1);
		gen_put(g, ")");
		return v;
	}
	v = (uint32_t)rng_below(g->r, 100000);
	snprintf(num, sizeof(num), "%u", v);
	gen_put(g, num);
	return v;
}

static uint32_t gen_unary(struct gen *g, int depth)
{
	if (rng_below(g->r, 8) == 0) {
		gen_put(g, "-");
		return -gen_unary(g, depth);
	}
	return gen_primary(g, depth);
}

static uint32_t gen_term(struct gen *g, int depth)
{
	uint32_t v = gen_unary(g, depth);
	int more = g->left > 0 ? (int)rng_below(g->r, 3) : 0;

	while (more-- > 0) {
		if (rng_below(g->r, 4)) {
			gen_put(g, " * ");
			v *= gen_unary(g, depth);
		} else {
			gen_put(g, " & ");
			v &= gen_unary(g, depth);
		}
	}
	return v;
}

static uint32_t gen_expr(struct gen *g, int depth)
{
	uint32_t v = gen_term(g, depth);
	int more = g->left > 0 ? (int)rng_below(g->r, 4) : 0;

	while (more-- > 0) {
		switch (rng_below(g->r, 5)) {
		case 0:
		case 1:
			gen_put(g, " + ");
			v += gen_term(g, depth);
			break;
		case 2:
		case 3:
			gen_put(g, " - ");
			v -= gen_term(g, depth);
			break;
		default:
			gen_put(g, " | ");
			v |= gen_term(g, depth);
			break;
		}
	}
	return v;
}

size_t expr_make_program(char *buf, size_t len, struct rng *r,
			 uint32_t *want)
{
	struct gen g = { .p = buf, .cap = len, .r = r };
	uint32_t h = OL_MIX_INIT;

	/* A statement stays well under 2 KiB: the number budget sees to it. */
	while (g.len + 2048 < len) {
		g.left = EXPR_PRIMARIES;
		h = ol_mix(h, gen_expr(&g, EXPR_DEPTH));
		gen_put(&g, ";\n");
	}
	g.p[g.len] = '\0';
	*want = h;
	return g.len;
}

struct fibb {
	uint32_t n, want, got;
	uint64_t calls;
};

static int fib_setup(struct bench_state *st)
{
	struct fibb *fb = xcalloc(1, sizeof(*fb));
	uint32_t a = 0, b = 1;

	fb->n = FIB_N;
	for (uint32_t i = 0; i < fb->n; i++) {
		uint32_t t = a + b;

		a = b;
		b = t;
	}
	fb->want = a;
	fb->calls = 2 * (uint64_t)b - 1;	/* 2 fib(n + 1) - 1 */
	bench_set_priv(st, fb);
	return 0;
}

/* One input: the calls fib makes do not depend on data to memorise. */
static void fib_run(struct bench_state *st)
{
	struct fibb *fb = bench_priv(st);
	uint32_t v = 0;
	uint64_t n;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t k = 0; k < n; k++) {
			uint32_t arg = fb->n;

			/* Unknown to the compiler: no folding, no hoisting. */
			bench_sink(arg);
			v = fib_rec(arg);
			bench_sink(v);
		}
	fb->got = v;
	bench_set_items(st, (int64_t)(bench_iterations(st) * fb->calls));
}

static int fib_verify(struct bench_state *st)
{
	struct fibb *fb = bench_priv(st);

	if (fb->got != fb->want) {
		bench_fail(st, "fib(%u) computed %u, expected %u", fb->n,
			   fb->got, fb->want);
		return 1;
	}
	bench_counter(st, "result", fb->got, BENCH_CTR_TOTAL);
	return 0;
}

struct exprb {
	char *prog[OL_INPUTS];
	size_t len[OL_INPUTS];
	uint32_t want[OL_INPUTS], got[OL_INPUTS];
	int err[OL_INPUTS];
	uint64_t ran;
};

static int expr_setup(struct bench_state *st)
{
	struct exprb *eb = xcalloc(1, sizeof(*eb));
	struct rng r;

	rng_seed(&r, bench_seed() ^ 0x65787072u);
	for (int j = 0; j < OL_INPUTS; j++) {
		eb->prog[j] = xmalloc(EXPR_BYTES);
		eb->len[j] = expr_make_program(eb->prog[j], EXPR_BYTES, &r,
					       &eb->want[j]);
	}
	bench_set_priv(st, eb);
	return 0;
}

static void expr_run(struct bench_state *st)
{
	struct exprb *eb = bench_priv(st);
	uint64_t n, bytes = 0;

	while ((n = bench_batch(st)) != 0)
		for (uint64_t k = 0; k < n; k++) {
			unsigned j = k % OL_INPUTS;
			const char *p = eb->prog[j];
			uint32_t v = 0;
			int err;

			bench_sink(p);
			err = expr_eval_all(p, &v);
			bench_sink(v);
			eb->got[j] = v;
			eb->err[j] = err;
		}
	eb->ran = bench_iterations(st);
	for (unsigned j = 0; j < OL_INPUTS; j++)
		bytes += eb->len[j];
	bench_set_bytes(st, (int64_t)(eb->ran * bytes / OL_INPUTS));
}

static int expr_verify(struct bench_state *st)
{
	struct exprb *eb = bench_priv(st);

	for (unsigned j = 0; j < OL_INPUTS; j++) {
		if (j >= eb->ran)	/* not reached by the run: check it */
			eb->err[j] = expr_eval_all(eb->prog[j], &eb->got[j]);
		if (eb->err[j]) {
			bench_fail(st, "the parser rejects program %u", j);
			return 1;
		}
		if (eb->got[j] != eb->want[j]) {
			bench_fail(st, "program %u computed %#x, the generator "
				   "%#x", j, eb->got[j], eb->want[j]);
			return 1;
		}
	}
	bench_counter(st, "result", ol_fold(eb->got, OL_INPUTS),
		      BENCH_CTR_TOTAL);
	return 0;
}

static void expr_teardown(struct bench_state *st)
{
	struct exprb *eb = bench_priv(st);

	for (int j = 0; j < OL_INPUTS; j++)
		free(eb->prog[j]);
	free(eb);
}

static void fib_teardown(struct bench_state *st)
{
	free(bench_priv(st));
}

static const struct bench_case cases[] = {
	{
		.name = "recurse/fib",
		.min_time = OL_MIN_TIME,
		.desc = "naive recursive fib(24) (items: calls)",
		.setup = fib_setup,
		.run = fib_run,
		.verify = fib_verify,
		.teardown = fib_teardown,
		.unit = BENCH_UNIT_US,
	},
	{
		.name = "recurse/expr_parse",
		.min_time = OL_MIN_TIME,
		.desc = "recursive-descent parser over 6 KiB of expressions",
		.setup = expr_setup,
		.run = expr_run,
		.verify = expr_verify,
		.teardown = expr_teardown,
		.unit = BENCH_UNIT_US,
	},
};
BENCH_FAMILY(cases);
