#include "http/server.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* How much of a response body one writable callback sends. */
#define WRITE_CHUNK 16384
#define MAX_QUERY   8192
#define MAX_HEADERS 16384

struct hf_http_server {
	struct lws_context *context;
	struct lws_vhost *vhost;
	struct hf_http_server_options opts;
	char *address;
	pthread_t thread;
	atomic_bool stopping;
	int port;
	/* Work other threads hand back to the event loop, under lock. */
	pthread_mutex_t lock;
	struct hf_http_deferred *completed; /* answers to send */
	struct hf_http_stream *ready;	    /* streams with data or an end to send */
};

/*
 * A deferred request has two owners: the event loop (until it answers or
 * the connection closes) and the thread that completes it. Both references
 * are counted; wsi and orphaned are only touched on the loop's thread.
 */
struct hf_http_deferred {
	struct hf_http_server *srv;
	struct lws *wsi;
	bool orphaned; /* the connection closed before the answer */
	atomic_int refs;
	struct hf_http_request req;
	struct hf_http_response resp;
	struct hf_http_deferred *next; /* in srv->completed */
	struct hf_http_stream *stream; /* the answer is a stream (hf_http_stream_open) */
	/* The request's storage. */
	char *method, *path, *query, *body, *remote, *headers;
	char **params;
};

/* A stream's state shared with writers is under srv->lock. */
struct hf_http_stream {
	struct hf_http_server *srv;
	struct lws *wsi;
	atomic_int refs;
	bool gone;     /* the client closed the connection */
	bool finished; /* the writer closed the stream */
	bool queued;   /* in srv->ready */
	size_t max_pending;
	struct hf_buf pending;
	struct hf_http_stream *next; /* in srv->ready */
};

/* Per-connection state, allocated by libwebsockets (zeroed). */
struct session {
	char method[16];
	char *path;
	char *query;
	char **params;
	size_t nparams;
	struct hf_buf body;
	bool body_too_large;
	/* The response being written. */
	char *out;
	size_t out_len, out_off;
	struct hf_http_deferred *deferred; /* the request being answered elsewhere */
	struct hf_http_stream *stream;	   /* the response being streamed */
};

static void deferred_unref(struct hf_http_deferred *d);
static void stream_unref(struct hf_http_stream *st);

/* session_detach lets go of what another thread may still hold: a
 * deferred request is orphaned, a stream marked gone. Loop thread. */
static void session_detach(struct hf_http_server *srv, struct session *s)
{
	if (s->deferred) {
		s->deferred->orphaned = true;
		s->deferred->wsi = NULL;
		deferred_unref(s->deferred);
		s->deferred = NULL;
	}
	if (s->stream) {
		pthread_mutex_lock(&srv->lock);
		s->stream->gone = true;
		s->stream->wsi = NULL;
		pthread_mutex_unlock(&srv->lock);
		stream_unref(s->stream);
		s->stream = NULL;
	}
}

static void session_reset(struct session *s)
{
	free(s->path);
	free(s->query);
	for (size_t i = 0; i < s->nparams; i++)
		free(s->params[i]);
	free(s->params);
	hf_buf_free(&s->body);
	free(s->out);
	memset(s, 0, sizeof(*s));
}

const char *hf_http_request_param(const struct hf_http_request *req, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < req->nparams; i++) {
		const char *p = req->params[i];
		if (strncmp(p, name, n) == 0 && (p[n] == '=' || p[n] == '\0'))
			return p[n] == '=' ? p + n + 1 : p + n;
	}
	return NULL;
}

const char *hf_http_request_header(const struct hf_http_request *req, const char *name, char *buf,
				   size_t len)
{
	struct lws *wsi = req->impl;
	if (!wsi) {
		/* A deferred request: its copied "name\0value\0" pairs. */
		for (size_t o = 0; o < req->headers_len;) {
			const char *k = req->headers + o, *v = k + strlen(k) + 1;
			o = (size_t)(v - req->headers) + strlen(v) + 1;
			if (strcmp(k, name) == 0) {
				snprintf(buf, len, "%s", v);
				return buf;
			}
		}
		return NULL;
	}
	char custom[128];
	int n = snprintf(custom, sizeof(custom), "%s:", name);
	if (n <= 0 || (size_t)n >= sizeof(custom) || len > INT32_MAX)
		return NULL;
	if (lws_hdr_custom_copy(wsi, buf, (int)len, custom, n) >= 0)
		return buf;
	/* Well-known headers are indexed tokens rather than custom ones. */
	static const struct {
		const char *name;
		enum lws_token_indexes token;
	} known[] = {
		{"authorization", WSI_TOKEN_HTTP_AUTHORIZATION},
		{"content-type", WSI_TOKEN_HTTP_CONTENT_TYPE},
		{"accept", WSI_TOKEN_HTTP_ACCEPT},
		{"user-agent", WSI_TOKEN_HTTP_USER_AGENT},
		{"host", WSI_TOKEN_HOST},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].name, name) == 0 &&
		    lws_hdr_copy(wsi, buf, (int)len, known[i].token) > 0)
			return buf;
	return NULL;
}

void hf_http_response_header(struct hf_http_response *resp, const char *name, const char *value)
{
	/* Header buffers are uncapped; this cannot fail. */
	enum hf_err err = hf_buf_printf(&resp->headers, "%s: %s\r\n", name, value);
	(void)err;
}

/* respond builds the status line and headers, and queues the body. A
 * streamed response has no length: it ends when the connection closes. */
static int respond(struct lws *wsi, struct session *s, struct hf_http_response *resp)
{
	size_t head_len = 512 + resp->headers.len;
	unsigned char *head = hf_malloc(LWS_PRE + head_len);
	unsigned char *start = head + LWS_PRE, *p = start, *end = start + head_len - 1;
	int rc = -1;
	if (lws_add_http_common_headers(wsi, (unsigned int)resp->status,
					resp->content_type ? resp->content_type : "text/plain",
					s->stream ? LWS_ILLEGAL_HTTP_CONTENT_LEN : resp->body.len,
					&p, end))
		goto out;
	/* Extra headers: "Name: value\r\n" lines. */
	const char *line = hf_buf_str(&resp->headers);
	while (*line) {
		const char *colon = strchr(line, ':');
		const char *eol = strstr(line, "\r\n");
		if (!colon || !eol || colon > eol)
			break;
		char name[128];
		size_t nlen = (size_t)(colon - line);
		if (nlen + 2 > sizeof(name))
			break;
		memcpy(name, line, nlen);
		name[nlen] = ':';
		name[nlen + 1] = '\0';
		const char *value = colon + 1;
		while (*value == ' ')
			value++;
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)name,
						(const unsigned char *)value, (int)(eol - value),
						&p, end))
			goto out;
		line = eol + 2;
	}
	if (lws_finalize_write_http_header(wsi, start, &p, end))
		goto out;
	s->out_len = resp->body.len;
	s->out = hf_buf_steal(&resp->body);
	s->out_off = 0;
	lws_callback_on_writable(wsi);
	rc = 0;
out:
	free(head);
	return rc;
}

static int dispatch(struct lws *wsi, struct session *s, struct hf_http_server *srv)
{
	char peer[64] = "";
	lws_get_peer_simple(wsi, peer, sizeof(peer));
	struct hf_http_request req = {
		.method = s->method,
		.path = s->path ? s->path : "/",
		.query = s->query ? s->query : "",
		.params = (const char *const *)s->params,
		.nparams = s->nparams,
		.body = s->body.len ? s->body.data : NULL,
		.body_len = s->body.len,
		.remote = peer,
		.impl = wsi,
	};
	struct hf_http_response resp = {.status = 200};
	hf_buf_init(&resp.headers, 0);
	hf_buf_init(&resp.body, 0);
	req.body_too_large = s->body_too_large;
	if (s->body_too_large && !srv->opts.handle_oversized) {
		resp.status = 413;
		enum hf_err err = hf_buf_appends(&resp.body, "request body too large\n");
		(void)err;
	} else {
		srv->opts.handler(&req, &resp, srv->opts.ctx);
		if (s->deferred) {
			/* Answered later, from hf_http_deferred_complete. */
			s->deferred->wsi = wsi;
			hf_buf_free(&resp.headers);
			hf_buf_free(&resp.body);
			return 0;
		}
		if (s->stream)
			s->stream->wsi = wsi;
	}
	int rc = respond(wsi, s, &resp);
	hf_buf_free(&resp.headers);
	hf_buf_free(&resp.body);
	return rc;
}

/* Headers a deferred request keeps (the handler cannot reach the
 * connection from another thread). */
static const char *const kept_headers[] = {"authorization", "content-type", "accept",
					   "user-agent",    "x-request-id", "accept-encoding"};

struct hf_http_deferred *hf_http_defer(const struct hf_http_request *req)
{
	struct lws *wsi = req->impl;
	struct session *s = lws_wsi_user(wsi);
	struct hf_http_deferred *d = hf_calloc(1, sizeof(*d));
	d->srv = lws_context_user(lws_get_context(wsi));
	atomic_init(&d->refs, 2); /* the loop's and the completer's */
	d->method = hf_strdup(req->method);
	d->path = hf_strdup(req->path);
	d->query = hf_strdup(req->query);
	d->remote = hf_strdup(req->remote);
	if (req->body) {
		d->body = hf_malloc(req->body_len + 1);
		memcpy(d->body, req->body, req->body_len);
		d->body[req->body_len] = '\0';
	}
	d->params = hf_calloc(req->nparams + 1, sizeof(*d->params));
	for (size_t i = 0; i < req->nparams; i++)
		d->params[i] = hf_strdup(req->params[i]);
	struct hf_buf h;
	hf_buf_init(&h, 0);
	for (size_t i = 0; i < sizeof(kept_headers) / sizeof(kept_headers[0]); i++) {
		char value[8192];
		if (!hf_http_request_header(req, kept_headers[i], value, sizeof(value)))
			continue;
		enum hf_err err = hf_buf_append(&h, kept_headers[i], strlen(kept_headers[i]) + 1);
		err |= hf_buf_append(&h, value, strlen(value) + 1);
		(void)err; /* uncapped */
	}
	d->req = (struct hf_http_request){
		.method = d->method,
		.path = d->path,
		.query = d->query,
		.params = (const char *const *)d->params,
		.nparams = req->nparams,
		.body = d->body,
		.body_len = req->body_len,
		.remote = d->remote,
		.headers_len = h.len,
	};
	d->headers = hf_buf_steal(&h);
	d->req.headers = d->headers;
	d->req.deferred = d;
	hf_buf_init(&d->resp.headers, 0);
	hf_buf_init(&d->resp.body, 0);
	s->deferred = d;
	return d;
}

const struct hf_http_request *hf_http_deferred_request(const struct hf_http_deferred *d)
{
	return &d->req;
}

static void deferred_unref(struct hf_http_deferred *d)
{
	if (atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	free(d->method);
	free(d->path);
	free(d->query);
	free(d->remote);
	free(d->body);
	free(d->headers);
	for (size_t i = 0; i < d->req.nparams; i++)
		free(d->params[i]);
	free(d->params);
	hf_buf_free(&d->resp.headers);
	hf_buf_free(&d->resp.body);
	free(d);
}

void hf_http_deferred_complete(struct hf_http_deferred *d, struct hf_http_response *resp)
{
	struct hf_http_server *srv = d->srv;
	d->resp.status = resp->status;
	d->resp.content_type = resp->content_type;
	hf_buf_free(&d->resp.headers);
	hf_buf_free(&d->resp.body);
	d->resp.headers = resp->headers;
	d->resp.body = resp->body;
	hf_buf_init(&resp->headers, 0);
	hf_buf_init(&resp->body, 0);
	pthread_mutex_lock(&srv->lock);
	d->next = srv->completed;
	srv->completed = d;
	pthread_mutex_unlock(&srv->lock);
	lws_cancel_service(srv->context);
}

struct hf_http_stream *hf_http_stream_open(const struct hf_http_request *req,
					   struct hf_http_response *resp, size_t max_pending)
{
	(void)resp; /* its status, headers and body start the stream (dispatch) */
	struct hf_http_stream *st = hf_calloc(1, sizeof(*st));
	atomic_init(&st->refs, 2); /* the loop's and the writer's */
	st->max_pending = max_pending;
	hf_buf_init(&st->pending, 0);
	struct lws *wsi = req->impl;
	if (!wsi) {
		/* A deferred request: the stream starts when it completes, and
		 * what is written before waits in the stream's buffer. */
		struct hf_http_deferred *d = req->deferred;
		st->srv = d->srv;
		d->stream = st;
		return st;
	}
	st->srv = lws_context_user(lws_get_context(wsi));
	struct session *s = lws_wsi_user(wsi);
	s->stream = st;
	return st;
}

static void stream_unref(struct hf_http_stream *st)
{
	if (atomic_fetch_sub(&st->refs, 1) != 1)
		return;
	hf_buf_free(&st->pending);
	free(st);
}

/* stream_wake queues st for the loop; caller holds srv->lock. */
static void stream_wake(struct hf_http_stream *st)
{
	if (st->queued || st->gone)
		return;
	st->queued = true;
	atomic_fetch_add(&st->refs, 1); /* the ready list's */
	st->next = st->srv->ready;
	st->srv->ready = st;
}

bool hf_http_stream_write(struct hf_http_stream *st, const char *data, size_t len)
{
	struct hf_http_server *srv = st->srv;
	pthread_mutex_lock(&srv->lock);
	bool ok = !st->gone && !st->finished && st->pending.len + len <= st->max_pending &&
		  hf_buf_append(&st->pending, data, len) == HF_OK;
	if (ok)
		stream_wake(st);
	pthread_mutex_unlock(&srv->lock);
	if (ok)
		lws_cancel_service(srv->context);
	return ok;
}

void hf_http_stream_close(struct hf_http_stream *st)
{
	struct hf_http_server *srv = st->srv;
	pthread_mutex_lock(&srv->lock);
	st->finished = true;
	stream_wake(st);
	pthread_mutex_unlock(&srv->lock);
	lws_cancel_service(srv->context);
	stream_unref(st);
}

/* take_handback runs on the loop when another thread woke it: answers
 * deferred requests and asks to write streams that have something new. */
static void take_handback(struct hf_http_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	struct hf_http_deferred *done = srv->completed;
	struct hf_http_stream *ready = srv->ready;
	srv->completed = NULL;
	srv->ready = NULL;
	for (struct hf_http_stream *st = ready; st; st = st->next)
		st->queued = false;
	pthread_mutex_unlock(&srv->lock);
	while (done) {
		struct hf_http_deferred *d = done;
		done = d->next;
		if (!d->orphaned) {
			struct lws *wsi = d->wsi;
			struct session *s = lws_wsi_user(wsi);
			s->deferred = NULL;
			if (d->stream) {
				s->stream = d->stream;
				s->stream->wsi = wsi;
				d->stream = NULL;
			}
			deferred_unref(d); /* the loop's reference */
			if (respond(wsi, s, &d->resp))
				lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
		} else if (d->stream) {
			/* Its client left: the writer learns it at its next write. */
			pthread_mutex_lock(&srv->lock);
			d->stream->gone = true;
			pthread_mutex_unlock(&srv->lock);
			stream_unref(d->stream);
			d->stream = NULL;
		}
		deferred_unref(d); /* the completer's */
	}
	while (ready) {
		struct hf_http_stream *st = ready;
		ready = st->next;
		if (st->wsi && !st->gone)
			lws_callback_on_writable(st->wsi);
		stream_unref(st);
	}
}

/* write_stream sends what a stream has pending; the end of the stream
 * ends the transaction. */
static int write_stream(struct lws *wsi, struct session *s)
{
	struct hf_http_stream *st = s->stream;
	struct hf_http_server *srv = st->srv;
	pthread_mutex_lock(&srv->lock);
	size_t n = st->pending.len > WRITE_CHUNK ? WRITE_CHUNK : st->pending.len;
	unsigned char *buf = hf_malloc(LWS_PRE + n + 1);
	if (n) {
		memcpy(buf + LWS_PRE, st->pending.data, n);
		hf_buf_consume(&st->pending, n);
	}
	bool more = st->pending.len > 0;
	bool last = st->finished && !more;
	pthread_mutex_unlock(&srv->lock);
	int rc = 0;
	if ((n || last) &&
	    lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < (int)n)
		rc = -1;
	free(buf);
	if (rc)
		return -1;
	if (more)
		lws_callback_on_writable(wsi);
	if (!last)
		return 0;
	session_detach(srv, s);
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* read_query collects the query's parameters, which libwebsockets keeps as
 * separately decoded fragments. */
static void read_query(struct lws *wsi, struct session *s)
{
	struct hf_buf joined;
	hf_buf_init(&joined, MAX_QUERY);
	char frag[MAX_QUERY];
	for (int i = 0;; i++) {
		int n = lws_hdr_copy_fragment(wsi, frag, sizeof(frag), WSI_TOKEN_HTTP_URI_ARGS, i);
		if (n < 0)
			break;
		s->params = hf_realloc(s->params, (s->nparams + 1) * sizeof(*s->params));
		s->params[s->nparams++] = hf_strndup(frag, (size_t)n);
		enum hf_err err = hf_buf_printf(&joined, "%s%s", i ? "&" : "", frag);
		(void)err; /* an over-long query is only shortened in logs */
	}
	s->query = hf_buf_steal(&joined);
}

static const char *method_names[] = {
	[LWSHUMETH_GET] = "GET",	 [LWSHUMETH_POST] = "POST",
	[LWSHUMETH_OPTIONS] = "OPTIONS", [LWSHUMETH_PUT] = "PUT",
	[LWSHUMETH_PATCH] = "PATCH",	 [LWSHUMETH_DELETE] = "DELETE",
	[LWSHUMETH_CONNECT] = "CONNECT", [LWSHUMETH_HEAD] = "HEAD",
};

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	struct session *s = user;
	struct hf_http_server *srv = lws_context_user(lws_get_context(wsi));

	switch (reason) {
	case LWS_CALLBACK_HTTP: {
		session_detach(srv, s);
		session_reset(s);
		hf_buf_init(&s->body, srv->opts.max_body);
		char *uri = NULL;
		int uri_len = 0;
		int m = lws_http_get_uri_and_method(wsi, &uri, &uri_len);
		const char *method = m >= 0 && m <= LWSHUMETH_HEAD ? method_names[m] : NULL;
		snprintf(s->method, sizeof(s->method), "%s", method ? method : "UNKNOWN");
		s->path = hf_strndup(in ? (const char *)in : "/", len ? len : 1);
		read_query(wsi, s);
		/* A request with a body is dispatched when the body is complete. */
		if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 ||
		    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
			return 0;
		return dispatch(wsi, s, srv);
	}
	case LWS_CALLBACK_HTTP_BODY:
		if (!s->body_too_large && hf_buf_append(&s->body, in, len) != HF_OK) {
			s->body_too_large = true;
			hf_buf_free(&s->body);
		}
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION: return dispatch(wsi, s, srv);
	case LWS_CALLBACK_HTTP_WRITEABLE: {
		if (s->stream && !s->out)
			return write_stream(wsi, s);
		if (!s->out && s->out_len == 0)
			return 0;
		size_t n = s->out_len - s->out_off;
		if (n > WRITE_CHUNK)
			n = WRITE_CHUNK;
		bool last = s->out_off + n == s->out_len;
		/* A stream's beginning is not the end of its response. */
		if (n || !s->stream) {
			unsigned char *buf = hf_malloc(LWS_PRE + n + 1);
			memcpy(buf + LWS_PRE, s->out + s->out_off, n);
			int w = lws_write(wsi, buf + LWS_PRE, n,
					  last && !s->stream ? LWS_WRITE_HTTP_FINAL
							     : LWS_WRITE_HTTP);
			free(buf);
			if (w < (int)n)
				return -1;
		}
		s->out_off += n;
		if (!last) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		free(s->out);
		s->out = NULL;
		s->out_len = s->out_off = 0;
		if (s->stream) {
			/* The stream's beginning is out; what came since follows.
			 * A stream stays open as long as its writer wants:
			 * libwebsockets' pending timeout would end it (after 5 s). */
			lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
			lws_callback_on_writable(wsi);
			return 0;
		}
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (srv)
			take_handback(srv);
		return 0;
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (s) {
			session_detach(srv, s);
			session_reset(s);
		}
		return 0;
	default: return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{"http", callback, sizeof(struct session), 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static void *serve(void *arg)
{
	struct hf_http_server *s = arg;
	while (!atomic_load(&s->stopping))
		if (lws_service(s->context, 0) < 0)
			break;
	return NULL;
}

enum hf_err hf_http_server_start(const struct hf_http_server_options *opts,
				 struct hf_http_server **out)
{
	/* libwebsockets logs to stderr on its own; HyperFleet logs itself. */
	lws_set_log_level(LLL_ERR, NULL);
	struct hf_http_server *s = hf_calloc(1, sizeof(*s));
	s->opts = *opts;
	if (!s->opts.max_body)
		s->opts.max_body = 1u << 20;
	s->address = hf_strdup(opts->address);
	atomic_init(&s->stopping, false);
	pthread_mutex_init(&s->lock, NULL);

	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_DISABLE_IPV6;
	if (opts->tls_cert && opts->tls_key)
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.user = s;
	/* Room for long queries (a search may be 4 KiB): past this, libwebsockets
	 * closes the connection. */
	info.max_http_header_data = MAX_HEADERS;
	s->context = lws_create_context(&info);
	if (!s->context)
		goto fail;
	struct lws_context_creation_info vh;
	memset(&vh, 0, sizeof(vh));
	vh.port = opts->port;
	vh.iface = s->address;
	vh.protocols = protocols;
	vh.vhost_name = "hyperfleet";
	vh.keepalive_timeout = 60;
	if (opts->tls_cert && opts->tls_key) {
		vh.ssl_cert_filepath = opts->tls_cert;
		vh.ssl_private_key_filepath = opts->tls_key;
	}
	vh.timeout_secs = 30;
	s->vhost = lws_create_vhost(s->context, &vh);
	if (!s->vhost)
		goto fail;
	s->port = lws_get_vhost_listen_port(s->vhost);
	if (pthread_create(&s->thread, NULL, serve, s) != 0)
		goto fail;
	*out = s;
	return HF_OK;
fail:
	if (s->context)
		lws_context_destroy(s->context);
	free(s->address);
	free(s);
	return HF_ERR_IO;
}

int hf_http_server_port(const struct hf_http_server *s)
{
	return s->port;
}

void hf_http_server_stop(struct hf_http_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, true);
	lws_cancel_service(s->context);
	pthread_join(s->thread, NULL);
	lws_context_destroy(s->context);
	/* Answers and stream data that arrived after the loop stopped. */
	take_handback(s);
	pthread_mutex_destroy(&s->lock);
	free(s->address);
	free(s);
}
