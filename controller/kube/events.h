/*
 * events.h: records Kubernetes Events about objects, for humans
 * (`kubectl describe`, `kubectl get events`), as client-go's EventRecorder.
 *
 * Recording never blocks the caller: events go to a bounded queue that a
 * background thread sends, at most 10 a second (bursts of 50), so that
 * Events never compete with the writes that matter. Repeats of the same event (same object, type,
 * reason and message) within ten minutes update the existing Event's count
 * and lastTimestamp instead of creating another object.
 *
 * Thread safety: hf_events_record may be called from any thread.
 */
#ifndef HF_KUBE_EVENTS_H
#define HF_KUBE_EVENTS_H

#include <stdbool.h>

#include "kube/client.h"

struct hf_events;

/* The object an event is about. */
struct hf_event_object {
	const char *api_version; /* e.g. hyperfleet.io/v1alpha1 */
	const char *kind;	 /* e.g. Cluster */
	const char *ns;
	const char *name;
	const char *uid;
};

/* hf_events_new borrows client; component names the reporter (e.g.
 * hyperfleet-controller) and instance this replica. */
struct hf_events *hf_events_new(struct hf_kube_client *client, const char *component,
				const char *instance);
/* hf_events_free sends what is queued (up to a few seconds), then frees. */
void hf_events_free(struct hf_events *e);

/* hf_events_record queues an event; type is "Normal" or "Warning". When
 * the queue is full the event is dropped (and counted). */
void hf_events_record(struct hf_events *e, const struct hf_event_object *obj, const char *type,
		      const char *reason, const char *message);

/* hf_events_flush waits up to timeout_s until every queued event was sent;
 * true when the queue drained. */
bool hf_events_flush(struct hf_events *e, double timeout_s);

#endif
