/*
 * view.h: the REST API's read model. One view per kind keeps every
 * Cluster (or NodePool) of the informer's cache in its REST form, both
 * parsed (for filters and sparse fieldsets) and rendered (so a GET by id
 * is a lookup and a copy), indexed by id. The view follows the informer
 * through its handlers, keeps the last events for watches that resume,
 * and lets a writer wait until its own write is visible (read-your-writes).
 *
 * Thread safety: everything may be called from any thread. Rows are
 * immutable and reference counted.
 */
#ifndef HF_API_VIEW_H
#define HF_API_VIEW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "kube/informer.h"

struct cJSON;

struct hf_api_row {
	atomic_int refs;
	char *id;
	char *ns;
	char *name; /* metadata.name */
	char *rv;   /* metadata.resourceVersion */
	unsigned long long rv_num;
	char *cluster_name; /* NodePools: their Cluster's name */
	char *cluster_id;   /* NodePools: their Cluster's id, when known */
	double created;	    /* creationTimestamp, seconds */
	struct cJSON *rest; /* the REST form */
	char *json;	    /* ... rendered */
	size_t json_len;
};

struct hf_api_row *hf_api_row_ref(struct hf_api_row *r);
void hf_api_row_unref(struct hf_api_row *r);

enum hf_api_event_type { HF_API_ADDED, HF_API_MODIFIED, HF_API_DELETED };
const char *hf_api_event_name(enum hf_api_event_type t);

/* A listener sees every change in order, on the informer's thread (with
 * the view locked); it must not block (a watch stream only appends to its
 * buffer). Returning false removes it: it has let go of ctx. */
typedef bool (*hf_api_listener_fn)(enum hf_api_event_type type, struct hf_api_row *row, void *ctx);

struct hf_api_view;

/* hf_api_view_new: clusters is the Cluster cache, used to find a NodePool's
 * Cluster id before the controller has set its owner reference. */
struct hf_api_view *hf_api_view_new(enum hf_kind kind, struct hf_store *clusters);
void hf_api_view_free(struct hf_api_view *v);

/* The informer handlers that keep v current (ctx is v). */
struct hf_informer_handlers hf_api_view_handlers(struct hf_api_view *v);

/* hf_api_view_get returns the row of id with a reference, or NULL. */
struct hf_api_row *hf_api_view_get(struct hf_api_view *v, const char *id);

/* hf_api_view_find returns the row of namespace/name, or NULL. */
struct hf_api_row *hf_api_view_find(struct hf_api_view *v, const char *ns, const char *name);

/* hf_api_view_snapshot returns every row (each with a reference; free
 * with hf_api_rows_free) and the view's resource version. */
void hf_api_view_snapshot(struct hf_api_view *v, struct hf_api_row ***rows, size_t *n,
			  unsigned long long *rv);
void hf_api_rows_free(struct hf_api_row **rows, size_t n);

/* hf_api_view_wait waits up to timeout_s until the view shows id at
 * resource version rv or later (gone: until id is absent). True if so. */
bool hf_api_view_wait(struct hf_api_view *v, const char *id, const char *rv, bool gone,
		      double timeout_s);

enum hf_api_listen_result {
	HF_API_LISTENING, /* registered */
	HF_API_TOO_OLD,	  /* since is older than the events kept: nothing registered */
	HF_API_DROPPED,	  /* the listener returned false during the replay */
};

/*
 * hf_api_view_listen registers a listener and, atomically with it, hands
 * it the events after resource version since (NULL: the current rows as
 * ADDED). HF_API_TOO_OLD (the caller answers 410 Gone) also when too many
 * listeners are registered.
 */
enum hf_api_listen_result hf_api_view_listen(struct hf_api_view *v, const char *since,
					     hf_api_listener_fn fn, void *ctx);
void hf_api_view_unlisten(struct hf_api_view *v, hf_api_listener_fn fn, void *ctx);

/* hf_api_rv_number reads a resource version as the number etcd gives. */
unsigned long long hf_api_rv_number(const char *rv);

#endif
