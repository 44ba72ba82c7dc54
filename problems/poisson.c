/* poisson.c -- the model problems of iterative linear solvers: the 5-point
 * (poisson2d) and 7-point (poisson3d) negative Laplacian on an n x n (x n)
 * interior grid with Dirichlet boundary, plus a diagonal shift c.
 *
 *   A = delsq + c I,  (A x)_i = (2d + c) x_i - sum_{neighbours j of i} x_j
 *
 * unscaled as MATLAB's delsq(numgrid('S', n + 2)) (the matrix of Khodak et
 * al., "Learning to Relax", ICLR 2024, with n = 10), lexicographic order with
 * x fastest. The Jacobi iteration's eigenvalues are known in closed form
 * (Young 1971, ch. 6; Saad 2003, sec. 2.2.3): with h = 1/(n+1),
 *   mu_{jk(l)} = (2 cos(pi j h) + 2 cos(pi k h) (+ 2 cos(pi l h))) / (2d + c),
 *   rho(J) = 2 d cos(pi h) / (2d + c),
 * so Young's optimal SOR relaxation is omega* = 2 / (1 + sqrt(1 - rho^2)),
 * which for c = 0 is 2 / (1 + sin(pi h)). A is SPD when c > -4d sin^2(pi h / 2).
 *
 * Storage "stencil" is matrix-free (only the diagonal is stored); "csr"
 * assembles the off-diagonal part into CSR arrays (about 2d entries per row)
 * so that the matrix is real memory traffic. Both give the same numbers.
 * The right-hand side is ones, random (the paper's truncated Gaussian, seeded
 * by instance and run seed) or read from a file. x0 = 0.
 *
 * This file exports two descriptors (ob_problem_poisson2d, ob_problem_poisson3d)
 * that differ only in the dimension; everything else is shared.
 *
 * convection_diffusion2d is the nonsymmetric relative (Saad 2003, sec. 2.2.1;
 * Elman, Silvester & Wathen, "Finite Elements and Fast Iterative Solvers",
 * 2005, sec. 3.1 on the cell Peclet number): -Laplace(u) + beta . grad(u) with
 * beta = (beta, beta), centered differences on the same grid, times h^2:
 *   (A x)_i = 4 x_i - (1 + p)(x_W + x_S) - (1 - p)(x_E + x_N),  p = beta h / 2
 * (the cell Peclet number, parameter `peclet`), assembled as CSR. With
 * T = tridiag(-(1 + p), 2, -(1 - p)), A = T (x) I + I (x) T, and T is similar to
 * tridiag(-s, 2, -s), s = sqrt(1 - p^2) (complex for p > 1), so the Jacobi
 * eigenvalues are s (cos(pi j h) + cos(pi k h)) / 2 and
 *   rho(J) = sqrt(|1 - p^2|) cos(pi h):
 * real for p < 1, where Young's omega applies (A is consistently ordered), and
 * purely imaginary for p > 1 (jacobi_rho is then NAN: policy young is skipped).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problems/linsys.h"

typedef struct {
  ob_linsys_sys sys;   /* first: the generic hooks cast the state to it */
} poisson_state;

#define POISSON_PARAMS(NMAX) \
  { "n", OB_PARAM_INT, "10", 1, NMAX, 0, NULL, NULL, "interior grid points per side" }, \
  { "shift", OB_PARAM_REAL, "0", -1.0, HUGE_VAL, 0, NULL, "c", "diagonal shift c (A + c I)" }, \
  { "storage", OB_PARAM_STRING, "\"stencil\"", 0, 0, 0, "stencil|csr", NULL, \
    "matrix-free stencil or assembled CSR" }, \
  { "rhs", OB_PARAM_STRING, "\"ones\"", 0, 0, 0, "ones|random|file", NULL, \
    "right-hand side: ones, seeded truncated Gaussian, or rhs_file" }, \
  { "rhs_file", OB_PARAM_STRING, "null", 0, 0, OB_PARAM_NULLABLE | OB_PARAM_PATH | OB_PARAM_HIDE_IN_ID, NULL, NULL, \
    "file with one number per line (rhs = file)" }, \
  { "instance", OB_PARAM_INT, "1", 1, 1e6, 0, NULL, "i", "instance number (seeds a random rhs with the run seed)" }, \
  OB_LINSYS_COMMON_PARAMS, \
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }

static const ob_param_spec poisson2d_params[] = { POISSON_PARAMS(46340) };
static const ob_param_spec poisson3d_params[] = { POISSON_PARAMS(1290) };

static int poisson_configure(int dims, void *vs, const json_t *params, uint64_t seed, ob_memtier *mem,
                             ob_error *err)
{
  poisson_state *ps = vs;
  ob_linsys_sys *s = &ps->sys;
  size_t m = (size_t)ob_params_int(params, "n");
  double c = ob_params_real(params, "shift");
  double h = 1.0 / (double)(m + 1);
  double lam_min = 4.0 * dims * pow(sin(M_PI * h / 2.0), 2) + c;
  if (!(lam_min > 0))
    return ob_error_at(err, OB_EINVAL, "shift", "%g makes A + c I singular or indefinite for n = %zu "
                       "(the shift must exceed %.6g)", c, m, c - lam_min);
  s->dims = dims;
  s->nx = s->ny = m;
  s->nz = dims == 3 ? m : 1;
  s->shift = c;
  size_t n = m * m * s->nz;
  int rc = ob_linsys_alloc(s, n, mem, err);
  if (rc < 0) return rc;
  for (size_t i = 0; i < n; i++) s->diag[i] = 2.0 * dims + c;
  s->storage = OB_LINSYS_STENCIL;
  if (strcmp(ob_params_string(params, "storage"), "csr") == 0) {
    /* assemble through the triplet builder: off-diagonal -1 per neighbour */
    size_t cap = 2 * (size_t)dims * n, k = 0;
    size_t *ri = malloc(cap * sizeof *ri), *ci = malloc(cap * sizeof *ci);
    double *v = malloc(cap * sizeof *v);
    if (!ri || !ci || !v) {
      free(ri); free(ci); free(v);
      return ob_error_set(err, OB_ENOMEM, "out of memory assembling a %zu-unknown Laplacian", n);
    }
    const size_t nx = s->nx, ny = s->ny, nxy = nx * ny;
    for (size_t i = 0; i < n; i++) {
      size_t ix = i % nx, iy = (i / nx) % ny, iz = i / nxy;
      size_t nb[6];
      int cnt = 0;
      if (ix > 0) nb[cnt++] = i - 1;
      if (ix + 1 < nx) nb[cnt++] = i + 1;
      if (iy > 0) nb[cnt++] = i - nx;
      if (iy + 1 < ny) nb[cnt++] = i + nx;
      if (dims == 3 && iz > 0) nb[cnt++] = i - nxy;
      if (dims == 3 && iz + 1 < s->nz) nb[cnt++] = i + nxy;
      for (int q = 0; q < cnt; q++) { ri[k] = i; ci[k] = nb[q]; v[k] = -1.0; k++; }
    }
    rc = ob_linsys_from_triplets(s, k, ri, ci, v, err);
    free(ri); free(ci); free(v);
    if (rc < 0) return rc;
    for (size_t i = 0; i < n; i++) s->diag[i] = 2.0 * dims + c;
  }
  const char *rf = ob_params_is_null(params, "rhs_file") ? NULL : ob_params_string(params, "rhs_file");
  uint64_t rseed = seed * 1000003u + (uint64_t)ob_params_int(params, "instance");
  rc = ob_linsys_rhs(s, ob_params_string(params, "rhs"), rf, rseed, err);
  if (rc < 0) return rc;
  double rho = 2.0 * dims * cos(M_PI * h) / (2.0 * dims + c);
  return ob_linsys_finish(s, params, true, rho, mem, err);
}

static int poisson2d_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  return poisson_configure(2, vs, params, seed, mem, err);
}

static int poisson3d_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  return poisson_configure(3, vs, params, seed, mem, err);
}

static void poisson_free(void *vs)
{
  ob_linsys_sys_free(&((poisson_state *)vs)->sys);
}

/* ---- convection_diffusion2d ------------------------------------------------ */

static const ob_param_spec convdiff_params[] = {
  { "n", OB_PARAM_INT, "10", 1, 46340, 0, NULL, NULL, "interior grid points per side" },
  { "peclet", OB_PARAM_REAL, "0.5", 0.0, 1e6, 0, NULL, "p",
    "cell Peclet number p = beta h / 2 (0: the Laplacian; above 1 centered differences oscillate)" },
  { "rhs", OB_PARAM_STRING, "\"ones\"", 0, 0, 0, "ones|random|file", NULL,
    "right-hand side: ones, seeded truncated Gaussian, or rhs_file" },
  { "rhs_file", OB_PARAM_STRING, "null", 0, 0, OB_PARAM_NULLABLE | OB_PARAM_PATH | OB_PARAM_HIDE_IN_ID, NULL, NULL,
    "file with one number per line (rhs = file)" },
  { "instance", OB_PARAM_INT, "1", 1, 1e6, 0, NULL, "i", "instance number (seeds a random rhs with the run seed)" },
  OB_LINSYS_COMMON_PARAMS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int convdiff_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  poisson_state *ps = vs;
  ob_linsys_sys *s = &ps->sys;
  size_t m = (size_t)ob_params_int(params, "n");
  double p = ob_params_real(params, "peclet"), h = 1.0 / (double)(m + 1);
  s->dims = 2;
  s->nx = s->ny = m;
  s->nz = 1;
  size_t n = m * m;
  int rc = ob_linsys_alloc(s, n, mem, err);
  if (rc < 0) return rc;
  size_t cap = 4 * n, k = 0;
  size_t *ri = malloc(cap * sizeof *ri), *ci = malloc(cap * sizeof *ci);
  double *v = malloc(cap * sizeof *v);
  if (!ri || !ci || !v) {
    free(ri); free(ci); free(v);
    return ob_error_set(err, OB_ENOMEM, "out of memory assembling a %zu-unknown convection-diffusion matrix", n);
  }
  for (size_t i = 0; i < n; i++) {
    size_t ix = i % m, iy = i / m;
    if (ix > 0) { ri[k] = i; ci[k] = i - 1; v[k++] = -1.0 - p; }
    if (ix + 1 < m) { ri[k] = i; ci[k] = i + 1; v[k++] = -1.0 + p; }
    if (iy > 0) { ri[k] = i; ci[k] = i - m; v[k++] = -1.0 - p; }
    if (iy + 1 < m) { ri[k] = i; ci[k] = i + m; v[k++] = -1.0 + p; }
  }
  rc = ob_linsys_from_triplets(s, k, ri, ci, v, err);
  free(ri); free(ci); free(v);
  if (rc < 0) return rc;
  for (size_t i = 0; i < n; i++) s->diag[i] = 4.0;
  const char *rf = ob_params_is_null(params, "rhs_file") ? NULL : ob_params_string(params, "rhs_file");
  uint64_t rseed = seed * 1000003u + (uint64_t)ob_params_int(params, "instance");
  rc = ob_linsys_rhs(s, ob_params_string(params, "rhs"), rf, rseed, err);
  if (rc < 0) return rc;
  double rho = p < 1.0 ? sqrt(1.0 - p * p) * cos(M_PI * h) : NAN;
  return ob_linsys_finish(s, params, p == 0.0, rho, mem, err);
}

#define POISSON_PROVIDES (OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_FOPT | OB_PROVIDES_LINSYS)

const ob_problem_type ob_problem_poisson2d = {
  .name = "poisson2d",
  .summary = "5-point Laplacian (delsq) + c I on an n x n grid as A x = b and as 1/2 x'Ax - b'x",
  .reference = "Young 1971, ch. 6; Saad, Iterative Methods for Sparse Linear Systems (2003), sec. 2.2; "
               "Khodak et al., Learning to Relax, ICLR 2024",
  .params = poisson2d_params,
  .state_size = sizeof(poisson_state),
  .provides = POISSON_PROVIDES,
  .configure = poisson2d_configure,
  .dim = ob_linsys_hook_dim,
  .eval = ob_linsys_hook_eval,
  .hvp = ob_linsys_hook_hvp,
  .x0 = ob_linsys_hook_x0,
  .f_opt = ob_linsys_hook_f_opt,
  .x_opt = ob_linsys_hook_x_opt,
  .free = poisson_free,
  .linsys = ob_linsys_hook_view,
  .metrics = ob_linsys_hook_metrics,
};

const ob_problem_type ob_problem_poisson3d = {
  .name = "poisson3d",
  .summary = "7-point Laplacian + c I on an n x n x n grid as A x = b and as 1/2 x'Ax - b'x",
  .reference = "Young 1971, ch. 6; Saad, Iterative Methods for Sparse Linear Systems (2003), sec. 2.2",
  .params = poisson3d_params,
  .state_size = sizeof(poisson_state),
  .provides = POISSON_PROVIDES,
  .configure = poisson3d_configure,
  .dim = ob_linsys_hook_dim,
  .eval = ob_linsys_hook_eval,
  .hvp = ob_linsys_hook_hvp,
  .x0 = ob_linsys_hook_x0,
  .f_opt = ob_linsys_hook_f_opt,
  .x_opt = ob_linsys_hook_x_opt,
  .free = poisson_free,
  .linsys = ob_linsys_hook_view,
  .metrics = ob_linsys_hook_metrics,
};

/* Not yet in problems/list.def: registering it also needs its name in the
 * problem_type enum of docs/schema/suite.schema.json (tests/cli_run.sh checks
 * that the two agree). tests/check_linsys.c uses the descriptor directly. */
extern const ob_problem_type ob_problem_convection_diffusion2d;
const ob_problem_type ob_problem_convection_diffusion2d = {
  .name = "convection_diffusion2d",
  .summary = "nonsymmetric -Laplace(u) + beta . grad(u), centered differences on an n x n grid, cell Peclet number p",
  .reference = "Saad, Iterative Methods for Sparse Linear Systems (2003), sec. 2.2.1; "
               "Elman, Silvester & Wathen, Finite Elements and Fast Iterative Solvers (2005), sec. 3.1",
  .params = convdiff_params,
  .state_size = sizeof(poisson_state),
  .provides = POISSON_PROVIDES,
  .configure = convdiff_configure,
  .dim = ob_linsys_hook_dim,
  .eval = ob_linsys_hook_eval,
  .hvp = ob_linsys_hook_hvp,
  .x0 = ob_linsys_hook_x0,
  .f_opt = ob_linsys_hook_f_opt,
  .x_opt = ob_linsys_hook_x_opt,
  .free = poisson_free,
  .linsys = ob_linsys_hook_view,
  .metrics = ob_linsys_hook_metrics,
};
