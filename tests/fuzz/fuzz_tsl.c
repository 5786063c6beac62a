/*
 * Fuzz target: a `search` query and an `order` list as a client sends them.
 * Whatever the input, parsing ends with a query or a printable message;
 * a query matches fixed objects without crashing; an order list compares
 * antisymmetrically.
 */
#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/tsl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const objects_json[] = {
	"{\"id\":\"c1\",\"name\":\"alpha\",\"kind\":\"Cluster\",\"generation\":3,"
	"\"created_time\":\"2026-01-02T03:04:05Z\",\"updated_time\":\"2026-01-03T00:00:00.25Z\","
	"\"labels\":{\"env\":\"prod\",\"app.kubernetes.io/name\":\"web\"},"
	"\"spec\":{\"nodeCount\":3,\"region\":\"us-east-1\",\"replicas\":\"5\",\"ha\":true,"
	"\"ratio\":0.1,\"platform\":{\"type\":\"gcp\",\"zones\":[\"a\"]},\"city\":\"Z\\u00fcrich\"},"
	"\"status\":{\"phase\":\"Ready\",\"conditions\":[{\"type\":\"Reconciled\",\"status\":"
	"\"True\",\"last_updated_time\":\"2026-01-03T00:00:00Z\",\"observed_generation\":3}]}}",
	"{\"id\":\"np1\",\"name\":7,\"kind\":\"NodePool\",\"generation\":\"10\","
	"\"created_time\":\"not a time\",\"owner_id\":\"c1\",\"labels\":{\"env\":\"\"},"
	"\"spec\":{\"nodeCount\":\"x\",\"replicas\":1e300,\"ha\":\"true\"},"
	"\"status\":{\"conditions\":[{\"type\":\"Reconciled\",\"status\":\"False\","
	"\"last_updated_time\":5,\"observed_generation\":\"2\"}]}}",
	"{}",
};

#define NOBJ (sizeof(objects_json) / sizeof(objects_json[0]))

static cJSON *objects[NOBJ]; /* parsed once, kept for the whole run */

static struct hf_tsl_value json_value(const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return hf_tsl_absent();
	if (cJSON_IsString(v))
		return hf_tsl_string(v->valuestring);
	if (cJSON_IsNumber(v))
		return hf_tsl_number(v->valuedouble);
	if (cJSON_IsBool(v))
		return (struct hf_tsl_value){.type = HF_TSL_BOOL, .b = cJSON_IsTrue(v)};
	return (struct hf_tsl_value){.type = HF_TSL_COMPOSITE};
}

static const cJSON *condition(const cJSON *o, const char *type)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(cJSON_GetObjectItem(o, "status"), "conditions"))
	{
		const cJSON *t = cJSON_GetObjectItem(c, "type");
		if (cJSON_IsString(t) && strcmp(t->valuestring, type) == 0)
			return c;
	}
	return NULL;
}

static struct hf_tsl_value resolve(void *ctx, const void *object, const struct hf_tsl_field *f)
{
	const cJSON *o = object;
	const cJSON *v = NULL;
	(void)ctx;
	switch (f->type) {
	case HF_TSL_COLUMN:
		if (f->column == HF_TSL_COL_PHASE)
			v = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "status"), "phase");
		else
			v = cJSON_GetObjectItemCaseSensitive(o, f->name);
		break;
	case HF_TSL_LABEL:
		v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(o, "labels"), f->name);
		break;
	case HF_TSL_SPEC:
		v = cJSON_GetObjectItem(o, "spec");
		for (size_t i = 0; i < f->path_len && v; i++)
			v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, f->path[i])
					      : NULL;
		break;
	case HF_TSL_CONDITION: v = cJSON_GetObjectItem(condition(o, f->name), "status"); break;
	case HF_TSL_CONDITION_FIELD:
		v = cJSON_GetObjectItem(condition(o, f->name), f->sub_name);
		break;
	}
	return json_value(v);
}

static void check_message(const char *error)
{
	if (!error || !*error || strlen(error) > 1200)
		abort();
	for (const char *p = error; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			abort(); /* user text reaches messages escaped */
}

static void visit(void *ctx, const struct hf_tsl_field *f)
{
	size_t *n = ctx;
	if (f->type == HF_TSL_SPEC && (!f->path || f->path_len == 0))
		abort();
	if (f->type != HF_TSL_SPEC && !f->name)
		abort();
	(*n)++;
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > HF_TSL_MAX_QUERY + 16)
		return 0;
	if (!objects[0])
		for (size_t i = 0; i < NOBJ; i++)
			if (!(objects[i] = cJSON_Parse(objects_json[i])))
				abort();
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	for (int kind = HF_TSL_CLUSTER; kind <= HF_TSL_NODEPOOL; kind++) {
		struct hf_tsl *q = NULL;
		char *error = NULL;
		if (hf_tsl_parse(text, (enum hf_tsl_kind)kind, &q, &error) != HF_OK) {
			if (q)
				abort();
			check_message(error);
			free(error);
			continue;
		}
		if (!q || error)
			abort();
		size_t fields = 0;
		hf_tsl_visit_fields(q, visit, &fields);
		if (fields == 0)
			abort();
		for (size_t i = 0; i < NOBJ; i++)
			(void)hf_tsl_match(q, resolve, NULL, objects[i]);
		hf_tsl_free(q);
	}

	struct hf_tsl_order *o = NULL;
	char *error = NULL;
	if (hf_tsl_order_parse(text, HF_TSL_CLUSTER, &o, &error) != HF_OK) {
		if (o)
			abort();
		check_message(error);
		free(error);
	} else {
		for (size_t i = 0; i < NOBJ; i++)
			for (size_t j = 0; j < NOBJ; j++)
				if (sign(hf_tsl_order_compare(o, resolve, NULL, objects[i],
							      objects[j])) !=
				    -sign(hf_tsl_order_compare(o, resolve, NULL, objects[j],
							       objects[i])))
					abort();
		hf_tsl_order_free(o);
	}
	free(text);
	return 0;
}
