/*
 * tap.h - Test Anything Protocol output for the C unit tests.
 *
 * Each check prints "ok N - what" or "not ok N - what" with the file and
 * line of a failure; tap_done() prints the plan and returns the exit
 * status. scripts/test counts the lines across every test program.
 *
 *	int main(void)
 *	{
 *		ok(1 + 1 == 2, "addition");
 *		is_int(hist_bucket(5), 5, "small values are exact");
 *		return tap_done();
 *	}
 */
#ifndef BENCH_TAP_H
#define BENCH_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 4, 5), unused))
static int tap_check(int pass, const char *file, int line, const char *fmt,
		     ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define ok(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)						\
	do {								\
		long long g_ = (long long)(got), w_ = (long long)(want); \
		if (!ok(g_ == w_, __VA_ARGS__))				\
			printf("#   got %lld, want %lld\n", g_, w_);	\
	} while (0)

#define is_dbl(got, want, tol, ...)					\
	do {								\
		double g_ = (got), w_ = (want);				\
		if (!ok(fabs(g_ - w_) <= (tol), __VA_ARGS__))		\
			printf("#   got %.9g, want %.9g (tolerance %g)\n", \
			       g_, w_, (double)(tol));			\
	} while (0)

#define is_str(got, want, ...)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (!ok(g_ && w_ && !strcmp(g_, w_), __VA_ARGS__))	\
			printf("#   got '%s', want '%s'\n",		\
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");	\
	} while (0)

#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

/*
 * The asan flavor (bench.mk): AddressSanitizer keeps a byte of shadow per
 * 8 bytes of memory, so touching N pages also faults in about N/8 pages
 * of shadow, which page-fault and resident-set counts include. Tests of
 * those counts allow TAP_SHADOW(N) more.
 */
#if defined(__SANITIZE_ADDRESS__)
#define TAP_SHADOW(n) ((n) / 8 + 1)
#else
#define TAP_SHADOW(n) 0
#endif

__attribute__((unused))
static int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
