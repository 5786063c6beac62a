/*
 * tsl_check.c: the fields of a search query and what each accepts, with the
 * original HyperFleet API's error messages (its TSL-to-SQL walker), and the
 * literals compiled for matching (times parsed once, here).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tsl_private.h"
#include "util/alloc.h"
#include "util/rfc3339.h"

static const struct tsl_column columns[] = {
	{"id", HF_TSL_COL_ID, CLASS_STRING},
	{"name", HF_TSL_COL_NAME, CLASS_STRING},
	{"kind", HF_TSL_COL_KIND, CLASS_STRING},
	{"href", HF_TSL_COL_HREF, CLASS_STRING},
	{"generation", HF_TSL_COL_GENERATION, CLASS_NUMBER},
	{"created_by", HF_TSL_COL_CREATED_BY, CLASS_STRING},
	{"updated_by", HF_TSL_COL_UPDATED_BY, CLASS_STRING},
	{"deleted_by", HF_TSL_COL_DELETED_BY, CLASS_STRING},
	{"created_time", HF_TSL_COL_CREATED_TIME, CLASS_TIME},
	{"updated_time", HF_TSL_COL_UPDATED_TIME, CLASS_TIME},
	{"deleted_time", HF_TSL_COL_DELETED_TIME, CLASS_TIME},
	{"owner_id", HF_TSL_COL_OWNER_ID, CLASS_STRING},
	{"owner_kind", HF_TSL_COL_OWNER_KIND, CLASS_STRING},
	{"owner_href", HF_TSL_COL_OWNER_HREF, CLASS_STRING},
	{"phase", HF_TSL_COL_PHASE, CLASS_STRING},
};

const struct tsl_column *tsl_find_column(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		if (strlen(columns[i].name) == len && memcmp(columns[i].name, name, len) == 0)
			return &columns[i];
	return NULL;
}

#define MAX_SPEC_SEGMENTS 32

static const struct {
	const char *name;
	enum hf_tsl_condition_field sub;
	enum tsl_class cls;
} condition_fields[] = {
	{"last_updated_time", HF_TSL_COND_LAST_UPDATED_TIME, CLASS_TIME},
	{"last_transition_time", HF_TSL_COND_LAST_TRANSITION_TIME, CLASS_TIME},
	{"observed_generation", HF_TSL_COND_OBSERVED_GENERATION, CLASS_NUMBER},
};

struct checker {
	const char *src;
	enum hf_tsl_kind kind;
	char **error;
};

__attribute__((format(printf, 2, 3))) static bool fail(struct checker *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*c->error = hf_strdup(msg);
	return false;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* lower_word: [a-z0-9_]+, the original's rule for plain column names. */
static bool lower_word(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* spec_segment: [A-Za-z0-9_]+ (spec keys are camelCase). */
static bool spec_segment(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* pascal_case: ^[A-Z][a-zA-Z0-9]*$, a condition type. */
static bool pascal_case(const char *s)
{
	if (!(s[0] >= 'A' && s[0] <= 'Z'))
		return false;
	for (size_t i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static const char *op_name(enum tsl_op op)
{
	switch (op) {
	case OP_EQ: return "=";
	case OP_NE: return "!=";
	case OP_LT: return "<";
	case OP_LE: return "<=";
	case OP_GT: return ">";
	case OP_GE: return ">=";
	case OP_IN: return "in";
	case OP_LIKE: return "like";
	case OP_ILIKE: return "ilike";
	case OP_BETWEEN: return "between";
	case OP_IS_NULL: return "is null";
	}
	return "?";
}

/* shown writes the field of pr as the user wrote it, for a message. */
static const char *shown(const struct tsl_pred *pr, char *buf, size_t size)
{
	char ex[256];
	tsl_excerpt(pr->name, strlen(pr->name), ex, sizeof(ex));
	if (pr->bracket)
		snprintf(buf, size, "labels['%s']", ex);
	else
		snprintf(buf, size, "%s", ex);
	return buf;
}

/* lit_text writes a literal's value (strings) or source text, for a message. */
static const char *lit_text(struct checker *c, const struct tsl_lit *l, char *buf, size_t size)
{
	if (l->type == LIT_STRING)
		return tsl_excerpt(l->str, strlen(l->str), buf, size);
	return tsl_excerpt(c->src + l->off, l->len, buf, size);
}

static bool check_like_pattern(struct checker *c, const struct tsl_pred *pr)
{
	if (pr->op != OP_LIKE && pr->op != OP_ILIKE)
		return true;
	const char *s = pr->lits[0].str;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] != '\\')
			continue;
		if (!s[i + 1])
			return fail(c, "LIKE pattern must not end with escape character");
		i++;
	}
	return true;
}

/* check_strings: a string field takes quoted strings only. */
static bool check_strings(struct checker *c, struct tsl_pred *pr)
{
	char name[300];
	for (size_t i = 0; i < pr->nlits; i++)
		if (pr->lits[i].type != LIT_STRING)
			return fail(c, "field '%s' expects a quoted string",
				    shown(pr, name, sizeof(name)));
	return true;
}

static bool check_label(struct checker *c, struct tsl_pred *pr, bool negated)
{
	if (negated)
		return fail(c, "NOT operator is not supported with label queries");
	const char *key = pr->bracket ? pr->name : pr->name + strlen("labels.");
	if (!*key)
		return fail(c, "label key cannot be empty");
	pr->key = hf_strdup(key);
	pr->field = (struct hf_tsl_field){.type = HF_TSL_LABEL, .name = pr->key};
	pr->cls = CLASS_STRING;
	return check_strings(c, pr);
}

static bool check_column(struct checker *c, struct tsl_pred *pr, const struct tsl_column *col)
{
	char name[300];
	pr->field = (struct hf_tsl_field){
		.type = HF_TSL_COLUMN, .column = col->column, .name = col->name};
	pr->cls = col->cls;
	if (col->cls == CLASS_STRING)
		return check_strings(c, pr);
	shown(pr, name, sizeof(name));
	if (pr->op == OP_LIKE || pr->op == OP_ILIKE)
		return fail(c, "LIKE/ILIKE is not supported for field '%s'", name);
	for (size_t i = 0; i < pr->nlits; i++) {
		struct tsl_lit *l = &pr->lits[i];
		if (col->cls == CLASS_NUMBER && l->type != LIT_NUMBER)
			return fail(c, "field '%s' expects an integer", name);
		if (col->cls == CLASS_TIME &&
		    (l->type != LIT_STRING || !tsl_parse_time(l->str, &l->num)))
			return fail(c,
				    "field '%s' expects an RFC3339 timestamp (e.g. "
				    "2026-01-01T00:00:00Z)",
				    name);
	}
	return true;
}

static bool check_spec(struct checker *c, struct tsl_pred *pr)
{
	char ex[256];
	const char *rest = pr->name + strlen("spec.");
	size_t n = 1;
	for (const char *s = rest; *s; s++)
		n += *s == '.';
	if (n > MAX_SPEC_SEGMENTS)
		return fail(c, "spec field path has too many segments (the maximum is %d)",
			    MAX_SPEC_SEGMENTS);
	pr->path = hf_calloc(n, sizeof(*pr->path));
	pr->field =
		(struct hf_tsl_field){.type = HF_TSL_SPEC, .path = (const char *const *)pr->path};
	pr->cls = CLASS_SPEC;
	for (const char *s = rest;;) {
		const char *dot = strchr(s, '.');
		size_t len = dot ? (size_t)(dot - s) : strlen(s);
		if (len == 0)
			return fail(c, "spec field segment cannot be empty");
		if (!spec_segment(s, len))
			return fail(
				c,
				"spec field segment '%s' is invalid: must contain only letters, "
				"digits, and underscores",
				tsl_excerpt(s, len, ex, sizeof(ex)));
		pr->path[pr->field.path_len++] = hf_strndup(s, len);
		if (!dot)
			break;
		s = dot + 1;
	}
	bool ordered = pr->op == OP_LT || pr->op == OP_LE || pr->op == OP_GT || pr->op == OP_GE ||
		       pr->op == OP_BETWEEN;
	for (size_t i = 0; i < pr->nlits; i++)
		if (ordered && pr->lits[i].type == LIT_BOOL)
			return fail(c, "operator '%s' is not supported with boolean values",
				    op_name(pr->op));
	return true;
}

static bool check_condition_status(struct checker *c, struct tsl_pred *pr)
{
	char ex[256];
	pr->field = (struct hf_tsl_field){.type = HF_TSL_CONDITION, .name = pr->key};
	pr->cls = CLASS_STRING;
	if (pr->op == OP_IS_NULL)
		return true;
	if (pr->op != OP_EQ)
		return fail(c, "only equality operator (=) is supported for condition status "
			       "queries");
	const struct tsl_lit *l = &pr->lits[0];
	if (l->type != LIT_STRING || (strcmp(l->str, "True") != 0 && strcmp(l->str, "False") != 0 &&
				      strcmp(l->str, "Unknown") != 0))
		return fail(c, "condition status '%s' is invalid: must be True, False, or Unknown",
			    lit_text(c, l, ex, sizeof(ex)));
	return true;
}

static bool check_condition_field(struct checker *c, struct tsl_pred *pr, const char *sub)
{
	char ex[256];
	size_t i = 0, n = sizeof(condition_fields) / sizeof(condition_fields[0]);
	while (i < n && strcmp(condition_fields[i].name, sub) != 0)
		i++;
	if (i == n)
		return fail(c,
			    "condition subfield '%s' is not supported; use last_updated_time, "
			    "last_transition_time, or observed_generation",
			    tsl_excerpt(sub, strlen(sub), ex, sizeof(ex)));
	pr->field = (struct hf_tsl_field){.type = HF_TSL_CONDITION_FIELD,
					  .name = pr->key,
					  .sub = condition_fields[i].sub,
					  .sub_name = condition_fields[i].name};
	pr->cls = condition_fields[i].cls;
	if (pr->op == OP_IS_NULL)
		return true;
	struct tsl_lit *l = &pr->lits[0];
	if (pr->cls == CLASS_TIME) {
		if (l->type != LIT_STRING || !hf_rfc3339_parse(l->str, &l->num))
			return fail(
				c,
				"invalid timestamp for condition subfield '%s': expected RFC3339 "
				"format (e.g., 2026-01-01T00:00:00Z)",
				condition_fields[i].name);
		return true;
	}
	if (l->type != LIT_NUMBER)
		return fail(c, "expected numeric value for condition subfield '%s'",
			    condition_fields[i].name);
	if (l->num != trunc(l->num))
		return fail(c, "expected integer value for condition subfield '%s', got %g",
			    condition_fields[i].name, l->num);
	if (l->num < -2147483648.0 || l->num > 2147483647.0)
		return fail(c,
			    "value %g is out of 32-bit integer range for condition subfield '%s'",
			    l->num, condition_fields[i].name);
	return true;
}

static bool check_condition(struct checker *c, struct tsl_pred *pr, bool negated)
{
	char ex[256];
	if (pr->op == OP_IN)
		return fail(c, "IN is not supported for condition queries; use comparison "
			       "operators (=, !=, <, <=, >, >=)");
	if (pr->op == OP_BETWEEN)
		return fail(c, "BETWEEN is not supported for condition queries; use comparison "
			       "operators (=, !=, <, <=, >, >=)");
	if (pr->op == OP_LIKE || pr->op == OP_ILIKE)
		return fail(c, "LIKE/ILIKE is not supported for condition queries; use "
			       "comparison operators (=, !=, <, <=, >, >=)");
	if (negated)
		return fail(c, "NOT operator is not supported with condition queries; use the "
			       "inverse condition instead (e.g., Reconciled='False')");
	const char *rest = pr->name + strlen("status.conditions.");
	if (!*rest)
		return fail(c, "condition type cannot be empty");
	const char *dot = strchr(rest, '.');
	if (dot && strchr(dot + 1, '.'))
		return fail(c, "invalid condition format: expected status.conditions.<Type> or "
			       "status.conditions.<Type>.<subfield>");
	pr->key = hf_strndup(rest, dot ? (size_t)(dot - rest) : strlen(rest));
	if (!pascal_case(pr->key))
		return fail(c,
			    "condition type '%s' is invalid: must be PascalCase (e.g., "
			    "Reconciled, Available)",
			    tsl_excerpt(pr->key, strlen(pr->key), ex, sizeof(ex)));
	return dot ? check_condition_field(c, pr, dot + 1) : check_condition_status(c, pr);
}

/* unknown_field words the error for any other name as the original did. */
static bool unknown_field(struct checker *c, const char *name)
{
	char ex[256];
	const char *dot = strchr(name, '.');
	bool plain = true;
	for (const char *s = name;;) {
		const char *d = strchr(s, '.');
		plain = plain && lower_word(s, d ? (size_t)(d - s) : strlen(s));
		if (!d)
			break;
		s = d + 1;
	}
	if (!plain)
		return fail(c, "%s is not a valid field name",
			    tsl_excerpt(name, strlen(name), ex, sizeof(ex)));
	if (!dot)
		return fail(c, "invalid field in search or order query");
	return fail(c, "%s is not a related resource of %s",
		    tsl_excerpt(name, (size_t)(dot - name), ex, sizeof(ex)),
		    c->kind == HF_TSL_NODEPOOL ? "NodePool" : "Cluster");
}

static bool check_pred(struct checker *c, struct tsl_pred *pr, bool in_not)
{
	/* NOT IN, NOT LIKE and NOT BETWEEN are NOT around the predicate, as in
	 * the original's grammar; IS NOT NULL is allowed even for labels. */
	bool negated = in_not || (pr->negate && pr->op != OP_IS_NULL);
	const char *name = pr->name;
	const struct tsl_column *col;
	bool ok;
	if (pr->bracket || starts_with(name, "labels."))
		ok = check_label(c, pr, negated);
	else if (starts_with(name, "status.conditions."))
		ok = check_condition(c, pr, negated);
	else if (starts_with(name, "spec."))
		ok = check_spec(c, pr);
	else if ((col = strcmp(name, "status.phase") == 0 ? tsl_find_column("phase", 5)
							  : tsl_find_column(name, strlen(name))))
		ok = check_column(c, pr, col);
	else
		ok = unknown_field(c, name);
	return ok && check_like_pattern(c, pr);
}

static bool check_node(struct checker *c, struct tsl_node *n, bool in_not)
{
	if (n->type == NODE_PRED)
		return check_pred(c, &n->pred, in_not);
	for (size_t i = 0; i < n->nkids; i++)
		if (!check_node(c, n->kids[i], in_not || n->type == NODE_NOT))
			return false;
	return true;
}

bool tsl_check(struct tsl_node *root, const char *src, enum hf_tsl_kind kind, char **error)
{
	struct checker c = {.src = src, .kind = kind, .error = error};
	return check_node(&c, root, false);
}
