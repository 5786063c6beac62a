/*
 * template.c: JSON trees whose strings embed "${expr}" (see cel.h). The
 * compiled template mirrors the tree: subtrees without expressions are kept
 * as cJSON and duplicated when rendering; strings with expressions become
 * segments of text and programs.
 */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "cel/lexer.h"
#include "cel/program.h"
#include "util/alloc.h"
#include "util/buf.h"

enum tkind {
	TPL_LITERAL, /* literal: no expression below */
	TPL_OBJECT,
	TPL_ARRAY,
	TPL_EXPR,   /* the string is exactly "${expr}": prog */
	TPL_STRING, /* segs */
};

struct seg {
	char *text; /* literal text, or NULL for prog */
	struct hf_cel_program *prog;
};

struct tnode {
	enum tkind kind;
	char *key; /* member name inside an object */
	char *path;
	cJSON *literal;
	struct tnode *kids;
	size_t nkids;
	struct seg *segs;
	size_t nsegs;
	struct hf_cel_program *prog;
};

struct hf_cel_template {
	struct tnode root;
};

static void tnode_clear(struct tnode *t)
{
	for (size_t i = 0; i < t->nkids; i++)
		tnode_clear(&t->kids[i]);
	free(t->kids);
	for (size_t i = 0; i < t->nsegs; i++) {
		free(t->segs[i].text);
		hf_cel_program_free(t->segs[i].prog);
	}
	free(t->segs);
	hf_cel_program_free(t->prog);
	cJSON_Delete(t->literal);
	free(t->key);
	free(t->path);
}

void hf_cel_template_free(struct hf_cel_template *t)
{
	if (!t)
		return;
	tnode_clear(&t->root);
	free(t);
}

struct compiler {
	const char *const *names;
	size_t count;
	char *error;
	enum hf_err code;
};

static void fail(struct compiler *c, const char *path, enum hf_err code, char *msg)
{
	c->code = code;
	c->error = hf_asprintf("%s: %s", path[0] ? path : "(root)", msg);
	free(msg);
}

static void add_seg(struct tnode *t, char *text, struct hf_cel_program *prog)
{
	t->segs = hf_realloc(t->segs, (t->nsegs + 1) * sizeof(*t->segs));
	t->segs[t->nsegs].text = text;
	t->segs[t->nsegs++].prog = prog;
}

/* compile_string splits s into text and expressions. */
static bool compile_string(struct compiler *c, struct tnode *t, const char *s)
{
	struct hf_buf text;
	hf_buf_init(&text, 0);
	bool ok = false, any = false;
	size_t len = strlen(s), i = 0;
	while (i < len) {
		if (s[i] == '$' && s[i + 1] == '$' && s[i + 2] == '{') {
			(void)!hf_buf_append(&text, "${", 2); /* "$${" escapes "${" */
			i += 3;
			continue;
		}
		if (s[i] != '$' || s[i + 1] != '{') {
			(void)!hf_buf_append(&text, s + i, 1);
			i++;
			continue;
		}
		size_t close;
		if (!cel_lex_close(s + i + 2, len - i - 2, &close)) {
			fail(c, t->path, HF_ERR_INVALID,
			     hf_asprintf("unterminated ${ at offset %zu", i));
			goto cleanup;
		}
		char *src = hf_strndup(s + i + 2, close), *err = NULL;
		struct hf_cel_program *p = NULL;
		enum hf_err rc = hf_cel_compile(src, &p, &err);
		free(src);
		if (rc == HF_OK && c->names)
			rc = hf_cel_check(p, c->names, c->count, &err);
		if (rc != HF_OK) {
			hf_cel_program_free(p);
			fail(c, t->path, rc, err);
			goto cleanup;
		}
		if (text.len)
			add_seg(t, hf_buf_steal(&text), NULL);
		add_seg(t, NULL, p);
		any = true;
		i += 2 + close + 1;
	}
	if (text.len || !t->nsegs)
		add_seg(t, hf_buf_steal(&text), NULL);
	if (t->nsegs == 1 && t->segs[0].prog) {
		t->kind = TPL_EXPR;
		t->prog = t->segs[0].prog;
		t->nsegs = 0;
		free(t->segs);
		t->segs = NULL;
	} else {
		t->kind = any ? TPL_STRING : TPL_LITERAL;
		if (!any)
			t->literal = cJSON_CreateString(t->segs[0].text);
	}
	ok = true;
cleanup:
	hf_buf_free(&text);
	return ok;
}

static bool compile_node(struct compiler *c, struct tnode *t, const cJSON *j, const char *path)
{
	t->path = hf_strdup(path);
	if (cJSON_IsString(j) && j->valuestring)
		return compile_string(c, t, j->valuestring);
	if (!cJSON_IsObject(j) && !cJSON_IsArray(j)) {
		t->kind = TPL_LITERAL;
		t->literal = cJSON_Duplicate(j, 1);
		return true;
	}
	bool object = cJSON_IsObject(j);
	size_t n = (size_t)cJSON_GetArraySize(j), i = 0;
	t->kids = hf_calloc(n ? n : 1, sizeof(*t->kids));
	t->nkids = n;
	bool literal = true;
	for (const cJSON *k = j->child; k; k = k->next, i++) {
		char *sub = object ? (path[0] ? hf_asprintf("%s.%s", path, k->string)
					      : hf_strdup(k->string ? k->string : ""))
				   : hf_asprintf("%s[%zu]", path, i);
		if (object)
			t->kids[i].key = hf_strdup(k->string ? k->string : "");
		bool ok = compile_node(c, &t->kids[i], k, sub);
		free(sub);
		if (!ok)
			return false;
		literal &= t->kids[i].kind == TPL_LITERAL;
	}
	if (literal) {
		/* Nothing to evaluate below: keep the subtree whole, built from
		 * the children's literals ("$${" is already unescaped there). */
		t->literal = object ? cJSON_CreateObject() : cJSON_CreateArray();
		for (i = 0; i < t->nkids; i++) {
			if (object)
				cJSON_AddItemToObject(t->literal, t->kids[i].key,
						      t->kids[i].literal);
			else
				cJSON_AddItemToArray(t->literal, t->kids[i].literal);
			t->kids[i].literal = NULL;
			tnode_clear(&t->kids[i]);
		}
		free(t->kids);
		t->kids = NULL;
		t->nkids = 0;
		t->kind = TPL_LITERAL;
	} else {
		t->kind = object ? TPL_OBJECT : TPL_ARRAY;
	}
	return true;
}

enum hf_err hf_cel_template_compile(const cJSON *tree, const char *const *names, size_t count,
				    struct hf_cel_template **out, char **error)
{
	*out = NULL;
	if (error)
		*error = NULL;
	struct compiler c = {.names = names, .count = count, .code = HF_OK};
	struct hf_cel_template *t = hf_calloc(1, sizeof(*t));
	if (!compile_node(&c, &t->root, tree, "")) {
		hf_cel_template_free(t);
		if (error)
			*error = c.error;
		else
			free(c.error);
		return c.code;
	}
	*out = t;
	return HF_OK;
}

struct renderer {
	const struct hf_cel_activation *a;
	char *error;
	enum hf_err code;
};

static void render_fail(struct renderer *r, const struct tnode *t, enum hf_err code, char *msg)
{
	r->code = code;
	r->error = hf_asprintf("%s: %s", t->path[0] ? t->path : "(root)", msg);
	free(msg);
}

static cJSON *render_string(struct renderer *r, const struct tnode *t)
{
	struct hf_buf b;
	hf_buf_init(&b, HF_CEL_MAX_STRING);
	cJSON *out = NULL;
	for (size_t i = 0; i < t->nsegs; i++) {
		char *text = NULL, *err = NULL;
		size_t len = 0;
		enum hf_err rc = HF_OK;
		if (t->segs[i].text) {
			rc = hf_buf_appends(&b, t->segs[i].text);
		} else {
			rc = cel_run(t->segs[i].prog, r->a, NULL, &text, &len, NULL, &err);
			if (rc == HF_OK && memchr(text, '\0', len)) {
				rc = HF_ERR_INVALID;
				err = hf_strdup("a string with a NUL byte has no JSON form");
			}
			if (rc == HF_OK)
				rc = hf_buf_append(&b, text, len);
			free(text);
		}
		if (rc != HF_OK) {
			render_fail(r, t, rc,
				    err ? err
					: hf_asprintf("string longer than %d bytes",
						      HF_CEL_MAX_STRING));
			goto cleanup;
		}
	}
	out = cJSON_CreateString(hf_buf_str(&b));
cleanup:
	hf_buf_free(&b);
	return out;
}

static cJSON *render_node(struct renderer *r, const struct tnode *t)
{
	cJSON *out = NULL;
	char *err = NULL;
	switch (t->kind) {
	case TPL_LITERAL: return cJSON_Duplicate(t->literal, 1);
	case TPL_STRING: return render_string(r, t);
	case TPL_EXPR: {
		enum hf_err rc = cel_run(t->prog, r->a, &out, NULL, NULL, NULL, &err);
		if (rc != HF_OK)
			render_fail(r, t, rc, err);
		return out;
	}
	case TPL_OBJECT:
	case TPL_ARRAY:
		out = t->kind == TPL_OBJECT ? cJSON_CreateObject() : cJSON_CreateArray();
		for (size_t i = 0; i < t->nkids; i++) {
			cJSON *kid = render_node(r, &t->kids[i]);
			if (!kid) {
				cJSON_Delete(out);
				return NULL;
			}
			if (t->kind == TPL_OBJECT)
				cJSON_AddItemToObject(out, t->kids[i].key, kid);
			else
				cJSON_AddItemToArray(out, kid);
		}
		return out;
	}
	return NULL;
}

enum hf_err hf_cel_template_render(const struct hf_cel_template *t,
				   const struct hf_cel_activation *a, cJSON **out, char **error)
{
	if (error)
		*error = NULL;
	struct renderer r = {.a = a, .code = HF_OK};
	*out = render_node(&r, &t->root);
	if (*out)
		return HF_OK;
	if (r.code == HF_OK) {
		r.code = HF_ERR_INTERNAL;
		r.error = hf_strdup("(root): cannot build the result");
	}
	if (error)
		*error = r.error;
	else
		free(r.error);
	return r.code;
}
