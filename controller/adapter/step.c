/*
 * step.c: one evaluation of an adapter (step.h): params, preconditions,
 * rendered objects and their actions, then the report.
 */
#include "adapter/step.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter/config.h"
#include "cel/cel.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/rfc3339.h"

#define LABEL_ADAPTER  "hyperfleet.io/adapter"
#define LABEL_CLUSTER  "hyperfleet.io/cluster-id"
#define LABEL_NODEPOOL "hyperfleet.io/nodepool-id"
#define LABEL_RESOURCE "hyperfleet.io/resource"
#define ANN_GENERATION "hyperfleet.io/generation"
#define ANN_MANIFEST   "hyperfleet.io/manifest-hash"
#define MAX_VARS       10

enum job_state { JOB_ABSENT, JOB_RUNNING, JOB_SUCCEEDED, JOB_FAILED, JOB_DEADLINE };

struct run {
	const struct hf_adapter_input *in;
	const struct hf_adapter *a;
	struct hf_adapter_result *out;
	long long generation;
	const char *uid, *cluster_uid;
	cJSON *generation_json, *adapters, *resources, *results, *empty;
	struct hf_cel_var vars[MAX_VARS];
	struct timespec now;
	struct hf_cel_activation act;
};

const char *hf_adapter_action_name(enum hf_adapter_action a)
{
	switch (a) {
	case HF_ADAPTER_KEEP: return "keep";
	case HF_ADAPTER_CREATE: return "create";
	case HF_ADAPTER_UPDATE: return "update";
	case HF_ADAPTER_RECREATE: return "recreate";
	case HF_ADAPTER_DELETE: return "delete";
	}
	return "?";
}

__attribute__((format(printf, 5, 6))) static void
decide(struct run *r, const char *phase, const char *name, bool ok, const char *fmt, ...)
{
	struct hf_adapter_result *o = r->out;
	va_list ap;
	char *text;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	va_end(ap);
	o->decisions = hf_realloc(o->decisions, (o->ndecisions + 1) * sizeof(*o->decisions));
	o->decisions[o->ndecisions++] = (struct hf_adapter_decision){.phase = hf_strdup(phase),
								     .name = hf_strdup(name),
								     .outcome = hf_strdup(text),
								     .ok = ok};
	free(text);
}

static uint64_t fnv1a(const char *s, uint64_t h)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

char *hf_adapter_object_name(const char *adapter, const char *resource, const char *uid,
			     long long generation, bool with_generation, char *buf, size_t len)
{
	char head[256], tail[64];
	size_t n = 0;
	snprintf(head, sizeof(head), "%s-%s", adapter, resource);
	for (char *c = head; *c; c++) {
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
		else if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
			*c = '-';
	}
	char uid8[9] = {0};
	for (const char *c = uid ? uid : ""; *c && n < 8; c++)
		if ((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
		    (*c >= 'A' && *c <= 'Z'))
			uid8[n++] = (char)((*c >= 'A' && *c <= 'Z') ? *c - 'A' + 'a' : *c);
	if (with_generation)
		snprintf(tail, sizeof(tail), "%s%s-g%lld", n ? "-" : "", uid8, generation);
	else
		snprintf(tail, sizeof(tail), "%s%s", n ? "-" : "", uid8);
	if (strlen(head) + strlen(tail) <= 63) {
		snprintf(buf, len, "%s%s", head, tail);
		return buf;
	}
	/* Too long: keep a prefix of head and add a hash of the whole head so
	 * that two long names sharing the prefix stay distinct. */
	size_t keep = 63 - strlen(tail) - 9;
	head[keep] = '\0';
	while (keep > 0 && head[keep - 1] == '-')
		head[--keep] = '\0';
	char full[256];
	snprintf(full, sizeof(full), "%s-%s", adapter, resource);
	snprintf(buf, len, "%s-%08x%s", head,
		 (unsigned)(fnv1a(full, 14695981039346656037ULL) >> 32), tail);
	return buf;
}

struct cJSON *hf_adapter_env(char **environ_)
{
	cJSON *env = cJSON_CreateObject();
	static const char prefix[] = "HYPERFLEET_ENV_";
	for (char **e = environ_; e && *e; e++) {
		if (strncmp(*e, prefix, sizeof(prefix) - 1))
			continue;
		const char *eq = strchr(*e, '=');
		if (!eq || eq == *e + sizeof(prefix) - 1)
			continue;
		char *name = hf_strndup(*e + sizeof(prefix) - 1,
					(size_t)(eq - *e) - (sizeof(prefix) - 1));
		if (!cJSON_GetObjectItemCaseSensitive(env, name))
			cJSON_AddStringToObject(env, name, eq + 1);
		free(name);
	}
	return env;
}

/* ---- inputs ---- */

static const cJSON *member(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

static const cJSON *find_condition(const cJSON *conditions, const char *type)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, conditions)
	{
		const char *t = hf_json_string(c, "type");
		if (t && !strcmp(t, type))
			return c;
	}
	return NULL;
}

static bool condition_true(const cJSON *conditions, const char *type)
{
	const char *s = hf_json_string(find_condition(conditions, type), "status");
	return s && !strcmp(s, "True");
}

/* adapters_map: name -> report, from a map or a list of entries. */
static cJSON *adapters_map(const cJSON *reports)
{
	if (cJSON_IsObject(reports))
		return cJSON_Duplicate(reports, true);
	cJSON *map = cJSON_CreateObject();
	const cJSON *e;
	cJSON_ArrayForEach(e, reports)
	{
		const char *name = hf_json_string(e, "adapter");
		if (name && !cJSON_GetObjectItemCaseSensitive(map, name))
			cJSON_AddItemToObject(map, name, cJSON_Duplicate(e, true));
	}
	return map;
}

static const struct hf_adapter_observed *observed(const struct run *r, const char *resource)
{
	for (size_t i = 0; i < r->in->nobserved; i++)
		if (r->in->observed[i].resource && !strcmp(r->in->observed[i].resource, resource))
			return &r->in->observed[i];
	return NULL;
}

/* ---- failures ---- */

/* join_error turns a template's "sub.path: msg" into "path.sub.path: msg". */
static char *join_error(const char *path, const char *e)
{
	const char *sep = strstr(e, ": ");
	if (!sep || (e[0] >= '0' && e[0] <= '9')) /* an expression's "1:5: ..." */
		return hf_asprintf("%s: %s", path, e);
	size_t n = (size_t)(sep - e);
	if (n == 6 && !strncmp(e, "(root)", 6))
		return hf_asprintf("%s: %s", path, sep + 2);
	return hf_asprintf("%s%s%.*s: %s", path, e[0] == '[' ? "" : ".", (int)n, e, sep + 2);
}

/* eval_failed: an expression failed at run time. The adapter's machinery is
 * unhealthy (Health=False) and the message says where and why. */
static void eval_failed(struct run *r, const char *phase, const char *name, char *message)
{
	struct hf_report *rep = &r->out->report;
	decide(r, phase, name, false, "error: %s", message);
	if (!r->out->error)
		r->out->error = hf_strdup(message);
	hf_report_add_condition(rep, "Applied", "False", "EvaluationFailed", message);
	hf_report_add_condition(rep, "Available", "False", "EvaluationFailed", message);
	hf_report_add_condition(rep, "Health", "False", "EvaluationFailed", message);
	if (r->out->deleting)
		hf_report_add_condition(rep, "Finalized", "False", "EvaluationFailed", message);
	free(message);
}

/* ---- phases ---- */

static bool eval_params(struct run *r)
{
	for (size_t i = 0; i < r->a->nparams; i++) {
		const struct hf_adapter_param *p = &r->a->params[i];
		cJSON *v = NULL;
		char *e = NULL;
		if (hf_cel_eval(p->expression, &r->act, &v, &e) != HF_OK) {
			char *path = hf_asprintf("spec.params[%zu].expression", i);
			eval_failed(r, "param", p->name,
				    join_error(path, e ? e : "evaluation failed"));
			free(path);
			free(e);
			return false;
		}
		char *text = cJSON_PrintUnformatted(v);
		decide(r, "param", p->name, true, "= %s", text ? text : "?");
		free(text);
		cJSON_DeleteItemFromObjectCaseSensitive(r->out->params, p->name);
		cJSON_AddItemToObject(r->out->params, p->name, v);
	}
	return true;
}

static char *depends_on_message(const struct run *r, const char *name, bool *met)
{
	const cJSON *entry = cJSON_GetObjectItemCaseSensitive(r->adapters, name);
	long long gen = -1;
	*met = false;
	if (!entry)
		return hf_asprintf("waiting for adapter %s: it has not reported yet", name);
	hf_json_int64(cJSON_GetObjectItemCaseSensitive(entry, "observedGeneration"), &gen);
	if (gen < 0)
		hf_json_int64(cJSON_GetObjectItemCaseSensitive(entry, "observed_generation"), &gen);
	const cJSON *av =
		find_condition(cJSON_GetObjectItemCaseSensitive(entry, "conditions"), "Available");
	const char *status = hf_json_string(av, "status");
	if (gen == r->generation && status && !strcmp(status, "True")) {
		*met = true;
		return NULL;
	}
	return hf_asprintf(
		"waiting for adapter %s to be Available at generation %lld (it reports Available=%s at generation %lld)",
		name, r->generation, status ? status : "Unknown", gen);
}

/* eval_preconditions: false when the run stops (unmet or error). */
static bool eval_preconditions(struct run *r)
{
	size_t own = 0;
	for (size_t i = 0; i < r->a->npreconditions; i++) {
		const struct hf_adapter_precondition *p = &r->a->preconditions[i];
		char *message = NULL;
		bool met = false;
		if (p->depends_on) {
			message = depends_on_message(r, p->depends_on, &met);
		} else {
			char *e = NULL;
			size_t idx = own++;
			if (hf_cel_eval_bool(p->expression, &r->act, &met, &e) != HF_OK) {
				char *path = hf_asprintf("spec.preconditions[%zu].expression", idx);
				eval_failed(r, "precondition", p->name,
					    join_error(path, e ? e : "evaluation failed"));
				free(path);
				free(e);
				return false;
			}
			if (!met && p->message) {
				cJSON *m = NULL;
				if (hf_cel_template_render(p->message, &r->act, &m, &e) != HF_OK) {
					char *path =
						hf_asprintf("spec.preconditions[%zu].message", idx);
					eval_failed(r, "precondition", p->name,
						    join_error(path, e ? e : "evaluation failed"));
					free(path);
					free(e);
					return false;
				}
				message = cJSON_IsString(m) ? hf_strdup(m->valuestring)
							    : cJSON_PrintUnformatted(m);
				cJSON_Delete(m);
			} else if (!met) {
				message = hf_asprintf("%s", hf_cel_program_source(p->expression));
			}
		}
		if (met) {
			decide(r, "precondition", p->name, true, "met");
			continue;
		}
		char *full = hf_asprintf("precondition %s not met: %s", p->name, message);
		decide(r, "precondition", p->name, false, "not met: %s", message);
		r->out->unmet = hf_strdup(p->name);
		struct hf_report *rep = &r->out->report;
		hf_report_add_condition(rep, "Applied", "False", "PreconditionsNotMet", full);
		hf_report_add_condition(rep, "Available", "False", "PreconditionsNotMet", full);
		hf_report_add_condition(rep, "Health", "True", "Healthy",
					"the adapter is waiting; nothing went wrong");
		free(full);
		free(message);
		return false;
	}
	return true;
}

static void set_string(cJSON *obj, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddStringToObject(obj, key, value);
}

static cJSON *object_member(cJSON *obj, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsObject(v))
		return v;
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	return cJSON_AddObjectToObject(obj, key);
}

static char *selector(const struct run *r, const char *resource)
{
	if (r->a->target == HF_ADAPTER_NODEPOOL)
		return hf_asprintf("%s=%s,%s=%s,%s=%s,%s=%s", LABEL_ADAPTER, r->a->name,
				   LABEL_CLUSTER, r->cluster_uid, LABEL_NODEPOOL, r->uid,
				   LABEL_RESOURCE, resource);
	return hf_asprintf("%s=%s,%s=%s,%s=%s", LABEL_ADAPTER, r->a->name, LABEL_CLUSTER, r->uid,
			   LABEL_RESOURCE, resource);
}

static struct hf_adapter_object *add_object(struct run *r)
{
	struct hf_adapter_result *o = r->out;
	o->objects = hf_realloc(o->objects, (o->nobjects + 1) * sizeof(*o->objects));
	struct hf_adapter_object *obj = &o->objects[o->nobjects++];
	memset(obj, 0, sizeof(*obj));
	return obj;
}

/* observed_object returns what was observed for res when it is the object
 * of this generation (same name), NULL otherwise. */
static const cJSON *current(const struct run *r, const struct hf_adapter_object *obj)
{
	const struct hf_adapter_observed *ob = observed(r, obj->resource);
	if (!ob || !ob->object)
		return NULL;
	const char *name = hf_json_string(member(ob->object, "metadata", NULL), "name");
	return name && obj->name && !strcmp(name, obj->name) ? ob->object : NULL;
}

/* render_resources renders each resource into an object and decides its
 * action; false on an evaluation error. */
static bool render_resources(struct run *r, const struct hf_adapter_resource *list, size_t n,
			     bool deletion)
{
	for (size_t i = 0; i < n; i++) {
		const struct hf_adapter_resource *res = &list[i];
		cJSON *m = NULL;
		char *e = NULL;
		char *path = hf_asprintf("spec.%sresources[%zu].manifest",
					 deletion ? "deletion." : "", i);
		if (hf_cel_template_render(res->manifest, &r->act, &m, &e) != HF_OK) {
			eval_failed(r, "resource", res->name,
				    join_error(path, e ? e : "render failed"));
			free(path);
			free(e);
			return false;
		}
		cJSON *meta = object_member(m, "metadata");
		const char *fixed = hf_json_string(meta, "name");
		if (res->fixed_name && (!fixed || !fixed[0])) {
			char *msg = hf_asprintf(
				"%s.metadata.name: must render to a non-empty string", path);
			cJSON_Delete(m);
			eval_failed(r, "resource", res->name, msg);
			free(path);
			return false;
		}
		free(path);
		char hash[20], namebuf[64], gen[24];
		char *text = cJSON_PrintUnformatted(m);
		snprintf(hash, sizeof(hash), "%016llx",
			 (unsigned long long)fnv1a(text ? text : "", 14695981039346656037ULL));
		free(text);
		struct hf_adapter_object *obj = add_object(r);
		obj->resource = res->name;
		obj->deletion = deletion;
		obj->name = hf_strdup(
			res->fixed_name ? fixed
					: hf_adapter_object_name(r->a->name, res->name, r->uid,
								 r->generation, res->job, namebuf,
								 sizeof(namebuf)));
		obj->selector = selector(r, res->name);
		set_string(meta, "name", obj->name);
		cJSON *labels = object_member(meta, "labels");
		set_string(labels, LABEL_ADAPTER, r->a->name);
		set_string(labels, LABEL_CLUSTER,
			   r->a->target == HF_ADAPTER_NODEPOOL ? r->cluster_uid : r->uid);
		if (r->a->target == HF_ADAPTER_NODEPOOL)
			set_string(labels, LABEL_NODEPOOL, r->uid);
		set_string(labels, LABEL_RESOURCE, res->name);
		cJSON *ann = object_member(meta, "annotations");
		snprintf(gen, sizeof(gen), "%lld", r->generation);
		set_string(ann, ANN_GENERATION, gen);
		set_string(ann, ANN_MANIFEST, hash);
		obj->manifest = m;

		const cJSON *cur = current(r, obj);
		const char *had =
			cur ? hf_json_string(member(cur, "metadata", "annotations"), ANN_MANIFEST)
			    : NULL;
		if (!cur)
			obj->action = HF_ADAPTER_CREATE;
		else if (had && !strcmp(had, hash))
			obj->action = HF_ADAPTER_KEEP;
		else
			obj->action =
				res->recreate_on_change ? HF_ADAPTER_RECREATE : HF_ADAPTER_UPDATE;
		decide(r, deletion ? "deletion" : "resource", res->name, true, "%s %s %s",
		       hf_adapter_action_name(obj->action), res->kind, obj->name);
	}
	return true;
}

/* fill_resources: the resources variable, name -> the observed object of
 * this generation. */
static void fill_resources(struct run *r)
{
	for (size_t i = 0; i < r->out->nobjects; i++) {
		const struct hf_adapter_object *obj = &r->out->objects[i];
		const cJSON *cur =
			obj->action == HF_ADAPTER_DELETE
				? (observed(r, obj->resource) ? observed(r, obj->resource)->object
							      : NULL)
				: current(r, obj);
		/* Absent objects are absent keys, so has(resources.x) and
		 * resources.?x work as in the original framework's configs. */
		cJSON_DeleteItemFromObjectCaseSensitive(r->resources, obj->resource);
		if (cur)
			cJSON_AddItemToObject(r->resources, obj->resource,
					      cJSON_Duplicate(cur, true));
	}
}

static enum job_state job_state(const cJSON *job, const char **reason, const char **message)
{
	const cJSON *st = member(job, "status", NULL), *conds = member(st, "conditions", NULL);
	*reason = *message = NULL;
	if (!job)
		return JOB_ABSENT;
	const cJSON *failed = find_condition(conds, "Failed");
	const char *fs = hf_json_string(failed, "status");
	if (fs && !strcmp(fs, "True")) {
		*reason = hf_json_string(failed, "reason");
		*message = hf_json_string(failed, "message");
		return *reason && !strcmp(*reason, "DeadlineExceeded") ? JOB_DEADLINE : JOB_FAILED;
	}
	if (condition_true(conds, "Complete") || condition_true(conds, "SuccessCriteriaMet"))
		return JOB_SUCCEEDED;
	return JOB_RUNNING;
}

/* io_errors joins the API errors of the resources ("; "), or NULL. */
static char *io_errors(const struct run *r)
{
	struct hf_buf b;
	hf_buf_init(&b, 0);
	for (size_t i = 0; i < r->in->nobserved; i++)
		if (r->in->observed[i].error &&
		    hf_buf_printf(&b, "%s%s", b.len ? "; " : "", r->in->observed[i].error))
			break;
	return b.len ? hf_buf_steal(&b) : NULL;
}

/* valid_reason: a condition reason Kubernetes accepts (CamelCase-like:
 * a letter, then letters, digits, '_', ',' or ':', not ending in ':' or
 * ','), at most 128 characters. A Job's result that names anything else
 * keeps the engine's own reason. */
static bool valid_reason(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == ',' || *c == ':'))
			return false;
	return s[n - 1] != ':' && s[n - 1] != ',';
}

/* job_results: the results variable, resource name -> what its Job's pod
 * said when it terminated. A termination message that is a JSON object is
 * the Job's result as it wrote it ({"reason", "message", "data", ...});
 * any other text becomes {"message": text}. */
static cJSON *job_results(const struct hf_adapter_input *in)
{
	cJSON *results = cJSON_CreateObject();
	for (size_t i = 0; i < in->nobserved; i++) {
		const struct hf_adapter_observed *ob = &in->observed[i];
		if (!ob->termination_message || !ob->termination_message[0] ||
		    cJSON_GetObjectItemCaseSensitive(results, ob->resource))
			continue;
		cJSON *v = cJSON_Parse(ob->termination_message);
		if (!cJSON_IsObject(v)) {
			cJSON_Delete(v);
			v = cJSON_CreateObject();
			cJSON_AddStringToObject(v, "message", ob->termination_message);
		}
		cJSON_AddItemToObject(results, ob->resource, v);
	}
	return results;
}

/* The state of the objects (one list: normal or deletion), derived. */
struct summary {
	size_t total, present, jobs, succeeded;
	const struct hf_adapter_object *missing, *failed, *running;
	const char *fail_reason, *fail_message;
	const char *job_reason; /* the failed Job's own reason (its result), or NULL */
	bool deadline;
	double started; /* earliest Job startTime, 0 when none */
	const char *job_name;
};

static void summarize(const struct run *r, bool deletion, struct summary *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < r->out->nobjects; i++) {
		const struct hf_adapter_object *obj = &r->out->objects[i];
		if (obj->deletion != deletion || obj->action == HF_ADAPTER_DELETE)
			continue;
		const struct hf_adapter_resource *res =
			hf_adapter_resource_find(r->a, obj->resource);
		const cJSON *cur = current(r, obj);
		s->total++;
		if (cur)
			s->present++;
		else if (!s->missing)
			s->missing = obj;
		if (!res || !res->job)
			continue;
		s->jobs++;
		if (!s->job_name)
			s->job_name = obj->name;
		double t;
		const char *start = hf_json_string(member(cur, "status", NULL), "startTime");
		if (start && hf_rfc3339_parse(start, &t) && (s->started == 0 || t < s->started))
			s->started = t;
		const char *reason, *message;
		switch (job_state(cur, &reason, &message)) {
		case JOB_SUCCEEDED: s->succeeded++; break;
		case JOB_RUNNING:
			if (!s->running)
				s->running = obj;
			break;
		case JOB_DEADLINE:
		case JOB_FAILED:
			if (!s->failed) {
				s->failed = obj;
				s->deadline = reason && !strcmp(reason, "DeadlineExceeded");
				const cJSON *result =
					cJSON_GetObjectItemCaseSensitive(r->results, obj->resource);
				const char *rr = hf_json_string(result, "reason");
				const char *rm = hf_json_string(result, "message");
				s->fail_reason = reason;
				s->job_reason = rr && valid_reason(rr) ? rr : NULL;
				s->fail_message = rm && rm[0] ? rm : message;
			}
			break;
		case JOB_ABSENT: break;
		}
	}
}

/* previous_start: the startedTime of our own report at this generation. */
static double previous_start(const struct run *r)
{
	const cJSON *me = cJSON_GetObjectItemCaseSensitive(r->adapters, r->a->name);
	long long gen = -1;
	double t = 0;
	hf_json_int64(cJSON_GetObjectItemCaseSensitive(me, "observedGeneration"), &gen);
	const char *s = hf_json_string(member(me, "metadata", NULL), "startedTime");
	if (gen == r->generation && s && hf_rfc3339_parse(s, &t))
		return t;
	return 0;
}

static void format_duration(double secs, char *buf, size_t len)
{
	long long s = (long long)secs;
	if (s % 3600 == 0)
		snprintf(buf, len, "%lldh", s / 3600);
	else if (s % 60 == 0)
		snprintf(buf, len, "%lldm", s / 60);
	else
		snprintf(buf, len, "%llds", s);
}

/* A condition being assembled. */
struct cond {
	const char *type;
	char *status, *reason, *message;
};

static void cond_set(struct cond *c, const char *status, const char *reason, char *message)
{
	free(c->status);
	free(c->reason);
	free(c->message);
	c->status = hf_strdup(status);
	c->reason = hf_strdup(reason);
	c->message = message; /* taken */
}

static void cond_free(struct cond *c)
{
	free(c->status);
	free(c->reason);
	free(c->message);
}

/* default_conditions: Applied, Available and Health from the objects. */
static void default_conditions(const struct run *r, const struct summary *s, const char *io,
			       double started, struct cond *applied, struct cond *available,
			       struct cond *health)
{
	char d[32];
	if (io && s->missing)
		cond_set(applied, "False", "ApplyFailed", hf_strdup(io));
	else if (s->missing)
		cond_set(applied, "False", "ResourcesPending",
			 hf_asprintf("%s %s is to be created", s->missing->resource,
				     s->missing->name));
	else
		cond_set(applied, "True", "ResourcesApplied",
			 s->total ? hf_asprintf("every resource exists (%zu)", s->total)
				  : hf_strdup("the adapter has no resources to apply"));

	bool finished = s->present == s->total && s->succeeded == s->jobs;
	format_duration(r->a->timeout, d, sizeof(d));
	if (s->failed && s->deadline)
		cond_set(available, "False", "Timeout",
			 hf_asprintf("Job %s exceeded its deadline: %s", s->failed->name,
				     s->fail_message ? s->fail_message : "DeadlineExceeded"));
	else if (s->failed)
		cond_set(available, "False", s->job_reason ? s->job_reason : "JobFailed",
			 s->fail_message && s->fail_message[0]
				 ? hf_strdup(s->fail_message)
				 : hf_asprintf("Job %s failed", s->failed->name));
	else if (!finished && r->in->now - started > r->a->timeout)
		cond_set(available, "False", "Timeout",
			 hf_asprintf("the work for generation %lld did not finish within %s",
				     r->generation, d));
	else if (s->missing)
		cond_set(available, "False",
			 s->missing && s->jobs ? "JobPending" : "ResourcesPending",
			 hf_asprintf("waiting for %s %s to be created", s->missing->resource,
				     s->missing->name));
	else if (s->running)
		cond_set(available, "False", "JobRunning",
			 hf_asprintf("Job %s is running", s->running->name));
	else if (s->jobs)
		cond_set(available, "True", "JobSucceeded",
			 s->jobs == 1 ? hf_asprintf("Job %s succeeded", s->job_name)
				      : hf_asprintf("all %zu Jobs succeeded", s->jobs));
	else
		cond_set(available, "True", "ResourcesReady",
			 s->total ? hf_asprintf("every resource exists (%zu)", s->total)
				  : hf_strdup("all preconditions are met"));

	if (io)
		cond_set(health, "False", "ResourceError", hf_strdup(io));
	else
		cond_set(health, "True", "Healthy", hf_strdup("no unexpected error"));
}

static char *render_text(const struct hf_cel_template *t, const struct hf_cel_activation *a,
			 char **e)
{
	cJSON *v = NULL;
	if (hf_cel_template_render(t, a, &v, e) != HF_OK)
		return NULL;
	char *s = cJSON_IsString(v) ? hf_strdup(v->valuestring) : cJSON_PrintUnformatted(v);
	cJSON_Delete(v);
	return s;
}

/* eval_condition evaluates the author's condition i into c; false (with
 * the run failed) on an error. */
static bool eval_condition(struct run *r, size_t i, struct cond *c)
{
	const struct hf_adapter_condition *ac = &r->a->conditions[i];
	cJSON *v = NULL;
	char *e = NULL, *path = NULL, *reason = NULL, *message = NULL;
	const char *status = NULL;
	if (hf_cel_eval(ac->status, &r->act, &v, &e) != HF_OK) {
		path = hf_asprintf("spec.status.conditions[%zu].status", i);
		goto fail;
	}
	if (cJSON_IsBool(v))
		status = cJSON_IsTrue(v) ? "True" : "False";
	else if (cJSON_IsString(v) &&
		 (!strcmp(v->valuestring, "True") || !strcmp(v->valuestring, "False") ||
		  !strcmp(v->valuestring, "Unknown")))
		status = v->valuestring;
	else {
		char *text = cJSON_PrintUnformatted(v);
		path = hf_asprintf("spec.status.conditions[%zu].status", i);
		e = hf_asprintf("expected a bool or \"True\", \"False\", \"Unknown\", got %s",
				text ? text : "?");
		free(text);
		goto fail;
	}
	if (ac->reason && !(reason = render_text(ac->reason, &r->act, &e))) {
		path = hf_asprintf("spec.status.conditions[%zu].reason", i);
		goto fail;
	}
	if (ac->message && !(message = render_text(ac->message, &r->act, &e))) {
		path = hf_asprintf("spec.status.conditions[%zu].message", i);
		goto fail;
	}
	if (!reason)
		reason = hf_strdup(!strcmp(status, "True") ? ac->type : "NotTrue");
	cond_set(c, status, reason, message ? message : hf_strdup(""));
	free(reason);
	cJSON_Delete(v);
	decide(r, "condition", ac->type, true, "%s (%s) %s", c->status, c->reason, c->message);
	return true;
fail:
	eval_failed(r, "condition", ac->type, join_error(path, e ? e : "evaluation failed"));
	free(path);
	free(e);
	free(reason);
	free(message);
	cJSON_Delete(v);
	return false;
}

static void add_cond(struct hf_report *rep, const struct cond *c)
{
	hf_report_add_condition(rep, c->type, c->status, c->reason, c->message);
}

static void set_metadata(struct run *r, double started, const char *job_name)
{
	char t[40];
	cJSON *m = cJSON_CreateObject();
	if (job_name)
		cJSON_AddStringToObject(m, "jobName", job_name);
	if (started > 0)
		cJSON_AddStringToObject(m, "startedTime", hf_rfc3339_format(started, t, sizeof(t)));
	r->out->report.metadata = m;
}

/* find_cond: the condition of type among the fixed three and the custom
 * ones so far, or NULL. */
static struct cond *find_cond(struct cond **fixed, size_t nfixed, struct cond *custom,
			      size_t ncustom, const char *type)
{
	for (size_t i = 0; i < nfixed; i++)
		if (!strcmp(fixed[i]->type, type))
			return fixed[i];
	for (size_t i = 0; i < ncustom; i++)
		if (!strcmp(custom[i].type, type))
			return &custom[i];
	return NULL;
}

static size_t result_condition_count(const struct run *r)
{
	size_t n = 0;
	const cJSON *res;
	cJSON_ArrayForEach(res, r->results)
	{
		n += (size_t)cJSON_GetArraySize(
			cJSON_GetObjectItemCaseSensitive(res, "conditions"));
	}
	return n;
}

/* valid_condition_type: PascalCase letters and digits, at most 63, and
 * not Finalized (deletion reports that). */
static bool valid_condition_type(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > 63 || !(*t >= 'A' && *t <= 'Z') || !strcmp(t, "Finalized"))
		return false;
	for (const char *c = t; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9')))
			return false;
	return true;
}

/* apply_result_conditions: the conditions finished Jobs reported in their
 * results ({"conditions": [{"type", "status", "reason", "message"}]})
 * replace the defaults of their type or add custom ones; entries that are
 * not well formed are skipped (and traced). The author's status.conditions
 * come after, and win. */
static void apply_result_conditions(struct run *r, struct cond **fixed, struct cond *custom,
				    size_t *ncustom)
{
	const cJSON *res, *c;
	cJSON_ArrayForEach(res, r->results)
	{
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(res, "conditions"))
		{
			const char *type = hf_json_string(c, "type");
			const char *status = hf_json_string(c, "status");
			const char *reason = hf_json_string(c, "reason");
			const char *message = hf_json_string(c, "message");
			if (!type || !valid_condition_type(type) || !status ||
			    (strcmp(status, "True") && strcmp(status, "False") &&
			     strcmp(status, "Unknown"))) {
				decide(r, "condition", type && strlen(type) < 64 ? type : "?",
				       false,
				       "result of %s: ignored (needs a PascalCase type and a status of True, False or Unknown)",
				       res->string);
				continue;
			}
			if (!reason || !valid_reason(reason))
				reason = !strcmp(status, "True") ? type : "NotTrue";
			struct cond *dst = find_cond(fixed, 3, custom, *ncustom, type);
			if (!dst) {
				dst = &custom[(*ncustom)++];
				dst->type = type;
			}
			cond_set(dst, status, reason, hf_strdup(message ? message : ""));
			decide(r, "condition", type, true, "%s (%s) %s, from the result of %s",
			       status, reason, dst->message, res->string);
		}
	}
}

/* keep_own_data: a deletion report carries the adapter's last data on:
 * other adapters' teardown may need it (the management cluster placement
 * chose), and a report replaces the stored entry whole. */
static void keep_own_data(struct run *r)
{
	const cJSON *me = cJSON_GetObjectItemCaseSensitive(r->adapters, r->a->name);
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(me, "data");
	if (cJSON_IsObject(data) && !r->out->report.data)
		r->out->report.data = cJSON_Duplicate(data, true);
}

/* report_run: the report of a normal run whose resources were rendered. */
static void report_run(struct run *r)
{
	struct summary s;
	struct cond applied = {.type = "Applied"}, available = {.type = "Available"},
		    health = {.type = "Health"};
	struct cond *custom =
		hf_calloc(r->a->nconditions + result_condition_count(r) + 1, sizeof(*custom));
	size_t ncustom = 0;
	char *io = io_errors(r);
	bool ok = true;

	summarize(r, false, &s);
	double started = s.started > 0 ? s.started : previous_start(r);
	if (started <= 0)
		started = r->in->now;
	default_conditions(r, &s, io, started, &applied, &available, &health);
	bool timed_out = !strcmp(available.reason, "Timeout");

	fill_resources(r);
	struct cond *fixed[] = {&applied, &available, &health};
	apply_result_conditions(r, fixed, custom, &ncustom);
	for (size_t i = 0; ok && i < r->a->nconditions; i++) {
		const char *type = r->a->conditions[i].type;
		struct cond *c = find_cond(fixed, 3, custom, ncustom, type);
		if (!c)
			c = &custom[ncustom++];
		c->type = type;
		ok = eval_condition(r, i, c);
	}
	if (ok && r->a->data) {
		cJSON *data = NULL;
		char *e = NULL;
		if (hf_cel_template_render(r->a->data, &r->act, &data, &e) != HF_OK) {
			eval_failed(r, "data", "data",
				    join_error("spec.status.data", e ? e : "render failed"));
			free(e);
			ok = false;
		} else {
			char *text = cJSON_PrintUnformatted(data);
			decide(r, "data", "data", true, "= %s", text ? text : "?");
			free(text);
			r->out->report.data = data;
		}
	}
	if (ok) {
		/* What the author cannot hide: an API error is unhealthy, a
		 * timeout is not Available, and Available is the adapter's own
		 * aggregate of its custom conditions. */
		if (io && strcmp(health.status, "False"))
			cond_set(&health, "False", "ResourceError", hf_strdup(io));
		if (timed_out && !strcmp(available.status, "True"))
			timed_out = false;
		else if (timed_out && strcmp(available.reason, "Timeout")) {
			char d[32];
			format_duration(r->a->timeout, d, sizeof(d));
			cond_set(
				&available, "False", "Timeout",
				hf_asprintf("the work for generation %lld did not finish within %s",
					    r->generation, d));
		}
		for (size_t i = 0; i < ncustom; i++)
			if (strcmp(custom[i].status, "True") && !strcmp(available.status, "True")) {
				cond_set(&available, "False", custom[i].type,
					 hf_asprintf("condition %s is %s: %s", custom[i].type,
						     custom[i].status, custom[i].message));
				break;
			}
		add_cond(&r->out->report, &applied);
		add_cond(&r->out->report, &available);
		add_cond(&r->out->report, &health);
		for (size_t i = 0; i < ncustom; i++)
			add_cond(&r->out->report, &custom[i]);
		if (io && !r->out->error)
			r->out->error = hf_strdup(io);
	}
	set_metadata(r, started, s.job_name);
	for (size_t i = 0; i < ncustom; i++)
		cond_free(&custom[i]);
	free(custom);
	cond_free(&applied);
	cond_free(&available);
	cond_free(&health);
	free(io);
}

/* run_deletion: the resource is Terminating. */
static void run_deletion(struct run *r)
{
	const struct hf_adapter *a = r->a;
	bool gone = true;
	char namebuf[64];
	for (size_t i = 0; i < a->nresources; i++) {
		const struct hf_adapter_resource *res = &a->resources[i];
		bool listed = !a->has_delete;
		for (size_t j = 0; j < a->ndelete && !listed; j++)
			listed = !strcmp(a->delete_names[j], res->name);
		if (!listed)
			continue;
		struct hf_adapter_object *obj = add_object(r);
		obj->resource = res->name;
		obj->action = HF_ADAPTER_DELETE;
		obj->name =
			hf_strdup(hf_adapter_object_name(a->name, res->name, r->uid, r->generation,
							 res->job, namebuf, sizeof(namebuf)));
		obj->selector = selector(r, res->name);
		const struct hf_adapter_observed *ob = observed(r, res->name);
		bool present = ob && ob->object;
		gone = gone && !present;
		decide(r, "deletion", res->name, true, "delete %s %s (%s)%s", res->kind, obj->name,
		       obj->selector, present ? "" : ": gone");
	}
	if (!render_resources(r, a->deletion_resources, a->ndeletion_resources, true))
		return;

	struct summary s;
	struct cond applied = {.type = "Applied"}, available = {.type = "Available"},
		    health = {.type = "Health"}, fin = {.type = "Finalized"};
	char *io = io_errors(r);
	summarize(r, true, &s);
	double started = s.started > 0 ? s.started : previous_start(r);
	if (started <= 0)
		started = r->in->now;
	default_conditions(r, &s, io, started, &applied, &available, &health);
	fill_resources(r);

	bool finalized;
	if (a->finalized) {
		char *e = NULL;
		if (hf_cel_eval_bool(a->finalized, &r->act, &finalized, &e) != HF_OK) {
			eval_failed(
				r, "deletion", "finalized",
				join_error("spec.deletion.finalized", e ? e : "evaluation failed"));
			free(e);
			goto out;
		}
	} else {
		finalized = gone && !strcmp(available.status, "True");
	}
	if (finalized)
		cond_set(&fin, "True", "Finalized", hf_strdup("the deletion steps are done"));
	else if (!strcmp(available.status, "False") &&
		 strcmp(available.reason, "ResourcesPending") &&
		 strcmp(available.reason, "JobPending") && strcmp(available.reason, "JobRunning"))
		cond_set(&fin, "False", available.reason, hf_strdup(available.message));
	else if (!gone)
		cond_set(&fin, "False", "DeletionInProgress",
			 hf_strdup("waiting for the adapter's resources to be deleted"));
	else
		cond_set(&fin, "False", "DeletionInProgress", hf_strdup(available.message));
	/* ResourcesReady's "all preconditions are met" would read oddly here. */
	if (finalized &&
	    (strcmp(available.status, "True") || !strcmp(available.reason, "ResourcesReady")))
		cond_set(&available, "True", "Finalized", hf_strdup("the deletion steps are done"));
	else if (!finalized && !strcmp(available.status, "True"))
		cond_set(&available, "False", fin.reason, hf_strdup(fin.message));
	decide(r, "deletion", "finalized", true, "%s (%s) %s", fin.status, fin.reason, fin.message);
	add_cond(&r->out->report, &applied);
	add_cond(&r->out->report, &available);
	add_cond(&r->out->report, &health);
	add_cond(&r->out->report, &fin);
	if (io && !r->out->error)
		r->out->error = hf_strdup(io);
	set_metadata(r, started, s.job_name);
	keep_own_data(r);
out:
	cond_free(&applied);
	cond_free(&available);
	cond_free(&health);
	cond_free(&fin);
	free(io);
}

enum hf_err hf_adapter_step(const struct hf_adapter_input *in, struct hf_adapter_result *out)
{
	const struct hf_adapter *a = in->adapter;
	struct run r = {.in = in, .a = a, .out = out};
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (!a || a->external) {
		out->error = hf_strdup("an external adapter has no steps to run");
		return HF_ERR_INVALID;
	}
	if (!cJSON_IsObject(in->resource)) {
		out->error = hf_strdup("the resource is not an object");
		return HF_ERR_INVALID;
	}
	if (a->target == HF_ADAPTER_NODEPOOL && !cJSON_IsObject(in->cluster)) {
		out->error = hf_strdup("a NodePool adapter needs the node pool's Cluster");
		return HF_ERR_INVALID;
	}
	const cJSON *meta = member(in->resource, "metadata", NULL);
	if (!hf_json_int64(cJSON_GetObjectItemCaseSensitive(meta, "generation"), &r.generation))
		r.generation = 0;
	r.uid = hf_json_string(meta, "uid");
	r.uid = r.uid ? r.uid : "";
	r.cluster_uid = a->target == HF_ADAPTER_NODEPOOL
				? hf_json_string(member(in->cluster, "metadata", NULL), "uid")
				: r.uid;
	r.cluster_uid = r.cluster_uid ? r.cluster_uid : "";
	out->deleting = cJSON_GetObjectItemCaseSensitive(meta, "deletionTimestamp") &&
			!cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(meta, "deletionTimestamp"));
	hf_report_init(&out->report, a->name, r.generation, in->now);
	out->params = cJSON_CreateObject();

	r.generation_json = cJSON_CreateNumber((double)r.generation);
	r.adapters = adapters_map(in->reports ? in->reports
					      : member(in->resource, "status", "adapters"));
	r.resources = cJSON_CreateObject();
	r.empty = cJSON_CreateObject();
	r.vars[n++] = (struct hf_cel_var){
		"cluster", a->target == HF_ADAPTER_NODEPOOL ? in->cluster : in->resource};
	if (a->target == HF_ADAPTER_NODEPOOL)
		r.vars[n++] = (struct hf_cel_var){"nodepool", in->resource};
	r.vars[n++] = (struct hf_cel_var){"generation", r.generation_json};
	r.vars[n++] = (struct hf_cel_var){"adapters", r.adapters};
	r.vars[n++] = (struct hf_cel_var){"params", out->params};
	r.vars[n++] = (struct hf_cel_var){"catalog", in->catalog ? in->catalog : r.empty};
	r.vars[n++] = (struct hf_cel_var){"env", in->env ? in->env : r.empty};
	r.vars[n++] = (struct hf_cel_var){"resources", r.resources};
	r.results = job_results(in);
	r.vars[n++] = (struct hf_cel_var){"results", r.results};
	r.now.tv_sec = (time_t)in->now;
	r.now.tv_nsec = (long)((in->now - (double)r.now.tv_sec) * 1e9);
	r.act = (struct hf_cel_activation){.vars = r.vars, .count = n, .now = &r.now};

	if (eval_params(&r)) {
		if (out->deleting)
			run_deletion(&r);
		else if (eval_preconditions(&r) &&
			 render_resources(&r, a->resources, a->nresources, false))
			report_run(&r);
	}
	cJSON_Delete(r.generation_json);
	cJSON_Delete(r.adapters);
	cJSON_Delete(r.resources);
	cJSON_Delete(r.results);
	cJSON_Delete(r.empty);
	return HF_OK;
}

void hf_adapter_result_clear(struct hf_adapter_result *r)
{
	for (size_t i = 0; i < r->ndecisions; i++) {
		free(r->decisions[i].phase);
		free(r->decisions[i].name);
		free(r->decisions[i].outcome);
	}
	free(r->decisions);
	for (size_t i = 0; i < r->nobjects; i++) {
		free(r->objects[i].name);
		free(r->objects[i].selector);
		cJSON_Delete(r->objects[i].manifest);
	}
	free(r->objects);
	cJSON_Delete(r->params);
	free(r->unmet);
	free(r->error);
	hf_report_clear(&r->report);
	memset(r, 0, sizeof(*r));
}
