#include "core/core.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/rfc3339.h"

/* Conflicts come from concurrent writers of the same object; a handful of
 * fresh retries settle them. */
#define MAX_CONFLICT_RETRIES 20

static const struct hf_kind_info kinds[] = {
	[HF_KIND_CLUSTER] = {"Cluster", "hyperfleet.io/v1alpha1", &HF_RES_CLUSTERS},
	[HF_KIND_NODEPOOL] = {"NodePool", "hyperfleet.io/v1alpha1", &HF_RES_NODEPOOLS},
};

const struct hf_kind_info *hf_kind_info(enum hf_kind kind)
{
	return &kinds[kind];
}

void hf_names_free(struct hf_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	names->v = NULL;
	names->n = 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void consider_adapter(const cJSON *adapter, const char *kind, struct hf_names *out)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(adapter, "spec");
	const char *target = hf_json_string(spec, "target");
	const char *name =
		hf_json_string(cJSON_GetObjectItemCaseSensitive(adapter, "metadata"), "name");
	if (name && target && strcmp(target, kind) == 0 &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "required"))) {
		out->v = hf_realloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = hf_strdup(name);
	}
}

void hf_core_init(struct hf_core *c)
{
	pthread_mutex_init(&c->required_lock, NULL);
	c->required[0] = c->required[1] = NULL;
}

void hf_core_cleanup(struct hf_core *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->required[i]) {
			hf_names_free(c->required[i]);
			free(c->required[i]);
			c->required[i] = NULL;
		}
	}
	pthread_mutex_destroy(&c->required_lock);
}

static void copy_names(const struct hf_names *from, struct hf_names *to)
{
	to->n = from->n;
	to->v = hf_malloc((from->n ? from->n : 1) * sizeof(*to->v));
	for (size_t i = 0; i < from->n; i++)
		to->v[i] = hf_strdup(from->v[i]);
}

static enum hf_err list_required(struct hf_core *c, enum hf_kind kind, struct hf_names *out,
				 struct hf_kube_error *kerr);

enum hf_err hf_core_required_adapters(struct hf_core *c, enum hf_kind kind, struct hf_names *out,
				      struct hf_kube_error *kerr)
{
	if (!c->adapters)
		return list_required(c, kind, out, kerr);
	/* Every reconcile and report asks; the Adapters rarely change. */
	unsigned long long version = hf_store_version(c->adapters);
	pthread_mutex_lock(&c->required_lock);
	if (!c->required[kind] || c->required_version[kind] != version) {
		struct hf_names fresh;
		enum hf_err err = list_required(c, kind, &fresh, kerr);
		if (err) {
			pthread_mutex_unlock(&c->required_lock);
			return err;
		}
		if (c->required[kind])
			hf_names_free(c->required[kind]);
		else
			c->required[kind] = hf_malloc(sizeof(struct hf_names));
		*c->required[kind] = fresh;
		c->required_version[kind] = version;
	}
	copy_names(c->required[kind], out);
	pthread_mutex_unlock(&c->required_lock);
	return HF_OK;
}

static enum hf_err list_required(struct hf_core *c, enum hf_kind kind, struct hf_names *out,
				 struct hf_kube_error *kerr)
{
	memset(out, 0, sizeof(*out));
	const char *k = kinds[kind].kind;
	if (c->adapters) {
		struct hf_obj_list all;
		hf_store_list(c->adapters, &all);
		for (size_t i = 0; i < all.n; i++) {
			cJSON *a = hf_obj_parse(all.items[i]);
			consider_adapter(a, k, out);
			cJSON_Delete(a);
		}
		hf_obj_list_free(&all);
	} else {
		struct hf_buf body;
		hf_buf_init(&body, 0);
		enum hf_err err =
			hf_kube_list(c->client, &HF_RES_ADAPTERS, NULL, NULL, &body, kerr);
		if (err) {
			hf_buf_free(&body);
			return err;
		}
		cJSON *list = cJSON_ParseWithLength(body.data, body.len);
		const cJSON *a;
		cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(list, "items"))
			consider_adapter(a, k, out);
		cJSON_Delete(list);
		hf_buf_free(&body);
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), compare_names);
	return HF_OK;
}

enum hf_err hf_core_count_nodepools(struct hf_core *c, const char *ns, const char *cluster,
				    size_t *count, struct hf_kube_error *kerr)
{
	if (c->nodepools) {
		struct hf_obj_list l;
		hf_store_list_by_cluster(c->nodepools, ns, cluster, &l);
		*count = l.n;
		hf_obj_list_free(&l);
		return HF_OK;
	}
	char *selector = hf_asprintf("%s=%s", HF_LABEL_CLUSTER_NAME, cluster);
	struct hf_kube_list_options opts = {.label_selector = selector};
	struct hf_buf body;
	hf_buf_init(&body, 0);
	enum hf_err err = hf_kube_list(c->client, &HF_RES_NODEPOOLS, ns, &opts, &body, kerr);
	if (!err) {
		cJSON *list = cJSON_ParseWithLength(body.data, body.len);
		*count =
			(size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(list, "items"));
		cJSON_Delete(list);
	}
	hf_buf_free(&body);
	free(selector);
	return err;
}

/* read_object returns the object from the cache (when allowed and cached)
 * or the API server; NULL with *err set otherwise. */
static cJSON *read_object(struct hf_core *c, enum hf_kind kind, const char *ns, const char *name,
			  bool from_cache, enum hf_err *err, struct hf_kube_error *kerr)
{
	struct hf_store *store = kind == HF_KIND_CLUSTER ? c->clusters : c->nodepools;
	*err = HF_OK;
	if (from_cache && store) {
		char *key = hf_asprintf("%s/%s", ns, name);
		struct hf_obj *o = hf_store_get(store, key);
		free(key);
		if (o) {
			cJSON *json = hf_obj_parse(o);
			hf_obj_unref(o);
			return json;
		}
	}
	struct hf_buf body;
	hf_buf_init(&body, 0);
	*err = hf_kube_get(c->client, kinds[kind].resource, ns, name, &body, kerr);
	cJSON *json = NULL;
	if (*err == HF_ERR_HTTP && kerr->http_code == 404)
		*err = HF_ERR_NOT_FOUND;
	else if (!*err && !(json = cJSON_ParseWithLength(body.data, body.len)))
		*err = HF_ERR_INVALID;
	hf_buf_free(&body);
	return json;
}

/*
 * status_patch is a merge patch of the status subresource that replaces the
 * whole status, guarded by the resourceVersion that was read: a write that
 * races another fails with 409 instead of losing it. It is smaller than a
 * PUT of the object. Top-level status fields that are gone are nulled (a
 * merge patch keeps what it does not mention); before_keys has them.
 */
static char *status_patch(const cJSON *object, const cJSON *before_keys)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(object, "metadata");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(object, "status");
	cJSON *patch = cJSON_CreateObject();
	cJSON *m = cJSON_AddObjectToObject(patch, "metadata");
	const char *rv = hf_json_string(meta, "resourceVersion");
	cJSON_AddStringToObject(m, "resourceVersion", rv ? rv : "");
	cJSON *st = cJSON_Duplicate(status, true);
	const cJSON *k;
	cJSON_ArrayForEach(k, before_keys) if (k->string &&
					       !cJSON_GetObjectItemCaseSensitive(st, k->string))
		cJSON_AddNullToObject(st, k->string);
	cJSON_AddItemToObject(patch, "status", st);
	char *json = cJSON_PrintUnformatted(patch);
	cJSON_Delete(patch);
	return json;
}

static bool same_json(const cJSON *a, const cJSON *b)
{
	return cJSON_Compare(a, b, true);
}

enum hf_err hf_core_update_status(struct hf_core *c, enum hf_kind kind, const char *ns,
				  const char *name, hf_status_mutate_fn mutate, void *ctx,
				  cJSON **written, struct hf_kube_error *kerr)
{
	if (written)
		*written = NULL;
	struct hf_names required;
	enum hf_err err = hf_core_required_adapters(c, kind, &required, kerr);
	if (err)
		return err;
	size_t children = 0;
	if (kind == HF_KIND_CLUSTER)
		err = hf_core_count_nodepools(c, ns, name, &children, kerr);
	if (err)
		goto out;

	for (int attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
		cJSON *object = read_object(c, kind, ns, name, attempt == 0, &err, kerr);
		if (!object)
			goto out;
		cJSON *before =
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(object, "status"), true);
		bool write = !mutate || mutate(object, ctx);
		bool changed = false;
		if (write) {
			struct hf_status_context sctx = {(const char *const *)required.v,
							 required.n, children > 0,
							 hf_rfc3339_now()};
			cJSON *status = hf_status_aggregate(object, &sctx);
			changed = !before || !same_json(before, status);
			if (!cJSON_ReplaceItemInObjectCaseSensitive(object, "status", status))
				cJSON_AddItemToObject(object, "status", status);
		}
		char *json = changed ? status_patch(object, before) : NULL;
		cJSON_Delete(before);
		cJSON_Delete(object);
		if (!json)
			goto out;
		struct hf_buf body;
		hf_buf_init(&body, 0);
		err = hf_kube_patch(c->client, kinds[kind].resource, ns, name, "status",
				    HF_PATCH_MERGE, false, json, &body, kerr);
		free(json);
		if (!err && written)
			*written = cJSON_ParseWithLength(body.data, body.len);
		hf_buf_free(&body);
		if (err == HF_ERR_HTTP && kerr->http_code == 409)
			continue; /* someone else wrote first: again, from a fresh read */
		if (err == HF_ERR_HTTP && kerr->http_code == 404)
			err = HF_ERR_NOT_FOUND;
		goto out;
	}
out:
	hf_names_free(&required);
	return err;
}

/* What hf_core_update_status applies: reports in order; a single
 * report's refusal message goes to message (hf_core_write_report). */
struct reports_ctx {
	const struct hf_report *reports;
	size_t n;
	enum hf_report_verdict *verdicts;
	char *message;
	size_t message_len;
};

static bool apply_reports(cJSON *object, void *arg)
{
	struct reports_ctx *r = arg;
	bool stored = false;
	for (size_t i = 0; i < r->n; i++) {
		char scratch[512];
		char *message = r->message ? r->message : scratch;
		size_t len = r->message ? r->message_len : sizeof(scratch);
		message[0] = '\0';
		r->verdicts[i] = hf_report_apply(&r->reports[i], object, message, len);
		stored |= r->verdicts[i] == HF_REPORT_STORED;
	}
	return stored;
}

enum hf_err hf_core_write_reports(struct hf_core *c, enum hf_kind kind, const char *ns,
				  const char *name, const struct hf_report *reports, size_t n,
				  enum hf_report_verdict *verdicts, struct hf_kube_error *kerr)
{
	struct reports_ctx ctx = {reports, n, verdicts, NULL, 0};
	return hf_core_update_status(c, kind, ns, name, apply_reports, &ctx, NULL, kerr);
}

enum hf_err hf_core_write_report(struct hf_core *c, enum hf_kind kind, const char *ns,
				 const char *name, const struct hf_report *r,
				 struct hf_report_outcome *out, struct hf_kube_error *kerr)
{
	memset(out, 0, sizeof(*out));
	struct reports_ctx ctx = {r, 1, &out->verdict, out->message, sizeof(out->message)};
	cJSON *written = NULL;
	enum hf_err err =
		hf_core_update_status(c, kind, ns, name, apply_reports, &ctx, &written, kerr);
	if (!err && out->verdict == HF_REPORT_STORED) {
		/* A report that changed nothing wrote nothing: read the entry back
		 * from the object it would have been written to. */
		cJSON *object =
			written ? written : read_object(c, kind, ns, name, true, &err, kerr);
		const cJSON *entry = object ? hf_report_find(object, r->adapter) : NULL;
		out->stored = entry ? cJSON_Duplicate(entry, true) : NULL;
		const char *rv = hf_json_string(
			cJSON_GetObjectItemCaseSensitive(object, "metadata"), "resourceVersion");
		snprintf(out->resource_version, sizeof(out->resource_version), "%s", rv ? rv : "");
		cJSON_Delete(object);
	}
	return err;
}
