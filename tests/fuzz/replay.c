/*
 * replay.c - a fuzz target without libFuzzer: feeds every file of the
 * directories named on the command line to LLVMFuzzerTestOneInput, one
 * TAP result each. Built with gcc's AddressSanitizer and
 * UndefinedBehaviorSanitizer (halting on the first report), so that the
 * inputs that once found a bug run in every `make test`.
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char **files = NULL;
	int n = 0;

	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;

		if (!d) {
			printf("Bail out! cannot open %s\n", argv[i]);
			return 2;
		}
		while ((e = readdir(d)))
			if (e->d_name[0] != '.') {
				files = realloc(files, sizeof(*files) * (size_t)(n + 1));
				if (asprintf(&files[n++], "%s/%s", argv[i], e->d_name) < 0)
					return 2;
			}
		closedir(d);
	}
	qsort(files, (size_t)n, sizeof(*files), cmp);
	printf("1..%d\n", n);
	for (int i = 0; i < n; i++) {
		FILE *f = fopen(files[i], "rb");
		char *buf = NULL;
		size_t len = 0;
		long sz;

		if (!f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET)) {
			printf("not ok %d - %s: cannot read\n", i + 1, files[i]);
			if (f)
				fclose(f);
			continue;
		}
		/* Exactly the file's size: a read past it is reported. */
		buf = malloc(sz ? (size_t)sz : 1);
		len = fread(buf, 1, (size_t)sz, f);
		fclose(f);
		fflush(stdout);
		/* A sanitizer report ends the process: the plan then fails. */
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		printf("ok %d - %s\n", i + 1, files[i]);
		free(buf);
		free(files[i]);
	}
	free(files);
	return 0;
}
