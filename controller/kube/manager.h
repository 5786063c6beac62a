/*
 * manager.h: what runs a controller process, after controller-runtime's
 * Manager: the Kubernetes client, the informers, the controllers, leader
 * election, the Event recorder, the metrics endpoint (/metrics) and the
 * probe endpoint (/healthz, /readyz), and orderly shutdown on SIGTERM or
 * SIGINT.
 *
 * Informers run on every replica, so a standby has a warm cache and
 * /readyz tells when it synced; controllers run only on the leader. Losing
 * the lease ends hf_manager_run with HF_ERR_UNAVAILABLE: the process should
 * exit and be restarted, as controller-runtime's managers do.
 *
 * Thread safety: create, add informers and controllers, and run from one
 * thread. hf_manager_stop may be called from any thread.
 */
#ifndef HF_KUBE_MANAGER_H
#define HF_KUBE_MANAGER_H

#include <stdbool.h>
#include <stddef.h>

#include "kube/client.h"
#include "kube/controller.h"
#include "kube/events.h"
#include "kube/informer.h"
#include "util/error.h"

struct hf_manager;

struct hf_manager_options {
	const char *kubeconfig;	     /* NULL: $KUBECONFIG, in-cluster, ~/.kube/config */
	const char *context;	     /* NULL: the kubeconfig's current context */
	double kube_qps;	     /* default 50 */
	int kube_burst;		     /* default 100 */
	const char *metrics_address; /* default all interfaces */
	int metrics_port;	     /* default 9090; negative: no metrics endpoint */
	const char *health_address;  /* default all interfaces */
	int health_port;	     /* default 8080; negative: no probe endpoint */
	bool leader_elect;
	const char *lease_namespace; /* default: the kubeconfig's namespace */
	const char *lease_name;	     /* default "hyperfleet-controller" */
	const char *identity;	     /* default hostname_pid */
	const char *component;	     /* Event source, default "hyperfleet-controller" */
};

/* hf_manager_new loads the Kubernetes configuration and makes the client.
 * It blocks SIGTERM and SIGINT in the calling thread (and so in every
 * thread started later) so that hf_manager_run can wait for them. On error
 * errbuf says what was wrong. */
HF_MUST_CHECK enum hf_err hf_manager_new(const struct hf_manager_options *opts,
					 struct hf_manager **out, char *errbuf, size_t errlen);
void hf_manager_free(struct hf_manager *m);

struct hf_kube_client *hf_manager_client(struct hf_manager *m);
struct hf_events *hf_manager_events(struct hf_manager *m);

/* hf_manager_add_informer creates an informer owned by the manager, started
 * by hf_manager_run; add handlers to it before running. */
struct hf_informer *hf_manager_add_informer(struct hf_manager *m,
					    const struct hf_informer_options *opts);
/* hf_manager_add_controller creates a controller owned by the manager,
 * started when this replica leads. */
HF_MUST_CHECK enum hf_err hf_manager_add_controller(struct hf_manager *m,
						    const struct hf_controller_options *opts,
						    struct hf_controller **out);

/*
 * hf_manager_run starts the endpoints and informers, campaigns for
 * leadership (or leads at once without leader election), starts the
 * controllers when leading, and waits for SIGTERM, SIGINT, hf_manager_stop
 * or the loss of the lease. Then it stops everything in order: controllers,
 * the lease (released), informers, Events, endpoints. Returns HF_OK after a
 * requested stop, HF_ERR_UNAVAILABLE when the lease was lost.
 */
HF_MUST_CHECK enum hf_err hf_manager_run(struct hf_manager *m);
void hf_manager_stop(struct hf_manager *m);

#endif
