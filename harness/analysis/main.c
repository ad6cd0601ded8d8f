/*
 * main.c - the benchstat binary; everything else is benchstat_main()
 * (cli.c), which a fuzzer can call without a process per input.
 */
#include "analysis.h"

int main(int argc, char **argv)
{
	return benchstat_main(argc, argv);
}
