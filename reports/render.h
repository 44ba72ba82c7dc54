/* render.h -- the output formats of `optbench report`.
 *
 * Every renderer lays out what aggregate.c computed (ob_agg) and writes it to
 * an open stream; none computes a statistic of its own except render_csv.c,
 * which writes the raw per-run numbers (tidy: one row per run x target).
 * Each returns 0, or -1 when a write failed (errno is set by stdio) or, for
 * HTML, when a plot could not be drawn (then `err` says why). Nothing prints
 * outside the stream it is given.
 */
#ifndef OB_RENDER_H
#define OB_RENDER_H

#include <stdio.h>

#include "bench/ob_error.h"
#include "reports/aggregate.h"
#include "reports/report.h"

/* Markdown (GitHub tables): summary, ECDF, one table per problem, sequence
 * problems and bilevel problems (when there are any), placements. */
int ob_render_md(FILE *f, const ob_report *r, const ob_agg *a);
/* LaTeX with booktabs; `standalone` wraps it in a compilable article. */
int ob_render_latex(FILE *f, const ob_report *r, const ob_agg *a, int standalone);
/* CSV, one row per run x target (a run without targets: one row); the
 * sequence, final grad_norm, evals.total and evals.bilevel columns at the end. */
int ob_render_csv(FILE *f, const ob_report *r);
/* One self-contained HTML page: every table and inline SVG plots (PLplot). */
int ob_render_html(FILE *f, const ob_report *r, const ob_agg *a, ob_error *err);

#endif
