/*
 * Fuzz target: log values come from outside (object names, server
 * messages, request ids). Whatever they hold, every log line must be one
 * valid JSON object, so log pipelines never choke on it.
 */
#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The input holds up to three NUL-separated strings: msg, key, value. */
	char *copy = hf_malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	const char *parts[3] = {"", "", ""};
	const char *p = copy;
	for (int i = 0; i < 3 && p <= copy + size; i++) {
		parts[i] = p;
		p += strlen(p) + 1;
	}
	char *text = NULL;
	size_t text_len = 0;
	FILE *out = open_memstream(&text, &text_len);
	hf_log_set_output(out);
	hf_log(HF_LOG_ERROR, "fuzz", parts[0], parts[1][0] ? parts[1] : "k", parts[2], NULL);
	hf_log_set_output(stderr);
	fclose(out);
	/* Exactly one line, and it parses. */
	if (text_len == 0 || text[text_len - 1] != '\n' || memchr(text, '\n', text_len - 1))
		abort();
	cJSON *line = cJSON_ParseWithLength(text, text_len - 1);
	if (!cJSON_IsObject(line))
		abort();
	cJSON_Delete(line);
	free(text);
	free(copy);
	return 0;
}
