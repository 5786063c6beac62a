/*
 * Fuzz target: an Adapter config file (YAML or JSON bytes), as `adapter
 * lint` and the controller read it. Whatever the bytes, the loader returns
 * adapters or positioned errors; a loaded adapter runs through the decision
 * core against a fixed Cluster without crashing.
 */
#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>

#include "adapter/config.h"
#include "adapter/source.h"
#include "adapter/step.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hf_adapter_source s;
	(void)hf_adapter_source_parse((const char *)data, size, &s);
	for (size_t i = 0; i < s.nerrors; i++)
		if (s.errors[i].line < 1 || !s.errors[i].message)
			abort();
	cJSON *cluster = cJSON_Parse(
		"{\"metadata\":{\"name\":\"c\",\"uid\":\"0123abcd\",\"generation\":2},"
		"\"spec\":{\"provider\":\"gcp\",\"region\":\"us-east1\",\"nodeCount\":1}}");
	for (size_t i = 0; i < s.count; i++) {
		struct hf_adapter_input in = {.adapter = s.adapters[i],
					      .resource = cluster,
					      .cluster = cluster,
					      .now = 1.8e9};
		struct hf_adapter_result r;
		if (s.adapters[i]->external)
			continue;
		if (hf_adapter_step(&in, &r) != HF_OK)
			abort();
		hf_adapter_result_clear(&r);
	}
	cJSON_Delete(cluster);
	hf_adapter_source_clear(&s);
	return 0;
}
