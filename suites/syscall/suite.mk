# System calls: the cost of a kernel crossing, syscalls per task across
# runtimes, IO combining (pread/preadv/io_uring/mmap), fsync variants.
syscall_SRCS := combine.c crossing.c files.c fsync.c runtime.c
syscall_LIBS := -luring
