/*
 * Fuzz target: a CEL expression as an Adapter author (or an attacker with
 * write access to an Adapter) could write it. Whatever the input, compiling
 * either fails with a positioned message or yields a program whose
 * evaluation against a small cluster returns a value or an error within
 * the limits of cel.h, and whose JSON result is valid JSON. The same text
 * is also compiled and rendered as a template string.
 */
#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char VARS[] =
	"{\"cluster\": {\"metadata\": {\"name\": \"c1\", \"generation\": 3, \"labels\": {\"env\": "
	"\"prod\"}}, \"spec\": {\"provider\": \"gcp\", \"region\": \"us-east1\", \"nodes\": 3,"
	" \"tags\": [\"a\", \"b\"], \"nothing\": null}, \"status\": {\"conditions\": [{\"type\": "
	"\"Ready\", \"status\": \"True\", \"lastTransitionTime\": \"2025-12-31T23:50:00Z\"}]}},"
	" \"adapters\": {\"validation\": {\"conditions\": [{\"type\": \"Available\", \"status\": "
	"\"True\"}]}}, \"n\": 5, \"f\": 1.5, \"s\": \"hello\", \"list\": [1, 2, 3]}";

static void check_json(const cJSON *r)
{
	char *out = cJSON_PrintUnformatted(r);
	cJSON *again = out ? cJSON_Parse(out) : NULL;
	if (!again)
		abort();
	cJSON_Delete(again);
	free(out);
}

static void check_error(const char *err)
{
	/* Every error is "line:col: message". */
	if (!err || err[0] < '1' || err[0] > '9' || !strchr(err, ':'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"cluster", "adapters", "n", "f", "s", "list"};
	const struct timespec now = {1767225600, 0};
	char *src = malloc(size + 1);
	memcpy(src, data, size);
	src[size] = '\0';
	cJSON *vars = cJSON_Parse(VARS);
	struct hf_cel_activation a = {.object = vars, .now = &now};
	struct hf_cel_program *p = NULL;
	char *err = NULL;
	if (hf_cel_compile(src, &p, &err) == HF_OK) {
		if (hf_cel_check(p, names, sizeof(names) / sizeof(names[0]), &err) != HF_OK)
			check_error(err);
		free(err);
		err = NULL;
		cJSON *r = NULL;
		if (hf_cel_eval(p, &a, &r, &err) == HF_OK)
			check_json(r);
		else
			check_error(err);
		cJSON_Delete(r);
		free(err);
		err = NULL;
		bool b;
		if (hf_cel_eval_bool(p, &a, &b, &err) != HF_OK)
			check_error(err);
		hf_cel_program_free(p);
	} else {
		check_error(err);
	}
	free(err);
	err = NULL;
	cJSON *tree = cJSON_CreateString(src);
	struct hf_cel_template *t = NULL;
	if (tree && hf_cel_template_compile(tree, NULL, 0, &t, &err) == HF_OK) {
		cJSON *out = NULL;
		if (hf_cel_template_render(t, &a, &out, NULL) == HF_OK)
			check_json(out);
		cJSON_Delete(out);
		hf_cel_template_free(t);
	}
	free(err);
	cJSON_Delete(tree);
	cJSON_Delete(vars);
	free(src);
	return 0;
}
