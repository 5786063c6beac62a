/*
 * cel_bench: how fast a typical adapter precondition evaluates, against the
 * same check written by hand with cJSON lookups. No control plane needed.
 *
 *   cel_bench [SECONDS]   (default 2 per side)
 *
 * Both sides read the same parsed cluster (a few KB of JSON, as a Cluster
 * resource looks in the watch cache) and the adapters' reports. Prints one
 * JSON object: evaluations per second of each and their ratio.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "util/clock.h"

static const char PRECONDITION[] =
	"cluster.spec.provider == 'gcp' && cluster.spec.region in ['us-east1','us-west1'] && "
	"conditionStatus(adapters.validation.conditions, 'Available') == 'True'";

static const char CLUSTER[] =
	"{\"apiVersion\": \"hyperfleet.io/v1alpha1\", \"kind\": \"Cluster\","
	" \"metadata\": {\"name\": \"prod-east-7\", \"namespace\": \"team-a\","
	" \"uid\": \"6f1c2a7e-2b8e-4f5e-9a51-0c1d2e3f4a5b\", \"resourceVersion\": \"918273\","
	" \"generation\": 4, \"creationTimestamp\": \"2026-01-10T08:00:00Z\","
	" \"labels\": {\"hyperfleet.io/provider\": \"gcp\", \"env\": \"prod\", \"team\": \"a\","
	" \"app.kubernetes.io/managed-by\": \"hyperfleet\"},"
	" \"annotations\": {\"hyperfleet.io/owner\": \"alice@example.com\","
	" \"kubectl.kubernetes.io/last-applied-configuration\": \"{\\\"apiVersion\\\":"
	"\\\"hyperfleet.io/v1alpha1\\\",\\\"kind\\\":\\\"Cluster\\\",\\\"metadata\\\":"
	"{\\\"name\\\":\\\"prod-east-7\\\",\\\"namespace\\\":\\\"team-a\\\"},\\\"spec\\\":"
	"{\\\"provider\\\":\\\"gcp\\\",\\\"region\\\":\\\"us-east1\\\",\\\"version\\\":"
	"\\\"4.17.3\\\"}}\"},"
	" \"finalizers\": [\"hyperfleet.io/cleanup\"]},"
	" \"spec\": {\"provider\": \"gcp\", \"region\": \"us-east1\", \"version\": \"4.17.3\","
	" \"gcp\": {\"projectID\": \"acme-prod-123\", \"network\": {\"vpc\": \"prod-vpc\","
	" \"subnet\": \"prod-east\", \"podCIDR\": \"10.128.0.0/14\", \"serviceCIDR\":"
	" \"172.30.0.0/16\"}, \"serviceAccount\": \"hyperfleet@acme-prod-123.iam.gserviceaccount.com\","
	" \"zones\": [\"us-east1-b\", \"us-east1-c\", \"us-east1-d\"]},"
	" \"dns\": {\"baseDomain\": \"prod.example.com\", \"zone\": \"prod-example-com\"},"
	" \"controlPlane\": {\"replicas\": 3, \"machineType\": \"n2-standard-8\"},"
	" \"pullSecretRef\": {\"name\": \"pull-secret\"}},"
	" \"status\": {\"phase\": \"Provisioning\", \"observedGeneration\": 4,"
	" \"conditions\": ["
	"{\"type\": \"Ready\", \"status\": \"False\", \"reason\": \"AdaptersPending\", \"message\":"
	" \"2 of 5 required adapters are not available\", \"observedGeneration\": 4,"
	" \"lastTransitionTime\": \"2026-01-10T08:00:05Z\"},"
	"{\"type\": \"Reconciled\", \"status\": \"True\", \"reason\": \"Reconciled\", \"message\":"
	" \"status aggregated\", \"observedGeneration\": 4,"
	" \"lastTransitionTime\": \"2026-01-10T08:01:00Z\"}],"
	" \"adapters\": ["
	"{\"name\": \"validation\", \"observedGeneration\": 4, \"conditions\": ["
	"{\"type\": \"Applied\", \"status\": \"True\", \"reason\": \"JobApplied\"},"
	"{\"type\": \"Available\", \"status\": \"True\", \"reason\": \"ValidationPassed\"},"
	"{\"type\": \"Health\", \"status\": \"True\", \"reason\": \"Healthy\"}]},"
	"{\"name\": \"dns\", \"observedGeneration\": 4, \"conditions\": ["
	"{\"type\": \"Applied\", \"status\": \"True\", \"reason\": \"JobApplied\"},"
	"{\"type\": \"Available\", \"status\": \"False\", \"reason\": \"DNSZonePending\"},"
	"{\"type\": \"Health\", \"status\": \"True\", \"reason\": \"Healthy\"}]}]}}";

static const char ADAPTERS[] =
	"{\"validation\": {\"observedGeneration\": 4, \"data\": {\"checks\": 12, \"failed\": 0},"
	" \"conditions\": [{\"type\": \"Applied\", \"status\": \"True\", \"reason\": "
	"\"JobApplied\"}, {\"type\": \"Health\", \"status\": \"True\", \"reason\": \"Healthy\"},"
	" {\"type\": \"Available\", \"status\": \"True\", \"reason\": \"ValidationPassed\"}]},"
	" \"dns\": {\"observedGeneration\": 4, \"conditions\": [{\"type\": \"Available\","
	" \"status\": \"False\"}]},"
	" \"placement\": {\"observedGeneration\": 3, \"conditions\": [{\"type\": \"Available\","
	" \"status\": \"True\"}]}}";

static const char *string_at(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);
	v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* by_hand is the precondition written directly against cJSON. */
static bool by_hand(const cJSON *cluster, const cJSON *adapters)
{
	const char *provider = string_at(cluster, "spec", "provider");
	if (!provider || strcmp(provider, "gcp") != 0)
		return false;
	const char *region = string_at(cluster, "spec", "region");
	if (!region || (strcmp(region, "us-east1") != 0 && strcmp(region, "us-west1") != 0))
		return false;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(adapters, "validation");
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(v, "conditions"))
	{
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "type");
		if (cJSON_IsString(type) && strcmp(type->valuestring, "Available") == 0) {
			const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, "status");
			return cJSON_IsString(s) && strcmp(s->valuestring, "True") == 0;
		}
	}
	return false;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? strtod(argv[1], NULL) : 2;
	cJSON *cluster = cJSON_Parse(CLUSTER), *adapters = cJSON_Parse(ADAPTERS);
	if (!cluster || !adapters) {
		fprintf(stderr, "cel_bench: bad built-in JSON\n");
		return 1;
	}
	struct hf_cel_program *p;
	char *err = NULL;
	if (hf_cel_compile(PRECONDITION, &p, &err) != HF_OK) {
		fprintf(stderr, "cel_bench: %s\n", err);
		return 1;
	}
	struct hf_cel_var vars[] = {{"cluster", cluster}, {"adapters", adapters}};
	struct hf_cel_activation a = {.vars = vars, .count = 2};

	long cel = 0, hand = 0, truths = 0;
	double start = hf_monotonic_now(), cel_time, hand_time;
	do {
		for (int i = 0; i < 1000; i++, cel++) {
			bool ok = false;
			if (hf_cel_eval_bool(p, &a, &ok, &err) != HF_OK) {
				fprintf(stderr, "cel_bench: %s\n", err);
				return 1;
			}
			truths += ok;
		}
	} while ((cel_time = hf_monotonic_now() - start) < seconds);
	start = hf_monotonic_now();
	do {
		for (int i = 0; i < 1000; i++, hand++)
			truths += by_hand(cluster, adapters);
	} while ((hand_time = hf_monotonic_now() - start) < seconds);
	if (truths != cel + hand) {
		fprintf(stderr, "cel_bench: the two sides disagree\n");
		return 1;
	}
	double cel_rate = (double)cel / cel_time, hand_rate = (double)hand / hand_time;
	printf("{\"cel_evals_per_s\":%.0f,\"lookup_evals_per_s\":%.0f,\"cel_vs_lookup\":%.3f}\n",
	       cel_rate, hand_rate, cel_rate / hand_rate);
	hf_cel_program_free(p);
	cJSON_Delete(cluster);
	cJSON_Delete(adapters);
	return 0;
}
