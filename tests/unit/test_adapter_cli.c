/* Unit tests of `hyperfleet adapter lint` and `dry-run` (controller/cmd/adapter.c),
 * run through hf_cli_main on the files of tests/unit/data/adapter/. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"

#define D "tests/unit/data/adapter/"

static char out[262144];

static const char *captured(FILE *f)
{
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	return out;
}

static void redirect(void)
{
	cr_redirect_stdout();
	cr_redirect_stderr();
}

Test(adapter_lint, valid_files_are_ok, .init = redirect)
{
	char *argv[] = {"hyperfleet",
			"adapter",
			"lint",
			D "ok-multi.yaml",
			"adapters/examples/validation.yaml",
			NULL};
	cr_assert_eq(hf_cli_main(5, argv), HF_EXIT_OK);
	fflush(stdout);
	cr_expect_str_eq(captured(cr_get_redirected_stdout()),
			 D "ok-multi.yaml: ok\nadapters/examples/validation.yaml: ok\n");
}

Test(adapter_lint, errors_name_file_line_path_and_position, .init = redirect)
{
	char *argv[] = {"hyperfleet", "adapter", "lint", D "bad.yaml", D "bad-second.json", NULL};
	cr_assert_eq(hf_cli_main(5, argv), HF_EXIT_FAILURE);
	fflush(stdout);
	cr_expect_str_eq(
		captured(cr_get_redirected_stdout()),
		D "bad.yaml:9: spec.colour: unknown field\n" D
		  "bad.yaml:7: spec.timeout: 'soon' is not a positive duration (write it like 90s, "
		  "10m or 1h30m)\n" D
		  "bad.yaml:8: spec.dependsOn[0]: an adapter cannot depend on itself\n" D
		  "bad.yaml:17: spec.preconditions[1].expression: 1:24: undeclared reference to "
		  "'clustr'\n" D
		  "bad.yaml:19: spec.preconditions[2].expression: 1:23: syntax error: unexpected "
		  "end of input\n" D
		  "bad.yaml:20: spec.preconditions[3].expression: required field missing\n" D
		  "bad.yaml:28: spec.resources[0].manifest.metadata.labels.x: 1:17: syntax error: "
		  "unexpected end of input\n" D
		  "bad-second.json:5: spec.params[0].expression: 1:1: undeclared reference to "
		  "'nodepool'\n");
}

Test(adapter_lint, yaml_syntax_error, .init = redirect)
{
	char *argv[] = {"hyperfleet", "adapter", "lint", D "syntax.yaml", NULL};
	cr_assert_eq(hf_cli_main(4, argv), HF_EXIT_FAILURE);
	fflush(stdout);
	cr_expect(strstr(captured(cr_get_redirected_stdout()),
			 D "syntax.yaml:6: 6:1: YAML syntax error: did not find expected ',' or "
			   "']'"),
		  "%s", out);
}

Test(adapter_lint, no_files_is_a_usage_error, .init = redirect)
{
	char *argv[] = {"hyperfleet", "adapter", "lint", NULL};
	cr_assert_eq(hf_cli_main(3, argv), HF_EXIT_USAGE);
}

Test(adapter_dry_run, prints_steps_objects_and_report, .init = redirect)
{
	char *argv[] = {"hyperfleet",
			"adapter",
			"dry-run",
			"--adapter",
			"adapters/examples/validation.yaml",
			"--resource",
			D "cluster.yaml",
			"--observed",
			D "job-running.yaml",
			"--now",
			"2026-11-22T04:05:00Z",
			NULL};
	cr_assert_eq(hf_cli_main(11, argv), HF_EXIT_OK);
	fflush(stdout);
	const char *s = captured(cr_get_redirected_stdout());
	cr_expect(strstr(s, "adapter validation (Cluster, required) on Cluster prod-east, "
			    "generation 3\n"),
		  "%s", s);
	cr_expect(strstr(s, "    param        projectId: = \"team-a-prod\"\n"), "%s", s);
	cr_expect(strstr(s, "    precondition gcpProvider: met\n"), "%s", s);
	cr_expect(strstr(s, "object job: recreate validation-job-3f2a9c71-g3\n"), "%s", s);
	cr_expect(strstr(s, "\"reason\":\t\"JobRunning\""), "%s", s);
	cr_expect(strstr(s, "\"startedTime\":\t\"2026-11-22T04:00:00Z\""), "%s", s);
}

Test(adapter_dry_run, an_unmet_precondition_still_exits_0_as_json, .init = redirect)
{
	char *argv[] = {"hyperfleet",
			"adapter",
			"dry-run",
			"--adapter",
			"adapters/examples/nodepool-configmap.yaml",
			"--resource",
			D "nodepool.yaml",
			"--cluster",
			D "cluster.yaml",
			"--output",
			"json",
			"--now",
			"2026-11-22T04:05:00Z",
			NULL};
	cr_assert_eq(hf_cli_main(13, argv), HF_EXIT_OK);
	fflush(stdout);
	const char *s = captured(cr_get_redirected_stdout());
	cr_expect(strstr(s, "\"unmetPrecondition\":\t\"dependsOn.nodepool-validation\""), "%s", s);
	cr_expect(strstr(s, "\"reason\":\t\"PreconditionsNotMet\""), "%s", s);
}

Test(adapter_dry_run, bad_inputs_fail, .init = redirect)
{
	char *missing[] = {"hyperfleet", "adapter",    "dry-run",	 "--adapter",
			   D "bad.yaml", "--resource", D "cluster.yaml", NULL};
	cr_assert_eq(hf_cli_main(7, missing), HF_EXIT_FAILURE);
	char *no_resource[] = {"hyperfleet",
			       "adapter",
			       "dry-run",
			       "--adapter",
			       "adapters/examples/validation.yaml",
			       NULL};
	cr_assert_eq(hf_cli_main(5, no_resource), HF_EXIT_USAGE);
	char *bad_now[] = {"hyperfleet",
			   "adapter",
			   "dry-run",
			   "--adapter",
			   "adapters/examples/validation.yaml",
			   "--resource",
			   D "cluster.yaml",
			   "--now",
			   "yesterday",
			   NULL};
	cr_assert_eq(hf_cli_main(9, bad_now), HF_EXIT_USAGE);
	fflush(stderr);
	const char *s = captured(cr_get_redirected_stderr());
	cr_expect(strstr(s, "bad.yaml:9: spec.colour: unknown field"), "%s", s);
	cr_expect(strstr(s, "--now must be an RFC 3339 time, not 'yesterday'"), "%s", s);
}
