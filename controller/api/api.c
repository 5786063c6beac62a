#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api/api_private.h"
#include "api/openapi_doc.h"
#include "api/rest.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/ratelimit.h"
#include "util/strmap.h"
#include "util/version.h"

#define MAX_PATH    2048
#define MAX_CLIENTS 10000 /* rate-limit buckets kept before starting over */

/* random64 is a per-thread xorshift64* generator seeded once from the
 * kernel: request ids need to be unique, not secret, and a system call per
 * request would cost more than the rest of a GET. */
static unsigned long long random64(struct hf_api *a)
{
	static _Thread_local unsigned long long state;
	if (!state) {
		if (getrandom(&state, sizeof(state), GRND_NONBLOCK) != (ssize_t)sizeof(state))
			state = (unsigned long long)hf_monotonic_now() * 1000003ULL;
		state ^= atomic_fetch_add(&a->sequence, 1) * 0x9E3779B97F4A7C15ULL;
		state |= 1;
	}
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545F4914F6CDD1DULL;
}

/* Request ids: UUID version 7 (time-ordered), as the original used. */
static void request_id(struct hf_api *a, char out[40])
{
	unsigned char b[16];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned long long ms =
		(unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	unsigned long long r1 = random64(a), r2 = random64(a);
	memcpy(b + 6, &r1, 8);
	memcpy(b + 14, &r2, 2);
	b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	/* 8-4-4-4-12 hex digits, written by hand: printf is a measurable part
	 * of a GET. */
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

void hf_api_problem(struct hf_api_call *c, struct hf_problem *p)
{
	hf_problem_respond(p, c->req->path, c->request_id, c->resp);
}

void hf_api_json(struct hf_api_call *c, int status, const char *json, size_t len)
{
	c->resp->status = status;
	c->resp->content_type = "application/json";
	hf_buf_reset(&c->resp->body);
	enum hf_err err = hf_buf_append(&c->resp->body, json, len);
	(void)err; /* uncapped */
}

void hf_api_not_found(struct hf_api_call *c, enum hf_kind kind, const char *id,
		      const char *cluster_id)
{
	struct hf_problem p;
	if (kind == HF_KIND_CLUSTER) {
		hf_problem_init(&p, 404, HF_PROBLEM_NOT_FOUND, "Cluster with id='%s' not found",
				id);
		snprintf(p.error, sizeof(p.error), "Cluster not found");
		/* A nested route names the cluster cluster_id, as the seed does. */
		hf_problem_id(&p, c->target.cluster_id[0] ? "cluster_id" : "id", id);
	} else {
		hf_problem_init(&p, 404, HF_PROBLEM_NOT_FOUND, "NodePool with id='%s' not found",
				id);
		snprintf(p.error, sizeof(p.error), "NodePool not found");
		hf_problem_id(&p, "nodepool_id", id);
		if (cluster_id && *cluster_id)
			hf_problem_id(&p, "cluster_id", cluster_id);
	}
	hf_api_problem(c, &p);
}

struct hf_api_row *hf_api_lookup(struct hf_api_call *c)
{
	struct hf_api_target *t = &c->target;
	if (t->cluster_id[0]) {
		struct hf_api_row *cluster =
			hf_api_view_get(c->api->views[HF_KIND_CLUSTER], t->cluster_id);
		if (!cluster) {
			hf_api_not_found(c, HF_KIND_CLUSTER, t->cluster_id, NULL);
			return NULL;
		}
		hf_api_row_unref(cluster);
	}
	struct hf_api_row *row = hf_api_view_get(c->api->views[t->kind], t->id);
	if (row && t->cluster_id[0] &&
	    (!row->cluster_id || strcmp(row->cluster_id, t->cluster_id) != 0)) {
		hf_api_row_unref(row);
		row = NULL;
	}
	if (!row)
		hf_api_not_found(c, t->kind, t->id, t->cluster_id);
	return row;
}

/* Routing. */

static bool is_id(const char *s, size_t len)
{
	return len > 0 && len < 64 && strcspn(s, "/") >= len;
}

const char *hf_api_route_match(const char *path, const char *method, struct hf_api_target *t)
{
	memset(t, 0, sizeof(*t));
	if (strcmp(path, "/api/hyperfleet") == 0 || strcmp(path, "/api/hyperfleet/") == 0) {
		t->op = OP_API_META;
		t->pattern = "/api/hyperfleet";
		return "GET";
	}
	const char *base = HF_API_BASE;
	size_t bl = strlen(base);
	if (strncmp(path, base, bl) != 0 || (path[bl] != '/' && path[bl] != '\0'))
		return "";
	const char *p = path + bl;
	if (strcmp(p, "/openapi") == 0 || strcmp(p, "/openapi.html") == 0) {
		t->op = p[8] ? OP_OPENAPI_HTML : OP_OPENAPI;
		t->pattern = p[8] ? HF_API_BASE "/openapi.html" : HF_API_BASE "/openapi";
		return "GET";
	}
	/* Split into at most 6 segments. */
	const char *seg[7];
	size_t len[7], n = 0;
	while (*p == '/' && n < 7) {
		p++;
		seg[n] = p;
		len[n] = strcspn(p, "/");
		p += len[n];
		if (len[n] == 0 && !*p)
			break; /* a trailing slash */
		n++;
	}
	if (*p || n == 0)
		return "";
#define SEG(i, s) (len[i] == strlen(s) && strncmp(seg[i], s, len[i]) == 0)
	size_t i = 0;
	if (SEG(0, "clusters")) {
		t->kind = HF_KIND_CLUSTER;
		if (n == 1) {
			t->op = strcmp(method, "POST") == 0 ? OP_CREATE : OP_LIST;
			t->pattern = "/clusters";
			return "GET, POST";
		}
		if (!is_id(seg[1], len[1]))
			return "";
		snprintf(t->id, sizeof(t->id), "%.*s", (int)len[1], seg[1]);
		if (n > 2 && SEG(2, "nodepools")) {
			snprintf(t->cluster_id, sizeof(t->cluster_id), "%s", t->id);
			t->id[0] = '\0';
			t->kind = HF_KIND_NODEPOOL;
			if (n == 3) {
				t->op = strcmp(method, "POST") == 0 ? OP_CREATE : OP_LIST;
				t->pattern = "/clusters/{id}/nodepools";
				return "GET, POST";
			}
			if (!is_id(seg[3], len[3]))
				return "";
			snprintf(t->id, sizeof(t->id), "%.*s", (int)len[3], seg[3]);
			i = 3;
		} else {
			i = 1;
		}
	} else if (SEG(0, "nodepools")) {
		t->kind = HF_KIND_NODEPOOL;
		if (n == 1) {
			t->op = OP_LIST;
			t->pattern = "/nodepools";
			return "GET";
		}
		if (!is_id(seg[1], len[1]))
			return "";
		snprintf(t->id, sizeof(t->id), "%.*s", (int)len[1], seg[1]);
		i = 1;
	} else {
		return "";
	}
	bool nested = t->cluster_id[0] != '\0';
	/* seg[i] is the id; what follows it names the operation. */
	if (n == i + 1) {
		t->op = strcmp(method, "PATCH") == 0	? OP_PATCH
			: strcmp(method, "DELETE") == 0 ? OP_DELETE
							: OP_GET;
		t->pattern = t->kind == HF_KIND_CLUSTER ? "/clusters/{id}"
			     : nested			? "/clusters/{id}/nodepools/{id}"
							: "/nodepools/{id}";
		return "GET, PATCH, DELETE";
	}
	if (n == i + 2 && SEG(i + 1, "force-delete")) {
		t->op = OP_FORCE_DELETE;
		t->pattern = t->kind == HF_KIND_CLUSTER ? "/clusters/{id}/force-delete"
			     : nested ? "/clusters/{id}/nodepools/{id}/force-delete"
				      : "/nodepools/{id}/force-delete";
		return "POST";
	}
	if (n == i + 2 && SEG(i + 1, "statuses")) {
		t->op = strcmp(method, "GET") == 0 ? OP_STATUSES_GET : OP_STATUSES_PUT;
		t->pattern = t->kind == HF_KIND_CLUSTER ? "/clusters/{id}/statuses"
			     : nested			? "/clusters/{id}/nodepools/{id}/statuses"
							: "/nodepools/{id}/statuses";
		return "GET, PUT, POST";
	}
#undef SEG
	return "";
}

static bool method_allowed(const char *allow, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = allow; (p = strstr(p, method)); p += n)
		if ((p == allow || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return strcmp(method, "HEAD") == 0 && method_allowed(allow, "GET");
}

bool hf_api_is_write(enum hf_api_op op)
{
	return op == OP_CREATE || op == OP_PATCH || op == OP_DELETE || op == OP_FORCE_DELETE ||
	       op == OP_STATUSES_PUT;
}

/* The request pipeline. */

/* finish stamps the request id, counts and logs the request. */
static void finish(struct hf_api_call *c)
{
	hf_http_response_header(c->resp, "X-Request-ID", c->request_id);
	double seconds = hf_monotonic_now() - c->started;
	char code[8];
	snprintf(code, sizeof(code), "%d", c->resp->status);
	const char *pattern = c->target.pattern ? c->target.pattern : "other";
	const char *labels[] = {c->req->method, pattern, code};
	hf_metric_add(c->api->requests, labels, 1);
	hf_metric_observe(c->api->latency, labels, seconds);
	hf_log_with(HF_LOG_INFO, "api", "request", HF_LOG_STR("request_id", c->request_id),
		    HF_LOG_STR("method", c->req->method), HF_LOG_STR("path", c->req->path),
		    HF_LOG_STR("query", c->req->query), HF_LOG_INT("status", c->resp->status),
		    HF_LOG_INT("bytes", (long long)c->resp->body.len),
		    HF_LOG_INT("duration_us", (long long)(seconds * 1e6)),
		    HF_LOG_STR("remote", c->req->remote), HF_LOG_STR("user", c->user));
}

/* authorize decides whether the call may proceed: true when it may; false
 * with the problem answered, or with *pending when only the API server can
 * tell (then the caller moves the call to a worker). */
static bool authorize(struct hf_api_call *c, bool may_block, bool *pending)
{
	*pending = false;
	if (!c->api->auth || c->target.op == OP_API_META || c->target.op == OP_OPENAPI ||
	    c->target.op == OP_OPENAPI_HTML)
		return true;
	static const char *const resources[] = {"clusters", "nodepools"};
	const char *watch = hf_http_request_param(c->req, "watch");
	struct hf_api_route r = {
		.method = c->req->method,
		.resource = resources[c->target.kind],
		.ns = c->api->opts.ns,
		.one = c->target.id[0] != '\0',
		.statuses = c->target.op == OP_STATUSES_GET || c->target.op == OP_STATUSES_PUT,
		.force_delete = c->target.op == OP_FORCE_DELETE,
		.watch = watch && strcmp(watch, "false") != 0,
	};
	struct hf_api_access acc[HF_API_ACCESS_MAX];
	size_t nacc = hf_api_auth_route_access(&r, acc);
	char authorization[4096];
	const char *header = hf_http_request_header(c->req, "authorization", authorization,
						    sizeof(authorization));
	struct hf_api_decision d;
	if (!hf_api_auth_lookup(c->api->auth, header, acc, nacc, &d)) {
		if (!may_block) {
			*pending = true;
			return false;
		}
		enum hf_err err = hf_api_auth_check(c->api->auth, header, acc, nacc, &d);
		(void)err; /* d says 503 when the API server could not answer */
	}
	snprintf(c->user, sizeof(c->user), "%s", d.user);
	if (d.status == 0)
		return true;
	struct hf_problem p;
	hf_problem_init(&p, d.status, d.code, "%s", d.detail[0] ? d.detail : d.title);
	hf_api_problem(c, &p);
	return false;
}

static void serve_static(struct hf_api_call *c)
{
	size_t len = 0;
	if (c->target.op == OP_OPENAPI) {
		const char *doc = hf_openapi_json(&len);
		hf_api_json(c, 200, doc, len);
	} else if (c->target.op == OP_OPENAPI_HTML) {
		const char *doc = hf_openapi_html(&len);
		hf_api_json(c, 200, doc, len);
		c->resp->content_type = "text/html; charset=utf-8";
	} else {
		char *json = hf_asprintf("{\"id\":\"hyperfleet\",\"kind\":\"API\",\"href\":"
					 "\"/api/hyperfleet\",\"version\":\"%s\"}",
					 HF_VERSION);
		hf_api_json(c, 200, json, strlen(json));
		free(json);
	}
}

static bool is_watch(const struct hf_api_call *c)
{
	const char *w = hf_http_request_param(c->req, "watch");
	return c->target.op == OP_LIST && w && strcmp(w, "false") != 0 && strcmp(w, "0") != 0;
}

/* process runs a routed, authorized call. */
static void process(struct hf_api_call *c)
{
	if (c->target.op >= OP_API_META)
		serve_static(c);
	else if (hf_api_is_write(c->target.op))
		hf_api_write(c);
	else
		hf_api_read(c);
}

/* A call moved to a worker: the request is the deferred copy. */
struct deferred_call {
	struct hf_api_call call;
	struct hf_http_deferred *d;
	bool authorized;
};

static void run_deferred(void *arg)
{
	struct deferred_call *dc = arg;
	struct hf_api_call *c = &dc->call;
	struct hf_http_response resp = {.status = 200};
	hf_buf_init(&resp.headers, 0);
	hf_buf_init(&resp.body, 0);
	c->req = hf_http_deferred_request(dc->d);
	c->resp = &resp;
	bool pending;
	if (dc->authorized || authorize(c, true, &pending)) {
		if (is_watch(c))
			hf_api_watch_open(c); /* the stream starts with this answer */
		else
			process(c);
	}
	finish(c);
	hf_http_deferred_complete(dc->d, &resp);
	hf_buf_free(&resp.headers);
	hf_buf_free(&resp.body);
	free(dc);
}

static void defer_call(struct hf_api_call *c, bool authorized)
{
	struct deferred_call *dc = hf_calloc(1, sizeof(*dc));
	dc->call = *c;
	dc->authorized = authorized;
	dc->d = hf_http_defer(c->req);
	enum hf_err err = hf_pool_submit(c->api->pool, run_deferred, dc);
	if (err) {
		/* Busy or stopping: answer at once, still from "another thread". */
		struct hf_http_response resp = {.status = 503};
		hf_buf_init(&resp.headers, 0);
		hf_buf_init(&resp.body, 0);
		struct hf_api_call busy = *c;
		busy.req = hf_http_deferred_request(dc->d);
		busy.resp = &resp;
		struct hf_problem p;
		hf_problem_init(&p, 503, HF_PROBLEM_UNAVAILABLE, "the server is busy; retry later");
		hf_api_problem(&busy, &p);
		hf_http_response_header(&resp, "Retry-After", "1");
		finish(&busy);
		hf_http_deferred_complete(dc->d, &resp);
		hf_buf_free(&resp.headers);
		hf_buf_free(&resp.body);
		free(dc);
	}
}

/* rate_limited checks the client's token bucket (loop thread only). */
static bool rate_limited(struct hf_api_call *c)
{
	struct hf_api *a = c->api;
	if (a->opts.rate_qps <= 0)
		return false;
	struct hf_token_bucket *b = hf_strmap_get(a->buckets, c->req->remote);
	double now = hf_monotonic_now();
	if (!b) {
		if (hf_strmap_size(a->buckets) >= MAX_CLIENTS) {
			hf_strmap_free(a->buckets, free);
			a->buckets = hf_strmap_new();
		}
		b = hf_calloc(1, sizeof(*b));
		hf_token_bucket_init(b, a->opts.rate_qps, a->opts.rate_burst, now);
		hf_strmap_put(a->buckets, c->req->remote, b);
	}
	double wait = hf_token_bucket_reserve(b, now);
	if (wait <= 0)
		return false;
	/* The request is refused: give the token back for a later one. */
	b->tokens += 1;
	char retry[16];
	snprintf(retry, sizeof(retry), "%.0f", ceil(wait));
	struct hf_problem p;
	hf_problem_init(&p, 429, HF_PROBLEM_RATE, "too many requests from %s; retry in %s s",
			c->req->remote, retry);
	hf_api_problem(c, &p);
	hf_http_response_header(c->resp, "Retry-After", retry);
	return true;
}

static bool synced(struct hf_api *a)
{
	return hf_informer_has_synced(a->informers[0]) && hf_informer_has_synced(a->informers[1]);
}

/* handle is the HTTP server's handler: it runs on the event loop. */
static void handle(const struct hf_http_request *req, struct hf_http_response *resp, void *ctx)
{
	struct hf_api_call c = {
		.api = ctx, .req = req, .resp = resp, .started = hf_monotonic_now()};
	request_id(c.api, c.request_id);
	snprintf(c.user, sizeof(c.user), "%s", c.api->auth ? "" : "system@hyperfleet.local");
	struct hf_problem p;
	const char *allow = strlen(req->path) > MAX_PATH
				    ? NULL
				    : hf_api_route_match(req->path, req->method, &c.target);
	if (!allow) {
		hf_problem_init(&p, 414, HF_PROBLEM_TOO_LARGE,
				"the request path is longer than %d bytes", MAX_PATH);
		hf_api_problem(&c, &p);
	} else if (req->body_too_large) {
		hf_problem_init(&p, 413, HF_PROBLEM_TOO_LARGE,
				"the request body is larger than %zu bytes", c.api->opts.max_body);
		hf_api_problem(&c, &p);
	} else if (rate_limited(&c)) {
		/* answered */
	} else if (!*allow) {
		hf_problem_init(&p, 404, HF_PROBLEM_NO_ENDPOINT, "no endpoint at %s", req->path);
		hf_api_problem(&c, &p);
	} else if (!method_allowed(allow, req->method)) {
		resp->status = 405;
		resp->content_type = "text/plain";
		hf_http_response_header(resp, "Allow", allow);
		enum hf_err err = hf_buf_printf(&resp->body, "Method Not Allowed\n");
		(void)err;
	} else if (c.target.op < OP_API_META && !synced(c.api)) {
		hf_problem_init(&p, 503, HF_PROBLEM_UNAVAILABLE,
				"the cache is not synced yet; retry shortly");
		hf_api_problem(&c, &p);
		hf_http_response_header(resp, "Retry-After", "1");
	} else {
		bool pending = false;
		if (!authorize(&c, false, &pending) && !pending) {
			/* refused: answered */
		} else if (pending || hf_api_is_write(c.target.op)) {
			defer_call(&c, !pending);
			return; /* finished on the worker */
		} else if (is_watch(&c)) {
			hf_api_watch_open(&c);
		} else {
			process(&c);
		}
	}
	finish(&c);
}

enum hf_err hf_api_start(const struct hf_api_options *opts, struct hf_core *core,
			 struct hf_informer *clusters, struct hf_informer *nodepools,
			 struct hf_api **out, char *errbuf, size_t errlen)
{
	struct hf_api *a = hf_calloc(1, sizeof(*a));
	a->opts = *opts;
	if (!a->opts.address)
		a->opts.address = "127.0.0.1";
	if (!a->opts.ns)
		a->opts.ns = "default";
	if (!a->opts.max_body)
		a->opts.max_body = 1u << 20;
	if (a->opts.workers <= 0)
		a->opts.workers = 8;
	if (a->opts.rate_qps > 0 && a->opts.rate_burst <= 0)
		a->opts.rate_burst = (int)(2 * a->opts.rate_qps) + 1;
	struct hf_metrics *m = a->opts.metrics ? a->opts.metrics : hf_metrics_default();
	static const char *const labels[] = {"method", "path", "code", NULL};
	a->requests = hf_metrics_family(m, "hyperfleet_api_requests_total",
					"REST API requests by method, route and status code.",
					HF_METRIC_COUNTER, labels, NULL, 0);
	static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
					 0.1,	 0.25,	0.5,	1,     2.5,  5,	    10};
	a->latency = hf_metrics_family(m, "hyperfleet_api_request_duration_seconds",
				       "REST API request latency by method, route and status code.",
				       HF_METRIC_HISTOGRAM, labels, buckets,
				       sizeof(buckets) / sizeof(buckets[0]));
	a->core = core;
	a->informers[HF_KIND_CLUSTER] = clusters;
	a->informers[HF_KIND_NODEPOOL] = nodepools;
	a->views[HF_KIND_CLUSTER] = hf_api_view_new(HF_KIND_CLUSTER, core->clusters);
	a->views[HF_KIND_NODEPOOL] = hf_api_view_new(HF_KIND_NODEPOOL, core->clusters);
	struct hf_informer_handlers ch = hf_api_view_handlers(a->views[HF_KIND_CLUSTER]);
	struct hf_informer_handlers nh = hf_api_view_handlers(a->views[HF_KIND_NODEPOOL]);
	if (hf_informer_add_handlers(clusters, &ch) != HF_OK ||
	    hf_informer_add_handlers(nodepools, &nh) != HF_OK) {
		snprintf(errbuf, errlen, "cannot follow the informers");
		goto fail;
	}
	a->buckets = hf_strmap_new();
	pthread_mutex_init(&a->watch_lock, NULL);
	if (a->opts.auth == HF_API_AUTH_KUBERNETES) {
		struct hf_api_auth_options ao = {.metrics = m};
		a->auth = hf_api_auth_new(core->client, &ao);
	}
	a->pool = hf_pool_new(a->opts.workers, 10000);
	struct hf_http_server_options so = {
		.address = a->opts.address,
		.port = a->opts.port,
		.max_body = a->opts.max_body,
		.handle_oversized = true,
		.tls_cert = a->opts.tls_cert,
		.tls_key = a->opts.tls_key,
		.handler = handle,
		.ctx = a,
	};
	if (hf_http_server_start(&so, &a->server) != HF_OK) {
		snprintf(errbuf, errlen, "cannot listen on %s:%d", a->opts.address, a->opts.port);
		goto fail;
	}
	*out = a;
	return HF_OK;
fail:
	hf_pool_free(a->pool);
	hf_api_auth_free(a->auth);
	if (a->buckets)
		hf_strmap_free(a->buckets, free);
	/* The informers keep the views' handlers: the views outlive a failed
	 * start only as long as the process, which exits. */
	free(a);
	return HF_ERR_IO;
}

int hf_api_port(const struct hf_api *a)
{
	return hf_http_server_port(a->server);
}

void hf_api_stop(struct hf_api *a)
{
	if (!a)
		return;
	hf_api_watches_close(a);
	hf_pool_free(a->pool); /* finishes the writes in progress */
	hf_http_server_stop(a->server);
	hf_api_auth_free(a->auth);
	hf_strmap_free(a->buckets, free);
	hf_api_view_free(a->views[0]);
	hf_api_view_free(a->views[1]);
	pthread_mutex_destroy(&a->watch_lock);
	free(a);
}
