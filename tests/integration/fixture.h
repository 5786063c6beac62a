/*
 * fixture.h: what the C integration tests share. They run against the real
 * control plane that tests/integration/run.sh started and described in the
 * environment (KUBECONFIG, HF_KUBE_DIR, HF_TOP); without it they fail
 * loudly, never skip.
 */
#ifndef HF_TEST_FIXTURE_H
#define HF_TEST_FIXTURE_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kube/client.h"
#include "kube/config.h"
#include "util/alloc.h"

struct fixture {
	struct hf_kube_config *cfg;
	struct hf_kube_client *client;
	char ns[64];
};

static inline double fixture_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline const char *fixture_env(const char *name)
{
	const char *v = getenv(name);
	cr_assert(v && v[0],
		  "%s is not set: run the integration tests through tests/integration/run.sh",
		  name);
	return v;
}

/* fixture_client makes a client for the test control plane, fast enough
 * that the client-side rate limit does not dominate a test. */
static inline void fixture_client(struct fixture *f)
{
	char err[512];
	cr_assert_eq(
		hf_kube_config_load(fixture_env("KUBECONFIG"), NULL, &f->cfg, err, sizeof(err)),
		HF_OK, "kubeconfig: %s", err);
	struct hf_kube_client_options opts = {.qps = 2000, .burst = 2000};
	cr_assert_eq(hf_kube_client_new(f->cfg, &opts, &f->client), HF_OK);
}

/* fixture_setup makes a client and a namespace of the test's own. */
static inline void fixture_setup(struct fixture *f, const char *prefix)
{
	fixture_client(f);
	snprintf(f->ns, sizeof(f->ns), "%s-%d-%ld", prefix, (int)getpid(),
		 (long)(fixture_now() * 1000) % 100000);
	char *json = hf_asprintf(
		"{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"%s\"}}",
		f->ns);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	cr_assert_eq(hf_kube_create(f->client, &HF_RES_NAMESPACES, NULL, json, &out, &kerr), HF_OK,
		     "creating namespace %s: %s", f->ns, kerr.message ? kerr.message : "");
	free(json);
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
}

static inline void fixture_teardown(struct fixture *f)
{
	struct hf_kube_error kerr = {0};
	/* Best effort: a namespace left behind only costs the test plane space. */
	if (f->ns[0] && hf_kube_delete(f->client, &HF_RES_NAMESPACES, NULL, f->ns, NULL, &kerr))
		fprintf(stderr, "could not delete namespace %s: %s\n", f->ns, kerr.message);
	hf_kube_error_clear(&kerr);
	hf_kube_client_free(f->client);
	hf_kube_config_free(f->cfg);
}

/* fixture_sh runs a shell command and asserts it succeeded. */
static inline void fixture_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void fixture_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	cr_assert_eq(rc, 0, "command failed (%d): %s", rc, cmd);
}

/* FIXTURE_WAIT polls cond every 50 ms until it holds or timeout_s passes. */
#define FIXTURE_WAIT(timeout_s, cond, ...)                                                         \
	do {                                                                                       \
		double deadline_ = fixture_now() + (timeout_s);                                    \
		while (!(cond)) {                                                                  \
			cr_assert_lt(fixture_now(), deadline_, __VA_ARGS__);                       \
			usleep(50000);                                                             \
		}                                                                                  \
	} while (0)

#endif
