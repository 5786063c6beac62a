/*
 * core.h: what the business logic shares: the resource kinds, the caches
 * (when the process has them), the required adapters of a kind, and the
 * one write path for a resource's status.
 *
 * Every status change goes through hf_core_update_status: read the object
 * (first from the cache, after a conflict from the API server), change it,
 * aggregate the conditions, and write it through the status subresource
 * with optimistic concurrency, retrying on 409 from a fresh read. Adapter
 * reports (from the adapter engine and from the REST API) use it through
 * hf_core_write_report, so concurrent reports never lose each other.
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef HF_CORE_CORE_H
#define HF_CORE_CORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/report.h"
#include "kube/client.h"
#include "kube/events.h"
#include "kube/store.h"
#include "util/error.h"

struct cJSON;
struct hf_names;

enum hf_kind {
	HF_KIND_CLUSTER,
	HF_KIND_NODEPOOL,
};

struct hf_kind_info {
	const char *kind;	 /* "Cluster" */
	const char *api_version; /* "hyperfleet.io/v1alpha1" */
	const struct hf_kube_resource *resource;
};
const struct hf_kind_info *hf_kind_info(enum hf_kind kind);

#define HF_FINALIZER "hyperfleet.io/finalizer"

struct hf_core {
	struct hf_kube_client *client;
	/* Caches, or NULL in a process without informers (the CLI): then the
	 * API server is read instead. */
	struct hf_store *clusters;
	struct hf_store *nodepools;
	struct hf_store *adapters;
	struct hf_events *events; /* may be NULL */

	/* Private: the required adapters per kind, derived from the adapters
	 * cache and kept until it changes (hf_core_init / hf_core_cleanup). */
	pthread_mutex_t required_lock;
	struct hf_names *required[2];
	unsigned long long required_version[2];
};

/* hf_core_init prepares a core whose public fields the caller has set;
 * hf_core_cleanup releases what the core derived. */
void hf_core_init(struct hf_core *c);
void hf_core_cleanup(struct hf_core *c);

/* A sorted list of names; free with hf_names_free. */
struct hf_names {
	char **v;
	size_t n;
};
void hf_names_free(struct hf_names *names);

/* hf_core_required_adapters lists the Adapters with required: true that
 * target kind. */
HF_MUST_CHECK enum hf_err hf_core_required_adapters(struct hf_core *c, enum hf_kind kind,
						    struct hf_names *out,
						    struct hf_kube_error *kerr);

/* hf_core_count_nodepools counts the NodePools of Cluster ns/cluster. */
HF_MUST_CHECK enum hf_err hf_core_count_nodepools(struct hf_core *c, const char *ns,
						  const char *cluster, size_t *count,
						  struct hf_kube_error *kerr);

/*
 * A change to an object before its status is aggregated and written.
 * Returns false to leave the object as it is (nothing is written).
 */
typedef bool (*hf_status_mutate_fn)(struct cJSON *object, void *ctx);

/*
 * hf_core_update_status applies mutate (may be NULL) to the current object,
 * aggregates its status and writes it when it changed. *written (may be
 * NULL) receives the object as stored afterwards (caller deletes), or NULL
 * when nothing was written. Returns HF_ERR_NOT_FOUND when the object does
 * not exist, HF_ERR_HTTP with kerr for other API failures.
 */
HF_MUST_CHECK enum hf_err hf_core_update_status(struct hf_core *c, enum hf_kind kind,
						const char *ns, const char *name,
						hf_status_mutate_fn mutate, void *ctx,
						struct cJSON **written, struct hf_kube_error *kerr);

struct hf_report_outcome {
	enum hf_report_verdict verdict;
	char message[512];    /* why it was discarded or rejected */
	struct cJSON *stored; /* STORED: the adapter's entry as stored (caller deletes) */
	/* STORED: the object's resourceVersion once stored, so the caller can
	 * wait for its cache to show the write. */
	char resource_version[32];
};

/* hf_core_write_report runs a report through the rules and, when stored,
 * writes it with the aggregated status in one write. */
HF_MUST_CHECK enum hf_err hf_core_write_report(struct hf_core *c, enum hf_kind kind, const char *ns,
					       const char *name, const struct hf_report *r,
					       struct hf_report_outcome *out,
					       struct hf_kube_error *kerr);

/* hf_core_write_reports runs several adapters' reports on one resource
 * through the rules, in order, and writes those stored with the aggregated
 * status in one write; verdicts[i] is reports[i]'s. */
HF_MUST_CHECK enum hf_err hf_core_write_reports(struct hf_core *c, enum hf_kind kind,
						const char *ns, const char *name,
						const struct hf_report *reports, size_t n,
						enum hf_report_verdict *verdicts,
						struct hf_kube_error *kerr);

/*
 * hf_core_force_delete deletes a Cluster (with its NodePools) or a NodePool
 * without waiting for adapters: it removes HyperFleet's finalizer and
 * deletes what is not being deleted yet, so Kubernetes removes the objects
 * at once. For operators whose adapters can no longer finalize. A
 * Cluster's NodePools come first, from the cache when there is one.
 */
HF_MUST_CHECK enum hf_err hf_core_force_delete(struct hf_core *c, enum hf_kind kind, const char *ns,
					       const char *name, struct hf_kube_error *kerr);

#endif
