/* Unit tests of the Adapter loader (controller/adapter/config.c, source.c)
 * and the YAML reader it uses (controller/util/yaml.c). */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter/config.h"
#include "adapter/source.h"
#include "util/yaml.h"

#define HEAD                                                                                       \
	"apiVersion: hyperfleet.io/v1alpha1\n"                                                     \
	"kind: Adapter\n"                                                                          \
	"metadata:\n"                                                                              \
	"  name: demo\n"                                                                           \
	"spec:\n"

/* lint returns "LINE: path: message" lines of the errors of text. */
static char *lint(const char *text)
{
	struct hf_adapter_source s;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (hf_adapter_source_parse(text, strlen(text), &s) == HF_OK)
		fputs("ok", f);
	for (size_t i = 0; i < s.nerrors; i++)
		fprintf(f, "%s%d: %s: %s", i ? "\n" : "", s.errors[i].line, s.errors[i].path,
			s.errors[i].message);
	fclose(f);
	hf_adapter_source_clear(&s);
	return out;
}

static void expect(const char *text, const char *want)
{
	char *got = lint(text);
	cr_expect_str_eq(got, want, "for:\n%s", text);
	free(got);
}

Test(adapter_config, a_minimal_adapter_loads_with_defaults)
{
	const char *text = HEAD "  target: Cluster\n";
	struct hf_adapter_source s;
	cr_assert_eq(hf_adapter_source_parse(text, strlen(text), &s), HF_OK);
	cr_assert_eq(s.count, 1);
	const struct hf_adapter *a = s.adapters[0];
	cr_expect_str_eq(a->name, "demo");
	cr_expect_eq(a->target, HF_ADAPTER_CLUSTER);
	cr_expect_not(a->required);
	cr_expect_not(a->external);
	cr_expect_eq(a->timeout, 1800.0);
	cr_expect_eq(a->job_history_limit, 2);
	hf_adapter_source_clear(&s);
}

Test(adapter_config, bad_cel_syntax_has_line_and_column)
{
	expect(HEAD "  target: Cluster\n"
		    "  preconditions:\n"
		    "    - name: p\n"
		    "      expression: \"cluster.spec.region ==\"\n",
	       "9: spec.preconditions[0].expression: 1:23: syntax error: unexpected end of input");
}

Test(adapter_config, undeclared_variable)
{
	expect(HEAD "  target: Cluster\n"
		    "  params:\n"
		    "    - name: r\n"
		    "      expression: clustr.spec.region\n",
	       "9: spec.params[0].expression: 1:1: undeclared reference to 'clustr'");
	/* nodepool is a variable of NodePool adapters only */
	expect(HEAD "  target: Cluster\n"
		    "  params:\n"
		    "    - name: n\n"
		    "      expression: nodepool.spec.nodeCount\n",
	       "9: spec.params[0].expression: 1:1: undeclared reference to 'nodepool'");
	/* resources is only for status and deletion */
	expect(HEAD "  target: Cluster\n"
		    "  preconditions:\n"
		    "    - name: p\n"
		    "      expression: has(resources.job)\n",
	       "9: spec.preconditions[0].expression: 1:5: undeclared reference to 'resources'");
}

Test(adapter_config, bad_template_names_the_manifest_path)
{
	expect(HEAD "  target: Cluster\n"
		    "  resources:\n"
		    "    - name: cm\n"
		    "      manifest:\n"
		    "        apiVersion: v1\n"
		    "        kind: ConfigMap\n"
		    "        data:\n"
		    "          region: \"${cluster.spec.region +}\"\n",
	       "13: spec.resources[0].manifest.data.region: 1:22: syntax error: unexpected end of "
	       "input");
}

Test(adapter_config, missing_required_fields)
{
	expect(HEAD "  preconditions:\n"
		    "    - name: p\n",
	       "5: spec.target: required field missing\n"
	       "7: spec.preconditions[0].expression: required field missing");
	expect("apiVersion: hyperfleet.io/v1alpha1\nkind: Adapter\nspec:\n  target: Cluster\n",
	       "1: metadata: required field missing");
}

Test(adapter_config, unknown_fields)
{
	expect(HEAD "  target: Cluster\n"
		    "  colour: blue\n",
	       "7: spec.colour: unknown field");
	expect(HEAD "  target: Cluster\n"
		    "  params:\n"
		    "    - name: x\n"
		    "      expresion: 1\n",
	       "9: spec.params[0].expresion: unknown field\n"
	       "8: spec.params[0].expression: required field missing");
}

Test(adapter_config, bad_duration_and_history)
{
	expect(HEAD "  target: Cluster\n"
		    "  timeout: soon\n"
		    "  jobHistoryLimit: -1\n",
	       "7: spec.timeout: 'soon' is not a positive duration (write it like 90s, 10m or "
	       "1h30m)\n"
	       "8: spec.jobHistoryLimit: must be an integer from 0 to 100");
}

Test(adapter_config, depends_on_itself)
{
	expect(HEAD "  target: Cluster\n"
		    "  dependsOn: [other, demo, other]\n",
	       "7: spec.dependsOn[1]: an adapter cannot depend on itself\n"
	       "7: spec.dependsOn[2]: 'other' is listed twice");
}

Test(adapter_config, wrong_types_and_values)
{
	expect(HEAD "  target: Machine\n"
		    "  required: yes-please\n",
	       "6: spec.target: must be Cluster or NodePool, not 'Machine'\n"
	       "7: spec.required: must be a boolean, not a string");
	expect("apiVersion: v1\nkind: Adapter\nmetadata:\n  name: Bad_Name\nspec:\n  target: "
	       "Cluster\n",
	       "1: apiVersion: must be hyperfleet.io/v1alpha1, not 'v1'\n"
	       "4: metadata.name: 'Bad_Name' is not an adapter name (a lowercase DNS label: "
	       "letters, digits and '-', at most 63)");
}

Test(adapter_config, duplicates_and_deletion_names)
{
	expect(HEAD "  target: Cluster\n"
		    "  params:\n"
		    "    - {name: a, expression: '1'}\n"
		    "    - {name: a, expression: '2'}\n"
		    "  resources:\n"
		    "    - name: cm\n"
		    "      manifest: {apiVersion: v1, kind: ConfigMap}\n"
		    "  deletion:\n"
		    "    delete: [cm, job]\n"
		    "    resources:\n"
		    "      - name: cm\n"
		    "        manifest: {apiVersion: v1, kind: ConfigMap}\n",
	       "9: spec.params[1].name: duplicate param 'a'\n"
	       "14: spec.deletion.delete[1]: no resource named 'job' in spec.resources\n"
	       "16: spec.deletion.resources[0].name: duplicate resource 'cm'");
}

Test(adapter_config, status_conditions_are_checked)
{
	expect(HEAD "  target: Cluster\n"
		    "  status:\n"
		    "    conditions:\n"
		    "      - type: Finalized\n"
		    "        status: 'true'\n"
		    "      - type: Ready\n"
		    "        status: has(resources.job)\n"
		    "        reason: \"${resourcez}\"\n",
	       "9: spec.status.conditions[0].type: Finalized is reported from deletion.finalized, "
	       "not from status\n"
	       "13: spec.status.conditions[1].reason: 1:1: undeclared reference to 'resourcez'");
}

Test(adapter_config, external_adapters_have_no_steps)
{
	expect(HEAD "  target: Cluster\n"
		    "  external: true\n"
		    "  preconditions: []\n",
	       "8: spec.preconditions: an external adapter has no steps: it only reports through "
	       "the REST API");
}

Test(adapter_config, a_file_may_hold_several_adapters)
{
	const char *text = HEAD "  target: Cluster\n---\n" HEAD "  target: NodePool\n"
				"  colour: red\n";
	expect(text, "14: spec.colour: unknown field");
	const char *list =
		"{\"kind\": \"List\", \"items\": [\n"
		"{\"apiVersion\": \"hyperfleet.io/v1alpha1\", \"kind\": \"Adapter\",\n"
		" \"metadata\": {\"name\": \"a\"}, \"spec\": {\"target\": \"Cluster\"}},\n"
		"{\"apiVersion\": \"hyperfleet.io/v1alpha1\", \"kind\": \"Adapter\",\n"
		" \"metadata\": {\"name\": \"b\"},\n"
		" \"spec\": {\"target\": \"NodePool\", \"timeout\": 5}}]}\n";
	expect(list, "6: spec.timeout: must be a string, not a number");
}

Test(adapter_config, yaml_syntax_errors_have_a_position)
{
	expect("a: [1,\n", "2: : 2:1: YAML syntax error: did not find expected node content "
			   "while parsing a flow node at line 2");
}

Test(yaml, scalars_follow_the_core_schema)
{
	const char *text = "a: 1\nb: 1.5\nc: true\nd: ~\ne: '1'\nf: 0x10\ng: hello\nh: \"true\"\n";
	struct hf_yaml_doc *docs;
	size_t n;
	char *err = NULL;
	cr_assert_eq(hf_yaml_parse_all(text, strlen(text), &docs, &n, &err), HF_OK);
	char *out = cJSON_PrintUnformatted(docs[0].root);
	cr_expect_str_eq(out, "{\"a\":1,\"b\":1.5,\"c\":true,\"d\":null,\"e\":\"1\",\"f\":16,"
			      "\"g\":\"hello\",\"h\":\"true\"}");
	cr_expect_eq(hf_yaml_line_at(&docs[0], NULL, "c"), 3);
	cr_expect_eq(hf_yaml_line_at(&docs[0], NULL, "c.nothing[3]"), 3);
	free(out);
	hf_yaml_docs_free(docs, n);
}

Test(yaml, duplicate_keys_and_alias_bombs_are_refused)
{
	struct hf_yaml_doc *docs;
	size_t n;
	char *err = NULL;
	const char *dup = "a: 1\nb: 2\na: 3\n";
	cr_expect_eq(hf_yaml_parse_all(dup, strlen(dup), &docs, &n, &err), HF_ERR_INVALID);
	cr_expect_str_eq(err, "3:1: duplicate key 'a'");
	free(err);
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
			   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
			   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
			   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
			   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
	cr_expect_eq(hf_yaml_parse_all(bomb, strlen(bomb), &docs, &n, &err), HF_ERR_TOO_LARGE);
	free(err);
}

Test(adapter_config, the_examples_load)
{
	const char *files[] = {"adapters/examples/validation.yaml",
			       "adapters/examples/nodepool-configmap.yaml"};
	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "rb");
		cr_assert(f, "%s", files[i]);
		char buf[16384];
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		struct hf_adapter_source s;
		cr_expect_eq(hf_adapter_source_parse(buf, n, &s), HF_OK, "%s", files[i]);
		cr_expect_eq(s.count, 1);
		hf_adapter_source_clear(&s);
	}
}
