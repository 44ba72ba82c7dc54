/* logreg.c -- L2-regularized binary logistic regression on real or synthetic data.
 *
 *   f(w, b) = (1/n) sum_i log(1 + exp(-y_i m_i)) + (lambda/2) ||w||^2,   m_i = w . x_i + b
 *
 * with labels y_i in {-1, +1}, features dense or sparse (CSR), and an optional
 * unpenalized bias b (the last coordinate of x when "bias" is true; else b = 0).
 * Derivatives, with s(z) = 1 / (1 + exp(-z)):
 *   grad = (1/n) sum_i -y_i s(-y_i m_i) [x_i; 1] + lambda [w; 0]
 *   H v  = (1/n) sum_i s(m_i) s(-m_i) ([x_i; 1] . v) [x_i; 1] + lambda [v_w; 0]
 * The loss is evaluated as log1p(exp(-z)) for z >= 0 and -z + log1p(exp(z))
 * otherwise, so it neither overflows nor loses the small values (Maechler,
 * "Accurately computing log(1 - exp(-|a|))", Rmpfr vignette, 2012, sec. 3).
 *
 * Gauss-Newton: the model is linear in (w, b), so the generalized Gauss-Newton
 * matrix J^T (d^2 loss / dm^2) J of the data term equals its Hessian (Schraudolph,
 * Neural Computation 14(7), 2002); gnvp returns exactly hvp.
 *
 * f_opt: a Newton solve in configure (Cholesky of the dense Hessian via GSL when
 * the parameter count is small, Newton-CG otherwise), run until the gradient's
 * 2-norm is below 1e-12 or stops decreasing; configure fails when it ends above
 * 1e-10. With lambda = 0 on separable data there is no minimizer: the infimum 0 is
 * reported as f_opt (x_opt is then unavailable) once an iterate separates the
 * data, a certificate that the loss goes to 0 along that ray. See docs/logreg.md.
 *
 * Minibatches (sample_eval, "batch" > 0): step k's batch is `batch` indices drawn
 * uniformly with replacement by GSL's mt19937 seeded from the run seed, batch k
 * being the k-th batch of that stream, so it depends on (run seed, k) only.
 *
 * Determinism: sums over samples run in fixed chunks (their size depends on the
 * sample count and dimension only), each chunk in sample order, and the chunk
 * partials are added in chunk order, so f, gradients and products are
 * bit-identical for every OpenMP thread count.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "bench/ob_json.h"
#include "bench/ob_vec.h"
#include "bench/ob_rng.h"
#include "problems/dataset.h"
#include "problems/logreg.h"
#include "problems/problem.h"

#define LOGREG_MAX_CHUNKS 64
#define LOGREG_MIN_CHUNK 256
#define LOGREG_MAX_PARTIAL ((size_t)1 << 24)  /* doubles of chunk partials (128 MiB) */
#define LOGREG_DENSE_NEWTON 2000              /* Cholesky up to this many parameters */
#define LOGREG_DENSE_COST 4e9                 /* ... and this many flops per Hessian */
#define LOGREG_GTOL 1e-12
#define LOGREG_GTOL_ACCEPT 1e-10

typedef struct {
  ob_dataset ds;
  size_t d, p;            /* features; parameters = d + bias */
  bool bias;
  double lambda;
  size_t batch;
  uint64_t seed;          /* run seed: minibatch stream */
  double *part;           /* LOGREG_MAX_CHUNKS * p chunk partials (arena) */
  double loss_part[LOGREG_MAX_CHUNKS];
  double minz_part[LOGREG_MAX_CHUNKS];  /* per chunk: min y_i m_i of the last sum */
  double minz;            /* min y_i m_i over the last sum's samples */
  bool sep_found;         /* metric separated_at_step (logreg_metrics) */
  uint64_t sep_step, last_step;
  double *xopt;           /* p (arena) */
  double fopt;
  bool fopt_infimum;      /* separable, lambda = 0: f_opt is an infimum, no x_opt */
  size_t newton_iters;
  double newton_gnorm;
  gsl_rng *rng;           /* minibatch stream */
  uint64_t rng_step;      /* batches drawn so far */
  size_t *idx;            /* the current batch */
} logreg_state;

static const ob_param_spec logreg_params[] = {
  { "data", OB_PARAM_OBJECT, "{\"synthetic\": {}}", 0, 0, OB_PARAM_PATH, NULL, NULL,
    "{\"libsvm\": PATH} | {\"csv\": PATH, \"label_column\": K, \"header\": H} | {\"synthetic\": {...}} (docs/logreg.md)" },
  { "l2", OB_PARAM_REAL, "0.001", 0, 1e6, 0, NULL, NULL,
    "lambda: L2 penalty (lambda/2)||w||^2 (the bias is not penalized)" },
  { "bias", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, NULL, "add an unpenalized bias (intercept) as the last coordinate" },
  { "batch", OB_PARAM_INT, "0", 0, 1e9, 0, NULL, NULL,
    "minibatch size of the optimizer's oracle (0: full batch); targets always use the full objective" },
  { "format", OB_PARAM_STRING, "\"auto\"", 0, 0, 0, "auto|dense|sparse", NULL,
    "feature storage: auto (LIBSVM: sparse CSR; CSV and synthetic: dense), dense or sparse" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static const ob_param_spec data_params[] = {
  { "libsvm", OB_PARAM_STRING, "null", 0, 0, OB_PARAM_NULLABLE, NULL, NULL, "LIBSVM/svmlight file" },
  { "csv", OB_PARAM_STRING, "null", 0, 0, OB_PARAM_NULLABLE, NULL, NULL, "CSV file of numbers" },
  { "label_column", OB_PARAM_INT, "-1", -1e6, 1e6, 0, NULL, NULL, "CSV: 0-based label column; negative counts from the end" },
  { "header", OB_PARAM_INT, "-1", -1, 1e6, 0, NULL, NULL, "CSV: header lines to skip; -1: the first line when not numeric" },
  { "synthetic", OB_PARAM_OBJECT, "null", 0, 0, OB_PARAM_NULLABLE, NULL, NULL, "generator settings" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static const ob_param_spec synth_params[] = {
  { "n", OB_PARAM_INT, "1000", 1, 1e9, 0, NULL, NULL, "samples" },
  { "d", OB_PARAM_INT, "20", 1, 1e8, 0, NULL, NULL, "features" },
  { "separable", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, NULL, "separable with margin and radius (else Gaussian classes)" },
  { "separation", OB_PARAM_REAL, "2", 0, 1e6, 0, NULL, NULL, "Gaussian: distance between the class means" },
  { "margin", OB_PARAM_REAL, "0.1", 0, 1e6, OB_PARAM_MIN_OPEN, NULL, NULL, "separable: margin gamma" },
  { "radius", OB_PARAM_REAL, "1", 0, 1e6, OB_PARAM_MIN_OPEN, NULL, NULL, "separable: radius R (every ||x_i|| <= R)" },
  { "noise", OB_PARAM_REAL, "0", 0, 0.5, 0, NULL, NULL, "fraction of labels flipped" },
  { "condition", OB_PARAM_REAL, "1", 1, 1e12, 0, NULL, NULL, "Gaussian: condition number of the feature covariance" },
  { "density", OB_PARAM_REAL, "1", 0, 1, OB_PARAM_MIN_OPEN, NULL, NULL, "Gaussian: fraction of features kept non-zero" },
  { "seed", OB_PARAM_INT, "1", 1, 4294967295.0, 0, NULL, NULL, "the generator's seed (not the run seed)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* ---- the loss ------------------------------------------------------------------ */

/* log(1 + exp(-z)) without overflow or cancellation. */
static double logistic_loss(double z)
{
  return z >= 0.0 ? log1p(exp(-z)) : -z + log1p(exp(z));
}

/* s(-z) = 1 / (1 + exp(z)), the magnitude of the loss derivative. */
static double sigmoid_neg(double z)
{
  if (z >= 0.0) {
    double e = exp(-z);
    return e / (1.0 + e);
  }
  return 1.0 / (1.0 + exp(z));
}

/* ---- chunked sums over samples ------------------------------------------------------ */

enum { K_LOSS = 1, K_GRAD = 2, K_HVP = 4, K_GNB = 8 };

typedef struct {
  const logreg_state *s;
  const double *w, *v;      /* point; direction (K_HVP) */
  const size_t *idx;        /* sample list, NULL: 0..count-1 */
  size_t count;
  unsigned what;
  uint64_t key;             /* K_GNB: the label stream of this step (bench/ob_rng.h) */
} sum_job;

static size_t chunk_size(size_t count, size_t p)
{
  size_t nch = (count + LOGREG_MIN_CHUNK - 1) / LOGREG_MIN_CHUNK;
  if (nch > LOGREG_MAX_CHUNKS) nch = LOGREG_MAX_CHUNKS;
  if (nch * p > LOGREG_MAX_PARTIAL) nch = LOGREG_MAX_PARTIAL / p;
  if (nch < 1) nch = 1;
  return (count + nch - 1) / nch;
}

static double margin(const logreg_state *s, size_t i, const double *w)
{
  double m = ob_dataset_dot(&s->ds, i, w);
  return s->bias ? m + w[s->d] : m;
}

/* Sum over the job's samples of the loss and of coef_i [x_i; 1], where coef_i
 * is the loss derivative (K_GRAD) or the curvature times [x_i; 1].v (K_HVP).
 * The vector sum goes to out (length p); the loss sum is returned. */
static double sample_sum(logreg_state *s, const sum_job *job, double *out)
{
  size_t p = s->p, cs = chunk_size(job->count, p);
  size_t nch = job->count ? (job->count + cs - 1) / cs : 0;
  bool vec = job->what & (K_GRAD | K_HVP | K_GNB);
  int par = job->count * (s->ds.sparse ? 8 : s->d) >= OB_VEC_PAR_MIN;
  (void)par;
#pragma omp parallel for schedule(static) if (par)
  for (size_t c = 0; c < nch; c++) {
    double *acc = s->part + c * p, loss = 0.0, mn = HUGE_VAL;
    if (vec) memset(acc, 0, p * sizeof *acc);
    size_t hi = (c + 1) * cs < job->count ? (c + 1) * cs : job->count;
    for (size_t k = c * cs; k < hi; k++) {
      size_t i = job->idx ? job->idx[k] : k;
      double y = s->ds.y[i], z = y * margin(s, i, job->w), coef = 0.0;
      if (z < mn) mn = z;
      if (job->what & K_LOSS) loss += logistic_loss(z);
      if (job->what & K_GRAD) coef = -y * sigmoid_neg(z);
      if (job->what & K_HVP) {
        double sn = sigmoid_neg(z);
        coef = sn * (1.0 - sn) * margin(s, i, job->v);
      }
      if (job->what & K_GNB) {
        /* y_hat = +1 with the model's probability sigma(m_i), drawn by the
         * sample's position k in the step's list; the loss derivative at it */
        double m = margin(s, i, job->w);
        double yh = ob_rng_uniform(job->key, k) < sigmoid_neg(-m) ? 1.0 : -1.0;
        coef = -yh * sigmoid_neg(yh * m);
      }
      if (vec && coef != 0.0) {
        ob_dataset_axpy(&s->ds, i, coef, acc);
        if (s->bias) acc[s->d] += coef;
      }
    }
    s->loss_part[c] = loss;
    s->minz_part[c] = mn;
  }
  double loss = 0.0;
  s->minz = HUGE_VAL;
  for (size_t c = 0; c < nch; c++) {
    loss += s->loss_part[c];
    if (s->minz_part[c] < s->minz) s->minz = s->minz_part[c];
  }
  if (vec) {
#pragma omp parallel for schedule(static) if (p * nch >= OB_VEC_PAR_MIN)
    for (size_t j = 0; j < p; j++) {
      double a = 0.0;
      for (size_t c = 0; c < nch; c++) a += s->part[c * p + j];
      out[j] = a;
    }
  }
  return loss;
}

/* ||w||^2 over the penalized coordinates (not the bias). */
static double penalty_sq(const logreg_state *s, const double *w)
{
  return ob_vec_dot(w, w, s->d);
}

/* f (and g) over a sample list (idx NULL: every sample). */
static void objective(logreg_state *s, const double *w, const size_t *idx, size_t count, double *f, double *g)
{
  sum_job job = { s, w, NULL, idx, count, K_LOSS | (g ? K_GRAD : 0), 0 };
  double inv = 1.0 / (double)count;
  double loss = sample_sum(s, &job, g);
  *f = inv * loss + 0.5 * s->lambda * penalty_sq(s, w);
  if (g)
    for (size_t j = 0; j < s->p; j++) g[j] = inv * g[j] + (j < s->d ? s->lambda * w[j] : 0.0);
}

static void hessian_vec(logreg_state *s, const double *w, const double *v, double *out)
{
  sum_job job = { s, w, v, NULL, s->ds.n, K_HVP, 0 };
  double inv = 1.0 / (double)s->ds.n;
  sample_sum(s, &job, out);
  for (size_t j = 0; j < s->p; j++) out[j] = inv * out[j] + (j < s->d ? s->lambda * v[j] : 0.0);
}

/* ---- f_opt: Newton ------------------------------------------------------------------ */

/* Smallest y_i m_i over all samples (> 0: w separates the data). */
static double min_margin(const logreg_state *s, const double *w)
{
  double mn = HUGE_VAL;
  for (size_t i = 0; i < s->ds.n; i++) {
    double z = s->ds.y[i] * margin(s, i, w);
    if (z < mn) mn = z;
  }
  return mn;
}

/* Newton direction from the dense Hessian (Cholesky); OB_ENUMERIC when it is
 * not positive definite. */
static int newton_dir_dense(logreg_state *s, const double *w, const double *g, double *dx, gsl_matrix *h)
{
  size_t p = s->p, d = s->d;
  double inv = 1.0 / (double)s->ds.n;
  gsl_matrix_set_zero(h);
  for (size_t i = 0; i < s->ds.n; i++) {
    double sn = sigmoid_neg(s->ds.y[i] * margin(s, i, w)), di = inv * sn * (1.0 - sn);
    if (di == 0.0) continue;
    if (s->ds.sparse) {
      const size_t lo = s->ds.rowptr[i], hi = s->ds.rowptr[i + 1];
      for (size_t a = lo; a < hi; a++) {
        size_t ja = s->ds.col[a];
        double va = di * s->ds.val[a];
        for (size_t b = lo; b <= a; b++) h->data[ja * p + s->ds.col[b]] += va * s->ds.val[b];
        if (s->bias) h->data[d * p + ja] += va;
      }
    } else {
      const double *x = s->ds.x + i * d;
      for (size_t a = 0; a < d; a++) {
        double va = di * x[a];
        if (va == 0.0) continue;
        double *hr = h->data + a * p;
        for (size_t b = 0; b <= a; b++) hr[b] += va * x[b];
        if (s->bias) h->data[d * p + a] += va;
      }
    }
    if (s->bias) h->data[d * p + d] += di;
  }
  for (size_t a = 0; a < d; a++) h->data[a * p + a] += s->lambda;
  for (size_t a = 0; a < p; a++)              /* lower triangle was filled: mirror it */
    for (size_t b = 0; b < a; b++) h->data[b * p + a] = h->data[a * p + b];
  gsl_vector_const_view gv = gsl_vector_const_view_array(g, p);
  gsl_vector_view xv = gsl_vector_view_array(dx, p);
  if (gsl_linalg_cholesky_decomp1(h) != GSL_SUCCESS) return OB_ENUMERIC;
  if (gsl_linalg_cholesky_solve(h, &gv.vector, &xv.vector) != GSL_SUCCESS) return OB_ENUMERIC;
  for (size_t j = 0; j < p; j++) dx[j] = -dx[j];
  return OB_OK;
}

/* Newton-CG direction: CG on H dx = -g to relative residual eta. */
static int newton_dir_cg(logreg_state *s, const double *w, const double *g, double *dx, double eta, double *work)
{
  size_t p = s->p;
  double *r = work, *q = work + p, *hq = work + 2 * p;
  memset(dx, 0, p * sizeof *dx);
  for (size_t j = 0; j < p; j++) { r[j] = -g[j]; q[j] = r[j]; }
  double rr = ob_vec_dot(r, r, p), tol = eta * eta * rr;
  for (size_t it = 0; it < 10 * p + 100 && rr > tol; it++) {
    hessian_vec(s, w, q, hq);
    double qhq = ob_vec_dot(q, hq, p);
    if (!(qhq > 0.0)) return it == 0 ? OB_ENUMERIC : OB_OK;
    double a = rr / qhq;
    for (size_t j = 0; j < p; j++) { dx[j] += a * q[j]; r[j] -= a * hq[j]; }
    double rr2 = ob_vec_dot(r, r, p);
    for (size_t j = 0; j < p; j++) q[j] = r[j] + rr2 / rr * q[j];
    rr = rr2;
  }
  return OB_OK;
}

static int logreg_newton(logreg_state *s, ob_error *err)
{
  size_t p = s->p;
  int rc = OB_OK;
  double *w = s->xopt, *g = calloc(p, sizeof *g), *dx = calloc(p, sizeof *dx), *wt = calloc(p, sizeof *wt),
         *gt = calloc(p, sizeof *gt), *work = calloc(3 * p, sizeof *work);
  /* the dense Hessian costs about n p^2 / 2 (dense) or sum_i nnz_i^2 / 2 (CSR) per iteration */
  double n = (double)s->ds.n, cost = s->ds.sparse ? (double)s->ds.nnz * ((double)s->ds.nnz / n + 1.0)
                                                    : n * (double)p * (double)p;
  bool dense = p <= LOGREG_DENSE_NEWTON && cost <= LOGREG_DENSE_COST;
  gsl_matrix *h = dense ? gsl_matrix_alloc(p, p) : NULL;
  if (!g || !dx || !wt || !gt || !work || (dense && !h)) {
    rc = ob_error_set(err, OB_ENOMEM, "out of memory for the Newton solve of f_opt");
    goto done;
  }
  memset(w, 0, p * sizeof *w);
  double f, ft, gn;
  objective(s, w, NULL, s->ds.n, &f, g);
  gn = ob_vec_nrm2(g, p);
  s->fopt_infimum = false;
  size_t it;
  for (it = 0; it < 200; it++) {
    if (s->lambda == 0.0 && min_margin(s, w) > 0.0) {
      s->fopt_infimum = true;     /* w separates: the loss tends to 0 along t w, t -> inf */
      break;
    }
    if (gn <= LOGREG_GTOL) break;
    int drc = h ? newton_dir_dense(s, w, g, dx, h) : newton_dir_cg(s, w, g, dx, fmin(0.5, sqrt(gn)), work);
    if (drc == OB_ENOMEM) { rc = ob_error_set(err, OB_ENOMEM, "out of memory in the Newton solve"); goto done; }
    if (drc < 0) break;
    double slope = ob_vec_dot(g, dx, p), t = 1.0;
    int accepted = 0;
    while (t > 1e-14) {
      for (size_t j = 0; j < p; j++) wt[j] = w[j] + t * dx[j];
      objective(s, wt, NULL, s->ds.n, &ft, gt);
      double gnt = ob_vec_nrm2(gt, p);
      /* Armijo, or (where f differences drown in rounding) a halved gradient */
      if (ft <= f + 1e-4 * t * slope || (t == 1.0 && gnt < 0.5 * gn)) { accepted = 1; break; }
      t *= 0.5;
    }
    if (!accepted) break;
    double gnt = ob_vec_nrm2(gt, p);
    if (gnt >= gn && ft >= f) break;            /* no progress left */
    memcpy(w, wt, p * sizeof *w);
    memcpy(g, gt, p * sizeof *g);
    f = ft;
    gn = gnt;
  }
  s->newton_iters = it;
  s->newton_gnorm = gn;
  if (s->fopt_infimum) {
    s->fopt = 0.0;
  } else if (!(gn <= LOGREG_GTOL_ACCEPT)) {
    rc = ob_error_set(err, OB_ENUMERIC,
                      "the Newton solve for f_opt stopped at gradient norm %.3g after %zu iterations%s",
                      gn, it, s->lambda == 0.0 ? " (with l2 = 0 the minimum may not exist; set l2 > 0)" : "");
  } else {
    s->fopt = f;
  }
done:
  gsl_matrix_free(h);
  free(g); free(dx); free(wt); free(gt); free(work);
  return rc;
}

/* ---- configure ------------------------------------------------------------------ */

static int synth_spec(const json_t *sp, ob_synth_spec *out, ob_error *err)
{
  out->n = (size_t)ob_params_int(sp, "n");
  out->d = (size_t)ob_params_int(sp, "d");
  out->separable = ob_params_bool(sp, "separable");
  out->separation = ob_params_real(sp, "separation");
  out->margin = ob_params_real(sp, "margin");
  out->radius = ob_params_real(sp, "radius");
  out->noise = ob_params_real(sp, "noise");
  out->condition = ob_params_real(sp, "condition");
  out->density = ob_params_real(sp, "density");
  out->seed = (uint64_t)ob_params_int(sp, "seed");
  if (out->separable) {
    if (out->margin > out->radius)
      return ob_error_at(err, OB_EINVAL, "data.synthetic.margin", "%g is larger than the radius %g", out->margin,
                         out->radius);
    if (out->condition != 1.0 || out->density != 1.0)
      return ob_error_at(err, OB_EINVAL, "data.synthetic", "condition and density apply to Gaussian classes only "
                         "(separable is true)");
  }
  return OB_OK;
}

static int load_data(logreg_state *s, const json_t *data, const char *format, ob_memtier *mem, ob_error *err)
{
  static const char *const skip[] = { NULL };
  json_t *dp = NULL;
  int rc = ob_params_normalize(data_params, data, skip, "data", &dp, err);
  if (rc < 0) return rc;
  const char *libsvm = ob_params_is_null(dp, "libsvm") ? NULL : ob_params_string(dp, "libsvm");
  const char *csv = ob_params_is_null(dp, "csv") ? NULL : ob_params_string(dp, "csv");
  const json_t *syn = json_object_get(dp, "synthetic");
  int sources = (libsvm != NULL) + (csv != NULL) + (json_is_object(syn) ? 1 : 0);
  if (sources != 1) {
    rc = ob_error_at(err, OB_EINVAL, "data", "give exactly one of \"libsvm\", \"csv\" or \"synthetic\"");
    goto done;
  }
  if (!csv && (json_object_get(data, "label_column") || json_object_get(data, "header"))) {
    rc = ob_error_at(err, OB_EINVAL, "data", "\"label_column\" and \"header\" apply to \"csv\" only");
    goto done;
  }
  bool dense = strcmp(format, "dense") == 0, sparse = strcmp(format, "sparse") == 0;
  if (libsvm) {
    rc = ob_dataset_load_libsvm(libsvm, dense, 0, mem, &s->ds, err);
  } else if (csv) {
    rc = ob_dataset_load_csv(csv, (long)ob_params_int(dp, "label_column"), (long)ob_params_int(dp, "header"),
                             sparse, mem, &s->ds, err);
  } else {
    json_t *sp = NULL;
    ob_synth_spec spec;
    rc = ob_params_normalize(synth_params, syn, skip, "data.synthetic", &sp, err);
    if (rc == OB_OK) rc = synth_spec(sp, &spec, err);
    if (rc == OB_OK) rc = ob_dataset_synthetic(&spec, sparse, mem, &s->ds, err);
    json_decref(sp);
  }
done:
  json_decref(dp);
  return rc;
}

static int logreg_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  logreg_state *s = vs;
  s->lambda = ob_params_real(params, "l2");
  s->bias = ob_params_bool(params, "bias");
  s->batch = (size_t)ob_params_int(params, "batch");
  s->seed = seed;
  int rc = load_data(s, json_object_get(params, "data"), ob_params_string(params, "format"), mem, err);
  if (rc < 0) return rc;
  s->d = s->ds.d;
  s->p = s->d + (s->bias ? 1 : 0);
  size_t cs = chunk_size(s->ds.n, s->p), nch = (s->ds.n + cs - 1) / cs;
  s->part = ob_memtier_alloc(mem, OB_MEM_DATA, nch * s->p, err);
  s->xopt = ob_memtier_alloc(mem, OB_MEM_DATA, s->p, err);
  if (!s->part || !s->xopt) return err ? err->code : OB_ENOMEM;
  if (s->batch > 0) {
    s->idx = malloc(s->batch * sizeof *s->idx);
    s->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!s->idx || !s->rng) return ob_error_set(err, OB_ENOMEM, "out of memory for minibatches");
    s->rng_step = UINT64_MAX;        /* not seeded yet */
  }
  return logreg_newton(s, err);
}

static size_t logreg_dim(const void *vs)
{
  return ((const logreg_state *)vs)->p;
}

static int logreg_eval(void *vs, const double *x, double *f, double *g, ob_error *err)
{
  (void)err;
  logreg_state *s = vs;
  objective(s, x, NULL, s->ds.n, f, g);
  return OB_OK;
}

/* The run seed folded to mt19937's 32 bits (splitmix64's finalizer: Steele,
 * Lea & Flood, OOPSLA 2014), so seeds differing in high bits differ here too. */
static unsigned long batch_seed(uint64_t seed)
{
  uint64_t z = seed + 0x9e3779b97f4a7c15u;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  return (unsigned long)((z ^ (z >> 32)) & 0xffffffffu);
}

/* separated_at_step: the optimizer's full-batch oracle at step k sees x_{k-1} */
static void note_separation(logreg_state *s, uint64_t step, double minz)
{
  if (step == 0) return;
  if (step > s->last_step) s->last_step = step;
  if (!s->sep_found && minz > 0.0) {
    s->sep_found = true;
    s->sep_step = step - 1;
  }
}

/* Makes s->idx the minibatch of `step` (batch > 0): batch k is the k-th of the
 * stream, which restarts when an earlier one is asked for. */
static void select_batch(logreg_state *s, uint64_t step)
{
  if (step == 0) step = 1;
  if (s->rng_step == UINT64_MAX || step < s->rng_step) {
    gsl_rng_set(s->rng, batch_seed(s->seed));
    s->rng_step = 0;
  }
  while (s->rng_step < step) {
    for (size_t k = 0; k < s->batch; k++) s->idx[k] = (size_t)gsl_rng_uniform_int(s->rng, s->ds.n);
    s->rng_step++;
  }
}

static int logreg_sample_eval(void *vs, const double *x, uint64_t step, double *f, double *g, ob_error *err)
{
  logreg_state *s = vs;
  if (s->batch == 0) {
    int rc = logreg_eval(vs, x, f, g, err);
    if (rc == OB_OK) note_separation(s, step, s->minz);
    return rc;
  }
  select_batch(s, step);
  objective(s, x, s->idx, s->batch, f, g);
  return OB_OK;
}

/* Sophia's Gauss-Newton-Bartlett sample (Algorithm 2 of Liu et al., ICLR 2024)
 * over the step's samples (the minibatch, or all of them): labels y_hat_i = +1
 * with probability sigma(m_i) from the stream (run seed, 3, step, 0) of
 * bench/ob_rng.h (uniform number k of that stream for the k-th sample of
 * the list), out = (1/B) sum_i -y_hat_i sigma(-y_hat_i m_i) [x_i; 1], *batch = B.
 * Over the label draws, E[B out * out] is exactly the diagonal of the loss's
 * Gauss-Newton matrix (1/B) sum_i sigma(m_i)(1 - sigma(m_i)) [x_i; 1][x_i; 1]'
 * on those samples: each sample's term has mean zero under its own predictive
 * distribution and variance sigma(1 - sigma) [x_i; 1]^2 (Bartlett's identity),
 * and the draws are independent, so the cross terms vanish. The ridge term is
 * not included. */
static int logreg_gnb_sample(void *vs, const double *x, uint64_t step, double *out, double *batch,
                             ob_error *err)
{
  logreg_state *s = vs;
  (void)err;
  if (step == 0) step = 1;
  const size_t *idx = NULL;
  size_t count = s->ds.n;
  if (s->batch > 0) {
    select_batch(s, step);
    idx = s->idx;
    count = s->batch;
  }
  sum_job job = { s, x, NULL, idx, count, K_GNB, ob_rng_key(s->seed, OB_RNG_STREAM_GNB, step, 0) };
  sample_sum(s, &job, out);
  const double inv = 1.0 / (double)count;
  for (size_t j = 0; j < s->p; j++) out[j] *= inv;
  *batch = (double)count;
  return OB_OK;
}

static int logreg_hvp(void *vs, const double *x, const double *v, double *out, ob_error *err)
{
  (void)err;
  hessian_vec(vs, x, v, out);
  return OB_OK;
}

static void logreg_x0(const void *vs, double *x)
{
  const logreg_state *s = vs;
  memset(x, 0, s->p * sizeof *x);
}

static double logreg_f_opt(const void *vs)
{
  return ((const logreg_state *)vs)->fopt;
}

static int logreg_x_opt(const void *vs, double *x)
{
  const logreg_state *s = vs;
  if (s->fopt_infimum)
    return ob_error_set(NULL, OB_EUNSUPPORTED, "separable data with l2 = 0 has no minimizer");
  memcpy(x, s->xopt, s->p * sizeof *x);
  return OB_OK;
}

static int logreg_metrics(void *vs, const double *x, json_t *final, ob_error *err)
{
  (void)err;
  logreg_state *s = vs;
  size_t correct = 0;
  double mn = HUGE_VAL;
  for (size_t i = 0; i < s->ds.n; i++) {
    double z = s->ds.y[i] * margin(s, i, x);
    if (z > 0.0) correct++;
    if (z < mn) mn = z;
  }
  double acc = (double)correct / (double)s->ds.n, wn = ob_vec_nrm2(x, s->d);
  json_object_set_new(final, "accuracy", ob_json_num(acc));
  json_object_set_new(final, "train_error", ob_json_num(1.0 - acc));
  json_object_set_new(final, "margin", ob_json_num(mn));
  json_object_set_new(final, "normalized_margin", ob_json_num(wn > 0.0 ? mn / wn : NAN));
  /* first step count after which every sample was classified correctly: from
   * the full-batch oracle's points (x_{k-1} at step k), else the final x_T */
  json_t *sep = json_null();
  if (s->batch == 0 && s->sep_found) sep = json_integer((json_int_t)s->sep_step);
  else if (s->batch == 0 && mn > 0.0) sep = json_integer((json_int_t)s->last_step);
  json_object_set_new(final, "separated_at_step", sep);
  return OB_OK;
}

static void logreg_free(void *vs)
{
  logreg_state *s = vs;
  gsl_rng_free(s->rng);
  free(s->idx);
  s->rng = NULL;
  s->idx = NULL;
}

const ob_problem_type ob_problem_logreg = {
  .name = "logreg",
  .summary = "L2-regularized logistic regression on LIBSVM, CSV or synthetic data (dense or CSR)",
  .reference = "Hastie, Tibshirani & Friedman, The Elements of Statistical Learning (2009), sec. 4.4; "
               "liblinear: Fan et al., JMLR 9 (2008)",
  .params = logreg_params,
  .state_size = sizeof(logreg_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_FOPT | OB_PROVIDES_STOCHASTIC | OB_PROVIDES_GNVP |
              OB_PROVIDES_GNB,
  .configure = logreg_configure,
  .dim = logreg_dim,
  .eval = logreg_eval,
  .hvp = logreg_hvp,
  .x0 = logreg_x0,
  .f_opt = logreg_f_opt,
  .x_opt = logreg_x_opt,
  .free = logreg_free,
  .sample_eval = logreg_sample_eval,
  .gnvp = logreg_hvp,     /* Gauss-Newton = Hessian for a linear model (header comment) */
  .gnb_sample = logreg_gnb_sample,
  .metrics = logreg_metrics,
};

/* ---- classification access (problems/logreg.h) ------------------------------------ */

int ob_logreg_classify_check(const ob_problem *p, const char *who, ob_error *err)
{
  if (!p || p->type != &ob_problem_logreg)
    return ob_error_set(err, OB_EUNSUPPORTED, "optimizer '%s' needs the data of a logreg problem", who);
  if (((const logreg_state *)p->state)->batch > 0)
    return ob_error_set(err, OB_EUNSUPPORTED, "optimizer '%s' is a full-batch method: set the logreg batch to 0",
                        who);
  return OB_OK;
}

size_t ob_logreg_samples(const ob_problem *p)
{
  return ((const logreg_state *)p->state)->ds.n;
}

void ob_logreg_classify(const ob_problem *p, uint64_t step, const double *x, double w_neg, double w_zero,
                        double w_pos, double *dir, double *soft, size_t *nmis)
{
  logreg_state *s = p->state;
  const double inv = 1.0 / (double)s->ds.n;
  double sum = 0.0, minz = HUGE_VAL;
  size_t mis = 0;
  if (dir) memset(dir, 0, s->p * sizeof *dir);
  for (size_t i = 0; i < s->ds.n; i++) {
    double y = s->ds.y[i], z = y * margin(s, i, x);
    double c = z < 0.0 ? w_neg : z > 0.0 ? w_pos : w_zero;
    mis += z <= 0.0;
    if (z < minz) minz = z;
    if (soft) sum += sigmoid_neg(z);
    if (dir && c != 0.0) {
      ob_dataset_axpy(&s->ds, i, inv * c * y, dir);
      if (s->bias) dir[s->d] += inv * c * y;
    }
  }
  if (soft) *soft = inv * sum;
  if (nmis) *nmis = mis;
  note_separation(s, step, minz);
}
