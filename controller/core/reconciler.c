#include "core/reconciler.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/log.h"
#include "util/ratelimit.h"
#include "util/rfc3339.h"
#include "util/strmap.h"

/* What the reconciler remembers of a key: its Not Ready backoff, and the
 * phase it last saw, to tell people (Events) when the phase changes,
 * whoever changed it (a report or this reconciler). */
struct attempts {
	int count;
	long long generation;
	char phase[16];
};

struct hf_reconciler {
	struct hf_core *core;
	enum hf_kind kind;
	struct hf_reconciler_options opts;
	pthread_mutex_t lock;
	struct hf_strmap *attempts; /* key -> struct attempts */
};

struct hf_reconciler *hf_reconciler_new(struct hf_core *core, enum hf_kind kind,
					const struct hf_reconciler_options *opts)
{
	struct hf_reconciler *r = hf_calloc(1, sizeof(*r));
	r->core = core;
	r->kind = kind;
	if (opts)
		r->opts = *opts;
	if (r->opts.not_ready_requeue_s <= 0)
		r->opts.not_ready_requeue_s = 10;
	if (r->opts.not_ready_requeue_max_s < r->opts.not_ready_requeue_s)
		r->opts.not_ready_requeue_max_s =
			r->opts.not_ready_requeue_s > 300 ? r->opts.not_ready_requeue_s : 300;
	if (r->opts.ready_resync_s <= 0)
		r->opts.ready_resync_s = 1800;
	pthread_mutex_init(&r->lock, NULL);
	r->attempts = hf_strmap_new();
	return r;
}

void hf_reconciler_free(struct hf_reconciler *r)
{
	if (!r)
		return;
	hf_strmap_free(r->attempts, free);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

double hf_reconciler_requeue_delay(const struct hf_reconciler_options *opts, int attempts)
{
	return hf_backoff_delay(opts->not_ready_requeue_s, opts->not_ready_requeue_max_s,
				attempts > 0 ? attempts - 1 : 0);
}

/* entry returns key's memory, made on first use; the lock is held. */
static struct attempts *entry(struct hf_reconciler *r, const char *key)
{
	struct attempts *a = hf_strmap_get(r->attempts, key);
	if (!a) {
		a = hf_calloc(1, sizeof(*a));
		hf_strmap_put(r->attempts, key, a);
	}
	return a;
}

/* next_attempt counts a Not Ready reconcile of key at generation; a new
 * generation starts the backoff over. */
static int next_attempt(struct hf_reconciler *r, const char *key, long long generation)
{
	pthread_mutex_lock(&r->lock);
	struct attempts *a = entry(r, key);
	if (a->generation != generation) {
		a->generation = generation;
		a->count = 0;
	}
	int n = ++a->count;
	pthread_mutex_unlock(&r->lock);
	return n;
}

static void forget(struct hf_reconciler *r, const char *key)
{
	pthread_mutex_lock(&r->lock);
	free(hf_strmap_remove(r->attempts, key));
	pthread_mutex_unlock(&r->lock);
}

/* reset_backoff: the object is Ready, its next Not Ready spell starts over. */
static void reset_backoff(struct hf_reconciler *r, const char *key)
{
	pthread_mutex_lock(&r->lock);
	entry(r, key)->count = 0;
	pthread_mutex_unlock(&r->lock);
}

/* swap_phase remembers phase for key and returns the one remembered before
 * ("" the first time) in before. */
static void swap_phase(struct hf_reconciler *r, const char *key, const char *phase, char *before,
		       size_t len)
{
	pthread_mutex_lock(&r->lock);
	struct attempts *a = entry(r, key);
	snprintf(before, len, "%s", a->phase);
	snprintf(a->phase, sizeof(a->phase), "%s", phase);
	pthread_mutex_unlock(&r->lock);
}

static bool has_finalizer(const cJSON *meta)
{
	const cJSON *f;
	cJSON_ArrayForEach(
		f, cJSON_GetObjectItemCaseSensitive(meta, "finalizers")) if (cJSON_IsString(f) &&
									     strcmp(f->valuestring,
										    HF_FINALIZER) ==
										     0) return true;
	return false;
}

static void event(struct hf_reconciler *r, const struct hf_obj *o, const char *type,
		  const char *reason, const char *message)
{
	if (!r->core->events)
		return;
	const struct hf_kind_info *k = hf_kind_info(r->kind);
	struct hf_event_object obj = {k->api_version, k->kind, o->ns, o->name, o->uid};
	hf_events_record(r->core->events, &obj, type, reason, message);
}

/* patch_metadata applies a JSON patch guarded by the object's
 * resourceVersion, so it never acts on a state it did not see. */
static enum hf_err patch_metadata(struct hf_reconciler *r, const struct hf_obj *o, const char *rv,
				  const char *ops, struct hf_kube_error *kerr)
{
	char *patch = hf_asprintf(
		"[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"%s\"},%s]",
		rv, ops);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	enum hf_err err = hf_kube_patch(r->core->client, hf_kind_info(r->kind)->resource, o->ns,
					o->name, NULL, HF_PATCH_JSON, false, patch, &out, kerr);
	/* A failed test operation is answered 422 ("an error in our
	 * request"): the object changed since our cache read it, which is a
	 * conflict; its newer version is on its way to the cache. */
	if (err == HF_ERR_HTTP && hf_kube_error_is(kerr, 422)) {
		kerr->http_code = 409;
		free(kerr->message);
		kerr->message = hf_strdup("the object changed since it was read; retrying");
	}
	hf_buf_free(&out);
	free(patch);
	return err;
}

static enum hf_err add_finalizer(struct hf_reconciler *r, const struct hf_obj *o, const cJSON *meta,
				 struct hf_kube_error *kerr)
{
	const char *op =
		cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(meta, "finalizers"))
			? "{\"op\":\"add\",\"path\":\"/metadata/finalizers/-\",\"value\":\"" HF_FINALIZER
			  "\"}"
			: "{\"op\":\"add\",\"path\":\"/metadata/finalizers\",\"value\":[\"" HF_FINALIZER
			  "\"]}";
	return patch_metadata(r, o, o->resource_version, op, kerr);
}

/* remove_finalizer takes our finalizer off the object at resourceVersion rv. */
static enum hf_err remove_finalizer(struct hf_reconciler *r, const struct hf_obj *o, const char *rv,
				    const cJSON *meta, struct hf_kube_error *kerr)
{
	cJSON *kept = cJSON_CreateArray();
	const cJSON *f;
	cJSON_ArrayForEach(
		f, cJSON_GetObjectItemCaseSensitive(
			   meta, "finalizers")) if (!cJSON_IsString(f) ||
						    strcmp(f->valuestring, HF_FINALIZER) != 0)
		cJSON_AddItemToArray(kept, cJSON_Duplicate(f, true));
	char *value = cJSON_PrintUnformatted(kept);
	char *op = hf_asprintf(
		"{\"op\":\"replace\",\"path\":\"/metadata/finalizers\",\"value\":%s}", value);
	enum hf_err err = patch_metadata(r, o, rv, op, kerr);
	free(op);
	free(value);
	cJSON_Delete(kept);
	return err;
}

/* --- NodePools and their Cluster ---------------------------------------- */

struct parent {
	bool checked;
	bool exists;
	char message[320];
};

/* set_parent_condition keeps ClusterExists in the status being written. */
static bool set_parent_condition(cJSON *object, void *ctx)
{
	const struct parent *p = ctx;
	if (!p->checked)
		return true;
	cJSON *status = cJSON_GetObjectItemCaseSensitive(object, "status");
	if (!status)
		status = cJSON_AddObjectToObject(object, "status");
	cJSON *conds = cJSON_GetObjectItemCaseSensitive(status, "conditions");
	if (!cJSON_IsArray(conds)) {
		cJSON_DeleteItemFromObjectCaseSensitive(status, "conditions");
		conds = cJSON_AddArrayToObject(status, "conditions");
	}
	const cJSON *prev = hf_status_find_condition(conds, "ClusterExists");
	const char *prev_status = hf_json_string(prev, "status");
	const char *now = p->exists ? "True" : "False";
	if (prev_status && strcmp(prev_status, now) == 0 &&
	    strcmp(hf_json_string(prev, "message") ? hf_json_string(prev, "message") : "",
		   p->message) == 0)
		return true;
	char ts[32];
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "type", "ClusterExists");
	cJSON_AddStringToObject(c, "status", now);
	cJSON_AddStringToObject(c, "reason", p->exists ? "ClusterFound" : "ClusterNotFound");
	cJSON_AddStringToObject(c, "message", p->message);
	cJSON_AddStringToObject(c, "lastTransitionTime",
				prev_status && strcmp(prev_status, now) == 0
					? hf_json_string(prev, "lastTransitionTime")
					: hf_rfc3339_format(hf_rfc3339_now(), ts, sizeof(ts)));
	int i = 0;
	cJSON *it;
	cJSON_ArrayForEach(it, conds)
	{
		if (strcmp(hf_json_string(it, "type") ? hf_json_string(it, "type") : "",
			   "ClusterExists") == 0) {
			cJSON_ReplaceItemInArray(conds, i, c);
			return true;
		}
		i++;
	}
	cJSON_AddItemToArray(conds, c);
	return true;
}

/* adopt makes the NodePool point at its Cluster (label and owner
 * reference); *patched tells whether it had to. */
static enum hf_err adopt(struct hf_reconciler *r, const struct hf_obj *pool, const cJSON *meta,
			 const struct hf_obj *cluster, bool *patched, struct hf_kube_error *kerr)
{
	*patched = false;
	bool labelled = pool->cluster && strcmp(pool->cluster, cluster->name) == 0 &&
			hf_obj_label(pool, HF_LABEL_CLUSTER_NAME);
	bool owned = false;
	const cJSON *ref;
	cJSON_ArrayForEach(ref, cJSON_GetObjectItemCaseSensitive(meta, "ownerReferences"))
	{
		const char *uid = hf_json_string(ref, "uid");
		owned = owned || (uid && strcmp(uid, cluster->uid) == 0);
	}
	if (labelled && owned)
		return HF_OK;
	cJSON *patch = cJSON_CreateObject();
	cJSON *m = cJSON_AddObjectToObject(patch, "metadata");
	cJSON *labels = cJSON_AddObjectToObject(m, "labels");
	cJSON_AddStringToObject(labels, HF_LABEL_CLUSTER_NAME, cluster->name);
	if (!owned) {
		/* Other owners are kept: a merge patch replaces the whole list. */
		cJSON *refs = cJSON_Duplicate(
			cJSON_GetObjectItemCaseSensitive(meta, "ownerReferences"), true);
		if (!refs)
			refs = cJSON_CreateArray();
		cJSON *own = cJSON_CreateObject();
		cJSON_AddStringToObject(own, "apiVersion", "hyperfleet.io/v1alpha1");
		cJSON_AddStringToObject(own, "kind", "Cluster");
		cJSON_AddStringToObject(own, "name", cluster->name);
		cJSON_AddStringToObject(own, "uid", cluster->uid);
		cJSON_AddItemToArray(refs, own);
		cJSON_AddItemToObject(m, "ownerReferences", refs);
	}
	cJSON_AddStringToObject(m, "resourceVersion", pool->resource_version);
	char *json = cJSON_PrintUnformatted(patch);
	cJSON_Delete(patch);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	enum hf_err err = hf_kube_patch(r->core->client, &HF_RES_NODEPOOLS, pool->ns, pool->name,
					NULL, HF_PATCH_MERGE, false, json, &out, kerr);
	hf_buf_free(&out);
	free(json);
	*patched = !err;
	return err;
}

/* delete_nodepools asks the API server to delete a deleting Cluster's
 * NodePools that are not being deleted yet. */
static enum hf_err delete_nodepools(struct hf_reconciler *r, const struct hf_obj *cluster,
				    struct hf_kube_error *kerr)
{
	if (!r->core->nodepools)
		return HF_OK;
	struct hf_obj_list pools;
	hf_store_list_by_cluster(r->core->nodepools, cluster->ns, cluster->name, &pools);
	enum hf_err err = HF_OK;
	for (size_t i = 0; i < pools.n && !err; i++) {
		if (pools.items[i]->deleting)
			continue;
		struct hf_kube_delete_options opts = {.propagation = "Background"};
		err = hf_kube_delete(r->core->client, &HF_RES_NODEPOOLS, pools.items[i]->ns,
				     pools.items[i]->name, &opts, kerr);
		if (err == HF_ERR_HTTP && kerr->http_code == 404)
			err = HF_OK;
	}
	hf_obj_list_free(&pools);
	return err;
}

/* --- reconcile ----------------------------------------------------------- */

static const char *phase_of(const cJSON *object)
{
	return hf_json_string(cJSON_GetObjectItemCaseSensitive(object, "status"), "phase");
}

static bool condition_true(const cJSON *object, const char *type)
{
	const cJSON *c = hf_status_find_condition(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(object, "status"),
						 "conditions"),
		type);
	const char *s = hf_json_string(c, "status");
	return s && strcmp(s, "True") == 0;
}

static void phase_event(struct hf_reconciler *r, const struct hf_obj *o, const cJSON *now)
{
	const char *after = phase_of(now);
	if (!after)
		return;
	char before[16];
	swap_phase(r, o->key, after, before, sizeof(before));
	/* The first sight after a start tells nothing new. */
	if (!before[0] || strcmp(before, after) == 0)
		return;
	const cJSON *rec = hf_status_find_condition(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(now, "status"),
						 "conditions"),
		"Reconciled");
	const char *message = hf_json_string(rec, "message");
	if (strcmp(after, HF_PHASE_READY) == 0)
		event(r, o, "Normal", "Ready",
		      message ? message : "All required adapters are available");
	else if (strcmp(after, HF_PHASE_TERMINATING) == 0)
		event(r, o, "Normal", "Terminating",
		      "Deletion requested: waiting for the adapters to finalize");
	else
		event(r, o, "Normal", "NotReady", message ? message : "Waiting for the adapters");
}

enum hf_err hf_reconciler_reconcile(const char *key, struct hf_reconcile_result *result, void *ctx)
{
	struct hf_reconciler *r = ctx;
	struct hf_core *core = r->core;
	struct hf_store *store = r->kind == HF_KIND_CLUSTER ? core->clusters : core->nodepools;
	struct hf_obj *o = hf_store_get(store, key);
	if (!o) {
		forget(r, key);
		return HF_OK;
	}
	struct hf_kube_error kerr = {0};
	enum hf_err err = HF_OK;
	cJSON *object = hf_obj_parse(o);
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(object, "metadata");
	bool finalizer = has_finalizer(meta);
	cJSON *written = NULL;

	if (!o->deleting && !finalizer) {
		/* The update this causes brings the object back here. */
		err = add_finalizer(r, o, meta, &kerr);
		goto out;
	}

	struct parent parent = {0};
	if (r->kind == HF_KIND_NODEPOOL && !o->deleting) {
		const char *cluster_name = hf_json_string(
			cJSON_GetObjectItemCaseSensitive(object, "spec"), "clusterName");
		char *ckey = hf_asprintf("%s/%s", o->ns, cluster_name ? cluster_name : "");
		struct hf_obj *cluster = core->clusters ? hf_store_get(core->clusters, ckey) : NULL;
		free(ckey);
		parent.checked = true;
		parent.exists = cluster != NULL;
		if (cluster) {
			snprintf(parent.message, sizeof(parent.message), "Cluster %s exists",
				 cluster->name);
			bool patched = false;
			err = adopt(r, o, meta, cluster, &patched, &kerr);
			hf_obj_unref(cluster);
			if (err || patched)
				goto out;
		} else {
			snprintf(parent.message, sizeof(parent.message),
				 "Cluster '%s' does not exist in namespace '%s'",
				 cluster_name ? cluster_name : "", o->ns);
			const char *before = NULL;
			const cJSON *c = hf_status_find_condition(
				cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(object, "status"),
					"conditions"),
				"ClusterExists");
			before = hf_json_string(c, "status");
			if (!before || strcmp(before, "False") != 0)
				event(r, o, "Warning", "ClusterNotFound", parent.message);
		}
	}
	if (r->kind == HF_KIND_CLUSTER && o->deleting) {
		err = delete_nodepools(r, o, &kerr);
		if (err)
			goto out;
	}

	err = hf_core_update_status(core, r->kind, o->ns, o->name, set_parent_condition, &parent,
				    &written, &kerr);
	if (err == HF_ERR_NOT_FOUND) {
		err = HF_OK;
		goto out;
	}
	if (err)
		goto out;
	const cJSON *now = written ? written : object;
	phase_event(r, o, now);

	if (o->deleting && finalizer) {
		struct hf_names required;
		size_t children = 0;
		err = hf_core_required_adapters(core, r->kind, &required, &kerr);
		if (!err && r->kind == HF_KIND_CLUSTER)
			err = hf_core_count_nodepools(core, o->ns, o->name, &children, &kerr);
		bool done = !err && children == 0 &&
			    (required.n == 0 || condition_true(now, "Reconciled"));
		hf_names_free(&required);
		if (done) {
			/* Guarded by the version just written, if we wrote; a stale
			 * version fails the patch and the key is retried. */
			const char *rv =
				hf_json_string(cJSON_GetObjectItemCaseSensitive(now, "metadata"),
					       "resourceVersion");
			err = remove_finalizer(r, o, rv ? rv : o->resource_version, meta, &kerr);
			if (!err)
				hf_log_with(HF_LOG_INFO, "reconciler", "finalized",
					    HF_LOG_STR("kind", hf_kind_info(r->kind)->kind),
					    HF_LOG_STR("key", key));
			goto out;
		}
	}

	const char *phase = phase_of(now);
	if (phase && strcmp(phase, HF_PHASE_READY) == 0) {
		reset_backoff(r, key);
		result->requeue_after = r->opts.ready_resync_s;
	} else {
		result->requeue_after =
			hf_reconciler_requeue_delay(&r->opts, next_attempt(r, key, o->generation));
	}
out:
	if (err && err != HF_ERR_NOT_FOUND)
		hf_log_with(hf_kube_error_is(&kerr, 409) ? HF_LOG_DEBUG : HF_LOG_WARN, "reconciler",
			    "reconcile failed", HF_LOG_STR("kind", hf_kind_info(r->kind)->kind),
			    HF_LOG_STR("key", key), HF_LOG_ERR(err),
			    HF_LOG_STR("message", kerr.message));
	cJSON_Delete(written);
	cJSON_Delete(object);
	hf_kube_error_clear(&kerr);
	hf_obj_unref(o);
	return err == HF_ERR_NOT_FOUND ? HF_OK : err;
}
