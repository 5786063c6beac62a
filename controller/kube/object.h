/*
 * object.h: an immutable, reference-counted Kubernetes object as the cache
 * keeps it.
 *
 * The cache holds tens of thousands of objects, so an object is stored as
 * its compact JSON text plus the few fields the cache indexes (namespace,
 * name, uid, resourceVersion, generation, labels, owning cluster), all in
 * one allocation. A full JSON tree would cost several times the text.
 * Readers parse the text when they need more (hf_obj_parse).
 *
 * Objects never change after creation, so any thread may read one it holds
 * a reference to. hf_obj_ref / hf_obj_unref are thread-safe.
 */
#ifndef HF_KUBE_OBJECT_H
#define HF_KUBE_OBJECT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct cJSON;

/* The label naming a NodePool's (or an adapter resource's) Cluster. */
#define HF_LABEL_CLUSTER_NAME "hyperfleet.io/cluster-name"

struct hf_obj {
	atomic_int refs;
	const char *key; /* "namespace/name", or "name" when cluster-scoped */
	const char *ns;	 /* "" when cluster-scoped */
	const char *name;
	const char *uid;
	const char *resource_version;
	long long generation;
	bool deleting; /* metadata.deletionTimestamp is set */
	const char
		*cluster; /* owning Cluster's name (label, or NodePool spec.clusterName), or NULL */
	size_t nlabels;
	const char *const *labels; /* key0, value0, key1, value1, ... */
	size_t json_len;
	const char *json; /* compact JSON of the whole object */
};

/*
 * hf_obj_new builds an object from a parsed JSON object (it does not keep
 * item). metadata.managedFields is removed from item first: it is the API
 * server's bookkeeping for server-side apply, often the larger part of an
 * object, and HyperFleet never reads it (controller-runtime caches strip it
 * too). Returns NULL when item has no metadata.name. The result has one
 * reference, owned by the caller.
 */
struct hf_obj *hf_obj_new(struct cJSON *item);

/* hf_obj_new_json builds an object from JSON text (NULL if invalid). */
struct hf_obj *hf_obj_new_json(const char *json, size_t len);

struct hf_obj *hf_obj_ref(struct hf_obj *o);
void hf_obj_unref(struct hf_obj *o);

/* hf_obj_parse returns a new cJSON tree of the object (caller deletes). */
struct cJSON *hf_obj_parse(const struct hf_obj *o);

/* hf_obj_label returns the value of label key, or NULL. */
const char *hf_obj_label(const struct hf_obj *o, const char *key);

/* hf_obj_size is the memory the object takes (for accounting). */
size_t hf_obj_size(const struct hf_obj *o);

/* A snapshot list of objects, each holding a reference. */
struct hf_obj_list {
	struct hf_obj **items;
	size_t n;
};
void hf_obj_list_free(struct hf_obj_list *l);

#endif
