/* rosenbrock.c -- the chained Rosenbrock function, the classic curved valley
 * (Rosenbrock, "An automatic method for finding the greatest or least value of
 * a function", The Computer Journal 3(3), 1960).
 *
 *   f(x) = sum_{i=0}^{n-2} [ 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 ],  f* = 0 at x* = (1, ..., 1)
 *   g_i  = -400 x_i (x_{i+1} - x_i^2) - 2 (1 - x_i)   [i <= n-2]
 *          + 200 (x_i - x_{i-1}^2)                     [i >= 1]
 *   H    tridiagonal: H_ii = 1200 x_i^2 - 400 x_{i+1} + 2 [i <= n-2] + 200 [i >= 1],
 *                     H_{i,i+1} = H_{i+1,i} = -400 x_i
 *
 * This is the chained form (every consecutive pair is coupled), not the
 * "extended Rosenbrock" of Moré, Garbow & Hillstrom (ACM TOMS 7(1), 1981,
 * problem 21), which sums n/2 independent two-dimensional copies. Both share
 * the classic start, which we use: x0 = (-1.2, 1, -1.2, 1, ...). For n >= 4
 * the chained form also has a local minimizer near (-1, 1, ..., 1), with f
 * close to 4 (Shang & Qiu, Evolutionary Computation 14(1), 2006), where an
 * optimizer can legitimately stall.
 *
 * Rotated variant: "instance": k >= 1 evaluates the function on
 * z = R (x - s) + 1 (problems/instance.h): the optimum moves to a seeded s in
 * [-4, 4]^n and, with rotate=true (default), the valley is turned by a
 * Haar-random rotation R, which makes every pair of coordinates interact
 * (compare BBOB f9, Hansen et al. 2009, INRIA RR-6829, which rotates without
 * shifting and scales by max(1, sqrt(n)/8)). Then g = R^T g_z and H v =
 * R^T H_z R v, and f(x*) = 0 exactly at x* = s. Instance 0 (default) is the
 * literal function. Search region [-5, 5]^n (BBOB's).
 *
 * Params: dim=2 [2, 1e8], instance=0 [0, 1e6], rotate=true (dim <= 11585 when
 * rotated). The run seed is ignored. f and g are one fixed-block ob_vec_reduce
 * pass (each block sums its terms and writes g over its own indices only,
 * reading z one past either end), and the HVP is element-wise, so every result
 * is bit-identical for every OpenMP thread count. Literal instances allocate
 * nothing; the others take the instance's vectors and R from the arena.
 */
#include "config.h"

#include <stdint.h>

#include "bench/ob_params.h"
#include "bench/ob_vec.h"
#include "problems/instance.h"
#include "problems/problem.h"

typedef struct {
  size_t n;
  ob_instance inst;
} rosenbrock_state;

static const ob_param_spec rosenbrock_params[] = {
  { "dim", OB_PARAM_INT, "2", 2, 1e8, 0, NULL, "d", "dimension n (chained: n-1 coupled pairs)" },
  OB_INSTANCE_PARAM_SPECS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

typedef struct {
  const double *x;
  double *g;          /* NULL: f only */
  size_t n;
} rosenbrock_ctx;

/* Terms i in [lo, min(hi, n-1)) of f, and g[i] for i in [lo, hi). */
static double rosenbrock_block(void *vctx, size_t lo, size_t hi)
{
  const rosenbrock_ctx *c = vctx;
  const double *x = c->x;
  size_t n = c->n;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    double gi = 0.0;
    if (i + 1 < n) {
      double t = x[i + 1] - x[i] * x[i], u = 1.0 - x[i];
      acc += 100.0 * t * t + u * u;
      gi = -400.0 * x[i] * t - 2.0 * u;
    }
    if (c->g) {
      if (i > 0) gi += 200.0 * (x[i] - x[i - 1] * x[i - 1]);
      c->g[i] = gi;
    }
  }
  return acc;
}

/* The pure function: f(x), and the gradient into g when g != NULL. f does
 * not depend on whether g is asked for. */
static double rosenbrock_raw(const double *x, double *g, size_t n)
{
  rosenbrock_ctx c = { x, g, n };
  return ob_vec_reduce(rosenbrock_block, &c, n);
}

static int rosenbrock_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem,
                                ob_error *err)
{
  rosenbrock_state *s = vs;
  (void)seed;
  long long n = ob_params_int(params, "dim");
  if (n < 2) return ob_error_set(err, OB_EINVAL, "dim must be at least 2");
  s->n = (size_t)n;
  return ob_instance_setup(&s->inst, s->n, ob_params_int(params, "instance"),
                           ob_params_bool(params, "rotate"), true, 1.0, 5.0, mem, err);
}

static size_t rosenbrock_dim(const void *vs)
{
  return ((const rosenbrock_state *)vs)->n;
}

static int rosenbrock_eval(void *vs, const double *x, double *f, double *g, ob_error *err)
{
  rosenbrock_state *s = vs;
  (void)err;
  const double *z = ob_instance_z(&s->inst, x);
  double *gz = ob_instance_gz(&s->inst, g);
  *f = rosenbrock_raw(z, gz, s->n);
  ob_instance_pull(&s->inst, gz, g);
  return OB_OK;
}

/* out = H(x) v on z-coordinates (the literal function's Hessian). */
static void rosenbrock_hvp_raw(const double *x, const double *v, double *out, size_t n)
{
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) {
    double hii = 0.0, acc = 0.0;
    if (i + 1 < n) {
      hii += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
      acc += -400.0 * x[i] * v[i + 1];
    }
    if (i > 0) {
      hii += 200.0;
      acc += -400.0 * x[i - 1] * v[i - 1];
    }
    out[i] = hii * v[i] + acc;
  }
}

static int rosenbrock_hvp(void *vs, const double *x, const double *v, double *out, ob_error *err)
{
  rosenbrock_state *s = vs;
  (void)err;
  const double *z = ob_instance_z(&s->inst, x);
  const double *w = ob_instance_dir(&s->inst, v);
  double *hz = ob_instance_hz(&s->inst, out);
  rosenbrock_hvp_raw(z, w, hz, s->n);
  ob_instance_pull(&s->inst, hz, out);
  return OB_OK;
}

static void rosenbrock_x0(const void *vs, double *x)
{
  const rosenbrock_state *s = vs;
  for (size_t i = 0; i < s->n; i++) x[i] = i % 2 == 0 ? -1.2 : 1.0;
}

static double rosenbrock_f_opt(const void *vs)
{
  (void)vs;
  return 0.0;
}

static int rosenbrock_x_opt(const void *vs, double *x)
{
  const rosenbrock_state *s = vs;
  ob_instance_x_opt(&s->inst, 1.0, x);
  return OB_OK;
}

const ob_problem_type ob_problem_rosenbrock = {
  .name = "rosenbrock",
  .summary = "chained Rosenbrock valley, f* = 0 at (1, ..., 1); instance >= 1: shifted and rotated",
  .reference = "Rosenbrock, The Computer Journal 3(3) (1960); start as in More, Garbow & Hillstrom, ACM TOMS 7(1) (1981), problem 21",
  .params = rosenbrock_params,
  .state_size = sizeof(rosenbrock_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_FOPT,
  .configure = rosenbrock_configure,
  .dim = rosenbrock_dim,
  .eval = rosenbrock_eval,
  .hvp = rosenbrock_hvp,
  .x0 = rosenbrock_x0,
  .f_opt = rosenbrock_f_opt,
  .x_opt = rosenbrock_x_opt,
  .free = NULL,
};
