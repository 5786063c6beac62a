/*
 * api_private.h: what the REST API's modules share (api.c: lifecycle,
 * routing and the per-request pipeline; api_read.c: reads and watches from
 * the views; api_write.c: writes through the Kubernetes API).
 */
#ifndef HF_API_PRIVATE_H
#define HF_API_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/problem.h"
#include "api/view.h"
#include "http/server.h"
#include "util/pool.h"

struct hf_metric_family;
struct hf_strmap;
struct watch;

struct hf_api {
	struct hf_api_options opts;
	struct hf_core *core;
	struct hf_informer *informers[2]; /* by enum hf_kind */
	struct hf_api_view *views[2];
	struct hf_http_server *server;
	struct hf_pool *pool;
	struct hf_api_auth *auth;  /* NULL with --auth=none */
	struct hf_strmap *buckets; /* client address -> token bucket (loop thread) */
	struct hf_metric_family *requests, *latency;
	atomic_ullong sequence; /* for request ids */
	pthread_mutex_t watch_lock;
	struct watch *watches;
};

/* What a request asks for, once routed. */
enum hf_api_op {
	OP_LIST,
	OP_CREATE,
	OP_GET,
	OP_PATCH,
	OP_DELETE,
	OP_FORCE_DELETE,
	OP_STATUSES_GET,
	OP_STATUSES_PUT,
	OP_API_META,
	OP_OPENAPI,
	OP_OPENAPI_HTML,
};

struct hf_api_target {
	enum hf_api_op op;
	enum hf_kind kind;
	char cluster_id[64]; /* nested routes: the parent cluster */
	char id[64];	     /* the resource addressed, if one */
	const char *pattern; /* for metrics, e.g. /clusters/{id} */
};

/* hf_api_route_match parses a request path into t; returns the methods the
 * path allows ("GET, POST"), "" when the path is unknown. */
const char *hf_api_route_match(const char *path, const char *method, struct hf_api_target *t);

/* One request on its way through the pipeline. */
struct hf_api_call {
	struct hf_api *api;
	const struct hf_http_request *req;
	struct hf_http_response *resp;
	struct hf_api_target target;
	char request_id[40];
	char user[512]; /* who asked, for created_by / updated_by */
	double started;
};

/* Answers. */
void hf_api_problem(struct hf_api_call *c, struct hf_problem *p);
void hf_api_json(struct hf_api_call *c, int status, const char *json, size_t len);

/* hf_api_not_found answers 404 for a missing cluster or node pool with the
 * seed journeys' messages and ids. */
void hf_api_not_found(struct hf_api_call *c, enum hf_kind kind, const char *id,
		      const char *cluster_id);

/* hf_api_lookup finds the resource the target addresses (checking that a
 * nested node pool belongs to its cluster); answers 404 and returns NULL
 * when there is none. */
struct hf_api_row *hf_api_lookup(struct hf_api_call *c);

/* Handlers (api_read.c, api_write.c). Reads may run on the event loop;
 * writes run on a worker thread. */
void hf_api_read(struct hf_api_call *c);
void hf_api_write(struct hf_api_call *c);
bool hf_api_is_write(enum hf_api_op op);

/* Watches (api_read.c): hf_api_watch_open answers a list request with
 * ?watch=true on the loop; hf_api_watches_close ends them all. */
void hf_api_watch_open(struct hf_api_call *c);
void hf_api_watches_close(struct hf_api *a);

#endif
