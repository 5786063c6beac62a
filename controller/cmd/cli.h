/*
 * cli.h: the hyperfleet command line: a table of (possibly nested)
 * subcommands, lookup, and help text. Pure functions over argv, so tests can
 * drive them; output goes to the FILE the caller passes.
 */
#ifndef HF_CLI_H
#define HF_CLI_H

#include <stdio.h>

struct hf_command {
	const char *name;    /* word on the command line, e.g. "lint" */
	const char *summary; /* one line for the command list */
	const char *usage;   /* full help text, printed by --help */
	/* Runs the command with argv[0] = the command's own name; returns the
	 * process exit code. NULL for a group such as "adapter". */
	int (*run)(int argc, char **argv);
	const struct hf_command *children; /* terminated by a zeroed entry */
};

/* The top-level commands, terminated by a zeroed entry. */
extern const struct hf_command hf_commands[];

/*
 * hf_cli_find walks argv (without the program name) down the command tree
 * and returns the deepest command named there, setting *consumed to the
 * number of words that named it. Returns NULL when argv[0] names no command.
 */
const struct hf_command *hf_cli_find(const struct hf_command *table, int argc, char **argv,
				     int *consumed);

/* hf_cli_print_list prints one line per command of table, indented. */
void hf_cli_print_list(FILE *out, const struct hf_command *table);

/* hf_cli_main is the program: global options, lookup, dispatch, help. */
int hf_cli_main(int argc, char **argv);

/* Exit codes, after sysexits.h. */
#define HF_EXIT_OK	    0
#define HF_EXIT_FAILURE	    1
#define HF_EXIT_USAGE	    64
#define HF_EXIT_UNAVAILABLE 69

#endif
