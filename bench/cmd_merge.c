/* cmd_merge.c -- `optbench merge`: join results files of one suite into one.
 *
 * The library (bench/merge.h) checks and joins; this layer prints the report:
 * missing cells are a warning (the merged file says how many), conflicting
 * duplicates and mismatched suites or versions are errors (65) naming both
 * files. The output is written atomically and only when the merge succeeded.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "bench/cli.h"
#include "bench/merge.h"
#include "bench/ob_fs.h"
#include "bench/results.h"

#define MISSING_SHOWN 5

static const struct option long_opts[] = {
  { "output", required_argument, NULL, 'o' },
  { "quiet", no_argument, NULL, 'q' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 }
};

int cmd_merge(int argc, char **argv)
{
  const char *out_path = NULL;
  int quiet = 0, c;
  ob_error err;
  ob_error_clear(&err);
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:qh", long_opts, NULL)) != -1) {
    switch (c) {
    case 'o': out_path = optarg; break;
    case 'q': quiet = 1; break;
    case 'h': ob_cli_print_help("merge", stdout); return EX_OK;
    case ':': return ob_cli_usage("merge", "option '%s' needs a value", argv[optind - 1]);
    default: return ob_cli_usage("merge", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (!out_path) return ob_cli_usage("merge", "merge needs an output file: -o ALL.json");
  if (argc - optind < 1) return ob_cli_usage("merge", "merge needs at least one results file");
  for (int i = optind; i < argc; i++)
    if (strcmp(argv[i], out_path) == 0)
      return ob_cli_usage("merge", "the output '%s' is also an input; write the merge to a new file", out_path);
  if (ob_fs_check_writable(out_path, 0, &err) < 0) return ob_cli_fail(&err);

  json_t *doc;
  ob_merge_report rep;
  if (ob_merge_files((const char *const *)argv + optind, (size_t)(argc - optind), ob_cli_command_line, &doc, &rep,
                     &err) < 0)
    return ob_cli_fail(&err);
  int exit_code = EX_OK;
  size_t nmiss = json_array_size(rep.missing);
  if (nmiss) {
    fprintf(stderr, "optbench: warning: %zu of %zu cells are in none of the inputs:", nmiss, rep.ncells);
    for (size_t i = 0; i < nmiss && i < MISSING_SHOWN; i++)
      fprintf(stderr, "%s %s", i ? "," : "", json_string_value(json_array_get(rep.missing, i)));
    fprintf(stderr, "%s\n", nmiss > MISSING_SHOWN ? ", ..." : "");
  }
  if (ob_results_write(out_path, doc, &err) < 0) {
    exit_code = ob_cli_fail(&err);
  } else if (!quiet) {
    printf("%zu runs of %zu cells from %d files", rep.nruns, rep.ncells, argc - optind);
    if (rep.nduplicates) printf(" (%zu identical duplicates dropped)", rep.nduplicates);
    printf("\nresults: %s\n", out_path);
  }
  ob_merge_report_free(&rep);
  json_decref(doc);
  return exit_code;
}
