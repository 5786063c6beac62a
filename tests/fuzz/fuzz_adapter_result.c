/*
 * Fuzz target: a Job's termination message, which the Job (anyone's code)
 * writes and the engine reads as the Job's result (docs/adapters.md, "A
 * Job's result"). Whatever the bytes, a failed and a succeeded Job give a
 * report with Applied, Available and Health, each with a status of True,
 * False or Unknown.
 */
#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter/source.h"
#include "adapter/step.h"
#include "core/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char adapter_yaml[] =
	"apiVersion: hyperfleet.io/v1alpha1\n"
	"kind: Adapter\n"
	"metadata: {name: dns}\n"
	"spec:\n"
	"  target: Cluster\n"
	"  resources:\n"
	"    - name: job\n"
	"      manifest: {apiVersion: batch/v1, kind: Job, spec: {}}\n"
	"  status:\n"
	"    conditions:\n"
	"      - type: RecordsCreated\n"
	"        status: results.?job.?ok.orValue(true) == true\n"
	"        message: \"${string(results.?job.?message.orValue(''))}\"\n"
	"    data: {zone: \"${results.?job.?data.?zone.orValue('')}\"}\n";

static const char *const job_states[] = {
	"{\"succeeded\": 1, \"conditions\": [{\"type\": \"Complete\", \"status\": \"True\"}]}",
	"{\"failed\": 1, \"conditions\": [{\"type\": \"Failed\", \"status\": \"True\"}]}",
};

static void check(const struct hf_adapter_result *r)
{
	static const char *const required[] = {"Applied", "Available", "Health"};
	for (size_t i = 0; i < 3; i++) {
		const cJSON *c = hf_status_find_condition(r->report.conditions, required[i]);
		const char *s = c ? cJSON_GetStringValue(cJSON_GetObjectItem(c, "status")) : NULL;
		if (!s || (strcmp(s, "True") && strcmp(s, "False") && strcmp(s, "Unknown")))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hf_adapter_source src;
	static cJSON *cluster;
	if (!cluster) {
		if (hf_adapter_source_parse(adapter_yaml, strlen(adapter_yaml), &src) != HF_OK)
			abort();
		cluster = cJSON_Parse("{\"metadata\":{\"name\":\"c\",\"uid\":\"0123abcd\","
				      "\"generation\":1},\"spec\":{\"provider\":\"gcp\"}}");
	}
	char *message = malloc(size + 1);
	memcpy(message, data, size);
	message[size] = '\0';
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(job_states[i]) + 128;
		char *job = malloc(n);
		snprintf(job, n,
			 "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":"
			 "\"dns-job-0123abcd-g1\"},\"status\":%s}",
			 job_states[i]);
		cJSON *obj = cJSON_Parse(job);
		struct hf_adapter_observed ob = {
			.resource = "job", .object = obj, .termination_message = message};
		struct hf_adapter_input in = {.adapter = src.adapters[0],
					      .resource = cluster,
					      .observed = &ob,
					      .nobserved = 1,
					      .now = 1.8e9};
		struct hf_adapter_result r;
		if (hf_adapter_step(&in, &r) != HF_OK)
			abort();
		check(&r);
		hf_adapter_result_clear(&r);
		cJSON_Delete(obj);
		free(job);
	}
	free(message);
	return 0;
}
