/* cmd_bandwidth.c -- `optbench bandwidth [-o BW.json] [--threads LIST] [--size MB]
 * [--reps N] [--no-latency] [--quiet]`.
 *
 * Measures the machine's memory limits (bench/bandwidth.c) and prints them the
 * way Intel MLC does: a cpu node x memory node matrix of triad GB/s per
 * thread count, a table of every kernel for the node the threads run on, and
 * an idle latency matrix. With -o the full document (docs/bandwidth.md) is
 * written atomically; the optimizer report reads its "kernels" block as the
 * limit for optimizer steps. Options are checked before anything is measured.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "bench/bandwidth.h"
#include "bench/cli.h"
#include "bench/ob_fs.h"

static int parse_threads(const char *s, ob_bw_config *cfg)
{
  const char *p = s;
  cfg->nthreads = 0;
  while (*p) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p || v < 1 || v > 1024 || cfg->nthreads == 16) return -1;
    cfg->threads[cfg->nthreads++] = (int)v;
    p = end;
    if (*p == ',' && p[1]) p++;
    else if (*p) return -1;
  }
  return cfg->nthreads ? 0 : -1;
}

static void progress(const char *what, void *ctx)
{
  (void)ctx;
  fprintf(stderr, "\r\033[K%s", what);
  fflush(stderr);
}

static int emit(FILE *f, void *ctx)
{
  if (json_dumpf(ctx, f, JSON_INDENT(2)) != 0) return -1;
  return fputc('\n', f) == EOF ? -1 : 0;
}

static double get_gbs(json_t *rec, const char *kernel)
{
  json_t *v = json_object_get(json_object_get(json_object_get(rec, "kernels"), kernel), "best_gbs");
  return v ? json_number_value(v) : -1;
}

static void print_matrix(json_t *doc, const char *title, int threads)
{
  json_t *topo = json_object_get(doc, "topology"), *results = json_object_get(doc, "results");
  json_t *memn = json_object_get(topo, "memory_nodes"), *cpun = json_object_get(topo, "cpu_nodes");
  size_t i, j, k;
  json_t *c, *mm, *r;
  printf("%s\n%-10s", title, "cpu\\mem");
  json_array_foreach(memn, j, mm) printf(" %9lld", (long long)json_integer_value(mm));
  putchar('\n');
  json_array_foreach(cpun, i, c) {
    printf("%-10lld", (long long)json_integer_value(c));
    json_array_foreach(memn, j, mm) {
      const char *cell = "-";
      char buf[32];
      json_array_foreach(results, k, r) {
        if (json_integer_value(json_object_get(r, "cpu_node")) != json_integer_value(c) ||
            json_integer_value(json_object_get(r, "mem_node")) != json_integer_value(mm)) continue;
        if (threads > 0 && json_integer_value(json_object_get(r, "threads")) != threads) continue;
        if (threads > 0) {
          double g = get_gbs(r, "triad");
          if (g >= 0) { snprintf(buf, sizeof buf, "%.1f", g); cell = buf; }
          else cell = "skipped";
        }
      }
      if (threads <= 0) {
        json_t *l;
        size_t q;
        json_array_foreach(json_object_get(doc, "latency"), q, l)
          if (json_integer_value(json_object_get(l, "cpu_node")) == json_integer_value(c) &&
              json_integer_value(json_object_get(l, "mem_node")) == json_integer_value(mm)) {
            snprintf(buf, sizeof buf, "%.1f", json_number_value(json_object_get(l, "latency_ns")));
            cell = buf;
          }
      }
      printf(" %9s", cell);
    }
    putchar('\n');
  }
  putchar('\n');
}

static void print_text(json_t *doc, const ob_bw_config *cfg)
{
  json_t *conf = json_object_get(doc, "config"), *rule = json_object_get(conf, "stream_rule");
  size_t i;
  json_t *r;
  printf("STREAM-like kernels: 3 arrays x %.1f MB, best of %lld after one warm-up; 1 GB/s = 10^9 B/s,\n"
         "bytes counted as STREAM counts them (copy/scale 16, add/triad 24, sum 8 B per element).\n",
         (double)json_integer_value(json_object_get(conf, "array_bytes")) / 1e6,
         (long long)json_integer_value(json_object_get(conf, "reps")));
  printf("Last-level cache %.1f MB: arrays %s 4 x LLC%s.\n\n",
         (double)json_integer_value(json_object_get(rule, "llc_bytes")) / 1e6,
         json_is_true(json_object_get(rule, "satisfied")) ? ">=" : "<",
         json_is_true(json_object_get(rule, "satisfied")) ? "" : " (STREAM's sizing rule NOT met: cache effects inflate the figures)");
  for (int t = 0; t < cfg->nthreads; t++) {
    char title[96];
    snprintf(title, sizeof title, "Triad GB/s, %d thread%s (rows: cpu node, columns: memory node)", cfg->threads[t],
             cfg->threads[t] == 1 ? "" : "s");
    print_matrix(doc, title, cfg->threads[t]);
  }
  printf("%-6s %-6s %7s %9s %9s %9s %9s %9s  %s\n", "cpu", "memory", "threads", "copy", "scale", "add", "triad", "sum",
         "status");
  json_array_foreach(json_object_get(doc, "results"), i, r) {
    const char *st = json_string_value(json_object_get(r, "status"));
    printf("%-6lld %-6lld %7lld", (long long)json_integer_value(json_object_get(r, "cpu_node")),
           (long long)json_integer_value(json_object_get(r, "mem_node")),
           (long long)json_integer_value(json_object_get(r, "threads")));
    for (int k = 0; k < OB_BW_NKERNELS; k++) {
      double g = get_gbs(r, ob_bw_kernel_name(k));
      if (g >= 0) printf(" %9.2f", g);
      else printf(" %9s", "-");
    }
    json_t *why = json_object_get(r, "reason");
    printf("  %s%s%s\n", st ? st : "?", why ? ": " : "", why ? json_string_value(why) : "");
  }
  putchar('\n');
  if (cfg->latency) print_matrix(doc, "Idle latency, ns per dependent load, random access (rows: cpu node, columns: memory node)", 0);
}

int cmd_bandwidth(int argc, char **argv)
{
  ob_bw_config cfg;
  const char *out = NULL;
  int quiet = 0;
  memset(&cfg, 0, sizeof cfg);
  cfg.latency = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      ob_cli_print_help("bandwidth", stdout);
      return EX_OK;
    } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
    else if (!strcmp(a, "--no-latency")) cfg.latency = 0;
    else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--threads") || !strcmp(a, "--size") ||
             !strcmp(a, "--reps")) {
      if (i + 1 >= argc) return ob_cli_usage("bandwidth", "option '%s' needs a value", a);
      const char *v = argv[++i];
      if (!strcmp(a, "-o") || !strcmp(a, "--output")) out = v;
      else if (!strcmp(a, "--threads")) {
        if (parse_threads(v, &cfg) < 0)
          return ob_cli_usage("bandwidth", "bad thread list '%s': expected counts 1..1024 separated by commas (at most 16)", v);
      } else if (!strcmp(a, "--size")) {
        char *end;
        double mb = strtod(v, &end);
        if (end == v || *end || !(mb >= 0.01) || mb > 1e6)
          return ob_cli_usage("bandwidth", "bad size '%s': expected megabytes per array, e.g. 128 (0.01 to 1000000)", v);
        cfg.array_bytes = (size_t)(mb * 1e6);
      } else {
        long n = ob_cli_parse_long(v);
        if (n < 1 || n > OB_BW_MAX_REPS)
          return ob_cli_usage("bandwidth", "bad repetition count '%s': expected an integer in [1, %d]", v, OB_BW_MAX_REPS);
        cfg.reps = (int)n;
      }
    } else if (a[0] == '-') return ob_cli_usage("bandwidth", "unknown option '%s'", a);
    else return ob_cli_usage("bandwidth", "bandwidth takes no arguments, got '%s'", a);
  }
  if (cfg.nthreads == 0) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    cfg.threads[cfg.nthreads++] = 1;
    if (ncpu > 1) cfg.threads[cfg.nthreads++] = (int)ncpu;
  }
  ob_error err;
  ob_error_clear(&err);
  if (out && ob_fs_check_writable(out, 0, &err) < 0) return ob_cli_fail(&err);
  json_t *doc = NULL;
  int show = !quiet && isatty(fileno(stderr));
  int rc = ob_bandwidth_measure(&cfg, show ? progress : NULL, NULL, &doc, &err);
  if (show) fputs("\r\033[K", stderr);
  if (rc < 0) {
    if (rc == OB_EINVAL) return ob_cli_usage("bandwidth", "%s", err.text);
    return ob_cli_fail(&err);
  }
  json_object_set_new(doc, "command", json_string(ob_cli_command_line));
  if (!quiet) print_text(doc, &cfg);
  int failed = 0;
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(doc, "results"), i, r)
    if (!strcmp(json_string_value(json_object_get(r, "status")), "error")) failed = 1;
  if (out) {
    if (ob_fs_write_atomic(out, emit, doc, &err) < 0) {
      json_decref(doc);
      return ob_cli_fail(&err);
    }
    if (!quiet) printf("written: %s\n", out);
  }
  json_decref(doc);
  if (failed) fprintf(stderr, "optbench: some kernels failed validation (see the status column)\n");
  return failed ? 1 : EX_OK;
}
