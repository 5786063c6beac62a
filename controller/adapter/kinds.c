/*
 * kinds.c: the kinds the adapter engine creates and watches (kinds.h).
 */
#include "adapter/kinds.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"

/* Plenty: each kind costs an informer (a thread and a watch). */
#define MAX_KINDS 64
/* A kind that could not be watched is not tried again for this long, so
 * that an adapter naming one does not stall every reconcile. */
#define RETRY_AFTER_S 30

struct entry {
	struct hf_owned_kind k;
	char *api_version, *kind, *group, *version, *plural; /* owned */
	struct hf_informer *inf;			     /* ours (discovered kinds), or NULL */
};

/* The last failed lookup, per kind. */
struct failure {
	char *key; /* "apiVersion kind" */
	char *error;
	double until; /* monotonic */
};

struct hf_kinds {
	struct hf_kinds_options o;
	char *ns, *selector;
	pthread_mutex_t mu; /* guards n and additions; entries never move */
	struct entry *v[MAX_KINDS];
	size_t n;
	/* One discovery at a time (two workers asking for the same new kind
	 * must not both start watching it), without holding mu: lookups of
	 * known kinds go on meanwhile. Guards the failures. */
	pthread_mutex_t discover_mu;
	struct failure failures[MAX_KINDS];
	size_t nfailures;
};

struct hf_kinds *hf_kinds_new(const struct hf_kinds_options *o)
{
	struct hf_kinds *k = hf_calloc(1, sizeof(*k));
	k->o = *o;
	k->ns = o->ns ? hf_strdup(o->ns) : NULL;
	k->selector = o->label_selector ? hf_strdup(o->label_selector) : NULL;
	k->o.ns = k->ns;
	k->o.label_selector = k->selector;
	if (k->o.sync_timeout <= 0)
		k->o.sync_timeout = 10;
	pthread_mutex_init(&k->mu, NULL);
	pthread_mutex_init(&k->discover_mu, NULL);
	return k;
}

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	hf_informer_free(e->inf); /* stops it first */
	free(e->api_version);
	free(e->kind);
	free(e->group);
	free(e->version);
	free(e->plural);
	free(e);
}

void hf_kinds_stop(struct hf_kinds *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	size_t n = k->n;
	pthread_mutex_unlock(&k->mu);
	for (size_t i = 0; i < n; i++)
		if (k->v[i]->inf)
			hf_informer_stop(k->v[i]->inf);
}

void hf_kinds_free(struct hf_kinds *k)
{
	if (!k)
		return;
	hf_kinds_stop(k);
	for (size_t i = 0; i < k->n; i++)
		entry_free(k->v[i]);
	for (size_t i = 0; i < k->nfailures; i++) {
		free(k->failures[i].key);
		free(k->failures[i].error);
	}
	pthread_mutex_destroy(&k->mu);
	pthread_mutex_destroy(&k->discover_mu);
	free(k->ns);
	free(k->selector);
	free(k);
}

/* split_api_version: "apps/v1" -> ("apps", "v1"); "v1" -> ("", "v1"). */
static void split_api_version(const char *api_version, char **group, char **version)
{
	const char *slash = strchr(api_version, '/');
	*group = slash ? hf_strndup(api_version, (size_t)(slash - api_version)) : hf_strdup("");
	*version = hf_strdup(slash ? slash + 1 : api_version);
}

static struct entry *entry_new(const char *api_version, const char *kind, const char *plural,
			       bool namespaced)
{
	struct entry *e = hf_calloc(1, sizeof(*e));
	e->api_version = hf_strdup(api_version);
	e->kind = hf_strdup(kind);
	split_api_version(api_version, &e->group, &e->version);
	e->plural = hf_strdup(plural);
	e->k = (struct hf_owned_kind){
		.api_version = e->api_version,
		.kind = e->kind,
		.res = {e->group, e->version, e->plural, namespaced},
		.is_job = !strcmp(api_version, "batch/v1") && !strcmp(kind, "Job"),
	};
	return e;
}

enum hf_err hf_kinds_add_static(struct hf_kinds *k, const char *api_version, const char *kind,
				const struct hf_kube_resource *res, struct hf_store *store)
{
	pthread_mutex_lock(&k->mu);
	enum hf_err err = HF_ERR_INVALID;
	if (k->n < MAX_KINDS) {
		struct entry *e = entry_new(api_version, kind, res->plural, res->namespaced);
		e->k.store = store;
		k->v[k->n++] = e;
		err = HF_OK;
	}
	pthread_mutex_unlock(&k->mu);
	return err;
}

static const struct hf_owned_kind *find_locked(struct hf_kinds *k, const char *api_version,
					       const char *kind)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->v[i]->api_version, api_version) && !strcmp(k->v[i]->kind, kind))
			return &k->v[i]->k;
	return NULL;
}

const struct hf_owned_kind *hf_kinds_find(struct hf_kinds *k, const char *api_version,
					  const char *kind)
{
	if (!api_version || !kind)
		return NULL;
	pthread_mutex_lock(&k->mu);
	const struct hf_owned_kind *found = find_locked(k, api_version, kind);
	pthread_mutex_unlock(&k->mu);
	return found;
}

bool hf_kinds_parse_discovery(const char *body, const char *api_version, const char *kind,
			      char **plural, bool *namespaced, char **error)
{
	*plural = NULL;
	*error = NULL;
	cJSON *doc = cJSON_Parse(body ? body : "");
	const cJSON *resources = cJSON_GetObjectItemCaseSensitive(doc, "resources"), *r;
	if (!cJSON_IsArray(resources)) {
		*error = hf_asprintf("the API server's discovery document for %s is not an "
				     "APIResourceList",
				     api_version);
		cJSON_Delete(doc);
		return false;
	}
	cJSON_ArrayForEach(r, resources)
	{
		const char *name = hf_json_string(r, "name"), *k = hf_json_string(r, "kind");
		if (!name || !k || strchr(name, '/') || strcmp(k, kind))
			continue;
		*plural = hf_strdup(name);
		*namespaced = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "namespaced"));
		break;
	}
	cJSON_Delete(doc);
	if (!*plural)
		*error = hf_asprintf("the API server has no kind %s in %s", kind, api_version);
	return *plural != NULL;
}

/* discover asks the API server for api_version's resources. */
static struct entry *discover(struct hf_kinds *k, const char *api_version, const char *kind,
			      char **error)
{
	char *path = strchr(api_version, '/') ? hf_asprintf("/apis/%s", api_version)
					      : hf_asprintf("/api/%s", api_version);
	struct hf_buf out;
	struct hf_kube_error kerr = {0};
	struct entry *e = NULL;
	hf_buf_init(&out, 0);
	enum hf_err err = hf_kube_request(k->o.client, "GET", path, NULL, NULL, NULL, &out, &kerr);
	if (err == HF_ERR_HTTP && hf_kube_error_is(&kerr, 404)) {
		*error = hf_asprintf("the API server does not serve apiVersion %s", api_version);
	} else if (err) {
		*error = hf_asprintf("discovering %s %s: %s", api_version, kind,
				     kerr.message ? kerr.message : hf_err_name(err));
	} else {
		char *plural;
		bool namespaced = false;
		if (hf_kinds_parse_discovery(hf_buf_str(&out), api_version, kind, &plural,
					     &namespaced, error)) {
			e = entry_new(api_version, kind, plural, namespaced);
			free(plural);
		}
	}
	hf_kube_error_clear(&kerr);
	hf_buf_free(&out);
	free(path);
	return e;
}

/* watch starts e's informer and waits for its first list. */
static bool watch(struct hf_kinds *k, struct entry *e, char **error)
{
	struct hf_informer_options io = {.resource = &e->k.res,
					 .ns = e->k.res.namespaced ? k->ns : NULL,
					 .label_selector = k->selector};
	e->inf = hf_informer_new(k->o.client, &io);
	e->k.store = hf_informer_store(e->inf);
	if (hf_informer_add_handlers(e->inf, &k->o.handlers) != HF_OK ||
	    hf_informer_start(e->inf) != HF_OK) {
		*error = hf_asprintf("cannot start watching %s", e->plural);
		return false;
	}
	if (!hf_informer_wait_synced(e->inf, k->o.sync_timeout)) {
		*error = hf_asprintf(
			"cannot list and watch %s%s%s within %.0f s (does the operator's RBAC allow list and watch?)",
			e->plural, e->group[0] ? "." : "", e->group, k->o.sync_timeout);
		return false;
	}
	return true;
}

/* find_failure: the failure record of key, or NULL. */
static struct failure *find_failure(struct hf_kinds *k, const char *key)
{
	for (size_t i = 0; i < k->nfailures; i++)
		if (!strcmp(k->failures[i].key, key))
			return &k->failures[i];
	return NULL;
}

/* record_failure remembers why key failed, in its record or a new one
 * (the oldest is reused when all are taken). */
static void record_failure(struct hf_kinds *k, const char *key, const char *error, double until)
{
	struct failure *f = find_failure(k, key);
	if (!f && k->nfailures < MAX_KINDS) {
		f = &k->failures[k->nfailures++];
	} else if (!f) {
		f = &k->failures[0];
		for (size_t i = 1; i < k->nfailures; i++)
			if (k->failures[i].until < f->until)
				f = &k->failures[i];
	}
	free(f->key);
	free(f->error);
	*f = (struct failure){.key = hf_strdup(key), .error = hf_strdup(error), .until = until};
}

const struct hf_owned_kind *hf_kinds_get(struct hf_kinds *k, const char *api_version,
					 const char *kind, char **error)
{
	*error = NULL;
	if (!api_version || !kind) {
		*error = hf_strdup("an object without apiVersion or kind");
		return NULL;
	}
	const struct hf_owned_kind *found = hf_kinds_find(k, api_version, kind);
	if (found)
		return found;

	pthread_mutex_lock(&k->discover_mu);
	char *key = hf_asprintf("%s %s", api_version, kind);
	const struct failure *f = find_failure(k, key);
	double now = hf_monotonic_now();
	if ((found = hf_kinds_find(k, api_version, kind)) != NULL) {
		/* another worker got it meanwhile */
	} else if (f && now < f->until) {
		*error = hf_strdup(f->error);
	} else if (k->n == MAX_KINDS) {
		*error = hf_asprintf("too many kinds (%d) to watch another: %s %s", MAX_KINDS,
				     api_version, kind);
	} else {
		struct entry *e = discover(k, api_version, kind, error);
		if (e && !watch(k, e, error)) {
			entry_free(e);
			e = NULL;
		}
		if (e) {
			pthread_mutex_lock(&k->mu);
			k->v[k->n++] = e;
			pthread_mutex_unlock(&k->mu);
			found = &e->k;
			hf_log_with(HF_LOG_INFO, "engine", "watching a new kind",
				    HF_LOG_STR("apiVersion", api_version), HF_LOG_STR("kind", kind),
				    HF_LOG_STR("resource", e->plural));
		} else {
			record_failure(k, key, *error, now + RETRY_AFTER_S);
		}
	}
	free(key);
	pthread_mutex_unlock(&k->discover_mu);
	return found;
}
