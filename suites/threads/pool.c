/*
 * pool.c - the task pools the suite offloads to (promises in threads.h).
 *
 * Both kinds are one implementation: a pool has Q queues, each a ring
 * with its own mutex and condition variables, and W workers; worker w
 * serves queue w % Q.
 *  - mutex: Q = 1. Every submit and every pop takes the same lock, so
 *    with many workers the lock's cache line and its futex are the
 *    bottleneck (the single-mutex queue of Tokio's spawn_blocking).
 *  - sharded: Q = W, the submitter deals tasks round-robin. A worker
 *    only ever touches its own queue's line; there is no stealing, so a
 *    long task delays the tasks dealt behind it on the same queue.
 *
 * Costs: a submit is a lock, a copy into the ring, a signal and an
 * unlock. The signal is a futex system call only when a worker sleeps
 * (glibc skips it when the condition variable has no waiters), so a busy
 * pool hands off without entering the kernel and an idle one pays a
 * wake-up per task. A worker reports a finished task under the lock it
 * takes for its next one: one lock round per task.
 *
 * Only libc and pthreads: tests/tsan.sh builds this file alone with
 * -fsanitize=thread. No benchmark here.
 */
#define _GNU_SOURCE
#include "threads.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty;	/* a task was queued, or stopping */
	pthread_cond_t nonfull;		/* a slot freed, or stopping */
	pthread_cond_t idle;		/* done caught up with submitted */
	struct thr_task *ring;
	unsigned cap, head, count;
	uint64_t submitted, done;
	int stopping;
} __attribute__((aligned(64)));

struct worker {
	struct thr_pool *pool;
	int idx;
};

struct thr_pool {
	int workers, nqueues, started;
	unsigned next;			/* round-robin; submitter only */
	struct queue *q;
	pthread_t tid[THR_MAX_WORKERS];
	struct worker w[THR_MAX_WORKERS];
};

static void *worker_main(void *arg)
{
	struct worker *me = arg;
	struct queue *q = &me->pool->q[me->idx % me->pool->nqueues];
	char name[16];
	int finished = 0;

	snprintf(name, sizeof(name), "thr-pool/%d", me->idx);
	pthread_setname_np(pthread_self(), name);
	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct thr_task t;

		if (finished) {
			q->done++;
			finished = 0;
			if (q->done == q->submitted)
				pthread_cond_signal(&q->idle);
		}
		while (!q->count && !q->stopping)
			pthread_cond_wait(&q->nonempty, &q->lock);
		if (!q->count)
			break;	/* stopping, and nothing left to run */
		t = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		if (q->count-- == q->cap)
			pthread_cond_signal(&q->nonfull);
		pthread_mutex_unlock(&q->lock);
		t.fn(t.ctx, t.arg, me->idx);
		finished = 1;
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void queue_destroy(struct queue *q)
{
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->nonempty);
	pthread_cond_destroy(&q->nonfull);
	pthread_cond_destroy(&q->idle);
	free(q->ring);
}

static void pool_stop(struct thr_pool *p)
{
	for (int i = 0; i < p->nqueues; i++) {
		struct queue *q = &p->q[i];

		pthread_mutex_lock(&q->lock);
		q->stopping = 1;
		pthread_cond_broadcast(&q->nonempty);
		pthread_cond_broadcast(&q->nonfull);
		pthread_mutex_unlock(&q->lock);
	}
	for (int i = 0; i < p->started; i++)
		pthread_join(p->tid[i], NULL);
	for (int i = 0; i < p->nqueues; i++)
		queue_destroy(&p->q[i]);
	free(p->q);
	free(p);
}

static struct thr_pool *pool_start(int workers, int nqueues, unsigned cap,
				   const cpu_set_t *cpus)
{
	struct thr_pool *p;
	pthread_attr_t attr;
	int rc = 0;

	if (workers < 1 || workers > THR_MAX_WORKERS || cap < 1) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->workers = workers;
	p->nqueues = nqueues;
	if (posix_memalign((void **)&p->q, 64, sizeof(*p->q) * nqueues)) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	memset(p->q, 0, sizeof(*p->q) * nqueues);
	for (int i = 0; i < nqueues; i++) {
		struct queue *q = &p->q[i];

		pthread_mutex_init(&q->lock, NULL);
		pthread_cond_init(&q->nonempty, NULL);
		pthread_cond_init(&q->nonfull, NULL);
		pthread_cond_init(&q->idle, NULL);
		q->cap = cap;
		q->ring = calloc(cap, sizeof(*q->ring));
		if (!q->ring)
			rc = ENOMEM;
	}
	pthread_attr_init(&attr);
	if (!rc && cpus)
		rc = pthread_attr_setaffinity_np(&attr, sizeof(*cpus), cpus);
	for (int i = 0; !rc && i < workers; i++) {
		p->w[i].pool = p;
		p->w[i].idx = i;
		rc = pthread_create(&p->tid[i], &attr, worker_main, &p->w[i]);
		if (!rc)
			p->started++;
	}
	pthread_attr_destroy(&attr);
	if (rc) {
		pool_stop(p);
		errno = rc;
		return NULL;
	}
	return p;
}

static int pool_submit(struct thr_pool *p, const struct thr_task *t)
{
	struct queue *q = &p->q[p->nqueues == 1 ? 0 : p->next++ % p->nqueues];

	pthread_mutex_lock(&q->lock);
	while (q->count == q->cap && !q->stopping)
		pthread_cond_wait(&q->nonfull, &q->lock);
	if (q->stopping) {
		pthread_mutex_unlock(&q->lock);
		errno = ESHUTDOWN;
		return -1;
	}
	q->ring[(q->head + q->count) % q->cap] = *t;
	q->count++;
	q->submitted++;
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

static void pool_wait(struct thr_pool *p)
{
	for (int i = 0; i < p->nqueues; i++) {
		struct queue *q = &p->q[i];

		pthread_mutex_lock(&q->lock);
		while (q->done != q->submitted)
			pthread_cond_wait(&q->idle, &q->lock);
		pthread_mutex_unlock(&q->lock);
	}
}

static struct thr_pool *mutex_start(int workers, unsigned cap,
				    const cpu_set_t *cpus)
{
	return pool_start(workers, 1, cap, cpus);
}

static struct thr_pool *sharded_start(int workers, unsigned cap,
				      const cpu_set_t *cpus)
{
	unsigned per = cap / (unsigned)(workers > 0 ? workers : 1);

	return pool_start(workers, workers, per < 16 ? 16 : per, cpus);
}

const struct thr_pool_kind thr_pool_mutex = {
	.name = "pool_mutex",
	.desc = "one queue behind one mutex and condition variables",
	.start = mutex_start,
	.submit = pool_submit,
	.wait = pool_wait,
	.stop = pool_stop,
};

const struct thr_pool_kind thr_pool_sharded = {
	.name = "pool_sharded",
	.desc = "a queue, mutex and condition variables per worker, "
		"round-robin submission",
	.start = sharded_start,
	.submit = pool_submit,
	.wait = pool_wait,
	.stop = pool_stop,
};
