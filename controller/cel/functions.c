/*
 * functions.c: the builtin table and the general builtins: size, type
 * conversions, matches, optionals, and HyperFleet's now(),
 * conditionStatus() and toJson(). String functions live in strings.c,
 * time functions in time.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/convert.h"
#include "cel/eval.h"
#include "cel/regex.h"
#include "cel/time.h"

static struct cel_value fn_size(struct cel_eval *e, const struct cel_node *n,
				const struct cel_value *a, size_t na)
{
	switch (a[0].kind) {
	case CEL_STRING:
		if (!cel_charge(e, a[0].n / 16, n->pos))
			return cel_fatal_value(e);
		return cel_int((int64_t)cel_utf8_count(a[0].v.p, a[0].n));
	case CEL_BYTES: return cel_int((int64_t)a[0].n);
	case CEL_LIST: return cel_int((int64_t)cel_list_size(a[0]));
	case CEL_MAP: return cel_int((int64_t)cel_map_size(a[0]));
	default: return cel_no_overload(e, n->pos, "size", a, na);
	}
}

/* text copies a string argument into buf as a C string; false if it does
 * not fit or holds a NUL (then it is not a number either). */
static bool text(struct cel_value v, char *buf, size_t len)
{
	if (v.n >= len || memchr(v.v.p, '\0', v.n))
		return false;
	memcpy(buf, v.v.p, v.n);
	buf[v.n] = '\0';
	return true;
}

static struct cel_value bad_conversion(struct cel_eval *e, const struct cel_node *n,
				       const char *type, struct cel_value v)
{
	return cel_error(e, n->pos, "cannot convert '%.*s' to %s", (int)(v.n > 64 ? 64 : v.n),
			 v.v.p, type);
}

static struct cel_value fn_int(struct cel_eval *e, const struct cel_node *n,
			       const struct cel_value *a, size_t na)
{
	struct cel_value v = a[0];
	char buf[64], *end;
	switch (v.kind) {
	case CEL_INT: return v;
	case CEL_UINT:
		if (v.v.u > INT64_MAX)
			return cel_error(e, n->pos, "integer overflow");
		return cel_int((int64_t)v.v.u);
	case CEL_DOUBLE:
		/* The range is [-2^63, 2^63): both bounds are exact doubles. */
		if (!(v.v.d >= -9223372036854775808.0 && v.v.d < 9223372036854775808.0))
			return cel_error(e, n->pos, "integer overflow");
		return cel_int((int64_t)v.v.d);
	case CEL_STRING: {
		if (!text(v, buf, sizeof(buf)) || !buf[0] || strchr(" \t\n\r\f\v", buf[0]))
			return bad_conversion(e, n, "int", v);
		errno = 0;
		long long i = strtoll(buf, &end, 10);
		if (errno || *end)
			return bad_conversion(e, n, "int", v);
		return cel_int(i);
	}
	case CEL_TIMESTAMP: return cel_int(v.v.sec);
	default: return cel_no_overload(e, n->pos, "int", a, na);
	}
}

static struct cel_value fn_uint(struct cel_eval *e, const struct cel_node *n,
				const struct cel_value *a, size_t na)
{
	struct cel_value v = a[0];
	char buf[64], *end;
	switch (v.kind) {
	case CEL_UINT: return v;
	case CEL_INT:
		if (v.v.i < 0)
			return cel_error(e, n->pos, "unsigned integer overflow");
		return cel_uint((uint64_t)v.v.i);
	case CEL_DOUBLE:
		if (!(v.v.d >= 0 && v.v.d < 18446744073709551616.0))
			return cel_error(e, n->pos, "unsigned integer overflow");
		return cel_uint((uint64_t)v.v.d);
	case CEL_STRING: {
		if (!text(v, buf, sizeof(buf)) || buf[0] < '0' || buf[0] > '9')
			return bad_conversion(e, n, "uint", v);
		errno = 0;
		unsigned long long u = strtoull(buf, &end, 10);
		if (errno || *end)
			return bad_conversion(e, n, "uint", v);
		return cel_uint(u);
	}
	default: return cel_no_overload(e, n->pos, "uint", a, na);
	}
}

static struct cel_value fn_double(struct cel_eval *e, const struct cel_node *n,
				  const struct cel_value *a, size_t na)
{
	struct cel_value v = a[0];
	char buf[512], *end;
	switch (v.kind) {
	case CEL_DOUBLE: return v;
	case CEL_INT: return cel_double((double)v.v.i);
	case CEL_UINT: return cel_double((double)v.v.u);
	case CEL_STRING:
		if (!text(v, buf, sizeof(buf)) || !buf[0] || strchr(" \t\n\r\f\v", buf[0]))
			return bad_conversion(e, n, "double", v);
		double d = strtod(buf, &end);
		if (*end)
			return bad_conversion(e, n, "double", v);
		return cel_double(d);
	default: return cel_no_overload(e, n->pos, "double", a, na);
	}
}

static struct cel_value fn_string(struct cel_eval *e, const struct cel_node *n,
				  const struct cel_value *a, size_t na)
{
	struct cel_value v = a[0];
	switch (v.kind) {
	case CEL_STRING: return v;
	case CEL_BYTES:
		if (!cel_utf8_valid(v.v.p, v.n))
			return cel_error(e, n->pos,
					 "invalid UTF-8 in bytes, cannot convert to string");
		v.kind = CEL_STRING;
		return v;
	case CEL_INT:
	case CEL_UINT:
	case CEL_DOUBLE:
	case CEL_BOOL:
	case CEL_TIMESTAMP:
	case CEL_DURATION:
	case CEL_TYPE: return cel_to_text(e, v, n->pos);
	default: return cel_no_overload(e, n->pos, "string", a, na);
	}
}

static struct cel_value fn_bool(struct cel_eval *e, const struct cel_node *n,
				const struct cel_value *a, size_t na)
{
	static const char *const truths[] = {"1", "t", "T", "true", "TRUE", "True"};
	static const char *const lies[] = {"0", "f", "F", "false", "FALSE", "False"};
	struct cel_value v = a[0];
	if (v.kind == CEL_BOOL)
		return v;
	if (v.kind != CEL_STRING)
		return cel_no_overload(e, n->pos, "bool", a, na);
	for (size_t i = 0; i < sizeof(truths) / sizeof(truths[0]); i++) {
		if (v.n == strlen(truths[i]) && memcmp(v.v.p, truths[i], v.n) == 0)
			return cel_bool(true);
		if (v.n == strlen(lies[i]) && memcmp(v.v.p, lies[i], v.n) == 0)
			return cel_bool(false);
	}
	return bad_conversion(e, n, "bool", v);
}

static struct cel_value fn_bytes(struct cel_eval *e, const struct cel_node *n,
				 const struct cel_value *a, size_t na)
{
	struct cel_value v = a[0];
	if (v.kind != CEL_BYTES && v.kind != CEL_STRING)
		return cel_no_overload(e, n->pos, "bytes", a, na);
	v.kind = CEL_BYTES;
	return v;
}

static struct cel_value fn_dyn(struct cel_eval *e, const struct cel_node *n,
			       const struct cel_value *a, size_t na)
{
	(void)e, (void)n, (void)na;
	return a[0];
}

static struct cel_value fn_type(struct cel_eval *e, const struct cel_node *n,
				const struct cel_value *a, size_t na)
{
	(void)e, (void)n, (void)na;
	return cel_type((enum cel_kind)a[0].kind);
}

static struct cel_value fn_matches(struct cel_eval *e, const struct cel_node *n,
				   const struct cel_value *a, size_t na)
{
	if (a[0].kind != CEL_STRING || a[1].kind != CEL_STRING)
		return cel_no_overload(e, n->pos, "matches", a, na);
	const struct cel_regex *re = n->regex;
	struct cel_regex *own = NULL;
	if (!re) {
		char err[160];
		if (!cel_charge(e, a[1].n / 16, n->pos))
			return cel_fatal_value(e);
		if (!(re = own = cel_regex_compile(NULL, a[1].v.p, a[1].n, err, sizeof(err))))
			return cel_error(e, n->pos, "%s", err);
	}
	/* The automaton costs text length times program size, known now. */
	struct cel_value r;
	if (!cel_charge(e, (a[0].n + 1) * (cel_regex_size(re) / 4 + 1), n->pos)) {
		r = cel_fatal_value(e);
		goto cleanup;
	}
	r = cel_bool(cel_regex_match(re, a[0].v.p, a[0].n));
cleanup:
	cel_regex_free(own);
	return r;
}

static struct cel_value fn_now(struct cel_eval *e, const struct cel_node *n,
			       const struct cel_value *a, size_t na)
{
	(void)n, (void)a, (void)na;
	return cel_now(e);
}

/* conditionStatus(conditions, type): the status of the condition of that
 * type in a Kubernetes-style list, "Unknown" when there is none (null, a
 * missing condition, or one without a string status). */
static struct cel_value fn_condition_status(struct cel_eval *e, const struct cel_node *n,
					    const struct cel_value *a, size_t na)
{
	static const char unknown[] = "Unknown";
	if ((a[0].kind != CEL_LIST && a[0].kind != CEL_NULL) || a[1].kind != CEL_STRING)
		return cel_no_overload(e, n->pos, "conditionStatus", a, na);
	if (a[0].kind == CEL_NULL)
		return cel_string(unknown, sizeof(unknown) - 1);
	struct cel_iter it = {0};
	struct cel_value c, t, s;
	while (cel_list_next(a[0], &it, &c)) {
		if (!cel_charge(e, 1, n->pos))
			return cel_fatal_value(e);
		if (c.kind != CEL_MAP || !cel_map_find_str(c, "type", 4, &t) ||
		    t.kind != CEL_STRING || !cel_equal(t, a[1]))
			continue;
		if (cel_map_find_str(c, "status", 6, &s) && s.kind == CEL_STRING)
			return s;
		break;
	}
	return cel_string(unknown, sizeof(unknown) - 1);
}

static struct cel_value fn_to_json(struct cel_eval *e, const struct cel_node *n,
				   const struct cel_value *a, size_t na)
{
	(void)na;
	return cel_to_json_text(e, a[0], n->pos);
}

static struct cel_value fn_optional_of(struct cel_eval *e, const struct cel_node *n,
				       const struct cel_value *a, size_t na)
{
	(void)n, (void)na;
	return cel_optional(e, &a[0]);
}

static struct cel_value fn_optional_none(struct cel_eval *e, const struct cel_node *n,
					 const struct cel_value *a, size_t na)
{
	(void)n, (void)a, (void)na;
	return cel_optional(e, NULL);
}

static bool zero_value(struct cel_value v)
{
	switch (v.kind) {
	case CEL_NULL: return true;
	case CEL_BOOL: return !v.v.b;
	case CEL_INT:
	case CEL_DURATION: return v.v.i == 0;
	case CEL_UINT: return v.v.u == 0;
	case CEL_DOUBLE: return v.v.d == 0;
	case CEL_STRING:
	case CEL_BYTES: return v.n == 0;
	case CEL_LIST: return cel_list_size(v) == 0;
	case CEL_MAP: return cel_map_size(v) == 0;
	case CEL_TIMESTAMP: return v.v.sec == 0 && v.n == 0;
	default: return false;
	}
}

static struct cel_value fn_optional_of_non_zero(struct cel_eval *e, const struct cel_node *n,
						const struct cel_value *a, size_t na)
{
	(void)n, (void)na;
	return cel_optional(e, zero_value(a[0]) ? NULL : &a[0]);
}

static struct cel_value fn_has_value(struct cel_eval *e, const struct cel_node *n,
				     const struct cel_value *a, size_t na)
{
	if (a[0].kind != CEL_OPTIONAL)
		return cel_no_overload(e, n->pos, "hasValue", a, na);
	return cel_bool(a[0].v.opt != NULL);
}

static struct cel_value fn_value(struct cel_eval *e, const struct cel_node *n,
				 const struct cel_value *a, size_t na)
{
	if (a[0].kind != CEL_OPTIONAL)
		return cel_no_overload(e, n->pos, "value", a, na);
	if (!a[0].v.opt)
		return cel_error(e, n->pos, "optional.none() dereference");
	return *a[0].v.opt;
}

static const struct cel_builtin general[] = {
	{"size", FN_GLOBAL, 1, 1, fn_size},
	{"size", FN_METHOD, 0, 0, fn_size},
	{"int", FN_GLOBAL, 1, 1, fn_int},
	{"uint", FN_GLOBAL, 1, 1, fn_uint},
	{"double", FN_GLOBAL, 1, 1, fn_double},
	{"string", FN_GLOBAL, 1, 1, fn_string},
	{"bool", FN_GLOBAL, 1, 1, fn_bool},
	{"bytes", FN_GLOBAL, 1, 1, fn_bytes},
	{"dyn", FN_GLOBAL, 1, 1, fn_dyn},
	{"type", FN_GLOBAL, 1, 1, fn_type},
	{"matches", FN_GLOBAL, 2, 2, fn_matches},
	{"matches", FN_METHOD, 1, 1, fn_matches},
	{"now", FN_GLOBAL, 0, 0, fn_now},
	{"conditionStatus", FN_GLOBAL, 2, 2, fn_condition_status},
	{"toJson", FN_GLOBAL, 1, 1, fn_to_json},
	{"optional.of", FN_GLOBAL, 1, 1, fn_optional_of},
	{"optional.none", FN_GLOBAL, 0, 0, fn_optional_none},
	{"optional.ofNonZeroValue", FN_GLOBAL, 1, 1, fn_optional_of_non_zero},
	{"hasValue", FN_METHOD, 0, 0, fn_has_value},
	{"value", FN_METHOD, 0, 0, fn_value},
	/* Lazy: the evaluator runs them (the alternative only when needed). */
	{"orValue", FN_METHOD | FN_LAZY, 1, 1, NULL},
	{"or", FN_METHOD | FN_LAZY, 1, 1, NULL},
};

/* Builtin indexes: general first, then strings, then time. */
#define GENERAL_COUNT (sizeof(general) / sizeof(general[0]))

const struct cel_builtin *cel_builtin_get(unsigned index)
{
	if (index < GENERAL_COUNT)
		return &general[index];
	index -= GENERAL_COUNT;
	if (index < cel_string_builtin_count)
		return &cel_string_builtins[index];
	return &cel_time_builtins[index - cel_string_builtin_count];
}

int cel_builtin_find(const char *name, size_t len, bool method)
{
	size_t total = GENERAL_COUNT + cel_string_builtin_count + cel_time_builtin_count;
	for (size_t i = 0; i < total; i++) {
		const struct cel_builtin *b = cel_builtin_get((unsigned)i);
		if (!!(b->flags & FN_METHOD) == method && strlen(b->name) == len &&
		    memcmp(b->name, name, len) == 0)
			return (int)i;
	}
	return -1;
}

bool cel_builtin_is_matches(unsigned index)
{
	return strcmp(cel_builtin_get(index)->name, "matches") == 0;
}
