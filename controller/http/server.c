#include "http/server.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* How much of a response body one writable callback sends. */
#define WRITE_CHUNK 16384
#define MAX_QUERY   8192

struct hf_http_server {
	struct lws_context *context;
	struct lws_vhost *vhost;
	struct hf_http_server_options opts;
	char *address;
	pthread_t thread;
	atomic_bool stopping;
	int port;
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
};

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

/* respond builds the status line and headers, and queues the body. */
static int respond(struct lws *wsi, struct session *s, struct hf_http_response *resp)
{
	size_t head_len = 512 + resp->headers.len;
	unsigned char *head = hf_malloc(LWS_PRE + head_len);
	unsigned char *start = head + LWS_PRE, *p = start, *end = start + head_len - 1;
	int rc = -1;
	if (lws_add_http_common_headers(wsi, (unsigned int)resp->status,
					resp->content_type ? resp->content_type : "text/plain",
					resp->body.len, &p, end))
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
	if (s->body_too_large) {
		resp.status = 413;
		enum hf_err err = hf_buf_appends(&resp.body, "request body too large\n");
		(void)err;
	} else {
		srv->opts.handler(&req, &resp, srv->opts.ctx);
	}
	int rc = respond(wsi, s, &resp);
	hf_buf_free(&resp.headers);
	hf_buf_free(&resp.body);
	return rc;
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
		if (!s->out && s->out_len == 0)
			return 0;
		size_t n = s->out_len - s->out_off;
		if (n > WRITE_CHUNK)
			n = WRITE_CHUNK;
		bool last = s->out_off + n == s->out_len;
		unsigned char *buf = hf_malloc(LWS_PRE + n + 1);
		memcpy(buf + LWS_PRE, s->out + s->out_off, n);
		int w = lws_write(wsi, buf + LWS_PRE, n,
				  last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
		free(buf);
		if (w < (int)n)
			return -1;
		s->out_off += n;
		if (!last) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		free(s->out);
		s->out = NULL;
		s->out_len = s->out_off = 0;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (s)
			session_reset(s);
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

	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_DISABLE_IPV6;
	info.user = s;
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
	free(s->address);
	free(s);
}
