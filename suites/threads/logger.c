/*
 * logger.c - a log writer thread with group commit (promises in
 * threads.h): what "move the logging to a thread" means in practice.
 *
 * Two buffers: the loop appends into the active one under the lock; the
 * writer swaps it for the empty spare, drops the lock, writes the whole
 * batch with one write(2) and makes it durable with one fdatasync(2). So
 * a sync that takes a millisecond covers every record appended during
 * the previous one: the more the loop appends, the fewer syncs per
 * record. An append costs a lock, a memcpy and a signal (a futex system
 * call only when the writer sleeps); it blocks only when the active
 * buffer is full, which is the back-pressure of a device slower than
 * the loop.
 *
 * Only libc and pthreads: tests/tsan.sh builds this file alone with
 * -fsanitize=thread. No benchmark here.
 */
#define _GNU_SOURCE
#include "threads.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct thr_log {
	int fd;
	pthread_mutex_t lock;
	pthread_cond_t more;		/* records to write, or stopping */
	pthread_cond_t room;		/* the active buffer was taken */
	pthread_cond_t durable_cv;	/* durable moved */
	char *active, *spare;
	size_t cap, len;		/* len: bytes in active */
	uint64_t appended, durable;	/* records */
	uint64_t syncs, cpus;
	int stopping, err;
	pthread_t tid;
};

/* Writes all of buf; 0, or an errno value. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static void *writer_main(void *arg)
{
	struct thr_log *l = arg;
	uint64_t seen = 0;

	pthread_setname_np(pthread_self(), "thr-log");
	pthread_mutex_lock(&l->lock);
	for (;;) {
		uint64_t upto;
		size_t n;
		char *buf;
		int err;

		while (!l->len && !l->stopping)
			pthread_cond_wait(&l->more, &l->lock);
		if (!l->len)
			break;
		buf = l->active;
		l->active = l->spare;
		l->spare = buf;
		n = l->len;
		l->len = 0;
		upto = l->appended;
		pthread_cond_broadcast(&l->room);
		pthread_mutex_unlock(&l->lock);

		err = write_all(l->fd, buf, n);
		if (!err && fdatasync(l->fd))
			err = errno;
		thr_seen(&seen);

		pthread_mutex_lock(&l->lock);
		if (err && !l->err)
			l->err = err;
		l->durable = upto;
		l->syncs++;
		l->cpus |= seen;
		pthread_cond_broadcast(&l->durable_cv);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

struct thr_log *thr_log_start(int fd, size_t buf_bytes, const cpu_set_t *cpus)
{
	struct thr_log *l = calloc(1, sizeof(*l));
	pthread_attr_t attr;
	int rc = 0;

	if (!l)
		return NULL;
	l->fd = fd;
	l->cap = buf_bytes;
	l->active = malloc(buf_bytes);
	l->spare = malloc(buf_bytes);
	if (!l->active || !l->spare) {
		rc = ENOMEM;
		goto fail;
	}
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->more, NULL);
	pthread_cond_init(&l->room, NULL);
	pthread_cond_init(&l->durable_cv, NULL);
	pthread_attr_init(&attr);
	if (cpus)
		rc = pthread_attr_setaffinity_np(&attr, sizeof(*cpus), cpus);
	if (!rc)
		rc = pthread_create(&l->tid, &attr, writer_main, l);
	pthread_attr_destroy(&attr);
	if (rc) {
		pthread_mutex_destroy(&l->lock);
		pthread_cond_destroy(&l->more);
		pthread_cond_destroy(&l->room);
		pthread_cond_destroy(&l->durable_cv);
		goto fail;
	}
	return l;
fail:
	free(l->active);
	free(l->spare);
	free(l);
	errno = rc;
	return NULL;
}

int thr_log_append(struct thr_log *l, const void *rec, size_t len)
{
	if (len > l->cap) {
		errno = EMSGSIZE;
		return -1;
	}
	pthread_mutex_lock(&l->lock);
	while (l->len + len > l->cap && !l->err)
		pthread_cond_wait(&l->room, &l->lock);
	if (l->err) {
		errno = l->err;
		pthread_mutex_unlock(&l->lock);
		return -1;
	}
	memcpy(l->active + l->len, rec, len);
	l->len += len;
	l->appended++;
	pthread_cond_signal(&l->more);
	pthread_mutex_unlock(&l->lock);
	return 0;
}

int thr_log_sync(struct thr_log *l)
{
	int err;

	pthread_mutex_lock(&l->lock);
	for (uint64_t want = l->appended; l->durable < want && !l->err;)
		pthread_cond_wait(&l->durable_cv, &l->lock);
	err = l->err;
	pthread_mutex_unlock(&l->lock);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

uint64_t thr_log_syncs(struct thr_log *l)
{
	uint64_t n;

	pthread_mutex_lock(&l->lock);
	n = l->syncs;
	pthread_mutex_unlock(&l->lock);
	return n;
}

uint64_t thr_log_cpus(struct thr_log *l)
{
	uint64_t m;

	pthread_mutex_lock(&l->lock);
	m = l->cpus;
	pthread_mutex_unlock(&l->lock);
	return m;
}

int thr_log_stop(struct thr_log *l)
{
	int err;

	pthread_mutex_lock(&l->lock);
	l->stopping = 1;
	pthread_cond_signal(&l->more);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->tid, NULL);
	err = l->err;
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->more);
	pthread_cond_destroy(&l->room);
	pthread_cond_destroy(&l->durable_cv);
	free(l->active);
	free(l->spare);
	free(l);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
