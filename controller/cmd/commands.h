/*
 * commands.h: the implementations of hyperfleet's subcommands; cli.c holds
 * the table that names them. Each takes argv starting at its own name and
 * returns the process exit code.
 */
#ifndef HF_COMMANDS_H
#define HF_COMMANDS_H

int hf_cmd_run(int argc, char **argv);
extern const char hf_cmd_run_usage[];

int hf_cmd_report(int argc, char **argv);
extern const char hf_cmd_report_usage[];

int hf_cmd_adapter_lint(int argc, char **argv);
extern const char hf_cmd_adapter_lint_usage[];

int hf_cmd_adapter_dry_run(int argc, char **argv);
extern const char hf_cmd_adapter_dry_run_usage[];

#endif
