#include "kube/manager.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/server.h"
#include "kube/config.h"
#include "kube/leader.h"
#include "util/alloc.h"
#include "util/metrics.h"

#define MAX_INFORMERS	16
#define MAX_CONTROLLERS 16

struct hf_manager {
	struct hf_manager_options opts;
	char *identity;
	char *lease_namespace;
	struct hf_kube_config *cfg;
	struct hf_kube_client *client;
	struct hf_events *events;
	struct hf_informer *informers[MAX_INFORMERS];
	int ninformers;
	struct hf_controller *controllers[MAX_CONTROLLERS];
	int ncontrollers;
	struct hf_leader *leader;
	struct hf_http_server *metrics_server;
	struct hf_http_server *health_server;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop_requested;
	bool lost_lease;
	bool controllers_started;
};

enum hf_err hf_manager_new(const struct hf_manager_options *opts, struct hf_manager **out,
			   char *errbuf, size_t errlen)
{
	/* Every thread inherits this mask, so the signals reach only the
	 * thread that waits for them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	struct hf_manager *m = hf_calloc(1, sizeof(*m));
	m->opts = *opts;
	enum hf_err err =
		hf_kube_config_load(opts->kubeconfig, opts->context, &m->cfg, errbuf, errlen);
	if (err) {
		free(m);
		return err;
	}
	struct hf_kube_client_options copts = {.qps = opts->kube_qps, .burst = opts->kube_burst};
	err = hf_kube_client_new(m->cfg, &copts, &m->client);
	if (err) {
		snprintf(errbuf, errlen, "cannot create the Kubernetes client: %s",
			 hf_err_name(err));
		hf_kube_config_free(m->cfg);
		free(m);
		return err;
	}
	if (opts->identity) {
		m->identity = hf_strdup(opts->identity);
	} else {
		char host[256] = "unknown";
		gethostname(host, sizeof(host) - 1);
		m->identity = hf_asprintf("%s_%d", host, (int)getpid());
	}
	m->lease_namespace =
		hf_strdup(opts->lease_namespace ? opts->lease_namespace : m->cfg->namespace);
	m->events = hf_events_new(m->client,
				  opts->component ? opts->component : "hyperfleet-controller",
				  m->identity);
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);
	*out = m;
	return HF_OK;
}

void hf_manager_free(struct hf_manager *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->ncontrollers; i++)
		hf_controller_free(m->controllers[i]);
	hf_leader_free(m->leader);
	for (int i = 0; i < m->ninformers; i++)
		hf_informer_free(m->informers[i]);
	hf_events_free(m->events);
	hf_kube_client_free(m->client);
	hf_kube_config_free(m->cfg);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cond);
	free(m->identity);
	free(m->lease_namespace);
	free(m);
}

struct hf_kube_client *hf_manager_client(struct hf_manager *m)
{
	return m->client;
}

struct hf_events *hf_manager_events(struct hf_manager *m)
{
	return m->events;
}

struct hf_informer *hf_manager_add_informer(struct hf_manager *m,
					    const struct hf_informer_options *opts)
{
	if (m->ninformers == MAX_INFORMERS)
		return NULL;
	struct hf_informer *inf = hf_informer_new(m->client, opts);
	m->informers[m->ninformers++] = inf;
	return inf;
}

enum hf_err hf_manager_add_controller(struct hf_manager *m,
				      const struct hf_controller_options *opts,
				      struct hf_controller **out)
{
	if (m->ncontrollers == MAX_CONTROLLERS)
		return HF_ERR_INVALID;
	enum hf_err err = hf_controller_new(opts, out);
	if (!err)
		m->controllers[m->ncontrollers++] = *out;
	return err;
}

/* --- endpoints ---------------------------------------------------------- */

static void text(struct hf_http_response *resp, int status, const char *body)
{
	resp->status = status;
	enum hf_err err = hf_buf_appends(&resp->body, body);
	(void)err;
}

static void serve_metrics(const struct hf_http_request *req, struct hf_http_response *resp,
			  void *ctx)
{
	(void)ctx;
	if (strcmp(req->path, "/metrics") != 0) {
		text(resp, 404, "not found\n");
		return;
	}
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	if (hf_metrics_render(hf_metrics_default(), &resp->body) != HF_OK)
		text(resp, 500, "cannot render metrics\n");
}

static void serve_health(const struct hf_http_request *req, struct hf_http_response *resp,
			 void *ctx)
{
	struct hf_manager *m = ctx;
	if (strcmp(req->path, "/healthz") == 0 || strcmp(req->path, "/livez") == 0) {
		text(resp, 200, "ok\n");
		return;
	}
	if (strcmp(req->path, "/readyz") != 0) {
		text(resp, 404, "not found\n");
		return;
	}
	/* Ready once every cache has synced: before that, answers from the
	 * caches would be incomplete. */
	bool ready = true;
	for (int i = 0; i < m->ninformers; i++)
		ready = ready && hf_informer_has_synced(m->informers[i]);
	text(resp, ready ? 200 : 503, ready ? "ok\n" : "informers have not synced yet\n");
}

/* --- lifecycle ----------------------------------------------------------- */

static void wake(struct hf_manager *m, bool lost_lease)
{
	pthread_mutex_lock(&m->lock);
	m->stop_requested = true;
	m->lost_lease = m->lost_lease || lost_lease;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

void hf_manager_stop(struct hf_manager *m)
{
	wake(m, false);
}

static void start_controllers(struct hf_manager *m)
{
	pthread_mutex_lock(&m->lock);
	if (!m->stop_requested && !m->controllers_started) {
		for (int i = 0; i < m->ncontrollers; i++)
			if (hf_controller_start(m->controllers[i]) != HF_OK)
				m->stop_requested = true;
		m->controllers_started = true;
	}
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

static void on_started_leading(void *ctx)
{
	start_controllers(ctx);
}

static void on_stopped_leading(void *ctx)
{
	struct hf_manager *m = ctx;
	pthread_mutex_lock(&m->lock);
	bool requested = m->stop_requested;
	pthread_mutex_unlock(&m->lock);
	/* Giving the lease up because we were asked to stop is no loss. */
	if (!requested)
		wake(m, true);
}

struct signal_waiter {
	struct hf_manager *m;
	sigset_t set;
};

static void *wait_for_signal(void *arg)
{
	struct signal_waiter *w = arg;
	int sig = 0;
	sigwait(&w->set, &sig);
	hf_manager_stop(w->m);
	return NULL;
}

static enum hf_err start_servers(struct hf_manager *m)
{
	int mport = m->opts.metrics_port == 0 ? 9090 : m->opts.metrics_port;
	int hport = m->opts.health_port == 0 ? 8080 : m->opts.health_port;
	if (mport > 0) {
		struct hf_http_server_options o = {.address = m->opts.metrics_address,
						   .port = mport,
						   .handler = serve_metrics,
						   .ctx = m};
		if (hf_http_server_start(&o, &m->metrics_server) != HF_OK)
			return HF_ERR_IO;
	}
	if (hport > 0) {
		struct hf_http_server_options o = {.address = m->opts.health_address,
						   .port = hport,
						   .handler = serve_health,
						   .ctx = m};
		if (hf_http_server_start(&o, &m->health_server) != HF_OK)
			return HF_ERR_IO;
	}
	return HF_OK;
}

enum hf_err hf_manager_run(struct hf_manager *m)
{
	struct signal_waiter waiter = {.m = m};
	sigemptyset(&waiter.set);
	sigaddset(&waiter.set, SIGTERM);
	sigaddset(&waiter.set, SIGINT);
	pthread_t signal_thread;
	if (pthread_create(&signal_thread, NULL, wait_for_signal, &waiter) != 0)
		return HF_ERR_INTERNAL;

	enum hf_err err = start_servers(m);
	for (int i = 0; !err && i < m->ninformers; i++)
		err = hf_informer_start(m->informers[i]);
	if (!err && m->opts.leader_elect) {
		struct hf_leader_options lo = {
			.ns = m->lease_namespace,
			.name = m->opts.lease_name ? m->opts.lease_name : "hyperfleet-controller",
			.identity = m->identity,
			.on_started_leading = on_started_leading,
			.on_stopped_leading = on_stopped_leading,
			.ctx = m,
		};
		m->leader = hf_leader_new(m->client, &lo);
		err = hf_leader_start(m->leader);
	} else if (!err) {
		start_controllers(m);
	}
	if (err)
		wake(m, false);

	pthread_mutex_lock(&m->lock);
	while (!m->stop_requested)
		pthread_cond_wait(&m->cond, &m->lock);
	bool lost = m->lost_lease;
	pthread_mutex_unlock(&m->lock);

	/* Orderly shutdown: work first, then the lease, then the caches. */
	for (int i = 0; i < m->ncontrollers; i++)
		hf_controller_stop(m->controllers[i]);
	if (m->leader)
		hf_leader_stop(m->leader);
	for (int i = 0; i < m->ninformers; i++)
		hf_informer_stop(m->informers[i]);
	hf_events_flush(m->events, 5);
	hf_http_server_stop(m->health_server);
	m->health_server = NULL;
	hf_http_server_stop(m->metrics_server);
	m->metrics_server = NULL;

	/* Wake the signal thread if no signal came. */
	pthread_kill(signal_thread, SIGTERM);
	pthread_join(signal_thread, NULL);
	if (err)
		return err;
	return lost ? HF_ERR_UNAVAILABLE : HF_OK;
}
