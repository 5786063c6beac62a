/*
 * registry.h: the Adapters the engine runs, compiled from the Adapter
 * informer's cache, and their Accepted condition.
 *
 * The registry is reconciled like any controller, by Adapter name
 * (hf_adapter_registry_reconcile): it loads the Adapter (config.h), keeps
 * the compiled result by target kind, writes the Adapter's status Accepted
 * condition (True "Accepted", or False "Invalid" with the loader's
 * positioned errors) through the status subresource when it changes, and
 * calls the changed callback for each target kind whose adapters changed
 * (the engine then reconciles every resource of that kind).
 *
 * Compiled adapters are shared, immutable and reference counted: a
 * snapshot keeps the adapters it returned alive while the registry moves
 * on.
 *
 * Thread safety: every function may be called from any thread; the
 * reconcile function from a controller's workers (a key is never
 * reconciled by two workers at once).
 */
#ifndef HF_ADAPTER_REGISTRY_H
#define HF_ADAPTER_REGISTRY_H

#include <stdatomic.h>
#include <stddef.h>

#include "adapter/config.h"
#include "kube/client.h"
#include "kube/controller.h"
#include "kube/store.h"
#include "util/error.h"

/* One accepted Adapter, immutable once published. */
struct hf_adapter_entry {
	atomic_int refs;
	char *uid;
	long long generation;
	struct hf_adapter *adapter;
};

/* A snapshot of the accepted adapters of one target kind, sorted by name;
 * each entry holds a reference. Free with hf_adapter_set_free. */
struct hf_adapter_set {
	struct hf_adapter_entry **items;
	size_t n;
};
void hf_adapter_set_free(struct hf_adapter_set *s);

typedef void (*hf_adapter_changed_fn)(enum hf_adapter_target target, void *ctx);

struct hf_adapter_registry_options {
	struct hf_kube_client *client; /* writes the Adapters' status */
	struct hf_store *adapters;     /* the Adapter informer's cache */
	hf_adapter_changed_fn changed; /* may be NULL */
	void *ctx;
};

struct hf_adapter_registry;

/* hf_adapter_registry_new borrows the client, the store and ctx. */
struct hf_adapter_registry *hf_adapter_registry_new(const struct hf_adapter_registry_options *o);
void hf_adapter_registry_free(struct hf_adapter_registry *r);

/* hf_adapter_registry_reconcile is a hf_reconcile_fn whose key is an
 * Adapter's name and ctx the registry. Returns an error (to retry with
 * backoff) when the status write failed. */
HF_MUST_CHECK enum hf_err
hf_adapter_registry_reconcile(const char *key, struct hf_reconcile_result *result, void *ctx);

/* hf_adapter_registry_snapshot returns the accepted adapters targeting
 * target. */
void hf_adapter_registry_snapshot(struct hf_adapter_registry *r, enum hf_adapter_target target,
				  struct hf_adapter_set *out);

/* hf_adapter_registry_version changes whenever the set of compiled
 * adapters changes. */
unsigned long long hf_adapter_registry_version(struct hf_adapter_registry *r);

#endif
