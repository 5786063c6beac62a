#include "kube/object.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/json.h"

/* A bump allocator over the single block that holds an object's strings. */
struct block {
	char *next;
};

static const char *place(struct block *b, const char *s, size_t len)
{
	char *dst = b->next;
	memcpy(dst, s, len);
	dst[len] = '\0';
	b->next += len + 1;
	return dst;
}

struct hf_obj *hf_obj_new(cJSON *item)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(item, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
	const char *name = hf_json_string(meta, "name");
	if (!name)
		return NULL;
	const char *ns = hf_json_string(meta, "namespace");
	const char *uid = hf_json_string(meta, "uid");
	const char *rv = hf_json_string(meta, "resourceVersion");
	const cJSON *gen = cJSON_GetObjectItemCaseSensitive(meta, "generation");
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(meta, "labels");
	const char *cluster = hf_json_string(labels, HF_LABEL_CLUSTER_NAME);
	if (!cluster)
		cluster = hf_json_string(cJSON_GetObjectItemCaseSensitive(item, "spec"),
					 "clusterName");
	ns = ns ? ns : "";
	uid = uid ? uid : "";
	rv = rv ? rv : "";

	char *json = cJSON_PrintUnformatted(item);
	size_t json_len = strlen(json);

	size_t nlabels = 0, label_bytes = 0;
	const cJSON *l;
	cJSON_ArrayForEach(l, labels)
	{
		if (cJSON_IsString(l) && l->string) {
			nlabels++;
			label_bytes += strlen(l->string) + strlen(l->valuestring) + 2;
		}
	}
	size_t name_len = strlen(name), ns_len = strlen(ns);
	size_t key_len = ns_len ? ns_len + 1 + name_len : name_len;
	size_t bytes = sizeof(struct hf_obj) + 2 * nlabels * sizeof(char *) + key_len + 1 + ns_len +
		       1 + name_len + 1 + strlen(uid) + 1 + strlen(rv) + 1 +
		       (cluster ? strlen(cluster) + 1 : 0) + label_bytes + json_len + 1;

	struct hf_obj *o = hf_malloc(bytes);
	const char **label_array = (const char **)(o + 1);
	struct block b = {.next = (char *)(label_array + 2 * nlabels)};
	atomic_init(&o->refs, 1);
	char *key = b.next;
	if (ns_len) {
		memcpy(key, ns, ns_len);
		key[ns_len] = '/';
		memcpy(key + ns_len + 1, name, name_len + 1);
	} else {
		memcpy(key, name, name_len + 1);
	}
	b.next += key_len + 1;
	o->key = key;
	o->ns = place(&b, ns, ns_len);
	o->name = place(&b, name, name_len);
	o->uid = place(&b, uid, strlen(uid));
	o->resource_version = place(&b, rv, strlen(rv));
	long long generation = 0;
	o->generation = hf_json_int64(gen, &generation) ? generation : 0;
	o->deleting = cJSON_GetObjectItemCaseSensitive(meta, "deletionTimestamp") != NULL;
	o->cluster = cluster ? place(&b, cluster, strlen(cluster)) : NULL;
	size_t i = 0;
	cJSON_ArrayForEach(l, labels)
	{
		if (cJSON_IsString(l) && l->string) {
			label_array[i++] = place(&b, l->string, strlen(l->string));
			label_array[i++] = place(&b, l->valuestring, strlen(l->valuestring));
		}
	}
	o->nlabels = nlabels;
	o->labels = label_array;
	o->json_len = json_len;
	o->json = place(&b, json, json_len);
	free(json);
	return o;
}

struct hf_obj *hf_obj_new_json(const char *json, size_t len)
{
	cJSON *item = cJSON_ParseWithLength(json, len);
	struct hf_obj *o = cJSON_IsObject(item) ? hf_obj_new(item) : NULL;
	cJSON_Delete(item);
	return o;
}

struct hf_obj *hf_obj_ref(struct hf_obj *o)
{
	if (o)
		atomic_fetch_add_explicit(&o->refs, 1, memory_order_relaxed);
	return o;
}

void hf_obj_unref(struct hf_obj *o)
{
	if (o && atomic_fetch_sub_explicit(&o->refs, 1, memory_order_acq_rel) == 1)
		free(o);
}

cJSON *hf_obj_parse(const struct hf_obj *o)
{
	return cJSON_ParseWithLength(o->json, o->json_len);
}

const char *hf_obj_label(const struct hf_obj *o, const char *key)
{
	for (size_t i = 0; i < o->nlabels; i++)
		if (strcmp(o->labels[2 * i], key) == 0)
			return o->labels[2 * i + 1];
	return NULL;
}

size_t hf_obj_size(const struct hf_obj *o)
{
	const char *end = o->json + o->json_len + 1;
	return (size_t)(end - (const char *)o);
}

void hf_obj_list_free(struct hf_obj_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		hf_obj_unref(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}
