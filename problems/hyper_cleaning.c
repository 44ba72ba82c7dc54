/* hyper_cleaning.c -- data hyper-cleaning: learn per-sample weights that
 * switch off the corrupted training labels of a logistic regression.
 *
 *   lower  g(x, y) = (1/n) sum_i sig(x_i) l(b_i a_i'y) + (mu/2) ||y||^2
 *   upper  f(x, y) = (1/m) sum_j l(b'_j a'_j'y)          (clean validation set)
 *
 * with l(z) = log(1 + e^-z), sig the logistic sigmoid, training samples
 * (a_i, b_i), i < n, of which round(corruption * n) have their label b_i
 * flipped (chosen without replacement by GSL's gsl_ran_choose from mt19937
 * seeded with corruption_seed), validation samples (a'_j, b'_j), j < m,
 * untouched. x in R^n are the upper variables (one per training sample), y in
 * R^d the classifier. The task of Franceschi et al., ICML 2017, sec. 5.1;
 * Shaban et al., AISTATS 2019; Ji, Yang & Liang, ICML 2021, sec. 5 (with a
 * linear model and logistic loss instead of their softmax over classes).
 * The lower level is mu-strongly convex in y (mu = l2 > 0), f does not
 * depend on x. With s(z) = 1/(1 + e^-z), z_i = b_i a_i'y:
 *   grad_y g   = (1/n) sum_i -sig(x_i) s(-z_i) b_i a_i + mu y
 *   grad_x g   = (1/n) sig'(x_i) l(z_i)                              (per i)
 *   H v        = (1/n) sum_i sig(x_i) s(z_i) s(-z_i) (a_i'v) a_i + mu v
 *   [grad2_xy g v]_i = -(1/n) sig'(x_i) s(-z_i) b_i (a_i'v)
 * Ground truth (`hyper`, and eval on z = [x; y]): y*(x) by Newton from y = 0
 * (dense Hessian, GSL Cholesky, Armijo backtracking) until ||grad_y g|| <=
 * 1e-12 (an error above 1e-10), then grad F = -grad2_xy g H^-1 grad_y f
 * (problems/bilevel.h) with the Hessian at y* factored once more.
 * Starting every solve from 0 keeps F(x) a function of x alone (no history).
 *
 * f_opt is unknown (NAN): F is nonconvex in x and its infimum is not
 * available in closed form; runs are judged by `hypergrad_norm`. Metrics:
 * hypergrad_norm, lower_gap, y_error, clean_weight_mean and
 * corrupted_weight_mean (mean sig(x_i) over clean / flipped samples; null when
 * there are none), val_accuracy of the run's y.
 *
 * Data: "train" and "val" file objects (problems/datafile.h, binary labels)
 * or "synthetic": n_train + n_val samples of logreg's Gaussian-classes
 * generator (docs/logreg.md: separation, seed; no label noise of its own),
 * the first n_train for training. x0 = [0; 0] (every weight 1/2).
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bench/ob_json.h"
#include "bench/ob_vec.h"
#include "problems/bilevel.h"
#include "problems/datafile.h"
#include "problems/problem.h"

#define CLEAN_MAX_D 2000
#define CLEAN_GTOL 1e-12
#define CLEAN_GTOL_ACCEPT 1e-10

typedef struct {
  size_t n, m, d;
  const double *xtr, *xva;     /* dense rows (arena) */
  double *btr;                 /* training labels after corruption (arena) */
  const double *bva;
  unsigned char *flipped;      /* n: 1 when b_i was flipped (arena) */
  size_t nflipped;
  double mu, corruption;
  double *h;                   /* d*d Hessian / Cholesky factor (arena) */
  double *ys, *gy, *dy, *yt, *gt, *fy, *q;   /* d each (arena) */
  size_t newton_iters;
  double newton_gnorm;
  struct ob_bilevel_view view;
} clean_state;

static const ob_param_spec synth_params[] = {
  { "n_train", OB_PARAM_INT, "200", 1, 1e7, 0, NULL, NULL, "training samples (the upper dimension)" },
  { "n_val", OB_PARAM_INT, "200", 1, 1e7, 0, NULL, NULL, "validation samples" },
  { "d", OB_PARAM_INT, "10", 1, CLEAN_MAX_D, 0, NULL, NULL, "features" },
  { "separation", OB_PARAM_REAL, "2", 0, 1e6, 0, NULL, NULL, "distance between the class means" },
  { "seed", OB_PARAM_INT, "1", 1, 4294967295.0, 0, NULL, NULL, "the generator's seed (not the run seed)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static const ob_param_spec clean_params[] = {
  { "train", OB_PARAM_OBJECT, "null", 0, 0, OB_PARAM_NULLABLE | OB_PARAM_PATH, NULL, NULL,
    "training set " OB_DATAFILE_HELP "; null: synthetic" },
  { "val", OB_PARAM_OBJECT, "null", 0, 0, OB_PARAM_NULLABLE | OB_PARAM_PATH, NULL, NULL,
    "clean validation set, same form as train" },
  { "synthetic", OB_PARAM_OBJECT, "null", 0, 0, OB_PARAM_NULLABLE, NULL, NULL,
    "generator {n_train, n_val, d, separation, seed} when train/val are null (docs/bilevel.md)" },
  { "corruption", OB_PARAM_REAL, "0.3", 0, 1, OB_PARAM_MAX_OPEN, NULL, "c",
    "fraction of training labels flipped, in [0, 1)" },
  { "corruption_seed", OB_PARAM_INT, "1", 1, 4294967295.0, 0, NULL, NULL, "seed of the flipped-sample choice" },
  { "l2", OB_PARAM_REAL, "0.01", 0, 1e6, OB_PARAM_MIN_OPEN, NULL, NULL,
    "mu > 0: (mu/2)||y||^2 in the lower level (strong convexity)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* ---- scalar functions -------------------------------------------------------------- */

static double logistic_loss(double z)
{
  return z >= 0.0 ? log1p(exp(-z)) : -z + log1p(exp(z));
}

/* s(z) = 1 / (1 + e^-z) without overflow. */
static double sigm(double z)
{
  if (z >= 0.0) return 1.0 / (1.0 + exp(-z));
  double e = exp(z);
  return e / (1.0 + e);
}

/* ---- data ------------------------------------------------------------------------- */

static int load(clean_state *s, const json_t *params, ob_memtier *mem, ob_error *err)
{
  ob_dataset dtr, dva;
  int rc = ob_datafile_load_params(params, false, CLEAN_MAX_D, mem, &dtr, &dva, err);
  if (rc < 0) return rc;
  if (rc == 1) {
    s->n = dtr.n;
    s->m = dva.n;
    s->d = dtr.d;
    s->xtr = dtr.x;
    s->btr = dtr.y;
    s->xva = dva.x;
    s->bva = dva.y;
    return OB_OK;
  }
  const json_t *sy = json_object_get(params, "synthetic");
  static const char *const skip[] = { NULL };
  json_t *sp = NULL, *empty = json_object();
  rc = ob_params_normalize(synth_params, json_is_object(sy) ? sy : empty, skip, "synthetic", &sp, err);
  json_decref(empty);
  if (rc < 0) return rc;
  ob_synth_spec spec = { 0 };
  s->n = (size_t)ob_params_int(sp, "n_train");
  s->m = (size_t)ob_params_int(sp, "n_val");
  spec.n = s->n + s->m;
  spec.d = (size_t)ob_params_int(sp, "d");
  spec.separation = ob_params_real(sp, "separation");
  spec.condition = 1.0;
  spec.density = 1.0;
  spec.seed = (uint64_t)ob_params_int(sp, "seed");
  json_decref(sp);
  ob_dataset ds;
  rc = ob_dataset_synthetic(&spec, false, mem, &ds, err);
  if (rc < 0) return rc;
  s->d = ds.d;
  s->xtr = ds.x;
  s->btr = ds.y;
  s->xva = ds.x + s->n * s->d;
  s->bva = ds.y + s->n;
  return OB_OK;
}

/* Flips round(corruption * n) training labels, chosen without replacement. */
static int corrupt(clean_state *s, unsigned long seed, ob_memtier *mem, ob_error *err)
{
  s->flipped = ob_memtier_alloc_bytes(mem, OB_MEM_DATA, s->n, err);
  if (!s->flipped) return err ? err->code : OB_ENOMEM;
  memset(s->flipped, 0, s->n);
  size_t k = (size_t)llround(s->corruption * (double)s->n);
  s->nflipped = k;
  if (k == 0) return OB_OK;
  size_t *all = malloc(s->n * sizeof *all), *pick = malloc(k * sizeof *pick);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int rc = OB_OK;
  if (!all || !pick || !r) {
    rc = ob_error_set(err, OB_ENOMEM, "out of memory choosing the corrupted samples");
  } else {
    gsl_rng_set(r, seed);
    for (size_t i = 0; i < s->n; i++) all[i] = i;
    gsl_ran_choose(r, pick, k, all, s->n, sizeof *all);
    for (size_t i = 0; i < k; i++) {
      s->btr[pick[i]] = -s->btr[pick[i]];
      s->flipped[pick[i]] = 1;
    }
  }
  free(all);
  free(pick);
  gsl_rng_free(r);
  return rc;
}

/* ---- oracles ----------------------------------------------------------------------- */

static int clean_upper(void *ctx, const double *x, const double *y, double *f, double *fx, double *fy,
                       ob_error *err)
{
  clean_state *s = ctx;
  size_t d = s->d;
  (void)err;
  double acc = 0.0, inv = 1.0 / (double)s->m;
  if (fy) memset(fy, 0, d * sizeof *fy);
  for (size_t j = 0; j < s->m; j++) {
    const double *a = s->xva + j * d;
    double z = s->bva[j] * ob_vec_dot(a, y, d);
    acc += logistic_loss(z);
    if (fy) {
      double c = -inv * sigm(-z) * s->bva[j];
      for (size_t k = 0; k < d; k++) fy[k] += c * a[k];
    }
  }
  if (f) *f = inv * acc;
  if (fx) memset(fx, 0, s->n * sizeof *fx);
  (void)x;
  return OB_OK;
}

static int clean_lower(void *ctx, const double *x, const double *y, double *g, double *gx, double *gy,
                       ob_error *err)
{
  clean_state *s = ctx;
  size_t d = s->d;
  (void)err;
  double acc = 0.0, inv = 1.0 / (double)s->n;
  if (gy) memset(gy, 0, d * sizeof *gy);
  for (size_t i = 0; i < s->n; i++) {
    const double *a = s->xtr + i * d;
    double z = s->btr[i] * ob_vec_dot(a, y, d), w = sigm(x[i]), l = logistic_loss(z);
    acc += w * l;
    if (gx) gx[i] = inv * w * (1.0 - w) * l;
    if (gy) {
      double c = -inv * w * sigm(-z) * s->btr[i];
      for (size_t k = 0; k < d; k++) gy[k] += c * a[k];
    }
  }
  double yy = ob_vec_dot(y, y, d);
  if (g) *g = inv * acc + 0.5 * s->mu * yy;
  if (gy)
    for (size_t k = 0; k < d; k++) gy[k] += s->mu * y[k];
  return OB_OK;
}

static int clean_hyy(void *ctx, const double *x, const double *y, const double *v, double *out, ob_error *err)
{
  clean_state *s = ctx;
  size_t d = s->d;
  (void)err;
  double inv = 1.0 / (double)s->n;
  for (size_t k = 0; k < d; k++) out[k] = s->mu * v[k];
  for (size_t i = 0; i < s->n; i++) {
    const double *a = s->xtr + i * d;
    double z = s->btr[i] * ob_vec_dot(a, y, d), c = inv * sigm(x[i]) * sigm(z) * sigm(-z) * ob_vec_dot(a, v, d);
    for (size_t k = 0; k < d; k++) out[k] += c * a[k];
  }
  return OB_OK;
}

static int clean_hxy(void *ctx, const double *x, const double *y, const double *v, double *out, ob_error *err)
{
  clean_state *s = ctx;
  size_t d = s->d;
  (void)err;
  double inv = 1.0 / (double)s->n;
  for (size_t i = 0; i < s->n; i++) {
    const double *a = s->xtr + i * d;
    double z = s->btr[i] * ob_vec_dot(a, y, d), w = sigm(x[i]);
    out[i] = -inv * w * (1.0 - w) * sigm(-z) * s->btr[i] * ob_vec_dot(a, v, d);
  }
  return OB_OK;
}

/* ---- ground truth ------------------------------------------------------------------ */

/* The lower Hessian at (x, y) into s->h, Cholesky-factored in place. */
static int hessian_factor(clean_state *s, const double *x, const double *y)
{
  size_t d = s->d;
  double inv = 1.0 / (double)s->n;
  memset(s->h, 0, d * d * sizeof *s->h);
  for (size_t i = 0; i < s->n; i++) {
    const double *a = s->xtr + i * d;
    double z = s->btr[i] * ob_vec_dot(a, y, d), c = inv * sigm(x[i]) * sigm(z) * sigm(-z);
    if (c == 0.0) continue;
    for (size_t p = 0; p < d; p++) {
      double cp = c * a[p];
      for (size_t q = 0; q <= p; q++) s->h[p * d + q] += cp * a[q];
    }
  }
  for (size_t p = 0; p < d; p++) {
    s->h[p * d + p] += s->mu;
    for (size_t q = 0; q < p; q++) s->h[q * d + p] = s->h[p * d + q];
  }
  gsl_matrix_view hv = gsl_matrix_view_array(s->h, d, d);
  return gsl_linalg_cholesky_decomp1(&hv.matrix) == GSL_SUCCESS ? OB_OK : OB_ENUMERIC;
}

/* out = H^-1 v with the factor in s->h. */
static int hessian_solve(clean_state *s, const double *v, double *out)
{
  gsl_matrix_view hv = gsl_matrix_view_array(s->h, s->d, s->d);
  gsl_vector_const_view vv = gsl_vector_const_view_array(v, s->d);
  gsl_vector_view ov = gsl_vector_view_array(out, s->d);
  return gsl_linalg_cholesky_solve(&hv.matrix, &vv.vector, &ov.vector) == GSL_SUCCESS ? OB_OK : OB_ENUMERIC;
}

/* y*(x) into s->ys by Newton from 0. */
static int newton(clean_state *s, const double *x, ob_error *err)
{
  size_t d = s->d, it;
  double gv, gt;
  memset(s->ys, 0, d * sizeof *s->ys);
  clean_lower(s, x, s->ys, &gv, NULL, s->gy, NULL);
  double gn = ob_vec_nrm2(s->gy, d);
  for (it = 0; it < 100 && gn > CLEAN_GTOL; it++) {
    if (hessian_factor(s, x, s->ys) < 0 || hessian_solve(s, s->gy, s->dy) < 0) break;
    double slope = -ob_vec_dot(s->gy, s->dy, d), t = 1.0;
    bool ok = false;
    for (; t > 1e-14; t *= 0.5) {
      for (size_t k = 0; k < d; k++) s->yt[k] = s->ys[k] - t * s->dy[k];
      clean_lower(s, x, s->yt, &gt, NULL, s->gt, NULL);
      double gnt = ob_vec_nrm2(s->gt, d);
      /* Armijo, or (where g differences drown in rounding) a halved gradient */
      if (gt <= gv + 1e-4 * t * slope || (t == 1.0 && gnt < 0.5 * gn)) { ok = true; break; }
    }
    if (!ok) break;
    double gnt = ob_vec_nrm2(s->gt, d);
    if (gnt >= gn && gt >= gv) break;            /* no progress left */
    memcpy(s->ys, s->yt, d * sizeof *s->ys);
    memcpy(s->gy, s->gt, d * sizeof *s->gy);
    gv = gt;
    gn = gnt;
  }
  s->newton_iters = it;
  s->newton_gnorm = gn;
  if (!(gn <= CLEAN_GTOL_ACCEPT))
    return ob_error_set(err, OB_ENUMERIC, "hyper_cleaning: the Newton solve for y*(x) stopped at gradient norm "
                        "%.3g after %zu iterations", gn, it);
  return OB_OK;
}

static int clean_hyper(void *ctx, const double *x, double *F, double *gradF, double *ystar, ob_error *err)
{
  clean_state *s = ctx;
  for (size_t i = 0; i < s->n; i++)
    if (!isfinite(x[i]))
      return ob_error_set(err, OB_ENUMERIC, "hyper_cleaning: weight logit x[%zu] is not finite", i);
  int rc = newton(s, x, err);
  if (rc < 0) return rc;
  if (F || gradF) clean_upper(s, x, s->ys, F, NULL, gradF ? s->fy : NULL, NULL);
  if (gradF) {
    if (hessian_factor(s, x, s->ys) < 0 || hessian_solve(s, s->fy, s->q) < 0)
      return ob_error_set(err, OB_ENUMERIC, "hyper_cleaning: Cholesky of the lower Hessian failed");
    clean_hxy(s, x, s->ys, s->q, gradF, NULL);
    for (size_t i = 0; i < s->n; i++) gradF[i] = -gradF[i];
  }
  if (ystar) memcpy(ystar, s->ys, s->d * sizeof *ystar);
  return OB_OK;
}

/* ---- the problem ------------------------------------------------------------------- */

static int clean_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  clean_state *s = vs;
  (void)seed;                   /* the instance depends on its data and seeds only */
  s->mu = ob_params_real(params, "l2");
  s->corruption = ob_params_real(params, "corruption");
  if (!(s->corruption >= 0.0 && s->corruption < 1.0))
    return ob_error_at(err, OB_EINVAL, "corruption", "%g must be in [0, 1)", s->corruption);
  int rc = load(s, params, mem, err);
  if (rc < 0) return rc;
  rc = corrupt(s, (unsigned long)((uint64_t)ob_params_int(params, "corruption_seed") & 0xffffffffu), mem, err);
  if (rc < 0) return rc;
  size_t d = s->d;
  s->h = ob_memtier_alloc(mem, OB_MEM_DATA, d * d, err);
  s->ys = ob_memtier_alloc(mem, OB_MEM_DATA, 7 * d, err);
  if (!s->h || !s->ys) return err ? err->code : OB_ENOMEM;
  s->gy = s->ys + d;
  s->dy = s->gy + d;
  s->yt = s->dy + d;
  s->gt = s->yt + d;
  s->fy = s->gt + d;
  s->q = s->fy + d;
  s->view = (struct ob_bilevel_view){
    .nx = s->n, .ny = d, .ctx = s,
    .upper = clean_upper, .lower = clean_lower, .lower_hyy = clean_hyy, .lower_hxy = clean_hxy,
    .hyper = clean_hyper, .lower_strongly_convex = true,
  };
  return OB_OK;
}

static size_t clean_dim(const void *vs)
{
  const clean_state *s = vs;
  return s->n + s->d;
}

static int clean_eval(void *vs, const double *x, double *f, double *g, ob_error *err)
{
  clean_state *s = vs;
  int rc = clean_hyper(s, x, f, g, NULL, err);
  if (rc == OB_OK && g) memset(g + s->n, 0, s->d * sizeof *g);
  return rc;
}

static void clean_x0(const void *vs, double *x)
{
  memset(x, 0, clean_dim(vs) * sizeof *x);
}

static double clean_f_opt(const void *vs)
{
  (void)vs;
  return NAN;                   /* unknown: see the header comment */
}

static const struct ob_bilevel_view *clean_bilevel(void *vs)
{
  return &((clean_state *)vs)->view;
}

static int clean_metrics(void *vs, const double *x, json_t *final, ob_error *err)
{
  clean_state *s = vs;
  size_t n = s->n, d = s->d;
  double *gradF = malloc(n * sizeof *gradF), g, gs;
  if (!gradF) return ob_error_set(err, OB_ENOMEM, "out of memory");
  int rc = clean_hyper(s, x, NULL, gradF, NULL, err);
  if (rc == OB_OK) {
    const double *y = x + n;
    clean_lower(s, x, y, &g, NULL, NULL, NULL);
    clean_lower(s, x, s->ys, &gs, NULL, NULL, NULL);
    double e = 0.0, wc = 0.0, wf = 0.0;
    for (size_t k = 0; k < d; k++) e += (y[k] - s->ys[k]) * (y[k] - s->ys[k]);
    for (size_t i = 0; i < n; i++) {
      if (s->flipped[i]) wf += sigm(x[i]);
      else wc += sigm(x[i]);
    }
    size_t correct = 0;
    for (size_t j = 0; j < s->m; j++) correct += s->bva[j] * ob_vec_dot(s->xva + j * d, y, d) > 0.0;
    json_object_set_new(final, "hypergrad_norm", ob_json_num(ob_vec_nrm2(gradF, n)));
    json_object_set_new(final, "lower_gap", ob_json_num(g - gs));
    json_object_set_new(final, "y_error", ob_json_num(sqrt(e)));
    json_object_set_new(final, "clean_weight_mean",
                        ob_json_num(n > s->nflipped ? wc / (double)(n - s->nflipped) : NAN));
    json_object_set_new(final, "corrupted_weight_mean",
                        ob_json_num(s->nflipped ? wf / (double)s->nflipped : NAN));
    json_object_set_new(final, "val_accuracy", ob_json_num((double)correct / (double)s->m));
  }
  free(gradF);
  return rc;
}

const ob_problem_type ob_problem_hyper_cleaning = {
  .name = "hyper_cleaning",
  .summary = "bilevel: per-sample weights of a logistic regression with corrupted labels, clean validation loss",
  .reference = "Franceschi et al., ICML 2017, sec. 5.1; Shaban et al., AISTATS 2019; Ji, Yang & Liang, ICML 2021",
  .params = clean_params,
  .state_size = sizeof(clean_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_BILEVEL,
  .configure = clean_configure,
  .dim = clean_dim,
  .eval = clean_eval,
  .x0 = clean_x0,
  .f_opt = clean_f_opt,
  .x_opt = NULL,
  .free = NULL,   /* everything lives in the arena */
  .bilevel = clean_bilevel,
  .metrics = clean_metrics,
};
