# When offloading to a thread pays: blocking IO on an event loop, CPU-heavy
# work beside a 1 ms tick, many small tasks (inline, thread per task,
# pools) with their crossover size, and the machinery's own costs.
threads_SRCS := cpus.c io.c logger.c pool.c spawn.c switch.c tasks.c tick.c uring.c work.c
threads_LIBS := -luring
# The cases that exercise the pools, queues and writer thread, run under
# ThreadSanitizer by the tsan flavor (io_uring rows are left out: the
# kernel's writes to the rings are invisible to it).
threads_TSAN_FILTER := ^threads/(tasks|handoff|crossover|tick|io/(nolog|inline|logthread)|spawn|switch)/
