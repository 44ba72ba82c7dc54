/* check_core.c -- the bench core: parameter tables, suite loading and grid
 * expansion, the runner's statuses, budgets, targets and trace, JSON output of
 * non-finite numbers, atomic writes and the journal.
 *
 * Suites are built in memory with json_pack so each test states its input next
 * to its assertions. Runner tests use the real registry; the stalled and error
 * statuses use small test-local optimizer types swapped into a loaded suite.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/journal.h"
#include "bench/ob_fs.h"
#include "bench/ob_json.h"
#include "bench/ob_params.h"
#include "bench/results.h"
#include "bench/runner.h"
#include "bench/suite.h"
#include "tests/testutil.h"

/* ---- helpers -------------------------------------------------------------- */

static ob_suite *load_text(const char *text, ob_error *err)
{
  json_error_t je;
  json_t *root = json_loads(text, 0, &je);
  ck_assert_msg(root != NULL, "test suite is not JSON: %s", je.text);
  ob_suite *s = NULL;
  ob_error_clear(err);
  ob_suite_from_json(root, "mem/suite.json", &s, err);
  json_decref(root);
  return s;
}

static ob_suite *load_ok(const char *text)
{
  ob_error err;
  ob_suite *s = load_text(text, &err);
  char msg[2048];
  ob_error_format(&err, msg, sizeof msg);
  ck_assert_msg(s != NULL, "suite rejected: %s", msg);
  return s;
}

static void load_fails(const char *text, int code, const char *path, const char *needle)
{
  ob_error err;
  ob_suite *s = load_text(text, &err);
  char msg[2048];
  ob_error_format(&err, msg, sizeof msg);
  ck_assert_msg(s == NULL, "suite accepted, expected an error at %s", path);
  ck_assert_int_eq(err.code, code);
  ck_assert_str_eq(err.path, path);
  ck_assert_msg(strstr(err.text, needle) != NULL, "message '%s' lacks '%s'", msg, needle);
  ck_assert_str_eq(err.source, "mem/suite.json");
}

static json_t *run_cell(const ob_suite *s, size_t i)
{
  json_t *rec = NULL;
  ck_assert_int_eq(ob_runner_cell(s, i, NULL, &rec), OB_OK);
  ck_assert_ptr_nonnull(rec);
  return rec;
}

static const char *status_of(const json_t *rec)
{
  return json_string_value(json_object_get(rec, "status"));
}

/* ---- parameter tables ----------------------------------------------------- */

static const ob_param_spec specs[] = {
  { "lr", OB_PARAM_REAL, "0.1", 0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL, "step" },
  { "k", OB_PARAM_INT, "3", 1, 10, 0, NULL, NULL, "count" },
  { "mode", OB_PARAM_STRING, "\"a\"", 0, 0, 0, "a|bb|c", NULL, "mode" },
  { "flag", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, NULL, "flag" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

START_TEST(test_params_defaults)
{
  json_t *given = json_pack("{s:s, s:f}", "type", "x", "lr", 0.5), *out;
  const char *const skip[] = { "type", NULL };
  ob_error err;
  ck_assert_int_eq(ob_params_normalize(specs, given, skip, "optimizers[0]", &out, &err), OB_OK);
  ck_assert_double_eq(ob_params_real(out, "lr"), 0.5);
  ck_assert_int_eq(ob_params_int(out, "k"), 3);
  ck_assert_str_eq(ob_params_string(out, "mode"), "a");
  ck_assert(!ob_params_bool(out, "flag"));
  ck_assert_ptr_null(json_object_get(out, "type"));
  json_decref(out);
  json_decref(given);
}
END_TEST

START_TEST(test_params_errors)
{
  static const struct { const char *json, *path, *needle; } cases[] = {
    { "{\"lr\": 0}", "o.lr", "out of range: expected a value in (0, inf)" },
    { "{\"lr\": \"x\"}", "o.lr", "expected a number, got a string" },
    { "{\"k\": 2.5}", "o.k", "expected an integer, got 2.5" },
    { "{\"k\": 11}", "o.k", "expected a value in [1, 10]" },
    { "{\"mode\": \"d\"}", "o.mode", "'d' is not one of: a,bb,c" },
    { "{\"flag\": 1}", "o.flag", "expected true or false" },
    { "{\"lrr\": 1}", "o.lrr", "did you mean 'lr'?" },
    { "{\"zzzzzz\": 1}", "o.zzzzzz", "valid keys: lr, k, mode, flag" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_t *given = json_loads(cases[i].json, 0, NULL), *out = NULL;
    ob_error err;
    ob_error_clear(&err);
    ck_assert_int_eq(ob_params_normalize(specs, given, NULL, "o", &out, &err), OB_EINVAL);
    ck_assert_ptr_null(out);
    ck_assert_str_eq(err.path, cases[i].path);
    ck_assert_msg(strstr(err.text, cases[i].needle), "case %zu: '%s' lacks '%s'", i, err.text, cases[i].needle);
    json_decref(given);
  }
}
END_TEST

START_TEST(test_did_you_mean)
{
  const char *const words[] = { "optimizers", "problems", "seeds", "threads", NULL };
  ck_assert_str_eq(ob_did_you_mean("optimisers", words), "optimizers");
  ck_assert_str_eq(ob_did_you_mean("seed", words), "seeds");
  ck_assert_ptr_null(ob_did_you_mean("banana", words));
}
END_TEST

/* ---- suite loading and expansion ------------------------------------------ */

START_TEST(test_suite_defaults)
{
  ob_suite *s = load_ok("{\"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"gd\"}]}");
  ck_assert_str_eq(s->name, "suite");
  ck_assert_uint_eq(s->nseeds, 1);
  ck_assert_uint_eq(s->seeds[0], 0);
  ck_assert_uint_eq(s->nthreads, 1);
  ck_assert_int_eq(s->threads[0], 1);
  ck_assert_uint_eq(s->nplacements, 1);
  ck_assert_str_eq(ob_placement_name(s->placements[0]), "local");
  ck_assert_int_eq(s->max_steps, 1000);
  ck_assert(s->stop_at_target);
  ck_assert_uint_eq(s->ntargets, 8);
  ck_assert_uint_eq(s->ncells, 1);
  ck_assert_str_eq(s->cells[0].id, "rosenbrock/gd/local/t1/s0");
  /* the normalized suite has every default spelled out */
  json_t *n = s->normalized;
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(n, "budget"), "max_steps")), 1000);
  json_t *p0 = json_array_get(json_object_get(n, "problems"), 0);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(p0, "params"), "dim")), 2);
  ck_assert(json_is_null(json_object_get(json_object_get(p0, "params"), "x0")));
  ob_suite_free(s);
}
END_TEST

START_TEST(test_suite_grid)
{
  ob_suite *s = load_ok("{\"name\": \"g\", \"seeds\": [3, 1], \"threads\": [1, 2],"
                        " \"placements\": [\"local\", {\"name\": \"far\", \"state\": \"node:1\"}],"
                        " \"problems\": [{\"type\": \"rosenbrock\", \"dim\": [2, 10]},"
                        "                {\"type\": \"quadratic\", \"dim\": 4, \"x0\": [1, 2, 3, 4]}],"
                        " \"optimizers\": [{\"type\": \"sgd\", \"lr\": [0.01, 0.1], \"momentum\": 0.9},"
                        "                  {\"type\": \"adam\", \"id\": \"myadam\", \"beta1\": [0.8, 0.9]}]}");
  ck_assert_uint_eq(s->nproblems, 3);
  ck_assert_uint_eq(s->noptimizers, 4);
  ck_assert_uint_eq(s->ncells, 3 * 4 * 2 * 2 * 2);
  ck_assert_str_eq(s->problems[0].id, "rosenbrock-d2");
  ck_assert_str_eq(s->problems[1].id, "rosenbrock-d10");
  ck_assert_uint_eq(s->problems[1].n, 10);
  ck_assert_str_eq(s->problems[2].id, "quadratic-d4");   /* x0 is a vector: never in the id, never a grid */
  ck_assert_str_eq(s->optimizers[0].id, "sgd-lr0.01-mom0.9");
  ck_assert_str_eq(s->optimizers[1].id, "sgd-lr0.1-mom0.9");
  ck_assert_str_eq(s->optimizers[2].id, "myadam-b10.8");   /* explicit id + grid keys */
  ck_assert_str_eq(s->optimizers[3].id, "myadam-b10.9");
  /* order: problem, optimizer, placement, threads, seed (seeds as given) */
  ck_assert_str_eq(s->cells[0].id, "rosenbrock-d2/sgd-lr0.01-mom0.9/local/t1/s3");
  ck_assert_str_eq(s->cells[1].id, "rosenbrock-d2/sgd-lr0.01-mom0.9/local/t1/s1");
  ck_assert_str_eq(s->cells[2].id, "rosenbrock-d2/sgd-lr0.01-mom0.9/local/t2/s3");
  ck_assert_str_eq(s->cells[4].id, "rosenbrock-d2/sgd-lr0.01-mom0.9/far/t1/s3");
  ck_assert_int_eq(json_integer_value(json_object_get(s->normalized, "cells")), (json_int_t)s->ncells);
  /* ids are unique */
  for (size_t i = 0; i < s->ncells; i++)
    for (size_t j = 0; j < i; j++) ck_assert_str_ne(s->cells[i].id, s->cells[j].id);
  ob_suite_free(s);
}
END_TEST

START_TEST(test_suite_errors)
{
  load_fails("{\"problems\": [{\"type\": \"rosenbrock\"}]}", OB_EINVAL, "", "missing required key 'optimizers'");
  load_fails("{\"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"gd\"}], \"seed\": 1}",
             OB_EINVAL, "seed", "did you mean 'seeds'?");
  load_fails("{\"problems\": [{\"type\": \"rosenbrok\"}], \"optimizers\": [{\"type\": \"gd\"}]}", OB_EINVAL,
             "problems[0].type", "unknown problem 'rosenbrok' (did you mean 'rosenbrock'?)");
  load_fails("{\"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"gd\", \"lr\": [0.1, -1]}]}",
             OB_EINVAL, "optimizers[0].lr[1]", "out of range");
  load_fails("{\"problems\": [{\"type\": \"rosenbrock\", \"x0\": [1, 2, 3]}], \"optimizers\": [{\"type\": \"gd\"}]}",
             OB_EINVAL, "problems[0].x0", "has 3 entries but the problem has dimension 2");
  load_fails("{\"problems\": [{\"type\": \"rosenbrock\"}, {\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"gd\"}]}",
             OB_EINVAL, "problems[1]", "give one of them an explicit \"id\"");
  load_fails("{\"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"gd\"}], \"placements\": [\"lokal\"]}",
             OB_EINVAL, "placements[0]", "did you mean 'local'?");
  load_fails("{\"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"gd\"}],"
             " \"budget\": {\"max_steps\": null}}", OB_EINVAL, "budget", "would never end");
  load_fails("{\"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"sgd\", \"nesterov\": true}]}",
             OB_EINVAL, "optimizers[0].nesterov", "nesterov");
}
END_TEST

START_TEST(test_suite_threads_override)
{
  ob_suite *s = load_ok("{\"threads\": [1, 2], \"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"gd\"}]}");
  ck_assert_uint_eq(s->ncells, 2);
  ob_error err;
  ck_assert_int_eq(ob_suite_override_threads(s, 4, &err), OB_OK);
  ck_assert_uint_eq(s->ncells, 1);
  ck_assert_str_eq(s->cells[0].id, "rosenbrock/gd/local/t4/s0");
  ob_suite_free(s);
}
END_TEST

/* ---- runner ----------------------------------------------------------------- */

START_TEST(test_run_target_reached)
{
  ob_suite *s = load_ok("{\"budget\": {\"max_steps\": 5000}, \"targets\": {\"f_gap\": [1e-8, 1e-2, 1e-4]},"
                        " \"problems\": [{\"type\": \"quadratic\", \"dim\": 6, \"condition\": 10}],"
                        " \"optimizers\": [{\"type\": \"gd\", \"lr\": 0.1}]}");
  json_t *rec = run_cell(s, 0);
  ck_assert_str_eq(status_of(rec), "target_reached");
  ck_assert(json_is_null(json_object_get(rec, "reason")));
  long long steps = json_integer_value(json_object_get(rec, "steps"));
  json_t *tg = json_object_get(rec, "targets");
  ck_assert_uint_eq(json_array_size(tg), 3);
  long long prev = 0;
  for (size_t i = 0; i < 3; i++) {      /* sorted from easy to hard, first hits non-decreasing */
    json_t *t = json_array_get(tg, i);
    long long hit = json_integer_value(json_object_get(t, "steps"));
    ck_assert(hit >= prev && hit <= steps);
    ck_assert_int_eq(json_integer_value(json_object_get(t, "evals")), hit);   /* gd: one gradient per step */
    prev = hit;
  }
  ck_assert_int_eq(prev, steps);
  ck_assert_double_le(json_real_value(json_object_get(json_object_get(rec, "final"), "f_gap")), 1e-8);
  /* the oracle counts what the optimizer asked for, nothing measured on the side */
  json_t *ev = json_object_get(rec, "evals");
  ck_assert_int_eq(json_integer_value(json_object_get(ev, "grad")), steps);
  ck_assert_int_eq(json_integer_value(json_object_get(ev, "f")), 0);
  /* trace: starts at 0, strictly increasing, ends at the last step */
  json_t *tr = json_object_get(json_object_get(rec, "trace"), "step");
  ck_assert_int_eq(json_integer_value(json_array_get(tr, 0)), 0);
  for (size_t i = 1; i < json_array_size(tr); i++)
    ck_assert(json_integer_value(json_array_get(tr, i)) > json_integer_value(json_array_get(tr, i - 1)));
  ck_assert_int_eq(json_integer_value(json_array_get(tr, json_array_size(tr) - 1)), steps);
  ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(rec, "final"), "x")), 6);
  json_decref(rec);
  ob_suite_free(s);
}
END_TEST

START_TEST(test_run_max_steps_and_trace_points)
{
  ob_suite *s = load_ok("{\"budget\": {\"max_steps\": 1000}, \"trace\": {\"points\": 10},"
                        " \"problems\": [{\"type\": \"rosenbrock\", \"dim\": 2}],"
                        " \"optimizers\": [{\"type\": \"gd\", \"lr\": 1e-4}]}");
  json_t *rec = run_cell(s, 0);
  ck_assert_str_eq(status_of(rec), "max_steps");
  ck_assert_int_eq(json_integer_value(json_object_get(rec, "steps")), 1000);
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(rec, "reason")), "step budget of 1000 steps"));
  json_t *tr = json_object_get(json_object_get(rec, "trace"), "step");
  /* log-spaced: 0, 1, 2, 5, 10, 22, 46, 100, 215, 464, 1000 (ratio 1000^(1/9)) */
  ck_assert_uint_le(json_array_size(tr), 11);
  ck_assert_int_eq(json_integer_value(json_array_get(tr, json_array_size(tr) - 1)), 1000);
  ck_assert_int_eq(json_integer_value(json_array_get(tr, json_array_size(tr) - 2)), 464);
  json_decref(rec);
  ob_suite_free(s);
}
END_TEST

START_TEST(test_run_max_seconds)
{
  ob_suite *s = load_ok("{\"budget\": {\"max_steps\": null, \"max_seconds\": 0.02},"
                        " \"problems\": [{\"type\": \"rosenbrock\", \"dim\": 1000}],"
                        " \"optimizers\": [{\"type\": \"gd\", \"lr\": 1e-5}]}");
  json_t *rec = run_cell(s, 0);
  ck_assert_str_eq(status_of(rec), "max_seconds");
  ck_assert_double_ge(json_real_value(json_object_get(json_object_get(rec, "time"), "total_s")), 0.02);
  json_decref(rec);
  ob_suite_free(s);
}
END_TEST

START_TEST(test_run_diverged_is_a_result)
{
  ob_suite *s = load_ok("{\"problems\": [{\"type\": \"quadratic\", \"dim\": 4, \"condition\": 100}],"
                        " \"optimizers\": [{\"type\": \"gd\", \"lr\": 100}]}");
  json_t *rec = run_cell(s, 0);
  ck_assert_str_eq(status_of(rec), "diverged");
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(rec, "reason")), "not finite"));
  json_t *fin = json_object_get(rec, "final");
  ck_assert(json_is_null(json_object_get(fin, "f")));
  /* the record serializes without NaN or Infinity */
  char *text = json_dumps(rec, OB_JSON_LINE_FLAGS);
  ck_assert_ptr_nonnull(text);
  ck_assert_ptr_null(strstr(text, "nan"));
  ck_assert_ptr_null(strstr(text, "inf"));
  ck_assert_ptr_null(strstr(text, "NaN"));
  free(text);
  json_decref(rec);
  ob_suite_free(s);
}
END_TEST

START_TEST(test_run_skipped_placement)
{
  ob_suite *s = load_ok("{\"placements\": [\"node:63\", \"weighted:63=3\"],"
                        " \"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"adam\"}]}");
  for (size_t i = 0; i < 2; i++) {
    json_t *rec = run_cell(s, i);
    ck_assert_str_eq(status_of(rec), "skipped");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(rec, "reason")), "placement unavailable"));
    ck_assert_int_eq(json_integer_value(json_object_get(rec, "steps")), 0);
    json_decref(rec);
  }
  ob_suite_free(s);
}
END_TEST

/* A test-local optimizer that stalls at step 3, and one that fails at step 2. */
typedef struct { int t; } toy_state;
static int stall_step(void *st, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  toy_state *s = st;
  ck_assert_int_eq(ctx->t, s->t + 1);
  ck_assert(ctx->lr_scale == 1.0);
  (void)x;
  ob_oracle_eval(o, x, NULL, g, err);
  if (++s->t == 3) return ob_error_set(err, OB_STALLED, "line search made no progress");
  return OB_OK;
}
static int fail_step(void *st, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  toy_state *s = st;
  (void)ctx; (void)o; (void)x; (void)g;
  if (++s->t == 2) return ob_error_set(err, OB_ENUMERIC, "matrix not positive definite");
  return OB_OK;
}
static const ob_param_spec no_params[] = { { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL } };
static const ob_optimizer_type stall_type = { .name = "stall", .summary = "test", .reference = "test",
  .params = no_params, .state_size = sizeof(toy_state), .needs = OB_NEEDS_GRAD, .step = stall_step };
static const ob_optimizer_type fail_type = { .name = "fail", .summary = "test", .reference = "test",
  .params = no_params, .state_size = sizeof(toy_state), .needs = OB_NEEDS_GRAD, .step = fail_step };
static const ob_optimizer_type hvp_type = { .name = "needs_fopt", .summary = "test", .reference = "test",
  .params = no_params, .state_size = sizeof(toy_state), .needs = OB_NEEDS_GRAD | OB_NEEDS_FOPT | OB_NEEDS_HVP,
  .step = stall_step };

START_TEST(test_run_stalled_error_skipped)
{
  ob_suite *s = load_ok("{\"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"gd\"}]}");
  s->optimizers[0].type = &stall_type;
  json_t *rec = run_cell(s, 0);
  ck_assert_str_eq(status_of(rec), "stalled");
  ck_assert_int_eq(json_integer_value(json_object_get(rec, "steps")), 3);
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(rec, "reason")), "line search made no progress"));
  json_decref(rec);
  s->optimizers[0].type = &fail_type;
  rec = run_cell(s, 0);
  ck_assert_str_eq(status_of(rec), "error");
  ck_assert_int_eq(json_integer_value(json_object_get(rec, "steps")), 1);
  ck_assert_str_eq(json_string_value(json_object_get(rec, "reason")), "step 2: matrix not positive definite");
  json_decref(rec);
  s->optimizers[0].type = &hvp_type;   /* rosenbrock provides everything: runs */
  rec = run_cell(s, 0);
  ck_assert_str_eq(status_of(rec), "stalled");
  json_decref(rec);
  s->optimizers[0].type = &stall_type;
  ob_suite_free(s);
}
END_TEST

START_TEST(test_run_interrupted)
{
  ob_suite *s = load_ok("{\"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"gd\"}]}");
  volatile sig_atomic_t stop = 1;
  json_t *rec = NULL;
  ck_assert_int_eq(ob_runner_cell(s, 0, &stop, &rec), OB_RUN_INTERRUPTED);
  ck_assert_ptr_null(rec);
  ob_suite_free(s);
}
END_TEST

/* Placement and thread count change time, never numbers. */
START_TEST(test_run_deterministic_threads)
{
  ob_suite *s = load_ok("{\"threads\": [1, 2], \"budget\": {\"max_steps\": 30}, \"record_x\": true,"
                        " \"placements\": [\"local\", \"interleave\"],"
                        " \"problems\": [{\"type\": \"rastrigin\", \"dim\": 100000}, {\"type\": \"rosenbrock\", \"dim\": 70000}],"
                        " \"optimizers\": [{\"type\": \"adam\", \"lr\": 0.01}, {\"type\": \"sgd\", \"lr\": 1e-4, \"momentum\": 0.9}]}");
  for (size_t base = 0; base < s->ncells; base += 4) {
    json_t *ref = run_cell(s, base);
    for (size_t k = 1; k < 4; k++) {
      json_t *rec = run_cell(s, base + k);
      ck_assert_str_eq(status_of(rec), status_of(ref));
      char *a = json_dumps(json_object_get(json_object_get(ref, "trace"), "f"), OB_JSON_LINE_FLAGS);
      char *b = json_dumps(json_object_get(json_object_get(rec, "trace"), "f"), OB_JSON_LINE_FLAGS);
      ck_assert_msg(strcmp(a, b) == 0, "%s and %s differ", s->cells[base].id, s->cells[base + k].id);
      free(a);
      free(b);
      ck_assert(json_equal(json_object_get(json_object_get(ref, "final"), "x"),
                           json_object_get(json_object_get(rec, "final"), "x")));
      json_decref(rec);
    }
    json_decref(ref);
  }
  ob_suite_free(s);
}
END_TEST

/* Issue 7: the same cell gives bit-identical trajectories under every placement
 * and cpu binding that runs on this machine, with 1 and 2 threads. The bound
 * placements below run on any machine where mempolicy calls work (node 0
 * always exists): a states-far-like object (state bound, the rest local), a
 * 50/50 split of the state, and threads bound to node 0. The far presets
 * themselves are included; on a one-node machine they are skipped, which is
 * accepted for them only. Cell 0 of each (problem, optimizer) block is local
 * with 1 thread, the reference. */
START_TEST(test_run_deterministic_placements)
{
  ob_suite *s = load_ok(
      "{\"threads\": [1, 2], \"budget\": {\"max_steps\": 25}, \"record_x\": true,"
      " \"placements\": [\"local\", \"interleave\", \"node:0\","
      "   {\"name\": \"states-bound\", \"params\": \"local\", \"grads\": \"local\", \"state\": \"node:0\", \"data\": \"local\"},"
      "   {\"name\": \"states-split\", \"state\": {\"split\": {\"local\": 0.5, \"node:0\": 0.5}}},"
      "   {\"name\": \"cpu0\", \"cpu\": \"node:0\"},"
      "   {\"name\": \"cpu0-interleave\", \"params\": \"interleave\", \"grads\": \"interleave\","
      "    \"state\": \"interleave\", \"data\": \"interleave\", \"cpu\": \"node:0\"},"
      "   \"@states-far\", \"@split-50-50\"],"
      " \"problems\": [{\"type\": \"quadratic\", \"dim\": 150000, \"condition\": 100, \"rotate\": false},"
      "              {\"type\": \"rosenbrock\", \"dim\": 70000}],"
      " \"optimizers\": [{\"type\": \"adam\", \"lr\": 0.01}, {\"type\": \"sgd\", \"lr\": 1e-4, \"momentum\": 0.9}]}");
  const size_t block = 9 * 2;   /* placements x thread counts per (problem, optimizer) */
  ck_assert_uint_eq(s->ncells % block, 0);
  for (size_t base = 0; base < s->ncells; base += block) {
    json_t *ref = run_cell(s, base);
    ck_assert_str_eq(status_of(ref), OB_STATUS_MAX_STEPS);
    char *fa = json_dumps(json_object_get(json_object_get(ref, "trace"), "f"), OB_JSON_LINE_FLAGS);
    for (size_t k = 1; k < block; k++) {
      json_t *rec = run_cell(s, base + k);
      const char *id = s->cells[base + k].id;
      if (strcmp(status_of(rec), OB_STATUS_SKIPPED) == 0 &&
          (strstr(id, "/states-far/") || strstr(id, "/split-50-50/"))) {
        json_decref(rec);
        continue;
      }
      ck_assert_msg(strcmp(status_of(rec), status_of(ref)) == 0, "%s: status %s (%s), reference %s", id,
                    status_of(rec), json_string_value(json_object_get(rec, "reason")), status_of(ref));
      char *fb = json_dumps(json_object_get(json_object_get(rec, "trace"), "f"), OB_JSON_LINE_FLAGS);
      ck_assert_msg(strcmp(fa, fb) == 0, "%s and %s differ", s->cells[base].id, id);
      free(fb);
      ck_assert_msg(json_equal(json_object_get(json_object_get(ref, "final"), "x"),
                               json_object_get(json_object_get(rec, "final"), "x")),
                    "%s: final x differs from %s", id, s->cells[base].id);
      json_decref(rec);
    }
    free(fa);
    json_decref(ref);
  }
  ob_suite_free(s);
}
END_TEST

/* ---- JSON and files ---------------------------------------------------------- */

START_TEST(test_json_nonfinite)
{
  json_t *a = ob_json_vec((const double[]){ 1.5, NAN, INFINITY, -INFINITY }, 4);
  char *t = json_dumps(a, JSON_COMPACT);
  ck_assert_str_eq(t, "[1.5,null,null,null]");
  free(t);
  json_decref(a);
  char buf[64];
  ob_json_fmt_double(buf, sizeof buf, 0.001);
  ck_assert_str_eq(buf, "0.001");
  ob_json_fmt_double(buf, sizeof buf, 0.1 + 0.2);
  ck_assert_str_eq(buf, "0.30000000000000004");
}
END_TEST

static int emit_text(FILE *f, void *ctx) { return fputs((const char *)ctx, f) < 0 ? -1 : 0; }
static int emit_fail(FILE *f, void *ctx) { (void)ctx; fputs("partial", f); return -1; }

START_TEST(test_atomic_write)
{
  char dir[] = "/tmp/obtestXXXXXX", path[256], buf[64];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/out.json", dir);
  ob_error err;
  ck_assert_int_eq(ob_fs_write_atomic(path, emit_text, "first\n", &err), OB_OK);
  ck_assert_int_eq(ob_fs_write_atomic(path, emit_fail, NULL, &err), OB_EIO);
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  ck_assert_ptr_nonnull(fgets(buf, sizeof buf, f));
  fclose(f);
  ck_assert_str_eq(buf, "first\n");           /* the failed write left the old file alone */
  char cmd[300];
  snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1", dir);
  ck_assert_int_eq(system(cmd), 0);          /* and no temporary file behind */
  snprintf(path, sizeof path, "%s/missing/out.json", dir);
  ck_assert_int_eq(ob_fs_check_writable(path, 0, &err), OB_ECANTCREAT);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_journal_resume)
{
  char dir[] = "/tmp/obtestXXXXXX", path[256], jp[300];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/r.json", dir);
  ob_journal_path(path, jp, sizeof jp);
  ob_suite *s = load_ok("{\"seeds\": [0, 1, 2], \"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"gd\", \"lr\": 1e-3}]}");
  ob_error err;
  json_t *done;
  ob_journal *j;
  ck_assert_int_eq(ob_journal_open(path, s, 0, &done, &j, &err), OB_OK);
  ck_assert_uint_eq(json_object_size(done), 0);
  json_decref(done);
  for (size_t i = 0; i < 2; i++) {
    json_t *rec = run_cell(s, i);
    ck_assert_int_eq(ob_journal_append(j, rec, &err), OB_OK);
    json_decref(rec);
  }
  ob_journal_close(j, 0);
  /* a torn last line (killed mid-write) is ignored */
  FILE *f = fopen(jp, "a");
  fputs("{\"id\": \"rosenbrock/gd-lr0.001/local/t1/s2\", \"sta", f);
  fclose(f);
  /* a journal is never silently overwritten */
  ck_assert_int_eq(ob_journal_open(path, s, 0, &done, &j, &err), OB_ECANTCREAT);
  ck_assert_int_eq(ob_journal_open(path, s, 1, &done, &j, &err), OB_OK);
  ck_assert_uint_eq(json_object_size(done), 2);
  ck_assert_ptr_nonnull(json_object_get(done, "rosenbrock/gd-lr0.001/local/t1/s0"));
  json_t *rec = run_cell(s, 2);
  ck_assert_int_eq(ob_journal_append(j, rec, &err), OB_OK);
  json_decref(rec);
  json_decref(done);
  ob_journal_close(j, 0);
  ck_assert_int_eq(ob_journal_open(path, s, 1, &done, &j, &err), OB_OK);
  ck_assert_uint_eq(json_object_size(done), 3);
  json_decref(done);
  ob_journal_close(j, 0);
  /* a journal of another suite is refused */
  ob_suite *other = load_ok("{\"problems\": [{\"type\": \"rastrigin\"}], \"optimizers\": [{\"type\": \"gd\"}]}");
  ck_assert_int_eq(ob_journal_open(path, other, 1, &done, &j, &err), OB_EDATA);
  ck_assert_ptr_nonnull(strstr(err.text, "different suite"));
  ob_suite_free(other);
  ob_suite_free(s);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_results_document)
{
  ob_suite *s = load_ok("{\"name\": \"doc\", \"problems\": [{\"type\": \"rosenbrock\"}], \"optimizers\": [{\"type\": \"gd\"}]}");
  json_t *doc = ob_results_new(s, "optbench run doc.json");
  ck_assert_int_eq(json_integer_value(json_object_get(doc, "schema_version")), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "tool"), "name")), "optbench");
  json_t *ctx = json_object_get(doc, "context");
  static const char *const keys[] = { "date", "cpu", "cores", "numa", "kernel", "compiler", "cflags", "libraries",
                                      "thp", "command", NULL };
  for (const char *const *k = keys; *k; k++) ck_assert_msg(json_object_get(ctx, *k) != NULL, "context.%s missing", *k);
  ck_assert_str_eq(json_string_value(json_object_get(ctx, "command")), "optbench run doc.json");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "suite"), "name")), "doc");
  json_decref(doc);
  ob_suite_free(s);
}
END_TEST

static Suite *make_core_suite(void)
{
  Suite *s = suite_create("core");
  TCase *tc = tcase_create("params");
  tcase_add_test(tc, test_params_defaults);
  tcase_add_test(tc, test_params_errors);
  tcase_add_test(tc, test_did_you_mean);
  suite_add_tcase(s, tc);
  tc = tcase_create("suite");
  tcase_add_test(tc, test_suite_defaults);
  tcase_add_test(tc, test_suite_grid);
  tcase_add_test(tc, test_suite_errors);
  tcase_add_test(tc, test_suite_threads_override);
  suite_add_tcase(s, tc);
  tc = tcase_create("runner");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_run_target_reached);
  tcase_add_test(tc, test_run_max_steps_and_trace_points);
  tcase_add_test(tc, test_run_max_seconds);
  tcase_add_test(tc, test_run_diverged_is_a_result);
  tcase_add_test(tc, test_run_skipped_placement);
  tcase_add_test(tc, test_run_stalled_error_skipped);
  tcase_add_test(tc, test_run_interrupted);
  tcase_add_test(tc, test_run_deterministic_threads);
  tcase_add_test(tc, test_run_deterministic_placements);
  suite_add_tcase(s, tc);
  tc = tcase_create("output");
  tcase_add_test(tc, test_json_nonfinite);
  tcase_add_test(tc, test_atomic_write);
  tcase_add_test(tc, test_journal_resume);
  tcase_add_test(tc, test_results_document);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_core_suite());
}
