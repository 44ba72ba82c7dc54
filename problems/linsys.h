/* linsys.h -- the linear-system view of a problem, and the shared kernels of
 * the linear-system problems and solvers.
 *
 * A problem that is a linear system A x = b (OB_PROVIDES_LINSYS) returns a
 * struct ob_linsys_view from its `linsys` hook. The view gives what classical
 * iterative solvers need (Saad, "Iterative Methods for Sparse Linear Systems",
 * 2nd ed., 2003, ch. 4 and 6): y = A x, the diagonal, the off-diagonal part of
 * one row applied to a vector (for Gauss-Seidel/SOR sweeps in natural order),
 * b, a reference solution when known, and for model problems the spectral
 * radius rho(J) of the Jacobi iteration J = I - D^-1 A in closed form (Young,
 * "Iterative Solution of Large Linear Systems", 1971, ch. 6), from which
 * Young's optimal relaxation omega* = 2 / (1 + sqrt(1 - rho(J)^2)) follows.
 *
 * Each linear system is also the quadratic f(x) = 1/2 x'Ax - b'x when A is SPD
 * (gradient Ax - b, Hessian A, minimizer A^-1 b), and the least-squares
 * function f(x) = 1/2 ||Ax - b||^2 otherwise, so gradient optimizers run on
 * it too. ob_linsys_sys implements the problem hooks generically: a problem's
 * state struct starts with an ob_linsys_sys member, fills it (stencil or CSR),
 * and calls ob_linsys_finish().
 *
 * Stopping: "solved" is defined by the problem (params tol and max_iters), so
 * every solver on one problem stops by the same test: ||b - A x|| / ||b - A x0||
 * < tol. A solver reports it by returning OB_CONVERGED from its step.
 *
 * Sequences ("Learning to Relax", Khodak et al., ICLR 2024): a view with
 * seq != NULL holds T systems A_t = A + c_t I, b_t; the view's diag and b
 * always describe the current instance, and seq->advance moves on.
 *
 * Threading: matvec and the red-black half sweeps are OpenMP-parallel and
 * bit-identical for every thread count; natural-order sweeps are sequential.
 * Library code: never prints, never exits.
 */
#ifndef OB_LINSYS_H
#define OB_LINSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/ob_error.h"
#include "problems/problem.h"

typedef struct ob_linsys_seq ob_linsys_seq;

struct ob_linsys_view {
  size_t n;
  void *ctx;                 /* first argument of every callback */
  const double *b;           /* right-hand side (current instance) */
  const double *diag;        /* a_ii, all nonzero (current instance) */
  const double *inv_diag;    /* 1 / a_ii (current instance): the sweeps multiply, never divide */
  const double *x_ref;       /* A^-1 b to high accuracy (CG, rel. residual 1e-13), or NULL */
  /* y = A x (x and y do not alias). */
  void (*matvec)(void *ctx, const double *x, double *y);
  /* sum over j != i of a_ij x_j: one row of the off-diagonal part. */
  double (*offdiag_dot)(void *ctx, size_t i, const double *x);
  /* Red-black colour (0 or 1) of unknown i such that unknowns of one colour
   * are never coupled; NULL when the matrix has no such 2-colouring. */
  int (*color)(void *ctx, size_t i);
  bool spd;                  /* symmetric positive definite */
  double jacobi_rho;         /* rho(I - D^-1 A) in closed form, NAN when unknown */
  double tol;                /* stop when ||r|| / ||r0|| < tol (problem param, default 1e-8) */
  long long max_iters;       /* per-instance iteration cap (sequences; problem param) */
  const ob_linsys_seq *seq;  /* NULL for a single system */
};

/* A sequence of systems A_t = A + c_t I (t = 0..count-1). */
struct ob_linsys_seq {
  size_t count;              /* T */
  double context_lo, context_hi;   /* the range c_t lies in (ChebCB's feature map) */
  const double *grid;        /* the omega grid policies choose from */
  size_t ngrid;
  size_t (*index)(void *ctx);      /* current t */
  double (*context)(void *ctx);    /* c_t of the current instance */
  /* Records `iters`, the omega used (NAN when none) and the solver's time on
   * the instance (`seconds`, inside its steps only) for the current instance
   * and moves to the next; returns 1 when none is left, else 0. */
  int (*advance)(void *ctx, long long iters, double omega, double seconds);
  /* The hindsight table cost[t * ngrid + k]: SOR iterations of instance t
   * with grid[k] (computed once, on first call, outside any solver). */
  const long long *(*cost_table)(void *ctx, ob_error *err);
};

/* Young's optimal SOR relaxation for a consistently ordered matrix whose
 * Jacobi iteration has spectral radius rho < 1 (Young 1950). */
double ob_linsys_young_omega(double rho);

/* ---- kernels on a view (used by the solvers and by the problems) ---------- */

/* r = b - A x; returns ||r||_2 (fixed-block reduction). */
double ob_linsys_residual(const struct ob_linsys_view *v, const double *x, double *r);
/* One natural-order Gauss-Seidel sweep: x_i <- (b_i - sum_{j!=i} a_ij x_j) / a_ii.
 * All sweeps multiply by inv_diag instead of dividing by diag (a division
 * would sit on the sweep's sequential dependence chain). */
void ob_linsys_gs_sweep(const struct ob_linsys_view *v, double *x);
/* One natural-order SOR sweep, i = 0..n-1 (backward: i = n-1..0):
 *   x_i <- (1 - omega) x_i + omega (b_i - sum_{j!=i} a_ij x_j) / a_ii,
 * i.e. x <- x + M^-1 (b - A x) with M = D/omega + L (backward: D/omega + U). */
void ob_linsys_sor_sweep(const struct ob_linsys_view *v, double omega, bool backward, double *x);
/* One red-black SOR sweep (red unknowns, then black), parallel; needs v->color. */
void ob_linsys_sor_redblack_sweep(const struct ob_linsys_view *v, double omega, double *x);
/* Natural-order SOR from x = 0 until ||r|| / ||b|| < tol or maxit sweeps:
 * the iteration count (the sequence comparators; equals the sor solver's). */
long long ob_linsys_sor_count(const struct ob_linsys_view *v, double omega, double tol,
                              long long maxit, double *x, double *r);

/* ---- the generic linear-system problem ------------------------------------ */

/* Matrix storage of ob_linsys_sys. */
typedef enum { OB_LINSYS_STENCIL, OB_LINSYS_CSR } ob_linsys_storage;

typedef struct ob_linsys_sys {
  struct ob_linsys_view view;
  ob_linsys_storage storage;
  size_t n;
  /* stencil: the 2*dims-point negative Laplacian (off-diagonals -1) on an
   * nx x ny x nz interior grid (nz = 1 in 2-D), lexicographic order (x fastest) */
  int dims;
  size_t nx, ny, nz;
  double shift;              /* c in A + c I (stencil) */
  /* CSR (off-diagonal entries only; the diagonal lives in diag) */
  size_t *rowptr, *colind;
  double *val;
  double *diag, *b, *x_ref;  /* arena, class data */
  double *inv_diag;          /* arena, class data: 1 / diag (filled by ob_linsys_finish; a problem
                              * that changes diag later updates it too) */
  double *work;              /* arena: A x scratch for eval */
  double f_opt;              /* NAN when not computed */
  bool have_fopt;
} ob_linsys_sys;

/* Parameters every linear-system problem adds to its own (tol, max_iters, rhs,
 * rhs_file); spliced into each problem's table by OB_LINSYS_COMMON_PARAMS. */
#define OB_LINSYS_COMMON_PARAMS \
  { "tol", OB_PARAM_REAL, "1e-8", 0.0, 1.0, OB_PARAM_MIN_OPEN | OB_PARAM_MAX_OPEN, NULL, NULL, \
    "solvers stop when ||b - A x|| / ||b - A x0|| < tol" }, \
  { "max_iters", OB_PARAM_INT, "10000", 1, 1e9, 0, NULL, NULL, \
    "iteration cap per instance of a sequence (the run's budget caps single systems)" }

/* Allocates diag, inv_diag, b, work from the arena (class data) for n unknowns. */
int ob_linsys_alloc(ob_linsys_sys *s, size_t n, ob_memtier *mem, ob_error *err);
/* Fills b: "ones", "random" (standard Gaussian radially truncated to
 * ||b|| <= sqrt(n), drawn from mt19937 seeded with `seed`) or "file" (one
 * number per line, `path`; errors name path:line). */
int ob_linsys_rhs(ob_linsys_sys *s, const char *kind, const char *path, uint64_t seed, ob_error *err);
/* Wires the view, validates (nonzero diagonal), and when n <= OB_LINSYS_CG_MAX
 * computes x_ref and f_opt = f(x_ref): by CG on A x = b to a relative residual
 * of 1e-13 when A is SPD, by CG on the normal equations (CGNR) for a
 * nonsymmetric CSR matrix. Larger systems have no f_opt (targets off). */
#define OB_LINSYS_CG_MAX ((size_t)1 << 18)
int ob_linsys_finish(ob_linsys_sys *s, const json_t *params, bool spd, double jacobi_rho,
                     ob_memtier *mem, ob_error *err);
/* Frees the CSR arrays (malloc'd); diag, b, ... belong to the arena. */
void ob_linsys_sys_free(ob_linsys_sys *s);
/* Builds the CSR arrays from coordinate triplets (0-based, duplicates summed,
 * diagonal entries moved to diag); used by the matrix problems. */
int ob_linsys_from_triplets(ob_linsys_sys *s, size_t nnz, const size_t *ri, const size_t *ci,
                            const double *v, ob_error *err);

/* Problem hooks for a state that starts with an ob_linsys_sys. */
size_t ob_linsys_hook_dim(const void *st);
int ob_linsys_hook_eval(void *st, const double *x, double *f, double *g, ob_error *err);
int ob_linsys_hook_hvp(void *st, const double *x, const double *v, double *out, ob_error *err);
void ob_linsys_hook_x0(const void *st, double *x);           /* x0 = 0 */
double ob_linsys_hook_f_opt(const void *st);
int ob_linsys_hook_x_opt(const void *st, double *x);
const struct ob_linsys_view *ob_linsys_hook_view(void *st);
/* final.residual = ||b - A x|| / ||b||, final.residual_norm = ||b - A x||. */
int ob_linsys_hook_metrics(void *st, const double *x, json_t *final, ob_error *err);

/* y = A x for the sys (stencil or CSR plus diagonal). */
void ob_linsys_sys_matvec(void *ctx, const double *x, double *y);

#endif
