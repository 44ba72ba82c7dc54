/* branin.c -- the Branin (Branin-Hoo) function, a 2-D classic with three
 * global minima (Branin, "Widely convergent method for finding multiple
 * solutions of simultaneous nonlinear equations", IBM J. Res. Dev. 16(5), 1972;
 * Dixon & Szegoe 1978; Jamil & Yang 2013, no. 22).
 *
 *   f(x, y) = a u^2 + s (1 - t) cos x + s,   u = y - b x^2 + c x - r
 *   a = 1, b = 5.1 / (4 pi^2), c = 5 / pi, r = 6, s = 10, t = 1 / (8 pi)
 *   g = (2 a u (c - 2 b x) - s (1 - t) sin x, 2 a u)
 *   H = [[2 a (c - 2 b x)^2 - 4 a b u - s (1 - t) cos x, 2 a (c - 2 b x)], [., 2 a]]
 *   f* = s t = 5 / (4 pi) = 0.39788735772973816 at (-pi, 12.275), (pi, 2.275), (3 pi, 2.475)
 *
 * At x = (2k+1) pi, cos x = -1 and u = 0 exactly when y = b x^2 - c x + r, which
 * gives the three minimizers in closed form. x_opt reports (pi, 2.275).
 * Literal definition only (no instances). Search region [-5, 10] x [0, 15]
 * (recorded as half-width 7.5); x0 = (0, 0) (f = 36 + 10 (2 - t) = 55.602...).
 * No parameters; dimension 2.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "problems/synth.h"

#define BRANIN_PI 3.141592653589793238462643383280
#define BRANIN_B (5.1 / (4.0 * BRANIN_PI * BRANIN_PI))
#define BRANIN_C (5.0 / BRANIN_PI)
#define BRANIN_R 6.0
#define BRANIN_S 10.0
#define BRANIN_T (1.0 / (8.0 * BRANIN_PI))

static const ob_param_spec branin_params[] = {
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int branin_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  double x = z[0], y = z[1], u = y - BRANIN_B * x * x + BRANIN_C * x - BRANIN_R;
  (void)s;
  (void)err;
  *f = u * u + BRANIN_S * (1.0 - BRANIN_T) * cos(x) + BRANIN_S;
  if (gz) {
    gz[0] = 2.0 * u * (BRANIN_C - 2.0 * BRANIN_B * x) - BRANIN_S * (1.0 - BRANIN_T) * sin(x);
    gz[1] = 2.0 * u;
  }
  return OB_OK;
}

static int branin_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  double x = z[0], y = z[1], u = y - BRANIN_B * x * x + BRANIN_C * x - BRANIN_R;
  double d = BRANIN_C - 2.0 * BRANIN_B * x;
  double hxx = 2.0 * d * d - 4.0 * BRANIN_B * u - BRANIN_S * (1.0 - BRANIN_T) * cos(x), hxy = 2.0 * d;
  (void)s;
  (void)err;
  out[0] = hxx * w[0] + hxy * w[1];
  out[1] = hxy * w[0] + 2.0 * w[1];
  return OB_OK;
}

static double branin_fopt(const ob_synth *s)
{
  (void)s;
  return 5.0 / (4.0 * BRANIN_PI);
}

static void branin_xopt(const ob_synth *s, double *x)
{
  (void)s;
  x[0] = BRANIN_PI;
  x[1] = 2.275;
}

static const ob_synth_def branin_def = {
  .fixed_dim = 2,
  .halfwidth = 7.5,
  .x0 = 0.0,
  .fopt = branin_fopt,
  .xopt_fill = branin_xopt,
  .raw = branin_raw,
  .hvp = branin_hvp,
};

OB_SYNTH_TYPE(branin, "Branin-Hoo 2-D function, three global minima f* = 5/(4 pi)",
              "Branin, IBM J. Res. Dev. 16(5) (1972); Dixon & Szegoe (1978); Jamil & Yang, IJMMNO 4(2) (2013), no. 22");
