#include "kube/informer.h"

#include <cJSON.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kube/framer.h"
#include "kube/watch_event.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strmap.h"

#define MAX_HANDLERS 8
/* Backoff between failed lists or watches, as client-go's reflector. */
#define BACKOFF_INITIAL_S 0.8
#define BACKOFF_MAX_S	  30.0
/* A watch that ends cleanly sooner than this without news is treated as a
 * failure, so a server that closes at once is not hammered. */
#define MIN_HEALTHY_WATCH_S 1.0

struct hf_informer {
	struct hf_kube_client *client;
	struct hf_kube_resource resource;
	char *ns;
	char *label_selector;
	long page_size;
	double resync_s;
	size_t max_event_bytes;
	double min_watch_timeout_s, max_watch_timeout_s;

	struct hf_informer_handlers handlers[MAX_HANDLERS];
	int nhandlers;
	struct hf_store *store;

	pthread_t thread;
	bool running;
	atomic_bool stopping;
	pthread_mutex_t lock; /* guards synced, stats, and the stop wake-up */
	pthread_cond_t cond;
	bool synced;
	struct hf_informer_stats stats;

	/* Owned by the informer thread. */
	char rv[64];
	char list_error[256]; /* why the last list failed (informer thread only) */
	double next_resync;
	unsigned int seed;
};

struct hf_informer *hf_informer_new(struct hf_kube_client *client,
				    const struct hf_informer_options *opts)
{
	struct hf_informer *inf = hf_calloc(1, sizeof(*inf));
	inf->client = client;
	inf->resource = *opts->resource;
	inf->ns = hf_strdup(opts->ns);
	inf->label_selector = hf_strdup(opts->label_selector);
	inf->page_size = opts->page_size > 0 ? opts->page_size : 500;
	inf->resync_s = opts->resync_seconds;
	inf->max_event_bytes = opts->max_event_bytes ? opts->max_event_bytes : 16u << 20;
	inf->min_watch_timeout_s = opts->min_watch_timeout_s > 0 ? opts->min_watch_timeout_s : 300;
	inf->max_watch_timeout_s = opts->max_watch_timeout_s > inf->min_watch_timeout_s
					   ? opts->max_watch_timeout_s
					   : fmax(600, inf->min_watch_timeout_s);
	inf->store = hf_store_new();
	atomic_init(&inf->stopping, false);
	pthread_mutex_init(&inf->lock, NULL);
	hf_cond_init_monotonic(&inf->cond);
	inf->seed = (unsigned int)time(NULL) ^ (unsigned int)getpid() ^ (unsigned int)(size_t)inf;
	return inf;
}

void hf_informer_free(struct hf_informer *inf)
{
	if (!inf)
		return;
	hf_informer_stop(inf);
	hf_store_free(inf->store);
	pthread_mutex_destroy(&inf->lock);
	pthread_cond_destroy(&inf->cond);
	free(inf->ns);
	free(inf->label_selector);
	free(inf);
}

enum hf_err hf_informer_add_handlers(struct hf_informer *inf, const struct hf_informer_handlers *h)
{
	if (inf->running || inf->nhandlers == MAX_HANDLERS)
		return HF_ERR_INVALID;
	inf->handlers[inf->nhandlers++] = *h;
	return HF_OK;
}

struct hf_store *hf_informer_store(struct hf_informer *inf)
{
	return inf->store;
}

bool hf_informer_has_synced(struct hf_informer *inf)
{
	pthread_mutex_lock(&inf->lock);
	bool synced = inf->synced;
	pthread_mutex_unlock(&inf->lock);
	return synced;
}

bool hf_informer_wait_synced(struct hf_informer *inf, double timeout_s)
{
	double deadline = hf_monotonic_now() + timeout_s;
	pthread_mutex_lock(&inf->lock);
	while (!inf->synced && hf_monotonic_now() < deadline)
		hf_cond_wait_until(&inf->cond, &inf->lock, deadline);
	bool synced = inf->synced;
	pthread_mutex_unlock(&inf->lock);
	return synced;
}

void hf_informer_stats(struct hf_informer *inf, struct hf_informer_stats *out)
{
	pthread_mutex_lock(&inf->lock);
	*out = inf->stats;
	pthread_mutex_unlock(&inf->lock);
}

/* --- handlers ---------------------------------------------------------- */

static void notify_add(struct hf_informer *inf, const struct hf_obj *o)
{
	for (int i = 0; i < inf->nhandlers; i++)
		if (inf->handlers[i].on_add)
			inf->handlers[i].on_add(o, inf->handlers[i].ctx);
}

static void notify_update(struct hf_informer *inf, const struct hf_obj *old, const struct hf_obj *o)
{
	for (int i = 0; i < inf->nhandlers; i++)
		if (inf->handlers[i].on_update)
			inf->handlers[i].on_update(old, o, inf->handlers[i].ctx);
}

static void notify_delete(struct hf_informer *inf, const struct hf_obj *o)
{
	for (int i = 0; i < inf->nhandlers; i++)
		if (inf->handlers[i].on_delete)
			inf->handlers[i].on_delete(o, inf->handlers[i].ctx);
}

/* upsert stores obj (taking its reference) and tells the handlers. */
static void upsert(struct hf_informer *inf, struct hf_obj *obj)
{
	struct hf_obj *old = hf_store_put(inf->store, obj);
	if (old)
		notify_update(inf, old, obj);
	else
		notify_add(inf, obj);
	hf_obj_unref(old);
}

static void set_rv(struct hf_informer *inf, const char *rv)
{
	if (!rv || !rv[0])
		return;
	snprintf(inf->rv, sizeof(inf->rv), "%s", rv);
}

static void resync_if_due(struct hf_informer *inf)
{
	if (inf->resync_s <= 0 || hf_monotonic_now() < inf->next_resync)
		return;
	inf->next_resync = hf_monotonic_now() + inf->resync_s;
	struct hf_obj_list all;
	hf_store_list(inf->store, &all);
	for (size_t i = 0; i < all.n; i++)
		notify_update(inf, all.items[i], all.items[i]);
	hf_obj_list_free(&all);
}

/* --- list -------------------------------------------------------------- */

static void free_obj(void *o)
{
	hf_obj_unref(o);
}

/*
 * list_all reads every page into fresh (key -> object) and the list's
 * resourceVersion into rv. A continue token that expired mid-way (410)
 * restarts the list from the beginning, once.
 */
static enum hf_err list_all(struct hf_informer *inf, struct hf_strmap *fresh, char *rv,
			    size_t rvlen)
{
	enum hf_err err = HF_OK;
	struct hf_buf body;
	hf_buf_init(&body, 0);
	struct hf_kube_error kerr = {0};
	char *next = NULL;
	bool restarted = false;
	rv[0] = '\0';

	do {
		if (atomic_load(&inf->stopping)) {
			err = HF_ERR_SHUTDOWN;
			break;
		}
		struct hf_kube_list_options opts = {.label_selector = inf->label_selector,
						    .limit = inf->page_size,
						    .continue_token = next};
		err = hf_kube_list(inf->client, &inf->resource, inf->ns, &opts, &body, &kerr);
		if (err == HF_ERR_HTTP && kerr.http_code == 410 && next && !restarted) {
			restarted = true;
			free(next);
			next = NULL;
			err = HF_OK;
			continue;
		}
		if (err)
			break;
		free(next);
		next = NULL;
		cJSON *list = cJSON_ParseWithLength(body.data, body.len);
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
		if (!cJSON_IsArray(items)) {
			cJSON_Delete(list);
			err = HF_ERR_INVALID;
			break;
		}
		cJSON *item;
		cJSON_ArrayForEach(item, items)
		{
			struct hf_obj *o = hf_obj_new(item);
			if (o)
				hf_obj_unref(hf_strmap_put(fresh, o->key, o));
		}
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(list, "metadata");
		const cJSON *lrv = cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion");
		if (cJSON_IsString(lrv))
			snprintf(rv, rvlen, "%s", lrv->valuestring);
		const cJSON *cont = cJSON_GetObjectItemCaseSensitive(meta, "continue");
		if (cJSON_IsString(cont) && cont->valuestring[0])
			next = hf_strdup(cont->valuestring);
		cJSON_Delete(list);
		/* Free each page's memory at once: the initial sync of a large
		 * cache must not hold every page. */
		hf_buf_free(&body);
	} while (next);

	free(next);
	hf_buf_free(&body);
	/* Say why, for the retry's log line: a 403 names the missing RBAC. */
	if (err && err != HF_ERR_SHUTDOWN)
		snprintf(inf->list_error, sizeof(inf->list_error), "%s",
			 kerr.message && kerr.message[0] ? kerr.message : hf_err_name(err));
	hf_kube_error_clear(&kerr);
	return err;
}

/* relist replaces the store's contents with a fresh list, telling the
 * handlers what differs. */
static enum hf_err relist(struct hf_informer *inf)
{
	struct hf_strmap *fresh = hf_strmap_new();
	char rv[sizeof(inf->rv)];
	enum hf_err err = list_all(inf, fresh, rv, sizeof(rv));
	if (err) {
		hf_strmap_free(fresh, free_obj);
		return err;
	}

	/* Deletions first: what the cache has and the server no longer does. */
	struct hf_obj_list cached;
	hf_store_list(inf->store, &cached);
	for (size_t i = 0; i < cached.n; i++) {
		if (!hf_strmap_has(fresh, cached.items[i]->key)) {
			struct hf_obj *gone = hf_store_remove(inf->store, cached.items[i]->key);
			if (gone)
				notify_delete(inf, gone);
			hf_obj_unref(gone);
		}
	}
	hf_obj_list_free(&cached);

	struct hf_strmap_iter it = HF_STRMAP_ITER_INIT;
	const char *key;
	void *value;
	while (hf_strmap_next(fresh, &it, &key, &value)) {
		struct hf_obj *o = value;
		struct hf_obj *old = hf_store_get(inf->store, key);
		/* resourceVersion is opaque: only equality means "unchanged". */
		if (old && strcmp(old->resource_version, o->resource_version) == 0)
			hf_obj_unref(o);
		else
			upsert(inf, o);
		hf_obj_unref(old);
	}
	hf_strmap_free(fresh, NULL);

	set_rv(inf, rv);
	/* Parsing the pages left freed memory in the heap; give it back so the
	 * process holds about what the cache holds. (Not under AddressSanitizer,
	 * whose allocator glibc's trim must not touch.) */
#ifndef __SANITIZE_ADDRESS__
	malloc_trim(0);
#endif
	pthread_mutex_lock(&inf->lock);
	inf->stats.lists++;
	snprintf(inf->stats.resource_version, sizeof(inf->stats.resource_version), "%s", inf->rv);
	inf->synced = true;
	pthread_cond_broadcast(&inf->cond);
	pthread_mutex_unlock(&inf->lock);
	return HF_OK;
}

/* --- watch ------------------------------------------------------------- */

struct watch_state {
	struct hf_informer *inf;
	struct hf_framer framer;
	bool gone;	 /* the server said our resourceVersion is too old */
	bool progressed; /* at least one event or bookmark arrived */
};

static void count_event(struct hf_informer *inf, bool bookmark, double started)
{
	double spent = hf_monotonic_now() - started;
	pthread_mutex_lock(&inf->lock);
	inf->stats.apply_seconds += spent;
	if (bookmark)
		inf->stats.bookmarks++;
	else
		inf->stats.events++;
	snprintf(inf->stats.resource_version, sizeof(inf->stats.resource_version), "%s", inf->rv);
	pthread_mutex_unlock(&inf->lock);
}

static enum hf_err on_line(const char *line, size_t len, void *ctx)
{
	struct watch_state *w = ctx;
	struct hf_informer *inf = w->inf;
	double started = hf_monotonic_now();
	struct hf_watch_event ev;
	enum hf_err err = hf_watch_event_parse(line, len, &ev);
	if (err)
		return err;
	switch (ev.type) {
	case HF_WATCH_ERROR:
		w->gone = ev.error_code == 410;
		err = HF_ERR_HTTP;
		break;
	case HF_WATCH_BOOKMARK:
		set_rv(inf, ev.resource_version);
		count_event(inf, true, started);
		break;
	case HF_WATCH_ADDED:
	case HF_WATCH_MODIFIED:
		upsert(inf, hf_obj_ref(ev.obj));
		set_rv(inf, ev.resource_version);
		count_event(inf, false, started);
		break;
	case HF_WATCH_DELETED: {
		/* The event carries the object's final state, newer than ours. */
		hf_obj_unref(hf_store_remove(inf->store, ev.obj->key));
		notify_delete(inf, ev.obj);
		set_rv(inf, ev.resource_version);
		count_event(inf, false, started);
		break;
	}
	}
	hf_watch_event_clear(&ev);
	if (!err)
		w->progressed = true;
	return err;
}

static enum hf_err on_data(const char *data, size_t len, void *ctx)
{
	struct watch_state *w = ctx;
	return hf_framer_feed(&w->framer, data, len, on_line, w);
}

static bool should_abort(void *ctx)
{
	struct watch_state *w = ctx;
	resync_if_due(w->inf);
	return atomic_load(&w->inf->stopping);
}

/* watch streams events from inf->rv until the server ends the watch.
 * Sets *gone when the resourceVersion is too old (relist needed). */
static enum hf_err watch(struct hf_informer *inf, bool *gone, bool *progressed)
{
	char *path = hf_kube_path(&inf->resource, inf->ns, NULL, NULL);
	char timeout[32];
	double span = inf->max_watch_timeout_s - inf->min_watch_timeout_s;
	snprintf(timeout, sizeof(timeout), "%.0f",
		 inf->min_watch_timeout_s + span * ((double)rand_r(&inf->seed) / RAND_MAX));
	struct hf_kube_query q = {0};
	hf_kube_query_add(&q, "watch", "true");
	hf_kube_query_add(&q, "allowWatchBookmarks", "true");
	hf_kube_query_add(&q, "resourceVersion", inf->rv);
	hf_kube_query_add(&q, "timeoutSeconds", timeout);
	hf_kube_query_add(&q, "labelSelector", inf->label_selector);

	struct watch_state w = {.inf = inf};
	hf_framer_init(&w.framer, inf->max_event_bytes);
	struct hf_kube_error kerr = {0};
	pthread_mutex_lock(&inf->lock);
	inf->stats.watches++;
	pthread_mutex_unlock(&inf->lock);

	enum hf_err err = hf_kube_stream(inf->client, path, &q, on_data, should_abort, &w, &kerr);
	*gone = w.gone || (err == HF_ERR_HTTP && kerr.http_code == 410);
	*progressed = w.progressed;

	hf_framer_free(&w.framer);
	hf_kube_error_clear(&kerr);
	free(path);
	return err;
}

/* --- the informer thread ----------------------------------------------- */

/* pause waits seconds unless the informer is stopped first. */
static void pause_for(struct hf_informer *inf, double seconds)
{
	double deadline = hf_monotonic_now() + seconds;
	pthread_mutex_lock(&inf->lock);
	while (!atomic_load(&inf->stopping) && hf_monotonic_now() < deadline)
		hf_cond_wait_until(&inf->cond, &inf->lock, deadline);
	pthread_mutex_unlock(&inf->lock);
}

static double next_backoff(struct hf_informer *inf, double *backoff)
{
	*backoff = *backoff > 0 ? fmin(*backoff * 2, BACKOFF_MAX_S) : BACKOFF_INITIAL_S;
	/* Full jitter on top, so many informers do not retry in lockstep. */
	return *backoff * (1.0 + (double)rand_r(&inf->seed) / RAND_MAX);
}

static void count_error(struct hf_informer *inf)
{
	pthread_mutex_lock(&inf->lock);
	inf->stats.errors++;
	pthread_mutex_unlock(&inf->lock);
}

static void *run(void *arg)
{
	struct hf_informer *inf = arg;
	double backoff = 0;
	bool need_list = true;
	inf->next_resync = hf_monotonic_now() + inf->resync_s;

	while (!atomic_load(&inf->stopping)) {
		if (need_list) {
			enum hf_err err = relist(inf);
			if (err == HF_ERR_SHUTDOWN)
				break;
			if (err) {
				count_error(inf);
				double wait = next_backoff(inf, &backoff);
				hf_log_with(HF_LOG_WARN, "informer", "list failed; retrying",
					    HF_LOG_STR("resource", inf->resource.plural),
					    HF_LOG_ERR(err), HF_LOG_STR("message", inf->list_error),
					    HF_LOG_INT("retryInMs", (long long)(wait * 1000)));
				pause_for(inf, wait);
				continue;
			}
			need_list = false;
			backoff = 0;
		}
		bool gone = false, progressed = false;
		double started = hf_monotonic_now();
		enum hf_err err = watch(inf, &gone, &progressed);
		if (err == HF_ERR_SHUTDOWN || atomic_load(&inf->stopping))
			break;
		if (gone) {
			hf_log_with(HF_LOG_INFO, "informer",
				    "resourceVersion too old (410); listing again",
				    HF_LOG_STR("resource", inf->resource.plural),
				    HF_LOG_STR("resourceVersion", inf->rv));
			need_list = true;
			continue;
		}
		if (progressed)
			backoff = 0;
		if (err || (!progressed && hf_monotonic_now() - started < MIN_HEALTHY_WATCH_S)) {
			double wait = next_backoff(inf, &backoff);
			if (err) {
				count_error(inf);
				hf_log_with(HF_LOG_WARN, "informer", "watch failed; watching again",
					    HF_LOG_STR("resource", inf->resource.plural),
					    HF_LOG_ERR(err),
					    HF_LOG_INT("retryInMs", (long long)(wait * 1000)));
			}
			pause_for(inf, wait);
		}
	}
	return NULL;
}

enum hf_err hf_informer_start(struct hf_informer *inf)
{
	if (inf->running)
		return HF_ERR_INVALID;
	atomic_store(&inf->stopping, false);
	if (pthread_create(&inf->thread, NULL, run, inf) != 0)
		return HF_ERR_INTERNAL;
	inf->running = true;
	return HF_OK;
}

void hf_informer_stop(struct hf_informer *inf)
{
	if (!inf->running)
		return;
	pthread_mutex_lock(&inf->lock);
	atomic_store(&inf->stopping, true);
	pthread_cond_broadcast(&inf->cond);
	pthread_mutex_unlock(&inf->lock);
	pthread_join(inf->thread, NULL);
	inf->running = false;
}
