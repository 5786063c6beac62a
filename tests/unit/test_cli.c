/* Unit tests of the command table lookup and dispatch (controller/cmd/cli.c). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <string.h>

#include "cmd/cli.h"

static int argc_of(char **argv)
{
	int n = 0;
	while (argv[n])
		n++;
	return n;
}

Test(cli_find, finds_a_top_level_command)
{
	char *argv[] = {"version", NULL};
	int consumed = -1;
	const struct hf_command *cmd = hf_cli_find(hf_commands, 1, argv, &consumed);
	cr_assert_not_null(cmd);
	cr_assert_str_eq(cmd->name, "version");
	cr_assert_eq(consumed, 1);
}

Test(cli_find, descends_into_a_group_and_stops_at_arguments)
{
	char *argv[] = {"adapter", "lint", "a.yaml", "b.yaml", NULL};
	int consumed = -1;
	const struct hf_command *cmd = hf_cli_find(hf_commands, argc_of(argv), argv, &consumed);
	cr_assert_not_null(cmd);
	cr_assert_str_eq(cmd->name, "lint");
	cr_assert_eq(consumed, 2, "the file arguments are not commands");
}

Test(cli_find, returns_the_group_when_the_subcommand_is_unknown)
{
	char *argv[] = {"adapter", "frobnicate", NULL};
	int consumed = -1;
	const struct hf_command *cmd = hf_cli_find(hf_commands, 2, argv, &consumed);
	cr_assert_not_null(cmd);
	cr_assert_str_eq(cmd->name, "adapter");
	cr_assert_eq(consumed, 1);
}

Test(cli_find, returns_null_for_an_unknown_command)
{
	char *argv[] = {"frobnicate", NULL};
	int consumed = -1;
	cr_assert_null(hf_cli_find(hf_commands, 1, argv, &consumed));
	cr_assert_eq(consumed, 0);
}

Test(cli_main, version_flag_prints_every_linked_library, .init = cr_redirect_stdout)
{
	char *argv[] = {"hyperfleet", "--version", NULL};
	cr_assert_eq(hf_cli_main(2, argv), HF_EXIT_OK);
	fflush(stdout);
	char buf[1024] = {0};
	FILE *out = cr_get_redirected_stdout();
	size_t n = fread(buf, 1, sizeof(buf) - 1, out);
	cr_assert_gt(n, 0);
	const char *expected[] = {"hyperfleet ", "libcurl ", "OpenSSL ",
				  "cJSON ",	 "libyaml ", "libwebsockets "};
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		cr_expect_not_null(strstr(buf, expected[i]), "missing '%s' in:\n%s", expected[i],
				   buf);
}

Test(cli_main, no_arguments_is_a_usage_error, .init = cr_redirect_stderr)
{
	char *argv[] = {"hyperfleet", NULL};
	cr_assert_eq(hf_cli_main(1, argv), HF_EXIT_USAGE);
}

Test(cli_main, unknown_command_is_a_usage_error, .init = cr_redirect_stderr)
{
	char *argv[] = {"hyperfleet", "frobnicate", NULL};
	cr_assert_eq(hf_cli_main(2, argv), HF_EXIT_USAGE);
	fflush(stderr);
	cr_assert_stderr_eq_str(
		"hyperfleet: unknown command 'frobnicate'\n\n"
		"Usage: hyperfleet [--help] [--version] <command> [arguments]\n"
		"\n"
		"HyperFleet manages Kubernetes clusters and node pools on cloud providers as a\n"
		"Kubernetes operator: Cluster and NodePool resources, declarative Adapters, and\n"
		"the HyperFleet REST API.\n"
		"\n"
		"Commands:\n"
		"  run          run the controller and the REST API\n"
		"  report       write an adapter report about a Cluster or NodePool\n"
		"  adapter      work with adapter configs (lint, dry-run)\n"
		"  version      print the version of hyperfleet and of the libraries it uses\n"
		"\n"
		"Run 'hyperfleet <command> --help' for a command's options.\n");
}

Test(cli_main, a_group_without_subcommand_is_a_usage_error, .init = cr_redirect_stderr)
{
	char *argv[] = {"hyperfleet", "adapter", "frobnicate", NULL};
	cr_assert_eq(hf_cli_main(3, argv), HF_EXIT_USAGE);
}

Test(cli_main, command_help_succeeds, .init = cr_redirect_stdout)
{
	char *argv[] = {"hyperfleet", "adapter", "lint", "--help", NULL};
	cr_assert_eq(hf_cli_main(4, argv), HF_EXIT_OK);
	fflush(stdout);
	char buf[1024] = {0};
	size_t n = fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stdout());
	cr_assert_gt(n, 0);
	cr_assert(strncmp(buf, "Usage: hyperfleet adapter lint FILE...", 38) == 0, "got:\n%s", buf);
}

Test(cli_main, adapter_lint_of_a_missing_file_fails, .init = cr_redirect_stderr)
{
	char *argv[] = {"hyperfleet", "adapter", "lint", "no-such-file.yaml", NULL};
	cr_assert_eq(hf_cli_main(4, argv), HF_EXIT_FAILURE);
}

Test(cli_main, run_refuses_bad_flags_with_their_name, .init = cr_redirect_stderr)
{
	char *bad_duration[] = {"hyperfleet", "run", "--ready-resync", "soon", NULL};
	cr_assert_eq(hf_cli_main(4, bad_duration), HF_EXIT_USAGE);
	char *bad_bind[] = {"hyperfleet", "run", "--metrics-bind-address", "9090", NULL};
	cr_assert_eq(hf_cli_main(4, bad_bind), HF_EXIT_USAGE);
	char *unknown[] = {"hyperfleet", "run", "--frobnicate", NULL};
	cr_assert_eq(hf_cli_main(3, unknown), HF_EXIT_USAGE);
	char *bad_auth[] = {"hyperfleet", "run", "--auth", "basic", NULL};
	cr_assert_eq(hf_cli_main(4, bad_auth), HF_EXIT_USAGE);
	char *half_tls[] = {"hyperfleet", "run", "--tls-cert-file", "c.pem", NULL};
	cr_assert_eq(hf_cli_main(4, half_tls), HF_EXIT_USAGE);
	char *nothing[] = {"hyperfleet",	 "run", "--controller=false",
			   "--api-bind-address", "0",	NULL};
	cr_assert_eq(hf_cli_main(5, nothing), HF_EXIT_USAGE);
	fflush(stderr);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stderr());
	cr_assert_gt(n, 0);
	cr_assert(strstr(buf,
			 "hyperfleet run: durations are written like 10s, 5m or 1h30m, not 'soon'"),
		  "%s", buf);
	cr_assert(strstr(buf, "--metrics-bind-address must be [host]:port or 0, not '9090'"), "%s",
		  buf);
	cr_assert(strstr(buf, "unknown option '--frobnicate'"), "%s", buf);
	cr_assert(strstr(buf, "--auth must be none or kubernetes, not 'basic'"));
	cr_assert(strstr(buf, "--tls-cert-file and --tls-private-key-file go together"));
	cr_assert(strstr(buf, "--controller=false and --api-bind-address=0 leave nothing to run"));
}

Test(cli_main, report_needs_a_kind_and_a_name, .init = cr_redirect_stderr)
{
	char *argv[] = {"hyperfleet", "report", "cluster", "no-slash", NULL};
	cr_assert_eq(hf_cli_main(4, argv), HF_EXIT_USAGE);
}
