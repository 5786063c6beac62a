/*
 * run.c: `hyperfleet run`, the operator's process: the Cluster and NodePool
 * reconcilers on the manager (informers, work queues, leader election,
 * probes, metrics) and the REST API, each of which a flag can turn off.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter/engine.h"
#include "api/api.h"
#include "cmd/commands.h"
#include "core/core.h"
#include "core/reconciler.h"
#include "kube/manager.h"
#include "util/alloc.h"
#include "util/duration.h"
#include "util/log.h"

struct run_flags {
	struct hf_manager_options manager;
	const char *ns;
	const char *shard_selector;
	int workers;
	struct hf_reconciler_options requeue;
	const char *log_level;
	bool controller;	   /* run the reconcilers */
	struct hf_api_options api; /* port -1: no REST API */
};

/* The informers' handlers enqueue keys into these controllers. */
struct wiring {
	struct hf_core core;
	struct hf_controller *clusters;
	struct hf_controller *nodepools;
	struct hf_engine *engine; /* the adapter engine, or NULL */
};

static void enqueue_cluster_pools(struct wiring *w, const struct hf_obj *cluster)
{
	struct hf_obj_list pools;
	hf_store_list_by_cluster(w->core.nodepools, cluster->ns, cluster->name, &pools);
	for (size_t i = 0; i < pools.n; i++)
		hf_controller_enqueue(w->nodepools, pools.items[i]->key);
	hf_obj_list_free(&pools);
}

static void cluster_changed(const struct hf_obj *o, void *ctx)
{
	struct wiring *w = ctx;
	hf_controller_enqueue(w->clusters, o->key);
	/* Its node pools say whether their Cluster exists. */
	enqueue_cluster_pools(w, o);
}

static void cluster_updated(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	struct wiring *w = ctx;
	hf_controller_enqueue(w->clusters, o->key);
	if (old->deleting != o->deleting || strcmp(old->uid, o->uid) != 0)
		enqueue_cluster_pools(w, o);
}

static void nodepool_changed(const struct hf_obj *o, void *ctx)
{
	struct wiring *w = ctx;
	hf_controller_enqueue(w->nodepools, o->key);
	/* A Cluster's deletion waits for its node pools. */
	if (o->cluster) {
		char *key = hf_asprintf("%s/%s", o->ns, o->cluster);
		hf_controller_enqueue(w->clusters, key);
		free(key);
	}
}

static void nodepool_updated(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	(void)old;
	nodepool_changed(o, ctx);
}

/* The adapter engine runs a Cluster's or NodePool's adapters on every
 * change of it (its status included: dependsOn reads other reports). A
 * Cluster's change is also new work for its node pools' adapters, which
 * read the Cluster (and wait for it to arrive in the cache). */
static void engine_cluster_changed(const struct hf_obj *o, void *ctx)
{
	struct wiring *w = ctx;
	hf_engine_enqueue(w->engine, HF_KIND_CLUSTER, o->key);
	struct hf_obj_list pools;
	hf_store_list_by_cluster(w->core.nodepools, o->ns, o->name, &pools);
	for (size_t i = 0; i < pools.n; i++)
		hf_engine_enqueue(w->engine, HF_KIND_NODEPOOL, pools.items[i]->key);
	hf_obj_list_free(&pools);
}

static void engine_cluster_updated(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	(void)old;
	engine_cluster_changed(o, ctx);
}

static void engine_nodepool_changed(const struct hf_obj *o, void *ctx)
{
	struct wiring *w = ctx;
	hf_engine_enqueue(w->engine, HF_KIND_NODEPOOL, o->key);
}

static void engine_nodepool_updated(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	(void)old;
	engine_nodepool_changed(o, ctx);
}

/* enqueue_all: the required adapters changed, so may every status. */
static void enqueue_all(struct wiring *w)
{
	struct hf_obj_list all;
	hf_store_list(w->core.clusters, &all);
	for (size_t i = 0; i < all.n; i++)
		hf_controller_enqueue(w->clusters, all.items[i]->key);
	hf_obj_list_free(&all);
	hf_store_list(w->core.nodepools, &all);
	for (size_t i = 0; i < all.n; i++)
		hf_controller_enqueue(w->nodepools, all.items[i]->key);
	hf_obj_list_free(&all);
}

static void adapter_changed(const struct hf_obj *o, void *ctx)
{
	(void)o;
	enqueue_all(ctx);
}

static void adapter_updated(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	/* Resyncs (old == o) and status-only changes do not change who is required. */
	if (old != o && old->generation != o->generation)
		enqueue_all(ctx);
}

const char hf_cmd_run_usage[] =
	"Usage: hyperfleet run [options]\n"
	"\n"
	"Runs the Cluster and NodePool controllers and the HyperFleet REST API against\n"
	"the Kubernetes API named by the kubeconfig ($KUBECONFIG, else the in-cluster\n"
	"service account, else ~/.kube/config). Stops cleanly on SIGTERM or SIGINT.\n"
	"\n"
	"Options:\n"
	"  --kubeconfig PATH                  kubeconfig file\n"
	"  --context NAME                     kubeconfig context (default: the current one)\n"
	"  --kube-qps N                       Kubernetes API requests per second (default 50)\n"
	"  --kube-burst N                     burst above --kube-qps (default 100)\n"
	"  --namespace NS                     watch one namespace (default: all)\n"
	"  --shard-selector SELECTOR          handle only Clusters and NodePools with these labels\n"
	"                                     (run one deployment per shard, each with its own\n"
	"                                     --leader-election-id)\n"
	"  --workers N                        reconcile workers per kind (default 4)\n"
	"  --metrics-bind-address ADDR        /metrics listener, [host]:port or 0 for none (default :9090)\n"
	"  --health-probe-bind-address ADDR   /healthz and /readyz listener (default :8080)\n"
	"  --leader-elect BOOL                elect a leader on a Lease (default true)\n"
	"  --leader-election-namespace NS     namespace of the Lease (default: the kubeconfig's)\n"
	"  --leader-election-id NAME          name of the Lease (default hyperfleet-controller)\n"
	"  --not-ready-requeue DURATION       first recheck of a Not Ready resource (default 10s)\n"
	"  --not-ready-requeue-max DURATION   cap of that backoff (default 5m)\n"
	"  --ready-resync DURATION            recheck of a Ready resource (default 30m)\n"
	"  --log-level LEVEL                  debug, info, warn or error (default info)\n"
	"  --controller BOOL                  run the controllers (default true; false: API only)\n"
	"  --api-bind-address ADDR            REST API listener, [host]:port or 0 for none\n"
	"                                     (default 127.0.0.1:8000)\n"
	"  --api-namespace NS                 where the REST API creates Clusters (default: --namespace,\n"
	"                                     else \"default\")\n"
	"  --auth MODE                        none, or kubernetes: bearer tokens checked with\n"
	"                                     TokenReview, calls with SubjectAccessReview (default none)\n"
	"  --api-rate-limit QPS               requests per second per client address (default 100;\n"
	"                                     0: no limit)\n"
	"  --api-rate-burst N                 burst above --api-rate-limit (default 2 x QPS)\n"
	"  --api-workers N                    threads for writes and authorization (default 8)\n"
	"  --tls-cert-file PATH               serve the REST API over HTTPS with this certificate\n"
	"  --tls-private-key-file PATH        ... and this key (PEM)\n";

/* parse_bind reads "[host]:port" or "0" (disabled). */
static bool parse_bind(const char *s, const char **host, int *port, char *buf, size_t len)
{
	if (strcmp(s, "0") == 0) {
		*port = -1;
		return true;
	}
	const char *colon = strrchr(s, ':');
	if (!colon)
		return false;
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || p < 1 || p > 65535 || (size_t)(colon - s) >= len)
		return false;
	memcpy(buf, s, (size_t)(colon - s));
	buf[colon - s] = '\0';
	*host = buf[0] ? buf : NULL;
	*port = (int)p;
	return true;
}

static bool parse_int(const char *s, int min, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > 1000000)
		return false;
	*out = (int)v;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
		*out = true;
		return true;
	}
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
		*out = false;
		return true;
	}
	return false;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "hyperfleet run: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n\n%s", hf_cmd_run_usage);
	va_end(ap);
	return 64;
}

static int parse_flags(int argc, char **argv, struct run_flags *f, char *metrics_host,
		       char *health_host, char *api_host, size_t hostlen)
{
	enum {
		KUBECONFIG = 256,
		CONTEXT,
		QPS,
		BURST,
		NS,
		SHARD,
		WORKERS,
		METRICS,
		HEALTH,
		ELECT,
		ELECT_NS,
		ELECT_ID,
		NR,
		NR_MAX,
		RESYNC,
		LOG,
		CONTROLLER,
		API_BIND,
		API_NS,
		AUTH,
		RATE,
		RATE_BURST,
		API_WORKERS,
		TLS_CERT,
		TLS_KEY
	};
	static const struct option options[] = {
		{"kubeconfig", required_argument, NULL, KUBECONFIG},
		{"context", required_argument, NULL, CONTEXT},
		{"kube-qps", required_argument, NULL, QPS},
		{"kube-burst", required_argument, NULL, BURST},
		{"namespace", required_argument, NULL, NS},
		{"shard-selector", required_argument, NULL, SHARD},
		{"workers", required_argument, NULL, WORKERS},
		{"metrics-bind-address", required_argument, NULL, METRICS},
		{"health-probe-bind-address", required_argument, NULL, HEALTH},
		{"leader-elect", required_argument, NULL, ELECT},
		{"leader-election-namespace", required_argument, NULL, ELECT_NS},
		{"leader-election-id", required_argument, NULL, ELECT_ID},
		{"not-ready-requeue", required_argument, NULL, NR},
		{"not-ready-requeue-max", required_argument, NULL, NR_MAX},
		{"ready-resync", required_argument, NULL, RESYNC},
		{"log-level", required_argument, NULL, LOG},
		{"controller", required_argument, NULL, CONTROLLER},
		{"api-bind-address", required_argument, NULL, API_BIND},
		{"api-namespace", required_argument, NULL, API_NS},
		{"auth", required_argument, NULL, AUTH},
		{"api-rate-limit", required_argument, NULL, RATE},
		{"api-rate-burst", required_argument, NULL, RATE_BURST},
		{"api-workers", required_argument, NULL, API_WORKERS},
		{"tls-cert-file", required_argument, NULL, TLS_CERT},
		{"tls-private-key-file", required_argument, NULL, TLS_KEY},
		{NULL, 0, NULL, 0},
	};
	int c, n;
	double d;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case KUBECONFIG: f->manager.kubeconfig = optarg; break;
		case CONTEXT: f->manager.context = optarg; break;
		case QPS:
			if (!parse_int(optarg, 1, &n))
				return usage_error(
					"--kube-qps must be a positive integer, not '%s'", optarg);
			f->manager.kube_qps = n;
			break;
		case BURST:
			if (!parse_int(optarg, 1, &n))
				return usage_error(
					"--kube-burst must be a positive integer, not '%s'",
					optarg);
			f->manager.kube_burst = n;
			break;
		case NS: f->ns = optarg; break;
		case SHARD: f->shard_selector = optarg; break;
		case WORKERS:
			if (!parse_int(optarg, 1, &f->workers))
				return usage_error("--workers must be a positive integer, not '%s'",
						   optarg);
			break;
		case METRICS:
			if (!parse_bind(optarg, &f->manager.metrics_address,
					&f->manager.metrics_port, metrics_host, hostlen))
				return usage_error(
					"--metrics-bind-address must be [host]:port or 0, not '%s'",
					optarg);
			break;
		case HEALTH:
			if (!parse_bind(optarg, &f->manager.health_address, &f->manager.health_port,
					health_host, hostlen))
				return usage_error(
					"--health-probe-bind-address must be [host]:port or 0, not '%s'",
					optarg);
			break;
		case ELECT:
			if (!parse_bool(optarg, &f->manager.leader_elect))
				return usage_error("--leader-elect must be true or false, not '%s'",
						   optarg);
			break;
		case ELECT_NS: f->manager.lease_namespace = optarg; break;
		case ELECT_ID: f->manager.lease_name = optarg; break;
		case NR:
		case NR_MAX:
		case RESYNC:
			if (!hf_duration_parse(optarg, &d) || d <= 0)
				return usage_error(
					"durations are written like 10s, 5m or 1h30m, not '%s'",
					optarg);
			if (c == NR)
				f->requeue.not_ready_requeue_s = d;
			else if (c == NR_MAX)
				f->requeue.not_ready_requeue_max_s = d;
			else
				f->requeue.ready_resync_s = d;
			break;
		case LOG: f->log_level = optarg; break;
		case CONTROLLER:
			if (!parse_bool(optarg, &f->controller))
				return usage_error("--controller must be true or false, not '%s'",
						   optarg);
			break;
		case API_BIND:
			if (!parse_bind(optarg, &f->api.address, &f->api.port, api_host, hostlen))
				return usage_error(
					"--api-bind-address must be [host]:port or 0, not '%s'",
					optarg);
			break;
		case API_NS: f->api.ns = optarg; break;
		case AUTH:
			if (strcmp(optarg, "none") == 0)
				f->api.auth = HF_API_AUTH_NONE;
			else if (strcmp(optarg, "kubernetes") == 0)
				f->api.auth = HF_API_AUTH_KUBERNETES;
			else
				return usage_error("--auth must be none or kubernetes, not '%s'",
						   optarg);
			break;
		case RATE:
			if (!parse_int(optarg, 0, &n))
				return usage_error(
					"--api-rate-limit must be a number >= 0, not '%s'", optarg);
			f->api.rate_qps = n;
			break;
		case RATE_BURST:
			if (!parse_int(optarg, 1, &f->api.rate_burst))
				return usage_error(
					"--api-rate-burst must be a positive integer, not '%s'",
					optarg);
			break;
		case API_WORKERS:
			if (!parse_int(optarg, 1, &f->api.workers))
				return usage_error(
					"--api-workers must be a positive integer, not '%s'",
					optarg);
			break;
		case TLS_CERT: f->api.tls_cert = optarg; break;
		case TLS_KEY: f->api.tls_key = optarg; break;
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!f->api.tls_cert != !f->api.tls_key)
		return usage_error("--tls-cert-file and --tls-private-key-file go together");
	if (!f->controller && f->api.port < 0)
		return usage_error(
			"--controller=false and --api-bind-address=0 leave nothing to run");
	return 0;
}

int hf_cmd_run(int argc, char **argv)
{
	struct run_flags f = {.workers = 4, .log_level = "info", .controller = true};
	f.manager.leader_elect = true;
	f.api.address = "127.0.0.1";
	f.api.port = 8000;
	f.api.rate_qps = 100;
	char metrics_host[256], health_host[256], api_host[256];
	int rc = parse_flags(argc, argv, &f, metrics_host, health_host, api_host,
			     sizeof(metrics_host));
	if (rc)
		return rc;
	if (!f.api.ns)
		f.api.ns = f.ns ? f.ns : "default";
	if (!f.controller)
		f.manager.leader_elect = false; /* the API alone scales out */
	enum hf_log_level level;
	if (hf_log_parse_level(f.log_level, &level) != HF_OK)
		return usage_error("--log-level must be debug, info, warn or error, not '%s'",
				   f.log_level);
	hf_log_set_level(level);

	char err[1024];
	struct hf_manager *m = NULL;
	if (hf_manager_new(&f.manager, &m, err, sizeof(err)) != HF_OK) {
		fprintf(stderr, "hyperfleet run: %s\n", err);
		return 1;
	}
	struct wiring w = {
		.core = {.client = hf_manager_client(m), .events = hf_manager_events(m)}};
	struct hf_informer_options co = {
		.resource = &HF_RES_CLUSTERS, .ns = f.ns, .label_selector = f.shard_selector};
	struct hf_informer_options no = {
		.resource = &HF_RES_NODEPOOLS, .ns = f.ns, .label_selector = f.shard_selector};
	struct hf_informer_options ao = {.resource = &HF_RES_ADAPTERS};
	struct hf_informer *clusters = hf_manager_add_informer(m, &co);
	struct hf_informer *nodepools = hf_manager_add_informer(m, &no);
	struct hf_informer *adapters = hf_manager_add_informer(m, &ao);
	w.core.clusters = hf_informer_store(clusters);
	w.core.nodepools = hf_informer_store(nodepools);
	w.core.adapters = hf_informer_store(adapters);
	hf_core_init(&w.core);

	struct hf_reconciler *rc_clusters = hf_reconciler_new(&w.core, HF_KIND_CLUSTER, &f.requeue);
	struct hf_reconciler *rc_pools = hf_reconciler_new(&w.core, HF_KIND_NODEPOOL, &f.requeue);
	struct hf_controller_options cc = {.name = "cluster",
					   .workers = f.workers,
					   .reconcile = hf_reconciler_reconcile,
					   .ctx = rc_clusters};
	struct hf_controller_options nc = {.name = "nodepool",
					   .workers = f.workers,
					   .reconcile = hf_reconciler_reconcile,
					   .ctx = rc_pools};
	struct hf_informer_handlers ch = {cluster_changed, cluster_updated, cluster_changed, &w};
	struct hf_informer_handlers nh = {nodepool_changed, nodepool_updated, nodepool_changed, &w};
	struct hf_informer_handlers ah = {adapter_changed, adapter_updated, adapter_changed, &w};
	struct hf_informer_handlers ech = {engine_cluster_changed, engine_cluster_updated, NULL,
					   &w};
	struct hf_informer_handlers enh = {engine_nodepool_changed, engine_nodepool_updated, NULL,
					   &w};
	struct hf_engine_options eo = {
		.core = &w.core, .adapters = adapters, .ns = f.ns, .workers = f.workers};
	enum hf_err e = HF_OK;
	if (f.controller) {
		e = hf_manager_add_controller(m, &cc, &w.clusters);
		if (!e)
			e = hf_manager_add_controller(m, &nc, &w.nodepools);
		if (!e)
			e = hf_informer_add_handlers(clusters, &ch);
		if (!e)
			e = hf_informer_add_handlers(nodepools, &nh);
		if (!e)
			e = hf_informer_add_handlers(adapters, &ah);
		if (!e)
			e = hf_engine_setup(m, &eo, &w.engine);
		if (!e)
			e = hf_informer_add_handlers(clusters, &ech);
		if (!e)
			e = hf_informer_add_handlers(nodepools, &enh);
	}
	struct hf_api *api = NULL;
	if (!e && f.api.port >= 0 &&
	    (e = hf_api_start(&f.api, &w.core, clusters, nodepools, &api, err, sizeof(err))))
		fprintf(stderr, "hyperfleet run: %s\n", err);
	if (!e) {
		hf_log_with(HF_LOG_INFO, "run", "starting",
			    HF_LOG_STR("namespace", f.ns ? f.ns : "(all)"),
			    HF_LOG_STR("shardSelector", f.shard_selector ? f.shard_selector : ""),
			    HF_LOG_INT("workers", f.workers),
			    HF_LOG_BOOL("controller", f.controller),
			    HF_LOG_INT("apiPort", api ? hf_api_port(api) : -1));
		e = hf_manager_run(m);
	}
	hf_api_stop(api);
	if (e == HF_ERR_UNAVAILABLE)
		hf_log(HF_LOG_ERROR, "run",
		       "lost the leader lease; exiting so that a new leader takes over",
		       (const char *)NULL);
	else if (e)
		hf_log_with(HF_LOG_ERROR, "run", "stopped on an error", HF_LOG_ERR(e));
	else
		hf_log(HF_LOG_INFO, "run", "stopped", (const char *)NULL);
	hf_engine_stop(w.engine);
	hf_manager_free(m);
	hf_engine_free(w.engine);
	hf_reconciler_free(rc_clusters);
	hf_reconciler_free(rc_pools);
	hf_core_cleanup(&w.core);
	return e ? 1 : 0;
}
