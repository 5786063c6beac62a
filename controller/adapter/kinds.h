/*
 * kinds.h: the kinds of objects the adapter engine creates and watches.
 *
 * Jobs, ConfigMaps, Namespaces and Secrets are watched from the start by
 * the manager's informers (hf_kinds_add_static). Any other kind an adapter
 * names (a Deployment, a custom resource) is looked up in the API server's
 * discovery document the first time it is needed, and from then on watched
 * by an informer of the registry's own, with the same label selector and
 * handlers: the engine reacts to changes of every kind it creates, never
 * polls.
 *
 * Thread safety: hf_kinds_get may be called from any thread; the kinds it
 * returns live as long as the registry.
 */
#ifndef HF_ADAPTER_KINDS_H
#define HF_ADAPTER_KINDS_H

#include <stdbool.h>

#include "kube/client.h"
#include "kube/informer.h"
#include "kube/store.h"
#include "util/error.h"

struct hf_owned_kind {
	const char *api_version; /* "batch/v1" */
	const char *kind;	 /* "Job" */
	struct hf_kube_resource res;
	struct hf_store *store; /* the cached objects (the adapters' only) */
	bool is_job;		/* batch/v1 Job: results, history, timeouts */
};

struct hf_kinds_options {
	struct hf_kube_client *client;
	const char *ns;		    /* watch one namespace, or NULL: all */
	const char *label_selector; /* which objects to cache */
	struct hf_informer_handlers handlers;
	double sync_timeout; /* how long a first lookup waits for the cache, seconds */
};

struct hf_kinds;

struct hf_kinds *hf_kinds_new(const struct hf_kinds_options *o);
/* hf_kinds_stop stops the registry's own informers (their stores keep
 * their contents); hf_kinds_free stops them too, then frees everything. */
void hf_kinds_stop(struct hf_kinds *k);
void hf_kinds_free(struct hf_kinds *k);

/* hf_kinds_add_static registers a kind watched by someone else's informer
 * (its store is borrowed). Call before any hf_kinds_get. */
HF_MUST_CHECK enum hf_err hf_kinds_add_static(struct hf_kinds *k, const char *api_version,
					      const char *kind, const struct hf_kube_resource *res,
					      struct hf_store *store);

/* hf_kinds_find: a kind already known, or NULL (no I/O). */
const struct hf_owned_kind *hf_kinds_find(struct hf_kinds *k, const char *api_version,
					  const char *kind);

/* hf_kinds_get: the kind, discovered and watched on first use (blocking
 * up to sync_timeout while its cache fills). NULL with *error (caller
 * frees) saying why: not served by the API server, no such kind, or not
 * watchable (RBAC). A failed lookup is tried again on the next call. */
const struct hf_owned_kind *hf_kinds_get(struct hf_kinds *k, const char *api_version,
					 const char *kind, char **error);

/* hf_kinds_parse_discovery reads an APIResourceList (the body of GET
 * /api/v1 or /apis/GROUP/VERSION) and finds kind among its resources
 * (subresources skipped): its plural and scope. false with *error (caller
 * frees) when the body is not such a list or has no such kind. */
bool hf_kinds_parse_discovery(const char *body, const char *api_version, const char *kind,
			      char **plural, bool *namespaced, char **error);

#endif
