/*
 * registry.c: Adapters compiled from the informer's cache, and their
 * Accepted condition (registry.h).
 */
#include "adapter/registry.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/rfc3339.h"

/* What the registry knows of one Adapter, accepted or not. */
struct slot {
	char *name;
	char *uid;
	long long generation;
	struct hf_adapter_entry *entry; /* NULL when the config is invalid */
	char *error;			/* the loader's errors, or NULL */
};

struct hf_adapter_registry {
	struct hf_adapter_registry_options o;
	pthread_rwlock_t lock;
	struct slot *slots;
	size_t n;
	unsigned long long version;
};

static void entry_unref(struct hf_adapter_entry *e)
{
	if (!e || atomic_fetch_sub(&e->refs, 1) != 1)
		return;
	hf_adapter_free(e->adapter);
	free(e->uid);
	free(e);
}

void hf_adapter_set_free(struct hf_adapter_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_unref(s->items[i]);
	free(s->items);
	s->items = NULL;
	s->n = 0;
}

static void slot_clear(struct slot *s)
{
	entry_unref(s->entry);
	free(s->name);
	free(s->uid);
	free(s->error);
	memset(s, 0, sizeof(*s));
}

struct hf_adapter_registry *hf_adapter_registry_new(const struct hf_adapter_registry_options *o)
{
	struct hf_adapter_registry *r = hf_calloc(1, sizeof(*r));
	r->o = *o;
	pthread_rwlock_init(&r->lock, NULL);
	return r;
}

void hf_adapter_registry_free(struct hf_adapter_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		slot_clear(&r->slots[i]);
	free(r->slots);
	pthread_rwlock_destroy(&r->lock);
	free(r);
}

static struct slot *find_slot(struct hf_adapter_registry *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->slots[i].name, name))
			return &r->slots[i];
	return NULL;
}

/* load compiles obj into a fresh slot (s is cleared first). */
static void load(struct slot *s, const struct hf_obj *o, const cJSON *obj)
{
	s->name = hf_strdup(o->name);
	s->uid = hf_strdup(o->uid);
	s->generation = o->generation;
	struct hf_adapter *a = NULL;
	struct hf_adapter_errors errs = {0};
	if (hf_adapter_load(obj, &a, &errs) == HF_OK) {
		s->entry = hf_calloc(1, sizeof(*s->entry));
		atomic_init(&s->entry->refs, 1);
		s->entry->uid = hf_strdup(o->uid);
		s->entry->generation = o->generation;
		s->entry->adapter = a;
	} else {
		s->error = hf_adapter_errors_format(&errs);
		if (!s->error || !s->error[0]) {
			free(s->error);
			s->error = hf_strdup("the config could not be loaded");
		}
	}
	hf_adapter_errors_clear(&errs);
}

/* Which targets an Adapter's change concerns: bit 0 Cluster, bit 1 NodePool. */
static unsigned targets_bits(const struct slot *s)
{
	return s->entry ? 1u << s->entry->adapter->target : 0;
}

/* update_slot brings the slot of o (NULL: the Adapter is gone) up to date;
 * returns the target bits whose adapters changed and copies the error
 * message (or NULL when accepted) into *error. */
static unsigned update_slot(struct hf_adapter_registry *r, const char *name, const struct hf_obj *o,
			    const cJSON *obj, char **error)
{
	unsigned bits = 0;
	*error = NULL;
	pthread_rwlock_wrlock(&r->lock);
	struct slot *s = find_slot(r, name);
	if (!o) {
		if (s) {
			bits = targets_bits(s);
			slot_clear(s);
			*s = r->slots[--r->n];
			r->version++;
		}
		goto out;
	}
	if (s && !strcmp(s->uid, o->uid) && s->generation == o->generation) {
		*error = s->error ? hf_strdup(s->error) : NULL;
		goto out;
	}
	if (!s) {
		r->slots = hf_realloc(r->slots, (r->n + 1) * sizeof(*r->slots));
		s = &r->slots[r->n++];
		memset(s, 0, sizeof(*s));
	}
	bits = targets_bits(s);
	slot_clear(s);
	load(s, o, obj);
	bits |= targets_bits(s);
	*error = s->error ? hf_strdup(s->error) : NULL;
	r->version++;
out:
	pthread_rwlock_unlock(&r->lock);
	return bits;
}

/* accepted_condition returns the status.conditions to write, or NULL when
 * the stored Accepted condition already says the same. */
static cJSON *accepted_conditions(const cJSON *obj, long long generation, const char *error)
{
	const char *status = error ? "False" : "True";
	const char *reason = error ? "Invalid" : "Accepted";
	const char *message = error ? error : "the config is valid";
	const cJSON *old = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, "status"), "conditions");
	const cJSON *cur = hf_status_find_condition(old, "Accepted");
	long long og = -1;
	hf_json_int64(cJSON_GetObjectItemCaseSensitive(cur, "observedGeneration"), &og);
	const char *cs = hf_json_string(cur, "status"), *cr = hf_json_string(cur, "reason"),
		   *cm = hf_json_string(cur, "message");
	if (cur && og == generation && cs && !strcmp(cs, status) && cr && !strcmp(cr, reason) &&
	    cm && !strcmp(cm, message))
		return NULL;
	char now[40];
	const char *ltt = hf_json_string(cur, "lastTransitionTime");
	if (!ltt || !cs || strcmp(cs, status))
		ltt = hf_rfc3339_format(hf_rfc3339_now(), now, sizeof(now));
	cJSON *conds = cJSON_CreateArray();
	const cJSON *c;
	cJSON_ArrayForEach(c, old)
	{
		const char *t = hf_json_string(c, "type");
		if (!t || strcmp(t, "Accepted"))
			cJSON_AddItemToArray(conds, cJSON_Duplicate(c, true));
	}
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "type", "Accepted");
	cJSON_AddStringToObject(a, "status", status);
	cJSON_AddStringToObject(a, "reason", reason);
	cJSON_AddStringToObject(a, "message", message);
	cJSON_AddNumberToObject(a, "observedGeneration", (double)generation);
	cJSON_AddStringToObject(a, "lastTransitionTime", ltt);
	cJSON_AddItemToArray(conds, a);
	return conds;
}

static enum hf_err write_accepted(struct hf_adapter_registry *r, const struct hf_obj *o,
				  const cJSON *obj, const char *error)
{
	cJSON *conds = accepted_conditions(obj, o->generation, error);
	if (!conds)
		return HF_OK;
	cJSON *patch = cJSON_CreateObject();
	cJSON *st = cJSON_AddObjectToObject(patch, "status");
	cJSON_AddItemToObject(st, "conditions", conds);
	char *body = cJSON_PrintUnformatted(patch);
	cJSON_Delete(patch);
	struct hf_buf out;
	struct hf_kube_error kerr = {0};
	hf_buf_init(&out, 0);
	enum hf_err e = hf_kube_patch(r->o.client, &HF_RES_ADAPTERS, NULL, o->name, "status",
				      HF_PATCH_MERGE, false, body, &out, &kerr);
	if (e == HF_ERR_HTTP && hf_kube_error_is(&kerr, 404))
		e = HF_OK;
	if (e)
		hf_log_with(HF_LOG_WARN, "adapters", "could not write the Accepted condition",
			    HF_LOG_STR("adapter", o->name),
			    HF_LOG_STR("message", kerr.message ? kerr.message : ""), HF_LOG_ERR(e));
	hf_kube_error_clear(&kerr);
	hf_buf_free(&out);
	free(body);
	return e;
}

enum hf_err hf_adapter_registry_reconcile(const char *key, struct hf_reconcile_result *result,
					  void *ctx)
{
	(void)result;
	struct hf_adapter_registry *r = ctx;
	struct hf_obj *o = hf_store_get(r->o.adapters, key);
	cJSON *obj = o ? hf_obj_parse(o) : NULL;
	char *error = NULL;
	enum hf_err e = HF_OK;
	if (o && !obj) {
		e = HF_ERR_INTERNAL;
		goto out;
	}
	unsigned bits = update_slot(r, key, o, obj, &error);
	if (bits && o)
		hf_log_with(HF_LOG_INFO, "adapters", error ? "adapter rejected" : "adapter loaded",
			    HF_LOG_STR("adapter", key), HF_LOG_INT("generation", o->generation));
	if (o && error && !bits)
		hf_log_with(HF_LOG_DEBUG, "adapters", "adapter invalid", HF_LOG_STR("adapter", key),
			    HF_LOG_STR("errors", error));
	for (unsigned t = 0; t < 2; t++)
		if ((bits & (1u << t)) && r->o.changed)
			r->o.changed((enum hf_adapter_target)t, r->o.ctx);
	if (o)
		e = write_accepted(r, o, obj, error);
out:
	free(error);
	cJSON_Delete(obj);
	if (o)
		hf_obj_unref(o);
	return e;
}

static int by_name(const void *a, const void *b)
{
	const struct hf_adapter_entry *x = *(struct hf_adapter_entry *const *)a;
	const struct hf_adapter_entry *y = *(struct hf_adapter_entry *const *)b;
	return strcmp(x->adapter->name, y->adapter->name);
}

void hf_adapter_registry_snapshot(struct hf_adapter_registry *r, enum hf_adapter_target target,
				  struct hf_adapter_set *out)
{
	out->items = NULL;
	out->n = 0;
	pthread_rwlock_rdlock(&r->lock);
	if (r->n)
		out->items = hf_calloc(r->n, sizeof(*out->items));
	for (size_t i = 0; i < r->n; i++) {
		struct hf_adapter_entry *e = r->slots[i].entry;
		if (e && e->adapter->target == target) {
			atomic_fetch_add(&e->refs, 1);
			out->items[out->n++] = e;
		}
	}
	pthread_rwlock_unlock(&r->lock);
	if (out->n > 1)
		qsort(out->items, out->n, sizeof(*out->items), by_name);
}

unsigned long long hf_adapter_registry_version(struct hf_adapter_registry *r)
{
	pthread_rwlock_rdlock(&r->lock);
	unsigned long long v = r->version;
	pthread_rwlock_unlock(&r->lock);
	return v;
}
