/* adam_kernel.h -- the one-pass Adam/AdamW/AMSGrad update shared by adam.c and
 * adamw.c (static inline, so each optimizer file still exports one symbol).
 *
 * The arithmetic reproduces torch.optim.Adam/AdamW's single-tensor path
 * (torch 1.13, foreach=False) operation by operation, so a double-precision
 * trajectory agrees with torch's bit for bit when neither side fuses
 * multiply-adds (C11 mode compiles with -ffp-contract=off; the reference
 * generator runs torch with ATEN_CPU_CAPABILITY=default):
 *
 *   gi    = g + l2 x                    (Adam's coupled weight decay; skipped when l2 == 0)
 *   xi    = x * decay                   (AdamW's decoupled decay, decay = 1 - lr wd; 1 for Adam)
 *   m     = m b1 + (1 - b1) gi          (exp_avg.mul_(b1).add_(g, alpha=1-b1))
 *   v     = v b2 + ((1 - b2) gi) gi     (exp_avg_sq.mul_(b2).addcmul_(g, g, value=1-b2))
 *   vmax  = max(vmax, v)                (AMSGrad only)
 *   denom = sqrt(v or vmax) / sqrt(1 - b2^t) + eps
 *   x     = xi + ((-lr / (1 - b1^t)) m) / denom   (addcdiv_(m, denom, value=-step_size))
 *
 * torch makes one pass over memory per line; here all of it is one OpenMP
 * pass (read x, g, m, v [, vmax]; write x, m, v [, vmax]). Newer torch (2.x)
 * writes the first moment as m.lerp_(g, 1 - b1), which rounds differently in
 * the last bit; tests/reference pins the torch version it was generated with.
 */
#ifndef OB_ADAM_KERNEL_H
#define OB_ADAM_KERNEL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "bench/ob_vec.h"

/* Per-step scalars, computed once per step in double exactly as torch does in
 * Python floats: bias_correction1 = 1 - beta1 ** step, step_size = lr / bc1,
 * bc2_sqrt = math.sqrt(1 - beta2 ** step). */
typedef struct {
  double b1, omb1, b2, omb2;   /* beta1, 1 - beta1, beta2, 1 - beta2 */
  double neg_step;             /* -lr / (1 - beta1^t) */
  double bc2_sqrt;             /* sqrt(1 - beta2^t) */
  double eps;
  double l2;                   /* coupled weight decay (Adam), 0 for AdamW */
  double decay;                /* decoupled factor 1 - lr wd (AdamW), 1 for Adam */
} adam_coef;

static inline void adam_coef_set(adam_coef *c, double lr, double beta1, double beta2, double eps,
                                 double l2, double decay, long long t)
{
  const double step = (double)t;
  c->b1 = beta1;
  c->omb1 = 1.0 - beta1;
  c->b2 = beta2;
  c->omb2 = 1.0 - beta2;
  c->neg_step = -(lr / (1.0 - pow(beta1, step)));
  c->bc2_sqrt = sqrt(1.0 - pow(beta2, step));
  c->eps = eps;
  c->l2 = l2;
  c->decay = decay;
}

/* The update of coordinate i. `l2` and `ams` are compile-time constants at
 * every call site: with the default -ftrapping-math GCC will not if-convert a
 * branch that computes floating point, so each combination gets its own loop
 * (stamped by ADAM_LOOP) and this body is inlined into it. */
static inline __attribute__((always_inline)) void
adam_elem(size_t i, double *restrict x, const double *restrict g, double *restrict m,
          double *restrict v, double *restrict vmax, const adam_coef c, const bool l2, const bool ams)
{
  const double gi = l2 ? g[i] + c.l2 * x[i] : g[i];   /* torch skips it when wd == 0 (0 * inf) */
  const double xi = x[i] * c.decay;
  const double mi = m[i] * c.b1 + c.omb1 * gi;
  const double vi = v[i] * c.b2 + c.omb2 * gi * gi;
  m[i] = mi;
  v[i] = vi;
  double vn = vi;
  if (ams) {
    /* torch.maximum propagates NaN; this form does too once v is NaN, and v
     * stays NaN forever after, so the two agree on every trajectory. */
    vn = vmax[i] > vi ? vmax[i] : vi;
    vmax[i] = vn;
  }
  const double denom = sqrt(vn) / c.bc2_sqrt + c.eps;
  x[i] = xi + c.neg_step * mi / denom;
}

#define ADAM_LOOP(L2, AMS)                                                              \
  do {                                                                                  \
    OB_VEC_FOR(i, n, adam_elem(i, x, g, m, v, vmax, c, L2, AMS););                      \
  } while (0)

/* One Adam step over n coordinates: a single pass over memory. vmax is NULL
 * without AMSGrad. The pointers must not alias. Bit-identical for every
 * thread count: each coordinate's arithmetic is independent of the partition,
 * and the vector and scalar code paths perform the same IEEE operations. */
OB_KERNEL static void adam_update(size_t n, double *restrict x, const double *restrict g,
                               double *restrict m, double *restrict v, double *restrict vmax,
                               const adam_coef *cp)
{
  const adam_coef c = *cp;
  const bool l2 = c.l2 != 0.0;
  if (vmax) {
    if (l2) ADAM_LOOP(true, true);
    else ADAM_LOOP(false, true);
  } else {
    if (l2) ADAM_LOOP(true, false);
    else ADAM_LOOP(false, false);
  }
}

#undef ADAM_LOOP

#endif
