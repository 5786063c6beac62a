#include "api/problem.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/rfc3339.h"

/* type URI suffix and title of each code. */
static const struct {
	const char *code, *type, *title;
} kinds[] = {
	{HF_PROBLEM_VALIDATION, "validation-error", "Validation Failed"},
	{HF_PROBLEM_BAD_QUERY, "bad-request", "Bad Request"},
	{HF_PROBLEM_MALFORMED, "malformed-request", "Malformed Request"},
	{HF_PROBLEM_NO_AUTH, "authentication-error", "Authentication Required"},
	{HF_PROBLEM_BAD_AUTH, "authentication-error", "Invalid Credentials"},
	{HF_PROBLEM_EXPIRED, "authentication-error", "Invalid Token"},
	{HF_PROBLEM_FORBIDDEN, "permission-denied", "Permission Denied"},
	{HF_PROBLEM_NO_ENDPOINT, "not-found", "Endpoint Not Found"},
	{HF_PROBLEM_NOT_FOUND, "not-found", "Resource Not Found"},
	{HF_PROBLEM_EXISTS, "conflict", "Resource Conflict"},
	{HF_PROBLEM_STATE, "conflict", "State Conflict"},
	{HF_PROBLEM_TOO_LARGE, "request-too-large", "Request Too Large"},
	{HF_PROBLEM_RATE, "rate-limited", "Too Many Requests"},
	{HF_PROBLEM_UNAVAILABLE, "service-unavailable", "Service Unavailable"},
	{HF_PROBLEM_INTERNAL, "internal-error", "Internal Server Error"},
};

void hf_problem_init(struct hf_problem *p, int status, const char *code, const char *fmt, ...)
{
	memset(p, 0, sizeof(*p));
	p->status = status;
	p->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
	va_end(ap);
}

void hf_problem_id(struct hf_problem *p, const char *name, const char *value)
{
	if (p->nids == HF_PROBLEM_MAX_IDS)
		return;
	p->id_names[p->nids] = name;
	snprintf(p->id_values[p->nids], sizeof(p->id_values[0]), "%s", value ? value : "");
	p->nids++;
}

void hf_problem_field_error(struct hf_problem *p, const char *field, const char *value,
			    const char *constraint, const char *message)
{
	if (!p->errors)
		p->errors = cJSON_CreateArray();
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "field", field ? field : "");
	if (value)
		cJSON_AddStringToObject(e, "value", value);
	if (constraint)
		cJSON_AddStringToObject(e, "constraint", constraint);
	cJSON_AddStringToObject(e, "message", message ? message : "");
	cJSON_AddItemToArray(p->errors, e);
}

void hf_problem_respond(struct hf_problem *p, const char *instance, const char *trace_id,
			struct hf_http_response *resp)
{
	const char *type = "internal-error", *title = "Error";
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (p->code && strcmp(p->code, kinds[i].code) == 0) {
			type = kinds[i].type;
			title = kinds[i].title;
		}
	char uri[128], now[40];
	snprintf(uri, sizeof(uri), "https://api.hyperfleet.io/errors/%s", type);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", uri);
	cJSON_AddStringToObject(o, "title", title);
	cJSON_AddNumberToObject(o, "status", p->status);
	cJSON_AddStringToObject(o, "detail", p->detail);
	cJSON_AddStringToObject(o, "code", p->code ? p->code : HF_PROBLEM_INTERNAL);
	cJSON_AddStringToObject(o, "timestamp",
				hf_rfc3339_format(hf_rfc3339_now(), now, sizeof(now)));
	cJSON_AddStringToObject(o, "instance", instance ? instance : "");
	if (trace_id)
		cJSON_AddStringToObject(o, "trace_id", trace_id);
	if (p->errors) {
		cJSON_AddItemToObject(o, "errors", p->errors);
		p->errors = NULL;
	}
	cJSON_AddStringToObject(o, "error", p->error[0] ? p->error : p->detail);
	for (int i = 0; i < p->nids; i++)
		cJSON_AddStringToObject(o, p->id_names[i], p->id_values[i]);
	char *json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	resp->status = p->status;
	resp->content_type = "application/problem+json";
	hf_buf_reset(&resp->body);
	enum hf_err err = hf_buf_appends(&resp->body, json);
	(void)err; /* response bodies are uncapped */
	free(json);
}
