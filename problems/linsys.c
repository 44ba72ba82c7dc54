/* linsys.c -- the linear-system view, its kernels, and the generic
 * linear-system problem (stencil or CSR storage) shared by poisson2d/3d,
 * random_spd, diag_dominant, matrix_market and sor_sequence.
 *
 * Kernels (Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed., 2003):
 *   residual      r = b - A x                                   (sec. 4.1)
 *   Gauss-Seidel  x_i <- (b_i - sum_{j!=i} a_ij x_j) / a_ii, i ascending   (eq. 4.8)
 *   SOR           x_i <- (1-w) x_i + w (b_i - sum_{j!=i} a_ij x_j) / a_ii  (eq. 4.10),
 *                 which is x <- x + M^-1 (b - A x) with M = D/w + L exactly
 *                 (Young 1950; Saad eq. 4.11). With w = 1 the new value is
 *                 0 * x_i + 1 * gs_i = gs_i, so SOR(1) and Gauss-Seidel give
 *                 bit-identical iterates (tested).
 *   red-black SOR the same update, all red unknowns (i+j(+k) even) first, then
 *                 all black ones (Saad sec. 12.4.1); within a colour unknowns are
 *                 uncoupled, so any thread count gives the same iterates.
 *   CG            Hestenes & Stiefel 1952 (Saad Alg. 6.18), used for x_ref and f_opt.
 *
 * Every row's off-diagonal sum is formed in one fixed order (stencil: west,
 * east, south, north, down, up; CSR: column order), and reductions use the
 * fixed-block sums of ob_vec.h: results never depend on the thread count.
 *
 * The Poisson stencil is the unscaled 2*d-point negative Laplacian (MATLAB's
 * delsq: 2d on the diagonal, -1 for each neighbour) plus c I. Its Jacobi
 * iteration has eigenvalues (sum_k 2 cos(pi j_k h_k)) / (2d + c), so
 * rho(J) = (sum_k 2 cos(pi h_k)) / (2d + c) with h_k = 1/(n_k + 1).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bench/ob_json.h"
#include "bench/ob_vec.h"
#include "problems/linsys.h"

double ob_linsys_young_omega(double rho)
{
  return 2.0 / (1.0 + sqrt(1.0 - rho * rho));
}

/* ---- stencil and CSR rows ---------------------------------------------------- */

/* Off-diagonal row sum of the stencil at grid point (ix, iy, iz) = index i. */
static inline double stencil_off(const ob_linsys_sys *s, size_t ix, size_t iy, size_t iz, size_t i,
                                 const double *x)
{
  const size_t nx = s->nx, ny = s->ny, nxy = s->nx * s->ny;
  double acc = 0.0;
  if (ix > 0) acc -= x[i - 1];
  if (ix + 1 < nx) acc -= x[i + 1];
  if (iy > 0) acc -= x[i - nx];
  if (iy + 1 < ny) acc -= x[i + nx];
  if (s->dims == 3) {
    if (iz > 0) acc -= x[i - nxy];
    if (iz + 1 < s->nz) acc -= x[i + nxy];
  }
  return acc;
}

static inline double csr_off(const ob_linsys_sys *s, size_t i, const double *x)
{
  double acc = 0.0;
  for (size_t k = s->rowptr[i]; k < s->rowptr[i + 1]; k++) acc += s->val[k] * x[s->colind[k]];
  return acc;
}

static double sys_offdiag_dot(void *ctx, size_t i, const double *x)
{
  const ob_linsys_sys *s = ctx;
  if (s->storage == OB_LINSYS_CSR) return csr_off(s, i, x);
  size_t ix = i % s->nx, rest = i / s->nx;
  return stencil_off(s, ix, rest % s->ny, rest / s->ny, i, x);
}

static int sys_color(void *ctx, size_t i)
{
  const ob_linsys_sys *s = ctx;
  size_t ix = i % s->nx, rest = i / s->nx;
  return (int)((ix + rest % s->ny + rest / s->ny) & 1u);
}

void ob_linsys_sys_matvec(void *ctx, const double *x, double *y)
{
  const ob_linsys_sys *s = ctx;
  const size_t n = s->n;
  const double *d = s->diag;
  /* Small systems skip the parallel region altogether (libgomp allocates a
   * team for every region, even one an if clause keeps on one thread). */
  const int par = n >= OB_VEC_PAR_MIN;
  if (s->storage == OB_LINSYS_CSR) {
    if (par) {
#pragma omp parallel for schedule(static)
      for (size_t i = 0; i < n; i++) y[i] = d[i] * x[i] + csr_off(s, i, x);
    } else {
      for (size_t i = 0; i < n; i++) y[i] = d[i] * x[i] + csr_off(s, i, x);
    }
    return;
  }
  const size_t nx = s->nx, ny = s->ny, nz = s->nz;
  if (!par) {
    for (size_t iz = 0, i = 0; iz < nz; iz++)
      for (size_t iy = 0; iy < ny; iy++)
        for (size_t ix = 0; ix < nx; ix++, i++) y[i] = d[i] * x[i] + stencil_off(s, ix, iy, iz, i, x);
    return;
  }
#pragma omp parallel for collapse(2) schedule(static)
  for (size_t iz = 0; iz < nz; iz++)
    for (size_t iy = 0; iy < ny; iy++) {
      size_t i = (iz * ny + iy) * nx;
      for (size_t ix = 0; ix < nx; ix++, i++) y[i] = d[i] * x[i] + stencil_off(s, ix, iy, iz, i, x);
    }
}

/* ---- kernels on a view ------------------------------------------------------ */

typedef struct {
  const struct ob_linsys_view *v;
  const double *x;
  double *r;
} resid_ctx;

static double resid_block(void *vc, size_t lo, size_t hi)
{
  resid_ctx *c = vc;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    double ri = c->v->b[i] - c->r[i];
    c->r[i] = ri;
    acc += ri * ri;
  }
  return acc;
}

double ob_linsys_residual(const struct ob_linsys_view *v, const double *x, double *r)
{
  v->matvec(v->ctx, x, r);
  resid_ctx c = { v, x, r };
  return sqrt(ob_vec_reduce(resid_block, &c, v->n));
}

void ob_linsys_gs_sweep(const struct ob_linsys_view *v, double *x)
{
  const size_t n = v->n;
  for (size_t i = 0; i < n; i++) x[i] = (v->b[i] - v->offdiag_dot(v->ctx, i, x)) * v->inv_diag[i];
}

/* The stencil fast path of a natural-order sweep (same arithmetic as the
 * generic path, without the index arithmetic of sys_offdiag_dot). */
static void stencil_sor_forward(const ob_linsys_sys *s, double omega, double *x)
{
  const double *b = s->view.b, *dinv = s->inv_diag;
  const double w1 = 1.0 - omega;
  size_t i = 0;
  for (size_t iz = 0; iz < s->nz; iz++)
    for (size_t iy = 0; iy < s->ny; iy++)
      for (size_t ix = 0; ix < s->nx; ix++, i++)
        x[i] = w1 * x[i] + omega * ((b[i] - stencil_off(s, ix, iy, iz, i, x)) * dinv[i]);
}

void ob_linsys_sor_sweep(const struct ob_linsys_view *v, double omega, bool backward, double *x)
{
  const size_t n = v->n;
  const double w1 = 1.0 - omega;
  if (!backward && v->matvec == ob_linsys_sys_matvec &&
      ((const ob_linsys_sys *)v->ctx)->storage == OB_LINSYS_STENCIL) {
    stencil_sor_forward(v->ctx, omega, x);
    return;
  }
  if (!backward) {
    for (size_t i = 0; i < n; i++)
      x[i] = w1 * x[i] + omega * ((v->b[i] - v->offdiag_dot(v->ctx, i, x)) * v->inv_diag[i]);
  } else {
    for (size_t i = n; i-- > 0;)
      x[i] = w1 * x[i] + omega * ((v->b[i] - v->offdiag_dot(v->ctx, i, x)) * v->inv_diag[i]);
  }
}

void ob_linsys_sor_redblack_sweep(const struct ob_linsys_view *v, double omega, double *x)
{
  const double w1 = 1.0 - omega;
  const double *b = v->b, *dinv = v->inv_diag;
  if (v->matvec == ob_linsys_sys_matvec && ((const ob_linsys_sys *)v->ctx)->storage == OB_LINSYS_STENCIL) {
    const ob_linsys_sys *s = v->ctx;
    const size_t nx = s->nx, ny = s->ny, nz = s->nz;
    for (size_t colour = 0; colour < 2; colour++) {
#pragma omp parallel for collapse(2) schedule(static) if (s->n >= OB_VEC_PAR_MIN)
      for (size_t iz = 0; iz < nz; iz++)
        for (size_t iy = 0; iy < ny; iy++) {
          size_t ix0 = (colour + iy + iz) & 1u;
          size_t i = (iz * ny + iy) * nx + ix0;
          for (size_t ix = ix0; ix < nx; ix += 2, i += 2)
            x[i] = w1 * x[i] + omega * ((b[i] - stencil_off(s, ix, iy, iz, i, x)) * dinv[i]);
        }
    }
    return;
  }
  const size_t n = v->n;
  for (int colour = 0; colour < 2; colour++) {
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
    for (size_t i = 0; i < n; i++)
      if (v->color(v->ctx, i) == colour)
        x[i] = w1 * x[i] + omega * ((b[i] - v->offdiag_dot(v->ctx, i, x)) * dinv[i]);
  }
}

long long ob_linsys_sor_count(const struct ob_linsys_view *v, double omega, double tol,
                              long long maxit, double *x, double *r)
{
  memset(x, 0, v->n * sizeof *x);
  double r0 = ob_linsys_residual(v, x, r);
  if (!(r0 > 0)) return 0;
  long long k = 0;
  while (k < maxit) {
    ob_linsys_sor_sweep(v, omega, false, x);
    k++;
    double rn = ob_linsys_residual(v, x, r);
    if (rn / r0 < tol) break;
    if (!isfinite(rn)) return maxit;
  }
  return k;
}

/* ---- building a system -------------------------------------------------------- */

int ob_linsys_alloc(ob_linsys_sys *s, size_t n, ob_memtier *mem, ob_error *err)
{
  s->n = n;
  s->diag = ob_memtier_alloc(mem, OB_MEM_DATA, n, err);
  s->inv_diag = s->diag ? ob_memtier_alloc(mem, OB_MEM_DATA, n, err) : NULL;
  s->b = s->inv_diag ? ob_memtier_alloc(mem, OB_MEM_DATA, n, err) : NULL;
  s->work = s->b ? ob_memtier_alloc(mem, OB_MEM_DATA, n, err) : NULL;
  if (!s->work) return err && err->code ? err->code : OB_ENOMEM;
  s->f_opt = NAN;
  return OB_OK;
}

static int rhs_file(ob_linsys_sys *s, const char *path, ob_error *err)
{
  FILE *f = fopen(path, "r");
  if (!f) {
    int saved = errno;
    ob_error_source(err, path);
    return ob_error_set(err, saved == ENOENT ? OB_ENOINPUT : OB_EIO, "cannot open right-hand side: %s",
                        strerror(saved));
  }
  char line[256];
  size_t k = 0;
  int lineno = 0, bad_line = 0, rc = OB_OK;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '\n' || *p == '\r' || *p == '\0' || *p == '%' || *p == '#') continue;
    char *end;
    errno = 0;
    double val = strtod(p, &end);
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n') end++;
    if (end == p || *end != '\0' || errno == ERANGE || !isfinite(val)) {
      rc = ob_error_set(err, OB_EDATA, "expected one finite number per line");
      bad_line = lineno;
      break;
    }
    if (k == s->n) {
      rc = ob_error_set(err, OB_EDATA, "more than %zu values (the system's dimension)", s->n);
      bad_line = lineno;
      break;
    }
    s->b[k++] = val;
  }
  if (rc == OB_OK && ferror(f)) rc = ob_error_set(err, OB_EIO, "read error");
  else if (rc == OB_OK && k != s->n)
    rc = ob_error_set(err, OB_EDATA, "has %zu values but the system has dimension %zu", k, s->n);
  if (rc < 0) {
    ob_error_source(err, path);
    if (err && bad_line) err->line = bad_line;
  }
  fclose(f);
  return rc;
}

int ob_linsys_rhs(ob_linsys_sys *s, const char *kind, const char *path, uint64_t seed, ob_error *err)
{
  if (strcmp(kind, "ones") == 0) {
    for (size_t i = 0; i < s->n; i++) s->b[i] = 1.0;
    return OB_OK;
  }
  if (strcmp(kind, "file") == 0) {
    if (!path || !*path) return ob_error_at(err, OB_EINVAL, "rhs_file", "is required when rhs is \"file\"");
    return rhs_file(s, path, err);
  }
  /* "random": standard Gaussian, radially truncated to ||b|| <= sqrt(n)
   * (the paper's instances): scaled back onto the ball when outside it. */
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) return ob_error_set(err, OB_ENOMEM, "out of memory");
  gsl_rng_set(rng, (unsigned long)(seed & 0xffffffffu) ^ (unsigned long)(seed >> 32));
  for (size_t i = 0; i < s->n; i++) s->b[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
  gsl_rng_free(rng);
  double nb = ob_vec_nrm2(s->b, s->n), lim = sqrt((double)s->n);
  if (nb > lim)
    for (size_t i = 0; i < s->n; i++) s->b[i] *= lim / nb;
  return OB_OK;
}

static void csr_tmatvec(const ob_linsys_sys *s, const double *x, double *y);

/* The operator of the reference solve: A (SPD), or A' D^-2 A otherwise (CGNR
 * on the row-scaled system D^-1 A x = D^-1 b, whose unit diagonal keeps
 * diagonally dominant matrices well conditioned; the solution is the same). */
static void ref_apply(ob_linsys_sys *s, const double *p, double *q, double *tmp)
{
  s->view.matvec(s->view.ctx, p, s->view.spd ? q : tmp);
  if (s->view.spd) return;
  for (size_t i = 0; i < s->n; i++) tmp[i] /= s->diag[i] * s->diag[i];
  csr_tmatvec(s, tmp, q);
}

/* CG for x_ref: Hestenes-Stiefel from x = 0 to ||r|| <= 1e-13 ||rhs||, on
 * A x = b for SPD A and on the row-scaled normal equations A'D^-2 A x = A'D^-2 b
 * otherwise (CGNR, Saad 2003, Alg. 8.4). f_opt = f(x_ref) with the same formula as eval. */
static int reference_cg(ob_linsys_sys *s, ob_memtier *mem, ob_error *err)
{
  const size_t n = s->n;
  double *x = ob_memtier_alloc(mem, OB_MEM_DATA, n, err);
  double *r = malloc(n * sizeof *r), *p = malloc(n * sizeof *p), *q = malloc(n * sizeof *q),
         *tmp = malloc(n * sizeof *tmp);
  int rc = OB_OK;
  if (!x || !r || !p || !q || !tmp) {
    rc = x ? ob_error_set(err, OB_ENOMEM, "out of memory for the reference solve") : (err ? err->code : OB_ENOMEM);
    goto done;
  }
  if (s->view.spd) {
    memcpy(r, s->b, n * sizeof *r);
  } else {
    for (size_t i = 0; i < n; i++) tmp[i] = s->b[i] / (s->diag[i] * s->diag[i]);
    csr_tmatvec(s, tmp, r);
  }
  memcpy(p, r, n * sizeof *p);
  double rr = ob_vec_dot(r, r, n), stop = 1e-26 * rr;
  long long maxit = 20 * (long long)n + 1000;
  for (long long k = 0; k < maxit && rr > stop; k++) {
    ref_apply(s, p, q, tmp);
    double pq = ob_vec_dot(p, q, n);
    if (!(pq > 0)) {
      rc = ob_error_set(err, OB_EINVAL, "the matrix is %s (p'Ap = %g in the reference CG)",
                        s->view.spd ? "not positive definite" : "singular", pq);
      goto done;
    }
    double alpha = rr / pq;
    for (size_t i = 0; i < n; i++) { x[i] += alpha * p[i]; r[i] -= alpha * q[i]; }
    double rr1 = ob_vec_dot(r, r, n);
    double beta = rr1 / rr;
    rr = rr1;
    for (size_t i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
  }
  s->x_ref = x;
  rc = ob_linsys_hook_eval(s, x, &s->f_opt, NULL, err);
  s->have_fopt = rc == OB_OK;
done:
  free(r);
  free(p);
  free(q);
  free(tmp);
  return rc;
}

int ob_linsys_finish(ob_linsys_sys *s, const json_t *params, bool spd, double jacobi_rho,
                     ob_memtier *mem, ob_error *err)
{
  struct ob_linsys_view *v = &s->view;
  for (size_t i = 0; i < s->n; i++)
    if (s->diag[i] == 0.0 || !isfinite(s->diag[i]))
      return ob_error_set(err, OB_EINVAL, "diagonal entry %zu is %g: Jacobi, Gauss-Seidel and SOR need a nonzero diagonal",
                          i + 1, s->diag[i]);
  v->n = s->n;
  v->ctx = s;
  v->b = s->b;
  v->diag = s->diag;
  for (size_t i = 0; i < s->n; i++) s->inv_diag[i] = 1.0 / s->diag[i];
  v->inv_diag = s->inv_diag;
  v->matvec = ob_linsys_sys_matvec;
  v->offdiag_dot = sys_offdiag_dot;
  v->color = s->storage == OB_LINSYS_STENCIL ? sys_color : NULL;
  v->spd = spd;
  v->jacobi_rho = jacobi_rho;
  v->tol = ob_params_real(params, "tol");
  v->max_iters = ob_params_int(params, "max_iters");
  if (s->n <= OB_LINSYS_CG_MAX && (spd || s->storage == OB_LINSYS_CSR)) {
    int rc = reference_cg(s, mem, err);
    if (rc < 0) return rc;
    v->x_ref = s->x_ref;
  }
  return OB_OK;
}

void ob_linsys_sys_free(ob_linsys_sys *s)
{
  free(s->rowptr);
  free(s->colind);
  free(s->val);
  s->rowptr = s->colind = NULL;
  s->val = NULL;
}

typedef struct { size_t r, c; double v; } triplet;

static int triplet_cmp(const void *a, const void *b)
{
  const triplet *x = a, *y = b;
  if (x->r != y->r) return x->r < y->r ? -1 : 1;
  if (x->c != y->c) return x->c < y->c ? -1 : 1;
  return 0;
}

int ob_linsys_from_triplets(ob_linsys_sys *s, size_t nnz, const size_t *ri, const size_t *ci,
                            const double *v, ob_error *err)
{
  triplet *t = malloc((nnz ? nnz : 1) * sizeof *t);
  s->rowptr = calloc(s->n + 1, sizeof *s->rowptr);
  s->colind = malloc((nnz ? nnz : 1) * sizeof *s->colind);
  s->val = malloc((nnz ? nnz : 1) * sizeof *s->val);
  if (!t || !s->rowptr || !s->colind || !s->val) {
    free(t);
    return ob_error_set(err, OB_ENOMEM, "out of memory for a sparse matrix with %zu entries", nnz);
  }
  for (size_t k = 0; k < nnz; k++) t[k] = (triplet){ ri[k], ci[k], v[k] };
  qsort(t, nnz, sizeof *t, triplet_cmp);
  for (size_t i = 0; i < s->n; i++) s->diag[i] = 0.0;
  size_t m = 0;
  for (size_t k = 0; k < nnz; k++) {
    if (t[k].r == t[k].c) { s->diag[t[k].r] += t[k].v; continue; }
    if (m > 0 && s->colind[m - 1] == t[k].c && k > 0 && t[k - 1].r == t[k].r && t[k - 1].c == t[k].c) {
      s->val[m - 1] += t[k].v;
      continue;
    }
    s->colind[m] = t[k].c;
    s->val[m] = t[k].v;
    s->rowptr[t[k].r + 1]++;
    m++;
  }
  for (size_t i = 0; i < s->n; i++) s->rowptr[i + 1] += s->rowptr[i];
  free(t);
  s->storage = OB_LINSYS_CSR;
  return OB_OK;
}

/* ---- problem hooks -------------------------------------------------------------- */

size_t ob_linsys_hook_dim(const void *st)
{
  return ((const ob_linsys_sys *)st)->n;
}

/* y = A' x for CSR (the least-squares gradient of nonsymmetric systems);
 * sequential scatter in row order: deterministic. */
static void csr_tmatvec(const ob_linsys_sys *s, const double *x, double *y)
{
  for (size_t i = 0; i < s->n; i++) y[i] = s->diag[i] * x[i];
  for (size_t i = 0; i < s->n; i++)
    for (size_t k = s->rowptr[i]; k < s->rowptr[i + 1]; k++) y[s->colind[k]] += s->val[k] * x[i];
}

int ob_linsys_hook_eval(void *st, const double *x, double *f, double *g, ob_error *err)
{
  ob_linsys_sys *s = st;
  const struct ob_linsys_view *v = &s->view;
  (void)err;
  double *ax = s->work;
  v->matvec(v->ctx, x, ax);
  if (v->spd) {
    /* f = 1/2 x'Ax - b'x, g = Ax - b */
    *f = 0.5 * ob_vec_dot(x, ax, s->n) - ob_vec_dot(v->b, x, s->n);
    if (g)
      for (size_t i = 0; i < s->n; i++) g[i] = ax[i] - v->b[i];
    return OB_OK;
  }
  /* f = 1/2 ||Ax - b||^2, g = A'(Ax - b) */
  for (size_t i = 0; i < s->n; i++) ax[i] -= v->b[i];
  *f = 0.5 * ob_vec_dot(ax, ax, s->n);
  if (g) csr_tmatvec(s, ax, g);
  return OB_OK;
}

int ob_linsys_hook_hvp(void *st, const double *x, const double *v, double *out, ob_error *err)
{
  ob_linsys_sys *s = st;
  (void)x;
  (void)err;
  if (s->view.spd) {
    s->view.matvec(s->view.ctx, v, out);
    return OB_OK;
  }
  s->view.matvec(s->view.ctx, v, s->work);
  csr_tmatvec(s, s->work, out);
  return OB_OK;
}

void ob_linsys_hook_x0(const void *st, double *x)
{
  memset(x, 0, ((const ob_linsys_sys *)st)->n * sizeof *x);
}

double ob_linsys_hook_f_opt(const void *st)
{
  const ob_linsys_sys *s = st;
  return s->have_fopt ? s->f_opt : NAN;
}

int ob_linsys_hook_x_opt(const void *st, double *x)
{
  const ob_linsys_sys *s = st;
  if (!s->x_ref) return OB_EUNSUPPORTED;
  memcpy(x, s->x_ref, s->n * sizeof *x);
  return OB_OK;
}

const struct ob_linsys_view *ob_linsys_hook_view(void *st)
{
  return &((ob_linsys_sys *)st)->view;
}

int ob_linsys_hook_metrics(void *st, const double *x, json_t *final, ob_error *err)
{
  ob_linsys_sys *s = st;
  double *r = malloc(s->n * sizeof *r);
  if (!r) return ob_error_set(err, OB_ENOMEM, "out of memory");
  double rn = ob_linsys_residual(&s->view, x, r);
  double bn = ob_vec_nrm2(s->view.b, s->n);
  free(r);
  json_object_set_new(final, "residual", ob_json_num(bn > 0 ? rn / bn : rn));
  json_object_set_new(final, "residual_norm", ob_json_num(rn));
  return OB_OK;
}
