/* plot.c -- report figures with PLplot (see plot.h).
 *
 * Every figure is one PLplot stream: plsdev + plsfnam + plinit, a viewport
 * for the data and one for a legend at the right, plend1. Log axes follow
 * PLplot's convention: data and window in log10 units, "l" in plbox's options.
 * Colours: cmap0 index 0 is the white background, 1 black (axes, text),
 * 2..11 a colour-blind-friendly cycle (Okabe & Ito 2008, plus greys), each
 * optimizer keeping its colour in every figure. IQR bands are the line colour
 * at 20% opacity (plscol0a). Non-finite values: +inf (a failed or diverged
 * seed) is drawn at the top of the window; gaps below 1e-16 at 1e-16.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/ob_fs.h"
#include "reports/plot.h"

#define NCOL 10
#define YFLOOR 1e-16

static const unsigned char palette[NCOL][3] = {
  { 0, 114, 178 }, { 230, 159, 0 }, { 0, 158, 115 }, { 204, 121, 167 }, { 86, 180, 233 },
  { 213, 94, 0 }, { 240, 228, 66 }, { 0, 0, 0 }, { 120, 120, 120 }, { 180, 180, 180 },
};

static const char *device(ob_plot_format fmt)
{
  return fmt == OB_PLOT_SVG ? "svg" : fmt == OB_PLOT_PDF ? "pdfcairo" : "pngcairo";
}

static const char *extension(ob_plot_format fmt)
{
  return fmt == OB_PLOT_SVG ? "svg" : fmt == OB_PLOT_PDF ? "pdf" : "png";
}

int ob_plot_available(ob_plot_format fmt)
{
  const char *menu_buf[256], *names_buf[256];
  const char **menu = menu_buf, **names = names_buf;
  int n = 256;   /* in: room in the arrays; out: how many devices */
  plgDevs(&menu, &names, &n);
  for (int i = 0; i < n; i++)
    if (strcmp(names[i], device(fmt)) == 0) return 1;
  return 0;
}

static int exit_handler(PLCHAR_VECTOR msg)
{
  (void)msg;
  return 70;   /* plexit then ends the process with EX_SOFTWARE: only reachable through a bug here */
}

static void abort_handler(PLCHAR_VECTOR msg)
{
  (void)msg;   /* recoverable PLplot errors: the figure is still written; nothing is printed */
}

static void begin(ob_plot_format fmt, const char *path, int width, int height)
{
  char geom[32];
  plsexit(exit_handler);
  plsabort(abort_handler);
  plsdev(device(fmt));
  plsfnam(path);
  snprintf(geom, sizeof geom, "%dx%d", width, height);
  plsetopt("geometry", geom);
  plscol0(0, 255, 255, 255);
  plscol0(1, 0, 0, 0);
  for (int i = 0; i < NCOL; i++) plscol0(2 + i, palette[i][0], palette[i][1], palette[i][2]);
  plinit();
  pladv(0);
  plschr(0, 0.8);
}

static void set_color(size_t k, double alpha)
{
  int i = 2 + (int)(k % NCOL);
  plscol0a(i, palette[k % NCOL][0], palette[k % NCOL][1], palette[k % NCOL][2], alpha);
  plcol0(i);
}

/* A legend of optimizer names in the right margin. */
static void legend(const ob_agg *a, const int *show)
{
  plvpor(0.74, 0.99, 0.12, 0.90);
  plwind(0, 1, 0, 1);
  plschr(0, 0.6);
  double y = 0.97, dy = fmin(0.08, 0.95 / (double)(a->nopt ? a->nopt : 1));
  for (size_t s = 0; s < a->nopt; s++) {
    if (show && !show[s]) continue;
    PLFLT x[2] = { 0.0, 0.12 }, yy[2] = { y, y };
    set_color(s, 1.0);
    plwidth(2);
    plline(2, x, yy);
    plwidth(1);
    plcol0(1);
    plptex(0.16, y, 1, 0, 0, a->opt[s]);
    y -= dy;
  }
  plschr(0, 0.8);
}

static double clamp_log(double v, double top)
{
  if (isnan(v) || isinf(v)) return top;
  double l = log10(v < YFLOOR ? YFLOOR : v);
  return top != 0 && l > top ? top : l;
}

static void draw_convergence(const ob_agg *a, size_t p)
{
  double xmax = 1, lo = INFINITY, hi = -INFINITY;
  int *show = calloc(a->nopt ? a->nopt : 1, sizeof *show);
  for (size_t s = 0; s < a->nopt; s++) {
    const ob_curve *c = &a->curve[p * a->nopt + s];
    for (size_t i = 0; i < c->n; i++) {
      show[s] = 1;
      xmax = fmax(xmax, c->step[i]);
      if (isfinite(c->q1[i])) lo = fmin(lo, clamp_log(c->q1[i], 0));
      if (isfinite(c->q3[i])) hi = fmax(hi, clamp_log(c->q3[i], 0));
      if (isfinite(c->med[i])) hi = fmax(hi, clamp_log(c->med[i], 0));
    }
  }
  /* A diverging run reaches 1e300: clip the window two decades above the
   * largest starting gap, and keep at most 20 decades. */
  double start = -INFINITY;
  for (size_t s = 0; s < a->nopt; s++) {
    const ob_curve *c = &a->curve[p * a->nopt + s];
    if (c->n && isfinite(c->med[0])) start = fmax(start, clamp_log(c->med[0], 0));
  }
  if (isfinite(start) && hi > start + 2) hi = start + 2;
  if (!isfinite(lo) || !isfinite(hi)) { lo = -8; hi = 1; }
  lo = floor(lo);
  hi = ceil(hi + 0.05);
  if (hi <= lo) hi = lo + 1;
  if (lo < hi - 20) lo = hi - 20;
  plvpor(0.09, 0.71, 0.12, 0.90);
  plwind(0, xmax, lo, hi);
  plcol0(1);
  plbox("bcnst", 0, 0, "bcnstlv", 0, 0);
  char title[256];
  snprintf(title, sizeof title, "%s: median and IQR over seeds", a->prob[p]);
  pllab("step", "f - f_opt", title);
  for (size_t s = 0; s < a->nopt; s++) {
    const ob_curve *c = &a->curve[p * a->nopt + s];
    if (!c->n) continue;
    PLFLT *x = malloc(2 * c->n * sizeof *x), *y = malloc(2 * c->n * sizeof *y);
    if (!x || !y) { free(x); free(y); continue; }
    for (size_t i = 0; i < c->n; i++) {   /* band: q1 forward, q3 back */
      x[i] = c->step[i];
      y[i] = clamp_log(c->q1[i], hi);
      x[2 * c->n - 1 - i] = c->step[i];
      y[2 * c->n - 1 - i] = clamp_log(c->q3[i], hi);
    }
    set_color(s, 0.2);
    if (c->n > 1) plfill((PLINT)(2 * c->n), x, y);
    for (size_t i = 0; i < c->n; i++) y[i] = clamp_log(c->med[i], hi);
    set_color(s, 1.0);
    plwidth(2);
    plline((PLINT)c->n, x, y);
    plwidth(1);
    free(x);
    free(y);
  }
  legend(a, show);
  free(show);
}

/* Hypergradient norm against oracle calls of bilevel problem a->hg_problem[k]:
 * log-log, median and IQR band over seeds. Points at 0 calls (the start) have
 * no place on a log axis and are left out. */
static void draw_hypergrad(const ob_agg *a, size_t k)
{
  const ob_curve *cv = &a->hg[k * a->nopt];
  double xlo = INFINITY, xhi = -INFINITY, lo = INFINITY, hi = -INFINITY, start = -INFINITY;
  int *show = calloc(a->nopt ? a->nopt : 1, sizeof *show);
  for (size_t s = 0; s < a->nopt; s++) {
    int first = 1;
    for (size_t i = 0; i < cv[s].n; i++) {
      if (!(cv[s].step[i] >= 1)) continue;
      if (show) show[s] = 1;
      xlo = fmin(xlo, log10(cv[s].step[i]));
      xhi = fmax(xhi, log10(cv[s].step[i]));
      if (isfinite(cv[s].q1[i])) lo = fmin(lo, clamp_log(cv[s].q1[i], 0));
      if (isfinite(cv[s].q3[i])) hi = fmax(hi, clamp_log(cv[s].q3[i], 0));
      if (isfinite(cv[s].med[i])) hi = fmax(hi, clamp_log(cv[s].med[i], 0));
      if (first && isfinite(cv[s].med[i])) start = fmax(start, clamp_log(cv[s].med[i], 0));
      first = 0;
    }
  }
  /* as in the convergence plot: a diverging method (aid_cg on a singular lower
   * level) is clipped two decades above the largest first value, 20 decades at most */
  if (isfinite(start) && hi > start + 2) hi = start + 2;
  if (!isfinite(lo) || !isfinite(hi)) { lo = -8; hi = 1; }
  if (!isfinite(xlo)) { xlo = 0; xhi = 1; }
  lo = floor(lo);
  hi = ceil(hi + 0.05);
  if (hi <= lo) hi = lo + 1;
  if (lo < hi - 20) lo = hi - 20;
  xlo = floor(xlo);
  xhi = ceil(xhi + 0.05);
  if (xhi <= xlo) xhi = xlo + 1;
  plvpor(0.09, 0.71, 0.12, 0.90);
  plwind(xlo, xhi, lo, hi);
  plcol0(1);
  plbox("bcnstl", 0, 0, "bcnstlv", 0, 0);
  char title[256];
  snprintf(title, sizeof title, "%s: hypergradient norm, median and IQR over seeds", a->prob[a->hg_problem[k]]);
  pllab("oracle calls", "||grad F(x)||", title);
  for (size_t s = 0; s < a->nopt; s++) {
    const ob_curve *c = &cv[s];
    size_t m = 0;
    PLFLT *x = malloc((2 * c->n + 1) * sizeof *x), *y = malloc((2 * c->n + 1) * sizeof *y);
    if (!x || !y) { free(x); free(y); continue; }
    for (size_t i = 0; i < c->n; i++)
      if (c->step[i] >= 1) x[m++] = log10(c->step[i]);
    for (size_t i = 0, j = 0; i < c->n; i++) {   /* band: q1 forward, q3 back */
      if (!(c->step[i] >= 1)) continue;
      y[j] = clamp_log(c->q1[i], hi);
      x[2 * m - 1 - j] = x[j];
      y[2 * m - 1 - j] = clamp_log(c->q3[i], hi);
      j++;
    }
    set_color(s, 0.2);
    if (m > 1) plfill((PLINT)(2 * m), x, y);
    for (size_t i = 0, j = 0; i < c->n; i++)
      if (c->step[i] >= 1) y[j++] = clamp_log(c->med[i], hi);
    set_color(s, 1.0);
    plwidth(2);
    if (m) plline((PLINT)m, x, y);
    plwidth(1);
    free(x);
    free(y);
  }
  legend(a, show);
  free(show);
}

/* A right-continuous staircase from (x0, 0) through sorted xs with step height h. */
static void staircase(const double *xs, size_t n, double h, double x0, double x1)
{
  PLFLT *x = malloc((2 * n + 2) * sizeof *x), *y = malloc((2 * n + 2) * sizeof *y);
  if (!x || !y) { free(x); free(y); return; }
  size_t k = 0;
  double level = 0;
  x[k] = x0;
  y[k++] = 0;
  for (size_t i = 0; i < n; i++) {
    double xi = xs[i] < x0 ? x0 : xs[i] > x1 ? x1 : xs[i];
    x[k] = xi;
    y[k++] = level;
    level += h;
    x[k] = xi;
    y[k++] = level;
  }
  x[k] = x1;
  y[k++] = level;
  plwidth(2);
  plline((PLINT)k, x, y);
  plwidth(1);
  free(x);
  free(y);
}

static void draw_ecdf(const ob_agg *a)
{
  double lo = INFINITY, hi = -INFINITY;
  for (size_t s = 0; s < a->nopt; s++)
    for (size_t i = 0; i < a->ecdf_n[s]; i++)
      if (a->ecdf_x[s][i] > 0) {
        lo = fmin(lo, log10(a->ecdf_x[s][i]));
        hi = fmax(hi, log10(a->ecdf_x[s][i]));
      }
  if (!isfinite(lo)) { lo = 0; hi = 1; }
  lo = floor(lo);
  hi = ceil(hi + 0.05);
  plvpor(0.09, 0.71, 0.12, 0.90);
  plwind(lo, hi, 0, 1);
  plcol0(1);
  plbox("bcnstl", 0, 0, "bcnstv", 0, 0);
  pllab("evaluations / dimension", "share of (problem, target, seed)", "runtime ECDF over all targets");
  for (size_t s = 0; s < a->nopt; s++) {
    double *xs = malloc((a->ecdf_n[s] ? a->ecdf_n[s] : 1) * sizeof *xs);
    if (!xs) continue;
    for (size_t i = 0; i < a->ecdf_n[s]; i++) xs[i] = a->ecdf_x[s][i] > 0 ? log10(a->ecdf_x[s][i]) : lo;
    set_color(s, 1.0);
    if (a->ecdf_total[s]) staircase(xs, a->ecdf_n[s], 1.0 / (double)a->ecdf_total[s], lo, hi);
    free(xs);
  }
  legend(a, NULL);
}

static int cmp_double(const void *x, const void *y)
{
  double u = *(const double *)x, v = *(const double *)y;
  return (u > v) - (u < v);
}

static void draw_profile(const ob_agg *a)
{
  plvpor(0.09, 0.71, 0.12, 0.90);
  plwind(1, a->rmax, 0, 1);
  plcol0(1);
  plbox("bcnst", 0, 0, "bcnstv", 0, 0);
  char title[128];
  snprintf(title, sizeof title, "performance profile (median steps to the smallest target)");
  pllab("ratio to the best, tau", "share of problems, rho(tau)", title);
  double *r = malloc((a->nprob ? a->nprob : 1) * sizeof *r);
  if (!r) return;
  for (size_t s = 0; s < a->nopt; s++) {
    size_t n = 0;
    for (size_t p = 0; p < a->nprob; p++)
      if (a->ratio[p * a->nopt + s] <= a->rmax) r[n++] = a->ratio[p * a->nopt + s];
    qsort(r, n, sizeof *r, cmp_double);
    set_color(s, 1.0);
    if (a->nprob) staircase(r, n, 1.0 / (double)a->nprob, 1, a->rmax);
  }
  free(r);
  legend(a, NULL);
}

static void draw_placement(const ob_agg *a)
{
  double lo = INFINITY, hi = -INFINITY;
  for (size_t k = 0; k < a->nbars; k++)
    if (a->bar_value[k] > 0 && isfinite(a->bar_value[k])) {
      lo = fmin(lo, log10(a->bar_value[k]));
      hi = fmax(hi, log10(a->bar_value[k]));
    }
  if (!isfinite(lo)) { lo = -7; hi = -6; }
  lo = floor(lo - 0.05);
  hi = ceil(hi + 0.05);
  double n = (double)(a->nbars ? a->nbars : 1);
  plvpor(0.42, 0.97, 0.06, 0.96);
  plwind(lo, hi, n, 0);
  plcol0(1);
  plbox("bcnstl", 0, 0, "bc", 0, 0);
  plmtex("t", 1.0, 0.5, 0.5, "median step time (s)");
  for (size_t k = 0; k < a->nbars; k++) {
    double v = a->bar_value[k];
    if (!(v > 0) || !isfinite(v)) continue;
    size_t s = 0;
    for (size_t j = 0; j < a->nopt; j++) {
      size_t len = strlen(a->opt[j]);
      const char *slash = strchr(a->bar_label[k], '/');
      if (slash && strncmp(slash + 1, a->opt[j], len) == 0 && slash[1 + len] == '/') s = j;
    }
    PLFLT x[4] = { lo, log10(v), log10(v), lo };
    PLFLT y[4] = { (double)k + 0.15, (double)k + 0.15, (double)k + 0.85, (double)k + 0.85 };
    set_color(s, 1.0);
    plfill(4, x, y);
    plcol0(1);
    plschr(0, 0.55);   /* labels in the left margin: plptex would be clipped to the window */
    plmtex("lv", 0.8, (n - ((double)k + 0.5)) / n, 1.0, a->bar_label[k]);
    plschr(0, 0.8);
  }
}

static void draw_sequence(const ob_agg *a, size_t k)
{
  const ob_seq_curve *cv = &a->seq[k];
  double ymax = 1;
  for (size_t i = 0; i < cv->nline * cv->n; i++)
    if (isfinite(cv->y[i])) ymax = fmax(ymax, cv->y[i]);
  plvpor(0.09, 0.71, 0.12, 0.90);
  plwind(0, (double)(cv->n ? cv->n : 1), 0, ymax * 1.05);
  plcol0(1);
  plbox("bcnst", 0, 0, "bcnstv", 0, 0);
  char title[256];
  snprintf(title, sizeof title, "%s: cumulative cost%s", a->prob[cv->problem], cv->n ? "" : " (no instance solved)");
  pllab("instances solved", "cumulative iterations (median over seeds)", title);
  PLFLT *x = malloc((cv->n + 1) * sizeof *x), *y = malloc((cv->n + 1) * sizeof *y);
  if (!x || !y) { free(x); free(y); return; }
  for (size_t l = 0; l < cv->nline; l++) {
    size_t m = 0;
    x[m] = 0;
    y[m++] = 0;
    for (size_t t = 0; t < cv->n; t++)
      if (isfinite(cv->y[l * cv->n + t])) {
        x[m] = (double)(t + 1);
        y[m++] = cv->y[l * cv->n + t];
      }
    size_t s = cv->opt_index[l];
    if (s == (size_t)-1) {   /* comparators: dashed, black then grey */
      size_t c = l - (cv->nline - 2);
      plscol0a(2 + 7 + (int)c, palette[7 + c][0], palette[7 + c][1], palette[7 + c][2], 1.0);
      plcol0(2 + 7 + (int)c);
      pllsty(c == 0 ? 2 : 3);
    } else {
      set_color(s, 1.0);
    }
    plwidth(2);
    plline((PLINT)m, x, y);
    plwidth(1);
    pllsty(1);
  }
  free(x);
  free(y);
  /* legend: policies in their optimizer colours, then the comparators */
  plvpor(0.74, 0.99, 0.12, 0.90);
  plwind(0, 1, 0, 1);
  plschr(0, 0.6);
  double yy0 = 0.97, dy = fmin(0.08, 0.95 / (double)(cv->nline ? cv->nline : 1));
  for (size_t l = 0; l < cv->nline; l++) {
    PLFLT lx[2] = { 0.0, 0.12 }, ly[2] = { yy0, yy0 };
    size_t s = cv->opt_index[l];
    if (s == (size_t)-1) {
      size_t c = l - (cv->nline - 2);
      plcol0(2 + 7 + (int)c);
      pllsty(c == 0 ? 2 : 3);
    } else {
      set_color(s, 1.0);
    }
    plwidth(2);
    plline(2, lx, ly);
    plwidth(1);
    pllsty(1);
    plcol0(1);
    char text[192];
    snprintf(text, sizeof text, "%s%s", cv->label[l], s == (size_t)-1 && !cv->exact_comparators ? " (rate)" : "");
    plptex(0.16, yy0, 1, 0, 0, text);
    yy0 -= dy;
  }
  plschr(0, 0.8);
}

/* Draws into `tmp`, which exists and is writable (plplot must never fail to open it). */
static void draw(const ob_agg *a, ob_figure fig, size_t p, ob_plot_format fmt, const char *tmp)
{
  int height = fig == OB_FIG_PLACEMENT ? 60 + 16 * (int)(a->nbars ? a->nbars : 1) : 450;
  begin(fmt, tmp, 800, height);
  switch (fig) {
  case OB_FIG_CONVERGENCE: draw_convergence(a, p); break;
  case OB_FIG_ECDF: draw_ecdf(a); break;
  case OB_FIG_PROFILE: draw_profile(a); break;
  case OB_FIG_PLACEMENT: draw_placement(a); break;
  case OB_FIG_SEQUENCE: draw_sequence(a, p); break;
  case OB_FIG_HYPERGRAD: draw_hypergrad(a, p); break;
  }
  plend1();
}

int ob_plot_write(const ob_agg *a, ob_figure fig, size_t p, ob_plot_format fmt, const char *path, ob_error *err)
{
  if (!ob_plot_available(fmt))
    return ob_error_set(err, OB_EUNSUPPORTED, "PLplot has no '%s' device (Debian: apt-get install "
                        "plplot-driver-cairo)", device(fmt));
  if (fig == OB_FIG_CONVERGENCE && p >= a->nprob) return ob_error_set(err, OB_EINTERNAL, "no problem %zu", p);
  if (fig == OB_FIG_SEQUENCE && p >= a->nseq) return ob_error_set(err, OB_EINTERNAL, "no sequence problem %zu", p);
  if (fig == OB_FIG_HYPERGRAD && p >= a->nhg) return ob_error_set(err, OB_EINTERNAL, "no bilevel problem %zu", p);
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int)sizeof tmp) {
    ob_error_source(err, path);
    return ob_error_set(err, OB_ECANTCREAT, "path too long");
  }
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int e = errno;
    ob_error_source(err, path);
    return ob_error_set(err, OB_ECANTCREAT, "cannot create: %s", strerror(e));
  }
  close(fd);
  draw(a, fig, p, fmt, tmp);
  struct stat st;
  if (stat(tmp, &st) != 0 || st.st_size == 0) {
    unlink(tmp);
    ob_error_source(err, path);
    return ob_error_set(err, OB_EIO, "PLplot wrote nothing");
  }
  chmod(tmp, 0644);
  if (rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    ob_error_source(err, path);
    return ob_error_set(err, OB_ECANTCREAT, "cannot create: %s", strerror(e));
  }
  return OB_OK;
}

int ob_plot_svg(const ob_agg *a, ob_figure fig, size_t p, char **svg, ob_error *err)
{
  *svg = NULL;
  const char *tdir = getenv("TMPDIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/optbench-plot-%ld.svg", tdir && tdir[0] ? tdir : "/tmp", (long)getpid());
  int rc = ob_plot_write(a, fig, p, OB_PLOT_SVG, path, err);
  if (rc < 0) return rc;
  FILE *f = fopen(path, "rb");
  if (!f) {
    unlink(path);
    return ob_error_set(err, OB_EIO, "cannot read back the plot: %s", strerror(errno));
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)(n > 0 ? n : 0) + 1);
  size_t got = buf ? fread(buf, 1, (size_t)(n > 0 ? n : 0), f) : 0;
  fclose(f);
  unlink(path);
  if (!buf) return ob_error_set(err, OB_ENOMEM, "out of memory");
  buf[got] = 0;
  char *start = strstr(buf, "<svg");   /* drop the XML declaration and DOCTYPE: inline SVG needs neither */
  if (!start) {
    free(buf);
    return ob_error_set(err, OB_EIO, "PLplot's SVG has no <svg> element");
  }
  memmove(buf, start, strlen(start) + 1);
  *svg = buf;
  return OB_OK;
}

int ob_plot_dir(const ob_agg *a, const char *dir, ob_plot_format fmt, size_t *count, ob_error *err)
{
  char path[4096];
  int rc;
  *count = 0;
  if ((rc = ob_fs_mkdir_p(dir, err)) < 0) return rc;
  static const struct { ob_figure fig; const char *name; } fixed[] = {
    { OB_FIG_PROFILE, "profile" }, { OB_FIG_ECDF, "ecdf" }, { OB_FIG_PLACEMENT, "placement" },
  };
  for (size_t i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s.%s", dir, fixed[i].name, extension(fmt));
    if ((rc = ob_plot_write(a, fixed[i].fig, 0, fmt, path, err)) < 0) return rc;
    ++*count;
  }
  for (size_t p = 0; p < a->nprob; p++) {
    char name[256];
    snprintf(name, sizeof name, "%s", a->prob[p]);
    for (char *c = name; *c; c++)
      if (*c == '/' || *c == ' ') *c = '_';
    snprintf(path, sizeof path, "%s/convergence-%s.%s", dir, name, extension(fmt));
    if ((rc = ob_plot_write(a, OB_FIG_CONVERGENCE, p, fmt, path, err)) < 0) return rc;
    ++*count;
  }
  for (size_t k = 0; k < a->nseq; k++) {
    char name[256];
    snprintf(name, sizeof name, "%s", a->prob[a->seq[k].problem]);
    for (char *c = name; *c; c++)
      if (*c == '/' || *c == ' ') *c = '_';
    snprintf(path, sizeof path, "%s/cumulative-%s.%s", dir, name, extension(fmt));
    if ((rc = ob_plot_write(a, OB_FIG_SEQUENCE, k, fmt, path, err)) < 0) return rc;
    ++*count;
  }
  for (size_t k = 0; k < a->nhg; k++) {
    char name[256];
    snprintf(name, sizeof name, "%s", a->prob[a->hg_problem[k]]);
    for (char *c = name; *c; c++)
      if (*c == '/' || *c == ' ') *c = '_';
    snprintf(path, sizeof path, "%s/hypergrad-%s.%s", dir, name, extension(fmt));
    if ((rc = ob_plot_write(a, OB_FIG_HYPERGRAD, k, fmt, path, err)) < 0) return rc;
    ++*count;
  }
  return OB_OK;
}
