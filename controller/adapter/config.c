/*
 * config.c: the Adapter format's loader: schema checks, defaults, and the
 * compilation of every expression and template against the variables its
 * place may use (docs/adapters.md, "Variables").
 */
#include "adapter/config.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/duration.h"
#include "util/json.h"

#define NAME_MAX_LEN 63
#define MAX_ITEMS    64

/* The variables of each place. params, preconditions and manifests see the
 * inputs; status and deletion also see the observed resources. */
/* The last two, resources and results, exist only once the objects were
 * observed: in status and deletion. */
static const char *const cluster_vars[] = {"cluster", "generation", "adapters",	 "params",
					   "catalog", "env",	    "resources", "results"};
static const char *const nodepool_vars[] = {"cluster",	"nodepool",  "generation",
					    "adapters", "params",    "catalog",
					    "env",	"resources", "results"};
#define OBSERVED_VARS 2

struct loader {
	struct hf_adapter *a;
	struct hf_adapter_errors *errs;
	const char *const *names;
	size_t nnames; /* without resources and results */
};

static void add_error(struct hf_adapter_errors *errs, const char *path, char *message)
{
	if (errs->count == errs->alloc) {
		errs->alloc = errs->alloc ? errs->alloc * 2 : 8;
		errs->items = hf_realloc(errs->items, errs->alloc * sizeof(*errs->items));
	}
	errs->items[errs->count].path = hf_strdup(path);
	errs->items[errs->count].message = message; /* taken */
	errs->count++;
}

__attribute__((format(printf, 3, 4))) static void err(struct loader *l, const char *path,
						      const char *fmt, ...)
{
	va_list ap;
	char tmp[512];
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	add_error(l->errs, path, hf_strdup(tmp));
}

static char *join(const char *path, const char *key)
{
	return path[0] ? hf_asprintf("%s.%s", path, key) : hf_strdup(key);
}

static char *index_path(const char *path, size_t i)
{
	return hf_asprintf("%s[%zu]", path, i);
}

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsArray(v))
		return "a list";
	if (cJSON_IsObject(v))
		return "an object";
	return "null";
}

/* check_fields reports members of obj that are not among allowed. */
static void check_fields(struct loader *l, const cJSON *obj, const char *path,
			 const char *const *allowed)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, obj)
	{
		bool ok = false;
		for (const char *const *k = allowed; *k && !ok; k++)
			ok = !strcmp(*k, m->string);
		if (!ok) {
			char *p = join(path, m->string);
			err(l, p, "unknown field");
			free(p);
		}
	}
}

/* get returns member key of obj if it has the wanted kind (cJSON type
 * mask), NULL otherwise; reports missing (when required) and wrong types. */
static const cJSON *get(struct loader *l, const cJSON *obj, const char *path, const char *key,
			int kind, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *p = join(path, key);
	if (!v || cJSON_IsNull(v)) {
		if (required)
			err(l, p, "required field missing");
		v = NULL;
	} else if (!(v->type & kind)) {
		const char *want = kind == cJSON_String	  ? "a string"
				   : kind == cJSON_Object ? "an object"
				   : kind == cJSON_Array  ? "a list"
				   : kind == cJSON_Number ? "an integer"
							  : "a boolean";
		err(l, p, "must be %s, not %s", want, type_name(v));
		v = NULL;
	}
	free(p);
	return v;
}

static bool get_bool(struct loader *l, const cJSON *obj, const char *path, const char *key)
{
	const cJSON *v = get(l, obj, path, key, cJSON_True | cJSON_False, false);
	return v && cJSON_IsTrue(v);
}

static bool is_identifier(const char *s)
{
	if (!s[0] || strlen(s) > NAME_MAX_LEN ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

bool hf_adapter_is_dns_label(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > NAME_MAX_LEN || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
			return false;
	return true;
}

static bool is_condition_type(const char *s)
{
	if (!(s[0] >= 'A' && s[0] <= 'Z') || strlen(s) > 316)
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9')))
			return false;
	return true;
}

static size_t nvars(const struct loader *l, bool with_resources)
{
	return l->nnames + (with_resources ? OBSERVED_VARS : 0);
}

/* compile_expr compiles and checks one CEL expression at path. */
static struct hf_cel_program *compile_expr(struct loader *l, const char *path, const char *src,
					   bool with_resources)
{
	struct hf_cel_program *p = NULL;
	char *e = NULL;
	if (hf_cel_compile(src, &p, &e) != HF_OK) {
		add_error(l->errs, path, e ? e : hf_strdup("invalid expression"));
		return NULL;
	}
	if (hf_cel_check(p, l->names, nvars(l, with_resources), &e) != HF_OK) {
		add_error(l->errs, path, e ? e : hf_strdup("invalid expression"));
		hf_cel_program_free(p);
		return NULL;
	}
	return p;
}

/* compile_expr_at and compile_template_at compile the member key of the
 * object at path parent. */
static struct hf_cel_program *compile_expr_at(struct loader *l, const char *parent, const char *key,
					      const char *src, bool with_resources)
{
	char *path = join(parent, key);
	struct hf_cel_program *p = compile_expr(l, path, src, with_resources);
	free(path);
	return p;
}

static struct hf_cel_template *compile_template(struct loader *l, const char *path,
						const cJSON *tree, bool with_resources);

static struct hf_cel_template *compile_template_at(struct loader *l, const char *parent,
						   const char *key, const cJSON *tree,
						   bool with_resources)
{
	char *path = join(parent, key);
	struct hf_cel_template *t = compile_template(l, path, tree, with_resources);
	free(path);
	return t;
}

/* compile_template compiles a ${} template tree found at path; the
 * template's own path ("metadata.name: 1:3: ...") is joined to ours. */
static struct hf_cel_template *compile_template(struct loader *l, const char *path,
						const cJSON *tree, bool with_resources)
{
	struct hf_cel_template *t = NULL;
	char *e = NULL;
	if (hf_cel_template_compile(tree, l->names, nvars(l, with_resources), &t, &e) == HF_OK)
		return t;
	if (!e) {
		err(l, path, "invalid template");
		return NULL;
	}
	const char *sep = strstr(e, ": ");
	if (!sep) {
		add_error(l->errs, path, e);
		return NULL;
	}
	char *sub = hf_strndup(e, (size_t)(sep - e));
	char *full = !strcmp(sub, "(root)") ? hf_strdup(path)
		     : sub[0] == '['	    ? hf_asprintf("%s%s", path, sub)
					    : hf_asprintf("%s.%s", path, sub);
	add_error(l->errs, full, hf_strdup(sep + 2));
	free(full);
	free(sub);
	free(e);
	return NULL;
}

/* names_unique reports a name seen before in names[0..n). */
static bool seen(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return true;
	return false;
}

static const cJSON *get_list(struct loader *l, const cJSON *obj, const char *path, const char *key,
			     size_t max)
{
	const cJSON *v = get(l, obj, path, key, cJSON_Array, false);
	if (v && (size_t)cJSON_GetArraySize(v) > max) {
		char *p = join(path, key);
		err(l, p, "at most %zu entries", max);
		free(p);
		return NULL;
	}
	return v;
}

static void load_params(struct loader *l, const cJSON *spec)
{
	const cJSON *list = get_list(l, spec, "spec", "params", MAX_ITEMS), *item;
	if (!list)
		return;
	struct hf_adapter *a = l->a;
	a->params = hf_calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*a->params));
	size_t i = 0;
	cJSON_ArrayForEach(item, list)
	{
		char *p = index_path("spec.params", i++);
		static const char *const fields[] = {"name", "expression", NULL};
		if (!cJSON_IsObject(item)) {
			err(l, p, "must be an object with name and expression");
			free(p);
			continue;
		}
		check_fields(l, item, p, fields);
		const cJSON *name = get(l, item, p, "name", cJSON_String, true);
		const cJSON *expr = get(l, item, p, "expression", cJSON_String, true);
		struct hf_adapter_param *pa = &a->params[a->nparams];
		if (name) {
			char *np = join(p, "name");
			if (!is_identifier(name->valuestring))
				err(l, np, "'%s' is not a CEL identifier (letters, digits, _)",
				    name->valuestring);
			for (size_t j = 0; j < a->nparams; j++)
				if (!strcmp(a->params[j].name, name->valuestring))
					err(l, np, "duplicate param '%s'", name->valuestring);
			free(np);
		}
		if (expr) {
			pa->expression =
				compile_expr_at(l, p, "expression", expr->valuestring, false);
		}
		if (name && pa->expression) {
			pa->name = hf_strdup(name->valuestring);
			a->nparams++;
		} else {
			hf_cel_program_free(pa->expression);
			pa->expression = NULL;
		}
		free(p);
	}
}

static bool is_precondition_name(const char *s)
{
	if (!s[0] || strlen(s) > NAME_MAX_LEN)
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			return false;
	return true;
}

static void load_depends_on(struct loader *l, const cJSON *spec)
{
	const cJSON *list = get_list(l, spec, "spec", "dependsOn", 32), *item;
	struct hf_adapter *a = l->a;
	if (!list)
		return;
	a->depends_on = hf_calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(char *));
	size_t i = 0;
	cJSON_ArrayForEach(item, list)
	{
		char *p = index_path("spec.dependsOn", i++);
		if (!cJSON_IsString(item))
			err(l, p, "must be an adapter name (a string), not %s", type_name(item));
		else if (!hf_adapter_is_dns_label(item->valuestring))
			err(l, p, "'%s' is not an adapter name (a lowercase DNS label)",
			    item->valuestring);
		else if (a->name && !strcmp(item->valuestring, a->name))
			err(l, p, "an adapter cannot depend on itself");
		else if (seen(a->depends_on, a->ndepends_on, item->valuestring))
			err(l, p, "'%s' is listed twice", item->valuestring);
		else
			a->depends_on[a->ndepends_on++] = hf_strdup(item->valuestring);
		free(p);
	}
}

static void load_preconditions(struct loader *l, const cJSON *spec)
{
	const cJSON *list = get_list(l, spec, "spec", "preconditions", MAX_ITEMS), *item;
	struct hf_adapter *a = l->a;
	size_t n = a->ndepends_on + (list ? (size_t)cJSON_GetArraySize(list) : 0);
	a->preconditions = hf_calloc(n + 1, sizeof(*a->preconditions));
	for (size_t i = 0; i < a->ndepends_on; i++) {
		struct hf_adapter_precondition *pc = &a->preconditions[a->npreconditions++];
		pc->name = hf_asprintf("dependsOn.%s", a->depends_on[i]);
		pc->depends_on = hf_strdup(a->depends_on[i]);
	}
	if (!list)
		return;
	size_t i = 0, first = a->npreconditions;
	cJSON_ArrayForEach(item, list)
	{
		char *p = index_path("spec.preconditions", i++);
		static const char *const fields[] = {"name", "expression", "message", NULL};
		if (!cJSON_IsObject(item)) {
			err(l, p, "must be an object with name and expression");
			free(p);
			continue;
		}
		check_fields(l, item, p, fields);
		const cJSON *name = get(l, item, p, "name", cJSON_String, true);
		const cJSON *expr = get(l, item, p, "expression", cJSON_String, true);
		const cJSON *msg = get(l, item, p, "message", cJSON_String, false);
		struct hf_adapter_precondition *pc = &a->preconditions[a->npreconditions];
		bool ok = name && expr;
		if (name) {
			char *np = join(p, "name");
			if (!is_precondition_name(name->valuestring)) {
				err(l, np,
				    "'%s' is not a valid name (letters, digits, '-', '_', '.'; at most 63)",
				    name->valuestring);
				ok = false;
			}
			for (size_t j = first; j < a->npreconditions; j++)
				if (!strcmp(a->preconditions[j].name, name->valuestring)) {
					err(l, np, "duplicate precondition '%s'",
					    name->valuestring);
					ok = false;
				}
			free(np);
		}
		if (expr) {
			pc->expression =
				compile_expr_at(l, p, "expression", expr->valuestring, false);
			ok = ok && pc->expression;
		}
		if (msg) {
			pc->message = compile_template_at(l, p, "message", msg, false);
			ok = ok && pc->message;
		}
		if (ok) {
			pc->name = hf_strdup(name->valuestring);
			a->npreconditions++;
		} else {
			hf_cel_program_free(pc->expression);
			hf_cel_template_free(pc->message);
			memset(pc, 0, sizeof(*pc));
		}
		free(p);
	}
}

static bool has_template(const char *s)
{
	return strstr(s, "${") != NULL;
}

/* load_resource fills r from item at path p; false when it has errors. */
static bool load_resource(struct loader *l, const cJSON *item, const char *p,
			  struct hf_adapter_resource *r, bool with_resources)
{
	static const char *const fields[] = {"name", "manifest", "recreateOnChange", NULL};
	if (!cJSON_IsObject(item)) {
		err(l, p, "must be an object with name and manifest");
		return false;
	}
	check_fields(l, item, p, fields);
	const cJSON *name = get(l, item, p, "name", cJSON_String, true);
	const cJSON *manifest = get(l, item, p, "manifest", cJSON_Object, true);
	bool ok = name && manifest;
	r->recreate_on_change = get_bool(l, item, p, "recreateOnChange");
	if (name && !is_identifier(name->valuestring)) {
		char *np = join(p, "name");
		err(l, np, "'%s' is not a CEL identifier (letters, digits, _)", name->valuestring);
		free(np);
		ok = false;
	}
	if (manifest) {
		char *mp = join(p, "manifest");
		const cJSON *av = get(l, manifest, mp, "apiVersion", cJSON_String, true);
		const cJSON *kind = get(l, manifest, mp, "kind", cJSON_String, true);
		const cJSON *meta = get(l, manifest, mp, "metadata", cJSON_Object, false);
		if (av && has_template(av->valuestring)) {
			char *ap = join(mp, "apiVersion");
			err(l, ap, "must be literal (no ${})");
			free(ap);
			av = NULL;
		}
		if (kind && has_template(kind->valuestring)) {
			char *kp = join(mp, "kind");
			err(l, kp, "must be literal (no ${})");
			free(kp);
			kind = NULL;
		}
		if (meta && cJSON_GetObjectItemCaseSensitive(meta, "generateName")) {
			char *gp = hf_asprintf("%s.metadata.generateName", mp);
			err(l, gp,
			    "not allowed: names are deterministic (set metadata.name or let HyperFleet choose)");
			free(gp);
			ok = false;
		}
		r->manifest = compile_template(l, mp, manifest, with_resources);
		ok = ok && av && kind && r->manifest;
		if (av && kind) {
			r->api_version = hf_strdup(av->valuestring);
			r->kind = hf_strdup(kind->valuestring);
			r->job = !strcmp(r->kind, "Job") && !strcmp(r->api_version, "batch/v1");
		}
		r->fixed_name = meta && cJSON_GetObjectItemCaseSensitive(meta, "name");
		free(mp);
	}
	if (ok)
		r->name = hf_strdup(name->valuestring);
	return ok;
}

static void free_resource(struct hf_adapter_resource *r)
{
	free(r->name);
	free(r->api_version);
	free(r->kind);
	hf_cel_template_free(r->manifest);
	memset(r, 0, sizeof(*r));
}

static bool resource_name_taken(const struct hf_adapter *a, const char *name)
{
	for (size_t i = 0; i < a->nresources; i++)
		if (!strcmp(a->resources[i].name, name))
			return true;
	for (size_t i = 0; i < a->ndeletion_resources; i++)
		if (!strcmp(a->deletion_resources[i].name, name))
			return true;
	return false;
}

static void load_resources(struct loader *l, const cJSON *obj, const char *path,
			   struct hf_adapter_resource **out, size_t *n, bool with_resources)
{
	const cJSON *list = get_list(l, obj, path, "resources", 32), *item;
	if (!list)
		return;
	char *lp = join(path, "resources");
	*out = hf_calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(**out));
	size_t i = 0;
	cJSON_ArrayForEach(item, list)
	{
		char *p = index_path(lp, i++);
		struct hf_adapter_resource *r = &(*out)[*n];
		if (load_resource(l, item, p, r, with_resources)) {
			if (resource_name_taken(l->a, r->name)) {
				char *np = join(p, "name");
				err(l, np, "duplicate resource '%s'", r->name);
				free(np);
				free_resource(r);
			} else {
				(*n)++;
			}
		} else {
			free_resource(r);
		}
		free(p);
	}
	free(lp);
}

static void load_status(struct loader *l, const cJSON *spec)
{
	const cJSON *status = get(l, spec, "spec", "status", cJSON_Object, false);
	struct hf_adapter *a = l->a;
	if (!status)
		return;
	static const char *const fields[] = {"conditions", "data", NULL};
	check_fields(l, status, "spec.status", fields);
	const cJSON *list = get_list(l, status, "spec.status", "conditions", 32), *item;
	if (list) {
		a->conditions =
			hf_calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*a->conditions));
		size_t i = 0;
		cJSON_ArrayForEach(item, list)
		{
			char *p = index_path("spec.status.conditions", i++);
			static const char *const cfields[] = {"type", "status", "reason", "message",
							      NULL};
			if (!cJSON_IsObject(item)) {
				err(l, p, "must be an object with type and status");
				free(p);
				continue;
			}
			check_fields(l, item, p, cfields);
			const cJSON *type = get(l, item, p, "type", cJSON_String, true);
			const cJSON *st = get(l, item, p, "status", cJSON_String, true);
			const cJSON *reason = get(l, item, p, "reason", cJSON_String, false);
			const cJSON *msg = get(l, item, p, "message", cJSON_String, false);
			struct hf_adapter_condition *c = &a->conditions[a->nconditions];
			bool ok = type && st;
			if (type) {
				char *tp = join(p, "type");
				if (!is_condition_type(type->valuestring)) {
					err(l, tp,
					    "'%s' is not a condition type (PascalCase letters and digits)",
					    type->valuestring);
					ok = false;
				} else if (!strcmp(type->valuestring, "Finalized")) {
					err(l, tp,
					    "Finalized is reported from deletion.finalized, not from status");
					ok = false;
				}
				for (size_t j = 0; j < a->nconditions; j++)
					if (!strcmp(a->conditions[j].type, type->valuestring)) {
						err(l, tp, "duplicate condition '%s'",
						    type->valuestring);
						ok = false;
					}
				free(tp);
			}
			if (st) {
				c->status = compile_expr_at(l, p, "status", st->valuestring, true);
				ok = ok && c->status;
			}
			if (reason) {
				c->reason = compile_template_at(l, p, "reason", reason, true);
				ok = ok && c->reason;
			}
			if (msg) {
				c->message = compile_template_at(l, p, "message", msg, true);
				ok = ok && c->message;
			}
			if (ok) {
				c->type = hf_strdup(type->valuestring);
				a->nconditions++;
			} else {
				hf_cel_program_free(c->status);
				hf_cel_template_free(c->reason);
				hf_cel_template_free(c->message);
				memset(c, 0, sizeof(*c));
			}
			free(p);
		}
	}
	const cJSON *data = get(l, status, "spec.status", "data", cJSON_Object, false);
	if (data)
		a->data = compile_template(l, "spec.status.data", data, true);
}

static void load_deletion(struct loader *l, const cJSON *spec)
{
	const cJSON *del = get(l, spec, "spec", "deletion", cJSON_Object, false);
	struct hf_adapter *a = l->a;
	if (!del)
		return;
	static const char *const fields[] = {"delete", "resources", "finalized", NULL};
	check_fields(l, del, "spec.deletion", fields);
	const cJSON *list = get_list(l, del, "spec.deletion", "delete", 32), *item;
	if (list) {
		a->has_delete = true;
		a->delete_names = hf_calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(char *));
		size_t i = 0;
		cJSON_ArrayForEach(item, list)
		{
			char *p = index_path("spec.deletion.delete", i++);
			bool known = false;
			for (size_t j = 0; cJSON_IsString(item) && j < a->nresources; j++)
				known = known || !strcmp(a->resources[j].name, item->valuestring);
			if (!cJSON_IsString(item))
				err(l, p, "must be the name of a resource (a string), not %s",
				    type_name(item));
			else if (!known)
				err(l, p, "no resource named '%s' in spec.resources",
				    item->valuestring);
			else if (seen(a->delete_names, a->ndelete, item->valuestring))
				err(l, p, "'%s' is listed twice", item->valuestring);
			else
				a->delete_names[a->ndelete++] = hf_strdup(item->valuestring);
			free(p);
		}
	}
	load_resources(l, del, "spec.deletion", &a->deletion_resources, &a->ndeletion_resources,
		       true);
	const cJSON *fin = get(l, del, "spec.deletion", "finalized", cJSON_String, false);
	if (fin)
		a->finalized = compile_expr(l, "spec.deletion.finalized", fin->valuestring, true);
}

static void load_spec(struct loader *l, const cJSON *spec)
{
	static const char *const fields[] = {
		"target", "required",	   "external",	"dependsOn", "timeout",	 "jobHistoryLimit",
		"params", "preconditions", "resources", "status",    "deletion", NULL};
	struct hf_adapter *a = l->a;
	check_fields(l, spec, "spec", fields);

	const cJSON *target = get(l, spec, "spec", "target", cJSON_String, true);
	if (target && !strcmp(target->valuestring, "Cluster"))
		a->target = HF_ADAPTER_CLUSTER;
	else if (target && !strcmp(target->valuestring, "NodePool"))
		a->target = HF_ADAPTER_NODEPOOL;
	else if (target)
		err(l, "spec.target", "must be Cluster or NodePool, not '%s'", target->valuestring);
	if (a->target == HF_ADAPTER_NODEPOOL) {
		l->names = nodepool_vars;
		l->nnames = sizeof(nodepool_vars) / sizeof(nodepool_vars[0]) - OBSERVED_VARS;
	}
	a->required = get_bool(l, spec, "spec", "required");
	a->external = get_bool(l, spec, "spec", "external");

	a->timeout = HF_ADAPTER_DEFAULT_TIMEOUT;
	const cJSON *timeout = get(l, spec, "spec", "timeout", cJSON_String, false);
	if (timeout && (!hf_duration_parse(timeout->valuestring, &a->timeout) || a->timeout <= 0))
		err(l, "spec.timeout",
		    "'%s' is not a positive duration (write it like 90s, 10m or 1h30m)",
		    timeout->valuestring);

	a->job_history_limit = HF_ADAPTER_DEFAULT_JOB_HISTORY;
	const cJSON *jhl = get(l, spec, "spec", "jobHistoryLimit", cJSON_Number, false);
	long long n;
	if (jhl && (!hf_json_int64(jhl, &n) || n < 0 || n > 100))
		err(l, "spec.jobHistoryLimit", "must be an integer from 0 to 100");
	else if (jhl)
		a->job_history_limit = (int)n;

	if (a->external) {
		static const char *const steps[] = {"dependsOn", "params", "preconditions",
						    "resources", "status", "deletion"};
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
			if (cJSON_GetObjectItemCaseSensitive(spec, steps[i])) {
				char *p = join("spec", steps[i]);
				err(l, p,
				    "an external adapter has no steps: it only reports through the REST API");
				free(p);
			}
		return;
	}
	load_depends_on(l, spec);
	load_params(l, spec);
	load_preconditions(l, spec);
	load_resources(l, spec, "spec", &a->resources, &a->nresources, false);
	load_status(l, spec);
	load_deletion(l, spec);
}

enum hf_err hf_adapter_load(const cJSON *obj, struct hf_adapter **out,
			    struct hf_adapter_errors *errs)
{
	struct hf_adapter *a = hf_calloc(1, sizeof(*a));
	struct loader l = {
		.a = a,
		.errs = errs,
		.names = cluster_vars,
		.nnames = sizeof(cluster_vars) / sizeof(cluster_vars[0]) - OBSERVED_VARS,
	};
	size_t before = errs->count;
	*out = NULL;

	if (!cJSON_IsObject(obj)) {
		err(&l, "", "an Adapter must be an object, not %s", type_name(obj));
		hf_adapter_free(a);
		return HF_ERR_INVALID;
	}
	static const char *const fields[] = {"apiVersion", "kind",   "metadata",
					     "spec",	   "status", NULL};
	check_fields(&l, obj, "", fields);
	const cJSON *av = get(&l, obj, "", "apiVersion", cJSON_String, true);
	if (av && strcmp(av->valuestring, "hyperfleet.io/v1alpha1"))
		err(&l, "apiVersion", "must be hyperfleet.io/v1alpha1, not '%s'", av->valuestring);
	const cJSON *kind = get(&l, obj, "", "kind", cJSON_String, true);
	if (kind && strcmp(kind->valuestring, "Adapter"))
		err(&l, "kind", "must be Adapter, not '%s'", kind->valuestring);
	const cJSON *meta = get(&l, obj, "", "metadata", cJSON_Object, true);
	const cJSON *name = meta ? get(&l, meta, "metadata", "name", cJSON_String, true) : NULL;
	if (name && !hf_adapter_is_dns_label(name->valuestring))
		err(&l, "metadata.name",
		    "'%s' is not an adapter name (a lowercase DNS label: letters, digits and '-', at most 63)",
		    name->valuestring);
	else if (name)
		a->name = hf_strdup(name->valuestring);
	const cJSON *spec = get(&l, obj, "", "spec", cJSON_Object, true);
	if (spec)
		load_spec(&l, spec);

	if (errs->count > before) {
		hf_adapter_free(a);
		return HF_ERR_INVALID;
	}
	*out = a;
	return HF_OK;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void hf_adapter_free(struct hf_adapter *a)
{
	if (!a)
		return;
	free(a->name);
	free_names(a->depends_on, a->ndepends_on);
	for (size_t i = 0; i < a->nparams; i++) {
		free(a->params[i].name);
		hf_cel_program_free(a->params[i].expression);
	}
	free(a->params);
	for (size_t i = 0; i < a->npreconditions; i++) {
		free(a->preconditions[i].name);
		free(a->preconditions[i].depends_on);
		hf_cel_program_free(a->preconditions[i].expression);
		hf_cel_template_free(a->preconditions[i].message);
	}
	free(a->preconditions);
	for (size_t i = 0; i < a->nresources; i++)
		free_resource(&a->resources[i]);
	free(a->resources);
	for (size_t i = 0; i < a->nconditions; i++) {
		free(a->conditions[i].type);
		hf_cel_program_free(a->conditions[i].status);
		hf_cel_template_free(a->conditions[i].reason);
		hf_cel_template_free(a->conditions[i].message);
	}
	free(a->conditions);
	hf_cel_template_free(a->data);
	free_names(a->delete_names, a->ndelete);
	for (size_t i = 0; i < a->ndeletion_resources; i++)
		free_resource(&a->deletion_resources[i]);
	free(a->deletion_resources);
	hf_cel_program_free(a->finalized);
	free(a);
}

void hf_adapter_errors_clear(struct hf_adapter_errors *errs)
{
	for (size_t i = 0; i < errs->count; i++) {
		free(errs->items[i].path);
		free(errs->items[i].message);
	}
	free(errs->items);
	memset(errs, 0, sizeof(*errs));
}

char *hf_adapter_errors_format(const struct hf_adapter_errors *errs)
{
	struct hf_buf b;
	hf_buf_init(&b, 0);
	for (size_t i = 0; i < errs->count; i++)
		if (hf_buf_printf(&b, "%s%s%s%s", i ? "\n" : "", errs->items[i].path,
				  errs->items[i].path[0] ? ": " : "", errs->items[i].message))
			break; /* no cap: cannot happen */
	return hf_buf_steal(&b);
}

const struct hf_adapter_resource *hf_adapter_resource_find(const struct hf_adapter *a,
							   const char *name)
{
	for (size_t i = 0; i < a->nresources; i++)
		if (!strcmp(a->resources[i].name, name))
			return &a->resources[i];
	for (size_t i = 0; i < a->ndeletion_resources; i++)
		if (!strcmp(a->deletion_resources[i].name, name))
			return &a->deletion_resources[i];
	return NULL;
}
