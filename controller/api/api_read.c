/* api_read.c: the REST API's reads, from the views, and its watches. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_private.h"
#include "api/list.h"
#include "api/rest.h"
#include "kube/object.h"
#include "kube/store.h"
#include "util/alloc.h"
#include "util/buf.h"

static void get_one(struct hf_api_call *c)
{
	struct hf_api_row *row = hf_api_lookup(c);
	if (!row)
		return;
	const char *fields = hf_http_request_param(c->req, "fields");
	if (fields) {
		struct hf_api_list_query q;
		struct hf_problem p;
		if (hf_api_list_query_parse(c->req, c->target.kind, &q, &p) != HF_OK) {
			hf_api_problem(c, &p);
		} else {
			char *json = hf_api_project(&q, row);
			hf_api_json(c, 200, json, strlen(json));
			free(json);
		}
		hf_api_list_query_free(&q);
	} else {
		hf_api_json(c, 200, row->json, row->json_len);
	}
	hf_api_row_unref(row);
}

static void list(struct hf_api_call *c)
{
	struct hf_api_list_query q;
	struct hf_problem p;
	if (c->target.cluster_id[0]) {
		/* The parent first, as the seed's clients expect. */
		struct hf_api_row *cluster =
			hf_api_view_get(c->api->views[HF_KIND_CLUSTER], c->target.cluster_id);
		if (!cluster) {
			hf_api_not_found(c, HF_KIND_CLUSTER, c->target.cluster_id, NULL);
			return;
		}
		hf_api_row_unref(cluster);
	}
	if (hf_api_list_query_parse(c->req, c->target.kind, &q, &p) != HF_OK) {
		hf_api_problem(c, &p);
		hf_api_list_query_free(&q);
		return;
	}
	q.cluster_id = c->target.cluster_id[0] ? c->target.cluster_id : NULL;
	struct hf_api_row **rows;
	size_t n;
	hf_api_view_snapshot(c->api->views[c->target.kind], &rows, &n, NULL);
	char *json = hf_api_list_render(&q, rows, n);
	hf_api_json(c, 200, json, strlen(json));
	free(json);
	hf_api_rows_free(rows, n);
	hf_api_list_query_free(&q);
}

/* statuses lists the adapters' reports of one resource, from the cache. */
static void statuses(struct hf_api_call *c)
{
	struct hf_api_row *row = hf_api_lookup(c);
	if (!row)
		return;
	struct hf_store *store = c->target.kind == HF_KIND_CLUSTER ? c->api->core->clusters
								   : c->api->core->nodepools;
	char key[512];
	snprintf(key, sizeof(key), "%s/%s", row->ns, row->name);
	hf_api_row_unref(row);
	struct hf_obj *o = hf_store_get(store, key);
	cJSON *object = o ? hf_obj_parse(o) : NULL;
	hf_obj_unref(o);
	struct hf_api_list_query q;
	struct hf_problem p;
	if (hf_api_list_query_parse(c->req, c->target.kind, &q, &p) != HF_OK) {
		hf_api_problem(c, &p);
		goto out;
	}
	const cJSON *adapters = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(object, "status"), "adapters");
	long total = cJSON_GetArraySize(adapters);
	long from = (q.page - 1) * q.size, count = 0;
	cJSON *items = cJSON_CreateArray();
	for (long i = from; i < total && count < q.size; i++, count++)
		cJSON_AddItemToArray(items,
				     hf_rest_adapter_status(cJSON_GetArrayItem(adapters, (int)i)));
	cJSON *envelope = cJSON_CreateObject();
	cJSON_AddStringToObject(envelope, "kind", "AdapterStatusList");
	cJSON_AddNumberToObject(envelope, "page", (double)q.page);
	cJSON_AddNumberToObject(envelope, "size", (double)count);
	cJSON_AddNumberToObject(envelope, "total", (double)total);
	cJSON_AddItemToObject(envelope, "items", items);
	char *json = cJSON_PrintUnformatted(envelope);
	hf_api_json(c, 200, json, strlen(json));
	free(json);
	cJSON_Delete(envelope);
out:
	hf_api_list_query_free(&q);
	cJSON_Delete(object);
}

void hf_api_read(struct hf_api_call *c)
{
	switch (c->target.op) {
	case OP_GET: get_one(c); break;
	case OP_LIST: list(c); break;
	case OP_STATUSES_GET: statuses(c); break;
	default: break;
	}
}

/*
 * Watches: a list request with ?watch=true becomes a stream of
 * newline-delimited events. A watch listens to its view; the view calls it
 * on the informer's thread, in order. It owns a copy of the query.
 */
/* What a watch may have waiting for a slow client: the first list of
 * 10,000 clusters fits. */
#define WATCH_BUFFER (64u << 20)

struct watch {
	struct hf_api *api;
	struct hf_api_view *view;
	struct hf_http_stream *stream;
	struct hf_api_list_query query;
	char **params;
	size_t nparams;
	char cluster_id[64];
	struct watch *next;
};

static void watch_free(struct watch *w)
{
	hf_api_list_query_free(&w->query);
	for (size_t i = 0; i < w->nparams; i++)
		free(w->params[i]);
	free(w->params);
	free(w);
}

/* unlink_watch takes w off the API's list; true if it was there. */
static bool unlink_watch(struct hf_api *a, struct watch *w)
{
	bool found = false;
	pthread_mutex_lock(&a->watch_lock);
	for (struct watch **p = &a->watches; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			found = true;
			break;
		}
	pthread_mutex_unlock(&a->watch_lock);
	return found;
}

static bool send_event(enum hf_api_event_type type, struct hf_api_row *row, void *ctx)
{
	struct watch *w = ctx;
	if (!hf_api_list_match(&w->query, row))
		return true;
	char *object = hf_api_project(&w->query, row);
	char *line = hf_asprintf("{\"type\":\"%s\",\"object\":%s,\"resource_version\":\"%s\"}\n",
				 hf_api_event_name(type), object, row->rv);
	bool ok = hf_http_stream_write(w->stream, line, strlen(line));
	free(line);
	free(object);
	if (ok)
		return true;
	/* The client left or cannot keep up: the view drops this listener. */
	if (unlink_watch(w->api, w)) {
		hf_http_stream_close(w->stream);
		watch_free(w);
	}
	return false;
}

void hf_api_watch_open(struct hf_api_call *c)
{
	struct hf_api *a = c->api;
	struct watch *w = hf_calloc(1, sizeof(*w));
	w->api = a;
	w->view = a->views[c->target.kind];
	/* The query borrows from the request, which ends with this call. */
	w->nparams = c->req->nparams;
	w->params = hf_calloc(w->nparams + 1, sizeof(char *));
	for (size_t i = 0; i < w->nparams; i++)
		w->params[i] = hf_strdup(c->req->params[i]);
	struct hf_http_request copy = {.params = (const char *const *)w->params,
				       .nparams = w->nparams};
	struct hf_problem p;
	if (c->target.cluster_id[0]) {
		struct hf_api_row *cluster =
			hf_api_view_get(a->views[HF_KIND_CLUSTER], c->target.cluster_id);
		if (!cluster) {
			hf_api_not_found(c, HF_KIND_CLUSTER, c->target.cluster_id, NULL);
			watch_free(w);
			return;
		}
		hf_api_row_unref(cluster);
	}
	if (hf_api_list_query_parse(&copy, c->target.kind, &w->query, &p) != HF_OK) {
		hf_api_problem(c, &p);
		watch_free(w);
		return;
	}
	snprintf(w->cluster_id, sizeof(w->cluster_id), "%s", c->target.cluster_id);
	w->query.cluster_id = w->cluster_id[0] ? w->cluster_id : NULL;
	c->resp->status = 200;
	c->resp->content_type = "application/x-ndjson";
	hf_http_response_header(c->resp, "Cache-Control", "no-store");
	w->stream = hf_http_stream_open(c->req, c->resp, WATCH_BUFFER);
	pthread_mutex_lock(&a->watch_lock);
	w->next = a->watches;
	a->watches = w;
	pthread_mutex_unlock(&a->watch_lock);
	enum hf_api_listen_result r =
		hf_api_view_listen(w->view, w->query.resource_version, send_event, w);
	if (r == HF_API_TOO_OLD) {
		/* Too old to resume (or too many watches): the stream says so
		 * and ends; the client lists again. */
		const char *gone = "{\"type\":\"ERROR\",\"object\":{\"status\":410,\"detail\":"
				   "\"the resource_version is too old; list again\"}}\n";
		if (unlink_watch(a, w)) {
			bool ok = hf_http_stream_write(w->stream, gone, strlen(gone));
			(void)ok;
			hf_http_stream_close(w->stream);
			watch_free(w);
		}
	}
}

void hf_api_watches_close(struct hf_api *a)
{
	pthread_mutex_lock(&a->watch_lock);
	struct watch *w = a->watches;
	a->watches = NULL;
	pthread_mutex_unlock(&a->watch_lock);
	while (w) {
		struct watch *next = w->next;
		hf_api_view_unlisten(w->view, send_event, w);
		hf_http_stream_close(w->stream);
		watch_free(w);
		w = next;
	}
}
