/*
 * workqueue.h: the rate-limited work queue of string keys ("namespace/name")
 * between informers and reconcile workers, with the semantics of client-go's
 * workqueue (TypedRateLimitingInterface with the default controller rate
 * limiter):
 *
 *  - a key added several times while it waits is handed out once;
 *  - a key being processed (between get and done) is never handed to a
 *    second worker; added meanwhile it is marked dirty and queued again by
 *    done, so the change it signals is not lost;
 *  - otherwise keys come out in the order they were added;
 *  - add_after keeps delayed keys by ready time (a key already waiting only
 *    ever moves earlier); add_rate_limited delays by the larger of a per-key
 *    exponential backoff and a global token bucket.
 *
 * The queue copies the keys it is given; hf_workqueue_get returns a copy the
 * caller frees. Metrics use client-go's names with the label name set to the
 * queue's name.
 *
 * Thread safety: any thread may add, and any number of worker threads may
 * get and done concurrently. There is no internal thread: every call (and
 * the metrics collector at scrape time) first moves the delayed keys that
 * are due into the queue, and blocked getters wait with a timeout on the
 * next due time. hf_workqueue_free must not overlap any other call: shut
 * the queue down and join the workers first.
 */
#ifndef HF_KUBE_WORKQUEUE_H
#define HF_KUBE_WORKQUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "util/metrics.h"
#include "util/ratelimit.h"

/* client-go's DefaultTypedControllerRateLimiter. */
#define HF_WORKQUEUE_DEFAULT_QPS	10.0
#define HF_WORKQUEUE_DEFAULT_BURST	100
#define HF_WORKQUEUE_DEFAULT_BASE_DELAY 0.005
#define HF_WORKQUEUE_DEFAULT_MAX_DELAY	1000.0

struct hf_workqueue;

/* Zero fields take the defaults above. Times are in seconds. */
struct hf_workqueue_config {
	/* The metrics' name label; NULL or "" records no metrics (as
	 * client-go does for an unnamed queue). Copied. */
	const char *name;
	double qps;	   /* the global token bucket's rate; negative: no global limit */
	int burst;	   /* the token bucket's size */
	double base_delay; /* the first per-key backoff, doubled on each failure */
	double max_delay;  /* the per-key backoff's cap */
	/* A monotonic clock in seconds (NULL: CLOCK_MONOTONIC), for tests. It is
	 * called with the queue's lock held and must not call the queue. The
	 * waits themselves use real time: after moving an injected clock
	 * forward, call hf_workqueue_wake. */
	double (*clock)(void *ctx);
	void *clock_ctx;
	struct hf_metrics *metrics; /* NULL: hf_metrics_default() */
};

/*
 * hf_workqueue_new creates a queue from cfg (NULL: all defaults). Returns
 * HF_ERR_INVALID for a negative or NaN delay, a max_delay below base_delay
 * or a negative burst. On success *out is the caller's, to free with
 * hf_workqueue_free.
 */
HF_MUST_CHECK enum hf_err hf_workqueue_new(const struct hf_workqueue_config *cfg,
					   struct hf_workqueue **out);

/* hf_workqueue_free frees the queue and the keys it still holds (NULL is a
 * no-op). No other thread may use the queue any more. */
void hf_workqueue_free(struct hf_workqueue *q);

/* hf_workqueue_add queues key (copied) unless it is already waiting to be
 * handed out. Ignored once the queue is shutting down. */
void hf_workqueue_add(struct hf_workqueue *q, const char *key);

/* hf_workqueue_add_after adds key once seconds have passed (now when
 * seconds <= 0). A key already waiting for a later time is moved to the
 * earlier one; one waiting for an earlier time stays. */
void hf_workqueue_add_after(struct hf_workqueue *q, const char *key, double seconds);

/* hf_workqueue_add_rate_limited adds key after the larger of its backoff
 * (base_delay doubled per earlier failure since the last forget, capped at
 * max_delay) and the token bucket's delay, and counts one more failure. */
void hf_workqueue_add_rate_limited(struct hf_workqueue *q, const char *key);

/* hf_workqueue_forget resets key's failure count (its backoff), typically
 * after a successful reconcile. It does not remove the key from the queue. */
void hf_workqueue_forget(struct hf_workqueue *q, const char *key);

/* hf_workqueue_num_requeues returns key's failure count since the last
 * forget. */
int hf_workqueue_num_requeues(struct hf_workqueue *q, const char *key);

/*
 * hf_workqueue_get blocks until a key is ready and returns it, newly
 * allocated (the caller frees it and must call hf_workqueue_done). After a
 * shutdown it still returns the keys already queued, as client-go does, then
 * NULL: a worker exits on NULL.
 */
char *hf_workqueue_get(struct hf_workqueue *q);

/* hf_workqueue_get_timeout is hf_workqueue_get waiting at most timeout
 * seconds of real time (0: do not wait; negative: no limit). Returns HF_OK
 * with *key set (the caller's), HF_ERR_TIMEOUT, or HF_ERR_SHUTDOWN once the
 * queue is shut down and empty. */
HF_MUST_CHECK enum hf_err hf_workqueue_get_timeout(struct hf_workqueue *q, double timeout,
						   char **key);

/* hf_workqueue_done marks the end of processing key (from get) and queues
 * it again if it was added meanwhile. A key not being processed is ignored. */
void hf_workqueue_done(struct hf_workqueue *q, const char *key);

/* hf_workqueue_len returns how many keys are ready to be handed out (not
 * counting delayed keys not due yet, nor keys being processed). */
size_t hf_workqueue_len(struct hf_workqueue *q);

/* hf_workqueue_shutdown stops accepting adds (delayed keys not due are
 * dropped) and wakes every blocked getter, which gets NULL once the queue
 * is empty. */
void hf_workqueue_shutdown(struct hf_workqueue *q);

/* hf_workqueue_shutdown_drain shuts down like hf_workqueue_shutdown, then
 * waits until every key being processed is done. Not from a worker thread
 * that holds a key: it would wait for itself. */
void hf_workqueue_shutdown_drain(struct hf_workqueue *q);

bool hf_workqueue_shutting_down(struct hf_workqueue *q);

/* hf_workqueue_wake makes blocked getters look again at the delayed keys;
 * tests call it after moving an injected clock forward. */
void hf_workqueue_wake(struct hf_workqueue *q);

#endif
