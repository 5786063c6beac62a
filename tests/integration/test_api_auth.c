/*
 * Integration test of the REST API's Kubernetes-native authentication and
 * authorization (controller/api/auth.c) against the real control plane:
 * ServiceAccount tokens from the TokenRequest API, a Role and RoleBinding,
 * TokenReview and SubjectAccessReview answered by the API server, the cache
 * and its expiry, and a failing API server.
 */
#include <cJSON.h>

#include "api/auth.h"
#include "fixture.h"
#include "lib/metrics_text.h"
#include "util/metrics.h"

/* post creates something through the API and returns the answer's JSON. */
static cJSON *post(struct fixture *f, const char *path, const char *json)
{
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	enum hf_err e = hf_kube_request(f->client, "POST", path, NULL, "application/json", json,
					&out, &kerr);
	cr_assert_eq(e, HF_OK, "POST %s: %s", path, kerr.message ? kerr.message : hf_err_name(e));
	cJSON *answer = cJSON_Parse(hf_buf_str(&out));
	cr_assert_not_null(answer, "POST %s answered %s", path, hf_buf_str(&out));
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	return answer;
}

static void create(struct fixture *f, const char *path, const char *json)
{
	cJSON_Delete(post(f, path, json));
}

static void create_service_account(struct fixture *f, const char *name)
{
	char *path = hf_asprintf("/api/v1/namespaces/%s/serviceaccounts", f->ns);
	char *json = hf_asprintf("{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\","
				 "\"metadata\":{\"name\":\"%s\"}}",
				 name);
	create(f, path, json);
	free(path);
	free(json);
}

/* request_token returns "Bearer <a new token of the ServiceAccount>". */
static char *request_token(struct fixture *f, const char *name)
{
	char *path = hf_asprintf("/api/v1/namespaces/%s/serviceaccounts/%s/token", f->ns, name);
	cJSON *answer =
		post(f, path,
		     "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\","
		     "\"spec\":{\"expirationSeconds\":600}}");
	const char *token = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(answer, "status"), "token"));
	cr_assert(token && token[0], "no token for %s", name);
	char *header = hf_asprintf("Bearer %s", token);
	cJSON_Delete(answer);
	free(path);
	return header;
}

/* The Role of the reader: get and list clusters, update clusters/status. */
static void grant_reader(struct fixture *f, const char *sa)
{
	char *path = hf_asprintf("/apis/rbac.authorization.k8s.io/v1/namespaces/%s/roles", f->ns);
	create(f, path,
	       "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\","
	       "\"metadata\":{\"name\":\"cluster-reader\"},\"rules\":["
	       "{\"apiGroups\":[\"hyperfleet.io\"],\"resources\":[\"clusters\"],"
	       "\"verbs\":[\"get\",\"list\"]},"
	       "{\"apiGroups\":[\"hyperfleet.io\"],\"resources\":[\"clusters/status\"],"
	       "\"verbs\":[\"update\"]}]}");
	free(path);
	path = hf_asprintf("/apis/rbac.authorization.k8s.io/v1/namespaces/%s/rolebindings", f->ns);
	char *json = hf_asprintf(
		"{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\","
		"\"metadata\":{\"name\":\"cluster-reader\"},"
		"\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"%s\",\"namespace\":\"%s\"}],"
		"\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Role\","
		"\"name\":\"cluster-reader\"}}",
		sa, f->ns);
	create(f, path, json);
	free(path);
	free(json);
}

static struct hf_api_auth *new_auth(struct fixture *f, struct hf_metrics *m, double ttl,
				    double negative_ttl)
{
	struct hf_api_auth_options opts = {.ttl = ttl, .negative_ttl = negative_ttl, .metrics = m};
	return hf_api_auth_new(f->client, &opts);
}

static struct hf_api_decision check(struct hf_api_auth *a, const char *header,
				    const struct hf_api_access *acc, size_t nacc)
{
	struct hf_api_decision d;
	enum hf_err e = hf_api_auth_check(a, header, acc, nacc, &d);
	cr_assert_eq(e, HF_OK, "check: %s: %s", hf_err_name(e), d.detail);
	return d;
}

static bool allowed(struct hf_api_auth *a, const char *header, const struct hf_api_access *acc)
{
	struct hf_api_decision d = check(a, header, acc, 1);
	return d.status == 0;
}

static void assert_decision(const struct hf_api_decision *d, int status, const char *code)
{
	cr_assert_eq(d->status, status, "status %d, wanted %d: %s %s", d->status, status,
		     d->code ? d->code : "", d->detail);
	if (code)
		cr_assert_str_eq(d->code, code);
	else
		cr_assert_null(d->code);
}

/* metric returns the value of a series of m, 0 when it has none yet. */
static double metric(struct hf_metrics *m, const char *series)
{
	struct hf_buf out;
	hf_buf_init(&out, 0);
	cr_assert_eq(hf_metrics_render(m, &out), HF_OK);
	char *line = hf_asprintf("\n%s ", series);
	const char *at = strstr(hf_buf_str(&out), line);
	double v = at ? sample_value(at + 1, series) : 0;
	free(line);
	hf_buf_free(&out);
	return v;
}

Test(api_auth, tokens_are_checked_with_token_reviews, .timeout = 60)
{
	struct fixture f = {0};
	fixture_setup(&f, "auth-tokens");
	struct hf_metrics *m = hf_metrics_new();
	struct hf_api_auth *a = new_auth(&f, m, 0, 0);
	struct hf_api_access list = {"list", "clusters", "", f.ns, ""};

	struct hf_api_decision d = check(a, NULL, &list, 1);
	assert_decision(&d, 401, "HYPERFLEET-AUT-001");
	d = check(a, "Basic dXNlcjpwYXNz", &list, 1);
	assert_decision(&d, 401, "HYPERFLEET-AUT-002");

	/* The API server rejects a made-up token: its error, not the token. */
	d = check(a, "Bearer made-up-token-0123456789", &list, 1);
	assert_decision(&d, 401, "HYPERFLEET-AUT-002");
	cr_assert_str_eq(d.title, "Invalid Credentials");
	cr_assert(d.detail[0]);
	cr_assert_null(strstr(d.detail, "made-up-token"), "%s", d.detail);
	cr_assert_str_eq(d.user, "");
	cr_assert_eq(metric(m, "hyperfleet_api_auth_requests_total{kind=\"tokenreview\","
			       "result=\"denied\"}"),
		     1);

	/* A real ServiceAccount token authenticates, as the ServiceAccount. */
	create_service_account(&f, "robot");
	char *robot = request_token(&f, "robot");
	d = check(a, robot, &list, 1);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	char *user = hf_asprintf("system:serviceaccount:%s:robot", f.ns);
	cr_assert_str_eq(d.user, user);
	cr_assert(strstr(d.detail, user), "%s", d.detail);
	cr_assert_null(strstr(d.detail, robot + 7), "the detail holds the token");
	cr_assert_eq(metric(m, "hyperfleet_api_auth_requests_total{kind=\"tokenreview\","
			       "result=\"allowed\"}"),
		     1);

	/* Once the ServiceAccount is gone, so is its token. */
	char *path = hf_asprintf("/api/v1/namespaces/%s/serviceaccounts/robot", f.ns);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	cr_assert_eq(hf_kube_request(f.client, "DELETE", path, NULL, NULL, NULL, &out, &kerr),
		     HF_OK);
	struct hf_api_auth *uncached = new_auth(&f, m, -1, -1);
	FIXTURE_WAIT(30, (d = check(uncached, robot, &list, 1)).status == 401,
		     "the token of a deleted ServiceAccount still authenticates: %d %s", d.status,
		     d.detail);
	assert_decision(&d, 401, "HYPERFLEET-AUT-002");

	hf_api_auth_free(uncached);
	hf_api_auth_free(a);
	hf_metrics_free(m);
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	free(path);
	free(user);
	free(robot);
	fixture_teardown(&f);
}

Test(api_auth, rbac_decides_each_access_and_answers_are_cached_for_the_ttl, .timeout = 90)
{
	struct fixture f = {0};
	fixture_setup(&f, "auth-rbac");
	create_service_account(&f, "reader");
	create_service_account(&f, "stranger");
	grant_reader(&f, "reader");
	char *reader = request_token(&f, "reader");
	char *stranger = request_token(&f, "stranger");
	struct hf_api_access list = {"list", "clusters", "", f.ns, ""};

	/* The authorizer sees a new RoleBinding through its informer: wait
	 * for it without a cache, so that no early denial is kept. */
	struct hf_metrics *m = hf_metrics_new();
	struct hf_api_auth *uncached = new_auth(&f, m, -1, -1);
	FIXTURE_WAIT(30, allowed(uncached, reader, &list), "the RoleBinding never took effect");
	hf_api_auth_free(uncached);
	hf_metrics_free(m);

	m = hf_metrics_new();
	struct hf_api_auth *a = new_auth(&f, m, 1, 1);
	double before = fixture_now();
	struct hf_api_decision d = check(a, reader, &list, 1);
	assert_decision(&d, 0, NULL);
	char *user = hf_asprintf("system:serviceaccount:%s:reader", f.ns);
	cr_assert_str_eq(d.user, user);

	struct hf_api_access create = {"create", "clusters", "", f.ns, ""};
	d = check(a, reader, &create, 1);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	cr_assert_str_eq(d.title, "Permission Denied");
	cr_assert(strstr(d.detail, "cannot create resource \"clusters\""), "%s", d.detail);

	struct hf_api_access update_status = {"update", "clusters", "status", f.ns, "c1"};
	d = check(a, reader, &update_status, 1);
	assert_decision(&d, 0, NULL);
	/* The Role grants update on clusters/status, not get. */
	struct hf_api_access get_status = {"get", "clusters", "status", f.ns, "c1"};
	d = check(a, reader, &get_status, 1);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	struct hf_api_access get = {"get", "clusters", "", f.ns, "c1"};
	d = check(a, reader, &get, 1);
	assert_decision(&d, 0, NULL);
	struct hf_api_access list_nodepools = {"list", "nodepools", "", f.ns, ""};
	d = check(a, reader, &list_nodepools, 1);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	/* A Role grants nothing across all namespaces. */
	struct hf_api_access list_all = {"list", "clusters", "", "", ""};
	d = check(a, reader, &list_all, 1);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	cr_assert(strstr(d.detail, "at the cluster scope"), "%s", d.detail);
	/* Force delete needs delete and patch. */
	struct hf_api_route force = {.method = "POST",
				     .resource = "clusters",
				     .ns = f.ns,
				     .name = "c1",
				     .one = true,
				     .force_delete = true};
	struct hf_api_access acc[HF_API_ACCESS_MAX];
	size_t n = hf_api_auth_route_access(&force, acc);
	cr_assert_eq(n, 2);
	d = check(a, reader, acc, n);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");

	d = check(a, stranger, &list, 1);
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");
	char *stranger_user = hf_asprintf("system:serviceaccount:%s:stranger", f.ns);
	cr_assert_str_eq(d.user, stranger_user);

	/* The same call again: answered by the cache, without the API server. */
	struct hf_api_auth_stats st0, st1;
	hf_api_auth_stats(a, &st0);
	double hits0 =
		metric(m, "hyperfleet_api_auth_cache_hits_total{kind=\"subjectaccessreview\"}");
	cr_assert(hf_api_auth_lookup(a, reader, &list, 1, &d), "the answer was not cached");
	assert_decision(&d, 0, NULL);
	cr_assert_str_eq(d.user, user);
	d = check(a, reader, &list, 1);
	assert_decision(&d, 0, NULL);
	hf_api_auth_stats(a, &st1);
	cr_assert_eq(st1.token_reviews, st0.token_reviews);
	cr_assert_eq(st1.access_reviews, st0.access_reviews);
	cr_assert_eq(st1.hits, st0.hits + 4);
	cr_assert_eq(
		metric(m, "hyperfleet_api_auth_cache_hits_total{kind=\"subjectaccessreview\"}"),
		hits0 + 2);
	cr_assert(hf_api_auth_lookup(a, stranger, &list, 1, &d));
	assert_decision(&d, 403, "HYPERFLEET-AUZ-001");

	/* After the TTL (1 s) the lookup misses, and a check asks again. */
	FIXTURE_WAIT(10, !hf_api_auth_lookup(a, reader, &list, 1, &d),
		     "the cached answer never expired");
	cr_assert_geq(fixture_now() - before, 1.0, "expired after %.3f s", fixture_now() - before);
	d = check(a, reader, &list, 1);
	assert_decision(&d, 0, NULL);
	hf_api_auth_stats(a, &st1);
	cr_assert_eq(st1.token_reviews, st0.token_reviews + 1);
	cr_assert_eq(st1.access_reviews, st0.access_reviews + 1);

	hf_api_auth_free(a);
	hf_metrics_free(m);
	free(user);
	free(stranger_user);
	free(reader);
	free(stranger);
	fixture_teardown(&f);
}

/* client_as makes a client of the test control plane at server (NULL: the
 * real one) that authenticates with header's token. */
static void client_as(const char *server, const char *header, struct hf_kube_config **cfg,
		      struct hf_kube_client **client)
{
	char *yaml = hf_asprintf("apiVersion: v1\n"
				 "kind: Config\n"
				 "clusters:\n"
				 "- name: test\n"
				 "  cluster:\n"
				 "    server: %s\n"
				 "    certificate-authority: %s/pki/ca.crt\n"
				 "users:\n"
				 "- name: test\n"
				 "  user:\n"
				 "    token: %s\n"
				 "contexts:\n"
				 "- name: test\n"
				 "  context:\n"
				 "    cluster: test\n"
				 "    user: test\n"
				 "current-context: test\n",
				 server ? server : fixture_env("HF_KUBE_SERVER"),
				 fixture_env("HF_KUBE_DIR"), header + strlen("Bearer "));
	char err[512];
	cr_assert_eq(hf_kube_config_parse(yaml, strlen(yaml), "test", NULL, cfg, err, sizeof(err)),
		     HF_OK, "%s", err);
	struct hf_kube_client_options opts = {
		.qps = 100, .burst = 100, .connect_timeout_ms = 2000, .request_timeout_ms = 5000};
	cr_assert_eq(hf_kube_client_new(*cfg, &opts, client), HF_OK);
	free(yaml);
}

Test(api_auth, an_api_server_that_cannot_answer_gives_503_never_allowed, .timeout = 60)
{
	struct fixture f = {0};
	fixture_setup(&f, "auth-fail");
	create_service_account(&f, "api");
	char *api = request_token(&f, "api");
	struct hf_api_access list = {"list", "clusters", "", f.ns, ""};
	struct hf_metrics *m = hf_metrics_new();

	/* The REST API's own identity may not create TokenReviews: 503 with
	 * the API server's Forbidden message. */
	struct hf_kube_config *cfg;
	struct hf_kube_client *client;
	client_as(NULL, api, &cfg, &client);
	struct hf_api_auth_options opts = {.metrics = m};
	struct hf_api_auth *a = hf_api_auth_new(client, &opts);
	struct hf_api_decision d;
	enum hf_err e = hf_api_auth_check(a, api, &list, 1, &d);
	cr_assert_eq(e, HF_ERR_HTTP, "%s", hf_err_name(e));
	assert_decision(&d, 503, "HYPERFLEET-SVC-001");
	cr_assert(strstr(d.detail, "HTTP 403"), "%s", d.detail);
	cr_assert(strstr(d.detail, "tokenreviews"), "%s", d.detail);
	cr_assert_not(hf_api_auth_lookup(a, api, &list, 1, &d), "a failure was cached");
	hf_api_auth_free(a);
	hf_kube_client_free(client);
	hf_kube_config_free(cfg);

	/* Nobody listening. */
	client_as("https://127.0.0.1:1", api, &cfg, &client);
	a = hf_api_auth_new(client, &opts);
	e = hf_api_auth_check(a, api, &list, 1, &d);
	cr_assert_eq(e, HF_ERR_IO, "%s", hf_err_name(e));
	assert_decision(&d, 503, "HYPERFLEET-SVC-001");
	cr_assert(strstr(d.detail, "could not review the token"), "%s", d.detail);
	cr_assert_not(hf_api_auth_lookup(a, api, &list, 1, &d));
	cr_assert_eq(metric(m, "hyperfleet_api_auth_requests_total{kind=\"tokenreview\","
			       "result=\"error\"}"),
		     2);
	hf_api_auth_free(a);
	hf_kube_client_free(client);
	hf_kube_config_free(cfg);

	hf_metrics_free(m);
	free(api);
	fixture_teardown(&f);
}
