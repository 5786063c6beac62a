/*
 * server.h: a small HTTP/1.1 server on libwebsockets for HyperFleet's
 * endpoints (/metrics, /healthz, /readyz; the REST API builds on it).
 *
 * One thread runs the event loop and calls the handler for each request
 * once its body (if any, up to max_body bytes) has arrived. The handler
 * fills in the response and returns; it must not block.
 *
 * Thread safety: create, start and stop from one thread. The handler runs
 * on the server's thread.
 */
#ifndef HF_HTTP_SERVER_H
#define HF_HTTP_SERVER_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

struct hf_http_server;

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

typedef void (*hf_http_handler_fn)(const struct hf_http_request *req, struct hf_http_response *resp,
				   void *ctx);

struct hf_http_server_options {
	const char *address; /* bind address, NULL for all interfaces */
	int port;	     /* 0 picks a free port (see hf_http_server_port) */
	size_t max_body;     /* larger bodies get 413; default 1 MiB */
	hf_http_handler_fn handler;
	void *ctx;
};

/* hf_http_server_start binds and starts serving on a new thread. */
HF_MUST_CHECK enum hf_err hf_http_server_start(const struct hf_http_server_options *opts,
					       struct hf_http_server **out);
/* hf_http_server_port is the port actually bound. */
int hf_http_server_port(const struct hf_http_server *s);
/* hf_http_server_stop stops serving, closes connections and frees s. */
void hf_http_server_stop(struct hf_http_server *s);

#endif
