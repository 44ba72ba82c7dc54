/* cmd_validate.c -- `optbench validate SUITE.json`: check a suite, run nothing. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "bench/cli.h"
#include "bench/suite.h"

int cmd_validate(int argc, char **argv)
{
  static const struct option opts[] = {
    { "cells", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
  };
  long show = 10;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'c':
      show = ob_cli_parse_long(optarg);
      if (show < 0) return ob_cli_usage("validate", "--cells '%s': expected a non-negative integer", optarg);
      break;
    case 'h': ob_cli_print_help("validate", stdout); return EX_OK;
    case ':': return ob_cli_usage("validate", "option '%s' needs a value", argv[optind - 1]);
    default: return ob_cli_usage("validate", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (argc - optind != 1) return ob_cli_usage("validate", "validate takes exactly one suite file");
  ob_error err;
  ob_error_clear(&err);
  ob_suite *s;
  if (ob_suite_load(argv[optind], &s, &err) < 0) return ob_cli_fail(&err);
  printf("%s: suite '%s': %zu cells = %zu problems x %zu optimizers x %zu placements x %zu thread counts x %zu seeds\n",
         argv[optind], s->name, s->ncells, s->nproblems, s->noptimizers, s->nplacements, s->nthreads, s->nseeds);
  size_t n = show == 0 || (size_t)show > s->ncells ? s->ncells : (size_t)show;
  for (size_t i = 0; i < n; i++) printf("  %s\n", s->cells[i].id);
  if (n < s->ncells) printf("  ... and %zu more (--cells 0 lists all)\n", s->ncells - n);
  ob_suite_free(s);
  return EX_OK;
}
