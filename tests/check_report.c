/* check_report.c -- tests of the report's loader, statistics and tables (reports/).
 *
 * Statistics are checked against values worked out by hand: performance-profile
 * areas and rho (Dolan & More), ECDF points (COCO), quantiles with infinite
 * (failed) runs, and the best / significantly-worse marks of a per-problem
 * table on hand-made runs whose U-test p-value is known exactly
 * (8 vs 8 completely separated samples: p = 2 / C(16, 8) = 1/6435). The loader
 * is checked on small files written here: identical duplicates are dropped,
 * conflicting ones are an error naming both files, a wrong schema version and
 * a run without an optimizer id are errors with a JSON path. Sequence
 * problems: the table of totals and ratios and the cumulative-cost curves of
 * hand-made final.sequence objects. Bilevel problems: the table of final
 * hypergradient norms and oracle counts and the curves of grad_norm against
 * oracle calls of hand-made runs with evals.bilevel.
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/aggregate.h"
#include "reports/render.h"
#include "reports/report.h"
#include "tests/testutil.h"

static char tmpdir[256];

static void setup(void)
{
  snprintf(tmpdir, sizeof tmpdir, "%s/check_report.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  ck_assert_int_eq(system(cmd), 0);
}

/* A run record: steps < 0 means the target 1e-3 was not reached. */
static json_t *make_run(const char *prob, const char *opt, long seed, long steps, double step_s)
{
  char id[256];
  snprintf(id, sizeof id, "%s/%s/local/t1/s%ld", prob, opt, seed);
  json_t *tg = json_array();
  json_array_append_new(tg, steps >= 0 ? json_pack("{s:f, s:I, s:I, s:f}", "f_gap", 1e-3, "steps", (json_int_t)steps,
                                                   "evals", (json_int_t)(2 * steps), "seconds", 1e-6 * (double)steps)
                                       : json_pack("{s:f, s:n}", "f_gap", 1e-3, "steps"));
  return json_pack("{s:s, s:{s:s, s:s, s:i, s:f}, s:{s:s, s:s}, s:{s:s}, s:i, s:I, s:s, s:I, s:o, "
                   "s:{s:f}, s:{s:f}, s:{s:[i,i,i], s:[f,f,f]}}",
                   "id", id, "problem", "type", "toy", "id", prob, "dim", 2, "f_opt", 0.0,
                   "optimizer", "type", "toy", "id", opt, "placement", "name", "local", "threads", 1,
                   "seed", (json_int_t)seed, "status", steps >= 0 ? "target_reached" : "max_steps",
                   "steps", (json_int_t)(steps >= 0 ? steps : 500), "targets", tg,
                   "final", "f_gap", steps >= 0 ? 1e-4 : 1.0, "time", "step_median_s", step_s,
                   "trace", "step", 0, 5, 10, "f", 1.0, 0.1, steps >= 0 ? 1e-4 : 0.5);
}

static const char *write_doc(const char *name, json_t *runs, int schema)
{
  static char path[8][512];
  static int k;
  char *p = path[k++ % 8];
  snprintf(p, 512, "%s/%s", tmpdir, name);
  json_t *doc = json_pack("{s:i, s:o}", "schema_version", schema, "runs", runs);
  ck_assert_int_eq(json_dump_file(doc, p, 0), 0);
  json_decref(doc);
  return p;
}

START_TEST(test_profile_area)
{
  double r[3] = { 1.0, 2.0, INFINITY };
  /* problem 1 counts on [1,4] (3/3), problem 2 on [2,4] (2/3), problem 3 never */
  ck_assert_double_eq_tol(ob_agg_profile_area(r, 3, 4.0), (1.0 + 2.0 / 3.0) / 3.0, 1e-15);
  ck_assert_double_eq_tol(ob_agg_profile_rho(r, 3, 1.0), 1.0 / 3.0, 1e-15);
  ck_assert_double_eq_tol(ob_agg_profile_rho(r, 3, 1.999), 1.0 / 3.0, 1e-15);
  ck_assert_double_eq_tol(ob_agg_profile_rho(r, 3, 2.0), 2.0 / 3.0, 1e-15);
  ck_assert_double_eq_tol(ob_agg_profile_rho(r, 3, 1e9), 2.0 / 3.0, 1e-15);
  double beyond[2] = { 5.0, 1.0 };   /* a ratio beyond r_max adds nothing */
  ck_assert_double_eq_tol(ob_agg_profile_area(beyond, 2, 4.0), 0.5, 1e-15);
}
END_TEST

START_TEST(test_ecdf_points)
{
  double x[3] = { 1.0, 2.0, 5.0 };   /* 3 of 5 triples solved */
  ck_assert_double_eq_tol(ob_agg_ecdf_at(x, 3, 5, 0.5), 0.0, 1e-15);
  ck_assert_double_eq_tol(ob_agg_ecdf_at(x, 3, 5, 1.0), 0.2, 1e-15);
  ck_assert_double_eq_tol(ob_agg_ecdf_at(x, 3, 5, 4.99), 0.4, 1e-15);
  ck_assert_double_eq_tol(ob_agg_ecdf_at(x, 3, 5, 1e9), 0.6, 1e-15);
}
END_TEST

START_TEST(test_quantile_inf)
{
  double a[3] = { INFINITY, 1.0, 2.0 };
  ck_assert_double_eq(ob_agg_quantile(a, 3, 0.5), 2.0);
  double b[3] = { 1.0, 2.0, INFINITY };
  ck_assert(isinf(ob_agg_quantile(b, 3, 0.75)));   /* between 2 and inf */
  double c[3] = { 1.0, INFINITY, INFINITY };
  ck_assert(isinf(ob_agg_quantile(c, 3, 0.5)));    /* more than half failed */
  double d[4] = { 4.0, 3.0, 2.0, 1.0 };
  ck_assert_double_eq_tol(ob_agg_quantile(d, 4, 0.25), 1.75, 1e-15);  /* type 7 */
  ck_assert(isnan(ob_agg_quantile(d, 0, 0.5)));
}
END_TEST

START_TEST(test_load_duplicates)
{
  json_t *ra = json_array(), *rb = json_array(), *rc = json_array();
  json_array_append_new(ra, make_run("p", "a", 0, 10, 1e-6));
  json_array_append_new(ra, make_run("p", "a", 1, 11, 1e-6));
  json_array_append_new(rb, make_run("p", "a", 0, 10, 9e-6));   /* same but for timings */
  json_array_append_new(rc, make_run("p", "a", 1, 12, 1e-6));   /* different steps */
  const char *fa = write_doc("a.json", ra, 1), *fb = write_doc("b.json", rb, 1), *fc = write_doc("c.json", rc, 1);
  ob_report r;
  ob_error err;
  ob_error_clear(&err);
  const char *ok[2] = { fa, fb };
  ck_assert_int_eq(ob_report_load(&r, ok, 2, &err), OB_OK);
  ck_assert_uint_eq(r.nruns, 2);
  ck_assert_uint_eq(r.nduplicates, 1);
  ck_assert_str_eq(r.run[1].id, "p/a/local/t1/s1");
  ck_assert_int_eq(r.run[0].seed, 0);
  ob_report_free(&r);

  const char *bad[2] = { fa, fc };
  ob_error_clear(&err);
  ck_assert_int_eq(ob_report_load(&r, bad, 2, &err), OB_EDATA);
  ck_assert_str_eq(err.source, fc);
  ck_assert_str_eq(err.path, "runs[0]");
  ck_assert_msg(strstr(err.text, fa) != NULL, "the error names the other file: %s", err.text);
  ck_assert_msg(strstr(err.text, "p/a/local/t1/s1") != NULL, "the error names the run: %s", err.text);
}
END_TEST

START_TEST(test_load_errors)
{
  json_t *runs = json_array();
  json_array_append_new(runs, make_run("p", "a", 0, 10, 1e-6));
  const char *v2 = write_doc("v2.json", runs, 2);
  json_t *r2 = json_array();
  json_t *run = make_run("p", "a", 0, 10, 1e-6);
  json_object_del(json_object_get(run, "optimizer"), "id");
  json_array_append_new(r2, run);
  const char *noid = write_doc("noid.json", r2, 1);
  char missing[512];
  snprintf(missing, sizeof missing, "%s/none.json", tmpdir);
  ob_report r;
  ob_error err;

  ob_error_clear(&err);
  ck_assert_int_eq(ob_report_load(&r, &v2, 1, &err), OB_EDATA);
  ck_assert_str_eq(err.path, "schema_version");
  ob_error_clear(&err);
  ck_assert_int_eq(ob_report_load(&r, &noid, 1, &err), OB_EDATA);
  ck_assert_str_eq(err.path, "runs[0].optimizer.id");
  ob_error_clear(&err);
  const char *m = missing;
  ck_assert_int_eq(ob_report_load(&r, &m, 1, &err), OB_ENOINPUT);
  ck_assert_str_eq(err.source, missing);
}
END_TEST

static const ob_cell *find_cell(const ob_table *t, const char *row, const char *col)
{
  size_t c;
  for (c = 0; c < t->ncols && strcmp(t->head[c], col) != 0; c++) {}
  ck_assert_msg(c < t->ncols, "no column '%s' in '%s'", col, t->title);
  for (size_t r = 0; r < t->nrows; r++)
    if (strcmp(t->cell[r * t->ncols].text, row) == 0) return &t->cell[r * t->ncols + c];
  ck_abort_msg("no row '%s' in '%s'", row, t->title);
  return NULL;
}

START_TEST(test_tables_and_profile)
{
  /* problem p: a needs 10+seed steps, b 100+seed (8 seeds: p = 1/6435 < 0.05);
   * problem q: only b reaches the target. */
  json_t *runs = json_array();
  for (long s = 0; s < 8; s++) {
    json_array_append_new(runs, make_run("p", "a", s, 10 + s, 1e-6));
    json_array_append_new(runs, make_run("p", "b", s, 100 + s, 2e-6));
    json_array_append_new(runs, make_run("q", "a", s, -1, 1e-6));
    json_array_append_new(runs, make_run("q", "b", s, 40, 2e-6));
  }
  const char *f = write_doc("t.json", runs, 1);
  ob_report r;
  ob_agg a;
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(ob_report_load(&r, &f, 1, &err), OB_OK);
  ck_assert_int_eq(ob_agg_build(&r, NULL, &a, &err), OB_OK);
  ck_assert_uint_eq(a.nprob, 2);
  ck_assert_uint_eq(a.nopt, 2);
  ck_assert_uint_eq(a.seq_table, (size_t)-1);   /* no final.sequence: no sequence table or curves */
  ck_assert_uint_eq(a.nseq, 0);
  ck_assert_uint_eq(a.hg_table, (size_t)-1);   /* no evals.bilevel: no bilevel table or curves */
  ck_assert_uint_eq(a.nhg, 0);

  const ob_table *tp = &a.table[0];
  const ob_cell *sa = find_cell(tp, "a", "steps to 0.001"), *sb = find_cell(tp, "b", "steps to 0.001");
  ck_assert_str_eq(sa->text, "13.5 [11.8, 15.2]");   /* 10..17: median 13.5, quartiles 11.75, 15.25 */
  ck_assert(sa->flags & OB_CELL_BEST);
  ck_assert(!(sa->flags & OB_CELL_WORSE));
  ck_assert(sb->flags & OB_CELL_WORSE);
  ck_assert(!(sb->flags & OB_CELL_BEST));
  ck_assert_str_eq(find_cell(tp, "a", "success")->text, "8/8");
  ck_assert_str_eq(find_cell(tp, "b", "evals to 0.001")->text, "207");

  const ob_table *tq = &a.table[1];
  ck_assert_str_eq(find_cell(tq, "a", "success")->text, "0/8");
  ck_assert_str_eq(find_cell(tq, "a", "steps to 0.001")->text, "-");
  ck_assert(find_cell(tq, "a", "steps to 0.001")->flags & OB_CELL_WORSE);  /* all failed vs all solved */
  ck_assert(find_cell(tq, "b", "success")->flags & OB_CELL_BEST);

  /* ratios: p: a 1, b 103.5/13.5; q: a inf, b 1 -> areas 0.5 and 0.5 */
  ck_assert_double_eq(a.ratio[0 * 2 + 0], 1.0);
  ck_assert_double_eq_tol(a.ratio[0 * 2 + 1], 103.5 / 13.5, 1e-12);
  ck_assert(isinf(a.ratio[1 * 2 + 0]));
  ck_assert_double_eq_tol(a.area[0], 0.5, 1e-15);
  ck_assert_double_eq_tol(a.area[1], 0.5, 1e-15);

  /* ECDF: a solved 8 of 16 (problem, target, seed) triples at evals/dim = steps */
  ck_assert_uint_eq(a.ecdf_total[0], 16);
  ck_assert_uint_eq(a.ecdf_n[0], 8);
  ck_assert_double_eq(a.ecdf_x[0][0], 10.0);   /* 2*10 evals / dim 2 */
  ck_assert_uint_eq(a.ecdf_n[1], 16);

  /* convergence curve of (p, a): three trace points, all seeds alike */
  const ob_curve *cv = &a.curve[0];
  ck_assert_uint_eq(cv->n, 3);
  ck_assert_double_eq_tol(cv->med[1], 0.1, 1e-15);
  ck_assert_double_eq_tol(cv->q3[2], 1e-4, 1e-18);

  /* the placement table has one row per problem x optimizer; slowdown 1 under local */
  const ob_table *pl = &a.table[a.placement_table];
  ck_assert_uint_eq(pl->nrows, 4);
  ck_assert_str_eq(pl->cell[6].text, "1.00");

  /* the Markdown renderer marks best and worse cells */
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  ck_assert_int_eq(ob_render_md(m, &r, &a), 0);
  fclose(m);
  ck_assert_msg(strstr(buf, "| a | **8/8** | **13.5 [11.8, 15.2]** |") != NULL, "%s", buf);
  ck_assert_msg(strstr(buf, "104 [102, 105]\\*") != NULL, "%s", buf);
  free(buf);
  ob_agg_free(&a);
  ob_report_free(&r);
}
END_TEST

START_TEST(test_bandwidth_shape)
{
  ob_error err;
  json_t *ok = json_loads("{\"kernels\": {\"triad\": {\"local/t1\": 12.5}}}", 0, NULL);
  json_t *bad = json_loads("{\"kernels\": {\"triad\": {\"local/t1\": \"fast\"}}}", 0, NULL);
  json_t *none = json_loads("{\"triad\": 1}", 0, NULL);
  ob_error_clear(&err);
  ck_assert_int_eq(ob_agg_check_bandwidth(ok, &err), OB_OK);
  ck_assert_int_eq(ob_agg_check_bandwidth(bad, &err), OB_EDATA);
  ck_assert_str_eq(err.path, "kernels.triad.local/t1");
  ob_error_clear(&err);
  ck_assert_int_eq(ob_agg_check_bandwidth(none, &err), OB_EDATA);
  ck_assert_str_eq(err.path, "kernels");
  json_decref(ok);
  json_decref(bad);
  json_decref(none);
}
END_TEST

/* A sequence run (final.sequence as sor_sequence writes it) with 3 instances. */
static json_t *make_seq_run(const char *opt, long seed, const long *it, long bf, long young, long oracle)
{
  char id[256];
  snprintf(id, sizeof id, "s/%s/local/t1/s%ld", opt, seed);
  json_t *q = json_pack("{s:i, s:i, s:[I,I,I], s:I, s:f, s:I, s:I, s:I}", "instances", 3, "completed", 3, "iterations",
                        (json_int_t)it[0], (json_int_t)it[1], (json_int_t)it[2], "total_iterations",
                        (json_int_t)(it[0] + it[1] + it[2]), "best_fixed_omega", 1.5, "best_fixed_total", (json_int_t)bf,
                        "instance_optimal_total", (json_int_t)young, "grid_oracle_total", (json_int_t)oracle);
  return json_pack("{s:s, s:{s:s, s:s, s:i}, s:{s:s, s:s}, s:{s:s}, s:i, s:I, s:s, s:I, s:[], s:{s:o}}",
                   "id", id, "problem", "type", "sor_sequence", "id", "s", "dim", 4,
                   "optimizer", "type", "sor", "id", opt, "placement", "name", "local", "threads", 1,
                   "seed", (json_int_t)seed, "status", "target_reached", "steps", (json_int_t)(it[0] + it[1] + it[2]),
                   "targets", "final", "sequence", q);
}

START_TEST(test_sequence)
{
  /* seed 0: comparators 30 (best fixed), 15 (Young), 20 (grid oracle); seed 1: 36, 18, 24 */
  static const long p1[2][3] = { { 10, 20, 30 }, { 12, 22, 32 } }, p2[2][3] = { { 5, 5, 5 }, { 7, 7, 7 } };
  json_t *runs = json_array();
  for (long s = 0; s < 2; s++) {
    json_array_append_new(runs, make_seq_run("p1", s, p1[s], 30 + 6 * s, 15 + 3 * s, 20 + 4 * s));
    json_array_append_new(runs, make_seq_run("p2", s, p2[s], 30 + 6 * s, 15 + 3 * s, 20 + 4 * s));
  }
  const char *f = write_doc("seq.json", runs, 1);
  ob_report r;
  ob_agg a;
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(ob_report_load(&r, &f, 1, &err), OB_OK);
  ck_assert_int_eq(ob_agg_build(&r, NULL, &a, &err), OB_OK);
  ck_assert_uint_lt(a.seq_table, a.ntables);
  const ob_table *t = &a.table[a.seq_table];
  ck_assert_uint_eq(t->ncols, 8);
  ck_assert_uint_eq(t->nrows, 5);   /* two policies, three comparators */
  ck_assert_str_eq(t->head[4], "total iterations");
  ck_assert_str_eq(t->cell[0 * 8 + 1].text, "p1");
  ck_assert_str_eq(t->cell[0 * 8 + 3].text, "3/3");
  ck_assert_str_eq(t->cell[0 * 8 + 4].text, "63 [61.5, 64.5]");          /* 60, 66 */
  ck_assert_str_eq(t->cell[0 * 8 + 5].text, "1.917 [1.875, 1.958]");     /* 60/30, 66/36 */
  ck_assert_str_eq(t->cell[0 * 8 + 6].text, "3.833 [3.750, 3.917]");     /* 60/15, 66/18 */
  ck_assert(!(t->cell[0 * 8 + 4].flags & OB_CELL_BEST));
  ck_assert_str_eq(t->cell[1 * 8 + 4].text, "18 [16.5, 19.5]");          /* 15, 21 */
  ck_assert(t->cell[1 * 8 + 4].flags & OB_CELL_BEST);
  ck_assert_str_eq(t->cell[1 * 8 + 6].text, "1.083 [1.042, 1.125]");     /* 15/15, 21/18 */
  ck_assert_str_eq(t->cell[2 * 8 + 1].text, "best fixed omega 1.5 (hindsight)");
  ck_assert_str_eq(t->cell[2 * 8 + 4].text, "33 [31.5, 34.5]");
  ck_assert_str_eq(t->cell[2 * 8 + 5].text, "1.000 [1.000, 1.000]");
  ck_assert_str_eq(t->cell[3 * 8 + 4].text, "16.5 [15.75, 17.25]");      /* Young: 15, 18 */
  ck_assert_str_eq(t->cell[3 * 8 + 5].text, "0.500 [0.500, 0.500]");    /* Young / best fixed */
  ck_assert_str_eq(t->cell[4 * 8 + 7].text, "1.000 [1.000, 1.000]");    /* grid oracle / itself */
  /* curves: median over seeds of the cumulative iterations; comparators at a constant rate */
  ck_assert_uint_eq(a.nseq, 1);
  const ob_seq_curve *cv = &a.seq[0];
  ck_assert_uint_eq(cv->n, 3);
  ck_assert_uint_eq(cv->nline, 4);
  ck_assert_int_eq(cv->exact_comparators, 0);
  ck_assert_double_eq_tol(cv->y[0 * 3 + 0], 11, 1e-12);
  ck_assert_double_eq_tol(cv->y[0 * 3 + 2], 63, 1e-12);
  ck_assert_double_eq_tol(cv->y[1 * 3 + 1], 12, 1e-12);             /* (10 + 14) / 2 */
  ck_assert_double_eq_tol(cv->y[2 * 3 + 0], 11, 1e-12);             /* (30/3 + 36/3) / 2 */
  ck_assert_double_eq_tol(cv->y[3 * 3 + 1], 11, 1e-12);             /* (15*2/3 + 18*2/3) / 2 */
  ob_agg_free(&a);
  ob_report_free(&r);
}
END_TEST

/* A run on a bilevel problem: a trace of grad_norm against oracle calls
 * (evals: 3 points), final.grad_norm the last one, evals.bilevel counts. */
static json_t *make_bil_run(const char *opt, long seed, const long *ev, const double *gn, long upper, long lower)
{
  char id[256];
  snprintf(id, sizeof id, "bp/%s/local/t1/s%ld", opt, seed);
  return json_pack("{s:s, s:{s:s, s:s, s:i, s:f}, s:{s:s, s:s}, s:{s:s}, s:i, s:I, s:s, s:i, s:[], "
                   "s:{s:I, s:{s:i, s:I, s:i, s:I, s:i, s:i, s:i}}, s:{s:f, s:f}, "
                   "s:{s:[i,i,i], s:[I,I,I], s:[f,f,f], s:[f,f,f]}}",
                   "id", id, "problem", "type", "bilevel_quadratic", "id", "bp", "dim", 3, "f_opt", 0.0,
                   "optimizer", "type", "toy", "id", opt, "placement", "name", "local", "threads", 1,
                   "seed", (json_int_t)seed, "status", "max_steps", "steps", 2, "targets",
                   "evals", "total", (json_int_t)ev[2], "bilevel", "upper_f", 0, "upper_grad", (json_int_t)upper,
                   "lower_f", 0, "lower_grad", (json_int_t)lower, "hyy", 0, "hxy", 0, "cons", 0,
                   "final", "f_gap", gn[2] * gn[2], "grad_norm", gn[2],
                   "trace", "step", 0, 1, 2, "evals", (json_int_t)ev[0], (json_int_t)ev[1], (json_int_t)ev[2],
                   "f", gn[0] * gn[0], gn[1] * gn[1], gn[2] * gn[2], "grad_norm", gn[0], gn[1], gn[2]);
}

START_TEST(test_bilevel)
{
  /* bp: optimizer a, seed 0 at 0, 10, 20 calls, seed 1 at 0, 15, 30; b: 0, 50, 100 (both seeds);
   * problem q is not bilevel (no evals.bilevel): no table rows, no curves */
  static const long ea[2][3] = { { 0, 10, 20 }, { 0, 15, 30 } }, eb[3] = { 0, 50, 100 };
  static const double ga[2][3] = { { 1, 0.1, 0.01 }, { 1, 0.2, 0.02 } }, gb[3] = { 1, 0.6, 0.5 };
  json_t *runs = json_array();
  for (long s = 0; s < 2; s++) {
    json_array_append_new(runs, make_run("q", "a", s, 10, 1e-6));
    json_array_append_new(runs, make_bil_run("a", s, ea[s], ga[s], 2 + s, 8 + 2 * s));
    json_array_append_new(runs, make_bil_run("b", s, eb, gb, 40, 60));
  }
  const char *f = write_doc("bil.json", runs, 1);
  ob_report r;
  ob_agg a;
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(ob_report_load(&r, &f, 1, &err), OB_OK);
  ck_assert_int_eq(ob_agg_build(&r, NULL, &a, &err), OB_OK);
  ck_assert_uint_eq(a.nprob, 2);
  ck_assert_uint_eq(a.nhg, 1);
  ck_assert_str_eq(a.prob[a.hg_problem[0]], "bp");
  ck_assert_uint_lt(a.hg_table, a.ntables);
  const ob_table *t = &a.table[a.hg_table];
  ck_assert_uint_eq(t->ncols, 11);
  ck_assert_uint_eq(t->nrows, 2);
  ck_assert_str_eq(t->head[3], "final hypergradient norm");
  ck_assert_str_eq(t->cell[0 * 11 + 0].text, "bp");
  ck_assert_str_eq(t->cell[0 * 11 + 1].text, "a");
  ck_assert_str_eq(t->cell[0 * 11 + 2].text, "2");
  ck_assert_str_eq(t->cell[0 * 11 + 3].text, "0.015 [0.0125, 0.0175]");   /* 0.01, 0.02 */
  ck_assert(t->cell[0 * 11 + 3].flags & OB_CELL_BEST);
  ck_assert_str_eq(t->cell[1 * 11 + 3].text, "0.5 [0.5, 0.5]");
  ck_assert(!(t->cell[1 * 11 + 3].flags & (OB_CELL_BEST | OB_CELL_WORSE)));  /* 2 vs 2 seeds: p >= 1/3 */
  ck_assert_str_eq(t->cell[0 * 11 + 4].text, "0.00025");                   /* median of 1e-4, 4e-4 */
  ck_assert_str_eq(t->cell[0 * 11 + 5].text, "25");                        /* evals.total 20, 30 */
  ck_assert_str_eq(t->cell[0 * 11 + 6].text, "2.5");                       /* upper_grad 2, 3 */
  ck_assert_str_eq(t->cell[0 * 11 + 7].text, "9");                         /* lower_grad 8, 10 */
  ck_assert_str_eq(t->cell[1 * 11 + 5].text, "100");
  ck_assert_str_eq(t->cell[1 * 11 + 10].text, "0");
  /* curve of a: grid 0, 10, 15, 20, 30 calls, each seed held at its last point */
  const ob_curve *cv = &a.hg[0 * a.nopt + 0];
  ck_assert_str_eq(cv->optimizer, "a");
  ck_assert_uint_eq(cv->n, 5);
  ck_assert_double_eq(cv->step[1], 10);
  ck_assert_double_eq_tol(cv->med[1], 0.55, 1e-15);    /* 0.1 (seed 0) and 1 (seed 1 at 0 calls) */
  ck_assert_double_eq_tol(cv->med[2], 0.15, 1e-15);    /* 0.1, 0.2 */
  ck_assert_double_eq_tol(cv->med[3], 0.105, 1e-15);   /* 0.01, 0.2 */
  ck_assert_double_eq_tol(cv->med[4], 0.015, 1e-15);
  ck_assert_double_eq_tol(cv->q1[4], 0.0125, 1e-15);
  ck_assert_uint_eq(a.hg[0 * a.nopt + 1].n, 3);
  ck_assert_double_eq_tol(a.hg[0 * a.nopt + 1].med[1], 0.6, 1e-15);
  /* the Markdown report has the section */
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  ck_assert_int_eq(ob_render_md(m, &r, &a), 0);
  fclose(m);
  ck_assert_msg(strstr(buf, "## Bilevel problems: hypergradient norm and oracle calls") != NULL, "%s", buf);
  ck_assert_msg(strstr(buf, "| bp | a | 2 | **0.015 [0.0125, 0.0175]** | **0.00025** | 25 | 2.5 | 9 | 0 | 0 | 0 |"),
                "%s", buf);
  free(buf);
  ob_agg_free(&a);
  ob_report_free(&r);
}
END_TEST

static Suite *make_report_suite(void)
{
  Suite *s = suite_create("report");
  TCase *stats = tcase_create("statistics");
  tcase_add_test(stats, test_profile_area);
  tcase_add_test(stats, test_ecdf_points);
  tcase_add_test(stats, test_quantile_inf);
  tcase_add_test(stats, test_bandwidth_shape);
  suite_add_tcase(s, stats);
  TCase *files = tcase_create("files");
  tcase_add_checked_fixture(files, setup, teardown);
  tcase_add_test(files, test_load_duplicates);
  tcase_add_test(files, test_load_errors);
  tcase_add_test(files, test_tables_and_profile);
  tcase_add_test(files, test_sequence);
  tcase_add_test(files, test_bilevel);
  suite_add_tcase(s, files);
  return s;
}

int main(void)
{
  return ob_test_main(make_report_suite());
}
