# Cache-line layout: hot/cold field grouping, false sharing, split accesses.
cacheline_SRCS := aos_soa.c false_sharing.c hot.c split.c tcp_sock.c
