#include "api/list.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/json.h"

/* Members a sparse fieldset may name. */
static const char *const projectable[] = {
	"id",		"kind",	      "name",	    "href",	    "spec",
	"labels",	"generation", "status",	    "created_time", "updated_time",
	"deleted_time", "created_by", "updated_by", "cluster_id",   "owner_references",
};

/* parse_int reads an integer parameter within [min, max]; the original
 * API's field errors otherwise. */
static bool parse_int(const char *name, const char *value, long min, long max, long *out,
		      struct hf_problem *p)
{
	char *end = NULL;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (!*value || *end || errno) {
		hf_problem_init(p, 400, HF_PROBLEM_VALIDATION, "%s must be an integer", name);
		hf_problem_field_error(p, name, value, "format", p->detail);
		return false;
	}
	if (n < min || n > max) {
		hf_problem_init(p, 400, HF_PROBLEM_VALIDATION, "%s must be %s %ld", name,
				n < min ? "at least" : "at most", n < min ? min : max);
		hf_problem_field_error(p, name, value, n < min ? "min" : "max", p->detail);
		return false;
	}
	*out = n;
	return true;
}

/* split_list splits a comma list into trimmed, non-empty items. */
static char **split_list(const char *s, size_t *n)
{
	char **items = NULL;
	*n = 0;
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		const char *a = s, *b = s + len;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b > a) {
			items = hf_realloc(items, (*n + 1) * sizeof(*items));
			items[(*n)++] = hf_strndup(a, (size_t)(b - a));
		}
		s += len + (comma ? 1 : 0);
	}
	return items;
}

static void free_list(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* unquote drops one pair of quotes around a value: the seed journeys write
 * status.phase="Not Ready". */
static const char *unquote(const char *value, char *buf, size_t len)
{
	size_t n = strlen(value);
	if (n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n - 1] == value[0] &&
	    n - 2 < len) {
		memcpy(buf, value + 1, n - 2);
		buf[n - 2] = '\0';
		return buf;
	}
	return value;
}

static bool parse_phase(const char *quoted, enum hf_kind kind, const char **out,
			struct hf_problem *p)
{
	char buf[64];
	const char *value = unquote(quoted, buf, sizeof(buf));
	if (strcmp(value, "Ready") == 0)
		*out = "Ready";
	else if (strcmp(value, "Not Ready") == 0 || strcmp(value, "NotReady") == 0)
		*out = "Not Ready";
	else if (strcmp(value, "Terminating") == 0)
		*out = "Terminating";
	else {
		hf_problem_init(
			p, 400, HF_PROBLEM_VALIDATION,
			kind == HF_KIND_CLUSTER
				? "Invalid phase value '%s'. Supported values: Not Ready, Ready"
				: "Invalid phase value '%s'. Supported values for MVP: Not Ready, Ready",
			value);
		hf_problem_field_error(p, "phase", value, "enum", p->detail);
		return false;
	}
	return true;
}

static bool parse_labels(const char *value, struct hf_api_list_query *q, struct hf_problem *p)
{
	size_t n = 0;
	char **items = split_list(value, &n);
	bool ok = n > 0;
	for (size_t i = 0; ok && i < n; i++) {
		char *colon = strchr(items[i], ':');
		if (!colon || colon == items[i] || !colon[1]) {
			ok = false;
			break;
		}
		*colon = '\0';
		q->label_keys = hf_realloc(q->label_keys, (q->nlabels + 1) * sizeof(char *));
		q->label_values = hf_realloc(q->label_values, (q->nlabels + 1) * sizeof(char *));
		q->label_keys[q->nlabels] = hf_strdup(items[i]);
		q->label_values[q->nlabels++] = hf_strdup(colon + 1);
	}
	free_list(items, n);
	if (!ok) {
		hf_problem_init(p, 400, HF_PROBLEM_VALIDATION,
				"Invalid label filter format. Expected format: key:value");
		hf_problem_field_error(p, "labels", value, "format", p->detail);
	}
	return ok;
}

static bool parse_fields(const char *value, struct hf_api_list_query *q, struct hf_problem *p)
{
	q->fields = split_list(value, &q->nfields);
	for (size_t i = 0; i < q->nfields; i++) {
		bool known = false;
		for (size_t j = 0; j < sizeof(projectable) / sizeof(projectable[0]); j++)
			known |= strcmp(q->fields[i], projectable[j]) == 0;
		if (!known) {
			hf_problem_init(p, 400, HF_PROBLEM_VALIDATION,
					"unknown field '%s' in fields", q->fields[i]);
			hf_problem_field_error(p, "fields", q->fields[i], "enum", p->detail);
			return false;
		}
	}
	return true;
}

/* joined_param joins every value of a repeated parameter with commas (the
 * original takes order=a&order=b as order=a,b); NULL when absent. */
static char *joined_param(const struct hf_http_request *req, const char *name)
{
	size_t n = strlen(name);
	struct hf_buf out;
	hf_buf_init(&out, 0);
	bool found = false;
	enum hf_err err = HF_OK;
	for (size_t i = 0; i < req->nparams; i++) {
		const char *p = req->params[i];
		if (strncmp(p, name, n) != 0 || (p[n] != '=' && p[n] != '\0'))
			continue;
		err |= hf_buf_printf(&out, "%s%s", found ? "," : "", p[n] ? p + n + 1 : "");
		found = true;
	}
	(void)err; /* uncapped */
	if (!found) {
		hf_buf_free(&out);
		return NULL;
	}
	return hf_buf_steal(&out);
}

enum hf_err hf_api_list_query_parse(const struct hf_http_request *req, enum hf_kind kind,
				    struct hf_api_list_query *q, struct hf_problem *p)
{
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	q->page = 1;
	q->size = HF_API_SIZE_DEFAULT;
	enum hf_tsl_kind tk = kind == HF_KIND_CLUSTER ? HF_TSL_CLUSTER : HF_TSL_NODEPOOL;
	const char *v;
	char *error = NULL;
	if ((v = hf_http_request_param(req, "page")) &&
	    !parse_int("page", v, 1, HF_API_PAGE_MAX, &q->page, p))
		return HF_ERR_INVALID;
	v = hf_http_request_param(req, "size");
	if (!v)
		v = hf_http_request_param(req, "pageSize");
	if (v && !parse_int("size", v, 1, HF_API_SIZE_MAX, &q->size, p))
		return HF_ERR_INVALID;
	if ((v = hf_http_request_param(req, "search")) && strspn(v, " \t") != strlen(v) &&
	    hf_tsl_parse(v, tk, &q->search, &error) != HF_OK) {
		hf_problem_init(p, 400, HF_PROBLEM_BAD_QUERY, "%s", error);
		free(error);
		return HF_ERR_INVALID;
	}
	char *order = joined_param(req, "order");
	enum hf_err err = order ? hf_tsl_order_parse(order, tk, &q->order, &error) : HF_OK;
	free(order);
	if (err) {
		hf_problem_init(p, 400, HF_PROBLEM_BAD_QUERY, "%s", error);
		free(error);
		return HF_ERR_INVALID;
	}
	if ((v = hf_http_request_param(req, "fields")) && !parse_fields(v, q, p))
		return HF_ERR_INVALID;
	v = hf_http_request_param(req, "status.phase");
	if (!v)
		v = hf_http_request_param(req, "phase");
	if (v && !parse_phase(v, kind, &q->phase, p))
		return HF_ERR_INVALID;
	if ((v = hf_http_request_param(req, "labels")) && !parse_labels(v, q, p))
		return HF_ERR_INVALID;
	q->provider = hf_http_request_param(req, "provider");
	q->region = hf_http_request_param(req, "region");
	q->name = hf_http_request_param(req, "name");
	if ((v = hf_http_request_param(req, "watch")))
		q->watch = strcmp(v, "") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
	q->resource_version = hf_http_request_param(req, "resource_version");
	if (!q->resource_version)
		q->resource_version = hf_http_request_param(req, "resourceVersion");
	return HF_OK;
}

void hf_api_list_query_free(struct hf_api_list_query *q)
{
	hf_tsl_free(q->search);
	hf_tsl_order_free(q->order);
	free_list(q->fields, q->nfields);
	free_list(q->label_keys, q->nlabels);
	free_list(q->label_values, q->nlabels);
	memset(q, 0, sizeof(*q));
}

/* The TSL resolver. */

static struct hf_tsl_value json_value(const cJSON *v)
{
	if (cJSON_IsString(v))
		return hf_tsl_string(v->valuestring);
	if (cJSON_IsNumber(v))
		return hf_tsl_number(v->valuedouble);
	if (cJSON_IsBool(v))
		return (struct hf_tsl_value){.type = HF_TSL_BOOL, .b = cJSON_IsTrue(v)};
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		return (struct hf_tsl_value){.type = HF_TSL_COMPOSITE};
	return hf_tsl_absent();
}

static const cJSON *condition(const cJSON *rest, const char *type)
{
	const cJSON *c;
	cJSON_ArrayForEach(c,
			   cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(rest, "status"), "conditions"))
	{
		const char *t = hf_json_string(c, "type");
		if (t && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

struct hf_tsl_value hf_api_row_resolve(void *ctx, const void *object,
				       const struct hf_tsl_field *field)
{
	(void)ctx;
	const cJSON *rest = ((const struct hf_api_row *)object)->rest;
	const cJSON *owner = cJSON_GetObjectItemCaseSensitive(rest, "owner_references");
	switch (field->type) {
	case HF_TSL_COLUMN:
		switch (field->column) {
		case HF_TSL_COL_OWNER_ID: return hf_tsl_string(hf_json_string(owner, "id"));
		case HF_TSL_COL_OWNER_KIND: return hf_tsl_string(hf_json_string(owner, "kind"));
		case HF_TSL_COL_OWNER_HREF: return hf_tsl_string(hf_json_string(owner, "href"));
		case HF_TSL_COL_PHASE:
			return hf_tsl_string(hf_json_string(
				cJSON_GetObjectItemCaseSensitive(rest, "status"), "phase"));
		default: return json_value(cJSON_GetObjectItemCaseSensitive(rest, field->name));
		}
	case HF_TSL_LABEL:
		return hf_tsl_string(hf_json_string(
			cJSON_GetObjectItemCaseSensitive(rest, "labels"), field->name));
	case HF_TSL_SPEC: {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(rest, "spec");
		for (size_t i = 0; v && i < field->path_len; i++)
			v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, field->path[i])
					      : NULL;
		return json_value(v);
	}
	case HF_TSL_CONDITION:
		return hf_tsl_string(hf_json_string(condition(rest, field->name), "status"));
	case HF_TSL_CONDITION_FIELD:
		return json_value(cJSON_GetObjectItemCaseSensitive(condition(rest, field->name),
								   field->sub_name));
	}
	return hf_tsl_absent();
}

static bool string_is(const cJSON *obj, const char *name, const char *want)
{
	const char *v = hf_json_string(obj, name);
	return v && strcmp(v, want) == 0;
}

bool hf_api_list_match(const struct hf_api_list_query *q, const struct hf_api_row *row)
{
	const cJSON *rest = row->rest;
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(rest, "spec");
	if (q->cluster_id && (!row->cluster_id || strcmp(row->cluster_id, q->cluster_id) != 0))
		return false;
	if (q->phase &&
	    !string_is(cJSON_GetObjectItemCaseSensitive(rest, "status"), "phase", q->phase))
		return false;
	if (q->provider && !string_is(spec, "provider", q->provider))
		return false;
	if (q->region && !string_is(spec, "region", q->region))
		return false;
	if (q->name && !string_is(rest, "name", q->name))
		return false;
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(rest, "labels");
	for (size_t i = 0; i < q->nlabels; i++)
		if (!string_is(labels, q->label_keys[i], q->label_values[i]))
			return false;
	return !q->search || hf_tsl_match(q->search, hf_api_row_resolve, NULL, row);
}

/* The order of a list: the caller's, then newest first, then by id, so
 * that pages are stable. qsort has no context argument: the order rides in
 * a thread-local. */
static _Thread_local const struct hf_tsl_order *sort_order;

static int compare_rows(const void *pa, const void *pb)
{
	const struct hf_api_row *a = *(struct hf_api_row *const *)pa;
	const struct hf_api_row *b = *(struct hf_api_row *const *)pb;
	if (sort_order && sort_order->len) {
		int c = hf_tsl_order_compare(sort_order, hf_api_row_resolve, NULL, a, b);
		if (c)
			return c;
	}
	if (a->created != b->created)
		return a->created > b->created ? -1 : 1;
	return strcmp(a->id, b->id);
}

char *hf_api_project(const struct hf_api_list_query *q, const struct hf_api_row *row)
{
	if (!q || !q->nfields)
		return hf_strdup(row->json);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(
		o, "id", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(row->rest, "id"), 1));
	for (size_t i = 0; i < q->nfields; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(row->rest, q->fields[i]);
		if (v && strcmp(q->fields[i], "id") != 0)
			cJSON_AddItemToObject(o, q->fields[i], cJSON_Duplicate(v, true));
	}
	char *json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return json;
}

char *hf_api_list_render(const struct hf_api_list_query *q, struct hf_api_row **rows, size_t n)
{
	struct hf_api_row **hits = hf_calloc(n ? n : 1, sizeof(*hits));
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		if (hf_api_list_match(q, rows[i]))
			hits[total++] = rows[i];
	sort_order = q->order;
	qsort(hits, total, sizeof(*hits), compare_rows);
	sort_order = NULL;
	size_t from = (size_t)(q->page - 1) * (size_t)q->size;
	size_t count = from < total ? total - from : 0;
	if (count > (size_t)q->size)
		count = (size_t)q->size;
	struct hf_buf out;
	hf_buf_init(&out, 0);
	enum hf_err err = hf_buf_printf(&out,
					"{\"kind\":\"%s\",\"page\":%ld,\"size\":%zu,"
					"\"total\":%zu,\"items\":[",
					q->kind == HF_KIND_CLUSTER ? "ClusterList" : "NodePoolList",
					q->page, count, total);
	for (size_t i = 0; i < count; i++) {
		if (q->nfields) {
			char *item = hf_api_project(q, hits[from + i]);
			err |= hf_buf_printf(&out, "%s%s", i ? "," : "", item);
			free(item);
		} else {
			err |= hf_buf_printf(&out, "%s", i ? "," : "");
			err |= hf_buf_append(&out, hits[from + i]->json, hits[from + i]->json_len);
		}
	}
	err |= hf_buf_appends(&out, "]}");
	(void)err; /* uncapped */
	free(hits);
	return hf_buf_steal(&out);
}
