/*
 * source.h: Adapter configs read from text (a file's bytes): YAML or JSON,
 * one Adapter, several YAML documents, a list, or a List object with items.
 * Each error carries the line of the file it concerns. Pure; any thread.
 */
#ifndef HF_ADAPTER_SOURCE_H
#define HF_ADAPTER_SOURCE_H

#include <stddef.h>

#include "util/error.h"

struct cJSON;
struct hf_adapter;

struct hf_adapter_source_error {
	int line;      /* 1-based line in the text */
	char *path;    /* inside the Adapter ("spec.params[0].expression"), or "" */
	char *message; /* "1:14: undeclared reference to 'clustr'" */
};

struct hf_adapter_source {
	struct hf_adapter **adapters; /* the ones that loaded */
	size_t count;
	struct cJSON **objects; /* every Adapter object found (loaded or not), as JSON */
	size_t nobjects;
	struct hf_adapter_source_error *errors;
	size_t nerrors;
};

/*
 * hf_adapter_source_parse reads every Adapter in text into *out (caller
 * clears with hf_adapter_source_clear, also on failure). Returns HF_OK when
 * every Adapter loaded (there may be none), HF_ERR_INVALID when out->errors
 * has entries.
 */
HF_MUST_CHECK enum hf_err hf_adapter_source_parse(const char *text, size_t len,
						  struct hf_adapter_source *out);

void hf_adapter_source_clear(struct hf_adapter_source *s);

/* hf_adapter_source_parse_json reads one JSON or YAML document (the first)
 * into a cJSON tree (caller deletes); on failure NULL and *error (caller
 * frees) "LINE:COL: message". For the inputs of dry-run. */
struct cJSON *hf_adapter_source_parse_json(const char *text, size_t len, char **error);

#endif
