/*
 * client.h: a Kubernetes API client over libcurl and OpenSSL.
 *
 * One client serves all threads. Requests reuse connections (a shared
 * connection cache), negotiate HTTP/2 when the server offers it, obey a
 * client-side rate limit (qps/burst), honour Retry-After on 429, re-read a
 * rotated token and retry once after a 401, and time out. Errors from the
 * server keep its Status (code, reason, message, causes) in struct
 * hf_kube_error so that callers can act on 404/409/410/422/429 and show the
 * message to users.
 *
 * Thread safety: every function may be called from any thread. A watch
 * runs its callback on the calling thread.
 */
#ifndef HF_KUBE_CLIENT_H
#define HF_KUBE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "kube/config.h"
#include "util/buf.h"
#include "util/error.h"

struct hf_kube_client;
struct hf_metrics;

/* A resource type: group ("" for the core group), version, plural. */
struct hf_kube_resource {
	const char *group;
	const char *version;
	const char *plural;
	bool namespaced;
};

/* Resources HyperFleet uses. */
extern const struct hf_kube_resource HF_RES_CLUSTERS;
extern const struct hf_kube_resource HF_RES_NODEPOOLS;
extern const struct hf_kube_resource HF_RES_ADAPTERS;
extern const struct hf_kube_resource HF_RES_NAMESPACES;
extern const struct hf_kube_resource HF_RES_CONFIGMAPS;
extern const struct hf_kube_resource HF_RES_EVENTS;
extern const struct hf_kube_resource HF_RES_JOBS;
extern const struct hf_kube_resource HF_RES_LEASES;

struct hf_kube_cause {
	char *reason; /* e.g. FieldValueInvalid */
	char *message;
	char *field; /* e.g. spec.region */
};

/*
 * What went wrong with a request. http_code is 0 when no response arrived
 * (then message holds the transport error). For an HTTP error, reason and
 * message come from the server's Status object when it sent one.
 */
struct hf_kube_error {
	long http_code;
	char *reason; /* NotFound, AlreadyExists, Conflict, Invalid, Gone, Forbidden, ... */
	char *message;
	struct hf_kube_cause *causes;
	size_t ncauses;
	double retry_after; /* seconds, from Retry-After or details, 0 if none */
};

void hf_kube_error_clear(struct hf_kube_error *e);
/*
 * hf_kube_error_parse fills e (clearing it first, but keeping a retry_after
 * already read from a header) from an HTTP error response: the server's
 * Status object when body is one, else an excerpt of the body.
 */
void hf_kube_error_parse(struct hf_kube_error *e, long http_code, const char *body, size_t len);
/* hf_kube_error_is tells whether e is an HTTP error with that status code. */
bool hf_kube_error_is(const struct hf_kube_error *e, long http_code);

struct hf_kube_client_options {
	double qps;		    /* sustained requests per second (default 50) */
	int burst;		    /* burst above qps (default 100) */
	long connect_timeout_ms;    /* default 5000 */
	long request_timeout_ms;    /* default 30000; watches have none */
	const char *user_agent;	    /* default "hyperfleet/<version>" */
	struct hf_metrics *metrics; /* NULL: hf_metrics_default() */
};

/*
 * hf_kube_client_new creates a client for cfg, which it borrows: cfg must
 * outlive the client. opts may be NULL for the defaults.
 */
HF_MUST_CHECK enum hf_err hf_kube_client_new(struct hf_kube_config *cfg,
					     const struct hf_kube_client_options *opts,
					     struct hf_kube_client **out);
void hf_kube_client_free(struct hf_kube_client *c);
const struct hf_kube_config *hf_kube_client_config(const struct hf_kube_client *c);

/* hf_kube_path builds the path of a collection (name NULL) or an object,
 * optionally a subresource ("status"). Returns a new string. */
char *hf_kube_path(const struct hf_kube_resource *res, const char *ns, const char *name,
		   const char *subresource);

/* A query: up to 16 name=value pairs, values escaped by the client. */
struct hf_kube_query {
	const char *names[16];
	const char *values[16];
	int n;
};
void hf_kube_query_add(struct hf_kube_query *q, const char *name, const char *value);

/*
 * hf_kube_request performs one request and stores the response body in out
 * (which the caller initialised). Any status outside 2xx gives HF_ERR_HTTP
 * with err filled; a transport failure gives HF_ERR_IO (or HF_ERR_TIMEOUT)
 * with err->message set. body may be NULL.
 */
HF_MUST_CHECK enum hf_err hf_kube_request(struct hf_kube_client *c, const char *method,
					  const char *path, const struct hf_kube_query *query,
					  const char *content_type, const char *body,
					  struct hf_buf *out, struct hf_kube_error *err);

/* Streaming: called with each chunk of a successful response body. A
 * non-HF_OK return aborts the transfer and is returned by hf_kube_stream. */
typedef enum hf_err (*hf_kube_data_fn)(const char *data, size_t len, void *ctx);
/* Called about once a second while a stream is open; returning true
 * aborts it with HF_ERR_SHUTDOWN. */
typedef bool (*hf_kube_abort_fn)(void *ctx);

/*
 * hf_kube_stream performs a GET whose body is consumed as it arrives (a
 * watch). It has no overall timeout; it ends when the server closes the
 * response, on_data fails, should_abort says so, or the connection fails.
 */
HF_MUST_CHECK enum hf_err hf_kube_stream(struct hf_kube_client *c, const char *path,
					 const struct hf_kube_query *query, hf_kube_data_fn on_data,
					 hf_kube_abort_fn should_abort, void *ctx,
					 struct hf_kube_error *err);

/* Typed verbs. Each returns the server's object JSON in out. */
HF_MUST_CHECK enum hf_err hf_kube_get(struct hf_kube_client *c, const struct hf_kube_resource *res,
				      const char *ns, const char *name, struct hf_buf *out,
				      struct hf_kube_error *err);

struct hf_kube_list_options {
	const char *label_selector;
	const char *field_selector;
	long limit; /* page size, 0 for everything */
	const char *continue_token;
	const char *resource_version;
};
HF_MUST_CHECK enum hf_err hf_kube_list(struct hf_kube_client *c, const struct hf_kube_resource *res,
				       const char *ns, const struct hf_kube_list_options *opts,
				       struct hf_buf *out, struct hf_kube_error *err);

HF_MUST_CHECK enum hf_err hf_kube_create(struct hf_kube_client *c,
					 const struct hf_kube_resource *res, const char *ns,
					 const char *json, struct hf_buf *out,
					 struct hf_kube_error *err);

/* hf_kube_update replaces the object (PUT), optionally its subresource. */
HF_MUST_CHECK enum hf_err hf_kube_update(struct hf_kube_client *c,
					 const struct hf_kube_resource *res, const char *ns,
					 const char *name, const char *subresource,
					 const char *json, struct hf_buf *out,
					 struct hf_kube_error *err);

enum hf_kube_patch_type {
	HF_PATCH_MERGE, /* application/merge-patch+json */
	HF_PATCH_JSON,	/* application/json-patch+json */
	HF_PATCH_APPLY, /* server-side apply, field manager "hyperfleet" */
};
HF_MUST_CHECK enum hf_err hf_kube_patch(struct hf_kube_client *c,
					const struct hf_kube_resource *res, const char *ns,
					const char *name, const char *subresource,
					enum hf_kube_patch_type type, bool force, const char *patch,
					struct hf_buf *out, struct hf_kube_error *err);

struct hf_kube_delete_options {
	const char *propagation; /* "Foreground", "Background", "Orphan" or NULL */
	const char *precondition_uid;
	const char *precondition_resource_version;
};
HF_MUST_CHECK enum hf_err hf_kube_delete(struct hf_kube_client *c,
					 const struct hf_kube_resource *res, const char *ns,
					 const char *name,
					 const struct hf_kube_delete_options *opts,
					 struct hf_kube_error *err);

#endif
