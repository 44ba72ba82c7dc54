/* six_hump_camel.c -- the six-hump camel back function, a 2-D classic with
 * six local minima, two of them global (Dixon & Szegoe, Towards Global
 * Optimisation 2, North-Holland, 1978; Jamil & Yang 2013, no. 30).
 *
 *   f(x, y) = (4 - 2.1 x^2 + x^4 / 3) x^2 + x y + (-4 + 4 y^2) y^2
 *   g = (8 x - 8.4 x^3 + 2 x^5 + y, x - 8 y + 16 y^3)
 *   H = [[8 - 25.2 x^2 + 10 x^4, 1], [1, -8 + 48 y^2]]
 *   f* = -1.0316284534898774 at (0.08984201310031806, -0.7126564030207396)
 *        and at its mirror image (-0.08984201310031806, 0.7126564030207396)
 *
 * x_opt reports the first; f is symmetric under (x, y) -> (-x, -y). The
 * minimizers and f* come from a 30-digit Newton solve (f* rounded to double).
 * The origin is a saddle point, so x0 = (1, 1) (f = 3.2333..., not (0, 0)).
 * Literal definition only (no instances). Search region [-3, 3] x [-2, 2]
 * (recorded as half-width 3). No parameters; dimension 2.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "problems/synth.h"

#define SHC_X 0.0898420131003180624557926485849
#define SHC_Y (-0.712656403020739633399299132279)
#define SHC_F (-1.0316284534898773504221519659)

static const ob_param_spec six_hump_camel_params[] = {
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int shc_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  double x = z[0], y = z[1], x2 = x * x, y2 = y * y;
  (void)s;
  (void)err;
  *f = (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2;
  if (gz) {
    gz[0] = 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y;
    gz[1] = x - 8.0 * y + 16.0 * y2 * y;
  }
  return OB_OK;
}

static int shc_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  double x2 = z[0] * z[0], y2 = z[1] * z[1];
  double hxx = 8.0 - 25.2 * x2 + 10.0 * x2 * x2, hyy = -8.0 + 48.0 * y2;
  (void)s;
  (void)err;
  out[0] = hxx * w[0] + w[1];
  out[1] = w[0] + hyy * w[1];
  return OB_OK;
}

static double shc_fopt(const ob_synth *s)
{
  (void)s;
  return SHC_F;
}

static void shc_xopt(const ob_synth *s, double *x)
{
  (void)s;
  x[0] = SHC_X;
  x[1] = SHC_Y;
}

static const ob_synth_def six_hump_camel_def = {
  .fixed_dim = 2,
  .halfwidth = 3.0,
  .x0 = 1.0,
  .fopt = shc_fopt,
  .xopt_fill = shc_xopt,
  .raw = shc_raw,
  .hvp = shc_hvp,
};

OB_SYNTH_TYPE(six_hump_camel, "six-hump camel back, two global minima f* = -1.0316284534898774",
              "Dixon & Szegoe, Towards Global Optimisation 2 (1978); Jamil & Yang, IJMMNO 4(2) (2013), no. 30");
