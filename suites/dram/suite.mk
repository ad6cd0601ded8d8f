# Memory latency curve, DRAM row locality, physical and internal fragmentation.
dram_SRCS := alloc.c backing.c chase.c cycle.c mem.c pairs.c rows.c
