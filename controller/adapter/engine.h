/*
 * engine.h: the adapter engine's controller: the I/O around the decision
 * core (step.h). For each Cluster or NodePool it runs every accepted,
 * non-external Adapter targeting that kind: it reads the resource and the
 * objects the adapter owns from the caches, asks the core what to do,
 * creates, updates, recreates or deletes those objects, deletes Jobs of old
 * generations beyond spec.jobHistoryLimit, and writes the adapter's report
 * through hf_core_write_report (only when it differs from the stored one
 * or something was done).
 *
 * The objects adapters create are cached by informers for the kinds the
 * engine handles (batch/v1 Job, v1 ConfigMap, v1 Namespace, v1 Secret),
 * selected by the hyperfleet.io/adapter label; their events enqueue the
 * Cluster or NodePool they belong to (by the uid in their labels). A
 * manifest without metadata.namespace lands in the target's namespace.
 *
 * Keys are "cluster/<ns>/<name>" and "nodepool/<ns>/<name>".
 *
 * Thread safety: hf_engine_setup and hf_engine_free from the thread that
 * runs the manager; hf_engine_enqueue* from any thread (informer handlers).
 */
#ifndef HF_ADAPTER_ENGINE_H
#define HF_ADAPTER_ENGINE_H

#include "core/core.h"
#include "kube/manager.h"
#include "util/error.h"

struct hf_engine;

struct hf_engine_options {
	struct hf_core *core;	      /* borrowed: client, Cluster and NodePool caches */
	struct hf_informer *adapters; /* the Adapter informer (handlers are added) */
	const char *ns;		      /* namespace of the owned-object informers, or NULL */
	int workers;		      /* default 2 */
};

/*
 * hf_engine_setup adds to m what the engine needs: informers for the
 * Jobs, ConfigMaps, Namespaces and Secrets adapters create (other kinds
 * get informers of the engine's own on first use), the adapter registry's
 * controller ("adapter-registry") and the engine's controller
 * ("adapter-engine"), and handlers on the Adapter informer. Once
 * hf_manager_run returns, stop the engine (hf_engine_stop) before freeing
 * the manager, and free the engine after it (hf_engine_free).
 */
HF_MUST_CHECK enum hf_err hf_engine_setup(struct hf_manager *m, const struct hf_engine_options *o,
					  struct hf_engine **out);
/* hf_engine_stop stops the engine's own informers (their handlers feed the
 * manager's controllers). */
void hf_engine_stop(struct hf_engine *e);
void hf_engine_free(struct hf_engine *e);

/* hf_engine_enqueue asks for the adapters of a Cluster or NodePool (key
 * "ns/name") to run. */
void hf_engine_enqueue(struct hf_engine *e, enum hf_kind kind, const char *key);

#endif
