/*
 * leader.h: leader election on a coordination.k8s.io/v1 Lease, as
 * client-go's leaderelection: one replica holds the lease and renews it;
 * the others poll and take it over once it has not been renewed for a
 * whole lease duration (measured on their own clock, not the holder's).
 *
 * A leader that cannot renew within the renew deadline has lost the lease:
 * on_stopped_leading runs and the caller must stop its work (HyperFleet
 * exits). A clean stop releases the lease so another replica takes over at
 * once.
 *
 * Thread safety: the election runs on its own thread; callbacks run there.
 * hf_leader_is_leading may be called from any thread.
 */
#ifndef HF_KUBE_LEADER_H
#define HF_KUBE_LEADER_H

#include <stdbool.h>

#include "kube/client.h"
#include "util/error.h"

struct hf_leader;
struct hf_metrics;

struct hf_leader_options {
	const char *ns;		 /* namespace of the Lease */
	const char *name;	 /* name of the Lease */
	const char *identity;	 /* this replica, e.g. hostname_pid */
	double lease_duration_s; /* default 15 */
	double renew_deadline_s; /* default 10 */
	double retry_period_s;	 /* default 2 */
	void (*on_started_leading)(void *ctx);
	void (*on_stopped_leading)(void *ctx);
	void (*on_new_leader)(const char *identity, void *ctx); /* may be NULL */
	void *ctx;
	struct hf_metrics *metrics; /* NULL: hf_metrics_default() */
};

/* hf_leader_new borrows client and copies the options' strings. */
struct hf_leader *hf_leader_new(struct hf_kube_client *client,
				const struct hf_leader_options *opts);
/* hf_leader_free stops the election (releasing a held lease) and frees. */
void hf_leader_free(struct hf_leader *l);
HF_MUST_CHECK enum hf_err hf_leader_start(struct hf_leader *l);
/* hf_leader_stop ends the election; a held lease is released. */
void hf_leader_stop(struct hf_leader *l);
bool hf_leader_is_leading(struct hf_leader *l);

#endif
