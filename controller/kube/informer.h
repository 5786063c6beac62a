/*
 * informer.h: keeps a store in step with the API server for one resource
 * type, and tells handlers what changed (client-go's Reflector and
 * SharedIndexInformer, in one).
 *
 * It lists the resource (in pages), then watches from the list's
 * resourceVersion with bookmarks and a random timeout of 5 to 10 minutes.
 * When a watch ends it watches again from the last version seen; on an
 * error it waits with jittered exponential backoff first; when the server
 * says that version is gone (410) it lists again, and the handlers learn
 * the difference (adds, updates, deletes) as events. Every resync period
 * the handlers also get an update for every cached object.
 *
 * Handlers run on the informer's own thread, in the order the changes
 * happened; they must be quick (typically: enqueue a key). They receive
 * borrowed objects: take a reference (hf_obj_ref) to keep one.
 *
 * Thread safety: create, add handlers and start from one thread; after
 * start, hf_informer_store, hf_informer_has_synced, hf_informer_wait_synced
 * and hf_informer_stats may be called from any thread.
 */
#ifndef HF_KUBE_INFORMER_H
#define HF_KUBE_INFORMER_H

#include <stdbool.h>
#include <stddef.h>

#include "kube/client.h"
#include "kube/store.h"
#include "util/error.h"

struct hf_informer;

struct hf_informer_handlers {
	void (*on_add)(const struct hf_obj *obj, void *ctx);
	/* old == obj on a resync. */
	void (*on_update)(const struct hf_obj *old, const struct hf_obj *obj, void *ctx);
	/* obj is the object's final state (from the watch event, or the cache's
	 * last state when a relist found it gone). */
	void (*on_delete)(const struct hf_obj *obj, void *ctx);
	void *ctx;
};

struct hf_informer_options {
	const struct hf_kube_resource *resource;
	const char *ns;		    /* NULL: all namespaces */
	const char *label_selector; /* NULL: everything (a shard selects a subset) */
	long page_size;		    /* list page size, default 500 */
	double resync_seconds;	    /* 0: never */
	size_t max_event_bytes;	    /* cap of one watch event, default 16 MiB */
	double min_watch_timeout_s; /* default 300 */
	double max_watch_timeout_s; /* default 600 */
};

struct hf_informer_stats {
	unsigned long long lists;   /* full lists done */
	unsigned long long watches; /* watch requests started */
	unsigned long long events;  /* watch events applied (not bookmarks) */
	unsigned long long bookmarks;
	unsigned long long errors; /* failed lists and watches */
	double apply_seconds;	   /* time spent applying watch events (parse, store, handlers) */
	char resource_version[64]; /* last seen */
};

/* hf_informer_new borrows client (it must outlive the informer) and copies
 * the options' strings. */
struct hf_informer *hf_informer_new(struct hf_kube_client *client,
				    const struct hf_informer_options *opts);
/* hf_informer_free stops the informer if it runs and frees it and its store. */
void hf_informer_free(struct hf_informer *inf);

/* hf_informer_add_handlers registers handlers (up to 8), before start. */
HF_MUST_CHECK enum hf_err hf_informer_add_handlers(struct hf_informer *inf,
						   const struct hf_informer_handlers *h);

/* hf_informer_start starts the informer's thread. */
HF_MUST_CHECK enum hf_err hf_informer_start(struct hf_informer *inf);
/* hf_informer_stop ends the thread (aborting a watch in progress) and
 * waits for it. The store keeps its contents. */
void hf_informer_stop(struct hf_informer *inf);

struct hf_store *hf_informer_store(struct hf_informer *inf);
/* True once the first list has been applied to the store. */
bool hf_informer_has_synced(struct hf_informer *inf);
/* hf_informer_wait_synced waits up to timeout_s; true when synced. */
bool hf_informer_wait_synced(struct hf_informer *inf, double timeout_s);
void hf_informer_stats(struct hf_informer *inf, struct hf_informer_stats *out);

#endif
