/* Unit tests of the REST API's pure parts: the REST form of resources
 * (rest.c), problems (problem.c), list queries, filters, ordering and pages
 * (list.c), and the views (view.c) fed as an informer would. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "api/list.h"
#include "api/problem.h"
#include "api/rest.h"
#include "api/view.h"
#include "kube/object.h"
#include "util/alloc.h"
#include "util/pool.h"

static cJSON *cluster_json(const char *name, const char *uid, const char *phase, const char *env,
			   const char *created, const char *rv)
{
	char *s = hf_asprintf(
		"{\"metadata\":{\"name\":\"%s\",\"namespace\":\"ns\",\"uid\":\"%s\",\"generation\":2,"
		"\"resourceVersion\":\"%s\",\"creationTimestamp\":\"%s\",\"labels\":{\"env\":\"%s\"},"
		"\"annotations\":{\"hyperfleet.io/created-by\":\"alice\"}},"
		"\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\",\"nodeCount\":3},"
		"\"status\":{\"phase\":\"%s\",\"observedGeneration\":2,\"conditions\":[{\"type\":"
		"\"Reconciled\",\"status\":\"%s\",\"reason\":\"R\",\"lastUpdateTime\":\"%s\","
		"\"lastTransitionTime\":\"%s\",\"observedGeneration\":2}]}}",
		name, uid, rv, created, env, phase, strcmp(phase, "Ready") == 0 ? "True" : "False",
		created, created);
	cJSON *j = cJSON_Parse(s);
	free(s);
	return j;
}

static struct hf_obj *cluster_obj(const char *name, const char *uid, const char *phase,
				  const char *env, const char *created, const char *rv)
{
	cJSON *j = cluster_json(name, uid, phase, env, created, rv);
	struct hf_obj *o = hf_obj_new(j); /* copies j */
	cJSON_Delete(j);
	return o;
}

Test(api_rest, maps_a_cluster_to_snake_case_with_href_and_phase)
{
	cJSON *k = cluster_json("east", "u-1", "Ready", "prod", "2026-01-02T03:04:05Z", "5");
	cJSON *r = hf_rest_resource(HF_KIND_CLUSTER, k, NULL);
	char *s = cJSON_PrintUnformatted(r);
	cr_assert_not_null(strstr(s, "\"kind\":\"Cluster\",\"id\":\"u-1\",\"name\":\"east\","
				     "\"href\":\"/api/hyperfleet/v1/clusters/u-1\""),
			   "%s", s);
	cr_assert_not_null(strstr(s, "\"generation\":2"));
	cr_assert_not_null(strstr(s, "\"status\":{\"phase\":\"Ready\",\"observed_generation\":2,"
				     "\"conditions\":[{\"type\":\"Reconciled\",\"status\":\"True\","
				     "\"reason\":\"R\",\"observed_generation\":2,"
				     "\"last_updated_time\":\"2026-01-02T03:04:05Z\""),
			   "%s", s);
	cr_assert_not_null(strstr(s, "\"created_time\":\"2026-01-02T03:04:05Z\""));
	cr_assert_not_null(strstr(s, "\"created_by\":\"alice\""));
	cr_assert_null(strstr(s, "deleted_time"));
	free(s);
	cJSON_Delete(r);
	/* Being deleted: Terminating, with deleted_time. */
	cJSON_AddStringToObject(cJSON_GetObjectItem(k, "metadata"), "deletionTimestamp",
				"2026-01-03T00:00:00Z");
	r = hf_rest_resource(HF_KIND_CLUSTER, k, NULL);
	cr_assert_str_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(r, "status"), "phase")->valuestring,
		"Terminating");
	cr_assert_str_eq(cJSON_GetObjectItem(r, "deleted_time")->valuestring,
			 "2026-01-03T00:00:00Z");
	cJSON_Delete(r);
	cJSON_Delete(k);
}

Test(api_rest, maps_a_nodepool_with_its_pool_name_and_owner)
{
	cJSON *k = cJSON_Parse(
		"{\"metadata\":{\"name\":\"east.workers\",\"uid\":\"p-1\",\"labels\":{"
		"\"hyperfleet.io/cluster-name\":\"east\",\"workload\":\"gpu\"}},\"spec\":{"
		"\"clusterName\":\"east\",\"nodeCount\":3,\"machineType\":\"n1\"}}");
	cJSON *r = hf_rest_resource(HF_KIND_NODEPOOL, k, "c-1");
	char *s = cJSON_PrintUnformatted(r);
	cr_assert_not_null(strstr(s, "\"name\":\"workers\""), "%s", s);
	cr_assert_not_null(strstr(s, "\"href\":\"/api/hyperfleet/v1/clusters/c-1/nodepools/p-1\""));
	cr_assert_not_null(strstr(s, "\"cluster_id\":\"c-1\""));
	cr_assert_not_null(strstr(s, "\"owner_references\":{\"id\":\"c-1\",\"kind\":\"Cluster\","
				     "\"href\":\"/api/hyperfleet/v1/clusters/c-1\"}"));
	cr_assert_not_null(strstr(s, "\"spec\":{\"nodeCount\":3,\"machineType\":\"n1\"}"), "%s", s);
	cr_assert_not_null(strstr(s, "\"labels\":{\"workload\":\"gpu\"}"), "system labels hidden");
	/* No report yet: Not Ready, with no conditions. */
	cr_assert_not_null(strstr(s, "\"status\":{\"phase\":\"Not Ready\",\"conditions\":[]}"));
	free(s);
	cJSON_Delete(r);
	cJSON_Delete(k);
	cr_assert_str_eq(hf_rest_pool_name("east.workers", "east"), "workers");
	cr_assert_str_eq(hf_rest_pool_name("other", "east"), "other");
}

Test(api_rest, maps_an_adapter_report)
{
	cJSON *e = cJSON_Parse("{\"adapter\":\"dns\",\"observedGeneration\":1,\"conditions\":[{"
			       "\"type\":\"Available\",\"status\":\"True\",\"lastTransitionTime\":"
			       "\"t\"}],\"metadata\":{\"jobName\":\"j\",\"attempt\":2},"
			       "\"createdTime\":\"c\",\"lastReportTime\":\"l\"}");
	cJSON *r = hf_rest_adapter_status(e);
	char *s = cJSON_PrintUnformatted(r);
	cr_assert_str_eq(s, "{\"adapter\":\"dns\",\"observed_generation\":1,\"conditions\":[{"
			    "\"type\":\"Available\",\"status\":\"True\",\"last_transition_time\":"
			    "\"t\"}],\"data\":{},\"metadata\":{\"job_name\":\"j\",\"attempt\":2},"
			    "\"created_time\":\"c\",\"last_report_time\":\"l\"}");
	free(s);
	cJSON_Delete(r);
	cJSON_Delete(e);
}

Test(api_problem, renders_rfc9457_with_the_seed_error_and_ids)
{
	struct hf_http_response resp = {0};
	hf_buf_init(&resp.body, 0);
	hf_buf_init(&resp.headers, 0);
	struct hf_problem p;
	hf_problem_init(&p, 404, HF_PROBLEM_NOT_FOUND, "NodePool with id='%s' not found", "x");
	snprintf(p.error, sizeof(p.error), "NodePool not found");
	hf_problem_id(&p, "nodepool_id", "x");
	hf_problem_id(&p, "cluster_id", "c");
	hf_problem_field_error(&p, "name", "v", "pattern", "bad");
	hf_problem_respond(&p, "/api/hyperfleet/v1/nodepools/x", "rid", &resp);
	cr_assert_eq(resp.status, 404);
	cr_assert_str_eq(resp.content_type, "application/problem+json");
	cJSON *o = cJSON_Parse(hf_buf_str(&resp.body));
	cr_assert_str_eq(cJSON_GetObjectItem(o, "type")->valuestring,
			 "https://api.hyperfleet.io/errors/not-found");
	cr_assert_str_eq(cJSON_GetObjectItem(o, "title")->valuestring, "Resource Not Found");
	cr_assert_str_eq(cJSON_GetObjectItem(o, "code")->valuestring, "HYPERFLEET-NTF-001");
	cr_assert_str_eq(cJSON_GetObjectItem(o, "error")->valuestring, "NodePool not found");
	cr_assert_str_eq(cJSON_GetObjectItem(o, "nodepool_id")->valuestring, "x");
	cr_assert_str_eq(cJSON_GetObjectItem(o, "cluster_id")->valuestring, "c");
	cr_assert_str_eq(cJSON_GetObjectItem(o, "trace_id")->valuestring, "rid");
	cr_assert_str_eq(cJSON_GetObjectItem(o, "instance")->valuestring,
			 "/api/hyperfleet/v1/nodepools/x");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "errors")), 1);
	cJSON_Delete(o);
	hf_buf_free(&resp.body);
	hf_buf_free(&resp.headers);
}

/* parse parses a query of newline-separated parameters. */
static enum hf_err parse(const char *params, enum hf_kind kind, struct hf_api_list_query *q,
			 struct hf_problem *p, char **storage)
{
	static char *v[16];
	size_t n = 0;
	*storage = hf_strdup(params);
	for (char *s = *storage; s && *s && n < 16;) {
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		v[n++] = s;
		s = nl ? nl + 1 : NULL;
	}
	struct hf_http_request req = {.params = (const char *const *)v, .nparams = n};
	memset(p, 0, sizeof(*p));
	return hf_api_list_query_parse(&req, kind, q, p);
}

static void expect_error(const char *params, enum hf_kind kind, const char *code,
			 const char *detail)
{
	struct hf_api_list_query q;
	struct hf_problem p;
	char *storage;
	cr_assert_eq(parse(params, kind, &q, &p, &storage), HF_ERR_INVALID, "%s", params);
	cr_assert_eq(p.status, 400);
	cr_assert_str_eq(p.code, code, "%s", params);
	cr_assert_str_eq(p.detail, detail, "%s", params);
	cJSON_Delete(p.errors);
	hf_api_list_query_free(&q);
	free(storage);
}

Test(api_list, refuses_bad_parameters_with_the_original_and_seed_messages)
{
	expect_error("phase=InvalidPhase", HF_KIND_CLUSTER, HF_PROBLEM_VALIDATION,
		     "Invalid phase value 'InvalidPhase'. Supported values: Not Ready, Ready");
	expect_error(
		"phase=Provisioning", HF_KIND_NODEPOOL, HF_PROBLEM_VALIDATION,
		"Invalid phase value 'Provisioning'. Supported values for MVP: Not Ready, Ready");
	expect_error("labels=workload", HF_KIND_NODEPOOL, HF_PROBLEM_VALIDATION,
		     "Invalid label filter format. Expected format: key:value");
	expect_error("labels=a:b,:c", HF_KIND_CLUSTER, HF_PROBLEM_VALIDATION,
		     "Invalid label filter format. Expected format: key:value");
	expect_error("page=x", HF_KIND_CLUSTER, HF_PROBLEM_VALIDATION, "page must be an integer");
	expect_error("page=0", HF_KIND_CLUSTER, HF_PROBLEM_VALIDATION, "page must be at least 1");
	expect_error("size=101", HF_KIND_CLUSTER, HF_PROBLEM_VALIDATION,
		     "size must be at most 100");
	expect_error("pageSize=-1", HF_KIND_CLUSTER, HF_PROBLEM_VALIDATION,
		     "size must be at least 1");
	expect_error("fields=name,secret", HF_KIND_CLUSTER, HF_PROBLEM_VALIDATION,
		     "unknown field 'secret' in fields");
	expect_error("search=bogus = 'x'", HF_KIND_CLUSTER, HF_PROBLEM_BAD_QUERY,
		     "invalid field in search or order query");
	expect_error("order=name sideways", HF_KIND_CLUSTER, HF_PROBLEM_BAD_QUERY,
		     "invalid order format 'name sideways'");
}

/* rows builds a view's worth of rows, as the informer would give them. */
static struct hf_api_view *populated_view(void)
{
	struct hf_api_view *v = hf_api_view_new(HF_KIND_CLUSTER, NULL);
	struct hf_informer_handlers h = hf_api_view_handlers(v);
	static const struct {
		const char *name, *phase, *env, *created;
	} data[] = {
		{"alpha", "Ready", "prod", "2026-01-01T00:00:00Z"},
		{"bravo", "Not Ready", "prod", "2026-01-02T00:00:00Z"},
		{"charlie", "Ready", "dev", "2026-01-03T00:00:00Z"},
		{"delta", "Ready", "prod", "2026-01-04T00:00:00Z"},
		{"echo", "Not Ready", "dev", "2026-01-05T00:00:00Z"},
	};
	for (int i = 0; i < 5; i++) {
		char uid[16], rv[16];
		snprintf(uid, sizeof(uid), "u-%d", i);
		snprintf(rv, sizeof(rv), "%d", 10 + i);
		struct hf_obj *o = cluster_obj(data[i].name, uid, data[i].phase, data[i].env,
					       data[i].created, rv);
		h.on_add(o, h.ctx);
		hf_obj_unref(o);
	}
	return v;
}

static char *list_names(struct hf_api_view *v, const char *params)
{
	struct hf_api_list_query q;
	struct hf_problem p;
	char *storage;
	cr_assert_eq(parse(params, HF_KIND_CLUSTER, &q, &p, &storage), HF_OK, "%s: %s", params,
		     p.detail);
	struct hf_api_row **rows;
	size_t n;
	hf_api_view_snapshot(v, &rows, &n, NULL);
	char *json = hf_api_list_render(&q, rows, n);
	hf_api_rows_free(rows, n);
	hf_api_list_query_free(&q);
	free(storage);
	/* "page size total: name,name,..." */
	cJSON *o = cJSON_Parse(json);
	free(json);
	char out[512];
	size_t len = (size_t)snprintf(
		out, sizeof(out), "%s %d %d %d:", cJSON_GetObjectItem(o, "kind")->valuestring,
		cJSON_GetObjectItem(o, "page")->valueint, cJSON_GetObjectItem(o, "size")->valueint,
		cJSON_GetObjectItem(o, "total")->valueint);
	const cJSON *item;
	cJSON_ArrayForEach(item, cJSON_GetObjectItem(o, "items")) len +=
		(size_t)snprintf(out + len, sizeof(out) - len, " %s",
				 cJSON_GetObjectItem(item, "name")->valuestring);
	cJSON_Delete(o);
	return hf_strdup(out);
}

static void expect_list(struct hf_api_view *v, const char *params, const char *want)
{
	char *got = list_names(v, params);
	cr_assert_str_eq(got, want, "%s", params);
	free(got);
}

Test(api_list, filters_orders_and_pages_rows)
{
	struct hf_api_view *v = populated_view();
	expect_list(v, "", "ClusterList 1 5 5: echo delta charlie bravo alpha");
	expect_list(v, "phase=Ready", "ClusterList 1 3 3: delta charlie alpha");
	expect_list(v, "status.phase=NotReady", "ClusterList 1 2 2: echo bravo");
	expect_list(v, "labels=env:prod\nphase=Ready", "ClusterList 1 2 2: delta alpha");
	expect_list(v, "name=charlie\nprovider=gcp\nregion=us-east1", "ClusterList 1 1 1: charlie");
	expect_list(v, "provider=aws", "ClusterList 1 0 0:");
	expect_list(v, "search=labels.env = 'dev' or name in ['alpha']\norder=name asc",
		    "ClusterList 1 3 3: alpha charlie echo");
	expect_list(v, "search=status.conditions.Reconciled = 'True'\nphase=Ready\nlabels=env:dev",
		    "ClusterList 1 1 1: charlie");
	expect_list(v, "order=name desc\nsize=2", "ClusterList 1 2 5: echo delta");
	expect_list(v, "order=name desc\nsize=2\npage=3", "ClusterList 3 1 5: alpha");
	expect_list(v, "page=9", "ClusterList 9 0 5:");
	hf_api_view_free(v);
}

Test(api_list, projects_sparse_fieldsets_keeping_the_id)
{
	struct hf_api_view *v = populated_view();
	struct hf_api_row *row = hf_api_view_get(v, "u-2");
	cr_assert_not_null(row);
	struct hf_api_list_query q;
	struct hf_problem p;
	char *storage;
	cr_assert_eq(parse("fields=name,labels", HF_KIND_CLUSTER, &q, &p, &storage), HF_OK);
	char *json = hf_api_project(&q, row);
	cr_assert_str_eq(json,
			 "{\"id\":\"u-2\",\"name\":\"charlie\",\"labels\":{\"env\":\"dev\"}}");
	free(json);
	free(storage);
	hf_api_list_query_free(&q);
	hf_api_row_unref(row);
	hf_api_view_free(v);
}

struct seen {
	char log[1024];
	int stop_after; /* the listener leaves after this many events (0: never) */
	int count;
};

static bool record(enum hf_api_event_type type, struct hf_api_row *row, void *ctx)
{
	struct seen *s = ctx;
	size_t len = strlen(s->log);
	snprintf(s->log + len, sizeof(s->log) - len, "%s%s:%s@%s", len ? " " : "",
		 hf_api_event_name(type), row->name, row->rv);
	return !s->stop_after || ++s->count < s->stop_after;
}

Test(api_view, follows_the_informer_and_replays_for_watches)
{
	struct hf_api_view *v = hf_api_view_new(HF_KIND_CLUSTER, NULL);
	struct hf_informer_handlers h = hf_api_view_handlers(v);
	struct hf_obj *a1 =
		cluster_obj("alpha", "u-a", "Not Ready", "prod", "2026-01-01T00:00:00Z", "7");
	struct hf_obj *a2 =
		cluster_obj("alpha", "u-a", "Ready", "prod", "2026-01-01T00:00:00Z", "9");
	struct hf_obj *b1 =
		cluster_obj("bravo", "u-b", "Ready", "dev", "2026-01-01T00:00:00Z", "8");
	h.on_add(a1, h.ctx);
	struct seen from_start = {.stop_after = 0};
	cr_assert_eq(hf_api_view_listen(v, NULL, record, &from_start), HF_API_LISTENING);
	h.on_add(b1, h.ctx);
	h.on_update(a1, a2, h.ctx);
	h.on_update(a2, a2, h.ctx); /* a resync changes nothing */
	h.on_delete(b1, h.ctx);
	cr_assert_str_eq(from_start.log,
			 "ADDED:alpha@7 ADDED:bravo@8 MODIFIED:alpha@9 DELETED:bravo@8");
	/* Resuming after version 7 replays what came after it. */
	struct seen resumed = {.stop_after = 0};
	cr_assert_eq(hf_api_view_listen(v, "7", record, &resumed), HF_API_LISTENING);
	cr_assert_str_eq(resumed.log, "ADDED:bravo@8 MODIFIED:alpha@9 DELETED:bravo@8");
	hf_api_view_unlisten(v, record, &resumed);
	/* A listener that leaves during the replay is not kept. */
	struct seen leaving = {.stop_after = 1};
	cr_assert_eq(hf_api_view_listen(v, "7", record, &leaving), HF_API_DROPPED);
	/* Lookups by id and by name; the deleted one is gone. */
	struct hf_api_row *r = hf_api_view_find(v, "ns", "alpha");
	cr_assert_not_null(r);
	cr_assert_str_eq(r->rv, "9");
	hf_api_row_unref(r);
	cr_assert_null(hf_api_view_get(v, "u-b"));
	/* Read-your-writes: version 9 is there, 10 is not (yet). */
	cr_assert(hf_api_view_wait(v, "u-a", "9", false, 0));
	cr_assert_not(hf_api_view_wait(v, "u-a", "10", false, 0.05));
	cr_assert(hf_api_view_wait(v, "u-b", NULL, true, 0));
	hf_api_view_unlisten(v, record, &from_start);
	hf_obj_unref(a1);
	hf_obj_unref(a2);
	hf_obj_unref(b1);
	hf_api_view_free(v);
}

static void count_job(void *arg)
{
	atomic_fetch_add((atomic_int *)arg, 1);
}

Test(api_pool, runs_every_submitted_job_and_bounds_the_queue)
{
	atomic_int done = 0;
	struct hf_pool *p = hf_pool_new(3, 0);
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(hf_pool_submit(p, count_job, &done), HF_OK);
	hf_pool_free(p); /* runs what was submitted */
	cr_assert_eq(atomic_load(&done), 1000);
}
