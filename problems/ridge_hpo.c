/* ridge_hpo.c -- ridge-penalty tuning as a bilevel problem: choose the
 * log-scale ridge penalty that minimizes the validation loss of the ridge fit.
 *
 *   upper  f(lam, y) = 1/(2 n_val) ||X_val y - t_val||^2
 *   lower  g(lam, y) = 1/(2 n_tr) ||X_tr y - t_tr||^2 + (e^lam / 2) ||y||^2
 *
 * x = (lam) is one-dimensional, y in R^d. With A = X_tr'X_tr / n_tr,
 * b = X_tr't_tr / n_tr, mu = e^lam and H = A + mu I (positive definite):
 *   grad_y g = A y - b + mu y,  grad_lam g = (mu/2)||y||^2,  grad2_yy g = H,
 *   grad2_xy g v = mu y'v,      y*(lam) = H^-1 b            (Cholesky)
 *   F(lam) = f(lam, y*),  F'(lam) = -mu y*' H^-1 grad_y f(y*)
 * (implicit differentiation of the normal equations H y* = b: d(y*)/dlam =
 * -mu H^-1 y*; Pedregosa, "Hyperparameter optimization with approximate
 * gradient", ICML 2016, sec. 2; the catalog's toy 2).
 *
 * F* (f_opt): A = Q diag(s) Q' once (GSL symmetric eigensolver), so F and F'
 * cost O(d^2) per lam: with w = (Q'b)/(s + mu), F = w'Q'A_val Q w/2 - w'Q'b_val
 * + t_val't_val/(2 n_val). F is scanned on `grid` equally spaced lam in
 * [lambda_min, lambda_max]; around the best grid point k the root of F' is
 * bisected on [lam_{k-1}, lam_{k+1}] down to adjacent doubles (golden-section
 * search on F when F' has no sign change there), and F* is F at that lam by
 * the Cholesky path, the same code eval uses, so F(x*) == F* exactly. lam* is
 * then a root of F' up to its rounding (|F'(lam*)| is about 1e-16 on the
 * default instance; the tests ask for 1e-12) and F* is exact to a few ulps. When the grid's best point is an end of the range, the
 * minimum over R is not interior (F decreases towards lam -> +-inf): f_opt is
 * NAN and x_opt unavailable. F* is the least minimum the grid resolves: a
 * second local minimum narrower than the grid spacing could be missed.
 *
 * Data: "train" and "val" file objects (problems/datafile.h, real-valued
 * labels are the targets t) or the seeded generator "synthetic": n_train,
 * n_val, d, noise, seed; GSL mt19937 seeded with `seed` draws, in this order,
 * w_true (d values N(0, 1/d)), then every training row (d features N(0, 1),
 * then the noise N(0, noise^2) of t = x.w_true + noise), then every
 * validation row the same way. Independent of the run seed.
 *
 * The joint variable is z = [lam; y]; eval is F(lam) with gradient [F'; 0]
 * (problems/bilevel.h). x0 = [0; 0] (mu = 1). Memory: data, Gram and eigen
 * matrices (about 3 d^2 + 2 n d doubles) in the arena, class data; eval is
 * not reentrant (shared scratch), as every cell owns its instance.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bench/ob_json.h"
#include "bench/ob_vec.h"
#include "problems/bilevel.h"
#include "problems/datafile.h"
#include "problems/problem.h"

#define RIDGE_MAX_D 2000

typedef struct {
  size_t d, ntr, nva;
  const double *xtr, *ttr, *xva, *tva;  /* dense row-major data (arena) */
  double lam_lo, lam_hi;
  size_t grid;
  double *gram;          /* A = X_tr'X_tr / n_tr (d*d) */
  double *btr;           /* b = X_tr't_tr / n_tr */
  double *s, *c;         /* eigenvalues of A, Q'b */
  double *av, *bv;       /* Q'A_val Q (d*d), Q'b_val */
  double cv;             /* t_val't_val / n_val */
  double *h;             /* Cholesky scratch (d*d) */
  double *ys, *q, *r, *w, *aw;  /* scratch: y*, H^-1 f_y, residual (max n), eigen-basis work */
  bool have_opt;
  double lam_opt, fopt;
  struct ob_bilevel_view view;
} ridge_state;

static const ob_param_spec synth_params[] = {
  { "n_train", OB_PARAM_INT, "50", 1, 1e7, 0, NULL, NULL, "training samples" },
  { "n_val", OB_PARAM_INT, "200", 1, 1e7, 0, NULL, NULL, "validation samples" },
  { "d", OB_PARAM_INT, "20", 1, RIDGE_MAX_D, 0, NULL, NULL, "features" },
  { "noise", OB_PARAM_REAL, "1", 0, 1e6, 0, NULL, NULL, "standard deviation of the target noise" },
  { "seed", OB_PARAM_INT, "1", 1, 4294967295.0, 0, NULL, NULL, "the generator's seed (not the run seed)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static const ob_param_spec ridge_params[] = {
  { "train", OB_PARAM_OBJECT, "null", 0, 0, OB_PARAM_NULLABLE | OB_PARAM_PATH, NULL, NULL,
    "training set " OB_DATAFILE_HELP " (labels are the targets); null: synthetic" },
  { "val", OB_PARAM_OBJECT, "null", 0, 0, OB_PARAM_NULLABLE | OB_PARAM_PATH, NULL, NULL,
    "validation set, same form as train" },
  { "synthetic", OB_PARAM_OBJECT, "null", 0, 0, OB_PARAM_NULLABLE, NULL, NULL,
    "generator {n_train, n_val, d, noise, seed} when train/val are null (docs/bilevel.md)" },
  { "lambda_min", OB_PARAM_REAL, "-12", -700, 700, 0, NULL, NULL, "lower end of the lam range of the f_opt grid" },
  { "lambda_max", OB_PARAM_REAL, "8", -700, 700, 0, NULL, NULL, "upper end of the lam range of the f_opt grid" },
  { "grid", OB_PARAM_INT, "2001", 3, 1e6, 0, NULL, NULL, "points of the f_opt grid over [lambda_min, lambda_max]" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* ---- data ------------------------------------------------------------------------ */

static int synth(ridge_state *s, const json_t *given, ob_memtier *mem, ob_error *err)
{
  static const char *const skip[] = { NULL };
  json_t *sp = NULL;
  json_t *empty = json_object();
  int rc = ob_params_normalize(synth_params, json_is_object(given) ? given : empty, skip, "synthetic", &sp, err);
  json_decref(empty);
  if (rc < 0) return rc;
  size_t d = (size_t)ob_params_int(sp, "d"), ntr = (size_t)ob_params_int(sp, "n_train"),
         nva = (size_t)ob_params_int(sp, "n_val");
  double noise = ob_params_real(sp, "noise");
  unsigned long seed = (unsigned long)((uint64_t)ob_params_int(sp, "seed") & 0xffffffffu);
  json_decref(sp);
  double *xtr = ob_memtier_alloc(mem, OB_MEM_DATA, ntr * d, err), *ttr = ob_memtier_alloc(mem, OB_MEM_DATA, ntr, err);
  double *xva = ob_memtier_alloc(mem, OB_MEM_DATA, nva * d, err), *tva = ob_memtier_alloc(mem, OB_MEM_DATA, nva, err);
  double *wt = malloc(d * sizeof *wt);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!xtr || !ttr || !xva || !tva || !wt || !r) {
    free(wt);
    gsl_rng_free(r);
    return err && err->code ? err->code : ob_error_set(err, OB_ENOMEM, "out of memory for the synthetic data");
  }
  gsl_rng_set(r, seed);
  for (size_t j = 0; j < d; j++) wt[j] = gsl_ran_gaussian(r, 1.0 / sqrt((double)d));
  for (int set = 0; set < 2; set++) {
    size_t n = set ? nva : ntr;
    double *x = set ? xva : xtr, *t = set ? tva : ttr;
    for (size_t i = 0; i < n; i++) {
      double acc = 0.0;
      for (size_t j = 0; j < d; j++) {
        x[i * d + j] = gsl_ran_gaussian(r, 1.0);
        acc += x[i * d + j] * wt[j];
      }
      t[i] = acc + gsl_ran_gaussian(r, 1.0) * noise;
    }
  }
  free(wt);
  gsl_rng_free(r);
  s->d = d;
  s->ntr = ntr;
  s->nva = nva;
  s->xtr = xtr;
  s->ttr = ttr;
  s->xva = xva;
  s->tva = tva;
  return OB_OK;
}

static int load(ridge_state *s, const json_t *params, ob_memtier *mem, ob_error *err)
{
  ob_dataset dtr, dva;
  int rc = ob_datafile_load_params(params, true, RIDGE_MAX_D, mem, &dtr, &dva, err);
  if (rc == 0) return synth(s, json_object_get(params, "synthetic"), mem, err);
  if (rc < 0) return rc;
  s->d = dtr.d;
  s->ntr = dtr.n;
  s->nva = dva.n;
  s->xtr = dtr.x;
  s->ttr = dtr.y;
  s->xva = dva.x;
  s->tva = dva.y;
  return OB_OK;
}

/* ---- oracles ---------------------------------------------------------------------- */

/* r = X y - t over n rows; returns ||r||^2 / (2 n). */
static double residual(const double *x, const double *t, size_t n, size_t d, const double *y, double *r)
{
  for (size_t i = 0; i < n; i++) r[i] = ob_vec_dot(x + i * d, y, d) - t[i];
  return 0.5 * ob_vec_dot(r, r, n) / (double)n;
}

/* out = X'r / n. */
static void xt_r(const double *x, size_t n, size_t d, const double *r, double *out)
{
  memset(out, 0, d * sizeof *out);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++) out[j] += x[i * d + j] * r[i];
  for (size_t j = 0; j < d; j++) out[j] /= (double)n;
}

static int ridge_upper(void *ctx, const double *x, const double *y, double *f, double *fx, double *fy,
                       ob_error *err)
{
  ridge_state *s = ctx;
  (void)x;
  (void)err;
  double v = residual(s->xva, s->tva, s->nva, s->d, y, s->r);
  if (f) *f = v;
  if (fx) fx[0] = 0.0;
  if (fy) xt_r(s->xva, s->nva, s->d, s->r, fy);
  return OB_OK;
}

static int ridge_lower(void *ctx, const double *x, const double *y, double *g, double *gx, double *gy,
                       ob_error *err)
{
  ridge_state *s = ctx;
  (void)err;
  double mu = exp(x[0]), yy = ob_vec_dot(y, y, s->d);
  double v = residual(s->xtr, s->ttr, s->ntr, s->d, y, s->r);
  if (g) *g = v + 0.5 * mu * yy;
  if (gx) gx[0] = 0.5 * mu * yy;
  if (gy) {
    xt_r(s->xtr, s->ntr, s->d, s->r, gy);
    for (size_t j = 0; j < s->d; j++) gy[j] += mu * y[j];
  }
  return OB_OK;
}

static int ridge_hyy(void *ctx, const double *x, const double *y, const double *v, double *out, ob_error *err)
{
  ridge_state *s = ctx;
  (void)y;
  (void)err;
  double mu = exp(x[0]);
  for (size_t i = 0; i < s->d; i++) out[i] = ob_vec_dot(s->gram + i * s->d, v, s->d) + mu * v[i];
  return OB_OK;
}

static int ridge_hxy(void *ctx, const double *x, const double *y, const double *v, double *out, ob_error *err)
{
  ridge_state *s = ctx;
  (void)err;
  out[0] = exp(x[0]) * ob_vec_dot(y, v, s->d);
  return OB_OK;
}

/* Ground truth by Cholesky: y*, F, F'. */
static int ridge_hyper(void *ctx, const double *x, double *F, double *gradF, double *ystar, ob_error *err)
{
  ridge_state *s = ctx;
  size_t d = s->d;
  double mu = exp(x[0]);
  if (!isfinite(x[0]) || !(mu > 0.0) || !isfinite(mu))
    return ob_error_set(err, OB_ENUMERIC, "ridge_hpo: lam = %g is outside the range where e^lam is a "
                        "positive finite double", x[0]);
  memcpy(s->h, s->gram, d * d * sizeof *s->h);
  for (size_t i = 0; i < d; i++) s->h[i * d + i] += mu;
  gsl_matrix_view hv = gsl_matrix_view_array(s->h, d, d);
  gsl_vector_view yv = gsl_vector_view_array(s->ys, d), qv = gsl_vector_view_array(s->q, d);
  gsl_vector_const_view bv = gsl_vector_const_view_array(s->btr, d);
  if (gsl_linalg_cholesky_decomp1(&hv.matrix) != GSL_SUCCESS ||
      gsl_linalg_cholesky_solve(&hv.matrix, &bv.vector, &yv.vector) != GSL_SUCCESS)
    return ob_error_set(err, OB_ENUMERIC, "ridge_hpo: Cholesky of A + e^lam I failed at lam = %g", x[0]);
  double f = residual(s->xva, s->tva, s->nva, d, s->ys, s->r);
  if (F) *F = f;
  if (gradF) {
    xt_r(s->xva, s->nva, d, s->r, s->w);          /* grad_y f at y* */
    gsl_vector_view fv = gsl_vector_view_array(s->w, d);
    if (gsl_linalg_cholesky_solve(&hv.matrix, &fv.vector, &qv.vector) != GSL_SUCCESS)
      return ob_error_set(err, OB_ENUMERIC, "ridge_hpo: solve with A + e^lam I failed at lam = %g", x[0]);
    gradF[0] = -mu * ob_vec_dot(s->ys, s->q, d);
  }
  if (ystar) memcpy(ystar, s->ys, d * sizeof *ystar);
  return OB_OK;
}

/* ---- f_opt ------------------------------------------------------------------------ */

/* F and F' in the eigenbasis of A, O(d^2). */
static double eig_F(ridge_state *s, double lam, double *dF)
{
  size_t d = s->d;
  double mu = exp(lam);
  for (size_t i = 0; i < d; i++) s->w[i] = s->c[i] / (s->s[i] + mu);
  for (size_t i = 0; i < d; i++) s->aw[i] = ob_vec_dot(s->av + i * d, s->w, d) - s->bv[i];
  double F = 0.5 * s->cv;
  for (size_t i = 0; i < d; i++) F += s->w[i] * (0.5 * (s->aw[i] - s->bv[i]));
  if (dF) {
    double acc = 0.0;
    for (size_t i = 0; i < d; i++) acc += s->aw[i] * s->w[i] / (s->s[i] + mu);
    *dF = -mu * acc;
  }
  return F;
}

/* Gram matrices, the eigen decomposition and the grid search with refinement. */
static int ridge_truth(ridge_state *s, ob_error *err)
{
  size_t d = s->d, n = s->ntr, m = s->nva;
  double *gva = malloc(d * d * sizeof *gva), *bva = malloc(d * sizeof *bva), *tmp = malloc(d * d * sizeof *tmp);
  gsl_matrix *q = gsl_matrix_alloc(d, d);
  gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(d);
  int rc = OB_OK;
  if (!gva || !bva || !tmp || !q || !ws) {
    rc = ob_error_set(err, OB_ENOMEM, "out of memory for the ridge_hpo ground truth");
    goto done;
  }
  /* Gram matrices row by row of the data, each entry summed in sample order */
  memset(s->gram, 0, d * d * sizeof *s->gram);
  memset(gva, 0, d * d * sizeof *gva);
  for (size_t i = 0; i < n; i++) {
    const double *row = s->xtr + i * d;
    for (size_t a = 0; a < d; a++)
      for (size_t b = 0; b <= a; b++) s->gram[a * d + b] += row[a] * row[b];
  }
  for (size_t i = 0; i < m; i++) {
    const double *row = s->xva + i * d;
    for (size_t a = 0; a < d; a++)
      for (size_t b = 0; b <= a; b++) gva[a * d + b] += row[a] * row[b];
  }
  for (size_t a = 0; a < d; a++)
    for (size_t b = 0; b <= a; b++) {
      s->gram[a * d + b] /= (double)n;
      s->gram[b * d + a] = s->gram[a * d + b];
      gva[a * d + b] /= (double)m;
      gva[b * d + a] = gva[a * d + b];
    }
  for (size_t i = 0; i < n; i++) s->r[i] = s->ttr[i];
  xt_r(s->xtr, n, d, s->r, s->btr);
  for (size_t i = 0; i < m; i++) s->r[i] = s->tva[i];
  xt_r(s->xva, m, d, s->r, bva);
  s->cv = ob_vec_dot(s->tva, s->tva, m) / (double)m;

  memcpy(tmp, s->gram, d * d * sizeof *tmp);
  gsl_matrix_view av = gsl_matrix_view_array(tmp, d, d);
  gsl_vector_view sv = gsl_vector_view_array(s->s, d);
  if (gsl_eigen_symmv(&av.matrix, &sv.vector, q, ws) != GSL_SUCCESS) {
    rc = ob_error_set(err, OB_ENUMERIC, "ridge_hpo: the eigen decomposition of X_train'X_train failed");
    goto done;
  }
  for (size_t i = 0; i < d; i++) if (s->s[i] < 0.0) s->s[i] = 0.0;   /* rounding of a PSD matrix */
  /* c = Q'b, bv = Q'b_val, av = Q'A_val Q (tmp = A_val Q first) */
  for (size_t i = 0; i < d; i++) {
    double ci = 0.0, bi = 0.0;
    for (size_t k = 0; k < d; k++) {
      ci += gsl_matrix_get(q, k, i) * s->btr[k];
      bi += gsl_matrix_get(q, k, i) * bva[k];
    }
    s->c[i] = ci;
    s->bv[i] = bi;
  }
  for (size_t a = 0; a < d; a++)
    for (size_t j = 0; j < d; j++) {
      double acc = 0.0;
      for (size_t k = 0; k < d; k++) acc += gva[a * d + k] * gsl_matrix_get(q, k, j);
      tmp[a * d + j] = acc;
    }
  for (size_t i = 0; i < d; i++)
    for (size_t j = 0; j < d; j++) {
      double acc = 0.0;
      for (size_t k = 0; k < d; k++) acc += gsl_matrix_get(q, k, i) * tmp[k * d + j];
      s->av[i * d + j] = acc;
    }

  /* the grid */
  size_t best = 0;
  double fbest = HUGE_VAL, step = (s->lam_hi - s->lam_lo) / (double)(s->grid - 1);
  for (size_t k = 0; k < s->grid; k++) {
    double f = eig_F(s, s->lam_lo + step * (double)k, NULL);
    if (f < fbest) { fbest = f; best = k; }
  }
  s->have_opt = best > 0 && best + 1 < s->grid;
  if (!s->have_opt) {
    s->fopt = NAN;
    s->lam_opt = NAN;
    goto done;
  }
  /* refinement: bisection on F' when it changes sign over the bracket, else golden section on F */
  double lo = s->lam_lo + step * (double)(best - 1), hi = s->lam_lo + step * (double)(best + 1), dlo, dhi;
  eig_F(s, lo, &dlo);
  eig_F(s, hi, &dhi);
  if (dlo < 0.0 && dhi > 0.0) {
    for (int it = 0; it < 200; it++) {
      double mid = 0.5 * (lo + hi), dm;
      if (!(mid > lo && mid < hi)) break;            /* adjacent doubles */
      eig_F(s, mid, &dm);
      if (dm == 0.0) { lo = hi = mid; break; }
      if (dm < 0.0) lo = mid;
      else hi = mid;
    }
  } else {
    const double gr = 0.5 * (sqrt(5.0) - 1.0);
    double a = lo, b = hi, x1 = b - gr * (b - a), x2 = a + gr * (b - a);
    double f1 = eig_F(s, x1, NULL), f2 = eig_F(s, x2, NULL);
    for (int it = 0; it < 200 && b - a > 1e-15 * (1.0 + fabs(a)); it++) {
      if (f1 <= f2) { b = x2; x2 = x1; f2 = f1; x1 = b - gr * (b - a); f1 = eig_F(s, x1, NULL); }
      else { a = x1; x1 = x2; f1 = f2; x2 = a + gr * (b - a); f2 = eig_F(s, x2, NULL); }
    }
    lo = hi = f1 <= f2 ? x1 : x2;
  }
  s->lam_opt = 0.5 * (lo + hi);
  rc = ridge_hyper(s, &s->lam_opt, &s->fopt, NULL, NULL, err);
done:
  gsl_eigen_symmv_free(ws);
  gsl_matrix_free(q);
  free(gva);
  free(bva);
  free(tmp);
  return rc;
}

/* ---- the problem ------------------------------------------------------------------- */

static int ridge_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  ridge_state *s = vs;
  (void)seed;                     /* the instance depends on its data only */
  s->lam_lo = ob_params_real(params, "lambda_min");
  s->lam_hi = ob_params_real(params, "lambda_max");
  s->grid = (size_t)ob_params_int(params, "grid");
  if (!(s->lam_lo < s->lam_hi))
    return ob_error_at(err, OB_EINVAL, "lambda_max", "%g must be larger than lambda_min = %g", s->lam_hi,
                       s->lam_lo);
  int rc = load(s, params, mem, err);
  if (rc < 0) return rc;
  size_t d = s->d, nmax = s->ntr > s->nva ? s->ntr : s->nva;
  s->gram = ob_memtier_alloc(mem, OB_MEM_DATA, d * d, err);
  s->av = ob_memtier_alloc(mem, OB_MEM_DATA, d * d, err);
  s->h = ob_memtier_alloc(mem, OB_MEM_DATA, d * d, err);
  s->btr = ob_memtier_alloc(mem, OB_MEM_DATA, 8 * d, err);
  s->r = ob_memtier_alloc(mem, OB_MEM_DATA, nmax, err);
  if (!s->gram || !s->av || !s->h || !s->btr || !s->r) return err ? err->code : OB_ENOMEM;
  s->s = s->btr + d;
  s->c = s->s + d;
  s->bv = s->c + d;
  s->ys = s->bv + d;
  s->q = s->ys + d;
  s->w = s->q + d;
  s->aw = s->w + d;
  s->view = (struct ob_bilevel_view){
    .nx = 1, .ny = d, .ctx = s,
    .upper = ridge_upper, .lower = ridge_lower, .lower_hyy = ridge_hyy, .lower_hxy = ridge_hxy,
    .hyper = ridge_hyper, .lower_strongly_convex = true,
  };
  return ridge_truth(s, err);
}

static size_t ridge_dim(const void *vs)
{
  return 1 + ((const ridge_state *)vs)->d;
}

static int ridge_eval(void *vs, const double *x, double *f, double *g, ob_error *err)
{
  ridge_state *s = vs;
  int rc = ridge_hyper(s, x, f, g, NULL, err);
  if (rc == OB_OK && g) memset(g + 1, 0, s->d * sizeof *g);
  return rc;
}

static void ridge_x0(const void *vs, double *x)
{
  memset(x, 0, ridge_dim(vs) * sizeof *x);
}

static double ridge_f_opt(const void *vs)
{
  return ((const ridge_state *)vs)->fopt;
}

static int ridge_x_opt(const void *vs, double *x)
{
  ridge_state *s = (ridge_state *)vs;
  if (!s->have_opt)
    return ob_error_set(NULL, OB_EUNSUPPORTED, "the validation loss has no minimizer inside the lam range");
  x[0] = s->lam_opt;
  return ridge_hyper(s, &s->lam_opt, NULL, NULL, x + 1, NULL);
}

static const struct ob_bilevel_view *ridge_bilevel(void *vs)
{
  return &((ridge_state *)vs)->view;
}

static int ridge_metrics(void *vs, const double *x, json_t *final, ob_error *err)
{
  ridge_state *s = vs;
  double F, dF, g, gs, *ys = malloc(s->d * sizeof *ys);
  if (!ys) return ob_error_set(err, OB_ENOMEM, "out of memory");
  int rc = ridge_hyper(s, x, &F, &dF, ys, err);
  if (rc == OB_OK) rc = ridge_lower(s, x, x + 1, &g, NULL, NULL, err);
  if (rc == OB_OK) rc = ridge_lower(s, x, ys, &gs, NULL, NULL, err);
  if (rc == OB_OK) {
    double e = 0.0;
    for (size_t j = 0; j < s->d; j++) e += (x[1 + j] - ys[j]) * (x[1 + j] - ys[j]);
    json_object_set_new(final, "hypergrad_norm", ob_json_num(fabs(dF)));
    json_object_set_new(final, "lower_gap", ob_json_num(g - gs));
    json_object_set_new(final, "y_error", ob_json_num(sqrt(e)));
    json_object_set_new(final, "lambda", ob_json_num(x[0]));
    json_object_set_new(final, "lambda_opt", ob_json_num(s->lam_opt));
  }
  free(ys);
  return rc;
}

const ob_problem_type ob_problem_ridge_hpo = {
  .name = "ridge_hpo",
  .summary = "bilevel: log-scale ridge penalty minimizing the validation loss of ridge regression",
  .reference = "Pedregosa, ICML 2016 (hypergradient of ridge); Franceschi et al., ICML 2017; "
               "ground truth: Cholesky and a grid with bisection on F' (docs/bilevel.md)",
  .params = ridge_params,
  .state_size = sizeof(ridge_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_FOPT | OB_PROVIDES_BILEVEL,
  .configure = ridge_configure,
  .dim = ridge_dim,
  .eval = ridge_eval,
  .x0 = ridge_x0,
  .f_opt = ridge_f_opt,
  .x_opt = ridge_x_opt,
  .free = NULL,   /* everything lives in the arena */
  .bilevel = ridge_bilevel,
  .metrics = ridge_metrics,
};
