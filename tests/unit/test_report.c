/* Unit tests of adapter reports: validation in the original order, the
 * discard rules, and the upsert (controller/core/report.c). */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <string.h>

#include "core/report.h"
#include "util/alloc.h"
#include "util/rfc3339.h"

static double now(void)
{
	double t;
	cr_assert(hf_rfc3339_parse("2026-11-22T05:00:00Z", &t));
	return t;
}

/* parse_error parses body and returns the error message ("" when valid). */
static char *parse_error(const char *body, bool *malformed)
{
	static char msg[256];
	struct hf_report r;
	bool m = false;
	msg[0] = '\0';
	if (hf_report_parse(body, body ? strlen(body) : 0, now(), &r, &m, msg, sizeof(msg)) ==
	    HF_OK)
		hf_report_clear(&r);
	if (malformed)
		*malformed = m;
	return msg;
}

#define CONDS                                                                                      \
	"[{\"type\":\"Applied\",\"status\":\"True\"},{\"type\":\"Available\",\"status\":\"True\"},{\"type\":\"Health\",\"status\":\"True\"}]"

Test(report_parse, checks_in_the_original_order)
{
	bool malformed = false;
	cr_assert_str_eq(parse_error("not json", &malformed),
			 "the request body must be a JSON object");
	cr_assert(malformed);
	cr_assert_str_eq(parse_error("", &malformed), "the request body must be a JSON object");
	cr_assert_str_eq(parse_error("[]", NULL), "the request body must be a JSON object");
	cr_assert_str_eq(parse_error("{\"observed_generation\":0}", &malformed),
			 "adapter is required");
	cr_assert_not(malformed);
	cr_assert_str_eq(parse_error("{\"adapter\":\"\"}", NULL), "adapter is required");
	cr_assert_str_eq(parse_error("{\"adapter\":\"dns\",\"observed_generation\":0}", NULL),
			 "observed_generation must be >= 1");
	cr_assert_str_eq(parse_error("{\"adapter\":\"dns\",\"observed_generation\":1.5}", NULL),
			 "observed_generation must be >= 1");
	cr_assert_str_eq(parse_error("{\"adapter\":\"dns\",\"observed_generation\":1}", NULL),
			 "conditions must be an array");
	cr_assert_str_eq(
		parse_error(
			"{\"adapter\":\"dns\",\"observed_generation\":1,\"conditions\":[{\"status\":\"True\"}]}",
			NULL),
		"conditions[0].type is required");
	cr_assert_str_eq(
		parse_error(
			"{\"adapter\":\"dns\",\"observed_generation\":1,\"conditions\":[{\"type\":\"A\",\"status\":\"True\"},{\"type\":\"A\",\"status\":\"True\"}]}",
			NULL),
		"conditions[1].type 'A' is duplicated");
	cr_assert_str_eq(
		parse_error(
			"{\"adapter\":\"dns\",\"observed_generation\":1,\"conditions\":[{\"type\":\"A\",\"status\":\"yes\"}]}",
			NULL),
		"conditions[0].status must be one of True, False, Unknown");
	cr_assert_str_eq(
		parse_error("{\"adapter\":\"dns\",\"observed_generation\":1,\"conditions\":" CONDS
			    ",\"observed_time\":\"2026-11-22T05:06:00Z\"}",
			    NULL),
		"observed_time must not be more than 5m0s in the future");
	cr_assert_str_eq(
		parse_error("{\"adapter\":\"dns\",\"observed_generation\":1,\"conditions\":" CONDS
			    ",\"observed_time\":\"2026-11-22T04:29:00Z\"}",
			    NULL),
		"observed_time must not be more than 30m0s in the past");
	cr_assert_str_eq(
		parse_error("{\"adapter\":\"dns\",\"observed_generation\":1,\"conditions\":" CONDS
			    ",\"observed_time\":\"yesterday\"}",
			    NULL),
		"observed_time must be an RFC 3339 date-time");
	cr_assert_str_eq(
		parse_error("{\"adapter\":\"dns\",\"observed_generation\":1,\"conditions\":" CONDS
			    ",\"data\":[1]}",
			    NULL),
		"field 'data' must be an object");
	/* Missing mandatory conditions are not a parse error: a discarded
	 * report is never rejected for them (the original's order). */
	cr_assert_str_eq(
		parse_error("{\"adapter\":\"dns\",\"observed_generation\":1,\"conditions\":[]}",
			    NULL),
		"");
	cr_assert_str_eq(
		parse_error("{\"adapter\":\"dns\",\"observed_generation\":1,\"conditions\":" CONDS
			    "}",
			    NULL),
		"");
}

Test(report_parse, keeps_known_metadata_in_stored_form_and_defaults_the_time)
{
	const char *body =
		"{\"adapter\":\"dns\",\"observed_generation\":2,\"conditions\":" CONDS
		",\"data\":{\"zone\":\"z1\"},\"metadata\":{\"job_name\":\"dns-1\",\"attempt\":2,\"bogus\":1}}";
	struct hf_report r;
	bool malformed;
	char msg[128];
	cr_assert_eq(hf_report_parse(body, strlen(body), now(), &r, &malformed, msg, sizeof(msg)),
		     HF_OK);
	cr_assert_str_eq(r.adapter, "dns");
	cr_assert_eq(r.observed_generation, 2);
	cr_assert_str_eq(r.observed_time, "2026-11-22T05:00:00Z");
	char *meta = cJSON_PrintUnformatted(r.metadata);
	cr_assert_str_eq(meta, "{\"jobName\":\"dns-1\",\"attempt\":2}");
	free(meta);
	hf_report_clear(&r);
}

/* A cluster at generation gen with the given status.adapters. */
static cJSON *cluster(int gen, const char *adapters)
{
	char *json = hf_asprintf(
		"{\"metadata\":{\"name\":\"c\",\"generation\":%d},\"status\":{\"adapters\":%s}}",
		gen, adapters);
	cJSON *o = cJSON_Parse(json);
	free(json);
	return o;
}

static enum hf_report_verdict apply(cJSON *o, const char *adapter, int gen, const char *time,
				    const char *available, bool with_health, char *msg)
{
	struct hf_report r;
	double t;
	cr_assert(hf_rfc3339_parse(time, &t));
	hf_report_init(&r, adapter, gen, t);
	hf_report_add_condition(&r, "Applied", "True", NULL, NULL);
	hf_report_add_condition(&r, "Available", available, "Because", "a message");
	if (with_health)
		hf_report_add_condition(&r, "Health", "True", NULL, NULL);
	enum hf_report_verdict v = hf_report_apply(&r, o, msg, 256);
	hf_report_clear(&r);
	return v;
}

static const char *entry_field(const cJSON *o, const char *adapter, const char *name)
{
	const cJSON *e = hf_report_find(o, adapter);
	cr_assert_not_null(e);
	const cJSON *v = cJSON_GetObjectItem(e, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *condition_ltt(const cJSON *o, const char *adapter, const char *type)
{
	const cJSON *c;
	cJSON_ArrayForEach(
		c, cJSON_GetObjectItem(
			   hf_report_find(o, adapter),
			   "conditions")) if (strcmp(cJSON_GetObjectItem(c, "type")->valuestring,
						     type) ==
					      0) return cJSON_GetObjectItem(c, "lastTransitionTime")
		->valuestring;
	return NULL;
}

Test(report_apply, discard_rules_and_upsert)
{
	char msg[256];
	cJSON *o = cluster(2, "[]");
	/* 7: newer than the resource. */
	cr_assert_eq(apply(o, "dns", 3, "2026-11-22T04:50:00Z", "True", true, msg),
		     HF_REPORT_DISCARDED);
	cr_assert_str_eq(msg, "observed_generation 3 is newer than the resource's generation 2");
	/* A first report is stored. */
	cr_assert_eq(apply(o, "dns", 2, "2026-11-22T04:50:00Z", "False", true, msg),
		     HF_REPORT_STORED);
	cr_assert_str_eq(entry_field(o, "dns", "createdTime"), "2026-11-22T04:50:00Z");
	cr_assert_str_eq(condition_ltt(o, "dns", "Available"), "2026-11-22T04:50:00Z");
	/* 8: older generation than stored. */
	cr_assert_eq(apply(o, "dns", 1, "2026-11-22T04:55:00Z", "True", true, msg),
		     HF_REPORT_DISCARDED);
	/* 9: same generation, earlier time. */
	cr_assert_eq(apply(o, "dns", 2, "2026-11-22T04:49:00Z", "True", true, msg),
		     HF_REPORT_DISCARDED);
	cr_assert_str_eq(msg, "observed_time is older than the stored report's");
	/* 10: missing Health is rejected (after the discard checks). */
	cr_assert_eq(apply(o, "dns", 2, "2026-11-22T04:56:00Z", "True", false, msg),
		     HF_REPORT_REJECTED);
	cr_assert_str_eq(
		msg,
		"missing mandatory condition 'Health': all adapters must report Available, Applied, and Health");
	/* ... but a discarded one is not. */
	cr_assert_eq(apply(o, "dns", 1, "2026-11-22T04:56:00Z", "True", false, msg),
		     HF_REPORT_DISCARDED);
	/* 11: Unknown does not replace a stored report. */
	cr_assert_eq(apply(o, "dns", 2, "2026-11-22T04:57:00Z", "Unknown", true, msg),
		     HF_REPORT_DISCARDED);
	/* An Unknown first report is stored. */
	cr_assert_eq(apply(o, "validation", 2, "2026-11-22T04:57:00Z", "Unknown", true, msg),
		     HF_REPORT_STORED);
	/* 12: a newer report replaces the entry; transition times move on flips only. */
	cr_assert_eq(apply(o, "dns", 2, "2026-11-22T04:58:00Z", "True", true, msg),
		     HF_REPORT_STORED);
	cr_assert_str_eq(condition_ltt(o, "dns", "Available"), "2026-11-22T04:58:00Z",
			 "False -> True");
	cr_assert_str_eq(condition_ltt(o, "dns", "Applied"), "2026-11-22T04:50:00Z", "unchanged");
	cr_assert_str_eq(entry_field(o, "dns", "createdTime"), "2026-11-22T04:50:00Z", "kept");
	cr_assert_str_eq(entry_field(o, "dns", "lastReportTime"), "2026-11-22T04:58:00Z");
	/* The same time again (a retry) is stored, not discarded. */
	cr_assert_eq(apply(o, "dns", 2, "2026-11-22T04:58:00Z", "True", true, msg),
		     HF_REPORT_STORED);
	cr_assert_eq(cJSON_GetArraySize(
			     cJSON_GetObjectItem(cJSON_GetObjectItem(o, "status"), "adapters")),
		     2, "one entry per adapter");
	cJSON_Delete(o);
}

Test(report_apply, works_on_an_object_without_status)
{
	char msg[256];
	cJSON *o = cJSON_Parse("{\"metadata\":{\"name\":\"c\",\"generation\":1}}");
	cr_assert_eq(apply(o, "dns", 1, "2026-11-22T04:50:00Z", "True", true, msg),
		     HF_REPORT_STORED);
	cr_assert_not_null(hf_report_find(o, "dns"));
	char *data = cJSON_PrintUnformatted(cJSON_GetObjectItem(hf_report_find(o, "dns"), "data"));
	cr_assert_str_eq(data, "{}");
	free(data);
	cJSON_Delete(o);
}
