#include "api/view.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/rest.h"
#include "kube/object.h"
#include "kube/store.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/rfc3339.h"
#include "util/strmap.h"

/* How many recent events a watch may resume from. */
#define HISTORY	      4096
#define MAX_LISTENERS 256

struct event {
	enum hf_api_event_type type;
	struct hf_api_row *row;
};

struct listener {
	hf_api_listener_fn fn;
	void *ctx;
};

struct hf_api_view {
	enum hf_kind kind;
	struct hf_store *clusters;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct hf_strmap *by_id;  /* id -> row */
	struct hf_strmap *by_key; /* namespace/name -> row (same references as by_id) */
	unsigned long long rv;	  /* the newest resource version seen */
	struct event history[HISTORY];
	size_t history_len, history_next;
	struct listener listeners[MAX_LISTENERS];
	int nlisteners;
};

unsigned long long hf_api_rv_number(const char *rv)
{
	return rv ? strtoull(rv, NULL, 10) : 0;
}

const char *hf_api_event_name(enum hf_api_event_type t)
{
	return t == HF_API_ADDED ? "ADDED" : t == HF_API_MODIFIED ? "MODIFIED" : "DELETED";
}

struct hf_api_row *hf_api_row_ref(struct hf_api_row *r)
{
	atomic_fetch_add(&r->refs, 1);
	return r;
}

void hf_api_row_unref(struct hf_api_row *r)
{
	if (!r || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	free(r->id);
	free(r->ns);
	free(r->name);
	free(r->rv);
	free(r->cluster_name);
	free(r->cluster_id);
	cJSON_Delete(r->rest);
	free(r->json);
	free(r);
}

void hf_api_rows_free(struct hf_api_row **rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hf_api_row_unref(rows[i]);
	free(rows);
}

/* cluster_id_of finds a NodePool's Cluster: its owner reference, or the
 * Cluster of that name in the cache. */
static char *cluster_id_of(struct hf_api_view *v, const struct hf_obj *o, const cJSON *json)
{
	const cJSON *owners = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(json, "metadata"), "ownerReferences");
	const cJSON *ref;
	cJSON_ArrayForEach(ref, owners)
	{
		const char *kind = hf_json_string(ref, "kind");
		const char *uid = hf_json_string(ref, "uid");
		if (kind && uid && strcmp(kind, "Cluster") == 0)
			return hf_strdup(uid);
	}
	if (!o->cluster || !v->clusters)
		return NULL;
	char key[512];
	snprintf(key, sizeof(key), "%s/%s", o->ns, o->cluster);
	struct hf_obj *c = hf_store_get(v->clusters, key);
	char *id = c && c->uid ? hf_strdup(c->uid) : NULL;
	hf_obj_unref(c);
	return id;
}

static struct hf_api_row *row_new(struct hf_api_view *v, const struct hf_obj *o)
{
	cJSON *json = hf_obj_parse(o);
	if (!json || !o->uid)
		goto fail;
	struct hf_api_row *r = hf_calloc(1, sizeof(*r));
	atomic_init(&r->refs, 1);
	r->id = hf_strdup(o->uid);
	r->ns = hf_strdup(o->ns);
	r->name = hf_strdup(o->name);
	r->rv = hf_strdup(o->resource_version ? o->resource_version : "");
	r->rv_num = hf_api_rv_number(o->resource_version);
	if (v->kind == HF_KIND_NODEPOOL) {
		r->cluster_name = o->cluster ? hf_strdup(o->cluster) : NULL;
		r->cluster_id = cluster_id_of(v, o, json);
	}
	const char *created = hf_json_string(cJSON_GetObjectItemCaseSensitive(json, "metadata"),
					     "creationTimestamp");
	if (!created || !hf_rfc3339_parse(created, &r->created))
		r->created = 0;
	r->rest = hf_rest_resource(v->kind, json, r->cluster_id);
	r->json = cJSON_PrintUnformatted(r->rest);
	r->json_len = strlen(r->json);
	cJSON_Delete(json);
	return r;
fail:
	cJSON_Delete(json);
	return NULL;
}

/* publish records an event and tells the listeners; v->lock is held. */
static void publish(struct hf_api_view *v, enum hf_api_event_type type, struct hf_api_row *row)
{
	struct event *e = &v->history[v->history_next];
	hf_api_row_unref(e->row);
	e->type = type;
	e->row = hf_api_row_ref(row);
	v->history_next = (v->history_next + 1) % HISTORY;
	if (v->history_len < HISTORY)
		v->history_len++;
	if (row->rv_num > v->rv)
		v->rv = row->rv_num;
	for (int i = 0; i < v->nlisteners;)
		if (v->listeners[i].fn(type, row, v->listeners[i].ctx))
			i++;
		else
			v->listeners[i] = v->listeners[--v->nlisteners];
	pthread_cond_broadcast(&v->changed);
}

static char *key_of(const struct hf_api_row *r)
{
	return hf_asprintf("%s/%s", r->ns, r->name);
}

/* apply replaces (or removes) the row of o; informer thread. */
static void apply(struct hf_api_view *v, const struct hf_obj *o, bool deleted)
{
	struct hf_api_row *row = row_new(v, o);
	if (!row)
		return;
	char *key = key_of(row);
	pthread_mutex_lock(&v->lock);
	struct hf_api_row *old = hf_strmap_remove(v->by_id, row->id);
	if (old) {
		/* The name may belong to a newer object already (deleted and
		 * created again): only the old object's entry goes. */
		char *old_key = key_of(old);
		if (hf_strmap_get(v->by_key, old_key) == old)
			hf_strmap_remove(v->by_key, old_key);
		free(old_key);
	}
	if (!deleted) {
		hf_strmap_put(v->by_id, row->id, hf_api_row_ref(row));
		hf_strmap_put(v->by_key, key, row); /* shares by_id's reference */
	}
	publish(v, deleted ? HF_API_DELETED : old ? HF_API_MODIFIED : HF_API_ADDED, row);
	pthread_mutex_unlock(&v->lock);
	hf_api_row_unref(old);
	hf_api_row_unref(row);
	free(key);
}

static void on_add(const struct hf_obj *o, void *ctx)
{
	apply(ctx, o, false);
}

static void on_update(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	if (old == o)
		return; /* a resync: nothing changed */
	apply(ctx, o, false);
}

static void on_delete(const struct hf_obj *o, void *ctx)
{
	apply(ctx, o, true);
}

struct hf_informer_handlers hf_api_view_handlers(struct hf_api_view *v)
{
	return (struct hf_informer_handlers){on_add, on_update, on_delete, v};
}

struct hf_api_view *hf_api_view_new(enum hf_kind kind, struct hf_store *clusters)
{
	struct hf_api_view *v = hf_calloc(1, sizeof(*v));
	v->kind = kind;
	v->clusters = clusters;
	pthread_mutex_init(&v->lock, NULL);
	hf_cond_init_monotonic(&v->changed);
	v->by_id = hf_strmap_new();
	v->by_key = hf_strmap_new();
	return v;
}

static void unref_value(void *row)
{
	hf_api_row_unref(row);
}

void hf_api_view_free(struct hf_api_view *v)
{
	if (!v)
		return;
	hf_strmap_free(v->by_key, NULL);
	hf_strmap_free(v->by_id, unref_value);
	for (size_t i = 0; i < HISTORY; i++)
		hf_api_row_unref(v->history[i].row);
	pthread_cond_destroy(&v->changed);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

struct hf_api_row *hf_api_view_get(struct hf_api_view *v, const char *id)
{
	pthread_mutex_lock(&v->lock);
	struct hf_api_row *r = hf_strmap_get(v->by_id, id);
	if (r)
		hf_api_row_ref(r);
	pthread_mutex_unlock(&v->lock);
	return r;
}

struct hf_api_row *hf_api_view_find(struct hf_api_view *v, const char *ns, const char *name)
{
	char *key = hf_asprintf("%s/%s", ns, name);
	pthread_mutex_lock(&v->lock);
	struct hf_api_row *r = hf_strmap_get(v->by_key, key);
	if (r)
		hf_api_row_ref(r);
	pthread_mutex_unlock(&v->lock);
	free(key);
	return r;
}

void hf_api_view_snapshot(struct hf_api_view *v, struct hf_api_row ***rows, size_t *n,
			  unsigned long long *rv)
{
	pthread_mutex_lock(&v->lock);
	size_t count = hf_strmap_size(v->by_id), i = 0;
	struct hf_api_row **out = hf_calloc(count ? count : 1, sizeof(*out));
	struct hf_strmap_iter it = {0};
	const char *key;
	void *value;
	while (i < count && hf_strmap_next(v->by_id, &it, &key, &value))
		out[i++] = hf_api_row_ref(value);
	if (rv)
		*rv = v->rv;
	pthread_mutex_unlock(&v->lock);
	*rows = out;
	*n = i;
}

bool hf_api_view_wait(struct hf_api_view *v, const char *id, const char *rv, bool gone,
		      double timeout_s)
{
	unsigned long long want = hf_api_rv_number(rv);
	double deadline = hf_monotonic_now() + timeout_s;
	bool seen = false;
	pthread_mutex_lock(&v->lock);
	for (;;) {
		struct hf_api_row *r = hf_strmap_get(v->by_id, id);
		seen = gone ? !r : r && (r->rv_num >= want || strcmp(r->rv, rv ? rv : "") == 0);
		if (seen || hf_monotonic_now() >= deadline)
			break;
		hf_cond_wait_until(&v->changed, &v->lock, deadline);
	}
	pthread_mutex_unlock(&v->lock);
	return seen;
}

enum hf_api_listen_result hf_api_view_listen(struct hf_api_view *v, const char *since,
					     hf_api_listener_fn fn, void *ctx)
{
	enum hf_api_listen_result result = HF_API_LISTENING;
	pthread_mutex_lock(&v->lock);
	if (v->nlisteners == MAX_LISTENERS) {
		result = HF_API_TOO_OLD;
		goto out;
	}
	if (!since) {
		struct hf_strmap_iter it = {0};
		const char *key;
		void *value;
		while (hf_strmap_next(v->by_id, &it, &key, &value))
			if (!fn(HF_API_ADDED, value, ctx)) {
				result = HF_API_DROPPED;
				goto out;
			}
	} else {
		/* Resume: every kept event newer than since, oldest first. The
		 * oldest kept must be at or before since, or events were lost. */
		unsigned long long from = hf_api_rv_number(since);
		size_t first = (v->history_next + HISTORY - v->history_len) % HISTORY;
		if (from < v->rv && v->history_len == HISTORY &&
		    v->history[first].row->rv_num > from + 1) {
			result = HF_API_TOO_OLD;
			goto out;
		}
		for (size_t i = 0; i < v->history_len; i++) {
			struct event *e = &v->history[(first + i) % HISTORY];
			if (e->row->rv_num > from && !fn(e->type, e->row, ctx)) {
				result = HF_API_DROPPED;
				goto out;
			}
		}
	}
	v->listeners[v->nlisteners++] = (struct listener){fn, ctx};
out:
	pthread_mutex_unlock(&v->lock);
	return result;
}

void hf_api_view_unlisten(struct hf_api_view *v, hf_api_listener_fn fn, void *ctx)
{
	pthread_mutex_lock(&v->lock);
	for (int i = 0; i < v->nlisteners; i++)
		if (v->listeners[i].fn == fn && v->listeners[i].ctx == ctx) {
			v->listeners[i] = v->listeners[--v->nlisteners];
			break;
		}
	pthread_mutex_unlock(&v->lock);
}
