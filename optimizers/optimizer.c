/* optimizer.c -- the optimizer registry and the generic driver (see optimizer.h).
 *
 * The driver allocates a type's private state, hands it its state vectors
 * from the cell's memtier arena and forwards each step, the way GSL's
 * fdfminimizer.c forwards to type->iterate. It also decides, from the needs a
 * type declares, whether it can run on a problem at all.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optimizers/optimizer.h"
#include "optimizers/schedule.h"

#define OB_OPTIMIZER(id) extern const ob_optimizer_type ob_optimizer_##id;
#include "optimizers/list.def"
#undef OB_OPTIMIZER

static const ob_optimizer_type *const all_optimizers[] = {
#define OB_OPTIMIZER(id) &ob_optimizer_##id,
#include "optimizers/list.def"
#undef OB_OPTIMIZER
  NULL
};

const ob_optimizer_type *const *ob_optimizer_types(void)
{
  return all_optimizers;
}

const ob_optimizer_type *ob_optimizer_type_find(const char *name)
{
  for (const ob_optimizer_type *const *t = all_optimizers; *t; t++)
    if (strcmp((*t)->name, name) == 0) return *t;
  return NULL;
}

const ob_param_spec ob_optimizer_common_params[] = {
  { "schedule", OB_PARAM_OBJECT, "null", 0, 0, OB_PARAM_NULLABLE, NULL, "sched",
    "learning-rate schedule {\"type\": constant|linear_warmup|cosine|linear|inverse_sqrt, "
    "\"warmup\", \"horizon\", \"min_factor\"}; null = none" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* ---- normalization of entries and nested (inner) specs ------------------- */

static ob_param_spec *merged_specs(const ob_optimizer_type *t)
{
  size_t a = 0, b = 0;
  for (const ob_param_spec *s = t->params; s && s->name; s++) a++;
  for (const ob_param_spec *s = ob_optimizer_common_params; s->name; s++) b++;
  ob_param_spec *m = calloc(a + b + 1, sizeof *m);
  if (!m) return NULL;
  if (a) memcpy(m, t->params, a * sizeof *m);
  memcpy(m + a, ob_optimizer_common_params, b * sizeof *m);
  return m;
}

static int normalize_inner(const json_t *v, const char *path, json_t **out, ob_error *err)
{
  static const char *const skip[] = { "type", NULL };
  char kp[300];
  const char *key;
  json_t *e;
  *out = NULL;
  if (!json_is_object(v))
    return ob_error_at(err, OB_EINVAL, path, "expected an optimizer object with a \"type\"");
  json_t *ty = json_object_get(v, "type");
  if (!ty) return ob_error_at(err, OB_EINVAL, path, "missing required key 'type'");
  snprintf(kp, sizeof kp, "%s.type", path);
  if (!json_is_string(ty)) return ob_error_at(err, OB_EINVAL, kp, "expected a string");
  const ob_optimizer_type *it = ob_optimizer_type_find(json_string_value(ty));
  if (!it) {
    const char *names[256];
    size_t k = 0;
    for (const ob_optimizer_type *const *t = all_optimizers; *t && k < 255; t++) names[k++] = (*t)->name;
    names[k] = NULL;
    const char *hint = ob_did_you_mean(json_string_value(ty), names);
    if (hint)
      return ob_error_at(err, OB_EINVAL, kp, "unknown optimizer '%s' (did you mean '%s'?)", json_string_value(ty), hint);
    return ob_error_at(err, OB_EINVAL, kp, "unknown optimizer '%s' (see 'optbench list optimizers')",
                       json_string_value(ty));
  }
  /* a GSL minimizer keeps its own iterate between steps and would ignore the
   * x a wrapper hands it (lookahead's reset, cautious's scratch copy) */
  if (strncmp(it->name, "gsl_", 4) == 0)
    return ob_error_at(err, OB_EINVAL, kp, "'%s' keeps its own iterate inside GSL and cannot be wrapped", it->name);
  json_object_foreach((json_t *)v, key, e) {
    const ob_param_spec *s = ob_params_find(it->params, key);
    if (!s) s = ob_params_find(ob_optimizer_common_params, key);
    snprintf(kp, sizeof kp, "%s.%s", path, key);
    if (s && json_is_array(e) && s->kind != OB_PARAM_VECTOR)
      return ob_error_at(err, OB_EINVAL, kp, "grids are not expanded inside \"inner\": make \"inner\" a list "
                         "of optimizer objects, or write one entry per variant");
    if (strcmp(key, "schedule") == 0 && !json_is_null(e))
      return ob_error_at(err, OB_EINVAL, kp, "an inner optimizer takes no schedule of its own: put \"schedule\" "
                         "on the wrapper, whose schedule scales the inner learning rate");
  }
  json_t *n;
  int rc = ob_optimizer_params_normalize(it, v, skip, path, 0, &n, err);
  if (rc < 0) return rc;
  json_object_set_new(n, "type", json_string(it->name));
  *out = n;
  return OB_OK;
}

int ob_optimizer_params_normalize(const ob_optimizer_type *t, const json_t *given,
                                  const char *const *skip, const char *path, long long horizon,
                                  json_t **out, ob_error *err)
{
  char kp[300];
  json_t *n, *sub;
  *out = NULL;
  ob_param_spec *m = merged_specs(t);
  if (!m) return ob_error_set(err, OB_ENOMEM, "out of memory");
  int rc = ob_params_normalize(m, given, skip, path, &n, err);
  free(m);
  if (rc < 0) return rc;
  json_t *sc = json_object_get(n, "schedule");
  if (sc && !json_is_null(sc)) {
    snprintf(kp, sizeof kp, "%s.schedule", path);
    if ((rc = ob_schedule_normalize(sc, kp, horizon, &sub, err)) < 0) { json_decref(n); return rc; }
    json_object_set_new(n, "schedule", sub);
  }
  const ob_param_spec *is = ob_params_find(t->params, "inner");
  json_t *iv = json_object_get(n, "inner");
  if (is && is->kind == OB_PARAM_OBJECT && iv && !json_is_null(iv)) {
    snprintf(kp, sizeof kp, "%s.inner", path);
    if ((rc = normalize_inner(iv, kp, &sub, err)) < 0) { json_decref(n); return rc; }
    json_object_set_new(n, "inner", sub);
  }
  *out = n;
  return OB_OK;
}

int ob_optimizer_alloc_spec(const json_t *spec, const char *path, ob_optimizer **out, ob_error *err)
{
  json_t *n;
  *out = NULL;
  int rc = normalize_inner(spec, path, &n, err);
  if (rc < 0) return rc;
  rc = ob_optimizer_alloc(ob_optimizer_type_find(json_string_value(json_object_get(n, "type"))), n, out, err);
  json_decref(n);
  return rc;
}

/* ---- the driver ------------------------------------------------------------- */

int ob_optimizer_alloc(const ob_optimizer_type *t, const json_t *params,
                       ob_optimizer **out, ob_error *err)
{
  ob_optimizer *o = calloc(1, sizeof *o);
  *out = NULL;
  if (!o || !(o->state = calloc(1, t->state_size ? t->state_size : 1))) {
    free(o);
    return ob_error_set(err, OB_ENOMEM, "out of memory for optimizer '%s'", t->name);
  }
  o->type = t;
  o->lr_scale = 1.0;
  int rc = OB_OK;
  const json_t *sc = json_object_get(params, "schedule");
  if (sc && !json_is_null(sc)) {
    o->schedule = malloc(sizeof *o->schedule);
    rc = o->schedule ? ob_schedule_from_json(sc, o->schedule, err) : ob_error_set(err, OB_ENOMEM, "out of memory");
  }
  if (rc == OB_OK && t->configure) rc = t->configure(o->state, params, err);
  if (rc < 0) {
    ob_optimizer_free(o);
    return rc;
  }
  *out = o;
  return OB_OK;
}

size_t ob_optimizer_nvectors(const ob_optimizer *o)
{
  return o->type->nvectors ? o->type->nvectors(o->state) : 0;
}

int ob_optimizer_init_vectors(ob_optimizer *o, const ob_problem *p, double *const *vec, ob_error *err)
{
  const char *why = ob_optimizer_needs_unmet(ob_optimizer_needs(o), p);
  if (why) return ob_error_set(err, OB_EUNSUPPORTED, "%s", why);
  o->n = p->n;
  o->t = 0;
  o->nvec = ob_optimizer_nvectors(o);
  free(o->vec);
  o->vec = NULL;
  if (o->nvec) {
    o->vec = calloc(o->nvec, sizeof *o->vec);
    if (!o->vec) return ob_error_set(err, OB_ENOMEM, "out of memory for optimizer state");
    memcpy(o->vec, vec, o->nvec * sizeof *o->vec);
  }
  return o->type->init ? o->type->init(o->state, p->n, o->vec, p, err) : OB_OK;
}

int ob_optimizer_init(ob_optimizer *o, const ob_problem *p, ob_memtier *mem, ob_error *err)
{
  const char *why = ob_optimizer_needs_unmet(ob_optimizer_needs(o), p);
  if (why) return ob_error_set(err, OB_EUNSUPPORTED, "%s", why);
  o->n = p->n;
  o->t = 0;
  o->nvec = ob_optimizer_nvectors(o);
  if (o->nvec) {
    free(o->vec);
    o->vec = calloc(o->nvec, sizeof *o->vec);
    if (!o->vec) return ob_error_set(err, OB_ENOMEM, "out of memory for optimizer state");
    for (size_t i = 0; i < o->nvec; i++) {
      o->vec[i] = ob_memtier_alloc(mem, OB_MEM_STATE, p->n, err);
      if (!o->vec[i]) return err ? err->code : OB_ENOMEM;
    }
  }
  return o->type->init ? o->type->init(o->state, p->n, o->vec, p, err) : OB_OK;
}

int ob_optimizer_step(ob_optimizer *o, ob_oracle *orc, double *x, double *g, ob_error *err)
{
  if (o->schedule) o->lr_scale = ob_schedule_factor(o->schedule, o->t + 1);
  const ob_step_ctx ctx = { o->t + 1, o->lr_scale };
  int rc = o->type->step(o->state, &ctx, orc, x, g, err);
  if (rc >= 0) o->t++;
  return rc;
}

size_t ob_optimizer_state_bytes(const ob_optimizer *o)
{
  return o->nvec * o->n * sizeof(double);
}

double ob_optimizer_traffic(const ob_optimizer *o)
{
  return o->type->traffic ? o->type->traffic(o->state) : 0.0;
}

unsigned ob_optimizer_needs(const ob_optimizer *o)
{
  return o->type->needs | (o->type->needs_of ? o->type->needs_of(o->state) : 0u);
}

const char *ob_optimizer_incompatible(const ob_optimizer_type *t, const ob_problem *p)
{
  return ob_optimizer_needs_unmet(t->needs, p);
}

const char *ob_optimizer_needs_unmet(unsigned needs, const ob_problem *p)
{
  unsigned has = p->type->provides;
  if ((needs & OB_NEEDS_GRAD) && !(has & OB_PROVIDES_GRAD))
    return "the optimizer needs gradients and the problem provides none";
  if ((needs & OB_NEEDS_HVP) && !(has & OB_PROVIDES_HVP))
    return "the optimizer needs Hessian-vector products and the problem provides none";
  if ((needs & OB_NEEDS_FOPT) && !(p->f_opt == p->f_opt))
    return "the optimizer needs the optimal value f* and the problem does not know it";
  if ((needs & OB_NEEDS_GNVP) && !(has & OB_PROVIDES_GNVP))
    return "the optimizer needs Gauss-Newton products and the problem provides none";
  if ((needs & OB_NEEDS_LINSYS) && !(has & OB_PROVIDES_LINSYS))
    return "the solver needs a linear system and the problem is not one";
  if ((needs & OB_NEEDS_BILEVEL) && !(has & OB_PROVIDES_BILEVEL))
    return "the method needs a bilevel problem and the problem is not one";
  if ((needs & OB_NEEDS_GNB) && !(has & OB_PROVIDES_GNB))
    return "the optimizer needs Gauss-Newton-Bartlett samples (labels drawn from the model) and the problem "
           "provides none (logreg does)";
  return NULL;
}

void ob_optimizer_free(ob_optimizer *o)
{
  if (!o) return;
  if (o->type->free) o->type->free(o->state);
  free(o->state);
  free(o->schedule);
  free(o->vec);      /* the vectors themselves belong to the arena */
  free(o);
}
