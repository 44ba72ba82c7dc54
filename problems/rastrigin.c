/* rastrigin.c -- the Rastrigin function, a separable multimodal test: a
 * sphere covered with a regular grid of cosine bumps (Rastrigin, Systems of
 * Extremal Control, Nauka, Moscow, 1974, for n = 2; the n-dimensional form is
 * Muehlenbein, Schomisch & Born, Parallel Computing 17, 1991).
 *
 *   f(x) = A n + sum_i [ x_i^2 - A cos(2 pi x_i) ],   f* = 0 at x* = 0
 *   g_i  = 2 x_i + 2 pi A sin(2 pi x_i)
 *   H    diagonal: H_ii = 2 + 4 pi^2 A cos(2 pi x_i)
 *
 * f is summed as sum_i [ x_i^2 + A (1 - cos(2 pi x_i)) ], which is the same
 * function but makes every term >= 0, so f >= f* holds in floating point too.
 * With A = 10 a local minimizer sits near every integer point of the search
 * region; the global one is x = 0.
 * Usual search region [-5.12, 5.12]^n (no bounds are enforced: the benchmark is
 * unconstrained). Default start x0 = (2.5, ..., 2.5): a point near the ridge
 * between the local minima near 2 and 3, not a stationary point (g_i = 5).
 *
 * Params: dim=10 [1, 1e8], amplitude A=10 [0, inf) (A = 0 is the sphere).
 * No randomness: the run seed is ignored. f and g are one fixed-block
 * ob_vec_reduce pass and the HVP is element-wise, so every result is
 * bit-identical for every OpenMP thread count. Nothing is allocated.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "bench/ob_vec.h"
#include "problems/problem.h"

#define RASTRIGIN_TWO_PI 6.283185307179586476925286766559

typedef struct {
  size_t n;
  double amplitude;
} rastrigin_state;

static const ob_param_spec rastrigin_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e8, 0, NULL, "d", "dimension n" },
  { "amplitude", OB_PARAM_REAL, "10", 0, HUGE_VAL, 0, NULL, "A",
    "height A of the cosine bumps (0 gives the sphere)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

typedef struct {
  const double *x;
  double *g;          /* NULL: f only */
  double a;
} rastrigin_ctx;

static double rastrigin_block(void *vctx, size_t lo, size_t hi)
{
  const rastrigin_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    double xi = c->x[i], w = RASTRIGIN_TWO_PI * xi;
    acc += xi * xi + c->a * (1.0 - cos(w));
    if (c->g) c->g[i] = 2.0 * xi + RASTRIGIN_TWO_PI * c->a * sin(w);
  }
  return acc;
}

/* The pure function: f(x), and the gradient into g when g != NULL. */
static double rastrigin_raw(const double *x, double *g, size_t n, double a)
{
  rastrigin_ctx c = { x, g, a };
  return ob_vec_reduce(rastrigin_block, &c, n);
}

static int rastrigin_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem,
                               ob_error *err)
{
  rastrigin_state *s = vs;
  (void)seed;
  (void)mem;
  long long n = ob_params_int(params, "dim");
  s->amplitude = ob_params_real(params, "amplitude");
  if (n < 1) return ob_error_set(err, OB_EINVAL, "dim must be at least 1");
  if (!(s->amplitude >= 0) || isinf(s->amplitude))
    return ob_error_set(err, OB_EINVAL, "amplitude must be a finite number >= 0");
  s->n = (size_t)n;
  return OB_OK;
}

static size_t rastrigin_dim(const void *vs)
{
  return ((const rastrigin_state *)vs)->n;
}

static int rastrigin_eval(void *vs, const double *x, double *f, double *g, ob_error *err)
{
  const rastrigin_state *s = vs;
  (void)err;
  *f = rastrigin_raw(x, g, s->n, s->amplitude);
  return OB_OK;
}

static int rastrigin_hvp(void *vs, const double *x, const double *v, double *out, ob_error *err)
{
  const rastrigin_state *s = vs;
  size_t n = s->n;
  double c = RASTRIGIN_TWO_PI * RASTRIGIN_TWO_PI * s->amplitude;
  (void)err;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) out[i] = (2.0 + c * cos(RASTRIGIN_TWO_PI * x[i])) * v[i];
  return OB_OK;
}

static void rastrigin_x0(const void *vs, double *x)
{
  const rastrigin_state *s = vs;
  for (size_t i = 0; i < s->n; i++) x[i] = 2.5;
}

static double rastrigin_f_opt(const void *vs)
{
  (void)vs;
  return 0.0;
}

static int rastrigin_x_opt(const void *vs, double *x)
{
  const rastrigin_state *s = vs;
  for (size_t i = 0; i < s->n; i++) x[i] = 0.0;
  return OB_OK;
}

const ob_problem_type ob_problem_rastrigin = {
  .name = "rastrigin",
  .summary = "Rastrigin: sphere plus cosine bumps, many local minima, f* = 0 at 0",
  .reference = "Rastrigin, Systems of Extremal Control (1974); Muehlenbein, Schomisch & Born, Parallel Computing 17 (1991)",
  .params = rastrigin_params,
  .state_size = sizeof(rastrigin_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_FOPT,
  .configure = rastrigin_configure,
  .dim = rastrigin_dim,
  .eval = rastrigin_eval,
  .hvp = rastrigin_hvp,
  .x0 = rastrigin_x0,
  .f_opt = rastrigin_f_opt,
  .x_opt = rastrigin_x_opt,
  .free = NULL,
};
