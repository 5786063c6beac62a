/* Unit tests of the adapter engine's decision core (controller/adapter/step.c). */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter/config.h"
#include "adapter/source.h"
#include "adapter/step.h"
#include "core/status.h"
#include "util/rfc3339.h"

static const char adapter_yaml[] =
	"apiVersion: hyperfleet.io/v1alpha1\n"
	"kind: Adapter\n"
	"metadata: {name: validation}\n"
	"spec:\n"
	"  target: Cluster\n"
	"  timeout: 10m\n"
	"  dependsOn: [landing-zone]\n"
	"  params:\n"
	"    - {name: region, expression: cluster.spec.region}\n"
	"    - {name: upper, expression: params.region.upperAscii()}\n"
	"  preconditions:\n"
	"    - name: gcp\n"
	"      expression: cluster.spec.provider == 'gcp'\n"
	"      message: \"provider ${cluster.spec.provider} is not supported\"\n"
	"  resources:\n"
	"    - name: job\n"
	"      recreateOnChange: true\n"
	"      manifest:\n"
	"        apiVersion: batch/v1\n"
	"        kind: Job\n"
	"        spec: {template: {spec: {containers: [{name: v, image: img, args: ['${params.upper}']}]}}}\n"
	"  status:\n"
	"    data: {region: '${params.region}'}\n"
	"  deletion:\n"
	"    resources:\n"
	"      - name: teardown\n"
	"        manifest: {apiVersion: batch/v1, kind: Job}\n";

static struct hf_adapter_source src;
static cJSON *cluster;

static void setup(void)
{
	cr_assert_eq(hf_adapter_source_parse(adapter_yaml, strlen(adapter_yaml), &src), HF_OK);
	cluster = cJSON_Parse(
		"{\"metadata\": {\"name\": \"c1\", \"uid\": \"3F2A9C71-8d4e\", \"generation\": 3},"
		" \"spec\": {\"provider\": \"gcp\", \"region\": \"us-east1\"},"
		" \"status\": {\"adapters\": [{\"adapter\": \"landing-zone\", \"observedGeneration\": 3,"
		"   \"conditions\": [{\"type\": \"Available\", \"status\": \"True\"}]}]}}");
	cr_assert(cluster);
}

static void teardown(void)
{
	hf_adapter_source_clear(&src);
	cJSON_Delete(cluster);
}

static double t(const char *s)
{
	double v = 0;
	cr_assert(hf_rfc3339_parse(s, &v));
	return v;
}

/* run evaluates the adapter with an optional observed job. */
static void run(struct hf_adapter_result *res, const char *job, const char *error, const char *term,
		const char *now)
{
	cJSON *obj = job ? cJSON_Parse(job) : NULL;
	if (job)
		cr_assert(obj, "bad fixture %s", job);
	struct hf_adapter_observed ob = {
		.resource = "job", .object = obj, .error = error, .termination_message = term};
	struct hf_adapter_input in = {.adapter = src.adapters[0],
				      .resource = cluster,
				      .observed = &ob,
				      .nobserved = 1,
				      .now = t(now ? now : "2026-11-22T04:05:00Z")};
	cr_assert_eq(hf_adapter_step(&in, res), HF_OK);
	cJSON_Delete(obj);
}

static void expect_cond(const struct hf_adapter_result *res, const char *type, const char *status,
			const char *reason, const char *message)
{
	const cJSON *c = hf_status_find_condition(res->report.conditions, type);
	cr_assert(c, "no %s condition", type);
	if (message && strcmp(cJSON_GetObjectItem(c, "message")->valuestring, message))
		fprintf(stderr, "%s message: %s\n", type,
			cJSON_GetObjectItem(c, "message")->valuestring);
	cr_expect_str_eq(cJSON_GetObjectItem(c, "status")->valuestring, status, "%s", type);
	cr_expect_str_eq(cJSON_GetObjectItem(c, "reason")->valuestring, reason, "%s", type);
	if (message)
		cr_expect_str_eq(cJSON_GetObjectItem(c, "message")->valuestring, message, "%s",
				 type);
}

#define JOB(status)                                                                                \
	"{\"apiVersion\": \"batch/v1\", \"kind\": \"Job\", \"metadata\": {\"name\": "              \
	"\"validation-job-3f2a9c71-g3\"}, \"status\": " status "}"

TestSuite(adapter_step, .init = setup, .fini = teardown);

Test(adapter_step, job_absent_gives_a_manifest_to_create)
{
	struct hf_adapter_result res;
	run(&res, NULL, NULL, NULL, NULL);
	cr_assert_eq(res.nobjects, 1);
	const struct hf_adapter_object *o = &res.objects[0];
	cr_expect_eq(o->action, HF_ADAPTER_CREATE);
	cr_expect_str_eq(o->name, "validation-job-3f2a9c71-g3");
	cr_expect_str_eq(o->selector, "hyperfleet.io/adapter=validation,hyperfleet.io/"
				      "cluster-id=3F2A9C71-8d4e,hyperfleet.io/resource=job");
	char *m = cJSON_PrintUnformatted(o->manifest);
	cr_expect(strstr(m, "\"args\":[\"US-EAST1\"]"), "%s", m);
	cr_expect(strstr(m, "\"hyperfleet.io/generation\":\"3\""), "%s", m);
	cr_expect(strstr(m, "\"hyperfleet.io/cluster-id\":\"3F2A9C71-8d4e\""), "%s", m);
	free(m);
	cr_expect_str_eq(cJSON_GetObjectItem(res.params, "upper")->valuestring, "US-EAST1");
	expect_cond(&res, "Applied", "False", "ResourcesPending", NULL);
	expect_cond(&res, "Available", "False", "JobPending", NULL);
	expect_cond(&res, "Health", "True", "Healthy", NULL);
	cr_expect_str_eq(cJSON_GetObjectItem(res.report.data, "region")->valuestring, "us-east1");
	hf_adapter_result_clear(&res);
}

Test(adapter_step, job_running_succeeded_failed)
{
	struct hf_adapter_result res;
	run(&res, JOB("{\"active\": 1, \"startTime\": \"2026-11-22T04:00:00Z\"}"), NULL, NULL,
	    NULL);
	expect_cond(&res, "Applied", "True", "ResourcesApplied", NULL);
	expect_cond(&res, "Available", "False", "JobRunning",
		    "Job validation-job-3f2a9c71-g3 is running");
	cr_expect_eq(res.objects[0].action, HF_ADAPTER_RECREATE); /* no manifest hash yet */
	hf_adapter_result_clear(&res);

	run(&res,
	    JOB("{\"succeeded\": 1, \"conditions\": [{\"type\": \"Complete\", \"status\": "
		"\"True\"}]}"),
	    NULL, NULL, NULL);
	expect_cond(&res, "Available", "True", "JobSucceeded", NULL);
	expect_cond(&res, "Health", "True", "Healthy", NULL);
	hf_adapter_result_clear(&res);

	run(&res,
	    JOB("{\"failed\": 1, \"conditions\": [{\"type\": \"Failed\", \"status\": \"True\", "
		"\"reason\": \"BackoffLimitExceeded\", \"message\": \"Job has reached the "
		"specified backoff limit\"}]}"),
	    NULL, NULL, NULL);
	expect_cond(&res, "Available", "False", "JobFailed",
		    "Job has reached the specified backoff limit");
	expect_cond(&res, "Health", "True", "Healthy", NULL);
	hf_adapter_result_clear(&res);

	run(&res,
	    JOB("{\"failed\": 1, \"conditions\": [{\"type\": \"Failed\", \"status\": \"True\", "
		"\"reason\": \"BackoffLimitExceeded\"}]}"),
	    NULL, "PermissionDenied: the service account cannot read project p", NULL);
	expect_cond(&res, "Available", "False", "JobFailed",
		    "PermissionDenied: the service account cannot read project p");
	hf_adapter_result_clear(&res);
}

Test(adapter_step, timeout)
{
	struct hf_adapter_result res;
	run(&res, JOB("{\"active\": 1, \"startTime\": \"2026-11-22T04:00:00Z\"}"), NULL, NULL,
	    "2026-11-22T04:10:01Z");
	expect_cond(&res, "Available", "False", "Timeout",
		    "the work for generation 3 did not finish within 10m");
	hf_adapter_result_clear(&res);
	run(&res, JOB("{\"active\": 1, \"startTime\": \"2026-11-22T04:00:00Z\"}"), NULL, NULL,
	    "2026-11-22T04:09:59Z");
	expect_cond(&res, "Available", "False", "JobRunning", NULL);
	hf_adapter_result_clear(&res);
}

Test(adapter_step, an_api_error_is_unhealthy_with_its_exact_message)
{
	struct hf_adapter_result res;
	const char *e = "jobs.batch is forbidden: User \"system:serviceaccount:hf:hf\" cannot "
			"create resource \"jobs\"";
	run(&res, NULL, e, NULL, NULL);
	expect_cond(&res, "Applied", "False", "ApplyFailed", e);
	expect_cond(&res, "Health", "False", "ResourceError", e);
	cr_expect_str_eq(res.error, e);
	hf_adapter_result_clear(&res);
}

Test(adapter_step, precondition_unmet_creates_nothing)
{
	struct hf_adapter_result res;
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cluster, "spec"), "provider",
				  cJSON_CreateString("aws"));
	run(&res, NULL, NULL, NULL, NULL);
	cr_expect_eq(res.nobjects, 0);
	cr_expect_str_eq(res.unmet, "gcp");
	expect_cond(&res, "Applied", "False", "PreconditionsNotMet",
		    "precondition gcp not met: provider aws is not supported");
	expect_cond(&res, "Available", "False", "PreconditionsNotMet", NULL);
	expect_cond(&res, "Health", "True", "Healthy", NULL);
	hf_adapter_result_clear(&res);
}

Test(adapter_step, depends_on_unmet_then_met)
{
	struct hf_adapter_result res;
	cJSON *lz = cJSON_GetArrayItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(cluster, "status"), "adapters"), 0);
	cJSON_ReplaceItemInObject(lz, "observedGeneration", cJSON_CreateNumber(2));
	run(&res, NULL, NULL, NULL, NULL);
	cr_expect_str_eq(res.unmet, "dependsOn.landing-zone");
	expect_cond(&res, "Available", "False", "PreconditionsNotMet",
		    "precondition dependsOn.landing-zone not met: waiting for adapter landing-zone "
		    "to be Available at generation 3 (it reports Available=True at generation 2)");
	hf_adapter_result_clear(&res);
	cJSON_ReplaceItemInObject(lz, "observedGeneration", cJSON_CreateNumber(3));
	run(&res, NULL, NULL, NULL, NULL);
	cr_expect_null(res.unmet);
	cr_expect_eq(res.nobjects, 1);
	hf_adapter_result_clear(&res);
}

Test(adapter_step, an_evaluation_error_is_unhealthy_with_its_position)
{
	struct hf_adapter_result res;
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(cluster, "spec"), "region");
	run(&res, NULL, NULL, NULL, NULL);
	expect_cond(&res, "Health", "False", "EvaluationFailed",
		    "spec.params[0].expression: 1:13: no such key: region");
	expect_cond(&res, "Available", "False", "EvaluationFailed", NULL);
	hf_adapter_result_clear(&res);
}

Test(adapter_step, names_are_stable_and_distinct_across_generations)
{
	struct hf_adapter_result a, b, c;
	run(&a, NULL, NULL, NULL, NULL);
	run(&b, NULL, NULL, NULL, NULL);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cluster, "metadata"), "generation",
				  cJSON_CreateNumber(4));
	cJSON *lz = cJSON_GetArrayItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(cluster, "status"), "adapters"), 0);
	cJSON_ReplaceItemInObject(lz, "observedGeneration", cJSON_CreateNumber(4));
	run(&c, NULL, NULL, NULL, NULL);
	cr_assert_eq(c.nobjects, 1);
	cr_expect_str_eq(a.objects[0].name, b.objects[0].name);
	cr_expect_str_eq(c.objects[0].name, "validation-job-3f2a9c71-g4");
	hf_adapter_result_clear(&a);
	hf_adapter_result_clear(&b);
	hf_adapter_result_clear(&c);
	char buf[64];
	hf_adapter_object_name("a-very-long-adapter-name-for-testing",
			       "an_even_longer_resource_name_that_overflows", "abcdef0123", 12,
			       true, buf, sizeof(buf));
	cr_expect_leq(strlen(buf), 63);
	cr_expect(strstr(buf, "-abcdef01-g12") != NULL, "%s", buf);
	char other[64];
	hf_adapter_object_name("a-very-long-adapter-name-for-testing",
			       "an_even_longer_resource_name_that_overflowz", "abcdef0123", 12,
			       true, other, sizeof(other));
	cr_expect_str_neq(buf, other);
}

Test(adapter_step, keep_when_the_manifest_is_unchanged_recreate_when_it_changed)
{
	struct hf_adapter_result first, res;
	run(&first, NULL, NULL, NULL, NULL);
	char *created = cJSON_PrintUnformatted(first.objects[0].manifest);
	run(&res, created, NULL, NULL, NULL);
	cr_expect_eq(res.objects[0].action, HF_ADAPTER_KEEP);
	hf_adapter_result_clear(&res);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cluster, "spec"), "region",
				  cJSON_CreateString("us-west1"));
	run(&res, created, NULL, NULL, NULL);
	cr_expect_eq(res.objects[0].action, HF_ADAPTER_RECREATE);
	hf_adapter_result_clear(&res);
	free(created);
	hf_adapter_result_clear(&first);
}

Test(adapter_step, deletion_reports_finalized)
{
	struct hf_adapter_result res;
	cJSON_AddStringToObject(cJSON_GetObjectItem(cluster, "metadata"), "deletionTimestamp",
				"2026-11-22T04:00:00Z");
	run(&res, JOB("{}"), NULL, NULL, NULL);
	cr_expect(res.deleting);
	cr_assert_eq(res.nobjects, 2);
	cr_expect_eq(res.objects[0].action, HF_ADAPTER_DELETE);
	cr_expect_eq(res.objects[1].action, HF_ADAPTER_CREATE);
	cr_expect_str_eq(res.objects[1].name, "validation-teardown-3f2a9c71-g3");
	expect_cond(&res, "Finalized", "False", "DeletionInProgress", NULL);
	hf_adapter_result_clear(&res);

	/* job gone, teardown succeeded */
	cJSON *td =
		cJSON_Parse("{\"apiVersion\": \"batch/v1\", \"kind\": \"Job\", \"metadata\": "
			    "{\"name\": \"validation-teardown-3f2a9c71-g3\"}, \"status\": "
			    "{\"conditions\": [{\"type\": \"Complete\", \"status\": \"True\"}]}}");
	struct hf_adapter_observed ob[] = {{.resource = "job"},
					   {.resource = "teardown", .object = td}};
	struct hf_adapter_input in = {.adapter = src.adapters[0],
				      .resource = cluster,
				      .observed = ob,
				      .nobserved = 2,
				      .now = t("2026-11-22T04:05:00Z")};
	cr_assert_eq(hf_adapter_step(&in, &res), HF_OK);
	expect_cond(&res, "Finalized", "True", "Finalized", NULL);
	expect_cond(&res, "Available", "True", "JobSucceeded", NULL);
	hf_adapter_result_clear(&res);

	/* The adapter's last data goes on in its deletion reports: other
	 * adapters' teardown may read it. */
	cJSON *mine = cJSON_Parse("{\"adapter\": \"validation\", \"observedGeneration\": 3,"
				  " \"data\": {\"region\": \"us-east1\"}}");
	cJSON_AddItemToArray(
		cJSON_GetObjectItem(cJSON_GetObjectItem(cluster, "status"), "adapters"), mine);
	cr_assert_eq(hf_adapter_step(&in, &res), HF_OK);
	char *data = cJSON_PrintUnformatted(res.report.data);
	cr_expect_str_eq(data, "{\"region\":\"us-east1\"}");
	free(data);
	hf_adapter_result_clear(&res);
	cJSON_Delete(td);
}

Test(adapter_step, env_takes_the_opted_in_variables)
{
	char *environ_[] = {"HYPERFLEET_ENV_IMAGE=quay.io/x", "HYPERFLEET_TOKEN=secret",
			    "PATH=/bin", NULL};
	cJSON *env = hf_adapter_env(environ_);
	char *s = cJSON_PrintUnformatted(env);
	cr_expect_str_eq(s, "{\"IMAGE\":\"quay.io/x\"}");
	free(s);
	cJSON_Delete(env);
}

#define FAILED_JOB                                                                                 \
	JOB("{\"failed\": 1, \"conditions\": [{\"type\": \"Failed\", \"status\": \"True\"}]}")

Test(adapter_step, a_failed_jobs_json_result_names_the_reason_and_message)
{
	struct hf_adapter_result res;
	run(&res, FAILED_JOB, NULL,
	    "{\"reason\": \"PermissionDenied\", \"message\": \"the service account lacks "
	    "compute.networks.create\"}",
	    NULL);
	expect_cond(&res, "Available", "False", "PermissionDenied",
		    "the service account lacks compute.networks.create");
	expect_cond(&res, "Health", "True", "Healthy", NULL);
	hf_adapter_result_clear(&res);

	/* A reason Kubernetes would refuse keeps the engine's own. */
	run(&res, FAILED_JOB, NULL, "{\"reason\": \"no such: reason\", \"message\": \"m\"}", NULL);
	expect_cond(&res, "Available", "False", "JobFailed", "m");
	hf_adapter_result_clear(&res);
}

static const char results_yaml[] =
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
	"      - type: Health\n"
	"        status: results.?job.?healthy.orValue(true)\n"
	"        reason: \"${results.?job.?reason.orValue('Healthy')}\"\n"
	"        message: \"${results.?job.?message.orValue('')}\"\n"
	"    data: {zone: \"${results.?job.?data.?zone.orValue('')}\"}\n";

/* step_results evaluates results_yaml with a succeeded Job whose pod said term. */
static void step_results(struct hf_adapter_result *res, const char *term)
{
	struct hf_adapter_source s2;
	cr_assert_eq(hf_adapter_source_parse(results_yaml, strlen(results_yaml), &s2), HF_OK);
	cr_assert_eq(s2.count, 1, "results_yaml did not load: %s",
		     s2.nerrors ? s2.errors[0].message : "");
	cJSON *job = cJSON_Parse(JOB("{\"succeeded\": 1, \"conditions\": [{\"type\": \"Complete\", "
				     "\"status\": \"True\"}]}"));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(job, "metadata"), "name",
				  cJSON_CreateString("dns-job-3f2a9c71-g3"));
	struct hf_adapter_observed ob = {
		.resource = "job", .object = job, .termination_message = term};
	struct hf_adapter_input in = {.adapter = s2.adapters[0],
				      .resource = cluster,
				      .observed = &ob,
				      .nobserved = 1,
				      .now = t("2026-11-22T04:05:00Z")};
	cr_assert_eq(hf_adapter_step(&in, res), HF_OK);
	cJSON_Delete(job);
	hf_adapter_source_clear(&s2);
}

Test(adapter_step, status_expressions_read_a_succeeded_jobs_result)
{
	struct hf_adapter_result res;
	step_results(&res, "{\"reason\": \"HealthCheckFailed\", \"message\": \"record set "
			   "misconfigured\", \"healthy\": false, \"data\": {\"zone\": \"z1\"}}");
	expect_cond(&res, "Available", "True", "JobSucceeded", NULL);
	expect_cond(&res, "Health", "False", "HealthCheckFailed", "record set misconfigured");
	char *data = cJSON_PrintUnformatted(res.report.data);
	cr_expect_str_eq(data, "{\"zone\":\"z1\"}");
	free(data);
	hf_adapter_result_clear(&res);

	/* Text that is not JSON is the result's message. */
	step_results(&res, "all good");
	expect_cond(&res, "Health", "True", "Healthy", "all good");
	hf_adapter_result_clear(&res);

	/* No message at all: results has no entry. */
	step_results(&res, NULL);
	expect_cond(&res, "Health", "True", "Healthy", "");
	hf_adapter_result_clear(&res);
}

Test(adapter_step, results_is_unknown_outside_status)
{
	static const char bad[] = "apiVersion: hyperfleet.io/v1alpha1\n"
				  "kind: Adapter\n"
				  "metadata: {name: x}\n"
				  "spec:\n"
				  "  target: Cluster\n"
				  "  params: [{name: p, expression: results.job}]\n";
	struct hf_adapter_source s2;
	cr_expect_eq(hf_adapter_source_parse(bad, strlen(bad), &s2), HF_ERR_INVALID);
	cr_expect_eq(s2.count, 0);
	cr_expect_eq(s2.nerrors, 1);
	hf_adapter_source_clear(&s2);
}

Test(adapter_step, a_jobs_result_conditions_replace_defaults_and_add_custom_ones)
{
	struct hf_adapter_result res;
	run(&res, FAILED_JOB, NULL,
	    "{\"reason\": \"Timeout\", \"message\": \"creation timed out after 25 minutes\","
	    " \"conditions\": [{\"type\": \"Applied\", \"status\": \"False\", \"reason\": "
	    "\"Timeout\", \"message\": \"not applied\"}, {\"type\": \"RecordsCreated\", "
	    "\"status\": \"False\", \"reason\": \"ZoneMissing\"}, {\"type\": \"bad\", \"status\": "
	    "\"True\"}, {\"type\": \"Finalized\", \"status\": \"True\"}]}",
	    NULL);
	expect_cond(&res, "Applied", "False", "Timeout", "not applied");
	expect_cond(&res, "Available", "False", "Timeout", "creation timed out after 25 minutes");
	expect_cond(&res, "RecordsCreated", "False", "ZoneMissing", "");
	cr_expect_null(hf_status_find_condition(res.report.conditions, "bad"));
	cr_expect_null(hf_status_find_condition(res.report.conditions, "Finalized"));
	hf_adapter_result_clear(&res);

	/* The author's status.conditions come after, and win. */
	step_results(&res, "{\"conditions\": [{\"type\": \"Health\", \"status\": \"False\", "
			   "\"reason\": \"FromJob\"}]}");
	expect_cond(&res, "Health", "True", "Healthy", "");
	hf_adapter_result_clear(&res);
}
