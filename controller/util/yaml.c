/*
 * yaml.c: libyaml's document API, converted into cJSON with a line table.
 */
#include "util/yaml.h"

#include <cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/alloc.h"

struct conv {
	yaml_document_t *doc;
	struct hf_yaml_line *lines;
	size_t nlines, alines;
	size_t nodes;
	char *error;
	enum hf_err err;
};

static void add_line(struct conv *c, const char *path, int line)
{
	if (c->nlines == c->alines) {
		c->alines = c->alines ? c->alines * 2 : 32;
		c->lines = hf_realloc(c->lines, c->alines * sizeof(*c->lines));
	}
	c->lines[c->nlines].path = hf_strdup(path);
	c->lines[c->nlines].line = line;
	c->nlines++;
}

static bool matches_all(const char *s, const char *set)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

/* plain_number reads a plain scalar that the core schema makes a number. */
static bool plain_number(const char *s, double *out)
{
	const char *p = s;
	char *end;
	if (!strncmp(s, "0x", 2) && matches_all(s + 2, "0123456789abcdefABCDEF")) {
		errno = 0;
		*out = (double)strtoull(s + 2, &end, 16);
		return errno == 0;
	}
	if (!strncmp(s, "0o", 2) && matches_all(s + 2, "01234567")) {
		errno = 0;
		*out = (double)strtoull(s + 2, &end, 8);
		return errno == 0;
	}
	if (*p == '-' || *p == '+')
		p++;
	bool digits = false;
	while (*p >= '0' && *p <= '9')
		p++, digits = true;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++, digits = true;
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return false;
	*out = strtod(s, &end);
	return *end == '\0';
}

static cJSON *scalar(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	double d;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return cJSON_CreateString(s);
	if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	    !strcmp(s, "NULL"))
		return cJSON_CreateNull();
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return cJSON_CreateTrue();
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return cJSON_CreateFalse();
	if (plain_number(s, &d))
		return cJSON_CreateNumber(d);
	return cJSON_CreateString(s);
}

static void fail(struct conv *c, enum hf_err err, const yaml_node_t *n, const char *msg)
{
	if (c->error)
		return;
	c->err = err;
	c->error =
		hf_asprintf("%zu:%zu: %s", n->start_mark.line + 1, n->start_mark.column + 1, msg);
}

static cJSON *convert(struct conv *c, const yaml_node_t *n, const char *path, int depth)
{
	if (c->error)
		return NULL;
	if (++c->nodes > HF_YAML_MAX_NODES) {
		fail(c, HF_ERR_TOO_LARGE, n, "too many nodes (aliases expand to more than 200000)");
		return NULL;
	}
	if (depth > HF_YAML_MAX_DEPTH) {
		fail(c, HF_ERR_TOO_LARGE, n, "nested deeper than 64 levels");
		return NULL;
	}
	if (n->type == YAML_SCALAR_NODE)
		return scalar(n);
	if (n->type == YAML_SEQUENCE_NODE) {
		cJSON *arr = cJSON_CreateArray();
		size_t i = 0;
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++, i++) {
			const yaml_node_t *item = yaml_document_get_node(c->doc, *it);
			char *sub = hf_asprintf("%s[%zu]", path, i);
			add_line(c, sub, (int)item->start_mark.line + 1);
			cJSON *v = convert(c, item, sub, depth + 1);
			free(sub);
			if (!v) {
				cJSON_Delete(arr);
				return NULL;
			}
			cJSON_AddItemToArray(arr, v);
		}
		return arr;
	}
	if (n->type == YAML_MAPPING_NODE) {
		cJSON *obj = cJSON_CreateObject();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			const yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
			const yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
			if (k->type != YAML_SCALAR_NODE) {
				fail(c, HF_ERR_INVALID, k, "mapping keys must be scalars");
				break;
			}
			const char *key = (const char *)k->data.scalar.value;
			if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
				char *m = hf_asprintf("duplicate key '%s'", key);
				fail(c, HF_ERR_INVALID, k, m);
				free(m);
				break;
			}
			char *sub = path[0] ? hf_asprintf("%s.%s", path, key) : hf_strdup(key);
			add_line(c, sub, (int)k->start_mark.line + 1);
			cJSON *val = convert(c, v, sub, depth + 1);
			free(sub);
			if (!val)
				break;
			cJSON_AddItemToObject(obj, key, val);
		}
		if (c->error) {
			cJSON_Delete(obj);
			return NULL;
		}
		return obj;
	}
	fail(c, HF_ERR_INVALID, n, "empty node");
	return NULL;
}

static void free_lines(struct hf_yaml_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i].path);
	free(lines);
}

void hf_yaml_docs_free(struct hf_yaml_doc *docs, size_t count)
{
	for (size_t i = 0; docs && i < count; i++) {
		cJSON_Delete(docs[i].root);
		free_lines(docs[i].lines, docs[i].nlines);
	}
	free(docs);
}

static char *syntax_error(const yaml_parser_t *yp)
{
	const char *problem = yp->problem ? yp->problem : "unknown error";
	if (yp->error == YAML_MEMORY_ERROR)
		abort(); /* the allocation policy of util/alloc.h */
	if (yp->error == YAML_READER_ERROR)
		return hf_asprintf("1:1: YAML syntax error at byte %zu: %s", yp->problem_offset,
				   problem);
	if (yp->context)
		return hf_asprintf("%zu:%zu: YAML syntax error: %s %s at line %zu",
				   yp->problem_mark.line + 1, yp->problem_mark.column + 1, problem,
				   yp->context, yp->context_mark.line + 1);
	return hf_asprintf("%zu:%zu: YAML syntax error: %s", yp->problem_mark.line + 1,
			   yp->problem_mark.column + 1, problem);
}

enum hf_err hf_yaml_parse_all(const char *text, size_t len, struct hf_yaml_doc **docs,
			      size_t *count, char **error)
{
	yaml_parser_t yp;
	struct hf_yaml_doc *out = NULL;
	size_t n = 0, total_nodes = 0;
	enum hf_err err = HF_OK;

	*docs = NULL;
	*count = 0;
	if (error)
		*error = NULL;
	if (!yaml_parser_initialize(&yp))
		abort();
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	for (;;) {
		yaml_document_t doc;
		if (!yaml_parser_load(&yp, &doc)) {
			err = HF_ERR_INVALID;
			if (error)
				*error = syntax_error(&yp);
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		if (root->type == YAML_SCALAR_NODE &&
		    root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    root->data.scalar.length == 0) {
			yaml_document_delete(&doc);
			continue;
		}
		struct conv c = {.doc = &doc, .nodes = total_nodes};
		add_line(&c, "", (int)root->start_mark.line + 1);
		cJSON *j = convert(&c, root, "", 0);
		total_nodes = c.nodes;
		int first = (int)root->start_mark.line + 1;
		yaml_document_delete(&doc);
		if (!j) {
			err = c.err ? c.err : HF_ERR_INVALID;
			if (error)
				*error = c.error;
			else
				free(c.error);
			free_lines(c.lines, c.nlines);
			break;
		}
		out = hf_realloc(out, (n + 1) * sizeof(*out));
		out[n++] = (struct hf_yaml_doc){
			.root = j, .lines = c.lines, .nlines = c.nlines, .first_line = first};
	}
	yaml_parser_delete(&yp);
	if (err) {
		hf_yaml_docs_free(out, n);
		return err;
	}
	*docs = out;
	*count = n;
	return HF_OK;
}

static int lookup(const struct hf_yaml_doc *doc, const char *path, size_t len)
{
	for (size_t i = 0; i < doc->nlines; i++)
		if (strlen(doc->lines[i].path) == len && !strncmp(doc->lines[i].path, path, len))
			return doc->lines[i].line;
	return 0;
}

int hf_yaml_line_at(const struct hf_yaml_doc *doc, const char *prefix, const char *path)
{
	char *full = prefix && prefix[0] ? (path && path[0] ? hf_asprintf("%s.%s", prefix, path)
							    : hf_strdup(prefix))
					 : hf_strdup(path ? path : "");
	/* "[i]" after a prefix is written without the dot. */
	if (prefix && prefix[0] && path && path[0] == '[')
		memmove(full + strlen(prefix), full + strlen(prefix) + 1,
			strlen(full + strlen(prefix) + 1) + 1);
	size_t len = strlen(full);
	int line = 0;
	for (;;) {
		if ((line = lookup(doc, full, len)))
			break;
		if (len == 0)
			break;
		/* Drop the last component: ".key" or "[i]". */
		while (len > 0 && full[len - 1] != '.' && full[len - 1] != '[')
			len--;
		if (len > 0)
			len--;
	}
	free(full);
	return line ? line : doc->first_line;
}
