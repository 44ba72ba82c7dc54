/* weighted.h -- the weighted sphere sum_i w_i z_i^2 shared by ellipsoid.c,
 * bent_cigar.c and discus.c: the weights live in the state's work vector
 * (filled by each file's setup hook), the sum is one fixed-block ob_vec_reduce
 * pass and the Hessian 2 diag(w) is applied element-wise, so results are
 * bit-identical for every thread count. Header-only: static functions.
 */
#ifndef OB_WEIGHTED_H
#define OB_WEIGHTED_H

#include "bench/ob_vec.h"
#include "problems/synth.h"

typedef struct {
  const double *w, *z;
  double *g;
} weighted_ctx;

static double weighted_block(void *vctx, size_t lo, size_t hi)
{
  const weighted_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    double wz = c->w[i] * c->z[i];
    acc += wz * c->z[i];
    if (c->g) c->g[i] = 2.0 * wz;
  }
  return acc;
}

static int weighted_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  weighted_ctx c = { s->work, z, gz };
  (void)err;
  *f = ob_vec_reduce(weighted_block, &c, s->n);
  return OB_OK;
}

static int weighted_hvp(ob_synth *s, const double *z, const double *v, double *out, ob_error *err)
{
  size_t n = s->n;
  const double *w = s->work;
  (void)z;
  (void)err;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) out[i] = 2.0 * w[i] * v[i];
  return OB_OK;
}

#endif
