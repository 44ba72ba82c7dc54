/* beale.c -- Beale's function, a 2-D classic with a narrow curved valley and
 * steep walls (Beale, "On an iterative method for finding a local minimum of a
 * function of more than one variable", Princeton, 1958; More, Garbow &
 * Hillstrom, ACM TOMS 7(1), 1981, problem 5).
 *
 *   f(x, y) = sum_{k=1}^{3} t_k^2,   t_k = c_k - x (1 - y^k),   c = (1.5, 2.25, 2.625)
 *   grad t_k = (y^k - 1, k x y^(k-1)),   H = 2 sum_k [grad t_k grad t_k^T + t_k hess t_k]
 *   hess t_k = [[0, k y^(k-1)], [k y^(k-1), k (k-1) x y^(k-2)]]
 *   f* = 0 at x* = (3, 0.5)
 *
 * Literal definition only (no instances: the 2-D classics are for trajectory
 * pictures, so their coordinates stay the textbook ones). Search region
 * [-4.5, 4.5]^2; x0 = (1, 1), the start of More, Garbow & Hillstrom
 * (f(x0) = 14.203125). No parameters; dimension 2.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "problems/synth.h"

static const ob_param_spec beale_params[] = {
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static const double beale_c[3] = { 1.5, 2.25, 2.625 };

static int beale_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  double x = z[0], y = z[1], yk = 1.0, acc = 0.0, gx = 0.0, gy = 0.0;
  (void)s;
  (void)err;
  for (int k = 1; k <= 3; k++) {
    double ykm1 = yk;           /* y^(k-1) */
    yk *= y;
    double t = beale_c[k - 1] - x * (1.0 - yk);
    acc += t * t;
    gx += 2.0 * t * (yk - 1.0);
    gy += 2.0 * t * k * x * ykm1;
  }
  *f = acc;
  if (gz) {
    gz[0] = gx;
    gz[1] = gy;
  }
  return OB_OK;
}

static int beale_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  double x = z[0], y = z[1], yk = 1.0, ykm2 = 0.0, hxx = 0.0, hxy = 0.0, hyy = 0.0;
  (void)s;
  (void)err;
  for (int k = 1; k <= 3; k++) {
    double ykm1 = yk;
    yk *= y;
    double t = beale_c[k - 1] - x * (1.0 - yk);
    double ax = yk - 1.0, ay = k * x * ykm1;
    hxx += 2.0 * ax * ax;
    hxy += 2.0 * (ax * ay + t * k * ykm1);
    hyy += 2.0 * (ay * ay + t * k * (k - 1) * x * ykm2);
    ykm2 = ykm1;
  }
  out[0] = hxx * w[0] + hxy * w[1];
  out[1] = hxy * w[0] + hyy * w[1];
  return OB_OK;
}

static void beale_xopt(const ob_synth *s, double *x)
{
  (void)s;
  x[0] = 3.0;
  x[1] = 0.5;
}

static const ob_synth_def beale_def = {
  .fixed_dim = 2,
  .halfwidth = 4.5,
  .x0 = 1.0,
  .fopt = ob_synth_zero,
  .xopt_fill = beale_xopt,
  .raw = beale_raw,
  .hvp = beale_hvp,
};

OB_SYNTH_TYPE(beale, "Beale's 2-D valley, f* = 0 at (3, 0.5)",
              "Beale (1958); More, Garbow & Hillstrom, ACM TOMS 7(1) (1981), problem 5");
