/*
 * dispatch_bench: how fast the adapter engine reacts to a new Cluster,
 * against the real control plane with `hyperfleet run` watching namespace
 * NS and an Adapter named bench-dispatch whose one resource is a Job
 * (bench/run.sh sets both up).
 *
 *   dispatch_bench NS CLUSTERS
 *
 * Creates CLUSTERS clusters one at a time and measures, for each, the time
 * from its create call to its Job appearing in a watch of Jobs (the
 * original system polls every 5 s; HyperFleet reacts to watch events).
 * Prints one JSON object of figures.
 */
#include <cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "kube/informer.h"
#include "kube/object.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/strmap.h"

/* Times Jobs were first seen, by the id of their Cluster. */
struct seen {
	pthread_mutex_t lock;
	struct hf_strmap *at; /* cluster uid -> double* */
};

static void job_added(const struct hf_obj *o, void *ctx)
{
	struct seen *s = ctx;
	const char *uid = hf_obj_label(o, "hyperfleet.io/cluster-id");
	if (!uid)
		return;
	double now = hf_monotonic_now();
	pthread_mutex_lock(&s->lock);
	if (!hf_strmap_get(s->at, uid)) {
		double *t = hf_malloc(sizeof(*t));
		*t = now;
		hf_strmap_put(s->at, uid, t);
	}
	pthread_mutex_unlock(&s->lock);
}

static double seen_at(struct seen *s, const char *uid)
{
	pthread_mutex_lock(&s->lock);
	double *t = hf_strmap_get(s->at, uid);
	double v = t ? *t : 0;
	pthread_mutex_unlock(&s->lock);
	return v;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: dispatch_bench NS CLUSTERS\n");
		return 64;
	}
	const char *ns = argv[1];
	int n = (int)strtol(argv[2], NULL, 10);
	struct hf_kube_client *c = bench_client("dispatch_bench");
	struct seen s = {.at = hf_strmap_new()};
	pthread_mutex_init(&s.lock, NULL);
	struct hf_informer_options jo = {.resource = &HF_RES_JOBS,
					 .ns = ns,
					 .label_selector = "hyperfleet.io/adapter=bench-dispatch"};
	struct hf_informer *jobs = hf_informer_new(c, &jo);
	struct hf_informer_handlers h = {job_added, NULL, NULL, &s};
	if (hf_informer_add_handlers(jobs, &h) || hf_informer_start(jobs) ||
	    !hf_informer_wait_synced(jobs, 60))
		return 1;
	double *lat = hf_calloc((size_t)n, sizeof(double));
	struct hf_buf out;
	hf_buf_init(&out, 0);
	for (int i = 0; i < n; i++) {
		char *json = hf_asprintf("{\"apiVersion\":\"hyperfleet.io/v1alpha1\",\"kind\":"
					 "\"Cluster\",\"metadata\":{\"name\":\"d-%05d\"},\"spec\":{"
					 "\"provider\":\"gcp\",\"region\":\"us-east1\"}}",
					 i);
		struct hf_kube_error kerr = {0};
		hf_buf_reset(&out);
		double sent = hf_monotonic_now();
		enum hf_err err = hf_kube_create(c, &HF_RES_CLUSTERS, ns, json, &out, &kerr);
		free(json);
		if (err) {
			fprintf(stderr, "dispatch_bench: create d-%05d: %s\n", i,
				kerr.message ? kerr.message : hf_err_name(err));
			return 1;
		}
		cJSON *created = cJSON_ParseWithLength(out.data, out.len);
		const char *uid = hf_json_string(cJSON_GetObjectItem(created, "metadata"), "uid");
		char id[64];
		snprintf(id, sizeof(id), "%s", uid ? uid : "");
		cJSON_Delete(created);
		double deadline = sent + 30, at = 0;
		while (!(at = seen_at(&s, id)) && hf_monotonic_now() < deadline)
			hf_sleep(0.0005);
		if (!at) {
			fprintf(stderr, "dispatch_bench: no Job for d-%05d within 30 s\n", i);
			return 1;
		}
		lat[i] = (at - sent) * 1000;
	}
	qsort(lat, (size_t)n, sizeof(double), compare_double);
	printf("{\"dispatch_clusters\":%d,\"dispatch_p50_ms\":%.1f,\"dispatch_p99_ms\":%.1f,"
	       "\"dispatch_max_ms\":%.1f}\n",
	       n, lat[n / 2], lat[(int)(n * 0.99)], lat[n - 1]);
	hf_buf_free(&out);
	free(lat);
	hf_informer_free(jobs);
	hf_strmap_free(s.at, free);
	return 0;
}
