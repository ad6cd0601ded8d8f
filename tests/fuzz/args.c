/*
 * args.c - fuzz target "args": bytes as a suite binary's command line
 * (arguments separated by NUL or newline), through the harness's option
 * parser (harness/args.c).
 */
#include "fuzz.h"
#include "args.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), **argv, err[512];
	struct bench_args a;
	int argc = 1;

	memcpy(buf, data, size);
	buf[size] = '\0';
	for (size_t i = 0; i < size; i++)
		if (buf[i] == '\n' || buf[i] == '\0') {
			buf[i] = '\0';
			argc++;
		}
	argv = calloc((size_t)argc + 2, sizeof(char *));
	argv[0] = "bench_fuzz";
	argc = 1;
	for (char *p = buf; p <= buf + size; p += strlen(p) + 1)
		argv[argc++] = p;
	if (!bench_args_parse(argc, argv, &a, err, sizeof(err))) {
		/* Every argument is the harness's or passed on, once. */
		if (a.npass > argc || a.pass[a.npass] || a.ncpus < 0 ||
		    a.ncpus > BENCH_ARGS_MAX_CPUS)
			abort();
	}
	bench_args_free(&a);
	free(argv);
	free(buf);
	return 0;
}
