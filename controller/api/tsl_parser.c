/*
 * tsl_parser.c: the syntax of a search query, by recursive descent over the
 * lexer's tokens, into a tree of AND / OR / NOT nodes and predicates. The
 * fields and literals are checked afterwards (tsl_check.c), so a syntax
 * error anywhere wins over a semantic one, as in the original.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tsl_private.h"
#include "util/alloc.h"

struct parser {
	const char *src;
	struct tsl_token *toks;
	size_t pos;
	int depth;
	char *error; /* the first error */
};

static struct tsl_token *peek(struct parser *p)
{
	return &p->toks[p->pos];
}

static struct tsl_token *next(struct parser *p)
{
	struct tsl_token *t = &p->toks[p->pos];
	if (t->type != TOK_END)
		p->pos++;
	return t;
}

static bool accept(struct parser *p, enum tsl_tok type)
{
	if (peek(p)->type != type)
		return false;
	next(p);
	return true;
}

/* syntax records "unexpected <t>, expected <expected>"; returns false. A
 * quoted string shows with its own quotes, anything else in single quotes. */
static bool syntax(struct parser *p, const struct tsl_token *t, const char *expected)
{
	char ex[256];
	if (p->error)
		return false;
	const char *text = p->src + t->off;
	bool quoted = t->type == TOK_STRING && (text[0] == '\'' || text[0] == '"');
	if (t->type == TOK_END)
		p->error = hf_asprintf("failed to parse search query: unexpected end of query, "
				       "expected %s",
				       expected);
	else
		p->error = hf_asprintf(
			"failed to parse search query: unexpected %s%s%s at position %zu, expected %s",
			quoted ? "" : "'", tsl_excerpt(text, t->len, ex, sizeof(ex)),
			quoted ? "" : "'", tsl_position(p->src, t->off), expected);
	return false;
}

static bool enter(struct parser *p, const struct tsl_token *t)
{
	if (++p->depth <= HF_TSL_MAX_DEPTH)
		return true;
	p->error = hf_asprintf("failed to parse search query: expression nested deeper than %d "
			       "levels at position %zu",
			       HF_TSL_MAX_DEPTH, tsl_position(p->src, t->off));
	return false;
}

static struct tsl_node *node_new(enum tsl_node_type type)
{
	struct tsl_node *n = hf_calloc(1, sizeof(*n));
	n->type = type;
	return n;
}

static void node_add(struct tsl_node *n, struct tsl_node *kid)
{
	n->kids = hf_realloc(n->kids, (n->nkids + 1) * sizeof(*n->kids));
	n->kids[n->nkids++] = kid;
}

void tsl_node_free(struct tsl_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		tsl_node_free(n->kids[i]);
	free(n->kids);
	struct tsl_pred *pr = &n->pred;
	free(pr->name);
	for (size_t i = 0; i < pr->nlits; i++)
		free(pr->lits[i].str);
	free(pr->lits);
	free(pr->key);
	for (size_t i = 0; i < pr->field.path_len; i++)
		free(pr->path[i]);
	free(pr->path);
	free(n);
}

static struct tsl_node *parse_or(struct parser *p);

/* parse_field reads a field name: an identifier, or labels['key']. */
static bool parse_field(struct parser *p, struct tsl_pred *pr)
{
	struct tsl_token *t = next(p);
	pr->name_off = t->off;
	if (t->len == 6 && strncmp(p->src + t->off, "labels", 6) == 0 && accept(p, TOK_LBRACKET)) {
		struct tsl_token *key = peek(p);
		if (key->type != TOK_STRING)
			return syntax(p, key, "a quoted label key");
		next(p);
		if (!accept(p, TOK_RBRACKET))
			return syntax(p, peek(p), "']' after the label key");
		pr->name = key->str;
		key->str = NULL;
		pr->bracket = true;
		return true;
	}
	pr->name = hf_strndup(p->src + t->off, t->len);
	return true;
}

/* parse_literal reads a value into a new literal of pr. */
static bool parse_literal(struct parser *p, struct tsl_pred *pr, const char *expected)
{
	struct tsl_token *t = peek(p);
	struct tsl_lit l = {.off = t->off, .len = t->len};
	switch (t->type) {
	case TOK_STRING:
		l.type = LIT_STRING;
		l.str = t->str;
		t->str = NULL;
		break;
	case TOK_NUMBER:
		l.type = LIT_NUMBER;
		l.num = t->num;
		break;
	case TOK_TRUE:
	case TOK_FALSE:
		l.type = LIT_BOOL;
		l.b = t->type == TOK_TRUE;
		break;
	case TOK_NULL:
		if (!p->error)
			p->error = hf_asprintf("failed to parse search query: 'null' at position "
					       "%zu can only be used as 'is null' or 'is not null'",
					       tsl_position(p->src, t->off));
		return false;
	default: return syntax(p, t, expected);
	}
	next(p);
	pr->lits = hf_realloc(pr->lits, (pr->nlits + 1) * sizeof(*pr->lits));
	pr->lits[pr->nlits++] = l;
	return true;
}

static bool parse_list(struct parser *p, struct tsl_pred *pr)
{
	struct tsl_token *open = next(p);
	enum tsl_tok close;
	if (open->type == TOK_LPAREN)
		close = TOK_RPAREN;
	else if (open->type == TOK_LBRACKET)
		close = TOK_RBRACKET;
	else
		return syntax(p, open, "a list such as ['a', 'b'] or ('a', 'b')");
	for (;;) {
		if (!parse_literal(p, pr, "a value"))
			return false;
		if (accept(p, close))
			return true;
		if (!accept(p, TOK_COMMA))
			return syntax(p, peek(p),
				      close == TOK_RPAREN ? "',' or ')'" : "',' or ']'");
	}
}

static bool is_comparison(enum tsl_tok t)
{
	return t == TOK_EQ || t == TOK_NE || t == TOK_LT || t == TOK_LE || t == TOK_GT ||
	       t == TOK_GE;
}

static enum tsl_op comparison(enum tsl_tok t, bool mirrored)
{
	switch (t) {
	case TOK_NE: return OP_NE;
	case TOK_LT: return mirrored ? OP_GT : OP_LT;
	case TOK_LE: return mirrored ? OP_GE : OP_LE;
	case TOK_GT: return mirrored ? OP_LT : OP_GT;
	case TOK_GE: return mirrored ? OP_LE : OP_GE;
	default: return OP_EQ;
	}
}

/* parse_value reads the value of a comparison: a literal, not a field. */
static bool parse_value(struct parser *p, struct tsl_pred *pr)
{
	struct tsl_token *t = peek(p);
	if (t->type == TOK_IDENT) {
		if (!p->error)
			p->error = hf_asprintf("failed to parse search query: comparing two fields "
					       "is not supported (at position %zu)",
					       tsl_position(p->src, t->off));
		return false;
	}
	return parse_literal(p, pr, "a value");
}

/* parse_operator reads what follows the field of a predicate. */
static bool parse_operator(struct parser *p, struct tsl_pred *pr)
{
	struct tsl_token *t = next(p);
	if (is_comparison(t->type)) {
		pr->op = comparison(t->type, false);
		return parse_value(p, pr);
	}
	if (t->type == TOK_IS) {
		pr->op = OP_IS_NULL;
		pr->negate = accept(p, TOK_NOT);
		if (!accept(p, TOK_NULL))
			return syntax(p, peek(p), pr->negate ? "'null'" : "'null' or 'not null'");
		return true;
	}
	if (t->type == TOK_NOT) {
		pr->negate = true;
		t = next(p);
		if (t->type != TOK_IN && t->type != TOK_LIKE && t->type != TOK_ILIKE &&
		    t->type != TOK_BETWEEN)
			return syntax(p, t, "'in', 'like', 'ilike' or 'between' after 'not'");
	}
	switch (t->type) {
	case TOK_IN: pr->op = OP_IN; return parse_list(p, pr);
	case TOK_LIKE:
	case TOK_ILIKE:
		pr->op = t->type == TOK_LIKE ? OP_LIKE : OP_ILIKE;
		if (peek(p)->type != TOK_STRING)
			return syntax(p, peek(p), "a quoted pattern");
		return parse_literal(p, pr, "a quoted pattern");
	case TOK_BETWEEN:
		pr->op = OP_BETWEEN;
		if (!parse_value(p, pr))
			return false;
		if (!accept(p, TOK_AND))
			return syntax(p, peek(p), "'and' in 'between ... and ...'");
		return parse_value(p, pr);
	default:
		return syntax(p, t,
			      "an operator (=, !=, <, <=, >, >=, in, not in, like, ilike, "
			      "between, is null)");
	}
}

static struct tsl_node *parse_predicate(struct parser *p)
{
	struct tsl_node *n = node_new(NODE_PRED);
	if (!parse_field(p, &n->pred) || !parse_operator(p, &n->pred)) {
		tsl_node_free(n);
		return NULL;
	}
	return n;
}

/* parse_reversed reads `literal cmp field`, stored as `field cmp' literal`. */
static struct tsl_node *parse_reversed(struct parser *p)
{
	struct tsl_node *n = node_new(NODE_PRED);
	if (!parse_literal(p, &n->pred, "a value"))
		goto fail;
	struct tsl_token *t = next(p);
	if (!is_comparison(t->type)) {
		syntax(p, t, "a comparison operator (=, !=, <, <=, >, >=) after a value");
		goto fail;
	}
	n->pred.op = comparison(t->type, true);
	if (peek(p)->type != TOK_IDENT) {
		syntax(p, peek(p), "a field name: a comparison needs a field on one side");
		goto fail;
	}
	if (!parse_field(p, &n->pred))
		goto fail;
	return n;
fail:
	tsl_node_free(n);
	return NULL;
}

static struct tsl_node *parse_primary(struct parser *p)
{
	struct tsl_token *t = peek(p);
	switch (t->type) {
	case TOK_LPAREN: {
		next(p);
		if (!enter(p, t))
			return NULL;
		struct tsl_node *n = parse_or(p);
		p->depth--;
		if (n && !accept(p, TOK_RPAREN)) {
			char expected[96];
			snprintf(expected, sizeof(expected), "')' to close the '(' at position %zu",
				 tsl_position(p->src, t->off));
			syntax(p, peek(p), expected);
			tsl_node_free(n);
			return NULL;
		}
		return n;
	}
	case TOK_IDENT: return parse_predicate(p);
	case TOK_STRING:
	case TOK_NUMBER:
	case TOK_TRUE:
	case TOK_FALSE: return parse_reversed(p);
	default: syntax(p, t, "a field name, 'not' or '('"); return NULL;
	}
}

static struct tsl_node *parse_not(struct parser *p)
{
	struct tsl_token *t = peek(p);
	if (t->type != TOK_NOT)
		return parse_primary(p);
	next(p);
	if (!enter(p, t))
		return NULL;
	struct tsl_node *kid = parse_not(p);
	p->depth--;
	if (!kid)
		return NULL;
	struct tsl_node *n = node_new(NODE_NOT);
	node_add(n, kid);
	return n;
}

/* parse_chain reads `sub (op sub)*` into one n-ary node of type: a long
 * chain of ORs costs no recursion. */
static struct tsl_node *parse_chain(struct parser *p, enum tsl_tok op, enum tsl_node_type type,
				    struct tsl_node *(*sub)(struct parser *))
{
	struct tsl_node *first = sub(p);
	if (!first || peek(p)->type != op)
		return first;
	struct tsl_node *n = node_new(type);
	node_add(n, first);
	while (accept(p, op)) {
		struct tsl_node *kid = sub(p);
		if (!kid) {
			tsl_node_free(n);
			return NULL;
		}
		node_add(n, kid);
	}
	return n;
}

static struct tsl_node *parse_and(struct parser *p)
{
	return parse_chain(p, TOK_AND, NODE_AND, parse_not);
}

static struct tsl_node *parse_or(struct parser *p)
{
	return parse_chain(p, TOK_OR, NODE_OR, parse_and);
}

enum hf_err hf_tsl_parse(const char *query, enum hf_tsl_kind kind, struct hf_tsl **out,
			 char **error)
{
	struct tsl_token *toks = NULL;
	size_t ntoks = 0;
	struct tsl_node *root = NULL;
	*out = NULL;
	*error = NULL;
	if (!query)
		query = "";
	if (strnlen(query, HF_TSL_MAX_QUERY + 1) > HF_TSL_MAX_QUERY) {
		*error = hf_asprintf("search query exceeds the maximum length of %d characters",
				     HF_TSL_MAX_QUERY);
		return HF_ERR_INVALID;
	}
	if (!tsl_lex(query, &toks, &ntoks, error))
		return HF_ERR_INVALID;
	struct parser p = {.src = query, .toks = toks};
	if (toks[0].type == TOK_END) {
		p.error = hf_strdup("failed to parse search query: empty query");
		goto fail;
	}
	root = parse_or(&p);
	if (!root)
		goto fail;
	if (peek(&p)->type != TOK_END) {
		syntax(&p, peek(&p), "'and', 'or' or the end of the query");
		goto fail;
	}
	if (!tsl_check(root, query, kind, &p.error))
		goto fail;
	tsl_tokens_free(toks, ntoks);
	struct hf_tsl *q = hf_malloc(sizeof(*q));
	q->root = root;
	q->kind = kind;
	*out = q;
	return HF_OK;
fail:
	tsl_node_free(root);
	tsl_tokens_free(toks, ntoks);
	*error = p.error ? p.error : hf_strdup("failed to parse search query");
	return HF_ERR_INVALID;
}

void hf_tsl_free(struct hf_tsl *q)
{
	if (!q)
		return;
	tsl_node_free(q->root);
	free(q);
}
