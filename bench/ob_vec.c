/* ob_vec.c -- fixed-block deterministic reductions (see ob_vec.h).
 *
 * Partial sums live on the stack in rounds of OB_VEC_ROUND blocks, so a
 * reduction never allocates: a round is computed in parallel, then its
 * partials are added in block order by the calling thread.
 */
#include "config.h"

#include <math.h>

#include "bench/ob_vec.h"

#define OB_VEC_ROUND 1024

double ob_vec_reduce(ob_vec_block_fn block, void *ctx, size_t n)
{
  double total = 0.0;
  double part[OB_VEC_ROUND];
  size_t nblocks = (n + OB_VEC_BLOCK - 1) / OB_VEC_BLOCK;
  int par = n >= OB_VEC_PAR_MIN;
  (void)par;
  if (!par) {
    /* The same blocks added in the same order, without entering a parallel
     * region: libgomp allocates a team for every region, even one that an
     * if clause keeps on one thread, which dominated small problems (a
     * 100-unknown SOR sequence spent 10% of its time in malloc). */
    for (size_t k = 0; k < nblocks; k++) {
      size_t lo = k * OB_VEC_BLOCK;
      size_t hi = lo + OB_VEC_BLOCK < n ? lo + OB_VEC_BLOCK : n;
      total += block(ctx, lo, hi);
    }
    return total;
  }
  for (size_t b0 = 0; b0 < nblocks; b0 += OB_VEC_ROUND) {
    size_t nb = nblocks - b0 < OB_VEC_ROUND ? nblocks - b0 : OB_VEC_ROUND;
#pragma omp parallel for schedule(static)
    for (size_t k = 0; k < nb; k++) {
      size_t lo = (b0 + k) * OB_VEC_BLOCK;
      size_t hi = lo + OB_VEC_BLOCK < n ? lo + OB_VEC_BLOCK : n;
      part[k] = block(ctx, lo, hi);
    }
    for (size_t k = 0; k < nb; k++) total += part[k];
  }
  return total;
}

typedef struct { const double *a, *b; } pair_ctx;

static double dot_block(void *vctx, size_t lo, size_t hi)
{
  const pair_ctx *c = vctx;
  double s = 0.0;
  for (size_t i = lo; i < hi; i++) s += c->a[i] * c->b[i];
  return s;
}

static double sum_block(void *vctx, size_t lo, size_t hi)
{
  const pair_ctx *c = vctx;
  double s = 0.0;
  for (size_t i = lo; i < hi; i++) s += c->a[i];
  return s;
}

static double finite_block(void *vctx, size_t lo, size_t hi)
{
  const pair_ctx *c = vctx;
  /* x - x is 0 for finite x and NaN otherwise: no branch, vectorizes */
  double s = 0.0;
  for (size_t i = lo; i < hi; i++) s += c->a[i] - c->a[i];
  return s == 0.0 ? 0.0 : 1.0;
}

static double asum_block(void *vctx, size_t lo, size_t hi)
{
  const pair_ctx *c = vctx;
  double s = 0.0;
  for (size_t i = lo; i < hi; i++) s += fabs(c->a[i]);
  return s;
}

double ob_vec_asum(const double *a, size_t n)
{
  pair_ctx c = { a, NULL };
  return ob_vec_reduce(asum_block, &c, n);
}

double ob_vec_dot(const double *a, const double *b, size_t n)
{
  pair_ctx c = { a, b };
  return ob_vec_reduce(dot_block, &c, n);
}

double ob_vec_sum(const double *a, size_t n)
{
  pair_ctx c = { a, NULL };
  return ob_vec_reduce(sum_block, &c, n);
}

double ob_vec_nrm2(const double *a, size_t n)
{
  return sqrt(ob_vec_dot(a, a, n));
}

bool ob_vec_all_finite(const double *a, size_t n)
{
  pair_ctx c = { a, NULL };
  return ob_vec_reduce(finite_block, &c, n) == 0.0;
}
