# The harness's own benchmarks: what the loop forms and counters cost.
harness_SRCS := selftest.c
