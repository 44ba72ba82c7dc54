/* render_csv.c -- the tidy CSV of a report: one row per run x target.
 *
 * Columns (RFC 4180 quoting, "." decimal point, numbers in the shortest
 * spelling that reads back as the same double; empty where a value is null or absent):
 *   file, run, problem, optimizer, placement, threads, seed, status, dim,
 *   target_f_gap, reached, steps, evals, seconds,
 *   final_f_gap, step_median_s, bandwidth_gbs,
 *   seq_completed, seq_total_iterations, seq_best_fixed_omega, seq_best_fixed_total,
 *   seq_instance_optimal_total, seq_grid_oracle_total,
 *   seq_ratio_best_fixed, seq_ratio_instance_optimal, seq_ratio_grid_oracle,
 *   final_grad_norm, evals_total,
 *   bilevel_upper_f, bilevel_upper_grad, bilevel_lower_f, bilevel_lower_grad,
 *   bilevel_hyy, bilevel_hxy, bilevel_cons
 * The seq_ columns come from final.sequence (sequence problems such as
 * sor_sequence; empty for other runs); the ratios are total / comparator total.
 * final_grad_norm is final.grad_norm (on a bilevel problem the true
 * hypergradient norm), evals_total the run's oracle calls (evals.total); the
 * bilevel_ columns copy evals.bilevel (empty for runs without it).
 * A run without targets has one row with empty target columns. Tidy data
 * (Wickham 2014): one observation per row, ready for R, pandas or a spreadsheet.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/ob_json.h"
#include "reports/render.h"

static void csv_text(FILE *f, const char *s)
{
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static void csv_num(FILE *f, const json_t *v)
{
  fputc(',', f);
  if (json_is_integer(v)) fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
  else if (json_is_real(v) && isfinite(json_real_value(v))) {
    char buf[40];
    ob_json_fmt_double(buf, sizeof buf, json_real_value(v));
    fputs(buf, f);
  }
}

/* total / comparator as a number, or an empty cell */
static void csv_ratio(FILE *f, const json_t *q, const char *key)
{
  const json_t *t = json_object_get(q, "total_iterations"), *c = json_object_get(q, key);
  fputc(',', f);
  if (json_is_integer(t) && json_is_integer(c) && json_integer_value(c) > 0) {
    char buf[40];
    ob_json_fmt_double(buf, sizeof buf, (double)json_integer_value(t) / (double)json_integer_value(c));
    fputs(buf, f);
  }
}

static void csv_sequence(FILE *f, const json_t *q)
{
  static const char *const keys[] = { "completed", "total_iterations", "best_fixed_omega", "best_fixed_total",
                                      "instance_optimal_total", "grid_oracle_total" };
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) csv_num(f, json_object_get(q, keys[k]));
  csv_ratio(f, q, "best_fixed_total");
  csv_ratio(f, q, "instance_optimal_total");
  csv_ratio(f, q, "grid_oracle_total");
}

static void csv_bilevel(FILE *f, const json_t *b)
{
  static const char *const keys[] = { "upper_f", "upper_grad", "lower_f", "lower_grad", "hyy", "hxy", "cons" };
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) csv_num(f, json_object_get(b, keys[k]));
}

int ob_render_csv(FILE *f, const ob_report *r)
{
  fputs("file,run,problem,optimizer,placement,threads,seed,status,dim,target_f_gap,reached,steps,evals,seconds,"
        "final_f_gap,step_median_s,bandwidth_gbs,seq_completed,seq_total_iterations,seq_best_fixed_omega,"
        "seq_best_fixed_total,seq_instance_optimal_total,seq_grid_oracle_total,seq_ratio_best_fixed,"
        "seq_ratio_instance_optimal,seq_ratio_grid_oracle,final_grad_norm,evals_total,bilevel_upper_f,"
        "bilevel_upper_grad,bilevel_lower_f,bilevel_lower_grad,bilevel_hyy,bilevel_hxy,bilevel_cons\n", f);
  for (size_t i = 0; i < r->nruns; i++) {
    const ob_report_run *x = &r->run[i];
    const json_t *tg = json_object_get(x->rec, "targets");
    size_t nt = json_array_size(tg);
    for (size_t k = 0; k < (nt ? nt : 1); k++) {
      const json_t *t = json_array_get(tg, k);
      csv_text(f, r->files[x->file]);
      fputc(',', f);
      csv_text(f, x->id);
      fputc(',', f);
      csv_text(f, x->problem);
      fputc(',', f);
      csv_text(f, x->optimizer);
      fputc(',', f);
      csv_text(f, x->placement);
      fprintf(f, ",%ld,%ld,", x->threads, x->seed);
      csv_text(f, x->status);
      csv_num(f, json_object_get(json_object_get(x->rec, "problem"), "dim"));
      csv_num(f, json_object_get(t, "f_gap"));
      fputc(',', f);
      if (t) fputs(json_is_integer(json_object_get(t, "steps")) ? "true" : "false", f);
      csv_num(f, json_object_get(t, "steps"));
      csv_num(f, json_object_get(t, "evals"));
      csv_num(f, json_object_get(t, "seconds"));
      csv_num(f, json_object_get(json_object_get(x->rec, "final"), "f_gap"));
      csv_num(f, json_object_get(json_object_get(x->rec, "time"), "step_median_s"));
      csv_num(f, json_object_get(json_object_get(x->rec, "memory"), "bandwidth_gbs"));
      csv_sequence(f, json_object_get(json_object_get(x->rec, "final"), "sequence"));
      csv_num(f, json_object_get(json_object_get(x->rec, "final"), "grad_norm"));
      csv_num(f, json_object_get(json_object_get(x->rec, "evals"), "total"));
      csv_bilevel(f, json_object_get(json_object_get(x->rec, "evals"), "bilevel"));
      fputc('\n', f);
    }
  }
  return ferror(f) ? -1 : 0;
}
