#include "cmd/cli.h"

#include <stdbool.h>
#include <string.h>

#include "cmd/commands.h"
#include "util/version.h"

static const char program_usage[] =
	"Usage: hyperfleet [--help] [--version] <command> [arguments]\n"
	"\n"
	"HyperFleet manages Kubernetes clusters and node pools on cloud providers as a\n"
	"Kubernetes operator: Cluster and NodePool resources, declarative Adapters, and\n"
	"the HyperFleet REST API.\n"
	"\n"
	"Commands:\n";

static const char program_epilog[] = "\n"
				     "Run 'hyperfleet <command> --help' for a command's options.\n";

static bool is_help_flag(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

const struct hf_command *hf_cli_find(const struct hf_command *table, int argc, char **argv,
				     int *consumed)
{
	const struct hf_command *found = NULL;
	*consumed = 0;
	while (table && *consumed < argc) {
		const struct hf_command *match = NULL;
		for (const struct hf_command *c = table; c->name; c++) {
			if (strcmp(c->name, argv[*consumed]) == 0) {
				match = c;
				break;
			}
		}
		if (!match)
			break;
		found = match;
		(*consumed)++;
		table = match->children;
	}
	return found;
}

void hf_cli_print_list(FILE *out, const struct hf_command *table)
{
	for (const struct hf_command *c = table; c->name; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
}

static void print_program_usage(FILE *out)
{
	fputs(program_usage, out);
	hf_cli_print_list(out, hf_commands);
	fputs(program_epilog, out);
}

static void print_command_usage(FILE *out, const struct hf_command *cmd)
{
	fputs(cmd->usage, out);
	if (cmd->children) {
		fputs("\nCommands:\n", out);
		hf_cli_print_list(out, cmd->children);
	}
}

static void print_version(FILE *out)
{
	char libs[512];
	fprintf(out, "hyperfleet %s\n%s", HF_VERSION, hf_version_libraries(libs, sizeof(libs)));
}

int hf_cli_main(int argc, char **argv)
{
	/* argv[0] is the program name; global options come before the command. */
	if (argc < 2) {
		print_program_usage(stderr);
		return HF_EXIT_USAGE;
	}
	if (is_help_flag(argv[1])) {
		print_program_usage(stdout);
		return HF_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		print_version(stdout);
		return HF_EXIT_OK;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "hyperfleet: unknown option '%s'\n\n", argv[1]);
		print_program_usage(stderr);
		return HF_EXIT_USAGE;
	}

	int consumed = 0;
	const struct hf_command *cmd = hf_cli_find(hf_commands, argc - 1, argv + 1, &consumed);
	if (!cmd) {
		fprintf(stderr, "hyperfleet: unknown command '%s'\n\n", argv[1]);
		print_program_usage(stderr);
		return HF_EXIT_USAGE;
	}
	/* The command's own argv starts at its name. */
	int cmd_argc = argc - consumed;
	char **cmd_argv = argv + consumed;
	bool wants_help = cmd_argc > 1 && is_help_flag(cmd_argv[1]);
	if (wants_help) {
		print_command_usage(stdout, cmd);
		return HF_EXIT_OK;
	}
	if (!cmd->run) {
		if (cmd_argc > 1)
			fprintf(stderr, "hyperfleet %s: unknown command '%s'\n\n", cmd->name,
				cmd_argv[1]);
		print_command_usage(stderr, cmd);
		return HF_EXIT_USAGE;
	}
	return cmd->run(cmd_argc, cmd_argv);
}

/* version: the same as --version, as a command. */
static int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fputs("hyperfleet version: takes no arguments\n", stderr);
		return HF_EXIT_USAGE;
	}
	print_version(stdout);
	return HF_EXIT_OK;
}

static const struct hf_command adapter_commands[] = {
	{
		.name = "lint",
		.summary = "check adapter configs and report errors with line and column",
		.usage = hf_cmd_adapter_lint_usage,
		.run = hf_cmd_adapter_lint,
	},
	{
		.name = "dry-run",
		.summary =
			"run an adapter against a resource without a cluster and print every step",
		.usage = hf_cmd_adapter_dry_run_usage,
		.run = hf_cmd_adapter_dry_run,
	},
	{0},
};

const struct hf_command hf_commands[] = {
	{
		.name = "run",
		.summary = "run the controller and the REST API",
		.usage = hf_cmd_run_usage,
		.run = hf_cmd_run,
	},
	{
		.name = "report",
		.summary = "write an adapter report about a Cluster or NodePool",
		.usage = hf_cmd_report_usage,
		.run = hf_cmd_report,
	},
	{
		.name = "adapter",
		.summary = "work with adapter configs (lint, dry-run)",
		.usage = "Usage: hyperfleet adapter <command> [arguments]\n",
		.children = adapter_commands,
	},
	{
		.name = "version",
		.summary = "print the version of hyperfleet and of the libraries it uses",
		.usage = "Usage: hyperfleet version\n",
		.run = cmd_version,
	},
	{0},
};
