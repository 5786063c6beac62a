/*
 * Integration test of the manager (the process skeleton of the controller)
 * against the real control plane: informer -> controller -> reconcile,
 * /readyz after the caches synced, /metrics with client-go and
 * controller-runtime names, leader election, and a clean exit on SIGTERM.
 */
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "fixture.h"
#include "kube/manager.h"

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t len = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	return ntohs(a.sin_port);
}

struct child_ctx {
	struct hf_controller *controller;
	int fd;
	int failures_left; /* the first reconcile fails, to exercise retries */
};

static enum hf_err reconcile(const char *key, struct hf_reconcile_result *res, void *ctx)
{
	(void)res;
	struct child_ctx *c = ctx;
	if (c->failures_left > 0) {
		c->failures_left--;
		return HF_ERR_IO;
	}
	char line[256];
	int n = snprintf(line, sizeof(line), "%s\n", key);
	if (write(c->fd, line, (size_t)n) != n)
		return HF_ERR_IO;
	return HF_OK;
}

static void enqueue(const struct hf_obj *o, void *ctx)
{
	struct child_ctx *c = ctx;
	hf_controller_enqueue(c->controller, o->key);
}

static void enqueue_update(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	(void)old;
	enqueue(o, ctx);
}

static void run_manager(const char *ns, int metrics_port, int health_port, int fd)
{
	struct hf_manager_options opts = {.kubeconfig = getenv("KUBECONFIG"),
					  .metrics_address = "127.0.0.1",
					  .metrics_port = metrics_port,
					  .health_address = "127.0.0.1",
					  .health_port = health_port,
					  .leader_elect = true,
					  .lease_namespace = ns,
					  .identity = "manager-test"};
	struct hf_manager *m = NULL;
	char err[256];
	if (hf_manager_new(&opts, &m, err, sizeof(err)) != HF_OK)
		_exit(10);
	struct child_ctx c = {.fd = fd, .failures_left = 1};
	struct hf_controller_options co = {
		.name = "configmap", .workers = 2, .reconcile = reconcile, .ctx = &c};
	if (hf_manager_add_controller(m, &co, &c.controller) != HF_OK)
		_exit(11);
	struct hf_informer_options io = {
		.resource = &HF_RES_CONFIGMAPS, .ns = ns, .label_selector = "hf-test=manager"};
	struct hf_informer *inf = hf_manager_add_informer(m, &io);
	struct hf_informer_handlers h = {enqueue, enqueue_update, enqueue, &c};
	if (hf_informer_add_handlers(inf, &h) != HF_OK)
		_exit(12);
	enum hf_err rc = hf_manager_run(m);
	hf_manager_free(m);
	_exit(rc == HF_OK ? 0 : 13);
}

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
	return hf_buf_append(ctx, data, size * n) == HF_OK ? size * n : 0;
}

/* get fetches a local URL; returns the status code (0 if unreachable). */
static long get(int port, const char *path, struct hf_buf *body)
{
	hf_buf_reset(body);
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
	long code = 0;
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	return code;
}

static void create_labelled_cm(struct fixture *f, const char *name)
{
	char *json =
		hf_asprintf("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
			    "\"%s\",\"labels\":{\"hf-test\":\"manager\"}}}",
			    name);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	cr_assert_eq(hf_kube_create(f->client, &HF_RES_CONFIGMAPS, f->ns, json, &out, &kerr),
		     HF_OK);
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	free(json);
}

Test(manager, reconciles_serves_probes_and_metrics_and_stops_on_sigterm, .timeout = 120)
{
	struct fixture f = {0};
	fixture_setup(&f, "manager");
	create_labelled_cm(&f, "before");
	int metrics_port = free_port(), health_port = free_port();
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		/* If this test dies, the manager must not outlive it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		run_manager(f.ns, metrics_port, health_port, fds[1]);
	}
	close(fds[1]);
	FILE *keys = fdopen(fds[0], "r");
	/* Unbuffered: poll() on the descriptor must see every line not yet read. */
	setvbuf(keys, NULL, _IONBF, 0);

	struct hf_buf body;
	hf_buf_init(&body, 0);
	FIXTURE_WAIT(60, get(health_port, "/readyz", &body) == 200, "/readyz never became 200");
	cr_assert_eq(get(health_port, "/healthz", &body), 200);
	cr_assert_eq(get(health_port, "/nothing", &body), 404);

	/* The object that existed before, then a new one, are reconciled (the
	 * first reconcile fails and is retried). */
	create_labelled_cm(&f, "after");
	char line[256], want_before[128], want_after[128];
	snprintf(want_before, sizeof(want_before), "%s/before\n", f.ns);
	snprintf(want_after, sizeof(want_after), "%s/after\n", f.ns);
	bool saw_before = false, saw_after = false;
	double deadline = fixture_now() + 30;
	while (!(saw_before && saw_after)) {
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		cr_assert_gt(poll(&p, 1, (int)((deadline - fixture_now()) * 1000)), 0,
			     "reconciles missing: before=%d after=%d", saw_before, saw_after);
		cr_assert_not_null(fgets(line, sizeof(line), keys));
		saw_before = saw_before || strcmp(line, want_before) == 0;
		saw_after = saw_after || strcmp(line, want_after) == 0;
	}

	cr_assert_eq(get(metrics_port, "/metrics", &body), 200);
	const char *text = hf_buf_str(&body);
	const char *names[] = {
		"rest_client_requests_total{code=\"200\"",
		"rest_client_request_duration_seconds_bucket",
		"workqueue_depth{name=\"configmap\"}",
		"workqueue_adds_total{name=\"configmap\"}",
		"workqueue_queue_duration_seconds_bucket{name=\"configmap\"",
		"workqueue_work_duration_seconds_bucket{name=\"configmap\"",
		"workqueue_retries_total{name=\"configmap\"} 1",
		"leader_election_master_status{name=\"hyperfleet-controller\"} 1",
		"controller_runtime_reconcile_total{controller=\"configmap\",result=\"error\"} 1",
		"controller_runtime_reconcile_total{controller=\"configmap\",result=\"success\"}",
		"process_resident_memory_bytes ",
		"process_cpu_seconds_total ",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_expect_not_null(strstr(text, names[i]), "/metrics lacks %s", names[i]);

	/* SIGTERM: a clean exit, and the lease is released. */
	double t0 = fixture_now();
	kill(pid, SIGTERM);
	int status = 0;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "the manager did not exit by itself");
	cr_assert_eq(WEXITSTATUS(status), 0);
	fprintf(stderr, "manager stopped %.2f s after SIGTERM\n", fixture_now() - t0);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	cr_assert_eq(
		hf_kube_get(f.client, &HF_RES_LEASES, f.ns, "hyperfleet-controller", &out, &kerr),
		HF_OK);
	cr_assert(strstr(out.data, "\"holderIdentity\":\"\""), "the lease was not released: %s",
		  out.data);
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	hf_buf_free(&body);
	fclose(keys);
	fixture_teardown(&f);
}
