#include "kube/client.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/alloc.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/metrics.h"
#include "util/ratelimit.h"
#include "util/version.h"

const struct hf_kube_resource HF_RES_CLUSTERS = {"hyperfleet.io", "v1alpha1", "clusters", true};
const struct hf_kube_resource HF_RES_NODEPOOLS = {"hyperfleet.io", "v1alpha1", "nodepools", true};
const struct hf_kube_resource HF_RES_ADAPTERS = {"hyperfleet.io", "v1alpha1", "adapters", false};
const struct hf_kube_resource HF_RES_NAMESPACES = {"", "v1", "namespaces", false};
const struct hf_kube_resource HF_RES_CONFIGMAPS = {"", "v1", "configmaps", true};
const struct hf_kube_resource HF_RES_EVENTS = {"", "v1", "events", true};
const struct hf_kube_resource HF_RES_JOBS = {"batch", "v1", "jobs", true};
const struct hf_kube_resource HF_RES_LEASES = {"coordination.k8s.io", "v1", "leases", true};

/* A response body larger than this is refused: lists are paged. */
#define MAX_RESPONSE_BYTES (256u << 20)
/* An error body is only read for its Status; keep a bounded excerpt. */
#define MAX_ERROR_BODY_BYTES (64u << 10)
#define MAX_RETRIES_429	     5
#define MAX_RETRY_AFTER_S    30.0

/* The client-side rate limit every request passes. */
struct rate_limiter {
	pthread_mutex_t lock;
	struct hf_token_bucket bucket;
};

struct hf_kube_client {
	struct hf_kube_config *cfg;
	struct hf_kube_client_options opts;
	char *user_agent;
	char *host; /* metrics label: host:port of the server */
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	CURL **pool; /* idle easy handles, their connections kept warm */
	size_t npool, pool_alloc;
	struct rate_limiter limiter;
	struct hf_metric_family *requests_total;
	struct hf_metric_family *request_duration;
	struct hf_metric_family *rate_limiter_duration;
};

/* limiter_wait blocks until the bucket grants one request; returns the
 * seconds waited. Each caller reserves its own token, so waiters queue. */
static double limiter_wait(struct rate_limiter *l)
{
	pthread_mutex_lock(&l->lock);
	double wait = hf_token_bucket_reserve(&l->bucket, hf_monotonic_now());
	pthread_mutex_unlock(&l->lock);
	hf_sleep(wait);
	return wait;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_global(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ctx)
{
	(void)h;
	(void)access;
	struct hf_kube_client *c = ctx;
	pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ctx)
{
	(void)h;
	struct hf_kube_client *c = ctx;
	pthread_mutex_unlock(&c->share_locks[data]);
}

static const double duration_buckets[] = {0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60};

enum hf_err hf_kube_client_new(struct hf_kube_config *cfg,
			       const struct hf_kube_client_options *opts,
			       struct hf_kube_client **out)
{
	pthread_once(&curl_once, curl_global);
	struct hf_kube_client *c = hf_calloc(1, sizeof(*c));
	c->cfg = cfg;
	if (opts)
		c->opts = *opts;
	if (c->opts.qps == 0)
		c->opts.qps = 50;
	if (c->opts.burst <= 0)
		c->opts.burst = 100;
	if (c->opts.connect_timeout_ms <= 0)
		c->opts.connect_timeout_ms = 5000;
	if (c->opts.request_timeout_ms <= 0)
		c->opts.request_timeout_ms = 30000;
	c->user_agent = c->opts.user_agent ? hf_strdup(c->opts.user_agent)
					   : hf_asprintf("hyperfleet/%s", HF_VERSION);
	const char *host = strstr(cfg->server, "://");
	c->host = hf_strdup(host ? host + 3 : cfg->server);

	pthread_mutex_init(&c->limiter.lock, NULL);
	hf_token_bucket_init(&c->limiter.bucket, c->opts.qps, c->opts.burst, hf_monotonic_now());

	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&c->share_locks[i], NULL);
	pthread_mutex_init(&c->pool_lock, NULL);
	c->share = curl_share_init();
	if (!c->share) {
		hf_kube_client_free(c);
		return HF_ERR_INTERNAL;
	}
	curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);

	struct hf_metrics *m = c->opts.metrics ? c->opts.metrics : hf_metrics_default();
	static const char *const request_labels[] = {"code", "host", "method", NULL};
	static const char *const duration_labels[] = {"host", "verb", NULL};
	c->requests_total = hf_metrics_family(
		m, "rest_client_requests_total",
		"Number of HTTP requests, partitioned by status code, method, and host.",
		HF_METRIC_COUNTER, request_labels, NULL, 0);
	c->request_duration = hf_metrics_family(
		m, "rest_client_request_duration_seconds",
		"Request latency in seconds. Broken down by verb, and host.", HF_METRIC_HISTOGRAM,
		duration_labels, duration_buckets, sizeof(duration_buckets) / sizeof(double));
	c->rate_limiter_duration = hf_metrics_family(
		m, "rest_client_rate_limiter_duration_seconds",
		"Client side rate limiter latency in seconds. Broken down by verb, and host.",
		HF_METRIC_HISTOGRAM, duration_labels, duration_buckets,
		sizeof(duration_buckets) / sizeof(double));
	*out = c;
	return HF_OK;
}

void hf_kube_client_free(struct hf_kube_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->npool; i++)
		curl_easy_cleanup(c->pool[i]);
	free(c->pool);
	if (c->share)
		curl_share_cleanup(c->share);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&c->share_locks[i]);
	pthread_mutex_destroy(&c->pool_lock);
	pthread_mutex_destroy(&c->limiter.lock);
	free(c->user_agent);
	free(c->host);
	free(c);
}

const struct hf_kube_config *hf_kube_client_config(const struct hf_kube_client *c)
{
	return c->cfg;
}

/* handle_get takes an idle easy handle (keeping its warm connection state)
 * or makes one. */
static CURL *handle_get(struct hf_kube_client *c)
{
	CURL *h = NULL;
	pthread_mutex_lock(&c->pool_lock);
	if (c->npool > 0)
		h = c->pool[--c->npool];
	pthread_mutex_unlock(&c->pool_lock);
	return h ? h : curl_easy_init();
}

static void handle_put(struct hf_kube_client *c, CURL *h)
{
	pthread_mutex_lock(&c->pool_lock);
	if (c->npool == c->pool_alloc) {
		c->pool_alloc = c->pool_alloc ? c->pool_alloc * 2 : 8;
		c->pool = hf_realloc(c->pool, c->pool_alloc * sizeof(*c->pool));
	}
	c->pool[c->npool++] = h;
	pthread_mutex_unlock(&c->pool_lock);
}

/* The options every request shares: TLS material from memory (never a
 * temporary file), HTTP/2 when offered, timeouts, the shared caches. */
static void setup_handle(struct hf_kube_client *c, CURL *h)
{
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_SHARE, c->share);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->opts.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	const struct hf_kube_config *cfg = c->cfg;
	if (cfg->ca_pem) {
		struct curl_blob ca = {cfg->ca_pem, cfg->ca_pem_len, CURL_BLOB_NOCOPY};
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
	}
	if (cfg->cert_pem && cfg->key_pem) {
		struct curl_blob cert = {cfg->cert_pem, cfg->cert_pem_len, CURL_BLOB_NOCOPY};
		struct curl_blob key = {cfg->key_pem, cfg->key_pem_len, CURL_BLOB_NOCOPY};
		curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (cfg->insecure_skip_tls_verify) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

char *hf_kube_path(const struct hf_kube_resource *res, const char *ns, const char *name,
		   const char *subresource)
{
	struct hf_buf b;
	hf_buf_init(&b, 0);
	enum hf_err err;
	if (res->group[0])
		err = hf_buf_printf(&b, "/apis/%s/%s", res->group, res->version);
	else
		err = hf_buf_printf(&b, "/api/%s", res->version);
	if (!err && res->namespaced && ns)
		err = hf_buf_printf(&b, "/namespaces/%s", ns);
	if (!err)
		err = hf_buf_printf(&b, "/%s", res->plural);
	if (!err && name)
		err = hf_buf_printf(&b, "/%s", name);
	if (!err && subresource)
		err = hf_buf_printf(&b, "/%s", subresource);
	(void)err; /* an uncapped buffer cannot fail */
	return hf_buf_steal(&b);
}

void hf_kube_query_add(struct hf_kube_query *q, const char *name, const char *value)
{
	if (!value || q->n >= (int)(sizeof(q->names) / sizeof(q->names[0])))
		return;
	q->names[q->n] = name;
	q->values[q->n] = value;
	q->n++;
}

static char *build_url(struct hf_kube_client *c, CURL *h, const char *path,
		       const struct hf_kube_query *query)
{
	struct hf_buf b;
	hf_buf_init(&b, 0);
	enum hf_err err = hf_buf_printf(&b, "%s%s", c->cfg->server, path);
	for (int i = 0; query && i < query->n && !err; i++) {
		char *v = curl_easy_escape(h, query->values[i], 0);
		err = hf_buf_printf(&b, "%c%s=%s", i == 0 ? '?' : '&', query->names[i], v ? v : "");
		curl_free(v);
	}
	(void)err;
	return hf_buf_steal(&b);
}

void hf_kube_error_clear(struct hf_kube_error *e)
{
	free(e->reason);
	free(e->message);
	for (size_t i = 0; i < e->ncauses; i++) {
		free(e->causes[i].reason);
		free(e->causes[i].message);
		free(e->causes[i].field);
	}
	free(e->causes);
	memset(e, 0, sizeof(*e));
}

bool hf_kube_error_is(const struct hf_kube_error *e, long http_code)
{
	return e->http_code == http_code;
}

static char *json_string_dup(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsString(v) ? hf_strdup(v->valuestring) : NULL;
}

void hf_kube_error_parse(struct hf_kube_error *e, long code, const char *body, size_t len)
{
	double retry_after = e->retry_after;
	hf_kube_error_clear(e);
	e->http_code = code;
	e->retry_after = retry_after;
	cJSON *status = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	if (status && cJSON_IsObject(status)) {
		e->reason = json_string_dup(status, "reason");
		e->message = json_string_dup(status, "message");
		const cJSON *details = cJSON_GetObjectItemCaseSensitive(status, "details");
		const cJSON *causes = cJSON_GetObjectItemCaseSensitive(details, "causes");
		int n = cJSON_GetArraySize(causes);
		if (n > 0) {
			e->causes = hf_calloc((size_t)n, sizeof(*e->causes));
			const cJSON *cause;
			cJSON_ArrayForEach(cause, causes)
			{
				struct hf_kube_cause *dst = &e->causes[e->ncauses++];
				dst->reason = json_string_dup(cause, "reason");
				dst->message = json_string_dup(cause, "message");
				dst->field = json_string_dup(cause, "field");
			}
		}
		long long ra = 0;
		if (e->retry_after == 0 &&
		    hf_json_int64(cJSON_GetObjectItemCaseSensitive(details, "retryAfterSeconds"),
				  &ra) &&
		    ra > 0)
			e->retry_after = (double)ra;
	}
	cJSON_Delete(status);
	if (!e->message) {
		/* Not a Status: keep an excerpt of what the server said. */
		size_t n = len < 512 ? len : 512;
		e->message = n ? hf_strndup(body, n) : hf_asprintf("HTTP %ld", code);
	}
	if (!e->reason)
		e->reason = hf_strdup("Unknown");
}

static void transport_error(struct hf_kube_error *e, CURLcode rc, const char *detail)
{
	hf_kube_error_clear(e);
	e->reason = hf_strdup(rc == CURLE_OPERATION_TIMEDOUT ? "Timeout" : "TransportError");
	e->message = hf_asprintf("%s%s%s", curl_easy_strerror(rc), detail[0] ? ": " : "", detail);
}

/* Per-transfer state shared by the curl callbacks. */
struct transfer {
	CURL *h;
	struct hf_buf *body;	  /* successful body (request) */
	struct hf_buf error_body; /* body of a non-2xx response */
	long code;		  /* once headers arrived */
	double retry_after;
	hf_kube_data_fn on_data; /* streaming */
	hf_kube_abort_fn should_abort;
	void *ctx;
	enum hf_err stream_err;
};

static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
	struct transfer *t = userdata;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	if (len > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
		char tmp[32] = {0};
		size_t vlen = len - (sizeof(name) - 1);
		memcpy(tmp, data + sizeof(name) - 1,
		       vlen < sizeof(tmp) - 1 ? vlen : sizeof(tmp) - 1);
		char *end = NULL;
		double v = strtod(tmp, &end);
		if (end != tmp && v >= 0)
			t->retry_after = v;
	}
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
	struct transfer *t = userdata;
	size_t len = size * n;
	if (t->code == 0)
		curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &t->code);
	if (t->code < 200 || t->code > 299) {
		/* Keep what fits of an error body; it only matters for its Status. */
		size_t room = MAX_ERROR_BODY_BYTES - t->error_body.len;
		if (room > 0 && hf_buf_append(&t->error_body, data, len < room ? len : room))
			return 0;
		return len;
	}
	if (t->on_data) {
		t->stream_err = t->on_data(data, len, t->ctx);
		return t->stream_err ? 0 : len;
	}
	return hf_buf_append(t->body, data, len) ? 0 : len;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	struct transfer *t = userdata;
	if (t->should_abort && t->should_abort(t->ctx)) {
		t->stream_err = HF_ERR_SHUTDOWN;
		return 1;
	}
	return 0;
}

static const char *verb_of(const char *method, const struct hf_kube_query *query, bool stream)
{
	if (stream)
		return "WATCH";
	if (strcmp(method, "GET") == 0) {
		/* client-go reports LIST for collection reads; callers that list
		 * pass a limit or selector, so the path alone cannot tell. */
		for (int i = 0; query && i < query->n; i++)
			if (strcmp(query->names[i], "limit") == 0 ||
			    strcmp(query->names[i], "labelSelector") == 0)
				return "LIST";
		return "GET";
	}
	return method;
}

/* perform runs one HTTP exchange with retries for 401 (token rotation) and
 * 429 (Retry-After). */
static enum hf_err perform(struct hf_kube_client *c, const char *method, const char *path,
			   const struct hf_kube_query *query, const char *content_type,
			   const char *body, struct hf_buf *out, hf_kube_data_fn on_data,
			   hf_kube_abort_fn should_abort, void *ctx, struct hf_kube_error *err)
{
	CURL *h = handle_get(c);
	if (!h)
		return HF_ERR_INTERNAL;
	char *url = build_url(c, h, path, query);
	bool stream = on_data != NULL;
	const char *verb = verb_of(method, query, stream);
	const char *duration_labels[] = {c->host, verb};
	enum hf_err result = HF_OK;
	bool token_refreshed = false;
	int retries_429 = 0;
	char errbuf[CURL_ERROR_SIZE];

	for (;;) {
		double waited = limiter_wait(&c->limiter);
		hf_metric_observe(c->rate_limiter_duration, duration_labels, waited);

		struct transfer t = {.h = h,
				     .body = out,
				     .on_data = on_data,
				     .should_abort = should_abort,
				     .ctx = ctx};
		hf_buf_init(&t.error_body, 0);
		if (out)
			hf_buf_reset(out);
		setup_handle(c, h);
		errbuf[0] = '\0';
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (body) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
		} else if (strcmp(method, "GET") == 0) {
			curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		}
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
		if (stream) {
			curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
			curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
			curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
		} else {
			curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->opts.request_timeout_ms);
			curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
					 (curl_off_t)MAX_RESPONSE_BYTES);
		}

		struct curl_slist *headers = NULL;
		headers = curl_slist_append(headers, "Accept: application/json");
		if (content_type) {
			char *ct = hf_asprintf("Content-Type: %s", content_type);
			headers = curl_slist_append(headers, ct);
			free(ct);
		}
		char *token = hf_kube_config_token(c->cfg, false);
		if (token) {
			char *auth = hf_asprintf("Authorization: Bearer %s", token);
			headers = curl_slist_append(headers, auth);
			free(auth);
			free(token);
		}
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

		double started = hf_monotonic_now();
		CURLcode rc = curl_easy_perform(h);
		double elapsed = hf_monotonic_now() - started;
		curl_slist_free_all(headers);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t.code);

		char code_label[16];
		snprintf(code_label, sizeof(code_label), "%ld", t.code);
		const char *request_labels[] = {rc == CURLE_OK || t.code ? code_label : "<error>",
						c->host, method};
		hf_metric_add(c->requests_total, request_labels, 1);
		hf_metric_observe(c->request_duration, duration_labels, elapsed);

		if (t.stream_err) {
			/* The callback or the abort check ended the transfer. */
			result = t.stream_err;
			hf_buf_free(&t.error_body);
			break;
		}
		if (rc != CURLE_OK && t.code < 300) {
			/* No usable response: the connection failed, timed out, or
			 * the body broke off or exceeded its cap. */
			transport_error(err, rc, errbuf);
			result = rc == CURLE_OPERATION_TIMEDOUT	 ? HF_ERR_TIMEOUT
				 : rc == CURLE_FILESIZE_EXCEEDED ? HF_ERR_TOO_LARGE
								 : HF_ERR_IO;
			hf_buf_free(&t.error_body);
			break;
		}
		if (t.code >= 200 && t.code <= 299) {
			hf_buf_free(&t.error_body);
			result = HF_OK;
			break;
		}
		err->retry_after = t.retry_after;
		hf_kube_error_parse(err, t.code, t.error_body.data, t.error_body.len);
		hf_buf_free(&t.error_body);
		if (t.code == 401 && !token_refreshed && c->cfg->token_file) {
			/* The token may have rotated: re-read it and try once more. */
			token_refreshed = true;
			free(hf_kube_config_token(c->cfg, true));
			continue;
		}
		if ((t.code == 429 || (t.code >= 500 && err->retry_after > 0)) &&
		    retries_429 < MAX_RETRIES_429) {
			retries_429++;
			hf_sleep(fmin(err->retry_after > 0 ? err->retry_after : 1,
				      MAX_RETRY_AFTER_S));
			continue;
		}
		result = HF_ERR_HTTP;
		break;
	}
	free(url);
	handle_put(c, h);
	return result;
}

enum hf_err hf_kube_request(struct hf_kube_client *c, const char *method, const char *path,
			    const struct hf_kube_query *query, const char *content_type,
			    const char *body, struct hf_buf *out, struct hf_kube_error *err)
{
	return perform(c, method, path, query, content_type, body, out, NULL, NULL, NULL, err);
}

enum hf_err hf_kube_stream(struct hf_kube_client *c, const char *path,
			   const struct hf_kube_query *query, hf_kube_data_fn on_data,
			   hf_kube_abort_fn should_abort, void *ctx, struct hf_kube_error *err)
{
	return perform(c, "GET", path, query, NULL, NULL, NULL, on_data, should_abort, ctx, err);
}

enum hf_err hf_kube_get(struct hf_kube_client *c, const struct hf_kube_resource *res,
			const char *ns, const char *name, struct hf_buf *out,
			struct hf_kube_error *err)
{
	char *path = hf_kube_path(res, ns, name, NULL);
	enum hf_err e = hf_kube_request(c, "GET", path, NULL, NULL, NULL, out, err);
	free(path);
	return e;
}

enum hf_err hf_kube_list(struct hf_kube_client *c, const struct hf_kube_resource *res,
			 const char *ns, const struct hf_kube_list_options *opts,
			 struct hf_buf *out, struct hf_kube_error *err)
{
	char *path = hf_kube_path(res, ns, NULL, NULL);
	struct hf_kube_query q = {0};
	char limit[32];
	if (opts) {
		hf_kube_query_add(&q, "labelSelector", opts->label_selector);
		hf_kube_query_add(&q, "fieldSelector", opts->field_selector);
		if (opts->limit > 0) {
			snprintf(limit, sizeof(limit), "%ld", opts->limit);
			hf_kube_query_add(&q, "limit", limit);
		}
		hf_kube_query_add(&q, "continue", opts->continue_token);
		hf_kube_query_add(&q, "resourceVersion", opts->resource_version);
	}
	enum hf_err e = hf_kube_request(c, "GET", path, &q, NULL, NULL, out, err);
	free(path);
	return e;
}

enum hf_err hf_kube_create(struct hf_kube_client *c, const struct hf_kube_resource *res,
			   const char *ns, const char *json, struct hf_buf *out,
			   struct hf_kube_error *err)
{
	char *path = hf_kube_path(res, ns, NULL, NULL);
	enum hf_err e = hf_kube_request(c, "POST", path, NULL, "application/json", json, out, err);
	free(path);
	return e;
}

enum hf_err hf_kube_update(struct hf_kube_client *c, const struct hf_kube_resource *res,
			   const char *ns, const char *name, const char *subresource,
			   const char *json, struct hf_buf *out, struct hf_kube_error *err)
{
	char *path = hf_kube_path(res, ns, name, subresource);
	enum hf_err e = hf_kube_request(c, "PUT", path, NULL, "application/json", json, out, err);
	free(path);
	return e;
}

enum hf_err hf_kube_patch(struct hf_kube_client *c, const struct hf_kube_resource *res,
			  const char *ns, const char *name, const char *subresource,
			  enum hf_kube_patch_type type, bool force, const char *patch,
			  struct hf_buf *out, struct hf_kube_error *err)
{
	static const char *const content_types[] = {
		[HF_PATCH_MERGE] = "application/merge-patch+json",
		[HF_PATCH_JSON] = "application/json-patch+json",
		[HF_PATCH_APPLY] = "application/apply-patch+yaml",
	};
	char *path = hf_kube_path(res, ns, name, subresource);
	struct hf_kube_query q = {0};
	if (type == HF_PATCH_APPLY) {
		hf_kube_query_add(&q, "fieldManager", "hyperfleet");
		if (force)
			hf_kube_query_add(&q, "force", "true");
	}
	enum hf_err e = hf_kube_request(c, "PATCH", path, &q, content_types[type], patch, out, err);
	free(path);
	return e;
}

enum hf_err hf_kube_delete(struct hf_kube_client *c, const struct hf_kube_resource *res,
			   const char *ns, const char *name,
			   const struct hf_kube_delete_options *opts, struct hf_kube_error *err)
{
	char *path = hf_kube_path(res, ns, name, NULL);
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "kind", "DeleteOptions");
	cJSON_AddStringToObject(body, "apiVersion", "v1");
	if (opts && opts->propagation)
		cJSON_AddStringToObject(body, "propagationPolicy", opts->propagation);
	if (opts && (opts->precondition_uid || opts->precondition_resource_version)) {
		cJSON *pre = cJSON_AddObjectToObject(body, "preconditions");
		if (opts->precondition_uid)
			cJSON_AddStringToObject(pre, "uid", opts->precondition_uid);
		if (opts->precondition_resource_version)
			cJSON_AddStringToObject(pre, "resourceVersion",
						opts->precondition_resource_version);
	}
	char *json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	enum hf_err e =
		hf_kube_request(c, "DELETE", path, NULL, "application/json", json, &out, err);
	hf_buf_free(&out);
	free(json);
	free(path);
	return e;
}
