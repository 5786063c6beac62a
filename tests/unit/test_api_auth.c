/*
 * Unit tests of the REST API's authentication and authorization
 * (controller/api/auth.c): the Authorization header, cache keys, the route
 * to verb mapping, and the decisions, caching and failures against a fake
 * API server and a fake clock.
 */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "kube/client.h"
#include "lib/metrics_text.h"
#include "util/alloc.h"
#include "util/metrics.h"

/* ---- the Authorization header ---- */

static void assert_bearer(const char *header, const char *want)
{
	const char *token = NULL;
	size_t len = 0;
	cr_assert_eq(hf_api_auth_parse(header, &token, &len), HF_API_CRED_BEARER, "[%s]", header);
	cr_assert_eq(len, strlen(want), "[%s]: length %zu", header, len);
	cr_assert_eq(strncmp(token, want, len), 0, "[%s]", header);
}

Test(auth_parse, a_missing_or_blank_header_is_no_credentials)
{
	cr_assert_eq(hf_api_auth_parse(NULL, NULL, NULL), HF_API_CRED_NONE);
	cr_assert_eq(hf_api_auth_parse("", NULL, NULL), HF_API_CRED_NONE);
	cr_assert_eq(hf_api_auth_parse("  \t ", NULL, NULL), HF_API_CRED_NONE);
}

Test(auth_parse, bearer_tokens_in_any_case_with_white_space_around)
{
	assert_bearer("Bearer abc", "abc");
	assert_bearer("bearer abc", "abc");
	assert_bearer("BEARER abc", "abc");
	assert_bearer("  Bearer \t  abc.def-ghi_~+/==  \t", "abc.def-ghi_~+/==");
	assert_bearer("Bearer\tx", "x");
	assert_bearer("Bearer a\"b\\c", "a\"b\\c");
}

Test(auth_parse, other_schemes_and_malformed_tokens_are_invalid)
{
	const char *bad[] = {"Basic dXNlcjpwYXNz", "Bearer",	     "Bearer ",
			     "Bearer   \t",	   "Bearerabc",	     "Bearer abc def",
			     "Bearer abc\x01",	   "Bearer abc\x7f", "Bearer ab\xc3\xa9",
			     "Bearer abc\r\n",	   "Token abc",	     "abc"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *token = "untouched";
		cr_assert_eq(hf_api_auth_parse(bad[i], &token, NULL), HF_API_CRED_INVALID, "[%s]",
			     bad[i]);
		cr_assert_str_eq(token, "untouched");
	}
}

/* ---- cache keys ---- */

Test(auth_keys, a_token_key_is_its_sha256_in_hex)
{
	char key[HF_API_AUTH_KEY_SIZE];
	hf_api_auth_token_key("abc", 3, key);
	cr_assert_str_eq(key, "tba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hf_api_auth_token_key("abcd", 3, key); /* only len bytes count */
	cr_assert_str_eq(key, "tba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hf_api_auth_token_key("abd", 3, key);
	cr_assert_str_neq(key, "tba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cr_assert_null(strstr(key, "abd"));
}

static void access_key(const char *user, const char *uid, const char *const *groups, size_t ngroups,
		       const struct hf_api_access *acc, char *out)
{
	struct hf_api_identity id = {
		.user = user, .uid = uid, .groups = groups, .ngroups = ngroups};
	hf_api_auth_access_key(&id, acc, out);
	cr_assert_eq(out[0], 's');
	cr_assert_eq(strlen(out), HF_API_AUTH_KEY_SIZE - 1);
}

Test(auth_keys, access_keys_differ_in_every_field_and_fields_never_run_together)
{
	const char *g1[] = {"devs", "ops"};
	const char *g2[] = {"devs"};
	const char *g3[] = {"devsops"};
	const char *g4[] = {"ops", "devs"};
	struct hf_api_access base = {"get", "clusters", "", "ns1", "c1"};
	struct {
		const char *user, *uid;
		const char *const *groups;
		size_t ngroups;
		struct hf_api_access acc;
	} cases[] = {
		{"alice", "u1", g1, 2, base},
		{"bob", "u1", g1, 2, base},
		{"alice", "u2", g1, 2, base},
		{"alice", "u1", g2, 1, base},
		{"alice", "u1", g3, 1, base},
		{"alice", "u1", g4, 2, base},
		{"alice", "u1", NULL, 0, base},
		{"alice", "u1", g1, 2, {"list", "clusters", "", "ns1", "c1"}},
		{"alice", "u1", g1, 2, {"get", "nodepools", "", "ns1", "c1"}},
		{"alice", "u1", g1, 2, {"get", "clusters", "status", "ns1", "c1"}},
		{"alice", "u1", g1, 2, {"get", "clusters", "", "ns2", "c1"}},
		{"alice", "u1", g1, 2, {"get", "clusters", "", "", "c1"}},
		{"alice", "u1", g1, 2, {"get", "clusters", "", "ns1", ""}},
		/* Boundaries: "ns1" + "c1" against "ns" + "1c1", user + uid. */
		{"alice", "u1", g1, 2, {"get", "clusters", "", "ns", "1c1"}},
		{"aliceu", "1", g1, 2, base},
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);
	char keys[sizeof(cases) / sizeof(cases[0])][HF_API_AUTH_KEY_SIZE];
	for (size_t i = 0; i < n; i++)
		access_key(cases[i].user, cases[i].uid, cases[i].groups, cases[i].ngroups,
			   &cases[i].acc, keys[i]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			cr_assert_str_neq(keys[i], keys[j], "cases %zu and %zu share a key", i, j);

	/* The same tuple gives the same key; NULL means "". */
	char again[HF_API_AUTH_KEY_SIZE];
	access_key("alice", "u1", g1, 2, &base, again);
	cr_assert_str_eq(again, keys[0]);
	struct hf_api_access nulls = {"get", "clusters", NULL, NULL, NULL};
	struct hf_api_access empties = {"get", "clusters", "", "", ""};
	char k1[HF_API_AUTH_KEY_SIZE], k2[HF_API_AUTH_KEY_SIZE];
	access_key("alice", NULL, NULL, 0, &nulls, k1);
	access_key("alice", "", NULL, 0, &empties, k2);
	cr_assert_str_eq(k1, k2);
}

/* ---- routes ---- */

struct route_case {
	const char *method;
	const char *resource;
	bool one, statuses, force_delete, watch;
	size_t n;
	const char *verb0, *sub0, *verb1;
};

Test(auth_route, every_route_maps_to_its_kubernetes_verbs)
{
	struct route_case cases[] = {
		{"GET", "clusters", false, false, false, false, 1, "list", "", NULL},
		{"HEAD", "clusters", false, false, false, false, 1, "list", "", NULL},
		{"GET", "clusters", false, false, false, true, 1, "watch", "", NULL},
		{"GET", "nodepools", true, false, false, false, 1, "get", "", NULL},
		{"GET", "nodepools", true, false, false, true, 1, "watch", "", NULL},
		{"POST", "clusters", false, false, false, false, 1, "create", "", NULL},
		{"POST", "nodepools", false, false, false, false, 1, "create", "", NULL},
		{"PATCH", "clusters", true, false, false, false, 1, "patch", "", NULL},
		{"PUT", "clusters", true, false, false, false, 1, "update", "", NULL},
		{"DELETE", "nodepools", true, false, false, false, 1, "delete", "", NULL},
		{"POST", "clusters", true, false, true, false, 2, "delete", "", "patch"},
		{"GET", "clusters", true, true, false, false, 1, "get", "status", NULL},
		{"PUT", "nodepools", true, true, false, false, 1, "update", "status", NULL},
		{"POST", "clusters", true, true, false, false, 1, "update", "status", NULL},
		{"get", "clusters", false, false, false, false, 1, "list", "", NULL},
		/* Not routes. */
		{"POST", "clusters", true, false, false, false, 0, NULL, NULL, NULL},
		{"PATCH", "clusters", false, false, false, false, 0, NULL, NULL, NULL},
		{"DELETE", "clusters", false, false, false, false, 0, NULL, NULL, NULL},
		{"PUT", "clusters", false, false, false, false, 0, NULL, NULL, NULL},
		{"GET", "clusters", false, false, true, false, 0, NULL, NULL, NULL},
		{"DELETE", "clusters", true, false, true, false, 0, NULL, NULL, NULL},
		{"GET", "clusters", false, true, false, false, 0, NULL, NULL, NULL},
		{"DELETE", "clusters", true, true, false, false, 0, NULL, NULL, NULL},
		{"OPTIONS", "clusters", false, false, false, false, 0, NULL, NULL, NULL},
		{NULL, "clusters", false, false, false, false, 0, NULL, NULL, NULL},
		{"GET", NULL, false, false, false, false, 0, NULL, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct route_case *c = &cases[i];
		struct hf_api_route r = {.method = c->method,
					 .resource = c->resource,
					 .ns = "ns1",
					 .name = "obj",
					 .one = c->one,
					 .statuses = c->statuses,
					 .force_delete = c->force_delete,
					 .watch = c->watch};
		struct hf_api_access out[HF_API_ACCESS_MAX];
		size_t n = hf_api_auth_route_access(&r, out);
		cr_assert_eq(n, c->n, "case %zu (%s): %zu accesses", i, c->method, n);
		if (!n)
			continue;
		cr_assert_str_eq(out[0].verb, c->verb0, "case %zu", i);
		cr_assert_str_eq(out[0].subresource, c->sub0, "case %zu", i);
		cr_assert_str_eq(out[0].resource, c->resource, "case %zu", i);
		cr_assert_str_eq(out[0].ns, "ns1", "case %zu", i);
		cr_assert_str_eq(out[0].name, c->one ? "obj" : "", "case %zu", i);
		if (n == 2) {
			cr_assert_str_eq(out[1].verb, c->verb1, "case %zu", i);
			cr_assert_str_eq(out[1].resource, c->resource);
			cr_assert_str_eq(out[1].subresource, "");
			cr_assert_str_eq(out[1].name, "obj");
		}
	}
}

Test(auth_route, all_namespaces_and_unresolved_names_become_empty)
{
	struct hf_api_route r = {.method = "GET", .resource = "clusters", .one = true};
	struct hf_api_access out[HF_API_ACCESS_MAX];
	cr_assert_eq(hf_api_auth_route_access(&r, out), 1);
	cr_assert_str_eq(out[0].ns, "");
	cr_assert_str_eq(out[0].name, "");
	/* A collection never names an object. */
	r = (struct hf_api_route){.method = "GET", .resource = "clusters", .name = "x"};
	cr_assert_eq(hf_api_auth_route_access(&r, out), 1);
	cr_assert_str_eq(out[0].name, "");
}

/* ---- decisions against a fake API server ---- */

/*
 * The fake API server. Tokens: "alice-*" and "alice2" are alice (uid u1,
 * groups devs and system:authenticated), "bob" is bob, "expired" is refused
 * as expired, anything else as invalid. alice may do what grants lists
 * ("verb resource[/sub]" items separated by ','); bob nothing. It answers
 * like a real API server, echoing spec.token.
 */
struct fake {
	pthread_mutex_t lock;
	int token_calls, access_calls;
	enum hf_err fail;	  /* every call fails with this */
	long fail_code;		  /* ... and this HTTP code */
	const char *token_answer; /* a canned TokenReview answer */
	const char *access_answer;
	const char *grants;
	const char *deny_reason;
	char last_token_body[4096];
	char last_access_body[4096];
	char last_token[256];
};

static struct fake fake = {.lock = PTHREAD_MUTEX_INITIALIZER,
			   .grants = "get clusters,list clusters,update clusters/status"};
static double fake_time = 1000;

static double fake_now(void)
{
	return fake_time;
}

static bool granted(const char *grants, const char *verb, const char *resource, const char *sub)
{
	char want[128];
	snprintf(want, sizeof(want), "%s %s%s%s", verb, resource, sub && sub[0] ? "/" : "",
		 sub ? sub : "");
	size_t n = strlen(want);
	for (const char *p = grants; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, want, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static enum hf_err answer_token(cJSON *req, struct hf_buf *out)
{
	cJSON *spec = cJSON_GetObjectItem(req, "spec");
	const char *token = cJSON_GetStringValue(cJSON_GetObjectItem(spec, "token"));
	cr_assert_not_null(token);
	snprintf(fake.last_token, sizeof(fake.last_token), "%s", token);
	cJSON *status = cJSON_AddObjectToObject(req, "status");
	if (strncmp(token, "alice", 5) == 0 || strcmp(token, "bob") == 0) {
		bool alice = token[0] == 'a';
		cJSON_AddTrueToObject(status, "authenticated");
		cJSON *user = cJSON_AddObjectToObject(status, "user");
		cJSON_AddStringToObject(user, "username", alice ? "alice" : "bob");
		cJSON_AddStringToObject(user, "uid", alice ? "u1" : "u2");
		cJSON *groups = cJSON_AddArrayToObject(user, "groups");
		if (alice)
			cJSON_AddItemToArray(groups, cJSON_CreateString("devs"));
		cJSON_AddItemToArray(groups, cJSON_CreateString("system:authenticated"));
	} else {
		cJSON_AddFalseToObject(status, "authenticated");
		cJSON_AddStringToObject(
			status, "error",
			strcmp(token, "expired") == 0
				? "[invalid bearer token, token is expired (exp)]"
				: "[invalid bearer token, square/go-jose: compact JWS "
				  "format must have three parts]");
	}
	char *json = cJSON_PrintUnformatted(req);
	enum hf_err e = hf_buf_appends(out, json);
	free(json);
	return e;
}

static enum hf_err answer_access(cJSON *req, struct hf_buf *out)
{
	cJSON *spec = cJSON_GetObjectItem(req, "spec");
	const char *user = cJSON_GetStringValue(cJSON_GetObjectItem(spec, "user"));
	cJSON *attrs = cJSON_GetObjectItem(spec, "resourceAttributes");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(attrs, "group")),
			 "hyperfleet.io");
	bool allowed =
		strcmp(user, "alice") == 0 &&
		granted(fake.grants, cJSON_GetStringValue(cJSON_GetObjectItem(attrs, "verb")),
			cJSON_GetStringValue(cJSON_GetObjectItem(attrs, "resource")),
			cJSON_GetStringValue(cJSON_GetObjectItem(attrs, "subresource")));
	cJSON *status = cJSON_AddObjectToObject(req, "status");
	cJSON_AddBoolToObject(status, "allowed", allowed);
	const char *reason = allowed ? "RBAC: allowed by RoleBinding \"r/ns1\"" : fake.deny_reason;
	if (reason)
		cJSON_AddStringToObject(status, "reason", reason);
	char *json = cJSON_PrintUnformatted(req);
	enum hf_err e = hf_buf_appends(out, json);
	free(json);
	return e;
}

static enum hf_err fake_post(void *ctx, const char *path, const char *body, struct hf_buf *out,
			     struct hf_kube_error *err)
{
	cr_assert_eq(ctx, &fake);
	pthread_mutex_lock(&fake.lock);
	bool token = strcmp(path, "/apis/authentication.k8s.io/v1/tokenreviews") == 0;
	if (token) {
		fake.token_calls++;
		snprintf(fake.last_token_body, sizeof(fake.last_token_body), "%s", body);
	} else {
		cr_assert_str_eq(path, "/apis/authorization.k8s.io/v1/subjectaccessreviews");
		fake.access_calls++;
		snprintf(fake.last_access_body, sizeof(fake.last_access_body), "%s", body);
	}
	enum hf_err e = HF_OK;
	if (fake.fail) {
		err->http_code = fake.fail_code;
		err->message = hf_strdup(fake.fail_code ? "etcdserver: request timed out"
							: "Failed to connect to 10.0.0.1 port 443");
		e = fake.fail;
	} else if (token && fake.token_answer) {
		e = hf_buf_appends(out, fake.token_answer);
	} else if (!token && fake.access_answer) {
		e = hf_buf_appends(out, fake.access_answer);
	} else {
		cJSON *req = cJSON_Parse(body);
		cr_assert_not_null(req, "the review is not JSON: %s", body);
		cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(req, "kind")),
				 token ? "TokenReview" : "SubjectAccessReview");
		e = token ? answer_token(req, out) : answer_access(req, out);
		cJSON_Delete(req);
	}
	pthread_mutex_unlock(&fake.lock);
	return e;
}

static struct hf_metrics *registry;

static struct hf_api_auth *fake_auth(double ttl, double negative_ttl, size_t max_entries)
{
	registry = hf_metrics_new();
	struct hf_api_auth_options opts = {.ttl = ttl,
					   .negative_ttl = negative_ttl,
					   .max_entries = max_entries,
					   .metrics = registry,
					   .now = fake_now,
					   .post = fake_post,
					   .post_ctx = &fake};
	return hf_api_auth_new(NULL, &opts);
}

static void done(struct hf_api_auth *a)
{
	hf_api_auth_free(a);
	hf_metrics_free(registry);
}

static const struct hf_api_access LIST = {"list", "clusters", "", "ns1", ""};
static const struct hf_api_access CREATE = {"create", "clusters", "", "ns1", ""};
static const struct hf_api_access STATUS = {"update", "clusters", "status", "ns1", "c1"};

static struct hf_api_decision check(struct hf_api_auth *a, const char *header,
				    const struct hf_api_access *acc, size_t nacc, enum hf_err want)
{
	struct hf_api_decision d;
	memset(&d, 0x5a, sizeof(d));
	enum hf_err e = hf_api_auth_check(a, header, acc, nacc, &d);
	cr_assert_eq(e, want, "check returned %s", hf_err_name(e));
	return d;
}

static void assert_decision(const struct hf_api_decision *d, int status, const char *code)
{
	cr_assert_eq(d->status, status, "status %d (%s)", d->status, d->detail);
	if (code) {
		cr_assert_str_eq(d->code, code);
		cr_assert_not_null(d->title);
		cr_assert_not_null(d->type);
	} else {
		cr_assert_null(d->code);
	}
}

Test(auth_decide, a_missing_or_non_bearer_header_is_401_without_asking_the_server)
{
	struct hf_api_auth *a = fake_auth(0, 0, 0);
	struct hf_api_decision d = check(a, NULL, &LIST, 1, HF_OK);
	assert_decision(&d, 401, "HYPERFLEET-AUT-001");
	cr_assert_str_eq(d.title, "Authentication Required");
	cr_assert_str_eq(d.type, "authentication-error");
	cr_assert_str_eq(d.user, "");
	cr_assert(hf_api_auth_lookup(a, "", &LIST, 1, &d));
	assert_decision(&d, 401, "HYPERFLEET-AUT-001");

	d = check(a, "Basic c2VjcmV0OnNlY3JldA==", &LIST, 1, HF_OK);
	assert_decision(&d, 401, "HYPERFLEET-AUT-002");
	cr_assert_str_eq(d.title, "Invalid Credentials");
	cr_assert_null(strstr(d.detail, "c2VjcmV0"));
	cr_assert(hf_api_auth_lookup(a, "Bearer two words", &LIST, 1, &d));
	assert_decision(&d, 401, "HYPERFLEET-AUT-002");
	cr_assert_eq(fake.token_calls + fake.access_calls, 0);
	done(a);
}

Test(auth_decide, an_allowed_call_is_reviewed_once_then_answered_from_the_cache)
{
	struct hf_api_auth *a = fake_auth(0, 0, 0);
	struct hf_api_decision d;
	cr_assert_not(hf_api_auth_lookup(a, "Bearer alice-1", &LIST, 1, &d));

	d = check(a, "Bearer alice-1", &LIST, 1, HF_OK);
	assert_decision(&d, 0, NULL);
	cr_assert_str_eq(d.user, "alice");
	cr_assert_eq(fake.token_calls, 1);
	cr_assert_eq(fake.access_calls, 1);

	/* Both reviews as the API server expects them. */
	cJSON *tr = cJSON_Parse(fake.last_token_body);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(tr, "apiVersion")),
			 "authentication.k8s.io/v1");
	cr_assert_str_eq(fake.last_token, "alice-1");
	cJSON_Delete(tr);
	cJSON *sar = cJSON_Parse(fake.last_access_body);
	cJSON *spec = cJSON_GetObjectItem(sar, "spec");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(sar, "apiVersion")),
			 "authorization.k8s.io/v1");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(spec, "user")), "alice");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(spec, "uid")), "u1");
	cJSON *groups = cJSON_GetObjectItem(spec, "groups");
	cr_assert_eq(cJSON_GetArraySize(groups), 2);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(groups, 0)), "devs");
	cJSON *attrs = cJSON_GetObjectItem(spec, "resourceAttributes");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(attrs, "verb")), "list");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(attrs, "resource")), "clusters");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(attrs, "namespace")), "ns1");
	cr_assert_null(cJSON_GetObjectItem(attrs, "subresource"));
	cr_assert_null(cJSON_GetObjectItem(attrs, "name"));
	cJSON_Delete(sar);

	/* Again: from the cache, by check and by lookup. */
	d = check(a, "Bearer alice-1", &LIST, 1, HF_OK);
	assert_decision(&d, 0, NULL);
	memset(&d, 0, sizeof(d));
	cr_assert(hf_api_auth_lookup(a, "bearer   alice-1 ", &LIST, 1, &d));
	assert_decision(&d, 0, NULL);
	cr_assert_str_eq(d.user, "alice");
	cr_assert_eq(fake.token_calls, 1);
	cr_assert_eq(fake.access_calls, 1);

	struct hf_api_auth_stats st;
	hf_api_auth_stats(a, &st);
	cr_assert_eq(st.token_reviews, 1);
	cr_assert_eq(st.access_reviews, 1);
	cr_assert_eq(st.entries, 2);
	cr_assert_eq(st.misses, 3); /* the first lookup's token, then check's two */
	cr_assert_eq(st.hits, 4);

	/* Another token of the same user shares the access answer. */
	d = check(a, "Bearer alice-2", &LIST, 1, HF_OK);
	assert_decision(&d, 0, NULL);
	cr_assert_eq(fake.token_calls, 2);
	cr_assert_eq(fake.access_calls, 1);
	done(a);
}

Test(auth_decide, a_status_update_names_the_subresource_and_the_object)
{
	struct hf_api_auth *a = fake_auth(0, 0, 0);
	struct hf_api_decision d = check(a, "Bearer alice-1", &STATUS, 1, HF_OK);
	assert_decision(&d, 0, NULL);
	cJSON *sar = cJSON_Parse(fake.last_access_body);
	cJSON *attrs = cJSON_GetObjectItem(cJSON_GetObjectItem(sar, "spec"), "resourceAttributes");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(attrs, "subresource")), "status");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(attrs, "name")), "c1");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(attrs, "verb")), "update");
	cJSON_Delete(sar);
	/* get on status is another access, not granted. */
	struct hf_api_access get_status = {"get", "clusters", "status", "ns1", "c1"};
	d = check(a, "Bearer alice-1", &get_status, 1, HF_OK);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	done(a);
}

Test(auth_decide, a_denied_access_is_403_in_kubernetes_words)
{
	struct hf_api_auth *a = fake_auth(0, 0, 0);
	fake.deny_reason = "no RBAC policy matched";
	struct hf_api_decision d = check(a, "Bearer alice-1", &CREATE, 1, HF_OK);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	cr_assert_str_eq(d.title, "Permission Denied");
	cr_assert_str_eq(d.type, "permission-denied");
	cr_assert_str_eq(d.user, "alice");
	cr_assert_str_eq(d.detail,
			 "User \"alice\" cannot create resource \"clusters\" in API group "
			 "\"hyperfleet.io\" in the namespace \"ns1\": no RBAC policy matched");
	cr_assert(hf_api_auth_lookup(a, "Bearer alice-1", &CREATE, 1, &d));
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	cr_assert_str_eq(d.detail,
			 "User \"alice\" cannot create resource \"clusters\" in API group "
			 "\"hyperfleet.io\" in the namespace \"ns1\": no RBAC policy matched");

	fake.deny_reason = NULL;
	struct hf_api_access all = {"get", "clusters", "status", "", "c9"};
	d = check(a, "Bearer bob", &all, 1, HF_OK);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	cr_assert_str_eq(d.detail, "User \"bob\" cannot get resource \"clusters/status\" named "
				   "\"c9\" in API group \"hyperfleet.io\" at the cluster scope");
	done(a);
}

Test(auth_decide, an_explicit_denial_wins_and_evaluation_errors_are_shown)
{
	struct hf_api_auth *a = fake_auth(0, 0, 0);
	fake.access_answer = "{\"status\":{\"allowed\":true,\"denied\":true}}";
	struct hf_api_decision d = check(a, "Bearer alice-1", &LIST, 1, HF_OK);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	fake.access_answer =
		"{\"status\":{\"allowed\":false,\"evaluationError\":\"webhook timed out\"}}";
	d = check(a, "Bearer alice-1", &CREATE, 1, HF_OK);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	cr_assert(strstr(d.detail, ": webhook timed out"), "%s", d.detail);
	done(a);
}

Test(auth_decide, force_delete_needs_both_delete_and_patch)
{
	struct hf_api_auth *a = fake_auth(0, 0, 0);
	struct hf_api_route r = {.method = "POST",
				 .resource = "clusters",
				 .ns = "ns1",
				 .name = "c1",
				 .one = true,
				 .force_delete = true};
	struct hf_api_access acc[HF_API_ACCESS_MAX];
	size_t n = hf_api_auth_route_access(&r, acc);
	cr_assert_eq(n, 2);

	fake.grants = "delete clusters";
	struct hf_api_decision d = check(a, "Bearer alice-1", acc, n, HF_OK);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	cr_assert(strstr(d.detail, "cannot patch resource \"clusters\" named \"c1\""), "%s",
		  d.detail);
	cr_assert_eq(fake.access_calls, 2);
	cr_assert(hf_api_auth_lookup(a, "Bearer alice-1", acc, n, &d));
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");

	/* The first denial stops the check: no review of the second access. */
	fake.grants = "patch clusters";
	d = check(a, "Bearer bob", acc, n, HF_OK);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	cr_assert(strstr(d.detail, "cannot delete"), "%s", d.detail);
	cr_assert_eq(fake.access_calls, 3);

	fake.grants = "delete clusters,patch clusters";
	fake_time += 2.5; /* the denials expire */
	d = check(a, "Bearer alice-1", acc, n, HF_OK);
	assert_decision(&d, 0, NULL);
	cr_assert(hf_api_auth_lookup(a, "Bearer alice-1", acc, n, &d));
	assert_decision(&d, 0, NULL);
	/* Authentication only. */
	d = check(a, "Bearer alice-1", NULL, 0, HF_OK);
	assert_decision(&d, 0, NULL);
	done(a);
}

Test(auth_decide, a_rejected_token_is_401_with_the_servers_error_and_never_the_token)
{
	struct hf_api_auth *a = fake_auth(0, 0, 0);
	struct hf_api_decision d = check(a, "Bearer not-a-jwt", &LIST, 1, HF_OK);
	assert_decision(&d, 401, "HYPERFLEET-AUT-002");
	cr_assert_str_eq(d.title, "Invalid Credentials");
	cr_assert_str_eq(d.detail, "[invalid bearer token, square/go-jose: compact JWS format "
				   "must have three parts]");
	cr_assert_str_eq(d.user, "");
	cr_assert_eq(fake.access_calls, 0);

	d = check(a, "Bearer expired", &LIST, 1, HF_OK);
	assert_decision(&d, 401, "HYPERFLEET-AUT-003");
	cr_assert_str_eq(d.title, "Invalid Token");

	/* A server answer without an error. */
	fake.token_answer = "{\"status\":{\"authenticated\":false}}";
	d = check(a, "Bearer other", &LIST, 1, HF_OK);
	assert_decision(&d, 401, "HYPERFLEET-AUT-002");
	cr_assert_str_eq(d.detail, "the token was not accepted");
	cr_assert(hf_api_auth_lookup(a, "Bearer other", &LIST, 1, &d));
	assert_decision(&d, 401, "HYPERFLEET-AUT-002");
	done(a);
}

Test(auth_decide, a_token_with_json_metacharacters_reaches_the_server_intact)
{
	struct hf_api_auth *a = fake_auth(0, 0, 0);
	struct hf_api_decision d = check(a, "Bearer alice\"},\"x\\\":{", &LIST, 1, HF_OK);
	assert_decision(&d, 0, NULL);
	cr_assert_str_eq(fake.last_token, "alice\"},\"x\\\":{");
	done(a);
}

Test(auth_cache, positive_answers_live_ttl_and_negative_ones_negative_ttl)
{
	struct hf_api_auth *a = fake_auth(0, 0, 0); /* defaults: 10 s and 2 s */
	struct hf_api_decision d;
	(void)check(a, "Bearer alice-1", &LIST, 1, HF_OK);
	(void)check(a, "Bearer alice-1", &CREATE, 1, HF_OK);
	(void)check(a, "Bearer garbage", &LIST, 1, HF_OK);
	cr_assert_eq(fake.token_calls, 2);
	cr_assert_eq(fake.access_calls, 2);

	fake_time += 1.9;
	cr_assert(hf_api_auth_lookup(a, "Bearer garbage", &LIST, 1, &d));
	cr_assert(hf_api_auth_lookup(a, "Bearer alice-1", &CREATE, 1, &d));
	fake_time += 0.1; /* 2 s */
	cr_assert_not(hf_api_auth_lookup(a, "Bearer garbage", &LIST, 1, &d));
	cr_assert_not(hf_api_auth_lookup(a, "Bearer alice-1", &CREATE, 1, &d));
	cr_assert(hf_api_auth_lookup(a, "Bearer alice-1", &LIST, 1, &d));
	assert_decision(&d, 0, NULL);
	(void)check(a, "Bearer garbage", &LIST, 1, HF_OK);
	cr_assert_eq(fake.token_calls, 3);

	fake_time += 7.9; /* 9.9 s */
	cr_assert(hf_api_auth_lookup(a, "Bearer alice-1", &LIST, 1, &d));
	fake_time += 0.1; /* 10 s */
	cr_assert_not(hf_api_auth_lookup(a, "Bearer alice-1", &LIST, 1, &d));
	d = check(a, "Bearer alice-1", &LIST, 1, HF_OK);
	assert_decision(&d, 0, NULL);
	cr_assert_eq(fake.token_calls, 4);
	cr_assert_eq(fake.access_calls, 3);
	done(a);
}

Test(auth_cache, configured_ttls_and_caching_turned_off)
{
	struct hf_api_auth *a = fake_auth(1, 0.5, 0);
	struct hf_api_decision d;
	(void)check(a, "Bearer alice-1", &LIST, 1, HF_OK);
	fake_time += 0.99;
	cr_assert(hf_api_auth_lookup(a, "Bearer alice-1", &LIST, 1, &d));
	fake_time += 0.01;
	cr_assert_not(hf_api_auth_lookup(a, "Bearer alice-1", &LIST, 1, &d));
	done(a);

	a = fake_auth(-1, -1, 0);
	(void)check(a, "Bearer alice-1", &LIST, 1, HF_OK);
	(void)check(a, "Bearer bad", &LIST, 1, HF_OK);
	cr_assert_not(hf_api_auth_lookup(a, "Bearer alice-1", &LIST, 1, &d));
	cr_assert_not(hf_api_auth_lookup(a, "Bearer bad", &LIST, 1, &d));
	struct hf_api_auth_stats st;
	hf_api_auth_stats(a, &st);
	cr_assert_eq(st.entries, 0);
	done(a);
}

Test(auth_cache, failures_of_the_api_server_are_503_and_never_cached)
{
	struct hf_api_auth *a = fake_auth(0, 0, 0);
	fake.fail = HF_ERR_IO;
	struct hf_api_decision d = check(a, "Bearer alice-1", &LIST, 1, HF_ERR_IO);
	assert_decision(&d, 503, "HYPERFLEET-SVC-001");
	cr_assert_str_eq(d.title, "Service Unavailable");
	cr_assert_str_eq(d.type, "service-unavailable");
	cr_assert_str_eq(d.detail,
			 "could not review the token: Failed to connect to 10.0.0.1 port 443");
	cr_assert_not(hf_api_auth_lookup(a, "Bearer alice-1", &LIST, 1, &d));

	fake.fail = HF_ERR_HTTP;
	fake.fail_code = 500;
	d = check(a, "Bearer alice-1", &LIST, 1, HF_ERR_HTTP);
	assert_decision(&d, 503, "HYPERFLEET-SVC-001");
	cr_assert_str_eq(d.detail,
			 "could not review the token: HTTP 500: etcdserver: request timed out");
	cr_assert_eq(fake.token_calls, 2);

	/* The token is known; the access review fails: 503, and only the token
	 * answer is kept. */
	fake.fail = HF_OK;
	(void)check(a, "Bearer alice-1", &LIST, 1, HF_OK);
	fake.fail = HF_ERR_TIMEOUT;
	fake.fail_code = 0;
	d = check(a, "Bearer alice-1", &CREATE, 1, HF_ERR_TIMEOUT);
	assert_decision(&d, 503, "HYPERFLEET-SVC-001");
	cr_assert(strstr(d.detail, "could not review the access"), "%s", d.detail);
	cr_assert_not(hf_api_auth_lookup(a, "Bearer alice-1", &CREATE, 1, &d));
	fake.fail = HF_OK;
	d = check(a, "Bearer alice-1", &CREATE, 1, HF_OK);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	done(a);
}

Test(auth_cache, unreadable_answers_are_503)
{
	const char *token_answers[] = {
		"",
		"not json",
		"[]",
		"{\"status\":\"yes\"}",
		"{\"kind\":\"TokenReview\"}",
		"{\"status\":{\"authenticated\":true}}",
		"{\"status\":{\"authenticated\":true,\"user\":{\"username\":\"\"}}}",
		"{\"status\":{\"authenticated\":true,\"user\":{\"username\":7}}}",
	};
	struct hf_api_auth *a = fake_auth(0, 0, 0);
	for (size_t i = 0; i < sizeof(token_answers) / sizeof(token_answers[0]); i++) {
		fake.token_answer = token_answers[i];
		struct hf_api_decision d = check(a, "Bearer alice-1", &LIST, 1, HF_ERR_INVALID);
		assert_decision(&d, 503, "HYPERFLEET-SVC-001");
	}
	fake.token_answer = NULL;
	const char *access_answers[] = {"", "{}", "{\"status\":null}", "{\"allowed\":true}"};
	for (size_t i = 0; i < sizeof(access_answers) / sizeof(access_answers[0]); i++) {
		fake.access_answer = access_answers[i];
		struct hf_api_decision d = check(a, "Bearer alice-1", &LIST, 1, HF_ERR_INVALID);
		assert_decision(&d, 503, "HYPERFLEET-SVC-001");
	}
	/* Odd but readable: groups not a list, no uid. */
	fake.access_answer = NULL;
	fake.token_answer = "{\"status\":{\"authenticated\":true,\"user\":{\"username\":\"alice\","
			    "\"groups\":\"devs\"}}}";
	struct hf_api_decision d = check(a, "Bearer alice-9", &LIST, 1, HF_OK);
	assert_decision(&d, 0, NULL);
	done(a);
}

Test(auth_cache, the_cache_is_bounded_dropping_expired_entries_first_then_the_oldest)
{
	struct hf_api_auth *a = fake_auth(10, 2, 4);
	struct hf_api_decision d;
	/* Two negative entries, then one positive token and its access: full. */
	(void)check(a, "Bearer bad-1", &LIST, 1, HF_OK);
	fake_time += 0.1;
	(void)check(a, "Bearer bad-2", &LIST, 1, HF_OK);
	fake_time += 0.1;
	(void)check(a, "Bearer alice-1", &LIST, 1, HF_OK);
	struct hf_api_auth_stats st;
	hf_api_auth_stats(a, &st);
	cr_assert_eq(st.entries, 4);
	cr_assert_eq(st.evictions, 0);

	/* The negative ones expire: room without evicting anything live. */
	fake_time += 2;
	(void)check(a, "Bearer alice-2", &LIST, 1, HF_OK);
	hf_api_auth_stats(a, &st);
	cr_assert_eq(st.entries, 3);
	cr_assert_eq(st.evictions, 0);
	cr_assert(hf_api_auth_lookup(a, "Bearer alice-1", &LIST, 1, &d));

	/* Full of live entries: the oldest (alice-1's token) goes. */
	(void)check(a, "Bearer alice-3", NULL, 0, HF_OK);
	fake_time += 0.1;
	(void)check(a, "Bearer bad-3", NULL, 0, HF_OK);
	hf_api_auth_stats(a, &st);
	cr_assert_eq(st.entries, 4);
	cr_assert_eq(st.evictions, 1);
	cr_assert_not(hf_api_auth_lookup(a, "Bearer alice-1", &LIST, 1, &d));
	cr_assert(hf_api_auth_lookup(a, "Bearer alice-2", &LIST, 1, &d));
	cr_assert(hf_api_auth_lookup(a, "Bearer bad-3", NULL, 0, &d));

	/* Many more: never above the bound. */
	for (int i = 0; i < 100; i++) {
		char header[64];
		snprintf(header, sizeof(header), "Bearer %s-%d", i % 3 ? "alice" : "bad", i);
		(void)check(a, header, &LIST, 1, HF_OK);
		fake_time += 0.01;
		hf_api_auth_stats(a, &st);
		cr_assert_leq(st.entries, 4);
	}
	done(a);
}

Test(auth_cache, when_full_of_live_entries_the_oldest_of_either_kind_goes)
{
	struct hf_api_auth *a = fake_auth(10, 5, 3);
	struct hf_api_decision d;
	(void)check(a, "Bearer bad-1", &LIST, 1, HF_OK);
	fake_time += 0.1;
	(void)check(a, "Bearer alice-1", &LIST, 1, HF_OK); /* a token and an access */
	fake_time += 0.1;
	/* The negative entry is the oldest. */
	(void)check(a, "Bearer alice-2", NULL, 0, HF_OK);
	cr_assert_not(hf_api_auth_lookup(a, "Bearer bad-1", &LIST, 1, &d));
	cr_assert(hf_api_auth_lookup(a, "Bearer alice-1", &LIST, 1, &d));
	fake_time += 0.1;
	/* Now alice-1's token. */
	(void)check(a, "Bearer bad-2", &LIST, 1, HF_OK);
	cr_assert_not(hf_api_auth_lookup(a, "Bearer alice-1", NULL, 0, &d));
	fake_time += 0.1;
	/* Now the access (older than bad-2, though positive). */
	(void)check(a, "Bearer alice-3", NULL, 0, HF_OK);
	cr_assert(hf_api_auth_lookup(a, "Bearer bad-2", &LIST, 1, &d));
	cr_assert(hf_api_auth_lookup(a, "Bearer alice-2", NULL, 0, &d));
	cr_assert_not(hf_api_auth_lookup(a, "Bearer alice-2", &LIST, 1, &d));
	struct hf_api_auth_stats st;
	hf_api_auth_stats(a, &st);
	cr_assert_eq(st.evictions, 3);
	cr_assert_eq(st.entries, 3);
	done(a);
}

Test(auth_metrics, reviews_and_cache_hits_are_counted)
{
	struct hf_api_auth *a = fake_auth(0, 0, 0);
	struct hf_api_decision d;
	(void)check(a, "Bearer alice-1", &LIST, 1, HF_OK);
	(void)check(a, "Bearer alice-1", &LIST, 1, HF_OK);
	(void)check(a, "Bearer alice-1", &CREATE, 1, HF_OK);
	(void)check(a, "Bearer nope", &LIST, 1, HF_OK);
	cr_assert(hf_api_auth_lookup(a, "Bearer nope", &LIST, 1, &d));
	fake.fail = HF_ERR_IO;
	(void)check(a, "Bearer alice-2", &LIST, 1, HF_ERR_IO);
	fake.fail = HF_OK;

	struct hf_buf out;
	hf_buf_init(&out, 0);
	cr_assert_eq(hf_metrics_render(registry, &out), HF_OK);
	const char *text = hf_buf_str(&out);
	cr_assert_eq(sample_value(text, "hyperfleet_api_auth_requests_total{kind=\"tokenreview\","
					"result=\"allowed\"}"),
		     1);
	cr_assert_eq(sample_value(text, "hyperfleet_api_auth_requests_total{kind=\"tokenreview\","
					"result=\"denied\"}"),
		     1);
	cr_assert_eq(sample_value(text, "hyperfleet_api_auth_requests_total{kind=\"tokenreview\","
					"result=\"error\"}"),
		     1);
	cr_assert_eq(sample_value(text, "hyperfleet_api_auth_requests_total{kind="
					"\"subjectaccessreview\",result=\"allowed\"}"),
		     1);
	cr_assert_eq(sample_value(text, "hyperfleet_api_auth_requests_total{kind="
					"\"subjectaccessreview\",result=\"denied\"}"),
		     1);
	cr_assert_eq(
		sample_value(text, "hyperfleet_api_auth_cache_hits_total{kind=\"tokenreview\"}"),
		3);
	cr_assert_eq(sample_value(text, "hyperfleet_api_auth_cache_hits_total{kind="
					"\"subjectaccessreview\"}"),
		     1);
	cr_assert_eq(
		sample_value(text, "hyperfleet_api_auth_cache_misses_total{kind=\"tokenreview\"}"),
		3);
	hf_buf_free(&out);
	done(a);
}

/* ---- threads ---- */

struct worker_arg {
	struct hf_api_auth *a;
	int id;
	int wrong;
};

static void *worker(void *p)
{
	struct worker_arg *w = p;
	for (int i = 0; i < 400; i++) {
		char header[64];
		int t = (w->id * 7 + i) % 23;
		snprintf(header, sizeof(header), "Bearer %s-%d", t % 5 ? "alice" : "junk", t);
		const struct hf_api_access *acc = i % 2 ? &LIST : &CREATE;
		int want = t % 5 == 0 ? 401 : i % 2 ? 0 : 403;
		struct hf_api_decision d;
		if (!hf_api_auth_lookup(w->a, header, acc, 1, &d) &&
		    hf_api_auth_check(w->a, header, acc, 1, &d) != HF_OK)
			w->wrong++;
		if (d.status != want)
			w->wrong++;
	}
	return NULL;
}

Test(auth_threads, lookups_and_checks_from_many_threads_agree)
{
	/* The real clock, and a cache small enough to evict all the time. */
	registry = hf_metrics_new();
	struct hf_api_auth_options opts = {
		.max_entries = 8, .metrics = registry, .post = fake_post, .post_ctx = &fake};
	struct hf_api_auth *a = hf_api_auth_new(NULL, &opts);
	pthread_t threads[8];
	struct worker_arg args[8];
	for (int i = 0; i < 8; i++) {
		args[i] = (struct worker_arg){.a = a, .id = i};
		cr_assert_eq(pthread_create(&threads[i], NULL, worker, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(threads[i], NULL);
		cr_assert_eq(args[i].wrong, 0, "thread %d: %d wrong decisions", i, args[i].wrong);
	}
	struct hf_api_auth_stats st;
	hf_api_auth_stats(a, &st);
	cr_assert_leq(st.entries, 8);
	cr_assert_gt(st.evictions, 0);
	done(a);
}
