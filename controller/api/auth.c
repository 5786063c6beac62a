#include "api/auth.h"

#include <cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/client.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/metrics.h"
#include "util/strmap.h"

#define DEFAULT_TTL	     10.0
#define DEFAULT_NEGATIVE_TTL 2.0
#define DEFAULT_MAX_ENTRIES  10000
/* Caps on what the API server sends back: a review answer is small. */
#define MAX_ANSWER_BYTES (256 * 1024)
#define MAX_GROUPS	 256
#define MAX_FIELD_BYTES	 4096

#define TOKENREVIEWS_PATH	  "/apis/authentication.k8s.io/v1/tokenreviews"
#define SUBJECTACCESSREVIEWS_PATH "/apis/authorization.k8s.io/v1/subjectaccessreviews"

/* Entries live in one of two lists, oldest first. Within a list every
 * entry has the same TTL, so the list is also in order of expiry and the
 * expired entries are always at its head. */
enum { POSITIVE, NEGATIVE, NLISTS };

/* One cached answer: of a TokenReview (key 't...') or of a
 * SubjectAccessReview (key 's...'). */
struct entry {
	char key[HF_API_AUTH_KEY_SIZE];
	struct entry *prev, *next;
	int list;
	double added, expires;
	bool ok; /* authenticated, or allowed */
	/* TokenReview: the identity (when ok). */
	char *user;
	char *uid;
	char **groups;
	size_t ngroups;
	/* TokenReview: status.error; SubjectAccessReview: status.reason. */
	char *detail;
};

struct hf_api_auth {
	struct hf_kube_client *client;
	struct hf_api_auth_options opts;
	double ttl[NLISTS];

	pthread_mutex_t lock; /* guards everything below */
	struct hf_strmap *map;
	struct {
		struct entry *head, *tail;
	} lists[NLISTS];
	struct hf_api_auth_stats stats;

	struct hf_metric_family *requests;
	struct hf_metric_family *hits;
	struct hf_metric_family *misses;
};

static const char *const KIND_TOKEN = "tokenreview";
static const char *const KIND_ACCESS = "subjectaccessreview";

/* ---- the pure parts ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

enum hf_api_credentials hf_api_auth_parse(const char *authorization, const char **token,
					  size_t *len)
{
	if (!authorization)
		return HF_API_CRED_NONE;
	const char *p = authorization;
	while (is_space(*p))
		p++;
	if (!*p)
		return HF_API_CRED_NONE;
	if (strncasecmp(p, "Bearer", 6) != 0 || !is_space(p[6]))
		return HF_API_CRED_INVALID;
	p += 6;
	while (is_space(*p))
		p++;
	const char *start = p;
	while (*p > ' ' && *p < 0x7f)
		p++;
	size_t n = (size_t)(p - start);
	while (is_space(*p))
		p++;
	if (n == 0 || *p)
		return HF_API_CRED_INVALID;
	if (token)
		*token = start;
	if (len)
		*len = n;
	return HF_API_CRED_BEARER;
}

static void sha256_key(char kind, const void *data, size_t len, char out[HF_API_AUTH_KEY_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";
	/* EVP_Digest only fails when out of memory: abort, as hf_malloc does. */
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		abort();
	out[0] = kind;
	for (unsigned int i = 0; i < 32; i++) {
		out[1 + 2 * i] = hex[md[i] >> 4];
		out[2 + 2 * i] = hex[md[i] & 15];
	}
	out[65] = '\0';
}

void hf_api_auth_token_key(const char *token, size_t len, char out[HF_API_AUTH_KEY_SIZE])
{
	sha256_key('t', token, len, out);
}

/* add_field appends "<length>:<bytes>," so that fields cannot run into each
 * other ("ab","c" differs from "a","bc"). */
static void add_field(struct hf_buf *b, const char *s)
{
	if (!s)
		s = "";
	if (hf_buf_printf(b, "%zu:", strlen(s)) || hf_buf_appends(b, s) || hf_buf_appends(b, ","))
		abort(); /* the buffer has no cap: only out of memory */
}

void hf_api_auth_access_key(const struct hf_api_identity *id, const struct hf_api_access *acc,
			    char out[HF_API_AUTH_KEY_SIZE])
{
	struct hf_buf b;
	hf_buf_init(&b, 0);
	add_field(&b, id->user);
	add_field(&b, id->uid);
	if (hf_buf_printf(&b, "%zu:", id->ngroups))
		abort();
	for (size_t i = 0; i < id->ngroups; i++)
		add_field(&b, id->groups[i]);
	add_field(&b, acc->verb);
	add_field(&b, acc->resource);
	add_field(&b, acc->subresource);
	add_field(&b, acc->ns);
	add_field(&b, acc->name);
	sha256_key('s', b.data, b.len, out);
	hf_buf_free(&b);
}

static bool is(const char *a, const char *b)
{
	return a && strcasecmp(a, b) == 0;
}

size_t hf_api_auth_route_access(const struct hf_api_route *r,
				struct hf_api_access out[HF_API_ACCESS_MAX])
{
	struct hf_api_access base = {.resource = r->resource,
				     .subresource = "",
				     .ns = r->ns ? r->ns : "",
				     .name = r->one && r->name ? r->name : ""};
	if (!r->method || !r->resource)
		return 0;
	bool get = is(r->method, "GET") || is(r->method, "HEAD");
	size_t n = 0;
	out[0] = base;
	if (r->statuses) {
		if (!r->one)
			return 0;
		out[0].subresource = "status";
		if (get)
			out[n++].verb = "get";
		else if (is(r->method, "PUT") || is(r->method, "POST"))
			out[n++].verb = "update";
	} else if (r->force_delete) {
		if (r->one && is(r->method, "POST")) {
			out[n++].verb = "delete";
			out[n] = base;
			out[n++].verb = "patch";
		}
	} else if (get) {
		out[n++].verb = r->watch ? "watch" : r->one ? "get" : "list";
	} else if (!r->one) {
		if (is(r->method, "POST"))
			out[n++].verb = "create";
	} else if (is(r->method, "PATCH")) {
		out[n++].verb = "patch";
	} else if (is(r->method, "PUT")) {
		out[n++].verb = "update";
	} else if (is(r->method, "DELETE")) {
		out[n++].verb = "delete";
	}
	return n;
}

/* ---- decisions ---- */

static void decide(struct hf_api_decision *out, int status, const char *code, const char *type,
		   const char *title)
{
	out->status = status;
	out->code = code;
	out->type = type;
	out->title = title;
	out->detail[0] = '\0';
	out->user[0] = '\0';
}

static void allow(struct hf_api_decision *out, const char *user)
{
	decide(out, 0, NULL, NULL, NULL);
	snprintf(out->user, sizeof(out->user), "%s", user);
}

static void credentials_problem(struct hf_api_decision *out, enum hf_api_credentials cred)
{
	if (cred == HF_API_CRED_NONE) {
		decide(out, 401, "HYPERFLEET-AUT-001", "authentication-error",
		       "Authentication Required");
		snprintf(out->detail, sizeof(out->detail),
			 "this API needs an Authorization header with a Bearer token");
	} else {
		decide(out, 401, "HYPERFLEET-AUT-002", "authentication-error",
		       "Invalid Credentials");
		snprintf(out->detail, sizeof(out->detail),
			 "the Authorization header must be \"Bearer <token>\"");
	}
}

/* token_rejected: the API server did not authenticate the token; error is
 * its status.error (may be NULL), never the token. */
static void token_rejected(struct hf_api_decision *out, const char *error)
{
	if (error && strcasestr(error, "expired"))
		decide(out, 401, "HYPERFLEET-AUT-003", "authentication-error", "Invalid Token");
	else
		decide(out, 401, "HYPERFLEET-AUT-002", "authentication-error",
		       "Invalid Credentials");
	snprintf(out->detail, sizeof(out->detail), "%s",
		 error && error[0] ? error : "the token was not accepted");
}

static void access_denied(struct hf_api_decision *out, const char *user,
			  const struct hf_api_access *acc, const char *reason)
{
	decide(out, 403, "HYPERFLEET-AUZ-001", "permission-denied", "Permission Denied");
	snprintf(out->user, sizeof(out->user), "%s", user);
	const char *sub = acc->subresource ? acc->subresource : "";
	const char *ns = acc->ns ? acc->ns : "";
	const char *name = acc->name ? acc->name : "";
	char where[320];
	if (ns[0])
		snprintf(where, sizeof(where), "in the namespace \"%s\"", ns);
	else
		snprintf(where, sizeof(where), "at the cluster scope");
	/* Kubernetes' own wording of a Forbidden error. */
	snprintf(out->detail, sizeof(out->detail),
		 "User \"%s\" cannot %s resource \"%s%s%s\"%s%s%s in API group \"%s\" %s%s%s", user,
		 acc->verb, acc->resource, sub[0] ? "/" : "", sub, name[0] ? " named \"" : "", name,
		 name[0] ? "\"" : "", HF_API_AUTH_GROUP, where, reason && reason[0] ? ": " : "",
		 reason ? reason : "");
}

/* unavailable: the API server could not answer a review (what). */
static void unavailable(struct hf_api_decision *out, const char *what, enum hf_err e,
			const struct hf_kube_error *kerr)
{
	decide(out, 503, "HYPERFLEET-SVC-001", "service-unavailable", "Service Unavailable");
	const char *msg = kerr->message && kerr->message[0] ? kerr->message : hf_err_name(e);
	if (kerr->http_code)
		snprintf(out->detail, sizeof(out->detail), "could not %s: HTTP %ld: %s", what,
			 kerr->http_code, msg);
	else
		snprintf(out->detail, sizeof(out->detail), "could not %s: %s", what, msg);
}

/* ---- the cache ---- */

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	free(e->user);
	free(e->uid);
	for (size_t i = 0; i < e->ngroups; i++)
		free(e->groups[i]);
	free(e->groups);
	free(e->detail);
	free(e);
}

static struct entry *entry_clone(const struct entry *src)
{
	struct entry *e = hf_calloc(1, sizeof(*e));
	memcpy(e->key, src->key, sizeof(e->key));
	e->ok = src->ok;
	e->user = hf_strdup(src->user);
	e->uid = hf_strdup(src->uid);
	e->detail = hf_strdup(src->detail);
	e->ngroups = src->ngroups;
	if (src->ngroups) {
		e->groups = hf_calloc(src->ngroups, sizeof(*e->groups));
		for (size_t i = 0; i < src->ngroups; i++)
			e->groups[i] = hf_strdup(src->groups[i]);
	}
	return e;
}

static double now(const struct hf_api_auth *a)
{
	return a->opts.now();
}

/* unlink_entry takes e out of the map and its list; the caller frees it.
 * Lock held. */
static void unlink_entry(struct hf_api_auth *a, struct entry *e)
{
	hf_strmap_remove(a->map, e->key);
	if (e->prev)
		e->prev->next = e->next;
	else
		a->lists[e->list].head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		a->lists[e->list].tail = e->prev;
	e->prev = e->next = NULL;
}

/* drop_expired frees the expired entries, all at the heads of the lists.
 * Lock held. */
static void drop_expired(struct hf_api_auth *a, double t)
{
	for (int l = 0; l < NLISTS; l++) {
		struct entry *e;
		while ((e = a->lists[l].head) && e->expires <= t) {
			unlink_entry(a, e);
			entry_free(e);
		}
	}
}

/* cache_find returns the live entry under key (owned by the cache: use it
 * only with the lock held), or NULL; counts a hit or a miss. Lock held. */
static const struct entry *cache_find(struct hf_api_auth *a, const char *key, const char *kind)
{
	struct entry *e = hf_strmap_get(a->map, key);
	if (e && e->expires <= now(a)) {
		unlink_entry(a, e);
		entry_free(e);
		e = NULL;
	}
	const char *labels[] = {kind};
	if (e) {
		a->stats.hits++;
		hf_metric_add(a->hits, labels, 1);
	} else {
		a->stats.misses++;
		hf_metric_add(a->misses, labels, 1);
	}
	return e;
}

/* cache_put stores a copy of src (positive or negative by src->ok),
 * replacing an entry under the same key, making room when full. Takes the
 * lock. */
static void cache_put(struct hf_api_auth *a, const struct entry *src)
{
	int list = src->ok ? POSITIVE : NEGATIVE;
	if (a->ttl[list] < 0)
		return;
	struct entry *e = entry_clone(src);
	e->list = list;
	pthread_mutex_lock(&a->lock);
	double t = now(a);
	e->added = t;
	e->expires = t + a->ttl[list];
	struct entry *old = hf_strmap_get(a->map, e->key);
	if (old) {
		unlink_entry(a, old);
		entry_free(old);
	}
	if (hf_strmap_size(a->map) >= a->opts.max_entries)
		drop_expired(a, t);
	while (hf_strmap_size(a->map) >= a->opts.max_entries) {
		struct entry *p = a->lists[POSITIVE].head, *n = a->lists[NEGATIVE].head;
		struct entry *victim = !p ? n : !n ? p : n->added < p->added ? n : p;
		unlink_entry(a, victim);
		entry_free(victim);
		a->stats.evictions++;
	}
	hf_strmap_put(a->map, e->key, e);
	e->prev = a->lists[list].tail;
	if (e->prev)
		e->prev->next = e;
	else
		a->lists[list].head = e;
	a->lists[list].tail = e;
	pthread_mutex_unlock(&a->lock);
}

/* ---- talking to the API server ---- */

static enum hf_err kube_post(void *ctx, const char *path, const char *body, struct hf_buf *out,
			     struct hf_kube_error *err)
{
	return hf_kube_request(ctx, "POST", path, NULL, "application/json", body, out, err);
}

static void count_review(struct hf_api_auth *a, const char *kind, const char *result)
{
	const char *labels[] = {kind, result};
	hf_metric_add(a->requests, labels, 1);
	pthread_mutex_lock(&a->lock);
	if (kind == KIND_TOKEN)
		a->stats.token_reviews++;
	else
		a->stats.access_reviews++;
	pthread_mutex_unlock(&a->lock);
}

/* wipe clears a buffer that held the token, then frees it. */
static void wipe(struct hf_buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->alloc);
	hf_buf_free(b);
}

/* capped_dup copies a string the API server sent, at most MAX_FIELD_BYTES
 * of it; NULL stays NULL. */
static char *capped_dup(const char *s)
{
	return s ? hf_strndup(s, MAX_FIELD_BYTES) : NULL;
}

static const cJSON *member(const cJSON *o, const char *name)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
}

/* read_token_review fills e from a TokenReview's JSON. Returns false when
 * it is not one. */
static bool read_token_review(cJSON *root, struct entry *e)
{
	/* The answer echoes spec.token: wipe it before cJSON frees it. */
	cJSON *tok = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "spec"), "token");
	if (cJSON_IsString(tok) && tok->valuestring)
		OPENSSL_cleanse(tok->valuestring, strlen(tok->valuestring));
	const cJSON *status = member(root, "status");
	if (!cJSON_IsObject(status))
		return false;
	e->ok = cJSON_IsTrue(member(status, "authenticated"));
	e->detail = capped_dup(cJSON_GetStringValue(member(status, "error")));
	if (!e->ok)
		return true;
	const cJSON *user = member(status, "user");
	const char *name = cJSON_GetStringValue(member(user, "username"));
	if (!name || !name[0])
		return false;
	e->user = capped_dup(name);
	e->uid = capped_dup(cJSON_GetStringValue(member(user, "uid")));
	const cJSON *groups = member(user, "groups"), *g;
	if (!cJSON_IsArray(groups))
		return true;
	/* RBAC only grants, so dropping groups past the cap can only deny. */
	int size = cJSON_GetArraySize(groups);
	e->groups = hf_calloc(size < MAX_GROUPS ? (size_t)size + 1 : MAX_GROUPS, sizeof(char *));
	cJSON_ArrayForEach(g, groups)
	{
		if (e->ngroups < MAX_GROUPS && cJSON_IsString(g))
			e->groups[e->ngroups++] = capped_dup(g->valuestring);
	}
	return true;
}

/* token_review_json returns the body of a TokenReview of token. Tokens are
 * visible ASCII (hf_api_auth_parse), so only '"' and '\\' need escaping. The
 * caller wipes and frees the result. */
static char *token_review_json(const char *token, size_t len, size_t *size)
{
	static const char head[] =
		"{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"";
	static const char tail[] = "\"}}";
	*size = sizeof(head) + 2 * len + sizeof(tail);
	char *json = hf_malloc(*size);
	char *p = json;
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	for (size_t i = 0; i < len; i++) {
		if (token[i] == '"' || token[i] == '\\')
			*p++ = '\\';
		*p++ = token[i];
	}
	memcpy(p, tail, sizeof(tail));
	return json;
}

/* review_token asks the API server about a token. On HF_OK *out is a new
 * entry (the caller frees it) with the answer; otherwise dec says 503. */
static enum hf_err review_token(struct hf_api_auth *a, const char *token, size_t len,
				const char *key, struct entry **out, struct hf_api_decision *dec)
{
	struct hf_buf answer;
	hf_buf_init(&answer, MAX_ANSWER_BYTES);
	struct hf_kube_error kerr = {0};
	cJSON *root = NULL;
	struct entry *e = NULL;

	size_t size;
	char *body = token_review_json(token, len, &size);
	enum hf_err err = a->opts.post(a->opts.post_ctx, TOKENREVIEWS_PATH, body, &answer, &kerr);
	OPENSSL_cleanse(body, size);
	free(body);
	if (err)
		goto failed;
	root = cJSON_ParseWithLength(hf_buf_str(&answer), answer.len);
	e = hf_calloc(1, sizeof(*e));
	memcpy(e->key, key, sizeof(e->key));
	if (!root || !read_token_review(root, e)) {
		err = HF_ERR_INVALID;
		kerr.message = hf_strdup("the API server's TokenReview answer is not valid");
		goto failed;
	}
	count_review(a, KIND_TOKEN, e->ok ? "allowed" : "denied");
	*out = e;
	e = NULL;
	goto done;
failed:
	count_review(a, KIND_TOKEN, "error");
	unavailable(dec, "review the token", err, &kerr);
done:
	entry_free(e);
	cJSON_Delete(root);
	wipe(&answer);
	hf_kube_error_clear(&kerr);
	return err;
}

static char *access_review_json(const struct hf_api_identity *id, const struct hf_api_access *acc)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "apiVersion", "authorization.k8s.io/v1");
	cJSON_AddStringToObject(root, "kind", "SubjectAccessReview");
	cJSON *spec = cJSON_AddObjectToObject(root, "spec");
	cJSON_AddStringToObject(spec, "user", id->user);
	if (id->uid && id->uid[0])
		cJSON_AddStringToObject(spec, "uid", id->uid);
	cJSON *groups = cJSON_AddArrayToObject(spec, "groups");
	for (size_t i = 0; i < id->ngroups; i++)
		cJSON_AddItemToArray(groups, cJSON_CreateString(id->groups[i]));
	cJSON *attrs = cJSON_AddObjectToObject(spec, "resourceAttributes");
	cJSON_AddStringToObject(attrs, "group", HF_API_AUTH_GROUP);
	cJSON_AddStringToObject(attrs, "resource", acc->resource);
	if (acc->subresource && acc->subresource[0])
		cJSON_AddStringToObject(attrs, "subresource", acc->subresource);
	cJSON_AddStringToObject(attrs, "verb", acc->verb);
	if (acc->ns && acc->ns[0])
		cJSON_AddStringToObject(attrs, "namespace", acc->ns);
	if (acc->name && acc->name[0])
		cJSON_AddStringToObject(attrs, "name", acc->name);
	char *json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!json)
		abort(); /* cJSON fails only when out of memory */
	return json;
}

/* review_access asks the API server whether id may make the access. On
 * HF_OK *out is a new entry (the caller frees it); otherwise dec says 503. */
static enum hf_err review_access(struct hf_api_auth *a, const struct hf_api_identity *id,
				 const struct hf_api_access *acc, const char *key,
				 struct entry **out, struct hf_api_decision *dec)
{
	struct hf_buf answer;
	hf_buf_init(&answer, MAX_ANSWER_BYTES);
	struct hf_kube_error kerr = {0};
	cJSON *root = NULL;
	struct entry *e = NULL;

	char *body = access_review_json(id, acc);
	enum hf_err err =
		a->opts.post(a->opts.post_ctx, SUBJECTACCESSREVIEWS_PATH, body, &answer, &kerr);
	free(body);
	if (err)
		goto failed;
	root = cJSON_ParseWithLength(hf_buf_str(&answer), answer.len);
	const cJSON *status = member(root, "status");
	if (!cJSON_IsObject(status)) {
		err = HF_ERR_INVALID;
		kerr.message =
			hf_strdup("the API server's SubjectAccessReview answer is not valid");
		goto failed;
	}
	e = hf_calloc(1, sizeof(*e));
	memcpy(e->key, key, sizeof(e->key));
	/* An explicit denial wins over any allowance. */
	e->ok = cJSON_IsTrue(member(status, "allowed")) && !cJSON_IsTrue(member(status, "denied"));
	const char *reason = cJSON_GetStringValue(member(status, "reason"));
	if (!reason || !reason[0])
		reason = cJSON_GetStringValue(member(status, "evaluationError"));
	e->detail = capped_dup(reason);
	count_review(a, KIND_ACCESS, e->ok ? "allowed" : "denied");
	*out = e;
	goto done;
failed:
	count_review(a, KIND_ACCESS, "error");
	unavailable(dec, "review the access", err, &kerr);
done:
	cJSON_Delete(root);
	hf_buf_free(&answer);
	hf_kube_error_clear(&kerr);
	return err;
}

/* ---- the API ---- */

struct hf_api_auth *hf_api_auth_new(struct hf_kube_client *client,
				    const struct hf_api_auth_options *opts)
{
	static const char *const request_labels[] = {"kind", "result", NULL};
	static const char *const kind_label[] = {"kind", NULL};
	struct hf_api_auth *a = hf_calloc(1, sizeof(*a));
	if (opts)
		a->opts = *opts;
	a->client = client;
	if (a->opts.ttl == 0)
		a->opts.ttl = DEFAULT_TTL;
	if (a->opts.negative_ttl == 0)
		a->opts.negative_ttl = DEFAULT_NEGATIVE_TTL;
	if (a->opts.max_entries == 0)
		a->opts.max_entries = DEFAULT_MAX_ENTRIES;
	if (!a->opts.metrics)
		a->opts.metrics = hf_metrics_default();
	if (!a->opts.now)
		a->opts.now = hf_monotonic_now;
	if (!a->opts.post) {
		a->opts.post = kube_post;
		a->opts.post_ctx = client;
	}
	a->ttl[POSITIVE] = a->opts.ttl;
	a->ttl[NEGATIVE] = a->opts.negative_ttl;
	pthread_mutex_init(&a->lock, NULL);
	a->map = hf_strmap_new();
	a->requests = hf_metrics_family(
		a->opts.metrics, "hyperfleet_api_auth_requests_total",
		"Reviews the REST API sent to the Kubernetes API server, by kind and result.",
		HF_METRIC_COUNTER, request_labels, NULL, 0);
	a->hits = hf_metrics_family(a->opts.metrics, "hyperfleet_api_auth_cache_hits_total",
				    "Authentication and authorization answers found in the cache.",
				    HF_METRIC_COUNTER, kind_label, NULL, 0);
	a->misses = hf_metrics_family(a->opts.metrics, "hyperfleet_api_auth_cache_misses_total",
				      "Authentication and authorization answers not in the cache.",
				      HF_METRIC_COUNTER, kind_label, NULL, 0);
	return a;
}

void hf_api_auth_free(struct hf_api_auth *a)
{
	if (!a)
		return;
	for (int l = 0; l < NLISTS; l++) {
		struct entry *e = a->lists[l].head;
		while (e) {
			struct entry *next = e->next;
			entry_free(e);
			e = next;
		}
	}
	hf_strmap_free(a->map, NULL);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static struct hf_api_identity identity_of(const struct entry *t)
{
	return (struct hf_api_identity){.user = t->user,
					.uid = t->uid,
					.groups = (const char *const *)t->groups,
					.ngroups = t->ngroups};
}

bool hf_api_auth_lookup(struct hf_api_auth *a, const char *authorization,
			const struct hf_api_access *acc, size_t nacc, struct hf_api_decision *out)
{
	const char *token;
	size_t len;
	enum hf_api_credentials cred = hf_api_auth_parse(authorization, &token, &len);
	if (cred != HF_API_CRED_BEARER) {
		credentials_problem(out, cred);
		return true;
	}
	char key[HF_API_AUTH_KEY_SIZE];
	hf_api_auth_token_key(token, len, key);
	bool decided = false;
	pthread_mutex_lock(&a->lock);
	/* Entries are the cache's: used only while the lock is held. */
	const struct entry *t = cache_find(a, key, KIND_TOKEN);
	if (!t)
		goto unlock;
	if (!t->ok) {
		token_rejected(out, t->detail);
		decided = true;
		goto unlock;
	}
	struct hf_api_identity id = identity_of(t);
	for (size_t i = 0; i < nacc; i++) {
		hf_api_auth_access_key(&id, &acc[i], key);
		const struct entry *s = cache_find(a, key, KIND_ACCESS);
		if (!s)
			goto unlock;
		if (!s->ok) {
			access_denied(out, t->user, &acc[i], s->detail);
			decided = true;
			goto unlock;
		}
	}
	allow(out, t->user);
	decided = true;
unlock:
	pthread_mutex_unlock(&a->lock);
	return decided;
}

enum hf_err hf_api_auth_check(struct hf_api_auth *a, const char *authorization,
			      const struct hf_api_access *acc, size_t nacc,
			      struct hf_api_decision *out)
{
	const char *token;
	size_t len;
	enum hf_api_credentials cred = hf_api_auth_parse(authorization, &token, &len);
	if (cred != HF_API_CRED_BEARER) {
		credentials_problem(out, cred);
		return HF_OK;
	}
	char key[HF_API_AUTH_KEY_SIZE];
	hf_api_auth_token_key(token, len, key);
	enum hf_err err = HF_OK;
	struct entry *tok = NULL; /* ours: a copy of the cached entry, or the answer */

	pthread_mutex_lock(&a->lock);
	const struct entry *cached = cache_find(a, key, KIND_TOKEN);
	if (cached)
		tok = entry_clone(cached);
	pthread_mutex_unlock(&a->lock);
	if (!tok) {
		err = review_token(a, token, len, key, &tok, out);
		if (err)
			return err;
		cache_put(a, tok);
	}
	if (!tok->ok) {
		token_rejected(out, tok->detail);
		goto done;
	}

	struct hf_api_identity id = identity_of(tok);
	for (size_t i = 0; i < nacc; i++) {
		hf_api_auth_access_key(&id, &acc[i], key);
		struct entry *s = NULL;
		pthread_mutex_lock(&a->lock);
		cached = cache_find(a, key, KIND_ACCESS);
		if (cached)
			s = entry_clone(cached);
		pthread_mutex_unlock(&a->lock);
		if (!s) {
			err = review_access(a, &id, &acc[i], key, &s, out);
			if (err)
				goto done;
			cache_put(a, s);
		}
		bool ok = s->ok;
		if (!ok)
			access_denied(out, tok->user, &acc[i], s->detail);
		entry_free(s);
		if (!ok)
			goto done;
	}
	allow(out, tok->user);
done:
	entry_free(tok);
	return err;
}

void hf_api_auth_stats(struct hf_api_auth *a, struct hf_api_auth_stats *out)
{
	pthread_mutex_lock(&a->lock);
	*out = a->stats;
	out->entries = hf_strmap_size(a->map);
	pthread_mutex_unlock(&a->lock);
}
