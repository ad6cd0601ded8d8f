# Copy vs zero-copy TCP receive and send (read, TCP_ZEROCOPY_RECEIVE,
# splice, io_uring, MSG_ZEROCOPY, SEND_ZC, sendfile, kTLS) over loopback
# and a veth pair between private namespaces.
zerocopy_SRCS := copy.c matrix.c net.c netns.c pattern.c recv.c send.c \
	stream.c tls.c tlsrec.c
zerocopy_LIBS := -luring
# Every transfer runs in two threads (receiver and sender).
zerocopy_TSAN_FILTER := ^zerocopy/(copy|recv|send|tls|matrix)/
