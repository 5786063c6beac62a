/*
 * eval.c: the tree-walking evaluator. Errors are values (so && and || can
 * absorb them, as CEL requires) that carry their node's position; limits
 * set e->fatal, after which every node fails at once.
 */
#include "cel/eval.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cel/operators.h"
#include "cel/program.h"

static struct cel_value make_error(struct cel_eval *e, uint32_t pos, bool fatal, const char *fmt,
				   va_list ap) __attribute__((format(printf, 4, 0)));

static struct cel_value make_error(struct cel_eval *e, uint32_t pos, bool fatal, const char *fmt,
				   va_list ap)
{
	char buf[320];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	struct cel_error *err = cel_arena_alloc(&e->arena, sizeof(*err));
	err->pos = pos;
	err->fatal = fatal;
	err->msg = cel_arena_strndup(&e->arena, buf, strlen(buf));
	struct cel_value v = {.kind = CEL_ERROR, .v.err = err};
	if (fatal && !e->fatal)
		e->fatal = err;
	return v;
}

struct cel_value cel_error(struct cel_eval *e, uint32_t pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct cel_value v = make_error(e, pos, false, fmt, ap);
	va_end(ap);
	return v;
}

struct cel_value cel_fatal(struct cel_eval *e, uint32_t pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct cel_value v = make_error(e, pos, true, fmt, ap);
	va_end(ap);
	return v;
}

struct cel_value cel_fatal_value(const struct cel_eval *e)
{
	struct cel_value v = {.kind = CEL_ERROR, .v.err = e->fatal};
	return v;
}

struct cel_value cel_no_overload(struct cel_eval *e, uint32_t pos, const char *name,
				 const struct cel_value *args, size_t nargs)
{
	char types[200] = "";
	size_t len = 0;
	for (size_t i = 0; i < nargs && len < sizeof(types); i++)
		len += (size_t)snprintf(types + len, sizeof(types) - len, "%s%s", i ? ", " : "",
					cel_type_name(args[i]));
	return cel_error(e, pos, "no matching overload for '%s' applied to (%s)", name, types);
}

bool cel_charge(struct cel_eval *e, uint64_t units, uint32_t pos)
{
	e->cost += units;
	if (e->cost <= HF_CEL_MAX_COST)
		return true;
	if (!e->fatal)
		cel_fatal(e, pos, "evaluation cost limit exceeded (%d units)", HF_CEL_MAX_COST);
	return false;
}

bool cel_equal_charged(struct cel_eval *e, struct cel_value a, struct cel_value b, uint32_t pos)
{
	uint64_t left = HF_CEL_MAX_COST >= e->cost ? HF_CEL_MAX_COST - e->cost + 1 : 1;
	uint64_t budget = left;
	bool r = cel_equal_bounded(a, b, &budget);
	cel_charge(e, left - budget, pos);
	if (budget == 0 && !e->fatal)
		cel_fatal(e, pos, "evaluation cost limit exceeded (%d units)", HF_CEL_MAX_COST);
	return r && !e->fatal;
}

char *cel_new_string(struct cel_eval *e, size_t len, uint32_t pos)
{
	if (len > HF_CEL_MAX_STRING) {
		cel_fatal(e, pos, "string longer than %d bytes", HF_CEL_MAX_STRING);
		return NULL;
	}
	if (!cel_charge(e, len / 16, pos))
		return NULL;
	char *p = cel_arena_alloc(&e->arena, len + 1);
	p[len] = '\0';
	return p;
}

struct cel_list *cel_new_list(struct cel_eval *e, size_t n, uint32_t pos)
{
	if (n > HF_CEL_MAX_LIST) {
		cel_fatal(e, pos, "list longer than %d elements", HF_CEL_MAX_LIST);
		return NULL;
	}
	if (!cel_charge(e, n, pos))
		return NULL;
	struct cel_list *l = cel_arena_alloc(&e->arena, sizeof(*l));
	l->n = n;
	l->items = cel_arena_alloc(&e->arena, (n ? n : 1) * sizeof(*l->items));
	return l;
}

struct cel_value cel_optional(struct cel_eval *e, const struct cel_value *inner)
{
	struct cel_value v = {.kind = CEL_OPTIONAL, .v.opt = NULL};
	if (inner) {
		struct cel_value *copy = cel_arena_alloc(&e->arena, sizeof(*copy));
		*copy = *inner;
		v.v.opt = copy;
	}
	return v;
}

struct cel_value cel_now(struct cel_eval *e)
{
	if (!e->now_read) {
		struct timespec ts;
		if (e->act && e->act->now)
			ts = *e->act->now;
		else
			clock_gettime(CLOCK_REALTIME, &ts);
		e->now_sec = (int64_t)ts.tv_sec;
		e->now_nsec = (int32_t)ts.tv_nsec;
		e->now_read = true;
	}
	return cel_timestamp(e->now_sec, e->now_nsec);
}

static struct cel_value lookup(struct cel_eval *e, const struct cel_node *n)
{
	const struct hf_cel_activation *a = e->act;
	if (a) {
		for (size_t i = 0; i < a->count; i++)
			if (strcmp(a->vars[i].name, n->name) == 0)
				return cel_from_json(a->vars[i].value);
		if (a->object) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(a->object, n->name);
			if (v)
				return cel_from_json(v);
		}
	}
	/* Type names come after variables, so a variable may be called
	 * `list` or `type`. */
	enum cel_kind k;
	if (cel_kind_by_name(n->name, &k))
		return cel_type(k);
	return cel_error(e, n->pos, "undeclared reference to '%s'", n->name);
}

/* key_text writes a map key for "no such key" messages. */
static void key_text(struct cel_value k, char *buf, size_t len)
{
	switch (k.kind) {
	case CEL_STRING: snprintf(buf, len, "%.*s", (int)(k.n > 100 ? 100 : k.n), k.v.p); break;
	case CEL_INT: snprintf(buf, len, "%lld", (long long)k.v.i); break;
	case CEL_UINT: snprintf(buf, len, "%lluu", (unsigned long long)k.v.u); break;
	case CEL_BOOL: snprintf(buf, len, "%s", k.v.b ? "true" : "false"); break;
	case CEL_DOUBLE: cel_format_double(k.v.d, buf, len); break;
	default: snprintf(buf, len, "%s", cel_type_name(k));
	}
}

/* select_in selects n->name in v; opt (for .? and inside an optional
 * chain) makes a missing key optional.none() instead of an error. */
static struct cel_value select_in(struct cel_eval *e, const struct cel_node *n, struct cel_value v,
				  bool opt)
{
	if (v.kind == CEL_ERROR)
		return v;
	if (v.kind == CEL_OPTIONAL) {
		/* As in cel-go, every selection after an optional one is a
		 * presence test: a.?b.c is none when b or c is missing. */
		if (!v.v.opt)
			return v;
		return select_in(e, n, *v.v.opt, true);
	}
	if (v.kind != CEL_MAP)
		return cel_error(e, n->pos, "type '%s' does not support field selection",
				 cel_type_name(v));
	struct cel_value out;
	bool found = cel_map_find_str(v, n->name, n->name_len, &out);
	if (opt)
		return cel_optional(e, found ? &out : NULL);
	if (!found)
		return cel_error(e, n->pos, "no such key: %s", n->name);
	return out;
}

static struct cel_value index_in(struct cel_eval *e, const struct cel_node *n, struct cel_value v,
				 struct cel_value i, bool opt)
{
	if (v.kind == CEL_OPTIONAL) {
		if (!v.v.opt)
			return v;
		return index_in(e, n, *v.v.opt, i, true);
	}
	struct cel_value args[2] = {v, i}, out;
	if (v.kind == CEL_LIST) {
		int64_t idx;
		if (i.kind == CEL_INT)
			idx = i.v.i;
		else if (i.kind == CEL_UINT && i.v.u <= INT64_MAX)
			idx = (int64_t)i.v.u;
		else if (i.kind == CEL_DOUBLE && i.v.d == (double)(int64_t)i.v.d &&
			 i.v.d < 9.2e18 && i.v.d > -9.2e18)
			idx = (int64_t)i.v.d;
		else if (i.kind == CEL_UINT)
			idx = INT64_MAX;
		else
			return cel_no_overload(e, n->pos, n->opt ? "[?]" : "[]", args, 2);
		size_t size = cel_list_size(v);
		if (!cel_charge(e, v.json ? size / 8 : 0, n->pos))
			return cel_fatal_value(e);
		if (idx < 0 || (uint64_t)idx >= size) {
			if (opt)
				return cel_optional(e, NULL);
			return cel_error(e, n->pos, "index %lld out of range for list of size %zu",
					 (long long)idx, size);
		}
		out = cel_list_get(v, (size_t)idx);
		return opt ? cel_optional(e, &out) : out;
	}
	if (v.kind == CEL_MAP) {
		bool found = cel_map_find(v, i, &out);
		if (opt)
			return cel_optional(e, found ? &out : NULL);
		if (!found) {
			char k[128];
			key_text(i, k, sizeof(k));
			return cel_error(e, n->pos, "no such key: %s", k);
		}
		return out;
	}
	return cel_no_overload(e, n->pos, n->opt ? "[?]" : "[]", args, 2);
}

static struct cel_value has(struct cel_eval *e, const struct cel_node *n)
{
	struct cel_value v = cel_eval_node(e, n->kids[0]), out;
	if (v.kind == CEL_ERROR)
		return v;
	if (v.kind == CEL_OPTIONAL) {
		/* has() inside an optional chain: absent means false. */
		if (!v.v.opt)
			return cel_bool(false);
		v = *v.v.opt;
	}
	if (v.kind != CEL_MAP)
		return cel_error(e, n->pos, "type '%s' does not support field selection",
				 cel_type_name(v));
	return cel_bool(cel_map_find_str(v, n->name, n->name_len, &out));
}

static struct cel_value call(struct cel_eval *e, const struct cel_node *n)
{
	const struct cel_builtin *b = cel_builtin_get(n->fn);
	struct cel_value args[4];
	if (b->flags & FN_LAZY) {
		/* orValue / or: the alternative only when the optional is empty. */
		struct cel_value o = cel_eval_node(e, n->kids[0]);
		if (o.kind == CEL_ERROR)
			return o;
		if (o.kind != CEL_OPTIONAL)
			return cel_no_overload(e, n->pos, b->name, &o, 1);
		bool or_value = strcmp(b->name, "orValue") == 0;
		if (o.v.opt)
			return or_value ? *o.v.opt : o;
		struct cel_value alt = cel_eval_node(e, n->kids[1]);
		if (!or_value && alt.kind != CEL_OPTIONAL && alt.kind != CEL_ERROR) {
			args[0] = o;
			args[1] = alt;
			return cel_no_overload(e, n->pos, b->name, args, 2);
		}
		return alt;
	}
	for (uint32_t i = 0; i < n->nkids; i++) {
		args[i] = cel_eval_node(e, n->kids[i]);
		if (args[i].kind == CEL_ERROR)
			return args[i];
	}
	return b->fn(e, n, args, n->nkids);
}

static struct cel_value list(struct cel_eval *e, const struct cel_node *n)
{
	struct cel_list *l = cel_new_list(e, n->nkids, n->pos);
	if (!l)
		return cel_fatal_value(e);
	size_t len = 0;
	for (uint32_t i = 0; i < n->nkids; i++) {
		struct cel_value v = cel_eval_node(e, n->kids[i]);
		if (v.kind == CEL_ERROR)
			return v;
		if (n->opt_mask && n->opt_mask[i]) {
			if (v.kind != CEL_OPTIONAL)
				return cel_no_overload(e, n->kids[i]->pos, "[?]", &v, 1);
			if (!v.v.opt)
				continue;
			v = *v.v.opt;
		}
		l->items[len++] = v;
	}
	l->n = len;
	return cel_list_value(l);
}

static struct cel_value map(struct cel_eval *e, const struct cel_node *n)
{
	size_t count = n->nkids / 2;
	struct cel_map *m = cel_arena_alloc(&e->arena, sizeof(*m));
	m->n = 0;
	m->entries = cel_arena_alloc(&e->arena, (count ? count : 1) * sizeof(*m->entries));
	/* The key nodes of the entries, for the position of an error. */
	uint32_t *from = cel_arena_alloc(&e->arena, (count ? count : 1) * sizeof(*from));
	for (uint32_t i = 0; i < n->nkids; i += 2) {
		struct cel_value k = cel_eval_node(e, n->kids[i]);
		if (k.kind == CEL_ERROR)
			return k;
		struct cel_value v = cel_eval_node(e, n->kids[i + 1]);
		if (v.kind == CEL_ERROR)
			return v;
		if (k.kind != CEL_STRING && k.kind != CEL_INT && k.kind != CEL_UINT &&
		    k.kind != CEL_BOOL)
			return cel_error(e, n->kids[i]->pos, "unsupported map key type '%s'",
					 cel_type_name(k));
		if (n->opt_mask && n->opt_mask[i]) {
			if (v.kind != CEL_OPTIONAL)
				return cel_no_overload(e, n->kids[i + 1]->pos, "{?}", &v, 1);
			if (!v.v.opt)
				continue;
			v = *v.v.opt;
		}
		from[m->n] = n->kids[i]->pos;
		m->entries[m->n].key = k;
		m->entries[m->n++].val = v;
	}
	if (!cel_charge(e, m->n * 4, n->pos))
		return cel_fatal_value(e);
	size_t dup = cel_find_duplicate_key(m->entries, m->n);
	if (dup < m->n)
		return cel_error(e, from[dup], "repeated key in map literal");
	struct cel_value mv = {.kind = CEL_MAP, .v.map = m};
	return mv;
}

static struct cel_value logic(struct cel_eval *e, const struct cel_node *n, bool is_and)
{
	/* && and || are commutative over errors: a deciding operand (false
	 * for &&, true for ||) wins whichever side it is on. */
	struct cel_value l = cel_eval_node(e, n->kids[0]);
	if (l.kind == CEL_BOOL && l.v.b != is_and)
		return l;
	struct cel_value r = cel_eval_node(e, n->kids[1]);
	if (r.kind == CEL_BOOL && r.v.b != is_and)
		return r;
	if (e->fatal)
		return cel_fatal_value(e);
	if (l.kind == CEL_BOOL && r.kind == CEL_BOOL)
		return l;
	if (l.kind == CEL_ERROR)
		return l;
	if (r.kind == CEL_ERROR)
		return r;
	struct cel_value args[2] = {l, r};
	return cel_no_overload(e, n->pos, is_and ? "&&" : "||", args, 2);
}

static const char *const macro_names[] = {
	[M_ALL] = "all",
	[M_EXISTS] = "exists",
	[M_EXISTS_ONE] = "exists_one",
	[M_FILTER] = "filter",
	[M_MAP] = "map",
	[M_MAP_FILTER] = "map",
	[M_OPT_MAP] = "optMap",
	[M_OPT_FLATMAP] = "optFlatMap",
};

static struct cel_value optional_map(struct cel_eval *e, const struct cel_node *n,
				     struct cel_value o)
{
	if (o.kind != CEL_OPTIONAL)
		return cel_no_overload(e, n->pos, macro_names[n->op], &o, 1);
	if (!o.v.opt)
		return o;
	e->locals[n->slot] = *o.v.opt;
	struct cel_value r = cel_eval_node(e, n->kids[1]);
	if (r.kind == CEL_ERROR)
		return r;
	if (n->op == M_OPT_MAP)
		return cel_optional(e, &r);
	if (r.kind != CEL_OPTIONAL)
		return cel_no_overload(e, n->pos, macro_names[n->op], &r, 1);
	return r;
}

static struct cel_value loop(struct cel_eval *e, const struct cel_node *n)
{
	struct cel_value range = cel_eval_node(e, n->kids[0]);
	if (range.kind == CEL_ERROR)
		return range;
	if (n->op == M_OPT_MAP || n->op == M_OPT_FLATMAP)
		return optional_map(e, n, range);
	if (range.kind != CEL_LIST && range.kind != CEL_MAP)
		return cel_no_overload(e, n->pos, macro_names[n->op], &range, 1);
	bool is_map = range.kind == CEL_MAP;
	size_t size = is_map ? cel_map_size(range) : cel_list_size(range);
	struct cel_list *out = NULL;
	if (n->op == M_FILTER || n->op == M_MAP || n->op == M_MAP_FILTER) {
		if (!(out = cel_new_list(e, size, n->pos)))
			return cel_fatal_value(e);
		out->n = 0;
	}
	struct cel_value err = {.kind = CEL_NULL}, item;
	struct cel_iter it = {0};
	size_t matched = 0;
	while (is_map ? cel_map_next(range, &it, &item, NULL) : cel_list_next(range, &it, &item)) {
		if (++e->iterations > HF_CEL_MAX_ITERATIONS)
			return cel_fatal(e, n->pos, "more than %d comprehension iterations",
					 HF_CEL_MAX_ITERATIONS);
		e->locals[n->slot] = item;
		struct cel_value p = cel_eval_node(e, n->kids[1]);
		if (e->fatal)
			return cel_fatal_value(e);
		if (n->op == M_MAP) {
			if (p.kind == CEL_ERROR)
				return p;
			out->items[out->n++] = p;
			continue;
		}
		if (p.kind != CEL_BOOL) {
			if (p.kind != CEL_ERROR)
				p = cel_no_overload(e, n->kids[1]->pos, macro_names[n->op], &p, 1);
			/* all and exists keep going: a later deciding element
			 * absorbs the error, as && and || do. */
			if (n->op != M_ALL && n->op != M_EXISTS)
				return p;
			if (err.kind != CEL_ERROR)
				err = p;
			continue;
		}
		if (n->op == M_ALL && !p.v.b)
			return p;
		if (n->op == M_EXISTS && p.v.b)
			return p;
		if (!p.v.b)
			continue;
		matched++;
		if (n->op == M_FILTER) {
			out->items[out->n++] = item;
		} else if (n->op == M_MAP_FILTER) {
			struct cel_value t = cel_eval_node(e, n->kids[2]);
			if (t.kind == CEL_ERROR)
				return t;
			out->items[out->n++] = t;
		}
	}
	if (err.kind == CEL_ERROR)
		return err;
	switch (n->op) {
	case M_ALL: return cel_bool(true);
	case M_EXISTS: return cel_bool(false);
	case M_EXISTS_ONE: return cel_bool(matched == 1);
	default: return cel_list_value(out);
	}
}

struct cel_value cel_eval_node(struct cel_eval *e, const struct cel_node *n)
{
	if (e->fatal)
		return cel_fatal_value(e);
	if (e->arena.over)
		return cel_fatal(e, n->pos, "evaluation used more than %d bytes of memory",
				 HF_CEL_MAX_MEMORY);
	if (!cel_charge(e, 1, n->pos))
		return cel_fatal_value(e);
	switch (n->kind) {
	case N_CONST: return n->v;
	case N_IDENT: return lookup(e, n);
	case N_LOCAL: return e->locals[n->slot];
	case N_SELECT: return select_in(e, n, cel_eval_node(e, n->kids[0]), n->opt);
	case N_HAS: return has(e, n);
	case N_INDEX: {
		struct cel_value v = cel_eval_node(e, n->kids[0]);
		if (v.kind == CEL_ERROR)
			return v;
		struct cel_value i = cel_eval_node(e, n->kids[1]);
		if (i.kind == CEL_ERROR)
			return i;
		return index_in(e, n, v, i, n->opt);
	}
	case N_CALL: return call(e, n);
	case N_LIST: return list(e, n);
	case N_MAP: return map(e, n);
	case N_NOT: {
		struct cel_value v = cel_eval_node(e, n->kids[0]);
		if (v.kind == CEL_BOOL)
			return cel_bool(!v.v.b);
		return v.kind == CEL_ERROR ? v : cel_no_overload(e, n->pos, "!", &v, 1);
	}
	case N_NEG: return cel_negate(e, n, cel_eval_node(e, n->kids[0]));
	case N_BINARY: {
		struct cel_value a = cel_eval_node(e, n->kids[0]);
		if (a.kind == CEL_ERROR)
			return a;
		struct cel_value b = cel_eval_node(e, n->kids[1]);
		if (b.kind == CEL_ERROR)
			return b;
		return cel_binary(e, n, a, b);
	}
	case N_AND: return logic(e, n, true);
	case N_OR: return logic(e, n, false);
	case N_COND: {
		struct cel_value c = cel_eval_node(e, n->kids[0]);
		if (c.kind == CEL_BOOL)
			return cel_eval_node(e, n->kids[c.v.b ? 1 : 2]);
		return c.kind == CEL_ERROR ? c : cel_no_overload(e, n->pos, "?:", &c, 1);
	}
	case N_LOOP: return loop(e, n);
	default: return cel_error(e, n->pos, "internal error: unknown node");
	}
}
