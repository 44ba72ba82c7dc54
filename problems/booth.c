/* booth.c -- Booth's function, a 2-D convex quadratic (a least-squares
 * problem with two equations) used for trajectory pictures (Jamil & Yang 2013,
 * no. 17).
 *
 *   f(x, y) = (x + 2 y - 7)^2 + (2 x + y - 5)^2,   f* = 0 at x* = (1, 3)
 *   g = (10 x + 8 y - 34, 8 x + 10 y - 38),   H = [[10, 8], [8, 10]] (eigenvalues 2 and 18)
 *
 * Literal definition only (no instances). Search region [-10, 10]^2;
 * x0 = (0, 0) (f = 74). No parameters; dimension 2.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "problems/synth.h"

static const ob_param_spec booth_params[] = {
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int booth_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  double p = z[0] + 2.0 * z[1] - 7.0, q = 2.0 * z[0] + z[1] - 5.0;
  (void)s;
  (void)err;
  *f = p * p + q * q;
  if (gz) {
    gz[0] = 2.0 * p + 4.0 * q;
    gz[1] = 4.0 * p + 2.0 * q;
  }
  return OB_OK;
}

static int booth_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  (void)s;
  (void)z;
  (void)err;
  out[0] = 10.0 * w[0] + 8.0 * w[1];
  out[1] = 8.0 * w[0] + 10.0 * w[1];
  return OB_OK;
}

static void booth_xopt(const ob_synth *s, double *x)
{
  (void)s;
  x[0] = 1.0;
  x[1] = 3.0;
}

static const ob_synth_def booth_def = {
  .fixed_dim = 2,
  .halfwidth = 10.0,
  .x0 = 0.0,
  .fopt = ob_synth_zero,
  .xopt_fill = booth_xopt,
  .raw = booth_raw,
  .hvp = booth_hvp,
};

OB_SYNTH_TYPE(booth, "Booth's 2-D quadratic, f* = 0 at (1, 3)", "Jamil & Yang, IJMMNO 4(2) (2013), no. 17");
