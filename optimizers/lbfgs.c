/* lbfgs.c -- limited-memory BFGS with a fixed step, as torch.optim.LBFGS with
 * max_iter = 1 and no line search.
 *
 * Nocedal, "Updating quasi-Newton matrices with limited storage", Math. Comp.
 * 35 (1980); Liu & Nocedal, Math. Programming 45 (1989); Nocedal & Wright,
 * "Numerical Optimization", 2nd ed. (2006), Algorithm 7.4 (the two-loop
 * recursion) with the initial scaling H0 = (s'y / y'y) I of eq. (7.20). The
 * step follows torch.optim.LBFGS (torch/optim/lbfgs.py, torch 1.13) with
 * max_iter = 1 and line_search_fn = None, so one optbench step is one of
 * torch's inner iterations and one f-and-gradient evaluation:
 *
 *   f, g = f(x), grad f(x)
 *   if max |g_i| <= tolerance_grad: no move (the run ends `stalled`)
 *   k = k + 1
 *   k == 1:  d = -g, history empty, H_diag = 1
 *   else:    y = g - g_prev;  s = t d_prev;  ys = y.s
 *            if ys > 1e-10: append (y, s, rho = 1/ys), dropping the oldest
 *                           pair when history_size are kept; H_diag = ys / y.y
 *            q = -g;  for i = newest .. oldest: a_i = (s_i.q) rho_i;  q = q + (-a_i) y_i
 *            d = q H_diag;  for i = oldest .. newest: b = (y_i.d) rho_i;  d = d + (a_i - b) s_i
 *   g_prev = g
 *   t = k == 1 ? min(1, 1 / sum |g_i|) lr : lr
 *   if g.d > -tolerance_change: no move (not a descent direction; `stalled`)
 *   x = x + t d
 *
 * With max_iter = 1 torch leaves its inner loop right after the update, so
 * its tolerance_change tests on |t d| and |f - f_prev| are never reached;
 * they are not part of this step either. The stopping tests that remain are
 * the run's budgets and targets. Line search (torch's strong_wolfe) is not
 * offered: a fixed step is what this optimizer measures; gsl_bfgs2 is the
 * line-search quasi-Newton baseline.
 *
 * Defaults (torch's): lr 1, history_size 100, tolerance_grad 1e-7,
 * tolerance_change 1e-9. State: 2 (history_size + 1) + 2 vectors of length
 * n from the arena (the pairs y_i, s_i in a ring with one free slot, d,
 * g_prev), so memory is (2 m + 4) 8 n bytes: with the default m = 100 and
 * n = 10^7 that is 16 GB -- lower history_size for large problems. Dot products are the fixed-block reductions of
 * bench/ob_vec.h (torch uses its BLAS dot), so trajectories agree with
 * torch's to rounding (tests/check_optimizers.c requires 1e-10), and are
 * bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, tol_grad, tol_change;
  size_t m;                /* history_size */
  size_t cap;              /* m + 1 slots: a new pair is written to a free slot before it is kept */
  size_t n;
  double **y, **s;         /* ring buffers of the history (arena vectors) */
  double *d, *gprev;       /* direction, previous gradient (arena vectors) */
  double *rho, *al;        /* per pair: 1 / y.s, and the first loop's a_i */
  size_t start, count;     /* oldest pair's slot, pairs kept */
  double h_diag, t;        /* H0 scaling, last step length */
  long long k;             /* iterations (torch's n_iter) */
} lbfgs_state;

static const ob_param_spec lbfgs_params[] = {
  { "lr", OB_PARAM_REAL, "1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "step length t along the L-BFGS direction (the first step is min(1, 1/sum|g|) lr)" },
  { "history_size", OB_PARAM_INT, "100", 1, 1e5, 0, NULL, "m",
    "(s, y) pairs kept; memory is (2 history_size + 4) vectors of length n" },
  { "tolerance_grad", OB_PARAM_REAL, "1e-7", 0.0, HUGE_VAL, 0, NULL, NULL,
    "no move (stalled) once max |g_i| <= tolerance_grad" },
  { "tolerance_change", OB_PARAM_REAL, "1e-9", 0.0, HUGE_VAL, 0, NULL, NULL,
    "no move (stalled) when g.d > -tolerance_change (not a descent direction)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int lbfgs_configure(void *vs, const json_t *params, ob_error *err)
{
  lbfgs_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->m = (size_t)ob_params_int(params, "history_size");
  s->tol_grad = ob_params_real(params, "tolerance_grad");
  s->tol_change = ob_params_real(params, "tolerance_change");
  s->cap = s->m + 1;
  s->y = calloc(s->cap, sizeof *s->y);
  s->s = calloc(s->cap, sizeof *s->s);
  s->rho = calloc(s->cap, sizeof *s->rho);
  s->al = calloc(s->cap, sizeof *s->al);
  if (!s->y || !s->s || !s->rho || !s->al) return ob_error_set(err, OB_ENOMEM, "out of memory");
  return OB_OK;
}

static size_t lbfgs_nvectors(const void *vs)
{
  const lbfgs_state *s = vs;
  return 2 * s->cap + 2;
}

static int lbfgs_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  lbfgs_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  for (size_t i = 0; i < s->cap; i++) {
    s->y[i] = vec[2 * i];
    s->s[i] = vec[2 * i + 1];
  }
  s->d = vec[2 * s->cap];
  s->gprev = vec[2 * s->cap + 1];
  s->start = s->count = 0;
  s->h_diag = 1.0;
  s->t = 0.0;
  s->k = 0;
  return OB_OK;
}

/* The slot of logical pair i (0 = oldest). */
static size_t slot(const lbfgs_state *s, size_t i)
{
  return (s->start + i) % s->cap;
}

static double max_abs(const double *v, size_t n)
{
  double mx = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double a = fabs(v[i]);
    mx = a > mx || a != a ? a : mx;   /* NaN sticks, as torch's max does */
  }
  return mx;
}

/* y_new = g - g_prev and s_new = t d into the free slot after the newest
 * pair; kept when y.s > 1e-10, the oldest pair then dropped when m are kept. */
static void update_history(lbfgs_state *s, const double *g)
{
  const size_t n = s->n;
  const size_t next = slot(s, s->count);
  double *restrict y = s->y[next], *restrict sv = s->s[next];
  const double *restrict gp = s->gprev, *restrict d = s->d;
  const double t = s->t;
  OB_VEC_FOR(i, n, {
    y[i] = g[i] - gp[i];
    sv[i] = d[i] * t;
  });
  const double ys = ob_vec_dot(y, sv, n);
  if (ys > 1e-10) {
    s->rho[next] = 1.0 / ys;
    if (s->count == s->m) s->start = (s->start + 1) % s->cap;
    else s->count++;
    s->h_diag = ys / ob_vec_dot(y, y, n);
  }
}

/* The two-loop recursion: d = -H g. */
static void two_loop(lbfgs_state *s, const double *g)
{
  const size_t n = s->n;
  double *restrict d = s->d;
  OB_VEC_FOR(i, n, d[i] = -g[i];);
  for (size_t j = s->count; j-- > 0;) {
    const size_t k = slot(s, j);
    const double a = ob_vec_dot(s->s[k], d, n) * s->rho[k];
    const double na = -a;
    const double *restrict y = s->y[k];
    s->al[k] = a;
    OB_VEC_FOR(i, n, d[i] = d[i] + na * y[i];);
  }
  const double h = s->h_diag;
  OB_VEC_FOR(i, n, d[i] = d[i] * h;);
  for (size_t j = 0; j < s->count; j++) {
    const size_t k = slot(s, j);
    const double b = ob_vec_dot(s->y[k], d, n) * s->rho[k];
    const double c = s->al[k] - b;
    const double *restrict sv = s->s[k];
    OB_VEC_FOR(i, n, d[i] = d[i] + c * sv[i];);
  }
}

OB_KERNEL static int lbfgs_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  lbfgs_state *s = vs;
  const size_t n = s->n;
  /* the gradient; torch's closure also returns the loss, which a step with
   * max_iter = 1 never uses, so it is not asked for (and not counted) */
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  const double gmax = max_abs(g, n);
  if (gmax <= s->tol_grad)
    return ob_error_set(err, OB_STALLED, "max |g| = %.3g is at most tolerance_grad %.3g: L-BFGS does not move",
                        gmax, s->tol_grad);
  s->k++;
  if (s->k == 1) {
    s->count = s->start = 0;
    s->h_diag = 1.0;
    double *restrict d = s->d;
    OB_VEC_FOR(i, n, d[i] = -g[i];);
  } else {
    update_history(s, g);
    two_loop(s, g);
  }
  double *restrict gp = s->gprev;
  OB_VEC_FOR(i, n, gp[i] = g[i];);
  const double lr = s->lr * ctx->lr_scale;
  if (s->k == 1) {
    const double r = 1.0 / ob_vec_asum(g, n);   /* sum |g_i|, fixed blocks as every reduction here */
    s->t = (r < 1.0 ? r : 1.0) * lr;
  } else {
    s->t = lr;
  }
  const double gtd = ob_vec_dot(g, s->d, n);
  if (gtd > -s->tol_change)
    return ob_error_set(err, OB_STALLED, "g.d = %.3g > -tolerance_change: the L-BFGS direction is not a descent "
                        "direction", gtd);
  const double t = s->t;
  const double *restrict d = s->d;
  double *restrict xp = x;
  OB_VEC_FOR(i, n, xp[i] = xp[i] + t * d[i];);
  return OB_OK;
}

static double lbfgs_traffic(const void *vs)
{
  const lbfgs_state *s = vs;
  /* max |g|; copy g; update: read x, d, write x; history: write y, s, read g, g_prev, d,
   * two dot products (y.s, y.y: 3 reads); two-loop: per pair 2 reads (dot) + 3 (axpy) twice,
   * plus the -g and scaling passes (4); g.d (2). An upper bound: the history at capacity. */
  const double m = (double)s->m;
  return sizeof(double) * (1.0 + 2.0 + 3.0 + 5.0 + 3.0 + m * 10.0 + 4.0 + 2.0);
}

static void lbfgs_free(void *vs)
{
  lbfgs_state *s = vs;
  free(s->y);
  free(s->s);
  free(s->rho);
  free(s->al);
}

const ob_optimizer_type ob_optimizer_lbfgs = {
  .name = "lbfgs",
  .summary = "L-BFGS (two-loop recursion), fixed step, no line search (torch.optim.LBFGS with max_iter 1)",
  .reference = "Nocedal 1980; Liu & Nocedal 1989; Nocedal & Wright (2006) Alg. 7.4; = torch.optim.LBFGS "
               "(max_iter=1, line_search_fn=None)",
  .params = lbfgs_params,
  .state_size = sizeof(lbfgs_state),
  .needs = OB_NEEDS_GRAD,
  .configure = lbfgs_configure,
  .nvectors = lbfgs_nvectors,
  .init = lbfgs_init,
  .step = lbfgs_step,
  .traffic = lbfgs_traffic,
  .free = lbfgs_free,
};
