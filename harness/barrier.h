/*
 * barrier.h - optimisation barriers, the only place suites get them.
 *
 * A benchmark must not be deletable: if the compiler can see that a loop's
 * result is unused, it removes the loop and the figure is a lie. These are
 * the C forms of Google Benchmark's DoNotOptimize and ClobberMemory; they
 * emit no instructions, they only constrain the optimiser.
 *
 * Sink a variable, never an expression: bench_sink(x) takes an lvalue, so
 * bench_sink(f(0)) does not compile. That is deliberate, because the
 * compiler may fold f(0) to a constant before any barrier sees it.
 *
 * What they do not guarantee:
 *  - bench_sink(x) makes x's current value "used" and possibly changed; it
 *    does not stop the compiler hoisting the computation of x out of a loop
 *    if the inputs do not change between iterations. Feed the result of one
 *    iteration into the next (a dependency), or sink the inputs too.
 *  - bench_escape(p) makes the memory behind p reachable by unknown code;
 *    it does not force any particular store to happen in the loop rather
 *    than after it, unless followed by bench_clobber() inside the loop.
 *  - None of them stop the CPU from overlapping independent work; use a
 *    dependent chain where latency, not throughput, is the figure.
 */
#ifndef BENCH_BARRIER_H
#define BENCH_BARRIER_H

/*
 * The value of an integer, pointer or floating-point lvalue is observed
 * and may have changed: the computation that produced it stays, and later
 * code cannot assume its value.
 */
#define bench_sink(var) __asm__ volatile("" : "+r"(var) : : "memory")

/* The same for a value the compiler prefers to keep in memory (structs). */
#define bench_sink_mem(var) __asm__ volatile("" : "+m"(var) : : "memory")

/* Memory behind p may be read or written by code the compiler cannot see. */
static inline void bench_escape(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* Every pending store must happen; every load must be redone. */
static inline void bench_clobber(void)
{
	__asm__ volatile("" : : : "memory");
}

#endif
