/* Unit tests of status aggregation (controller/core/status.c): the table of
 * cases DESIGN.md section 4 and the original server's rules call for. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "util/alloc.h"
#include "util/rfc3339.h"

static const char *const two[] = {"dns", "validation"};

/* A report entry as status.adapters stores it. */
static char *report(const char *adapter, int gen, const char *available, const char *finalized,
		    const char *time)
{
	char fin[128] = "";
	if (finalized)
		snprintf(fin, sizeof(fin), ",{\"type\":\"Finalized\",\"status\":\"%s\"}",
			 finalized);
	return hf_asprintf(
		"{\"adapter\":\"%s\",\"observedGeneration\":%d,\"conditions\":["
		"{\"type\":\"Applied\",\"status\":\"True\"},"
		"{\"type\":\"Available\",\"status\":\"%s\",\"reason\":\"R-%s\",\"message\":\"M-%s\"},"
		"{\"type\":\"Health\",\"status\":\"True\"}%s],\"lastReportTime\":\"%s\"}",
		adapter, gen, available, adapter, adapter, fin, time);
}

/* object builds a Cluster with generation gen, the given reports (a JSON
 * array text) and previous status fields (JSON members text, may be ""). */
static cJSON *object(int gen, bool deleting, const char *reports, const char *prev_status)
{
	char *json =
		hf_asprintf("{\"metadata\":{\"name\":\"c\",\"generation\":%d,\"creationTimestamp\":"
			    "\"2026-11-22T01:00:00Z\"%s},\"status\":{\"adapters\":%s%s%s}}",
			    gen, deleting ? ",\"deletionTimestamp\":\"2026-11-22T03:00:00Z\"" : "",
			    reports, prev_status[0] ? "," : "", prev_status);
	cJSON *o = cJSON_Parse(json);
	cr_assert_not_null(o, "bad test JSON: %s", json);
	free(json);
	return o;
}

static const cJSON *cond(const cJSON *status, const char *type)
{
	const cJSON *c = hf_status_find_condition(cJSON_GetObjectItem(status, "conditions"), type);
	cr_assert_not_null(c, "no %s condition", type);
	return c;
}

static const char *field(const cJSON *c, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(c, name);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static int gen_of(const cJSON *c)
{
	return cJSON_GetObjectItem(c, "observedGeneration")->valueint;
}

static cJSON *aggregate(const cJSON *o, const char *const *required, size_t n, bool children)
{
	double now;
	cr_assert(hf_rfc3339_parse("2026-11-22T05:00:00Z", &now));
	struct hf_status_context ctx = {required, n, children, now};
	return hf_status_aggregate(o, &ctx);
}

Test(status, no_reports)
{
	cJSON *o = object(1, false, "[]", "");
	cJSON *s = aggregate(o, two, 2, false);
	cr_assert_str_eq(field(s, "phase"), "Not Ready");
	const cJSON *r = cond(s, "Reconciled");
	cr_assert_str_eq(field(r, "status"), "False");
	cr_assert_str_eq(field(r, "reason"), "ReconciledMissingAdapters");
	cr_assert_str_eq(
		field(r, "message"),
		"Required adapters not reporting Available=True: [dns, validation]. Currently reporting: []");
	cr_assert_str_eq(field(r, "lastTransitionTime"), "2026-11-22T01:00:00Z",
			 "dated by creation");
	cr_assert_eq(gen_of(r), 1);
	const cJSON *l = cond(s, "LastKnownReconciled");
	cr_assert_str_eq(field(l, "status"), "False");
	cr_assert_str_eq(field(l, "reason"), "AdaptersMissingReports");
	cr_assert_str_eq(field(cond(s, "DnsSuccessful"), "reason"), "AdapterNotReported");
	cr_assert_str_eq(field(cond(s, "ValidationSuccessful"), "status"), "False");
	cJSON_Delete(s);
	cJSON_Delete(o);
}

Test(status, some_adapters_missing)
{
	char *v = report("validation", 1, "True", NULL, "2026-11-22T02:00:00Z");
	char *reports = hf_asprintf("[%s]", v);
	cJSON *o = object(1, false, reports, "");
	cJSON *s = aggregate(o, two, 2, false);
	const cJSON *r = cond(s, "Reconciled");
	cr_assert_str_eq(
		field(r, "message"),
		"Required adapters not reporting Available=True: [dns]. Currently reporting: [validation]");
	cr_assert_str_eq(field(r, "lastUpdateTime"), "2026-11-22T02:00:00Z");
	const cJSON *vs = cond(s, "ValidationSuccessful");
	cr_assert_str_eq(field(vs, "status"), "True");
	cr_assert_str_eq(field(vs, "reason"), "R-validation");
	cr_assert_str_eq(field(vs, "message"), "M-validation");
	cr_assert_str_eq(field(cond(s, "LastKnownReconciled"), "reason"), "AdaptersMissingReports");
	cJSON_Delete(s);
	cJSON_Delete(o);
	free(reports);
	free(v);
}

Test(status, all_available_at_the_current_generation)
{
	char *a = report("dns", 1, "True", NULL, "2026-11-22T02:30:00Z");
	char *b = report("validation", 1, "True", NULL, "2026-11-22T02:00:00Z");
	char *reports = hf_asprintf("[%s,%s]", a, b);
	cJSON *o = object(1, false, reports, "");
	cJSON *s = aggregate(o, two, 2, false);
	cr_assert_str_eq(field(s, "phase"), "Ready");
	const cJSON *r = cond(s, "Reconciled");
	cr_assert_str_eq(field(r, "status"), "True");
	cr_assert_str_eq(field(r, "reason"), "ReconciledAll");
	cr_assert_str_eq(field(r, "lastUpdateTime"), "2026-11-22T02:00:00Z", "the earliest report");
	const cJSON *l = cond(s, "LastKnownReconciled");
	cr_assert_str_eq(field(l, "status"), "True");
	cr_assert_str_eq(field(l, "reason"), "AllAdaptersReconciled");
	cr_assert_eq(gen_of(l), 1);
	cJSON_Delete(s);
	cJSON_Delete(o);
	free(reports);
	free(a);
	free(b);
}

Test(status, one_adapter_false)
{
	char *a = report("dns", 1, "False", NULL, "2026-11-22T02:30:00Z");
	char *b = report("validation", 1, "True", NULL, "2026-11-22T02:00:00Z");
	char *reports = hf_asprintf("[%s,%s]", a, b);
	cJSON *o = object(1, false, reports, "");
	cJSON *s = aggregate(o, two, 2, false);
	cr_assert_str_eq(field(s, "phase"), "Not Ready");
	cr_assert_str_eq(
		field(cond(s, "Reconciled"), "message"),
		"Required adapters not reporting Available=True: [dns]. Currently reporting: [validation]");
	const cJSON *l = cond(s, "LastKnownReconciled");
	cr_assert_str_eq(field(l, "status"), "False");
	cr_assert_str_eq(field(l, "reason"), "AdapterReportedNotAvailable");
	const cJSON *d = cond(s, "DnsSuccessful");
	cr_assert_str_eq(field(d, "status"), "False");
	cr_assert_str_eq(field(d, "reason"), "R-dns");
	cJSON_Delete(s);
	cJSON_Delete(o);
	free(reports);
	free(a);
	free(b);
}

/* A spec change: generation 2 while every report is at generation 1. */
Test(status, spec_change_keeps_last_known_reconciled_until_a_false_at_the_tracked_generation)
{
	char *a = report("dns", 1, "True", NULL, "2026-11-22T02:30:00Z");
	char *b = report("validation", 1, "True", NULL, "2026-11-22T02:00:00Z");
	char *reports = hf_asprintf("[%s,%s]", a, b);
	cJSON *o1 = object(1, false, reports, "");
	cJSON *s1 = aggregate(o1, two, 2, false);
	char *prev = cJSON_PrintUnformatted(s1);
	/* The previous status becomes the object's; the new reports come first,
	 * so they win over the copy of the old ones. */
	prev[strlen(prev) - 1] = '\0';
	char *prev_members = strstr(prev, "\"phase\"");

	cJSON *o2 = object(2, false, reports, prev_members);
	cJSON *s2 = aggregate(o2, two, 2, false);
	cr_assert_str_eq(field(s2, "phase"), "Not Ready");
	const cJSON *r = cond(s2, "Reconciled");
	cr_assert_str_eq(field(r, "status"), "False");
	cr_assert_eq(gen_of(r), 2);
	cr_assert_str_eq(field(r, "lastTransitionTime"), "2026-11-22T05:00:00Z",
			 "a generation bump dates the flip by when the new generation was seen");
	cr_assert_str_eq(field(s2, "observedGenerationTime"), "2026-11-22T05:00:00Z");
	const cJSON *l = cond(s2, "LastKnownReconciled");
	cr_assert_str_eq(field(l, "status"), "True", "sticky while generation 2 is in flight");
	cr_assert_eq(gen_of(l), 1);

	/* dns reports False at generation 2: not the tracked generation. */
	char *a2 = report("dns", 2, "False", NULL, "2026-11-22T05:10:00Z");
	char *reports2 = hf_asprintf("[%s,%s]", a2, b);
	char *prev2 = cJSON_PrintUnformatted(s2);
	prev2[strlen(prev2) - 1] = '\0';
	cJSON *o3 = object(2, false, reports2, strstr(prev2, "\"phase\""));
	cJSON *s3 = aggregate(o3, two, 2, false);
	cr_assert_str_eq(field(cond(s3, "LastKnownReconciled"), "status"), "True");
	cr_assert_str_eq(field(cond(s3, "Reconciled"), "lastTransitionTime"),
			 "2026-11-22T05:00:00Z", "still False: the transition time does not move");

	/* Both True at generation 2: Reconciled again, tracking generation 2. */
	char *a3 = report("dns", 2, "True", NULL, "2026-11-22T05:20:00Z");
	char *b3 = report("validation", 2, "True", NULL, "2026-11-22T05:15:00Z");
	char *reports3 = hf_asprintf("[%s,%s]", a3, b3);
	char *prev3 = cJSON_PrintUnformatted(s3);
	prev3[strlen(prev3) - 1] = '\0';
	cJSON *o4 = object(2, false, reports3, strstr(prev3, "\"phase\""));
	cJSON *s4 = aggregate(o4, two, 2, false);
	cr_assert_str_eq(field(s4, "phase"), "Ready");
	cr_assert_str_eq(field(cond(s4, "Reconciled"), "lastTransitionTime"),
			 "2026-11-22T05:15:00Z");
	cr_assert_eq(gen_of(cond(s4, "LastKnownReconciled")), 2);

	/* Now a False at the tracked generation 2 ends the stickiness. */
	char *a4 = report("dns", 2, "False", NULL, "2026-11-22T05:30:00Z");
	char *reports4 = hf_asprintf("[%s,%s]", a4, b3);
	char *prev4 = cJSON_PrintUnformatted(s4);
	prev4[strlen(prev4) - 1] = '\0';
	cJSON *o5 = object(2, false, reports4, strstr(prev4, "\"phase\""));
	cJSON *s5 = aggregate(o5, two, 2, false);
	const cJSON *l5 = cond(s5, "LastKnownReconciled");
	cr_assert_str_eq(field(l5, "status"), "False");
	cr_assert_str_eq(field(l5, "reason"), "AdapterReportedNotAvailable");
	cr_assert_str_eq(field(l5, "lastTransitionTime"), "2026-11-22T05:15:00Z");

	cJSON *all[] = {o1, s1, o2, s2, o3, s3, o4, s4, o5, s5};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		cJSON_Delete(all[i]);
	char *strs[] = {a,  b,	reports,  prev,	 a2, reports2, prev2,
			a3, b3, reports3, prev3, a4, reports4, prev4};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(strs[i]);
}

Test(status, a_first_report_with_available_unknown_counts_as_missing)
{
	char *a = report("dns", 1, "Unknown", NULL, "2026-11-22T02:30:00Z");
	char *reports = hf_asprintf("[%s]", a);
	cJSON *o = object(1, false, reports, "");
	cJSON *s = aggregate(o, two, 2, false);
	cr_assert_str_eq(field(cond(s, "DnsSuccessful"), "reason"), "AdapterNotReported");
	cr_assert_str_eq(field(cond(s, "LastKnownReconciled"), "reason"), "AdaptersMissingReports");
	cJSON_Delete(s);
	cJSON_Delete(o);
	free(reports);
	free(a);
}

Test(status, a_report_ahead_of_the_resource_is_ignored)
{
	char *a = report("dns", 5, "True", NULL, "2026-11-22T02:30:00Z");
	char *reports = hf_asprintf("[%s]", a);
	cJSON *o = object(1, false, reports, "");
	cJSON *s = aggregate(o, two, 2, false);
	cr_assert_str_eq(field(cond(s, "DnsSuccessful"), "reason"), "AdapterNotReported");
	cJSON_Delete(s);
	cJSON_Delete(o);
	free(reports);
	free(a);
}

Test(status, transition_times_move_only_on_a_flip)
{
	char *a = report("dns", 1, "False", NULL, "2026-11-22T02:00:00Z");
	char *reports = hf_asprintf("[%s]", a);
	const char *one[] = {"dns"};
	cJSON *o = object(1, false, reports, "");
	cJSON *s = aggregate(o, one, 1, false);
	cr_assert_str_eq(field(cond(s, "DnsSuccessful"), "lastTransitionTime"),
			 "2026-11-22T02:00:00Z");
	char *prev = cJSON_PrintUnformatted(s);
	prev[strlen(prev) - 1] = '\0';
	/* Still False, a later report: the transition time stays. */
	char *a2 = report("dns", 1, "False", NULL, "2026-11-22T02:10:00Z");
	char *reports2 = hf_asprintf("[%s]", a2);
	cJSON *o2 = object(1, false, reports2, strstr(prev, "\"phase\""));
	cJSON *s2 = aggregate(o2, one, 1, false);
	const cJSON *d2 = cond(s2, "DnsSuccessful");
	cr_assert_str_eq(field(d2, "lastTransitionTime"), "2026-11-22T02:00:00Z");
	cr_assert_str_eq(field(d2, "lastUpdateTime"), "2026-11-22T02:10:00Z");
	cr_assert_str_eq(field(d2, "createdTime"), "2026-11-22T01:00:00Z");
	/* Flips to True: the transition time is the report's. */
	char *prev2 = cJSON_PrintUnformatted(s2);
	prev2[strlen(prev2) - 1] = '\0';
	char *a3 = report("dns", 1, "True", NULL, "2026-11-22T02:20:00Z");
	char *reports3 = hf_asprintf("[%s]", a3);
	cJSON *o3 = object(1, false, reports3, strstr(prev2, "\"phase\""));
	cJSON *s3 = aggregate(o3, one, 1, false);
	cr_assert_str_eq(field(cond(s3, "DnsSuccessful"), "lastTransitionTime"),
			 "2026-11-22T02:20:00Z");
	cr_assert_str_eq(field(cond(s3, "Reconciled"), "lastTransitionTime"),
			 "2026-11-22T02:20:00Z");
	cJSON *all[] = {o, s, o2, s2, o3, s3};
	for (size_t i = 0; i < 6; i++)
		cJSON_Delete(all[i]);
	char *strs[] = {a, reports, prev, a2, reports2, prev2, a3, reports3};
	for (size_t i = 0; i < 8; i++)
		free(strs[i]);
}

Test(status, deletion_waits_for_finalized_and_for_children)
{
	char *a = report("dns", 2, "False", "True", "2026-11-22T03:10:00Z");
	char *b = report("validation", 2, "False", "True", "2026-11-22T03:05:00Z");
	char *reports = hf_asprintf("[%s,%s]", a, b);
	cJSON *o = object(2, true, reports, "");
	cJSON *s = aggregate(o, two, 2, true);
	cr_assert_str_eq(field(s, "phase"), "Terminating");
	const cJSON *r = cond(s, "Reconciled");
	cr_assert_str_eq(field(r, "status"), "False");
	cr_assert_str_eq(field(r, "reason"), "ReconciledWaitingForChildren");
	cJSON_Delete(s);
	s = aggregate(o, two, 2, false);
	cr_assert_str_eq(field(cond(s, "Reconciled"), "status"), "True");
	cr_assert_str_eq(field(s, "phase"), "Terminating", "deleting stays Terminating");
	cJSON_Delete(s);
	cJSON_Delete(o);
	/* One adapter has not finalized yet. */
	char *b2 = report("validation", 2, "False", "False", "2026-11-22T03:05:00Z");
	char *reports2 = hf_asprintf("[%s,%s]", a, b2);
	o = object(2, true, reports2, "");
	s = aggregate(o, two, 2, false);
	cr_assert_str_eq(
		field(cond(s, "Reconciled"), "message"),
		"Required adapters not reporting Finalized=True: [validation]. Currently reporting: [dns]");
	cJSON_Delete(s);
	cJSON_Delete(o);
	free(a);
	free(b);
	free(b2);
	free(reports);
	free(reports2);
}

Test(status, condition_names)
{
	char buf[64];
	cr_assert_str_eq(hf_status_condition_type("pull-secret", buf, sizeof(buf)),
			 "PullSecretSuccessful");
	cr_assert_str_eq(hf_status_condition_type("validation", buf, sizeof(buf)),
			 "ValidationSuccessful");
	cr_assert_str_eq(hf_status_condition_type("my-adapter", buf, sizeof(buf)),
			 "MyAdapterSuccessful");
	cr_assert_str_eq(hf_status_condition_type("nodepool-validation", buf, sizeof(buf)),
			 "NodepoolValidationSuccessful");
	cr_assert_str_eq(hf_status_condition_type("under_score", buf, sizeof(buf)),
			 "Under_scoreSuccessful");
}

Test(status, other_conditions_are_kept_and_stale_adapter_conditions_dropped)
{
	const char *prev = "\"conditions\":[{\"type\":\"ClusterExists\",\"status\":\"True\"},"
			   "{\"type\":\"GoneSuccessful\",\"status\":\"True\"}]";
	cJSON *o = object(1, false, "[]", prev);
	const char *one[] = {"dns"};
	cJSON *s = aggregate(o, one, 1, false);
	const cJSON *conds = cJSON_GetObjectItem(s, "conditions");
	cr_assert_not_null(hf_status_find_condition(conds, "ClusterExists"));
	cr_assert_null(hf_status_find_condition(conds, "GoneSuccessful"),
		       "no longer a required adapter");
	cr_assert_eq(cJSON_GetArraySize(conds), 4,
		     "Reconciled, LastKnownReconciled, DnsSuccessful, ClusterExists");
	cr_assert_str_eq(field(cJSON_GetArrayItem(conds, 0), "type"), "Reconciled",
			 "aggregated ones first");
	cJSON_Delete(s);
	cJSON_Delete(o);
}

Test(status, no_required_adapters_never_reconciles)
{
	cJSON *o = object(1, false, "[]", "");
	cJSON *s = aggregate(o, NULL, 0, false);
	cr_assert_str_eq(field(s, "phase"), "Not Ready");
	cr_assert_str_eq(field(cond(s, "Reconciled"), "message"),
			 "No required adapters are configured for this kind");
	cr_assert_eq(gen_of(cond(s, "LastKnownReconciled")), 1);
	cJSON_Delete(s);
	cJSON_Delete(o);
}

#include "core/reconciler.h"

Test(requeue, not_ready_backoff_starts_near_ten_seconds_and_is_capped)
{
	struct hf_reconciler_options o = {
		.not_ready_requeue_s = 10, .not_ready_requeue_max_s = 300, .ready_resync_s = 1800};
	cr_assert_float_eq(hf_reconciler_requeue_delay(&o, 1), 10, 1e-9);
	cr_assert_float_eq(hf_reconciler_requeue_delay(&o, 2), 20, 1e-9);
	cr_assert_float_eq(hf_reconciler_requeue_delay(&o, 3), 40, 1e-9);
	cr_assert_float_eq(hf_reconciler_requeue_delay(&o, 5), 160, 1e-9);
	cr_assert_float_eq(hf_reconciler_requeue_delay(&o, 6), 300, 1e-9, "capped");
	cr_assert_float_eq(hf_reconciler_requeue_delay(&o, 1000), 300, 1e-9);
}
