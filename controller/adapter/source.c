/*
 * source.c: from a file's bytes to compiled Adapters, with line numbers.
 */
#include "adapter/source.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter/config.h"
#include "util/alloc.h"
#include "util/yaml.h"

static void add_error(struct hf_adapter_source *s, int line, const char *path, char *message)
{
	s->errors = hf_realloc(s->errors, (s->nerrors + 1) * sizeof(*s->errors));
	s->errors[s->nerrors++] = (struct hf_adapter_source_error){
		.line = line, .path = hf_strdup(path), .message = message};
}

/* line_of reads the "LINE:" that starts a positioned message. */
static int line_of(const char *msg)
{
	long n = 0;
	const char *p = msg;
	while (*p >= '0' && *p <= '9' && n < 100000000)
		n = n * 10 + (*p++ - '0');
	return *p == ':' && n > 0 ? (int)n : 1;
}

/* parse_docs: YAML first (it keeps lines); JSON that libyaml refuses (it
 * is stricter about tabs, for one) is still accepted, without lines. */
static enum hf_err parse_docs(const char *text, size_t len, struct hf_yaml_doc **docs, size_t *n,
			      char **error)
{
	enum hf_err err = hf_yaml_parse_all(text, len, docs, n, error);
	if (err != HF_ERR_INVALID)
		return err;
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	if (i == len || (text[i] != '{' && text[i] != '['))
		return err;
	cJSON *j = cJSON_ParseWithLength(text, len);
	if (!j)
		return err;
	free(*error);
	*error = NULL;
	*docs = hf_calloc(1, sizeof(**docs));
	(*docs)[0].root = j;
	(*docs)[0].first_line = 1;
	*n = 1;
	return HF_OK;
}

static void load_one(struct hf_adapter_source *s, const struct hf_yaml_doc *doc, const cJSON *obj,
		     const char *prefix)
{
	struct hf_adapter_errors errs = {0};
	struct hf_adapter *a = NULL;
	s->objects = hf_realloc(s->objects, (s->nobjects + 1) * sizeof(*s->objects));
	s->objects[s->nobjects++] = cJSON_Duplicate(obj, true);
	if (hf_adapter_load(obj, &a, &errs) == HF_OK) {
		s->adapters = hf_realloc(s->adapters, (s->count + 1) * sizeof(*s->adapters));
		s->adapters[s->count++] = a;
	}
	for (size_t i = 0; i < errs.count; i++) {
		int line = hf_yaml_line_at(doc, prefix, errs.items[i].path);
		add_error(s, line, errs.items[i].path, errs.items[i].message);
		errs.items[i].message = NULL;
	}
	hf_adapter_errors_clear(&errs);
}

enum hf_err hf_adapter_source_parse(const char *text, size_t len, struct hf_adapter_source *out)
{
	struct hf_yaml_doc *docs = NULL;
	size_t n = 0;
	char *error = NULL;
	memset(out, 0, sizeof(*out));
	if (parse_docs(text, len, &docs, &n, &error) != HF_OK) {
		add_error(out, error ? line_of(error) : 1, "",
			  error ? error : hf_strdup("cannot parse"));
		return HF_ERR_INVALID;
	}
	for (size_t d = 0; d < n; d++) {
		const cJSON *root = docs[d].root, *items = NULL;
		const char *kind = cJSON_IsObject(root)
					   ? cJSON_GetStringValue(
						     cJSON_GetObjectItemCaseSensitive(root, "kind"))
					   : NULL;
		bool is_list = kind && (!strcmp(kind, "List") || !strcmp(kind, "AdapterList"));
		if (cJSON_IsArray(root))
			items = root;
		else if (is_list)
			items = cJSON_GetObjectItemCaseSensitive(root, "items");
		if (is_list && !cJSON_IsArray(items)) {
			add_error(out, hf_yaml_line_at(&docs[d], NULL, "items"), "items",
				  hf_strdup("a List needs items (a list of Adapters)"));
			continue;
		}
		if (!items) {
			load_one(out, &docs[d], root, NULL);
			continue;
		}
		size_t i = 0;
		const cJSON *item;
		cJSON_ArrayForEach(item, items)
		{
			char prefix[48];
			snprintf(prefix, sizeof(prefix), "%s[%zu]", items == root ? "" : "items",
				 i++);
			load_one(out, &docs[d], item, prefix);
		}
	}
	hf_yaml_docs_free(docs, n);
	return out->nerrors ? HF_ERR_INVALID : HF_OK;
}

void hf_adapter_source_clear(struct hf_adapter_source *s)
{
	for (size_t i = 0; i < s->count; i++)
		hf_adapter_free(s->adapters[i]);
	free(s->adapters);
	for (size_t i = 0; i < s->nobjects; i++)
		cJSON_Delete(s->objects[i]);
	free(s->objects);
	for (size_t i = 0; i < s->nerrors; i++) {
		free(s->errors[i].path);
		free(s->errors[i].message);
	}
	free(s->errors);
	memset(s, 0, sizeof(*s));
}

cJSON *hf_adapter_source_parse_json(const char *text, size_t len, char **error)
{
	struct hf_yaml_doc *docs = NULL;
	size_t n = 0;
	*error = NULL;
	if (parse_docs(text, len, &docs, &n, error) != HF_OK)
		return NULL;
	if (n == 0) {
		*error = hf_strdup("1:1: empty document");
		return NULL;
	}
	cJSON *root = docs[0].root;
	docs[0].root = NULL;
	hf_yaml_docs_free(docs, n);
	return root;
}
