/*
 * yaml.h: YAML (and JSON, which is YAML) documents read into cJSON trees,
 * keeping the line of every node so that errors found later in the tree can
 * name the line of the file.
 *
 * Plain scalars follow the YAML 1.2 core schema (null, ~, true/false in
 * three spellings, decimal/0x/0o integers, floats); quoted scalars and those
 * tagged !!str are strings. Mapping keys must be scalars and unique.
 * Aliases are expanded; hostile input is bounded by HF_YAML_MAX_NODES (an
 * alias bomb) and HF_YAML_MAX_DEPTH. Pure functions, any thread.
 */
#ifndef HF_YAML_H
#define HF_YAML_H

#include <stddef.h>

#include "util/error.h"

struct cJSON;

#define HF_YAML_MAX_NODES 200000
#define HF_YAML_MAX_DEPTH 64

/* The line (1-based) of the node at a path: keys joined with '.', list
 * indices as "[i]" ("spec.params[1].expression"); the root's path is "". */
struct hf_yaml_line {
	char *path;
	int line;
};

struct hf_yaml_doc {
	struct cJSON *root; /* owned */
	struct hf_yaml_line *lines;
	size_t nlines;
	int first_line; /* the line where the document starts */
};

/*
 * hf_yaml_parse_all reads every document of text into *docs (*count of
 * them; the caller frees with hf_yaml_docs_free). Empty documents are
 * skipped. On HF_ERR_INVALID or HF_ERR_TOO_LARGE, *error (caller frees) is
 * "LINE:COL: message" and nothing is returned.
 */
HF_MUST_CHECK enum hf_err hf_yaml_parse_all(const char *text, size_t len, struct hf_yaml_doc **docs,
					    size_t *count, char **error);

void hf_yaml_docs_free(struct hf_yaml_doc *docs, size_t count);

/* hf_yaml_line_at returns the line of the node at path, or of its nearest
 * ancestor that has one (the document's first line at worst). prefix, when
 * not NULL, is prepended to path as its parent ("items[2]"). */
int hf_yaml_line_at(const struct hf_yaml_doc *doc, const char *prefix, const char *path);

#endif
