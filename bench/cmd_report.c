/* cmd_report.c -- `optbench report`: tables, statistics and plots from results files.
 *
 * The library does the work: reports/report.h joins the files, aggregate.h
 * computes tables, profiles and ECDFs, render_*.c lay them out and plot.h
 * draws the figures. This layer parses options, writes the report to stdout
 * or atomically to -o OUT, and turns errors into one message and a sysexits
 * code: 64 usage, 65 a malformed or conflicting input, 66 a missing input,
 * 73 an output that cannot be created. Nothing is written when an input fails.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "bench/cli.h"
#include "bench/ob_fs.h"
#include "bench/ob_json.h"
#include "reports/aggregate.h"
#include "reports/plot.h"
#include "reports/render.h"
#include "reports/report.h"

typedef enum { FMT_MD, FMT_LATEX, FMT_CSV, FMT_HTML } report_format;

typedef struct emit_ctx {
  report_format fmt;
  int standalone;
  const ob_report *r;
  const ob_agg *a;
  ob_error *err;
} emit_ctx;

static int emit(FILE *f, void *vctx)
{
  emit_ctx *c = vctx;
  switch (c->fmt) {
  case FMT_MD: return ob_render_md(f, c->r, c->a);
  case FMT_LATEX: return ob_render_latex(f, c->r, c->a, c->standalone);
  case FMT_CSV: return ob_render_csv(f, c->r);
  case FMT_HTML: return ob_render_html(f, c->r, c->a, c->err) < 0 ? -1 : 0;
  }
  return -1;
}

static const struct option long_opts[] = {
  { "format", required_argument, NULL, 'f' },
  { "output", required_argument, NULL, 'o' },
  { "standalone", no_argument, NULL, 's' },
  { "bandwidth", required_argument, NULL, 'b' },
  { "plots", required_argument, NULL, 'p' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 }
};

int cmd_report(int argc, char **argv)
{
  const char *out_path = NULL, *bw_path = NULL, *plots = NULL, *fmt_name = "md";
  int standalone = 0, c;
  report_format fmt = FMT_MD;
  ob_error err;
  ob_error_clear(&err);
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":f:o:h", long_opts, NULL)) != -1) {
    switch (c) {
    case 'f': fmt_name = optarg; break;
    case 'o': out_path = optarg; break;
    case 's': standalone = 1; break;
    case 'b': bw_path = optarg; break;
    case 'p': plots = optarg; break;
    case 'h': ob_cli_print_help("report", stdout); return EX_OK;
    case ':': return ob_cli_usage("report", "option '%s' needs a value", argv[optind - 1]);
    default: return ob_cli_usage("report", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (strcmp(fmt_name, "md") == 0 || strcmp(fmt_name, "markdown") == 0) fmt = FMT_MD;
  else if (strcmp(fmt_name, "latex") == 0 || strcmp(fmt_name, "tex") == 0) fmt = FMT_LATEX;
  else if (strcmp(fmt_name, "csv") == 0) fmt = FMT_CSV;
  else if (strcmp(fmt_name, "html") == 0) fmt = FMT_HTML;
  else return ob_cli_usage("report", "unknown format '%s' (formats: md, latex, csv, html)", fmt_name);
  if (standalone && fmt != FMT_LATEX) return ob_cli_usage("report", "--standalone goes with --format latex");
  if (argc - optind < 1) return ob_cli_usage("report", "report needs at least one results file");
  if (out_path) {
    for (int i = optind; i < argc; i++)
      if (strcmp(argv[i], out_path) == 0)
        return ob_cli_usage("report", "the output '%s' is also an input; write the report to a new file", out_path);
    if (ob_fs_check_writable(out_path, 0, &err) < 0) return ob_cli_fail(&err);
  }
  struct stat st;
  if (plots && stat(plots, &st) == 0 && !S_ISDIR(st.st_mode)) {   /* before anything is written */
    ob_error_source(&err, plots);
    ob_error_set(&err, OB_ECANTCREAT, "--plots needs a directory, this is a file");
    return ob_cli_fail(&err);
  }
  if ((fmt == FMT_HTML || plots) && !ob_plot_available(OB_PLOT_SVG)) {
    err.code = OB_EUNSUPPORTED;
    snprintf(err.text, sizeof err.text, "PLplot's svg device is missing (Debian: apt-get install libplplot17)");
    return ob_cli_fail(&err);
  }

  ob_report rep;
  if (ob_report_load(&rep, (const char *const *)argv + optind, (size_t)(argc - optind), &err) < 0)
    return ob_cli_fail(&err);
  json_t *bw = NULL;
  int exit_code = EX_OK;
  if (bw_path && ob_json_load_file(bw_path, &bw, &err) < 0) {
    ob_report_free(&rep);
    return ob_cli_fail(&err);
  }
  ob_agg agg;
  if (ob_agg_build(&rep, bw, &agg, &err) < 0) {
    if (bw_path && err.code == OB_EDATA) ob_error_source(&err, bw_path);
    json_decref(bw);
    ob_report_free(&rep);
    return ob_cli_fail(&err);
  }
  ob_error perr;   /* a plot's own error, which the atomic writer would replace with "write failed" */
  ob_error_clear(&perr);
  emit_ctx ctx = { fmt, standalone, &rep, &agg, &perr };
  if (out_path) {
    if (ob_fs_write_atomic(out_path, emit, &ctx, &err) < 0) exit_code = ob_cli_fail(perr.code ? &perr : &err);
  } else if (emit(stdout, &ctx) != 0 || fflush(stdout) != 0) {
    if (perr.code) err = perr;
    else {
      err.code = OB_EIO;
      snprintf(err.text, sizeof err.text, "cannot write the report to standard output");
    }
    exit_code = ob_cli_fail(&err);
  }
  size_t nfig = 0;
  if (exit_code == EX_OK && plots) {
    size_t n1 = 0, n2 = 0;
    if (ob_plot_dir(&agg, plots, OB_PLOT_PDF, &n1, &err) < 0 || ob_plot_dir(&agg, plots, OB_PLOT_PNG, &n2, &err) < 0)
      exit_code = ob_cli_fail(&err);
    nfig = n1 + n2;
  }
  if (exit_code == EX_OK && out_path) {
    printf("report: %s\n", out_path);
    if (plots) printf("plots: %s (%zu files)\n", plots, nfig);
  }
  ob_agg_free(&agg);
  json_decref(bw);
  ob_report_free(&rep);
  return exit_code;
}
