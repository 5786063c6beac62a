/*
 * report.h: an adapter's report about one Cluster or NodePool, and the rules
 * that decide whether it is stored (the original server's order, DESIGN.md
 * section 4). Pure functions over JSON: the one write path (core.h) uses
 * them for reports from the adapter engine and from the REST API alike.
 */
#ifndef HF_CORE_REPORT_H
#define HF_CORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct cJSON;

struct hf_report {
	char *adapter;
	long long observed_generation;
	char observed_time[40];	  /* RFC 3339, as given (or now) */
	double observed_at;	  /* the same, in seconds */
	struct cJSON *conditions; /* [{type, status, reason?, message?}] */
	struct cJSON *data;	  /* an object, or NULL */
	struct cJSON *metadata;	  /* stored form (jobName, ...), or NULL */
};

enum hf_report_verdict {
	HF_REPORT_STORED,    /* upserted: 201 */
	HF_REPORT_DISCARDED, /* stale or ahead: nothing changes, 204 */
	HF_REPORT_REJECTED,  /* invalid: 400 with a message */
};

/*
 * hf_report_parse reads a report as the REST API takes it (snake_case:
 * adapter, observed_generation, observed_time, conditions, data, metadata)
 * and checks what can be checked without the resource, in the original
 * order. now is the wall clock (for the observed_time window and its
 * default). On HF_ERR_INVALID, msg says what is wrong and *malformed tells
 * whether the body was not JSON at all. The caller clears r.
 */
HF_MUST_CHECK enum hf_err hf_report_parse(const char *body, size_t len, double now,
					  struct hf_report *r, bool *malformed, char *msg,
					  size_t msglen);

/* hf_report_init starts a report built in code (the adapter engine);
 * hf_report_add_condition adds one condition (strings copied, reason and
 * message may be NULL). */
void hf_report_init(struct hf_report *r, const char *adapter, long long generation, double now);
void hf_report_add_condition(struct hf_report *r, const char *type, const char *status,
			     const char *reason, const char *message);
void hf_report_clear(struct hf_report *r);

/*
 * hf_report_apply decides the report's fate against object (a Cluster or
 * NodePool as JSON) and, when it is stored, upserts it into the object's
 * status.adapters: per-condition lastTransitionTime moves only when that
 * condition's status changed; createdTime is kept from the first report.
 * On HF_REPORT_REJECTED or HF_REPORT_DISCARDED msg says why.
 */
enum hf_report_verdict hf_report_apply(const struct hf_report *r, struct cJSON *object, char *msg,
				       size_t msglen);

/* hf_report_find returns the stored entry of adapter in object, or NULL. */
const struct cJSON *hf_report_find(const struct cJSON *object, const char *adapter);

#endif
