/* check_wrappers.c -- tests for learning-rate schedules, the wrapper
 * optimizers (lookahead, cautious, fast_forward, ranger) and the GSL multimin
 * baselines (gsl_bfgs2, gsl_cg_fr, gsl_cg_pr, gsl_steepest, gsl_nm).
 *
 * Schedules: exact factor sequences (hand-computed values), the driver
 * setting ob_optimizer.lr_scale before each step, suite-level validation with
 * JSON paths, and a replay of torch.optim.lr_scheduler trajectories
 * (tests/reference/torch_sched_reference.json, written by gen_torch_sched.py).
 * Wrappers: lookahead with alpha = 1 and cautious with a mask that never
 * triggers equal their inner optimizer bit for bit; lookahead, cautious and
 * fast_forward against hand-written loops; every element-wise optimizer of the
 * registry inside lookahead and cautious converges on a quadratic.
 * GSL: each baseline reaches the Rosenbrock minimum, and the driver's
 * trajectory, iteration count and evaluation counts equal a direct GSL run.
 * Everything goes through the real driver (normalization, arena, oracle).
 */
#include "config.h"

#include <check.h>
#include <gsl/gsl_multimin.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench/ob_error.h"
#include "bench/ob_params.h"
#include "bench/runner.h"
#include "bench/suite.h"
#include "memtier/memtier.h"
#include "optimizers/optimizer.h"
#include "optimizers/schedule.h"
#include "problems/problem.h"
#include "tests/opt_harness.h"
#include "tests/testutil.h"

Suite *make_wrappers_suite(void);

/* ---- helpers ------------------------------------------------------------------ */

/* One optimizer on one registry problem, local memory. */
typedef struct {
  ob_placement *pl;
  ob_memtier *mem;
  ob_problem *prob;
  ob_optimizer *opt;
  json_t *oparams;     /* normalized */
  ob_oracle orc;
  double *x, *g;
  size_t n;
  ob_error err;
} rig;

/* ospec: {"type": ..., params} as in a suite; horizon: the suite's max_steps. */
static void rig_open(rig *r, const char *ospec, long long horizon, const char *ptype, const char *pparams)
{
  memset(r, 0, sizeof *r);
  json_t *os = jparse(ospec), *pp = jparse(pparams), *pnorm = NULL, *local = json_string("local");
  const char *tname = json_string_value(json_object_get(os, "type"));
  const ob_optimizer_type *t = tname ? ob_optimizer_type_find(tname) : NULL;
  ck_assert_msg(t != NULL, "optimizer in '%s' is not registered", ospec);
  int rc = ob_optimizer_params_normalize(t, os, skip_keys, "optimizer", horizon, &r->oparams, &r->err);
  ck_assert_msg(rc == OB_OK, "%s: normalize: %s", ospec, errtext(&r->err));
  rc = ob_optimizer_alloc(t, r->oparams, &r->opt, &r->err);
  ck_assert_msg(rc == OB_OK, "%s: alloc: %s", ospec, errtext(&r->err));
  const ob_problem_type *pt = ob_problem_type_find(ptype);
  ck_assert_ptr_nonnull(pt);
  rc = ob_params_normalize(pt->params, pp, skip_keys, "problem", &pnorm, &r->err);
  ck_assert_msg(rc == OB_OK, "problem params: %s", errtext(&r->err));
  rc = ob_placement_parse(local, "placement", &r->pl, &r->err);
  ck_assert_msg(rc == OB_OK, "placement: %s", errtext(&r->err));
  rc = ob_memtier_open(r->pl, &r->mem, &r->err);
  ck_assert_msg(rc == OB_OK, "memtier: %s", errtext(&r->err));
  rc = ob_problem_alloc(pt, pnorm, 0, r->mem, &r->prob, &r->err);
  ck_assert_msg(rc == OB_OK, "problem %s: %s", ptype, errtext(&r->err));
  r->n = r->prob->n;
  r->x = ob_memtier_alloc(r->mem, OB_MEM_PARAMS, r->n, &r->err);
  r->g = ob_memtier_alloc(r->mem, OB_MEM_GRADS, r->n, &r->err);
  ck_assert_msg(r->x && r->g, "arena: %s", errtext(&r->err));
  memcpy(r->x, r->prob->x0, r->n * sizeof *r->x);
  rc = ob_optimizer_init(r->opt, r->prob, r->mem, &r->err);
  ck_assert_msg(rc == OB_OK, "%s: init: %s", ospec, errtext(&r->err));
  ob_oracle_init(&r->orc, r->prob);
  json_decref(os);
  json_decref(pp);
  json_decref(pnorm);
  json_decref(local);
}

static int rig_step(rig *r)
{
  int rc = ob_optimizer_step(r->opt, &r->orc, r->x, r->g, &r->err);
  ck_assert_msg(rc >= 0, "%s: step %lld: %s", r->opt->type->name, r->opt->t + 1, errtext(&r->err));
  return rc;
}

static double rig_f(rig *r)
{
  double f;
  ck_assert_int_eq(r->prob->type->eval(r->prob->state, r->x, &f, NULL, &r->err), OB_OK);
  return f;
}

static void rig_close(rig *r)
{
  ob_optimizer_free(r->opt);
  ob_problem_free(r->prob);
  ob_memtier_close(r->mem);
  ob_placement_free(r->pl);
  json_decref(r->oparams);
  memset(r, 0, sizeof *r);
}

/* Element-wise optimizers of the registry: not a wrapper, not GSL, not
 * ranger (itself a composition), not matrix-shaped (muon: a "shape" param,
 * tested in check_more_paper_optimizers.c), runnable on the quadratic and
 * Rosenbrock (gradients and f*, which both provide: polyak is included). */
static int elementwise(const ob_optimizer_type *t)
{
  return !ob_params_find(t->params, "inner") && strncmp(t->name, "gsl_", 4) != 0 &&
         strcmp(t->name, "ranger") != 0 && !ob_params_find(t->params, "shape") &&
         (t->needs & ~(unsigned)(OB_NEEDS_GRAD | OB_NEEDS_FOPT)) == 0;
}

/* ---- schedules: exact factor sequences ---------------------------------------- */

static const struct {
  const char *spec;
  long long horizon;          /* the suite's max_steps */
  int n;
  double want[16];            /* factor of steps 1..n */
} sched_cases[] = {
  { "{\"type\": \"constant\"}", 0, 4, { 1, 1, 1, 1 } },
  { "{\"type\": \"constant\", \"warmup\": 4}", 0, 6, { 0.25, 0.5, 0.75, 1, 1, 1 } },
  { "{\"type\": \"linear_warmup\", \"warmup\": 2}", 0, 4, { 0.5, 1, 1, 1 } },
  { "{\"type\": \"linear\"}", 4, 7, { 1, 0.75, 0.5, 0.25, 0, 0, 0 } },
  { "{\"type\": \"linear\", \"warmup\": 2, \"horizon\": 6, \"min_factor\": 0.2}", 1000, 9,
    { 0.5, 1, 1, 0.8, 0.6, 0.4, 0.2, 0.2, 0.2 } },
  { "{\"type\": \"cosine\"}", 4, 6, { 1, 0.85355339059327373, 0.5, 0.14644660940672624, 0, 0 } },
  { "{\"type\": \"cosine\", \"warmup\": 2, \"horizon\": 6, \"min_factor\": 0.1}", 0, 8,
    { 0.5, 1, 1, 0.86819805153394637, 0.55, 0.23180194846605362, 0.1, 0.1 } },
  { "{\"type\": \"inverse_sqrt\"}", 0, 4, { 1, 0.70710678118654752, 0.57735026918962576, 0.5 } },
  { "{\"type\": \"inverse_sqrt\", \"warmup\": 4}", 0, 7,
    { 0.25, 0.5, 0.75, 1, 0.89442719099991588, 0.81649658092772603, 0.75592894601845445 } },
  { "{\"type\": \"inverse_sqrt\", \"warmup\": 4, \"min_factor\": 0.8}", 0, 7,
    { 0.25, 0.5, 0.75, 1, 0.89442719099991588, 0.81649658092772603, 0.8 } },
};
#define N_SCHED (sizeof sched_cases / sizeof sched_cases[0])

START_TEST(test_schedule_factors)
{
  ob_error err;
  json_t *given = jparse(sched_cases[_i].spec), *norm = NULL;
  ob_schedule s;
  ob_error_clear(&err);
  ck_assert_msg(ob_schedule_normalize(given, "s", sched_cases[_i].horizon, &norm, &err) == OB_OK, "%s: %s",
                sched_cases[_i].spec, errtext(&err));
  ck_assert_int_eq(ob_schedule_from_json(norm, &s, &err), OB_OK);
  for (int t = 1; t <= sched_cases[_i].n; t++) {
    double got = ob_schedule_factor(&s, t), want = sched_cases[_i].want[t - 1];
    ck_assert_msg(fabs(got - want) <= 4e-16 * fabs(want), "%s: factor(%d) = %.17g, want %.17g",
                  sched_cases[_i].spec, t, got, want);
  }
  json_decref(given);
  json_decref(norm);
}
END_TEST

/* The driver sets lr_scale before every step, and gd applies lr * lr_scale. */
START_TEST(test_driver_sets_lr_scale)
{
  rig r;
  rig_open(&r, "{\"type\": \"gd\", \"lr\": 0.05, \"schedule\": {\"type\": \"cosine\", \"warmup\": 1}}", 5,
           "quadratic", "{\"dim\": 6, \"condition\": 10}");
  const json_t *sc = json_object_get(r.oparams, "schedule");
  ck_assert_int_eq(json_integer_value(json_object_get(sc, "horizon")), 5);   /* from max_steps */
  ck_assert_int_eq(json_integer_value(json_object_get(sc, "warmup")), 1);
  ck_assert(json_real_value(json_object_get(sc, "min_factor")) == 0.0 ||
            json_integer_value(json_object_get(sc, "min_factor")) == 0);
  /* warmup 1, horizon 5: p = (t - 2) / 4 from step 2 on */
  const double want[7] = { 1, 1, 0.85355339059327373, 0.5, 0.14644660940672624, 0, 0 };
  double *xb = malloc(r.n * sizeof *xb);
  ck_assert_ptr_nonnull(xb);
  for (int t = 1; t <= 7; t++) {
    memcpy(xb, r.x, r.n * sizeof *xb);
    rig_step(&r);
    ck_assert_msg(fabs(r.opt->lr_scale - want[t - 1]) <= 4e-16, "lr_scale before step %d = %.17g, want %.17g", t,
                  r.opt->lr_scale, want[t - 1]);
    const double neg_lr = -(0.05 * r.opt->lr_scale);
    for (size_t i = 0; i < r.n; i++)
      ck_assert_msg(r.x[i] == xb[i] + neg_lr * r.g[i], "step %d, x[%zu]: %.17g, want %.17g", t, i, r.x[i],
                    xb[i] + neg_lr * r.g[i]);
  }
  free(xb);
  rig_close(&r);
  /* without a schedule lr_scale stays exactly 1 */
  rig_open(&r, "{\"type\": \"adam\"}", 5, "quadratic", "{\"dim\": 3}");
  ck_assert_ptr_null(r.opt->schedule);
  rig_step(&r);
  ck_assert(r.opt->lr_scale == 1.0);
  rig_close(&r);
}
END_TEST

/* ---- suite-level validation ------------------------------------------------------ */

static int load_suite(const char *optimizers, const char *budget, ob_suite **s, ob_error *err)
{
  char text[4096];
  snprintf(text, sizeof text,
           "{\"name\": \"t\", \"budget\": %s, \"problems\": [{\"type\": \"quadratic\", \"dim\": 3}], "
           "\"optimizers\": %s}", budget, optimizers);
  json_t *root = jparse(text);
  ob_error_clear(err);
  int rc = ob_suite_from_json(root, NULL, s, err);
  json_decref(root);
  return rc;
}

static const struct { const char *opts, *budget, *path, *text; } rejects[] = {
  { "[{\"type\": \"adam\", \"schedule\": {\"type\": \"cosinus\"}}]", "{\"max_steps\": 10}",
    "optimizers[0].schedule.type", "'cosinus' is not one of" },
  { "[{\"type\": \"adam\", \"schedule\": {\"type\": \"cosine\", \"warmpu\": 3}}]", "{\"max_steps\": 10}",
    "optimizers[0].schedule.warmpu", "did you mean 'warmup'" },
  { "[{\"type\": \"adam\", \"schedule\": {\"type\": \"cosine\", \"warmup\": 10, \"horizon\": 5}}]",
    "{\"max_steps\": 10}", "optimizers[0].schedule.horizon", "must exceed warmup" },
  { "[{\"type\": \"adam\", \"schedule\": {\"type\": \"linear\", \"warmup\": 10}}]", "{\"max_steps\": 10}",
    "optimizers[0].schedule.horizon", "must exceed warmup" },
  { "[{\"type\": \"adam\", \"schedule\": {\"type\": \"linear_warmup\"}}]", "{\"max_steps\": 10}",
    "optimizers[0].schedule.warmup", "needs warmup >= 1" },
  { "[{\"type\": \"adam\", \"schedule\": {\"type\": \"cosine\", \"min_factor\": 2}}]", "{\"max_steps\": 10}",
    "optimizers[0].schedule.min_factor", "out of range" },
  { "[{\"type\": \"adam\", \"schedule\": {\"type\": \"cosine\"}}]", "{\"max_steps\": null, \"max_seconds\": 1}",
    "optimizers[0].schedule", "needs a \"horizon\"" },
  { "[{\"type\": \"adam\", \"schedule\": \"cosine\"}]", "{\"max_steps\": 10}",
    "optimizers[0].schedule", "expected an object" },
  { "[{\"type\": \"gsl_bfgs2\", \"schedule\": {\"type\": \"constant\"}}]", "{\"max_steps\": 10}",
    "optimizers[0].schedule", "no learning rate" },
  { "[{\"type\": \"lookahead\", \"k\": 0}]", "{\"max_steps\": 10}", "optimizers[0].k", "out of range" },
  { "[{\"type\": \"lookahead\", \"inner\": 3}]", "{\"max_steps\": 10}", "optimizers[0].inner", "expected an object" },
  { "[{\"type\": \"lookahead\", \"inner\": {\"lr\": 0.1}}]", "{\"max_steps\": 10}", "optimizers[0].inner",
    "missing required key 'type'" },
  { "[{\"type\": \"lookahead\", \"inner\": {\"type\": \"adma\"}}]", "{\"max_steps\": 10}",
    "optimizers[0].inner.type", "did you mean 'adam'" },
  { "[{\"type\": \"lookahead\", \"inner\": {\"type\": \"adam\", \"lr\": -1}}]", "{\"max_steps\": 10}",
    "optimizers[0].inner.lr", "out of range" },
  { "[{\"type\": \"lookahead\", \"inner\": {\"type\": \"adam\", \"betas1\": 0.9}}]", "{\"max_steps\": 10}",
    "optimizers[0].inner.betas1", "did you mean 'beta1'" },
  { "[{\"type\": \"cautious\", \"inner\": {\"type\": \"adam\", \"lr\": [0.1, 0.01]}}]", "{\"max_steps\": 10}",
    "optimizers[0].inner.lr", "grids are not expanded inside" },
  { "[{\"type\": \"cautious\", \"inner\": {\"type\": \"adam\", \"schedule\": {\"type\": \"cosine\"}}}]",
    "{\"max_steps\": 10}", "optimizers[0].inner.schedule", "no schedule of its own" },
  { "[{\"type\": \"adam\"}, {\"type\": \"lookahead\", \"inner\": {\"type\": \"cautious\", \"inner\": "
    "{\"type\": \"sgd\", \"momentum\": 1.5}}}]", "{\"max_steps\": 10}", "optimizers[1].inner.inner.momentum",
    "out of range" },
  { "[{\"type\": \"lookahead\", \"inner\": {\"type\": \"gsl_bfgs2\"}}]", "{\"max_steps\": 10}",
    "optimizers[0].inner.type", "cannot be wrapped" },
  { "[{\"type\": \"fast_forward\", \"interval\": 0}]", "{\"max_steps\": 10}", "optimizers[0].interval",
    "out of range" },
  { "[{\"type\": \"cautious\", \"scale\": \"max\"}]", "{\"max_steps\": 10}", "optimizers[0].scale",
    "is not one of" },
};
#define N_REJECTS (sizeof rejects / sizeof rejects[0])

START_TEST(test_suite_rejects)
{
  ob_suite *s = NULL;
  ob_error err;
  int rc = load_suite(rejects[_i].opts, rejects[_i].budget, &s, &err);
  ck_assert_msg(rc == OB_EINVAL, "%s: accepted (rc %d)", rejects[_i].opts, rc);
  ck_assert_ptr_null(s);
  ck_assert_msg(strcmp(err.path, rejects[_i].path) == 0, "%s: path '%s', want '%s' (%s)", rejects[_i].opts,
                err.path, rejects[_i].path, err.text);
  ck_assert_msg(strstr(err.text, rejects[_i].text) != NULL, "%s: message '%s' lacks '%s'", rejects[_i].opts,
                err.text, rejects[_i].text);
}
END_TEST

/* Normalized params (what the results record), ids, grids over "inner". */
START_TEST(test_suite_normalizes)
{
  ob_suite *s = NULL;
  ob_error err;
  int rc = load_suite("[{\"type\": \"adam\", \"lr\": 0.01, \"schedule\": [{\"type\": \"cosine\", \"warmup\": 5}, "
                      "{\"type\": \"inverse_sqrt\"}]}, "
                      "{\"type\": \"lookahead\", \"k\": 3, \"inner\": [{\"type\": \"adam\", \"lr\": 0.01}, "
                      "{\"type\": \"sgd\", \"lr\": 0.1}]}]", "{\"max_steps\": 300}", &s, &err);
  ck_assert_msg(rc == OB_OK, "%s", errtext(&err));
  ck_assert_uint_eq(s->noptimizers, 4);
  ck_assert_str_eq(s->optimizers[0].id, "adam-lr0.01-schedcosine");
  ck_assert_str_eq(s->optimizers[1].id, "adam-lr0.01-schedinverse_sqrt");
  ck_assert_str_eq(s->optimizers[2].id, "lookahead-k3+adam-lr0.01");
  ck_assert_str_eq(s->optimizers[3].id, "lookahead-k3+sgd-lr0.1");
  const json_t *sc = json_object_get(s->optimizers[0].params, "schedule");
  ck_assert_int_eq(json_integer_value(json_object_get(sc, "horizon")), 300);
  ck_assert_int_eq(json_integer_value(json_object_get(sc, "warmup")), 5);
  ck_assert_ptr_nonnull(json_object_get(sc, "min_factor"));
  sc = json_object_get(s->optimizers[1].params, "schedule");
  ck_assert(json_is_null(json_object_get(sc, "horizon")));   /* inverse_sqrt has none */
  const json_t *in = json_object_get(s->optimizers[2].params, "inner");
  ck_assert_str_eq(json_string_value(json_object_get(in, "type")), "adam");
  ck_assert(json_real_value(json_object_get(in, "beta1")) == 0.9);   /* defaults filled */
  ck_assert(json_is_null(json_object_get(s->optimizers[2].params, "schedule")));
  /* the normalized suite (written into results) carries the same params */
  const json_t *o0 = json_array_get(json_object_get(s->normalized, "optimizers"), 0);
  ck_assert(json_equal(json_object_get(o0, "params"), s->optimizers[0].params));
  ob_suite_free(s);
}
END_TEST

/* A GSL "no progress" ends a run as stalled with GSL's reason. */
START_TEST(test_runner_stalled)
{
  ob_suite *s = NULL;
  ob_error err;
  char text[] = "{\"name\": \"t\", \"budget\": {\"max_steps\": 5000}, \"targets\": {\"f_gap\": [1e-300]}, "
                "\"problems\": [{\"type\": \"rosenbrock\", \"dim\": 2}], \"optimizers\": [{\"type\": \"gsl_bfgs2\"}, "
                "{\"type\": \"adam\", \"schedule\": {\"type\": \"linear\", \"warmup\": 10}}]}";
  json_t *root = jparse(text), *rec = NULL;
  ob_error_clear(&err);
  ck_assert_msg(ob_suite_from_json(root, NULL, &s, &err) == OB_OK, "%s", errtext(&err));
  ck_assert_int_eq(ob_runner_cell(s, 0, NULL, &rec), OB_OK);
  const char *status = json_string_value(json_object_get(rec, "status"));
  const char *reason = json_string_value(json_object_get(rec, "reason"));
  ck_assert_msg(status && strcmp(status, "stalled") == 0, "status %s (%s)", status ? status : "?", reason ? reason : "");
  ck_assert_msg(reason && strstr(reason, "GSL vector_bfgs2: iteration is not making progress"), "reason '%s'", reason);
  json_decref(rec);
  rec = NULL;
  /* the schedule is recorded, horizon filled from max_steps */
  ck_assert_int_eq(ob_runner_cell(s, 1, NULL, &rec), OB_OK);
  const json_t *sc = json_object_get(json_object_get(json_object_get(rec, "optimizer"), "params"), "schedule");
  ck_assert_str_eq(json_string_value(json_object_get(sc, "type")), "linear");
  ck_assert_int_eq(json_integer_value(json_object_get(sc, "horizon")), 5000);
  json_decref(rec);
  json_decref(root);
  ob_suite_free(s);
}
END_TEST

/* ---- wrappers ------------------------------------------------------------------------- */

#define CMP_STEPS 40

/* Runs spec_a and spec_b CMP_STEPS steps on the same problem and requires
 * bit-identical iterates after every step. */
static void same_trajectory(const char *spec_a, const char *spec_b, const char *ptype, const char *pparams)
{
  rig a, b;
  rig_open(&a, spec_a, 100, ptype, pparams);
  rig_open(&b, spec_b, 100, ptype, pparams);
  for (int t = 1; t <= CMP_STEPS; t++) {
    rig_step(&a);
    rig_step(&b);
    for (size_t i = 0; i < a.n; i++)
      ck_assert_msg(memcmp(&a.x[i], &b.x[i], sizeof(double)) == 0, "%s vs %s: step %d, x[%zu]: %.17g vs %.17g",
                    spec_a, spec_b, t, i, a.x[i], b.x[i]);
  }
  ck_assert_int_eq(a.orc.n_grad, b.orc.n_grad);
  ck_assert_int_eq(a.orc.n_f, b.orc.n_f);
  rig_close(&a);
  rig_close(&b);
}

static const ob_optimizer_type *nth_elementwise(int k)
{
  for (const ob_optimizer_type *const *t = ob_optimizer_types(); *t; t++)
    if (elementwise(*t) && k-- == 0) return *t;
  return NULL;
}

static int n_elementwise(void)
{
  int n = 0;
  for (const ob_optimizer_type *const *t = ob_optimizer_types(); *t; t++) n += elementwise(*t);
  return n;
}

/* Lookahead with alpha = 1 is its inner optimizer, for every element-wise
 * type, with a schedule on the wrapper passed down as lr_scale. */
START_TEST(test_lookahead_alpha1_is_inner)
{
  const ob_optimizer_type *t = nth_elementwise(_i);
  ck_assert_ptr_nonnull(t);
  char a[512], b[512];
  snprintf(a, sizeof a, "{\"type\": \"%s\"}", t->name);
  snprintf(b, sizeof b, "{\"type\": \"lookahead\", \"alpha\": 1, \"k\": 3, \"inner\": {\"type\": \"%s\"}}", t->name);
  same_trajectory(a, b, "rosenbrock", "{\"dim\": 5}");
  snprintf(a, sizeof a, "{\"type\": \"%s\", \"schedule\": {\"type\": \"cosine\", \"warmup\": 3}}", t->name);
  snprintf(b, sizeof b, "{\"type\": \"lookahead\", \"alpha\": 1, \"schedule\": {\"type\": \"cosine\", \"warmup\": 3}, "
           "\"inner\": {\"type\": \"%s\"}}", t->name);
  same_trajectory(a, b, "quadratic", "{\"dim\": 5, \"condition\": 10}");
}
END_TEST

START_TEST(test_wrappers_equal_inner)
{
  /* gd's update -lr g always opposes g: the cautious mask never triggers */
  same_trajectory("{\"type\": \"gd\", \"lr\": 0.001}", "{\"type\": \"cautious\", \"inner\": {\"type\": \"gd\", \"lr\": 0.001}}",
                  "rosenbrock", "{\"dim\": 6}");
  same_trajectory("{\"type\": \"sgd\", \"lr\": 0.01, \"weight_decay\": 0}",
                  "{\"type\": \"cautious\", \"scale\": \"none\", \"inner\": {\"type\": \"sgd\", \"lr\": 0.01}}",
                  "quadratic", "{\"dim\": 8, \"condition\": 10}");
  /* a Fast Forward interval beyond the run never fires */
  same_trajectory("{\"type\": \"adam\", \"lr\": 0.01}",
                  "{\"type\": \"fast_forward\", \"interval\": 1000, \"inner\": {\"type\": \"adam\", \"lr\": 0.01}}",
                  "rosenbrock", "{\"dim\": 4}");
  /* ranger is lookahead(radam) with its defaults */
  same_trajectory("{\"type\": \"ranger\"}",
                  "{\"type\": \"lookahead\", \"k\": 6, \"alpha\": 0.5, \"inner\": {\"type\": \"radam\", \"beta1\": 0.95, "
                  "\"eps\": 1e-5}}", "quadratic", "{\"dim\": 7, \"condition\": 30}");
}
END_TEST

/* Lookahead(gd, k = 3, alpha = 0.5) against a hand-written loop. */
START_TEST(test_lookahead_rule)
{
  rig r;
  rig_open(&r, "{\"type\": \"lookahead\", \"k\": 3, \"alpha\": 0.25, \"inner\": {\"type\": \"gd\", \"lr\": 0.001}}", 0,
           "rosenbrock", "{\"dim\": 4}");
  const size_t n = r.n;
  double x[4], phi[4], g[4], f;
  memcpy(x, r.x, sizeof x);
  memcpy(phi, x, sizeof phi);
  for (int t = 1; t <= 30; t++) {
    ck_assert_int_eq(r.prob->type->eval(r.prob->state, x, &f, g, &r.err), OB_OK);
    for (size_t i = 0; i < n; i++) x[i] = x[i] + -0.001 * g[i];
    if (t % 3 == 0)
      for (size_t i = 0; i < n; i++) x[i] = phi[i] = 0.75 * phi[i] + 0.25 * x[i];
    rig_step(&r);
    for (size_t i = 0; i < n; i++)
      ck_assert_msg(r.x[i] == x[i], "step %d x[%zu]: %.17g, want %.17g", t, i, r.x[i], x[i]);
  }
  ck_assert_uint_eq(r.opt->nvec, 1);   /* phi; gd has no state */
  rig_close(&r);
}
END_TEST

/* Cautious(sgd with momentum): the result equals a separately driven inner
 * optimizer's proposal, masked and rescaled as documented, and the mask does
 * trigger (momentum overshoots on Rosenbrock). The last two variants carry
 * the wrapper's weight decay, which the paper's C-AdamW applies outside the
 * mask: every coordinate also moves by -lr wd x_old (lr: the inner's). */
START_TEST(test_cautious_rule)
{
  static const char *const scales[] = { "mean", "numel", "none", "numel", "none" };
  static const double wds[] = { 0, 0, 0, 0.2, 0.5 };
  for (int v = 0; v < 5; v++) {
    const int k = v < 3 ? v : (v == 3 ? 1 : 2);
    const double wd = wds[v];
    char spec[256];
    snprintf(spec, sizeof spec, "{\"type\": \"cautious\", \"scale\": \"%s\", \"weight_decay\": %g, \"inner\": {\"type\": "
             "\"sgd\", \"lr\": 0.0005, \"momentum\": 0.9}}", scales[v], wd);
    rig c, s;
    rig_open(&c, spec, 0, "rosenbrock", "{\"dim\": 8}");
    rig_open(&s, "{\"type\": \"sgd\", \"lr\": 0.0005, \"momentum\": 0.9}", 0, "rosenbrock", "{\"dim\": 8}");
    ck_assert_uint_eq(c.opt->nvec, 2);   /* xs + the momentum buffer */
    const size_t n = c.n;
    long long masked_total = 0;
    for (int t = 1; t <= 60; t++) {
      memcpy(s.x, c.x, n * sizeof *s.x);
      rig_step(&s);                       /* inner proposal from the same x and state */
      double want[8];
      size_t keep = 0;
      for (size_t i = 0; i < n; i++) keep += (s.x[i] - c.x[i]) * s.g[i] < 0.0;
      double scale = k == 0 ? 1.0 / fmax((double)keep / (double)n, 1e-3) : k == 1 ? (double)n / (double)(keep + 1) : 1.0;
      for (size_t i = 0; i < n; i++) {
        double d = s.x[i] - c.x[i];
        want[i] = d * s.g[i] < 0.0 ? (scale == 1.0 ? s.x[i] : c.x[i] + scale * d) : c.x[i];
        if (wd != 0.0) want[i] = want[i] - 0.0005 * wd * c.x[i];
      }
      masked_total += (long long)(n - keep);
      rig_step(&c);
      for (size_t i = 0; i < n; i++)
        ck_assert_msg(c.x[i] == want[i], "scale %s step %d x[%zu]: %.17g, want %.17g", scales[k], t, i, c.x[i], want[i]);
    }
    ck_assert_msg(masked_total > 0, "scale %s: the mask never triggered, the test proves nothing", scales[k]);
    rig_close(&c);
    rig_close(&s);
  }
}
END_TEST

/* Fast Forward(gd, interval 2) against a hand-written loop on f itself. */
START_TEST(test_fast_forward_rule)
{
  rig r;
  rig_open(&r, "{\"type\": \"fast_forward\", \"interval\": 2, \"inner\": {\"type\": \"gd\", \"lr\": 0.01}}", 0,
           "quadratic", "{\"dim\": 5, \"condition\": 20}");
  const size_t n = r.n;
  double x[5], xp[5], d[5], xt[5], g[5], f0, f1;
  long long fevals = 0, repeats = 0;
  memcpy(x, r.x, sizeof x);
  for (int t = 1; t <= 20; t++) {
    memcpy(xp, x, sizeof xp);
    ck_assert_int_eq(r.prob->type->eval(r.prob->state, x, &f0, g, &r.err), OB_OK);
    for (size_t i = 0; i < n; i++) x[i] = x[i] + -0.01 * g[i];
    if (t % 2 == 0) {
      for (size_t i = 0; i < n; i++) d[i] = x[i] - xp[i];
      ck_assert_int_eq(r.prob->type->eval(r.prob->state, x, &f0, NULL, &r.err), OB_OK);
      fevals++;
      for (;;) {
        for (size_t i = 0; i < n; i++) xt[i] = x[i] + d[i];
        ck_assert_int_eq(r.prob->type->eval(r.prob->state, xt, &f1, NULL, &r.err), OB_OK);
        fevals++;
        if (!(f1 < f0)) break;
        f0 = f1;
        memcpy(x, xt, sizeof x);
        repeats++;
      }
    }
    rig_step(&r);
    for (size_t i = 0; i < n; i++)
      ck_assert_msg(r.x[i] == x[i], "step %d x[%zu]: %.17g, want %.17g", t, i, r.x[i], x[i]);
  }
  ck_assert_msg(repeats > 0, "no Fast Forward repetition was accepted: the test proves nothing");
  ck_assert_int_eq((long long)r.orc.n_f, fevals);       /* stage evaluations are counted */
  ck_assert_int_eq((long long)r.orc.n_grad, 20);
  rig_close(&r);
}
END_TEST

/* Every element-wise optimizer of the registry inside lookahead and inside
 * cautious converges on a quadratic (n = 10, condition 10, f* = 0). Settings:
 * lr = 0.05 for gd/sgd (1/L = 0.1), 0.1 for adagrad, 0.01 for the other
 * baselines of check_optimizers.c; any other type runs with its defaults, so a
 * newly registered optimizer is covered without editing this table. Within
 * 3000 steps the composition must reach f - f* <= 1e-3 (f(x0) - f*), or, for
 * a type that is itself slow on this problem with those settings
 * (parameter-free or sign methods at their defaults), come within a factor 10
 * of what the inner optimizer alone reaches in the same steps -- in half as
 * many for lookahead, whose slow weights advance alpha = 0.5 of the inner
 * progress: the wrapper must not break convergence. */
static const struct { const char *name; double lr; } comp_lr[] = {
  { "gd", 0.05 }, { "sgd", 0.05 }, { "adagrad", 0.1 }, { "adam", 0.01 }, { "adamw", 0.01 },
  { "rmsprop", 0.01 }, { "nadam", 0.01 }, { "radam", 0.01 }, { "adamax", 0.01 },
};

static double run_gap(const char *spec, int steps, double *gap0)
{
  rig r;
  rig_open(&r, spec, steps, "quadratic", "{\"dim\": 10, \"condition\": 10}");
  *gap0 = rig_f(&r) - r.prob->f_opt;
  for (int k = 0; k < steps; k++) rig_step(&r);
  const double gap = rig_f(&r) - r.prob->f_opt;
  rig_close(&r);
  return gap;
}

START_TEST(test_compositions_converge)
{
  const ob_optimizer_type *t = nth_elementwise(_i / 2);
  ck_assert_ptr_nonnull(t);
  const char *wrapper = _i % 2 ? "cautious" : "lookahead";
  char inner[128], spec[256];
  snprintf(inner, sizeof inner, "{\"type\": \"%s\"}", t->name);
  for (size_t k = 0; k < sizeof comp_lr / sizeof comp_lr[0]; k++)
    if (strcmp(comp_lr[k].name, t->name) == 0)
      snprintf(inner, sizeof inner, "{\"type\": \"%s\", \"lr\": %g}", t->name, comp_lr[k].lr);
  snprintf(spec, sizeof spec, "{\"type\": \"%s\", \"inner\": %s}", wrapper, inner);
  double gap0, gap0b;
  const double gap = run_gap(spec, 3000, &gap0);
  ck_assert(gap0 > 0);
  const double alone = run_gap(inner, _i % 2 ? 3000 : 1500, &gap0b);
  if (getenv("OB_TEST_VERBOSE")) printf("%s: gap %.3g (alone %.3g) of %.3g\n", spec, gap, alone, gap0);
  ck_assert_msg(isfinite(gap), "%s: f is not finite after 3000 steps", spec);
  ck_assert_msg(gap <= 1e-3 * gap0 || gap <= 10 * alone,
                "%s: f - f* = %.3g after 3000 steps, want <= %.3g (or <= 10 x %.3g, the inner alone)", spec, gap,
                1e-3 * gap0, alone);
}
END_TEST

/* ---- GSL baselines ---------------------------------------------------------------------- */

static const struct { const char *name, *gsl; int fdf; double tol; } gsl_cases[] = {
  { "gsl_bfgs2", "vector_bfgs2", 1, 0.1 },
  { "gsl_cg_fr", "conjugate_fr", 1, 1e-4 },
  { "gsl_cg_pr", "conjugate_pr", 1, 1e-4 },
  { "gsl_steepest", "steepest_descent", 1, 0.1 },
  { "gsl_nm", "nmsimplex2", 0, 0 },
};
#define N_GSL (sizeof gsl_cases / sizeof gsl_cases[0])

/* Each GSL baseline reaches the Rosenbrock minimum (n = 2, x0 = (-1.2, 1)). */
START_TEST(test_gsl_rosenbrock)
{
  char spec[128];
  snprintf(spec, sizeof spec, "{\"type\": \"%s\"}", gsl_cases[_i].name);
  rig r;
  rig_open(&r, spec, 0, "rosenbrock", "{\"dim\": 2}");
  const int budget = 200000;
  int steps = 0, rc = OB_OK;
  double gap = INFINITY;
  while (steps < budget && rc == OB_OK) {
    rc = rig_step(&r);
    steps++;
    gap = rig_f(&r) - r.prob->f_opt;
    if (gap <= 1e-10) break;
  }
  if (getenv("OB_TEST_VERBOSE"))
    printf("%s: gap %.3g after %d steps (rc %d), %llu f, %llu grad\n", spec, gap, steps, rc,
           (unsigned long long)r.orc.n_f, (unsigned long long)r.orc.n_grad);
  ck_assert_msg(gap <= 1e-10, "%s: f - f* = %.3g after %d steps (%s)", spec, gap, steps,
                rc == OB_STALLED ? r.err.text : "budget");
  ck_assert_msg(fabs(r.x[0] - 1.0) < 1e-4 && fabs(r.x[1] - 1.0) < 1e-4, "%s: x = (%g, %g)", spec, r.x[0], r.x[1]);
  if (!gsl_cases[_i].fdf) ck_assert_int_eq(r.orc.n_grad, 0);   /* Nelder-Mead is f only */
  rig_close(&r);
}
END_TEST

/* Direct GSL reference: the same problem's eval, called by GSL without the
 * optbench adapter or oracle, counted here. */
typedef struct { ob_problem *p; unsigned long nf, ng; } gref;

static double gref_f(const gsl_vector *x, void *vp)
{
  gref *r = vp;
  double f;
  r->nf++;
  r->p->type->eval(r->p->state, x->data, &f, NULL, NULL);
  return f;
}

static void gref_df(const gsl_vector *x, void *vp, gsl_vector *g)
{
  gref *r = vp;
  double f;
  r->ng++;
  r->p->type->eval(r->p->state, x->data, &f, g->data, NULL);
}

static void gref_fdf(const gsl_vector *x, void *vp, double *f, gsl_vector *g)
{
  gref *r = vp;
  r->nf++;
  r->ng++;
  r->p->type->eval(r->p->state, x->data, f, g->data, NULL);
}

/* On a 4-d Rosenbrock: iterate directly with GSL until the gradient test
 * (1e-6) passes, GSL reports no progress, or the simplex size falls to
 * 1e-12 (gsl_nm's size_tol), and require the driver to
 * need exactly as many steps, with the same iterates and evaluation counts. */
START_TEST(test_gsl_equals_direct)
{
  char spec[128];
  snprintf(spec, sizeof spec, "{\"type\": \"%s\"}", gsl_cases[_i].name);
  rig r;
  rig_open(&r, spec, 0, "rosenbrock", "{\"dim\": 4}");
  const size_t n = r.n;
  gref ref = { r.prob, 0, 0 };
  gsl_vector *x0 = gsl_vector_alloc(n), *ss = gsl_vector_alloc(n);
  memcpy(x0->data, r.prob->x0, n * sizeof(double));
  gsl_multimin_fdfminimizer *fdf = NULL;
  gsl_multimin_fminimizer *fm = NULL;
  gsl_multimin_function_fdf ffdf = { gref_f, gref_df, gref_fdf, n, &ref };
  gsl_multimin_function ff = { gref_f, n, &ref };
  const gsl_multimin_fdfminimizer_type *ft[] = { gsl_multimin_fdfminimizer_vector_bfgs2,
    gsl_multimin_fdfminimizer_conjugate_fr, gsl_multimin_fdfminimizer_conjugate_pr,
    gsl_multimin_fdfminimizer_steepest_descent };
  if (gsl_cases[_i].fdf) {
    fdf = gsl_multimin_fdfminimizer_alloc(ft[_i], n);
    ck_assert_int_eq(gsl_multimin_fdfminimizer_set(fdf, &ffdf, x0, 0.01, gsl_cases[_i].tol), GSL_SUCCESS);
    ck_assert_str_eq(gsl_multimin_fdfminimizer_name(fdf), gsl_cases[_i].gsl);
  } else {
    fm = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, n);
    gsl_vector_set_all(ss, 0.1);
    ck_assert_int_eq(gsl_multimin_fminimizer_set(fm, &ff, x0, ss), GSL_SUCCESS);
  }
  int iters = 0, status = GSL_SUCCESS;
  const int cap = 20000;
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  while (iters < cap) {
    status = fdf ? gsl_multimin_fdfminimizer_iterate(fdf) : gsl_multimin_fminimizer_iterate(fm);
    iters++;
    if (status) break;
    int done = fdf ? gsl_multimin_test_gradient(gsl_multimin_fdfminimizer_gradient(fdf), 1e-6) == GSL_SUCCESS
                   : !(gsl_multimin_fminimizer_size(fm) > 1e-12);   /* gsl_nm's default size_tol */
    if (done) break;
  }
  gsl_set_error_handler(old);
  ck_assert_msg(iters < cap, "%s: the direct GSL run did not finish", spec);
  /* the driver, same stopping rule (for NM: the same number of iterations) */
  int steps = 0, rc = OB_OK;
  while (steps < iters) {
    rc = ob_optimizer_step(r.opt, &r.orc, r.x, r.g, &r.err);
    steps++;
    if (rc != OB_OK) break;
    if (fdf && gsl_multimin_test_gradient(&(gsl_vector){ .size = n, .stride = 1, .data = r.g }, 1e-6) == GSL_SUCCESS)
      break;
  }
  if (getenv("OB_TEST_VERBOSE"))
    printf("%s: direct GSL %d iterations (status %d), %lu f, %lu grad; driver %d steps\n", spec, iters, status,
           ref.nf, ref.ng, steps);
  fflush(stdout);
  ck_assert_msg(steps == iters, "%s: driver took %d steps, GSL %d", spec, steps, iters);
  /* GSL's "no progress" is the driver's stalled; for the simplex, so is size <= size_tol */
  ck_assert_int_eq(rc == OB_STALLED, fdf ? status == GSL_ENOPROG : 1);
  const double *xr = fdf ? gsl_multimin_fdfminimizer_x(fdf)->data : gsl_multimin_fminimizer_x(fm)->data;
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(r.x[i] == xr[i], "%s: x[%zu] = %.17g, GSL %.17g", spec, i, r.x[i], xr[i]);
  ck_assert_msg(r.orc.n_f == ref.nf && r.orc.n_grad == ref.ng, "%s: oracle counted %llu f / %llu grad, GSL made %lu / %lu",
                spec, (unsigned long long)r.orc.n_f, (unsigned long long)r.orc.n_grad, ref.nf, ref.ng);
  if (fdf) gsl_multimin_fdfminimizer_free(fdf);
  if (fm) gsl_multimin_fminimizer_free(fm);
  gsl_vector_free(x0);
  gsl_vector_free(ss);
  rig_close(&r);
}
END_TEST

/* Nelder-Mead is sequential GSL code: 1 and 2 threads give the same iterates. */
START_TEST(test_gsl_nm_threads)
{
  double x1[10];
  for (int threads = 1; threads <= 2; threads++) {
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    rig r;
    rig_open(&r, "{\"type\": \"gsl_nm\"}", 0, "rosenbrock", "{\"dim\": 10}");
    for (int k = 0; k < 300; k++) rig_step(&r);
    if (threads == 1) memcpy(x1, r.x, sizeof x1);
    else
      for (size_t i = 0; i < 10; i++) ck_assert_msg(memcmp(&x1[i], &r.x[i], sizeof(double)) == 0, "x[%zu] differs", i);
    rig_close(&r);
  }
}
END_TEST

/* ---- torch.optim.lr_scheduler reference ------------------------------------------------ */

static json_t *sched_ref;

static void sched_ref_load(void)
{
  char path[1024];
  json_error_t je;
  sched_ref = json_load_file(ob_test_srcpath(path, sizeof path, "tests/reference/torch_sched_reference.json"), 0, &je);
}

START_TEST(test_torch_schedule_loaded)
{
  ck_assert_msg(sched_ref != NULL, "tests/reference/torch_sched_reference.json could not be read (top_srcdir=%s)",
                getenv("top_srcdir") ? getenv("top_srcdir") : "unset");
  ck_assert_uint_ge(json_array_size(json_object_get(sched_ref, "cases")), 2);
}
END_TEST

/* Replays one case: the optimizer with its suite schedule on the reference's
 * quadratic, iterates compared to torch's at the case's tolerance. */
START_TEST(test_torch_schedule)
{
  const json_t *c = json_array_get(json_object_get(sched_ref, "cases"), (size_t)_i);
  const char *name = json_string_value(json_object_get(c, "name"));
  char *ospec = json_dumps(json_object_get(c, "optimizer"), JSON_COMPACT);
  char *pspec = json_dumps(json_object_get(c, "problem"), JSON_COMPACT);
  const double tol = json_number_value(json_object_get(c, "rel_tol"));
  const json_t *traj = json_object_get(c, "x");
  rig r;
  rig_open(&r, ospec, json_integer_value(json_object_get(c, "max_steps")), "quadratic", pspec);
  ck_assert_uint_eq(json_array_size(json_object_get(c, "x0")), r.n);
  for (size_t i = 0; i < r.n; i++) r.x[i] = json_number_value(json_array_get(json_object_get(c, "x0"), i));
  double worst = 0;
  for (size_t t = 0; t < json_array_size(traj); t++) {
    rig_step(&r);
    const json_t *xt = json_array_get(traj, t);
    for (size_t i = 0; i < r.n; i++) {
      double want = json_number_value(json_array_get(xt, i));
      double dev = fabs(r.x[i] - want) / fmax(fabs(want), 1e-300);
      if (dev > worst) worst = dev;
      ck_assert_msg(dev <= tol, "%s: step %zu x[%zu] = %.17g, torch %.17g (rel %.3g > %g)", name, t + 1, i, r.x[i],
                    want, dev, tol);
    }
  }
  if (getenv("OB_TEST_VERBOSE")) printf("%s: worst relative deviation %.3g\n", name, worst);
  free(ospec);
  free(pspec);
  rig_close(&r);
}
END_TEST

/* ---- suite ------------------------------------------------------------------------------ */

Suite *make_wrappers_suite(void)
{
  Suite *s = suite_create("wrappers");
  TCase *tc = tcase_create("schedule");
  tcase_add_loop_test(tc, test_schedule_factors, 0, (int)N_SCHED);
  tcase_add_test(tc, test_driver_sets_lr_scale);
  tcase_add_loop_test(tc, test_suite_rejects, 0, (int)N_REJECTS);
  tcase_add_test(tc, test_suite_normalizes);
  tcase_add_test(tc, test_runner_stalled);
  suite_add_tcase(s, tc);

  sched_ref_load();
  tc = tcase_create("torch_schedule");
  tcase_add_test(tc, test_torch_schedule_loaded);
  if (sched_ref) tcase_add_loop_test(tc, test_torch_schedule, 0, (int)json_array_size(json_object_get(sched_ref, "cases")));
  suite_add_tcase(s, tc);

  tc = tcase_create("wrappers");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_lookahead_alpha1_is_inner, 0, n_elementwise());
  tcase_add_test(tc, test_wrappers_equal_inner);
  tcase_add_test(tc, test_lookahead_rule);
  tcase_add_test(tc, test_cautious_rule);
  tcase_add_test(tc, test_fast_forward_rule);
  tcase_add_loop_test(tc, test_compositions_converge, 0, 2 * n_elementwise());
  suite_add_tcase(s, tc);

  tc = tcase_create("gsl");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_gsl_rosenbrock, 0, (int)N_GSL);
  tcase_add_loop_test(tc, test_gsl_equals_direct, 0, (int)N_GSL);
  tcase_add_test(tc, test_gsl_nm_threads);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  int rc = ob_test_main(make_wrappers_suite());
  json_decref(sched_ref);
  return rc;
}
