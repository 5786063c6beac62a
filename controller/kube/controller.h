/*
 * controller.h: a controller as controller-runtime has it: a work queue of
 * object keys and worker threads that call a reconcile function for each.
 *
 * Reconcile is level-based: it gets a key ("namespace/name"), reads the
 * current state from a cache and acts. Its result decides what happens to
 * the key: an error requeues it with per-key exponential backoff, a
 * requeue_after schedules it again after that delay (and resets the
 * backoff), and success forgets it. A key is never reconciled by two workers
 * at once.
 *
 * Thread safety: hf_controller_enqueue* may be called from any thread (an
 * informer's handler, typically). reconcile runs on the worker threads.
 */
#ifndef HF_KUBE_CONTROLLER_H
#define HF_KUBE_CONTROLLER_H

#include <stdbool.h>

#include "util/error.h"

struct hf_controller;
struct hf_metrics;

struct hf_reconcile_result {
	double requeue_after; /* > 0: reconcile again after this many seconds */
	bool requeue;	      /* reconcile again with backoff (without an error) */
};

/* Returns HF_OK, or an error to retry with backoff. */
typedef enum hf_err (*hf_reconcile_fn)(const char *key, struct hf_reconcile_result *result,
				       void *ctx);

struct hf_controller_options {
	const char *name; /* metrics label and queue name, e.g. "cluster" */
	int workers;	  /* default 2 */
	hf_reconcile_fn reconcile;
	void *ctx;
	struct hf_metrics *metrics; /* NULL: hf_metrics_default() */
};

HF_MUST_CHECK enum hf_err hf_controller_new(const struct hf_controller_options *opts,
					    struct hf_controller **out);
/* hf_controller_free stops the workers if they run and frees. */
void hf_controller_free(struct hf_controller *c);

/* hf_controller_start starts the workers; keys enqueued earlier wait. */
HF_MUST_CHECK enum hf_err hf_controller_start(struct hf_controller *c);
/* hf_controller_stop stops taking new keys, lets the workers finish the
 * keys already queued (as client-go's queue does on shutdown), and joins
 * them. Delayed keys that are not due yet are dropped. */
void hf_controller_stop(struct hf_controller *c);

void hf_controller_enqueue(struct hf_controller *c, const char *key);
void hf_controller_enqueue_after(struct hf_controller *c, const char *key, double seconds);
const char *hf_controller_name(const struct hf_controller *c);

#endif
