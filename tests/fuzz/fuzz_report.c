/*
 * Fuzz target: an adapter report as the REST API receives it, parsed and
 * applied to a resource. Whatever the body, the result is a verdict and the
 * resource stays valid JSON.
 */
#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/report.h"
#include "util/rfc3339.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	double now = 0;
	hf_rfc3339_parse("2026-11-22T05:00:00Z", &now);
	struct hf_report r;
	bool malformed;
	char msg[256];
	if (hf_report_parse((const char *)data, size, now, &r, &malformed, msg, sizeof(msg)) !=
	    HF_OK)
		return 0;
	cJSON *o = cJSON_Parse(
		"{\"metadata\":{\"name\":\"c\",\"generation\":3},\"status\":{\"adapters\":[]}}");
	for (int i = 0; i < 2; i++)
		hf_report_apply(&r, o, msg, sizeof(msg));
	char *out = cJSON_PrintUnformatted(o);
	cJSON *again = out ? cJSON_Parse(out) : NULL;
	if (!again)
		abort();
	cJSON_Delete(again);
	free(out);
	cJSON_Delete(o);
	hf_report_clear(&r);
	return 0;
}
