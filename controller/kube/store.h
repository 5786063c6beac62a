/*
 * store.h: the informer's cache of objects of one resource type, keyed by
 * "namespace/name", with indexes by uid, by label and by owning cluster.
 *
 * The store holds one reference to each object; readers get references of
 * their own (never a pointer the store may free under them) and must
 * hf_obj_unref them. Cached objects are immutable: an update replaces the
 * object.
 *
 * Thread safety: any number of readers and one writer (the reflector) at a
 * time, under a reader-writer lock.
 */
#ifndef HF_KUBE_STORE_H
#define HF_KUBE_STORE_H

#include <stddef.h>

#include "kube/object.h"

struct hf_store;

struct hf_store *hf_store_new(void);
void hf_store_free(struct hf_store *s);

/* Readers: each returns new references (or NULL / an empty list). */
struct hf_obj *hf_store_get(struct hf_store *s, const char *key);
struct hf_obj *hf_store_get_by_uid(struct hf_store *s, const char *uid);
void hf_store_list(struct hf_store *s, struct hf_obj_list *out);
/* Objects carrying label key=value. */
void hf_store_list_by_label(struct hf_store *s, const char *key, const char *value,
			    struct hf_obj_list *out);
/* Objects belonging to the Cluster ns/cluster (see hf_obj.cluster). */
void hf_store_list_by_cluster(struct hf_store *s, const char *ns, const char *cluster,
			      struct hf_obj_list *out);
size_t hf_store_len(struct hf_store *s);
/* hf_store_version changes whenever the contents change, so that values
 * derived from the whole store can be cached. */
unsigned long long hf_store_version(struct hf_store *s);
/* hf_store_bytes is the memory the cached objects take. */
size_t hf_store_bytes(struct hf_store *s);

/* Writer: hf_store_put takes the caller's reference to obj and returns the
 * object it replaced (whose reference passes to the caller), or NULL. */
struct hf_obj *hf_store_put(struct hf_store *s, struct hf_obj *obj);
/* hf_store_remove returns the removed object (reference to the caller). */
struct hf_obj *hf_store_remove(struct hf_store *s, const char *key);

#endif
