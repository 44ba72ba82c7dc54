/* plot.h -- the figures of a report, drawn with PLplot (http://plplot.org, C API).
 *
 * Six kinds: convergence of one problem (median f - f_opt over seeds with the
 * IQR band, log y, against steps), the runtime ECDF (COCO), the performance
 * profile (Dolan-More, tau in [1, r_max]) and placement bars (median step time
 * per problem x optimizer x placement x threads, log x), plus the
 * cumulative-cost curves of a sequence problem (cumulative iterations against
 * the instance index: one line per policy, the best-fixed and instance-optimal
 * comparators dashed in black and grey) and the hypergradient curves of a
 * bilevel problem (median true hypergradient norm over seeds against oracle
 * calls, log-log, with the IQR band, one line per optimizer). SVG (PLplot's
 * svg device) for the HTML page, PDF and PNG (pdfcairo, pngcairo) for --plots DIR.
 *
 * PLplot ends the process on a fatal error (plexit) and prompts on stdin for
 * an unknown device, so this module checks that the device exists (plgDevs)
 * and always draws into a file it has already created (mkstemp) before
 * calling plinit. PLplot keeps global state: not thread-safe.
 */
#ifndef OB_PLOT_H
#define OB_PLOT_H

#include <stddef.h>

#include "bench/ob_error.h"
#include "reports/aggregate.h"

typedef enum { OB_PLOT_SVG, OB_PLOT_PDF, OB_PLOT_PNG } ob_plot_format;
typedef enum {
  OB_FIG_CONVERGENCE, OB_FIG_ECDF, OB_FIG_PROFILE, OB_FIG_PLACEMENT, OB_FIG_SEQUENCE, OB_FIG_HYPERGRAD
} ob_figure;

/* Draws figure `fig` (for OB_FIG_CONVERGENCE: of problem `p`; for
 * OB_FIG_SEQUENCE: the cumulative-cost curves a->seq[p]; for OB_FIG_HYPERGRAD:
 * the hypergradient curves of bilevel problem a->hg_problem[p]) to `path`,
 * atomically (a temporary file beside it, then rename). */
int ob_plot_write(const ob_agg *a, ob_figure fig, size_t p, ob_plot_format fmt, const char *path, ob_error *err);
/* The SVG text of a figure (malloc'd, starting at "<svg"). */
int ob_plot_svg(const ob_agg *a, ob_figure fig, size_t p, char **svg, ob_error *err);
/* Writes every figure into `dir` (created when missing): profile.EXT, ecdf.EXT,
 * placement.EXT, convergence-<problem id>.EXT, for each sequence problem
 * cumulative-<problem id>.EXT and for each bilevel problem
 * hypergrad-<problem id>.EXT; *count receives how many. */
int ob_plot_dir(const ob_agg *a, const char *dir, ob_plot_format fmt, size_t *count, ob_error *err);
/* 1 when the PLplot device for `fmt` is available. */
int ob_plot_available(ob_plot_format fmt);

#endif
