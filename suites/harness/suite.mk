# The harness's own benchmarks: what the loop forms and counters cost.
harness_SRCS := selftest.c
# Set-up is a few allocations: repetitions interleave in random order.
harness_INTERLEAVE := yes
