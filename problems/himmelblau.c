/* himmelblau.c -- Himmelblau's function, a 2-D classic with four global
 * minima of equal value (Himmelblau, Applied Nonlinear Programming,
 * McGraw-Hill, 1972; Jamil & Yang 2013, no. 65).
 *
 *   f(x, y) = p^2 + q^2,   p = x^2 + y - 11,   q = x + y^2 - 7
 *   g = (4 x p + 2 q, 2 p + 4 y q)
 *   H = [[12 x^2 + 4 y - 42, 4 (x + y)], [4 (x + y), 4 x + 12 y^2 - 26]]
 *   f* = 0 at each of (3, 2), (-2.805118086952745, 3.131312518250573),
 *        (-3.779310253377747, -3.283185991286169), (3.584428340330492, -1.848126526964404)
 *
 * x_opt reports (3, 2), the only minimizer with exact coordinates; every
 * target is a gap to f* = 0, which all four reach, so converging to any of
 * them counts. The other three were computed by a 30-digit Newton solve.
 * Literal definition only (no instances). Search region [-5, 5]^2;
 * x0 = (0, 0) (f = 170, g = (-14, -22)). No parameters; dimension 2.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "problems/synth.h"

static const ob_param_spec himmelblau_params[] = {
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int himmelblau_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  double x = z[0], y = z[1], p = x * x + y - 11.0, q = x + y * y - 7.0;
  (void)s;
  (void)err;
  *f = p * p + q * q;
  if (gz) {
    gz[0] = 4.0 * x * p + 2.0 * q;
    gz[1] = 2.0 * p + 4.0 * y * q;
  }
  return OB_OK;
}

static int himmelblau_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  double x = z[0], y = z[1];
  double hxx = 12.0 * x * x + 4.0 * y - 42.0, hxy = 4.0 * (x + y), hyy = 4.0 * x + 12.0 * y * y - 26.0;
  (void)s;
  (void)err;
  out[0] = hxx * w[0] + hxy * w[1];
  out[1] = hxy * w[0] + hyy * w[1];
  return OB_OK;
}

static void himmelblau_xopt(const ob_synth *s, double *x)
{
  (void)s;
  x[0] = 3.0;
  x[1] = 2.0;
}

static const ob_synth_def himmelblau_def = {
  .fixed_dim = 2,
  .halfwidth = 5.0,
  .x0 = 0.0,
  .fopt = ob_synth_zero,
  .xopt_fill = himmelblau_xopt,
  .raw = himmelblau_raw,
  .hvp = himmelblau_hvp,
};

OB_SYNTH_TYPE(himmelblau, "Himmelblau's 2-D function, four minima with f* = 0; x_opt reported: (3, 2)",
              "Himmelblau, Applied Nonlinear Programming (1972); Jamil & Yang, IJMMNO 4(2) (2013), no. 65");
