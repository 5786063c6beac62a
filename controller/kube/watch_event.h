/*
 * watch_event.h: one event of the Kubernetes watch API, parsed from a line
 * of the watch stream ({"type": ..., "object": ...}).
 *
 * This is where outside input from the API server becomes data: every
 * malformed shape is refused with HF_ERR_INVALID, never trusted.
 */
#ifndef HF_KUBE_WATCH_EVENT_H
#define HF_KUBE_WATCH_EVENT_H

#include <stddef.h>

#include "kube/object.h"
#include "util/error.h"

enum hf_watch_type {
	HF_WATCH_ADDED,
	HF_WATCH_MODIFIED,
	HF_WATCH_DELETED,
	HF_WATCH_BOOKMARK,
	HF_WATCH_ERROR,
};

struct hf_watch_event {
	enum hf_watch_type type;
	struct hf_obj *obj;	   /* ADDED, MODIFIED, DELETED: the object (owned) */
	char resource_version[64]; /* the object's or the bookmark's, "" if none */
	long error_code;	   /* ERROR: the Status code (410: too old) */
	char *error_message;	   /* ERROR: the Status message (owned) */
};

/* hf_watch_event_parse parses one line. On success the caller owns the
 * event and releases it with hf_watch_event_clear. */
HF_MUST_CHECK enum hf_err hf_watch_event_parse(const char *line, size_t len,
					       struct hf_watch_event *ev);
void hf_watch_event_clear(struct hf_watch_event *ev);

#endif
