/* Unit tests of the HTTP server (controller/http/server.c), driven by
 * libcurl over loopback. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/server.h"
#include "util/alloc.h"

static void echo(const struct hf_http_request *req, struct hf_http_response *resp, void *ctx)
{
	(void)ctx;
	char id[64];
	const char *rid = hf_http_request_header(req, "x-request-id", id, sizeof(id));
	if (strcmp(req->path, "/missing") == 0)
		resp->status = 404;
	resp->content_type = "application/json";
	hf_http_response_header(resp, "X-Request-ID", rid ? rid : "none");
	enum hf_err err = hf_buf_printf(&resp->body, "%s %s ?%s body=%.*s", req->method, req->path,
					req->query, (int)req->body_len, req->body ? req->body : "");
	cr_assert_eq(err, HF_OK);
	const char *search = hf_http_request_param(req, "search");
	if (search)
		cr_assert_eq(hf_buf_printf(&resp->body, " search=[%s]", search), HF_OK);
}

struct reply {
	long code;
	struct hf_buf body;
	struct hf_buf headers;
};

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
	return hf_buf_append(ctx, data, size * n) == HF_OK ? size * n : 0;
}

static struct reply call(int port, const char *method, const char *path, const char *body,
			 const char *header)
{
	struct reply r = {0};
	hf_buf_init(&r.body, 0);
	hf_buf_init(&r.headers, 0);
	CURL *h = curl_easy_init();
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	struct curl_slist *hdrs = header ? curl_slist_append(NULL, header) : NULL;
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r.headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	cr_assert_eq(curl_easy_perform(h), CURLE_OK);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.code);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return r;
}

static void reply_free(struct reply *r)
{
	hf_buf_free(&r->body);
	hf_buf_free(&r->headers);
}

static struct hf_http_server *start(size_t max_body)
{
	struct hf_http_server_options opts = {
		.address = "127.0.0.1", .port = 0, .max_body = max_body, .handler = echo};
	struct hf_http_server *s = NULL;
	cr_assert_eq(hf_http_server_start(&opts, &s), HF_OK);
	cr_assert_gt(hf_http_server_port(s), 0);
	return s;
}

Test(http_server, serves_get_with_query_headers_and_status)
{
	struct hf_http_server *s = start(0);
	int port = hf_http_server_port(s);
	struct reply r = call(port, "GET", "/api/x?page=2&size=10", NULL, "X-Request-ID: abc-123");
	cr_assert_eq(r.code, 200);
	cr_assert_str_eq(hf_buf_str(&r.body), "GET /api/x ?page=2&size=10 body=");
	cr_assert(strstr(hf_buf_str(&r.headers), "X-Request-ID: abc-123"), "%s",
		  hf_buf_str(&r.headers));
	cr_assert(strstr(hf_buf_str(&r.headers), "content-type: application/json"), "%s",
		  hf_buf_str(&r.headers));
	reply_free(&r);
	/* Parameters are decoded one by one: an encoded '&' stays in its value. */
	r = call(port, "GET", "/q?search=name%3D%27a%26b%27&x", NULL, NULL);
	cr_assert_str_eq(hf_buf_str(&r.body),
			 "GET /q ?search=name='a&b'&x body= search=[name='a&b']");
	reply_free(&r);
	r = call(port, "GET", "/missing", NULL, NULL);
	cr_assert_eq(r.code, 404);
	reply_free(&r);
	hf_http_server_stop(s);
}

Test(http_server, reads_request_bodies_and_refuses_oversized_ones)
{
	struct hf_http_server *s = start(64);
	int port = hf_http_server_port(s);
	struct reply r = call(port, "POST", "/things", "{\"name\":\"x\"}", NULL);
	cr_assert_eq(r.code, 200);
	cr_assert_str_eq(hf_buf_str(&r.body), "POST /things ? body={\"name\":\"x\"}");
	reply_free(&r);
	char big[200];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	r = call(port, "PUT", "/things", big, NULL);
	cr_assert_eq(r.code, 413);
	reply_free(&r);
	/* The server still answers after refusing. */
	r = call(port, "PATCH", "/things/1", "{}", NULL);
	cr_assert_eq(r.code, 200);
	cr_assert_str_eq(hf_buf_str(&r.body), "PATCH /things/1 ? body={}");
	reply_free(&r);
	hf_http_server_stop(s);
}

static void big_body(const struct hf_http_request *req, struct hf_http_response *resp, void *ctx)
{
	(void)req;
	(void)ctx;
	for (int i = 0; i < 100000; i++)
		cr_assert_eq(hf_buf_printf(&resp->body, "line %d\n", i), HF_OK);
}

Test(http_server, writes_large_responses_in_chunks)
{
	struct hf_http_server_options opts = {.address = "127.0.0.1", .handler = big_body};
	struct hf_http_server *s = NULL;
	cr_assert_eq(hf_http_server_start(&opts, &s), HF_OK);
	struct reply r = call(hf_http_server_port(s), "GET", "/", NULL, NULL);
	cr_assert_eq(r.code, 200);
	cr_assert(strstr(hf_buf_str(&r.body), "line 99999\n"));
	cr_assert_gt(r.body.len, 1000000);
	reply_free(&r);
	hf_http_server_stop(s);
}

/* A handler that hands every request to a thread which answers later, as
 * the REST API does with calls to the Kubernetes API. */
struct later {
	struct hf_http_deferred *d;
	double delay;
};

static double later_delay;
static atomic_int answered;

static void *answer_later(void *arg)
{
	struct later *l = arg;
	struct timespec ts = {0, (long)(l->delay * 1e9)};
	nanosleep(&ts, NULL);
	const struct hf_http_request *req = hf_http_deferred_request(l->d);
	char auth[128];
	struct hf_http_response resp = {.status = 201};
	hf_buf_init(&resp.headers, 0);
	hf_buf_init(&resp.body, 0);
	hf_http_response_header(&resp, "X-Answered", "later");
	cr_assert_eq(hf_buf_printf(&resp.body, "%s %s body=%s auth=%s", req->method, req->path,
				   req->body ? req->body : "",
				   hf_http_request_header(req, "authorization", auth, sizeof(auth))
					   ? auth
					   : "none"),
		     HF_OK);
	hf_http_deferred_complete(l->d, &resp);
	hf_buf_free(&resp.headers);
	hf_buf_free(&resp.body);
	free(l);
	atomic_fetch_add(&answered, 1);
	return NULL;
}

static void defer_all(const struct hf_http_request *req, struct hf_http_response *resp, void *ctx)
{
	(void)resp;
	(void)ctx;
	struct later *l = hf_calloc(1, sizeof(*l));
	l->d = hf_http_defer(req);
	l->delay = later_delay;
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, answer_later, l), 0);
	pthread_detach(t);
}

Test(http_server, answers_deferred_requests_from_another_thread)
{
	later_delay = 0.05;
	struct hf_http_server_options opts = {.address = "127.0.0.1", .handler = defer_all};
	struct hf_http_server *s = NULL;
	cr_assert_eq(hf_http_server_start(&opts, &s), HF_OK);
	for (int i = 0; i < 3; i++) {
		struct reply r = call(hf_http_server_port(s), "POST", "/clusters", "{\"a\":1}",
				      "Authorization: Bearer t0k3n");
		cr_assert_eq(r.code, 201);
		cr_assert_str_eq(hf_buf_str(&r.body),
				 "POST /clusters body={\"a\":1} auth=Bearer t0k3n");
		cr_assert_not_null(strstr(hf_buf_str(&r.headers), "X-Answered: later"));
		reply_free(&r);
	}
	hf_http_server_stop(s);
}

Test(http_server, drops_the_answer_when_the_client_left_first)
{
	later_delay = 0.5;
	atomic_store(&answered, 0);
	struct hf_http_server_options opts = {.address = "127.0.0.1", .handler = defer_all};
	struct hf_http_server *s = NULL;
	cr_assert_eq(hf_http_server_start(&opts, &s), HF_OK);
	CURL *h = curl_easy_init();
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/slow", hf_http_server_port(s));
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 100L);
	cr_assert_eq(curl_easy_perform(h), CURLE_OPERATION_TIMEDOUT);
	curl_easy_cleanup(h);
	/* The server still answers others, and the late answer (to nobody)
	 * is released: ASan reports any leak or use after free. */
	later_delay = 0;
	struct reply r = call(hf_http_server_port(s), "GET", "/next", NULL, NULL);
	cr_assert_eq(r.code, 201);
	reply_free(&r);
	/* Every deferred request is answered before the server stops. */
	for (int i = 0; i < 1000 && atomic_load(&answered) < 2; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	cr_assert_eq(atomic_load(&answered), 2);
	hf_http_server_stop(s);
}

/* A stream of numbered lines written by another thread. */
static void *write_lines(void *arg)
{
	struct hf_http_stream *st = arg;
	for (int i = 0; i < 50; i++) {
		char line[32];
		int n = snprintf(line, sizeof(line), "line %d\n", i);
		cr_assert(hf_http_stream_write(st, line, (size_t)n));
	}
	hf_http_stream_close(st);
	return NULL;
}

static void stream_lines(const struct hf_http_request *req, struct hf_http_response *resp,
			 void *ctx)
{
	(void)ctx;
	resp->content_type = "application/x-ndjson";
	cr_assert_eq(hf_buf_appends(&resp->body, "begin\n"), HF_OK);
	struct hf_http_stream *st = hf_http_stream_open(req, resp, 1 << 20);
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, write_lines, st), 0);
	pthread_detach(t);
}

Test(http_server, streams_a_response_written_by_another_thread)
{
	struct hf_http_server_options opts = {.address = "127.0.0.1", .handler = stream_lines};
	struct hf_http_server *s = NULL;
	cr_assert_eq(hf_http_server_start(&opts, &s), HF_OK);
	for (int round = 0; round < 2; round++) {
		struct reply r = call(hf_http_server_port(s), "GET", "/watch", NULL, NULL);
		cr_assert_eq(r.code, 200);
		/* No length: the end of the stream closes the connection. */
		cr_assert_not_null(strstr(hf_buf_str(&r.headers), "connection: close"));
		const char *body = hf_buf_str(&r.body);
		cr_assert_eq(strncmp(body, "begin\nline 0\nline 1\n", 20), 0, "%s", body);
		cr_assert_not_null(strstr(body, "line 49\n"));
		cr_assert_eq(strlen(body), strlen("begin\n") + 10 * 7 + 40 * 8);
		reply_free(&r);
	}
	hf_http_server_stop(s);
}

/* A deferred request answered with a stream: lines written before the
 * answer wait for it, the rest follow. */
static void *stream_later(void *arg)
{
	struct hf_http_deferred *d = arg;
	struct hf_http_response resp = {.status = 200, .content_type = "application/x-ndjson"};
	hf_buf_init(&resp.headers, 0);
	hf_buf_init(&resp.body, 0);
	cr_assert_eq(hf_buf_appends(&resp.body, "begin\n"), HF_OK);
	struct hf_http_stream *st =
		hf_http_stream_open(hf_http_deferred_request(d), &resp, 1 << 20);
	cr_assert(hf_http_stream_write(st, "early\n", 6));
	hf_http_deferred_complete(d, &resp);
	cr_assert(hf_http_stream_write(st, "late\n", 5));
	hf_http_stream_close(st);
	hf_buf_free(&resp.headers);
	hf_buf_free(&resp.body);
	return NULL;
}

static void defer_stream(const struct hf_http_request *req, struct hf_http_response *resp,
			 void *ctx)
{
	(void)resp;
	(void)ctx;
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, stream_later, hf_http_defer(req)), 0);
	pthread_detach(t);
}

Test(http_server, answers_a_deferred_request_with_a_stream)
{
	struct hf_http_server_options opts = {.address = "127.0.0.1", .handler = defer_stream};
	struct hf_http_server *s = NULL;
	cr_assert_eq(hf_http_server_start(&opts, &s), HF_OK);
	struct reply r = call(hf_http_server_port(s), "GET", "/watch", NULL, NULL);
	cr_assert_eq(r.code, 200);
	cr_assert_str_eq(hf_buf_str(&r.body), "begin\nearly\nlate\n");
	reply_free(&r);
	hf_http_server_stop(s);
}
