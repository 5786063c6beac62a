/*
 * reconcile_bench: how fast adapter reports become the aggregated status,
 * against the real control plane with `hyperfleet run` watching namespace
 * NS and one required external adapter named bench-adapter (bench/run.sh
 * sets both up).
 *
 *   reconcile_bench NS RAW_NS CLUSTERS
 *
 * Creates CLUSTERS clusters in NS and as many in RAW_NS (which nothing
 * watches), then measures: the control plane's raw status-write throughput
 * (status patches to RAW_NS); the latency from a report written through the
 * shared report path to Reconciled=True seen through a watch, one report at
 * a time; and the rate at which concurrent reports bring clusters to Ready.
 * Prints one JSON object of figures.
 */
#include <cJSON.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "core/core.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/informer.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/metrics.h"
#include "util/rfc3339.h"
#include "util/strmap.h"

#define THREADS 8

/* Ready times per cluster, filled by the informer's handler. */
struct watch {
	pthread_mutex_t lock;
	struct hf_strmap *ready_at; /* key -> double* (monotonic time first seen Ready) */
	atomic_long ready;
	atomic_long not_ready;
};

/* phase_of copies the object's status.phase into buf ("" when none). */
static void phase_of(const struct hf_obj *o, char *buf, size_t len)
{
	cJSON *j = hf_obj_parse(o);
	const char *p = hf_json_string(cJSON_GetObjectItemCaseSensitive(j, "status"), "phase");
	snprintf(buf, len, "%s", p ? p : "");
	cJSON_Delete(j);
}

static void seen(const struct hf_obj *o, void *ctx)
{
	struct watch *w = ctx;
	char phase[32];
	phase_of(o, phase, sizeof(phase));
	bool ready = strcmp(phase, "Ready") == 0;
	bool not_ready = strcmp(phase, "Not Ready") == 0;
	pthread_mutex_lock(&w->lock);
	bool known = hf_strmap_has(w->ready_at, o->key);
	if (ready && !known) {
		double *t = hf_malloc(sizeof(*t));
		*t = hf_monotonic_now();
		hf_strmap_put(w->ready_at, o->key, t);
		atomic_fetch_add(&w->ready, 1);
	}
	pthread_mutex_unlock(&w->lock);
	if (not_ready)
		atomic_fetch_add(&w->not_ready, 1);
}

static void seen_update(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	(void)old;
	seen(o, ctx);
}

static double ready_at(struct watch *w, const char *key)
{
	pthread_mutex_lock(&w->lock);
	double *t = hf_strmap_get(w->ready_at, key);
	double v = t ? *t : 0;
	pthread_mutex_unlock(&w->lock);
	return v;
}

struct job {
	struct hf_kube_client *client;
	struct hf_core *core;
	const char *ns;
	const char *prefix;
	int from, to, step;
	int op; /* 0 create, 1 raw status patch, 2 report */
	const char *raw_patch;
	atomic_int *failures;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	for (int i = j->from; i < j->to; i += j->step) {
		char name[32];
		snprintf(name, sizeof(name), "%s-%05d", j->prefix, i);
		enum hf_err err = HF_OK;
		if (j->op == 0) {
			char *json = hf_asprintf(
				"{\"apiVersion\":\"hyperfleet.io/v1alpha1\",\"kind\":\"Cluster\","
				"\"metadata\":{\"name\":\"%s\"},\"spec\":{\"provider\":\"gcp\","
				"\"region\":\"us-east1\"}}",
				name);
			err = hf_kube_create(j->client, &HF_RES_CLUSTERS, j->ns, json, &out, &kerr);
			free(json);
		} else if (j->op == 1) {
			err = hf_kube_patch(j->client, &HF_RES_CLUSTERS, j->ns, name, "status",
					    HF_PATCH_MERGE, false, j->raw_patch, &out, &kerr);
		} else {
			struct hf_report r;
			hf_report_init(&r, "bench-adapter", 1, hf_rfc3339_now());
			hf_report_add_condition(&r, "Applied", "True", "Applied", NULL);
			hf_report_add_condition(&r, "Available", "True", "Done", "finished");
			hf_report_add_condition(&r, "Health", "True", "Healthy", NULL);
			struct hf_report_outcome oc;
			err = hf_core_write_report(j->core, HF_KIND_CLUSTER, j->ns, name, &r, &oc,
						   &kerr);
			cJSON_Delete(oc.stored);
			hf_report_clear(&r);
		}
		if (err) {
			fprintf(stderr, "reconcile_bench: %s: %s\n", name,
				kerr.message ? kerr.message : hf_err_name(err));
			atomic_fetch_add(j->failures, 1);
		}
		hf_kube_error_clear(&kerr);
	}
	hf_buf_free(&out);
	return NULL;
}

/* parallel runs op over [from, to) on THREADS threads; returns seconds. */
static const char *raw_patch_body;

static double parallel(struct hf_kube_client *c, struct hf_core *core, const char *ns,
		       const char *prefix, int from, int to, int op, atomic_int *failures)
{
	pthread_t t[THREADS];
	struct job jobs[THREADS];
	double start = hf_monotonic_now();
	for (int i = 0; i < THREADS; i++) {
		jobs[i] = (struct job){c,  core,    ns, prefix,		from + i,
				       to, THREADS, op, raw_patch_body, failures};
		pthread_create(&t[i], NULL, run_job, &jobs[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	return hf_monotonic_now() - start;
}

/* cpu_seconds is the CPU time (user + system) process pid has used. */
static double cpu_seconds(long pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	unsigned long utime = 0, stime = 0;
	/* Fields 14 and 15 (utime, stime), counted from the state after ")". */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
			 &stime) != 2)
		return 0;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* The processes whose CPU a phase costs: BENCH_PIDS="name=pid,...", and this one. */
struct cpu_probe {
	char names[8][32];
	long pids[8];
	int n;
};

static void probe_init(struct cpu_probe *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->names[0], sizeof(p->names[0]), "bench");
	p->pids[0] = (long)getpid();
	p->n = 1;
	const char *env = getenv("BENCH_PIDS");
	char *copy = hf_strdup(env ? env : "");
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok && p->n < 8;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		snprintf(p->names[p->n], sizeof(p->names[0]), "%s", tok);
		p->pids[p->n++] = strtol(eq + 1, NULL, 10);
	}
	free(copy);
}

static void probe_read(const struct cpu_probe *p, double *out)
{
	for (int i = 0; i < p->n; i++)
		out[i] = cpu_seconds(p->pids[i]);
}

/* probe_json appends "name":seconds pairs of the CPU used between a and b. */
static void probe_json(const struct cpu_probe *p, const double *a, const double *b, char *buf,
		       size_t len)
{
	size_t o = 0;
	for (int i = 0; i < p->n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s\"%s\":%.2f", i ? "," : "", p->names[i],
				      b[i] - a[i]);
}

/* status_patch_of is a merge patch setting the status that cluster
 * rb-<i> has in the cache. */
static char *status_patch_of(struct hf_core *core, const char *ns, int i)
{
	char key[96];
	snprintf(key, sizeof(key), "%s/rb-%05d", ns, i);
	struct hf_obj *o = hf_store_get(core->clusters, key);
	cJSON *json = o ? hf_obj_parse(o) : NULL;
	cJSON *patch = cJSON_CreateObject();
	cJSON_AddItemToObject(
		patch, "status",
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(json, "status"), true));
	char *body = cJSON_PrintUnformatted(patch);
	cJSON_Delete(patch);
	cJSON_Delete(json);
	hf_obj_unref(o);
	return body;
}

/* profile_start fetches a CPU profile of the API server covering the next
 * SECONDS into $BENCH_PPROF_DIR/NAME.pb.gz (a diagnostic, off by default;
 * needs HF_KUBE_PROFILING=true); profile_wait waits for it. */
static pid_t profile_start(const char *name, int seconds)
{
	const char *dir = getenv("BENCH_PPROF_DIR");
	const char *server = getenv("HF_KUBE_SERVER"), *token = getenv("HF_KUBE_TOKEN");
	if (!dir || !server || !token)
		return 0;
	char out[512], url[512], auth[512];
	snprintf(out, sizeof(out), "%s/%s.pb.gz", dir, name);
	snprintf(url, sizeof(url), "%s/debug/pprof/profile?seconds=%d", server, seconds);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	char *argv[] = {"curl", "-fsSk", "-H", auth, "-o", out, url, NULL};
	pid_t child;
	if (posix_spawnp(&child, "curl", NULL, NULL, argv, environ) != 0)
		return 0;
	return child;
}

static void profile_wait(pid_t child)
{
	if (child > 0)
		waitpid(child, NULL, 0);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static bool wait_until(atomic_long *counter, long target, double timeout_s)
{
	double deadline = hf_monotonic_now() + timeout_s;
	while (atomic_load(counter) < target) {
		if (hf_monotonic_now() > deadline)
			return false;
		hf_sleep(0.002);
	}
	return true;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: reconcile_bench NS RAW_NS CLUSTERS\n");
		return 64;
	}
	const char *ns = argv[1], *raw_ns = argv[2];
	int n = (int)strtol(argv[3], NULL, 10);
	int latency_n = n / 2;
	struct hf_kube_client *c = bench_client("reconcile_bench");
	atomic_int failures = 0;

	/* The caches the REST API and the adapter engine report from. */
	struct watch w = {.ready_at = hf_strmap_new()};
	pthread_mutex_init(&w.lock, NULL);
	struct hf_informer_options co = {.resource = &HF_RES_CLUSTERS, .ns = ns};
	struct hf_informer_options no = {.resource = &HF_RES_NODEPOOLS, .ns = ns};
	struct hf_informer_options ao = {.resource = &HF_RES_ADAPTERS};
	struct hf_informer *clusters = hf_informer_new(c, &co);
	struct hf_informer *pools = hf_informer_new(c, &no);
	struct hf_informer *adapters = hf_informer_new(c, &ao);
	struct hf_informer_handlers h = {seen, seen_update, NULL, &w};
	if (hf_informer_add_handlers(clusters, &h) || hf_informer_start(clusters) ||
	    hf_informer_start(pools) || hf_informer_start(adapters) ||
	    !hf_informer_wait_synced(clusters, 60) || !hf_informer_wait_synced(pools, 60) ||
	    !hf_informer_wait_synced(adapters, 60))
		return 1;
	struct hf_core core = {.client = c,
			       .clusters = hf_informer_store(clusters),
			       .nodepools = hf_informer_store(pools),
			       .adapters = hf_informer_store(adapters)};
	hf_core_init(&core);

	parallel(c, NULL, ns, "rb", 0, n, 0, &failures);
	parallel(c, NULL, raw_ns, "raw", 0, n, 0, &failures);
	/* The controller marks every new cluster Not Ready (finalizer, status). */
	if (!wait_until(&w.not_ready, n, 300)) {
		fprintf(stderr, "reconcile_bench: the controller did not process the clusters\n");
		return 1;
	}

	/* Latency: one report at a time, until its cluster is seen Ready. */
	double *lat = hf_calloc((size_t)latency_n, sizeof(double));
	for (int i = 0; i < latency_n; i++) {
		double sent = hf_monotonic_now();
		parallel(c, &core, ns, "rb", i, i + 1, 2, &failures);
		if (!wait_until(&w.ready, i + 1, 30)) {
			fprintf(stderr, "reconcile_bench: rb-%05d never became Ready\n", i);
			return 1;
		}
		char key[96];
		snprintf(key, sizeof(key), "%s/rb-%05d", ns, i);
		lat[i] = (ready_at(&w, key) - sent) * 1000;
	}
	qsort(lat, (size_t)latency_n, sizeof(double), compare_double);

	/* The physical limit: status writes that replace a status of the same
	 * size (as a report does) on clusters that a client watches, with no
	 * controller doing anything about them. A first round fills the raw
	 * clusters with a Not Ready status; the measured round replaces it with
	 * the Ready status a report produced. */
	char *not_ready_body = status_patch_of(&core, ns, n - 1);
	char *body = status_patch_of(&core, ns, 0);
	struct hf_informer_options ro = {.resource = &HF_RES_CLUSTERS, .ns = raw_ns};
	struct hf_informer *raw_watch = hf_informer_new(c, &ro);
	if (hf_informer_start(raw_watch) || !hf_informer_wait_synced(raw_watch, 60))
		return 1;
	struct hf_core raw_core = {.client = c, .clusters = hf_informer_store(raw_watch)};
	raw_patch_body = not_ready_body;
	parallel(c, &raw_core, raw_ns, "raw", 0, n, 1, &failures);
	raw_patch_body = body;
	struct cpu_probe probe;
	probe_init(&probe);
	double cpu0[8], cpu1[8], cpu2[8], cpu3[8];
	pid_t profile = profile_start("raw", 4);
	probe_read(&probe, cpu0);
	double raw_s = parallel(c, &raw_core, raw_ns, "raw", 0, n, 1, &failures);
	probe_read(&probe, cpu1);
	profile_wait(profile);
	double raw_rate = n / raw_s;
	hf_informer_free(raw_watch);
	size_t raw_bytes = strlen(body);
	free(body);
	free(not_ready_body);

	/* Throughput: the other half concurrently. */
	profile = profile_start("reports", 4);
	double start = hf_monotonic_now();
	probe_read(&probe, cpu2);
	if (getenv("BENCH_STOP_CONTROLLER") && probe.n > 1)
		kill((pid_t)probe.pids[1], SIGSTOP);
	parallel(c, &core, ns, "rb", latency_n, n, 2, &failures);
	if (!wait_until(&w.ready, n, 300))
		return 1;
	double pipeline_s = hf_monotonic_now() - start;
	probe_read(&probe, cpu3);
	profile_wait(profile);
	if (getenv("BENCH_STOP_CONTROLLER") && probe.n > 1)
		kill((pid_t)probe.pids[1], SIGCONT);
	char raw_cpu[512], pipeline_cpu[512];
	probe_json(&probe, cpu0, cpu1, raw_cpu, sizeof(raw_cpu));
	probe_json(&probe, cpu2, cpu3, pipeline_cpu, sizeof(pipeline_cpu));
	double pipeline_rate = (n - latency_n) / pipeline_s;

	printf("{\"clusters\":%d,\"reports_for_latency\":%d,\"report_to_condition_p50_ms\":%.1f,"
	       "\"report_to_condition_p99_ms\":%.1f,\"report_to_condition_max_ms\":%.1f,"
	       "\"raw_status_writes_per_s\":%.1f,\"raw_status_patch_bytes\":%zu,"
	       "\"clusters_ready_per_s\":%.1f,\"reconcile_ratio\":%.3f,\"failures\":%d,"
	       "\"raw_phase_cpu_s\":{%s},\"reports_phase_cpu_s\":{%s}}\n",
	       n, latency_n, lat[latency_n / 2], lat[(int)(latency_n * 0.99)], lat[latency_n - 1],
	       raw_rate, raw_bytes, pipeline_rate, pipeline_rate / raw_rate, atomic_load(&failures),
	       raw_cpu, pipeline_cpu);
	free(lat);
	if (getenv("BENCH_DUMP_METRICS")) {
		struct hf_buf m;
		hf_buf_init(&m, 0);
		if (hf_metrics_render(hf_metrics_default(), &m) == HF_OK)
			fputs(hf_buf_str(&m), stderr);
		hf_buf_free(&m);
	}
	hf_informer_free(clusters);
	hf_informer_free(pools);
	hf_informer_free(adapters);
	hf_strmap_free(w.ready_at, free);
	return atomic_load(&failures) ? 1 : 0;
}
