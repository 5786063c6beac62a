#include "kube/leader.h"

#include <cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"
#include "util/metrics.h"

struct hf_leader {
	struct hf_kube_client *client;
	char *ns, *name, *identity;
	double lease_s, renew_deadline_s, retry_s;
	void (*on_started)(void *ctx);
	void (*on_stopped)(void *ctx);
	void (*on_new_leader)(const char *identity, void *ctx);
	void *ctx;
	struct hf_metric_family *master_status;

	pthread_t thread;
	bool running;
	atomic_bool stopping;
	atomic_bool leading;
	pthread_mutex_t lock;
	pthread_cond_t cond;

	/* Owned by the election thread: the lease as last seen, and when this
	 * replica saw it change (its own monotonic clock). */
	char *observed_holder;
	char *observed_renew;
	double observed_at;	  /* monotonic time of the holder's last renewal, as estimated */
	double observed_duration; /* the lease's duration as last seen */
	double last_renewed_at;	  /* when this replica last renewed as leader */
	unsigned int seed;
};

/* micro_time formats now as a Kubernetes MicroTime (RFC 3339, microseconds). */
static void micro_time(char *buf, size_t len)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ldZ", base, (long)tv.tv_usec);
}

struct hf_leader *hf_leader_new(struct hf_kube_client *client, const struct hf_leader_options *opts)
{
	struct hf_leader *l = hf_calloc(1, sizeof(*l));
	l->client = client;
	l->ns = hf_strdup(opts->ns);
	l->name = hf_strdup(opts->name);
	l->identity = hf_strdup(opts->identity);
	l->lease_s = opts->lease_duration_s > 0 ? opts->lease_duration_s : 15;
	l->renew_deadline_s = opts->renew_deadline_s > 0 ? opts->renew_deadline_s : 10;
	l->retry_s = opts->retry_period_s > 0 ? opts->retry_period_s : 2;
	l->on_started = opts->on_started_leading;
	l->on_stopped = opts->on_stopped_leading;
	l->on_new_leader = opts->on_new_leader;
	l->ctx = opts->ctx;
	atomic_init(&l->stopping, false);
	atomic_init(&l->leading, false);
	pthread_mutex_init(&l->lock, NULL);
	hf_cond_init_monotonic(&l->cond);
	l->seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	static const char *const labels[] = {"name", NULL};
	l->master_status = hf_metrics_family(
		opts->metrics ? opts->metrics : hf_metrics_default(),
		"leader_election_master_status",
		"Gauge of if the reporting system is master of the relevant lease, 0 indicates "
		"backup, 1 indicates master. 'name' is the string used to identify the lease.",
		HF_METRIC_GAUGE, labels, NULL, 0);
	const char *values[] = {l->name};
	hf_metric_set(l->master_status, values, 0);
	return l;
}

void hf_leader_free(struct hf_leader *l)
{
	if (!l)
		return;
	hf_leader_stop(l);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
	free(l->observed_holder);
	free(l->observed_renew);
	free(l->ns);
	free(l->name);
	free(l->identity);
	free(l);
}

bool hf_leader_is_leading(struct hf_leader *l)
{
	return atomic_load(&l->leading);
}

static void set_leading(struct hf_leader *l, bool leading)
{
	atomic_store(&l->leading, leading);
	const char *values[] = {l->name};
	hf_metric_set(l->master_status, values, leading ? 1 : 0);
}

/* wall_seconds parses a Kubernetes MicroTime or Time ("...T04:25:53.123456Z");
 * -1 when it is not one. */
static double wall_seconds(const char *s)
{
	struct tm tm = {0};
	const char *rest = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!rest)
		return -1;
	double frac = 0;
	if (*rest == '.') {
		char *end;
		frac = strtod(rest, &end);
		rest = end;
	}
	if (strcmp(rest, "Z") != 0)
		return -1;
	return (double)timegm(&tm) + frac;
}

/*
 * observe records the lease's holder and renew time. When either changed,
 * the holder renewed: the lease expires a duration after that renewal. We
 * saw the change up to a poll period late, so we date the renewal by its
 * renewTime, but never earlier than one retry period before now: a skewed
 * clock can make us early by at most that, and a live leader renews far
 * more often than lease duration minus retry period.
 */
static void observe(struct hf_leader *l, const char *holder, const char *renew, long long duration)
{
	holder = holder ? holder : "";
	renew = renew ? renew : "";
	l->observed_duration = (double)duration;
	bool new_holder = !l->observed_holder || strcmp(l->observed_holder, holder) != 0;
	if (!new_holder && strcmp(l->observed_renew, renew) == 0)
		return;
	free(l->observed_holder);
	free(l->observed_renew);
	l->observed_holder = hf_strdup(holder);
	l->observed_renew = hf_strdup(renew);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	double renewed = wall_seconds(renew);
	double age = renewed < 0 ? 0 : (double)tv.tv_sec + (double)tv.tv_usec / 1e6 - renewed;
	age = age < 0 ? 0 : age > l->retry_s ? l->retry_s : age;
	l->observed_at = hf_monotonic_now() - age;
	if (new_holder && holder[0] && l->on_new_leader)
		l->on_new_leader(holder, l->ctx);
}

static char *lease_json(struct hf_leader *l, const char *rv, const char *acquire_time,
			long long transitions, bool release)
{
	char now[40];
	micro_time(now, sizeof(now));
	cJSON *lease = cJSON_CreateObject();
	cJSON_AddStringToObject(lease, "apiVersion", "coordination.k8s.io/v1");
	cJSON_AddStringToObject(lease, "kind", "Lease");
	cJSON *meta = cJSON_AddObjectToObject(lease, "metadata");
	cJSON_AddStringToObject(meta, "name", l->name);
	cJSON_AddStringToObject(meta, "namespace", l->ns);
	if (rv)
		cJSON_AddStringToObject(meta, "resourceVersion", rv);
	cJSON *spec = cJSON_AddObjectToObject(lease, "spec");
	cJSON_AddStringToObject(spec, "holderIdentity", release ? "" : l->identity);
	/* A released lease expires at once for the others. */
	cJSON_AddNumberToObject(spec, "leaseDurationSeconds", release ? 1 : (int)ceil(l->lease_s));
	cJSON_AddStringToObject(spec, "acquireTime", acquire_time ? acquire_time : now);
	cJSON_AddStringToObject(spec, "renewTime", now);
	cJSON_AddNumberToObject(spec, "leaseTransitions", (double)transitions);
	char *json = cJSON_PrintUnformatted(lease);
	cJSON_Delete(lease);
	return json;
}

/*
 * try_acquire_or_renew makes one attempt: create the lease if missing, take
 * it over if it expired (or is ours or released), renew it if we hold it.
 * Returns true when we hold the lease afterwards. With release, gives up a
 * lease we hold instead.
 */
static bool try_acquire_or_renew(struct hf_leader *l, bool release)
{
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	bool held = false;
	cJSON *lease = NULL;
	char *json = NULL;

	enum hf_err err = hf_kube_get(l->client, &HF_RES_LEASES, l->ns, l->name, &out, &kerr);
	if (err == HF_ERR_HTTP && kerr.http_code == 404) {
		if (release)
			goto out;
		json = lease_json(l, NULL, NULL, 0, false);
		held = hf_kube_create(l->client, &HF_RES_LEASES, l->ns, json, &out, &kerr) == HF_OK;
		if (held)
			observe(l, l->identity, "", (long long)l->lease_s);
		goto out;
	}
	if (err)
		goto out;
	lease = cJSON_Parse(out.data);
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(lease, "metadata");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(lease, "spec");
	const char *holder = hf_json_string(spec, "holderIdentity");
	const char *renew = hf_json_string(spec, "renewTime");
	const char *acquire = hf_json_string(spec, "acquireTime");
	const char *rv = hf_json_string(meta, "resourceVersion");
	long long transitions = 0, duration = 0;
	hf_json_int64(cJSON_GetObjectItemCaseSensitive(spec, "leaseTransitions"), &transitions);
	if (!hf_json_int64(cJSON_GetObjectItemCaseSensitive(spec, "leaseDurationSeconds"),
			   &duration))
		duration = (long long)l->lease_s;
	observe(l, holder, renew, duration);

	bool ours = holder && strcmp(holder, l->identity) == 0;
	if (release) {
		if (ours) {
			json = lease_json(l, rv, acquire, transitions, true);
			/* Best effort: a lease that is not released just expires. */
			enum hf_err released = hf_kube_update(l->client, &HF_RES_LEASES, l->ns,
							      l->name, NULL, json, &out, &kerr);
			(void)released;
		}
		goto out;
	}
	bool free_to_take =
		!holder || !holder[0] || hf_monotonic_now() > l->observed_at + (double)duration;
	if (!ours && !free_to_take)
		goto out;
	/* Taking it over from someone else starts a new term. */
	json = lease_json(l, rv, ours ? acquire : NULL, ours ? transitions : transitions + 1,
			  false);
	held = hf_kube_update(l->client, &HF_RES_LEASES, l->ns, l->name, NULL, json, &out, &kerr) ==
	       HF_OK;
	if (held) {
		cJSON *updated = cJSON_Parse(out.data);
		observe(l, l->identity,
			hf_json_string(cJSON_GetObjectItemCaseSensitive(updated, "spec"),
				       "renewTime"),
			(long long)l->lease_s);
		cJSON_Delete(updated);
	}
out:
	free(json);
	cJSON_Delete(lease);
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	return held;
}

/* wait_for sleeps seconds unless stopped; returns false when stopping. */
static bool wait_for(struct hf_leader *l, double seconds)
{
	double deadline = hf_monotonic_now() + seconds;
	pthread_mutex_lock(&l->lock);
	while (!atomic_load(&l->stopping) && hf_monotonic_now() < deadline)
		hf_cond_wait_until(&l->cond, &l->lock, deadline);
	pthread_mutex_unlock(&l->lock);
	return !atomic_load(&l->stopping);
}

/* candidate_wait is a retry period with up to 20% jitter (as client-go),
 * shortened to end just after the current holder's lease expires. */
static double candidate_wait(struct hf_leader *l)
{
	double wait = l->retry_s * (1.0 + 0.2 * rand_r(&l->seed) / RAND_MAX);
	if (l->observed_holder && l->observed_holder[0]) {
		double expiry = l->observed_at + l->observed_duration - hf_monotonic_now() + 0.01;
		if (expiry < wait)
			wait = expiry > 0.05 ? expiry : 0.05;
	}
	return wait;
}

static void *run(void *arg)
{
	struct hf_leader *l = arg;
	/* Acquire. */
	for (;;) {
		if (atomic_load(&l->stopping))
			return NULL;
		if (try_acquire_or_renew(l, false))
			break;
		if (!wait_for(l, candidate_wait(l)))
			return NULL;
	}
	l->last_renewed_at = hf_monotonic_now();
	set_leading(l, true);
	hf_log_with(HF_LOG_INFO, "leader", "acquired the lease", HF_LOG_STR("lease", l->name),
		    HF_LOG_STR("identity", l->identity));
	if (l->on_started)
		l->on_started(l->ctx);

	/* Renew until stopped or the renew deadline passes without success. */
	while (wait_for(l, l->retry_s)) {
		if (try_acquire_or_renew(l, false)) {
			l->last_renewed_at = hf_monotonic_now();
			continue;
		}
		if (hf_monotonic_now() - l->last_renewed_at >= l->renew_deadline_s)
			break; /* lost it */
	}
	bool stopping = atomic_load(&l->stopping);
	if (stopping)
		try_acquire_or_renew(l, true);
	hf_log_with(stopping ? HF_LOG_INFO : HF_LOG_ERROR, "leader",
		    stopping ? "released the lease" : "lost the lease: could not renew it in time",
		    HF_LOG_STR("lease", l->name), HF_LOG_STR("identity", l->identity));
	set_leading(l, false);
	if (l->on_stopped)
		l->on_stopped(l->ctx);
	return NULL;
}

enum hf_err hf_leader_start(struct hf_leader *l)
{
	if (l->running)
		return HF_ERR_INVALID;
	atomic_store(&l->stopping, false);
	if (pthread_create(&l->thread, NULL, run, l) != 0)
		return HF_ERR_INTERNAL;
	l->running = true;
	return HF_OK;
}

void hf_leader_stop(struct hf_leader *l)
{
	if (!l->running)
		return;
	pthread_mutex_lock(&l->lock);
	atomic_store(&l->stopping, true);
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->thread, NULL);
	l->running = false;
}
