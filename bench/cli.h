/* cli.h -- the command layer: one cmd_<verb>.c per subcommand (git style).
 *
 * Only this layer prints messages and chooses exit codes (sysexits(3), never
 * 77 or 99). Library errors arrive as ob_error and leave as one line
 * "optbench: FILE:LINE:COL: message" or "optbench: FILE: json.path: message".
 */
#ifndef OB_CLI_H
#define OB_CLI_H

#include "bench/ob_error.h"

/* Adding a command: write bench/cmd_<verb>.c with int cmd_<verb>(int, char **),
 * declare it here, add a row to the table in main.c and a help entry in
 * cmd_help.c, and list the file in Makefile.am. */
int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_describe(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_topology(int argc, char **argv);
int cmd_bandwidth(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* The command line as typed, for the results' context block. */
extern const char *ob_cli_command_line;

/* "run, validate, ..." -- the command table's names, for messages. */
void ob_cli_command_names(char *buf, size_t size);
/* Prints "optbench: <error>" to stderr and returns the error's exit code. */
int ob_cli_fail(const ob_error *e);
/* Prints "optbench: <message>" and a hint to stderr; returns EX_USAGE. */
int ob_cli_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the help text of a command (NULL: the overview) to `out`; 0 if known. */
int ob_cli_print_help(const char *command, void *out);
/* Finds the installed default suite; returns 0 and fills buf, or -1. */
int ob_cli_default_suite(char *buf, size_t size);
/* Parses a positive integer option value; -1 when invalid. */
long ob_cli_parse_long(const char *s);

#endif
