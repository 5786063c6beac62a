/*
 * Unit tests of the API client's error paths against a local fake server
 * (the integration tests use the real control plane): Retry-After on 429,
 * token rotation after a 401, Status bodies, and query escaping.
 */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http/server.h"
#include "kube/client.h"
#include "kube/config.h"
#include "util/alloc.h"
#include "util/clock.h"

struct fake {
	atomic_int requests;
	int throttle; /* answer 429 to this many requests first */
	char last_auth[128];
	char last_query[256];
	char first_param[256];
	size_t nparams;
};

static void serve(const struct hf_http_request *req, struct hf_http_response *resp, void *ctx)
{
	struct fake *f = ctx;
	int n = atomic_fetch_add(&f->requests, 1);
	char auth[128];
	const char *a = hf_http_request_header(req, "authorization", auth, sizeof(auth));
	snprintf(f->last_auth, sizeof(f->last_auth), "%s", a ? a : "");
	snprintf(f->last_query, sizeof(f->last_query), "%s", req->query);
	f->nparams = req->nparams;
	snprintf(f->first_param, sizeof(f->first_param), "%s", req->nparams ? req->params[0] : "");
	resp->content_type = "application/json";
	enum hf_err err = HF_OK;
	if (n < f->throttle) {
		resp->status = 429;
		hf_http_response_header(resp, "Retry-After", "1");
		err = hf_buf_appends(
			&resp->body,
			"{\"kind\":\"Status\",\"reason\":\"TooManyRequests\",\"message\":\"slow down\",\"code\":429}");
	} else if (strcmp(req->path, "/secure") == 0 &&
		   (!a || strcmp(a, "Bearer new-token") != 0)) {
		resp->status = 401;
		err = hf_buf_appends(
			&resp->body,
			"{\"kind\":\"Status\",\"reason\":\"Unauthorized\",\"message\":\"Unauthorized\",\"code\":401}");
	} else if (strcmp(req->path, "/missing") == 0) {
		resp->status = 404;
		err = hf_buf_appends(&resp->body, "not a Status at all");
	} else {
		err = hf_buf_appends(&resp->body, "{\"ok\":true}");
	}
	cr_assert_eq(err, HF_OK);
}

struct env {
	struct fake fake;
	struct hf_http_server *server;
	struct hf_kube_config *cfg;
	struct hf_kube_client *client;
	char dir[64];
	char token_file[128];
};

static void start(struct env *e, int throttle, const char *token)
{
	memset(e, 0, sizeof(*e));
	e->fake.throttle = throttle;
	struct hf_http_server_options o = {
		.address = "127.0.0.1", .handler = serve, .ctx = &e->fake};
	cr_assert_eq(hf_http_server_start(&o, &e->server), HF_OK);
	snprintf(e->dir, sizeof(e->dir), "/tmp/hf-client-XXXXXX");
	cr_assert_not_null(mkdtemp(e->dir));
	snprintf(e->token_file, sizeof(e->token_file), "%s/token", e->dir);
	FILE *t = fopen(e->token_file, "w");
	fputs(token, t);
	fclose(t);
	char *yaml =
		hf_asprintf("apiVersion: v1\nkind: Config\ncurrent-context: c\n"
			    "clusters:\n- name: k\n  cluster: {server: \"http://127.0.0.1:%d\"}\n"
			    "users:\n- name: u\n  user: {tokenFile: \"%s\"}\n"
			    "contexts:\n- name: c\n  context: {cluster: k, user: u}\n",
			    hf_http_server_port(e->server), e->token_file);
	char err[256];
	cr_assert_eq(
		hf_kube_config_parse(yaml, strlen(yaml), "test", NULL, &e->cfg, err, sizeof(err)),
		HF_OK, "%s", err);
	free(yaml);
	cr_assert_eq(hf_kube_client_new(e->cfg, NULL, &e->client), HF_OK);
}

static void stop(struct env *e)
{
	hf_kube_client_free(e->client);
	hf_kube_config_free(e->cfg);
	hf_http_server_stop(e->server);
	unlink(e->token_file);
	rmdir(e->dir);
}

Test(kube_client, waits_as_retry_after_says_then_succeeds)
{
	struct env e;
	start(&e, 2, "tok");
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	double t0 = hf_monotonic_now();
	cr_assert_eq(hf_kube_request(e.client, "GET", "/ok", NULL, NULL, NULL, &out, &kerr), HF_OK);
	double waited = hf_monotonic_now() - t0;
	cr_assert_eq(atomic_load(&e.fake.requests), 3, "two 429s, then the answer");
	cr_assert_geq(waited, 2.0, "Retry-After: 1 twice, waited %.2f s", waited);
	cr_assert_str_eq(hf_buf_str(&out), "{\"ok\":true}");
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	stop(&e);
}

Test(kube_client, rereads_a_rotated_token_after_a_401)
{
	struct env e;
	start(&e, 0, "old-token\n");
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	cr_assert_eq(hf_kube_request(e.client, "GET", "/secure", NULL, NULL, NULL, &out, &kerr),
		     HF_ERR_HTTP);
	cr_assert_eq(kerr.http_code, 401);
	cr_assert_str_eq(kerr.reason, "Unauthorized");
	cr_assert_eq(atomic_load(&e.fake.requests), 2, "one retry with a re-read token");
	/* The token rotates: the next 401 makes the client read the new one. */
	FILE *t = fopen(e.token_file, "w");
	fputs("new-token", t);
	fclose(t);
	cr_assert_eq(hf_kube_request(e.client, "GET", "/secure", NULL, NULL, NULL, &out, &kerr),
		     HF_OK, "%s", kerr.message ? kerr.message : "");
	cr_assert_str_eq(e.fake.last_auth, "Bearer new-token");
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	stop(&e);
}

Test(kube_client, keeps_a_body_that_is_not_a_status_as_the_message)
{
	struct env e;
	start(&e, 0, "tok");
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	cr_assert_eq(hf_kube_request(e.client, "GET", "/missing", NULL, NULL, NULL, &out, &kerr),
		     HF_ERR_HTTP);
	cr_assert(hf_kube_error_is(&kerr, 404));
	cr_assert_str_eq(kerr.message, "not a Status at all");
	cr_assert_str_eq(kerr.reason, "Unknown");
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	stop(&e);
}

Test(kube_client, escapes_every_query_value)
{
	struct env e;
	start(&e, 0, "tok");
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	struct hf_kube_list_options opts = {.label_selector = "env in (prod,dev),team=a&b",
					    .limit = 5};
	cr_assert_eq(hf_kube_list(e.client, &HF_RES_CLUSTERS, "ns", &opts, &out, &kerr), HF_OK);
	/* Escaped, the '&' inside the selector does not split it. */
	cr_assert_eq(e.fake.nparams, 2);
	cr_assert_str_eq(e.fake.first_param, "labelSelector=env in (prod,dev),team=a&b");
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	stop(&e);
}
