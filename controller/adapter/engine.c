/*
 * engine.c: the adapter engine's controller (engine.h): the caches and the
 * API server on either side of the pure decision core (step.h).
 *
 * One reconcile of one adapter for one target:
 *   1. step without observations, only to learn the objects' names and
 *      selectors (the core names them deterministically);
 *   2. read those objects from the owned-kind caches (and a finished
 *      Job's termination message from its pod, once per Job), step
 *      again: the decisions;
 *   3. perform the actions, collecting each API error per resource;
 *   4. when anything was done or failed, step a third time with what the
 *      API server returned, so the report tells what now exists;
 *   5. delete Jobs of older generations beyond jobHistoryLimit;
 *   6. keep the report when it differs from the stored one;
 * then write the kept reports of all its adapters in one status write.
 * Apply strategy: create, then compare the manifest-hash annotation the
 * core puts on every object; a different hash means PUT with the live
 * resourceVersion (or delete and create with recreateOnChange).
 */
#include "adapter/engine.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapter/kinds.h"
#include "adapter/registry.h"
#include "adapter/step.h"
#include "core/status.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/rfc3339.h"
#include "util/strmap.h"

extern char **environ;

#define LABEL_ADAPTER  "hyperfleet.io/adapter"
#define LABEL_CLUSTER  "hyperfleet.io/cluster-id"
#define LABEL_NODEPOOL "hyperfleet.io/nodepool-id"
#define ANN_GENERATION "hyperfleet.io/generation"

static const struct hf_kube_resource RES_SECRETS = {"", "v1", "secrets", true};
static const struct hf_kube_resource RES_PODS = {"", "v1", "pods", true};
static const struct hf_kube_resource RES_CATALOGS = {"hyperfleet.io", "v1alpha1",
						     "providercatalogs", false};
/* The catalog adapters see as `catalog` (its spec.providers). */
#define CATALOG_NAME "default"

/* The kinds watched from the start (the manager's informers); any other
 * kind is discovered on first use (kinds.h). */
static const struct {
	const char *api_version, *kind;
	const struct hf_kube_resource *res;
} STATIC_KINDS[] = {
	{"batch/v1", "Job", &HF_RES_JOBS},
	{"v1", "ConfigMap", &HF_RES_CONFIGMAPS},
	{"v1", "Namespace", &HF_RES_NAMESPACES},
	{"v1", "Secret", &RES_SECRETS},
};
#define NSTATIC (sizeof(STATIC_KINDS) / sizeof(STATIC_KINDS[0]))

struct hf_engine {
	struct hf_core *core;
	struct hf_adapter_registry *registry;
	struct hf_controller *ctrl;	/* adapter-engine */
	struct hf_controller *reg_ctrl; /* adapter-registry */
	struct hf_kinds *kinds;
	struct hf_store *catalogs; /* ProviderCatalogs */
	cJSON *env;
	/* Finished Jobs' termination messages by Job uid ("" for none): a
	 * finished Job's pod never changes its message, so each Job costs one
	 * pod list, not one per reconcile. Bounded: cleared when full. */
	pthread_mutex_t results_mu;
	struct hf_strmap *results;
};

#define RESULTS_MAX 8192

/* ---- keys and handlers ---- */

void hf_engine_enqueue(struct hf_engine *e, enum hf_kind kind, const char *key)
{
	if (!e || !e->ctrl)
		return;
	char *k = hf_asprintf("%s/%s", kind == HF_KIND_CLUSTER ? "cluster" : "nodepool", key);
	hf_controller_enqueue(e->ctrl, k);
	free(k);
}

static void enqueue_kind(enum hf_adapter_target t, void *ctx)
{
	struct hf_engine *e = ctx;
	enum hf_kind kind = t == HF_ADAPTER_CLUSTER ? HF_KIND_CLUSTER : HF_KIND_NODEPOOL;
	struct hf_obj_list all;
	hf_store_list(kind == HF_KIND_CLUSTER ? e->core->clusters : e->core->nodepools, &all);
	for (size_t i = 0; i < all.n; i++)
		hf_engine_enqueue(e, kind, all.items[i]->key);
	hf_obj_list_free(&all);
}

static void catalog_changed(const struct hf_obj *o, void *ctx)
{
	(void)o;
	enqueue_kind(HF_ADAPTER_CLUSTER, ctx);
	enqueue_kind(HF_ADAPTER_NODEPOOL, ctx);
}

static void catalog_updated(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	if (old != o && old->generation != o->generation) /* not resyncs, nor status */
		catalog_changed(o, ctx);
}

/* An owned object changed: enqueue the NodePool or Cluster whose uid its
 * labels carry. */
static void owned_changed(const struct hf_obj *o, void *ctx)
{
	struct hf_engine *e = ctx;
	const char *pool = hf_obj_label(o, LABEL_NODEPOOL);
	const char *cluster = hf_obj_label(o, LABEL_CLUSTER);
	struct hf_obj *t;
	if (pool && (t = hf_store_get_by_uid(e->core->nodepools, pool))) {
		hf_engine_enqueue(e, HF_KIND_NODEPOOL, t->key);
		hf_obj_unref(t);
	} else if (!pool && cluster && (t = hf_store_get_by_uid(e->core->clusters, cluster))) {
		hf_engine_enqueue(e, HF_KIND_CLUSTER, t->key);
		hf_obj_unref(t);
	}
}

static void owned_updated(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	(void)old;
	owned_changed(o, ctx);
}

static void adapter_changed(const struct hf_obj *o, void *ctx)
{
	struct hf_engine *e = ctx;
	hf_controller_enqueue(e->reg_ctrl, o->name);
}

static void adapter_updated(const struct hf_obj *old, const struct hf_obj *o, void *ctx)
{
	(void)old;
	adapter_changed(o, ctx);
}

/* ---- reading the caches ---- */

/* kind_of: the kind of one of the core's objects, discovered and watched
 * on first use; NULL with *error when it cannot be. */
static const struct hf_owned_kind *kind_of(struct hf_engine *e, const struct hf_adapter *a,
					   const struct hf_adapter_object *obj, char **error)
{
	const char *api_version = NULL, *kind = NULL;
	if (obj->manifest) {
		api_version = hf_json_string(obj->manifest, "apiVersion");
		kind = hf_json_string(obj->manifest, "kind");
	} else {
		const struct hf_adapter_resource *res = hf_adapter_resource_find(a, obj->resource);
		api_version = res ? res->api_version : NULL;
		kind = res ? res->kind : NULL;
	}
	char *ignored = NULL;
	const struct hf_owned_kind *k =
		hf_kinds_get(e->kinds, api_version, kind, error ? error : &ignored);
	free(ignored);
	return k;
}

/* selector_matches: o carries every label of sel ("k=v,k=v"). */
static bool selector_matches(const struct hf_obj *o, const char *sel)
{
	const char *p = sel;
	while (p && *p) {
		const char *comma = strchr(p, ','), *eq = strchr(p, '=');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (!eq || eq > p + len)
			return false;
		char *k = hf_strndup(p, (size_t)(eq - p));
		char *v = hf_strndup(eq + 1, len - (size_t)(eq - p) - 1);
		const char *have = hf_obj_label(o, k);
		bool ok = have && !strcmp(have, v);
		free(k);
		free(v);
		if (!ok)
			return false;
		p = comma ? comma + 1 : NULL;
	}
	return true;
}

/* matching lists the cached objects of kind k selected by sel. */
static void matching(const struct hf_adapter *a, const struct hf_owned_kind *k, const char *sel,
		     struct hf_obj_list *out)
{
	struct hf_obj_list all;
	hf_store_list_by_label(k->store, LABEL_ADAPTER, a->name, &all);
	out->items = hf_calloc(all.n + 1, sizeof(*out->items));
	out->n = 0;
	for (size_t i = 0; i < all.n; i++) {
		if (selector_matches(all.items[i], sel))
			out->items[out->n++] = hf_obj_ref(all.items[i]);
	}
	hf_obj_list_free(&all);
}

static const cJSON *member(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

/* job_finished: the Job succeeded or failed for good (its pods have
 * terminated, so their termination messages are final). */
static bool job_finished(const cJSON *job)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, member(job, "status", "conditions"))
	{
		const char *t = hf_json_string(c, "type"), *s = hf_json_string(c, "status");
		if (t && s && !strcmp(s, "True") &&
		    (!strcmp(t, "Failed") || !strcmp(t, "Complete") ||
		     !strcmp(t, "SuccessCriteriaMet")))
			return true;
	}
	return false;
}

/* list_termination_message reads the message a Job's pod left, or NULL;
 * *ok tells whether the pods could be listed. */
static char *list_termination_message(struct hf_engine *e, const cJSON *job, bool *ok)
{
	const char *ns = hf_json_string(member(job, "metadata", NULL), "namespace");
	const char *name = hf_json_string(member(job, "metadata", NULL), "name");
	if (!ns || !name)
		return NULL;
	char *sel = hf_asprintf("job-name=%s", name);
	struct hf_kube_list_options lo = {.label_selector = sel};
	struct hf_buf out;
	struct hf_kube_error kerr = {0};
	char *msg = NULL;
	hf_buf_init(&out, 0);
	*ok = hf_kube_list(e->core->client, &RES_PODS, ns, &lo, &out, &kerr) == HF_OK;
	if (*ok) {
		cJSON *list = cJSON_Parse(hf_buf_str(&out)), *pod, *cs;
		cJSON_ArrayForEach(pod, cJSON_GetObjectItemCaseSensitive(list, "items"))
		{
			cJSON_ArrayForEach(
				cs, member(member(pod, "status", NULL), "containerStatuses", NULL))
			{
				const char *m = hf_json_string(member(cs, "state", "terminated"),
							       "message");
				if (m && m[0] && !msg)
					msg = hf_strdup(m);
			}
		}
		cJSON_Delete(list);
	}
	hf_kube_error_clear(&kerr);
	hf_buf_free(&out);
	free(sel);
	return msg;
}

/* termination_message: the message a finished Job's pod left, or NULL,
 * from the cache when this Job was read before. */
static char *termination_message(struct hf_engine *e, const cJSON *job)
{
	const char *uid = hf_json_string(member(job, "metadata", NULL), "uid");
	if (!uid)
		return NULL;
	pthread_mutex_lock(&e->results_mu);
	const char *cached = hf_strmap_get(e->results, uid);
	char *msg = cached && cached[0] ? hf_strdup(cached) : NULL;
	pthread_mutex_unlock(&e->results_mu);
	if (cached)
		return msg;
	bool ok;
	msg = list_termination_message(e, job, &ok);
	if (!ok) /* try again next time */
		return msg;
	pthread_mutex_lock(&e->results_mu);
	if (hf_strmap_size(e->results) >= RESULTS_MAX) {
		hf_strmap_free(e->results, free);
		e->results = hf_strmap_new();
	}
	free(hf_strmap_put(e->results, uid, hf_strdup(msg ? msg : "")));
	pthread_mutex_unlock(&e->results_mu);
	return msg;
}

/* What we know of one resource (by its name in the config). */
struct obs {
	const char *resource;
	cJSON *object;
	char *error;
	char *term;
};

struct observations {
	struct obs *v;
	size_t n;
	struct hf_adapter_observed *view;
};

static struct obs *obs_for(struct observations *s, const char *resource)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].resource, resource))
			return &s->v[i];
	s->v = hf_realloc(s->v, (s->n + 1) * sizeof(*s->v));
	struct obs *o = &s->v[s->n++];
	memset(o, 0, sizeof(*o));
	o->resource = resource;
	return o;
}

static void obs_set_object(struct obs *o, cJSON *object)
{
	cJSON_Delete(o->object);
	o->object = object;
}

static void obs_set_error(struct obs *o, char *error)
{
	free(o->error);
	o->error = error;
}

static void observations_free(struct observations *s)
{
	for (size_t i = 0; i < s->n; i++) {
		cJSON_Delete(s->v[i].object);
		free(s->v[i].error);
		free(s->v[i].term);
	}
	free(s->v);
	free(s->view);
}

static const struct hf_adapter_observed *observed_view(struct observations *s)
{
	free(s->view);
	s->view = hf_calloc(s->n + 1, sizeof(*s->view));
	for (size_t i = 0; i < s->n; i++)
		s->view[i] = (struct hf_adapter_observed){.resource = s->v[i].resource,
							  .object = s->v[i].object,
							  .error = s->v[i].error,
							  .termination_message = s->v[i].term};
	return s->view;
}

/* gather reads from the caches what each of r's objects names. */
static void gather(struct hf_engine *e, const struct hf_adapter *a,
		   const struct hf_adapter_result *r, struct observations *s)
{
	for (size_t i = 0; i < r->nobjects; i++) {
		const struct hf_adapter_object *obj = &r->objects[i];
		struct obs *o = obs_for(s, obj->resource);
		char *error = NULL;
		const struct hf_owned_kind *k = kind_of(e, a, obj, &error);
		if (!k) {
			obs_set_error(o, error);
			continue;
		}
		struct hf_obj_list l;
		matching(a, k, obj->selector, &l);
		struct hf_obj *found = NULL;
		for (size_t j = 0; j < l.n && !found; j++)
			if (obj->action == HF_ADAPTER_DELETE ||
			    !strcmp(l.items[j]->name, obj->name))
				found = l.items[j];
		if (found) {
			obs_set_object(o, hf_obj_parse(found));
			if (k->is_job && job_finished(o->object) && !o->term)
				o->term = termination_message(e, o->object);
		}
		hf_obj_list_free(&l);
	}
}

/* ---- acting ---- */

static char *api_error(const char *verb, const char *kind, const char *name, enum hf_err err,
		       const struct hf_kube_error *kerr)
{
	if (kerr->message && kerr->message[0])
		return hf_strdup(kerr->message);
	return hf_asprintf("%s %s %s: %s", verb, kind, name, hf_err_name(err));
}

static cJSON *parse_buf(const struct hf_buf *b)
{
	return cJSON_Parse(hf_buf_str(b));
}

/* place sets the manifest's namespace: its own, else the target's. */
static const char *place(cJSON *manifest, const struct hf_owned_kind *k, const char *target_ns)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(manifest, "metadata");
	if (!k->res.namespaced) {
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
		return NULL;
	}
	const char *ns = hf_json_string(meta, "namespace");
	if (ns && ns[0])
		return ns;
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
	cJSON_AddStringToObject(meta, "namespace", target_ns);
	return target_ns;
}

struct act_state {
	bool changed; /* something was created, updated or deleted */
	bool failed;  /* an API call failed: back off */
};

static enum hf_err create(struct hf_engine *e, const struct hf_owned_kind *k, const char *ns,
			  const char *name, const cJSON *manifest, struct obs *o)
{
	char *body = cJSON_PrintUnformatted(manifest);
	struct hf_buf out;
	struct hf_kube_error kerr = {0};
	hf_buf_init(&out, 0);
	enum hf_err err = hf_kube_create(e->core->client, &k->res, ns, body, &out, &kerr);
	if (err == HF_ERR_HTTP && hf_kube_error_is(&kerr, 409)) {
		/* Our cache is behind (a restart, or a create just done): read it. */
		hf_buf_reset(&out);
		hf_kube_error_clear(&kerr);
		err = hf_kube_get(e->core->client, &k->res, ns, name, &out, &kerr);
	}
	if (err == HF_OK) {
		obs_set_object(o, parse_buf(&out));
		obs_set_error(o, NULL);
		hf_log_with(HF_LOG_INFO, "engine", "created", HF_LOG_STR("kind", k->kind),
			    HF_LOG_STR("namespace", ns ? ns : ""), HF_LOG_STR("name", name));
	} else {
		obs_set_object(o, NULL);
		obs_set_error(o, api_error("create", k->kind, name, err, &kerr));
	}
	hf_kube_error_clear(&kerr);
	hf_buf_free(&out);
	free(body);
	return err;
}

static enum hf_err delete_one(struct hf_engine *e, const struct hf_owned_kind *k, const char *ns,
			      const char *name, const char *uid, char **error)
{
	struct hf_kube_delete_options d = {.propagation = "Background", .precondition_uid = uid};
	struct hf_kube_error kerr = {0};
	enum hf_err err = hf_kube_delete(e->core->client, &k->res, ns, name, &d, &kerr);
	if (err == HF_ERR_HTTP && (hf_kube_error_is(&kerr, 404) || hf_kube_error_is(&kerr, 409)))
		err = HF_OK; /* gone, or another object by that name now */
	if (err && error)
		*error = api_error("delete", k->kind, name, err, &kerr);
	if (!err)
		hf_log_with(HF_LOG_INFO, "engine", "deleted", HF_LOG_STR("kind", k->kind),
			    HF_LOG_STR("namespace", ns ? ns : ""), HF_LOG_STR("name", name));
	hf_kube_error_clear(&kerr);
	return err;
}

static void act(struct hf_engine *e, const struct hf_adapter *a, const char *target_ns,
		struct hf_adapter_result *r, struct observations *s, struct act_state *st)
{
	for (size_t i = 0; i < r->nobjects; i++) {
		struct hf_adapter_object *obj = &r->objects[i];
		struct obs *o = obs_for(s, obj->resource);
		if (obj->action == HF_ADAPTER_KEEP)
			continue;
		const struct hf_owned_kind *k = kind_of(e, a, obj, NULL);
		if (!k) /* gather reported why */
			continue;
		if (obj->action == HF_ADAPTER_DELETE) {
			struct hf_obj_list l;
			matching(a, k, obj->selector, &l);
			for (size_t j = 0; j < l.n; j++) {
				char *error = NULL;
				if (l.items[j]->deleting)
					continue;
				if (delete_one(e, k, l.items[j]->ns[0] ? l.items[j]->ns : NULL,
					       l.items[j]->name, l.items[j]->uid, &error)) {
					obs_set_error(o, error);
					st->failed = true;
				} else {
					st->changed = true;
				}
			}
			hf_obj_list_free(&l);
			continue;
		}
		const char *ns = place(obj->manifest, k, target_ns);
		/* Only what the API server did is a change: a refused call
		 * changed nothing, and rewriting an unchanged report would wake
		 * this reconcile through the informer, around the backoff. */
		if (obj->action == HF_ADAPTER_CREATE) {
			if (create(e, k, ns, obj->name, obj->manifest, o))
				st->failed = true;
			else
				st->changed = true;
			continue;
		}
		const cJSON *meta = member(o->object, "metadata", NULL);
		const char *uid = hf_json_string(meta, "uid");
		const char *rv = hf_json_string(meta, "resourceVersion");
		if (obj->action == HF_ADAPTER_RECREATE) {
			char *error = NULL;
			if (delete_one(e, k, ns, obj->name, uid, &error)) {
				obs_set_error(o, error);
				st->failed = true;
				continue;
			}
			st->changed = true;
			/* The old object may linger while it is deleted: the
			 * create then fails with AlreadyExists, which create()
			 * reads back as the old object; back off and retry.
			 * create() replaces o->object, which uid points into. */
			char *old_uid = uid ? hf_strdup(uid) : NULL;
			const char *new_uid = NULL;
			if (create(e, k, ns, obj->name, obj->manifest, o) ||
			    !(new_uid =
				      hf_json_string(member(o->object, "metadata", NULL), "uid")) ||
			    (old_uid && !strcmp(old_uid, new_uid)))
				st->failed = true;
			free(old_uid);
			continue;
		}
		/* UPDATE: PUT with the live resourceVersion; a 409 retries. */
		cJSON *m = obj->manifest;
		cJSON *mm = cJSON_GetObjectItemCaseSensitive(m, "metadata");
		cJSON_DeleteItemFromObjectCaseSensitive(mm, "resourceVersion");
		if (rv)
			cJSON_AddStringToObject(mm, "resourceVersion", rv);
		char *body = cJSON_PrintUnformatted(m);
		struct hf_buf out;
		struct hf_kube_error kerr = {0};
		hf_buf_init(&out, 0);
		enum hf_err err = hf_kube_update(e->core->client, &k->res, ns, obj->name, NULL,
						 body, &out, &kerr);
		if (err == HF_OK) {
			st->changed = true;
			obs_set_object(o, parse_buf(&out));
			obs_set_error(o, NULL);
			hf_log_with(HF_LOG_INFO, "engine", "updated", HF_LOG_STR("kind", k->kind),
				    HF_LOG_STR("namespace", ns ? ns : ""),
				    HF_LOG_STR("name", obj->name));
		} else {
			st->failed = true;
			if (!hf_kube_error_is(&kerr, 409))
				obs_set_error(o,
					      api_error("update", k->kind, obj->name, err, &kerr));
		}
		hf_kube_error_clear(&kerr);
		hf_buf_free(&out);
		free(body);
	}
}

/* ---- history ---- */

static long long generation_of(const struct hf_obj *o)
{
	cJSON *j = hf_obj_parse(o);
	const char *g = hf_json_string(member(member(j, "metadata", NULL), "annotations", NULL),
				       ANN_GENERATION);
	long long v = -1;
	if (g) {
		char *end;
		v = strtoll(g, &end, 10);
		if (*end)
			v = -1;
	}
	cJSON_Delete(j);
	return v;
}

struct aged {
	struct hf_obj *o;
	long long generation;
};

static int newest_first(const void *x, const void *y)
{
	const struct aged *a = x, *b = y;
	return a->generation < b->generation ? 1 : a->generation > b->generation ? -1 : 0;
}

/* prune deletes the Jobs of older generations beyond jobHistoryLimit. */
static void prune(struct hf_engine *e, const struct hf_adapter *a,
		  const struct hf_adapter_result *r, long long generation, struct act_state *st)
{
	for (size_t i = 0; i < r->nobjects; i++) {
		const struct hf_adapter_object *obj = &r->objects[i];
		if (obj->deletion)
			continue;
		const struct hf_owned_kind *k = kind_of(e, a, obj, NULL);
		if (!k || !k->is_job)
			continue;
		struct hf_obj_list l;
		matching(a, k, obj->selector, &l);
		struct aged *old = hf_calloc(l.n + 1, sizeof(*old));
		size_t n = 0;
		for (size_t j = 0; j < l.n; j++) {
			long long g = generation_of(l.items[j]);
			if (strcmp(l.items[j]->name, obj->name) && g < generation &&
			    !l.items[j]->deleting)
				old[n++] = (struct aged){l.items[j], g};
		}
		qsort(old, n, sizeof(*old), newest_first);
		for (size_t j = (size_t)a->job_history_limit; j < n; j++) {
			if (delete_one(e, k, old[j].o->ns, old[j].o->name, old[j].o->uid, NULL))
				st->failed = true;
			else
				st->changed = true;
		}
		free(old);
		hf_obj_list_free(&l);
	}
}

/* ---- the report ---- */

static bool same_conditions(const cJSON *stored, const cJSON *mine)
{
	if (cJSON_GetArraySize(stored) != cJSON_GetArraySize(mine))
		return false;
	static const char *const fields[] = {"type", "status", "reason", "message"};
	for (int i = 0; i < cJSON_GetArraySize(mine); i++) {
		const cJSON *a = cJSON_GetArrayItem(stored, i), *b = cJSON_GetArrayItem(mine, i);
		for (size_t f = 0; f < 4; f++) {
			const char *x = hf_json_string(a, fields[f]),
				   *y = hf_json_string(b, fields[f]);
			if (!y)
				y = ""; /* the write path stores absent strings as "" */
			if (!x)
				x = "";
			if (strcmp(x, y))
				return false;
		}
	}
	return true;
}

/* report_unchanged: the stored entry already says what r says. */
static bool report_unchanged(const cJSON *resource, const struct hf_report *r)
{
	const cJSON *stored = hf_report_find(resource, r->adapter);
	long long gen = -1;
	if (!stored ||
	    !hf_json_int64(cJSON_GetObjectItemCaseSensitive(stored, "observedGeneration"), &gen) ||
	    gen != r->observed_generation)
		return false;
	if (!same_conditions(cJSON_GetObjectItemCaseSensitive(stored, "conditions"), r->conditions))
		return false;
	cJSON *empty = cJSON_CreateObject();
	const cJSON *sd = cJSON_GetObjectItemCaseSensitive(stored, "data");
	const cJSON *sm = cJSON_GetObjectItemCaseSensitive(stored, "metadata");
	bool same = cJSON_Compare(sd ? sd : empty, r->data ? r->data : empty, true) &&
		    cJSON_Compare(sm ? sm : empty, r->metadata ? r->metadata : empty, true);
	cJSON_Delete(empty);
	return same;
}

/* requeue_for: a Job still running with a timeout: when it runs out. */
static double requeue_for(const struct hf_adapter *a, const struct hf_report *r, double now)
{
	const char *reason =
		hf_json_string(hf_status_find_condition(r->conditions, "Available"), "reason");
	if (!reason || (strcmp(reason, "JobRunning") && strcmp(reason, "JobPending")) ||
	    a->timeout <= 0)
		return 0;
	double started = 0;
	const char *s = hf_json_string(r->metadata, "startedTime");
	if (!s || !hf_rfc3339_parse(s, &started))
		return a->timeout;
	double left = started + a->timeout - now;
	return left > 0 ? left + 1 : 1;
}

/* ---- reconcile ---- */

struct target {
	enum hf_kind kind;
	const struct hf_obj *obj;
	const cJSON *resource, *cluster;
	const cJSON *catalog; /* the catalog's providers, or NULL */
};

static enum hf_err step(struct hf_engine *e, const struct hf_adapter *a, const struct target *t,
			struct observations *s, double now, struct hf_adapter_result *out)
{
	memset(out, 0, sizeof(*out));
	struct hf_adapter_input in = {.adapter = a,
				      .resource = t->resource,
				      .cluster = t->cluster,
				      .catalog = t->catalog,
				      .env = e->env,
				      .observed = s ? observed_view(s) : NULL,
				      .nobserved = s ? s->n : 0,
				      .now = now};
	return hf_adapter_step(&in, out);
}

/* run_adapter runs one adapter on t; when its report says something new,
 * it moves it into *report (cleared by the caller) for the target's one
 * status write. */
static enum hf_err run_adapter(struct hf_engine *e, const struct hf_adapter *a,
			       const struct target *t, double *requeue, struct hf_report *report,
			       bool *write)
{
	double now = hf_rfc3339_now();
	struct hf_adapter_result first, second, third;
	struct observations s = {0};
	struct act_state st = {0};
	struct hf_adapter_result *final = &second;
	bool have_third = false;
	enum hf_err err = step(e, a, t, NULL, now, &first);
	if (err)
		goto out_first;
	gather(e, a, &first, &s);
	err = step(e, a, t, &s, now, &second);
	if (err)
		goto out_second;
	act(e, a, t->obj->ns, &second, &s, &st);
	if (!second.deleting)
		prune(e, a, &second, t->obj->generation, &st);
	if (st.changed || st.failed) {
		err = step(e, a, t, &s, now, &third);
		if (err)
			goto out_second;
		have_third = true;
		final = &third;
	}
	double after = requeue_for(a, &final->report, now);
	if (after > 0 && (*requeue <= 0 || after < *requeue))
		*requeue = after;
	if (st.changed || !report_unchanged(t->resource, &final->report)) {
		*report = final->report; /* moved */
		memset(&final->report, 0, sizeof(final->report));
		*write = true;
	}
	if (have_third)
		hf_adapter_result_clear(&third);
	if (!err && st.failed)
		err = HF_ERR_HTTP; /* back off and try again */
out_second:
	hf_adapter_result_clear(&second);
out_first:
	if (err == HF_ERR_INVALID)
		hf_log_with(HF_LOG_WARN, "engine", "the adapter could not run",
			    HF_LOG_STR("adapter", a->name), HF_LOG_STR("resource", t->obj->key),
			    HF_LOG_STR("message", first.error ? first.error : ""));
	hf_adapter_result_clear(&first);
	observations_free(&s);
	return err == HF_ERR_INVALID ? HF_OK : err;
}

/* write_reports writes what the target's adapters have to say in one
 * status write (one aggregation, one watch event) instead of one each. */
static enum hf_err write_reports(struct hf_engine *e, const struct target *t,
				 const struct hf_report *reports, size_t n)
{
	if (!n)
		return HF_OK;
	enum hf_report_verdict *verdicts = hf_calloc(n, sizeof(*verdicts));
	struct hf_kube_error kerr = {0};
	enum hf_err err = hf_core_write_reports(e->core, t->kind, t->obj->ns, t->obj->name, reports,
						n, verdicts, &kerr);
	if (err == HF_ERR_NOT_FOUND)
		err = HF_OK;
	if (err)
		hf_log_with(HF_LOG_WARN, "engine", "could not write the reports",
			    HF_LOG_STR("resource", t->obj->key),
			    HF_LOG_STR("message", kerr.message ? kerr.message : ""),
			    HF_LOG_ERR(err));
	for (size_t i = 0; !err && i < n; i++)
		if (verdicts[i] != HF_REPORT_STORED)
			hf_log_with(HF_LOG_DEBUG, "engine", "report not stored",
				    HF_LOG_STR("adapter", reports[i].adapter),
				    HF_LOG_STR("resource", t->obj->key));
	hf_kube_error_clear(&kerr);
	free(verdicts);
	return err;
}

static enum hf_err reconcile(const char *key, struct hf_reconcile_result *result, void *ctx)
{
	struct hf_engine *e = ctx;
	struct target t = {0};
	const char *objkey;
	if (!strncmp(key, "cluster/", 8)) {
		t.kind = HF_KIND_CLUSTER;
		objkey = key + 8;
	} else if (!strncmp(key, "nodepool/", 9)) {
		t.kind = HF_KIND_NODEPOOL;
		objkey = key + 9;
	} else {
		return HF_OK;
	}
	struct hf_adapter_set set;
	hf_adapter_registry_snapshot(
		e->registry, t.kind == HF_KIND_CLUSTER ? HF_ADAPTER_CLUSTER : HF_ADAPTER_NODEPOOL,
		&set);
	enum hf_err err = HF_OK;
	struct hf_obj *obj = NULL, *cobj = NULL, *catalog_obj = NULL;
	cJSON *resource = NULL, *cluster = NULL, *catalog = NULL;
	size_t runnable = 0;
	for (size_t i = 0; i < set.n; i++)
		runnable += !set.items[i]->adapter->external;
	if (!runnable)
		goto out;
	obj = hf_store_get(t.kind == HF_KIND_CLUSTER ? e->core->clusters : e->core->nodepools,
			   objkey);
	if (!obj)
		goto out;
	resource = hf_obj_parse(obj);
	if (t.kind == HF_KIND_NODEPOOL) {
		char *ck = hf_asprintf("%s/%s", obj->ns, obj->cluster ? obj->cluster : "");
		cobj = hf_store_get(e->core->clusters, ck);
		free(ck);
		if (!cobj) /* its Cluster's arrival enqueues it (run.c) */
			goto out;
		cluster = hf_obj_parse(cobj);
	}
	t.obj = obj;
	t.resource = resource;
	t.cluster = cluster;
	catalog_obj = e->catalogs ? hf_store_get(e->catalogs, CATALOG_NAME) : NULL;
	catalog = catalog_obj ? hf_obj_parse(catalog_obj) : NULL;
	t.catalog = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(catalog, "spec"), "providers");
	double requeue = 0;
	struct hf_report *reports = hf_calloc(set.n + 1, sizeof(*reports));
	size_t nreports = 0;
	for (size_t i = 0; i < set.n; i++) {
		if (set.items[i]->adapter->external)
			continue;
		bool write = false;
		enum hf_err e1 = run_adapter(e, set.items[i]->adapter, &t, &requeue,
					     &reports[nreports], &write);
		nreports += write;
		if (e1 && !err)
			err = e1;
	}
	enum hf_err ew = write_reports(e, &t, reports, nreports);
	if (ew && !err)
		err = ew;
	for (size_t i = 0; i < nreports; i++)
		hf_report_clear(&reports[i]);
	free(reports);
	if (requeue > 0)
		result->requeue_after = requeue;
out:
	cJSON_Delete(resource);
	cJSON_Delete(cluster);
	cJSON_Delete(catalog);
	hf_obj_unref(catalog_obj);
	if (obj)
		hf_obj_unref(obj);
	if (cobj)
		hf_obj_unref(cobj);
	hf_adapter_set_free(&set);
	return err;
}

/* ---- setup ---- */

enum hf_err hf_engine_setup(struct hf_manager *m, const struct hf_engine_options *o,
			    struct hf_engine **out)
{
	struct hf_engine *e = hf_calloc(1, sizeof(*e));
	e->core = o->core;
	e->env = hf_adapter_env(environ);
	pthread_mutex_init(&e->results_mu, NULL);
	e->results = hf_strmap_new();
	struct hf_adapter_registry_options ro = {.client = o->core->client,
						 .adapters = o->core->adapters,
						 .changed = enqueue_kind,
						 .ctx = e};
	e->registry = hf_adapter_registry_new(&ro);
	struct hf_informer_handlers oh = {owned_changed, owned_updated, owned_changed, e};
	struct hf_kinds_options ko = {.client = o->core->client,
				      .ns = o->ns,
				      .label_selector = LABEL_ADAPTER,
				      .handlers = oh};
	e->kinds = hf_kinds_new(&ko);
	enum hf_err err = HF_OK;
	for (size_t i = 0; i < NSTATIC && !err; i++) {
		const struct hf_kube_resource *res = STATIC_KINDS[i].res;
		struct hf_informer_options io = {.resource = res,
						 .ns = res->namespaced ? o->ns : NULL,
						 .label_selector = LABEL_ADAPTER};
		struct hf_informer *inf = hf_manager_add_informer(m, &io);
		err = hf_informer_add_handlers(inf, &oh);
		if (!err)
			err = hf_kinds_add_static(e->kinds, STATIC_KINDS[i].api_version,
						  STATIC_KINDS[i].kind, res,
						  hf_informer_store(inf));
	}
	/* The provider catalog: a change is new work for every resource, as
	 * adapters may decide on it. */
	if (!err) {
		struct hf_informer_options co = {.resource = &RES_CATALOGS};
		struct hf_informer *inf = hf_manager_add_informer(m, &co);
		e->catalogs = hf_informer_store(inf);
		struct hf_informer_handlers ch = {catalog_changed, catalog_updated, catalog_changed,
						  e};
		err = hf_informer_add_handlers(inf, &ch);
	}
	struct hf_controller_options rc = {.name = "adapter-registry",
					   .workers = 1,
					   .reconcile = hf_adapter_registry_reconcile,
					   .ctx = e->registry};
	struct hf_controller_options ec = {.name = "adapter-engine",
					   .workers = o->workers > 0 ? o->workers : 2,
					   .reconcile = reconcile,
					   .ctx = e};
	if (!err)
		err = hf_manager_add_controller(m, &rc, &e->reg_ctrl);
	if (!err)
		err = hf_manager_add_controller(m, &ec, &e->ctrl);
	struct hf_informer_handlers ah = {adapter_changed, adapter_updated, adapter_changed, e};
	if (!err)
		err = hf_informer_add_handlers(o->adapters, &ah);
	*out = e;
	return err;
}

void hf_engine_stop(struct hf_engine *e)
{
	if (e)
		hf_kinds_stop(e->kinds);
}

void hf_engine_free(struct hf_engine *e)
{
	if (!e)
		return;
	hf_kinds_free(e->kinds);
	hf_adapter_registry_free(e->registry);
	cJSON_Delete(e->env);
	hf_strmap_free(e->results, free);
	pthread_mutex_destroy(&e->results_mu);
	free(e);
}
