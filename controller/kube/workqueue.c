#include "kube/workqueue.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/clock.h"
#include "util/strmap.h"

#define NOT_WAITING SIZE_MAX

/*
 * One entry per key the queue knows about, in q->entries. An entry lives
 * while the key is dirty, being processed, waiting for its delay, or has
 * failures to remember; release() frees it when none holds. A queued key is
 * always dirty; a dirty key is queued unless it is being processed (done
 * queues it then).
 */
struct entry {
	char *key;
	bool dirty;	   /* added and not handed out yet */
	bool processing;   /* between get and done */
	size_t heap_index; /* in q->heap, or NOT_WAITING */
	double ready_at;   /* when waiting */
	uint64_t seq;	   /* equal ready times come out in add_after order */
	int failures;	   /* rate-limited adds since the last forget */
	double added_at;   /* when it became dirty, for queue_duration */
	double started_at; /* when get handed it out, for work_duration */
};

struct hf_workqueue {
	pthread_mutex_t lock;
	pthread_cond_t ready;	   /* a key was queued, the shutdown, a new earliest delay */
	pthread_cond_t drained;	   /* nothing is being processed any more */
	struct hf_strmap *entries; /* key -> struct entry */

	/* The FIFO of queued entries: a ring buffer. */
	struct entry **ring;
	size_t ring_head;
	size_t ring_len;
	size_t ring_cap;

	/* Delayed entries: a binary min-heap by (ready_at, seq). */
	struct entry **heap;
	size_t heap_len;
	size_t heap_cap;
	uint64_t next_seq;

	size_t ndirty;
	size_t nprocessing;
	bool shutting_down;

	double base_delay;
	double max_delay;
	struct hf_token_bucket bucket;
	double (*clock)(void *ctx);
	void *clock_ctx;

	/* Metrics; all NULL for an unnamed queue. */
	char *name;
	struct hf_metrics *metrics;
	struct hf_metric_family *depth;
	struct hf_metric_family *adds;
	struct hf_metric_family *queue_duration;
	struct hf_metric_family *work_duration;
	struct hf_metric_family *retries;
	struct hf_metric_family *unfinished;
	struct hf_metric_family *longest;
};

/* client-go's buckets for both durations: 10 ns to 10 s, by factors of 10. */
static const double duration_buckets[] = {1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10};

static double now_of(struct hf_workqueue *q)
{
	return q->clock ? q->clock(q->clock_ctx) : hf_monotonic_now();
}

static const char *const *labels_of(struct hf_workqueue *q, const char **one)
{
	one[0] = q->name;
	return one;
}

static void metric_set(struct hf_workqueue *q, struct hf_metric_family *f, double v)
{
	const char *l[1];
	hf_metric_set(f, labels_of(q, l), v);
}

static void metric_add(struct hf_workqueue *q, struct hf_metric_family *f, double v)
{
	const char *l[1];
	hf_metric_add(f, labels_of(q, l), v);
}

static void metric_observe(struct hf_workqueue *q, struct hf_metric_family *f, double v)
{
	const char *l[1];
	hf_metric_observe(f, labels_of(q, l), v);
}

static struct entry *entry_get(struct hf_workqueue *q, const char *key)
{
	struct entry *e = hf_strmap_get(q->entries, key);
	if (!e) {
		e = hf_calloc(1, sizeof(*e));
		e->key = hf_strdup(key);
		e->heap_index = NOT_WAITING;
		hf_strmap_put(q->entries, key, e);
	}
	return e;
}

static void entry_free(void *p)
{
	struct entry *e = p;
	free(e->key);
	free(e);
}

/* release frees e when nothing refers to it any more. */
static void release(struct hf_workqueue *q, struct entry *e)
{
	if (e->dirty || e->processing || e->heap_index != NOT_WAITING || e->failures > 0)
		return;
	hf_strmap_remove(q->entries, e->key);
	entry_free(e);
}

static void ring_push(struct hf_workqueue *q, struct entry *e)
{
	if (q->ring_len == q->ring_cap) {
		size_t cap = q->ring_cap ? q->ring_cap * 2 : 16;
		struct entry **ring = hf_malloc(cap * sizeof(*ring));
		for (size_t i = 0; i < q->ring_len; i++)
			ring[i] = q->ring[(q->ring_head + i) % q->ring_cap];
		free(q->ring);
		q->ring = ring;
		q->ring_cap = cap;
		q->ring_head = 0;
	}
	q->ring[(q->ring_head + q->ring_len) % q->ring_cap] = e;
	q->ring_len++;
}

static struct entry *ring_pop(struct hf_workqueue *q)
{
	struct entry *e = q->ring[q->ring_head];
	q->ring_head = (q->ring_head + 1) % q->ring_cap;
	q->ring_len--;
	return e;
}

static bool heap_less(const struct entry *a, const struct entry *b)
{
	return a->ready_at < b->ready_at || (a->ready_at == b->ready_at && a->seq < b->seq);
}

static void heap_place(struct hf_workqueue *q, size_t i, struct entry *e)
{
	q->heap[i] = e;
	e->heap_index = i;
}

static void heap_up(struct hf_workqueue *q, size_t i)
{
	struct entry *e = q->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!heap_less(e, q->heap[parent]))
			break;
		heap_place(q, i, q->heap[parent]);
		i = parent;
	}
	heap_place(q, i, e);
}

static void heap_down(struct hf_workqueue *q, size_t i)
{
	struct entry *e = q->heap[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= q->heap_len)
			break;
		if (child + 1 < q->heap_len && heap_less(q->heap[child + 1], q->heap[child]))
			child++;
		if (!heap_less(q->heap[child], e))
			break;
		heap_place(q, i, q->heap[child]);
		i = child;
	}
	heap_place(q, i, e);
}

static void heap_push(struct hf_workqueue *q, struct entry *e)
{
	if (q->heap_len == q->heap_cap) {
		q->heap_cap = q->heap_cap ? q->heap_cap * 2 : 16;
		q->heap = hf_realloc(q->heap, q->heap_cap * sizeof(*q->heap));
	}
	q->heap[q->heap_len++] = e;
	heap_up(q, q->heap_len - 1);
}

static struct entry *heap_pop(struct hf_workqueue *q)
{
	struct entry *top = q->heap[0];
	q->heap_len--;
	if (q->heap_len > 0) {
		q->heap[0] = q->heap[q->heap_len];
		heap_down(q, 0);
	}
	top->heap_index = NOT_WAITING;
	return top;
}

/* add_locked is client-go's Add; now is when the key counts as added. */
static void add_locked(struct hf_workqueue *q, struct entry *e, double now)
{
	if (e->dirty)
		return;
	e->dirty = true;
	e->added_at = now;
	q->ndirty++;
	metric_add(q, q->adds, 1);
	metric_set(q, q->depth, (double)q->ndirty);
	if (e->processing)
		return;
	ring_push(q, e);
	pthread_cond_signal(&q->ready);
}

/* move_due queues the delayed keys whose time has come. Every operation
 * calls it first, so that a key due earlier is queued before a key added
 * later, and the depth counts it, even while no getter is waiting. */
static void move_due(struct hf_workqueue *q, double now)
{
	if (q->shutting_down)
		return;
	while (q->heap_len > 0 && q->heap[0]->ready_at <= now) {
		struct entry *e = heap_pop(q);
		/* It entered the queue when it became due, not when a getter
		 * happened to notice. */
		add_locked(q, e, e->ready_at);
	}
}

static void add_after_locked(struct hf_workqueue *q, const char *key, double seconds, double now)
{
	struct entry *e = entry_get(q, key);
	if (!(seconds > 0)) {
		add_locked(q, e, now);
		return;
	}
	double ready_at = now + seconds;
	if (e->heap_index != NOT_WAITING) {
		/* Never later: an earlier request must not be postponed. */
		if (ready_at < e->ready_at) {
			e->ready_at = ready_at;
			heap_up(q, e->heap_index);
		}
	} else {
		e->ready_at = ready_at;
		e->seq = q->next_seq++;
		heap_push(q, e);
	}
	/* Getters wait for the earliest time: tell them it changed. */
	if (e->heap_index == 0)
		pthread_cond_broadcast(&q->ready);
}

void hf_workqueue_add(struct hf_workqueue *q, const char *key)
{
	pthread_mutex_lock(&q->lock);
	if (!q->shutting_down && key) {
		double now = now_of(q);
		move_due(q, now);
		add_locked(q, entry_get(q, key), now);
	}
	pthread_mutex_unlock(&q->lock);
}

void hf_workqueue_add_after(struct hf_workqueue *q, const char *key, double seconds)
{
	pthread_mutex_lock(&q->lock);
	if (!q->shutting_down && key) {
		double now = now_of(q);
		move_due(q, now);
		add_after_locked(q, key, seconds, now);
	}
	pthread_mutex_unlock(&q->lock);
}

void hf_workqueue_add_rate_limited(struct hf_workqueue *q, const char *key)
{
	pthread_mutex_lock(&q->lock);
	if (q->shutting_down || !key)
		goto unlock;
	double now = now_of(q);
	move_due(q, now);
	struct entry *e = entry_get(q, key);
	/* client-go's MaxOf(exponential per item, token bucket): both are
	 * consulted, so every retry spends a token. */
	double delay = hf_backoff_delay(q->base_delay, q->max_delay, e->failures);
	if (e->failures < INT_MAX)
		e->failures++;
	double bucket = hf_token_bucket_reserve(&q->bucket, now);
	if (bucket > delay)
		delay = bucket;
	metric_add(q, q->retries, 1);
	add_after_locked(q, key, delay, now);
unlock:
	pthread_mutex_unlock(&q->lock);
}

void hf_workqueue_forget(struct hf_workqueue *q, const char *key)
{
	pthread_mutex_lock(&q->lock);
	struct entry *e = key ? hf_strmap_get(q->entries, key) : NULL;
	if (e) {
		e->failures = 0;
		release(q, e);
	}
	pthread_mutex_unlock(&q->lock);
}

int hf_workqueue_num_requeues(struct hf_workqueue *q, const char *key)
{
	pthread_mutex_lock(&q->lock);
	const struct entry *e = key ? hf_strmap_get(q->entries, key) : NULL;
	int n = e ? e->failures : 0;
	pthread_mutex_unlock(&q->lock);
	return n;
}

enum hf_err hf_workqueue_get_timeout(struct hf_workqueue *q, double timeout, char **key)
{
	enum hf_err err = HF_OK;
	double deadline = timeout >= 0 ? hf_monotonic_now() + timeout : -1;
	*key = NULL;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		double now = now_of(q);
		move_due(q, now);
		if (q->ring_len > 0) {
			struct entry *e = ring_pop(q);
			e->dirty = false;
			q->ndirty--;
			e->processing = true;
			q->nprocessing++;
			e->started_at = now;
			metric_set(q, q->depth, (double)q->ndirty);
			metric_observe(q, q->queue_duration, now - e->added_at);
			*key = hf_strdup(e->key);
			break;
		}
		if (q->shutting_down) {
			err = HF_ERR_SHUTDOWN;
			break;
		}
		double real_now = hf_monotonic_now();
		if (deadline >= 0 && real_now >= deadline) {
			err = HF_ERR_TIMEOUT;
			break;
		}
		/* Wake for the earliest delayed key or the caller's deadline,
		 * whichever comes first; adds and shutdown signal. */
		double until = deadline;
		if (q->heap_len > 0) {
			double due = real_now + (q->heap[0]->ready_at - now);
			if (until < 0 || due < until)
				until = due;
		}
		if (until < 0)
			pthread_cond_wait(&q->ready, &q->lock);
		else
			hf_cond_wait_until(&q->ready, &q->lock, until);
	}
	pthread_mutex_unlock(&q->lock);
	return err;
}

char *hf_workqueue_get(struct hf_workqueue *q)
{
	char *key = NULL;
	if (hf_workqueue_get_timeout(q, -1, &key) != HF_OK)
		return NULL;
	return key;
}

void hf_workqueue_done(struct hf_workqueue *q, const char *key)
{
	pthread_mutex_lock(&q->lock);
	struct entry *e = key ? hf_strmap_get(q->entries, key) : NULL;
	if (!e || !e->processing)
		goto unlock;
	double now = now_of(q);
	move_due(q, now);
	metric_observe(q, q->work_duration, now - e->started_at);
	e->processing = false;
	q->nprocessing--;
	if (e->dirty) {
		ring_push(q, e);
		pthread_cond_signal(&q->ready);
	}
	if (q->nprocessing == 0)
		pthread_cond_broadcast(&q->drained);
	release(q, e);
unlock:
	pthread_mutex_unlock(&q->lock);
}

size_t hf_workqueue_len(struct hf_workqueue *q)
{
	pthread_mutex_lock(&q->lock);
	move_due(q, now_of(q));
	size_t n = q->ring_len;
	pthread_mutex_unlock(&q->lock);
	return n;
}

void hf_workqueue_shutdown(struct hf_workqueue *q)
{
	pthread_mutex_lock(&q->lock);
	q->shutting_down = true;
	pthread_cond_broadcast(&q->ready);
	pthread_mutex_unlock(&q->lock);
}

void hf_workqueue_shutdown_drain(struct hf_workqueue *q)
{
	pthread_mutex_lock(&q->lock);
	q->shutting_down = true;
	pthread_cond_broadcast(&q->ready);
	while (q->nprocessing > 0)
		pthread_cond_wait(&q->drained, &q->lock);
	pthread_mutex_unlock(&q->lock);
}

bool hf_workqueue_shutting_down(struct hf_workqueue *q)
{
	pthread_mutex_lock(&q->lock);
	bool down = q->shutting_down;
	pthread_mutex_unlock(&q->lock);
	return down;
}

void hf_workqueue_wake(struct hf_workqueue *q)
{
	pthread_mutex_lock(&q->lock);
	pthread_cond_broadcast(&q->ready);
	pthread_mutex_unlock(&q->lock);
}

/* collect sets the gauges client-go updates every 500 ms: the total and the
 * longest time keys have been in processing without a done. */
static void collect(void *ctx)
{
	struct hf_workqueue *q = ctx;
	double total = 0, longest = 0;
	pthread_mutex_lock(&q->lock);
	double now = now_of(q);
	/* Due keys count in the depth even while every worker is busy. */
	move_due(q, now);
	struct hf_strmap_iter it = HF_STRMAP_ITER_INIT;
	const char *key;
	void *value;
	while (hf_strmap_next(q->entries, &it, &key, &value)) {
		const struct entry *e = value;
		if (!e->processing)
			continue;
		double t = now - e->started_at;
		total += t;
		if (t > longest)
			longest = t;
	}
	metric_set(q, q->unfinished, total);
	metric_set(q, q->longest, longest);
	pthread_mutex_unlock(&q->lock);
}

static void register_metrics(struct hf_workqueue *q, struct hf_metrics *m)
{
	static const char *const labels[] = {"name", NULL};
	size_t nb = sizeof(duration_buckets) / sizeof(duration_buckets[0]);
	q->metrics = m;
	q->depth = hf_metrics_family(m, "workqueue_depth", "Current depth of workqueue",
				     HF_METRIC_GAUGE, labels, NULL, 0);
	q->adds = hf_metrics_family(m, "workqueue_adds_total",
				    "Total number of adds handled by workqueue", HF_METRIC_COUNTER,
				    labels, NULL, 0);
	q->queue_duration = hf_metrics_family(
		m, "workqueue_queue_duration_seconds",
		"How long in seconds an item stays in workqueue before being requested.",
		HF_METRIC_HISTOGRAM, labels, duration_buckets, nb);
	q->work_duration =
		hf_metrics_family(m, "workqueue_work_duration_seconds",
				  "How long in seconds processing an item from workqueue takes.",
				  HF_METRIC_HISTOGRAM, labels, duration_buckets, nb);
	q->retries = hf_metrics_family(m, "workqueue_retries_total",
				       "Total number of retries handled by workqueue",
				       HF_METRIC_COUNTER, labels, NULL, 0);
	q->unfinished = hf_metrics_family(
		m, "workqueue_unfinished_work_seconds",
		"How many seconds of work has done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
		HF_METRIC_GAUGE, labels, NULL, 0);
	q->longest = hf_metrics_family(
		m, "workqueue_longest_running_processor_seconds",
		"How many seconds has the longest running processor for workqueue been running.",
		HF_METRIC_GAUGE, labels, NULL, 0);
	/* The series exist from the start, as client-go creates them with the
	 * queue, so that a scrape shows an idle queue as 0. */
	metric_add(q, q->adds, 0);
	metric_add(q, q->retries, 0);
	metric_set(q, q->depth, 0);
	hf_metrics_add_collector(m, collect, q);
}

static bool valid_delay(double d)
{
	return !isnan(d) && d >= 0;
}

enum hf_err hf_workqueue_new(const struct hf_workqueue_config *cfg, struct hf_workqueue **out)
{
	static const struct hf_workqueue_config defaults = {0};
	struct hf_workqueue *q = NULL;
	pthread_condattr_t attr;
	*out = NULL;
	if (!cfg)
		cfg = &defaults;

	double qps = cfg->qps == 0 ? HF_WORKQUEUE_DEFAULT_QPS : cfg->qps;
	int burst = cfg->burst == 0 ? HF_WORKQUEUE_DEFAULT_BURST : cfg->burst;
	double base = cfg->base_delay == 0 ? HF_WORKQUEUE_DEFAULT_BASE_DELAY : cfg->base_delay;
	double max = cfg->max_delay == 0 ? HF_WORKQUEUE_DEFAULT_MAX_DELAY : cfg->max_delay;
	if (isnan(qps) || burst < 0 || !valid_delay(base) || !valid_delay(max) || max < base)
		return HF_ERR_INVALID;

	/* Waits are on CLOCK_MONOTONIC so that wall-clock steps do not
	 * stretch or cut a delay. */
	if (pthread_condattr_init(&attr) != 0)
		return HF_ERR_INTERNAL;
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0) {
		pthread_condattr_destroy(&attr);
		return HF_ERR_INTERNAL;
	}
	q = hf_calloc(1, sizeof(*q));
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->ready, &attr);
	pthread_cond_init(&q->drained, &attr);
	pthread_condattr_destroy(&attr);
	q->entries = hf_strmap_new();
	q->base_delay = base;
	q->max_delay = max;
	q->clock = cfg->clock;
	q->clock_ctx = cfg->clock_ctx;
	hf_token_bucket_init(&q->bucket, qps < 0 ? 0 : qps, burst, now_of(q));
	if (cfg->name && *cfg->name) {
		q->name = hf_strdup(cfg->name);
		register_metrics(q, cfg->metrics ? cfg->metrics : hf_metrics_default());
	}
	*out = q;
	return HF_OK;
}

void hf_workqueue_free(struct hf_workqueue *q)
{
	if (!q)
		return;
	/* First, so that no render calls collect on a queue being freed. */
	if (q->metrics)
		hf_metrics_remove_collector(q->metrics, collect, q);
	hf_strmap_free(q->entries, entry_free);
	free(q->ring);
	free(q->heap);
	free(q->name);
	pthread_cond_destroy(&q->drained);
	pthread_cond_destroy(&q->ready);
	pthread_mutex_destroy(&q->lock);
	free(q);
}
