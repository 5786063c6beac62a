/*
 * api_write.c: the REST API's writes, on worker threads: they go to the
 * Kubernetes API, whose answers (and refusals, with the admission
 * policies' messages) become REST answers, and they return once the view
 * shows them, so the caller's next read does too.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_private.h"
#include "api/rest.h"
#include "core/report.h"
#include "kube/object.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/rfc3339.h"

/* How long a write waits for the cache to show it. */
#define VISIBLE_TIMEOUT 10.0

static const char *kind_name(enum hf_kind kind)
{
	return kind == HF_KIND_CLUSTER ? "Cluster" : "NodePool";
}

/* kube_problem turns a refusal of the Kubernetes API into a REST answer. */
static void kube_problem(struct hf_api_call *c, enum hf_err err, const struct hf_kube_error *e,
			 const char *name)
{
	struct hf_problem p;
	const char *message = e->message ? e->message : hf_err_name(err);
	/* An admission policy's message follows this. */
	const char *policy = strstr(message, "denied request: ");
	if (err != HF_ERR_HTTP || e->http_code >= 500) {
		hf_problem_init(&p, 503, HF_PROBLEM_UNAVAILABLE,
				"the Kubernetes API is unavailable: %s", message);
	} else if (e->http_code == 409 && e->reason && strcmp(e->reason, "AlreadyExists") == 0) {
		hf_problem_init(&p, 409, HF_PROBLEM_EXISTS, "This %s already exists",
				kind_name(c->target.kind));
		snprintf(p.error, sizeof(p.error), "%s '%s' already exists",
			 kind_name(c->target.kind), name ? name : "");
	} else if (e->http_code == 409) {
		hf_problem_init(&p, 409, HF_PROBLEM_STATE, "%s", message);
	} else if (e->http_code == 422 || e->http_code == 400 || policy) {
		hf_problem_init(&p, 400, HF_PROBLEM_VALIDATION, "%s",
				policy ? policy + strlen("denied request: ") : message);
		for (size_t i = 0; i < e->ncauses; i++) {
			/* An admission policy's cause names no field: its message is
			 * the detail already. */
			if (!e->causes[i].field || !*e->causes[i].field)
				continue;
			const char *reason = e->causes[i].reason ? e->causes[i].reason : "";
			const char *constraint = strstr(reason, "Required")	  ? "required"
						 : strstr(reason, "TooLong")	  ? "max_length"
						 : strstr(reason, "NotSupported") ? "enum"
										  : "pattern";
			hf_problem_field_error(&p, e->causes[i].field, NULL, constraint,
					       e->causes[i].message);
			/* The seed's clients read `error`: name the field in it. */
			if (!policy && !p.error[0] && e->causes[i].message)
				snprintf(p.error, sizeof(p.error), "%s: %s", e->causes[i].field,
					 e->causes[i].message);
		}
	} else if (e->http_code == 403) {
		hf_problem_init(&p, 403, HF_PROBLEM_FORBIDDEN, "%s", message);
	} else if (e->http_code == 404) {
		hf_problem_init(&p, 404, HF_PROBLEM_NOT_FOUND, "%s", message);
	} else {
		hf_problem_init(&p, 500, HF_PROBLEM_INTERNAL, "%s", message);
	}
	hf_api_problem(c, &p);
}

static void malformed(struct hf_api_call *c, const char *what)
{
	struct hf_problem p;
	hf_problem_init(&p, 400, HF_PROBLEM_MALFORMED, "Invalid request format: %s", what);
	hf_api_problem(c, &p);
}

/* invalid answers 400 for one field; constraint as in the original's
 * errors[] (required, max_length, ...). */
static void invalid(struct hf_api_call *c, const char *field, const char *constraint,
		    const char *message)
{
	struct hf_problem p;
	hf_problem_init(&p, 400, HF_PROBLEM_VALIDATION, "%s", message);
	hf_problem_field_error(&p, field, NULL, constraint, message);
	hf_api_problem(c, &p);
}

/* parse_body reads the request body as a JSON object; answers 400 when it
 * is not one. */
static cJSON *parse_body(struct hf_api_call *c)
{
	cJSON *body = c->req->body ? cJSON_ParseWithLength(c->req->body, c->req->body_len) : NULL;
	if (!cJSON_IsObject(body)) {
		malformed(c, c->req->body ? "the body is not a JSON object" : "the body is empty");
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

/* respond_row answers status with the resource once the view shows it at
 * resource version rv (or newer). */
static void respond_row(struct hf_api_call *c, int status, const char *id, const char *rv,
			const cJSON *fallback)
{
	struct hf_api_view *v = c->api->views[c->target.kind];
	struct hf_api_row *row = NULL;
	if (hf_api_view_wait(v, id, rv, false, VISIBLE_TIMEOUT))
		row = hf_api_view_get(v, id);
	if (row) {
		hf_api_json(c, status, row->json, row->json_len);
		hf_api_row_unref(row);
		return;
	}
	/* Not in the cache in time (or gone already): the API server's copy. */
	cJSON *rest = hf_rest_resource(c->target.kind, fallback,
				       c->target.cluster_id[0] ? c->target.cluster_id : NULL);
	char *json = cJSON_PrintUnformatted(rest);
	hf_api_json(c, status, json, strlen(json));
	free(json);
	cJSON_Delete(rest);
}

/* check_name applies the original's name rules, for its messages. */
static bool check_name(struct hf_api_call *c, const char *name, size_t max)
{
	char msg[160] = "";
	size_t n = name ? strlen(name) : 0;
	if (!name || !n)
		snprintf(msg, sizeof(msg), "name is required");
	else if (n < 3)
		snprintf(msg, sizeof(msg), "name must be at least 3 characters");
	else if (n > max)
		snprintf(msg, sizeof(msg), "name must be at most %zu characters", max);
	else if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != n || name[0] == '-' ||
		 name[n - 1] == '-')
		snprintf(msg, sizeof(msg),
			 "name must start and end with lowercase letter or number, "
			 "and contain only lowercase letters, numbers, and hyphens");
	if (!msg[0])
		return true;
	struct hf_problem p;
	hf_problem_init(&p, 400, HF_PROBLEM_VALIDATION, "%s", msg);
	hf_problem_field_error(&p, "name", name, n ? "pattern" : "required", msg);
	hf_api_problem(c, &p);
	return false;
}

/* check_labels: a map of strings (Kubernetes checks the syntax). */
static bool check_labels(struct hf_api_call *c, const cJSON *labels)
{
	if (!labels || cJSON_IsNull(labels))
		return true;
	const cJSON *l;
	bool ok = cJSON_IsObject(labels);
	cJSON_ArrayForEach(l, labels) ok &= cJSON_IsString(l) != 0;
	if (!ok)
		invalid(c, "labels", "format", "labels must be an object of strings");
	return ok;
}

static void create(struct hf_api_call *c)
{
	bool pool = c->target.kind == HF_KIND_NODEPOOL;
	cJSON *body = parse_body(c);
	struct hf_api_row *cluster = NULL;
	cJSON *object = NULL;
	if (!body)
		return;
	const char *kind = hf_json_string(body, "kind");
	const char *name = hf_json_string(body, "name");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(body, "spec");
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(body, "labels");
	if (kind && strcmp(kind, kind_name(c->target.kind)) != 0) {
		char msg[64];
		snprintf(msg, sizeof(msg), "kind must be '%s'", kind_name(c->target.kind));
		invalid(c, "kind", "enum", msg);
		goto out;
	}
	if (!check_name(c, name, pool ? 15 : 63))
		goto out;
	if (!cJSON_IsObject(spec)) {
		invalid(c, "spec", spec ? "format" : "required",
			spec ? "spec field must be an object" : "spec is required");
		goto out;
	}
	if (!check_labels(c, labels))
		goto out;
	const char *ns = c->api->opts.ns;
	char object_name[256];
	snprintf(object_name, sizeof(object_name), "%s", name);
	if (pool) {
		cluster = hf_api_view_get(c->api->views[HF_KIND_CLUSTER], c->target.cluster_id);
		if (!cluster) {
			hf_api_not_found(c, HF_KIND_CLUSTER, c->target.cluster_id, NULL);
			goto out;
		}
		if (cJSON_GetObjectItemCaseSensitive(cluster->rest, "deleted_time")) {
			struct hf_problem p;
			hf_problem_init(&p, 409, HF_PROBLEM_STATE,
					"Cluster '%s' is marked for deletion", cluster->id);
			hf_problem_id(&p, "cluster_id", cluster->id);
			hf_api_problem(c, &p);
			goto out;
		}
		ns = cluster->ns;
		snprintf(object_name, sizeof(object_name), "%s.%s", cluster->name, name);
	}
	object = cJSON_CreateObject();
	cJSON_AddStringToObject(object, "apiVersion", "hyperfleet.io/v1alpha1");
	cJSON_AddStringToObject(object, "kind", kind_name(c->target.kind));
	cJSON *meta = cJSON_AddObjectToObject(object, "metadata");
	cJSON_AddStringToObject(meta, "name", object_name);
	cJSON_AddStringToObject(meta, "namespace", ns);
	cJSON *l = labels && cJSON_IsObject(labels) ? cJSON_Duplicate(labels, true)
						    : cJSON_CreateObject();
	cJSON *annotations = cJSON_AddObjectToObject(meta, "annotations");
	cJSON_AddStringToObject(annotations, HF_ANNOTATION_CREATED_BY, c->user);
	cJSON_AddStringToObject(annotations, HF_ANNOTATION_UPDATED_BY, c->user);
	cJSON *s = cJSON_Duplicate(spec, true);
	if (pool) {
		cJSON_AddStringToObject(l, HF_LABEL_CLUSTER_NAME, cluster->name);
		cJSON_DeleteItemFromObjectCaseSensitive(s, "clusterName");
		cJSON_AddStringToObject(s, "clusterName", cluster->name);
		cJSON *owners = cJSON_AddArrayToObject(meta, "ownerReferences");
		cJSON *owner = cJSON_CreateObject();
		cJSON_AddStringToObject(owner, "apiVersion", "hyperfleet.io/v1alpha1");
		cJSON_AddStringToObject(owner, "kind", "Cluster");
		cJSON_AddStringToObject(owner, "name", cluster->name);
		cJSON_AddStringToObject(owner, "uid", cluster->id);
		cJSON_AddItemToArray(owners, owner);
	}
	cJSON_AddItemToObject(meta, "labels", l);
	cJSON_AddItemToObject(object, "spec", s);
	char *json = cJSON_PrintUnformatted(object);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	enum hf_err err =
		hf_kube_create(c->api->core->client, hf_kind_info(c->target.kind)->resource, ns,
			       json, &out, &kerr);
	free(json);
	if (err) {
		kube_problem(c, err, &kerr, name);
	} else {
		cJSON *created = cJSON_ParseWithLength(out.data, out.len);
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(created, "metadata");
		const char *uid = hf_json_string(m, "uid");
		respond_row(c, 201, uid ? uid : "", hf_json_string(m, "resourceVersion"), created);
		cJSON_Delete(created);
	}
	hf_kube_error_clear(&kerr);
	hf_buf_free(&out);
out:
	cJSON_Delete(object);
	cJSON_Delete(body);
	hf_api_row_unref(cluster);
}

/* json_pointer escapes a key for a JSON Patch path. */
static void json_pointer(const char *key, char *out, size_t len)
{
	size_t o = 0;
	for (const char *p = key; *p && o + 3 < len; p++) {
		if (*p == '~' || *p == '/') {
			out[o++] = '~';
			out[o++] = *p == '~' ? '0' : '1';
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

static void patch(struct hf_api_call *c)
{
	cJSON *body = parse_body(c);
	cJSON *ops = NULL;
	if (!body)
		return;
	const cJSON *m;
	cJSON_ArrayForEach(m, body)
	{
		if (strcmp(m->string, "spec") != 0 && strcmp(m->string, "labels") != 0) {
			char what[160];
			snprintf(what, sizeof(what), "json: unknown field \"%.100s\"", m->string);
			malformed(c, what);
			goto out;
		}
	}
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(body, "spec");
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(body, "labels");
	if (cJSON_IsNull(spec))
		spec = NULL;
	if (cJSON_IsNull(labels))
		labels = NULL;
	if (!spec && !labels) {
		struct hf_problem p;
		hf_problem_init(&p, 400, HF_PROBLEM_BAD_QUERY,
				"at least one field must be provided for update");
		hf_api_problem(c, &p);
		goto out;
	}
	if (spec && !cJSON_IsObject(spec)) {
		invalid(c, "spec", "format", "spec field must be an object");
		goto out;
	}
	if (!check_labels(c, labels))
		goto out;
	struct hf_api_row *row = hf_api_lookup(c);
	if (!row)
		goto out;
	bool pool = c->target.kind == HF_KIND_NODEPOOL;
	const cJSON *old_spec = cJSON_GetObjectItemCaseSensitive(row->rest, "spec");
	const cJSON *old_labels = cJSON_GetObjectItemCaseSensitive(row->rest, "labels");
	cJSON *empty = cJSON_CreateObject();
	bool spec_same = !spec || cJSON_Compare(spec, old_spec, true);
	bool labels_same = !labels || cJSON_Compare(labels, old_labels ? old_labels : empty, true);
	cJSON_Delete(empty);
	if (spec_same && labels_same) {
		/* Nothing changes: no write, no new generation. */
		hf_api_json(c, 200, row->json, row->json_len);
		hf_api_row_unref(row);
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(row->rest, "deleted_time")) {
		struct hf_problem p;
		hf_problem_init(&p, 409, HF_PROBLEM_STATE, "%s '%s' is marked for deletion",
				kind_name(c->target.kind), row->id);
		hf_api_problem(c, &p);
		hf_api_row_unref(row);
		goto out;
	}
	/* JSON Patch: the uid must still be the one addressed; spec and labels
	 * are replaced whole (keeping what the controller owns). */
	ops = cJSON_CreateArray();
	cJSON *op = cJSON_CreateObject();
	cJSON_AddStringToObject(op, "op", "test");
	cJSON_AddStringToObject(op, "path", "/metadata/uid");
	cJSON_AddStringToObject(op, "value", row->id);
	cJSON_AddItemToArray(ops, op);
	if (spec) {
		cJSON *s = cJSON_Duplicate(spec, true);
		if (pool && row->cluster_name) {
			cJSON_DeleteItemFromObjectCaseSensitive(s, "clusterName");
			cJSON_AddStringToObject(s, "clusterName", row->cluster_name);
		}
		op = cJSON_CreateObject();
		cJSON_AddStringToObject(op, "op", "add");
		cJSON_AddStringToObject(op, "path", "/spec");
		cJSON_AddItemToObject(op, "value", s);
		cJSON_AddItemToArray(ops, op);
	}
	if (labels) {
		cJSON *l = cJSON_Duplicate(labels, true);
		if (pool && row->cluster_name)
			cJSON_AddStringToObject(l, HF_LABEL_CLUSTER_NAME, row->cluster_name);
		op = cJSON_CreateObject();
		cJSON_AddStringToObject(op, "op", "add");
		cJSON_AddStringToObject(op, "path", "/metadata/labels");
		cJSON_AddItemToObject(op, "value", l);
		cJSON_AddItemToArray(ops, op);
	}
	char now[40];
	hf_rfc3339_format(hf_rfc3339_now(), now, sizeof(now));
	const char *keys[] = {HF_ANNOTATION_UPDATED_BY, HF_ANNOTATION_UPDATED_TIME};
	const char *values[] = {c->user, now};
	for (int i = 0; i < 2; i++) {
		char path[128], escaped[96];
		json_pointer(keys[i], escaped, sizeof(escaped));
		snprintf(path, sizeof(path), "/metadata/annotations/%s", escaped);
		op = cJSON_CreateObject();
		cJSON_AddStringToObject(op, "op", "add");
		cJSON_AddStringToObject(op, "path", path);
		cJSON_AddStringToObject(op, "value", values[i]);
		cJSON_AddItemToArray(ops, op);
	}
	char *json = cJSON_PrintUnformatted(ops);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	struct hf_kube_error kerr = {0};
	enum hf_err err =
		hf_kube_patch(c->api->core->client, hf_kind_info(c->target.kind)->resource, row->ns,
			      row->name, NULL, HF_PATCH_JSON, false, json, &out, &kerr);
	if (err == HF_ERR_HTTP && kerr.http_code == 422 &&
	    !strstr(json, "\"/metadata/annotations\"")) {
		/* No annotations yet (an object made with kubectl): add the map. */
		hf_kube_error_clear(&kerr);
		cJSON *a = cJSON_CreateObject();
		for (int i = 0; i < 2; i++)
			cJSON_AddStringToObject(a, keys[i], values[i]);
		cJSON_DeleteItemFromArray(ops, cJSON_GetArraySize(ops) - 1);
		cJSON_DeleteItemFromArray(ops, cJSON_GetArraySize(ops) - 1);
		op = cJSON_CreateObject();
		cJSON_AddStringToObject(op, "op", "add");
		cJSON_AddStringToObject(op, "path", "/metadata/annotations");
		cJSON_AddItemToObject(op, "value", a);
		cJSON_AddItemToArray(ops, op);
		free(json);
		json = cJSON_PrintUnformatted(ops);
		hf_buf_reset(&out);
		err = hf_kube_patch(c->api->core->client, hf_kind_info(c->target.kind)->resource,
				    row->ns, row->name, NULL, HF_PATCH_JSON, false, json, &out,
				    &kerr);
	}
	free(json);
	if (err) {
		kube_problem(c, err, &kerr, row->name);
	} else {
		cJSON *patched = cJSON_ParseWithLength(out.data, out.len);
		respond_row(c, 200, row->id,
			    hf_json_string(cJSON_GetObjectItemCaseSensitive(patched, "metadata"),
					   "resourceVersion"),
			    patched);
		cJSON_Delete(patched);
	}
	hf_kube_error_clear(&kerr);
	hf_buf_free(&out);
	hf_api_row_unref(row);
out:
	cJSON_Delete(ops);
	cJSON_Delete(body);
}

static void delete_resource(struct hf_api_call *c)
{
	struct hf_api_row *row = hf_api_lookup(c);
	if (!row)
		return;
	struct hf_kube_delete_options opts = {.precondition_uid = row->id};
	struct hf_kube_error kerr = {0};
	enum hf_err err =
		hf_kube_delete(c->api->core->client, hf_kind_info(c->target.kind)->resource,
			       row->ns, row->name, &opts, &kerr);
	if (err == HF_ERR_HTTP && kerr.http_code == 404) {
		hf_api_not_found(c, c->target.kind, row->id, c->target.cluster_id);
	} else if (err) {
		kube_problem(c, err, &kerr, row->name);
	} else {
		/* Terminating until the adapters finalize: the view shows the
		 * deletion (or the object is gone already, without finalizers). */
		struct hf_api_view *v = c->api->views[c->target.kind];
		double deadline = VISIBLE_TIMEOUT;
		struct hf_api_row *now = NULL;
		while (deadline > 0) {
			now = hf_api_view_get(v, row->id);
			if (!now || cJSON_GetObjectItemCaseSensitive(now->rest, "deleted_time"))
				break;
			hf_api_row_unref(now);
			now = NULL;
			/* The next change of this object, or a short wait. */
			char next[32];
			snprintf(next, sizeof(next), "%llu", row->rv_num + 1);
			hf_api_view_wait(v, row->id, next, false, 0.5);
			deadline -= 0.5;
		}
		struct hf_api_row *shown = now ? now : row;
		hf_api_json(c, 202, shown->json, shown->json_len);
		hf_api_row_unref(now);
	}
	hf_kube_error_clear(&kerr);
	hf_api_row_unref(row);
}

static void force_delete(struct hf_api_call *c)
{
	cJSON *body = parse_body(c);
	if (!body)
		return;
	const char *reason = hf_json_string(body, "reason");
	struct hf_api_row *row = NULL;
	if (!reason || !*reason || strlen(reason) > 1024) {
		bool given = reason && *reason;
		invalid(c, "reason", given ? "max_length" : "required",
			given ? "reason must be at most 1024 characters" : "reason is required");
		goto out;
	}
	row = hf_api_lookup(c);
	if (!row)
		goto out;
	struct hf_kube_error kerr = {0};
	enum hf_err err =
		hf_core_force_delete(c->api->core, c->target.kind, row->ns, row->name, &kerr);
	if (err) {
		kube_problem(c, err, &kerr, row->name);
	} else {
		hf_api_view_wait(c->api->views[c->target.kind], row->id, NULL, true,
				 VISIBLE_TIMEOUT);
		c->resp->status = 204;
		hf_buf_reset(&c->resp->body);
	}
	hf_kube_error_clear(&kerr);
out:
	hf_api_row_unref(row);
	cJSON_Delete(body);
}

static void put_status(struct hf_api_call *c)
{
	struct hf_report r = {0};
	bool is_malformed = false;
	char msg[512];
	if (hf_report_parse(c->req->body ? c->req->body : "", c->req->body_len, hf_rfc3339_now(),
			    &r, &is_malformed, msg, sizeof(msg)) != HF_OK) {
		if (is_malformed) {
			malformed(c, msg);
		} else {
			struct hf_problem p;
			hf_problem_init(&p, 400, HF_PROBLEM_VALIDATION, "%s", msg);
			hf_api_problem(c, &p);
		}
		hf_report_clear(&r);
		return;
	}
	struct hf_api_row *row = hf_api_lookup(c);
	if (!row) {
		hf_report_clear(&r);
		return;
	}
	struct hf_report_outcome oc;
	struct hf_kube_error kerr = {0};
	enum hf_err err = hf_core_write_report(c->api->core, c->target.kind, row->ns, row->name, &r,
					       &oc, &kerr);
	if (err == HF_ERR_NOT_FOUND) {
		hf_api_not_found(c, c->target.kind, row->id, c->target.cluster_id);
	} else if (err) {
		kube_problem(c, err, &kerr, row->name);
	} else if (oc.verdict == HF_REPORT_DISCARDED) {
		c->resp->status = 204;
		hf_buf_reset(&c->resp->body);
	} else if (oc.verdict == HF_REPORT_REJECTED) {
		struct hf_problem p;
		hf_problem_init(&p, 400, HF_PROBLEM_VALIDATION, "%s", oc.message);
		hf_api_problem(c, &p);
	} else {
		hf_api_view_wait(c->api->views[c->target.kind], row->id, oc.resource_version, false,
				 VISIBLE_TIMEOUT);
		cJSON *stored = hf_rest_adapter_status(oc.stored);
		char *json = cJSON_PrintUnformatted(stored);
		hf_api_json(c, 201, json, strlen(json));
		free(json);
		cJSON_Delete(stored);
	}
	cJSON_Delete(oc.stored);
	hf_kube_error_clear(&kerr);
	hf_api_row_unref(row);
	hf_report_clear(&r);
}

void hf_api_write(struct hf_api_call *c)
{
	switch (c->target.op) {
	case OP_CREATE: create(c); break;
	case OP_PATCH: patch(c); break;
	case OP_DELETE: delete_resource(c); break;
	case OP_FORCE_DELETE: force_delete(c); break;
	case OP_STATUSES_PUT: put_status(c); break;
	default: break;
	}
}
