/*
 * main.c - the main of every suite binary: the harness's, so that every
 * suite takes the same flags (--bench_* and Google Benchmark's own).
 */
#include "gbshim.h"

int main(int argc, char **argv)
{
	return bench_main(argc, argv);
}
