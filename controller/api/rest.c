#include "api/rest.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#include "kube/object.h"
#include "util/json.h"

bool hf_rest_is_system_label(const char *key)
{
	return strcmp(key, HF_LABEL_CLUSTER_NAME) == 0;
}

const char *hf_rest_pool_name(const char *object_name, const char *cluster_name)
{
	size_t n = cluster_name ? strlen(cluster_name) : 0;
	if (n && strncmp(object_name, cluster_name, n) == 0 && object_name[n] == '.')
		return object_name + n + 1;
	return object_name;
}

/* Kubernetes names of condition and metadata fields, and their REST names. */
static const struct {
	const char *kube, *rest;
} field_names[] = {
	{"type", "type"},
	{"status", "status"},
	{"reason", "reason"},
	{"message", "message"},
	{"observedGeneration", "observed_generation"},
	{"createdTime", "created_time"},
	{"lastUpdateTime", "last_updated_time"},
	{"lastTransitionTime", "last_transition_time"},
	{"jobName", "job_name"},
	{"jobNamespace", "job_namespace"},
	{"attempt", "attempt"},
	{"startedTime", "started_time"},
	{"completedTime", "completed_time"},
	{"duration", "duration"},
};

/* rename_fields copies the members of obj it knows, under their REST
 * names (unknown members are the API server's to keep, not ours to show). */
static cJSON *rename_fields(const cJSON *obj)
{
	cJSON *out = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, field_names[i].kube);
		if (m)
			cJSON_AddItemToObject(out, field_names[i].rest, cJSON_Duplicate(m, true));
	}
	return out;
}

static cJSON *rename_list(const cJSON *list)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *c;
	cJSON_ArrayForEach(c, list) cJSON_AddItemToArray(out, rename_fields(c));
	return out;
}

static void add_string(cJSON *o, const char *name, const char *value)
{
	if (value && *value)
		cJSON_AddStringToObject(o, name, value);
}

cJSON *hf_rest_resource(enum hf_kind kind, const cJSON *object, const char *cluster_id)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(object, "metadata");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(object, "spec");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(object, "status");
	const cJSON *annotations = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	const char *uid = hf_json_string(meta, "uid");
	const char *name = hf_json_string(meta, "name");
	bool pool = kind == HF_KIND_NODEPOOL;
	const char *cluster_name = pool ? hf_json_string(spec, "clusterName") : NULL;

	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "kind", pool ? "NodePool" : "Cluster");
	cJSON_AddStringToObject(r, "id", uid ? uid : "");
	cJSON_AddStringToObject(r, "name",
				pool ? hf_rest_pool_name(name ? name : "", cluster_name)
				     : (name ? name : ""));
	char href[256];
	if (pool && cluster_id)
		snprintf(href, sizeof(href), HF_API_BASE "/clusters/%s/nodepools/%s", cluster_id,
			 uid ? uid : "");
	else
		snprintf(href, sizeof(href), HF_API_BASE "/%s/%s", pool ? "nodepools" : "clusters",
			 uid ? uid : "");
	cJSON_AddStringToObject(r, "href", href);
	if (pool) {
		add_string(r, "cluster_id", cluster_id);
		if (cluster_id) {
			cJSON *owner = cJSON_AddObjectToObject(r, "owner_references");
			cJSON_AddStringToObject(owner, "id", cluster_id);
			cJSON_AddStringToObject(owner, "kind", "Cluster");
			snprintf(href, sizeof(href), HF_API_BASE "/clusters/%s", cluster_id);
			cJSON_AddStringToObject(owner, "href", href);
		}
	}

	/* The spec as the user wrote it; a NodePool's clusterName is implied by
	 * the route and shown as cluster_id. */
	cJSON *s = spec ? cJSON_Duplicate(spec, true) : cJSON_CreateObject();
	if (pool)
		cJSON_DeleteItemFromObjectCaseSensitive(s, "clusterName");
	cJSON_AddItemToObject(r, "spec", s);

	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(meta, "labels");
	cJSON *l = cJSON_CreateObject();
	const cJSON *label;
	cJSON_ArrayForEach(label,
			   labels) if (label->string && !hf_rest_is_system_label(label->string))
		cJSON_AddItemToObject(l, label->string, cJSON_Duplicate(label, false));
	if (cJSON_GetArraySize(l))
		cJSON_AddItemToObject(r, "labels", l);
	else
		cJSON_Delete(l);

	long long generation = 1;
	hf_json_int64(cJSON_GetObjectItemCaseSensitive(meta, "generation"), &generation);
	cJSON_AddNumberToObject(r, "generation", (double)generation);

	cJSON *st = cJSON_AddObjectToObject(r, "status");
	const char *phase = hf_json_string(status, "phase");
	if (cJSON_GetObjectItemCaseSensitive(meta, "deletionTimestamp"))
		phase = "Terminating";
	long long observed = 0;
	bool has_observed = hf_json_int64(
		cJSON_GetObjectItemCaseSensitive(status, "observedGeneration"), &observed);
	/* A spec change the controller has not aggregated yet: the adapters
	 * have not worked on this generation, whatever the last status said. */
	if (phase && strcmp(phase, "Ready") == 0 && (!has_observed || observed < generation))
		phase = "Not Ready";
	cJSON_AddStringToObject(st, "phase", phase ? phase : "Not Ready");
	if (has_observed)
		cJSON_AddNumberToObject(st, "observed_generation", (double)observed);
	cJSON_AddItemToObject(st, "conditions",
			      rename_list(cJSON_GetObjectItemCaseSensitive(status, "conditions")));

	const char *created = hf_json_string(meta, "creationTimestamp");
	const char *updated = hf_json_string(annotations, HF_ANNOTATION_UPDATED_TIME);
	if (!updated)
		updated = hf_json_string(status, "observedGenerationTime");
	add_string(r, "created_time", created);
	add_string(r, "updated_time", updated ? updated : created);
	add_string(r, "deleted_time", hf_json_string(meta, "deletionTimestamp"));
	add_string(r, "created_by", hf_json_string(annotations, HF_ANNOTATION_CREATED_BY));
	add_string(r, "updated_by", hf_json_string(annotations, HF_ANNOTATION_UPDATED_BY));
	return r;
}

cJSON *hf_rest_adapter_status(const cJSON *entry)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "adapter",
				hf_json_string(entry, "adapter") ? hf_json_string(entry, "adapter")
								 : "");
	long long gen = 0;
	hf_json_int64(cJSON_GetObjectItemCaseSensitive(entry, "observedGeneration"), &gen);
	cJSON_AddNumberToObject(r, "observed_generation", (double)gen);
	cJSON_AddItemToObject(r, "conditions",
			      rename_list(cJSON_GetObjectItemCaseSensitive(entry, "conditions")));
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(entry, "data");
	cJSON_AddItemToObject(r, "data",
			      cJSON_IsObject(data) ? cJSON_Duplicate(data, true)
						   : cJSON_CreateObject());
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(entry, "metadata");
	if (cJSON_IsObject(md))
		cJSON_AddItemToObject(r, "metadata", rename_fields(md));
	add_string(r, "created_time", hf_json_string(entry, "createdTime"));
	add_string(r, "last_report_time", hf_json_string(entry, "lastReportTime"));
	return r;
}
