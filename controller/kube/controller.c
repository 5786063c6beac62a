#include "kube/controller.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "kube/workqueue.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/metrics.h"

struct hf_controller {
	char *name;
	int workers;
	hf_reconcile_fn reconcile;
	void *ctx;
	struct hf_workqueue *queue;
	pthread_t *threads;
	bool running;

	struct hf_metric_family *total;
	struct hf_metric_family *errors;
	struct hf_metric_family *duration;
	struct hf_metric_family *active;
};

/* controller-runtime's reconcile time buckets. */
static const double reconcile_buckets[] = {
	0.005, 0.01, 0.025, 0.05, 0.1,	0.15, 0.2,  0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6,
	0.7,   0.8,  0.9,   1.0,  1.25, 1.5,  1.75, 2.0,  2.5, 3.0,  3.5, 4.0,	4.5, 5,
	6,     7,    8,	    9,	  10,	15,   20,   25,	  30,  40,   50,  60};

enum hf_err hf_controller_new(const struct hf_controller_options *opts, struct hf_controller **out)
{
	struct hf_workqueue_config qc = {.name = opts->name, .metrics = opts->metrics};
	struct hf_workqueue *q = NULL;
	enum hf_err err = hf_workqueue_new(&qc, &q);
	if (err)
		return err;
	struct hf_controller *c = hf_calloc(1, sizeof(*c));
	c->name = hf_strdup(opts->name);
	c->workers = opts->workers > 0 ? opts->workers : 2;
	c->reconcile = opts->reconcile;
	c->ctx = opts->ctx;
	c->queue = q;
	struct hf_metrics *m = opts->metrics ? opts->metrics : hf_metrics_default();
	static const char *const by_result[] = {"controller", "result", NULL};
	static const char *const by_controller[] = {"controller", NULL};
	c->total = hf_metrics_family(m, "controller_runtime_reconcile_total",
				     "Total number of reconciliations per controller",
				     HF_METRIC_COUNTER, by_result, NULL, 0);
	c->errors = hf_metrics_family(m, "controller_runtime_reconcile_errors_total",
				      "Total number of reconciliation errors per controller",
				      HF_METRIC_COUNTER, by_controller, NULL, 0);
	c->duration = hf_metrics_family(m, "controller_runtime_reconcile_time_seconds",
					"Length of time per reconciliation per controller",
					HF_METRIC_HISTOGRAM, by_controller, reconcile_buckets,
					sizeof(reconcile_buckets) / sizeof(double));
	c->active = hf_metrics_family(m, "controller_runtime_active_workers",
				      "Number of currently used workers per controller",
				      HF_METRIC_GAUGE, by_controller, NULL, 0);
	struct hf_metric_family *max =
		hf_metrics_family(m, "controller_runtime_max_concurrent_reconciles",
				  "Maximum number of concurrent reconciles per controller",
				  HF_METRIC_GAUGE, by_controller, NULL, 0);
	const char *labels[] = {c->name};
	hf_metric_set(max, labels, c->workers);
	hf_metric_set(c->active, labels, 0);
	*out = c;
	return HF_OK;
}

static void process(struct hf_controller *c, const char *key)
{
	const char *labels[] = {c->name};
	hf_metric_add(c->active, labels, 1);
	struct hf_reconcile_result result = {0};
	double started = hf_monotonic_now();
	enum hf_err err = c->reconcile(key, &result, c->ctx);
	hf_metric_observe(c->duration, labels, hf_monotonic_now() - started);
	hf_metric_add(c->active, labels, -1);

	const char *outcome;
	if (err) {
		outcome = "error";
		hf_metric_add(c->errors, labels, 1);
		hf_workqueue_add_rate_limited(c->queue, key);
	} else if (result.requeue_after > 0) {
		outcome = "requeue_after";
		hf_workqueue_forget(c->queue, key);
		hf_workqueue_add_after(c->queue, key, result.requeue_after);
	} else if (result.requeue) {
		outcome = "requeue";
		hf_workqueue_add_rate_limited(c->queue, key);
	} else {
		outcome = "success";
		hf_workqueue_forget(c->queue, key);
	}
	const char *result_labels[] = {c->name, outcome};
	hf_metric_add(c->total, result_labels, 1);
}

static void *worker(void *arg)
{
	struct hf_controller *c = arg;
	char *key;
	while ((key = hf_workqueue_get(c->queue)) != NULL) {
		process(c, key);
		hf_workqueue_done(c->queue, key);
		free(key);
	}
	return NULL;
}

enum hf_err hf_controller_start(struct hf_controller *c)
{
	if (c->running)
		return HF_ERR_INVALID;
	c->threads = hf_calloc((size_t)c->workers, sizeof(*c->threads));
	for (int i = 0; i < c->workers; i++) {
		if (pthread_create(&c->threads[i], NULL, worker, c) != 0) {
			hf_workqueue_shutdown(c->queue);
			for (int j = 0; j < i; j++)
				pthread_join(c->threads[j], NULL);
			free(c->threads);
			c->threads = NULL;
			return HF_ERR_INTERNAL;
		}
	}
	c->running = true;
	return HF_OK;
}

void hf_controller_stop(struct hf_controller *c)
{
	if (!c->running)
		return;
	hf_workqueue_shutdown_drain(c->queue);
	for (int i = 0; i < c->workers; i++)
		pthread_join(c->threads[i], NULL);
	free(c->threads);
	c->threads = NULL;
	c->running = false;
}

void hf_controller_free(struct hf_controller *c)
{
	if (!c)
		return;
	hf_controller_stop(c);
	hf_workqueue_free(c->queue);
	free(c->name);
	free(c);
}

void hf_controller_enqueue(struct hf_controller *c, const char *key)
{
	hf_workqueue_add(c->queue, key);
}

void hf_controller_enqueue_after(struct hf_controller *c, const char *key, double seconds)
{
	hf_workqueue_add_after(c->queue, key, seconds);
}

const char *hf_controller_name(const struct hf_controller *c)
{
	return c->name;
}
