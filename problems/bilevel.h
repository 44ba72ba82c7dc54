/* bilevel.h -- the bilevel view of a problem and its counted oracle.
 *
 * A bilevel problem (OB_PROVIDES_BILEVEL) is
 *
 *     min_x  F(x) = f(x, y*(x))    subject to  y*(x) in argmin_y g(x, y)  [s.t. h(x, y) <= 0]
 *
 * with upper-level objective f, lower-level objective g and, for constrained
 * lower levels, m constraints h. (For a lower level with several minimizers,
 * F is the optimistic value: the least f over the solution set.)
 *
 * The run's vector is the joint variable z = [x; y] of length nx + ny, so the
 * start point, the memtier arena and the trace treat bilevel runs like any
 * other run. The problem's plain `eval` is the ground truth on z: F(x) (y is
 * ignored) with gradient [grad F(x); 0], so `final.f - f_opt` is the upper-level
 * gap and a plain gradient optimizer run on a bilevel problem is exact
 * hypergradient descent (the ideal baseline). Bilevel algorithms
 * (OB_NEEDS_BILEVEL) never call eval: they see only the counted oracles below,
 * which is what the papers' oracle complexities count.
 *
 * References: Ghadimi & Wang, "Approximation methods for bilevel programming",
 * arXiv 1802.02246 (AID); Franceschi et al., "Forward and reverse
 * gradient-based hyperparameter optimization", ICML 2017 (ITD); Ji, Yang & Liang,
 * "Bilevel optimization: convergence analysis and enhanced design", ICML 2021
 * (the hypergradient formula used here).
 *
 * Hypergradient (lower level strongly convex in y, unconstrained):
 *     grad F(x) = grad_x f - grad2_xy g [grad2_yy g]^-1 grad_y f,   all at (x, y*(x)).
 *
 * Library code: never prints, never exits.
 */
#ifndef OB_BILEVEL_H
#define OB_BILEVEL_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/ob_error.h"
#include "problems/problem.h"

struct ob_bilevel_view {
  size_t nx, ny;             /* upper and lower dimensions; the problem's dim is nx + ny */
  void *ctx;                 /* first argument of every callback */
  /* Upper level f(x, y) and its partial gradients; any of f, fx, fy may be NULL. */
  int (*upper)(void *ctx, const double *x, const double *y, double *f, double *fx, double *fy,
               ob_error *err);
  /* Lower level g(x, y) and its partial gradients; any of g, gx, gy may be NULL. */
  int (*lower)(void *ctx, const double *x, const double *y, double *g, double *gx, double *gy,
               ob_error *err);
  /* out (ny) = grad2_yy g(x, y) v, v of length ny. */
  int (*lower_hyy)(void *ctx, const double *x, const double *y, const double *v, double *out,
                   ob_error *err);
  /* out (nx) = grad2_xy g(x, y) v, v of length ny: the x-gradient of <grad_y g, v>. */
  int (*lower_hxy)(void *ctx, const double *x, const double *y, const double *v, double *out,
                   ob_error *err);
  /* ---- constrained lower level (ncons > 0): h(x, y) <= 0 componentwise */
  size_t ncons;
  /* h (ncons) = h(x, y). */
  int (*cons)(void *ctx, const double *x, const double *y, double *h, ob_error *err);
  /* Transposed Jacobian products: ox (nx) = (dh/dx)' lam, oy (ny) = (dh/dy)' lam;
   * either output may be NULL. */
  int (*cons_vjp)(void *ctx, const double *x, const double *y, const double *lam, double *ox,
                  double *oy, ob_error *err);
  /* ---- simple bounds on x (NULL = unbounded), e.g. hyper-cleaning weights */
  const double *x_lo, *x_hi;
  /* ---- ground truth (not counted, never called by algorithms' steps) */
  /* F(x), grad F(x) (nx) and a minimizer y*(x) (ny); outputs may be NULL. */
  int (*hyper)(void *ctx, const double *x, double *F, double *gradF, double *ystar, ob_error *err);
  bool lower_strongly_convex;  /* grad2_yy g is positive definite everywhere */
};

/* The bilevel view of p, or NULL when p is not bilevel. */
const struct ob_bilevel_view *ob_bilevel_of(const ob_problem *p);

/* Counted, timed oracles over p's bilevel view (each adds to o->seconds):
 * upper  counts one upper-gradient call (n_upper) when fx or fy is given, else one f call;
 * lower  counts one lower-gradient call (n_lower) when gx or gy is given, else one g call;
 * hyy    counts n_hyy; hxy counts n_hxy; cons and cons_vjp count n_cons. */
int ob_oracle_upper(ob_oracle *o, const double *x, const double *y, double *f, double *fx,
                    double *fy, ob_error *err);
int ob_oracle_lower(ob_oracle *o, const double *x, const double *y, double *g, double *gx,
                    double *gy, ob_error *err);
int ob_oracle_hyy(ob_oracle *o, const double *x, const double *y, const double *v, double *out,
                  ob_error *err);
int ob_oracle_hxy(ob_oracle *o, const double *x, const double *y, const double *v, double *out,
                  ob_error *err);
int ob_oracle_cons(ob_oracle *o, const double *x, const double *y, double *h, ob_error *err);
int ob_oracle_cons_vjp(ob_oracle *o, const double *x, const double *y, const double *lam,
                       double *ox, double *oy, ob_error *err);

#endif
