/*
 * Integration tests of the API client and the informer against the real
 * control plane: ordering of watch events, recovery after the API server
 * dies and after a forced 410, typed errors.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "fixture.h"
#include "kube/events.h"
#include "kube/informer.h"

#include <cJSON.h>

#define SELECTOR "hf-test=informer"

/* --- a recorder of informer events ------------------------------------ */

enum kind { ADD, UPDATE, DELETE, RESYNC };

struct event {
	enum kind kind;
	char key[96];
	long long rv; /* numeric for the test's ordering check only */
};

struct recorder {
	pthread_mutex_t lock;
	struct event *events;
	size_t n, alloc;
	size_t counts[4];
};

static void record(struct recorder *r, enum kind kind, const struct hf_obj *o)
{
	pthread_mutex_lock(&r->lock);
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 1024;
		r->events = hf_realloc(r->events, r->alloc * sizeof(*r->events));
	}
	struct event *e = &r->events[r->n++];
	e->kind = kind;
	snprintf(e->key, sizeof(e->key), "%s", o->key);
	e->rv = strtoll(o->resource_version, NULL, 10);
	r->counts[kind]++;
	pthread_mutex_unlock(&r->lock);
}

static void on_add(const struct hf_obj *o, void *ctx)
{
	record(ctx, ADD, o);
}

static void on_update(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	/* A resync hands the same cached object as old and new. */
	record(ctx, old == o ? RESYNC : UPDATE, o);
}

static void on_delete(const struct hf_obj *o, void *ctx)
{
	record(ctx, DELETE, o);
}

static void recorder_free(struct recorder *r)
{
	free(r->events);
	pthread_mutex_destroy(&r->lock);
}

static size_t count(struct recorder *r, enum kind kind)
{
	pthread_mutex_lock(&r->lock);
	size_t n = r->counts[kind];
	pthread_mutex_unlock(&r->lock);
	return n;
}

static struct hf_informer *start_informer_resync(struct fixture *f, struct recorder *r,
						 long page_size, double resync)
{
	pthread_mutex_init(&r->lock, NULL);
	struct hf_informer_options opts = {.resource = &HF_RES_CONFIGMAPS,
					   .ns = f->ns,
					   .label_selector = SELECTOR,
					   .page_size = page_size,
					   .resync_seconds = resync};
	struct hf_informer *inf = hf_informer_new(f->client, &opts);
	struct hf_informer_handlers h = {on_add, on_update, on_delete, r};
	cr_assert_eq(hf_informer_add_handlers(inf, &h), HF_OK);
	cr_assert_eq(hf_informer_start(inf), HF_OK);
	cr_assert(hf_informer_wait_synced(inf, 60), "the informer did not sync within 60 s");
	return inf;
}

static struct hf_informer *start_informer(struct fixture *f, struct recorder *r, long page_size)
{
	return start_informer_resync(f, r, page_size, 0);
}

/* --- object helpers ---------------------------------------------------- */

static void create_cm(struct fixture *f, int i)
{
	char *json = hf_asprintf(
		"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
		"\"cm-%d\",\"labels\":{\"hf-test\":\"informer\"}},\"data\":{\"v\":\"0\"}}",
		i);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	cr_assert_eq(hf_kube_create(f->client, &HF_RES_CONFIGMAPS, f->ns, json, &out, &kerr), HF_OK,
		     "create cm-%d: %s", i, kerr.message ? kerr.message : "");
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	free(json);
}

static void update_cm(struct fixture *f, int i)
{
	char name[32];
	snprintf(name, sizeof(name), "cm-%d", i);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	cr_assert_eq(hf_kube_patch(f->client, &HF_RES_CONFIGMAPS, f->ns, name, NULL, HF_PATCH_MERGE,
				   false, "{\"data\":{\"v\":\"1\"}}", &out, &kerr),
		     HF_OK, "patch %s: %s", name, kerr.message ? kerr.message : "");
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
}

static void delete_cm(struct fixture *f, int i)
{
	char name[32];
	snprintf(name, sizeof(name), "cm-%d", i);
	struct hf_kube_error kerr = {0};
	cr_assert_eq(hf_kube_delete(f->client, &HF_RES_CONFIGMAPS, f->ns, name, NULL, &kerr), HF_OK,
		     "delete %s: %s", name, kerr.message ? kerr.message : "");
	hf_kube_error_clear(&kerr);
}

/* Mutations spread over a few threads so a thousand of each take seconds. */
struct batch {
	struct fixture *f;
	void (*op)(struct fixture *, int);
	int from, to, step;
};

static void *run_batch(void *arg)
{
	struct batch *b = arg;
	for (int i = b->from; i < b->to; i += b->step)
		b->op(b->f, i);
	return NULL;
}

static void parallel(struct fixture *f, void (*op)(struct fixture *, int), int from, int to)
{
	enum { THREADS = 4 };
	pthread_t t[THREADS];
	struct batch b[THREADS];
	for (int i = 0; i < THREADS; i++) {
		b[i] = (struct batch){f, op, from + i, to, THREADS};
		pthread_create(&t[i], NULL, run_batch, &b[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
}

/* cache_matches_server compares the store with a fresh list: same keys,
 * same resourceVersions. */
static bool cache_matches_server(struct fixture *f, struct hf_informer *inf)
{
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	struct hf_kube_list_options opts = {.label_selector = SELECTOR};
	bool same = false;
	if (hf_kube_list(f->client, &HF_RES_CONFIGMAPS, f->ns, &opts, &out, &kerr) != HF_OK)
		goto out;
	cJSON *list = cJSON_Parse(out.data);
	const cJSON *items = cJSON_GetObjectItem(list, "items");
	struct hf_store *store = hf_informer_store(inf);
	same = (size_t)cJSON_GetArraySize(items) == hf_store_len(store);
	const cJSON *item;
	cJSON_ArrayForEach(item, items)
	{
		const cJSON *meta = cJSON_GetObjectItem(item, "metadata");
		char key[128];
		snprintf(key, sizeof(key), "%s/%s", f->ns,
			 cJSON_GetObjectItem(meta, "name")->valuestring);
		struct hf_obj *o = hf_store_get(store, key);
		if (!o || strcmp(o->resource_version,
				 cJSON_GetObjectItem(meta, "resourceVersion")->valuestring) != 0)
			same = false;
		hf_obj_unref(o);
	}
	cJSON_Delete(list);
out:
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	return same;
}

/* --- tests -------------------------------------------------------------- */

Test(informer, sees_a_thousand_creates_updates_and_deletes_in_order, .timeout = 300)
{
	struct fixture f = {0};
	fixture_setup(&f, "informer-order");
	/* Objects that exist before the informer starts arrive through the
	 * paged list (page size 50: four pages). */
	for (int i = 0; i < 200; i++)
		create_cm(&f, 10000 + i);
	struct recorder r = {0};
	struct hf_informer *inf = start_informer(&f, &r, 50);
	cr_assert_eq(hf_store_len(hf_informer_store(inf)), 200);
	cr_assert_eq(count(&r, ADD), 200);
	struct hf_informer_stats stats;
	hf_informer_stats(inf, &stats);
	cr_assert_eq(stats.lists, 1);

	parallel(&f, create_cm, 0, 1000);
	parallel(&f, update_cm, 0, 1000);
	parallel(&f, delete_cm, 0, 1000);
	FIXTURE_WAIT(120, count(&r, DELETE) == 1000, "saw %zu of 1000 deletes", count(&r, DELETE));
	cr_assert_eq(count(&r, ADD), 1200);
	cr_assert_eq(count(&r, UPDATE), 1000);
	cr_assert_eq(hf_store_len(hf_informer_store(inf)), 200);

	/* Every object went through add, update, delete in that order, and
	 * the watch delivered events in resourceVersion order. */
	pthread_mutex_lock(&r.lock);
	int *stage = hf_calloc(1000, sizeof(int));
	long long last_rv = 0;
	for (size_t i = 200; i < r.n; i++) {
		const struct event *e = &r.events[i];
		const char *dash = strrchr(e->key, '-');
		long idx = dash ? strtol(dash + 1, NULL, 10) : -1;
		cr_assert(idx >= 0 && idx < 1000, "unexpected object %s", e->key);
		cr_assert_eq(stage[idx], (int)e->kind, "%s: event %d arrived out of order", e->key,
			     (int)e->kind);
		stage[idx]++;
		cr_assert_gt(e->rv, last_rv, "event %zu (%s) out of resourceVersion order", i,
			     e->key);
		last_rv = e->rv;
	}
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(stage[i], 3, "cm-%d did not see add, update and delete", i);
	free(stage);
	pthread_mutex_unlock(&r.lock);
	hf_informer_free(inf);
	recorder_free(&r);
	fixture_teardown(&f);
}

Test(informer, recovers_after_the_api_server_dies_and_its_history_is_compacted, .timeout = 300)
{
	struct fixture f = {0};
	fixture_setup(&f, "informer-restart");
	for (int i = 0; i < 20; i++)
		create_cm(&f, i);
	struct recorder r = {0};
	struct hf_informer *inf = start_informer(&f, &r, 0);
	cr_assert_eq(hf_store_len(hf_informer_store(inf)), 20);

	/* Kill the API server, move etcd's revision on and compact its history,
	 * so the informer's resourceVersion is gone when the server is back. */
	const char *dir = fixture_env("HF_KUBE_DIR");
	const char *top = fixture_env("HF_TOP");
	fixture_sh("%s/hack/kube/component.sh %s kill kube-apiserver", top, dir);
	fixture_sh("%s/hack/kube/etcd-compact.sh %s >/dev/null", top, dir);
	fixture_sh("%s/hack/kube/component.sh %s restart kube-apiserver", top, dir);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	FIXTURE_WAIT(120,
		     hf_kube_request(f.client, "GET", "/readyz", NULL, NULL, NULL, &out, &kerr) ==
			     HF_OK,
		     "the API server did not become ready again");
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	/* Leave the control plane as the other tests expect it: the admission
	 * policies take a moment to find their parameters after a restart. */
	fixture_sh("%s/hack/install.sh >/dev/null", top);

	/* Changes after the restart: some new, some changed, some gone. */
	for (int i = 20; i < 25; i++)
		create_cm(&f, i);
	for (int i = 0; i < 5; i++)
		update_cm(&f, i);
	for (int i = 5; i < 10; i++)
		delete_cm(&f, i);

	FIXTURE_WAIT(120, cache_matches_server(&f, inf), "the cache never matched a fresh list");
	cr_assert_eq(hf_store_len(hf_informer_store(inf)), 20);
	struct hf_informer_stats stats;
	hf_informer_stats(inf, &stats);
	cr_assert_geq(stats.lists, 2, "the informer should have listed again after the 410");
	cr_assert_geq(stats.errors, 1, "the dead server should have failed a watch");
	hf_informer_free(inf);
	recorder_free(&r);
	fixture_teardown(&f);
}

Test(client, conflicts_and_other_failures_arrive_as_typed_errors)
{
	struct fixture f = {0};
	fixture_setup(&f, "client-errors");
	create_cm(&f, 1);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};

	/* 409 Conflict: an update with a stale resourceVersion. */
	const char *stale = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
			    "\"cm-1\",\"resourceVersion\":\"1\"},\"data\":{\"v\":\"2\"}}";
	cr_assert_eq(hf_kube_update(f.client, &HF_RES_CONFIGMAPS, f.ns, "cm-1", NULL, stale, &out,
				    &kerr),
		     HF_ERR_HTTP);
	cr_assert(hf_kube_error_is(&kerr, 409));
	cr_assert_str_eq(kerr.reason, "Conflict");
	cr_assert(strstr(kerr.message, "the object has been modified"), "message: %s",
		  kerr.message);

	/* 409 AlreadyExists. */
	char *dup = hf_asprintf(
		"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-1\"}}");
	cr_assert_eq(hf_kube_create(f.client, &HF_RES_CONFIGMAPS, f.ns, dup, &out, &kerr),
		     HF_ERR_HTTP);
	cr_assert(hf_kube_error_is(&kerr, 409));
	cr_assert_str_eq(kerr.reason, "AlreadyExists");
	free(dup);

	/* 404 NotFound. */
	cr_assert_eq(hf_kube_get(f.client, &HF_RES_CONFIGMAPS, f.ns, "missing", &out, &kerr),
		     HF_ERR_HTTP);
	cr_assert(hf_kube_error_is(&kerr, 404));
	cr_assert_str_eq(kerr.reason, "NotFound");
	cr_assert_str_eq(kerr.message, "configmaps \"missing\" not found");

	/* 422 Invalid with field causes, from the CRD schema. */
	const char *invalid =
		"{\"apiVersion\":\"hyperfleet.io/v1alpha1\",\"kind\":\"Cluster\","
		"\"metadata\":{\"name\":\"no-region\"},\"spec\":{\"provider\":\"gcp\"}}";
	cr_assert_eq(hf_kube_create(f.client, &HF_RES_CLUSTERS, f.ns, invalid, &out, &kerr),
		     HF_ERR_HTTP);
	cr_assert(hf_kube_error_is(&kerr, 422));
	cr_assert_str_eq(kerr.reason, "Invalid");
	cr_assert_geq(kerr.ncauses, 1);
	cr_assert_str_eq(kerr.causes[0].field, "spec.region");
	cr_assert_str_eq(kerr.causes[0].reason, "FieldValueRequired");

	/* A delete precondition on the wrong uid is refused (409). */
	struct hf_kube_delete_options pre = {.precondition_uid =
						     "00000000-0000-0000-0000-000000000000"};
	cr_assert_eq(hf_kube_delete(f.client, &HF_RES_CONFIGMAPS, f.ns, "cm-1", &pre, &kerr),
		     HF_ERR_HTTP);
	cr_assert(hf_kube_error_is(&kerr, 409));

	/* A transport failure has no HTTP code and says what failed. */
	struct hf_kube_config *cfg = f.cfg;
	char *saved = cfg->server;
	cfg->server = hf_strdup("https://127.0.0.1:1");
	struct hf_kube_client *dead = NULL;
	cr_assert_eq(hf_kube_client_new(cfg, NULL, &dead), HF_OK);
	cr_assert_eq(hf_kube_get(dead, &HF_RES_CONFIGMAPS, f.ns, "cm-1", &out, &kerr), HF_ERR_IO);
	cr_assert_eq(kerr.http_code, 0);
	cr_assert(strstr(kerr.message, "onnect"), "message: %s", kerr.message);
	hf_kube_client_free(dead);
	free(cfg->server);
	cfg->server = saved;

	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	fixture_teardown(&f);
}

Test(client, patches_apply_and_status_subresource)
{
	struct fixture f = {0};
	fixture_setup(&f, "client-verbs");
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	const char *cluster = "{\"apiVersion\":\"hyperfleet.io/v1alpha1\",\"kind\":\"Cluster\","
			      "\"metadata\":{\"name\":\"verbs\"},\"spec\":{\"provider\":\"gcp\","
			      "\"region\":\"us-east1\"}}";
	/* Server-side apply creates it, with field manager hyperfleet. */
	cr_assert_eq(hf_kube_patch(f.client, &HF_RES_CLUSTERS, f.ns, "verbs", NULL, HF_PATCH_APPLY,
				   true, cluster, &out, &kerr),
		     HF_OK, "%s", kerr.message ? kerr.message : "");
	cr_assert(strstr(out.data, "\"manager\":\"hyperfleet\""), "%s", out.data);
	/* JSON patch of the spec bumps the generation. */
	cr_assert_eq(
		hf_kube_patch(
			f.client, &HF_RES_CLUSTERS, f.ns, "verbs", NULL, HF_PATCH_JSON, false,
			"[{\"op\":\"replace\",\"path\":\"/spec/region\",\"value\":\"us-west1\"}]",
			&out, &kerr),
		HF_OK, "%s", kerr.message ? kerr.message : "");
	cr_assert(strstr(out.data, "\"generation\":2"), "%s", out.data);
	/* The status subresource takes a merge patch without a new generation. */
	cr_assert_eq(hf_kube_patch(f.client, &HF_RES_CLUSTERS, f.ns, "verbs", "status",
				   HF_PATCH_MERGE, false, "{\"status\":{\"phase\":\"Not Ready\"}}",
				   &out, &kerr),
		     HF_OK, "%s", kerr.message ? kerr.message : "");
	cr_assert(strstr(out.data, "\"phase\":\"Not Ready\""), "%s", out.data);
	cr_assert(strstr(out.data, "\"generation\":2"), "%s", out.data);
	/* Paged list: limit and continue. */
	for (int i = 0; i < 5; i++)
		create_cm(&f, i);
	struct hf_kube_list_options opts = {.label_selector = SELECTOR, .limit = 2};
	cr_assert_eq(hf_kube_list(f.client, &HF_RES_CONFIGMAPS, f.ns, &opts, &out, &kerr), HF_OK);
	cJSON *page = cJSON_Parse(out.data);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(page, "items")), 2);
	const char *cont =
		cJSON_GetObjectItem(cJSON_GetObjectItem(page, "metadata"), "continue")->valuestring;
	cr_assert(cont && cont[0]);
	char *next = hf_strdup(cont);
	cJSON_Delete(page);
	opts.continue_token = next;
	opts.limit = 10;
	cr_assert_eq(hf_kube_list(f.client, &HF_RES_CONFIGMAPS, f.ns, &opts, &out, &kerr), HF_OK);
	page = cJSON_Parse(out.data);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(page, "items")), 3);
	cJSON_Delete(page);
	free(next);
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	fixture_teardown(&f);
}

Test(events, repeats_are_aggregated_into_one_event)
{
	struct fixture f = {0};
	fixture_setup(&f, "events");
	create_cm(&f, 1);
	struct hf_events *ev = hf_events_new(f.client, "hyperfleet-test", "test-host");
	struct hf_event_object obj = {"v1", "ConfigMap", f.ns, "cm-1", NULL};
	for (int i = 0; i < 5; i++)
		hf_events_record(ev, &obj, "Warning", "ProvisioningFailed", "quota exceeded");
	hf_events_record(ev, &obj, "Normal", "Ready", "all adapters are available");
	cr_assert(hf_events_flush(ev, 30), "events were not sent within 30 s");

	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	struct hf_kube_list_options opts = {.field_selector = "involvedObject.name=cm-1"};
	cr_assert_eq(hf_kube_list(f.client, &HF_RES_EVENTS, f.ns, &opts, &out, &kerr), HF_OK);
	cJSON *list = cJSON_Parse(out.data);
	const cJSON *items = cJSON_GetObjectItem(list, "items");
	cr_assert_eq(cJSON_GetArraySize(items), 2, "%s", out.data);
	const cJSON *item;
	bool saw_warning = false;
	cJSON_ArrayForEach(item, items)
	{
		const char *reason = cJSON_GetObjectItem(item, "reason")->valuestring;
		int count = cJSON_GetObjectItem(item, "count")->valueint;
		if (strcmp(reason, "ProvisioningFailed") == 0) {
			saw_warning = true;
			cr_assert_eq(count, 5);
			cr_assert_str_eq(cJSON_GetObjectItem(item, "type")->valuestring, "Warning");
			cr_assert_str_eq(cJSON_GetObjectItem(item, "message")->valuestring,
					 "quota exceeded");
			const cJSON *src = cJSON_GetObjectItem(item, "source");
			cr_assert_str_eq(cJSON_GetObjectItem(src, "component")->valuestring,
					 "hyperfleet-test");
		} else {
			cr_assert_str_eq(reason, "Ready");
			cr_assert_eq(count, 1);
		}
	}
	cr_assert(saw_warning);
	cJSON_Delete(list);
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	hf_events_free(ev);
	fixture_teardown(&f);
}

Test(informer, resyncs_every_cached_object_periodically, .timeout = 60)
{
	struct fixture f = {0};
	fixture_setup(&f, "informer-resync");
	for (int i = 0; i < 3; i++)
		create_cm(&f, i);
	struct recorder r = {0};
	struct hf_informer *inf = start_informer_resync(&f, &r, 0, 1.0);
	/* Two rounds of resync: each round updates all three objects. */
	FIXTURE_WAIT(30, count(&r, RESYNC) >= 6, "saw %zu resync updates", count(&r, RESYNC));
	cr_assert_eq(count(&r, UPDATE), 0, "nothing changed, so no real updates");
	hf_informer_free(inf);
	recorder_free(&r);
	fixture_teardown(&f);
}
