/* noisy_quadratic.c -- a diagonal quadratic whose optimizers see stochastic
 * gradients with affine variance, the noise model of the high-probability
 * convergence analyses of adaptive methods (e.g. Faw et al., "The power of
 * adaptivity in SGD: self-tuning step sizes with unbounded gradients and affine
 * variance", COLT 2022; the seeds catalog's "affine variance" assumption).
 *
 *   f(x) = 1/2 sum_i l_i x_i^2,   l_i = condition^(i/(n-1))  (l = 1 when n = 1)
 *   grad f = l o x,   H = diag(l),   f* = 0 at x* = 0
 *   sample at step t:  g~ = grad f(x) + sd xi,   xi ~ N(0, I_n),
 *                      sd = sigma sqrt((1 + ||grad f(x)||^2) / n)
 * so E g~ = grad f and E ||g~ - grad f||^2 = sigma^2 (1 + ||grad f||^2). The f
 * returned with a sample is the exact f; eval (targets, traces) and hvp are
 * exact. The noise of step t depends only on (run seed, t): GSL's mt19937 is
 * reseeded at every sample with the low 32 bits of
 *   m(m(run_seed) XOR t),   m = the splitmix64 finalizer (Steele, Lea & Flood,
 *   "Fast splittable pseudorandom number generators", OOPSLA 2014),
 * and xi_0, ..., xi_{n-1} are drawn in order (GSL's Ziggurat Gaussian), so every
 * optimizer sees the same noise sequence whatever it evaluates. No instances:
 * the function is the diagonal quadratic (use `quadratic` for rotations).
 * Search region [-5, 5]^n; x0 = (1, ..., 1).
 * Params: dim=10 [1, 1e7], condition=10 [1, 1e12], sigma=1 [0, 1e6].
 * Memory: l from the arena; the generator is malloc'ed (freed by free).
 * f and g use ob_vec_reduce; the draws are sequential: thread-count independent.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bench/ob_vec.h"
#include "problems/problem.h"

typedef struct {
  size_t n;
  double condition, sigma;
  uint64_t seed;          /* the run seed given to configure */
  double *lambda;         /* arena */
  gsl_rng *rng;           /* malloc'ed */
} nq_state;

static const ob_param_spec noisy_quadratic_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e7, 0, NULL, "d", "dimension n" },
  { "condition", OB_PARAM_REAL, "10", 1, 1e12, 0, NULL, "cond",
    "condition number: eigenvalues log-spaced from 1 to this value" },
  { "sigma", OB_PARAM_REAL, "1", 0, 1e6, 0, NULL, NULL,
    "noise level: E||g~ - grad f||^2 = sigma^2 (1 + ||grad f||^2)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static uint64_t nq_mix(uint64_t z)
{
  z += 0x9e3779b97f4a7c15u;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static int nq_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  nq_state *s = vs;
  long long n = ob_params_int(params, "dim");
  if (n < 1) return ob_error_set(err, OB_EINVAL, "dim must be at least 1");
  s->n = (size_t)n;
  s->condition = ob_params_real(params, "condition");
  s->sigma = ob_params_real(params, "sigma");
  s->seed = seed;
  s->lambda = ob_memtier_alloc(mem, OB_MEM_DATA, s->n, err);
  if (!s->lambda) return err ? err->code : OB_ENOMEM;
  for (size_t i = 0; i < s->n; i++)
    s->lambda[i] = s->n == 1 ? 1.0 : pow(s->condition, (double)i / (double)(s->n - 1));
  s->rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!s->rng) return ob_error_set(err, OB_ENOMEM, "out of memory for a random number generator");
  return OB_OK;
}

static size_t nq_dim(const void *vs)
{
  return ((const nq_state *)vs)->n;
}

typedef struct {
  const double *l, *x;
  double *g;
} nq_ctx;

static double nq_block(void *vctx, size_t lo, size_t hi)
{
  const nq_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    double lx = c->l[i] * c->x[i];
    acc += lx * c->x[i];
    if (c->g) c->g[i] = lx;
  }
  return acc;
}

static int nq_eval(void *vs, const double *x, double *f, double *g, ob_error *err)
{
  nq_state *s = vs;
  nq_ctx c = { s->lambda, x, g };
  (void)err;
  *f = 0.5 * ob_vec_reduce(nq_block, &c, s->n);
  return OB_OK;
}

static int nq_sample_eval(void *vs, const double *x, uint64_t step, double *f, double *g, ob_error *err)
{
  nq_state *s = vs;
  int rc = nq_eval(vs, x, f, g, err);
  if (rc < 0 || !g) return rc;
  double sd = s->sigma * sqrt((1.0 + ob_vec_dot(g, g, s->n)) / (double)s->n);
  gsl_rng_set(s->rng, (unsigned long)(nq_mix(nq_mix(s->seed) ^ step) & 0xffffffffu));
  for (size_t i = 0; i < s->n; i++) g[i] += sd * gsl_ran_gaussian_ziggurat(s->rng, 1.0);
  return OB_OK;
}

static int nq_hvp(void *vs, const double *x, const double *v, double *out, ob_error *err)
{
  const nq_state *s = vs;
  size_t n = s->n;
  (void)x;
  (void)err;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) out[i] = s->lambda[i] * v[i];
  return OB_OK;
}

static void nq_x0(const void *vs, double *x)
{
  const nq_state *s = vs;
  for (size_t i = 0; i < s->n; i++) x[i] = 1.0;
}

static double nq_f_opt(const void *vs)
{
  (void)vs;
  return 0.0;
}

static int nq_x_opt(const void *vs, double *x)
{
  const nq_state *s = vs;
  for (size_t i = 0; i < s->n; i++) x[i] = 0.0;
  return OB_OK;
}

static void nq_free(void *vs)
{
  nq_state *s = vs;
  gsl_rng_free(s->rng);
  s->rng = NULL;
}

const ob_problem_type ob_problem_noisy_quadratic = {
  .name = "noisy_quadratic",
  .summary = "diagonal quadratic with stochastic gradients of affine variance sigma^2 (1 + ||grad f||^2)",
  .reference = "Faw et al., COLT 2022 (affine variance noise model); quadratic: Nocedal & Wright (2006), sec. 3.3",
  .params = noisy_quadratic_params,
  .state_size = sizeof(nq_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_FOPT | OB_PROVIDES_STOCHASTIC,
  .configure = nq_configure,
  .dim = nq_dim,
  .eval = nq_eval,
  .hvp = nq_hvp,
  .x0 = nq_x0,
  .f_opt = nq_f_opt,
  .x_opt = nq_x_opt,
  .free = nq_free,
  .sample_eval = nq_sample_eval,
};
