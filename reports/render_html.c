/* render_html.c -- the report as one self-contained HTML page.
 *
 * Every table of the Markdown report plus the figures, each an inline SVG that
 * PLplot drew (plot.c): the performance profile and ECDF beside the summary,
 * a convergence plot under each problem's table, placement bars under the
 * placement table, cumulative-cost curves under the sequence table (one per
 * sequence problem), hypergradient norm against oracle calls under the
 * bilevel table (one per bilevel problem). No script, no external style sheet, font or image: the
 * file reads the same offline and can be mailed or attached to a CI run.
 * A table of contents links the sections.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/plot.h"
#include "reports/render.h"

static const char style[] =
  "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em auto;max-width:1200px;"
  "padding:0 1em;color:#222}\n"
  "h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}\n"
  "table{border-collapse:collapse;margin:.5em 0;font-size:.85em}\n"
  "th,td{padding:.25em .6em;border-bottom:1px solid #e4e4e4;text-align:right;white-space:nowrap}\n"
  "th{border-bottom:2px solid #888;background:#f6f6f6}\n"
  "td.l,th.l{text-align:left}\n"
  "td.best{font-weight:bold;background:#eaf5ea}\n"
  ".worse{color:#b00}\n"
  ".note{font-size:.85em;color:#555;max-width:60em}\n"
  ".scroll{overflow-x:auto}\n"
  ".plot svg{width:100%;max-width:900px;height:auto;display:block}\n";

static void html_text(FILE *f, const char *s)
{
  for (; *s; s++) {
    switch (*s) {
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '&': fputs("&amp;", f); break;
    case '"': fputs("&quot;", f); break;
    default: fputc(*s, f);
    }
  }
}

static void html_table(FILE *f, const ob_table *t, const char *anchor)
{
  fprintf(f, "<h2 id=\"%s\">", anchor);
  html_text(f, t->title);
  fputs("</h2>\n<div class=\"scroll\"><table>\n<tr>", f);
  for (size_t c = 0; c < t->ncols; c++) {
    fputs(t->nrows && (t->cell[c].flags & OB_CELL_TEXT) ? "<th class=\"l\">" : "<th>", f);
    html_text(f, t->head[c]);
    fputs("</th>", f);
  }
  fputs("</tr>\n", f);
  for (size_t r = 0; r < t->nrows; r++) {
    fputs("<tr>", f);
    for (size_t c = 0; c < t->ncols; c++) {
      const ob_cell *x = &t->cell[r * t->ncols + c];
      const char *cls = x->flags & OB_CELL_TEXT ? "l" : x->flags & OB_CELL_BEST ? "best" : NULL;
      if (cls) fprintf(f, "<td class=\"%s\">", cls);
      else fputs("<td>", f);
      html_text(f, x->text);
      if (x->flags & OB_CELL_WORSE) fputs("<sup class=\"worse\" title=\"significantly worse than the best\">*</sup>", f);
      fputs("</td>", f);
    }
    fputs("</tr>\n", f);
  }
  fputs("</table></div>\n", f);
  if (t->note[0]) {
    fputs("<p class=\"note\">", f);
    html_text(f, t->note);
    fputs("</p>\n", f);
  }
}

/* Writes one PLplot SVG inline. PLplot names its clip paths text-clipping0,
 * text-clipping1, ... in every file; several SVGs in one page would share
 * those ids (and clip each other's text), so each figure gets a prefix. */
static int html_plot(FILE *f, const ob_agg *a, ob_figure fig, size_t p, ob_error *err)
{
  static const char id[] = "text-clipping";
  static unsigned nfig;
  char *svg;
  int rc = ob_plot_svg(a, fig, p, &svg, err);
  if (rc < 0) return rc;
  nfig++;
  fputs("<div class=\"plot\">\n", f);
  for (const char *s = svg, *hit; *s; s = hit + sizeof id - 1) {
    if (!(hit = strstr(s, id))) {
      fputs(s, f);
      break;
    }
    fwrite(s, 1, (size_t)(hit - s), f);
    fprintf(f, "fig%u-%s", nfig, id);
  }
  fputs("</div>\n", f);
  free(svg);
  return OB_OK;
}

int ob_render_html(FILE *f, const ob_report *r, const ob_agg *a, ob_error *err)
{
  int rc;
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>optbench report</title>\n"
        "<style>\n", f);
  fputs(style, f);
  fputs("</style>\n</head>\n<body>\n<h1>optbench report</h1>\n<p>", f);
  fprintf(f, "%zu runs of %zu problem%s and %zu optimizer%s from ", r->nruns, a->nprob, a->nprob == 1 ? "" : "s",
          a->nopt, a->nopt == 1 ? "" : "s");
  for (size_t k = 0; k < r->nfiles; k++) {
    fputs(k == 0 ? "" : k + 1 == r->nfiles ? " and " : ", ", f);
    fputs("<code>", f);
    html_text(f, r->files[k]);
    fputs("</code>", f);
  }
  if (r->nduplicates) fprintf(f, " (%zu identical duplicates dropped)", r->nduplicates);
  fputs(".</p>\n<ul>\n<li><a href=\"#summary\">Summary and performance profile</a></li>\n"
        "<li><a href=\"#ecdf\">Runtime ECDF</a></li>\n", f);
  for (size_t p = 0; p < a->nprob; p++) {
    fprintf(f, "<li><a href=\"#problem-%zu\">", p);
    html_text(f, a->prob[p]);
    fputs("</a></li>\n", f);
  }
  if (a->seq_table < a->ntables) fputs("<li><a href=\"#sequence\">Sequence problems</a></li>\n", f);
  if (a->hg_table < a->ntables) fputs("<li><a href=\"#bilevel\">Bilevel problems</a></li>\n", f);
  fputs("<li><a href=\"#placements\">Placements and threads</a></li>\n</ul>\n", f);
  if (a->nprob + 1 < a->ntables) {
    html_table(f, &a->table[a->nprob], "summary");
    if ((rc = html_plot(f, a, OB_FIG_PROFILE, 0, err)) < 0) return rc;
    html_table(f, &a->table[a->nprob + 1], "ecdf");
    if ((rc = html_plot(f, a, OB_FIG_ECDF, 0, err)) < 0) return rc;
  }
  for (size_t p = 0; p < a->nprob; p++) {
    char anchor[32];
    snprintf(anchor, sizeof anchor, "problem-%zu", p);
    html_table(f, &a->table[p], anchor);
    if ((rc = html_plot(f, a, OB_FIG_CONVERGENCE, p, err)) < 0) return rc;
  }
  if (a->seq_table < a->ntables) {
    html_table(f, &a->table[a->seq_table], "sequence");
    for (size_t k = 0; k < a->nseq; k++)
      if ((rc = html_plot(f, a, OB_FIG_SEQUENCE, k, err)) < 0) return rc;
  }
  if (a->hg_table < a->ntables) {
    html_table(f, &a->table[a->hg_table], "bilevel");
    for (size_t k = 0; k < a->nhg; k++)
      if ((rc = html_plot(f, a, OB_FIG_HYPERGRAD, k, err)) < 0) return rc;
  }
  if (a->placement_table < a->ntables) {
    html_table(f, &a->table[a->placement_table], "placements");
    if ((rc = html_plot(f, a, OB_FIG_PLACEMENT, 0, err)) < 0) return rc;
  }
  fputs("</body>\n</html>\n", f);
  return ferror(f) ? ob_error_set(err, OB_EIO, "write error") : OB_OK;
}
