#include "kube/watch_event.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/json.h"

static const struct {
	const char *name;
	enum hf_watch_type type;
} types[] = {
	{"ADDED", HF_WATCH_ADDED},     {"MODIFIED", HF_WATCH_MODIFIED},
	{"DELETED", HF_WATCH_DELETED}, {"BOOKMARK", HF_WATCH_BOOKMARK},
	{"ERROR", HF_WATCH_ERROR},
};

enum hf_err hf_watch_event_parse(const char *line, size_t len, struct hf_watch_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	enum hf_err err = HF_ERR_INVALID;
	cJSON *root = cJSON_ParseWithLength(line, len);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
	cJSON *object = cJSON_GetObjectItemCaseSensitive(root, "object");
	if (!cJSON_IsString(type) || !cJSON_IsObject(object))
		goto out;
	size_t i;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type->valuestring, types[i].name) == 0)
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		goto out;
	ev->type = types[i].type;

	if (ev->type == HF_WATCH_ERROR) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(object, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(object, "message");
		long long n = 0;
		ev->error_code = hf_json_int64(code, &n) ? (long)n : 0;
		ev->error_message =
			hf_strdup(cJSON_IsString(msg) ? msg->valuestring : "watch error");
		err = HF_OK;
		goto out;
	}
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(object, "metadata");
	const cJSON *rv = cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion");
	if (cJSON_IsString(rv))
		snprintf(ev->resource_version, sizeof(ev->resource_version), "%s", rv->valuestring);
	if (ev->type == HF_WATCH_BOOKMARK) {
		err = ev->resource_version[0] ? HF_OK : HF_ERR_INVALID;
		goto out;
	}
	ev->obj = hf_obj_new(object);
	err = ev->obj ? HF_OK : HF_ERR_INVALID;
out:
	cJSON_Delete(root);
	if (err)
		hf_watch_event_clear(ev);
	return err;
}

void hf_watch_event_clear(struct hf_watch_event *ev)
{
	hf_obj_unref(ev->obj);
	free(ev->error_message);
	memset(ev, 0, sizeof(*ev));
}
