/* opt_harness.h -- a harness around the real optimizer driver, shared by the
 * optimizer test programs (check_optimizers, check_paper_optimizers,
 * check_classify).
 *
 * harness_open builds a problem and an optimizer exactly as the runner does:
 * a "local" memtier arena, normalized parameters, state vectors from the
 * arena, x at the problem's x0. Any failure aborts the test with the driver's
 * message. Functions are static inline so a program may use any subset.
 */
#ifndef OB_OPT_HARNESS_H
#define OB_OPT_HARNESS_H

#include <check.h>
#include <jansson.h>
#include <string.h>

#include "bench/ob_params.h"
#include "memtier/memtier.h"
#include "optimizers/optimizer.h"
#include "problems/problem.h"

typedef struct {
  ob_placement *pl;
  ob_memtier *mem;
  ob_problem *prob;
  ob_optimizer *opt;
  ob_oracle orc;
  double *x, *g;
  size_t n;
  ob_error err;
} harness;

static const char *const skip_keys[] = { "type", "id", NULL };

static inline json_t *jparse(const char *text)
{
  json_error_t je;
  json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
  ck_assert_msg(v != NULL, "bad test JSON '%s': %s", text, je.text);
  return v;
}

static inline double jreal_or(const json_t *obj, const char *key, double def)
{
  const json_t *v = json_object_get(obj, key);
  return json_is_number(v) ? json_number_value(v) : def;
}

static inline const char *errtext(const ob_error *e)
{
  static char buf[1600];
  ob_error_format(e, buf, sizeof buf);
  return buf;
}

/* Opens an arena with the "local" placement, builds problem `pt` from
 * `pparams` and optimizer `name` from `oparams` (both borrowed), and puts x at
 * the problem's x0. Any failure aborts the test with the driver's message. */
static inline void harness_open(harness *h, const char *name, const json_t *oparams,
                         const ob_problem_type *pt, const json_t *pparams)
{
  memset(h, 0, sizeof *h);
  const ob_optimizer_type *t = ob_optimizer_type_find(name);
  ck_assert_msg(t != NULL, "optimizer '%s' is not registered", name);
  json_t *norm = NULL, *local = json_string("local");
  int rc = ob_params_normalize(t->params, oparams, skip_keys, "optimizer", &norm, &h->err);
  ck_assert_msg(rc == OB_OK, "%s: normalize: %s", name, errtext(&h->err));
  rc = ob_optimizer_alloc(t, norm, &h->opt, &h->err);
  json_decref(norm);
  ck_assert_msg(rc == OB_OK, "%s: alloc: %s", name, errtext(&h->err));
  rc = ob_placement_parse(local, "placement", &h->pl, &h->err);
  json_decref(local);
  ck_assert_msg(rc == OB_OK, "placement: %s", errtext(&h->err));
  rc = ob_memtier_open(h->pl, &h->mem, &h->err);
  ck_assert_msg(rc == OB_OK, "memtier: %s", errtext(&h->err));
  rc = ob_problem_alloc(pt, pparams, 0, h->mem, &h->prob, &h->err);
  ck_assert_msg(rc == OB_OK, "problem %s: %s", pt->name, errtext(&h->err));
  h->n = h->prob->n;
  h->x = ob_memtier_alloc(h->mem, OB_MEM_PARAMS, h->n, &h->err);
  h->g = ob_memtier_alloc(h->mem, OB_MEM_GRADS, h->n, &h->err);
  ck_assert_msg(h->x && h->g, "arena: %s", errtext(&h->err));
  memcpy(h->x, h->prob->x0, h->n * sizeof *h->x);
  rc = ob_optimizer_init(h->opt, h->prob, h->mem, &h->err);
  ck_assert_msg(rc == OB_OK, "%s: init: %s", name, errtext(&h->err));
  ob_oracle_init(&h->orc, h->prob);
}

static inline void harness_step(harness *h)
{
  int rc = ob_optimizer_step(h->opt, &h->orc, h->x, h->g, &h->err);
  ck_assert_msg(rc == OB_OK, "%s: step %lld: %s", h->opt->type->name, h->opt->t + 1, errtext(&h->err));
}

static inline double harness_f(harness *h)
{
  double f;
  int rc = h->prob->type->eval(h->prob->state, h->x, &f, NULL, &h->err);
  ck_assert_int_eq(rc, OB_OK);
  return f;
}

static inline void harness_close(harness *h)
{
  ob_optimizer_free(h->opt);
  ob_problem_free(h->prob);
  ob_memtier_close(h->mem);
  ob_placement_free(h->pl);
  memset(h, 0, sizeof *h);
}

/* Normalizes and allocates only: the status, with the message in *err. */
static inline int try_configure(const char *name, const char *params_json, ob_error *err)
{
  const ob_optimizer_type *t = ob_optimizer_type_find(name);
  ck_assert_msg(t != NULL, "optimizer '%s' is not registered", name);
  json_t *given = jparse(params_json), *norm = NULL;
  ob_optimizer *o = NULL;
  ob_error_clear(err);
  int rc = ob_params_normalize(t->params, given, skip_keys, "optimizer", &norm, err);
  if (rc == OB_OK) {
    rc = ob_optimizer_alloc(t, norm, &o, err);
    ck_assert_msg(rc == OB_OK ? o != NULL : o == NULL, "alloc must set *out exactly on success");
    ob_optimizer_free(o);
  }
  json_decref(norm);
  json_decref(given);
  return rc;
}

#endif
