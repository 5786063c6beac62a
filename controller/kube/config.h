/*
 * config.h: how to reach and authenticate to a Kubernetes API server, from
 * a kubeconfig file or from the in-cluster service account.
 *
 * Certificates and keys are kept in memory as PEM (read from the file or
 * decoded from the *-data fields) and handed to libcurl as blobs, never
 * written to a temporary file. A bearer token read from a file (in-cluster,
 * or a kubeconfig user's tokenFile) is re-read when it may have rotated:
 * at least every minute, and whenever the caller saw a 401.
 *
 * Thread safety: a loaded config is read-only except for the token, which
 * hf_kube_config_token serialises; any thread may call it.
 */
#ifndef HF_KUBE_CONFIG_H
#define HF_KUBE_CONFIG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/error.h"

struct hf_kube_config {
	char *server; /* https://host:port, without a trailing slash */
	char *ca_pem; /* CA bundle (PEM) or NULL for the system store */
	size_t ca_pem_len;
	char *cert_pem; /* client certificate (PEM) or NULL */
	size_t cert_pem_len;
	char *key_pem; /* client key (PEM) or NULL */
	size_t key_pem_len;
	bool insecure_skip_tls_verify;
	char *namespace; /* the context's namespace, or "default" */
	char *context;	 /* the context used, or "in-cluster" */
	char *source;	 /* where the config came from (file path), for messages */

	/* Bearer token: fixed (token) or read from token_file. */
	pthread_mutex_t token_lock;
	char *token;	  /* current token or NULL */
	char *token_file; /* re-read on rotation, or NULL */
	time_t token_read_at;
};

/*
 * hf_kube_config_load_file parses the kubeconfig at path and selects
 * context (NULL: the file's current-context). On error returns HF_ERR_*
 * and writes a message naming the file, the field and the problem into
 * errbuf (e.g. "/root/.kube/config: users[0].user.client-key-data: not valid
 * base64"). On success *out is a new config to free with hf_kube_config_free.
 */
HF_MUST_CHECK enum hf_err hf_kube_config_load_file(const char *path, const char *context,
						   struct hf_kube_config **out, char *errbuf,
						   size_t errlen);

/*
 * hf_kube_config_parse is hf_kube_config_load_file on a kubeconfig already
 * in memory (yaml, len bytes, not necessarily NUL-terminated; the caller
 * keeps it). source names it in messages and its directory is the base of
 * relative file paths, as for a file at that path (NULL: "<memory>", paths
 * relative to the working directory). Referenced files are still read.
 */
HF_MUST_CHECK enum hf_err hf_kube_config_parse(const char *yaml, size_t len, const char *source,
					       const char *context, struct hf_kube_config **out,
					       char *errbuf, size_t errlen);

/*
 * hf_kube_config_load_incluster builds a config from the service account
 * files under root (NULL: /var/run/secrets/kubernetes.io/serviceaccount) and
 * the KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT environment.
 */
HF_MUST_CHECK enum hf_err hf_kube_config_load_incluster(const char *root,
							struct hf_kube_config **out, char *errbuf,
							size_t errlen);

/*
 * hf_kube_config_load picks like client-go: an explicit kubeconfig path,
 * else $KUBECONFIG (first file of the list), else in-cluster when
 * KUBERNETES_SERVICE_HOST is set, else ~/.kube/config.
 */
HF_MUST_CHECK enum hf_err hf_kube_config_load(const char *path, const char *context,
					      struct hf_kube_config **out, char *errbuf,
					      size_t errlen);

/* hf_kube_config_free frees cfg and all it holds, wiping the key and token
 * first; NULL is a no-op. No other thread may still use cfg. */
void hf_kube_config_free(struct hf_kube_config *cfg);

/*
 * token_read_at is in seconds of CLOCK_MONOTONIC, so a wall clock step
 * neither delays nor hurries the re-read; a failed re-read counts as a read
 * (the next attempt is a minute later or on force).
 *
 * hf_kube_config_token returns a newly allocated copy of the bearer token
 * to use now (NULL when the config has none). With a token file it re-reads
 * the file when the last read is older than a minute or force is true (the
 * caller got a 401).
 */
char *hf_kube_config_token(struct hf_kube_config *cfg, bool force);

#endif
