# Cache-line layout: hot/cold field grouping, false sharing, split accesses.
cacheline_SRCS := aos_soa.c false_sharing.c hot.c split.c
# The threaded cases, run under ThreadSanitizer by the tsan flavor: the
# threads of false sharing write neighbouring fields, never the same one.
cacheline_TSAN_FILTER := ^cacheline/false_sharing/
# The socket model's three layouts, generated from the TSV of struct
# tcp_sock's fields at build time (gen-tcp-sock), never checked in.
cacheline_GEN := tcp_sock.c tcp_sock.h
$(BUILD)/gen/cacheline/tcp_sock.c $(BUILD)/gen/cacheline/tcp_sock.h &: suites/cacheline/gen-tcp-sock suites/cacheline/tcp_sock_fields.tsv
	$(call quiet,GEN,$@)
	$(Q)mkdir -p $(@D) && suites/cacheline/gen-tcp-sock $(@D)
