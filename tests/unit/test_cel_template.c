/*
 * Unit tests of CEL templates (controller/cel/template.c): "${expr}" in the
 * strings of a JSON tree, types kept for whole-string expressions, text
 * interpolation, the "$${" escape, errors with their JSON path and
 * position, and declared variables.
 */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "util/alloc.h"

static const char VARS[] =
	"{\"cluster\": {\"metadata\": {\"name\": \"c1\", \"generation\": 3, \"labels\": {\"env\": "
	"\"prod\"}}, \"spec\": {\"region\": \"us-east1\", \"nodes\": 3, \"tags\": [\"a\", \"b\"]}},"
	" \"ratio\": 0.5, \"nul\": null}";

/* 2026-01-01T00:00:00Z */
static const struct timespec NOW = {1767225600, 0};

struct row {
	const char *tree; /* JSON */
	const char *want; /* compact JSON, or "compile: ..." / "render: ..." */
};

static char *render(const char *tree_json, const char *const *names, size_t count)
{
	cJSON *tree = cJSON_Parse(tree_json);
	cr_assert_not_null(tree, "bad test JSON: %s", tree_json);
	cJSON *vars = cJSON_Parse(VARS);
	struct hf_cel_activation a = {.object = vars, .now = &NOW};
	struct hf_cel_template *t = NULL;
	cJSON *out = NULL;
	char *err = NULL, *result;
	if (hf_cel_template_compile(tree, names, count, &t, &err) != HF_OK)
		result = hf_asprintf("compile: %s", err);
	else if (hf_cel_template_render(t, &a, &out, &err) != HF_OK)
		result = hf_asprintf("render: %s", err);
	else
		result = cJSON_PrintUnformatted(out);
	free(err);
	cJSON_Delete(out);
	hf_cel_template_free(t);
	cJSON_Delete(tree);
	cJSON_Delete(vars);
	return result;
}

static void check_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = render(rows[i].tree, NULL, 0);
		cr_expect_str_eq(got, rows[i].want, "%s\n  got:  %s\n  want: %s", rows[i].tree, got,
				 rows[i].want);
		free(got);
	}
}

#define CHECK_ROWS(rows) check_rows(rows, sizeof(rows) / sizeof(rows[0]))

Test(cel_template, whole_string_expressions_keep_their_type)
{
	static const struct row rows[] = {
		{"\"${cluster.metadata.generation}\"", "3"},
		{"\"${cluster.metadata.generation + 1}\"", "4"},
		{"\"${ratio}\"", "0.5"},
		{"\"${cluster.spec.tags}\"", "[\"a\",\"b\"]"},
		{"\"${cluster.metadata.labels}\"", "{\"env\":\"prod\"}"},
		{"\"${true}\"", "true"},
		{"\"${null}\"", "null"},
		{"\"${nul}\"", "null"},
		{"\"${'x'}\"", "\"x\""},
		{"\"${ cluster.metadata.name }\"", "\"c1\""},
		{"\"${now()}\"", "\"2026-01-01T00:00:00Z\""},
		{"\"${duration('90m')}\"", "\"5400s\""},
		{"\"${[1, 2].map(x, x * 2)}\"", "[2,4]"},
		{"\"${{'a': 1}}\"", "{\"a\":1}"},
		{"{\"replicas\": \"${cluster.spec.nodes}\"}", "{\"replicas\":3}"},
		{"[\"${1}\", \"${'1'}\"]", "[1,\"1\"]"},
	};
	CHECK_ROWS(rows);
}

Test(cel_template, interpolation_writes_text)
{
	static const struct row rows[] = {
		{"\"job-${cluster.metadata.name}-${cluster.metadata.generation}\"", "\"job-c1-3\""},
		{"\"${1}${2}\"", "\"12\""},
		{"\" ${1}\"", "\" 1\""},
		{"\"${1} \"", "\"1 \""},
		{"\"${cluster.spec.tags} x\"", "\"[\\\"a\\\",\\\"b\\\"] x\""},
		{"\"${null}!\"", "\"null!\""},
		{"\"r=${ratio}\"", "\"r=0.5\""},
		{"\"${true}-${false}\"", "\"true-false\""},
		{"\"at ${now()}\"", "\"at 2026-01-01T00:00:00Z\""},
		{"\"after ${duration('1h')}\"", "\"after 3600s\""},
		{"\"${2u} ${-3} ${1e6}\"", "\"2 -3 1e+06\""},
		{"\"${b'hi'}!\"", "\"hi!\""},
		{"\"${{'k': 'v'}}.\"", "\"{\\\"k\\\":\\\"v\\\"}.\""},
		{"\"${optional.none()}|${optional.of(1)}\"", "\"null|1\""},
		{"\"${type(1)}:\"", "\"int:\""},
	};
	CHECK_ROWS(rows);
}

Test(cel_template, escapes_braces_and_plain_values)
{
	static const struct row rows[] = {
		{"\"$${x}\"", "\"${x}\""},
		{"\"cost: $5\"", "\"cost: $5\""},
		{"\"$\"", "\"$\""},
		{"\"$$\"", "\"$$\""},
		{"\"a$${b}${'c'}\"", "\"a${b}c\""},
		{"\"{not an expression}\"", "\"{not an expression}\""},
		{"\"${ {'a': 1}.a }\"", "1"},
		{"\"${'}'}\"", "\"}\""},
		{"\"${'a' + \\\"}\\\"}\"", "\"a}\""},
		{"\"${ {'a': {'b': 2}}.a.b } }\"", "\"2 }\""},
		{"\"\"", "\"\""},
		{"\"plain\"", "\"plain\""},
		{"42", "42"},
		{"null", "null"},
		{"[true, 1.5, {}]", "[true,1.5,{}]"},
		{"{\"a\": {\"b\": \"$${x}\"}}", "{\"a\":{\"b\":\"${x}\"}}"},
		{"{\"${x}\": 1}", "{\"${x}\":1}"},
	};
	CHECK_ROWS(rows);
}

Test(cel_template, a_resource_manifest)
{
	static const struct row rows[] = {
		{"{\"apiVersion\": \"batch/v1\", \"kind\": \"Job\","
		 " \"metadata\": {\"name\": \"validate-${cluster.metadata.name}-${cluster.metadata."
		 "generation}\", \"labels\": {\"hyperfleet.io/generation\": "
		 "\"${string(cluster.metadata.generation)}\", \"static\": \"yes\"}},"
		 " \"spec\": {\"backoffLimit\": 0, \"parallelism\": \"${cluster.spec.nodes}\","
		 " \"template\": {\"spec\": {\"containers\": [{\"name\": \"v\", \"image\": \"img:1\","
		 " \"args\": [\"--region=${cluster.spec.region}\", \"--tags\", \"${cluster.spec.tags."
		 "join(',')}\"]}]}}}}",
		 "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"validate-c1-3\","
		 "\"labels\":{\"hyperfleet.io/generation\":\"3\",\"static\":\"yes\"}},\"spec\":{"
		 "\"backoffLimit\":0,\"parallelism\":3,\"template\":{\"spec\":{\"containers\":[{"
		 "\"name\":\"v\",\"image\":\"img:1\",\"args\":[\"--region=us-east1\",\"--tags\","
		 "\"a,b\"]}]}}}}"},
	};
	CHECK_ROWS(rows);
}

Test(cel_template, errors_name_the_path_and_position)
{
	static const struct row rows[] = {
		{"{\"spec\": {\"x\": \"${1 +}\"}}",
		 "compile: spec.x: 1:4: syntax error: unexpected end "
		 "of input"},
		{"{\"a\": [\"ok\", \"${foo(1)}\"]}", "compile: a[1]: 1:1: undeclared reference to "
						     "'foo'"},
		{"\"${'abc}\"", "compile: (root): unterminated ${ at offset 0"},
		{"\"abc ${\"", "compile: (root): unterminated ${ at offset 4"},
		{"\"${}\"", "compile: (root): 1:1: syntax error: unexpected end of input"},
		{"{\"m\": {\"n\": \"x ${\\n  1 + )}\"}}",
		 "compile: m.n: 2:7: syntax error: unexpected "
		 "')'"},
		{"[[\"${'x'.matches('[')}\"]]", "compile: [0][0]: 1:13: invalid regex: missing "
						"closing ]"},
		{"{\"spec\": {\"r\": \"${cluster.spec.missing}\"}}",
		 "render: spec.r: 1:13: no such "
		 "key: missing"},
		{"{\"l\": [1, \"n-${1 / 0}\"]}", "render: l[1]: 1:3: division by zero"},
		{"\"${1.0 / 0.0}\"", "render: (root): 1:5: NaN and infinities have no JSON form"},
		{"\"x${'\\\\x00'}\"", "render: (root): a string with a NUL byte has no JSON form"},
		{"\"${clustr}\"", "render: (root): 1:1: undeclared reference to 'clustr'"},
	};
	CHECK_ROWS(rows);
}

Test(cel_template, declared_names_are_checked_at_compile_time)
{
	static const char *const names[] = {"cluster", "ratio"};
	char *got =
		render("{\"a\": \"${cluster.metadata.name}\", \"b\": [\"${clustr.x}\"]}", names, 2);
	cr_expect_str_eq(got, "compile: b[0]: 1:1: undeclared reference to 'clustr'");
	free(got);
	got = render("{\"a\": \"${[1].map(x, double(x) * ratio)}\"}", names, 2);
	cr_expect_str_eq(got, "{\"a\":[0.5]}");
	free(got);
}

Test(cel_template, renders_many_times_from_one_compile)
{
	cJSON *tree = cJSON_Parse("{\"name\": \"n-${i}\", \"i\": \"${i}\", \"k\": [\"fixed\"]}");
	struct hf_cel_template *t;
	char *err = NULL;
	cr_assert_eq(hf_cel_template_compile(tree, NULL, 0, &t, &err), HF_OK, "%s", err);
	cJSON_Delete(tree); /* the template keeps its own copy */
	for (int i = 0; i < 5; i++) {
		cJSON *i_value = cJSON_CreateNumber(i);
		struct hf_cel_var vars[] = {{"i", i_value}};
		struct hf_cel_activation a = {.vars = vars, .count = 1};
		cJSON *out = NULL;
		cr_assert_eq(hf_cel_template_render(t, &a, &out, &err), HF_OK, "%s", err);
		char want[80];
		snprintf(want, sizeof(want), "{\"name\":\"n-%d\",\"i\":%d,\"k\":[\"fixed\"]}", i,
			 i);
		char *s = cJSON_PrintUnformatted(out);
		cr_expect_str_eq(s, want);
		free(s);
		cJSON_Delete(out);
		cJSON_Delete(i_value);
	}
	/* Without the variable the render fails and leaves no tree. */
	cJSON *out = (cJSON *)&err;
	cr_expect_eq(hf_cel_template_render(t, NULL, &out, &err), HF_ERR_INVALID);
	cr_expect_null(out);
	cr_expect_str_eq(err, "name: 1:1: undeclared reference to 'i'");
	free(err);
	hf_cel_template_free(t);
	hf_cel_template_free(NULL);
}

Test(cel_template, error_argument_is_optional)
{
	cJSON *tree = cJSON_Parse("\"${1 +}\"");
	struct hf_cel_template *t = NULL;
	cr_expect_eq(hf_cel_template_compile(tree, NULL, 0, &t, NULL), HF_ERR_INVALID);
	cr_expect_null(t);
	cJSON_Delete(tree);
	tree = cJSON_Parse("\"${x}\"");
	cr_assert_eq(hf_cel_template_compile(tree, NULL, 0, &t, NULL), HF_OK);
	cJSON *out = NULL;
	cr_expect_eq(hf_cel_template_render(t, NULL, &out, NULL), HF_ERR_INVALID);
	cr_expect_null(out);
	hf_cel_template_free(t);
	cJSON_Delete(tree);
}
