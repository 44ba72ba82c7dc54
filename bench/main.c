/* main.c -- optbench's entry point: global options and command dispatch.
 *
 * The command table follows git's cmd_struct: a linear strcmp scan, one row per
 * command. GSL's abort-on-error handler is switched off once here, so library
 * code sees GSL's return codes instead of a crash.
 */
#include "config.h"

#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "bench/cli.h"
#include "bench/ob_params.h"

const char *ob_cli_command_line = "";

static const struct {
  const char *name;
  int (*fn)(int, char **);
} commands[] = {
  { "run", cmd_run },
  { "validate", cmd_validate },
  { "list", cmd_list },
  { "describe", cmd_describe },
  { "merge", cmd_merge },
  { "topology", cmd_topology },
  { "bandwidth", cmd_bandwidth },
  { "compare", cmd_compare },
  { "report", cmd_report },
  { "help", cmd_help },
};

void ob_cli_command_names(char *buf, size_t size)
{
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof commands / sizeof commands[0] && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", commands[i].name);
}

int ob_cli_fail(const ob_error *e)
{
  char msg[2048];
  ob_error_format(e, msg, sizeof msg);
  fprintf(stderr, "optbench: %s\n", msg);
  return ob_status_exit_code(e->code);
}

int ob_cli_usage(const char *command, const char *fmt, ...)
{
  va_list ap;
  fputs("optbench: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  if (command) fprintf(stderr, "\nTry 'optbench help %s'.\n", command);
  else fputs("\nTry 'optbench --help'.\n", stderr);
  return EX_USAGE;
}

long ob_cli_parse_long(const char *s)
{
  char *end;
  long v = strtol(s, &end, 10);
  if (end == s || *end || v < 0) return -1;
  return v;
}

static void save_command_line(int argc, char **argv)
{
  static char buf[4096];
  size_t used = 0;
  for (int i = 0; i < argc && used < sizeof buf; i++)
    used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i ? " " : "", argv[i]);
  ob_cli_command_line = buf;
}

int main(int argc, char **argv)
{
  gsl_set_error_handler_off();
  save_command_line(argc, argv);
  if (argc < 2) {
    ob_cli_print_help(NULL, stderr);
    return EX_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    ob_cli_print_help(NULL, stdout);
    return EX_OK;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
    printf("optbench %s (git %s)\n", PACKAGE_VERSION, OB_GIT);
    return EX_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(cmd, commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
  const char *names[sizeof commands / sizeof commands[0] + 1];
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) names[i] = commands[i].name;
  names[sizeof commands / sizeof commands[0]] = NULL;
  const char *hint = ob_did_you_mean(cmd, names);
  if (hint) return ob_cli_usage(NULL, "unknown command '%s' (did you mean '%s'?)", cmd, hint);
  char list[256];
  ob_cli_command_names(list, sizeof list);
  return ob_cli_usage(NULL, "unknown command '%s' (commands: %s)", cmd, list);
}

int ob_cli_default_suite(char *buf, size_t size)
{
  const char *env = getenv("OPTBENCH_DATADIR");
  const char *dirs[] = { env, OB_PKGDATADIR, OB_SRCDIR };
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    if (!dirs[i] || !dirs[i][0]) continue;
    snprintf(buf, size, "%s/suites/default.json", dirs[i]);
    FILE *f = fopen(buf, "r");
    if (f) {
      fclose(f);
      return 0;
    }
  }
  return -1;
}
