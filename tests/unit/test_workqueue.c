/* Unit tests of the rate-limited work queue (controller/kube/workqueue.c). */
#include <criterion/criterion.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube/workqueue.h"
#include "lib/metrics_text.h"
#include "util/metrics.h"

/* A clock the test moves by hand; read by the queue under its lock, and by
 * other threads in some tests, hence atomic. */
struct fake_clock {
	_Atomic double now;
};

static double fake_now(void *ctx)
{
	struct fake_clock *c = ctx;
	return atomic_load(&c->now);
}

static struct hf_workqueue *new_queue(struct fake_clock *clock, struct hf_metrics *m,
				      const char *name)
{
	struct hf_workqueue_config cfg = {
		.name = name,
		.clock = clock ? fake_now : NULL,
		.clock_ctx = clock,
		.metrics = m,
	};
	struct hf_workqueue *q = NULL;
	cr_assert_eq(hf_workqueue_new(&cfg, &q), HF_OK);
	return q;
}

/* take gets the next key without waiting and checks it is want. */
static void take(struct hf_workqueue *q, const char *want)
{
	char *key = NULL;
	enum hf_err err = hf_workqueue_get_timeout(q, 0, &key);
	cr_assert_eq(err, HF_OK, "wanted %s, got %s", want, hf_err_name(err));
	cr_assert_str_eq(key, want);
	free(key);
}

static void take_done(struct hf_workqueue *q, const char *want)
{
	take(q, want);
	hf_workqueue_done(q, want);
}

static void assert_empty(struct hf_workqueue *q)
{
	char *key = NULL;
	enum hf_err err = hf_workqueue_get_timeout(q, 0, &key);
	cr_assert_eq(err, HF_ERR_TIMEOUT, "got %s (%s)", key ? key : "nothing", hf_err_name(err));
	cr_assert_null(key);
}

/* deadline_in returns an absolute CLOCK_REALTIME time for timed joins. */
static struct timespec deadline_in(int seconds)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	return ts;
}

static void join_within(pthread_t t, int seconds, void **result)
{
	struct timespec ts = deadline_in(seconds);
	cr_assert_eq(pthread_timedjoin_np(t, result, &ts), 0, "thread did not finish in %ds",
		     seconds);
}

static double monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(workqueue, deduplicates_waiting_keys)
{
	struct fake_clock c = {0};
	struct hf_workqueue *q = new_queue(&c, NULL, NULL);
	hf_workqueue_add(q, "ns/a");
	hf_workqueue_add(q, "ns/a");
	hf_workqueue_add(q, "ns/b");
	hf_workqueue_add(q, "ns/a");
	cr_assert_eq(hf_workqueue_len(q), 2);
	take_done(q, "ns/a");
	take_done(q, "ns/b");
	assert_empty(q);
	hf_workqueue_free(q);
}

Test(workqueue, hands_keys_out_in_fifo_order)
{
	struct fake_clock c = {0};
	struct hf_workqueue *q = new_queue(&c, NULL, NULL);
	const char *keys[] = {"c", "a", "b", "z", "y"};
	for (size_t i = 0; i < 5; i++)
		hf_workqueue_add(q, keys[i]);
	for (size_t i = 0; i < 5; i++)
		take_done(q, keys[i]);
	/* The ring buffer wraps and grows without reordering. */
	for (int round = 0; round < 3; round++) {
		char key[16];
		for (int i = 0; i < 40; i++) {
			snprintf(key, sizeof(key), "k%d", i);
			hf_workqueue_add(q, key);
		}
		for (int i = 0; i < 40; i++) {
			snprintf(key, sizeof(key), "k%d", i);
			take_done(q, key);
		}
	}
	assert_empty(q);
	hf_workqueue_free(q);
}

Test(workqueue, a_key_being_processed_is_requeued_by_done_when_added_meanwhile)
{
	struct fake_clock c = {0};
	struct hf_workqueue *q = new_queue(&c, NULL, NULL);
	hf_workqueue_add(q, "a");
	hf_workqueue_add(q, "b");
	take(q, "a");
	hf_workqueue_add(q, "a"); /* dirty, but not handed to a second worker */
	hf_workqueue_add(q, "a");
	take(q, "b");
	assert_empty(q);
	cr_assert_eq(hf_workqueue_len(q), 0);
	hf_workqueue_done(q, "a");
	cr_assert_eq(hf_workqueue_len(q), 1);
	take(q, "a");
	hf_workqueue_done(q, "a");
	hf_workqueue_done(q, "a"); /* not processing any more: ignored */
	hf_workqueue_done(q, "b");
	hf_workqueue_done(q, "never-added");
	assert_empty(q);
	hf_workqueue_free(q);
}

Test(workqueue, delayed_keys_come_out_in_due_order)
{
	struct fake_clock c = {0};
	struct hf_workqueue *q = new_queue(&c, NULL, NULL);
	hf_workqueue_add_after(q, "a", 3);
	hf_workqueue_add_after(q, "b", 1);
	hf_workqueue_add_after(q, "c", 2);
	hf_workqueue_add_after(q, "d", 2); /* same time as c: after it */
	hf_workqueue_add_after(q, "now", 0);
	hf_workqueue_add_after(q, "past", -1);
	take_done(q, "now");
	take_done(q, "past");
	assert_empty(q);
	atomic_store(&c.now, 0.999);
	cr_assert_eq(hf_workqueue_len(q), 0);
	atomic_store(&c.now, 1);
	cr_assert_eq(hf_workqueue_len(q), 1);
	take_done(q, "b");
	atomic_store(&c.now, 10);
	take_done(q, "c");
	take_done(q, "d");
	take_done(q, "a");
	assert_empty(q);
	hf_workqueue_free(q);
}

Test(workqueue, a_waiting_key_moves_earlier_never_later)
{
	struct fake_clock c = {0};
	struct hf_workqueue *q = new_queue(&c, NULL, NULL);
	hf_workqueue_add_after(q, "x", 10);
	hf_workqueue_add_after(q, "y", 5);
	hf_workqueue_add_after(q, "x", 2); /* earlier: moves */
	hf_workqueue_add_after(q, "y", 8); /* later: stays at 5 */
	atomic_store(&c.now, 2);
	take_done(q, "x");
	atomic_store(&c.now, 4.5);
	assert_empty(q);
	atomic_store(&c.now, 5);
	take_done(q, "y");
	/* Neither comes back at its other time. */
	atomic_store(&c.now, 20);
	assert_empty(q);
	hf_workqueue_free(q);
}

Test(workqueue, a_delayed_key_already_queued_is_handed_out_once)
{
	struct fake_clock c = {0};
	struct hf_workqueue *q = new_queue(&c, NULL, NULL);
	hf_workqueue_add(q, "a");
	hf_workqueue_add_after(q, "a", 1);
	atomic_store(&c.now, 1);
	cr_assert_eq(hf_workqueue_len(q), 1);
	take_done(q, "a");
	assert_empty(q);
	hf_workqueue_free(q);
}

Test(workqueue, backoff_doubles_from_5ms_to_the_cap)
{
	double want = 0.005;
	for (int n = 0; n <= 17; n++) {
		cr_assert_float_eq(hf_backoff_delay(0.005, 1000, n), want, 1e-12, "failures %d", n);
		want *= 2;
	}
	cr_assert_float_eq(hf_backoff_delay(0.005, 1000, 17), 655.36, 1e-9);
	cr_assert_eq(hf_backoff_delay(0.005, 1000, 18), 1000);
	cr_assert_eq(hf_backoff_delay(0.005, 1000, 100), 1000);
	cr_assert_eq(hf_backoff_delay(0.005, 1000, INT_MAX), 1000);
	cr_assert_eq(hf_backoff_delay(0.005, 1000, -3), 0.005);
	cr_assert_eq(hf_backoff_delay(0, 1000, 5), 0);
	cr_assert_eq(hf_backoff_delay(2, 1, 0), 1, "the cap wins even at first");
}

/* assert_reserve takes one token at now and checks the delay (the float
 * assertion evaluates its arguments twice, so not inline). */
static void assert_reserve(struct hf_token_bucket *b, double now, double want)
{
	double got = hf_token_bucket_reserve(b, now);
	cr_assert_float_eq(got, want, 1e-9, "at %g: delay %g, want %g", now, got, want);
}

Test(workqueue, token_bucket_allows_a_burst_then_qps)
{
	struct hf_token_bucket b;
	hf_token_bucket_init(&b, 10, 100, 0);
	for (int i = 0; i < 100; i++)
		assert_reserve(&b, 0, 0);
	assert_reserve(&b, 0, 0.1);
	assert_reserve(&b, 0, 0.2);
	assert_reserve(&b, 0, 0.3);
	/* One second refills 10 tokens, 3 of them already promised. */
	for (int i = 0; i < 7; i++)
		assert_reserve(&b, 1, 0);
	assert_reserve(&b, 1, 0.1);
	/* Half a token since then: the next one is 0.05 s away. */
	assert_reserve(&b, 1.05, 0.15);
	/* A long pause refills to the burst, not beyond. */
	for (int i = 0; i < 100; i++)
		assert_reserve(&b, 1000, 0);
	assert_reserve(&b, 1000, 0.1);

	hf_token_bucket_init(&b, 0, 1, 0);
	for (int i = 0; i < 1000; i++)
		assert_reserve(&b, 0, 0); /* qps 0: no limit */
}

Test(workqueue, rate_limited_adds_back_off_per_key_and_forget_resets)
{
	struct fake_clock c = {0};
	struct hf_workqueue *q = new_queue(&c, NULL, NULL);
	cr_assert_eq(hf_workqueue_num_requeues(q, "a"), 0);
	hf_workqueue_add_rate_limited(q, "a"); /* ready at 0.005 */
	hf_workqueue_add_rate_limited(q, "a"); /* 0.010: later, so it stays */
	hf_workqueue_add_rate_limited(q, "a"); /* 0.020 */
	cr_assert_eq(hf_workqueue_num_requeues(q, "a"), 3);
	atomic_store(&c.now, 0.004);
	assert_empty(q);
	atomic_store(&c.now, 0.005);
	take_done(q, "a");
	/* The fourth failure waits 5 ms * 2^3. */
	hf_workqueue_add_rate_limited(q, "a");
	atomic_store(&c.now, 0.005 + 0.039);
	assert_empty(q);
	atomic_store(&c.now, 0.005 + 0.040);
	take_done(q, "a");
	cr_assert_eq(hf_workqueue_num_requeues(q, "a"), 4);
	hf_workqueue_forget(q, "a");
	cr_assert_eq(hf_workqueue_num_requeues(q, "a"), 0);
	hf_workqueue_add_rate_limited(q, "a");
	atomic_store(&c.now, atomic_load(&c.now) + 0.005);
	take_done(q, "a");
	hf_workqueue_forget(q, "a");
	hf_workqueue_forget(q, "unknown");
	cr_assert_eq(hf_workqueue_num_requeues(q, "unknown"), 0);
	hf_workqueue_free(q);
}

Test(workqueue, rate_limited_adds_share_the_global_bucket)
{
	struct fake_clock c = {0};
	struct hf_workqueue_config cfg = {
		.qps = 2,
		.burst = 1,
		.base_delay = 0.001,
		.max_delay = 60,
		.clock = fake_now,
		.clock_ctx = &c,
	};
	struct hf_workqueue *q = NULL;
	cr_assert_eq(hf_workqueue_new(&cfg, &q), HF_OK);
	hf_workqueue_add_rate_limited(q, "a"); /* the burst token: backoff 1 ms wins */
	hf_workqueue_add_rate_limited(q, "b"); /* bucket: 0.5 s */
	hf_workqueue_add_rate_limited(q, "c"); /* bucket: 1 s */
	atomic_store(&c.now, 0.001);
	take_done(q, "a");
	atomic_store(&c.now, 0.499);
	assert_empty(q);
	atomic_store(&c.now, 0.5);
	take_done(q, "b");
	atomic_store(&c.now, 0.999);
	assert_empty(q);
	atomic_store(&c.now, 1);
	take_done(q, "c");
	hf_workqueue_free(q);
}

Test(workqueue, rejects_an_invalid_config)
{
	struct hf_workqueue *q = (struct hf_workqueue *)1;
	struct hf_workqueue_config cfg = {.base_delay = 10, .max_delay = 1};
	cr_assert_eq(hf_workqueue_new(&cfg, &q), HF_ERR_INVALID);
	cr_assert_null(q);
	cfg = (struct hf_workqueue_config){.base_delay = -1};
	cr_assert_eq(hf_workqueue_new(&cfg, &q), HF_ERR_INVALID);
	cfg = (struct hf_workqueue_config){.burst = -1};
	cr_assert_eq(hf_workqueue_new(&cfg, &q), HF_ERR_INVALID);
	cr_assert_eq(hf_workqueue_new(NULL, &q), HF_OK, "all defaults");
	hf_workqueue_free(q);
}

static void *blocking_get(void *arg)
{
	return hf_workqueue_get(arg);
}

Test(workqueue, shutdown_wakes_blocked_getters)
{
	struct hf_workqueue *q = new_queue(NULL, NULL, NULL);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, blocking_get, q), 0);
	hf_workqueue_shutdown(q);
	for (int i = 0; i < 3; i++) {
		void *key = (void *)1;
		join_within(t[i], 10, &key);
		cr_assert_null(key);
	}
	cr_assert(hf_workqueue_shutting_down(q));
	hf_workqueue_add(q, "late"); /* ignored */
	hf_workqueue_add_after(q, "late", 0);
	hf_workqueue_add_rate_limited(q, "late");
	cr_assert_eq(hf_workqueue_num_requeues(q, "late"), 0);
	cr_assert_null(hf_workqueue_get(q));
	hf_workqueue_free(q);
}

Test(workqueue, shutdown_still_hands_out_queued_keys_then_null)
{
	struct fake_clock c = {0};
	struct hf_workqueue *q = new_queue(&c, NULL, NULL);
	hf_workqueue_add(q, "a");
	hf_workqueue_add(q, "b");
	hf_workqueue_add_after(q, "later", 1);
	hf_workqueue_shutdown(q);
	atomic_store(&c.now, 2); /* dropped: not due before the shutdown */
	take(q, "a");
	hf_workqueue_done(q, "a");
	take_done(q, "b");
	char *key = NULL;
	cr_assert_eq(hf_workqueue_get_timeout(q, 0, &key), HF_ERR_SHUTDOWN);
	cr_assert_null(hf_workqueue_get(q));
	hf_workqueue_free(q);
}

Test(workqueue, a_getter_wakes_for_a_delayed_key_in_real_time)
{
	struct hf_workqueue *q = new_queue(NULL, NULL, NULL);
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, blocking_get, q), 0);
	double start = monotonic();
	hf_workqueue_add_after(q, "soon", 0.02);
	void *key = NULL;
	join_within(t, 10, &key);
	cr_assert_str_eq(key, "soon");
	cr_assert_geq(monotonic() - start, 0.019);
	hf_workqueue_done(q, key);
	free(key);

	/* get_timeout gives up after its timeout when nothing comes. */
	char *none = NULL;
	start = monotonic();
	cr_assert_eq(hf_workqueue_get_timeout(q, 0.02, &none), HF_ERR_TIMEOUT);
	cr_assert_geq(monotonic() - start, 0.019);
	hf_workqueue_free(q);
}

Test(workqueue, wake_lets_getters_see_an_injected_clock_move)
{
	struct fake_clock c = {0};
	struct hf_workqueue *q = new_queue(&c, NULL, NULL);
	hf_workqueue_add_after(q, "a", 3600); /* an hour of fake time */
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, blocking_get, q), 0);
	atomic_store(&c.now, 3600);
	hf_workqueue_wake(q);
	void *key = NULL;
	join_within(t, 10, &key);
	cr_assert_str_eq(key, "a");
	free(key);
	hf_workqueue_shutdown(q);
	hf_workqueue_free(q);
}

/* A worker that holds its key until the test releases it. */
struct holder {
	struct hf_workqueue *q;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool got;
	bool release;
	bool drained;
};

static void *hold_one(void *arg)
{
	struct holder *h = arg;
	char *key = hf_workqueue_get(h->q);
	pthread_mutex_lock(&h->lock);
	h->got = true;
	pthread_cond_broadcast(&h->cond);
	while (!h->release)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	hf_workqueue_done(h->q, key);
	free(key);
	return NULL;
}

static void *drain(void *arg)
{
	struct holder *h = arg;
	hf_workqueue_shutdown_drain(h->q);
	pthread_mutex_lock(&h->lock);
	h->drained = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* wait_flag waits until *flag is set, at most 10 s. */
static void wait_flag(struct holder *h, const bool *flag)
{
	struct timespec ts = deadline_in(10);
	pthread_mutex_lock(&h->lock);
	int rc = 0;
	while (!*flag && rc == 0)
		rc = pthread_cond_timedwait(&h->cond, &h->lock, &ts);
	bool set = *flag;
	pthread_mutex_unlock(&h->lock);
	cr_assert(set, "condition not reached in 10 s");
}

Test(workqueue, shutdown_drain_waits_for_keys_in_processing)
{
	struct holder h = {.q = new_queue(NULL, NULL, NULL)};
	pthread_mutex_init(&h.lock, NULL);
	pthread_cond_init(&h.cond, NULL);
	pthread_t worker, drainer;
	hf_workqueue_add(h.q, "a");
	cr_assert_eq(pthread_create(&worker, NULL, hold_one, &h), 0);
	wait_flag(&h, &h.got);
	cr_assert_eq(pthread_create(&drainer, NULL, drain, &h), 0);
	/* The drainer has shut the queue down and now waits for "a". */
	struct timespec ts = deadline_in(10);
	while (!hf_workqueue_shutting_down(h.q)) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		cr_assert_lt(now.tv_sec, ts.tv_sec, "no shutdown in 10 s");
		sched_yield();
	}
	pthread_mutex_lock(&h.lock);
	cr_assert_not(h.drained, "drain returned while a key was being processed");
	h.release = true;
	pthread_cond_broadcast(&h.cond);
	pthread_mutex_unlock(&h.lock);
	wait_flag(&h, &h.drained);
	join_within(worker, 10, NULL);
	join_within(drainer, 10, NULL);
	hf_workqueue_free(h.q);
	pthread_cond_destroy(&h.cond);
	pthread_mutex_destroy(&h.lock);
}

Test(workqueue, shutdown_drain_returns_at_once_when_idle)
{
	struct hf_workqueue *q = new_queue(NULL, NULL, NULL);
	hf_workqueue_add(q, "queued but not taken");
	hf_workqueue_shutdown_drain(q);
	cr_assert(hf_workqueue_shutting_down(q));
	hf_workqueue_free(q);
}

#define NKEYS		  16
#define PRODUCERS	  4
#define CONSUMERS	  4
#define ADDS_PER_PRODUCER 5000

struct stress {
	struct hf_workqueue *q;
	atomic_int in_flight[NKEYS];
	atomic_int generation[NKEYS]; /* bumped before each add */
	atomic_int seen[NKEYS];	      /* highest generation a worker started from */
	atomic_int overlaps;
	atomic_int processed;
	atomic_int next_producer;
};

static int key_index(const char *key)
{
	int i = -1;
	if (sscanf(key, "ns/k%d", &i) != 1 || i < 0 || i >= NKEYS)
		return -1;
	return i;
}

static void *produce(void *arg)
{
	struct stress *s = arg;
	unsigned seed = (unsigned)atomic_fetch_add(&s->next_producer, 1) * 7919u + 1;
	for (int n = 0; n < ADDS_PER_PRODUCER; n++) {
		seed = seed * 1103515245u + 12345u;
		int i = (int)((seed >> 16) % NKEYS);
		char key[16];
		snprintf(key, sizeof(key), "ns/k%d", i);
		atomic_fetch_add(&s->generation[i], 1);
		hf_workqueue_add(s->q, key);
	}
	return NULL;
}

static void *consume(void *arg)
{
	struct stress *s = arg;
	char *key;
	while ((key = hf_workqueue_get(s->q)) != NULL) {
		int i = key_index(key);
		if (i < 0) {
			atomic_fetch_add(&s->overlaps, 1000);
		} else {
			if (atomic_fetch_add(&s->in_flight[i], 1) != 0)
				atomic_fetch_add(&s->overlaps, 1);
			int g = atomic_load(&s->generation[i]);
			int prev = atomic_load(&s->seen[i]);
			while (prev < g && !atomic_compare_exchange_weak(&s->seen[i], &prev, g))
				;
			/* Some "work", so that a second worker would overlap. */
			sched_yield();
			atomic_fetch_add(&s->processed, 1);
			atomic_fetch_sub(&s->in_flight[i], 1);
		}
		hf_workqueue_done(s->q, key);
		free(key);
	}
	return NULL;
}

Test(workqueue, concurrent_workers_never_share_a_key_and_see_every_last_add)
{
	struct stress *s = calloc(1, sizeof(*s));
	s->q = new_queue(NULL, NULL, NULL);
	pthread_t p[PRODUCERS], c[CONSUMERS];
	for (int i = 0; i < CONSUMERS; i++)
		cr_assert_eq(pthread_create(&c[i], NULL, consume, s), 0);
	for (int i = 0; i < PRODUCERS; i++)
		cr_assert_eq(pthread_create(&p[i], NULL, produce, s), 0);
	for (int i = 0; i < PRODUCERS; i++)
		join_within(p[i], 60, NULL);
	/* Keys still queued or dirty are handed out after the shutdown. */
	hf_workqueue_shutdown(s->q);
	for (int i = 0; i < CONSUMERS; i++)
		join_within(c[i], 60, NULL);
	cr_assert_eq(atomic_load(&s->overlaps), 0, "a key was processed by two workers at once");
	cr_assert_gt(atomic_load(&s->processed), 0);
	cr_assert_leq(atomic_load(&s->processed), PRODUCERS * ADDS_PER_PRODUCER);
	for (int i = 0; i < NKEYS; i++)
		cr_assert_eq(atomic_load(&s->seen[i]), atomic_load(&s->generation[i]),
			     "key %d: the last add was not processed", i);
	cr_assert_eq(hf_workqueue_len(s->q), 0);
	hf_workqueue_free(s->q);
	free(s);
}

static char *render(struct hf_metrics *m)
{
	struct hf_buf out;
	hf_buf_init(&out, 0);
	cr_assert_eq(hf_metrics_render(m, &out), HF_OK);
	return hf_buf_steal(&out);
}

Test(workqueue, metrics_follow_a_known_sequence)
{
	struct fake_clock c = {0};
	struct hf_metrics *m = hf_metrics_new();
	struct hf_workqueue *q = new_queue(&c, m, "test");
	char *text = render(m);
	cr_assert_eq(sample_value(text, "workqueue_adds_total{name=\"test\"}"), 0);
	cr_assert_eq(sample_value(text, "workqueue_depth{name=\"test\"}"), 0);
	free(text);

	hf_workqueue_add(q, "a"); /* t=0 */
	hf_workqueue_add(q, "b");
	hf_workqueue_add(q, "a"); /* a duplicate is not an add */
	text = render(m);
	cr_assert_eq(sample_value(text, "workqueue_adds_total{name=\"test\"}"), 2);
	cr_assert_eq(sample_value(text, "workqueue_depth{name=\"test\"}"), 2);
	free(text);

	atomic_store(&c.now, 1);
	take(q, "a");		  /* waited 1 s */
	hf_workqueue_add(q, "a"); /* dirty while processing, added at t=1 */
	atomic_store(&c.now, 3);
	hf_workqueue_done(q, "a"); /* worked 2 s */
	atomic_store(&c.now, 4);
	take(q, "b"); /* waited 4 s */
	atomic_store(&c.now, 5);
	take(q, "a");			       /* waited 4 s since its add at t=1 */
	hf_workqueue_add_rate_limited(q, "c"); /* due at 5.005 */
	atomic_store(&c.now, 7);

	/* The scrape counts c as added at 5.005 though no getter looked. */
	text = render(m);
	const char *want[][2] = {
		{"workqueue_adds_total{name=\"test\"}", "4"},
		{"workqueue_depth{name=\"test\"}", "1"},
		{"workqueue_retries_total{name=\"test\"}", "1"},
		{"workqueue_queue_duration_seconds_bucket{name=\"test\",le=\"0.1\"}", "0"},
		{"workqueue_queue_duration_seconds_bucket{name=\"test\",le=\"1\"}", "1"},
		{"workqueue_queue_duration_seconds_bucket{name=\"test\",le=\"10\"}", "3"},
		{"workqueue_queue_duration_seconds_bucket{name=\"test\",le=\"+Inf\"}", "3"},
		{"workqueue_queue_duration_seconds_sum{name=\"test\"}", "9"},
		{"workqueue_queue_duration_seconds_count{name=\"test\"}", "3"},
		{"workqueue_work_duration_seconds_bucket{name=\"test\",le=\"1\"}", "0"},
		{"workqueue_work_duration_seconds_bucket{name=\"test\",le=\"10\"}", "1"},
		{"workqueue_work_duration_seconds_sum{name=\"test\"}", "2"},
		{"workqueue_work_duration_seconds_count{name=\"test\"}", "1"},
		/* b since t=4, a since t=5. */
		{"workqueue_unfinished_work_seconds{name=\"test\"}", "5"},
		{"workqueue_longest_running_processor_seconds{name=\"test\"}", "3"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char line[160];
		snprintf(line, sizeof(line), "\n%s %s\n", want[i][0], want[i][1]);
		cr_assert_not_null(strstr(text, line), "missing %s in:\n%s", line + 1, text);
	}
	cr_assert_not_null(strstr(text, "# TYPE workqueue_queue_duration_seconds histogram\n"));
	cr_assert_not_null(strstr(text, "le=\"1e-08\""));
	free(text);

	/* c waited from when it was due, not from when it was noticed. */
	atomic_store(&c.now, 7.005);
	take(q, "c");
	text = render(m);
	cr_assert_eq(sample_value(text, "workqueue_adds_total{name=\"test\"}"), 4);
	cr_assert_eq(sample_value(text, "workqueue_depth{name=\"test\"}"), 0);
	double sum = sample_value(text, "workqueue_queue_duration_seconds_sum{name=\"test\"}");
	cr_assert_float_eq(sum, 11, 1e-9);
	free(text);

	/* A freed queue's collector is gone; its series stay. */
	hf_workqueue_free(q);
	text = render(m);
	cr_assert_eq(sample_value(text, "workqueue_adds_total{name=\"test\"}"), 4);
	free(text);
	hf_metrics_free(m);
}

Test(workqueue, an_unnamed_queue_records_no_metrics)
{
	struct hf_metrics *m = hf_metrics_new();
	struct hf_workqueue *q = new_queue(NULL, m, NULL);
	hf_workqueue_add(q, "a");
	char *text = render(m);
	cr_assert_str_eq(text, "");
	free(text);
	hf_workqueue_free(q);
	hf_metrics_free(m);
}
