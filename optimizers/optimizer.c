/* optimizer.c -- the optimizer registry and the generic driver (see optimizer.h).
 *
 * The driver allocates a type's private state, hands it its state vectors
 * from the cell's memtier arena and forwards each step, the way GSL's
 * fdfminimizer.c forwards to type->iterate. It also decides, from the needs a
 * type declares, whether it can run on a problem at all.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "optimizers/optimizer.h"

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
  int rc = t->configure ? t->configure(o->state, params, err) : OB_OK;
  if (rc < 0) {
    ob_optimizer_free(o);
    return rc;
  }
  *out = o;
  return OB_OK;
}

int ob_optimizer_init(ob_optimizer *o, const ob_problem *p, ob_memtier *mem, ob_error *err)
{
  o->n = p->n;
  o->t = 0;
  o->nvec = o->type->nvectors ? o->type->nvectors(o->state) : 0;
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

const char *ob_optimizer_incompatible(const ob_optimizer_type *t, const ob_problem *p)
{
  unsigned has = p->type->provides;
  if ((t->needs & OB_NEEDS_GRAD) && !(has & OB_PROVIDES_GRAD))
    return "the optimizer needs gradients and the problem provides none";
  if ((t->needs & OB_NEEDS_HVP) && !(has & OB_PROVIDES_HVP))
    return "the optimizer needs Hessian-vector products and the problem provides none";
  if ((t->needs & OB_NEEDS_FOPT) && !(p->f_opt == p->f_opt))
    return "the optimizer needs the optimal value f* and the problem does not know it";
  if ((t->needs & OB_NEEDS_GNVP) && !(has & OB_PROVIDES_GNVP))
    return "the optimizer needs Gauss-Newton products and the problem provides none";
  if ((t->needs & OB_NEEDS_LINSYS) && !(has & OB_PROVIDES_LINSYS))
    return "the solver needs a linear system and the problem is not one";
  if ((t->needs & OB_NEEDS_BILEVEL) && !(has & OB_PROVIDES_BILEVEL))
    return "the method needs a bilevel problem and the problem is not one";
  return NULL;
}

void ob_optimizer_free(ob_optimizer *o)
{
  if (!o) return;
  if (o->type->free) o->type->free(o->state);
  free(o->state);
  free(o->vec);      /* the vectors themselves belong to the arena */
  free(o);
}
