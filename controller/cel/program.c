/*
 * program.c: the public entry points of cel.h for programs: compile,
 * check, evaluate, free.
 */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cel/convert.h"
#include "cel/eval.h"
#include "cel/lexer.h"
#include "cel/program.h"
#include "cel/regex.h"
#include "util/alloc.h"

char *cel_format_error(const char *source, uint32_t pos, const char *msg)
{
	unsigned line, col;
	cel_position(source, pos, &line, &col);
	return hf_asprintf("%u:%u: %s", line, col, msg);
}

static void set_error(char **error, char *msg)
{
	if (error)
		*error = msg;
	else
		free(msg);
}

enum hf_err hf_cel_compile(const char *source, struct hf_cel_program **out, char **error)
{
	*out = NULL;
	if (error)
		*error = NULL;
	if (!source) {
		set_error(error, hf_strdup("1:1: no expression"));
		return HF_ERR_INVALID;
	}
	size_t len = strnlen(source, HF_CEL_MAX_SOURCE + 1);
	if (len > HF_CEL_MAX_SOURCE) {
		set_error(error,
			  hf_asprintf("1:1: expression longer than %d bytes", HF_CEL_MAX_SOURCE));
		return HF_ERR_TOO_LARGE;
	}
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t l = cel_utf8_decode(source + i, len - i, &cp);
		if (l == 1 && (unsigned char)source[i] >= 0x80) {
			set_error(error, cel_format_error(source, (uint32_t)i, "invalid UTF-8"));
			return HF_ERR_INVALID;
		}
		i += l;
	}
	struct hf_cel_program *p = hf_calloc(1, sizeof(*p));
	p->source = hf_strndup(source, len);
	p->len = len;
	cel_arena_init(&p->arena, NULL, 0, 0);
	struct cel_diag d = {.code = HF_OK};
	enum hf_err err = cel_parse(p, &d);
	if (err != HF_OK) {
		set_error(error, cel_format_error(p->source, d.pos, d.msg));
		hf_cel_program_free(p);
		return err;
	}
	*out = p;
	return HF_OK;
}

void hf_cel_program_free(struct hf_cel_program *p)
{
	if (!p)
		return;
	cel_regex_list_free(p->regexes);
	cel_arena_free(&p->arena);
	free(p->source);
	free(p);
}

const char *hf_cel_program_source(const struct hf_cel_program *p)
{
	return p->source;
}

/* undeclared finds the first top-level reference not in names. */
static const struct cel_node *undeclared(const struct cel_node *n, const char *const *names,
					 size_t count)
{
	if (n->kind == N_IDENT) {
		enum cel_kind k;
		for (size_t i = 0; i < count; i++)
			if (strcmp(names[i], n->name) == 0)
				return NULL;
		return cel_kind_by_name(n->name, &k) ? NULL : n;
	}
	for (uint32_t i = 0; i < n->nkids; i++) {
		const struct cel_node *u = undeclared(n->kids[i], names, count);
		if (u)
			return u;
	}
	return NULL;
}

enum hf_err hf_cel_check(const struct hf_cel_program *p, const char *const *names, size_t count,
			 char **error)
{
	if (error)
		*error = NULL;
	const struct cel_node *u = undeclared(p->root, names, count);
	if (!u)
		return HF_OK;
	char *msg = hf_asprintf("undeclared reference to '%s'", u->name);
	set_error(error, cel_format_error(p->source, u->pos, msg));
	free(msg);
	return HF_ERR_INVALID;
}

/* A first arena chunk on the stack: a typical condition allocates a few
 * hundred bytes, so it never calls malloc. */
#define STACK_ARENA 4096

enum hf_err cel_run(const struct hf_cel_program *p, const struct hf_cel_activation *a, cJSON **json,
		    char **text, size_t *text_len, bool *boolean, char **error)
{
	max_align_t stack[STACK_ARENA / sizeof(max_align_t)];
	struct cel_value locals[HF_CEL_MAX_DEPTH];
	struct cel_eval e = {.prog = p, .act = a, .locals = locals};
	cel_arena_init(&e.arena, stack, sizeof(stack), HF_CEL_MAX_MEMORY);
	enum hf_err err = HF_OK;
	struct cel_value v = cel_eval_node(&e, p->root);
	if (v.kind != CEL_ERROR) {
		if (json) {
			struct cel_value c = cel_to_cjson(&e, v, p->root->pos, json);
			if (c.kind == CEL_ERROR)
				v = c;
		} else if (text) {
			v = cel_to_text(&e, v, p->root->pos);
			if (v.kind != CEL_ERROR) {
				*text = hf_strndup(v.v.p, v.n);
				*text_len = v.n;
			}
		} else if (v.kind == CEL_BOOL) {
			*boolean = v.v.b;
		} else {
			v = cel_error(&e, p->root->pos, "expected bool, got %s", cel_type_name(v));
		}
	}
	if (v.kind == CEL_ERROR) {
		err = v.v.err->fatal ? HF_ERR_TOO_LARGE : HF_ERR_INVALID;
		set_error(error, cel_format_error(p->source, v.v.err->pos, v.v.err->msg));
	}
	cel_arena_free(&e.arena);
	return err;
}

enum hf_err hf_cel_eval(const struct hf_cel_program *p, const struct hf_cel_activation *a,
			cJSON **result, char **error)
{
	*result = NULL;
	if (error)
		*error = NULL;
	return cel_run(p, a, result, NULL, NULL, NULL, error);
}

enum hf_err hf_cel_eval_bool(const struct hf_cel_program *p, const struct hf_cel_activation *a,
			     bool *result, char **error)
{
	*result = false;
	if (error)
		*error = NULL;
	return cel_run(p, a, NULL, NULL, NULL, result, error);
}
