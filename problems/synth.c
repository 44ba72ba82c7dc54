/* synth.c -- the generic problem hooks behind OB_SYNTH_TYPE (see synth.h).
 *
 * configure reads "dim" (unless the function has a fixed dimension), the
 * function's one real parameter, "instance" and "rotate" when the parameter
 * table has them, allocates the work vectors from the arena and builds the
 * instance. eval and hvp map x to z, call the raw function and map the
 * derivatives back. Nothing is allocated outside the arena, so there is no
 * free hook.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "bench/ob_params.h"
#include "problems/synth.h"

double ob_synth_zero(const ob_synth *s)
{
  (void)s;
  return 0.0;
}

int ob_synth_configure(void *st, const ob_synth_def *def, const json_t *params, ob_memtier *mem,
                       ob_error *err)
{
  ob_synth *s = st;
  s->def = def;
  if (def->fixed_dim) {
    s->n = def->fixed_dim;
  } else {
    long long n = ob_params_int(params, "dim");
    if (n < 1) return ob_error_set(err, OB_EINVAL, "dim must be at least 1");
    s->n = (size_t)n;
  }
  s->a = def->param ? ob_params_real(params, def->param) : 0.0;
  if (def->param && !isfinite(s->a))
    return ob_error_set(err, OB_EINVAL, "%s must be finite", def->param);
  long long k = json_object_get(params, "instance") ? ob_params_int(params, "instance") : 0;
  bool rotate = json_object_get(params, "rotate") ? ob_params_bool(params, "rotate") : false;
  if (def->work_per_dim) {
    s->work = ob_memtier_alloc(mem, OB_MEM_DATA, def->work_per_dim * s->n, err);
    if (!s->work) return err ? err->code : OB_ENOMEM;
  }
  if (def->setup) {
    int rc = def->setup(s, err);
    if (rc < 0) return rc;
  }
  return ob_instance_setup(&s->inst, s->n, k, rotate, !def->no_shift,
                           def->zopt ? def->zopt(s) : 0.0, def->halfwidth,
                           mem, err);
}

size_t ob_synth_dim(const void *st)
{
  return ((const ob_synth *)st)->n;
}

int ob_synth_eval(void *st, const double *x, double *f, double *g, ob_error *err)
{
  ob_synth *s = st;
  const double *z = ob_instance_z(&s->inst, x);
  double *gz = ob_instance_gz(&s->inst, g);
  int rc = s->def->raw(s, z, f, gz, err);
  if (rc < 0) return rc;
  ob_instance_pull(&s->inst, gz, g);
  return OB_OK;
}

int ob_synth_hvp(void *st, const double *x, const double *v, double *out, ob_error *err)
{
  ob_synth *s = st;
  const double *z = ob_instance_z(&s->inst, x);
  const double *w = ob_instance_dir(&s->inst, v);
  double *hz = ob_instance_hz(&s->inst, out);
  int rc = s->def->hvp(s, z, w, hz, err);
  if (rc < 0) return rc;
  ob_instance_pull(&s->inst, hz, out);
  return OB_OK;
}

void ob_synth_x0(const void *st, double *x)
{
  const ob_synth *s = st;
  if (s->def->x0_fill) {
    s->def->x0_fill(s, x);
    return;
  }
  for (size_t i = 0; i < s->n; i++) x[i] = s->def->x0;
}

double ob_synth_f_opt(const void *st)
{
  const ob_synth *s = st;
  return s->def->fopt(s);
}

int ob_synth_x_opt(const void *st, double *x)
{
  const ob_synth *s = st;
  if (s->def->xopt_fill) {
    s->def->xopt_fill(s, x);
    return OB_OK;
  }
  ob_instance_x_opt(&s->inst, s->def->zopt ? s->def->zopt(s) : 0.0, x);
  return OB_OK;
}
