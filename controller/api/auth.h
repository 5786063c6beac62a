/*
 * auth.h: Kubernetes-native authentication and authorization of the REST
 * API (`--auth=kubernetes`; `--auth=none` does not use this module).
 *
 * A call carries `Authorization: Bearer <token>`. The token is checked with
 * a TokenReview (authentication.k8s.io/v1), which names the user, uid and
 * groups; then each Kubernetes access the call amounts to (see
 * hf_api_auth_route_access) is checked with a SubjectAccessReview
 * (authorization.k8s.io/v1) on clusters.hyperfleet.io or
 * nodepools.hyperfleet.io, so RBAC Roles decide who may do what. The
 * outcome is a decision the REST layer turns into a problem+json answer:
 *
 *   no or empty Authorization header          401 HYPERFLEET-AUT-001
 *   not Bearer, or a token the server rejects 401 HYPERFLEET-AUT-002
 *   a token the server calls expired          401 HYPERFLEET-AUT-003
 *   an access RBAC does not grant             403 HYPERFLEET-AUZ-001
 *   the API server unreachable or failing     503 HYPERFLEET-SVC-001
 *
 * A failure of the API server is never "allowed" and is never cached.
 *
 * Caching: answers are kept for a short time so that a busy client costs
 * the API server one review per TTL, not one per call. A TokenReview is
 * cached under the SHA-256 of the token (the token itself is never kept: it
 * lives in memory only for the call, and the buffers that carried it are
 * wiped); a SubjectAccessReview under the SHA-256 of (user, uid, groups,
 * verb, resource, subresource, namespace, name), so that all tokens of one
 * user share it. Positive answers live `ttl` (default 10 s), negative ones
 * (a rejected token, a denied access) `negative_ttl` (default 2 s): a
 * revoked permission takes effect within ttl, a newly granted one within
 * negative_ttl, and a storm of bad tokens still costs the API server only
 * one review per token every negative_ttl. The cache holds at most
 * max_entries (default 10,000) answers; when full it drops expired entries
 * first, then the oldest.
 *
 * Two ways to ask, for the REST server's two kinds of thread:
 *   - hf_api_auth_lookup only consults the cache and never waits on the
 *     network: the HTTP event loop calls it and answers at once when it
 *     returns true;
 *   - hf_api_auth_check may call the API server (blocking for up to the
 *     client's request timeout) and fills the cache: a worker thread calls it
 *     for the calls the lookup could not decide.
 * Two workers missing the same entry at once both ask the API server; the
 * later answer replaces the earlier.
 *
 * Thread safety: everything may be called from any thread, except that
 * hf_api_auth_free must not overlap any other call on the same handle. The
 * cache lock is only ever held for in-memory work (never across a request).
 */
#ifndef HF_API_AUTH_H
#define HF_API_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

struct hf_api_auth;
struct hf_kube_client;
struct hf_kube_error;
struct hf_metrics;

/* The API group of the resources the REST API serves. */
#define HF_API_AUTH_GROUP "hyperfleet.io"

/*
 * A transport for the reviews: POST body (JSON) to path and store a 2xx
 * answer's body in out, like hf_kube_request. Tests replace the API server
 * with one; the default is hf_kube_request on the client.
 */
typedef enum hf_err (*hf_api_auth_post_fn)(void *ctx, const char *path, const char *body,
					   struct hf_buf *out, struct hf_kube_error *err);

struct hf_api_auth_options {
	/* Seconds a positive answer is cached: 0 for the default (10), < 0
	 * to cache nothing (every lookup misses). */
	double ttl;
	/* Seconds a negative answer (token rejected, access denied) is
	 * cached: 0 for the default (2), < 0 not to cache them. */
	double negative_ttl;
	/* Most answers cached at once: 0 for the default (10,000). */
	size_t max_entries;
	/* Registry of the hyperfleet_api_auth_* metrics; NULL:
	 * hf_metrics_default(). */
	struct hf_metrics *metrics;
	/* Monotonic clock in seconds; NULL: hf_monotonic_now. For tests. */
	double (*now)(void);
	/* NULL: hf_kube_request on the client. For tests. */
	hf_api_auth_post_fn post;
	void *post_ctx;
};

/*
 * hf_api_auth_new makes an authenticator that reviews through client, which
 * it borrows (it must outlive the authenticator; it may be NULL when
 * opts->post is set). opts may be NULL for the defaults; it is copied, but
 * the metrics registry is borrowed. Never fails (see util/alloc.h).
 *
 * Metrics registered: hyperfleet_api_auth_requests_total{kind,result}
 * (kind "tokenreview" or "subjectaccessreview", result "allowed", "denied"
 * or "error": one per review sent to the API server) and
 * hyperfleet_api_auth_cache_hits_total{kind} /
 * hyperfleet_api_auth_cache_misses_total{kind} (one per cache consultation,
 * by lookup and by check alike).
 */
struct hf_api_auth *hf_api_auth_new(struct hf_kube_client *client,
				    const struct hf_api_auth_options *opts);
/* hf_api_auth_free frees a and its cache; NULL is a no-op. */
void hf_api_auth_free(struct hf_api_auth *a);

/*
 * One Kubernetes access: the resourceAttributes of a SubjectAccessReview
 * in the group hyperfleet.io. The strings are borrowed. subresource, ns and
 * name may be NULL, which means the same as "": ns "" is all namespaces,
 * name "" is any object (then only RBAC rules without resourceNames grant
 * the access).
 */
struct hf_api_access {
	const char *verb;	 /* get list watch create update patch delete */
	const char *resource;	 /* "clusters" or "nodepools" */
	const char *subresource; /* "" or "status" */
	const char *ns;
	const char *name;
};

/* A call needs at most this many accesses (force-delete needs two). */
#define HF_API_ACCESS_MAX 2

/*
 * What the REST router knows about a call. ids in REST paths are uids; name
 * is the Kubernetes name of the object the id resolved to (NULL when not
 * resolved yet), ns the namespace the call works in ("" or NULL for all).
 */
struct hf_api_route {
	const char *method;   /* GET HEAD POST PUT PATCH DELETE */
	const char *resource; /* "clusters" or "nodepools" (nested routes: the last kind) */
	const char *ns;
	const char *name;
	bool one;	   /* the path addresses one object ({id}), not a collection */
	bool statuses;	   /* the .../statuses sub-resource */
	bool force_delete; /* POST .../{id}/force-delete */
	bool watch;	   /* ?watch=true */
};

/*
 * hf_api_auth_route_access writes into out the accesses a call needs, all
 * of which must be allowed, and returns how many (1 or 2); 0 when the
 * method does not apply to that route (the caller answers 404 or 405). The
 * strings in out are static or borrowed from route.
 *
 *   GET collection              list            (watch with ?watch=true)
 *   GET one                     get             (watch with ?watch=true)
 *   POST collection             create
 *   PATCH one                   patch
 *   PUT one                     update
 *   DELETE one                  delete
 *   POST one/force-delete       delete and patch: a force delete removes
 *                               the finalizers (a patch) and deletes, so
 *                               it needs both rights
 *   GET one/statuses            get on the status subresource
 *   PUT or POST one/statuses    update on the status subresource
 *
 * HEAD counts as GET. Nested routes (/clusters/{id}/nodepools) check the
 * addressed kind only: listing a cluster's node pools needs list on
 * nodepools, not get on the cluster.
 */
size_t hf_api_auth_route_access(const struct hf_api_route *route,
				struct hf_api_access out[HF_API_ACCESS_MAX]);

/* A decision, filled by lookup and check. */
struct hf_api_decision {
	int status;	   /* 0 allowed; else the HTTP status: 401, 403 or 503 */
	const char *code;  /* "HYPERFLEET-AUT-001" ...; NULL when allowed (static) */
	const char *type;  /* problem type suffix, e.g. "authentication-error" (static) */
	const char *title; /* "Authentication Required" ... (static) */
	char detail[512];  /* for the problem's detail; never holds the token */
	char user[512];	   /* the authenticated user name, "" when none */
};

/*
 * hf_api_auth_lookup decides from the cache alone and never blocks on the
 * network. authorization is the header's value (NULL when absent); acc
 * holds nacc accesses (at most HF_API_ACCESS_MAX), all required. Returns
 * true with out filled when it could decide: the header is missing or
 * malformed, the token's review is cached negative, or the token's review
 * and the reviews of the accesses are cached (then out says allowed, or 403
 * for the first access denied; nacc 0 only authenticates). Returns false
 * when something is not cached: the caller hands the call to
 * hf_api_auth_check on a worker. Takes the cache lock briefly.
 */
bool hf_api_auth_lookup(struct hf_api_auth *a, const char *authorization,
			const struct hf_api_access *acc, size_t nacc, struct hf_api_decision *out);

/*
 * hf_api_auth_check decides, asking the API server what the cache does not
 * know, and caches its answers. Blocks on the network: never call it on the
 * event loop. Returns HF_OK when out holds a decision (allowed, 401 or
 * 403); when the API server could not answer, returns the error
 * (HF_ERR_HTTP, HF_ERR_IO, HF_ERR_TIMEOUT, or HF_ERR_INVALID for an answer
 * it could not read) and out says 503 HYPERFLEET-SVC-001 with the server's
 * message in detail. out is filled in every case.
 */
HF_MUST_CHECK enum hf_err hf_api_auth_check(struct hf_api_auth *a, const char *authorization,
					    const struct hf_api_access *acc, size_t nacc,
					    struct hf_api_decision *out);

/* Counters for tests and diagnostics. */
struct hf_api_auth_stats {
	unsigned long long hits;	   /* cache consultations answered */
	unsigned long long misses;	   /* cache consultations not answered */
	unsigned long long token_reviews;  /* TokenReviews sent */
	unsigned long long access_reviews; /* SubjectAccessReviews sent */
	unsigned long long evictions;	   /* live entries dropped to make room */
	size_t entries;			   /* entries held now, expired ones included */
};
void hf_api_auth_stats(struct hf_api_auth *a, struct hf_api_auth_stats *out);

/* The pure parts, exported for the tests. */

enum hf_api_credentials {
	HF_API_CRED_NONE,    /* no header, or only white space: 401 AUT-001 */
	HF_API_CRED_BEARER,  /* a bearer token */
	HF_API_CRED_INVALID, /* another scheme or a malformed token: 401 AUT-002 */
};

/*
 * hf_api_auth_parse reads an Authorization header value (NULL when absent):
 * "Bearer" (any case), one or more spaces, then a token of visible ASCII
 * characters, white space allowed around. For a bearer token it points
 * *token (may be NULL) into authorization and sets *len (may be NULL).
 */
enum hf_api_credentials hf_api_auth_parse(const char *authorization, const char **token,
					  size_t *len);

/* Cache keys: a kind letter ('t' token, 's' access) and 64 hex digits. */
#define HF_API_AUTH_KEY_SIZE 66

/* hf_api_auth_token_key writes the cache key of a token (len bytes). */
void hf_api_auth_token_key(const char *token, size_t len, char out[HF_API_AUTH_KEY_SIZE]);

/* An authenticated identity, as a TokenReview reports it. */
struct hf_api_identity {
	const char *user;
	const char *uid;
	const char *const *groups;
	size_t ngroups;
};

/* hf_api_auth_access_key writes the cache key of an access by id. Fields
 * are length-prefixed before hashing, so no two different tuples share a
 * key; a NULL string counts as "". */
void hf_api_auth_access_key(const struct hf_api_identity *id, const struct hf_api_access *acc,
			    char out[HF_API_AUTH_KEY_SIZE]);

#endif
