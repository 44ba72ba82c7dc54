/* instance.h -- COCO-style instances of the synthetic test functions: a seeded
 * shift of the optimum and a seeded random rotation, shared by every function
 * that accepts "instance" (Hansen, Finck, Ros & Auger, "Real-parameter
 * black-box optimization benchmarking 2009: noiseless functions definitions",
 * INRIA RR-6829, section 0: x_opt, R and Q are drawn per instance).
 *
 * A function is written on z; the optimizer works on x, with
 *     z = R (x - s) + o          (o: the function's own minimizer z*, a scalar per coordinate)
 * so x_opt = s exactly and f(x_opt) = f(z*) = f_opt bit for bit. Instance 0 is the
 * literal definition (z = x, nothing stored). A function that must not be shifted
 * (the scale-invariant one) asks for no shift: z = R x and x_opt = R^T z*.
 *
 * Seed formula (documented in docs/problems.md): GSL's mt19937 seeded with
 *     seed = (1000003 * instance + dim) mod 2^32
 * draws first dim uniforms u_i (s_i = 0.8 * halfwidth * (2 u_i - 1), COCO's
 * [-4, 4] for the region [-5, 5]) and then a dim x dim standard Gaussian matrix,
 * row by row, whose QR factor with columns multiplied by sign(R_jj) is a
 * Haar-random orthogonal matrix (Mezzadri, Notices AMS 54, 2007). Neither the
 * run seed nor the optimizer enters, so an instance is the same function on every
 * machine with the same GSL and libm. The shift does not depend on "rotate".
 *
 * Memory: R (dim^2 doubles, dim <= 11585) and the shift and work vectors come
 * from the cell's arena (class "data"); configure-time scratch is malloc'ed and
 * freed before setup returns. Matrix-vector products go one output element per
 * iteration, each summed left to right, so they are bit-identical for every
 * thread count. The work vectors make one instance non-reentrant, as every cell
 * owns its instance.
 */
#ifndef OB_INSTANCE_H
#define OB_INSTANCE_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/ob_error.h"
#include "memtier/memtier.h"

/* The parameter-table lines of the two instance keys (default 0: literal). */
#define OB_INSTANCE_PARAM_SPECS                                                                  \
  { "instance", OB_PARAM_INT, "0", 0, 1e6, 0, NULL, "i",                                         \
    "COCO-style instance: 0 is the literal function; k >= 1 shifts the optimum and rotates "     \
    "(seeded by k and dim only)" },                                                              \
  { "rotate", OB_PARAM_BOOL, "true", 0, 0, 0, NULL, NULL,                                        \
    "with instance >= 1: also rotate by a random orthogonal matrix (dim <= 11585); false: shift only" }

/* Largest dimension with a dense rotation: dim^2 <= 2^27 doubles (1 GiB). */
#define OB_INSTANCE_MAX_ROTATED 11585

typedef struct ob_instance {
  size_t n;
  long long k;         /* 0: identity */
  bool rotate;         /* R stored */
  bool shifted;        /* s stored */
  double offset;       /* o: the function's z* coordinate (0 when not shifted) */
  double *s;           /* shift = x_opt (arena), NULL when not shifted */
  double *r;           /* R, row-major (arena), NULL when not rotated */
  double *z, *gz, *w, *hz;   /* work vectors (arena), NULL for the identity */
} ob_instance;

/* Sets up instance k of dimension n. `zopt` is the function's minimizer
 * coordinate, `halfwidth` the half-width of its search region, `shift` whether
 * the optimum may move. Returns OB_OK or a negative status with err filled. */
int ob_instance_setup(ob_instance *t, size_t n, long long k, bool rotate, bool shift, double zopt,
                      double halfwidth, ob_memtier *mem, ob_error *err);

/* True when the instance is the literal function (z = x). */
static inline bool ob_instance_identity(const ob_instance *t)
{
  return t->k == 0;
}

/* z for x: x itself for the identity, else t->z filled. */
const double *ob_instance_z(ob_instance *t, const double *x);
/* Where a function should write its z-gradient for a caller's g (NULL stays
 * NULL): g itself unless rotated. */
double *ob_instance_gz(ob_instance *t, double *g);
/* g = R^T gz when rotated; nothing to do otherwise. */
void ob_instance_pull(const ob_instance *t, const double *gz, double *g);
/* The z-direction R v of an x-direction v (v itself unless rotated). */
const double *ob_instance_dir(ob_instance *t, const double *v);
/* Where to write the z-space Hessian product for a caller's out. */
double *ob_instance_hz(ob_instance *t, double *out);
/* x_opt for the function's minimizer z* = (zopt, ..., zopt). */
void ob_instance_x_opt(const ob_instance *t, double zopt, double *x);

/* out = R v and out = R^T v (R must be stored). */
void ob_instance_rot(const ob_instance *t, const double *v, double *out);
void ob_instance_rot_t(const ob_instance *t, const double *v, double *out);

#endif
