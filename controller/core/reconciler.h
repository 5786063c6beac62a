/*
 * reconciler.h: the Cluster and NodePool reconcilers (DESIGN.md sections 3
 * and 4). For one object key each reconcile:
 *
 *  - adds the finalizer hyperfleet.io/finalizer to a live object;
 *  - gives a NodePool the hyperfleet.io/cluster-name label and an owner
 *    reference to its Cluster, or says in a ClusterExists=False condition
 *    (and an Event) that the Cluster does not exist;
 *  - aggregates the status from the adapters' reports and writes it when it
 *    changed, with an Event when the phase changes;
 *  - while deleting: deletes a Cluster's NodePools, and removes the
 *    finalizer once every required adapter reported Finalized=True at the
 *    current generation and no NodePools remain (at once when no adapter is
 *    required);
 *  - requeues: a Not Ready object with backoff (from about 10 s, capped), a
 *    Ready one every 30 minutes (the drift check), both configurable.
 *
 * Thread safety: hf_reconciler_reconcile runs on controller workers, any
 * number at once (never for the same key at once).
 */
#ifndef HF_CORE_RECONCILER_H
#define HF_CORE_RECONCILER_H

#include "core/core.h"
#include "kube/controller.h"

struct hf_reconciler;

struct hf_reconciler_options {
	double not_ready_requeue_s;	/* first requeue of a Not Ready object, default 10 */
	double not_ready_requeue_max_s; /* the backoff's cap, default 300 */
	double ready_resync_s;		/* requeue of a Ready object, default 1800 */
};

/* hf_reconciler_new borrows core (it must outlive the reconciler). */
struct hf_reconciler *hf_reconciler_new(struct hf_core *core, enum hf_kind kind,
					const struct hf_reconciler_options *opts);
void hf_reconciler_free(struct hf_reconciler *r);

/* The controller's reconcile function; ctx is the struct hf_reconciler. */
enum hf_err hf_reconciler_reconcile(const char *key, struct hf_reconcile_result *result, void *ctx);

/* hf_reconciler_requeue_delay is the backoff of a Not Ready object after
 * attempts consecutive Not Ready reconciles (1 for the first). */
double hf_reconciler_requeue_delay(const struct hf_reconciler_options *opts, int attempts);

#endif
