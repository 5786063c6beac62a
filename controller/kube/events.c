#include "kube/events.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "util/alloc.h"
#include "util/clock.h"
#include "util/metrics.h"
#include "util/ratelimit.h"
#include "util/strmap.h"

#define QUEUE_CAP 1024
/* Repeats within this window update one Event (client-go uses 10 minutes). */
#define AGGREGATION_WINDOW_S 600.0
/* The memory of sent events is bounded; past this it starts over. */
#define MAX_REMEMBERED 4096
#define MAX_MESSAGE    1024
/* Events are for humans and best effort: they are sent at a modest rate so
 * that a burst of them (a thousand clusters turning Ready) never competes
 * with the status writes that matter; the queue absorbs the burst. */
#define EVENTS_QPS   10.0
#define EVENTS_BURST 50

struct pending {
	struct hf_event_object obj; /* strings owned */
	char *type, *reason, *message;
	char time[32];
};

/* What was sent for one (object, type, reason, message). */
struct sent {
	char *ns;
	char *name; /* the Event object's name */
	long count;
	double at; /* monotonic time of the first occurrence in this window */
};

struct hf_events {
	struct hf_kube_client *client;
	char *component, *instance;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stopping;
	struct pending *queue[QUEUE_CAP];
	size_t head, len, in_flight;
	struct hf_strmap *sent; /* aggregation key -> struct sent (sender thread only) */
	unsigned long long seq;
	struct hf_metric_family *dropped;
	struct hf_token_bucket bucket; /* sender thread only */
};

static void now_rfc3339(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void pending_free(struct pending *p)
{
	free((char *)p->obj.api_version);
	free((char *)p->obj.kind);
	free((char *)p->obj.ns);
	free((char *)p->obj.name);
	free((char *)p->obj.uid);
	free(p->type);
	free(p->reason);
	free(p->message);
	free(p);
}

static void sent_free(void *v)
{
	struct sent *s = v;
	free(s->ns);
	free(s->name);
	free(s);
}

static char *event_json(struct hf_events *e, const struct pending *p, const char *name, long count,
			const char *first)
{
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "apiVersion", "v1");
	cJSON_AddStringToObject(ev, "kind", "Event");
	cJSON *meta = cJSON_AddObjectToObject(ev, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", p->obj.ns);
	cJSON *inv = cJSON_AddObjectToObject(ev, "involvedObject");
	cJSON_AddStringToObject(inv, "apiVersion", p->obj.api_version);
	cJSON_AddStringToObject(inv, "kind", p->obj.kind);
	cJSON_AddStringToObject(inv, "namespace", p->obj.ns);
	cJSON_AddStringToObject(inv, "name", p->obj.name);
	if (p->obj.uid && p->obj.uid[0])
		cJSON_AddStringToObject(inv, "uid", p->obj.uid);
	cJSON_AddStringToObject(ev, "type", p->type);
	cJSON_AddStringToObject(ev, "reason", p->reason);
	cJSON_AddStringToObject(ev, "message", p->message);
	cJSON *source = cJSON_AddObjectToObject(ev, "source");
	cJSON_AddStringToObject(source, "component", e->component);
	cJSON_AddStringToObject(source, "host", e->instance);
	cJSON_AddStringToObject(ev, "reportingComponent", e->component);
	cJSON_AddStringToObject(ev, "reportingInstance", e->instance);
	cJSON_AddStringToObject(ev, "firstTimestamp", first);
	cJSON_AddStringToObject(ev, "lastTimestamp", p->time);
	cJSON_AddNumberToObject(ev, "count", (double)count);
	char *json = cJSON_PrintUnformatted(ev);
	cJSON_Delete(ev);
	return json;
}

/* send_one creates the Event, or bumps the count of the one sent for the
 * same occurrence within the aggregation window. */
static void send_one(struct hf_events *e, const struct pending *p)
{
	char *key =
		hf_asprintf("%s\x1f%s\x1f%s\x1f%s\x1f%s", p->obj.ns,
			    p->obj.uid ? p->obj.uid : p->obj.name, p->type, p->reason, p->message);
	struct sent *s = hf_strmap_get(e->sent, key);
	double now = hf_monotonic_now();
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};

	if (s && now - s->at < AGGREGATION_WINDOW_S) {
		char *patch = hf_asprintf("{\"count\":%ld,\"lastTimestamp\":\"%s\"}", s->count + 1,
					  p->time);
		if (hf_kube_patch(e->client, &HF_RES_EVENTS, s->ns, s->name, NULL, HF_PATCH_MERGE,
				  false, patch, &out, &kerr) == HF_OK) {
			s->count++;
			free(patch);
			goto out;
		}
		free(patch);
		/* The Event is gone (expired or deleted): start a new one. */
	}
	if (hf_strmap_size(e->sent) >= MAX_REMEMBERED) {
		hf_strmap_free(e->sent, sent_free);
		e->sent = hf_strmap_new();
	}
	/* Names like client-go's: the object's name and a unique suffix. */
	char *name = hf_asprintf("%s.%llx%04llx", p->obj.name, (unsigned long long)time(NULL),
				 e->seq++ & 0xffff);
	char *json = event_json(e, p, name, 1, p->time);
	if (hf_kube_create(e->client, &HF_RES_EVENTS, p->obj.ns, json, &out, &kerr) == HF_OK) {
		struct sent *fresh = hf_calloc(1, sizeof(*fresh));
		fresh->ns = hf_strdup(p->obj.ns);
		fresh->name = name;
		fresh->count = 1;
		fresh->at = now;
		name = NULL;
		struct sent *replaced = hf_strmap_put(e->sent, key, fresh);
		if (replaced)
			sent_free(replaced);
	}
	free(name);
	free(json);
out:
	hf_buf_free(&out);
	hf_kube_error_clear(&kerr);
	free(key);
}

static void *run(void *arg)
{
	struct hf_events *e = arg;
	pthread_mutex_lock(&e->lock);
	for (;;) {
		while (e->len == 0 && !e->stopping)
			pthread_cond_wait(&e->cond, &e->lock);
		if (e->len == 0)
			break;
		struct pending *p = e->queue[e->head];
		e->head = (e->head + 1) % QUEUE_CAP;
		e->len--;
		e->in_flight++;
		pthread_mutex_unlock(&e->lock);
		hf_sleep(hf_token_bucket_reserve(&e->bucket, hf_monotonic_now()));
		send_one(e, p);
		pending_free(p);
		pthread_mutex_lock(&e->lock);
		e->in_flight--;
		pthread_cond_broadcast(&e->cond);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

struct hf_events *hf_events_new(struct hf_kube_client *client, const char *component,
				const char *instance)
{
	struct hf_events *e = hf_calloc(1, sizeof(*e));
	e->client = client;
	e->component = hf_strdup(component);
	e->instance = hf_strdup(instance);
	e->sent = hf_strmap_new();
	hf_token_bucket_init(&e->bucket, EVENTS_QPS, EVENTS_BURST, hf_monotonic_now());
	pthread_mutex_init(&e->lock, NULL);
	hf_cond_init_monotonic(&e->cond);
	e->dropped = hf_metrics_family(hf_metrics_default(), "hyperfleet_events_dropped_total",
				       "Kubernetes Events dropped because the send queue was full.",
				       HF_METRIC_COUNTER, NULL, NULL, 0);
	if (pthread_create(&e->thread, NULL, run, e) != 0)
		abort(); /* cannot happen short of resource exhaustion, like OOM */
	return e;
}

void hf_events_record(struct hf_events *e, const struct hf_event_object *obj, const char *type,
		      const char *reason, const char *message)
{
	struct pending *p = hf_calloc(1, sizeof(*p));
	p->obj.api_version = hf_strdup(obj->api_version);
	p->obj.kind = hf_strdup(obj->kind);
	p->obj.ns = hf_strdup(obj->ns ? obj->ns : "default");
	p->obj.name = hf_strdup(obj->name);
	p->obj.uid = hf_strdup(obj->uid ? obj->uid : "");
	p->type = hf_strdup(type);
	p->reason = hf_strdup(reason);
	p->message = hf_strndup(message, MAX_MESSAGE);
	now_rfc3339(p->time, sizeof(p->time));

	pthread_mutex_lock(&e->lock);
	if (e->len == QUEUE_CAP || e->stopping) {
		pthread_mutex_unlock(&e->lock);
		hf_metric_add(e->dropped, NULL, 1);
		pending_free(p);
		return;
	}
	e->queue[(e->head + e->len) % QUEUE_CAP] = p;
	e->len++;
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

bool hf_events_flush(struct hf_events *e, double timeout_s)
{
	double deadline = hf_monotonic_now() + timeout_s;
	pthread_mutex_lock(&e->lock);
	while ((e->len > 0 || e->in_flight > 0) && hf_monotonic_now() < deadline)
		hf_cond_wait_until(&e->cond, &e->lock, deadline);
	bool drained = e->len == 0 && e->in_flight == 0;
	pthread_mutex_unlock(&e->lock);
	return drained;
}

void hf_events_free(struct hf_events *e)
{
	if (!e)
		return;
	hf_events_flush(e, 5);
	pthread_mutex_lock(&e->lock);
	e->stopping = true;
	/* Whatever could not be sent in time is dropped. */
	while (e->len > 0) {
		pending_free(e->queue[e->head]);
		e->head = (e->head + 1) % QUEUE_CAP;
		e->len--;
	}
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	pthread_join(e->thread, NULL);
	hf_strmap_free(e->sent, sent_free);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->cond);
	free(e->component);
	free(e->instance);
	free(e);
}
