/*
 * bench.h: what the benchmark programs share. Each benchmark is one
 * program (bench/<name>.c) run by bench/run.sh against the test control
 * plane that $KUBECONFIG points at.
 */
#ifndef HF_BENCH_H
#define HF_BENCH_H

#include <stdio.h>
#include <stdlib.h>

#include "kube/client.h"
#include "kube/config.h"

/* bench_client connects to $KUBECONFIG's cluster without a client-side rate
 * limit (the benchmarks measure the server), or exits naming the problem. */
static inline struct hf_kube_client *bench_client(const char *program)
{
	struct hf_kube_config *cfg = NULL;
	char err[512];
	if (hf_kube_config_load(NULL, NULL, &cfg, err, sizeof(err)) != HF_OK) {
		fprintf(stderr, "%s: %s\n", program, err);
		exit(1);
	}
	struct hf_kube_client_options opts = {.qps = -1};
	struct hf_kube_client *c = NULL;
	if (hf_kube_client_new(cfg, &opts, &c) != HF_OK) {
		fprintf(stderr, "%s: cannot create the Kubernetes client\n", program);
		exit(1);
	}
	return c;
}

#endif
