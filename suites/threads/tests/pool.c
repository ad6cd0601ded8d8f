/*
 * pool.c - every pool kind runs every task exactly once: in a plain
 * stream, under back-pressure (a queue far smaller than the stream), and
 * when stop() comes with tasks still queued and a submitter still
 * submitting; wait() makes the tasks' plain writes visible.
 *
 * Uses only the pools and libc, so tests/tsan.sh also builds it with
 * -fsanitize=thread: a missing happens-before edge in a pool is then a
 * ThreadSanitizer report, not a silent pass.
 */
#define _GNU_SOURCE
#include "tap.h"
#include "threads.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define N_STREAM 20000
#define N_QUEUED 3000
#define WORKERS 4

struct counts {
	_Atomic uint32_t *ran;		/* per task id */
	uint64_t *out;		/* plain writes, read after wait */
	_Atomic int bad_worker;
	int workers;
	size_t n;
};

static void count_task(void *ctx, uint64_t id, int worker)
{
	struct counts *c = ctx;

	if (worker < 0 || worker >= c->workers || id >= c->n) {
		atomic_store(&c->bad_worker, 1);
		return;
	}
	atomic_fetch_add_explicit(&c->ran[id], 1, memory_order_relaxed);
	c->out[id] = id * 3 + 1;
}

static void counts_init(struct counts *c, size_t n, int workers)
{
	c->ran = calloc(n, sizeof(*c->ran));
	c->out = calloc(n, sizeof(*c->out));
	if (!c->ran || !c->out)
		abort();
	atomic_store(&c->bad_worker, 0);
	c->workers = workers;
	c->n = n;
}

static void counts_free(struct counts *c)
{
	free(c->ran);
	free(c->out);
}

/* Tasks [0, upto) ran exactly once, the others never. */
static void check_once(const char *kind, const char *what, struct counts *c,
		       size_t upto, int check_out)
{
	size_t zero = 0, twice = 0, extra = 0, wrong = 0;

	for (size_t i = 0; i < c->n; i++) {
		uint32_t r = atomic_load(&c->ran[i]);

		if (i < upto) {
			zero += r == 0;
			twice += r > 1;
			wrong += check_out && c->out[i] != i * 3 + 1;
		} else {
			extra += r != 0;
		}
	}
	ok(!zero && !twice && !extra, "%s: %s: every task ran exactly once",
	   kind, what);
	if (zero || twice || extra)
		diag("%zu lost, %zu run twice, %zu never submitted but run",
		     zero, twice, extra);
	if (check_out)
		ok(!wrong, "%s: %s: wait() shows every task's writes", kind,
		   what);
	ok(!atomic_load(&c->bad_worker), "%s: %s: worker index in range",
	   kind, what);
}

static void stream(const struct thr_pool_kind *k, unsigned cap,
		   const char *what)
{
	struct thr_pool *p = k->start(WORKERS, cap, NULL);
	struct counts c;
	int refused = 0;

	ok(p != NULL, "%s: %s: starts %d workers", k->name, what, WORKERS);
	if (!p)
		return;
	counts_init(&c, N_STREAM, WORKERS);
	/* Two waits in the middle: a pool is reused after wait(). */
	for (uint64_t i = 0; i < N_STREAM; i++) {
		struct thr_task t = { .fn = count_task, .ctx = &c, .arg = i };

		refused += k->submit(p, &t) != 0;
		if (i == N_STREAM / 3 || i == N_STREAM / 2)
			k->wait(p);
	}
	k->wait(p);
	is_int(refused, 0, "%s: %s: no submit refused", k->name, what);
	check_once(k->name, what, &c, N_STREAM, 1);
	k->stop(p);
	counts_free(&c);
}

/* ---- stop() with tasks queued and a submitter racing it ---- */

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	int open, entered;
};

static struct gate gate = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
};

static void gate_task(void *ctx, uint64_t id, int worker)
{
	pthread_mutex_lock(&gate.lock);
	gate.entered++;
	pthread_cond_broadcast(&gate.cv);
	while (!gate.open)
		pthread_cond_wait(&gate.cv, &gate.lock);
	pthread_mutex_unlock(&gate.lock);
	count_task(ctx, id, worker);
}

struct racer {
	const struct thr_pool_kind *k;
	struct thr_pool *p;
	struct counts *c;
	uint64_t first, accepted;
	int last_errno;
};

/*
 * Submits until the pool refuses (stop() has begun), then opens the gate
 * so the workers can drain what is queued.
 */
static void *racer_main(void *arg)
{
	struct racer *r = arg;
	uint64_t id = r->first;

	for (; id < r->c->n; id++) {
		struct thr_task t = {
			.fn = count_task, .ctx = r->c, .arg = id,
		};

		if (r->k->submit(r->p, &t)) {
			r->last_errno = errno;
			break;
		}
		/* Give stop() a chance to start before the ids run out. */
		if ((id & 255) == 0)
			usleep(100);
	}
	r->accepted = id;
	pthread_mutex_lock(&gate.lock);
	gate.open = 1;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.lock);
	return NULL;
}

static void shutdown_queued(const struct thr_pool_kind *k)
{
	const uint64_t racer_ids = 1u << 14;
	struct thr_pool *p = k->start(WORKERS, 4096, NULL);
	struct racer r = { .k = k };
	struct counts c;
	pthread_t tid;
	int refused = 0;

	ok(p != NULL, "%s: shutdown: starts", k->name);
	if (!p)
		return;
	gate.open = gate.entered = 0;
	counts_init(&c, WORKERS + N_QUEUED + racer_ids, WORKERS);
	/* One gate per worker: afterwards every worker is stuck in one. */
	for (uint64_t i = 0; i < WORKERS; i++) {
		struct thr_task t = { .fn = gate_task, .ctx = &c, .arg = i };

		refused += k->submit(p, &t) != 0;
	}
	pthread_mutex_lock(&gate.lock);
	while (gate.entered < WORKERS)
		pthread_cond_wait(&gate.cv, &gate.lock);
	pthread_mutex_unlock(&gate.lock);
	for (uint64_t i = WORKERS; i < WORKERS + N_QUEUED; i++) {
		struct thr_task t = { .fn = count_task, .ctx = &c, .arg = i };

		refused += k->submit(p, &t) != 0;
	}
	is_int(refused, 0, "%s: shutdown: %d tasks queued behind blocked "
	       "workers", k->name, N_QUEUED);

	r.p = p;
	r.c = &c;
	r.first = WORKERS + N_QUEUED;
	if (pthread_create(&tid, NULL, racer_main, &r))
		abort();
	k->stop(p);		/* returns once the racer opened the gate */
	pthread_join(tid, NULL);
	ok(r.accepted < c.n, "%s: shutdown: submit refused once stop began",
	   k->name);
	is_int(r.last_errno, ESHUTDOWN, "%s: shutdown: refusal says ESHUTDOWN",
	       k->name);
	check_once(k->name, "shutdown with tasks queued", &c, r.accepted, 0);
	counts_free(&c);
}

int main(void)
{
	const struct thr_pool_kind *kinds[] = {
		&thr_pool_mutex, &thr_pool_sharded,
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct thr_pool_kind *k = kinds[i];

		stream(k, 1024, "stream");
		/* A 1-task queue: submit blocks on nearly every task. */
		stream(k, 1, "back-pressure");
		shutdown_queued(k);
		ok(k->start(0, 16, NULL) == NULL && errno == EINVAL,
		   "%s: zero workers is refused", k->name);
		ok(k->start(THR_MAX_WORKERS + 1, 16, NULL) == NULL &&
		   errno == EINVAL, "%s: more than %d workers is refused",
		   k->name, THR_MAX_WORKERS);
	}
	return tap_done();
}
