/*
 * informer_bench: the informer's memory, initial sync and watch throughput
 * against the real control plane (bench/run.sh starts it).
 *
 *   informer_bench populate NS CLUSTERS NODEPOOLS_PER_CLUSTER
 *       creates realistic Clusters and NodePools (labels, spec, a status
 *       with seven adapters' conditions) in namespace NS
 *   informer_bench measure NS UPDATES
 *       syncs informers over NS (a fresh process, so RSS growth is the
 *       cache's) and then applies a burst of UPDATES status changes;
 *       prints one JSON object of figures
 */
#include <cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/informer.h"
#include "util/alloc.h"
#include "util/clock.h"

static const char *const adapters[] = {"validation", "dns",	     "placement", "pull-secret",
				       "hypershift", "landing-zone", "monitoring"};
#define NADAPTERS (sizeof(adapters) / sizeof(adapters[0]))
#define THREADS	  8

/* status_json is a status as the controller writes it: aggregated
 * conditions and one report per adapter. */
static char *status_json(int generation, const char *phase)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *status = cJSON_AddObjectToObject(root, "status");
	cJSON_AddStringToObject(status, "phase", phase);
	cJSON_AddNumberToObject(status, "observedGeneration", generation);
	cJSON *conds = cJSON_AddArrayToObject(status, "conditions");
	const char *types[] = {"Reconciled", "LastKnownReconciled"};
	for (int i = 0; i < 2; i++) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "type", types[i]);
		cJSON_AddStringToObject(c, "status", "True");
		cJSON_AddStringToObject(c, "reason", "ReconciledAll");
		cJSON_AddStringToObject(c, "message",
					"All required adapters are available at generation 1");
		cJSON_AddNumberToObject(c, "observedGeneration", generation);
		cJSON_AddStringToObject(c, "lastTransitionTime", "2026-11-22T04:05:06Z");
		cJSON_AddItemToArray(conds, c);
	}
	cJSON *reports = cJSON_AddArrayToObject(status, "adapters");
	for (size_t a = 0; a < NADAPTERS; a++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "adapter", adapters[a]);
		cJSON_AddNumberToObject(r, "observedGeneration", generation);
		cJSON *rc = cJSON_AddArrayToObject(r, "conditions");
		const char *ct[] = {"Applied", "Available", "Health"};
		const char *reasons[] = {"JobCreated", "JobSucceeded", "Healthy"};
		for (int i = 0; i < 3; i++) {
			cJSON *c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "type", ct[i]);
			cJSON_AddStringToObject(c, "status", "True");
			cJSON_AddStringToObject(c, "reason", reasons[i]);
			char msg[160];
			snprintf(msg, sizeof(msg), "%s: Job %s-gen%d completed successfully in 42s",
				 adapters[a], adapters[a], generation);
			cJSON_AddStringToObject(c, "message", msg);
			cJSON_AddStringToObject(c, "lastTransitionTime", "2026-11-22T04:05:06Z");
			cJSON_AddItemToArray(rc, c);
		}
		cJSON *data = cJSON_AddObjectToObject(r, "data");
		cJSON_AddStringToObject(data, "region", "us-east1");
		cJSON *meta = cJSON_AddObjectToObject(r, "metadata");
		cJSON_AddStringToObject(meta, "jobName", "validation-job-1234567890");
		cJSON_AddStringToObject(meta, "jobNamespace", "hyperfleet-jobs");
		cJSON_AddNumberToObject(meta, "attempt", 1);
		cJSON_AddStringToObject(r, "createdTime", "2026-11-22T04:00:00Z");
		cJSON_AddStringToObject(r, "lastReportTime", "2026-11-22T04:05:06Z");
		cJSON_AddItemToArray(reports, r);
	}
	char *json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return json;
}

struct populate_job {
	struct hf_kube_client *client;
	const char *ns;
	int from, to, step, pools;
	char *status;
	atomic_int *failures;
};

static void must(enum hf_err err, struct hf_kube_error *kerr, const char *what,
		 atomic_int *failures)
{
	if (err && !(err == HF_ERR_HTTP && kerr->http_code == 409 && strcmp(what, "create") == 0)) {
		fprintf(stderr, "informer_bench: %s: %s\n", what,
			kerr->message ? kerr->message : hf_err_name(err));
		atomic_fetch_add(failures, 1);
	}
	hf_kube_error_clear(kerr);
}

static void *populate_range(void *arg)
{
	struct populate_job *j = arg;
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	for (int i = j->from; i < j->to; i += j->step) {
		char name[32];
		snprintf(name, sizeof(name), "bench-%05d", i);
		char *cluster = hf_asprintf(
			"{\"apiVersion\":\"hyperfleet.io/v1alpha1\",\"kind\":\"Cluster\",\"metadata\":{\"name\":\"%s\","
			"\"labels\":{\"env\":\"%s\",\"team\":\"team-%d\",\"tier\":\"gold\",\"cost-center\":\"cc-%d\"}},"
			"\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\",\"version\":\"4.17.3\",\"gcp\":{"
			"\"projectID\":\"project-%d\",\"network\":\"vpc-main\",\"subnet\":\"subnet-%d\"}}}",
			name, i % 3 ? "prod" : "dev", i % 50, i % 20, i, i);
		must(hf_kube_create(j->client, &HF_RES_CLUSTERS, j->ns, cluster, &out, &kerr),
		     &kerr, "create", j->failures);
		must(hf_kube_patch(j->client, &HF_RES_CLUSTERS, j->ns, name, "status",
				   HF_PATCH_MERGE, false, j->status, &out, &kerr),
		     &kerr, "status", j->failures);
		free(cluster);
		for (int p = 0; p < j->pools; p++) {
			char pool[48];
			snprintf(pool, sizeof(pool), "%s.pool-%d", name, p);
			char *np = hf_asprintf(
				"{\"apiVersion\":\"hyperfleet.io/v1alpha1\",\"kind\":\"NodePool\",\"metadata\":{\"name\":"
				"\"%s\",\"labels\":{\"hyperfleet.io/cluster-name\":\"%s\",\"workload\":\"%s\"}},"
				"\"spec\":{\"clusterName\":\"%s\",\"nodeCount\":%d,\"machineType\":\"n1-standard-4\","
				"\"gcp\":{\"diskSizeGb\":100,\"diskType\":\"pd-ssd\"}}}",
				pool, name, p ? "gpu" : "compute", name, 3 + p);
			must(hf_kube_create(j->client, &HF_RES_NODEPOOLS, j->ns, np, &out, &kerr),
			     &kerr, "create", j->failures);
			must(hf_kube_patch(j->client, &HF_RES_NODEPOOLS, j->ns, pool, "status",
					   HF_PATCH_MERGE, false, j->status, &out, &kerr),
			     &kerr, "status", j->failures);
			free(np);
		}
	}
	hf_buf_free(&out);
	return NULL;
}

static int populate(const char *ns, int clusters, int pools)
{
	struct hf_kube_client *c = bench_client("informer_bench");
	char *status = status_json(1, "Ready");
	atomic_int failures = 0;
	pthread_t t[THREADS];
	struct populate_job jobs[THREADS];
	double start = hf_monotonic_now();
	for (int i = 0; i < THREADS; i++) {
		jobs[i] = (struct populate_job){c,	 ns,	i,	clusters,
						THREADS, pools, status, &failures};
		pthread_create(&t[i], NULL, populate_range, &jobs[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	fprintf(stderr,
		"informer_bench: populated %d clusters and %d node pools in %.1f s (%d failures)\n",
		clusters, clusters * pools, hf_monotonic_now() - start, atomic_load(&failures));
	free(status);
	return atomic_load(&failures) ? 1 : 0;
}

static long rss_bytes(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = 0;
	if (f)
		fclose(f);
	return resident * sysconf(_SC_PAGESIZE);
}

struct burst {
	atomic_long events;
	long target;
	double last_event;
	pthread_mutex_t lock;
};

static void on_update(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	(void)old;
	(void)o;
	struct burst *b = ctx;
	if (atomic_fetch_add(&b->events, 1) + 1 == b->target) {
		pthread_mutex_lock(&b->lock);
		b->last_event = hf_monotonic_now();
		pthread_mutex_unlock(&b->lock);
	}
}

struct update_job {
	struct hf_kube_client *client;
	const char *ns;
	int from, to, step;
};

static void *update_range(void *arg)
{
	struct update_job *j = arg;
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	for (int i = j->from; i < j->to; i += j->step) {
		char name[32], patch[96];
		snprintf(name, sizeof(name), "bench-%05d", i);
		snprintf(patch, sizeof(patch), "{\"status\":{\"observedGeneration\":%d}}", 100 + i);
		if (hf_kube_patch(j->client, &HF_RES_CLUSTERS, j->ns, name, "status",
				  HF_PATCH_MERGE, false, patch, &out, &kerr) != HF_OK)
			fprintf(stderr, "informer_bench: update %s: %s\n", name, kerr.message);
		hf_kube_error_clear(&kerr);
	}
	hf_buf_free(&out);
	return NULL;
}

static size_t json_bytes(struct hf_store *s)
{
	struct hf_obj_list l;
	hf_store_list(s, &l);
	size_t bytes = 0;
	for (size_t i = 0; i < l.n; i++)
		bytes += l.items[i]->json_len;
	hf_obj_list_free(&l);
	return bytes;
}

static int measure(const char *ns, int updates)
{
	struct hf_kube_client *c = bench_client("informer_bench");
	/* Warm the client (TLS, allocator) before the baseline. */
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	if (hf_kube_request(c, "GET", "/readyz", NULL, NULL, NULL, &out, &kerr) != HF_OK)
		return 1;
	hf_buf_free(&out);
	long rss_before = rss_bytes();

	struct burst b = {.target = updates};
	pthread_mutex_init(&b.lock, NULL);
	struct hf_informer_options co = {.resource = &HF_RES_CLUSTERS, .ns = ns};
	struct hf_informer_options no = {.resource = &HF_RES_NODEPOOLS, .ns = ns};
	struct hf_informer *clusters = hf_informer_new(c, &co);
	struct hf_informer *pools = hf_informer_new(c, &no);
	struct hf_informer_handlers h = {.on_update = on_update, .ctx = &b};
	if (hf_informer_add_handlers(clusters, &h) != HF_OK)
		return 1;
	double start = hf_monotonic_now();
	if (hf_informer_start(clusters) != HF_OK || hf_informer_start(pools) != HF_OK)
		return 1;
	if (!hf_informer_wait_synced(clusters, 600) || !hf_informer_wait_synced(pools, 600))
		return 1;
	double sync_s = hf_monotonic_now() - start;
	long rss_after = rss_bytes();
	size_t cluster_bytes = json_bytes(hf_informer_store(clusters));
	size_t pool_bytes = json_bytes(hf_informer_store(pools));
	size_t objects =
		hf_store_len(hf_informer_store(clusters)) + hf_store_len(hf_informer_store(pools));

	/* A burst of status updates from another client, as adapters report. */
	struct hf_kube_client *writer = bench_client("informer_bench");
	size_t nclusters = hf_store_len(hf_informer_store(clusters));
	if ((size_t)updates > nclusters)
		updates = (int)nclusters;
	b.target = updates;
	pthread_t t[THREADS];
	struct update_job jobs[THREADS];
	double burst_start = hf_monotonic_now();
	for (int i = 0; i < THREADS; i++) {
		jobs[i] = (struct update_job){writer, ns, i, updates, THREADS};
		pthread_create(&t[i], NULL, update_range, &jobs[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	double writes_done = hf_monotonic_now();
	double deadline = writes_done + 120;
	while (atomic_load(&b.events) < updates && hf_monotonic_now() < deadline)
		hf_sleep(0.01);
	pthread_mutex_lock(&b.lock);
	double last = b.last_event;
	pthread_mutex_unlock(&b.lock);
	double burst_s = last > 0 ? last - burst_start : -1;
	struct hf_informer_stats st;
	hf_informer_stats(clusters, &st);

	printf("{\"objects\":%zu,\"json_bytes\":%zu,\"cluster_json_bytes\":%zu,\"nodepool_json_bytes\":%zu,"
	       "\"rss_before_bytes\":%ld,\"rss_after_bytes\":%ld,\"informer_rss_ratio\":%.3f,"
	       "\"informer_initial_sync_s\":%.3f,\"watch_updates\":%d,\"watch_events_received\":%ld,"
	       "\"watch_burst_s\":%.3f,\"watch_writes_s\":%.3f,\"watch_events_per_s\":%.1f,"
	       "\"watch_apply_events_per_s\":%.1f}\n",
	       objects, cluster_bytes + pool_bytes, cluster_bytes, pool_bytes, rss_before,
	       rss_after, (double)(rss_after - rss_before) / (double)(cluster_bytes + pool_bytes),
	       sync_s, updates, (long)atomic_load(&b.events), burst_s, writes_done - burst_start,
	       burst_s > 0 ? updates / burst_s : 0,
	       st.apply_seconds > 0 ? (double)st.events / st.apply_seconds : 0);
	hf_informer_free(clusters);
	hf_informer_free(pools);
	return atomic_load(&b.events) >= updates ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "populate") == 0)
		return populate(argv[2], (int)strtol(argv[3], NULL, 10),
				(int)strtol(argv[4], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "measure") == 0)
		return measure(argv[2], (int)strtol(argv[3], NULL, 10));
	fprintf(stderr,
		"usage: informer_bench populate NS CLUSTERS POOLS_PER_CLUSTER | measure NS UPDATES\n");
	return 64;
}
