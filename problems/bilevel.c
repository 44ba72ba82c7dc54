/* bilevel.c -- the counted oracles over a problem's bilevel view
 * (problems/bilevel.h). */
#include "problems/bilevel.h"

#include "bench/ob_clock.h"

const struct ob_bilevel_view *ob_bilevel_of(const ob_problem *p)
{
  return p && p->type->bilevel ? p->type->bilevel(p->state) : NULL;
}

static const struct ob_bilevel_view *view_or_error(ob_oracle *o, ob_error *err)
{
  const struct ob_bilevel_view *v = ob_bilevel_of(o->p);
  if (!v)
    ob_error_set(err, OB_EUNSUPPORTED, "problem '%s' is not a bilevel problem", o->p->type->name);
  return v;
}

int ob_oracle_upper(ob_oracle *o, const double *x, const double *y, double *f, double *fx,
                    double *fy, ob_error *err)
{
  const struct ob_bilevel_view *v = view_or_error(o, err);
  if (!v) return OB_EUNSUPPORTED;
  double t0 = ob_clock_now();
  int rc = v->upper(v->ctx, x, y, f, fx, fy, err);
  o->seconds += ob_clock_now() - t0;
  if (fx || fy) o->n_upper_grad++;
  else o->n_upper_f++;
  return rc;
}

int ob_oracle_lower(ob_oracle *o, const double *x, const double *y, double *g, double *gx,
                    double *gy, ob_error *err)
{
  const struct ob_bilevel_view *v = view_or_error(o, err);
  if (!v) return OB_EUNSUPPORTED;
  double t0 = ob_clock_now();
  int rc = v->lower(v->ctx, x, y, g, gx, gy, err);
  o->seconds += ob_clock_now() - t0;
  if (gx || gy) o->n_lower_grad++;
  else o->n_lower_f++;
  return rc;
}

int ob_oracle_hyy(ob_oracle *o, const double *x, const double *y, const double *vec, double *out,
                  ob_error *err)
{
  const struct ob_bilevel_view *v = view_or_error(o, err);
  if (!v) return OB_EUNSUPPORTED;
  double t0 = ob_clock_now();
  int rc = v->lower_hyy(v->ctx, x, y, vec, out, err);
  o->seconds += ob_clock_now() - t0;
  o->n_hyy++;
  return rc;
}

int ob_oracle_hxy(ob_oracle *o, const double *x, const double *y, const double *vec, double *out,
                  ob_error *err)
{
  const struct ob_bilevel_view *v = view_or_error(o, err);
  if (!v) return OB_EUNSUPPORTED;
  double t0 = ob_clock_now();
  int rc = v->lower_hxy(v->ctx, x, y, vec, out, err);
  o->seconds += ob_clock_now() - t0;
  o->n_hxy++;
  return rc;
}

static int no_cons(ob_oracle *o, ob_error *err)
{
  return ob_error_set(err, OB_EUNSUPPORTED, "problem '%s' has no lower-level constraints",
                      o->p->type->name);
}

int ob_oracle_cons(ob_oracle *o, const double *x, const double *y, double *h, ob_error *err)
{
  const struct ob_bilevel_view *v = view_or_error(o, err);
  if (!v) return OB_EUNSUPPORTED;
  if (!v->ncons || !v->cons) return no_cons(o, err);
  double t0 = ob_clock_now();
  int rc = v->cons(v->ctx, x, y, h, err);
  o->seconds += ob_clock_now() - t0;
  o->n_cons++;
  return rc;
}

int ob_oracle_cons_vjp(ob_oracle *o, const double *x, const double *y, const double *lam,
                       double *ox, double *oy, ob_error *err)
{
  const struct ob_bilevel_view *v = view_or_error(o, err);
  if (!v) return OB_EUNSUPPORTED;
  if (!v->ncons || !v->cons_vjp) return no_cons(o, err);
  double t0 = ob_clock_now();
  int rc = v->cons_vjp(v->ctx, x, y, lam, ox, oy, err);
  o->seconds += ob_clock_now() - t0;
  o->n_cons++;
  return rc;
}
