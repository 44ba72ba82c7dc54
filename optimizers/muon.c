/* muon.c -- Muon: momentum orthogonalized by a Newton-Schulz iteration, for a
 * parameter vector that is a rows x cols matrix.
 *
 * K. Jordan, Y. Jin, V. Boza, J. You, F. Cesista, L. Newhouse & J. Bernstein,
 * "Muon: An optimizer for hidden layers in neural networks" (2024),
 * kellerjordan.github.io/posts/muon, code KellerJordan/Muon muon.py
 * (zeropower_via_newtonschulz5, muon_update), whose operations are kept in
 * double precision (the reference iterates in bfloat16). X is the vector x
 * read row-major as a rows x cols matrix (x[i cols + j] = X_ij); G likewise:
 *
 *   M <- beta M + (1 - beta) G                       (momentum.lerp_(grad, 1 - beta))
 *   U = beta M + (1 - beta) G   (nesterov)   or   U = M
 *   O = NS5(U):  Y = U (transposed if rows > cols), Y <- Y / (||Y||_F + 1e-7),
 *                ns_steps times:  A = Y Y^T,  B = b A + c A A,  Y <- a Y + B Y,
 *                (a, b, c) = (3.4445, -4.7750, 2.0315); transpose back
 *   x <- x (1 - lr wd) - lr s O,   s = sqrt(max(1, rows / cols))   ("jordan")
 *                                   or 0.2 sqrt(max(rows, cols))   ("moonlight", Liu et al. 2025)
 *
 * Applicability: optbench problems are vectors. A run needs the "shape"
 * param [rows, cols] with rows * cols = n; without one init returns
 * OB_EUNSUPPORTED (the runner records a skipped run with the reason), and a
 * shape whose product is not n is an error (OB_EINVAL) naming both.
 * Matrix products are plain loops in a fixed order, rows split over OpenMP
 * threads (each entry summed serially by one thread), so trajectories are
 * bit-identical for every thread count. lr * ctx->lr_scale replaces lr.
 *
 * Defaults (KellerJordan/Muon): lr 0.02, momentum 0.95, nesterov true,
 * ns_steps 5, weight_decay 0, scale "jordan". State: the momentum M plus
 * Newton-Schulz scratch taken from the arena like state (Y, Y', A, A A:
 * 2n + 2 r^2 doubles with r = min(rows, cols), allocated as 4 vectors of n),
 * 5 vectors. Traffic per coordinate (the element-wise passes; the O(r n)
 * products per NS step are compute-bound and not counted): momentum read
 * g, M and write M (24), normalize read/write Y (16), update read x, Y and
 * write x (24) = 64 bytes.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

enum { SCALE_JORDAN, SCALE_MOONLIGHT, SCALE_NONE };

typedef struct {
  double lr, momentum, weight_decay;
  int nesterov, scale_kind;
  long long ns_steps;
  size_t rows, cols;     /* 0 x 0: no shape given */
  size_t n;
  double *m, *y, *y2, *a, *aa;   /* arena vectors */
} muon_state;

static const ob_param_spec muon_params[] = {
  { "lr", OB_PARAM_REAL, "0.02", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate" },
  { "momentum", OB_PARAM_REAL, "0.95", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "mom",
    "momentum beta: M <- beta M + (1 - beta) G" },
  { "nesterov", OB_PARAM_BOOL, "true", 0, 0, 0, NULL, "nest",
    "orthogonalize beta M + (1 - beta) G instead of M" },
  { "ns_steps", OB_PARAM_INT, "5", 0, 100, 0, NULL, "ns",
    "Newton-Schulz iterations (quintic, coefficients 3.4445, -4.7750, 2.0315)" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "decoupled decay: x <- x (1 - lr wd) before the update" },
  { "scale", OB_PARAM_STRING, "\"jordan\"", 0, 0, 0, "jordan|moonlight|none", NULL,
    "update scale: sqrt(max(1, rows/cols)), 0.2 sqrt(max(rows, cols)) or 1" },
  { "shape", OB_PARAM_VECTOR, "null", 1, 1e9, OB_PARAM_NULLABLE | OB_PARAM_NO_GRID, NULL, NULL,
    "[rows, cols] with rows * cols = the problem's dimension (x read row-major); null: not applicable" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int muon_configure(void *vs, const json_t *params, ob_error *err)
{
  muon_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->momentum = ob_params_real(params, "momentum");
  s->nesterov = ob_params_bool(params, "nesterov");
  s->ns_steps = ob_params_int(params, "ns_steps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  const char *sc = ob_params_string(params, "scale");
  s->scale_kind = strcmp(sc, "moonlight") == 0 ? SCALE_MOONLIGHT : strcmp(sc, "none") == 0 ? SCALE_NONE : SCALE_JORDAN;
  s->rows = s->cols = 0;
  const json_t *sh = json_object_get(params, "shape");
  if (sh && !json_is_null(sh)) {
    if (!json_is_array(sh) || json_array_size(sh) != 2)
      return ob_error_at(err, OB_EINVAL, "shape", "expected [rows, cols], two positive integers");
    double d[2];
    for (size_t k = 0; k < 2; k++) {
      const json_t *e = json_array_get(sh, k);
      d[k] = json_is_number(e) ? json_number_value(e) : NAN;
      if (!(d[k] >= 1.0 && d[k] <= 1e9 && d[k] == floor(d[k])))
        return ob_error_at(err, OB_EINVAL, "shape", "expected [rows, cols], two positive integers (entry %zu is not)",
                           k);
    }
    s->rows = (size_t)d[0];
    s->cols = (size_t)d[1];
  }
  if (s->lr * s->weight_decay >= 1.0)
    return ob_error_at(err, OB_EINVAL, "weight_decay", "lr * weight_decay must be below 1 (got %g * %g)", s->lr,
                       s->weight_decay);
  return OB_OK;
}

static size_t muon_nvectors(const void *vs)
{
  const muon_state *s = vs;
  return s->rows ? 5 : 0;   /* without a shape init refuses the run */
}

static int muon_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  muon_state *s = vs;
  (void)p;
  if (s->rows == 0)
    return ob_error_set(err, OB_EUNSUPPORTED,
                        "optimizer 'muon' orthogonalizes matrix-shaped parameters: give it \"shape\": [rows, cols] "
                        "with rows * cols = %zu to run on this %zu-dimensional problem", n, n);
  if (s->rows * s->cols != n)
    return ob_error_set(err, OB_EINVAL,
                        "optimizer 'muon': shape [%zu, %zu] has %zu entries but the problem has dimension %zu",
                        s->rows, s->cols, s->rows * s->cols, n);
  s->n = n;
  s->m = vec[0];
  s->y = vec[1];
  s->y2 = vec[2];
  s->a = vec[3];
  s->aa = vec[4];
  return OB_OK;
}

/* out (r x r) = Y Y^T for Y r x c, row-major. */
static void gram(const double *restrict y, size_t r, size_t c, double *restrict out)
{
#pragma omp parallel for schedule(static) if (r * r * c >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < r; i++)
    for (size_t k = 0; k < r; k++) {
      double acc = 0.0;
      for (size_t j = 0; j < c; j++) acc = acc + y[i * c + j] * y[k * c + j];
      out[i * r + k] = acc;
    }
}

/* out (r x q) = P (r x r) Q (r x q), row-major. */
static void matmul(const double *restrict pm, const double *restrict qm, size_t r, size_t q, double *restrict out)
{
#pragma omp parallel for schedule(static) if (r * r * q >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < q; j++) {
      double acc = 0.0;
      for (size_t k = 0; k < r; k++) acc = acc + pm[i * r + k] * qm[k * q + j];
      out[i * q + j] = acc;
    }
}

static int muon_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  muon_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  const size_t n = s->n, rows = s->rows, cols = s->cols;
  const double beta = s->momentum, omb = 1.0 - beta;
  const int tr = rows > cols;
  const size_t r = tr ? cols : rows, c = tr ? rows : cols;   /* Y is r x c, r <= c */
  double *restrict m = s->m, *restrict y = s->y, *restrict y2 = s->y2;
  /* momentum, the vector to orthogonalize (written into Y, transposed if needed) */
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++) {
      const size_t k = i * cols + j;
      m[k] = m[k] + (g[k] - m[k]) * omb;   /* torch lerp: start + weight (end - start) */
      const double u = s->nesterov ? m[k] * beta + g[k] * omb : m[k];
      y[tr ? j * rows + i : k] = u;
    }
  const double nrm = ob_vec_nrm2(y, n) + 1e-7;
  OB_VEC_FOR(k, n, y[k] = y[k] / nrm;);
  static const double qa = 3.4445, qb = -4.7750, qc = 2.0315;
  for (long long it = 0; it < s->ns_steps; it++) {
    gram(y, r, c, s->a);                       /* A = Y Y^T */
    matmul(s->a, s->a, r, r, s->aa);           /* A A */
    for (size_t k = 0; k < r * r; k++) s->aa[k] = qb * s->a[k] + qc * s->aa[k];   /* B */
    matmul(s->aa, y, r, c, y2);                /* B Y */
    OB_VEC_FOR(k, n, y[k] = qa * y[k] + y2[k];);
  }
  double scale = 1.0;
  if (s->scale_kind == SCALE_JORDAN) scale = sqrt(fmax(1.0, (double)rows / (double)cols));
  else if (s->scale_kind == SCALE_MOONLIGHT) scale = 0.2 * sqrt((double)(rows > cols ? rows : cols));
  const double decay = 1.0 - lr * s->weight_decay, step = lr * scale;
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++) {
      const size_t k = i * cols + j;
      const double oij = y[tr ? j * rows + i : k];
      x[k] = x[k] * decay - step * oij;
    }
  return OB_OK;
}

static double muon_traffic(const void *vs)
{
  (void)vs;
  return 8.0 * sizeof(double);   /* momentum 24 + normalize 16 + update 24 bytes */
}

const ob_optimizer_type ob_optimizer_muon = {
  .name = "muon",
  .summary = "Muon: Nesterov momentum orthogonalized by 5 quintic Newton-Schulz steps; needs \"shape\": [rows, cols]",
  .reference = "Jordan et al. 2024, kellerjordan.github.io/posts/muon; = KellerJordan/Muon muon.py in double precision",
  .params = muon_params,
  .state_size = sizeof(muon_state),
  .needs = OB_NEEDS_GRAD,
  .configure = muon_configure,
  .nvectors = muon_nvectors,
  .init = muon_init,
  .step = muon_step,
  .traffic = muon_traffic,
  .free = NULL,
};
