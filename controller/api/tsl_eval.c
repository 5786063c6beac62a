/*
 * tsl_eval.c: matching a parsed query against one object, in SQL's three-
 * valued logic, without allocating. Values come from the caller's resolver.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tsl_private.h"
#include "util/rfc3339.h"

/* Three-valued logic: unknown is what SQL's NULL gives. */
enum tri { NO, YES, UNKNOWN };

static enum tri tri_not(enum tri t)
{
	return t == UNKNOWN ? UNKNOWN : t == YES ? NO : YES;
}

static enum tri tri_and(enum tri a, enum tri b)
{
	if (a == NO || b == NO)
		return NO;
	return a == YES && b == YES ? YES : UNKNOWN;
}

bool tsl_value_number(const struct hf_tsl_value *v, double *out)
{
	if (v->type == HF_TSL_NUMBER) {
		*out = v->num;
		return !isnan(v->num);
	}
	return v->type == HF_TSL_STRING && v->str && tsl_parse_number(v->str, strlen(v->str), out);
}

bool tsl_value_time(const struct hf_tsl_value *v, double *out)
{
	if (v->type == HF_TSL_NUMBER) {
		*out = v->num;
		return !isnan(v->num);
	}
	return v->type == HF_TSL_STRING && hf_rfc3339_parse(v->str, out);
}

/* value_text is v as the text SQL's ->> would give (spec values). */
static const char *value_text(const struct hf_tsl_value *v, char *buf, size_t size)
{
	switch (v->type) {
	case HF_TSL_STRING: return v->str;
	case HF_TSL_BOOL: return v->b ? "true" : "false";
	case HF_TSL_NUMBER:
		if (!isfinite(v->num))
			return NULL;
		if (v->num == trunc(v->num) && fabs(v->num) < 1e15)
			snprintf(buf, size, "%.0f", v->num);
		else if (snprintf(buf, size, "%.15g", v->num) > 0 && strtod(buf, NULL) != v->num)
			snprintf(buf, size, "%.17g", v->num);
		return buf;
	default: return NULL;
	}
}

static int compare_doubles(double a, double b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

bool tsl_compare_values(enum tsl_class cls, const struct hf_tsl_value *v, const struct tsl_lit *l,
			int *cmp)
{
	double x;
	char buf[40];
	const char *text;
	switch (cls) {
	case CLASS_STRING:
		if (v->type != HF_TSL_STRING || !v->str || l->type != LIT_STRING)
			return false;
		*cmp = strcmp(v->str, l->str);
		return true;
	case CLASS_NUMBER:
		if (!tsl_value_number(v, &x))
			return false;
		*cmp = compare_doubles(x, l->num);
		return true;
	case CLASS_TIME:
		if (!tsl_value_time(v, &x))
			return false;
		*cmp = compare_doubles(x, l->num);
		return true;
	case CLASS_SPEC: break;
	}
	switch (l->type) {
	case LIT_NUMBER:
		if (!tsl_value_number(v, &x))
			return false;
		*cmp = compare_doubles(x, l->num);
		return true;
	case LIT_BOOL:
		if (v->type == HF_TSL_BOOL) {
			*cmp = (int)v->b - (int)l->b;
			return true;
		}
		if (v->type != HF_TSL_STRING || !v->str)
			return false;
		*cmp = strcmp(v->str, l->b ? "true" : "false");
		return true;
	case LIT_STRING:
		text = value_text(v, buf, sizeof(buf));
		if (!text)
			return false;
		*cmp = strcmp(text, l->str);
		return true;
	}
	return false;
}

static char fold(char c, bool icase)
{
	return icase && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* next_char steps over one UTF-8 character (or one stray byte). */
static const char *next_char(const char *s)
{
	s++;
	while (((unsigned char)*s & 0xC0) == 0x80)
		s++;
	return s;
}

/* like matches s against an SQL LIKE pattern: '%' any run, '_' one
 * character, '\' escapes the next. Greedy with one backtrack point: linear
 * memory, O(len(s) * len(pat)) time at worst. */
static bool like(const char *s, const char *pat, bool icase)
{
	const char *star_p = NULL, *star_s = NULL;
	const char *p = pat;
	while (*s) {
		if (*p == '%') {
			while (*p == '%')
				p++;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*p == '_') {
			p++;
			s = next_char(s);
			continue;
		}
		const char *lit = *p == '\\' && p[1] ? p + 1 : p;
		if (*lit && fold(*lit, icase) == fold(*s, icase)) {
			p = lit + 1;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		star_s = next_char(star_s);
		s = star_s;
		p = star_p;
	}
	while (*p == '%')
		p++;
	return *p == '\0';
}

static enum tri compare(const struct tsl_pred *pr, const struct hf_tsl_value *v, size_t i, int *cmp)
{
	return tsl_compare_values(pr->cls, v, &pr->lits[i], cmp) ? YES : UNKNOWN;
}

static enum tri eval_pred(const struct tsl_pred *pr, hf_tsl_resolve_fn resolve, void *ctx,
			  const void *object)
{
	struct hf_tsl_value v = resolve(ctx, object, &pr->field);
	enum tri r = NO;
	int cmp = 0;
	char buf[40];
	const char *text;
	switch (pr->op) {
	case OP_IS_NULL: return (v.type == HF_TSL_ABSENT) != pr->negate ? YES : NO;
	case OP_EQ:
	case OP_NE:
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		if (compare(pr, &v, 0, &cmp) == UNKNOWN)
			return UNKNOWN;
		switch (pr->op) {
		case OP_EQ: return cmp == 0 ? YES : NO;
		case OP_NE: return cmp != 0 ? YES : NO;
		case OP_LT: return cmp < 0 ? YES : NO;
		case OP_LE: return cmp <= 0 ? YES : NO;
		case OP_GT: return cmp > 0 ? YES : NO;
		default: return cmp >= 0 ? YES : NO;
		}
	case OP_IN:
		for (size_t i = 0; i < pr->nlits && r != YES; i++) {
			if (compare(pr, &v, i, &cmp) == UNKNOWN)
				r = UNKNOWN;
			else if (cmp == 0)
				r = YES;
		}
		break;
	case OP_BETWEEN: {
		enum tri lo = compare(pr, &v, 0, &cmp) == YES ? (cmp >= 0 ? YES : NO) : UNKNOWN;
		enum tri hi = compare(pr, &v, 1, &cmp) == YES ? (cmp <= 0 ? YES : NO) : UNKNOWN;
		r = tri_and(lo, hi);
		break;
	}
	case OP_LIKE:
	case OP_ILIKE:
		if (pr->cls == CLASS_SPEC)
			text = value_text(&v, buf, sizeof(buf));
		else
			text = v.type == HF_TSL_STRING ? v.str : NULL;
		if (!text)
			return UNKNOWN;
		r = like(text, pr->lits[0].str, pr->op == OP_ILIKE) ? YES : NO;
		break;
	}
	return pr->negate ? tri_not(r) : r;
}

static enum tri eval(const struct tsl_node *n, hf_tsl_resolve_fn resolve, void *ctx,
		     const void *object)
{
	enum tri r;
	switch (n->type) {
	case NODE_PRED: return eval_pred(&n->pred, resolve, ctx, object);
	case NODE_NOT: return tri_not(eval(n->kids[0], resolve, ctx, object));
	case NODE_AND:
		r = YES;
		for (size_t i = 0; i < n->nkids && r != NO; i++)
			r = tri_and(r, eval(n->kids[i], resolve, ctx, object));
		return r;
	case NODE_OR:
		r = NO;
		for (size_t i = 0; i < n->nkids && r != YES; i++) {
			enum tri k = eval(n->kids[i], resolve, ctx, object);
			r = k == YES ? YES : (k == UNKNOWN || r == UNKNOWN) ? UNKNOWN : NO;
		}
		return r;
	}
	return NO;
}

bool hf_tsl_match(const struct hf_tsl *q, hf_tsl_resolve_fn resolve, void *ctx, const void *object)
{
	return eval(q->root, resolve, ctx, object) == YES;
}

static void visit(const struct tsl_node *n, void (*fn)(void *ctx, const struct hf_tsl_field *field),
		  void *ctx)
{
	if (n->type == NODE_PRED) {
		fn(ctx, &n->pred.field);
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		visit(n->kids[i], fn, ctx);
}

void hf_tsl_visit_fields(const struct hf_tsl *q,
			 void (*fn)(void *ctx, const struct hf_tsl_field *field), void *ctx)
{
	visit(q->root, fn, ctx);
}
