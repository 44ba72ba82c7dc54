/* cmd_compare.c -- `optbench compare BASELINE.json CURRENT.json`: the CI gate.
 *
 * The library (reports/compare.h) pairs runs and judges every check; this
 * layer parses the thresholds, prints the Markdown table (or the JSON
 * document with --json) to stdout and chooses the exit code: 0 when no check
 * of a kind named by --fail-on regressed, 1 when one did, 64 usage, 65
 * malformed or incompatible input, 66 a missing file.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "bench/cli.h"
#include "bench/ob_json.h"
#include "reports/compare.h"

static const struct option long_opts[] = {
  { "json", no_argument, NULL, 'j' },
  { "all", no_argument, NULL, 'a' },
  { "threshold", required_argument, NULL, 'T' },
  { "alpha", required_argument, NULL, 'A' },
  { "gap-tol", required_argument, NULL, 'G' },
  { "steps-tol", required_argument, NULL, 'S' },
  { "success-tol", required_argument, NULL, 'R' },
  { "fail-on", required_argument, NULL, 'F' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 }
};

/* A number in [lo, hi] (hi_open: strictly below hi), with an optional "%"
 * suffix meaning /100. Returns 0 and fills *out, or -1. */
static int parse_frac(const char *s, double lo, double hi, int lo_open, double *out)
{
  char *end;
  double v = strtod(s, &end);
  if (end == s) return -1;
  if (*end == '%') {
    v /= 100;
    end++;
  }
  if (*end || !isfinite(v) || v < lo || v > hi || (lo_open && v == lo)) return -1;
  *out = v;
  return 0;
}

int cmd_compare(int argc, char **argv)
{
  ob_compare_opts o;
  ob_compare_opts_default(&o);
  int as_json = 0, all = 0, c;
  ob_error err;
  ob_error_clear(&err);
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
    switch (c) {
    case 'j': as_json = 1; break;
    case 'a': all = 1; break;
    case 'T':
      if (parse_frac(optarg, 0, 1e6, 1, &o.threshold) < 0)
        return ob_cli_usage("compare", "--threshold '%s': expected a relative change > 0 (0.10 or 10%%)", optarg);
      break;
    case 'A':
      if (parse_frac(optarg, 0, 1, 1, &o.alpha) < 0)
        return ob_cli_usage("compare", "--alpha '%s': expected a significance level in (0, 1]", optarg);
      break;
    case 'G':
      if (parse_frac(optarg, 0, 1e6, 0, &o.gap_tol) < 0)
        return ob_cli_usage("compare", "--gap-tol '%s': expected a relative tolerance >= 0", optarg);
      break;
    case 'S':
      if (parse_frac(optarg, 0, 1e6, 0, &o.steps_tol) < 0)
        return ob_cli_usage("compare", "--steps-tol '%s': expected a relative tolerance >= 0", optarg);
      break;
    case 'R':
      if (parse_frac(optarg, 0, 1, 0, &o.success_tol) < 0)
        return ob_cli_usage("compare", "--success-tol '%s': expected a rate drop in [0, 1]", optarg);
      break;
    case 'F':
      if (ob_compare_parse_fail_on(optarg, &o.fail_on, &err) < 0) return ob_cli_usage("compare", "%s", err.text);
      break;
    case 'h': ob_cli_print_help("compare", stdout); return EX_OK;
    case ':': return ob_cli_usage("compare", "option '%s' needs a value", argv[optind - 1]);
    default: return ob_cli_usage("compare", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (argc - optind != 2)
    return ob_cli_usage("compare", "compare needs two results files: BASELINE.json CURRENT.json (got %d)",
                        argc - optind);

  json_t *cmp;
  if (ob_compare_files(argv[optind], argv[optind + 1], &o, &cmp, &err) < 0) return ob_cli_fail(&err);
  int rc;
  if (as_json) {
    rc = json_dumpf(cmp, stdout, OB_JSON_DUMP_FLAGS);
    if (rc == 0) rc = fputc('\n', stdout) == EOF ? -1 : 0;
  } else {
    rc = ob_compare_write_md(stdout, cmp, all);
  }
  size_t failing = ob_compare_failing(cmp);
  json_decref(cmp);
  if (rc < 0 || fflush(stdout) != 0) {
    fprintf(stderr, "optbench: compare: cannot write the comparison to stdout\n");
    return EX_IOERR;
  }
  return failing ? 1 : EX_OK;
}
