/* adamp_kernel.h -- the scale-invariance test shared by adamp.c and sgdp.c
 * (static inline, so each optimizer file still exports one symbol).
 *
 * Heo, Chun, Oh, Han, Yun, Kim, Uh & Ha, "AdamP: Slowing Down the Slowdown for
 * Momentum Optimizers on Scale-invariant Weights", ICLR 2021, Algorithm 1-2,
 * as clovaai/AdamP adamp/adamp.py and adamp/sgdp.py (_projection): a weight
 * is treated as scale-invariant when max |cos(g, x)| < delta / sqrt(d), where
 * d is the length of a view (a channel, then the whole layer); then the
 * update u loses its radial part, u <- u - x_n <x_n, u> with
 * x_n = x / (||x|| + eps), and the weight decay is multiplied by wd_ratio.
 *
 * optbench's problems are one flat vector, so there is one view: the channel
 * is the whole vector and d = n. (The official code never projects 1-D
 * tensors such as biases; the `projection` option of both optimizers turns
 * the projection off to reproduce that.) The cosine is
 * |g.x| / max(||g|| ||x||, eps), torch's F.cosine_similarity up to where its
 * eps clamps, which matters only for norms below eps. All reductions use the
 * fixed-block ob_vec sums: the decision and the projection are identical for
 * every thread count. No printing, no allocation.
 */
#ifndef OB_ADAMP_KERNEL_H
#define OB_ADAMP_KERNEL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "bench/ob_vec.h"

/* True when x is to be treated as scale-invariant at this step; then
 * *xn_den = ||x|| + eps, the divisor of the unit radial direction x_n. */
static inline bool adamp_is_scale_invariant(const double *x, const double *g, size_t n, double delta,
                                            double eps, double *xn_den)
{
  const double nx = sqrt(ob_vec_dot(x, x, n));
  const double ng = sqrt(ob_vec_dot(g, g, n));
  const double cos = fabs(ob_vec_dot(g, x, n)) / fmax(ng * nx, eps);
  *xn_den = nx + eps;
  return cos < delta / sqrt((double)n);
}

#endif
