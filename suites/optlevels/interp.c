/*
 * interp.c - an interpreter's dispatch loop: a register bytecode machine
 * run by a switch and by computed goto.
 *
 * Isolates what an optimisation level does to the heart of CPython, Lua
 * or a regex engine: a loop that loads an opcode, jumps through a table to
 * a handler a few instructions long, and goes round again. The switch
 * form has one shared indirect jump (plus a bounds check); the computed
 * goto form gives every handler its own jump, which predictors handle
 * better, and is what CPython uses where the compiler allows it. -O0
 * keeps every register of the machine in memory; -O2 and up keep the
 * program counter in a register; how they lay out the handlers differs.
 *
 * The program: 4096 trips of a loop that mixes a word of memory into an
 * accumulator and stores it back on a data-dependent branch, about
 * 39,000 dispatches; its result is checked against the same computation
 * written in C. Each iteration runs the next of 16 programs (different
 * constants and memory), so the branch predictor sees fresh data.
 *
 * Run just this:  build/O2/bench_optlevels --benchmark_filter=interp
 *
 * Healthy figures (2-vCPU KVM guest, AMD EPYC Zen 5, gcc 12 -O2): the
 * switch about 1.2 ns per dispatch (46 us per program), computed goto
 * about 0.95 ns (37 us); at -O0 about 2 ns and 1.5 ns.
 */
#include "gbshim.h"
#include "optlevels.h"

#include <stdlib.h>
#include <string.h>

#define INTERP_TRIPS 4096
#define INTERP_MAXCODE 32

static void emit(struct vm_insn *code, int *n, int max, uint8_t op,
		 uint8_t a, uint8_t b, uint8_t c, uint32_t imm)
{
	if (*n >= max)
		die("vm program longer than %d instructions", max);
	code[(*n)++] = (struct vm_insn){
		.op = op, .a = a, .b = b, .c = c, .imm = imm,
	};
}

int vm_build_program(struct vm_insn *code, int max, uint32_t trips,
		     uint32_t seed)
{
	int n = 0;

	/* r0 = i, r1 = trips, r2 = acc, r3 = count of stores */
	emit(code, &n, max, VM_LOADI, 0, 0, 0, 0);
	emit(code, &n, max, VM_LOADI, 1, 0, 0, trips);
	emit(code, &n, max, VM_LOADI, 2, 0, 0, seed);
	emit(code, &n, max, VM_LOADI, 3, 0, 0, 0);
	/* 4: loop */
	emit(code, &n, max, VM_LOAD, 4, 0, 0, 0);	/* r4 = mem[i] */
	emit(code, &n, max, VM_XOR, 4, 4, 2, 0);	/* r4 ^= acc */
	/* acc = acc * K + (r4 >> 7) */
	emit(code, &n, max, VM_SHRI, 5, 4, 0, 7);
	emit(code, &n, max, VM_MULI, 2, 2, 0, 0x9e3779b1u);
	emit(code, &n, max, VM_ADD, 2, 2, 5, 0);
	emit(code, &n, max, VM_ANDI, 6, 4, 0, 3);
	emit(code, &n, max, VM_JNZ, 6, 0, 0, 13);	/* one trip in four */
	emit(code, &n, max, VM_ADDI, 3, 3, 0, 1);
	emit(code, &n, max, VM_STORE, 2, 0, 0, 17);	/* mem[i+17] = acc */
	/* 13: */
	emit(code, &n, max, VM_ADDI, 0, 0, 0, 1);
	emit(code, &n, max, VM_JLT, 0, 1, 0, 4);
	emit(code, &n, max, VM_XOR, 2, 2, 3, 0);
	emit(code, &n, max, VM_HALT, 2, 0, 0, 0);
	return n;
}

uint32_t vm_program_reference(const uint32_t *mem, uint32_t trips,
			      uint32_t seed, uint64_t *dispatches)
{
	uint32_t m[VM_MEM], acc = seed, stores = 0;
	uint64_t d = 4 + 2;

	memcpy(m, mem, sizeof(m));
	for (uint32_t i = 0; i < trips; i++) {
		uint32_t x = m[i & 255] ^ acc;

		acc = acc * 0x9e3779b1u + (x >> 7);
		d += 9;
		if ((x & 3) == 0) {
			stores++;
			m[(i + 17) & 255] = acc;
			d += 2;
		}
	}
	if (dispatches)
		*dispatches = d;
	return acc ^ stores;
}

/*
 * Programs are trusted, as a compiler's bytecode is: register numbers
 * are below VM_REGS and jumps land inside the program. An opcode out of
 * range ends the run (the switch's bounds check, which real interpreters
 * pay too).
 */
uint32_t vm_run_switch(const struct vm_insn *code, const uint32_t *mem)
{
	uint32_t r[VM_REGS] = { 0 }, m[VM_MEM];
	const struct vm_insn *pc = code;

	memcpy(m, mem, sizeof(m));
	for (;;) {
		const struct vm_insn *i = pc++;

		switch (i->op) {
		case VM_HALT:
			return r[i->a];
		case VM_LOADI:
			r[i->a] = i->imm;
			break;
		case VM_MOV:
			r[i->a] = r[i->b];
			break;
		case VM_ADD:
			r[i->a] = r[i->b] + r[i->c];
			break;
		case VM_ADDI:
			r[i->a] = r[i->b] + i->imm;
			break;
		case VM_SUB:
			r[i->a] = r[i->b] - r[i->c];
			break;
		case VM_MUL:
			r[i->a] = r[i->b] * r[i->c];
			break;
		case VM_MULI:
			r[i->a] = r[i->b] * i->imm;
			break;
		case VM_XOR:
			r[i->a] = r[i->b] ^ r[i->c];
			break;
		case VM_SHRI:
			r[i->a] = r[i->b] >> (i->imm & 31);
			break;
		case VM_ANDI:
			r[i->a] = r[i->b] & i->imm;
			break;
		case VM_LOAD:
			r[i->a] = m[(r[i->b] + i->imm) & (VM_MEM - 1)];
			break;
		case VM_STORE:
			m[(r[i->b] + i->imm) & (VM_MEM - 1)] = r[i->a];
			break;
		case VM_JMP:
			pc = code + i->imm;
			break;
		case VM_JZ:
			if (r[i->a] == 0)
				pc = code + i->imm;
			break;
		case VM_JNZ:
			if (r[i->a] != 0)
				pc = code + i->imm;
			break;
		case VM_JLT:
			if (r[i->a] < r[i->b])
				pc = code + i->imm;
			break;
		default:
			return 0;
		}
	}
}

#if defined(__GNUC__)
int vm_run_goto(const struct vm_insn *code, const uint32_t *mem,
		uint32_t *out)
{
	static const void *const handler[VM_NOPS] = {
		[VM_HALT] = &&op_halt,
		[VM_LOADI] = &&op_loadi,
		[VM_MOV] = &&op_mov,
		[VM_ADD] = &&op_add,
		[VM_ADDI] = &&op_addi,
		[VM_SUB] = &&op_sub,
		[VM_MUL] = &&op_mul,
		[VM_MULI] = &&op_muli,
		[VM_XOR] = &&op_xor,
		[VM_SHRI] = &&op_shri,
		[VM_ANDI] = &&op_andi,
		[VM_LOAD] = &&op_load,
		[VM_STORE] = &&op_store,
		[VM_JMP] = &&op_jmp,
		[VM_JZ] = &&op_jz,
		[VM_JNZ] = &&op_jnz,
		[VM_JLT] = &&op_jlt,
	};
	uint32_t r[VM_REGS] = { 0 }, m[VM_MEM];
	const struct vm_insn *pc = code, *i;

	memcpy(m, mem, sizeof(m));
/* Every handler ends in its own indirect jump: no shared dispatch point. */
#define NEXT() do { i = pc++; goto *handler[i->op]; } while (0)
	NEXT();
op_halt:
	*out = r[i->a];
	return 0;
op_loadi:
	r[i->a] = i->imm;
	NEXT();
op_mov:
	r[i->a] = r[i->b];
	NEXT();
op_add:
	r[i->a] = r[i->b] + r[i->c];
	NEXT();
op_addi:
	r[i->a] = r[i->b] + i->imm;
	NEXT();
op_sub:
	r[i->a] = r[i->b] - r[i->c];
	NEXT();
op_mul:
	r[i->a] = r[i->b] * r[i->c];
	NEXT();
op_muli:
	r[i->a] = r[i->b] * i->imm;
	NEXT();
op_xor:
	r[i->a] = r[i->b] ^ r[i->c];
	NEXT();
op_shri:
	r[i->a] = r[i->b] >> (i->imm & 31);
	NEXT();
op_andi:
	r[i->a] = r[i->b] & i->imm;
	NEXT();
op_load:
	r[i->a] = m[(r[i->b] + i->imm) & (VM_MEM - 1)];
	NEXT();
op_store:
	m[(r[i->b] + i->imm) & (VM_MEM - 1)] = r[i->a];
	NEXT();
op_jmp:
	pc = code + i->imm;
	NEXT();
op_jz:
	if (r[i->a] == 0)
		pc = code + i->imm;
	NEXT();
op_jnz:
	if (r[i->a] != 0)
		pc = code + i->imm;
	NEXT();
op_jlt:
	if (r[i->a] < r[i->b])
		pc = code + i->imm;
	NEXT();
#undef NEXT
}
#else
int vm_run_goto(const struct vm_insn *code, const uint32_t *mem,
		uint32_t *out)
{
	return -1;
}
#endif

struct interp {
	struct vm_insn code[OL_INPUTS][INTERP_MAXCODE];
	uint32_t mem[OL_INPUTS][VM_MEM];
	uint32_t want[OL_INPUTS], got[OL_INPUTS];
	uint64_t dispatches[OL_INPUTS];
	uint64_t ran;		/* iterations of the last run */
};

static int interp_setup(struct bench_state *st)
{
	struct interp *in = xcalloc(1, sizeof(*in));
	struct rng r;

	/* Inputs from the run's seed, so every flavor does the same work. */
	rng_seed(&r, bench_seed() ^ 0x696e7470u);
	for (int j = 0; j < OL_INPUTS; j++) {
		uint32_t seed;

		for (int k = 0; k < VM_MEM; k++)
			in->mem[j][k] = (uint32_t)rng_next(&r);
		seed = (uint32_t)rng_next(&r);
		vm_build_program(in->code[j], INTERP_MAXCODE, INTERP_TRIPS,
				 seed);
		in->want[j] = vm_program_reference(in->mem[j], INTERP_TRIPS,
						   seed, &in->dispatches[j]);
	}
	bench_set_priv(st, in);
	return 0;
}

static uint32_t run_goto(const struct vm_insn *code, const uint32_t *mem)
{
	uint32_t res = 0;

	vm_run_goto(code, mem, &res);
	return res;
}

static void interp_run(struct bench_state *st)
{
	struct interp *in = bench_priv(st);
	uint32_t (*vm)(const struct vm_insn *, const uint32_t *) =
		bench_param(st) ? run_goto : vm_run_switch;
	uint64_t n;

	if (bench_param(st) &&
	    vm_run_goto(in->code[0], in->mem[0], &in->got[0])) {
		bench_skip(st, "the compiler has no computed goto");
		return;
	}
	while ((n = bench_batch(st)) != 0)
		for (uint64_t k = 0; k < n; k++) {
			unsigned j = k % OL_INPUTS;
			const struct vm_insn *code = in->code[j];
			uint32_t res;

			/* The program may have changed: run it again. */
			bench_sink(code);
			res = vm(code, in->mem[j]);
			bench_sink(res);
			in->got[j] = res;
		}
	in->ran = bench_iterations(st);
	bench_set_items(st, (int64_t)ol_items(in->ran, in->dispatches));
}

/* Inputs the run did not reach are run here, untimed, to check them all. */
static int interp_verify(struct bench_state *st)
{
	struct interp *in = bench_priv(st);
	uint32_t (*vm)(const struct vm_insn *, const uint32_t *) =
		bench_param(st) ? run_goto : vm_run_switch;

	for (unsigned j = 0; j < OL_INPUTS; j++) {
		if (j >= in->ran)
			in->got[j] = vm(in->code[j], in->mem[j]);
		if (in->got[j] != in->want[j]) {
			bench_fail(st, "vm computed %#x for input %u, the C "
				   "reference %#x", in->got[j], j, in->want[j]);
			return 1;
		}
	}
	bench_counter(st, "result", ol_fold(in->got, OL_INPUTS),
		      BENCH_CTR_TOTAL);
	return 0;
}

static void interp_teardown(struct bench_state *st)
{
	free(bench_priv(st));
}

static const struct bench_case cases[] = {
	{
		.name = "interp/switch",
		.min_time = OL_MIN_TIME,
		.desc = "bytecode loop, switch dispatch (items: dispatches)",
		.setup = interp_setup,
		.run = interp_run,
		.verify = interp_verify,
		.teardown = interp_teardown,
		.unit = BENCH_UNIT_US,
	},
	{
		.name = "interp/goto",
		.min_time = OL_MIN_TIME,
		.desc = "bytecode loop, computed-goto dispatch",
		.setup = interp_setup,
		.run = interp_run,
		.param = 1,
		.verify = interp_verify,
		.teardown = interp_teardown,
		.unit = BENCH_UNIT_US,
	},
};
BENCH_FAMILY(cases);
