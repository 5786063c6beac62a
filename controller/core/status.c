#include "core/status.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/rfc3339.h"

/* What a required adapter's stored report says, for aggregation. */
struct snapshot {
	bool present; /* a usable report: Available True or False, generation not ahead */
	long long gen;
	double time;
	const char *time_str;
	bool available;
	bool finalized;
	const char *reason;
	const char *message;
};

char *hf_status_condition_type(const char *adapter, char *buf, size_t len)
{
	size_t o = 0;
	bool upper = true;
	for (const char *p = adapter; *p && o + 1 < len; p++) {
		if (*p == '-') {
			upper = true;
			continue;
		}
		buf[o++] = upper ? (char)toupper((unsigned char)*p) : *p;
		upper = false;
	}
	const char *suffix = "Successful";
	for (const char *p = suffix; *p && o + 1 < len; p++)
		buf[o++] = *p;
	if (len)
		buf[o] = '\0';
	return buf;
}

const cJSON *hf_status_find_condition(const cJSON *conditions, const char *type)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, conditions)
	{
		const char *t = hf_json_string(c, "type");
		if (t && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

static const char *condition_status(const cJSON *conditions, const char *type)
{
	return hf_json_string(hf_status_find_condition(conditions, type), "status");
}

static void take_snapshot(const cJSON *reports, const char *name, long long generation,
			  struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	const cJSON *r;
	cJSON_ArrayForEach(r, reports)
	{
		const char *adapter = hf_json_string(r, "adapter");
		if (!adapter || strcmp(adapter, name) != 0)
			continue;
		long long gen = 0;
		if (!hf_json_int64(cJSON_GetObjectItemCaseSensitive(r, "observedGeneration"),
				   &gen) ||
		    gen > generation)
			return;
		const cJSON *conds = cJSON_GetObjectItemCaseSensitive(r, "conditions");
		const cJSON *available = hf_status_find_condition(conds, "Available");
		const char *st = hf_json_string(available, "status");
		/* Unknown says nothing yet: the adapter counts as missing. */
		if (!st || (strcmp(st, "True") != 0 && strcmp(st, "False") != 0))
			return;
		s->present = true;
		s->gen = gen;
		s->time_str = hf_json_string(r, "lastReportTime");
		if (!s->time_str || !hf_rfc3339_parse(s->time_str, &s->time))
			s->time = 0;
		s->available = strcmp(st, "True") == 0;
		const char *fin = condition_status(conds, "Finalized");
		s->finalized = fin && strcmp(fin, "True") == 0;
		s->reason = hf_json_string(available, "reason");
		s->message = hf_json_string(available, "message");
		return;
	}
}

/* A condition as the CRD stores it. */
struct cond {
	const char *type;
	bool status;
	const char *reason;
	const char *message;
	long long observed_generation;
	const char *last_update;
	const char *last_transition;
	const char *created;
};

static cJSON *make_condition(const struct cond *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", c->type);
	cJSON_AddStringToObject(o, "status", c->status ? "True" : "False");
	if (c->reason)
		cJSON_AddStringToObject(o, "reason", c->reason);
	if (c->message)
		cJSON_AddStringToObject(o, "message", c->message);
	cJSON_AddNumberToObject(o, "observedGeneration", (double)c->observed_generation);
	cJSON_AddStringToObject(o, "lastTransitionTime", c->last_transition);
	cJSON_AddStringToObject(o, "lastUpdateTime", c->last_update);
	cJSON_AddStringToObject(o, "createdTime", c->created);
	return o;
}

/* transition keeps the previous lastTransitionTime unless status flipped. */
static const char *transition(const cJSON *prev, bool status, const char *changed_at)
{
	const char *ps = hf_json_string(prev, "status");
	const char *pt = hf_json_string(prev, "lastTransitionTime");
	if (ps && pt && (strcmp(ps, "True") == 0) == status)
		return pt;
	return changed_at;
}

static const char *created(const cJSON *prev, const char *fallback)
{
	const char *c = hf_json_string(prev, "createdTime");
	return c ? c : fallback;
}

static long long prev_generation(const cJSON *prev)
{
	long long g = 0;
	return hf_json_int64(cJSON_GetObjectItemCaseSensitive(prev, "observedGeneration"), &g) ? g
											       : 0;
}

/* name_list appends "[a, b]" of the required adapters selected by want. */
static void name_list(struct hf_buf *b, const struct hf_status_context *ctx,
		      const struct snapshot *snaps, bool want_ok, bool deleting,
		      long long generation)
{
	enum hf_err err = hf_buf_appends(b, "[");
	bool first = true;
	for (size_t i = 0; i < ctx->nrequired; i++) {
		const struct snapshot *s = &snaps[i];
		bool ok = s->present && s->gen == generation &&
			  (deleting ? s->finalized : s->available);
		if (ok != want_ok)
			continue;
		err = err ? err : hf_buf_printf(b, "%s%s", first ? "" : ", ", ctx->required[i]);
		first = false;
	}
	err = err ? err : hf_buf_appends(b, "]");
	(void)err; /* uncapped */
}

static cJSON *reconciled(const struct hf_status_context *ctx, const struct snapshot *snaps,
			 long long generation, bool deleting, const cJSON *prev,
			 const char *ref_time)
{
	size_t n = ctx->nrequired;
	bool all_done = n > 0;
	const char *min_time = NULL;
	double min_t = 0;
	for (size_t i = 0; i < n; i++) {
		const struct snapshot *s = &snaps[i];
		if (!(s->present && s->gen == generation &&
		      (deleting ? s->finalized : s->available)))
			all_done = false;
		if (s->present && s->gen == generation && s->time_str &&
		    (!min_time || s->time < min_t)) {
			min_time = s->time_str;
			min_t = s->time;
		}
	}
	bool status = all_done && !(deleting && ctx->has_children);

	struct hf_buf msg;
	hf_buf_init(&msg, 0);
	const char *reason;
	enum hf_err err = HF_OK;
	if (status) {
		reason = "ReconciledAll";
		err = hf_buf_appends(
			&msg,
			"All required adapters reported Available=True or Finalized=True at the current generation");
	} else if (n == 0) {
		reason = "ReconciledMissingAdapters";
		err = hf_buf_appends(&msg, "No required adapters are configured for this kind");
	} else if (deleting && all_done) {
		reason = "ReconciledWaitingForChildren";
		err = hf_buf_appends(
			&msg,
			"Deletion in progress. All required adapters reported Finalized=True but child resources still exist");
	} else {
		reason = "ReconciledMissingAdapters";
		err = hf_buf_printf(&msg, "Required adapters not reporting %s=True: ",
				    deleting ? "Finalized" : "Available");
		name_list(&msg, ctx, snaps, false, deleting, generation);
		err = err ? err : hf_buf_appends(&msg, ". Currently reporting: ");
		name_list(&msg, ctx, snaps, true, deleting, generation);
	}
	(void)err;

	const char *last_update = min_time ? min_time : ref_time;
	const char *ltt;
	const char *ps = hf_json_string(prev, "status");
	if (!prev) {
		ltt = last_update;
	} else if (ps && (strcmp(ps, "True") == 0) == status) {
		ltt = transition(prev, status, last_update);
	} else if (ps && strcmp(ps, "True") == 0 && generation > prev_generation(prev)) {
		/* A new generation made it False: it changed when the spec did. */
		ltt = ref_time;
	} else {
		ltt = last_update;
	}
	struct cond c = {"Reconciled", status,	    reason, hf_buf_str(&msg),
			 generation,   last_update, ltt,    created(prev, ref_time)};
	cJSON *out = make_condition(&c);
	hf_buf_free(&msg);
	return out;
}

static cJSON *last_known_reconciled(const struct hf_status_context *ctx,
				    const struct snapshot *snaps, const cJSON *prev,
				    const char *ref_time)
{
	size_t n = ctx->nrequired;
	bool missing = n == 0, all_true = n > 0, mixed = false, some_false = false;
	long long common = -1, max_gen = 0;
	for (size_t i = 0; i < n; i++) {
		const struct snapshot *s = &snaps[i];
		if (!s->present) {
			missing = true;
			all_true = false;
			continue;
		}
		if (!s->available) {
			all_true = false;
			some_false = true;
		}
		if (common >= 0 && s->gen != common)
			mixed = true;
		common = s->gen;
		if (s->gen > max_gen)
			max_gen = s->gen;
	}
	const char *ps = hf_json_string(prev, "status");
	bool prev_true = ps && strcmp(ps, "True") == 0;
	long long tracked = prev_generation(prev);

	bool status;
	if (missing)
		status = false;
	else if (all_true)
		status = !mixed || prev_true;
	else {
		/* Sticky: a False only counts at the generation being tracked. */
		bool false_at_tracked = false;
		for (size_t i = 0; i < n; i++)
			if (snaps[i].present && !snaps[i].available && snaps[i].gen == tracked)
				false_at_tracked = true;
		status = prev_true && !false_at_tracked;
	}

	long long gen;
	if (n == 0)
		gen = 1;
	else if (status && all_true && !mixed)
		gen = common;
	else if (status)
		gen = tracked ? tracked : 1;
	else
		gen = max_gen ? max_gen : (tracked ? tracked : 1);

	const char *prev_update = hf_json_string(prev, "lastUpdateTime");
	const char *last_update = prev_update ? prev_update : ref_time;
	if (all_true && !mixed) {
		const char *m = NULL;
		double mt = 0;
		for (size_t i = 0; i < n; i++)
			if (snaps[i].time_str && (!m || snaps[i].time < mt)) {
				m = snaps[i].time_str;
				mt = snaps[i].time;
			}
		if (m)
			last_update = m;
	} else if (!status && !missing) {
		const char *m = NULL;
		double mt = 0;
		bool false_at_gen = false;
		for (size_t i = 0; i < n; i++)
			if (snaps[i].present && snaps[i].gen == gen) {
				false_at_gen = false_at_gen || !snaps[i].available;
				if (snaps[i].time_str && (!m || snaps[i].time < mt)) {
					m = snaps[i].time_str;
					mt = snaps[i].time;
				}
			}
		if (false_at_gen && m)
			last_update = m;
	}

	const char *reason, *message;
	if (status) {
		reason = "AllAdaptersReconciled";
		message = "All required adapters report Available=True for the tracked generation";
	} else if (missing) {
		reason = "AdaptersMissingReports";
		message = "Required adapters have not yet reported status";
	} else if (some_false) {
		reason = "AdapterReportedNotAvailable";
		message = "One or more required adapters report Available=False";
	} else {
		reason = "AdaptersNotAtSameGeneration";
		message = "Required adapters do not report a consistent Available state";
	}
	struct cond c = {"LastKnownReconciled",
			 status,
			 reason,
			 message,
			 gen,
			 last_update,
			 transition(prev, status, last_update),
			 created(prev, ref_time)};
	return make_condition(&c);
}

static cJSON *adapter_condition(const char *adapter, const struct snapshot *s, long long generation,
				const cJSON *prev_conditions, const char *ref_time)
{
	char type[160];
	hf_status_condition_type(adapter, type, sizeof(type));
	const cJSON *prev = hf_status_find_condition(prev_conditions, type);
	char missing_msg[320];
	struct cond c = {.type = type, .created = created(prev, ref_time)};
	if (s->present) {
		const char *when = s->time_str ? s->time_str : ref_time;
		c.status = s->available;
		c.reason = s->reason;
		c.message = s->message;
		c.observed_generation = s->gen;
		c.last_update = when;
		c.last_transition = transition(prev, s->available, when);
	} else {
		snprintf(missing_msg, sizeof(missing_msg),
			 "Adapter %s has not reported Available=True or False yet", adapter);
		c.status = false;
		c.reason = "AdapterNotReported";
		c.message = missing_msg;
		c.observed_generation = generation;
		c.last_update = ref_time;
		c.last_transition = transition(prev, false, ref_time);
	}
	return make_condition(&c);
}

/* aggregation_owns tells whether a condition type is computed here. */
static bool aggregation_owns(const char *type)
{
	size_t n = strlen(type), s = strlen("Successful");
	return strcmp(type, "Reconciled") == 0 || strcmp(type, "LastKnownReconciled") == 0 ||
	       (n > s && strcmp(type + n - s, "Successful") == 0);
}

cJSON *hf_status_aggregate(const cJSON *object, const struct hf_status_context *ctx)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(object, "metadata");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(object, "status");
	const cJSON *prev_conditions = cJSON_GetObjectItemCaseSensitive(status, "conditions");
	const cJSON *reports = cJSON_GetObjectItemCaseSensitive(status, "adapters");
	long long generation = 1;
	hf_json_int64(cJSON_GetObjectItemCaseSensitive(meta, "generation"), &generation);
	bool deleting = cJSON_GetObjectItemCaseSensitive(meta, "deletionTimestamp") != NULL;

	/* The time the current generation was first seen: creation for the
	 * first, else kept in status once dated (by the caller's clock: no
	 * report can date a spec change). */
	char now[32];
	const char *ref_time;
	long long seen_gen = 0;
	hf_json_int64(cJSON_GetObjectItemCaseSensitive(status, "observedGeneration"), &seen_gen);
	const char *seen_time = hf_json_string(status, "observedGenerationTime");
	if (seen_gen == generation && seen_time)
		ref_time = seen_time;
	else if (generation <= 1 && hf_json_string(meta, "creationTimestamp"))
		ref_time = hf_json_string(meta, "creationTimestamp");
	else
		ref_time = hf_rfc3339_format(ctx->now, now, sizeof(now));

	struct snapshot *snaps = hf_calloc(ctx->nrequired ? ctx->nrequired : 1, sizeof(*snaps));
	for (size_t i = 0; i < ctx->nrequired; i++)
		take_snapshot(reports, ctx->required[i], generation, &snaps[i]);

	cJSON *out = cJSON_CreateObject();
	cJSON *conds = cJSON_CreateArray();
	cJSON *rec = reconciled(ctx, snaps, generation, deleting,
				hf_status_find_condition(prev_conditions, "Reconciled"), ref_time);
	bool ready = strcmp(hf_json_string(rec, "status"), "True") == 0;
	cJSON_AddItemToArray(conds, rec);
	cJSON_AddItemToArray(conds,
			     last_known_reconciled(ctx, snaps,
						   hf_status_find_condition(prev_conditions,
									    "LastKnownReconciled"),
						   ref_time));
	for (size_t i = 0; i < ctx->nrequired; i++)
		cJSON_AddItemToArray(conds,
				     adapter_condition(ctx->required[i], &snaps[i], generation,
						       prev_conditions, ref_time));
	const cJSON *c;
	cJSON_ArrayForEach(c, prev_conditions)
	{
		const char *type = hf_json_string(c, "type");
		if (type && !aggregation_owns(type))
			cJSON_AddItemToArray(conds, cJSON_Duplicate(c, true));
	}

	cJSON_AddStringToObject(out, "phase",
				deleting ? HF_PHASE_TERMINATING
				: ready	 ? HF_PHASE_READY
					 : HF_PHASE_NOT_READY);
	cJSON_AddNumberToObject(out, "observedGeneration", (double)generation);
	cJSON_AddStringToObject(out, "observedGenerationTime", ref_time);
	cJSON_AddItemToObject(out, "conditions", conds);
	if (reports)
		cJSON_AddItemToObject(out, "adapters", cJSON_Duplicate(reports, true));
	free(snaps);
	return out;
}
