/* instance.c -- seeded shifts and Haar rotations for COCO-style instances.
 *
 * The draw order (dim uniforms for the shift, then a row-major dim x dim
 * Gaussian matrix) and the seed formula are part of every instance's identity:
 * changing either changes every instance, so both are documented in instance.h
 * and docs/problems.md and pinned by golden values in tests/check_problems.c.
 * Library code: fills ob_error and returns a status, never prints.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "bench/ob_vec.h"
#include "problems/instance.h"

static unsigned long instance_seed(long long k, size_t n)
{
  uint64_t s = 1000003u * (uint64_t)k + (uint64_t)n;
  return (unsigned long)(s & 0xffffffffu);
}

/* R = Q of the QR factorization of g, columns times sign(R_jj), into t->r. */
static int instance_rotation(ob_instance *t, gsl_rng *rng, ob_error *err)
{
  size_t n = t->n;
  int rc = OB_OK;
  gsl_matrix *g = gsl_matrix_alloc(n, n), *rr = gsl_matrix_alloc(n, n);
  gsl_vector *tau = gsl_vector_alloc(n);
  if (!g || !rr || !tau) {
    rc = ob_error_set(err, OB_ENOMEM, "out of memory building a %zux%zu rotation", n, n);
    goto done;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) gsl_matrix_set(g, i, j, gsl_ran_gaussian(rng, 1.0));
  gsl_matrix_view q = gsl_matrix_view_array(t->r, n, n);
  if (gsl_linalg_QR_decomp(g, tau) != GSL_SUCCESS ||
      gsl_linalg_QR_unpack(g, tau, &q.matrix, rr) != GSL_SUCCESS) {
    rc = ob_error_set(err, OB_ENUMERIC, "QR factorization of the %zux%zu rotation failed", n, n);
    goto done;
  }
  for (size_t j = 0; j < n; j++)
    if (gsl_matrix_get(rr, j, j) < 0) {
      gsl_vector_view col = gsl_matrix_column(&q.matrix, j);
      gsl_vector_scale(&col.vector, -1.0);
    }
done:
  gsl_vector_free(tau);
  gsl_matrix_free(rr);
  gsl_matrix_free(g);
  return rc;
}

int ob_instance_setup(ob_instance *t, size_t n, long long k, bool rotate, bool shift, double zopt,
                      double halfwidth, ob_memtier *mem, ob_error *err)
{
  t->n = n;
  t->k = k;
  t->rotate = k > 0 && rotate;
  t->shifted = k > 0 && shift;
  t->offset = t->shifted ? zopt : 0.0;
  t->s = t->r = t->z = t->gz = t->w = t->hz = NULL;
  if (k == 0) return OB_OK;
  if (t->rotate && n > OB_INSTANCE_MAX_ROTATED)
    return ob_error_set(err, OB_EINVAL,
                        "dim %zu is too large for a rotated instance (at most %d: a dense "
                        "rotation matrix); set rotate to false for a shift only",
                        n, OB_INSTANCE_MAX_ROTATED);
  double **bufs[] = { &t->z, &t->gz, &t->w, &t->hz };
  for (size_t b = 0; b < sizeof bufs / sizeof bufs[0]; b++)
    if (!(*bufs[b] = ob_memtier_alloc(mem, OB_MEM_DATA, n, err))) return err ? err->code : OB_ENOMEM;
  if (t->shifted && !(t->s = ob_memtier_alloc(mem, OB_MEM_DATA, n, err)))
    return err ? err->code : OB_ENOMEM;
  if (t->rotate && !(t->r = ob_memtier_alloc(mem, OB_MEM_DATA, n * n, err)))
    return err ? err->code : OB_ENOMEM;

  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) return ob_error_set(err, OB_ENOMEM, "out of memory for a random number generator");
  gsl_rng_set(rng, instance_seed(k, n));
  /* the shift is always drawn, so it is the same with and without rotation */
  for (size_t i = 0; i < n; i++) {
    double u = gsl_rng_uniform(rng);
    if (t->shifted) t->s[i] = 0.8 * halfwidth * (2.0 * u - 1.0);
  }
  int rc = t->rotate ? instance_rotation(t, rng, err) : OB_OK;
  gsl_rng_free(rng);
  return rc;
}

void ob_instance_rot(const ob_instance *t, const double *v, double *out)
{
  size_t n = t->n;
  const double *r = t->r;
#pragma omp parallel for schedule(static) if (n * n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) {
    const double *row = r + i * n;
    double acc = 0.0;
    for (size_t j = 0; j < n; j++) acc += row[j] * v[j];
    out[i] = acc;
  }
}

void ob_instance_rot_t(const ob_instance *t, const double *v, double *out)
{
  size_t n = t->n;
  const double *r = t->r;
#pragma omp parallel for schedule(static) if (n * n >= OB_VEC_PAR_MIN)
  for (size_t j = 0; j < n; j++) {
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) acc += r[i * n + j] * v[i];
    out[j] = acc;
  }
}

const double *ob_instance_z(ob_instance *t, const double *x)
{
  size_t n = t->n;
  if (t->k == 0) return x;
  const double *d = x;
  if (t->shifted) {
    double *dst = t->rotate ? t->hz : t->z;   /* hz is free between calls */
    for (size_t i = 0; i < n; i++) dst[i] = x[i] - t->s[i];
    d = dst;
  }
  if (t->rotate) ob_instance_rot(t, d, t->z);
  else if (d != t->z)
    for (size_t i = 0; i < n; i++) t->z[i] = d[i];
  if (t->offset != 0.0)
    for (size_t i = 0; i < n; i++) t->z[i] += t->offset;
  return t->z;
}

double *ob_instance_gz(ob_instance *t, double *g)
{
  return g && t->rotate ? t->gz : g;
}

void ob_instance_pull(const ob_instance *t, const double *gz, double *g)
{
  if (g && t->rotate) ob_instance_rot_t(t, gz, g);
}

const double *ob_instance_dir(ob_instance *t, const double *v)
{
  if (!t->rotate) return v;
  ob_instance_rot(t, v, t->w);
  return t->w;
}

double *ob_instance_hz(ob_instance *t, double *out)
{
  return t->rotate ? t->hz : out;
}

void ob_instance_x_opt(const ob_instance *t, double zopt, double *x)
{
  size_t n = t->n;
  if (t->k == 0) {
    for (size_t i = 0; i < n; i++) x[i] = zopt;
    return;
  }
  /* x = s + R^T (z* - o): exactly s when shifted (z* = o) */
  double d = zopt - t->offset;
  if (t->rotate && d != 0.0) {
    for (size_t i = 0; i < n; i++) t->w[i] = d;      /* w is scratch here */
    ob_instance_rot_t(t, t->w, x);
  } else {
    for (size_t i = 0; i < n; i++) x[i] = d;
  }
  if (t->shifted)
    for (size_t i = 0; i < n; i++) x[i] += t->s[i];
}
