#include "core/report.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/rfc3339.h"

/* How far an observed_time may be from now (the original server's window). */
#define FUTURE_LIMIT_S (5 * 60)
#define PAST_LIMIT_S   (30 * 60)

void hf_report_clear(struct hf_report *r)
{
	free(r->adapter);
	cJSON_Delete(r->conditions);
	cJSON_Delete(r->data);
	cJSON_Delete(r->metadata);
	memset(r, 0, sizeof(*r));
}

void hf_report_init(struct hf_report *r, const char *adapter, long long generation, double now)
{
	memset(r, 0, sizeof(*r));
	r->adapter = hf_strdup(adapter);
	r->observed_generation = generation;
	r->observed_at = now;
	hf_rfc3339_format(now, r->observed_time, sizeof(r->observed_time));
	r->conditions = cJSON_CreateArray();
}

void hf_report_add_condition(struct hf_report *r, const char *type, const char *status,
			     const char *reason, const char *message)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", status);
	if (reason)
		cJSON_AddStringToObject(c, "reason", reason);
	if (message)
		cJSON_AddStringToObject(c, "message", message);
	cJSON_AddItemToArray(r->conditions, c);
}

static bool valid_status(const char *s)
{
	return strcmp(s, "True") == 0 || strcmp(s, "False") == 0 || strcmp(s, "Unknown") == 0;
}

/* check_conditions validates the conditions array (rule 4) and returns a
 * normalised copy, or NULL with msg set. */
static cJSON *check_conditions(const cJSON *conds, char *msg, size_t msglen)
{
	if (!cJSON_IsArray(conds)) {
		snprintf(msg, msglen, "conditions must be an array");
		return NULL;
	}
	cJSON *out = cJSON_CreateArray();
	int i = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, conds)
	{
		const char *type = hf_json_string(c, "type");
		const char *status = hf_json_string(c, "status");
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(c, "reason");
		const cJSON *message = cJSON_GetObjectItemCaseSensitive(c, "message");
		if (!cJSON_IsObject(c)) {
			snprintf(msg, msglen, "conditions[%d] must be an object", i);
		} else if (!type || !type[0]) {
			snprintf(msg, msglen, "conditions[%d].type is required", i);
		} else if (hf_status_find_condition(out, type)) {
			snprintf(msg, msglen, "conditions[%d].type '%s' is duplicated", i, type);
		} else if (!status || !valid_status(status)) {
			snprintf(msg, msglen,
				 "conditions[%d].status must be one of True, False, Unknown", i);
		} else if ((reason && !cJSON_IsString(reason) && !cJSON_IsNull(reason)) ||
			   (message && !cJSON_IsString(message) && !cJSON_IsNull(message))) {
			snprintf(msg, msglen, "conditions[%d].reason and .message must be strings",
				 i);
		} else {
			cJSON *n = cJSON_CreateObject();
			cJSON_AddStringToObject(n, "type", type);
			cJSON_AddStringToObject(n, "status", status);
			if (cJSON_IsString(reason))
				cJSON_AddStringToObject(n, "reason", reason->valuestring);
			if (cJSON_IsString(message))
				cJSON_AddStringToObject(n, "message", message->valuestring);
			cJSON_AddItemToArray(out, n);
			i++;
			continue;
		}
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

/* metadata_from_rest keeps the known metadata keys, in the stored form;
 * unknown keys are dropped (as the original does). */
static cJSON *metadata_from_rest(const cJSON *m)
{
	static const struct {
		const char *rest, *stored;
		bool number;
	} keys[] = {
		{"job_name", "jobName", false},
		{"job_namespace", "jobNamespace", false},
		{"attempt", "attempt", true},
		{"started_time", "startedTime", false},
		{"completed_time", "completedTime", false},
		{"duration", "duration", false},
	};
	cJSON *out = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, keys[i].rest);
		long long n;
		if (keys[i].number && hf_json_int64(v, &n))
			cJSON_AddNumberToObject(out, keys[i].stored, (double)n);
		else if (!keys[i].number && cJSON_IsString(v))
			cJSON_AddStringToObject(out, keys[i].stored, v->valuestring);
	}
	return out;
}

enum hf_err hf_report_parse(const char *body, size_t len, double now, struct hf_report *r,
			    bool *malformed, char *msg, size_t msglen)
{
	memset(r, 0, sizeof(*r));
	*malformed = false;
	cJSON *root = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	enum hf_err err = HF_ERR_INVALID;
	if (!cJSON_IsObject(root)) {
		*malformed = true;
		snprintf(msg, msglen, "the request body must be a JSON object");
		goto out;
	}
	const char *adapter = hf_json_string(root, "adapter");
	if (!adapter || !adapter[0]) {
		snprintf(msg, msglen, "adapter is required");
		goto out;
	}
	long long gen = 0;
	if (!hf_json_int64(cJSON_GetObjectItemCaseSensitive(root, "observed_generation"), &gen) ||
	    gen < 1) {
		snprintf(msg, msglen, "observed_generation must be >= 1");
		goto out;
	}
	cJSON *conds =
		check_conditions(cJSON_GetObjectItemCaseSensitive(root, "conditions"), msg, msglen);
	if (!conds)
		goto out;
	r->conditions = conds;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "observed_time");
	if (t && !cJSON_IsNull(t)) {
		if (!cJSON_IsString(t) || !hf_rfc3339_parse(t->valuestring, &r->observed_at)) {
			snprintf(msg, msglen, "observed_time must be an RFC 3339 date-time");
			goto out;
		}
		snprintf(r->observed_time, sizeof(r->observed_time), "%s", t->valuestring);
		if (r->observed_at > now + FUTURE_LIMIT_S) {
			snprintf(msg, msglen,
				 "observed_time must not be more than 5m0s in the future");
			goto out;
		}
		if (r->observed_at < now - PAST_LIMIT_S) {
			snprintf(msg, msglen,
				 "observed_time must not be more than 30m0s in the past");
			goto out;
		}
	} else {
		r->observed_at = now;
		hf_rfc3339_format(now, r->observed_time, sizeof(r->observed_time));
	}
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (data && !cJSON_IsNull(data)) {
		if (!cJSON_IsObject(data)) {
			snprintf(msg, msglen, "field 'data' must be an object");
			goto out;
		}
		r->data = cJSON_Duplicate(data, true);
	}
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
	if (meta && !cJSON_IsNull(meta)) {
		if (!cJSON_IsObject(meta)) {
			snprintf(msg, msglen, "field 'metadata' must be an object");
			goto out;
		}
		r->metadata = metadata_from_rest(meta);
	}
	r->adapter = hf_strdup(adapter);
	r->observed_generation = gen;
	err = HF_OK;
out:
	cJSON_Delete(root);
	if (err)
		hf_report_clear(r);
	return err;
}

const cJSON *hf_report_find(const cJSON *object, const char *adapter)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(object, "status");
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(status, "adapters"))
	{
		const char *name = hf_json_string(e, "adapter");
		if (name && strcmp(name, adapter) == 0)
			return e;
	}
	return NULL;
}

/* stored_conditions builds the entry's conditions: lastTransitionTime is the
 * report's time when a condition is new or its status changed. */
static cJSON *stored_conditions(const struct hf_report *r, const cJSON *previous)
{
	cJSON *out = cJSON_Duplicate(r->conditions, true);
	cJSON *c;
	cJSON_ArrayForEach(c, out)
	{
		const cJSON *p = hf_status_find_condition(previous, hf_json_string(c, "type"));
		const char *ps = hf_json_string(p, "status");
		const char *pt = hf_json_string(p, "lastTransitionTime");
		bool same = ps && pt && strcmp(ps, hf_json_string(c, "status")) == 0;
		cJSON_AddStringToObject(c, "lastTransitionTime", same ? pt : r->observed_time);
	}
	return out;
}

enum hf_report_verdict hf_report_apply(const struct hf_report *r, cJSON *object, char *msg,
				       size_t msglen)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(object, "metadata");
	long long generation = 1;
	hf_json_int64(cJSON_GetObjectItemCaseSensitive(meta, "generation"), &generation);
	if (r->observed_generation > generation) {
		snprintf(msg, msglen,
			 "observed_generation %lld is newer than the resource's generation %lld",
			 r->observed_generation, generation);
		return HF_REPORT_DISCARDED;
	}
	const cJSON *stored = hf_report_find(object, r->adapter);
	long long stored_gen = 0;
	hf_json_int64(cJSON_GetObjectItemCaseSensitive(stored, "observedGeneration"), &stored_gen);
	if (stored && r->observed_generation < stored_gen) {
		snprintf(msg, msglen,
			 "observed_generation %lld is older than the stored report's %lld",
			 r->observed_generation, stored_gen);
		return HF_REPORT_DISCARDED;
	}
	double stored_at = 0;
	if (stored && r->observed_generation == stored_gen &&
	    hf_rfc3339_parse(hf_json_string(stored, "lastReportTime"), &stored_at) &&
	    r->observed_at < stored_at) {
		snprintf(msg, msglen, "observed_time is older than the stored report's");
		return HF_REPORT_DISCARDED;
	}
	static const char *const mandatory[] = {"Available", "Applied", "Health"};
	for (size_t i = 0; i < 3; i++) {
		if (!hf_status_find_condition(r->conditions, mandatory[i])) {
			snprintf(
				msg, msglen,
				"missing mandatory condition '%s': all adapters must report Available, Applied, and Health",
				mandatory[i]);
			return HF_REPORT_REJECTED;
		}
	}
	const char *available =
		hf_json_string(hf_status_find_condition(r->conditions, "Available"), "status");
	if (stored && strcmp(available, "Unknown") == 0) {
		snprintf(msg, msglen, "Available=Unknown does not replace a stored report");
		return HF_REPORT_DISCARDED;
	}

	cJSON *entry = cJSON_CreateObject();
	cJSON_AddStringToObject(entry, "adapter", r->adapter);
	cJSON_AddNumberToObject(entry, "observedGeneration", (double)r->observed_generation);
	cJSON_AddItemToObject(
		entry, "conditions",
		stored_conditions(r, cJSON_GetObjectItemCaseSensitive(stored, "conditions")));
	cJSON_AddItemToObject(entry, "data",
			      r->data ? cJSON_Duplicate(r->data, true) : cJSON_CreateObject());
	if (r->metadata)
		cJSON_AddItemToObject(entry, "metadata", cJSON_Duplicate(r->metadata, true));
	const char *created = hf_json_string(stored, "createdTime");
	cJSON_AddStringToObject(entry, "createdTime", created ? created : r->observed_time);
	cJSON_AddStringToObject(entry, "lastReportTime", r->observed_time);

	cJSON *status = cJSON_GetObjectItemCaseSensitive(object, "status");
	if (!cJSON_IsObject(status)) {
		cJSON_DeleteItemFromObjectCaseSensitive(object, "status");
		status = cJSON_AddObjectToObject(object, "status");
	}
	cJSON *adapters = cJSON_GetObjectItemCaseSensitive(status, "adapters");
	if (!cJSON_IsArray(adapters)) {
		cJSON_DeleteItemFromObjectCaseSensitive(status, "adapters");
		adapters = cJSON_AddArrayToObject(status, "adapters");
	}
	int i = 0;
	cJSON *e;
	cJSON_ArrayForEach(e, adapters)
	{
		const char *name = hf_json_string(e, "adapter");
		if (name && strcmp(name, r->adapter) == 0) {
			cJSON_ReplaceItemInArray(adapters, i, entry);
			return HF_REPORT_STORED;
		}
		i++;
	}
	cJSON_AddItemToArray(adapters, entry);
	return HF_REPORT_STORED;
}
