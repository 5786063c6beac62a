/*
 * api.h: the HyperFleet REST API (DESIGN.md section 5), served by
 * libwebsockets in the controller's process. Reads come from the informer
 * caches through the REST views (view.h); writes go to the Kubernetes API
 * on worker threads, so the HTTP event loop never waits on it, and answer
 * once the caller's next read will see them.
 *
 * Thread safety: hf_api_start and hf_api_stop from one thread.
 */
#ifndef HF_API_API_H
#define HF_API_API_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "kube/informer.h"
#include "util/error.h"

struct hf_metrics;

enum hf_api_auth_mode { HF_API_AUTH_NONE, HF_API_AUTH_KUBERNETES };

struct hf_api_options {
	const char *address; /* default 127.0.0.1 */
	int port;	     /* default 8000; 0 picks one */
	enum hf_api_auth_mode auth;
	const char *ns;	      /* where POST creates Clusters; default "default" */
	double rate_qps;      /* per client address; 0: no limit */
	int rate_burst;	      /* default 2 x rate_qps */
	size_t max_body;      /* default 1 MiB */
	int workers;	      /* threads for writes; default 8 */
	const char *tls_cert; /* PEM files: HTTPS when both are set */
	const char *tls_key;
	struct hf_metrics *metrics; /* default: the process registry */
};

struct hf_api;

/*
 * hf_api_start serves the API for core (its client and caches), following
 * the Cluster and NodePool informers (it adds handlers to them: call before
 * the informers start). ready() says whether the caches have synced
 * (requests get 503 before).
 */
HF_MUST_CHECK enum hf_err hf_api_start(const struct hf_api_options *opts, struct hf_core *core,
				       struct hf_informer *clusters, struct hf_informer *nodepools,
				       struct hf_api **out, char *errbuf, size_t errlen);

/* hf_api_port is the port actually bound. */
int hf_api_port(const struct hf_api *a);

/* hf_api_stop ends watches, finishes the writes in progress, stops
 * serving and frees a. */
void hf_api_stop(struct hf_api *a);

#endif
