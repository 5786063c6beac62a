/*
 * parser.c: CEL source to syntax tree, by recursive descent over the
 * grammar of the CEL language definition:
 *
 *   Expr      = Or ["?" Or ":" Expr]
 *   Or        = And {"||" And}          And = Relation {"&&" Relation}
 *   Relation  = Addition {Relop Addition}
 *   Addition  = Mult {("+"|"-") Mult}  Mult = Unary {("*"|"/"|"%") Unary}
 *   Unary     = Member | "!" {"!"} Member | "-" {"-"} Member
 *   Member    = Primary {"." ["?"] IDENT ["(" [Args] ")"] | "[" ["?"] Expr "]"}
 *   Primary   = ["."] IDENT ["(" [Args] ")"] | "(" Expr ")" | List | Map | Literal
 *
 * Macros are expanded as they are parsed, then resolve() binds names (see
 * ast.h). The first error stops everything.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/eval.h"
#include "cel/lexer.h"
#include "cel/program.h"
#include "cel/regex.h"
#include "util/alloc.h"

struct parser {
	struct cel_lexer lx;
	struct cel_token tok;
	struct hf_cel_program *prog;
	struct cel_diag *diag;
	unsigned depth;
	bool failed;
};

static void fail(struct parser *p, enum hf_err code, uint32_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct parser *p, enum hf_err code, uint32_t pos, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	p->diag->code = code;
	p->diag->pos = pos;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->diag->msg, sizeof(p->diag->msg), fmt, ap);
	va_end(ap);
}

static void advance(struct parser *p)
{
	p->tok = cel_lex_next(&p->lx);
	if (p->tok.kind != T_ERROR)
		return;
	if (strcmp(p->lx.error, "unexpected character") == 0) {
		uint32_t cp;
		size_t n = cel_utf8_decode(p->lx.src + p->tok.pos, p->lx.len - p->tok.pos, &cp);
		fail(p, HF_ERR_INVALID, p->tok.pos, "syntax error: unexpected character '%.*s'",
		     (int)n, p->lx.src + p->tok.pos);
	} else {
		fail(p, HF_ERR_INVALID, p->tok.pos, "syntax error: %s", p->lx.error);
	}
}

static void unexpected(struct parser *p)
{
	struct cel_token t = p->tok;
	if (t.kind == T_EOF) {
		fail(p, HF_ERR_INVALID, t.pos, "syntax error: unexpected end of input");
		return;
	}
	int n = t.len > 24 ? 24 : (int)t.len;
	fail(p, HF_ERR_INVALID, t.pos, "syntax error: unexpected '%.*s'", n, p->lx.src + t.pos);
}

static bool expect(struct parser *p, enum cel_tok kind)
{
	if (p->tok.kind != kind) {
		unexpected(p);
		return false;
	}
	advance(p);
	return true;
}

static struct cel_node *node(struct parser *p, enum cel_node_kind kind, uint32_t pos,
			     uint32_t nkids)
{
	struct cel_node *n = cel_arena_alloc(&p->prog->arena, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->kind = (uint8_t)kind;
	n->pos = pos;
	n->nkids = nkids;
	if (nkids) {
		n->kids = cel_arena_alloc(&p->prog->arena, nkids * sizeof(*n->kids));
		memset(n->kids, 0, nkids * sizeof(*n->kids));
	}
	return n;
}

/* seal computes n's height once its children are set; NULL past the limit. */
static struct cel_node *seal(struct parser *p, struct cel_node *n)
{
	unsigned h = 0;
	for (uint32_t i = 0; i < n->nkids; i++)
		if (n->kids[i] && n->kids[i]->height > h)
			h = n->kids[i]->height;
	if (h + 1 > HF_CEL_MAX_DEPTH) {
		fail(p, HF_ERR_TOO_LARGE, n->pos,
		     "expression nested too deeply (more than %d levels)", HF_CEL_MAX_DEPTH);
		return NULL;
	}
	n->height = (uint8_t)(h + 1);
	return n;
}

static struct cel_node *binary(struct parser *p, enum cel_node_kind kind, uint8_t op, uint32_t pos,
			       struct cel_node *l, struct cel_node *r)
{
	struct cel_node *n = node(p, kind, pos, 2);
	n->op = op;
	n->kids[0] = l;
	n->kids[1] = r;
	return seal(p, n);
}

static const char *intern(struct parser *p, const char *s, size_t len)
{
	return cel_arena_strndup(&p->prog->arena, s, len);
}

/* A growable array of nodes while a list, map or argument list is parsed. */
struct nodes {
	struct cel_node **v;
	uint8_t *opt;
	size_t n, cap;
};

static void push(struct nodes *ns, struct cel_node *n, bool opt)
{
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 8;
		ns->v = hf_realloc(ns->v, ns->cap * sizeof(*ns->v));
		ns->opt = hf_realloc(ns->opt, ns->cap);
	}
	ns->opt[ns->n] = opt;
	ns->v[ns->n++] = n;
}

static void nodes_free(struct nodes *ns)
{
	free(ns->v);
	free(ns->opt);
}

static struct cel_node *expr(struct parser *p);

/* args parses "(" [Expr {"," Expr}] ")" after the name, the "(" current. */
static bool args(struct parser *p, struct nodes *out)
{
	advance(p);
	if (p->tok.kind == T_RPAREN) {
		advance(p);
		return true;
	}
	for (;;) {
		struct cel_node *a = expr(p);
		if (!a)
			return false;
		push(out, a, false);
		if (p->tok.kind == T_COMMA) {
			advance(p);
			continue;
		}
		return expect(p, T_RPAREN);
	}
}

static bool name_is(const struct cel_node *n, const char *s)
{
	return n->name && strcmp(n->name, s) == 0;
}

static struct cel_node *macro(struct parser *p, struct cel_node *target, const char *name,
			      uint32_t pos, struct nodes *a, enum cel_macro m)
{
	struct cel_node *var = a->v[0];
	if (var->kind != N_IDENT) {
		fail(p, HF_ERR_INVALID, var->pos, "argument of %s() must be a simple name", name);
		return NULL;
	}
	struct cel_node *n = node(p, N_LOOP, pos, (uint32_t)a->n);
	n->op = (uint8_t)m;
	n->name = var->name;
	n->name_len = var->name_len;
	n->kids[0] = target;
	for (size_t i = 1; i < a->n; i++)
		n->kids[i] = a->v[i];
	return seal(p, n);
}

/* call builds a call of name (a method when target is not NULL),
 * expanding macros. */
static struct cel_node *call(struct parser *p, struct cel_node *target, const char *name,
			     size_t len, uint32_t pos, struct nodes *a)
{
	static const struct {
		const char *name;
		size_t args;
		enum cel_macro m;
	} macros[] = {
		{"all", 2, M_ALL},
		{"exists", 2, M_EXISTS},
		{"exists_one", 2, M_EXISTS_ONE},
		{"filter", 2, M_FILTER},
		{"map", 2, M_MAP},
		{"map", 3, M_MAP_FILTER},
		{"optMap", 2, M_OPT_MAP},
		{"optFlatMap", 2, M_OPT_FLATMAP},
	};
	if (!target && strcmp(name, "has") == 0) {
		struct cel_node *s = a->n == 1 ? a->v[0] : NULL;
		if (!s || s->kind != N_SELECT || s->opt) {
			fail(p, HF_ERR_INVALID, pos, "invalid argument to has() macro");
			return NULL;
		}
		s->kind = N_HAS;
		return s;
	}
	if (target) {
		bool known = false;
		for (size_t i = 0; i < sizeof(macros) / sizeof(macros[0]); i++) {
			if (strcmp(name, macros[i].name) != 0)
				continue;
			known = true;
			if (a->n == macros[i].args)
				return macro(p, target, name, pos, a, macros[i].m);
		}
		if (known) {
			fail(p, HF_ERR_INVALID, pos, "wrong number of arguments to %s()", name);
			return NULL;
		}
		/* optional.of(x) and friends are global functions in a
		 * namespace, which the grammar reads as a method call. */
		if (target->kind == N_IDENT && name_is(target, "optional")) {
			char *full = hf_asprintf("optional.%s", name);
			struct cel_node *n =
				call(p, NULL, intern(p, full, strlen(full)), strlen(full), pos, a);
			free(full);
			return n;
		}
	}
	int fn = cel_builtin_find(name, len, target != NULL);
	if (fn < 0) {
		fail(p, HF_ERR_INVALID, pos, "undeclared reference to '%s'", name);
		return NULL;
	}
	const struct cel_builtin *b = cel_builtin_get((unsigned)fn);
	if (a->n < b->min || a->n > b->max) {
		if (b->min == b->max)
			fail(p, HF_ERR_INVALID, pos,
			     "wrong number of arguments to %s(): got %zu, want %u", name, a->n,
			     b->min);
		else
			fail(p, HF_ERR_INVALID, pos,
			     "wrong number of arguments to %s(): got %zu, want %u to %u", name,
			     a->n, b->min, b->max);
		return NULL;
	}
	size_t self = target ? 1 : 0;
	struct cel_node *n = node(p, N_CALL, pos, (uint32_t)(a->n + self));
	n->fn = (uint16_t)fn;
	n->name = name;
	n->name_len = len;
	if (target)
		n->kids[0] = target;
	for (size_t i = 0; i < a->n; i++)
		n->kids[i + self] = a->v[i];
	return seal(p, n);
}

static bool reserved(const char *s, size_t n)
{
	static const char *const words[] = {"as",   "break",	"const",     "continue", "else",
					    "for",  "function", "if",	     "import",	 "let",
					    "loop", "package",	"namespace", "return",	 "var",
					    "void", "while"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return true;
	return false;
}

static struct cel_node *literal(struct parser *p)
{
	struct cel_token t = p->tok;
	struct cel_node *n = node(p, N_CONST, t.pos, 0);
	switch (t.kind) {
	case T_TRUE: n->v = cel_bool(true); break;
	case T_FALSE: n->v = cel_bool(false); break;
	case T_NULL: n->v = cel_null(); break;
	case T_INT:
	case T_UINT:
	case T_DOUBLE: {
		bool magnitude_only;
		if (!cel_lex_number(p->lx.src, t, &n->v, &magnitude_only)) {
			if (!magnitude_only) {
				fail(p, HF_ERR_INVALID, t.pos, "%s literal out of range",
				     t.kind == T_DOUBLE ? "double" : "integer");
				return NULL;
			}
			n->opt = 2; /* 2^63: valid only under a unary minus */
		}
		break;
	}
	default: {
		const char *err;
		uint32_t at;
		if (!cel_lex_string(p->lx.src, t, &p->prog->arena, &n->v, &err, &at)) {
			fail(p, HF_ERR_INVALID, at, "syntax error: %s", err);
			return NULL;
		}
	}
	}
	advance(p);
	return seal(p, n);
}

/* aggregate parses a list ("[" ... "]") or map ("{" ... "}") literal. */
static struct cel_node *aggregate(struct parser *p, bool map)
{
	uint32_t pos = p->tok.pos;
	enum cel_tok close = map ? T_RBRACE : T_RBRACKET;
	struct nodes ns = {0};
	struct cel_node *n = NULL;
	advance(p);
	while (p->tok.kind != close) {
		bool opt = false;
		if (p->tok.kind == T_QUESTION) {
			opt = true;
			advance(p);
		}
		struct cel_node *e = expr(p);
		if (!e)
			goto cleanup;
		push(&ns, e, opt);
		if (map) {
			if (!expect(p, T_COLON) || !(e = expr(p)))
				goto cleanup;
			push(&ns, e, false);
		}
		if (p->tok.kind != T_COMMA)
			break;
		advance(p);
	}
	if (!expect(p, close))
		goto cleanup;
	n = node(p, map ? N_MAP : N_LIST, pos, (uint32_t)ns.n);
	bool any_opt = false;
	for (size_t i = 0; i < ns.n; i++) {
		n->kids[i] = ns.v[i];
		any_opt |= ns.opt[i];
	}
	if (any_opt) {
		uint8_t *mask = cel_arena_alloc(&p->prog->arena, ns.n);
		memcpy(mask, ns.opt, ns.n);
		n->opt_mask = mask;
	}
	n = seal(p, n);
cleanup:
	nodes_free(&ns);
	return n;
}

static struct cel_node *ident_or_call(struct parser *p)
{
	struct cel_token t = p->tok;
	if (reserved(p->lx.src + t.pos, t.len)) {
		fail(p, HF_ERR_INVALID, t.pos, "reserved identifier '%.*s'", (int)t.len,
		     p->lx.src + t.pos);
		return NULL;
	}
	const char *name = intern(p, p->lx.src + t.pos, t.len);
	advance(p);
	if (p->tok.kind == T_LPAREN) {
		struct nodes a = {0};
		struct cel_node *n = NULL;
		if (args(p, &a))
			n = call(p, NULL, name, t.len, t.pos, &a);
		nodes_free(&a);
		return n;
	}
	struct cel_node *n = node(p, N_IDENT, t.pos, 0);
	n->name = name;
	n->name_len = t.len;
	return seal(p, n);
}

static struct cel_node *primary(struct parser *p)
{
	switch (p->tok.kind) {
	case T_DOT:
		/* A leading dot names the root scope: the same variables here. */
		advance(p);
		if (p->tok.kind != T_IDENT) {
			unexpected(p);
			return NULL;
		}
		return ident_or_call(p);
	case T_IDENT: return ident_or_call(p);
	case T_LPAREN: {
		advance(p);
		struct cel_node *n = expr(p);
		if (n && !expect(p, T_RPAREN))
			return NULL;
		return n;
	}
	case T_LBRACKET: return aggregate(p, false);
	case T_LBRACE: return aggregate(p, true);
	case T_TRUE:
	case T_FALSE:
	case T_NULL:
	case T_INT:
	case T_UINT:
	case T_DOUBLE:
	case T_STRING:
	case T_BYTES: return literal(p);
	default: unexpected(p); return NULL;
	}
}

static struct cel_node *member(struct parser *p)
{
	struct cel_node *m = primary(p);
	while (m) {
		uint32_t pos = p->tok.pos;
		if (p->tok.kind == T_DOT) {
			advance(p);
			bool opt = false;
			if (p->tok.kind == T_QUESTION) {
				opt = true;
				advance(p);
			}
			struct cel_token f = p->tok;
			const char *s = p->lx.src + f.pos;
			size_t len = f.len;
			if (f.kind == T_QUOTED_IDENT) {
				s++;
				len -= 2;
			} else if (f.kind != T_IDENT && f.kind != T_IN && f.kind != T_TRUE &&
				   f.kind != T_FALSE && f.kind != T_NULL) {
				unexpected(p);
				return NULL;
			}
			const char *name = intern(p, s, len);
			advance(p);
			if (p->tok.kind == T_LPAREN && !opt && f.kind == T_IDENT) {
				struct nodes a = {0};
				struct cel_node *n = NULL;
				if (args(p, &a))
					n = call(p, m, name, len, f.pos, &a);
				nodes_free(&a);
				m = n;
				continue;
			}
			struct cel_node *n = node(p, N_SELECT, pos, 1);
			n->kids[0] = m;
			n->name = name;
			n->name_len = len;
			n->opt = opt;
			m = seal(p, n);
		} else if (p->tok.kind == T_LBRACKET) {
			advance(p);
			bool opt = false;
			if (p->tok.kind == T_QUESTION) {
				opt = true;
				advance(p);
			}
			struct cel_node *i = expr(p);
			if (!i || !expect(p, T_RBRACKET))
				return NULL;
			struct cel_node *n = binary(p, N_INDEX, 0, pos, m, i);
			if (n)
				n->opt = opt;
			m = n;
		} else {
			break;
		}
	}
	return m;
}

static struct cel_node *unary(struct parser *p)
{
	enum cel_tok op = p->tok.kind;
	if (op != T_NOT && op != T_MINUS)
		return member(p);
	uint32_t pos = p->tok.pos;
	unsigned count = 0;
	while (p->tok.kind == op) {
		count++;
		advance(p);
	}
	struct cel_node *m = member(p);
	if (!m || count % 2 == 0)
		return m; /* !!x is x, as in cel-go */
	if (op == T_MINUS && m->kind == N_CONST) {
		if (m->opt == 2) {
			m->opt = 0;
			m->v = cel_int(INT64_MIN);
			return m;
		}
		if (m->v.kind == CEL_INT && m->v.v.i != INT64_MIN) {
			m->v.v.i = -m->v.v.i;
			return m;
		}
		if (m->v.kind == CEL_DOUBLE) {
			m->v.v.d = -m->v.v.d;
			return m;
		}
	}
	struct cel_node *n = node(p, op == T_NOT ? N_NOT : N_NEG, pos, 1);
	n->kids[0] = m;
	return seal(p, n);
}

static struct cel_node *multiplication(struct parser *p)
{
	struct cel_node *l = unary(p);
	while (l) {
		enum cel_tok t = p->tok.kind;
		uint8_t op = t == T_STAR ? OP_MUL : t == T_SLASH ? OP_DIV : OP_MOD;
		if (t != T_STAR && t != T_SLASH && t != T_PERCENT)
			break;
		uint32_t pos = p->tok.pos;
		advance(p);
		struct cel_node *r = unary(p);
		l = r ? binary(p, N_BINARY, op, pos, l, r) : NULL;
	}
	return l;
}

static struct cel_node *addition(struct parser *p)
{
	struct cel_node *l = multiplication(p);
	while (l && (p->tok.kind == T_PLUS || p->tok.kind == T_MINUS)) {
		uint8_t op = p->tok.kind == T_PLUS ? OP_ADD : OP_SUB;
		uint32_t pos = p->tok.pos;
		advance(p);
		struct cel_node *r = multiplication(p);
		l = r ? binary(p, N_BINARY, op, pos, l, r) : NULL;
	}
	return l;
}

static int relop(enum cel_tok t)
{
	switch (t) {
	case T_EQ: return OP_EQ;
	case T_NE: return OP_NE;
	case T_LT: return OP_LT;
	case T_LE: return OP_LE;
	case T_GT: return OP_GT;
	case T_GE: return OP_GE;
	case T_IN: return OP_IN;
	default: return -1;
	}
}

static struct cel_node *relation(struct parser *p)
{
	struct cel_node *l = addition(p);
	int op;
	while (l && (op = relop(p->tok.kind)) >= 0) {
		uint32_t pos = p->tok.pos;
		advance(p);
		struct cel_node *r = addition(p);
		l = r ? binary(p, N_BINARY, (uint8_t)op, pos, l, r) : NULL;
	}
	return l;
}

static struct cel_node *and_expr(struct parser *p)
{
	struct cel_node *l = relation(p);
	while (l && p->tok.kind == T_AND) {
		uint32_t pos = p->tok.pos;
		advance(p);
		struct cel_node *r = relation(p);
		l = r ? binary(p, N_AND, 0, pos, l, r) : NULL;
	}
	return l;
}

static struct cel_node *or_expr(struct parser *p)
{
	struct cel_node *l = and_expr(p);
	while (l && p->tok.kind == T_OR) {
		uint32_t pos = p->tok.pos;
		advance(p);
		struct cel_node *r = and_expr(p);
		l = r ? binary(p, N_OR, 0, pos, l, r) : NULL;
	}
	return l;
}

static struct cel_node *expr(struct parser *p)
{
	if (++p->depth > HF_CEL_MAX_DEPTH) {
		fail(p, HF_ERR_TOO_LARGE, p->tok.pos,
		     "expression nested too deeply (more than %d levels)", HF_CEL_MAX_DEPTH);
		return NULL;
	}
	struct cel_node *c = or_expr(p);
	if (c && p->tok.kind == T_QUESTION) {
		uint32_t pos = p->tok.pos;
		advance(p);
		struct cel_node *t = or_expr(p), *f = NULL;
		if (t && expect(p, T_COLON))
			f = expr(p);
		if (!f) {
			c = NULL;
		} else {
			struct cel_node *n = node(p, N_COND, pos, 3);
			n->kids[0] = c;
			n->kids[1] = t;
			n->kids[2] = f;
			c = seal(p, n);
		}
	}
	p->depth--;
	return p->failed ? NULL : c;
}

/*
 * Resolution, after parsing: scopes of comprehension variables, type
 * names, constant folding and literal regular expressions.
 */
struct scope {
	const char *names[HF_CEL_MAX_DEPTH];
	unsigned n;
};

static bool all_const(const struct cel_node *n)
{
	if (n->opt_mask)
		return false;
	for (uint32_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->kind != N_CONST)
			return false;
	return true;
}

/* fold turns a list or map of constants into one constant. */
static void fold(struct parser *p, struct cel_node *n)
{
	struct cel_arena *a = &p->prog->arena;
	if (n->kind == N_LIST) {
		struct cel_list *l = cel_arena_alloc(a, sizeof(*l));
		l->n = n->nkids;
		l->items = cel_arena_alloc(a, (l->n ? l->n : 1) * sizeof(*l->items));
		for (size_t i = 0; i < l->n; i++)
			l->items[i] = n->kids[i]->v;
		n->v = cel_list_value(l);
	} else {
		struct cel_map *m = cel_arena_alloc(a, sizeof(*m));
		m->n = n->nkids / 2;
		m->entries = cel_arena_alloc(a, (m->n + 1) * sizeof(*m->entries));
		for (size_t i = 0; i < m->n; i++) {
			struct cel_value k = n->kids[2 * i]->v;
			uint8_t kk = k.kind;
			if (kk != CEL_STRING && kk != CEL_INT && kk != CEL_UINT && kk != CEL_BOOL) {
				fail(p, HF_ERR_INVALID, n->kids[2 * i]->pos,
				     "unsupported map key type '%s'", cel_type_name(k));
				return;
			}
			m->entries[i].key = k;
			m->entries[i].val = n->kids[2 * i + 1]->v;
		}
		size_t dup = cel_find_duplicate_key(m->entries, m->n);
		if (dup < m->n) {
			fail(p, HF_ERR_INVALID, n->kids[2 * dup]->pos,
			     "repeated key in map literal");
			return;
		}
		n->v.kind = CEL_MAP;
		n->v.json = 0;
		n->v.v.map = m;
	}
	n->kind = N_CONST;
	n->nkids = 0;
}

static void resolve(struct parser *p, struct cel_node *n, struct scope *s)
{
	if (p->failed)
		return;
	switch (n->kind) {
	case N_CONST:
		if (n->opt == 2)
			fail(p, HF_ERR_INVALID, n->pos, "integer literal out of range");
		return;
	case N_IDENT: {
		for (unsigned i = s->n; i-- > 0;) {
			if (strcmp(s->names[i], n->name) == 0) {
				n->kind = N_LOCAL;
				n->slot = (uint16_t)i;
				return;
			}
		}
		return;
	}
	case N_LOOP:
		resolve(p, n->kids[0], s);
		s->names[s->n++] = n->name;
		n->slot = (uint16_t)(s->n - 1);
		if (s->n > p->prog->slots)
			p->prog->slots = s->n;
		for (uint32_t i = 1; i < n->nkids; i++)
			resolve(p, n->kids[i], s);
		s->n--;
		return;
	case N_SELECT: {
		/* google.protobuf.Timestamp and .Duration name types. */
		struct cel_node *a = n->kids[0], *b = a->kind == N_SELECT ? a->kids[0] : NULL;
		if (b && b->kind == N_IDENT && name_is(b, "google") && name_is(a, "protobuf") &&
		    !a->opt && !n->opt && (name_is(n, "Timestamp") || name_is(n, "Duration"))) {
			bool shadowed = false;
			for (unsigned i = 0; i < s->n; i++)
				shadowed |= strcmp(s->names[i], "google") == 0;
			if (!shadowed) {
				n->kind = N_CONST;
				n->nkids = 0;
				n->v = cel_type(name_is(n, "Timestamp") ? CEL_TIMESTAMP
									: CEL_DURATION);
				return;
			}
		}
		break;
	}
	default: break;
	}
	for (uint32_t i = 0; i < n->nkids; i++)
		resolve(p, n->kids[i], s);
	if (p->failed)
		return;
	if ((n->kind == N_LIST || n->kind == N_MAP) && all_const(n))
		fold(p, n);
	if (n->kind == N_CALL && cel_builtin_is_matches(n->fn)) {
		const struct cel_node *re = n->kids[n->nkids - 1];
		if (re->kind == N_CONST && re->v.kind == CEL_STRING) {
			char err[160];
			n->regex = cel_regex_compile(&p->prog->regexes, re->v.v.p, re->v.n, err,
						     sizeof(err));
			if (!n->regex)
				fail(p, HF_ERR_INVALID, re->pos, "%s", err);
		}
	}
}

enum hf_err cel_parse(struct hf_cel_program *prog, struct cel_diag *d)
{
	struct parser p = {.prog = prog, .diag = d};
	cel_lex_init(&p.lx, prog->source, prog->len);
	advance(&p);
	struct cel_node *root = expr(&p);
	if (root && p.tok.kind != T_EOF)
		unexpected(&p);
	if (!p.failed) {
		struct scope s = {.n = 0};
		resolve(&p, root, &s);
	}
	if (p.failed)
		return d->code;
	prog->root = root;
	return HF_OK;
}
