/*
 * operators.c: + - * / % == != < <= > >= in. Integer arithmetic is checked
 * (CEL makes overflow an error, not a wrap); doubles follow IEEE 754.
 */
#include "cel/operators.h"

#include <string.h>

#include "cel/time.h"

static const char *const op_names[] = {
	[OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/",
	[OP_MOD] = "%", [OP_EQ] = "==", [OP_NE] = "!=", [OP_LT] = "<",
	[OP_LE] = "<=", [OP_GT] = ">",	[OP_GE] = ">=", [OP_IN] = "in",
};

static struct cel_value no_overload(struct cel_eval *e, const struct cel_node *n,
				    struct cel_value a, struct cel_value b)
{
	struct cel_value args[2] = {a, b};
	return cel_no_overload(e, n->pos, op_names[n->op], args, 2);
}

static struct cel_value int_op(struct cel_eval *e, const struct cel_node *n, int64_t a, int64_t b)
{
	int64_t r = 0;
	bool overflow = false;
	switch (n->op) {
	case OP_ADD: overflow = __builtin_add_overflow(a, b, &r); break;
	case OP_SUB: overflow = __builtin_sub_overflow(a, b, &r); break;
	case OP_MUL: overflow = __builtin_mul_overflow(a, b, &r); break;
	case OP_DIV:
	case OP_MOD:
		if (b == 0)
			return cel_error(e, n->pos,
					 n->op == OP_DIV ? "division by zero" : "modulus by zero");
		if (a == INT64_MIN && b == -1)
			overflow = true;
		else
			r = n->op == OP_DIV ? a / b : a % b;
		break;
	default: break;
	}
	if (overflow)
		return cel_error(e, n->pos, "integer overflow");
	return cel_int(r);
}

static struct cel_value uint_op(struct cel_eval *e, const struct cel_node *n, uint64_t a,
				uint64_t b)
{
	uint64_t r = 0;
	bool overflow = false;
	switch (n->op) {
	case OP_ADD: overflow = __builtin_add_overflow(a, b, &r); break;
	case OP_SUB: overflow = __builtin_sub_overflow(a, b, &r); break;
	case OP_MUL: overflow = __builtin_mul_overflow(a, b, &r); break;
	case OP_DIV:
	case OP_MOD:
		if (b == 0)
			return cel_error(e, n->pos,
					 n->op == OP_DIV ? "division by zero" : "modulus by zero");
		r = n->op == OP_DIV ? a / b : a % b;
		break;
	default: break;
	}
	if (overflow)
		return cel_error(e, n->pos, "unsigned integer overflow");
	return cel_uint(r);
}

static struct cel_value double_op(struct cel_eval *e, const struct cel_node *n, double a, double b)
{
	switch (n->op) {
	case OP_ADD: return cel_double(a + b);
	case OP_SUB: return cel_double(a - b);
	case OP_MUL: return cel_double(a * b);
	case OP_DIV: return cel_double(a / b);
	default: return no_overload(e, n, cel_double(a), cel_double(b));
	}
}

static struct cel_value concat_strings(struct cel_eval *e, const struct cel_node *n,
				       struct cel_value a, struct cel_value b)
{
	char *p = cel_new_string(e, a.n + b.n, n->pos);
	if (!p)
		return cel_fatal_value(e);
	if (a.n)
		memcpy(p, a.v.p, a.n);
	if (b.n)
		memcpy(p + a.n, b.v.p, b.n);
	struct cel_value v = {.kind = a.kind, .n = a.n + b.n, .v.p = p};
	return v;
}

static struct cel_value concat_lists(struct cel_eval *e, const struct cel_node *n,
				     struct cel_value a, struct cel_value b)
{
	size_t na = cel_list_size(a), nb = cel_list_size(b);
	if (nb == 0)
		return a;
	if (na == 0)
		return b;
	struct cel_list *l = cel_new_list(e, na + nb, n->pos);
	if (!l)
		return cel_fatal_value(e);
	struct cel_iter it = {0};
	size_t k = 0;
	while (cel_list_next(a, &it, &l->items[k]))
		k++;
	memset(&it, 0, sizeof(it));
	while (cel_list_next(b, &it, &l->items[k]))
		k++;
	return cel_list_value(l);
}

static struct cel_value time_op(struct cel_eval *e, const struct cel_node *n, struct cel_value a,
				struct cel_value b)
{
	int64_t ns, sec;
	int32_t nsec;
	uint8_t ka = a.kind, kb = b.kind;
	if (ka == CEL_DURATION && kb == CEL_DURATION && (n->op == OP_ADD || n->op == OP_SUB)) {
		if (n->op == OP_ADD ? __builtin_add_overflow(a.v.i, b.v.i, &ns)
				    : __builtin_sub_overflow(a.v.i, b.v.i, &ns))
			return cel_error(e, n->pos, "integer overflow");
		return cel_duration(ns);
	}
	if (ka == CEL_TIMESTAMP && kb == CEL_TIMESTAMP && n->op == OP_SUB) {
		if (!cel_ts_sub(a.v.sec, a.n, b.v.sec, b.n, &ns))
			return cel_error(e, n->pos, "integer overflow");
		return cel_duration(ns);
	}
	if (n->op == OP_ADD && ka == CEL_DURATION && kb == CEL_TIMESTAMP) {
		struct cel_value t = a;
		a = b;
		b = t;
		ka = CEL_TIMESTAMP;
		kb = CEL_DURATION;
	}
	if (ka == CEL_TIMESTAMP && kb == CEL_DURATION && (n->op == OP_ADD || n->op == OP_SUB)) {
		ns = b.v.i;
		if (n->op == OP_SUB) {
			if (ns == INT64_MIN)
				return cel_error(e, n->pos, "integer overflow");
			ns = -ns;
		}
		if (!cel_ts_add(a.v.sec, a.n, ns, &sec, &nsec))
			return cel_error(e, n->pos, "timestamp out of range");
		return cel_timestamp(sec, nsec);
	}
	return no_overload(e, n, a, b);
}

/* size_cost approximates the work of ordering v. */
static uint64_t size_cost(struct cel_value v)
{
	if (v.kind == CEL_STRING || v.kind == CEL_BYTES)
		return v.n / 16;
	return 0;
}

static struct cel_value in(struct cel_eval *e, const struct cel_node *n, struct cel_value a,
			   struct cel_value b)
{
	struct cel_value x;
	if (b.kind == CEL_MAP) {
		if (!cel_charge(e, cel_map_size(b), n->pos))
			return cel_fatal_value(e);
		return cel_bool(cel_map_find(b, a, &x));
	}
	if (b.kind != CEL_LIST)
		return no_overload(e, n, a, b);
	struct cel_iter it = {0};
	while (cel_list_next(b, &it, &x)) {
		bool equal = cel_equal_charged(e, a, x, n->pos);
		if (e->fatal)
			return cel_fatal_value(e);
		if (equal)
			return cel_bool(true);
	}
	return cel_bool(false);
}

struct cel_value cel_binary(struct cel_eval *e, const struct cel_node *n, struct cel_value a,
			    struct cel_value b)
{
	int cmp;
	bool unordered;
	switch (n->op) {
	case OP_EQ:
	case OP_NE: {
		bool equal = cel_equal_charged(e, a, b, n->pos);
		if (e->fatal)
			return cel_fatal_value(e);
		return cel_bool(equal == (n->op == OP_EQ));
	}
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		if (!cel_compare(a, b, &cmp, &unordered))
			return no_overload(e, n, a, b);
		if (!cel_charge(e, size_cost(a), n->pos))
			return cel_fatal_value(e);
		if (unordered)
			return cel_bool(false);
		switch (n->op) {
		case OP_LT: return cel_bool(cmp < 0);
		case OP_LE: return cel_bool(cmp <= 0);
		case OP_GT: return cel_bool(cmp > 0);
		default: return cel_bool(cmp >= 0);
		}
	case OP_IN: return in(e, n, a, b);
	default: break;
	}
	if (a.kind != b.kind)
		return time_op(e, n, a, b);
	switch (a.kind) {
	case CEL_INT: return int_op(e, n, a.v.i, b.v.i);
	case CEL_UINT: return uint_op(e, n, a.v.u, b.v.u);
	case CEL_DOUBLE: return double_op(e, n, a.v.d, b.v.d);
	case CEL_STRING:
	case CEL_BYTES:
		if (n->op == OP_ADD)
			return concat_strings(e, n, a, b);
		break;
	case CEL_LIST:
		if (n->op == OP_ADD)
			return concat_lists(e, n, a, b);
		break;
	case CEL_TIMESTAMP:
	case CEL_DURATION: return time_op(e, n, a, b);
	default: break;
	}
	return no_overload(e, n, a, b);
}

struct cel_value cel_negate(struct cel_eval *e, const struct cel_node *n, struct cel_value v)
{
	switch (v.kind) {
	case CEL_ERROR: return v;
	case CEL_INT:
		if (v.v.i == INT64_MIN)
			return cel_error(e, n->pos, "integer overflow");
		return cel_int(-v.v.i);
	case CEL_DOUBLE: return cel_double(-v.v.d);
	case CEL_DURATION:
		if (v.v.i == INT64_MIN)
			return cel_error(e, n->pos, "integer overflow");
		return cel_duration(-v.v.i);
	default: return cel_no_overload(e, n->pos, "-", &v, 1);
	}
}
