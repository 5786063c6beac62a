/*
 * server.h: a small HTTP/1.1 server on libwebsockets for HyperFleet's
 * endpoints (/metrics, /healthz, /readyz; the REST API builds on it).
 *
 * One thread runs the event loop and calls the handler for each request
 * once its body (if any, up to max_body bytes) has arrived. The handler
 * fills in the response and returns; it must not block. Work that would
 * block (a call to the Kubernetes API) is handed to another thread with
 * hf_http_defer, which answers later; a response that never ends (a watch)
 * is an hf_http_stream that other threads write to.
 *
 * Thread safety: create, start and stop from one thread. The handler runs
 * on the server's thread; hf_http_deferred_* and hf_http_stream_write /
 * _close may be called from any thread.
 */
#ifndef HF_HTTP_SERVER_H
#define HF_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

struct hf_http_server;
struct hf_http_deferred;

struct hf_http_request {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* decoded path, without the query */
	const char *query;  /* the query's parameters joined by '&', for logs */
	/* The query's parameters, each "name=value" (or "name"), percent-
	 * decoded one by one, so a value may itself contain '&' or '='. */
	const char *const *params;
	size_t nparams;
	const char *body; /* NULL when none */
	size_t body_len;
	const char *remote; /* peer address */
	void *impl;	    /* for hf_http_request_header */
	/* Headers copied by hf_http_defer ("name\0value\0" pairs), when impl
	 * (the connection) is not at hand. */
	const char *headers;
	size_t headers_len;
	struct hf_http_deferred *deferred; /* set on a deferred request's copy */
	/* The body was over max_body and dropped (only with
	 * handle_oversized; otherwise the server answers 413 itself). */
	bool body_too_large;
};

/* hf_http_request_param returns the value of the first query parameter
 * name ("" for a bare "name"), or NULL when absent. */
const char *hf_http_request_param(const struct hf_http_request *req, const char *name);

/* hf_http_request_header copies the value of header name (e.g.
 * "x-request-id", lower case) into buf; returns buf, or NULL if absent. */
const char *hf_http_request_header(const struct hf_http_request *req, const char *name, char *buf,
				   size_t len);

struct hf_http_response {
	int status;		  /* default 200 */
	const char *content_type; /* static string; default text/plain */
	struct hf_buf headers;	  /* extra "Name: value\r\n" lines */
	struct hf_buf body;
};

/* hf_http_response_header adds a header line to the response. */
void hf_http_response_header(struct hf_http_response *resp, const char *name, const char *value);

/*
 * Deferred responses. hf_http_defer, called by the handler, takes over the
 * request: the server sends nothing when the handler returns. The result
 * owns a copy of the request (hf_http_deferred_request, headers included),
 * valid until hf_http_deferred_complete, which any thread calls exactly
 * once: it takes resp's buffers, and the server sends them (or drops them
 * if the client went away meanwhile) and frees the deferred request.
 */
struct hf_http_deferred *hf_http_defer(const struct hf_http_request *req);
const struct hf_http_request *hf_http_deferred_request(const struct hf_http_deferred *d);
void hf_http_deferred_complete(struct hf_http_deferred *d, struct hf_http_response *resp);

/*
 * Streams: a response of unknown length, written as data comes and ended
 * by closing the connection.
 * hf_http_stream_open, called by the handler, sends resp's status, headers
 * and body as the stream's beginning. hf_http_stream_write appends data
 * from any thread; it returns false once the client has gone or when more
 * than max_pending bytes wait to be sent (a client too slow to keep up):
 * the writer then closes the stream. hf_http_stream_close ends the
 * response and releases the writer's handle (call it exactly once).
 * A deferred request may be answered with a stream too: open it on the
 * deferred request (from the worker), then complete the request with the
 * stream's beginning; writes before that wait in the stream's buffer.
 */
struct hf_http_stream;
struct hf_http_stream *hf_http_stream_open(const struct hf_http_request *req,
					   struct hf_http_response *resp, size_t max_pending);
bool hf_http_stream_write(struct hf_http_stream *st, const char *data, size_t len);
void hf_http_stream_close(struct hf_http_stream *st);

typedef void (*hf_http_handler_fn)(const struct hf_http_request *req, struct hf_http_response *resp,
				   void *ctx);

struct hf_http_server_options {
	const char *address;   /* bind address, NULL for all interfaces */
	int port;	       /* 0 picks a free port (see hf_http_server_port) */
	size_t max_body;       /* larger bodies get 413; default 1 MiB */
	bool handle_oversized; /* the handler answers oversized bodies itself */
	const char *tls_cert;  /* PEM certificate and key files: HTTPS when set */
	const char *tls_key;
	hf_http_handler_fn handler;
	void *ctx;
};

/* hf_http_server_start binds and starts serving on a new thread. */
HF_MUST_CHECK enum hf_err hf_http_server_start(const struct hf_http_server_options *opts,
					       struct hf_http_server **out);
/* hf_http_server_port is the port actually bound. */
int hf_http_server_port(const struct hf_http_server *s);
/* hf_http_server_stop stops serving, closes connections and frees s. Every
 * deferred request must have been completed and every stream closed
 * before: the threads doing that work are stopped first. */
void hf_http_server_stop(struct hf_http_server *s);

#endif
